"""What readers will see change if a new build is published.

Both sides are read from feed bytes (the published file and the new
rendering), so the comparison is exactly what a reader would notice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import Problem
from .feedread import PublishedEntry


@dataclass(frozen=True, slots=True)
class Change:
    id: str
    title: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class FeedDiff:
    new: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    id_changes: list[Change] = field(default_factory=list)
    silent_edits: list[Change] = field(default_factory=list)
    """Content changed but ``updated`` did not: readers will not notice."""
    unread: Problem | None = None
    """Why the published file could not be read (then every entry shows as new)."""

    @property
    def empty(self) -> bool:
        return not (self.new or self.updated or self.removed or self.id_changes)

    def as_json(self) -> dict[str, Any]:
        report = asdict(self)
        del report["unread"]  # a warning, printed apart from the report
        return report


def compare(before: list[PublishedEntry], after: list[PublishedEntry]) -> FeedDiff:
    diff = FeedDiff()
    old = {e.id: e for e in before}
    new = {e.id: e for e in after}
    old_by_link = {e.link: e for e in before if e.link}
    for entry in after:
        previous = old.get(entry.id)
        if previous is None:
            moved = old_by_link.get(entry.link) if entry.link else None
            if moved is not None and moved.id not in new:
                diff.id_changes.append(Change(entry.id, entry.title, f"was {moved.id}"))
            else:
                diff.new.append(Change(entry.id, entry.title))
        elif previous.content_digest != entry.content_digest:
            diff.updated.append(Change(entry.id, entry.title))
            if previous.updated == entry.updated:
                diff.silent_edits.append(Change(entry.id, entry.title, "'updated' unchanged"))
    moved_ids = {c.detail.removeprefix("was ") for c in diff.id_changes}
    for entry in before:
        if entry.id not in new and entry.id not in moved_ids:
            diff.removed.append(Change(entry.id, entry.title))
    return diff
