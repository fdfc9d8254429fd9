"""Everything one build knows about a site's entries, cached or compiled now.

``BuildState`` decides which entry files can be taken from the cache and
which must be compiled, merges them into one table of columns (table.py),
plans the documents, and hands each document to the writer as a stream of
fragments found in memory, in worker spill files or in the previous
output files. Whole entries are decoded only for the few that need them.
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left
from collections.abc import Collection, Container
from datetime import datetime
from functools import partial
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BLOBS_NAME, Index, OutputRecord
from .cachefile import RACY_NS, blake2b
from .errors import InputError, Problem
from .fragments import Document, FragmentStore
from .frames import document_frame
from .model import Config, Entry, Feed
from .plan import Planned, modified_text, plan, published, updated_of
from .records import decode_entry, decode_problem, microseconds, unpack_entry
from .table import NO_BLOB, Row, Table, blob_sum

if TYPE_CHECKING:
    from .compile import Compiled
    from .discover import Scan
    from .load import Progress
    from .spill import SpillFolder
    from .workers import Compiling

INDEX_ENTRIES = 100
"""index.html lists at most this many of the newest entries (the feeds have them all)."""


def intact(path: str, record: OutputRecord) -> bool:
    """The file is still the one we wrote (nobody edited or removed it)."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns


