"""Compile many entry files, on every core when there are enough of them."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from .compile import Compiled, compile_file
from .model import Config

PARALLEL_THRESHOLD = 300
"""Below this many files, starting worker processes costs more than it saves."""

_config: Config | None = None
_spill: BinaryIO | None = None
_spill_path = ""


def _init(config: Config, spill_dir: str) -> None:
    global _config, _spill, _spill_path
    _config = config
    _spill_path = os.path.join(spill_dir, f"{os.getpid()}.bin")
    _spill = open(_spill_path, "ab")  # noqa: SIM115 - lives as long as the worker


def _compile_one(item: tuple[str, str]) -> Compiled:
    """Compile in a worker; send fragments through a spill file, not the pipe.

    Fragments are most of the data (gigabytes at 100,000 entries): writing
    them where the parent can read them back keeps both memory and the
    pickling cost of the result small.
    """
    assert _config is not None and _spill is not None
    compiled = compile_file(item[0], item[1], _config)
    spilled = []
    for data in compiled.fragments:
        offset = _spill.tell()
        _spill.write(data)
        spilled.append((_spill_path, offset, len(data)))
    _spill.flush()
    return replace(compiled, fragments=(), spilled=tuple(spilled))


def compile_many(
    items: Sequence[tuple[str, str]],
    config: Config,
    spill_dir: Path,
    jobs: int | None = None,
) -> Iterator[Compiled]:
    """Compile ``(path, shown)`` pairs, yielding results in the same order.

    A generator, so the caller can keep what it needs of each result and
    drop the rest before the next one arrives.
    """
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
        for path, shown in items:
            yield compile_file(path, shown, config)
        return
    # fork shares the already-imported modules; the config travels once.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(config, str(spill_dir))
    ) as pool:
        chunk = max(16, len(items) // (workers * 8))
        yield from pool.map(_compile_one, items, chunksize=chunk)
