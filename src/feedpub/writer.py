"""The only code that touches the output folder.

Every file of a build is first written in full to a temporary file beside
its target and fsynced; only when all of them are safely on disk are they
renamed into place, and if a rename fails the files already replaced are
rolled back. A build that fails or is interrupted leaves the previous
output exactly as it was. Files whose bytes did not change are not
replaced, so their modification times (and HTTP caches) stay valid.
Documents arrive as chunks, so a 700 MB feed is never held in memory.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Protocol

from .errors import OutputError

TEMP_PREFIX = ".feedpub-tmp-"
_BLOCK = 1 << 20
_SYNC_EVERY = 16 << 20


class Chunked(Protocol):
    def chunks(self) -> Iterator[bytes]: ...

    def size(self) -> int:
        """How many bytes ``chunks`` gives (to share the work of writing)."""
        ...


Source = bytes | Chunked


def _chunks(source: Source) -> Iterable[bytes]:
    return (source,) if isinstance(source, bytes) else source.chunks()


def stale_files(out_dir: Path, files: Mapping[str, Source]) -> list[str]:
    """Names whose new bytes differ from what ``out_dir`` holds; writes nothing."""
    return sorted(name for name, source in files.items() if _differs(out_dir / name, source))


def _differs(target: Path, source: Source) -> bool:
    try:
        with open(target, "rb") as handle:
            for chunk in _chunks(source):
                if handle.read(len(chunk)) != chunk:
                    return True
            return handle.read(1) != b""
    except OSError:
        return True


def write_files(
    out_dir: Path,
    files: Mapping[str, Source],
    remove: Iterable[str] = (),
    meanwhile: Callable[[], None] | None = None,
) -> list[str]:
    """Atomically replace changed files under ``out_dir``; return their names.

    ``remove`` names files of earlier builds that this one no longer makes
    (archive pages after entries were deleted); they go only after every
    new file is in place. ``meanwhile`` runs while the files are written
    (maybe by another process: it must not change their sources), before
    any is renamed into place.
    """
    staged = _stage_all(out_dir, files, meanwhile)
    backups: list[tuple[Path, Path | None]] = []
    try:
        for temp, target in staged.values():
            backups.append((target, _backup(target)))
            os.replace(temp, target)
    except OSError as exc:
        _roll_back(list(staged.values()), backups)
        raise _output_error(out_dir, exc) from exc
    for _, backup in backups:
        if backup is not None:
            backup.unlink(missing_ok=True)
    for name in remove:
        (out_dir / name).unlink(missing_ok=True)
    return sorted(staged)


def _output_error(out_dir: Path, exc: OSError) -> OutputError:
    return OutputError.one(
        f"cannot write {exc.filename or out_dir}: {exc.strerror}",
        path=str(out_dir),
        hint="check that the folder is writable and has space; the previous output is intact",
    )


def _stage_all(
    out_dir: Path, files: Mapping[str, Source], meanwhile: Callable[[], None] | None = None
) -> dict[str, tuple[Path, Path]]:
    """Write every file to a temp file; keep (temp, target) for those that differ.

    When there is much to write, a forked child writes part of the files
    while this process writes the rest and runs ``meanwhile``: two large
    feeds are put together (and fragments from old files re-hashed) on two
    cores at once. Each temp file is
    fsynced in a background thread while the next one is written (fsync
    waits on the disk, not the CPU); all are on disk before this returns.
    """
    items = list(files.items())
    theirs, ours = _shared(items)
    child = None
    if theirs:
        from .forked import Child

        child = Child(partial(_stage_some, out_dir, theirs))
    temps: list[tuple[str, str]] = []
    failure: BaseException | None = None
    try:
        temps += _stage_some(out_dir, ours, meanwhile)
    except BaseException as exc:
        failure = exc
    if child is not None:
        answer, child_failure = child.result()
        temps += answer or ()
        failure = failure or child_failure
    staged = {name: (Path(temp), out_dir / name) for name, temp in temps}
    if failure is not None:
        for temp, _ in staged.values():
            temp.unlink(missing_ok=True)
        if isinstance(failure, OSError):
            raise _output_error(out_dir, failure) from failure
        raise failure
    return {name: staged[name] for name, _ in items if name in staged}


def _stage_some(
    out_dir: Path, items: list[tuple[str, Source]], meanwhile: Callable[[], None] | None = None
) -> list[tuple[str, str]]:
    """Stage ``items`` one after another, then run ``meanwhile``; (name, temp) of
    those that differ, all synced. On failure no temp of them is left."""
    staged: list[tuple[str, str]] = []
    syncer = _Syncer()
    try:
        try:
            for name, source in items:
                target = out_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                temp = _stage(target, _chunks(source), syncer.submit_part)
                if _same_bytes(temp, target):
                    temp.unlink()
                else:
                    staged.append((name, str(temp)))
                    syncer.submit(temp)
            if meanwhile is not None:
                meanwhile()
        finally:
            syncer.wait()
    except BaseException:
        for _, written in staged:
            Path(written).unlink(missing_ok=True)
        raise
    return staged


_SHARE_FROM = 16 << 20
"""Bytes to write from which a second process pays (a fork costs a few ms)."""


def _shared(items: list[tuple[str, Source]]) -> tuple[list[tuple[str, Source]], ...]:
    """The files a child process should write, and the rest: about half the
    bytes, the largest files first, when there is much to write and forking is
    safe now; otherwise none."""
    from .forked import available

    sizes = [len(source) if isinstance(source, bytes) else source.size() for _, source in items]
    if sum(sizes) < _SHARE_FROM or not available():
        return [], items
    theirs: set[int] = set()
    load = [0, 0]  # theirs, ours: ours also runs ``meanwhile``, so theirs goes first
    for number in sorted(range(len(items)), key=sizes.__getitem__, reverse=True):
        if load[0] <= load[1]:
            theirs.add(number)
        load[number not in theirs] += sizes[number]
    return (
        [item for number, item in enumerate(items) if number in theirs],
        [item for number, item in enumerate(items) if number not in theirs],
    )


def _stage(
    target: Path, chunks: Iterable[bytes], sync: Callable[[int], None] | None = None
) -> Path:
    """Write ``chunks`` to a new temp file beside ``target``.

    With ``sync``, every ``_SYNC_EVERY`` bytes of a large file it is handed
    a duplicate of the open file to sync while the rest is written: the disk
    starts on a 62 MB feed while it is still being put together, not after
    (the final sync of the whole file then has little left to wait for). A
    descriptor, not the name: an unchanged file's temp is deleted at once.
    """
    fd, temp = _new_temp(target.parent)
    try:
        with os.fdopen(fd, "wb", buffering=_BLOCK) as handle:
            written, due = 0, _SYNC_EVERY
            for chunk in chunks:
                handle.write(chunk)
                written += len(chunk)
                if sync is not None and written >= due:
                    handle.flush()
                    sync(os.dup(handle.fileno()))
                    due += _SYNC_EVERY
        os.chmod(temp, 0o644)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _new_temp(folder: Path) -> tuple[int, Path]:
    """A new file only we can open, like tempfile.mkstemp (whose import, with
    shutil's and random's, costs an incremental build about 8 ms)."""
    for _ in range(100):
        temp = folder / f"{TEMP_PREFIX}{os.urandom(6).hex()}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            return os.open(temp, flags, 0o600), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(folder))


class _Syncer:
    """fsync files in two background threads, queued so the writer never waits
    (concurrent.futures would cost an incremental build 10 ms of imports).
    One use: submit files, then wait once."""

    def __init__(self) -> None:
        import threading

        try:  # what queue.SimpleQueue is, without the rest of queue's imports
            from _queue import SimpleQueue
        except ImportError:  # pragma: no cover - not CPython
            from queue import SimpleQueue

        self._queue: SimpleQueue[Path | int | None] = SimpleQueue()
        self._errors: list[OSError] = []
        self._threads = [threading.Thread(target=self._work) for _ in range(2)]
        self._started = False

    def submit(self, path: Path) -> None:
        self._put(path)

    def submit_part(self, fd: int) -> None:
        """Sync what an open file holds so far; the descriptor is closed after."""
        self._put(fd)

    def _put(self, item: Path | int) -> None:
        if not self._started:
            self._started = True
            for thread in self._threads:
                thread.start()
        self._queue.put(item)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                if isinstance(item, int):
                    try:
                        os.fsync(item)
                    finally:
                        os.close(item)
                else:
                    _fsync(item)
            except OSError as exc:
                self._errors.append(exc)

    def wait(self) -> None:
        """Return when every file is on disk; raise the first error."""
        if self._started:
            for _ in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join()
        if self._errors:
            raise self._errors[0]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                block = fa.read(_BLOCK)
                if block != fb.read(_BLOCK):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def _backup(target: Path) -> Path | None:
    if not target.exists():
        return None
    # Named for this process: another build of the same site may be replacing it too.
    backup = target.with_name(f"{TEMP_PREFIX}{target.name}.{os.getpid()}.bak")
    backup.unlink(missing_ok=True)
    os.link(target, backup)
    return backup


def _roll_back(staged: list[tuple[Path, Path]], backups: list[tuple[Path, Path | None]]) -> None:
    for target, backup in backups:
        if backup is not None and backup.exists():
            os.replace(backup, target)
            # rename() between two links to one file is a no-op: drop the link.
            backup.unlink(missing_ok=True)
        elif backup is None:
            target.unlink(missing_ok=True)
    for temp, _ in staged:
        temp.unlink(missing_ok=True)