class BuildState:
    """Every entry of the site, compiled now or taken from the cache."""

    def __init__(self, config: Config | None, index: Index, spill: SpillFolder) -> None:
        self._config = config
        self.index = index
        self.spill = spill
        self.table = Table()
        self.store = FragmentStore()
        self.previous_ids: dict[str, str] = {}
        """link -> id as the last build published them (for the id drift guard)."""
        self.compiled = 0
        self.warnings: tuple[Problem, ...] = ()
        self.scanned = False
        self._root = Path()
        self._order: list[str] = []
        self._found = array("q")
        self._todo: list[tuple[str, str]] = []
        self._scan: Scan | None = None
        self.started_ns = 0

    def configure(self, config: Config) -> None:
        self._config = config

    @property
    def config(self) -> Config:
        assert self._config is not None, "config is loaded before anything needs it"
        return self._config

    def scan(self, root: Path) -> None:
        """Find entry files and sort them into unchanged (cached) and to compile."""
        from .discover import Scan

        head = self.index.head
        # Early: when files were added (every file, in a cold build), a forked child
        # stats them while collect loads the compilers (about 80 ms of imports).
        self.use_scan(root, Scan(root, head, head.written_ns - RACY_NS, early=True))

    def use_scan(self, root: Path, scan: Scan) -> None:
        """Adopt a scan; one still running in a child is waited for only by collect."""
        self._root = root
        self._scan = scan
        self.started_ns = scan.started_ns
        self.scanned = True

    def collect(self, jobs: int | None, progress: Progress | None = None) -> None:
        """Take unchanged entries from the cache, compile the others, check them together."""
        scan, self._scan = self._scan, None
        old = self.index.table
        early: Compiling | None = None
        if scan is not None:
            if scan.pending:  # files were added or removed: there is compiling to do
                from .compile import import_compilers

                # With no templates learnt (a cold build), feedgen renders.
                import_compilers(feedgen=not len(old))
                expected = [] if len(old) else scan.expected_files()
                if expected:  # every file is compiled: start on them now
                    early = self._start_compiling(expected, jobs)
            self._order, self._todo, self._found = scan.order, scan.todo, scan.found
        todo = self._todo
        if not len(old) and len(todo) < len(self._order):
            # No usable cache body (missing, damaged, from another build): compile all.
            todo = [(str(self._root / shown), shown) for shown in self._order]
        if progress is not None:
            for _ in range(len(self._order) - len(todo)):
                progress()
        if early is not None and [shown for _, shown in early.items] != self._order[::-1]:
            early.close()  # the look found other files than listed: start again
            early = None
        rows = self._compile(todo, jobs, progress, early)
        try:
            table = old.merged(self._order, rows, len(self.config.formats))
        except KeyError:  # never expected: head and body disagree; trust neither
            rest = [(str(self._root / s), s) for s in self._order if s not in rows]
            rows.update(self._compile(rest, jobs, None))
            todo += rest
            table = Table().merged(self._order, rows, len(self.config.formats))
        if rows:
            self.previous_ids = _published_ids(old, table, rows)
        self.index.table = Table()  # the merged table has all it needs
        self.table = table
        self.compiled = len(todo)
        self._todo = []
        problems = [
            decode_problem(p)
            for name in sorted(table.problems)  # names sort as the rows do
            for p in table.problems[name]
        ]
        problems.extend(_duplicate_ids(table, self._root, rows if len(old) else ()))
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise InputError(errors)
        self.warnings = tuple(problems)

    def _start_compiling(self, todo: list[tuple[str, str]], jobs: int | None) -> Compiling:
        from .workers import Compiling

        # Newest name first: entry files are usually named by date, and documents
        # list entries newest first, so their fragments then lie in the workers'
        # spill files in the order documents are written, and are copied in runs.
        return Compiling(todo[::-1], self.config, self.spill.path, jobs)

    def _compile(
        self,
        todo: list[tuple[str, str]],
        jobs: int | None,
        progress: Progress | None,
        started: Compiling | None = None,
    ) -> dict[str, Row]:
        """Compile ``todo`` (unless ``started`` already compiles it)."""
        order = self._order
        rows: dict[str, Row] = {}
        with started or self._start_compiling(todo, jobs) as results:
            for compiled in results:
                rows[compiled.path] = self._row(compiled, bisect_left(order, compiled.path))
                if progress is not None:
                    progress()
        return rows

    def plan(self, now: datetime, future: bool) -> list[Planned]:
        return plan(self.config, self.table, published(self.table, now, future=future))

    def next_due(self, now: datetime, future: bool) -> int | None:
        """When the next future-dated entry must be published (for the no-op check)."""
        if future:
            return None
        table, now_us = self.table, microseconds(now)
        dates = table.date_us
        due = [
            row
            for row in compress(range(len(table)), table.ok)
            if not table.drafts[row] and dates[row] > now_us
        ]
        if not due:
            return None
        first = min(due, key=dates.__getitem__)
        return int(datetime.fromisoformat(table.dates[first]).timestamp() * 1e9)

    def _row(self, compiled: Compiled, position: int) -> Row:
        """Keep a compiled entry; its identity is the stat taken when it was found.

        If the file changed after that, the next build sees a different stat
        and compiles it again, so an early stat is the safe one.
        """
        for digest, data in zip(compiled.digests, compiled.fragments, strict=False):
            self.store.put(digest, data)
        for digest, (spill, offset, length) in zip(
            compiled.digests, compiled.spilled, strict=False
        ):
            # (The spill file's name is interned once per chunk by Compiling.)
            self.store.locate(digest, spill, offset, length, verify=False)
        size, mtime_ns, inode = self._found[3 * position : 3 * position + 3]
        identity = (size, mtime_ns, inode, compiled.digest)
        return Row(identity, compiled.entry, compiled.problems, compiled.digests, compiled.head)

    def identities(self, links: Container[str] | None = None) -> list[tuple[str, str, str]]:
        """(path, id, link) of every checked entry ("" where it has no link), or of
        those whose link is in ``links``."""
        table = self.table
        found = compress(zip(table.names, table.ids, table.links, strict=True), table.ok)
        if links is None:
            return list(found)
        return [entry for entry in found if entry[2] in links]

    def ids(self) -> set[str]:
        """The id of every checked entry."""
        return set(compress(self.table.ids, self.table.ok))

    def reuse_outputs(self, out: Path) -> None:
        """Let fragments be cut from the previous build's files (checked on read)."""
        folder = str(out)
        for name, record in self.index.outputs.items():
            spans = self.index.spans.get(name)
            if spans:
                path = os.path.join(folder, name)
                self.store.previous_output(path, spans, partial(intact, path, record))

    def signature(self, doc: Planned, fmt: str) -> str:
        """Everything a document's bytes depend on, hashed."""
        column = self.table.fragments[self.config.formats.index(fmt)]
        h = blake2b(digest_size=16)
        # An archive page's links depend only on whether a newer page exists.
        pages = doc.pages if doc.page == 0 else int(doc.page < doc.pages)
        updated = modified_text(self.table, doc)
        h.update(f"{fmt}\x00{doc.page}\x00{pages}\x00{updated}".encode())
        h.update("".join([column[row] for row in doc.rows]).encode())
        return h.hexdigest()

    def feed(self, doc: Planned, entries: tuple[Entry, ...] = ()) -> Feed:
        """The document as renderers take it. Document frames are rendered without
        entries (they arrive as fragments), so only index.html passes any."""
        return Feed(self.config, entries, updated_of(self.table, doc), doc.page, doc.pages)

    def document(self, doc: Planned, fmt: str) -> Document:
        """The document, streamed from fragments wherever they are."""
        position = self.config.formats.index(fmt)
        column = self.table.fragments[position]
        digests = [column[row] for row in doc.rows]
        for number in self.store.unplaced(digests):  # none, in a cold build
            row = doc.rows[number]
            if not self.store.available(digests[number]):
                self._recompile(row)
                digests[number] = self.table.fragments[position][row]
        head, separator, tail, empty = document_frame(self.feed(doc), fmt)
        return Document(head, separator, tail, empty, digests, self.store)

    def full(self, row: int) -> Entry | None:
        """The whole entry, as renderers need it."""
        table = self.table
        fresh = table.fresh.get(table.names[row])
        if fresh is not None:
            blob = fresh if isinstance(fresh, bytes) else self.store.read(fresh)
        else:
            offset, length, checksum = table.places[3 * row : 3 * row + 3]
            if offset == NO_BLOB:
                return None
            blob = self.store.read((BLOBS_NAME, offset, length))
            if blob_sum(blob) != checksum:
                # The blob file was damaged since: the entry file still says it all.
                self._recompile(row)
                return self.full(row)
        return decode_entry(unpack_entry(blob))

    def index_page(self, main: Planned) -> bytes:
        """index.html lists the newest entries of the main feed, in full."""
        from .render.html import render_index

        shown = main.rows[:INDEX_ENTRIES]
        full = tuple(e for row in shown if (e := self.full(row)) is not None)
        return render_index(self.feed(main, full))

    def _recompile(self, row: int) -> None:
        """A fragment is nowhere (e.g. the entry was never in a feed): render it again."""
        from .compile import compile_file

        shown = self.table.names[row]
        compiled = compile_file(self._root / shown, shown, self.config)
        for digest in compiled.digests:
            self.store.forget(digest)
        self.table.put(row, self._row(compiled, bisect_left(self._order, shown)))


