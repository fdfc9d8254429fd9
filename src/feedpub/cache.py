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
from array import array
from binascii import crc32
from pathlib import Path
from typing import Any, BinaryIO

from .cachefile import BODIES, HEAD, Head, Reader, dump_one, write_head
from .fragments import Spans
from .records import BlobReader
from .slots import field, mutable
from .table import NO_BLOB, Fresh, Table, blob_sum


@mutable
class OutputRecord:
    size: int
    mtime_ns: int
    signature: str


BLOBS = "blobs.bin"
"""Entry blobs, appended to by each build and rewritten only when mostly garbage."""
_TOKEN = 16


@mutable
class Index:
    """The head, plus the body once a build needs it."""

    key: str
    head: Head = field(default_factory=Head)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    table: Table = field(default_factory=Table)
    """Every entry as the last build left it (see table.py); loaded with the body."""
    spans: dict[str, Spans] = field(default_factory=dict)
    """Per output file: where each fragment sits in it."""
    blobs_fd: int | None = None
    """The blob file, open: entry blobs are read from it only when needed."""
    blobs_token: bytes = b""
    """The blob file's first bytes, which the body names: a rewritten file has others."""
    templates: dict[str, Any] = field(default_factory=dict)
    """Entry and frame templates learnt by earlier builds (see render/_template.py,
    frames.py), as plain values; saved as this build leaves them."""
    _body_path: Path | None = None

    @classmethod
    def from_head(cls, key: str, head: Head | None, cache_dir: Path) -> Index:
        if head is None:
            return cls(key)
        outputs = {name: OutputRecord(*record) for name, record in head.outputs.items()}
        return cls(key, head, outputs, _body_path=cache_dir / BODIES[head.body])

    def load_body(self) -> None:
        """Read the table; a body from another build (or any damage) empties the index."""
        if self._body_path is None:
            return
        path, self._body_path = self._body_path, None
        fd = None
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            view = memoryview(data)
            if crc32(view[:-_SUM]).to_bytes(_SUM, "little") != view[-_SUM:]:
                raise ValueError("body damaged")
            reader = Reader(data)
            key, written_ns, token, blobs_end = reader.next()
            if (key, written_ns) != (self.key, self.head.written_ns):
                raise ValueError("body belongs to another build")
            table = Table.from_stored(self.head.files, reader.next())
            fd = os.open(path.with_name(BLOBS), os.O_RDONLY)
            if os.pread(fd, _TOKEN, 0) != token or os.fstat(fd).st_size < blobs_end:
                raise ValueError("blob file rewritten since")
            self.spans = {name: Spans.from_stored(raw) for name, raw in reader.next().items()}
            templates = reader.next()
            if not isinstance(templates, dict):
                raise ValueError("no templates")
            self.table, self.blobs_fd, self.blobs_token, fd = table, fd, token, None
            self.templates = templates
        except Exception:  # any damage at all means: start cold, never fail the build
            self.head, self.outputs, self.table, self.spans = Head(), {}, Table(), {}
            self.templates = {}
        finally:
            if fd is not None:
                os.close(fd)


def save_body(
    cache_dir: Path, index: Index, table: Table, read: BlobReader, written_ns: int
) -> bool:
    """Write the body atomically; False if it cannot be written (the next build is cold).

    ``written_ns`` is when this build looked at the entry files; it names
    the build, and the head saved after it must carry the same value, so a
    crash between the two leaves a head that rejects the body, never a mix.
    Blobs compiled now are appended to the blob file first; bytes already
    there never change, so an older body stays readable until the file is
    rewritten (with a new token) to drop what no entry uses any more.
    ``read`` reads (file, offset, length): worker spill files, or the
    blob file under the name ``BLOBS_NAME``.

    The body goes over the other of its two files, in place, not to a new
    file renamed over the old one: at 10,000 entries that freed and allocated
    5 MB each time, about 6 ms of a 0.28 s rebuild. The head, written last,
    names the file; until then the one it names is untouched. Two builds
    writing the same file at once leave a body whose checksum fails: the
    next build is cold.
    """
    slot = 1 - index.head.body
    try:
        cache_dir.mkdir(exist_ok=True)
        token, blobs_end = _place_blobs(cache_dir, index, table, read)
        fd = os.open(cache_dir / BODIES[slot], _OVERWRITE, 0o644)
        with open(fd, "wb", buffering=1 << 20) as handle:
            summed = _Summed(handle)
            dump_one(summed, (index.key, written_ns, token, blobs_end))
            dump_one(summed, table.stored())
            dump_one(summed, {name: spans.stored() for name, spans in index.spans.items()})
            dump_one(summed, index.templates)
            handle.write(summed.digest())
            handle.truncate()  # what a longer body left beyond this one
    except OSError:
        return False
    index.head.body = slot
    return True


