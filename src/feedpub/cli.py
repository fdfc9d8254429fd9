"""The ``feedpub`` command: a thin shell over the library.

Commands call library functions and print. This module holds the group
and the build/check/diff commands; the others live in commands/.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .commands.options import (
    VERBOSITY,
    Group,
    colour,
    echo_problems,
    echo_warnings,
    format_option,
    info,
    output_option,
    root_option,
    summary,
    verbosity,
)
from .commands.serve_cli import ping, serve
from .commands.site_cli import import_posts, init, list_entries, new, schema
from .model import OUTPUT_DIR

PROGRESS_MIN_ENTRIES = 500
"""Builds reading more entry files than this show a progress bar (on a terminal)."""


@click.group(cls=Group)
@click.version_option(__version__, prog_name="feedpub")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print more: every warning, every request.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool, verbose: bool) -> None:
    """Compile one-YAML-file-per-entry folders into Atom, RSS and JSON feeds.

    \b
    Examples:
      feedpub init mysite --url https://example.org/
      feedpub new "Hello again"
      feedpub serve
      feedpub build
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    ctx.meta[VERBOSITY] = -1 if quiet else 1 if verbose else 0
    if colour() is False:
        ctx.color = False


@cli.command()
@root_option
@output_option
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
    from .builder.pipeline import build as run_build

    out = _out_dir(root, output)
    started = time.monotonic()
    with _progress(root) as progress:
        result = run_build(
            root,
            out,
            future=future,
            check=check,
            accept_id_changes=accept_id_changes,
            progress=progress,
        )
    if result.notice:
        info(result.notice)
    echo_warnings(result.warnings)
    if verbosity() > 0:
        for name in result.written:
            click.echo(f"wrote {out / name}" if (out / name).exists() else f"removed {out / name}")
    info(summary(result, out, check, time.monotonic() - started))


def _out_dir(root: Path, output: Path | None) -> Path:
    return output if output is not None else root / OUTPUT_DIR


@contextmanager
def _progress(root: Path) -> Iterator[Callable[[], None] | None]:
    """A bar on stderr while entries load, for big sites on a terminal only.

    Small builds finish before a bar would be read, and a bar in a log file
    or a pipe is noise, so it needs stderr to be a TTY and over
    PROGRESS_MIN_ENTRIES files.
    """
    from .model import ENTRIES_DIR
    from .read.scan import entry_files

    stderr = sys.stderr
    if verbosity() < 0 or not stderr.isatty():
        yield None
        return
    total = sum(1 for _ in entry_files(root / ENTRIES_DIR))
    if total <= PROGRESS_MIN_ENTRIES:
        yield None
        return
    with click.progressbar(
        length=total, label="reading entries", file=stderr, color=colour()
    ) as bar:
        yield lambda: bar.update(1)


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
    from .review.check import check_site, problems_json

    problems = check_site(root, _out_dir(root, output))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        click.echo(json.dumps(problems_json(problems), indent=2, ensure_ascii=False))
    else:
        echo_problems(problems)
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
    from .review.check import diff_site

    result = diff_site(root, _out_dir(root, output), future=future)
    if result.unread is not None:
        click.echo(str(result.unread), err=True)
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


for _command in (init, new, list_entries, import_posts, serve, ping, schema):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="feedpub")
