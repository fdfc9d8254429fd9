"""The cache's on-disk format, and reading its small ``head``.

Kept apart from cache.py and free of heavy imports (no dataclasses, no
typing, no hashlib's OpenSSL) because a rebuild with nothing to do reads
the head and stops: its whole cost is Python start-up plus this module.

Files are sequences of length-prefixed ``marshal`` records (never pickle:
a tampered cache cannot run code). The body keeps entries as columns
(see table.py), so even 100,000 entries are a handful of records.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys

try:  # the module hashlib wraps, without hashlib's OpenSSL start-up cost
    from _blake2 import blake2b as blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b as blake2b
from array import array

from . import __version__

TYPE_CHECKING = False  # not typing's: this module must import nothing heavy
if TYPE_CHECKING:
    from typing import Any, BinaryIO, Protocol

    class Writable(Protocol):
        def write(self, data: bytes, /) -> int: ...


CACHE_DIR = ".feedpub-cache"
HEAD = "head.marshal"
BODIES = ("body.0.marshal", "body.1.marshal")
"""The body's two files: a build overwrites the one the head does not name (see
cache.save_body), then names it in the new head."""
SCHEMA = 19
RACY_NS = 2_000_000_000
"""Files modified this close to the index write are re-hashed, not trusted by stat."""

_LENGTH = struct.Struct("<I")

Identity = tuple[int, int, int, str]
"""(size, mtime_ns, inode, content digest) of an entry file."""


def cache_dir_for(out: str | os.PathLike[str]) -> str:
    """The cache lives beside the output folder (never inside what gets published)."""
    return os.path.join(os.path.dirname(os.path.abspath(out)), CACHE_DIR)


_DIGEST_CHARS = 32
_NO_DIGEST = "-" * _DIGEST_CHARS


def digest(data: bytes | memoryview) -> str:
    """The content hash of entry files and fragments: SHA-256, cut to 128 bits.

    A cold build hashes every entry file and fragment, and adding an entry
    to a feed of all entries re-hashes every fragment it copies from the
    previous file: OpenSSL's SHA-256, which uses the SHA instructions of
    current x86 and ARM processors, does that 2.4x faster than BLAKE2b here
    (6.5 against 16 microseconds per 7 KB). Loading OpenSSL costs about 5 ms,
    more than a small build hashes, so the first megabyte goes through
    Python's own SHA-256 (the same function, slower per byte, loaded in 0.5 ms).
    """
    global _sha256, _hashed
    if _hashed < _OPENSSL_FROM:
        _hashed += len(data)
        # Looked up once each: a failed import (no _sha2 before 3.12) is not
        # remembered, and searched sys.path again on every call (0.25 ms).
        if _hashed >= _OPENSSL_FROM:
            _sha256 = _openssl_sha256()
        elif _sha256 is None:
            _sha256 = _builtin_sha256()
    hexadecimal: str = _sha256(data).hexdigest()
    return hexadecimal[:_DIGEST_CHARS]


_OPENSSL_FROM = 1 << 20
_hashed = 0
_sha256: Any = None


def _builtin_sha256() -> Any:
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore] # 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
        except ImportError:  # pragma: no cover - a Python built without it
            return _openssl_sha256()
    return sha256


def _openssl_sha256() -> Any:
    try:
        from _hashlib import openssl_sha256
    except ImportError:  # pragma: no cover - a Python built without OpenSSL
        from hashlib import sha256 as openssl_sha256
    return openssl_sha256


def cache_key(config_bytes: bytes) -> str:
    """A cache is only valid for the same feedpub, cache format, config and
    versions of the libraries that write what the feeds hold."""
    material = b"%d\x00%s\x00%s\x00%s" % (
        SCHEMA,
        __version__.encode(),
        library_versions().encode(),
        config_bytes,
    )
    return blake2b(material, digest_size=16).hexdigest()


RENDERING_LIBRARIES = ("pyromark", "nh3", "feedgen", "lxml", "pyyaml")
"""Distributions whose upgrade can change a fragment's bytes (or how a file reads)."""


def library_versions(path: list[str] | None = None) -> str:
    """``name-version`` of each RENDERING_LIBRARIES distribution found, from the
    names of their metadata folders on ``path`` (default sys.path), first
    found winning, as for imports.

    A rebuild with nothing to do imports none of these libraries, and
    importlib.metadata costs about as much as the rest of such a rebuild:
    listing the few folders on the path costs a fraction of a millisecond.
    A library found nowhere counts as "-" (the key then changes when it appears).
    """
    wanted = {name: "-" for name in RENDERING_LIBRARIES}
    missing = set(wanted)
    for folder in sys.path if path is None else path:
        if not missing:
            break
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                project, _, version = name.rpartition(".")[0].partition("-")
                project = project.lower().replace("_", "-")
                if project in missing:
                    wanted[project] = version.partition("-")[0]  # (egg-info: "-py3.11")
                    missing.discard(project)
    return " ".join(f"{name}-{version}" for name, version in wanted.items())


