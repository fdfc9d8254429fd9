"""The pipeline: site folder -> model -> rendered bytes -> output folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import StaleOutputError
from .load import load_site, select_feed
from .model import Feed
from .render import render
from .writer import changed_files, write_files

OUTPUT_DIR = "output"


@dataclass(frozen=True, slots=True)
class BuildResult:
    feed: Feed
    files: dict[str, bytes]
    """Every output file name (relative to the output folder) and its bytes."""
    written: list[str]
    """The names actually rewritten (their bytes changed)."""


def render_site(
    root: Path, *, now: datetime | None = None, future: bool = False
) -> tuple[Feed, dict[str, bytes]]:
    """Load and render everything in memory; touches no output file."""
    site = load_site(root)
    feed = select_feed(site, now or datetime.now(UTC), future=future)
    files = {feed.config.filename(fmt): render(feed, fmt) for fmt in feed.config.formats}
    return feed, files


def build(
    root: Path,
    out_dir: Path | None = None,
    *,
    now: datetime | None = None,
    future: bool = False,
    check: bool = False,
) -> BuildResult:
    """Build the feeds of the site in ``root`` into ``out_dir`` (default root/output).

    ``now`` only decides which entries are already published (future-dated
    ones wait); it never appears in the output. With ``check`` nothing is
    written and StaleOutputError is raised when the output is out of date.
    """
    out = out_dir if out_dir is not None else root / OUTPUT_DIR
    feed, files = render_site(root, now=now, future=future)
    if check:
        stale = sorted(changed_files(out, files))
        if stale:
            raise StaleOutputError.one(
                "output is out of date: " + ", ".join(stale),
                path=str(out),
                hint="run 'feedpub build' and commit the result",
            )
        return BuildResult(feed, files, [])
    return BuildResult(feed, files, write_files(out, files))
