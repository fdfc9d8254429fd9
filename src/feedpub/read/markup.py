"""Turn entry content into the safe HTML feeds carry, saying what the sanitizer took out.

Every body (Markdown rendered GitHub-flavoured by pyromark, HTML, or text) goes
through one HTML pass (htmlpass.py) and then through nh3 (sanitize.py), which
alone decides what readers get.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

import pyromark

from ..model import Image
from .htmlpass import Prepass, slug, unique
from .sanitize import clean, refusal

Dialect = Literal["gfm", "commonmark"]
DIALECTS: tuple[Dialect, ...] = ("gfm", "commonmark")
ContentFormat = Literal["markdown", "html", "text"]
CONTENT_FORMATS: tuple[ContentFormat, ...] = ("markdown", "html", "text")

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot carry (its production 2, ``Char``)."""

_O = pyromark.Options
# GFM spec: tables (4.10), task list items (5.3), strikethrough (6.5) and
# footnotes as github.com renders them; {#id} heading attributes are
# pulldown-cmark's. Smart punctuation stays off: GFM does not have it.
_GFM = _O.ENABLE_TABLES | _O.ENABLE_FOOTNOTES | _O.ENABLE_STRIKETHROUGH | _O.ENABLE_TASKLISTS
_RENDERERS: dict[Dialect, pyromark.Markdown] = {
    "gfm": pyromark.Markdown(options=_GFM | _O.ENABLE_HEADING_ATTRIBUTES),
    "commonmark": pyromark.Markdown(),
}


@dataclass(frozen=True, slots=True)
class Body:
    """An entry's content as feeds carry it, with what ``check`` should point out."""

    html: str
    relative: tuple[str, ...]
    removed: tuple[str, ...]


class UnsafeCharacter(ValueError):
    """The content refers (``&#1;``, ``&#xFFFE;``) to a character XML cannot carry.

    Raw ones are refused when the file is read; references only turn into
    characters once the HTML or Markdown is parsed, so they are caught here.
    """

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"has a character reference to U+{code:04X}, which feeds cannot carry")


def render_body(source: str, fmt: ContentFormat, base: str, *, dialect: Dialect = "gfm") -> Body:
    """Sanitized HTML of an entry's content, with its relative URLs and what was removed."""
    if fmt == "markdown":
        raw = _RENDERERS[dialect].html(source)
    elif fmt == "html":
        raw = source
    else:
        raw = _text_to_html(source)
    _refuse_unsafe_references(raw)
    gfm = fmt == "markdown" and dialect == "gfm"
    plain = _plain_rendering(raw, gfm=gfm) if _only_markdown(source, fmt, dialect) else None
    if plain is not None:
        prepared, removed = plain
    else:
        prepass = Prepass(base, gfm=gfm)
        prepass.feed(raw)
        prepass.close()
        prepared, removed = prepass.result(), list(prepass.removed)
    cleaned, relative = clean(prepared, base)
    bad = XML_ILLEGAL.search(cleaned)
    if bad:
        raise UnsafeCharacter(ord(bad.group()))
    return Body(cleaned, tuple(relative), tuple(removed))


def _only_markdown(source: str, fmt: ContentFormat, dialect: Dialect) -> bool:
    """Markdown whose HTML the renderer wrote alone: no raw HTML and no footnotes.

    Raw HTML starts with "<" and footnotes with "[^"; when the source holds either
    (in code, say), the parser's own events tell.
    """
    if fmt != "markdown":
        return False
    if "<" not in source and "[^" not in source:
        return True
    for event in _RENDERERS[dialect].events(source):
        if not isinstance(event, dict):
            continue  # "SoftBreak", "HardBreak", "Rule"
        if "Html" in event or "InlineHtml" in event or "FootnoteReference" in event:
            return False
        start = event.get("Start")
        if isinstance(start, dict) and "FootnoteDefinition" in start:
            return False
    return True


_HEADING = re.compile(r"<h([1-6])((?: [^\s=>]+=\"[^\"]*\")*)>(.*?)</h\1>", re.DOTALL)
_HEADING_START = re.compile(r"<h[1-6][ >]")
_HEADING_ID = re.compile(r' id="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_URL = re.compile(r'<(a|img) (href|src)="([^"]*)"')
_USUAL_URLS = ("https://", "http://", "mailto:", "#")


def _plain_rendering(rendered: str, *, gfm: bool) -> tuple[str, list[str]] | None:
    """What the HTML pass would do to the renderer's own HTML, without parsing it.

    Its tags are regular (attributes double-quoted, text escaped), so headings get
    their ids and unsafe link schemes are named as in htmlpass; None when a heading
    has attributes other than an id (then the HTML pass does it). A test compares
    both over generated Markdown.
    """
    ids: set[str] = set()
    unusual = False
    found = 0

    def heading(match: re.Match[str]) -> str:
        nonlocal unusual, found
        found += 1
        level, attributes, inner = match.groups()
        given = _HEADING_ID.fullmatch(attributes) if attributes else None
        if attributes and given is None:
            unusual = True
            return match.group()
        wanted = html.unescape(given.group(1)) if given else None
        if wanted is None and gfm:
            wanted = slug(html.unescape(_TAG.sub("", inner)))
        if wanted is None:
            return match.group()
        return f'<h{level} id="{html.escape(unique(wanted, ids))}">{inner}</h{level}>'

    with_ids = _HEADING.sub(heading, rendered) if "<h" in rendered else rendered
    if unusual or found != len(_HEADING_START.findall(rendered)):
        return None
    removed: dict[str, None] = {}
    for tag, name, value in _URL.findall(with_ids):
        if value.startswith(_USUAL_URLS):
            continue  # what refusal() passes: no need to parse it
        refused = refusal(tag, name, html.unescape(value))
        if refused:
            removed[refused] = None
    return with_ids, list(removed)


def figure_html(image: Image) -> str:
    """The entry's lead image, shown above the content like a news page does."""
    img = f'<img src="{html.escape(image.url)}" alt="{html.escape(image.alt)}">'
    caption = ""
    if image.credit:
        caption = f"<figcaption>© {html.escape(image.credit, quote=False)}</figcaption>"
    return f"<figure>{img}{caption}</figure>"


def _text_to_html(text: str) -> str:
    """Plain text as paragraphs: blank lines separate them, line breaks are kept."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


# HTML's numeric character references; longer numbers are beyond Unicode, and
# HTML reads those (like 0 and surrogates) as U+FFFD, so only these remain of
# what XML_ILLEGAL matches.
_ILLEGAL_CODES = frozenset([*range(1, 9), 0xB, 0xC, *range(0xE, 0x20), 0xFFFE, 0xFFFF])
_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})(?![0-9a-fA-F])|0*([0-9]{1,7})(?![0-9]))")


def _refuse_unsafe_references(raw: str) -> None:
    """Refuse references to code points XML cannot carry before HTMLParser silently drops them.

    html5ever (so nh3, and readers) would turn them into those characters.
    """
    if "&#" not in raw:
        return
    for match in _REFERENCE.finditer(raw):
        hexadecimal, decimal = match.groups()
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if code in _ILLEGAL_CODES:
            raise UnsafeCharacter(code)
