"""Compile many entry files on every core with concurrent.futures.

Only cold builds and large edits have enough files to pay for starting
worker processes; small rebuilds compile in the build's own process.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from functools import partial

from ..model import Config
from .compile import Compiled, compile_chunk, compile_file, load_renderers

PARALLEL_MIN_FILES = 200
"""Fewer files than this compile in-process: starting workers costs about as much."""
CHUNK = 64
"""Files per task: large enough to amortise a task's messages, small enough to balance."""


def compile_files(
    files: list[tuple[str, str]],
    config: Config,
    jobs: int | None = None,
    progress: Callable[[], None] | None = None,
) -> Iterator[Compiled]:
    """Compiled files in the order given, from worker processes when there are many."""
    workers = min(jobs or os.cpu_count() or 1, 32)
    if workers < 2 or len(files) < PARALLEL_MIN_FILES:
        for path, shown in files:
            yield compile_file(path, shown, config)
            if progress is not None:
                progress()
        return
    import multiprocessing  # only here: a rebuild of a few files starts no worker
    from concurrent.futures import ProcessPoolExecutor

    load_renderers(config)
    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    # fork is the cheapest start and safe while this process runs one thread;
    # with threads (serve), a fork could copy a held lock, so forkserver then.
    method = "fork" if threading.active_count() == 1 and os.name == "posix" else None
    if method is None and "forkserver" in multiprocessing.get_all_start_methods():
        method = "forkserver"
    context = multiprocessing.get_context(method)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_leave_ctrl_c_to_the_build)
    try:
        for results in pool.map(partial(compile_chunk, config), chunks):
            for compiled in results:
                yield compiled
                if progress is not None:
                    progress()
    finally:  # on Ctrl-C or an error too: no chunk more, and no worker left behind
        pool.shutdown(wait=True, cancel_futures=True)


def _leave_ctrl_c_to_the_build() -> None:
    """Workers ignore Ctrl-C (the terminal sends it to them too): the build stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def file_digests(paths: list[str]) -> list[str | None]:
    """SHA-256 of each file (None if unreadable): after a copy or a clone every file is
    checked once. In one thread: for many small files, threads only contend for the GIL."""
    return [_digest(path) for path in paths]


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256()
            while block := handle.read(1 << 20):
                digest.update(block)
            return digest.hexdigest()
    except OSError:
        return None
