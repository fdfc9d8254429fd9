"""The build: entry files -> checked entries -> planned documents -> output folder.

Each file is compiled on its own (in parallel when there are many) unless
the cache knows it; documents are rendered only when what they are built
from changed; the writer replaces only files whose bytes changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError, Problem, StaleOutputError
from ..model import CONFIG_NAME, OUTPUT_DIR, Config, Entry, Feed
from ..read.scan import FileStat, scan
from .cache import Cache, Identity, cache_dir_for, cache_key, dump_problems, load_problems
from .outputs import Planned, plan_outputs
from .writer import differs, stray_files, write_files

BATCH = 64
"""Compiled files written to the cache in one statement."""
Progress = Callable[[], None]
"""Called once per entry file compiled, so a front end can draw a progress bar."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    entry_count: int
    """Entries in the main document."""
    written: list[str]
    """Output files rewritten (their bytes changed) or removed."""
    warnings: tuple[Problem, ...] = ()
    compiled: int = 0
    """Entry files compiled this run (the rest came from the cache)."""
    rendered: int = 0
    """Documents rendered this run (the rest were unchanged)."""
    files: list[str] = field(default_factory=list)
    """Every file the build is responsible for in the output folder."""
    notice: str | None = None
    """Something worth one line (the cache was damaged and rebuilt)."""


