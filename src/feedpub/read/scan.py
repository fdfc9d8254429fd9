"""Find the entry files of a site and what the filesystem says about each.

A missing or unreadable folder is an error, never an empty site: an empty
feed would wipe every subscriber's list.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from ..errors import InputError, Problem
from ..model import ENTRIES_DIR

ENTRY_SUFFIXES = (".yaml", ".yml")
HIDDEN_MARKS = (".", "#", "_")
"""Hidden files and folders, editor locks (``.#x``, ``#x#``) and ``_drafts``-style folders."""


@dataclass(frozen=True, slots=True)
class FileStat:
    """One entry file: where it is and the stat fields that tell it changed."""

    shown: str
    """As shown in messages: ``entries/x.yaml``."""
    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int

    @property
    def identity(self) -> tuple[int, int, int, int]:
        return (self.size, self.mtime_ns, self.ctime_ns, self.ino)


def scan(root: Path) -> list[FileStat]:
    """Every entry file under ``root/entries``, sorted by shown path; symlinks are followed."""
    top = root / ENTRIES_DIR
    try:
        info = os.stat(top)
    except OSError as exc:
        raise InputError.one(
            f"cannot read {ENTRIES_DIR}/: {exc.strerror}",
            path=f"{ENTRIES_DIR}/",
            hint=f"create the folder or run feedpub in your site folder (it holds {ENTRIES_DIR}/)",
        ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError.one("is not a folder", path=f"{ENTRIES_DIR}/")
    found: list[FileStat] = []
    problems: list[Problem] = []
    _walk(str(top), ENTRIES_DIR, {(info.st_dev, info.st_ino)}, found, problems)
    if problems:
        raise InputError(problems)
    found.sort(key=attrgetter("shown"))
    return found


def _walk(
    folder: str,
    shown: str,
    seen: set[tuple[int, int]],
    found: list[FileStat],
    problems: list[Problem],
) -> None:
    try:
        with os.scandir(folder) as listing:
            items = sorted(listing, key=lambda item: item.name)
    except OSError as exc:
        hint = "fix its permissions, or move it out of entries/"
        problems.append(
            Problem(f"{shown}/", None, None, f"cannot read folder: {exc.strerror}", hint)
        )
        return
    for item in items:
        name = item.name
        if name.startswith(HIDDEN_MARKS) or name.endswith("#"):
            continue
        try:
            info = item.stat()  # follows symlinks, as an editor or a shell would
        except OSError as exc:
            if name.endswith(ENTRY_SUFFIXES) or item.is_symlink():
                why = "a symbolic link to nothing?" if item.is_symlink() else None
                message = f"cannot read: {exc.strerror}"
                problems.append(Problem(f"{shown}/{name}", None, None, message, why))
            continue
        mode = info.st_mode
        if stat.S_ISREG(mode):
            if name.endswith(ENTRY_SUFFIXES):
                found.append(
                    FileStat(f"{shown}/{name}", item.path, info.st_size, info.st_mtime_ns,
                             info.st_ctime_ns, info.st_ino)
                )  # fmt: skip
        elif stat.S_ISDIR(mode):
            key = (info.st_dev, info.st_ino)
            where = f"{shown}/{name}"
            if key in seen:
                problems.append(Problem(where, None, None, "symbolic link loop", "remove the link"))
                continue
            _walk(item.path, where, seen | {key}, found, problems)


def entry_files(entries_dir: Path) -> list[Path]:
    """The entry files under ``entries_dir`` as paths, or none when it cannot be read
    (for watchers and progress bars, which must not fail where the build reports)."""
    try:
        return [Path(file.path) for file in scan(entries_dir.parent)]
    except InputError:
        return []
