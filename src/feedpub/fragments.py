"""Where entry fragments live during a build, and documents streamed from them.

A 100,000-entry feed is gigabytes of fragments: they cannot all sit in
memory. Fragments therefore live in one of three places, found by digest:
in memory (small builds), in spill files written by worker processes, or
inside the previous build's output files (the cache records where). A
document is a head, fragments joined by a separator, and a tail; it is
streamed to the writer piece by piece, so no document is held whole.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator
from itertools import accumulate, chain

from . import cachefile
from .slots import field, mutable


class StaleFragment(Exception):
    """A previous output file no longer holds a fragment where the cache says."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


_DIGEST_CHARS = 32
_WINDOW = 1 << 20
_BEHIND = 64 << 10
"""A spill block starts this far before the fragment asked for: entries of one
day may come in another order than their file names."""
_RUN_MAX = 4096
_RUN_BYTES = 8 << 20


def _checked() -> bool:
    return True


def fragment_digest(data: bytes | memoryview) -> str:
    return cachefile.digest(data)


@mutable
class FragmentStore:
    memory: dict[str, bytes] = field(default_factory=dict)
    located: dict[str, tuple[str, int, int, bool]] = field(default_factory=dict)
    """digest -> (file, offset, length, verify): spill files and old outputs."""
    _handles: dict[str, int] = field(default_factory=dict)
    _windows: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """Per spill file, the block last read from it: (offset, bytes)."""
    _previous: list[tuple[str, Spans, Callable[[], bool]]] = field(default_factory=list)
    """Previous output files with their fragment positions, searched on a miss."""

    def put(self, digest: str, data: bytes) -> None:
        self.memory[digest] = data

    def locate(self, digest: str, path: str, offset: int, length: int, verify: bool) -> None:
        """Record where a fragment is; ``verify`` re-hashes it on read (old outputs)."""
        if digest not in self.memory:
            self.located.setdefault(digest, (path, offset, length, verify))

    def lengths(self, digests: list[str]) -> list[int]:
        """The length of each fragment, in one comprehension (a method call per
        fragment cost 10 ms at 10,000). Located ones first: in a large build
        that is nearly all of them (spilled, or in previous output files)."""
        memory, located = self.memory, self.located
        return [
            found[2] if (found := located.get(digest)) is not None else len(memory[digest])
            for digest in digests
        ]

    def unplaced(self, digests: list[str]) -> list[int]:
        """Positions of the digests neither located nor in memory yet (``available``
        may still find them in a previous output file)."""
        memory, located = self.memory, self.located
        return [
            number
            for number, digest in enumerate(digests)
            if digest not in located and digest not in memory
        ]

    def adopt(self, name: str, fd: int) -> None:
        """Read ``name`` through this open file (closed with the store)."""
        self._handles[name] = fd

    def _handle(self, path: str) -> int:
        """The store's open file for ``path`` (opened on first use)."""
        handle = self._handles.get(path)
        if handle is None:
            handle = self._handles[path] = os.open(path, os.O_RDONLY)
        return handle

    def read(self, place: tuple[str, int, int]) -> bytes:
        """The bytes at (file, offset, length), through the store's open files."""
        path, offset, length = place
        handle = self._handle(path)
        return os.pread(handle, length, offset)

    def get(self, digest: str) -> bytes | None:
        """The fragment's bytes, or None if its recorded place no longer holds it."""
        found = self.memory.get(digest)
        if found is not None:
            return found
        path, offset, length, verify = self.located[digest]
        if not verify:
            return self._spilled(path, offset, length)
        handle = self._handle(path)
        data = os.pread(handle, length, offset)
        if fragment_digest(data) != digest:
            return None
        return data

    def _spilled(self, path: str, offset: int, length: int) -> bytes:
        """A fragment from a worker's spill file, cut from a block read around it.

        Workers compile the newest entry files first and keep each format's
        fragments apart, so a cold build's documents, newest entry first,
        take fragments in nearly the order they lie: one read of a block
        serves dozens of them, instead of a system call each.
        """
        window = self._windows.get(path)
        if window is not None:
            at = offset - window[0]
            if at >= 0 and at + length <= len(window[1]):
                return window[1][at : at + length]
        start = max(0, offset - _BEHIND)
        handle = self._handle(path)
        block = os.pread(handle, max(_WINDOW, offset + length - start), start)
        if len(block) < offset + length - start:
            raise OSError(f"{path} is shorter than this build wrote it")
        self._windows[path] = (start, block)
        return block[offset - start : offset - start + length]

    def previous_output(self, path: str, spans: Spans, intact: Callable[[], bool]) -> None:
        """Fragments may be cut from this file of the previous build, if it is ``intact()``.

        Searched only when a fragment is nowhere else: an incremental build
        touches the few files it renders from, not all 10,000 positions.
        """
        self._previous.append((path, spans, intact))

    def _search_previous(self, digest: str) -> tuple[str, int, int, bool] | None:
        for number, (path, spans, intact) in enumerate(self._previous):
            place = spans.get(digest)
            if place is None:
                continue
            if intact():
                self._previous[number] = (path, spans, _checked)  # stat it once
                self.located[digest] = (path, place[0], place[1], True)
                return self.located[digest]
            self._previous[number] = (path, Spans(), intact)  # edited since: forget it
        return None

    def available(self, digest: str) -> bool:
        """The fragment has a place to be read from.

        A fragment in a previous output file is re-hashed when it is read
        for writing (get), not here: reading it twice would double the cost
        of rewriting a large feed. If it no longer matches, writing stops
        with StaleFragment and the build distrusts that file and retries.
        """
        return (
            digest in self.memory
            or digest in self.located
            or self._search_previous(digest) is not None
        )

    def distrust(self, path: str) -> bool:
        """Stop taking fragments from ``path`` (it changed); False if none came from it."""
        kept = {d: place for d, place in self.located.items() if place[0] != path}
        dropped = len(kept) < len(self.located)
        self.located = kept
        self._previous = [(p, Spans() if p == path else s, ok) for p, s, ok in self._previous]
        return dropped

    def run(self, digests: list[str], start: int, separator: bytes) -> tuple[bytes | None, int]:
        """Fragments ``digests[start:]`` that lie one after another, joined by ``separator``,
        in one previous output file: the bytes of as many as fit in a read, and how many.

        Rewriting a large feed with one entry added copies one long run of
        the previous file instead of reading 10,000 fragments one by one.
        Each fragment is still hashed and each separator compared.
        """
        first = self.located.get(digests[start])
        if first is None or not first[3] or digests[start] in self.memory:
            return None, 0
        path, begin, _, _ = first
        end, taken, gap = begin, 0, len(separator)
        for digest in digests[start : start + _RUN_MAX]:
            place = self.located.get(digest)
            if (
                place is None
                or place[0] != path
                or place[1] != (end + gap if taken else begin)
                or digest in self.memory
                or place[1] + place[2] - begin > _RUN_BYTES
            ):
                break
            end, taken = place[1] + place[2], taken + 1
        if taken < 2:
            return None, 0
        handle = self._handle(path)
        data = os.pread(handle, end - begin, begin)
        view = memoryview(data)
        for digest in digests[start : start + taken]:
            _, offset, length, _ = self.located[digest]
            at = offset - begin
            if fragment_digest(view[at : at + length]) != digest or (
                at and view[at - gap : at] != separator
            ):
                raise StaleFragment(path)
        return data, taken

    def forget(self, digest: str) -> None:
        self.located.pop(digest, None)

    def release(self) -> None:
        """Close the files and forget every fragment (the documents are written)."""
        self.close()
        self.memory, self.located, self._previous, self._windows = {}, {}, [], {}

    def close(self) -> None:
        for handle in self._handles.values():
            os.close(handle)
        self._handles.clear()


