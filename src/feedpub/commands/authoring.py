"""``feedpub new``: write a fresh entry file that loads cleanly and is ready to edit.

A new entry gets an explicit ``id: urn:uuid:...`` at birth, so renaming the
file or fixing its date later never shows it to readers twice. Files are
created with ``open(..., "x")``: feedpub never overwrites what a person wrote.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from ..errors import FeedpubError, Problem
from ..model import ENTRIES_DIR
from ..read.config import load_config
from ..read.entry import PLACEHOLDER_CONTENT, PLACEHOLDER_SUMMARY
from ..read.fields import DATE_HINT, parse_date
from ..read.slug import slugify

SCHEMA_DIR = ".feedpub"
"""Where ``feedpub init`` writes the JSON Schemas that editors validate against."""
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_when(text: str, zone: ZoneInfo) -> date | datetime:
    """A ``--date`` value: a day, or a date-time (local to ``zone`` without an offset).

    Raises ValueError with a message fit for the user.
    """
    value = text.strip()
    try:
        moment = parse_date(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f'"{text}" is not a valid date ({DATE_HINT})')
    if _DATE_ONLY.fullmatch(value):
        return moment.date()
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def yaml_line(key: str, value: str) -> str:
    """``key: value`` with the value quoted only when YAML needs it (``no``, ``#x``...)."""
    return yaml.safe_dump({key: value}, allow_unicode=True, width=1 << 30, sort_keys=False)


def schema_path(root: Path, kind: str) -> Path:
    """Where ``feedpub init`` puts the JSON Schema for ``kind`` ('entry' or 'config')."""
    return root / SCHEMA_DIR / f"{kind}.schema.json"


def modeline(target: Path, schema: Path) -> str:
    """The yaml-language-server line that points ``target`` at ``schema``.

    The path is relative to the YAML file, which is how yaml-language-server
    resolves modelines, so the site folder can move or be cloned anywhere.
    """
    relative = Path(os.path.relpath(schema, target.parent)).as_posix()
    return f"# yaml-language-server: $schema={relative}\n"


def schema_modeline(target: Path, root: Path, kind: str) -> str:
    """The schema line for ``target`` if the site has that schema, else nothing.

    Without the file, no line: editors would only complain about a missing schema.
    """
    schema = schema_path(root, kind)
    return modeline(target, schema) if schema.is_file() else ""


def entry_text(
    title: str,
    when: date | datetime,
    entry_id: str,
    *,
    draft: bool = False,
    link: str | None = None,
    summary: str = PLACEHOLDER_SUMMARY,
    content: str = PLACEHOLDER_CONTENT,
    lang: str | None = None,
) -> str:
    """The YAML of a new entry (without a schema line).

    Without ``link`` a commented example stays in the file: a guessed URL
    that 404s would be worse than the missing-link warning.
    """
    stamp = when.isoformat(timespec="seconds") if isinstance(when, datetime) else when.isoformat()
    lines = [
        yaml_line("title", title),
        f"date: {stamp}\n",
        "# The id is how feed readers recognise this entry: never change it.\n",
        f"id: {entry_id}\n",
    ]
    if draft:
        lines.append("draft: true  # delete this line to publish\n")
    lines.append("# The entry's page on your site, absolute or relative to the site url:\n")
    lines.append(yaml_line("link", link) if link else f"# link: /{slugify(title)}/\n")
    if lang:
        lines.append(yaml_line("lang", lang))
    lines += [
        yaml_line("summary", summary),
        "content: |\n",
        *(f"  {line}\n" if line else "\n" for line in content.splitlines()),
    ]
    return "".join(lines)


def entry_path(root: Path, title: str, when: date | datetime) -> Path:
    day = when.date() if isinstance(when, datetime) else when
    return root / ENTRIES_DIR / f"{day.isoformat()}-{slugify(title)}.yaml"


def clean_title(title: str) -> str:
    """Titles are one line: collapse runs of whitespace, refuse blank ones."""
    cleaned = " ".join(title.split())
    if not cleaned:
        raise FeedpubError.one("the title is empty", hint='write e.g. feedpub new "My title"')
    return cleaned


def create_entry(
    root: Path,
    title: str,
    *,
    when: date | datetime | None = None,
    draft: bool = False,
    now: datetime | None = None,
) -> Path:
    """Write ``entries/YYYY-MM-DD-<slug>.yaml`` for a new entry and return its path.

    ``when`` defaults to ``now`` (the current time) in the site's time zone,
    to the second. Raises FeedpubError if the file already exists.
    """
    config = load_config(root)
    title = clean_title(title)
    if when is None:
        when = (now or datetime.now(UTC)).astimezone(ZoneInfo(config.timezone))
        when = when.replace(microsecond=0)
    path = entry_path(root, title, when)
    text = schema_modeline(path, root, "entry") + entry_text(
        title, when, f"urn:uuid:{uuid.uuid4()}", draft=draft
    )
    create_files(root, {path: text}, hint="pick another title, or another day with --date")
    return path


def create_files(
    root: Path,
    files: dict[Path, str],
    *,
    hint: str = "feedpub never overwrites files; move it away first",
) -> None:
    """Create every file or none: refuse if any exists, undo a partial write.

    All targets are checked first so the error lists every clash at once;
    ``open(..., "x")`` then guards against a file appearing in between.
    """
    clashes = [path for path in files if path.exists() or path.is_symlink()]
    if clashes:
        raise FeedpubError(
            Problem(
                str(path),
                None,
                None,
                "already exists",
                hint,
            )
            for path in clashes
        )
    created: list[Path] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                created.append(path)
                handle.write(text)
    except OSError as exc:
        for path in created:
            path.unlink(missing_ok=True)
        raise FeedpubError.one(
            f"cannot create {exc.filename or root}: {exc.strerror}",
            hint="nothing was written",
        ) from exc
