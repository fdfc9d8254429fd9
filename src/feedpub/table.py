"""Every entry of a site as columns: what a build plans from and what the cache keeps.

An object per entry costs microseconds to make and to store; at 10,000
entries an incremental build that made one for every entry spent most of
its time doing so. The table keeps one list or array per field, in
file-name order, and makes an ``Entry`` only for the few entries a
renderer needs. Merging what changed into the previous table is a few
list operations in C, whatever the size of the site.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain
from operator import attrgetter
from typing import Any
from zlib import crc32

from .cachefile import Identity
from .records import BlobPlace, EntryBlob, HeaderTuple, ProblemTuple
from .slots import field, mutable

NO_BLOB = -1


def blob_sum(blob: bytes | memoryview) -> int:
    """A blob's checksum, kept beside its place: a damaged blob file is noticed.

    CRC-32, as for the cache body: it catches damage, and costs a cold build
    of 10,000 entries a few ms where a cryptographic hash cost 40."""
    return crc32(blob)


Fresh = EntryBlob | BlobPlace
"""A blob compiled by this build: bytes, or where a worker spilled it."""


@mutable
class Row:
    """One entry file as compiled now, to be merged into a table."""

    identity: Identity
    entry: Fresh | None
    problems: tuple[ProblemTuple, ...]
    digests: tuple[str, ...]
    head: HeaderTuple | None


_identity = attrgetter("identity")
_head = attrgetter("head")
_NO_HEAD: HeaderTuple = ("", None, "", None, False, 0, 0)
"""What an entry that failed its checks has in the header columns (its date
empty, so not ``ok``)."""


@mutable
class Table:
    """Columns, one value per entry file, in file-name order."""

    names: list[str] = field(default_factory=list)
    """Entry files as shown in messages (entries/...), sorted."""
    stats: array[int] = field(default_factory=lambda: array("q"))
    """(size, mtime_ns, inode) of each file as the build found it, flat."""
    files: list[str] = field(default_factory=list)
    """Content hash of each file ("" if it could not be read)."""
    places: array[int] = field(default_factory=lambda: array("q"))
    """(offset, length, checksum) of each entry's blob in the cache's blob file,
    flat; NO_BLOB when the entry has errors or its blob is in ``fresh``."""
    fresh: dict[str, Fresh] = field(default_factory=dict)
    """Blobs compiled by this build, by file (not yet in the blob file)."""
    problems: dict[str, tuple[ProblemTuple, ...]] = field(default_factory=dict)
    """Warnings and errors, by file (most files have none)."""
    fragments: list[list[str]] = field(default_factory=list)
    """Per format (config order): each entry's fragment digest ("" if none)."""
    ok: bytearray = field(default_factory=bytearray)
    """1 where the entry was checked without errors (and so has the columns below)."""
    dates: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    """ISO 8601, "" where the entry has no ``updated``."""
    ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """"" where the entry has no link."""
    drafts: bytearray = field(default_factory=bytearray)
    date_us: array[int] = field(default_factory=lambda: array("q"))
    """``date`` in microseconds since the epoch: sorts as the aware datetimes do."""
    modified_us: array[int] = field(default_factory=lambda: array("q"))
    """``updated``, else ``date``, likewise."""

    def __len__(self) -> int:
        return len(self.names)

    def row(self, name: str) -> int | None:
        """The row of a file name (names are sorted)."""
        row = bisect_left(self.names, name)
        return row if row < len(self.names) and self.names[row] == name else None

    def modified(self, row: int) -> datetime:
        return datetime.fromisoformat(self.updated[row] or self.dates[row])

    def merged(self, order: Sequence[str], rows: dict[str, Row], formats: int) -> Table:
        """This table with ``rows`` compiled now, for the files ``order`` names.

        Every name in ``order`` is either in ``rows`` or in this table.
        Unchanged files lie in runs (a new file splits one run in two), so
        each column is put together from a few slices, not value by value.
        """
        if not self.names:
            return Table.of_rows(order, rows, formats)
        # Unchanged files keep their order: sorted here and in ``order``.
        runs = _quick_runs(self.names, order, rows)
        gone: set[str] = set()
        if runs is None:
            gone = set(self.names).difference(order)
            runs = _compared_runs(self.names, order, rows, gone)
        new = Table(names=list(order))
        new.stats = _gather(self.stats, runs, 3, array("q", (0, 0, 0)))
        new.places = _gather(self.places, runs, 3, array("q", (NO_BLOB, 0, 0)))
        new.date_us = _gather(self.date_us, runs, 1, array("q", (0,)))
        new.modified_us = _gather(self.modified_us, runs, 1, array("q", (0,)))
        new.ok = _gather(self.ok, runs, 1, bytearray(1))
        new.drafts = _gather(self.drafts, runs, 1, bytearray(1))
        new.files = _gather(self.files, runs, 1, [""])
        new.dates = _gather(self.dates, runs, 1, [""])
        new.updated = _gather(self.updated, runs, 1, [""])
        new.ids = _gather(self.ids, runs, 1, [""])
        new.links = _gather(self.links, runs, 1, [""])
        new.fragments = [
            _gather(column, runs, 1, [""]) for column in (self.fragments or [[]] * formats)
        ]
        # Removed files take their problems (and any blob) with them.
        new.problems = {n: p for n, p in self.problems.items() if n not in rows and n not in gone}
        new.fresh = {n: b for n, b in self.fresh.items() if n not in rows and n not in gone}
        for name, row in rows.items():
            new.put(bisect_left(new.names, name), row)
        return new

    @classmethod
    def of_rows(cls, order: Sequence[str], rows: dict[str, Row], formats: int) -> Table:
        """What ``put`` gives for every file of ``order``, all compiled now (a cold
        build), made column by column: row by row, it cost a cold build of 10,000
        entries about 0.1 s at its serial end."""
        try:
            compiled = [rows[name] for name in order]
        except KeyError:
            raise KeyError("a file is neither compiled nor in the table") from None
        table = cls(names=list(order))
        if not compiled:
            table.fragments = [[] for _ in range(formats)]
            return table
        # Columns by zip(*rows), in C: one comprehension per column over
        # 10,000 rows cost about 3 ms each.
        sizes, mtimes, inodes, table.files = map(list, zip(*map(_identity, compiled), strict=True))
        table.stats = array("q", chain.from_iterable(zip(sizes, mtimes, inodes, strict=True)))
        table.places = array("q", (NO_BLOB, 0, 0)) * len(compiled)
        named = list(zip(order, compiled, strict=True))
        table.fresh = {name: row.entry for name, row in named if row.entry is not None}
        table.problems = {name: row.problems for name, row in named if row.problems}
        blank = ("",) * formats
        table.fragments = list(
            map(list, zip(*[row.digests or blank for row in compiled], strict=True))
        )
        heads = [head or _NO_HEAD for head in map(_head, compiled)]
        dates, updated, ids, links, drafts, date_us, modified_us = zip(*heads, strict=True)
        table.ok = bytearray(map(bool, dates))
        table.dates, table.ids = list(dates), list(ids)
        table.updated, table.links = [u or "" for u in updated], [k or "" for k in links]
        table.drafts = bytearray(map(int, drafts))
        table.date_us, table.modified_us = array("q", date_us), array("q", modified_us)
        return table

    def put(self, row: int, compiled: Row) -> None:
        """Set one row to what was compiled now."""
        name = self.names[row]
        size, mtime_ns, inode, digest = compiled.identity
        self.stats[3 * row : 3 * row + 3] = array("q", (size, mtime_ns, inode))
        self.files[row] = digest
        self.places[3 * row : 3 * row + 3] = array("q", (NO_BLOB, 0, 0))
        self.fresh.pop(name, None)
        if compiled.entry is not None:
            self.fresh[name] = compiled.entry
        self.problems.pop(name, None)
        if compiled.problems:
            self.problems[name] = compiled.problems
        for column, digest_ in zip(
            self.fragments, compiled.digests or ("",) * len(self.fragments), strict=True
        ):
            column[row] = digest_
        head = compiled.head
        if head is None:
            self.ok[row] = 0
            self.dates[row] = self.updated[row] = self.ids[row] = self.links[row] = ""
            self.drafts[row], self.date_us[row], self.modified_us[row] = 0, 0, 0
            return
        self.ok[row] = 1
        self.dates[row], self.updated[row] = head[0], head[1] or ""
        self.ids[row], self.links[row] = head[2], head[3] or ""
        self.drafts[row] = int(head[4])
        self.date_us[row], self.modified_us[row] = head[5], head[6]

    def stored(self) -> tuple[Any, ...]:
        """Plain values for marshal, less the names (the cache head has them); ``fresh``
        blobs must be placed first (see cache.py)."""
        assert not self.fresh, "fresh blobs are written to the blob file before the table"
        return (
            self.stats.tobytes(), self.files, self.places.tobytes(), self.problems,
            self.fragments, bytes(self.ok), self.dates, self.updated, self.ids, self.links,
            bytes(self.drafts), self.date_us.tobytes(), self.modified_us.tobytes(),
        )  # fmt: skip

    @classmethod
    def from_stored(cls, names: list[str], raw: Iterable[Any]) -> Table:
        """The table ``stored`` gave, for these files; raises on anything inconsistent."""
        (stats, files, places, problems, fragments, ok, dates, updated, ids, links,
         drafts, date_us, modified_us) = raw  # fmt: skip
        table = cls(
            names=names, files=files, problems=problems, fragments=fragments,
            ok=bytearray(ok), dates=dates, updated=updated, ids=ids, links=links,
            drafts=bytearray(drafts),
        )  # fmt: skip
        for column, data in (
            (table.stats, stats), (table.places, places),
            (table.date_us, date_us), (table.modified_us, modified_us),
        ):  # fmt: skip
            column.frombytes(data)
        n = len(names)
        sizes = (
            len(table.stats) // 3, len(table.places) // 3, len(files), len(table.ok),
            len(dates), len(updated), len(ids), len(links), len(table.drafts),
            len(table.date_us), len(table.modified_us), *map(len, fragments),
        )  # fmt: skip
        if any(size != n for size in sizes) or not isinstance(problems, dict):
            raise ValueError("table columns differ in length")
        return table


