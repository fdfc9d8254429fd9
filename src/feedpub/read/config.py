"""Load and validate the site config, ``feedpub.yaml``."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InputError
from ..model import CONFIG_NAME, DEFAULT_FILENAMES, FORMATS, INDEX_FILENAME, Config
from .fields import Fields
from .markup import DIALECTS, Dialect
from .yamlnodes import read_mapping

MAX_NAME_BYTES = 255
"""The longest file name common file systems (ext4, APFS, NTFS) accept."""
CONFIG_KEYS = (
    "title",
    "description",
    "url",
    "base_url",
    "language",
    "author",
    "timezone",
    "limit",
    "formats",
    "filenames",
    "id",
    "icon",
    "logo",
    "copyright",
    "archive",
    "hub",
    "index",
    "markdown",
    "pages",
)


def load_config(root: Path) -> Config:
    """Read ``root/feedpub.yaml``; raise InputError listing every problem."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise InputError.one(
            f"no {CONFIG_NAME} in {root}",
            hint="run feedpub in your site folder, or pass --root DIR",
        )
    node, problems = read_mapping(path, CONFIG_NAME)
    if node is None:
        raise InputError(problems)
    config = parse_config(Fields(node, CONFIG_NAME, problems))
    if problems or config is None:
        raise InputError(problems)
    return config


def _site_url(fields: Fields, key: str, *, required: bool) -> str | None:
    value = fields.url(key, None, required=required)
    if value is not None and not value.endswith("/"):
        value += "/"  # base for relative links and for output file names
    return value


def parse_config(fields: Fields) -> Config | None:
    fields.reject_unknown(CONFIG_KEYS)
    title = fields.text("title", required=True)
    description = fields.text(
        "description", required=True, hint="one sentence saying what the feed is"
    )
    url = _site_url(fields, "url", required=True)
    base_url = _site_url(fields, "base_url", required=False) or url
    timezone = fields.text("timezone") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fields.error(
            "timezone",
            f'"{timezone}" is not a known time zone',
            fields.node("timezone"),
            "use an IANA name such as Europe/Paris or UTC",
        )
    formats = fields.text_list("formats") or FORMATS
    for fmt in formats:
        if fmt not in FORMATS:
            fields.error(
                "formats",
                f'"{fmt}" is not a supported format',
                fields.node("formats"),
                "choose from " + ", ".join(FORMATS),
            )
    filenames = dict(DEFAULT_FILENAMES)
    names = fields.mapping("filenames")
    if names is not None:
        names.reject_unknown(FORMATS)
        for fmt in FORMATS:
            name = names.text(fmt)
            if name is not None:
                if "/" in name or "\\" in name or name.startswith("."):
                    names.error(fmt, f'"{name}" must be a plain file name', names.node(fmt))
                elif len(name.encode("utf-8")) > MAX_NAME_BYTES:
                    names.error(
                        fmt,
                        f"is {len(name.encode('utf-8'))} bytes long; file systems allow"
                        f" {MAX_NAME_BYTES}",
                        names.node(fmt),
                        "choose a shorter name, such as feed.xml",
                    )
                else:
                    filenames[fmt] = name
    if len(set(filenames.values())) != len(filenames):
        fields.error("filenames", "two formats would write the same file", fields.node("filenames"))
    index = fields.boolean("index", True)
    if index and INDEX_FILENAME in filenames.values():
        fields.error(
            "filenames",
            f'"{INDEX_FILENAME}" is taken by the entry list page',
            fields.node("filenames"),
            "choose another name, or set 'index: false'",
        )
    hubs = _hubs(fields)
    config_id = fields.text("id")
    authors = fields.people("author", url)
    language = fields.language("language")
    limit = fields.integer("limit", 50)
    icon = fields.url("icon", url)
    logo = fields.url("logo", url)
    rights = fields.text("copyright")
    archive = fields.boolean("archive")
    written = fields.text("markdown") or "gfm"
    markdown: Dialect = "gfm"
    for dialect in DIALECTS:
        if dialect == written:
            markdown = dialect
    if written != markdown:
        fields.error(
            "markdown",
            f'"{written}" is not a Markdown dialect',
            fields.node("markdown"),
            "choose gfm (GitHub-flavoured, the default) or commonmark",
        )
    if title is None or description is None or url is None or base_url is None:
        return None
    return Config(
        title=title,
        description=description,
        url=url,
        base_url=base_url,
        language=language,
        authors=authors,
        timezone=timezone,
        limit=limit,
        formats=formats,
        filenames=tuple(filenames.items()),
        id=config_id,
        icon=icon,
        logo=logo,
        copyright=rights,
        archive=archive,
        hubs=hubs,
        index=index,
        markdown=markdown,
        pages=fields.boolean("pages", True),
    )


def _hubs(fields: Fields) -> tuple[str, ...]:
    """WebSub hub URLs; absolute, since subscribers contact them directly."""
    hubs: list[str] = []
    for raw in fields.text_list("hub"):
        hub = fields.check_url("hub", raw, None)
        if hub is not None:
            hubs.append(hub)
    return tuple(hubs)
