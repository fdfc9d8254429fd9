"""Find entry files quickly, and tell which changed since the last build.

Imported by no-op rebuilds, so it imports nothing heavy: with 10,000
entries, the stat calls here are most of what such a rebuild costs.
"""

from __future__ import annotations

import marshal
import os
import time
from array import array
from bisect import bisect_left
from functools import partial
from itertools import chain, repeat
from operator import attrgetter
from stat import S_ISDIR, S_ISREG

from .cachefile import Head, digest
from .forked import available as may_fork
from .layout import ENTRIES_DIR

TYPE_CHECKING = False  # not typing's: see cachefile.py
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

ENTRY_SUFFIXES = (".yaml", ".yml")
_stat_fields = attrgetter("st_size", "st_mtime_ns", "st_ino", "st_mode")


def scan_entries(entries_dir: str | Path) -> list[tuple[str, str]]:
    """Entry files as (path relative to entries/, full path), sorted."""
    folder = str(entries_dir)
    relatives, _ = entry_stats(folder)
    return [(r, os.path.join(folder, r)) for r in relatives]


def entry_stats(
    entries_dir: str, listing: list[str] | None = None, entries_only: bool = False
) -> tuple[list[str], array[int]]:
    """Entry files (relative to entries/, sorted) and their (size, mtime_ns, inode), flat.

    Hidden files and folders are skipped, which covers Emacs locks
    (``.#x.yaml``); ``x.yaml~`` and ``x.yaml.swp`` fail the suffix test.
    Symbolic links are followed, as an editor or a shell would. A folder
    holding only entry files (the usual case) is taken in whole lists:
    at 10,000 files, per-file Python work here is what a no-op costs, and
    at 100,000 one stat object per file would cost 40 MB. ``listing``: the
    folder's visible names, sorted, if the caller has just listed it;
    ``entries_only``: they were found to be entry file names (not checked again).
    """
    relatives: list[str] = []
    stats = array("q")
    pending = [""]
    folders = 0
    while pending:
        sub = pending.pop()
        folders += 1
        names, found = _stat_folder(os.path.join(entries_dir, sub), None if sub else listing)
        modes = found[3::4]
        known = entries_only and names is listing  # (not a shorter list: a file went)
        if all(map(S_ISREG, modes)) and (known or _all_entry_names(names)):
            relatives.extend([sub + name for name in names] if sub else names)
            del found[3::4]
            stats.extend(found)
            continue
        for number, (name, mode) in enumerate(zip(names, modes, strict=True)):
            if S_ISDIR(mode):
                pending.append(f"{sub}{name}/")
            elif S_ISREG(mode) and name.endswith(ENTRY_SUFFIXES):
                relatives.append(sub + name)
                stats.extend(found[4 * number : 4 * number + 3])
    if folders > 1:
        order = sorted(range(len(relatives)), key=relatives.__getitem__)
        relatives = [relatives[i] for i in order]
        stats = array("q", chain.from_iterable(stats[3 * i : 3 * i + 3] for i in order))
    return relatives, stats


def _all_entry_names(names: list[str]) -> bool:
    """Every name ends with an entry suffix (looped over in C)."""
    return all(map(str.endswith, names, repeat(ENTRY_SUFFIXES)))


