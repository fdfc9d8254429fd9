"""``feedpub init``, ``new``, ``list``, ``import`` and ``schema``: starting and writing a site."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from .options import (
    SEVERITY_COLOURS,
    colour,
    echo_problems,
    format_choice,
    info,
    root_option,
    verbosity,
)


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


@click.command()
@root_option
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--title", help="Feed title.  [default: the folder's name]")
@click.option("--url", callback=_check_url, help="The site's address, e.g. https://example.org/.")
@click.option(
    "--description",
    help="One sentence saying what the feed is.  [default: 'News from TITLE', in the language]",
)
@click.option("--language", help="Language tag such as en or fr-CA.  [default: none]")
@click.option(
    "--author", "author", help="Feed author: 'Name' or 'Name <email>'.  [default: the title]"
)
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
        # Atom needs an author for every entry: the feed's own name will do.
        author=answer(author, "Author (e.g. Ana <ana@example.org>)", title) or None,
        # Never asked: good defaults, and one line to edit in feedpub.yaml.
        description=description or None,
        timezone=timezone or local_timezone(),
    )
    for path in init_site(target, settings):
        info(f"created {path}")
    steps = [] if target == Path(".") else [f"cd {shlex.quote(str(target))}"]
    steps += [
        'feedpub new "My first entry" --edit   # write an entry',
        "feedpub serve                         # preview the feeds while you write",
        "feedpub build                         # write output/ for your web host",
    ]
    info("\nNext steps:\n" + "\n".join(f"  {step}" for step in steps))


@click.command()
@root_option
@click.argument("title")
@click.option(
    "--date",
    "when",
    metavar="DATE",
    help="YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS][offset].  [default: now, in the site's time zone]",
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

    from ..errors import InputError
    from ..read.config import load_config
    from ..read.entry import load_entry
    from .authoring import create_entry, parse_when

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
        if verbosity() > 0:
            echo_problems(problems)


_STATUS_COLOURS = {"published": "green", "draft": "yellow", "scheduled": "cyan"}


@click.command("list")
@root_option
@format_choice("table", "A table for people or JSON for tools.")
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
        info('no entries yet; create one with: feedpub new "Title"')
        return
    id_width = max(len("ID"), *(len(item.id) for item in items))
    date_width = max(len(item.date.isoformat()) for item in items)
    click.echo(f"{'DATE':<{date_width}}  {'STATUS':<9}  {'ID':<{id_width}}  TITLE")
    for item in items:
        status = click.style(f"{item.status:<9}", fg=_STATUS_COLOURS[item.status])
        click.echo(
            f"{item.date.isoformat():<{date_width}}  {status}  {item.id:<{id_width}}  {item.title}",
            color=colour(),
        )


@click.command()
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


@click.command("import")
@root_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--from",
    "source",
    type=click.Choice(["auto", "jekyll", "hugo", "zola"]),
    default="auto",
    show_default=True,
    help="The tool that wrote the posts; auto tells from their folders and front matter.",
)
def import_posts(root: Path, paths: tuple[Path, ...], source: str) -> None:
    """Import Jekyll, Hugo or Zola Markdown posts into entries/.

    Each PATH is a post or a folder searched for *.md and *.markdown files.
    Each post becomes entries/YYYY-MM-DD-slug.yaml with a permanent id; what
    could not be carried over is listed as warnings. Existing files are never
    overwritten; exit 1 if any post could not be imported.

    \b
    Examples:
      feedpub import ../oldblog/_posts ../oldblog/_drafts
      feedpub import ../hugo-site/content/posts
      feedpub import -C mysite ../zola-site/content --from zola
    """
    from .importers import SOURCES
    from .importers import import_posts as run_import

    chosen = next(name for name in SOURCES if name == source)  # click checked the choice
    report = run_import(root, paths, chosen)
    for note in report.notes:
        styled = click.style(note.severity, fg=SEVERITY_COLOURS[note.severity], bold=True)
        line = str(note).replace(f": {note.severity}: ", f": {styled}: ", 1)
        click.echo(line, err=True, color=colour())
    count = len(report.written)
    failed = f" ({len(report.failed)} failed)" if report.failed else ""
    info(f"imported {count} post{'' if count == 1 else 's'} into entries/{failed}")
    if report.failed:
        raise SystemExit(1)
