"""Stop a build that would give an entry readers already have a new id.

Readers recognise entries by id; a new id for the same page (same link)
shows the entry twice. The ids published before come from the build
cache, or, on a first build with the cache gone, from the published feed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError, Problem
from ..model import Config


def published_ids_by_link(out: Path, config: Config) -> dict[str, str]:
    """link -> id as the published main feed has them ({} when there is none)."""
    for fmt in config.formats:
        published = out / config.filename(fmt)
        if published.exists():
            from ..review.feedread import published_links

            found = published_links(published)
            if found is not None:
                return found
    return {}


def check_ids(
    before: dict[str, str],
    entries: Iterable[tuple[str, str, str | None]],
    exists: Callable[[str], bool],
) -> None:
    """Raise if an entry (shown, id, link) has a link published before under another id
    that no entry has now."""
    problems = [
        Problem(
            shown,
            1,
            "id",
            f'would change from "{old}" to "{entry_id}"; readers would see this entry twice',
            f"add 'id: {old}' to the file to keep it, or build with --accept-id-changes",
        )
        for shown, entry_id, link in entries
        if link is not None
        and (old := before.get(link)) is not None
        and old != entry_id
        and not exists(old)
    ]
    if problems:
        raise InputError(problems)
