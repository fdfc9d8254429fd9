"""The ``feedpub`` command: a thin shell over the library.

Commands call library functions and print; user errors arrive as
FeedpubError and are turned into compiler-style lines in one place
(:class:`_Group`), so no command handles them on its own.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from . import __version__
from .errors import FeedpubError, Problem

PROGRESS_MIN_ENTRIES = 500
"""Builds reading more entry files than this show a progress bar (on a terminal)."""
_VERBOSITY = "feedpub.verbosity"
_SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}


def _colour() -> bool | None:
    """None lets click decide (colour on a terminal only); NO_COLOR forbids it.

    https://no-color.org: any non-empty NO_COLOR turns colour off.
    """
    return False if os.environ.get("NO_COLOR") else None


def _verbosity() -> int:
    """-1 with --quiet, 1 with --verbose, else 0."""
    ctx = click.get_current_context(silent=True)
    return int(ctx.meta.get(_VERBOSITY, 0)) if ctx is not None else 0


def _info(message: str) -> None:
    """Progress and summaries: what --quiet silences (results and errors stay)."""
    if _verbosity() >= 0:
        click.echo(message, color=_colour())


def _problem_line(problem: Problem) -> str:
    text = str(problem)
    marker = f": {problem.severity}: "
    styled = click.style(problem.severity, fg=_SEVERITY_COLOURS[problem.severity], bold=True)
    return text.replace(marker, f": {styled}: ", 1)


def _echo_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        click.echo(_problem_line(problem), err=True, color=_colour())


class _Reported(click.ClickException):
    """A FeedpubError on its way out: one line per problem, then exit 1."""

    def __init__(self, error: FeedpubError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        _echo_problems(self.error.problems)
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
@click.option("-q", "--quiet", is_flag=True, help="Print only results, warnings and errors.")
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
    ctx.meta[_VERBOSITY] = -1 if quiet else 1 if verbose else 0
    if _colour() is False:
        ctx.color = False


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
    with _progress(root) as progress:
        result = run_build(
            root,
            out,
            future=future,
            check=check,
            accept_id_changes=accept_id_changes,
            progress=progress,
        )
    if result.warnings and _verbosity() > 0:
        _echo_problems(result.warnings)
    elif result.warnings:
        click.echo(f"{len(result.warnings)} warning(s); run 'feedpub check' to see them", err=True)
    count = result.entry_count
    noun = "entry" if count == 1 else "entries"
    if check:
        _info(f"{out} is up to date ({count} {noun})")
    elif result.written:
        names = ", ".join(str(out / name) for name in result.written)
        _info(f"wrote {names} ({count} {noun})")
    else:
        _info(f"{out} already up to date ({count} {noun})")


@contextmanager
def _progress(root: Path) -> Iterator[Callable[[], None] | None]:
    """A bar on stderr while entries load, for big sites on a terminal only.

    Small builds finish before a bar would be read, and a bar in a log file
    or a pipe is noise, so it needs stderr to be a TTY and over
    PROGRESS_MIN_ENTRIES files.
    """
    from .discover import entry_files
    from .layout import ENTRIES_DIR

    stderr = sys.stderr
    if _verbosity() < 0 or not stderr.isatty():
        yield None
        return
    total = sum(1 for _ in entry_files(root / ENTRIES_DIR))
    if total <= PROGRESS_MIN_ENTRIES:
        yield None
        return
    with click.progressbar(
        length=total, label="reading entries", file=stderr, color=_colour()
    ) as bar:
        yield lambda: bar.update(1)


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
        _echo_problems(problems)
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


def _stop_on_sigterm() -> Any:
    """Let SIGTERM (``kill``, ``docker stop``, systemd) stop serve like Ctrl-C.

    Returns the previous handler to restore, or None off the main thread,
    where Python cannot install handlers.
    """
    try:
        return signal.signal(signal.SIGTERM, signal.default_int_handler)
    except ValueError:
        return None


def _interactive() -> bool:
    """Prompt only when a person can answer: stdin is a terminal."""
    return sys.stdin.isatty()


def _check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .scaffold import url_problem

    if value is not None and url_problem(value):
        raise click.BadParameter(str(url_problem(value)))
    return value


def _prompt_url(value: str) -> str:
    from .scaffold import url_problem

    problem = url_problem(value)
    if problem:
        raise click.UsageError(problem)  # click.prompt shows it and asks again
    return value


@cli.command()
@root_option
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--title", help="Feed title.  [default: the folder's name]")
@click.option("--url", callback=_check_url, help="The site's address, e.g. https://example.org/.")
@click.option(
    "--description", help="One sentence saying what the feed is.  [default: News from TITLE]"
)
@click.option("--language", help="Language tag such as en or fr-CA.  [default: none]")
@click.option("--author", "author", help="Feed author: 'Name' or 'Name <email>'.")
@click.option(
    "--timezone", help="IANA zone for dates without an offset.  [default: this machine's]"
)
def init(
    root: Path,
    directory: Path,
    title: str | None,
    url: str | None,
    description: str | None,
    language: str | None,
    author: str | None,
    timezone: str | None,
) -> None:
    """Create a new site: feedpub.yaml, entries/ with an example, .gitignore.

    On a terminal, asks for the title, URL, language and author not given
    as options; otherwise uses defaults (and needs --url). Never overwrites
    a file. DIRECTORY defaults to the current folder and is created if needed.

    \b
    Examples:
      feedpub init                          # asks for title, url...
      feedpub init mysite --title "My notes" --url https://example.org/
      feedpub init mysite --url https://example.org/ --language fr --author "Ana"
    """
    from .scaffold import SiteSettings, init_site, local_timezone

    target = root / directory
    ask = _interactive()

    def answer(value: str | None, question: str, default: str) -> str:
        if value is not None:
            return value
        if not ask:
            return default
        return str(click.prompt(question, default=default, show_default=bool(default)))

    if url is None and not ask:
        raise click.UsageError(
            "Missing option '--url': the site's address, e.g. --url https://example.org/ "
            "(there is no terminal to ask on)"
        )
    title = answer(title, "Feed title", target.resolve().name or "My feed")
    if url is None:
        url = str(click.prompt("Site URL (e.g. https://example.org/)", value_proc=_prompt_url))
    settings = SiteSettings(
        title=title,
        url=url,
        language=answer(language, "Language (e.g. en, fr; empty for none)", "") or None,
        author=answer(author, "Author (e.g. Ana <ana@example.org>; empty for none)", "") or None,
        # Never asked: good defaults, and one line to edit in feedpub.yaml.
        description=description or f"News from {title}",
        timezone=timezone or local_timezone(),
    )
    for path in init_site(target, settings):
        _info(f"created {path}")
    steps = [] if target == Path(".") else [f"cd {shlex.quote(str(target))}"]
    steps += [
        'feedpub new "My first entry" --edit   # write an entry',
        "feedpub serve                         # preview the feeds while you write",
        "feedpub build                         # write output/ for your web host",
    ]
    _info("\nNext steps:\n" + "\n".join(f"  {step}" for step in steps))


@cli.command()
@root_option
@click.argument("title")
@click.option(
    "--date",
    "when",
    metavar="DATE",
    help="YYYY-MM-DD or an RFC 3339 date-time.  [default: now, in the site's time zone]",
)
@click.option("--draft", is_flag=True, help="Mark it 'draft: true' (not published until removed).")
@click.option("--edit", is_flag=True, help="Open it in $EDITOR, then check it.")
def new(root: Path, title: str, when: str | None, draft: bool, edit: bool) -> None:
    """Create entries/YYYY-MM-DD-<slug>.yaml for a new entry and print its path.

    The file gets the title, the date, a permanent id and placeholders for
    summary and content. An existing file is never overwritten.

    \b
    Examples:
      feedpub new "Été à Paris"              # entries/2026-07-14-ete-a-paris.yaml
      feedpub new "Release notes" --draft --edit
      feedpub new "Back-dated" --date 2025-12-24
      $EDITOR "$(feedpub new 'Quick note')"
    """
    from zoneinfo import ZoneInfo

    from .authoring import create_entry, parse_when
    from .config import load_config
    from .entries import load_entry
    from .errors import InputError

    config = load_config(root)
    moment = None
    if when is not None:
        try:
            moment = parse_when(when, ZoneInfo(config.timezone))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--date'") from exc
    path = create_entry(root, title, when=moment, draft=draft)
    click.echo(str(path))
    if edit:
        click.edit(filename=str(path))
        shown = path.relative_to(root).as_posix()
        _, problems = load_entry(path, shown, config)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise InputError(errors)
        if _verbosity() > 0:
            _echo_problems(problems)


_STATUS_COLOURS = {"published": "green", "draft": "yellow", "scheduled": "cyan"}


@cli.command("list")
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people or JSON for tools.",
)
def list_entries(root: Path, fmt: str) -> None:
    """List every entry, newest first: date, status, id and title.

    Drafts and entries dated in the future are listed too, with the status
    published, draft or scheduled.

    \b
    Examples:
      feedpub list
      feedpub list --format json | jq -r '.[] | select(.status == "draft") | .path'
    """
    from .listing import list_entries as load_listing

    items = load_listing(root)
    if fmt == "json":
        click.echo(json.dumps([item.as_json() for item in items], indent=2, ensure_ascii=False))
        return
    if not items:
        _info('no entries yet; create one with: feedpub new "Title"')
        return
    id_width = max(len("ID"), *(len(item.id) for item in items))
    date_width = max(len(item.date.isoformat()) for item in items)
    click.echo(f"{'DATE':<{date_width}}  {'STATUS':<9}  {'ID':<{id_width}}  TITLE")
    for item in items:
        status = click.style(f"{item.status:<9}", fg=_STATUS_COLOURS[item.status])
        click.echo(
            f"{item.date.isoformat():<{date_width}}  {status}  {item.id:<{id_width}}  {item.title}",
            color=_colour(),
        )


@cli.command()
@root_option
@click.option(
    "-p",
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one.",
)
@click.option("--no-watch", is_flag=True, help="Build once; do not rebuild on changes.")
def serve(root: Path, port: int, no_watch: bool) -> None:
    """Build, then serve output/ on http://127.0.0.1 and rebuild on changes.

    Feeds are served with their real content types and ETag/Last-Modified,
    as a good static host would. Only this machine can connect. When an
    entry or feedpub.yaml changes the site is rebuilt; if the build fails,
    the error is printed and the last good output stays online. Stop with
    Ctrl-C.

    \b
    Examples:
      feedpub serve
      feedpub serve --port 0            # any free port
      feedpub -v serve --no-watch       # log every request
    """
    from .serve import BuildEvent
    from .serve import start as start_server

    warned = [0]

    def report(event: BuildEvent) -> None:
        trigger = f"{', '.join(event.changed)} changed: " if event.changed else ""
        if event.result is None:
            _echo_problems(event.problems)
            click.echo(f"{trigger}build failed; still serving the last good output/", err=True)
            return
        if event.problems and _verbosity() > 0:
            _echo_problems(event.problems)
        elif len(event.problems) != warned[0]:  # say it again only when it changes
            count = len(event.problems)
            click.echo(f"{count} warning(s); run 'feedpub check' to see them", err=True)
        warned[0] = len(event.problems)
        count = event.result.entry_count
        noun = "entry" if count == 1 else "entries"
        written = ", ".join(event.result.written) or "no file changed"
        _info(f"{trigger}built {count} {noun} ({written})")

    def log(line: str) -> None:
        click.echo(line, err=True)

    server = start_server(
        root,
        port=port,
        watch=not no_watch,
        on_build=report,
        log=log if _verbosity() > 0 else None,
    )
    previous = _stop_on_sigterm()
    try:
        _info(f"serving {server.out_dir} at {server.url}")
        if server.last_build.result is not None:
            from .config import load_config

            config = load_config(root)
            for fmt in config.formats:
                _info(f"  {fmt}: {server.url}{config.filename(fmt)}")
        watching = "watching entries/ and feedpub.yaml; " if not no_watch else ""
        _info(f"{watching}Ctrl-C to stop")
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    _info("stopped")


@cli.command()
@root_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for each hub.",
)
def ping(root: Path, timeout: float) -> None:
    """Tell the WebSub hubs in feedpub.yaml ('hub:') that the feeds changed.

    Sends one publish notification per hub and feed. Run it after the new
    output/ is online: hubs fetch the feeds right away. Exits 1 if any hub
    cannot be reached or refuses.

    \b
    Examples:
      feedpub build && ./deploy.sh && feedpub ping
      feedpub ping --timeout 30
    """
    from .config import load_config
    from .layout import CONFIG_NAME
    from .websub import feed_urls, ping_all

    config = load_config(root)
    if not config.hubs:
        raise FeedpubError.one(
            "no WebSub hub configured",
            path=CONFIG_NAME,
            hint="add e.g. 'hub: https://pubsubhubbub.appspot.com/' to feedpub.yaml",
        )
    results = ping_all(config.hubs, feed_urls(config), timeout=timeout)
    for result in results:
        answer = result.detail if result.status is None else f"{result.status} {result.detail}"
        line = f"{result.hub} <- {result.feed_url}: {answer}".rstrip()
        if result.ok:
            _info(f"{click.style('ok', fg='green')} {line}")
        else:
            click.echo(f"{click.style('failed', fg='red')} {line}", err=True, color=_colour())
    failed = sum(not result.ok for result in results)
    if failed:
        raise FeedpubError.one(
            f"{failed} of {len(results)} hub notification(s) failed",
            hint="the hubs did not hear about this update; run 'feedpub ping' again later",
        )


@cli.command()
@click.argument("kind", type=click.Choice(["entry", "config"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of entry files or of feedpub.yaml.

    Editors use it to complete and check keys while you type (VS Code with
    the YAML extension reads the "# yaml-language-server: $schema=..." line
    that 'feedpub init' and 'feedpub new' write).

    \b
    Examples:
      feedpub schema entry > entry.schema.json
      feedpub schema config
    """
    from .schema import load_schema

    click.echo(load_schema("entry" if kind == "entry" else "config"), nl=False)


def main() -> None:
    cli(prog_name="feedpub")
