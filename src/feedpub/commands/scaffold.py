"""``feedpub init``: a new site folder that builds on the first try.

The config is checked with the same parser ``feedpub build`` uses before
anything is written, so a bad ``--language`` or ``--url`` is reported
instead of leaving a site that does not load. When the JSON Schemas are
available (``feedpub.schema``), they are copied into ``.feedpub/`` and every
YAML file gets a ``yaml-language-server`` line pointing at them: editors
then validate and complete entries offline.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.nodes import MappingNode

from ..errors import InputError, Problem
from ..model import CONFIG_NAME
from ..read.config import parse_config
from ..read.fields import Fields
from .authoring import create_files, entry_path, entry_text, modeline, schema_path, yaml_line
from .samples import samples_for

CACHE_DIR = ".feedpub-cache/"
STAGING_PATTERN = ".*.feedpub-staging/"
if TYPE_CHECKING:
    from .schema import SchemaKind

SCHEMA_KINDS: tuple[SchemaKind, ...] = ("config", "entry")
_UTC_ALIASES = frozenset(
    {"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"}
)


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """The answers ``feedpub init`` needs; ``None`` leaves the key out."""

    title: str
    url: str
    description: str | None = None
    """None: a sentence naming the title, in the site's language."""
    language: str | None = None
    author: str | None = None
    """None: the feed title, since Atom needs an author for every entry."""
    timezone: str = "UTC"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a site url, or None if it can."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f'"{url}" is not an absolute http(s) URL; write e.g. https://example.org/'
    return None


def local_timezone() -> str:
    """The machine's IANA zone name (from TZ or /etc/localtime), else UTC.

    Only a name zoneinfo knows is returned, so the config always loads.
    """
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "")
    except OSError:
        pass
    for name in candidates:
        if name in _UTC_ALIASES:
            return "UTC"
        if name and not name.startswith("/"):
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def description_of(settings: SiteSettings) -> str:
    """The description given, or one naming the title in the site's language."""
    template = samples_for(settings.language).description
    return settings.description or template.format(title=settings.title)


def config_text(settings: SiteSettings) -> str:
    lines = [
        "# Site settings for feedpub; every key is described in feedpub's README.\n",
        yaml_line("title", settings.title),
        yaml_line("description", description_of(settings)),
        "# Where the site lives; base for relative links. Add base_url if the feeds\n",
        "# are served from somewhere else.\n",
        yaml_line("url", settings.url.strip()),
    ]
    if settings.language:
        lines.append(yaml_line("language", settings.language))
    lines.append(yaml_line("author", settings.author or settings.title))
    lines.append("# Dates written without an offset are in this zone.\n")
    lines.append(yaml_line("timezone", settings.timezone))
    return "".join(lines)


def check_config_text(text: str) -> None:
    """Run the real config parser over ``text``; raise InputError on any problem."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    problems: list[Problem] = []
    if isinstance(node, MappingNode):
        parse_config(Fields(node, CONFIG_NAME, problems))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)


def load_schema_texts() -> dict[str, str]:
    """The JSON Schemas by kind, or nothing if this feedpub has no schema module."""
    try:
        from .schema import load_schema
    except ImportError:  # a trimmed install: write no dangling schema pointers
        return {}
    return {kind: load_schema(kind) for kind in SCHEMA_KINDS}


def init_site(root: Path, settings: SiteSettings, *, now: datetime | None = None) -> list[Path]:
    """Create a site in ``root``: config, entries/ with an example, .gitignore, schemas.

    Refuses (FeedpubError, nothing written) if any of these files exists.
    Returns the created files in a stable order.
    """
    if url_problem(settings.url):
        raise InputError.one(str(url_problem(settings.url)), field="url")
    config = config_text(settings)
    check_config_text(config)
    schemas = {schema_path(root, kind): text for kind, text in load_schema_texts().items()}
    files = {path: text.rstrip("\n") + "\n" for path, text in schemas.items()}
    config_path = root / CONFIG_NAME
    when = (now or datetime.now(UTC)).astimezone(ZoneInfo(settings.timezone))
    sample = samples_for(settings.language)
    example = entry_path(root, sample.title, when)
    files[config_path] = _with_modeline(config_path, root, "config", files) + config
    # The example links to the home page: it exists, and the first build is warning-free.
    files[example] = _with_modeline(example, root, "entry", files) + entry_text(
        sample.title,
        when.replace(microsecond=0),
        f"urn:uuid:{uuid.uuid4()}",
        link="/",
        summary=sample.summary.format(title=settings.title),
        content=sample.content,
        lang=sample.lang,
    )
    gitignore = root / ".gitignore"
    files[gitignore] = (
        f"# feedpub's build cache: safe to delete, never commit it\n{CACHE_DIR}\n"
        f"# what a build stopped while writing leaves beside output/ (the next one removes it)\n"
        f"{STAGING_PATTERN}\n"
    )
    create_files(root, files)
    return [config_path, example, gitignore, *sorted(schemas)]


def _with_modeline(target: Path, root: Path, kind: str, pending: dict[Path, str]) -> str:
    """The schema line, judged by what this init will write, not by what exists yet."""
    schema = schema_path(root, kind)
    return modeline(target, schema) if schema in pending else ""