def _quick_runs(
    names: list[str], order: Sequence[str], rows: dict[str, Row]
) -> list[tuple[int, int]] | None:
    """The runs of ``merged`` when no file was removed, found without a loop over
    every file (an incremental build compiles a few of 10,000); None otherwise.

    Both name lists are sorted, so each compiled file splits the old rows
    where it sorts; the result is checked against ``order`` in one comparison.
    """
    runs: list[tuple[int, int]] = []
    previous = added = 0
    for name in sorted(rows):
        at = bisect_left(names, name)
        present = at < len(names) and names[at] == name
        added += not present
        if at > previous:
            runs.append((previous, at - previous))
        runs.append((-1, 1))
        previous = at + present
    if previous < len(names):
        runs.append((previous, len(names) - previous))
    if len(names) + added != len(order):
        return None  # files were removed: the full comparison finds which
    merged = _gather(names, runs, 1, [""])
    for number, name in zip(_new_rows(runs), sorted(rows), strict=True):
        merged[number] = name
    return runs if merged == list(order) else None


def _compared_runs(
    names: list[str], order: Sequence[str], rows: dict[str, Row], gone: set[str]
) -> list[tuple[int, int]]:
    """The runs of ``merged``, file by file (files were removed, or it is a first build)."""
    kept = iter(
        [row for row, name in enumerate(names) if name not in rows and name not in gone]
        if gone or rows
        else range(len(names))
    )
    taken = [-1 if name in rows else next(kept, -2) for name in order]
    if -2 in taken or next(kept, None) is not None:
        raise KeyError("a file is neither compiled nor in the table")
    return _runs(taken)


def _new_rows(runs: list[tuple[int, int]]) -> list[int]:
    """The new rows that ``runs`` leave blank (compiled now), in order."""
    blanks, at = [], 0
    for first, length in runs:
        if first < 0:
            blanks.append(at)
        at += length
    return blanks


def _runs(taken: list[int]) -> list[tuple[int, int]]:
    """``taken`` (old row of each new row, -1 for a new one) as (old start, length) runs."""
    runs: list[tuple[int, int]] = []
    count, number = len(taken), 0
    while number < count:
        first = taken[number]
        end = number + 1
        if first >= 0:
            while end < count and taken[end] == first + end - number:
                end += 1
        runs.append((first, end - number))
        number = end
    return runs


def _gather(source: Any, runs: list[tuple[int, int]], width: int, blank: Any) -> Any:
    """A column put together from ``runs`` of ``source`` (``blank`` where new)."""
    out = source[:0]
    for first, length in runs:
        if first < 0:
            out += blank * length
        else:
            out += source[width * first : width * (first + length)]
    return out
