"""One entry file in, its checked entry and every format's fragment out.

This is all the work that depends on one file alone, so it runs in worker
processes and its result is cached by the file's identity.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..errors import Problem
from ..formats import entry_fragments, get_format
from ..formats.archives import microseconds
from ..model import Config, Entry
from ..read.entry import entry_from_bytes, read_entry_file


@dataclass(frozen=True, slots=True)
class Record:
    """What the cache keeps of a valid entry besides its fragments: the fields
    planning needs, and the entry as JSON without its body (which the fragments hold)."""

    id: str
    link: str | None
    draft: bool
    date_us: int
    modified_us: int
    modified: str
    entry_json: str

    @classmethod
    def of(cls, entry: Entry) -> Record:
        stored = entry.to_json()
        stored["content_html"] = None
        return cls(
            entry.id, entry.link, entry.draft, microseconds(entry.date),
            microseconds(entry.modified), entry.modified.isoformat(),
            json.dumps(stored, ensure_ascii=False),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Compiled:
    """One entry file's result: small, as it travels from a worker to the build."""

    shown: str
    digest: str
    """SHA-256 of the file's bytes ("" when it could not be read)."""
    record: Record | None
    """None when the file has errors."""
    problems: tuple[Problem, ...] = ()
    fragments: tuple[tuple[str, bytes], ...] = ()
    """(format, bytes) for each configured format (and "page")."""


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
    return Compiled(shown, digest, Record.of(entry), tuple(problems), fragments)


def load_renderers(config: Config) -> None:
    """Import every renderer a compile needs now, before worker processes are started:
    forked workers then share them instead of each importing them again."""
    for name in config.formats:
        get_format(name)
    if config.pages:
        from ..formats import pages  # noqa: F401


def compile_chunk(config: Config, files: list[tuple[str, str]]) -> list[Compiled]:
    """Compile (path, shown) files in order: one task for a worker process."""
    return [compile_file(path, shown, config) for path, shown in files]
