"""Pieces every ``feedpub`` command shares: options, output and error reporting.

User errors arrive as FeedpubError and are turned into compiler-style
lines in one place (:class:`Group`), so no command handles them itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from ..errors import FeedpubError, Problem

VERBOSITY = "feedpub.verbosity"
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
