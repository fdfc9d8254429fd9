"""The build cache: what the last successful build knew, to redo only what changed.

It lives in one hidden folder beside output/ (``.feedpub-cache/``) and is
always safe to delete. Per entry file it records the file's identity
(size, mtime, inode, content hash) with the checked entry and its fragment
hashes; per output document, a signature of its inputs and where each
entry fragment sits inside the file. Nothing in it is trusted blindly: a
changed file identity means recompiling, a changed output file means
re-rendering, and an unreadable or foreign index means a cold build.

It is split in two files so that a rebuild with nothing to do reads only
the small ``head`` (identities and output signatures), never the ``body``
(full entry records and fragment positions). Both are stored with
``marshal`` as plain tuples and strings (no pickle, so a tampered cache
cannot run code), keyed by the feedpub version and the config bytes.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__
from .records import Identity

CACHE_DIR = ".feedpub-cache"
_HEAD = "head.marshal"
_BODY = "body.marshal"
_SCHEMA = 5
RACY_NS = 2_000_000_000
"""Files modified this close to the index write are re-hashed, not trusted by stat."""


@dataclass(slots=True)
class OutputRecord:
    size: int
    mtime_ns: int
    signature: str


@dataclass(slots=True)
class Index:
    key: str
    written_ns: int = 0
    identities: dict[str, Identity] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    future: bool = False
    """The --future flag of that build: it changes what was published."""
    next_due_ns: int | None = None
    """When the earliest future-dated entry becomes due (None: there is none)."""
    entry_count: int = 0
    """Entries in the main document."""
    warnings: tuple[tuple[Any, ...], ...] = ()
    """That build's warnings, so a no-op rebuild repeats them without the body."""
    entries: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """Entry records in stored form (see encode/decode); loaded with the body."""
    spans: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """Per output file: fragment digest -> (offset, length)."""
    _body_path: Path | None = None

    def load_body(self) -> None:
        """Read the full records; a body from another build empties the index."""
        if self._body_path is None:
            return
        path, self._body_path = self._body_path, None
        try:
            reader = _Reader(path.read_bytes())
            if reader.next() != (self.key, self.written_ns):
                raise ValueError("body belongs to another build")
            for chunk in _chunks_from(reader):
                self.entries.update(chunk)
            while (name := reader.next()) is not None:
                spans: dict[str, tuple[int, int]] = {}
                for chunk in _chunks_from(reader):
                    spans.update(chunk)
                self.spans[name] = spans
        except Exception:  # any damage at all means: start cold, never fail the build
            self.identities, self.outputs, self.entries, self.spans = {}, {}, {}, {}


def cache_key(config_bytes: bytes) -> str:
    return hashlib.blake2b(
        b"%d\x00%s\x00%s" % (_SCHEMA, __version__.encode(), config_bytes), digest_size=16
    ).hexdigest()


def load_index(cache_dir: Path, key: str) -> Index:
    """The previous index head, or an empty index if missing, foreign or damaged."""
    try:
        reader = _Reader((cache_dir / _HEAD).read_bytes())
        raw = reader.next()
        if raw[0] != key:
            return Index(key)
        identities: dict[str, Identity] = {}
        for chunk in _chunks_from(reader):
            identities.update(chunk)
        outputs = {name: OutputRecord(*rec) for name, rec in raw[2].items()}
        future, next_due_ns, entry_count, warnings = raw[3]
        return Index(
            key, raw[1], identities, outputs, future, next_due_ns, entry_count, warnings,
            _body_path=cache_dir / _BODY,
        )  # fmt: skip
    except Exception:  # any damage at all means: start cold, never fail the build
        return Index(key)


def save_index(
    cache_dir: Path, index: Index, entries: Iterable[tuple[str, tuple[Any, ...]]]
) -> None:
    """Write body then head, each atomically; a cache that cannot be written is skipped.

    Large mappings are written in chunks of a few thousand items, so a
    100,000-entry index never exists as one serialised blob in memory.
    """
    written_ns = time.time_ns()
    try:
        cache_dir.mkdir(exist_ok=True)
        temp = cache_dir / f".{_BODY}.{os.getpid()}"
        with open(temp, "wb") as handle:
            _dump_one(handle, (index.key, written_ns))
            _dump_chunks(handle, entries)
            for name, spans in index.spans.items():
                _dump_one(handle, name)
                _dump_chunks(handle, spans.items())
            handle.write(_LENGTH.pack(0))
        os.replace(temp, cache_dir / _BODY)
        temp = cache_dir / f".{_HEAD}.{os.getpid()}"
        with open(temp, "wb") as handle:
            outputs = {n: (r.size, r.mtime_ns, r.signature) for n, r in index.outputs.items()}
            flags = (index.future, index.next_due_ns, index.entry_count, index.warnings)
            _dump_one(handle, (index.key, written_ns, outputs, flags))
            _dump_chunks(handle, index.identities.items())
        os.replace(temp, cache_dir / _HEAD)
    except OSError:
        pass  # the next build is simply cold


_CHUNK = 2000
_LENGTH = struct.Struct("<I")


def _dump_chunks(handle: BinaryIO, items: Iterable[tuple[str, Any]]) -> None:
    """Length-prefixed marshal chunks, ended by a zero length.

    Reading back with ``marshal.loads`` on slices of one buffer is several
    times faster than ``marshal.load`` on a file, which reads in tiny steps.
    """
    chunk: dict[str, Any] = {}
    for key, value in items:
        chunk[key] = value
        if len(chunk) >= _CHUNK:
            _dump_one(handle, chunk)
            chunk = {}
    _dump_one(handle, chunk)
    handle.write(_LENGTH.pack(0))


def _dump_one(handle: BinaryIO, value: Any) -> None:
    data = marshal.dumps(value)
    handle.write(_LENGTH.pack(len(data)))
    handle.write(data)


class _Reader:
    """Sequential reads of length-prefixed marshal records from one buffer."""

    def __init__(self, data: bytes) -> None:
        self.view = memoryview(data)
        self.at = 0

    def next(self) -> Any:
        (length,) = _LENGTH.unpack_from(self.view, self.at)
        self.at += _LENGTH.size
        if length == 0:
            return None
        value = marshal.loads(self.view[self.at : self.at + length])
        self.at += length
        return value


def _chunks_from(reader: _Reader) -> Iterator[dict[str, Any]]:
    while (chunk := reader.next()) is not None:
        yield chunk
