"""Document frames (everything around the entries), mostly without feedgen.

A frame depends on the config, the format, the document's place among the
archive pages and its ``updated`` date, and an incremental build usually
changes only the date. Rendering it through feedgen would import lxml and
feedgen, about 50 ms of a 0.3 s rebuild, for that alone. So, as with entry
templates (render/_template.py), the first Atom or RSS frame of each kind
is rendered a second time with a sentinel date and cut where the
sentinel's spellings appear; the cuts, filled with the real date, must
give the real frame byte for byte, or that kind always takes feedgen's
path. Later frames of the kind fill in their date. The build cache keeps
the templates (keyed, like its fragments, on config and feedpub version).
"""

from __future__ import annotations

from datetime import datetime

from .learnt import PerConfig
from .model import Config, Feed
from .records import spelling_shape
from .rfc822 import rfc822
from .slots import replace

Frame = tuple[bytes, bytes, bytes, bytes]
"""(head, separator, tail, the whole document when it has no entries)."""
Kind = tuple[str, int, int, tuple[int | None, str | None, bool]]
Part = tuple[list[bytes], list[int]]
"""Pieces of one frame part, and which date spelling goes between them."""
StoredFrames = dict[Kind, list[Part] | None]

_MARK1 = b"\x00feedpub-fragment-1\x00"
_MARK2 = b"\x00feedpub-fragment-2\x00"
_TEMPLATED = ("atom", "rss")
_SENTINEL = datetime(2001, 2, 3, 4, 5, 6)

_learnt: PerConfig[Kind, list[Part] | None] = PerConfig()
_frames = _learnt.values
"""(config, kind) -> the kind's frame templates, or None: the renderer makes them."""


def document_frame(feed: Feed, fmt: str) -> Frame:
    """A format's frame for ``feed`` (whose entries are not used)."""
    if fmt not in _TEMPLATED:
        return render_frame(feed, fmt)
    key = (id(feed.config), kind_of(feed, fmt))
    if key not in _frames:
        _learnt.owner(feed.config)  # keeps the config alive while its id is a key
        made = render_frame(feed, fmt)
        _frames[key] = _learn(feed, fmt, made)
        return made
    parts = _frames[key]
    if parts is None:
        return render_frame(feed, fmt)
    dates = _spellings(feed.updated)
    head, separator, tail, empty = (_fill(part, dates) for part in parts)
    return head, separator, tail, empty


def render_frame(feed: Feed, fmt: str) -> Frame:
    """The frame through the format's renderer, learnt from marker fragments."""
    from .render import renderer

    document = renderer(fmt).document
    whole = document(feed, [_MARK1, _MARK2])
    first, second = whole.index(_MARK1), whole.index(_MARK2)
    head, tail = whole[:first], whole[second + len(_MARK2) :]
    return head, whole[first + len(_MARK1) : second], tail, document(feed, [])


def kind_of(feed: Feed, fmt: str) -> Kind:
    """Everything but the date that a frame depends on (the config aside)."""
    # An archive page's links depend only on whether a newer page exists.
    pages = feed.pages if feed.page == 0 else int(feed.page < feed.pages)
    return fmt, feed.page, pages, spelling_shape(feed.updated)


def export(config: Config) -> StoredFrames:
    """The main documents' frame templates learnt for ``config``, as plain values.

    Only the main documents' (page 0): they change on every new entry, while
    archive pages are rarely rendered again, and at 10,000 entries theirs
    would make the cache 0.8 MB larger to read and write on every build.
    """
    return {kind: parts for kind, parts in _learnt.of(config).items() if not kind[1]}


def adopt(config: Config, stored: StoredFrames) -> None:
    """Frame templates an earlier build learnt (and checked) for the same config."""
    mine = _learnt.owner(config)
    for kind, parts in stored.items():
        _frames[(mine, kind)] = (
            None if parts is None else [(list(pieces), list(slots)) for pieces, slots in parts]
        )


def _spellings(moment: datetime) -> tuple[bytes, bytes]:
    """The date as Atom (RFC 3339) and RSS (RFC 822) documents write it."""
    return moment.isoformat().encode(), rfc822(moment).encode()


def _fill(part: Part, dates: tuple[bytes, bytes]) -> bytes:
    pieces, slots = part
    out = [pieces[0]]
    for slot, piece in zip(slots, pieces[1:], strict=True):
        out.append(dates[slot])
        out.append(piece)
    return b"".join(out)


def _learn(feed: Feed, fmt: str, made: Frame) -> list[Part] | None:
    """Templates for the frame's kind, or None if they would not give ``made``."""
    updated = feed.updated
    sentinel = _SENTINEL.replace(tzinfo=updated.tzinfo, microsecond=updated.microsecond and 1)
    probe = render_frame(replace(feed, updated=sentinel), fmt)
    parts = [_cut(text, _spellings(sentinel)) for text in probe]
    dates = _spellings(updated)
    if [_fill(part, dates) for part in parts] != list(made):
        return None
    return parts


def _cut(text: bytes, dates: tuple[bytes, bytes]) -> Part:
    pieces, slots, at = [], [], 0
    while True:
        found = [(text.find(date, at), slot) for slot, date in enumerate(dates)]
        found = [(where, slot) for where, slot in found if where >= 0]
        if not found:
            break
        where, slot = min(found)
        pieces.append(text[at:where])
        slots.append(slot)
        at = where + len(dates[slot])
    pieces.append(text[at:])
    return pieces, slots