_OVERWRITE = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)


_SUM = 4
"""The body ends with a CRC-32 of the rest: any damage means a cold build."""


class _Summed:
    """A file that checksums what is written to it.

    CRC-32, as zip and PNG use against damage: at 10,000 entries the body is
    5 MB, and a cryptographic hash of it cost each incremental build 16 ms
    (read and write); nobody forges a cache on their own disk.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._crc = 0

    def write(self, data: bytes) -> int:
        self._crc = crc32(data, self._crc)
        return self._handle.write(data)

    def digest(self) -> bytes:
        return self._crc.to_bytes(_SUM, "little")


BLOBS_NAME = "\0cache blobs"
"""How blob places name the cache's blob file (open in the fragment store)."""

_RUN = 4 << 20
_SLACK = 1 << 20
"""Garbage the blob file may hold beyond the size of what is live before a rewrite."""


def _place_blobs(
    cache_dir: Path, index: Index, table: Table, read: BlobReader
) -> tuple[bytes, int]:
    """Write ``table.fresh`` to the blob file and record where; (token, end of file)."""
    live = sum(table.places[1::3]) + sum(
        len(b) if isinstance(b, bytes) else b[2] for b in table.fresh.values()
    )
    path = cache_dir / BLOBS
    size = os.fstat(index.blobs_fd).st_size if index.blobs_fd is not None else 0
    if index.blobs_fd is None or size > 2 * live + _SLACK:
        # Rewrite: every blob, stored ones included, into a new file.
        for number, name in enumerate(table.names):
            offset, length = table.places[3 * number], table.places[3 * number + 1]
            if offset != NO_BLOB:
                table.fresh[name] = (BLOBS_NAME, offset, length)
                table.places[3 * number] = NO_BLOB
        token = os.urandom(_TOKEN)
        temp = cache_dir / f".{BLOBS}.{os.getpid()}"
        try:
            with open(temp, "wb", buffering=1 << 20) as handle:
                handle.write(token)
                _append(handle, table, read)
                end_at = handle.tell()
            os.replace(temp, path)
        except OSError:
            temp.unlink(missing_ok=True)
            raise
        return token, end_at
    import fcntl

    with open(path, "r+b", buffering=1 << 20) as handle:
        # Locked, so two builds appending at once cannot interleave their blobs.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        if os.pread(handle.fileno(), _TOKEN, 0) != index.blobs_token:
            raise OSError("blob file replaced by another build")
        handle.seek(0, os.SEEK_END)
        _append(handle, table, read)
        handle.flush()
        return index.blobs_token, handle.tell()


def _append(handle: BinaryIO, table: Table, read: BlobReader) -> None:
    """Write the fresh blobs in the order they lie in their files (a worker's, or
    the old blob file), so those one after another are read in long runs."""
    at = handle.tell()
    fresh = table.fresh
    pending: list[tuple[int, Fresh]] = []
    if len(fresh) * 16 < len(table.names):  # a few: find their rows by bisection
        for name, blob in fresh.items():
            row = table.row(name)
            assert row is not None, "fresh blobs belong to rows of the table"
            pending.append((row, blob))
    else:  # a cold build: one pass over the names, not 10,000 bisections
        pending = [(row, fresh[name]) for row, name in enumerate(table.names) if name in fresh]
        assert len(pending) == len(fresh), "fresh blobs belong to rows of the table"
    pending.sort(key=_where)
    places = table.places
    start = 0
    while start < len(pending):
        row, blob = pending[start]
        if isinstance(blob, bytes):
            handle.write(blob)
            places[3 * row : 3 * row + 3] = array("q", (at, len(blob), blob_sum(blob)))
            at += len(blob)
            start += 1
            continue
        path, offset, length = blob
        reach, stop = offset + length, start + 1
        while stop < len(pending) and reach - offset < _RUN:
            following = pending[stop][1]
            if isinstance(following, bytes) or following[1] != reach or following[0] != path:
                break
            reach += following[2]
            stop += 1
        block = read((path, offset, reach - offset))
        handle.write(block)
        view = memoryview(block)
        for row_, place in pending[start:stop]:
            begin = place[1] - offset  # a place in the file, as checked above
            size = place[2]
            places[3 * row_] = at + begin
            places[3 * row_ + 1] = size
            places[3 * row_ + 2] = blob_sum(view[begin : begin + size])
        at += reach - offset
        start = stop
    table.fresh = {}


def _where(item: tuple[int, Fresh]) -> tuple[str, int]:
    """Sort key: blobs held in memory first (in table order), then by file and offset."""
    row, blob = item
    return ("", row) if isinstance(blob, bytes) else (blob[0], blob[1])


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
