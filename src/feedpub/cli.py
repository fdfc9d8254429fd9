"""The ``feedpub`` command: a thin shell over the library.

Commands call library functions and print; user errors arrive as
FeedpubError and are turned into compiler-style lines in one place
(:class:`_Group`), so no command handles them on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import click

from . import __version__
from .errors import FeedpubError


class _Reported(click.ClickException):
    """A FeedpubError on its way out: one line per problem, then exit 1."""

    def __init__(self, error: FeedpubError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        for problem in self.error.problems:
            click.echo(str(problem), err=True)
        errors = sum(p.severity == "error" for p in self.error.problems)
        if errors > 1:
            click.echo(f"{errors} errors", err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FeedpubError as exc:
            if ctx.params.get("debug"):
                raise
            raise _Reported(exc) from exc


root_option = click.option(
    "-C",
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Site folder holding feedpub.yaml and entries/.",
)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="feedpub")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
def cli(debug: bool) -> None:
    """Compile one-YAML-file-per-entry folders into Atom and RSS feeds."""


@cli.command()
@root_option
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: ROOT/output]",
)
@click.option("--future", is_flag=True, help="Also publish entries dated in the future.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if output/ is out of date.")
def build(root: Path, output: Path | None, future: bool, check: bool) -> None:
    """Build the feeds from entries/ into output/.

    \b
    Examples:
      feedpub build                 # in the site folder
      feedpub build -C mysite       # from elsewhere
      feedpub build --check         # in CI: fail if output/ is stale
    """
    from .pipeline import build as run_build

    out = output if output is not None else root / "output"
    result = run_build(root, out, future=future, check=check)
    count = len(result.feed.entries)
    noun = "entry" if count == 1 else "entries"
    if check:
        click.echo(f"{out} is up to date ({count} {noun})")
    elif result.written:
        names = ", ".join(str(out / name) for name in result.written)
        click.echo(f"wrote {names} ({count} {noun})")
    else:
        click.echo(f"{out} already up to date ({count} {noun})")


def main() -> None:
    cli(prog_name="feedpub")
