"""The only code that writes into the output folder.

Every file of a build is first written in full, and synced, in a staging
folder beside the output (same filesystem, never published); only then are
they renamed into place, and if a rename fails the files already replaced
are put back. Files whose bytes did not change are left alone, so their
modification times (and HTTP caches) stay valid.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError

Source = bytes | Callable[[], Iterable[bytes]]
"""A file's bytes, or a function giving them in chunks (a large feed is streamed)."""
LEGACY_TEMP_PREFIX = ".feedpub-tmp-"
"""Temporary files older feedpub versions left in the output folder when killed."""


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.feedpub-staging"


def _chunks(source: Source) -> Iterable[bytes]:
    return (source,) if isinstance(source, bytes) else source()


def _legacy_temporaries(out: Path) -> list[Path]:
    """Where older versions wrote temporary files: beside the feeds and archive pages."""
    return [*out.glob(LEGACY_TEMP_PREFIX + "*"), *out.glob(f"archive/*/{LEGACY_TEMP_PREFIX}*")]


def stray_files(out: Path) -> list[str]:
    """What a killed build may have left: a staging folder, old temporary files."""
    found = [str(staging_dir(out))] if staging_dir(out).exists() else []
    found.extend(str(p.relative_to(out)) for p in _legacy_temporaries(out) if p.is_file())
    return sorted(found)


def sweep(out: Path) -> None:
    """Remove what a killed build left behind, before it can be published."""
    shutil.rmtree(staging_dir(out), ignore_errors=True)
    for stray in _legacy_temporaries(out):
        stray.unlink(missing_ok=True)


def differs(target: Path, source: Source) -> bool:
    """Whether ``target`` does not hold exactly these bytes (compared as they stream)."""
    try:
        with open(target, "rb") as handle:
            for chunk in _chunks(source):
                if handle.read(len(chunk)) != chunk:
                    return True
            return handle.read(1) != b""
    except OSError:
        return True


def _read(path: Path) -> Callable[[], Iterable[bytes]]:
    def blocks() -> Iterable[bytes]:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                yield block

    return blocks


@dataclass(frozen=True, slots=True)
class Written:
    changed: list[str]
    """Names whose bytes changed (now replaced)."""
    digests: dict[str, str]
    """SHA-256 of every file given, changed or not."""


def write_files(out: Path, files: Mapping[str, Source], remove: Iterable[str] = ()) -> Written:
    """Write ``files`` (relative names) atomically, then remove ``remove``.

    Raises OutputError with ``out`` as it was.
    """
    staging = staging_dir(out)
    sweep(out)
    staged: list[tuple[Path, Path]] = []  # (staged file, target)
    digests: dict[str, str] = {}
    try:
        staging.mkdir(parents=True)
        for number, (name, source) in enumerate(sorted(files.items())):
            target = out / name
            temp = staging / str(number)
            changed, digests[name] = _stage(temp, target, source)
            if changed:
                staged.append((temp, target))
        _sync([temp for temp, _ in staged])
        _replace_all(staged, staging)
        for name in remove:
            (out / name).unlink(missing_ok=True)
    except OSError as exc:
        where = exc.filename or out
        raise OutputError.one(
            f"cannot write {where}: {exc.strerror}",
            path=str(out),
            hint="check the folder's permissions and free space; nothing was changed",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(sorted(str(target.relative_to(out)) for _, target in staged), digests)


def _stage(temp: Path, target: Path, source: Source) -> tuple[bool, str]:
    """Write ``source`` to ``temp``, keeping it only if ``target`` differs.

    Returns whether it differs and the bytes' SHA-256.
    """
    digest = hashlib.sha256()
    with open(temp, "wb") as handle:
        for chunk in _chunks(source):
            handle.write(chunk)
            digest.update(chunk)
        handle.flush()
        size = handle.tell()
        try:
            same = os.path.getsize(target) == size and not differs(target, _read(temp))
        except OSError:
            same = False
    if same:
        temp.unlink()
    return not same, digest.hexdigest()


def _sync(files: list[Path]) -> None:
    """Put the staged bytes on disk before any rename: one system-wide sync where the
    platform has it (thousands of pages would otherwise cost an fsync each)."""
    if not files:
        return
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in files:  # pragma: no cover - Windows
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())


def _replace_all(staged: list[tuple[Path, Path]], staging: Path) -> None:
    """Rename every staged file into place, or put back the ones already replaced."""
    done: list[tuple[Path, Path | None]] = []  # (target, backup of the old file)
    try:
        for number, (temp, target) in enumerate(staged):
            target.parent.mkdir(parents=True, exist_ok=True)
            backup: Path | None = None
            if target.exists():
                backup = staging / f"old-{number}"
                os.link(target, backup)
            os.replace(temp, target)
            done.append((target, backup))
    except BaseException:  # a failed rename, or Ctrl-C halfway: put the old files back
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    _sync_folders({target.parent for _, target in staged})


def _sync_folders(folders: set[Path]) -> None:
    """Make the renames durable (POSIX: a folder's entries are synced through it)."""
    if os.name != "posix":
        return
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
