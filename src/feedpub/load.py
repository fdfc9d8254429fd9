"""Load a whole site folder into a :class:`Site`, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .config import load_config
from .discover import entry_files
from .entries import load_entry
from .errors import InputError, Problem
from .layout import ENTRIES_DIR
from .model import Entry, Site

Progress = Callable[[], None]
"""Called once per entry file read, so a front end can draw a progress bar."""


def load_site(root: Path, *, progress: Progress | None = None) -> Site:
    """Read config and entries under ``root``; raise InputError with all errors."""
    site, problems = read_site(root, progress=progress)
    errors = [p for p in problems if p.severity == "error"]
    if errors or site is None:
        raise InputError(errors)
    return site


def read_site(root: Path, *, progress: Progress | None = None) -> tuple[Site | None, list[Problem]]:
    """Every problem (errors and warnings) of a site; the Site if it has no errors."""
    try:
        config = load_config(root)
    except InputError as exc:
        return None, list(exc.problems)
    problems: list[Problem] = []
    entries: list[Entry] = []
    for path in entry_files(root / ENTRIES_DIR):
        shown = path.relative_to(root).as_posix()
        entry, found = load_entry(path, shown, config)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
        if progress is not None:
            progress()
    problems.extend(duplicate_ids((e.path, e.id) for e in entries))
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Site(config, tuple(entries), tuple(problems)), problems


def duplicate_ids(entries: Iterable[tuple[str, str]]) -> list[Problem]:
    """Problems for each (path, id) whose id an earlier one already has."""
    first: dict[str, str] = {}
    problems: list[Problem] = []
    for path, entry_id in entries:
        other = first.setdefault(entry_id, path)
        if other != path:
            # Entries keep no line numbers; like the id drift guard, point at
            # the top of the file so the message still reads path:line.
            problems.append(
                Problem(
                    path,
                    1,
                    "id",
                    f'"{entry_id}" is also the id of {other}',
                    "give one of them its own 'id:' or rename the file",
                )
            )
    return problems
