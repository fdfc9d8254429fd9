"""The ``feedpub`` command: a thin shell over the library.

Commands call library functions and print; user errors arrive as
FeedpubError and are turned into compiler-style lines in one place
(:class:`_Group`), so no command handles them on its own.
"""

from __future__ import annotations

import json
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
@click.option(
    "--accept-id-changes",
    is_flag=True,
    help="Publish even if entries readers already have would get new ids.",
)
def build(
    root: Path, output: Path | None, future: bool, check: bool, accept_id_changes: bool
) -> None:
    """Build the feeds from entries/ into output/.

    \b
    Examples:
      feedpub build                 # in the site folder
      feedpub build -C mysite       # from elsewhere
      feedpub build --check         # in CI: fail if output/ is stale
    """
    from .pipeline import build as run_build

    out = output if output is not None else root / "output"
    result = run_build(root, out, future=future, check=check, accept_id_changes=accept_id_changes)
    if result.warnings:
        click.echo(f"{len(result.warnings)} warning(s); run 'feedpub check' to see them", err=True)
    count = result.entry_count
    noun = "entry" if count == 1 else "entries"
    if check:
        click.echo(f"{out} is up to date ({count} {noun})")
    elif result.written:
        names = ", ".join(str(out / name) for name in result.written)
        click.echo(f"wrote {names} ({count} {noun})")
    else:
        click.echo(f"{out} already up to date ({count} {noun})")


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: ROOT/output]",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people or for tools.",
)


@cli.command()
@root_option
@output_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@format_option
def check(root: Path, output: Path | None, strict: bool, fmt: str) -> None:
    """Lint the config, every entry (drafts and future ones too) and output/.

    Writes nothing. Exits 1 on errors (with --strict, on warnings too).

    \b
    Examples:
      feedpub check
      feedpub check --strict --format json
    """
    from .review import check_site, problems_json

    problems = check_site(root, output if output is not None else root / "output")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        click.echo(json.dumps(problems_json(problems), indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        raise SystemExit(1)


@cli.command()
@root_option
@output_option
@click.option("--future", is_flag=True, help="Include entries dated in the future.")
@format_option
def diff(root: Path, output: Path | None, future: bool, fmt: str) -> None:
    """Show what readers will see change if this build is published.

    Compares output/ with a fresh in-memory build: new, updated and removed
    entries, ids that would change, and edits readers will not notice
    because 'updated' did not change. Writes nothing.

    \b
    Examples:
      feedpub diff
      feedpub diff --format json
    """
    from .review import diff_site

    result = diff_site(root, output if output is not None else root / "output", future=future)
    if fmt == "json":
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        return
    sections = [
        ("new", result.new),
        ("updated", result.updated),
        ("removed", result.removed),
        ("id would change", result.id_changes),
    ]
    for label, changes in sections:
        for change in changes:
            detail = f" ({change.detail})" if change.detail else ""
            click.echo(f"{label}: {change.title} <{change.id}>{detail}")
    for change in result.silent_edits:
        click.echo(
            f"warning: content of {change.title!r} changed but 'updated' did not; "
            "readers will not notice the edit",
            err=True,
        )
    if result.empty:
        click.echo("no changes: readers would see the same entries")


def main() -> None:
    cli(prog_name="feedpub")
