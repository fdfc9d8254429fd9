"""Which entries go into which document: the main feed and RFC 5005 archives.

Archive pages are fixed-size slices counted from the *oldest* published
entry, so adding new entries never changes an existing page: page k always
holds entries (k-1)*size .. k*size-1. The main feed keeps every entry not
yet in a full page (between ``limit`` and ``2*limit - 1`` of them), plus
archived entries edited recently, so subscribers see those edits.

Planning works on the table's columns (row numbers, microsecond dates),
so a 10,000-entry site is planned without making an object per entry.
"""

from __future__ import annotations

from datetime import datetime
from itertools import compress

from .model import Config
from .records import EPOCH, microseconds
from .slots import frozen
from .table import Table

__all__ = ["EPOCH", "Planned", "modified_text", "plan", "published", "updated_of"]


@frozen
class Planned:
    """One document: its table rows in document order (newest first)."""

    rows: list[int]
    page: int
    """0 for the main feed, else the archive page number (1 is the oldest)."""
    pages: int
    """Archive pages in all."""
    updated: int
    """The row whose ``modified`` date is the document's; -1 when it has no entries."""


def published(table: Table, now: datetime, *, future: bool = False) -> list[int]:
    """Rows readers may see now, oldest first (ties broken by id, for stable pages)."""
    dates, ids, drafts = table.date_us, table.ids, table.drafts
    rows = range(len(table))
    now_us = microseconds(now)
    if not drafts.count(1) and (future or not dates or max(dates) <= now_us):
        chosen = list(compress(rows, table.ok))  # the usual case, in C
    else:
        chosen = [
            row
            for row in compress(rows, table.ok)
            if not drafts[row] and (future or dates[row] <= now_us)
        ]
    if len(set(dates)) == len(dates):
        chosen.sort(key=dates.__getitem__)  # no equal dates: no need for ids
    else:
        keys = list(zip(dates, ids, strict=True))
        chosen.sort(key=keys.__getitem__)
    return chosen


def _document(table: Table, rows: list[int], page: int, pages: int) -> Planned:
    # max() keeps the first of equal instants, as it did over datetimes.
    updated = max(rows, key=table.modified_us.__getitem__, default=-1)
    return Planned(rows, page, pages, updated)


def plan(config: Config, table: Table, oldest_first: list[int]) -> list[Planned]:
    """The documents to publish: the main feed first, then archive pages 1..N."""
    limit = config.limit
    if not config.archive or limit == 0:
        newest = oldest_first[::-1]
        return [_document(table, newest[:limit] if limit else newest, 0, 0)]
    pages = max(0, (len(oldest_first) - limit) // limit)
    archived = pages * limit
    main = oldest_first[archived:][::-1]
    if main and archived:
        # RFC 5005 archives are for history; an edit to an archived entry is
        # news, so it is repeated in the main feed where pollers will see it.
        horizon = table.date_us[main[-1]]
        modified = table.modified_us
        edited = [row for row in oldest_first[:archived] if modified[row] > horizon]
        main.extend(edited[::-1])  # already in (date, id) order
    documents = [_document(table, main, 0, pages)]
    for page in range(1, pages + 1):
        chunk = oldest_first[(page - 1) * limit : page * limit][::-1]
        documents.append(_document(table, chunk, page, pages))
    return documents


def updated_of(table: Table, document: Planned) -> datetime:
    """The document's ``updated`` date, with the offset its entry was written in."""
    return EPOCH if document.updated < 0 else table.modified(document.updated)


def modified_text(table: Table, document: Planned) -> str:
    """``updated_of(...).isoformat()`` without parsing: the table keeps that text."""
    row = document.updated
    return EPOCH.isoformat() if row < 0 else table.updated[row] or table.dates[row]
