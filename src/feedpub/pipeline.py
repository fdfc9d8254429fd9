"""The pipeline: entry files -> checked entries -> documents -> output folder.

A build compiles each entry file on its own (in parallel when there are
many), plans the documents (main feed, archive pages), renders only the
documents whose inputs changed, and hands the bytes to the atomic writer.
The cache (cache.py) lets an unchanged entry skip compiling and an
unchanged document skip rendering; without it the result is byte-identical.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .buildstate import BuildState, intact
from .cache import BLOBS_NAME, Index, OutputRecord, save_body, save_head
from .cachefile import cache_dir_for
from .errors import InputError, Problem, StaleOutputError
from .fragments import Spans, StaleFragment
from .layout import OUTPUT_DIR
from .model import INDEX_FILENAME, Config, Feed
from .plan import Planned
from .records import decode_problem, encode_problem
from .slots import frozen
from .spill import SpillFolder
from .uptodate import Look

if TYPE_CHECKING:
    from .load import Progress
    from .writer import Source


T = TypeVar("T")


@frozen
class BuildResult:
    entry_count: int
    """Entries in the main document."""
    written: list[str]
    """Output files actually rewritten (their bytes changed)."""
    warnings: tuple[Problem, ...] = ()
    compiled: int = 0
    """Entry files compiled this run (the rest came from the cache)."""
    rendered: int = 0
    """Documents rendered this run (the rest were unchanged)."""


def render_site(
    root: Path, *, now: datetime | None = None, future: bool = False, jobs: int | None = None
) -> tuple[Feed, dict[str, bytes]]:
    """Build every document in memory, with no cache and no output folder.

    Returns the main document with its entries in full, and every file.
    """
    from .config import load_config

    with SpillFolder() as spill:
        state = BuildState(load_config(root), Index(""), spill)
        state.scan(root)
        state.collect(jobs)
        documents = state.plan(now or datetime.now(UTC), future)
        files = {
            state.config.page_path(fmt, doc.page): state.document(doc, fmt).to_bytes()
            for doc in documents
            for fmt in state.config.formats
        }
        if state.config.index:
            files[INDEX_FILENAME] = state.index_page(documents[0])
        main = documents[0]
        full = tuple(e for row in main.rows if (e := state.full(row)) is not None)
        state.store.close()
    return state.feed(main, full), files


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

    ``now`` only decides which entries are already published (future-dated
    ones wait); it never appears in the output. With ``check`` nothing is
    written and StaleOutputError is raised when the output is out of date.
    Unless ``accept_id_changes``, an entry that readers already have under
    another id (same link) stops the build: they would see it twice.
    ``progress`` is called once per entry file (read or taken from the cache).
    """
    out = out_dir if out_dir is not None else root / OUTPUT_DIR
    now = now or datetime.now(UTC)
    look = Look.take(str(root), str(out), use_cache)
    if look.nothing_to_do(str(out), future, int(now.timestamp() * 1e9)):
        # The no-op rebuild ends here, before loading YAML, lxml or the body.
        assert look.head is not None
        warnings = tuple(decode_problem(p) for p in look.head.warnings)
        return BuildResult(look.head.entry_count, [], warnings)
    cache_dir = Path(cache_dir_for(out))
    index = Index.from_head(look.key, look.head, cache_dir)
    state = BuildState(None, index, SpillFolder())
    if look.scan is not None:
        state.use_scan(root, look.scan)
    from .config import load_config

    state.configure(load_config(root))
    index.load_body()
    _adopt_templates(state.config, index.templates)
    if index.blobs_fd is not None:
        state.store.adopt(BLOBS_NAME, index.blobs_fd)
    with state.spill:
        try:
            return _build(
                state, root, out, cache_dir, now, future, check, accept_id_changes, jobs, use_cache,
                progress,
            )  # fmt: skip
        finally:
            state.store.close()


def _build(
    state: BuildState,
    root: Path,
    out: Path,
    cache_dir: Path,
    now: datetime,
    future: bool,
    check: bool,
    accept_id_changes: bool,
    jobs: int | None,
    use_cache: bool,
    progress: Progress | None,
) -> BuildResult:
    from .writer import stale_files, write_files

    index, config = state.index, state.config
    if not state.scanned:
        state.scan(root)
    state.collect(jobs, progress)
    if not accept_id_changes:
        _guard_ids(state, out)
    documents = state.plan(now, future)
    state.reuse_outputs(out)
    changed, outputs, spans = _render(state, documents, out)
    count = len(documents[0].rows)
    leftovers = _leftovers(out, index, outputs, config)

    def retrying(action: Callable[[], T]) -> T:
        """A previous output file edited since the last build (a fragment fails its
        hash when read for writing): take nothing more from it, render again."""
        nonlocal changed, outputs, spans
        while True:
            try:
                return action()
            except StaleFragment as exc:
                if not state.store.distrust(exc.path):
                    raise
                changed, outputs, spans = _render(state, documents, out)

    if check:
        stale = retrying(lambda: stale_files(out, changed)) + leftovers
        if stale:
            raise StaleOutputError.one(
                "output is out of date: " + ", ".join(stale),
                path=str(out),
                hint="run 'feedpub build' and commit the result",
            )
        return BuildResult(count, [], state.warnings, state.compiled, len(changed))
    saved = False

    def meanwhile() -> None:
        """While the files are written (some maybe by a child process): save the cache body."""
        nonlocal saved
        if use_cache:
            index.spans = spans
            index.templates = _learnt_templates(state.config)
            saved = save_body(cache_dir, index, state.table, state.store.read, state.started_ns)

    written = retrying(lambda: write_files(out, changed, leftovers, meanwhile=meanwhile))
    state.store.release()  # every document is written: let the positions go
    state.spill.empty()
    if saved:
        for name in outputs:
            if name not in changed:
                continue
            stat = (out / name).stat()
            outputs[name].size, outputs[name].mtime_ns = stat.st_size, stat.st_mtime_ns
        head = index.head
        table = state.table
        head.set_files(table.names, table.stats, table.files)
        index.outputs = outputs
        head.future, head.entry_count = future, count
        head.next_due_ns = state.next_due(now, future)
        head.warnings = tuple(encode_problem(p) for p in state.warnings)
        save_head(cache_dir, index, state.started_ns)
    return BuildResult(count, written, state.warnings, state.compiled, len(changed))


