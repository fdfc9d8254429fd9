"""The pipeline: entry files -> checked entries -> documents -> output folder.

A build compiles each entry file on its own (in parallel when there are
many), plans the documents (main feed, archive pages), renders only the
documents whose inputs changed, and hands the bytes to the atomic writer.
The cache (cache.py) lets an unchanged entry skip compiling and an
unchanged document skip rendering; without it the result is byte-identical.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import CACHE_DIR, RACY_NS, Index, OutputRecord, cache_key, load_index, save_index
from .errors import InputError, Problem, StaleOutputError
from .fragments import Document, FragmentStore, document_frame
from .layout import CONFIG_NAME, ENTRIES_DIR, OUTPUT_DIR
from .model import INDEX_FILENAME, Config, Entry, Feed
from .records import (
    DRAFT,
    ID,
    LINK,
    EntryRecord,
    Identity,
    decode_problem,
    encode_problem,
    unpack_entry,
)

if TYPE_CHECKING:
    from .compile import Compiled
    from .load import Progress
    from .writer import Source

INDEX_ENTRIES = 100
"""index.html lists at most this many of the newest entries (the feeds have them all)."""


@dataclass(frozen=True, slots=True)
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

    with tempfile.TemporaryDirectory(prefix="feedpub-") as spill:
        state = _Collected(load_config(root), Index(""), Path(spill))
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
        state.store.close()
        main = documents[0]
        full = tuple(e for h in main.entries if (e := state.records[h.path].full()) is not None)
    return replace(main, entries=full), files


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
    cache_dir = out.parent / CACHE_DIR
    try:
        key = cache_key((root / CONFIG_NAME).read_bytes())
    except OSError:
        key = ""  # load_config below reports the missing config properly
    index = load_index(cache_dir, key) if use_cache and key else Index(key)
    state = _Collected(None, index, Path())
    if index.outputs:
        state.scan(root)
        if state.unchanged and _nothing_due(index, now, future, out):
            # The no-op rebuild ends here, before loading YAML, lxml or the body.
            warnings = tuple(decode_problem(p) for p in index.warnings)
            return BuildResult(index.entry_count, [], warnings)
    from .config import load_config

    state.configure(load_config(root))
    index.load_body()
    with tempfile.TemporaryDirectory(prefix="feedpub-") as spill:
        state.spill_dir = Path(spill)
        try:
            return _build(
                state, root, out, cache_dir, now, future, check, accept_id_changes, jobs, use_cache,
                progress,
            )  # fmt: skip
        finally:
            state.store.close()


def _build(
    state: _Collected,
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

    changed: dict[str, Source] = {}
    outputs: dict[str, OutputRecord] = {}
    spans: dict[str, dict[str, tuple[int, int]]] = {}
    for doc in documents:
        for fmt in config.formats:
            name = config.page_path(fmt, doc.page)
            signature = state.signature(doc, fmt)
            previous = index.outputs.get(name)
            if previous and previous.signature == signature and _intact(out / name, previous):
                outputs[name], spans[name] = previous, index.spans.get(name, {})
                continue
            document = state.document(doc, fmt)
            changed[name], spans[name] = document, document.spans()
            outputs[name] = OutputRecord(0, 0, signature)
    if config.index:
        # Small and cheap: rebuilt whenever anything else is (the writer skips equal bytes).
        changed[INDEX_FILENAME] = state.index_page(documents[0])
        outputs[INDEX_FILENAME] = OutputRecord(0, 0, "")
    count = len(documents[0].entries)
    leftovers = _leftovers(out, index, outputs, config)
    if check:
        stale = stale_files(out, changed) + leftovers
        if stale:
            raise StaleOutputError.one(
                "output is out of date: " + ", ".join(stale),
                path=str(out),
                hint="run 'feedpub build' and commit the result",
            )
        return BuildResult(count, [], state.warnings, state.compiled, len(changed))
    written = write_files(out, changed, leftovers)
    if use_cache:
        for name in outputs:
            if name not in changed:
                continue
            stat = (out / name).stat()
            outputs[name].size, outputs[name].mtime_ns = stat.st_size, stat.st_mtime_ns
        index.identities = {shown: r.identity for shown, r in state.records.items()}
        index.entries = {}  # the records are saved from state, chunk by chunk
        index.outputs, index.spans = outputs, spans
        index.future, index.entry_count = future, count
        index.next_due_ns = state.next_due(now, future)
        index.warnings = tuple(encode_problem(p) for p in state.warnings)
        save_index(cache_dir, index, ((s, r.stored()) for s, r in state.records.items()))
    return BuildResult(count, written, state.warnings, state.compiled, len(changed))


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


def _nothing_due(index: Index, now: datetime, future: bool, out: Path) -> bool:
    """The last build's output still stands: same flags, no entry came due, files intact."""
    if index.future != future:
        return False
    if index.next_due_ns is not None and now.timestamp() * 1e9 >= index.next_due_ns:
        return False
    return all(_intact(out / name, record) for name, record in index.outputs.items())


