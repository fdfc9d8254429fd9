"""Compile many entry files, on every core when there are enough of them."""

from __future__ import annotations

import gc
import marshal
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .compile import Compiled, compile_file, import_compilers
from .errors import FeedpubError
from .model import Config
from .records import HeaderTuple, ProblemTuple
from .render import _template

PARALLEL_THRESHOLD = 300
"""Below this many files, starting worker processes costs more than it saves."""
MAX_WORKERS = 32
"""At most this many processes (their chunk numbers must fit in a pipe at once)."""

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
    """Compile in a worker; fragments and blobs go to spill files, not the answer.

    Fragments are most of the data (gigabytes at 100,000 entries): writing
    them where the parent can read them back keeps both memory and the
    cost of the answer small. The rest travels as plain tuples (marshal
    data), a chunk at a time.
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


class Compiling:
    """``(path, shown)`` pairs being compiled: iterate for the results, in the
    same order; ``close()`` (or leaving the ``with``) stops what is left.

    The workers start at once, not when the first result is asked for: a
    cold build starts them before it stats the files.
    Iterating yields one result at a time, so the caller can keep what it
    needs of each and drop the rest before the next one arrives.
    """

    def __init__(
        self,
        items: Sequence[tuple[str, str]],
        config: Config,
        spill_dir: Callable[[], Path],
        jobs: int | None = None,
    ) -> None:
        self.items, self._config = items, config
        self._pool: _Pool | None = None
        workers = min(jobs if jobs is not None else (os.cpu_count() or 1), MAX_WORKERS)
        if workers <= 1 or len(items) < PARALLEL_THRESHOLD or not hasattr(os, "fork"):
            return  # compiled here, one by one, as they are asked for
        # Load the per-entry libraries once, here, and let fork share them; and
        # keep the inherited objects out of the workers' garbage collection, which
        # would otherwise touch (and so copy) every page of them.
        import_compilers()
        gc.freeze()
        try:
            self._pool = _Pool(workers, _chunked(items, workers), config, str(spill_dir()))
        except BaseException:
            gc.unfreeze()
            raise

    def __iter__(self) -> Iterator[Compiled]:
        if self._pool is None:
            for path, shown in self.items:
                yield compile_file(path, shown, self._config)
            return
        config = self._config
        for spills, at, blobs, blob_at, results, learnt in self._pool.results():
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

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
            gc.unfreeze()

    def __enter__(self) -> Compiling:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_Chunk = list[tuple[str, str]]


class _Pool:
    """Worker processes forked from this one, sharing out chunks of files.

    The chunk numbers wait in one pipe that every worker reads two bytes at
    a time (a pipe hands each read whole, to one reader), so whoever is free
    takes the next; each answers in a file of its own (marshal data), with a
    short notice through its own pipe.
    Lighter than concurrent.futures' process pool (whose modules cost a cold
    build 35 ms, and which pickles through a thread of its own) and it
    needs nothing more: the work never changes while it runs.
    """

    def __init__(self, count: int, chunks: list[_Chunk], config: Config, folder: str) -> None:
        numbers = b"".join(number.to_bytes(2, "little") for number in range(len(chunks)))
        assert len(numbers) <= 4096, "the chunk numbers fit in a pipe's buffer at once"
        todo, writing = os.pipe()
        os.write(writing, numbers)
        os.close(writing)
        self._chunks, self._folder = len(chunks), folder
        self._done = False
        self._children: dict[int, int] = {}  # answering pipe -> pid
        try:
            for _ in range(count):
                reading, answering = os.pipe()
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child: coverage cannot follow it
                    for other in self._children:
                        os.close(other)
                    os.close(reading)
                    _serve(todo, answering, chunks, config, folder)
                os.close(answering)
                self._children[reading] = pid
        except BaseException:
            self.close()
            raise
        finally:
            os.close(todo)

    def results(self) -> Iterator[_ChunkResult]:
        """Each chunk's result, in chunk order."""
        import select

        waiting: dict[int, tuple[int, int, int]] = {}  # number -> (answers file, offset, length)
        expected = 0
        open_pipes = list(self._children)
        answers: dict[int, int] = {}  # pipe -> the worker's answers file, open
        try:
            while expected < self._chunks:
                if expected in waiting:
                    self._done = expected + 1 == self._chunks
                    yield marshal.loads(os.pread(*waiting.pop(expected)))
                    expected += 1
                    continue
                if not open_pipes:
                    raise FeedpubError.one(
                        "a worker process ended before its work was done",
                        hint="the system may have stopped it (short of memory?); build again",
                    )
                ready, _, _ = select.select(open_pipes, [], [])
                for pipe in ready:
                    notice = _notice(pipe)
                    if notice is None:
                        open_pipes.remove(pipe)
                        continue
                    if pipe not in answers:
                        path = _answers_path(self._folder, self._children[pipe])
                        answers[pipe] = os.open(path, os.O_RDONLY)
                    number, offset, length = notice
                    if number < 0:
                        from .forked import rebuilt

                        raise rebuilt(marshal.loads(os.pread(answers[pipe], length, offset)))
                    waiting[number] = (answers[pipe], length, offset)
        finally:
            for fd in answers.values():
                os.close(fd)

    def close(self) -> None:
        """Reap the workers, stopping them first if their work is not all done
        (after an error, or when the caller wants no more)."""
        import signal

        for pipe, pid in self._children.items():
            os.close(pipe)
            if not self._done:
                os.kill(pid, signal.SIGKILL)
        for pid in self._children.values():
            os.waitpid(pid, 0)
        self._children = {}