def _adopt_templates(config: Config, stored: dict[str, Any]) -> None:
    """Start from the templates earlier builds learnt: a new entry of a known shape,
    and a document frame of a known kind, then need neither lxml nor feedgen."""
    from . import frames
    from .render import _template

    try:
        _template.adopt(config, stored.get("entries", {}))
        frames.adopt(config, stored.get("frames", {}))
    except Exception:  # not what this feedpub writes: learn them again
        return


def _learnt_templates(config: Config) -> dict[str, Any]:
    from . import frames
    from .render import _template

    return {"entries": _template.export(config), "frames": frames.export(config)}


def _render(
    state: BuildState, documents: list[Planned], out: Path
) -> tuple[dict[str, Source], dict[str, OutputRecord], dict[str, Spans]]:
    """The documents whose inputs changed (ready to stream), and every file's record."""
    index, config = state.index, state.config
    folder = str(out)
    changed: dict[str, Source] = {}
    outputs: dict[str, OutputRecord] = {}
    spans: dict[str, Spans] = {}
    for doc in documents:
        for fmt in config.formats:
            name = config.page_path(fmt, doc.page)
            signature = state.signature(doc, fmt)
            previous = index.outputs.get(name)
            if (
                previous
                and previous.signature == signature
                and intact(os.path.join(folder, name), previous)
            ):
                outputs[name], spans[name] = previous, index.spans.get(name, Spans())
                continue
            document = state.document(doc, fmt)
            changed[name], spans[name] = document, document.spans()
            outputs[name] = OutputRecord(0, 0, signature)
    if config.index:
        # Small and cheap: rebuilt whenever anything else is (the writer skips equal bytes).
        changed[INDEX_FILENAME] = state.index_page(documents[0])
        outputs[INDEX_FILENAME] = OutputRecord(0, 0, "")
    return changed, outputs, spans


def _leftovers(
    out: Path, index: Index, outputs: dict[str, OutputRecord], config: Config
) -> list[str]:
    """Files an earlier build wrote that this one does not: old archive pages."""
    names = {name for name in index.outputs if name not in outputs}
    for fmt in config.formats:
        folder = out / "archive" / fmt
        if folder.is_dir():
            names.update(f"archive/{fmt}/{p.name}" for p in folder.iterdir() if p.stem.isdigit())
    return sorted(name for name in names if name not in outputs and (out / name).exists())


def _guard_ids(state: BuildState, out: Path) -> None:
    """Stop if an entry readers have (same link) would get a new id."""
    if not state.compiled:
        return  # ids come from files; unchanged files keep their ids
    # Only the links of entries compiled now can have moved to another id.
    before, entries = state.previous_ids, None
    if not state.index.head.files:
        for fmt in state.config.formats:
            published = out / state.config.filename(fmt)
            if not published.exists():
                continue  # nothing published yet: no need to load the feed reader
            from .feedread import published_links

            previous = published_links(published)
            if previous is not None:
                before, entries = previous, state.identities()
                break
    if not before:
        return
    problems = [
        Problem(
            path,
            1,
            "id",
            f'would change from "{old}" to "{entry_id}"; readers would see this entry twice',
            f"add 'id: {old}' to the file to keep it, or build with --accept-id-changes",
        )
        for path, entry_id, old in id_drift(
            before, entries or state.identities(before), state.ids()
        )
    ]
    if problems:
        raise InputError(problems)


def id_drift(
    old_by_link: dict[str, str], entries: list[tuple[str, str, str]], current_ids: set[str]
) -> list[tuple[str, str, str]]:
    """Of (path, id, link) entries, those whose link was published before under
    another id that no entry has now: (path, id, old id)."""
    drift: list[tuple[str, str, str]] = []
    for path, entry_id, link in entries:
        old_id = old_by_link.get(link) if link else None
        if old_id is not None and old_id != entry_id and old_id not in current_ids:
            drift.append((path, entry_id, old_id))
    return drift
