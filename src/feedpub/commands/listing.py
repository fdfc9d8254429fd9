"""``feedpub list``: every entry with what a build would do with it.

Unlike the feed, the list shows drafts and future entries too, so a writer
can see at a glance what is live, what is held back and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ..model import Entry
from ..read.site import load_site

Status = Literal["published", "draft", "scheduled"]


@dataclass(frozen=True, slots=True)
class Listed:
    date: datetime
    status: Status
    id: str
    title: str
    path: str

    def as_json(self) -> dict[str, str]:
        return {
            "date": self.date.isoformat(),
            "status": self.status,
            "id": self.id,
            "title": self.title,
            "path": self.path,
        }


def status_of(entry: Entry, now: datetime) -> Status:
    """A draft stays a draft whatever its date; a future date waits (``build --future``)."""
    if entry.draft:
        return "draft"
    return "scheduled" if entry.date > now else "published"


def list_entries(root: Path, *, now: datetime | None = None) -> list[Listed]:
    """All entries of the site, newest first (the feed's own order: date, then id).

    "published" means a build publishes it now; the feed's ``limit`` may still
    leave old entries out of the feed file itself.
    """
    moment = now or datetime.now(UTC)
    entries = sorted(load_site(root).entries, key=lambda e: (e.date, e.id), reverse=True)
    return [Listed(e.date, status_of(e, moment), e.id, e.title, e.path) for e in entries]
