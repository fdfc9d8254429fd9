"""Pieces every ``feedpub`` command shares: options, output and error reporting.

User errors arrive as FeedpubError and are turned into compiler-style
lines in one place (:class:`Group`), so no command handles them itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from ..errors import FeedpubError, Problem

if TYPE_CHECKING:
    from ..builder.pipeline import BuildResult

VERBOSITY = "feedpub.verbosity"
MAX_WARNINGS = 20
"""A build prints this many warnings; ``-v`` prints them all, ``check`` too."""
INTERRUPTED = 130
"""Exit status after Ctrl-C, as shells report a process ended by SIGINT (128 + 2)."""
SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}


def colour() -> bool | None:
    """None lets click decide (colour on a terminal only); NO_COLOR forbids it.

    https://no-color.org: any non-empty NO_COLOR turns colour off.
    """
    return False if os.environ.get("NO_COLOR") else None


def verbosity() -> int:
    """-1 with --quiet, 1 with --verbose, else 0."""
    ctx = click.get_current_context(silent=True)
    return int(ctx.meta.get(VERBOSITY, 0)) if ctx is not None else 0


def info(message: str) -> None:
    """Progress and summaries: what --quiet silences (results and errors stay)."""
    if verbosity() >= 0:
        click.echo(message, color=colour())


def problem_line(problem: Problem) -> str:
    text = str(problem)
    marker = f": {problem.severity}: "
    styled = click.style(problem.severity, fg=SEVERITY_COLOURS[problem.severity], bold=True)
    return text.replace(marker, f": {styled}: ", 1)


def echo_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        click.echo(problem_line(problem), err=True, color=colour())


def echo_warnings(warnings: tuple[Problem, ...]) -> None:
    """A build's warnings where they are: 20 at most (all with -v), none with -q."""
    if verbosity() < 0:
        return
    shown = warnings if verbosity() > 0 else warnings[:MAX_WARNINGS]
    echo_problems(shown)
    if len(warnings) > len(shown):
        more = len(warnings) - len(shown)
        click.echo(f"and {more} more (feedpub check lists them all)", err=True)


def summary(result: BuildResult, out: Path, check: bool, seconds: float) -> str:
    """One line: how many files for how many entries, the kinds of files named."""
    count = result.entry_count
    entries = f"{count:,} {'entry' if count == 1 else 'entries'}"
    if check:
        return f"{out} is up to date ({entries})"
    if not result.written:
        return f"{out} already up to date ({entries})"
    kinds: dict[str, int] = {}
    for name in result.written:
        kind = name.split("/")[0] + "/" if "/" in name else name
        kinds[kind] = kinds.get(kind, 0) + 1
    named = [
        f"{number} archive {'page' if number == 1 else 'pages'}" if kind == "archive/" else
        f"{number} entry {'page' if number == 1 else 'pages'}" if kind == "entries/" else
        kind if number == 1 else f"{number} {kind}"
        for kind, number in kinds.items()
    ]  # fmt: skip
    files = len(result.written)
    return (
        f"wrote {files} {'file' if files == 1 else 'files'} ({', '.join(named)}) "
        f"for {entries} in {seconds:.1f} s"
    )


class Reported(click.ClickException):
    """A FeedpubError on its way out: one line per problem, then exit 1."""

    def __init__(self, error: FeedpubError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        echo_problems(self.error.problems)
        errors = sum(p.severity == "error" for p in self.error.problems)
        if errors > 1:
            click.echo(f"{errors} errors", err=True)


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FeedpubError as exc:
            if ctx.params.get("debug"):
                raise
            raise Reported(exc) from exc
        except KeyboardInterrupt:
            # Writes are staged and renamed last, so stopping here leaves output/ whole.
            click.echo("interrupted", err=True)
            ctx.exit(INTERRUPTED)


root_option = click.option(
    "-C",
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Site folder holding feedpub.yaml and entries/.",
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: ROOT/output]",
)

F = TypeVar("F", bound=Callable[..., Any])


def format_choice(for_people: str, help: str) -> Callable[[F], F]:
    """``--format`` for a command that prints for people (``for_people``) or JSON."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice([for_people, "json"]),
        default=for_people,
        show_default=True,
        help=help,
    )


format_option = format_choice("text", "Output for people or for tools.")
