"""Read-only commands: ``check`` (lint everything) and ``diff`` (preview a publish)."""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..builder.pipeline import render_site
from ..errors import Problem
from ..model import DEFAULT_FILENAMES
from ..read.site import read_site
from .diff import FeedDiff, compare
from .feedread import PublishedEntry, UnreadableFeed, read_entries
from .outputcheck import check_file


def check_site(root: Path, out_dir: Path) -> list[Problem]:
    """Problems with the config, every entry (drafts and future ones too) and output/."""
    site, problems = read_site(root)
    names = (
        [site.config.filename(fmt) for fmt in site.config.formats]
        if site is not None
        else list(DEFAULT_FILENAMES.values())
    )
    for name in names:
        path = out_dir / name
        if path.exists():
            problems.extend(check_file(path, _shown(path, root)))
            problems.extend(
                _too_big(path, _shown(path, root), site is not None and site.config.archive)
            )
    return problems


MAX_FEED_BYTES = 5_000_000
"""Where many readers and the W3C validator stop reading a feed."""


def _too_big(path: Path, shown: str, archived: bool) -> list[Problem]:
    size = path.stat().st_size
    if size <= MAX_FEED_BYTES:
        return []
    megabytes = math.ceil(size / 100_000) / 10  # never "5.0 MB" for one over 5 MB
    return [
        Problem(
            shown, None, None,
            f"is {megabytes} MB; many readers and the W3C validator stop at 5 MB",
            "set a lower 'limit'" if archived else "set 'archive: true' or a lower 'limit'",
            "warning",
        )
    ]  # fmt: skip


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def problems_json(problems: list[Problem]) -> dict[str, Any]:
    return {
        "errors": sum(p.severity == "error" for p in problems),
        "warnings": sum(p.severity == "warning" for p in problems),
        "problems": [asdict(p) for p in problems],
    }


def diff_site(
    root: Path, out_dir: Path, *, now: datetime | None = None, future: bool = False
) -> FeedDiff:
    """Compare what readers have (output/) with what a build would publish now."""
    feed, files = render_site(root, now=now, future=future)
    fmt = feed.config.formats[0]
    name = feed.config.filename(fmt)
    path = out_dir / name
    before: list[PublishedEntry] = []
    unread = None
    try:
        before = read_entries(path.read_bytes())
    except FileNotFoundError:
        pass  # nothing published yet: every entry is new
    except (OSError, UnreadableFeed) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        line = exc.line if isinstance(exc, UnreadableFeed) else None
        unread = Problem(
            _shown(path, root), line or 1, None, f"cannot be read: {reason}",
            "every entry shows as new; run 'feedpub check' for details", "warning",
        )  # fmt: skip
    return replace(compare(before, read_entries(files[name])), unread=unread)
