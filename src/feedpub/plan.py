"""Which entries go into which document: the main feed and RFC 5005 archives.

Archive pages are fixed-size slices counted from the *oldest* published
entry, so adding new entries never changes an existing page: page k always
holds entries (k-1)*size .. k*size-1. The main feed keeps every entry not
yet in a full page (between ``limit`` and ``2*limit - 1`` of them), plus
archived entries edited recently, so subscribers see those edits.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .model import Config, Entry, Feed

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The ``updated`` date of a document with no entries: fixed, never "now"."""


def published(entries: list[Entry], now: datetime, *, future: bool = False) -> list[Entry]:
    """Entries readers may see now, oldest first (ties broken by id, for stable pages)."""
    chosen = [e for e in entries if not e.draft and (future or e.date <= now)]
    chosen.sort(key=lambda e: (e.date, e.id))
    return chosen


def _document(config: Config, entries: list[Entry], page: int, pages: int) -> Feed:
    updated = max((e.modified for e in entries), default=EPOCH)
    return Feed(config, tuple(entries), updated, page, pages)


def plan(config: Config, oldest_first: list[Entry]) -> list[Feed]:
    """The documents to publish: the main feed first, then archive pages 1..N."""
    limit = config.limit
    if not config.archive or limit == 0:
        newest = oldest_first[::-1]
        return [_document(config, newest[:limit] if limit else newest, 0, 0)]
    pages = max(0, (len(oldest_first) - limit) // limit)
    archived = pages * limit
    main = oldest_first[archived:][::-1]
    if main and archived:
        # RFC 5005 archives are for history; an edit to an archived entry is
        # news, so it is repeated in the main feed where pollers will see it.
        horizon = main[-1].date
        edited = [e for e in oldest_first[:archived] if e.modified > horizon]
        main.extend(sorted(edited, key=lambda e: (e.date, e.id), reverse=True))
    documents = [_document(config, main, 0, pages)]
    for page in range(1, pages + 1):
        chunk = oldest_first[(page - 1) * limit : page * limit][::-1]
        documents.append(_document(config, chunk, page, pages))
    return documents
