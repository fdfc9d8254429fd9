"""The build cache: what the last successful build knew, to redo only what changed.

It lives in one hidden folder beside output/ (``.feedpub-cache/``) and is
always safe to delete. Per entry file it records the file's identity
(size, mtime, inode, content hash) with the checked entry and its fragment
hashes; per output document, a signature of its inputs and where each
entry fragment sits inside the file. Nothing in it is trusted blindly: a
changed file identity means recompiling, a changed output file means
re-rendering, and an unreadable or foreign index means a cold build.

It is split in two files so that a rebuild with nothing to do reads only
the small ``head`` (identities and output signatures, see cachefile.py),
never the ``body`` (full entry records and fragment positions).
"""

from __future__ import annotations

import os
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cachefile import (
    BODY,
    HEAD,
    Head,
    Reader,
    chunks_from,
    dump_chunks,
    dump_one,
    end,
    write_head,
)
from .fragments import Spans


@dataclass(slots=True)
class OutputRecord:
    size: int
    mtime_ns: int
    signature: str


@dataclass(slots=True)
class Index:
    """The head, plus the body once a build needs it."""

    key: str
    head: Head = field(default_factory=Head)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    entries: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """Entry records in stored form (see records.py); loaded with the body."""
    spans: dict[str, Spans] = field(default_factory=dict)
    """Per output file: where each fragment sits in it."""
    body_fd: int | None = None
    """The previous body, open: entry blobs are read from it only when needed."""
    _body_path: Path | None = None

    @classmethod
    def from_head(cls, key: str, head: Head | None, cache_dir: Path) -> Index:
        if head is None:
            return cls(key)
        outputs = {name: OutputRecord(*record) for name, record in head.outputs.items()}
        return cls(key, head, outputs, _body_path=cache_dir / BODY)

    def load_body(self) -> None:
        """Read the full records; a body from another build empties the index."""
        if self._body_path is None:
            return
        path, self._body_path = self._body_path, None
        fd = None
        try:
            fd = os.open(path, os.O_RDONLY)
            size = os.fstat(fd).st_size
            (records_at,) = _TRAILER.unpack(os.pread(fd, _TRAILER.size, size - _TRAILER.size))
            first = Reader(os.pread(fd, min(records_at, 4096), 0))
            if first.next() != (self.key, self.head.written_ns):
                raise ValueError("body belongs to another build")
            reader = Reader(os.pread(fd, size - _TRAILER.size - records_at, records_at))
            for chunk in chunks_from(reader):
                self.entries.update(chunk)
            while (name := reader.next()) is not None:
                self.spans[name] = Spans.from_stored(reader.next())
            self.body_fd, fd = fd, None
        except Exception:  # any damage at all means: start cold, never fail the build
            self.head, self.outputs, self.entries, self.spans = Head(), {}, {}, {}
        finally:
            if fd is not None:
                os.close(fd)


def _rows(
    entries: Iterable[tuple[str, tuple[Any, ...]]], places: array[int]
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The records as stored: each blob replaced by its (offset, length) in the body."""
    for number, (shown, (identity, path, _, problems, digests, head)) in enumerate(entries):
        offset, length = places[2 * number], places[2 * number + 1]
        place = None if offset < 0 else (offset, length)
        yield shown, (identity, path, place, problems, digests, head)


_TRAILER = struct.Struct("<Q")
"""Ends the body: where its records start (after the blobs)."""


def save_body(
    cache_dir: Path,
    index: Index,
    entries: Callable[[bool], Iterable[tuple[str, tuple[Any, ...]]]],
    written_ns: int,
) -> bool:
    """Write the body atomically; False if it cannot be written (the next build is cold).

    ``written_ns`` is when this build looked at the entry files; it names
    the build, and the head saved after it must carry the same value, so a
    crash between the two leaves a head that rejects the body, never a mix.
    """
    temp = cache_dir / f".{BODY}.{os.getpid()}"
    try:
        cache_dir.mkdir(exist_ok=True)
        with open(temp, "wb", buffering=1 << 20) as handle:
            dump_one(handle, (index.key, written_ns))
            # Blobs first, raw, so the next build can leave them on disk; the
            # records after them say where each one is. ``entries`` is walked
            # twice (with blobs, then without) rather than held: at 100,000
            # entries that list would be 25 MB.
            at, places = handle.tell(), array("q")
            for _, stored in entries(True):
                blob = stored[2]
                places.extend((-1, 0) if blob is None else (at, len(blob)))
                if blob is not None:
                    handle.write(blob)
                    at += len(blob)
            dump_chunks(handle, _rows(entries(False), places))
            for name, spans in index.spans.items():
                dump_one(handle, name)
                dump_one(handle, spans.stored())
            end(handle)
            handle.write(_TRAILER.pack(at))
        os.replace(temp, cache_dir / BODY)
    except OSError:
        temp.unlink(missing_ok=True)
        return False
    return True


def save_head(cache_dir: Path, index: Index, written_ns: int) -> None:
    """Write the head atomically, after the body and the output files."""
    head = index.head
    head.written_ns = written_ns
    head.outputs = {n: (r.size, r.mtime_ns, r.signature) for n, r in index.outputs.items()}
    temp = cache_dir / f".{HEAD}.{os.getpid()}"
    try:
        with open(temp, "wb") as handle:
            write_head(handle, index.key, head)
        os.replace(temp, cache_dir / HEAD)
    except OSError:
        temp.unlink(missing_ok=True)  # the next build is simply cold