def _intact(path: Path, record: OutputRecord) -> bool:
    """The file is still the one we wrote (nobody edited or removed it)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns


def _content_digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


class _Collected:
    """Every entry of the site, compiled now or taken from the cache."""

    def __init__(self, config: Config | None, index: Index, spill_dir: Path) -> None:
        self._config = config
        self.index = index
        self.spill_dir = spill_dir
        self.records: dict[str, EntryRecord] = {}
        self.store = FragmentStore()
        self.previous_ids: dict[str, str] = {}
        """link -> id as the last build published them (for the id drift guard)."""
        self.compiled = 0
        self.warnings: tuple[Problem, ...] = ()
        self.unchanged = False
        self.scanned = False
        self._root = Path()
        self._order: list[str] = []
        self.reused: dict[str, Identity] = {}
        self._todo: list[tuple[str, str]] = []
        self._stats: dict[str, tuple[int, int, int]] = {}

    def configure(self, config: Config) -> None:
        self._config = config

    @property
    def config(self) -> Config:
        assert self._config is not None, "config is loaded before anything needs it"
        return self._config

    def scan(self, root: Path) -> None:
        """Find entry files and sort them into unchanged (cached) and to compile."""
        from .discover import scan_entries

        self._root = root
        trusted_before = self.index.written_ns - RACY_NS
        self._order, self.reused, self._todo, self._stats = [], {}, [], {}
        for relative, path, stat in scan_entries(root / ENTRIES_DIR):
            shown = f"{ENTRIES_DIR}/{relative}"
            self._order.append(shown)
            self._stats[shown] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            known = self.index.identities.get(shown)
            if known is not None:
                size, mtime_ns, ino, digest = known
                if (size, mtime_ns, ino) == (stat.st_size, stat.st_mtime_ns, stat.st_ino) and (
                    mtime_ns < trusted_before or _content_digest(Path(path)) == digest
                ):
                    self.reused[shown] = known
                    continue
            self._todo.append((path, shown))  # strings: 100,000 Paths cost 40 MB
        self.unchanged = not self._todo and len(self._order) == len(self.index.identities)
        self.scanned = True

    def collect(self, jobs: int | None, progress: Progress | None = None) -> None:
        """Decode cached entries, compile the others, and check them all together."""
        from .load import duplicate_ids
        from .workers import compile_many

        for shown in [s for s in self.reused if s not in self.index.entries]:
            del self.reused[shown]  # the body was lost: compile again
            self._todo.append((str(self._root / shown), shown))
        if progress is not None:
            for _ in self.reused:
                progress()
        stored = self.index.entries
        for compiled in compile_many(self._todo, self.config, self.spill_dir, jobs):
            self.records[compiled.path] = self._record(compiled)
            if progress is not None:
                progress()
        self.records = {
            shown: self.records.get(shown) or EntryRecord.from_stored(stored.pop(shown))
            for shown in self._order
        }
        if self._todo:
            # What readers have now, link -> id, for the id drift guard: unchanged
            # entries keep theirs; changed or removed files had the stored ones.
            for raw in stored.values():
                entry = unpack_entry(raw[2]) if raw[2] is not None else None
                if entry is not None and entry[LINK] and not entry[DRAFT]:
                    self.previous_ids[entry[LINK]] = entry[ID]
            for shown in self.reused:
                header = self.records[shown].header()
                if header is not None and header.link and not header.draft:
                    self.previous_ids.setdefault(header.link, header.id)
        self.compiled = len(self._todo)
        self._todo = []
        problems = [p for r in self.records.values() for p in r.warnings()]
        problems.extend(duplicate_ids(self.entries()))
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise InputError(errors)
        self.warnings = tuple(problems)

    def entries(self) -> list[Entry]:
        """Every checked entry's header (enough to plan; no text or media)."""
        return [e for r in self.records.values() if (e := r.header()) is not None]

    def plan(self, now: datetime, future: bool) -> list[Feed]:
        from .plan import plan, published

        return plan(self.config, published(self.entries(), now, future=future))

    def next_due(self, now: datetime, future: bool) -> int | None:
        """When the next future-dated entry must be published (for the no-op check)."""
        if future:
            return None
        due = [e.date for e in self.entries() if not e.draft and e.date > now]
        return int(min(due).timestamp() * 1e9) if due else None

    def _record(self, compiled: Compiled) -> EntryRecord:
        """Keep a compiled entry; its identity is the stat taken when it was found.

        If the file changed after that, the next build sees a different stat
        and compiles it again, so an early stat is the safe one.
        """
        for digest, data in zip(compiled.digests, compiled.fragments, strict=False):
            self.store.put(digest, data)
        for digest, (spill, offset, length) in zip(
            compiled.digests, compiled.spilled, strict=False
        ):
            self.store.locate(digest, sys.intern(spill), offset, length, verify=False)
        size, mtime_ns, ino = self._stats.get(compiled.path, (-1, -1, -1))
        identity = (size, mtime_ns, ino, compiled.digest)
        return EntryRecord(
            identity, compiled.path, compiled.entry, compiled.problems, compiled.digests
        )

    def reuse_outputs(self, out: Path) -> None:
        """Let fragments be cut from the previous build's files (checked on read)."""
        for name, record in self.index.outputs.items():
            spans = self.index.spans.get(name)
            if spans and _intact(out / name, record):
                path = str(out / name)
                for digest, (offset, length) in spans.items():
                    self.store.locate(digest, path, offset, length, verify=True)

    def signature(self, doc: Feed, fmt: str) -> str:
        """Everything a document's bytes depend on, hashed."""
        position = self.config.formats.index(fmt)
        h = hashlib.blake2b(digest_size=16)
        # An archive page's links depend only on whether a newer page exists.
        pages = doc.pages if doc.page == 0 else int(doc.page < doc.pages)
        h.update(f"{fmt}\x00{doc.page}\x00{pages}\x00{doc.updated.isoformat()}".encode())
        for entry in doc.entries:
            h.update(self.records[entry.path].digests[position].encode())
        return h.hexdigest()

    def document(self, doc: Feed, fmt: str) -> Document:
        """The document, streamed from fragments wherever they are."""
        position = self.config.formats.index(fmt)
        digests = []
        for entry in doc.entries:
            digest = self.records[entry.path].digests[position]
            if not self.store.available(digest):
                self._recompile(entry.path)
            digests.append(digest)
        head, separator, tail, empty = document_frame(doc, fmt)
        return Document(head, separator, tail, empty, digests, self.store)

    def index_page(self, main: Feed) -> bytes:
        """index.html lists the newest entries of the main feed, in full."""
        from .render.html import render_index

        shown = main.entries[:INDEX_ENTRIES]
        full = tuple(e for entry in shown if (e := self.records[entry.path].full()) is not None)
        return render_index(replace(main, entries=full))

    def _recompile(self, shown: str) -> None:
        """A fragment is nowhere (e.g. the entry was never in a feed): render it again."""
        from .compile import compile_file

        compiled = compile_file(self._root / shown, shown, self.config)
        for digest in compiled.digests:
            self.store.forget(digest)
        self.records[shown] = self._record(compiled)
        self.reused.pop(shown, None)


def _guard_ids(state: _Collected, out: Path) -> None:
    """Stop if an entry readers have (same link) would get a new id."""
    from .diff import id_drift

    if not state.compiled:
        return  # ids come from files; unchanged files keep their ids
    before = state.previous_ids
    if not state.index.identities:
        from .feedread import read_file

        for fmt in state.config.formats:
            previous = read_file(out / state.config.filename(fmt))
            if previous is not None:
                before = {e.link: e.id for e in previous if e.link}
                break
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
        for entry, old in id_drift(before, tuple(state.entries()))
    ]
    if problems:
        raise InputError(problems)
