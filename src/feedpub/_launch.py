"""The ``feedpub`` console script: answers the quickest questions before loading click.

Importing click and building the command tree costs several times
Python's own start-up. ``--version`` (run by scripts, shells and package
managers) and a ``build`` with nothing to do (hooks, watchers, CI) are
answered here; everything else, including any option this parser does
not know, goes to the click CLI, which gives the same answers.
"""

from __future__ import annotations

import sys

_GLOBAL_FLAGS = {"-q": -1, "--quiet": -1, "-v": 1, "--verbose": 1, "--debug": 0}
_BUILD_OPTIONS = {"-C": "root", "--root": "root", "-o": "output", "--output": "output"}


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from . import __version__

        print(f"feedpub, version {__version__}")
        return
    if _quick_build(args):
        return
    from .cli import main as cli_main

    cli_main()


def _quick_build(args: list[str]) -> bool:
    """Answer a plain ``feedpub build`` whose output is already up to date.

    Returns False, having printed nothing, whenever the answer needs more
    than the cache head: then the CLI runs the build as usual.
    """
    levels = set()
    while args and args[0] in _GLOBAL_FLAGS:
        levels.add(_GLOBAL_FLAGS[args.pop(0)])
    if not args or args.pop(0) != "build" or {-1, 1} <= levels:
        return False
    paths = {"root": ".", "output": None}
    while args:
        option = args.pop(0)
        name, equals, value = option.partition("=")
        if name not in _BUILD_OPTIONS or (equals and not name.startswith("--")):
            return False
        if not equals:
            if not args:
                return False
            value = args.pop(0)
        paths[_BUILD_OPTIONS[name]] = value
    level = -1 if -1 in levels else 1 if 1 in levels else 0
    return _report_noop(paths["root"] or ".", paths["output"], level)


def _report_noop(root: str, output: str | None, level: int) -> bool:
    import os
    import time

    from .layout import OUTPUT_DIR
    from .uptodate import Look

    out = output if output is not None else os.path.join(root, OUTPUT_DIR)
    look = Look(root, out)
    head = look.head
    warnings = len(head.warnings) if head is not None else 0
    # Every warning in full, coloured, is the CLI's job.
    if (
        head is None
        or not look.nothing_to_do(out, False, time.time_ns())
        or (warnings and level > 0)
    ):
        look.hand_over()  # the CLI's build starts from this scan
        return False
    if warnings:
        print(f"{warnings} warning(s); run 'feedpub check' to see them", file=sys.stderr)
    if level >= 0:
        from pathlib import Path

        shown = Path(output) if output is not None else Path(root) / OUTPUT_DIR
        count = head.entry_count
        print(f"{shown} already up to date ({count} {'entry' if count == 1 else 'entries'})")
    return True
