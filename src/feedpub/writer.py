"""The only code that touches the output folder.

Every file of a build is first written to a temporary file beside its
target; only when all of them are safely on disk are they renamed into
place. A build that fails or is interrupted before that point leaves the
previous output exactly as it was. Files whose bytes did not change are not
rewritten, so their modification times (and HTTP caches) stay valid.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import OutputError

TEMP_PREFIX = ".feedpub-tmp-"


def changed_files(out_dir: Path, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The subset of ``files`` whose bytes differ from what ``out_dir`` holds."""
    changed: dict[str, bytes] = {}
    for name, data in files.items():
        try:
            if (out_dir / name).read_bytes() == data:
                continue
        except OSError:
            pass
        changed[name] = data
    return changed


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """Atomically replace changed files under ``out_dir``; return their names.

    Each file is staged and fsynced first. If a rename fails part-way, the
    files already renamed are rolled back from hard-link backups, so the
    folder never mixes two builds.
    """
    changed = changed_files(out_dir, files)
    if not changed:
        return []
    staged: list[tuple[Path, Path]] = []
    backups: list[tuple[Path, Path | None]] = []
    try:
        for name, data in changed.items():
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(target, data), target))
        for temp, target in staged:
            backups.append((target, _backup(target)))
            os.replace(temp, target)
    except OSError as exc:
        _roll_back(staged, backups)
        raise OutputError.one(
            f"cannot write {exc.filename or out_dir}: {exc.strerror}",
            path=str(out_dir),
            hint="check that the folder is writable; the previous output is intact",
        ) from exc
    for _, backup in backups:
        if backup is not None:
            backup.unlink(missing_ok=True)
    return sorted(changed)


def _stage(target: Path, data: bytes) -> Path:
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temp, 0o644)
    return Path(temp)


def _backup(target: Path) -> Path | None:
    if not target.exists():
        return None
    backup = target.with_name(f"{TEMP_PREFIX}{target.name}.bak")
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
