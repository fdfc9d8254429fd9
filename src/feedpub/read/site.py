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


COPIED_ID_HINT = (
    "is this file a copy? give it a new 'id:', such as the one 'feedpub new' writes, "
    "or delete the 'id:' line to get one from the file name"
)
DERIVED_ID_HINT = (
    "this file's id comes from its date and file name: rename the file, "
    "or add an 'id:' line such as the one 'feedpub new' writes"
)


def duplicate_ids(entries: Iterable[tuple[str, str]], root: Path) -> list[Problem]:
    """Problems for each (path, id) whose id a file earlier in path order already
    has, saying how to fix this one; paths are shown paths, relative to ``root``."""
    from .yamlnodes import key_line

    first: dict[str, str] = {}
    problems: list[Problem] = []
    for path, entry_id in sorted(entries):
        other = first.setdefault(entry_id, path)
        if other != path:
            # Where the file sets the id; a derived one (from the date and
            # file name) has no line of its own: the top, then.
            line = key_line(root / path, "id")
            problems.append(
                Problem(
                    path,
                    line or 1,
                    "id",
                    f'"{entry_id}" is also the id of {other}',
                    COPIED_ID_HINT if line else DERIVED_ID_HINT,
                )
            )
    return problems
