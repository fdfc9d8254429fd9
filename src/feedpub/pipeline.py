"""The pipeline: site folder -> model -> rendered bytes -> output folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .diff import id_drift
from .errors import InputError, Problem, StaleOutputError
from .feedread import PublishedEntry, read_file
from .load import Progress, load_site, select_feed
from .model import Feed, Site
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
    warnings: tuple[Problem, ...] = ()


def render_site(
    root: Path, *, now: datetime | None = None, future: bool = False
) -> tuple[Feed, dict[str, bytes]]:
    """Load and render everything in memory; touches no output file."""
    return _render(load_site(root), now, future)


def _render(site: Site, now: datetime | None, future: bool) -> tuple[Feed, dict[str, bytes]]:
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
    accept_id_changes: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the feeds of the site in ``root`` into ``out_dir`` (default root/output).

    ``now`` only decides which entries are already published (future-dated
    ones wait); it never appears in the output. With ``check`` nothing is
    written and StaleOutputError is raised when the output is out of date.
    Unless ``accept_id_changes``, an entry that readers already have under
    another id (same link) stops the build: they would see it twice.
    ``progress`` is called once per entry file read.
    """
    out = out_dir if out_dir is not None else root / OUTPUT_DIR
    site = load_site(root, progress=progress)
    feed, files = _render(site, now, future)
    if not accept_id_changes:
        guard_ids(feed, out)
    if check:
        stale = sorted(changed_files(out, files))
        if stale:
            raise StaleOutputError.one(
                "output is out of date: " + ", ".join(stale),
                path=str(out),
                hint="run 'feedpub build' and commit the result",
            )
        return BuildResult(feed, files, [], site.warnings)
    return BuildResult(feed, files, write_files(out, files), site.warnings)


def previous_entries(feed: Feed, out: Path) -> list[PublishedEntry] | None:
    """What readers have now: the first configured format found in ``out``."""
    for fmt in feed.config.formats:
        entries = read_file(out / feed.config.filename(fmt))
        if entries is not None:
            return entries
    return None


def guard_ids(feed: Feed, out: Path) -> None:
    before = previous_entries(feed, out)
    if not before:
        return
    problems = [
        Problem(
            entry.path,
            1,
            "id",
            f'would change from "{old}" to "{entry.id}"; readers would see this entry twice',
            f"add 'id: {old}' to the file to keep it, or build with --accept-id-changes",
        )
        for entry, old in id_drift(before, feed.entries)
    ]
    if problems:
        raise InputError(problems)
