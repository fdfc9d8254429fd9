"""The pipeline: entry files -> checked entries -> documents -> output folder.

A build compiles each entry file on its own (in parallel when there are
many), plans the documents (main feed, archive pages), renders only the
documents whose inputs changed, and hands the bytes to the atomic writer.
The cache (cache.py) lets an unchanged entry skip compiling and an
unchanged document skip rendering; without it the result is byte-identical.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .cache import (
    CACHE_DIR,
    RACY_NS,
    EntryRecord,
    Identity,
    Index,
    OutputRecord,
    cache_key,
    decode,
    encode,
    load_index,
    problem_tuple,
    save_index,
)
from .errors import InputError, Problem, StaleOutputError
from .layout import CONFIG_NAME, ENTRIES_DIR, OUTPUT_DIR
from .model import Compiled, Config, Entry, Feed


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
    """Build every document in memory, with no cache and no output folder."""
    from .config import load_config

    state = _Collected(load_config(root), Index(""))
    state.scan(root)
    state.collect(jobs)
    documents = state.plan(now or datetime.now(UTC), future)
    files = {
        state.config.page_path(fmt, doc.page): state.render(doc, fmt)[0]
        for doc in documents
        for fmt in state.config.formats
    }
    return documents[0], files


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
) -> BuildResult:
    """Build the feeds of the site in ``root`` into ``out_dir`` (default root/output).

    ``now`` only decides which entries are already published (future-dated
    ones wait); it never appears in the output. With ``check`` nothing is
    written and StaleOutputError is raised when the output is out of date.
    Unless ``accept_id_changes``, an entry that readers already have under
    another id (same link) stops the build: they would see it twice.
    """
    out = out_dir if out_dir is not None else root / OUTPUT_DIR
    now = now or datetime.now(UTC)
    cache_dir = out.parent / CACHE_DIR
    try:
        key = cache_key((root / CONFIG_NAME).read_bytes())
    except OSError:
        key = ""  # load_config below reports the missing config properly
    index = load_index(cache_dir, key) if use_cache and key else Index(key)
    if index.outputs:
        state = _Collected(None, index)
        state.scan(root)
        if state.unchanged and _nothing_due(index, now, future, out):
            # The no-op rebuild ends here, before loading YAML, lxml or the body.
            warnings = tuple(Problem(*p) for p in index.warnings)
            return BuildResult(index.entry_count, [], warnings)
    from .config import load_config

    state = _Collected(load_config(root), index)
    index.load_body()
    state.scan(root)
    state.collect(jobs)
    if not accept_id_changes:
        _guard_ids(state, out)
    documents = state.plan(now, future)

    changed: dict[str, bytes] = {}
    outputs: dict[str, OutputRecord] = {}
    spans: dict[str, dict[str, tuple[int, int]]] = {}
    for doc in documents:
        for fmt in state.config.formats:
            name = state.config.page_path(fmt, doc.page)
            signature = state.signature(doc, fmt)
            previous = index.outputs.get(name)
            if previous and previous.signature == signature and _intact(out / name, previous):
                outputs[name], spans[name] = previous, index.spans.get(name, {})
                continue
            changed[name], spans[name] = state.render(doc, fmt, out)
            outputs[name] = OutputRecord(0, 0, signature)
    count = len(documents[0].entries)
    if check:
        stale = sorted(_changed_files(out, changed))
        if stale:
            raise StaleOutputError.one(
                "output is out of date: " + ", ".join(stale),
                path=str(out),
                hint="run 'feedpub build' and commit the result",
            )
        return BuildResult(count, [], state.warnings, state.compiled, len(changed))
    from .writer import write_files

    written = write_files(out, changed)
    if use_cache:
        for name in changed:
            stat = (out / name).stat()
            outputs[name].size, outputs[name].mtime_ns = stat.st_size, stat.st_mtime_ns
        index.identities = {shown: r.identity for shown, r in state.records.items()}
        index.entries = state.stored()
        index.outputs, index.spans = outputs, spans
        index.future, index.entry_count = future, count
        index.next_due_ns = state.next_due(now, future)
        index.warnings = tuple(problem_tuple(p) for p in state.warnings)
        save_index(cache_dir, index)
    return BuildResult(count, written, state.warnings, state.compiled, len(changed))


def _changed_files(out: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    from .writer import changed_files

    return changed_files(out, files)


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

    def __init__(self, config: Config | None, index: Index) -> None:
        self._config = config
        self.index = index
        self.records: dict[str, EntryRecord] = {}
        self.fresh: dict[str, bytes] = {}
        """Fragments rendered this run, by digest."""
        self.compiled = 0
        self.warnings: tuple[Problem, ...] = ()
        self.unchanged = False
        self._root = Path()
        self._order: list[str] = []
        self._reused: dict[str, Identity] = {}
        self._todo: list[tuple[Path, str]] = []
        self._old_outputs: dict[str, bytes] = {}

    @property
    def config(self) -> Config:
        assert self._config is not None, "config is loaded before anything needs it"
        return self._config

    def scan(self, root: Path) -> None:
        """Find entry files and sort them into unchanged (cached) and to compile."""
        from .discover import scan_entries

        self._root = root
        trusted_before = self.index.written_ns - RACY_NS
        self._order, self._reused, self._todo = [], {}, []
        for relative, path, stat in scan_entries(root / ENTRIES_DIR):
            shown = f"{ENTRIES_DIR}/{relative}"
            self._order.append(shown)
            known = self.index.identities.get(shown)
            if known is not None:
                size, mtime_ns, ino, digest = known
                if (size, mtime_ns, ino) == (stat.st_size, stat.st_mtime_ns, stat.st_ino) and (
                    mtime_ns < trusted_before or _content_digest(Path(path)) == digest
                ):
                    self._reused[shown] = known
                    continue
            self._todo.append((Path(path), shown))
        self.unchanged = not self._todo and len(self._order) == len(self.index.identities)

    def collect(self, jobs: int | None) -> None:
        """Decode cached entries, compile the others, and check them all together."""
        from .load import duplicate_ids
        from .workers import compile_many

        for shown in [s for s in self._reused if s not in self.index.entries]:
            del self._reused[shown]  # the body was lost: compile again
            self._todo.append((self._root / shown, shown))
        compiled = compile_many(self._todo, self.config, jobs)
        fresh = {shown: c for (_, shown), c in zip(self._todo, compiled, strict=True)}
        for shown in self._order:
            if shown in fresh:
                self.records[shown] = self._record(fresh[shown], self._root / shown)
            else:
                self.records[shown] = decode(self.index.entries[shown])
        self.compiled = len(self._todo)
        problems = [p for r in self.records.values() for p in r.compiled.problems]
        problems.extend(duplicate_ids(self.entries()))
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise InputError(errors)
        self.warnings = tuple(problems)

    def entries(self) -> list[Entry]:
        return [r.compiled.entry for r in self.records.values() if r.compiled.entry]

    def plan(self, now: datetime, future: bool) -> list[Feed]:
        from .plan import plan, published

        return plan(self.config, published(self.entries(), now, future=future))

    def next_due(self, now: datetime, future: bool) -> int | None:
        """When the next future-dated entry must be published (for the no-op check)."""
        if future:
            return None
        due = [e.date for e in self.entries() if not e.draft and e.date > now]
        return int(min(due).timestamp() * 1e9) if due else None

    def stored(self) -> dict[str, tuple[Any, ...]]:
        """Records in stored form, re-encoding only the ones compiled this run."""
        return {
            shown: self.index.entries[shown] if shown in self._reused else encode(record)
            for shown, record in self.records.items()
        }

    def _record(self, compiled: Compiled, path: Path) -> EntryRecord:
        from .compile import fragment_digest

        digests = tuple(fragment_digest(f) for f in compiled.fragments)
        self.fresh.update(zip(digests, compiled.fragments, strict=True))
        slim = Compiled(compiled.path, compiled.digest, compiled.entry, (), compiled.problems)
        try:
            stat = path.stat()
            identity = (stat.st_size, stat.st_mtime_ns, stat.st_ino, compiled.digest)
        except OSError:
            identity = (-1, -1, -1, compiled.digest)
        return EntryRecord(identity, slim, digests)

    def signature(self, doc: Feed, fmt: str) -> str:
        """Everything a document's bytes depend on, hashed."""
        position = self.config.formats.index(fmt)
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{fmt}\x00{doc.page}\x00{doc.pages}\x00{doc.updated.isoformat()}".encode())
        for entry in doc.entries:
            h.update(self.records[entry.path].fragment_digests[position].encode())
        return h.hexdigest()

    def render(
        self, doc: Feed, fmt: str, out: Path | None = None
    ) -> tuple[bytes, dict[str, tuple[int, int]]]:
        """The document's bytes and where each entry fragment sits in them."""
        from .render import renderer

        position = self.config.formats.index(fmt)
        digests = [self.records[e.path].fragment_digests[position] for e in doc.entries]
        fragments = [self._fragment(e, d, out) for e, d in zip(doc.entries, digests, strict=True)]
        data = renderer(fmt).document(doc, fragments)
        spans: dict[str, tuple[int, int]] = {}
        at = 0
        for digest, fragment in zip(digests, fragments, strict=True):
            at = data.index(fragment, at)
            spans[digest] = (at, len(fragment))
            at += len(fragment)
        return data, spans

    def _fragment(self, entry: Entry, digest: str, out: Path | None) -> bytes:
        """A fragment rendered this run, else cut from the previous output, else recompiled."""
        from .compile import compile_file, fragment_digest

        found = self.fresh.get(digest)
        if found is not None:
            return found
        if out is not None:
            for name, record in self.index.outputs.items():
                span = self.index.spans.get(name, {}).get(digest)
                if span is not None and _intact(out / name, record):
                    data = self._old_output(out / name)
                    piece = data[span[0] : span[0] + span[1]]
                    if fragment_digest(piece) == digest:
                        return piece
        shown = entry.path
        compiled = compile_file(self._root / shown, shown, self.config)
        self.records[shown] = self._record(compiled, self._root / shown)
        self._reused.pop(shown, None)
        return self.fresh[digest]

    def _old_output(self, path: Path) -> bytes:
        key = str(path)
        if key not in self._old_outputs:
            self._old_outputs[key] = path.read_bytes()
        return self._old_outputs[key]


def _guard_ids(state: _Collected, out: Path) -> None:
    """Stop if an entry readers have (same link) would get a new id."""
    from .diff import id_drift

    if not state.compiled:
        return  # ids come from files; unchanged files keep their ids
    before: dict[str, str] = {}
    if state.index.entries:
        for raw in state.index.entries.values():
            stored = raw[2]  # the entry tuple of cache.encode: id, link, draft at 2, 6, 13
            if stored is not None and stored[6] and not stored[13]:
                before[stored[6]] = stored[2]
    else:
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
