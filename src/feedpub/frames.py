"""Document frames (everything around the entries), mostly without feedgen.

A frame depends on the config, the format, the document's place among the
archive pages and its ``updated`` date, and an incremental build usually
changes only the date. Rendering it through feedgen would import lxml and
feedgen, about 50 ms of a 0.3 s rebuild, for that alone. So, as with entry
templates (render/_template.py), the first Atom or RSS frame of each kind
is rendered a second time with a sentinel date and sentinel page numbers,
and cut where their spellings appear; the cuts, filled with the real date
and numbers, must give the real frame byte for byte, or that kind always
takes feedgen's path. Later frames of the kind fill in theirs. A kind is
the format, main feed or archive page, which neighbour links the document
has and how its date is spelled: so every archive page of a site shares
one or two kinds, and an edit of an old entry rewrites its archive page
without feedgen too. The build cache keeps the templates (keyed, like its
fragments, on config and feedpub version).
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
Kind = tuple[str, tuple[bool, ...], tuple[int | None, str | None, bool]]
Part = tuple[list[bytes], list[int]]
"""Pieces of one frame part, and which value (a date spelling, a page number) goes
between them."""
StoredFrames = dict[Kind, list[Part] | None]

_MARK1 = b"\x00feedpub-fragment-1\x00"
_MARK2 = b"\x00feedpub-fragment-2\x00"
_TEMPLATED = ("atom", "rss")
_SENTINEL = datetime(2001, 2, 3, 4, 5, 6)
_PAGE = 987654321
"""The sentinel page number: nine digits, as are its neighbours, and beyond any real page."""

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
    values = _values(feed, feed.updated)
    head, separator, tail, empty = (_fill(part, values) for part in parts)
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
    """Everything but the date and page numbers that a frame depends on (the config aside)."""
    if feed.page == 0:
        place: tuple[bool, ...] = (False, feed.pages > 0)  # links the newest archive page
    else:
        place = (True, feed.page > 1, feed.page < feed.pages)  # older, newer neighbours
    return fmt, place, spelling_shape(feed.updated)


def _numbers(feed: Feed) -> list[int]:
    """The page numbers in the frame's links, in the kind's order."""
    if feed.page == 0:
        return [feed.pages] if feed.pages else []
    if feed.page == 1:
        return []  # the oldest page: its own number and its neighbour's never change
    newer = [feed.page + 1] if feed.page < feed.pages else []
    return [feed.page - 1, feed.page, *newer]


def _sentinel_pages(feed: Feed) -> Feed:
    """The feed with sentinel page numbers in the same places (same kind)."""
    if feed.page == 0:
        return replace(feed, pages=_PAGE if feed.pages else 0)
    if feed.page == 1:
        return feed
    return replace(feed, page=_PAGE, pages=_PAGE + 1 if feed.page < feed.pages else _PAGE)


def export(config: Config) -> StoredFrames:
    """The frame templates learnt for ``config``, as plain values (a few per format)."""
    return dict(_learnt.of(config))


def adopt(config: Config, stored: StoredFrames) -> None:
    """Frame templates an earlier build learnt (and checked) for the same config."""
    mine = _learnt.owner(config)
    for kind, parts in stored.items():
        _frames[(mine, kind)] = (
            None if parts is None else [(list(pieces), list(slots)) for pieces, slots in parts]
        )


def _values(feed: Feed, moment: datetime) -> list[bytes]:
    """What goes into a frame's cuts: the date as Atom (RFC 3339) and RSS (RFC 822)
    write it, then the page numbers of its links."""
    spelled = [moment.isoformat().encode(), rfc822(moment).encode()]
    return spelled + [b"%d" % number for number in _numbers(feed)]


def _fill(part: Part, values: list[bytes]) -> bytes:
    pieces, slots = part
    out = [pieces[0]]
    for slot, piece in zip(slots, pieces[1:], strict=True):
        out.append(values[slot])
        out.append(piece)
    return b"".join(out)


def _learn(feed: Feed, fmt: str, made: Frame) -> list[Part] | None:
    """Templates for the frame's kind, or None if they would not give ``made``."""
    if max(feed.page, feed.pages) >= _PAGE - 1:
        return None  # a page number could be mistaken for a sentinel
    updated = feed.updated
    sentinel = _SENTINEL.replace(tzinfo=updated.tzinfo, microsecond=updated.microsecond and 1)
    probe_feed = _sentinel_pages(replace(feed, updated=sentinel))
    probe = render_frame(probe_feed, fmt)
    parts = [_cut(text, _values(probe_feed, sentinel)) for text in probe]
    values = _values(feed, updated)
    if [_fill(part, values) for part in parts] != list(made):
        return None
    return parts


def _cut(text: bytes, values: list[bytes]) -> Part:
    pieces, slots, at = [], [], 0
    while True:
        found = [(text.find(value, at), slot) for slot, value in enumerate(values)]
        found = [(where, slot) for where, slot in found if where >= 0]
        if not found:
            break
        where, slot = min(found)
        pieces.append(text[at:where])
        slots.append(slot)
        at = where + len(values[slot])
    pieces.append(text[at:])
    return pieces, slots