class Spans:
    """Where each fragment sits in one output file, kept compact.

    A 100,000-entry feed has 100,000 of them; as a dict of tuples that is
    40 MB per file, so they are kept as the digests joined in one string
    and an array of (offset, length), and indexed only when searched.
    """

    __slots__ = ("_index", "digests", "places")

    def __init__(self, digests: str = "", places: array[int] | None = None) -> None:
        self.digests = digests
        self.places = places if places is not None else array("q")
        self._index: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.places) // 2

    def get(self, digest: str) -> tuple[int, int] | None:
        if self._index is None:
            joined, size = self.digests, _DIGEST_CHARS
            self._index = {joined[i * size : (i + 1) * size]: i for i in range(len(self))}
        number = self._index.get(digest)
        if number is None:
            return None
        return self.places[2 * number], self.places[2 * number + 1]

    def stored(self) -> tuple[str, bytes]:
        return self.digests, self.places.tobytes()

    @classmethod
    def from_stored(cls, raw: tuple[str, bytes]) -> Spans:
        places = array("q")
        places.frombytes(raw[1])
        if len(raw[0]) != _DIGEST_CHARS * (len(places) // 2) or len(places) % 2:
            raise ValueError("spans do not match their digests")
        return cls(raw[0], places)


@mutable
class Document:
    """One output file: ``head + sep.join(fragments) + tail``, streamed."""

    head: bytes
    separator: bytes
    tail: bytes
    empty: bytes
    """The whole document when it has no entries (a format may spell that differently)."""
    digests: list[str]
    store: FragmentStore
    _size: int = -1
    """The bytes ``chunks`` gives, once ``spans`` or ``size`` has counted them."""

    def chunks(self) -> Iterator[bytes]:
        if not self.digests:
            yield self.empty
            return
        yield self.head
        i, count = 0, len(self.digests)
        while i < count:
            if i:
                yield self.separator
            run, taken = self.store.run(self.digests, i, self.separator)
            if run is not None:
                yield run  # several fragments, with their separators, in one read
                i += taken
                continue
            data = self.store.get(self.digests[i])
            if data is None:
                raise StaleFragment(self.store.located[self.digests[i]][0])
            yield data
            i += 1
        yield self.tail

    def size(self) -> int:
        if self._size < 0:
            self._count(self.store.lengths(self.digests))
        return self._size

    def _count(self, lengths: list[int]) -> None:
        if not self.digests:
            self._size = len(self.empty)
            return
        between = len(self.separator) * (len(self.digests) - 1)
        self._size = len(self.head) + sum(lengths) + between + len(self.tail)

    def spans(self) -> Spans:
        """Where each fragment sits in the file: for reuse by the next build."""
        lengths = self.store.lengths(self.digests)
        self._count(lengths)  # (one pass over 10,000 fragments is 8 ms: not twice)
        gap = len(self.separator)
        starts = accumulate([length + gap for length in lengths[:-1]], initial=len(self.head))
        places = array("q", chain.from_iterable(zip(starts, lengths, strict=False)))
        # (strict=False: with no fragments there is one start and no length)
        return Spans("".join(self.digests), places)

    def to_bytes(self) -> bytes:
        return b"".join(self.chunks())
