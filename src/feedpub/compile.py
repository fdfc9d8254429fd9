"""Per-entry work: one file in, its checked record and rendered fragments out.

This is everything a build does that depends on one entry file alone, so
it runs in worker processes and its result is cached by the file's
identity. The result is plain tuples and bytes: cheap to send between
processes and to store.
"""

from __future__ import annotations

import os
from pathlib import Path

from .cachefile import digest
from .entries import entry_from_bytes
from .fragments import fragment_digest
from .model import Config
from .records import (
    BlobPlace,
    EntryBlob,
    HeaderTuple,
    ProblemTuple,
    encode_problem,
    header_tuple,
    pack_entry,
)
from .render import entry_fragments
from .slots import frozen


@frozen
class Compiled:
    path: str
    """The entry file as shown in messages (relative to the site root)."""
    digest: str
    """Hash of the file's bytes."""
    entry: EntryBlob | BlobPlace | None
    """The checked entry (records.pack_entry) or where a worker spilled it; None if errors."""
    problems: tuple[ProblemTuple, ...]
    digests: tuple[str, ...] = ()
    """Digest of each format's fragment, in config order."""
    head: HeaderTuple | None = None
    """records.header_tuple of the entry."""
    fragments: tuple[bytes, ...] = ()
    """The fragments themselves (empty when a worker spilled them to a file)."""
    spilled: tuple[tuple[str, int, int], ...] = ()
    """Where a worker wrote the fragments instead: (file, offset, length) each."""


def import_compilers(feedgen: bool = True) -> None:
    """What compile_file needs, imported now (before forking workers, or while
    waiting for something else). Without ``feedgen``, only what an entry of a
    shape with a known template needs: not lxml, not feedgen."""
    from . import entries, markup, render  # noqa: F401
    from .render import _template  # noqa: F401

    if feedgen:
        from .render import _entry  # noqa: F401


def read_file(path: str | Path) -> bytes:
    """The file's bytes, through the system calls alone: an entry file is a few
    KB, and a buffered file object costs more than reading it (10 against 20-50
    microseconds, once per entry of a cold build)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        data = os.read(fd, _FIRST_READ)
        if len(data) == _FIRST_READ:
            parts = [data]
            while part := os.read(fd, 1 << 20):
                parts.append(part)
            data = b"".join(parts)
        return data
    finally:
        os.close(fd)


_FIRST_READ = 1 << 16
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def compile_file(path: str | Path, shown: str, config: Config) -> Compiled:
    try:
        data = read_file(path)
    except OSError as exc:
        problem = (shown, 1, None, f"cannot read file: {exc.strerror}", None, "error")
        return Compiled(shown, "", None, (problem,))
    file_digest = digest(data)
    entry, problems = entry_from_bytes(data, path, shown, config)
    found = tuple(map(encode_problem, problems)) if problems else ()
    if entry is None:
        return Compiled(shown, file_digest, None, found)
    fragments = entry_fragments(entry, config)
    digests = tuple(map(fragment_digest, fragments))
    head = header_tuple(entry)
    return Compiled(shown, file_digest, pack_entry(entry), found, digests, head, fragments)
