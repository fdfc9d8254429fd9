"""Per-entry work: one file in, a checked entry and its rendered fragments out.

This is everything a build does that depends on one entry file alone, so
it runs in worker processes and its result is cached by the file's
identity. Renderers are imported on first use inside the worker.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from .entries import entry_from_bytes
from .errors import Problem
from .model import Compiled, Config


def fragment_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def compile_file(path: Path, shown: str, config: Config) -> Compiled:
    from .render import entry_fragments

    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem(shown, 1, None, f"cannot read file: {exc.strerror}")
        return Compiled(shown, "", None, (), (problem,))
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    entry, problems = entry_from_bytes(data, path, shown, config)
    if entry is None:
        return Compiled(shown, digest, None, (), tuple(problems))
    fragments = entry_fragments(entry, config)
    return Compiled(shown, digest, replace(entry, content_html=None), fragments, tuple(problems))
