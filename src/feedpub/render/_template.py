"""Atom and RSS entry fragments from feedgen's output for an entry of the same shape.

feedgen builds and serialises an lxml tree per entry: about 0.4 ms, a
third of a cold build's work per entry. But a site's entries come in few
shapes (which optional fields are set, how many tags, authors and
enclosures), and within one shape only the text differs. So, once per
shape, we render a *probe* through the normal path (_entry.py, feedgen):
a copy of the entry with a unique token in every text field and sentinel
dates. Cutting feedgen's bytes at the tokens gives a template; each later
entry of that shape fills its own values into the cuts, escaped exactly as
libxml2 escapes text and attribute values (a test checks every character).

How each cut is escaped is read from the probe, not assumed: inside a
tag it is an attribute, outside it is text, and a field that reaches the
output HTML-escaped first (RSS <description>) shows it by how its token's
trailing "&" came out. Entries whose values change the tree itself
(titles that look like markup, characters needing numeric references)
always take the feedgen path. Above all, the first entry of every shape
is rendered both ways and must match byte for byte, or that shape keeps
using feedgen; tests compare both paths over generated entries.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from ..learnt import PerConfig
from ..model import Config, Enclosure, Entry, Person, Source
from ..records import spelling_shape
from ..rfc822 import rfc822
from ..slots import replace
from ._text import effective_authors, needs_numeric

TYPE_CHECKING = False
if TYPE_CHECKING:  # (typing itself is not loaded for this)
    from typing import AnyStr

Shape = tuple[object, ...]
Slot = tuple[int, int]
"""(index into the entry's values, escaping)."""

_TEXT, _ATTR, _HTML_TEXT, _RAW = range(4)
_AMP = "&"
"""Trails the tokens of fields that may be HTML-escaped on the way (summary, content)."""
_AMP_AS = {"&amp;amp;": _HTML_TEXT, "&amp;": _TEXT}
_DATE = datetime(1901, 2, 3, 4, 5, 6)
_UPDATED = datetime(1902, 3, 4, 5, 6, 7)


class _Template:
    __slots__ = ("_after", "pieces", "slots")

    def __init__(self, pieces: list[str], slots: list[Slot]) -> None:
        self.pieces = pieces
        self.slots = slots
        self._after = list(zip(slots, pieces[1:], strict=True))

    def fill(self, values: list[str], escaped: dict[Slot, str] | None = None) -> bytes:
        """The fragment with ``values`` cut in; ``escaped`` shares work between formats."""
        done = {} if escaped is None else escaped
        out = [self.pieces[0]]
        for slot, piece in self._after:
            value = done.get(slot)
            if value is None:
                index, kind = slot
                text = done.get((index, _TEXT)) if kind == _HTML_TEXT else None
                if text is not None and "\r" not in values[index]:
                    value = done[slot] = html_text_from_text(text)
                else:
                    value = done[slot] = _ESCAPE[kind](values[index])
            out.append(value)
            out.append(piece)
        return "".join(out).encode("utf-8")


_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
_ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"))


def _replace(value: AnyStr, escapes: tuple[tuple[AnyStr, AnyStr], ...]) -> AnyStr:
    for char, reference in escapes:
        if char in value:
            value = value.replace(char, reference)
    return value


def _text(value: str) -> str:
    # Most values (titles, ids, dates, names) need nothing: four searches in
    # line cost a third of the loop in _replace, 16 times an entry.
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        if len(value) >= _LONG:
            return _long_text(value)
        return _replace(value, _TEXT_ESCAPES)
    return value


_LONG = 512
_TEXT_BYTE_ESCAPES = tuple((char.encode(), reference.encode()) for char, reference in _TEXT_ESCAPES)


def _long_text(value: str) -> str:
    """``_text`` of a long value (an entry's HTML content), through its UTF-8 bytes.

    bytes.replace is about twice as fast as str.replace on HTML, where a
    replaced character comes every 60: 6.6 against 11.6 microseconds for a
    4.7 KB body, encoding and decoding included (once per entry: both formats
    share it). The characters replaced are ASCII, which UTF-8 never uses
    inside another character.
    """
    return _replace(value.encode("utf-8"), _TEXT_BYTE_ESCAPES).decode("utf-8")


def attribute_value(value: str) -> str:
    """``value`` escaped for a double-quoted XML attribute, as libxml2 does it."""
    value = _text(value)
    if '"' in value or "\n" in value or "\t" in value:
        return _replace(value, _ATTRIBUTE_ESCAPES)
    return value


def _html_text(value: str) -> str:
    return _text(html.escape(value, quote=False))


def html_text_from_text(text: str) -> str:
    """``_html_text(value)`` from ``text``, which is ``_text(value)`` and was made
    for the other format (Atom's summary is text, RSS's description escaped
    HTML): one pass instead of seven. Only for values without "\\r", which
    ``_text`` writes as a reference that this would escape again."""
    return text.replace("&", "&amp;")


def _raw(value: str) -> str:
    return value


_ESCAPE = (_text, attribute_value, _html_text, _raw)

_learnt: PerConfig[tuple[tuple[str, ...], Shape], dict[str, _Template] | None] = PerConfig()
_cache = _learnt.values
"""(config, (formats, shape)) -> the shape's templates, or None: feedgen renders it."""


def feedgen_fragments(entry: Entry, config: Config, formats: tuple[str, ...]) -> dict[str, bytes]:
    """The entry through feedgen (imported here: a known shape never needs it)."""
    from ._entry import entry_fragments

    return entry_fragments(entry, config, formats)


def templated_fragments(entry: Entry, config: Config, formats: tuple[str, ...]) -> dict[str, bytes]:
    """The same bytes as ``_entry.entry_fragments``, mostly without feedgen."""
    authors = effective_authors(entry, config)
    if "<" in entry.title or needs_numeric(entry, authors):
        return feedgen_fragments(entry, config, formats)
    key = (id(config), (formats, shape_of(entry, config)))
    if key not in _cache:
        _learnt.owner(config)  # keeps the config alive while its id is a key
        made = feedgen_fragments(entry, config, formats)
        _cache[key] = _learn(entry, config, formats, made)
        return made
    templates = _cache[key]
    if templates is None:
        return feedgen_fragments(entry, config, formats)
    values = _values(entry)
    escaped: dict[Slot, str] = {}
    return {fmt: templates[fmt].fill(values, escaped) for fmt in formats}


def shape_of(entry: Entry, config: Config) -> Shape:
    """Everything about an entry that decides its tree rather than its text."""
    dates = (entry.date, entry.updated) if entry.updated else (entry.date,)
    return (
        entry.link is not None,
        entry.id == entry.link,
        tuple(spelling_shape(d) for d in dates),
        tuple((p.email is not None, p.url is not None) for p in entry.authors),
        len(entry.tags),
        len(entry.enclosures),
        (entry.source.url is not None) if entry.source else None,
        entry.summary is not None,
        entry.content_html is not None,
        entry.lang if entry.lang == config.language else entry.lang is not None,
    )


StoredTemplates = dict[
    tuple[tuple[str, ...], Shape], dict[str, tuple[list[str], list[Slot]]] | None
]


def export(config: Config) -> StoredTemplates:
    """The templates learnt for ``config``, as plain values (for the build cache)."""
    return {
        key: None
        if templates is None
        else {fmt: (t.pieces, t.slots) for fmt, t in templates.items()}
        for key, templates in _learnt.of(config).items()
    }


def learnt_count() -> int:
    """How many shapes this process has templates (or feedgen's verdict) for:
    ``export`` has something new only when this grew."""
    return len(_cache)


def adopt(config: Config, stored: StoredTemplates) -> None:
    """Templates another process learnt (and checked) for the same config and feedpub.

    The build cache keys them on both, like the fragments it keeps.
    """
    mine = _learnt.owner(config)
    for (formats, shape), templates in stored.items():
        _cache[(mine, (tuple(formats), tuple(shape)))] = (
            None if templates is None else {fmt: _stored(t) for fmt, t in templates.items()}
        )


def _stored(template: tuple[list[str], list[Slot]]) -> _Template:
    pieces, slots = template
    return _Template(list(pieces), [(index, kind) for index, kind in slots])


def _values(entry: Entry) -> list[str]:
    """The entry's text, in the order the probe's tokens were handed out."""
    values = [
        entry.title,
        entry.id,
        entry.link or "",
        entry.summary or "",
        entry.content_html or "",
    ]
    values.append(entry.lang or "")  # only cut out when it differs from the site's
    values.append(entry.date.isoformat())
    values.append(rfc822(entry.date))
    values.append(entry.updated.isoformat() if entry.updated else "")
    values.extend(entry.tags)
    for person in entry.authors:
        values.extend((person.name, person.email or "", person.url or ""))
    for enclosure in entry.enclosures:
        values.extend((enclosure.url, enclosure.type, str(enclosure.length)))
    if entry.source:
        values.extend((entry.source.title, entry.source.url or ""))
    return values


def _probe(entry: Entry, config: Config) -> tuple[Entry, list[str]]:
    """The entry with a token in each text field, and what each token stands for."""
    count = 0

    def token(suffix: str = "") -> str:
        nonlocal count
        count += 1
        return f"fpq{count:04d}z{suffix}"

    title, entry_id = token(), token()
    link = token() if entry.link is not None else None
    if entry.id == entry.link:
        entry_id = link or entry_id
    summary = token(_AMP) if entry.summary is not None else token()
    content = token(_AMP) if entry.content_html is not None else token()
    # A language equal to the site's is not written out: it stays as it is.
    own_lang = entry.lang is not None and entry.lang != config.language
    lang = token() if own_lang else None
    # Sentinel dates keep the real ones' zone and precision (both are in the shape).
    date = _DATE.replace(tzinfo=entry.date.tzinfo, microsecond=entry.date.microsecond and 1)
    updated = entry.updated and _UPDATED.replace(
        tzinfo=entry.updated.tzinfo, microsecond=entry.updated.microsecond and 1
    )
    tokens = [title, entry_id, link or "", summary, content, lang or ""]
    tokens.extend([date.isoformat(), rfc822(date), updated.isoformat() if updated else ""])
    tags = tuple(token() for _ in entry.tags)
    tokens.extend(tags)
    people = []
    for person in entry.authors:
        names = (token(), token() if person.email else None, token() if person.url else None)
        people.append(Person(*names))
        tokens.extend(n or "" for n in names)
    enclosures = []
    for number, _ in enumerate(entry.enclosures):
        enclosure = Enclosure(token(), token(), 987_650_000 + number)
        enclosures.append(enclosure)
        tokens.extend((enclosure.url, enclosure.type, str(enclosure.length)))
    source = None
    if entry.source:
        source = Source(token(), token() if entry.source.url else None)
        tokens.extend((source.title, source.url or ""))
    probe = replace(
        entry,
        title=title,
        id=entry_id,
        link=link,
        summary=summary if entry.summary is not None else None,
        content_html=content if entry.content_html is not None else None,
        lang=lang if own_lang else entry.lang,
        date=date,
        updated=updated,
        tags=tags,
        authors=tuple(people),
        enclosures=tuple(enclosures),
        source=source,
    )
    return probe, tokens


def _learn(
    entry: Entry, config: Config, formats: tuple[str, ...], made: dict[str, bytes]
) -> dict[str, _Template] | None:
    """Templates for the entry's shape, or None if they would not reproduce ``made``."""
    probe, tokens = _probe(entry, config)
    rendered = feedgen_fragments(probe, config, formats)
    templates = {}
    for fmt in formats:
        template = _cut(rendered[fmt].decode("utf-8"), tokens)
        if template is None:
            return None
        templates[fmt] = template
    values = _values(entry)
    if any(templates[fmt].fill(values) != made[fmt] for fmt in formats):
        return None
    return templates


def _cut(text: str, tokens: list[str]) -> _Template | None:
    """Split the probe's output at every token; None if one came out unexpectedly."""
    wanted = {}
    for index, value in enumerate(tokens):
        if not value:
            continue
        if value.endswith(_AMP):
            for escaped in _AMP_AS:
                wanted[value[: -len(_AMP)] + escaped] = index
        else:
            wanted[value] = index
    pattern = re.compile("|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)))
    pieces, slots, at = [], [], 0
    for match in pattern.finditer(text):
        found = match.group()
        index = wanted[found]
        before = text[: match.start()]
        in_tag = before.rfind("<") > before.rfind(">")
        if tokens[index].endswith(_AMP):
            kind = _AMP_AS[found[len(tokens[index]) - len(_AMP) :]]
            if in_tag:
                return None  # summary or content in an attribute: not a case we know
        elif index in (6, 7, 8):
            kind = _RAW  # dates: digits, letters, ":", "+", "-" and ","
        else:
            kind = _ATTR if in_tag else _TEXT
        pieces.append(text[at : match.start()])
        slots.append((index, kind))
        at = match.end()
    pieces.append(text[at:])
    if "fpq" in "".join(pieces):
        return None  # a token came out in a form we do not recognise
    return _Template(pieces, slots)
