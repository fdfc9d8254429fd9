"""Compile many entry files, on every core when there are enough of them."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from .compile import Compiled, compile_file, import_compilers
from .model import Config
from .records import HeaderTuple, ProblemTuple
from .render import _template

PARALLEL_THRESHOLD = 300
"""Below this many files, starting worker processes costs more than it saves."""

_config: Config | None = None
_spill: BinaryIO | None = None
_spill_path = ""
_blobs: BinaryIO | None = None
_blobs_path = ""


def _init(config: Config, spill_dir: str) -> None:
    global _config, _spill, _spill_path, _blobs, _blobs_path
    _config = config
    _spill_path = os.path.join(spill_dir, f"{os.getpid()}.bin")
    _spill = open(_spill_path, "ab")  # noqa: SIM115 - lives as long as the worker
    # Entry blobs apart from fragments: consecutive entries' blobs stay
    # consecutive, so saving the cache reads them back in long runs.
    _blobs_path = os.path.join(spill_dir, f"{os.getpid()}.blobs")
    _blobs = open(_blobs_path, "ab")  # noqa: SIM115 - lives as long as the worker


_Result = tuple[
    str,
    str,
    bool,
    tuple[ProblemTuple, ...],
    tuple[str, ...],
    HeaderTuple | None,
    list[int],
]


def _compile_chunk(
    items: list[tuple[str, str]],
) -> tuple[str, int, str, int, list[_Result], _template.StoredTemplates]:
    """Compile in a worker; send fragments through a spill file, not the pipe.

    Fragments are most of the data (gigabytes at 100,000 entries): writing
    them where the parent can read them back keeps both memory and the
    pickling cost of the result small. Results travel as plain tuples, a
    chunk at a time, which costs a fraction of one pickled object per entry.
    """
    assert _config is not None and _spill is not None and _blobs is not None
    start, blobs_start = _spill.tell(), _blobs.tell()
    results = []
    for path, shown in items:
        compiled = compile_file(path, shown, _config)
        lengths = []
        for data in compiled.fragments:
            _spill.write(data)
            lengths.append(len(data))
        c = compiled
        if isinstance(c.entry, bytes):
            _blobs.write(c.entry)
            lengths.append(len(c.entry))  # the blob's length comes last
        results.append(
            (shown, c.digest, c.entry is not None, c.problems, c.digests, c.head, lengths)
        )
    _spill.flush()  # the parent reads these once the chunk is reported
    _blobs.flush()
    return _spill_path, start, _blobs_path, blobs_start, results, _template.export(_config)


def compile_many(
    items: Sequence[tuple[str, str]],
    config: Config,
    spill_dir: Callable[[], Path],
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
    # Load the per-entry libraries once, here, and let fork share them; and
    # keep the inherited objects out of the workers' garbage collection, which
    # would otherwise touch (and so copy) every page of them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import_compilers()
    gc.freeze()
    size = max(16, len(items) // (workers * 32))
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(config, str(spill_dir()))
    ) as pool:
        for spill, at, blobs, blob_at, results, learnt in pool.map(_compile_chunk, chunks):
            _template.adopt(config, learnt)  # so that the cache keeps them
            spill, blobs = sys.intern(spill), sys.intern(blobs)
            for shown, digest, has_entry, problems, digests, head, lengths in results:
                entry = None
                if has_entry:
                    entry = (blobs, blob_at, lengths[-1])
                    blob_at += lengths.pop()
                spilled = []
                for length in lengths:
                    spilled.append((spill, at, length))
                    at += length
                yield Compiled(shown, digest, entry, problems, digests, head, (), tuple(spilled))
    gc.unfreeze()