def _published_ids(old: Table, new: Table, compiled: dict[str, Row]) -> dict[str, str]:
    """link -> id, as readers have them, of the entries this build changed or removed:
    the only ones whose id may have changed under a link (unchanged files keep theirs)."""
    if not len(old):
        return {}  # nothing published before (a cold build): 10,000 look-ups saved
    changed: set[str] | None = None
    if len(compiled) * 16 < len(old.names):
        added = sum(old.row(name) is None for name in compiled)  # (new files are all compiled)
        if len(new.names) == len(old.names) + added:
            changed = set(compiled)  # no file removed: no set of 10,000 names needed
    if changed is None:
        changed = set(old.names).difference(new.names).union(compiled)
    before: dict[str, str] = {}
    for row in sorted(row for name in changed if (row := old.row(name)) is not None):
        if old.ok[row] and old.links[row] and not old.drafts[row]:
            before[old.links[row]] = old.ids[row]
    return before


def _duplicate_ids(table: Table, root: Path, compiled: Collection[str] = ()) -> list[Problem]:
    """Problems for ids two entries share. ``compiled``: when only these files
    changed since a build whose ids were all distinct (one with duplicates
    fails, and saves no cache), only their ids can be duplicates now."""
    from .load import duplicate_ids

    ids = list(compress(table.ids, table.ok))
    if compiled and len(compiled) * 16 < len(ids):
        rows = [row for name in compiled if (row := table.row(name)) is not None]
        if all(ids.count(table.ids[row]) == 1 for row in rows if table.ok[row]):
            return []  # a few list scans in C instead of a set of 10,000 ids
    elif len(set(ids)) == len(ids):
        return []  # the usual case, in C
    return duplicate_ids(compress(zip(table.names, table.ids, strict=True), table.ok), root)
