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
_spills: list[BinaryIO] = []
_spill_paths: list[str] = []
_blobs: BinaryIO | None = None
_blobs_path = ""
_exported = -1
"""learnt_count() when this worker last sent its templates to the parent."""
_BUFFER = 1 << 20


def _init(config: Config, spill_dir: str) -> None:
    """Open the worker's spill files: one per format, and one for entry blobs.

    Apart, consecutive entries' fragments of one format lie one after
    another, so a document whose entries come in the order they were
    compiled is copied in long reads (see BuildState._compile), and saving
    the cache reads the blobs back in long runs too.
    """
    global _config, _spills, _spill_paths, _blobs, _blobs_path
    _config = config
    pid = os.getpid()
    _spill_paths = [os.path.join(spill_dir, f"{pid}.{fmt}") for fmt in config.formats]
    # Lives as long as the worker; written in large blocks, flushed per chunk.
    _spills = [open(path, "ab", buffering=_BUFFER) for path in _spill_paths]  # noqa: SIM115
    _blobs_path = os.path.join(spill_dir, f"{pid}.blobs")
    _blobs = open(_blobs_path, "ab", buffering=_BUFFER)  # noqa: SIM115


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
) -> tuple[list[str], list[int], str, int, list[_Result], _template.StoredTemplates]:
    """Compile in a worker; send fragments through spill files, not the pipe.

    Fragments are most of the data (gigabytes at 100,000 entries): writing
    them where the parent can read them back keeps both memory and the
    pickling cost of the result small. Results travel as plain tuples, a
    chunk at a time, which costs a fraction of one pickled object per entry.
    """
    assert _config is not None and _blobs is not None
    starts, blobs_start = [spill.tell() for spill in _spills], _blobs.tell()
    results = []
    for path, shown in items:
        compiled = compile_file(path, shown, _config)
        lengths = []
        for spill, data in zip(_spills, compiled.fragments, strict=False):
            spill.write(data)
            lengths.append(len(data))
        c = compiled
        if isinstance(c.entry, bytes):
            _blobs.write(c.entry)
            lengths.append(len(c.entry))  # the blob's length comes last
        results.append(
            (shown, c.digest, c.entry is not None, c.problems, c.digests, c.head, lengths)
        )
    for spill in _spills:
        spill.flush()  # the parent reads these once the chunk is reported
    _blobs.flush()
    global _exported
    learnt: _template.StoredTemplates = {}
    if _template.learnt_count() != _exported:  # new shapes: send them all again
        learnt, _exported = _template.export(_config), _template.learnt_count()
    return _spill_paths, starts, _blobs_path, blobs_start, results, learnt


def _chunked(items: Sequence[tuple[str, str]], workers: int) -> list[list[tuple[str, str]]]:
    """Chunks of about 1/32 of a worker's share, then smaller ones for the last
    tenth of the files: whichever worker finishes first takes the next, so
    small last chunks keep one core from idling while the other ends a
    large one (about 0.1 s at 10,000 entries)."""
    size = max(16, len(items) // (workers * 32))
    last = max(16, size // 8)
    tail_from = len(items) - len(items) // 10
    chunks, at = [], 0
    while at < len(items):
        step = size if at < tail_from else last
        chunks.append(list(items[at : at + step]))
        at += step
    return chunks


def import_pool() -> None:
    """What compile_many needs to start worker processes (about 20-40 ms of
    imports), imported now: a cold build does it while a child stats the files."""
    import multiprocessing  # noqa: F401
    from concurrent.futures import ProcessPoolExecutor  # noqa: F401


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
    chunks = _chunked(items, workers)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(config, str(spill_dir()))
    ) as pool:
        for spills, at, blobs, blob_at, results, learnt in pool.map(_compile_chunk, chunks):
            _template.adopt(config, learnt)  # so that the cache keeps them
            spills, blobs = [sys.intern(spill) for spill in spills], sys.intern(blobs)
            for shown, digest, has_entry, problems, digests, head, lengths in results:
                entry = None
                if has_entry:
                    entry = (blobs, blob_at, lengths[-1])
                    blob_at += lengths.pop()
                spilled = []
                for number, length in enumerate(lengths):
                    spilled.append((spills[number], at[number], length))
                    at[number] += length
                yield Compiled(shown, digest, entry, problems, digests, head, (), tuple(spilled))
    gc.unfreeze()
