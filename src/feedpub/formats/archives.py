"""Which entries go into which document: the main feed and RFC 5005 archive pages.

Archive pages are fixed-size slices counted from the *oldest* published
entry, so adding entries never changes an existing page: page k holds
entries (k-1)*limit .. k*limit-1. The main feed keeps every entry not yet
in a full page, plus archived entries edited since, so subscribers see edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..model import EPOCH, Config


@dataclass(frozen=True, slots=True)
class Item:
    """What planning needs of one entry; ``key`` finds the rest (the shown path)."""

    key: str
    id: str
    date_us: int
    modified_us: int
    modified: str
    """The ``updated`` (or ``date``) as RFC 3339 text, with the offset as written."""
    draft: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    items: tuple[Item, ...]
    """Newest first."""
    page: int
    """0 for the main feed, else the archive page number (1 is the oldest)."""
    pages: int

    @property
    def updated(self) -> datetime:
        """The newest ``modified`` date among the entries (the first of equal ones)."""
        if not self.items:
            return EPOCH
        newest = max(self.items, key=lambda item: item.modified_us)
        return datetime.fromisoformat(newest.modified)


def microseconds(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch: orders as datetimes do."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def published(items: list[Item], now: datetime, *, future: bool = False) -> list[Item]:
    """Items readers may see now, oldest first; ties broken by id for stable pages."""
    now_us = microseconds(now)
    chosen = [i for i in items if not i.draft and (future or i.date_us <= now_us)]
    chosen.sort(key=lambda item: (item.date_us, item.id))
    return chosen


def plan(config: Config, oldest_first: list[Item]) -> list[Document]:
    """The documents to publish: the main feed first, then archive pages 1..N."""
    limit = config.limit
    if not config.archive or limit == 0:
        newest = oldest_first[::-1]
        return [Document(tuple(newest[:limit] if limit else newest), 0, 0)]
    pages = max(0, (len(oldest_first) - limit) // limit)
    archived = pages * limit
    main = oldest_first[archived:][::-1]
    if main and archived:
        # An edit to an archived entry is news: repeated in the main feed.
        horizon = main[-1].date_us
        edited = [item for item in oldest_first[:archived] if item.modified_us > horizon]
        main.extend(edited[::-1])
    documents = [Document(tuple(main), 0, pages)]
    for page in range(1, pages + 1):
        chunk = oldest_first[(page - 1) * limit : page * limit][::-1]
        documents.append(Document(tuple(chunk), page, pages))
    return documents


def next_due(items: list[Item], now: datetime) -> int | None:
    """When the earliest scheduled (future, not draft) entry becomes due, in microseconds."""
    now_us = microseconds(now)
    due = [i.date_us for i in items if not i.draft and i.date_us > now_us]
    return min(due) if due else None
