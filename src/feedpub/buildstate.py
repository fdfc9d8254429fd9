"""Everything one build knows about a site's entries, cached or compiled now.

``BuildState`` decides which entry files can be taken from the cache and
which must be compiled, keeps one compact record per entry, plans the
documents, and hands each document to the writer as a stream of fragments
found in memory, in worker spill files or in the previous output files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Index, OutputRecord
from .cachefile import RACY_NS, Identity, blake2b
from .errors import InputError, Problem
from .fragments import Document, FragmentStore, document_frame
from .model import Config, Entry, Feed
from .records import EntryRecord

if TYPE_CHECKING:
    from .compile import Compiled
    from .discover import Scan
    from .load import Progress

BODY_BLOBS = "\0previous cache body"
"""How records name the previous cache body, open in the fragment store."""

INDEX_ENTRIES = 100
"""index.html lists at most this many of the newest entries (the feeds have them all)."""


def intact(path: Path, record: OutputRecord) -> bool:
    """The file is still the one we wrote (nobody edited or removed it)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns


_BLOB_RUN = 4 << 20


def _no_blob(place: tuple[str, int, int]) -> bytes:
    return b""


class BuildState:
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
        self.use_scan(root, Scan(root, head, head.written_ns - RACY_NS))

    def use_scan(self, root: Path, scan: Scan) -> None:
        self._root = root
        self._order, self.reused, self._todo = scan.order, scan.reused, scan.todo
        self._stats = scan.stats
        self.started_ns = scan.started_ns
        self.unchanged = scan.unchanged
        self.scanned = True

    def collect(self, jobs: int | None, progress: Progress | None = None) -> None:
        """Decode cached entries, compile the others, and check them all together."""
        from .load import duplicate_ids
        from .workers import compile_many

        for shown in [s for s in self.reused if s not in self.index.entries]:
            identity = self.reused.pop(shown)  # the body was lost: compile again
            self._stats[shown] = identity[:3]
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
            shown: self.records.get(shown) or EntryRecord.from_stored(stored.pop(shown), BODY_BLOBS)
            for shown in self._order
        }
        if self._todo:
            # What readers have now, link -> id, for the id drift guard: unchanged
            # entries keep theirs; changed or removed files had the stored ones.
            for raw in stored.values():
                head = raw[5]  # see EntryRecord.stored
                if head is not None and head[3] and not head[4]:
                    self.previous_ids[head[3]] = head[2]
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
            identity,
            compiled.path,
            compiled.entry,
            compiled.problems,
            compiled.digests,
            compiled.head,
        )

    def reuse_outputs(self, out: Path) -> None:
        """Let fragments be cut from the previous build's files (checked on read)."""
        for name, record in self.index.outputs.items():
            spans = self.index.spans.get(name)
            if spans:
                path = out / name
                self.store.previous_output(str(path), spans, partial(intact, path, record))

    def signature(self, doc: Feed, fmt: str) -> str:
        """Everything a document's bytes depend on, hashed."""
        position = self.config.formats.index(fmt)
        h = blake2b(digest_size=16)
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

    def full(self, shown: str) -> Entry | None:
        """The whole entry, as renderers need it."""
        return self.records[shown].full(self.store.read)

    def stored_records(self, blobs: bool) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """Every record as the cache body stores it; ``blobs`` reads each entry's blob back
        (from memory, a spill file or the previous body), else leaves it out."""
        if not blobs:
            return ((shown, record.stored(_no_blob)) for shown, record in self.records.items())
        return self._stored_with_blobs()

    def _stored_with_blobs(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """Records with their blobs; blobs lying one after another in a file (as
        unchanged entries do in the previous body) are read in one go."""
        items = list(self.records.items())
        start = 0
        while start < len(items):
            place = items[start][1].entry
            end = start + 1
            if isinstance(place, tuple):
                path, offset, length = place
                reach = offset + length
                while end < len(items) and reach - offset < _BLOB_RUN:
                    following = items[end][1].entry
                    if not (isinstance(following, tuple) and following[:2] == (path, reach)):
                        break
                    reach += following[2]
                    end += 1
                block = self.store.read((path, offset, reach - offset))

                def cut(
                    place: tuple[str, int, int], base: int = offset, block: bytes = block
                ) -> bytes:
                    return block[place[1] - base : place[1] - base + place[2]]

                for shown, record in items[start:end]:
                    yield shown, record.stored(cut)
            else:
                shown, record = items[start]
                yield shown, record.stored(self.store.read)
            start = end

    def index_page(self, main: Feed) -> bytes:
        """index.html lists the newest entries of the main feed, in full."""
        from .render.html import render_index

        shown = main.entries[:INDEX_ENTRIES]
        full = tuple(e for entry in shown if (e := self.full(entry.path)) is not None)
        return render_index(replace(main, entries=full))

    def _recompile(self, shown: str) -> None:
        """A fragment is nowhere (e.g. the entry was never in a feed): render it again."""
        from .compile import compile_file

        compiled = compile_file(self._root / shown, shown, self.config)
        for digest in compiled.digests:
            self.store.forget(digest)
        self.records[shown] = self._record(compiled)
        self.reused.pop(shown, None)