def _stat_folder(folder: str, listing: list[str] | None = None) -> tuple[list[str], array[int]]:
    """The visible names in ``folder``, sorted, with (size, mtime_ns, inode, mode) each, flat.

    Stats relative to the open folder: a third cheaper than
    ``DirEntry.stat()``, which looks up the whole path each time.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return [], array("q")
    try:
        names = _visible(os.listdir(fd)) if listing is None else listing
        stat = partial(os.stat, dir_fd=fd)
        try:
            return names, _stat_all(fd, names)
        except OSError:  # a file went away meanwhile: skip just that one
            kept, found = [], array("q")
            for name in names:
                try:
                    found.extend(_stat_fields(stat(name)))
                except OSError:
                    continue
                kept.append(name)
            return kept, found
    except OSError:
        return [], array("q")
    finally:
        os.close(fd)


def _visible(names: list[str]) -> list[str]:
    """Names not hidden (``.x``), not editor locks (``#x#``) nor ``_drafts``-style, sorted.

    Sorted, the names starting with one character lie together, from where
    that character alone would go: three bisections find any, where
    searching the joined names took 4 ms at 10,000 files.
    """
    names.sort()
    for mark in _HIDDEN_MARKS:
        at = bisect_left(names, mark)
        if at < len(names) and names[at].startswith(mark):
            return [name for name in names if name[0] not in _HIDDEN_MARKS]
    return names


_HIDDEN_MARKS = ".#_"


def _stat_all(fd: int, names: list[str]) -> array[int]:
    """(size, mtime_ns, inode, mode) of each name in the open folder ``fd``, flat.

    Above ``SPLIT_AT`` files a forked child stats the second half while this
    process stats the first: the calls are system calls, and at 10,000 files
    they are most of a rebuild with nothing to do (about 75 ms here against
    55 ms split). Raises OSError if any file cannot be stat'ed, as one loop would.
    """
    stat = partial(os.stat, dir_fd=fd)
    if len(names) < SPLIT_AT or not _SPLIT or not may_fork():
        return _stats_of(stat, names)
    half = len(names) // 2
    reader, writer = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return _stats_of(stat, names)
    if child == 0:  # pragma: no cover - the child's coverage is never written
        _stat_child(stat, names[half:], reader, writer)
    os.close(writer)
    try:
        found = _stats_of(stat, names[:half])
        with open(reader, "rb", closefd=False) as pipe:
            rest = pipe.read()
    finally:
        os.close(reader)
        os.waitpid(child, 0)
    if len(rest) != 4 * (len(names) - half) * found.itemsize + 1 or rest[-1:] != b"\n":
        # The child met a file that went away (or died): count it as ours.
        raise OSError("a file changed while the folder was read")
    found.frombytes(rest[:-1])
    return found


def _stats_of(stat: Callable[[str], os.stat_result], names: list[str]) -> array[int]:
    """(size, mtime_ns, inode, mode) of each name, flat, in C loops."""
    return array("q", chain.from_iterable(map(_stat_fields, map(stat, names))))


SPLIT_AT = 2000
"""Folders with fewer entry files are stat'ed by one process: a fork costs about 1 ms."""


_SPLIT = True
"""False where a second process would not pay: in a child that looks at the files
while its parent works on the other core."""


def _stat_child(
    stat: Callable[[str], os.stat_result], names: list[str], reader: int, writer: int
) -> None:
    """In the forked child: stat ``names``, send the flat numbers and a newline, exit."""
    code = 1
    try:
        os.close(reader)
        data = memoryview(_stats_of(stat, names).tobytes() + b"\n")
        while data:
            data = data[os.write(writer, data) :]
        code = 0
    finally:
        os._exit(code)


def entry_files(entries_dir: Path) -> Iterator[Path]:
    """Entry files in a stable order (see scan_entries)."""
    import pathlib

    for _, path in scan_entries(entries_dir):
        yield pathlib.Path(path)


def file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return digest(handle.read())
    except OSError:
        return None


class Scan:
    """The site's entry files, split into unchanged since the last build and to compile.

    A file is unchanged when its size, mtime and inode are the ones recorded
    and, if it was modified within ``RACY_NS`` of that build (an edit in the
    same clock tick would keep all three), its content hash still matches.
    """

    __slots__ = (
        "_child", "_found", "_listing", "_order", "_relatives", "_todo", "_unchanged",
        "folder", "started_ns",
    )  # fmt: skip

    def __init__(
        self, root: str | Path, head: Head, trusted_before: int, early: bool = False
    ) -> None:
        """Compare with what the last build (``head``) found.

        With ``early``, when the folder's names alone show that files were
        added or removed, or one of the files most likely to be edited has
        changed (so there is work to do whatever the other stats say), a
        forked child stats and compares while the caller goes on (the
        console script loads the build's modules meanwhile): the results are
        waited for on first use.
        """
        self.started_ns = time.time_ns()
        """When the files were looked at: the next build's reference for racy files."""
        self.folder = os.path.join(root, ENTRIES_DIR)
        self._child: tuple[int, int, Head, int] | None = None
        self._order: list[str] | None = None
        self._relatives: list[str] | None = None
        self._listing: list[str] = []
        listing, entries_only = None, False
        if early:
            try:
                raw = os.listdir(self.folder)
            except OSError:
                raw = None
            if raw is not None and len(raw) >= SPLIT_AT:  # (smaller: quick anyway)
                # Another number of entry files (all of them, in a cold build):
                # known without sorting the names.
                if _count_differs(raw, head) and self._start(head, trusted_before, raw):
                    return
                listing = _visible(raw)
                # Only entry files (no sub-folders): the names line up with the head's.
                entries_only = _all_entry_names(listing)
                work = entries_only and (
                    _names_differ(listing, head) or _likely_edited(self.folder, head, listing)
                )
                if work and self._start(head, trusted_before, listing):
                    return
        self._set(head, *_look(self.folder, head, trusted_before, listing, entries_only))

    def _start(self, head: Head, trusted_before: int, listing: list[str]) -> bool:
        """Let a forked child look (False if this process cannot fork now).

        ``listing`` holds entry file names only, none hidden.
        """
        if may_fork():
            self._child = _start_look(self.folder, head, trusted_before, listing)
        if self._child is not None:
            self._listing = listing
        return self._child is not None

    def expected_files(self) -> list[tuple[str, str]]:
        """Before the look is done: (path, shown) of every file it will most
        likely find, sorted, from the folder's listing (a file may go, or an
        entry name be a folder, before it looks); otherwise []."""
        if not self.pending:
            return []
        self._listing.sort()  # (the look sorts it again, quickly)
        prefix, base = f"{ENTRIES_DIR}/", self._base()
        return [(base + name, prefix + name) for name in self._listing]

    def _base(self) -> str:
        """The folder, ready for a name: what os.path.join(folder, name) gives,
        without its 3 microseconds a file."""
        return self.folder if self.folder.endswith(("/", os.sep)) else self.folder + os.sep

    def _set(
        self, head: Head, relatives: list[str], stats: array[int], suspects: list[int]
    ) -> None:
        self._found = stats
        self._unchanged = not suspects and len(relatives) == len(head.stats) // 3
        if not suspects:
            # The shown names are made when asked for: a build with nothing to do never asks.
            self._relatives, self._order, self._todo = relatives, None, []
            return
        # Made now, and shared with the list of files to compile (at 100,000
        # files, a second copy of each name cost a cold build 28 MB at its peak).
        prefix, base = f"{ENTRIES_DIR}/", self._base()
        order = [prefix + relative for relative in relatives]
        self._relatives, self._order = None, order
        self._todo = [(base + relatives[i], order[i]) for i in suspects]

    def _wait(self) -> None:
        """Take the forked child's results (or, if it failed, look again here)."""
        assert self._child is not None
        child, memory, head, trusted_before = self._child
        self._child, self._listing = None, []
        try:
            _, status = os.waitpid(child, 0)
            size = os.fstat(memory).st_size
            data = os.pread(memory, size, 0) if status == 0 else b""
            while 0 < len(data) < size:
                data += os.pread(memory, size - len(data), len(data))
        finally:
            os.close(memory)
        if status == 0 and len(data) == size:
            relatives, raw, suspects = marshal.loads(data)
            stats = array("q")
            stats.frombytes(raw)
            self._set(head, relatives, stats, suspects)
        else:
            self._set(head, *_look(self.folder, head, trusted_before))

    @property
    def pending(self) -> bool:
        """A child is still looking (there is work: see ``early``)."""
        return self._child is not None

    @property
    def order(self) -> list[str]:
        """Every entry file, as shown in messages (entries/...), sorted.

        Made on first use: a build with nothing to do never asks (10,000
        strings, 2 ms)."""
        if self.pending:
            self._wait()
        if self._order is None:
            prefix, relatives = f"{ENTRIES_DIR}/", self._relatives or []
            self._order, self._relatives = [prefix + relative for relative in relatives], None
        return self._order

    @property
    def found(self) -> array[int]:
        """(size, mtime_ns, inode) of every file in ``order``, flat, as found."""
        if self.pending:
            self._wait()
        return self._found

    @property
    def todo(self) -> list[tuple[str, str]]:
        """(path, shown) of files to compile: strings, as 100,000 Paths cost 40 MB."""
        if self.pending:
            self._wait()
        return self._todo

    @property
    def unchanged(self) -> bool:
        """No file added, removed or changed (known without waiting when names differ)."""
        return not self.pending and self._unchanged


def _look(
    folder: str,
    head: Head,
    trusted_before: int,
    listing: list[str] | None = None,
    entries_only: bool = False,
) -> tuple[list[str], array[int], list[int]]:
    """Every entry file (sorted, relative), their flat stats, and which of them to compile."""
    relatives, stats = entry_stats(folder, listing, entries_only)
    prefix = f"{ENTRIES_DIR}/"
    # Whole-list comparisons in C first: at 10,000 files a per-file loop
    # would be most of what a rebuild with nothing to do costs.
    same_names = not _names_differ(relatives, head)
    if same_names and stats == head.stats:
        suspects = []
    else:
        order = [prefix + relative for relative in relatives]
        suspects = _differences(order, stats, head, same_names)
    if stats and max(stats[1::3]) >= trusted_before:
        # Touched within the clock's resolution of the last build: the stat
        # cannot tell an edit from none, so the content decides.
        fresh = set(suspects)
        stored = head.digest_of
        suspects.extend(
            i
            for i, mtime_ns in enumerate(stats[1::3])
            if mtime_ns >= trusted_before
            and i not in fresh
            and file_digest(os.path.join(folder, relatives[i])) != stored(prefix + relatives[i])
        )
        suspects.sort()
    return relatives, stats, suspects


def _count_differs(names: list[str], head: Head) -> bool:
    """The folder (its names, as listed) holds only entry files, none hidden, and not
    as many as the last build saw: a build has work, known without sorting them."""
    if len(names) == len(head.stats) // 3:
        return False  # the usual case, before joining 10,000 names (3-4 ms)
    joined = "\0" + "\0".join(names)
    hidden = "\0." in joined or "\0#" in joined or "\0_" in joined
    return not hidden and _all_entry_names(names)


def _names_differ(names: list[str], head: Head) -> bool:
    """The folder's entry files (sorted) are not the ones the last build saw: with
    no stat at all, a build surely has work to do."""
    if not names:
        return bool(head.names)
    prefix = f"{ENTRIES_DIR}/"
    return prefix + f"\0{prefix}".join(names) != head.names


def _likely_edited(folder: str, head: Head, names: list[str]) -> bool:
    """Whether one of the files most likely to be edited changed since the last build.

    Those are the newest by name (entry files usually start with their date)
    and the one modified last. ``names`` are the folder's, sorted, and the
    same as the last build's. A few stat calls: in a large folder, that often
    shows there is work long before the other 10,000 calls would. Only a
    hint: the full look still decides what to compile.
    """
    count = len(names)
    mtimes = head.stats[1::3]
    if count < SPLIT_AT or count != len(mtimes):
        return False  # the whole look is quick anyway
    likely = {*range(count - _LIKELY, count), mtimes.index(max(mtimes))}
    for i in likely:
        try:
            found = os.stat(os.path.join(folder, names[i]))
        except OSError:
            return True
        if _stat_fields(found)[:3] != tuple(head.stats[3 * i : 3 * i + 3]):
            return True
    return False


_CHILD_SPLITS_AT = 20_000
_LIKELY = 8
"""How many of the newest files by name the early look checks first."""


def _start_look(
    folder: str, head: Head, trusted_before: int, listing: list[str]
) -> tuple[int, int, Head, int] | None:
    """Fork a child that runs _look and leaves its result in an anonymous memory file."""
    global _SPLIT
    try:
        memory = os.memfd_create("feedpub-scan")
    except (AttributeError, OSError):
        return None
    try:
        child = os.fork()
    except OSError:
        os.close(memory)
        return None
    if child == 0:  # pragma: no cover - the child's coverage is never written
        code = 1
        try:
            # The parent loads modules on the other core meanwhile, for about as
            # long as 10,000 stat calls take; beyond that, it is waiting too.
            _SPLIT = len(listing) > _CHILD_SPLITS_AT
            visible = _visible(listing)  # sorted: the names are entry files' already
            relatives, stats, suspects = _look(folder, head, trusted_before, visible, True)
            data = memoryview(marshal.dumps((relatives, stats.tobytes(), suspects)))
            while data:
                data = data[os.write(memory, data) :]
            code = 0
        finally:
            os._exit(code)
    return child, memory, head, trusted_before


def _differences(
    order: list[str], stats: array[int], head: Head, same_names: bool = False
) -> list[int]:
    """Positions in ``order`` of files added or changed since the last build.

    Some file was added, removed or changed. Both lists are sorted, so once
    the added and removed names are set aside the rest line up, and their
    stats compare as arrays in C, a block of files at a time; Python looks
    at single files only inside a block that differs. ``same_names``: the
    caller knows no file was added or removed (an edit), so no sets are built.
    """
    files = head.files
    if same_names:
        added, removed = set(), set()
    else:
        added, removed = set(order).difference(files), set(files).difference(order)
    keep_now = [i for i, name in enumerate(order) if name not in added] if added else None
    keep_old = [j for j, name in enumerate(files) if name not in removed] if removed else None
    now = _rows(stats, keep_now)
    old = _rows(head.stats, keep_old)
    changed: list[int] = []
    for base in range(0, len(now), _BLOCK):
        if now[base : base + _BLOCK] != old[base : base + _BLOCK]:
            changed.extend(
                k // 3
                for k in range(base, min(base + _BLOCK, len(now)), 3)
                if now[k : k + 3] != old[k : k + 3]
            )
    if keep_now is not None:
        changed = [keep_now[k] for k in changed]
    return sorted(changed + [i for i, name in enumerate(order) if name in added])


_BLOCK = 3 * 64


def _rows(stats: array[int], keep: list[int] | None) -> array[int]:
    """The (size, mtime_ns, inode) triples of the files at ``keep``, copied in runs."""
    if keep is None:
        return stats
    out = array("q")
    start = 0
    while start < len(keep):
        end = start + 1
        while end < len(keep) and keep[end] == keep[start] + end - start:
            end += 1
        out.extend(stats[3 * keep[start] : 3 * (keep[end - 1] + 1)])
        start = end
    return out