def build(
    root: Path,
    out_dir: Path | None = None,
    *,
    now: datetime | None = None,
    future: bool = False,
    check: bool = False,
    accept_id_changes: bool = False,
    jobs: int | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the feeds of the site in ``root`` into ``out_dir`` (default root/output).

    ``now`` only decides which entries are already published; it never shows
    in the output. With ``check`` nothing is written and StaleOutputError says
    what is out of date.
    """
    out = out_dir if out_dir is not None else root / OUTPUT_DIR
    now = now or datetime.now(UTC)
    key = cache_key(_config_bytes(root))
    cache = Cache(cache_dir_for(out) if use_cache else None, key)
    try:
        stamp = cache.stamp()
        files = scan(root)
        if _nothing_to_do(cache, files, out, now, future):
            if cache.changed:
                cache.commit()
            warnings = load_problems(cache.get_meta("warnings", "[]"))
            return BuildResult(int(cache.get_meta("count", "0")), [], warnings, notice=cache.notice)
        from ..read.config import load_config

        config = load_config(root)
        compiled, warnings = _refresh(cache, root, out, files, config, stamp, jobs, progress,
                                      accept_id_changes)  # fmt: skip
        planned = plan_outputs(cache, config, now, future, out)
        if check:
            _check(out, planned)
            return BuildResult(planned.count, [], warnings, compiled, len(planned.sources))
        written = write_files(out, planned.sources, planned.leftovers)
        cache.record_outputs(out, planned.signatures, written.digests)
        cache.set_meta("ok", "1")
        cache.set_meta("count", str(planned.count))
        cache.set_meta("future", str(future))
        cache.set_meta("due", str(planned.next_due or ""))
        cache.set_meta("warnings", dump_problems(warnings))
        cache.commit()
        return BuildResult(
            planned.count, written.changed + planned.leftovers, warnings, compiled,
            len(planned.sources), sorted(planned.signatures), cache.notice,
        )  # fmt: skip
    finally:
        cache.close()


def render_site(
    root: Path, *, now: datetime | None = None, future: bool = False, jobs: int | None = None
) -> tuple[Feed, dict[str, bytes]]:
    """Every output file in memory, with no cache and no output folder.

    The returned main feed's entries carry no ``content_html`` (it lives in
    the documents' bytes).
    """
    now = now or datetime.now(UTC)
    from ..read.config import load_config

    config = load_config(root)
    cache = Cache(None, "")
    try:
        files = scan(root)
        _refresh(cache, root, root / OUTPUT_DIR, files, config, cache.stamp(), jobs, None, True)
        planned = plan_outputs(cache, config, now, future, None)
        outputs = {
            name: source if isinstance(source, bytes) else b"".join(source())
            for name, source in planned.sources.items()
        }
        entries = tuple(Entry.from_json(data) for _, data in cache.entries_json(planned.main_keys))
        return Feed(config, entries, planned.main_updated), outputs
    finally:
        cache.close()


def _config_bytes(root: Path) -> bytes:
    try:
        return (root / CONFIG_NAME).read_bytes()
    except OSError:
        from ..read.config import load_config

        load_config(root)  # raises the error that explains what is missing
        raise


def _nothing_to_do(
    cache: Cache, files: list[FileStat], out: Path, now: datetime, future: bool
) -> bool:
    """The cache saw exactly these files, the outputs are as it left them, and no
    scheduled entry fell due: answered without loading YAML, Markdown or XML."""
    if cache.cold or cache.get_meta("ok") != "1" or cache.get_meta("future") != str(future):
        return False
    due = cache.get_meta("due")
    if due and int(due) <= int(now.timestamp() * 1_000_000):
        return False
    # Both lists are sorted by name: compared pairwise, with no object per file.
    known = cache.stats()
    if len(known) != len(files):
        return False
    for file, (shown, size, mtime_ns, ctime_ns, ino, checked_ns) in zip(files, known, strict=True):
        if (
            file.shown != shown
            or file.identity != (size, mtime_ns, ctime_ns, ino)
            or file.mtime_ns >= checked_ns
        ):
            return False
    return cache.outputs_intact(out) and not stray_files(out)


def _refresh(
    cache: Cache,
    root: Path,
    out: Path,
    files: list[FileStat],
    config: Config,
    stamp: int,
    jobs: int | None,
    progress: Progress | None,
    accept_id_changes: bool,
) -> tuple[int, tuple[Problem, ...]]:
    """Bring the cache's entries up to date with the files; raise on errors.

    Returns how many files were compiled and every warning.
    """
    from .idguard import check_ids, published_ids_by_link
    from .parallel import compile_files, file_digests

    rows = dict(cache.files())
    todo: list[tuple[str, str]] = []
    suspects: list[tuple[FileStat, str]] = []  # touched, copied or too recent to trust
    for file in files:
        row = rows.pop(file.shown, None)
        if row is None or row.identity[0] != file.size:  # new, or other bytes for sure
            todo.append((file.path, file.shown))
        elif not row.trusted(file):
            suspects.append((file, row.digest))
    same: list[tuple[str, Identity]] = []
    digests = file_digests([file.path for file, _ in suspects])
    for (file, digest), now in zip(suspects, digests, strict=True):
        if now == digest:  # the same bytes: record the new stat
            same.append((file.shown, file.identity))
        else:
            todo.append((file.path, file.shown))
    todo.sort(key=lambda pair: pair[1])
    cache.set_identities(same, stamp)
    # The links of the files about to change or go, and their ids: what readers have.
    touched = [shown for _, shown in todo] + list(rows)
    before = published_ids_by_link(out, config) if cache.cold else cache.ids_by_link(touched)
    for gone in rows:
        cache.remove(gone)
    identity = {file.shown: file.identity for file in files}
    changed: list[tuple[str, str, str | None]] = []
    fresh, batch = cache.cold, []
    for compiled in compile_files(todo, config, jobs, progress):
        batch.append(compiled)
        if compiled.record is not None:
            changed.append((compiled.shown, compiled.record.id, compiled.record.link))
        if len(batch) == BATCH:
            cache.put(batch, identity, stamp, fresh=fresh)
            batch = []
    cache.put(batch, identity, stamp, fresh=fresh)
    problems = cache.problems() + _duplicate_ids(cache, root)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    if changed and not accept_id_changes:
        check_ids(before, changed, cache.has_id)
    return len(todo), tuple(problems)


def _duplicate_ids(cache: Cache, root: Path) -> list[Problem]:
    from ..read.site import duplicate_ids

    return duplicate_ids(cache.shared_ids(), root)


def _check(out: Path, planned: Planned) -> None:
    stale = [name for name, source in planned.sources.items() if differs(out / name, source)]
    stale += planned.leftovers + stray_files(out)
    if stale:
        raise StaleOutputError.one(
            "output is out of date: " + ", ".join(sorted(stale)),
            path=str(out),
            hint="run 'feedpub build' and commit the result",
        )
