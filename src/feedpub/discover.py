"""Find entry files quickly (imported by no-op rebuilds, so it imports nothing heavy)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

ENTRY_SUFFIXES = (".yaml", ".yml")


def scan_entries(entries_dir: Path) -> list[tuple[str, str, os.stat_result]]:
    """Entry files as (path relative to entries/, absolute path, stat), sorted.

    Hidden files and folders are skipped, which covers Emacs locks
    (``.#x.yaml``); ``x.yaml~`` and ``x.yaml.swp`` fail the suffix test.
    Uses scandir rather than pathlib: with 10,000 files this is the
    difference between 15 ms and half a second on every rebuild.
    """
    found: list[tuple[str, str, os.stat_result]] = []
    pending = [(str(entries_dir), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            listing = list(os.scandir(folder))
        except OSError:
            continue
        for item in listing:
            if item.name.startswith((".", "#", "_")):
                continue
            if item.is_dir():
                pending.append((item.path, f"{prefix}{item.name}/"))
            elif item.name.endswith(ENTRY_SUFFIXES) and item.is_file():
                found.append((prefix + item.name, item.path, item.stat()))
    found.sort(key=lambda f: f[0])
    return found


def entry_files(entries_dir: Path) -> Iterator[Path]:
    """Entry files in a stable order (see scan_entries)."""
    for _, path, _ in scan_entries(entries_dir):
        yield Path(path)
