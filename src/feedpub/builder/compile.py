"""One entry file in, its checked entry and every format's fragment out.

This is all the work that depends on one file alone, so it runs in worker
processes and its result is cached by the file's identity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import Problem
from ..formats import entry_fragments
from ..model import Config, Entry
from ..read.entry import entry_from_bytes, read_entry_file


@dataclass(frozen=True, slots=True)
class Compiled:
    shown: str
    digest: str
    """SHA-256 of the file's bytes ("" when it could not be read)."""
    entry: Entry | None
    """None when the file has errors."""
    problems: tuple[Problem, ...] = ()
    fragments: tuple[tuple[str, bytes], ...] = ()
    """(format, bytes) for each configured format."""


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compile_file(path: str, shown: str, config: Config) -> Compiled:
    data, problem = read_entry_file(path, shown)
    if data is None:
        return Compiled(shown, "", None, (problem,) if problem else ())
    digest = file_digest(data)
    entry, problems = entry_from_bytes(data, path, shown, config)
    if entry is None:
        return Compiled(shown, digest, None, tuple(problems))
    fragments = tuple(entry_fragments(entry, config).items())
    if config.pages:
        from ..formats.pages import render_page

        fragments += (("page", render_page(entry, config)),)
    return Compiled(shown, digest, entry, tuple(problems), fragments)


def compile_chunk(config: Config, files: list[tuple[str, str]]) -> list[Compiled]:
    """Compile (path, shown) files in order: one task for a worker process."""
    return [compile_file(path, shown, config) for path, shown in files]
