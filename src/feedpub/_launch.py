"""The ``feedpub`` console script: answers the quickest questions before loading click.

Importing click and building the command tree costs several times
Python's own start-up. ``--version`` (run by scripts, shells and package
managers), a ``build`` with nothing to do (hooks, watchers, CI) and a
plain ``build`` whose output goes to files or pipes are answered here;
everything else, including any option this parser does not know and any
terminal (colour, progress bar), goes to the click CLI, which prints the
same words (tests/test_launch.py runs both side by side).
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
    import gc

    # A build allocates in bursts (imports, the cache table) that the cyclic
    # collector would walk dozens of times, about 30 ms at 10,000 entries; the
    # pipeline makes no reference cycles (tests/test_launch.py checks that),
    # so reference counting frees everything anyway.
    gc.disable()
    if _quick_build(args):
        _finish(0)
    from .cli import main as cli_main

    try:
        cli_main()
    except SystemExit as stop:
        _finish(_exit_code(stop.code))
    _finish(0)


def _exit_code(code: object) -> int:
    """What ``sys.exit(code)`` would exit with (a text is printed, then 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _finish(code: int) -> None:
    """Exit without tearing the interpreter down object by object.

    At 10,000 entries freeing the cache table and every module one by one
    takes about 50 ms after the work is done. Every file the build writes
    is closed and its threads joined before this point; standard streams
    are flushed and atexit functions run here, as a normal exit would.
    """
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120  # what Python exits with when the flush fails
    os._exit(code)


def _quick_build(args: list[str]) -> bool:
    """Run a plain ``feedpub build`` (only -C/--root and -o/--output) without click.

    A build with nothing to do is answered from the cache head; one with
    work runs here too when nothing is a terminal (CI, hooks, scripts: no
    colour, no progress bar). Returns False, having printed nothing, for
    anything else: then the click CLI takes over and gives the same answers.
    """
    debug = "--debug" in args
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
    root, output = paths["root"] or ".", paths["output"]
    if _report_noop(root, output, level):
        return True
    plain = not (debug or sys.stdout.isatty() or sys.stderr.isatty())
    return plain and _plain_build(root, output, level)


def _report_noop(root: str, output: str | None, level: int) -> bool:
    import os
    import time

    from .buildreport import up_to_date, warnings_note
    from .layout import OUTPUT_DIR
    from .uptodate import Look

    out = output if output is not None else os.path.join(root, OUTPUT_DIR)
    # Early: if files were added or removed, a child compares the rest
    # while this process loads the build's modules.
    look = Look(root, out, early=True)
    head = look.head
    warnings = len(head.warnings) if head is not None else 0
    # Every warning in full is the full build's job.
    if (
        head is None
        or not look.nothing_to_do(out, False, time.time_ns())
        or (warnings and level > 0)
    ):
        look.hand_over()  # the build starts from this scan
        return False
    if warnings:
        print(warnings_note(warnings), file=sys.stderr)
    if level >= 0:
        print(up_to_date(_shown_out(root, output), head.entry_count))
    return True


def _shown_out(root: str, output: str | None) -> str:
    """The output folder as the CLI names it (click hands it over as a Path)."""
    from .layout import OUTPUT_DIR

    return path_text(output) if output is not None else path_text(f"{root}/{OUTPUT_DIR}")


def path_text(text: str) -> str:
    """``str(pathlib.PurePosixPath(text))``, without importing pathlib (10 ms of
    a 130 ms no-op build): repeated slashes and "." parts dropped."""
    root = "//" if text.startswith("//") and not text.startswith("///") else "/" * (text[:1] == "/")
    return root + "/".join(part for part in text.split("/") if part and part != ".") or "."


def _plain_build(root: str, output: str | None, level: int) -> bool:
    """The build, reported as the CLI reports it when nothing is a terminal."""
    from pathlib import Path

    from .buildreport import summary, warnings_note
    from .errors import FeedpubError
    from .pipeline import build

    out = Path(_shown_out(root, output))
    if not Path(root).is_dir() or out.is_file():
        return False  # the CLI's usage error
    try:
        result = build(Path(root), out)
    except FeedpubError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        errors = sum(p.severity == "error" for p in error.problems)
        if errors > 1:
            print(f"{errors} errors", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print("Aborted!", file=sys.stderr)
        raise SystemExit(1) from None
    if result.warnings and level > 0:
        for problem in result.warnings:
            print(problem, file=sys.stderr)
    elif result.warnings:
        print(warnings_note(len(result.warnings)), file=sys.stderr)
    if level >= 0:
        print(summary(result, out))
    return True
