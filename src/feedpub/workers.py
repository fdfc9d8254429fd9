"""Compile many entry files, on every core when there are enough of them."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .compile import compile_file
from .model import Compiled, Config

PARALLEL_THRESHOLD = 300
"""Below this many files, starting worker processes costs more than it saves."""

_config: Config | None = None


def _init(config: Config) -> None:
    global _config
    _config = config


def _compile_one(item: tuple[Path, str]) -> Compiled:
    assert _config is not None
    return compile_file(item[0], item[1], _config)


def compile_many(
    items: Sequence[tuple[Path, str]], config: Config, jobs: int | None = None
) -> list[Compiled]:
    """Compile ``(path, shown)`` pairs; results come back in the same order."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
        return [compile_file(path, shown, config) for path, shown in items]
    # fork shares the already-imported modules; the config travels once.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(config,)
    ) as pool:
        chunk = max(16, len(items) // (workers * 8))
        return list(pool.map(_compile_one, items, chunksize=chunk))
