"""Load a whole site folder into a :class:`Site`, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError, Problem
from ..model import Entry, Site
from .config import load_config
from .entry import load_entry

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
    from .scan import scan

    try:
        files = scan(root)
    except InputError as exc:
        return None, list(exc.problems)
    for file in files:
        entry, found = load_entry(Path(file.path), file.shown, config)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
        if progress is not None:
            progress()
    problems.extend(duplicate_ids(((e.path, e.id) for e in entries), root))
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Site(config, tuple(entries), tuple(problems)), problems


def duplicate_ids(entries: Iterable[tuple[str, str]], root: Path) -> list[Problem]:
    """Problems for each (path, id) whose id an earlier one already has; paths are
    shown paths, relative to the site ``root``."""
    from .yamlnodes import key_line

    first: dict[str, str] = {}
    problems: list[Problem] = []
    for path, entry_id in entries:
        other = first.setdefault(entry_id, path)
        if other != path:
            problems.append(
                Problem(
                    path,
                    # Where the file sets the id; a derived one (from the date
                    # and file name) has no line of its own: the top, then.
                    key_line(root / path, "id") or 1,
                    "id",
                    f'"{entry_id}" is also the id of {other}',
                    "give one of them its own 'id:' or rename the file",
                )
            )
    return problems
