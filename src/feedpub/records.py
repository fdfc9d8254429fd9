"""Compact, plain-tuple records of entries: what the cache stores and the build keeps.

A 100,000-entry site cannot keep a full Entry object graph per entry in
memory (or pickle one per entry between processes). A compiled entry
travels as a marshalled tuple (its "blob") plus a light header tuple
(dates, id, link) that table.py spreads into columns for planning; a full
Entry is decoded only where a renderer needs one (index.html).
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import Problem
from .model import Enclosure, Entry, Image, Person, Source

EntryTuple = tuple[Any, ...]
EntryBlob = bytes
"""An EntryTuple, marshalled: one object instead of ~30, a third of the memory."""
ProblemTuple = tuple[Any, ...]


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def encode_entry(e: Entry) -> EntryTuple:
    return (
        e.path, e.slug, e.id, e.title, _date(e.date), _date(e.updated), e.link,
        tuple((p.name, p.email, p.url) for p in e.authors),
        e.summary, e.tags,
        (e.image.url, e.image.alt, e.image.credit) if e.image else None,
        (e.source.title, e.source.url) if e.source else None,
        e.lang, e.draft,
        tuple((x.url, x.type, x.length) for x in e.enclosures),
    )  # fmt: skip


BlobPlace = tuple[str, int, int]
"""(file, offset, length) of an entry blob a worker wrote to its spill file.

At 100,000 entries the blobs are 85 MB: they stay on disk until the cache
is saved or a renderer needs the whole entry."""
BlobReader = Callable[[BlobPlace], bytes]

HeaderTuple = tuple[str, str | None, str, str | None, bool, int, int]
"""(date, updated, id, link, draft, date and modified in microseconds since the epoch):
what planning needs, kept apart from the blob."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Where microsecond dates count from; also the ``updated`` of a document with no
entries (fixed, never "now")."""
_US = timedelta(microseconds=1)


def microseconds(moment: datetime) -> int:
    """An aware datetime as exact microseconds since the epoch (orders as datetimes do)."""
    return (moment - EPOCH) // _US


def spelling_shape(moment: datetime) -> tuple[int | None, str | None, bool]:
    """What decides how a date is written out, not its value: the UTC offset in
    microseconds, the zone's name, whether it has a fraction. Templates are learnt
    per shape and kept in the cache (so: plain values for marshal)."""
    offset = moment.utcoffset()
    return None if offset is None else offset // _US, moment.tzname(), moment.microsecond != 0


def header_tuple(e: Entry) -> HeaderTuple:
    return (
        e.date.isoformat(), _date(e.updated), e.id, e.link, e.draft,
        microseconds(e.date), microseconds(e.modified),
    )  # fmt: skip


def pack_entry(e: Entry) -> EntryBlob:
    return marshal.dumps(encode_entry(e))


def unpack_entry(blob: EntryBlob) -> EntryTuple:
    entry: EntryTuple = marshal.loads(blob)
    return entry


def decode_entry(e: EntryTuple) -> Entry:
    """The whole Entry, as renderers need it."""
    date = datetime.fromisoformat(e[4])
    updated = datetime.fromisoformat(e[5]) if e[5] else None
    return Entry(
        path=e[0], slug=e[1], id=e[2], title=e[3], date=date, updated=updated, link=e[6],
        authors=tuple(Person(*p) for p in e[7]), summary=e[8], tags=e[9],
        image=Image(*e[10]) if e[10] else None, source=Source(*e[11]) if e[11] else None,
        lang=e[12], draft=e[13], enclosures=tuple(Enclosure(*x) for x in e[14]),
    )  # fmt: skip


def encode_problem(p: Problem) -> ProblemTuple:
    return (p.path, p.line, p.field, p.message, p.hint, p.severity)


def decode_problem(p: ProblemTuple) -> Problem:
    return Problem(*p)