_ChunkResult = tuple[list[str], list[int], str, int, list[_Result], _template.StoredTemplates]
_NOTICE = 20
"""A worker's notice of an answer: chunk number (-1 for a failure), where the
answer lies in its answers file, and its length (4 + 8 + 8 bytes)."""


def _answers_path(folder: str, pid: int) -> str:
    return os.path.join(folder, f"{pid}.answers")


def _serve(todo: int, answering: int, chunks: list[_Chunk], config: Config, folder: str) -> None:
    """A worker's life: take chunk numbers until there are none, answer each.

    Answers go to a file and only a short notice through the pipe, which
    then never fills: a worker never waits for the parent to read.
    """
    code = 1
    try:
        answers = os.open(_answers_path(folder, os.getpid()), _ANSWERS_FLAGS, 0o600)
        at = 0

        def answer(number: int, value: Any) -> None:
            nonlocal at
            data = memoryview(marshal.dumps(value))
            length = len(data)
            while data:
                data = data[os.write(answers, data) :]
            notice = number.to_bytes(4, "little", signed=True)
            os.write(answering, notice + at.to_bytes(8, "little") + length.to_bytes(8, "little"))
            at += length

        try:
            _init(config, folder)
            while number_bytes := os.read(todo, 2):
                number = int.from_bytes(number_bytes, "little")
                answer(number, _compile_chunk(chunks[number]))
            code = 0
        except BaseException as exc:
            from .forked import described

            answer(-1, described(exc))
    finally:
        os._exit(code)


_ANSWERS_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
"""(Truncated: a worker of a pool stopped earlier in the build may have had this pid.)"""


def _notice(fd: int) -> tuple[int, int, int] | None:
    """(chunk number, offset, length) from a worker's pipe, or None at its end.

    A notice is written whole, in one write shorter than a pipe's atomic
    size, so it is read whole too.
    """
    data = os.read(fd, _NOTICE)
    if len(data) < _NOTICE:
        return None  # the worker ended (a partial notice only if it died writing it)
    number = int.from_bytes(data[:4], "little", signed=True)
    return number, int.from_bytes(data[4:12], "little"), int.from_bytes(data[12:], "little")