class Head:
    """What the last build wrote to ``head.marshal``: enough to decide a no-op.

    The entry files are kept as flat values a no-op compares in one step:
    their names joined by NUL characters and their (size, mtime_ns, inode)
    as one array of 64-bit integers. Their content hashes (fixed-length hex),
    needed only when a file was touched or a build has work to do, are one
    string too, split on demand.
    """

    __slots__ = (
        "_digests",
        "_files",
        "body",
        "entry_count",
        "future",
        "names",
        "next_due_ns",
        "outputs",
        "stats",
        "warnings",
        "written_ns",
    )

    def __init__(
        self,
        written_ns: int = 0,
        outputs: dict[str, tuple[int, int, str]] | None = None,
        flags: tuple[Any, ...] = (False, None, 0, (), 0),
    ) -> None:
        self.written_ns = written_ns
        self.outputs = outputs or {}
        """Output file name -> (size, mtime_ns, signature of its inputs)."""
        self.future: bool = flags[0]
        """The --future flag of that build: it changes what was published."""
        self.next_due_ns: int | None = flags[1]
        """When the earliest future-dated entry becomes due (None: there is none)."""
        self.entry_count: int = flags[2]
        """Entries in the main document."""
        self.warnings: tuple[tuple[Any, ...], ...] = flags[3]
        """That build's warnings, so a no-op rebuild repeats them without the body."""
        self.body: int = flags[4]
        """Which of BODIES holds that build's body."""
        self.names = ""
        """Every entry file (entries/...), sorted, joined by NUL characters."""
        self.stats = array("q")
        """(size, mtime_ns, inode) of each of ``names``, flat."""
        self._digests = ""
        self._files: tuple[str, list[str]] | None = None

    @property
    def files(self) -> list[str]:
        """``names`` as a list (split once; do not modify it)."""
        names = self.names
        if self._files is None or self._files[0] is not names:
            self._files = (names, names.split("\0") if names else [])
        return self._files[1]

    def digest_of(self, name: str) -> str | None:
        """The recorded content hash of one entry file (None if it was not there)."""
        padded = f"\0{self.names}\0"
        at = padded.find(f"\0{name}\0")
        if at < 0:
            return None
        number = padded.count("\0", 0, at)
        return self._digests[_DIGEST_CHARS * number : _DIGEST_CHARS * (number + 1)]

    def set_files(self, names: list[str], stats: array[int], digests: list[str]) -> None:
        """The entry files this build saw: sorted names, flat stats, content hashes."""
        self.names = "\0".join(names)
        self.stats = array("q", stats)
        # A file that could not be read has no digest: one that matches nothing.
        self._digests = "".join(
            value if len(value) == _DIGEST_CHARS else _NO_DIGEST for value in digests
        )

    def flags(self) -> tuple[Any, ...]:
        return (self.future, self.next_due_ns, self.entry_count, self.warnings, self.body)

    def outputs_intact(self, out: str) -> bool:
        """Every file the last build wrote is still the one it wrote."""
        for name, (size, mtime_ns, _) in self.outputs.items():
            try:
                stat = os.stat(os.path.join(out, name))
            except OSError:
                return False
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
                return False
        return True


def read_head(cache_dir: str, key: str) -> Head | None:
    """The last build's head, or None if missing, foreign or damaged."""
    try:
        with open(os.path.join(cache_dir, HEAD), "rb") as handle:
            reader = Reader(handle.read())
        raw = reader.next()
        if raw[0] != key:
            return None
        head = Head(raw[1], raw[2], raw[3])
        head.names, stats, head._digests = reader.next()
        head.stats.frombytes(stats)
        count = head.names.count("\0") + 1 if head.names else 0
        if len(head.stats) != 3 * count or len(head._digests) != _DIGEST_CHARS * count:
            return None
        if head.body not in (0, 1):
            return None
        return head
    except Exception:  # any damage at all means: start cold, never fail the build
        return None


def write_head(handle: BinaryIO, key: str, head: Head) -> None:
    dump_one(handle, (key, head.written_ns, head.outputs, head.flags()))
    dump_one(handle, (head.names, head.stats.tobytes(), head._digests))


def dump_one(handle: Writable, value: Any) -> None:
    data = marshal.dumps(value)
    handle.write(_LENGTH.pack(len(data)))
    handle.write(data)


class Reader:
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
