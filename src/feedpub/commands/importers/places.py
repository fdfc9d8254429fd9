"""Where a post sits in its tool's layout, and the dates and links that follow from it.

Jekyll, Hugo and Zola each derive a page's URL and often its date from the
file's place (``_posts/2013-05-06-x.md``, ``content/posts/x/index.md``), so
the importer reads the same places to give the entry the link it had.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from ...read.slug import slugify

JEKYLL_DIRS = ("_posts", "_drafts")
CONTENT_DIR = "content"
BUNDLE_NAMES = ("index.md", "index.markdown")
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
"""Jekyll's built-in permalink styles; ``date`` is its default."""

_WHEN = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
)
_DAY_IN_TEXT = re.compile(r"(?<!\d)(\d{4})[-/](\d{2})[-/](\d{2})(?!\d)")
DATED_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[-_]")
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_DOUBLE_SLASH = re.compile(r"(?<!:)/{2,}")


@dataclass(frozen=True, slots=True)
class Place:
    """A post file as its tool sees it."""

    stem: str
    """The file name without extension (a page bundle's folder name for ``index.md``)."""
    anchor: str | None
    """``_posts``, ``_drafts`` or ``content`` if the file sits under one."""
    sections: tuple[str, ...]
    """Folders between the anchor and the post (Hugo and Zola sections)."""
    label: str
    """The file from its tool's site folder on, e.g. ``_posts/2013-05-06-x.md``."""
    site_dir: Path | None
    """The folder holding the anchor: the tool's own site folder."""


def locate(path: Path) -> Place:
    """Read ``path``'s place from its folders (resolved, so ``.`` arguments work)."""
    parts = path.resolve().parts
    bundle = path.name in BUNDLE_NAMES and len(parts) > 1
    stem = parts[-2] if bundle else path.stem
    folders = parts[:-2] if bundle else parts[:-1]
    anchor_at = next(
        (i for i in range(len(folders) - 1, -1, -1) if folders[i] in (*JEKYLL_DIRS, CONTENT_DIR)),
        None,
    )
    if anchor_at is None:
        return Place(stem, None, (), path.name, None)
    label = "/".join(parts[anchor_at:])
    return Place(
        stem,
        folders[anchor_at],
        tuple(folders[anchor_at + 1 :]),
        label,
        Path(*parts[:anchor_at]),
    )


def normalise_when(text: str) -> tuple[str, date] | None:
    """``text`` as the RFC 3339 form the build reads, and its calendar day.

    ``2013-05-06 02:12:52 +0200`` becomes ``2013-05-06T02:12:52+02:00``; a
    time without an offset stays without one (the site's time zone applies),
    fractions of a second are dropped, and a bare day stays a bare day.
    """
    found = _WHEN.fullmatch(text.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second, offset = found.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if hour is None:
        return moment.date().isoformat(), moment.date()
    stamp = moment.isoformat(timespec="seconds")
    if offset is None:
        return stamp, moment.date()
    if offset in ("Z", "z", "UTC", "GMT"):
        return f"{stamp}Z", moment.date()
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return None
    return f"{stamp}{offset[0]}{hours:02d}:{minutes:02d}", moment.date()


def day_in(text: str) -> tuple[str, date] | None:
    """A ``YYYY-MM-DD`` or ``YYYY/MM/DD`` day written inside a file name or a URL."""
    found = _DAY_IN_TEXT.search(text)
    if found is None:
        return None
    return normalise_when("-".join(found.groups()))


def name_slug(stem: str) -> str:
    """The file name's part after a leading ``YYYY-MM-DD-`` (Jekyll, Zola) or all of it."""
    return DATED_NAME.sub("", stem, count=1) or stem


def jekyll_permalink(place: Place) -> str:
    """The site's ``permalink`` setting from ``_config.yml`` next to ``_posts``, or ``date``."""
    config = place.site_dir / "_config.yml" if place.site_dir else None
    if config is None or not config.is_file():
        return JEKYLL_STYLES["date"]
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return JEKYLL_STYLES["date"]
    pattern = data.get("permalink") if isinstance(data, dict) else None
    if not isinstance(pattern, str) or not pattern.strip():
        return JEKYLL_STYLES["date"]
    return JEKYLL_STYLES.get(pattern.strip(), pattern.strip())


def jekyll_link(pattern: str, day: date, slug: str, categories: Sequence[str]) -> str:
    """Expand Jekyll's permalink placeholders the way Jekyll does for a post."""
    values = {
        "year": f"{day.year:04d}",
        "short_year": f"{day.year % 100:02d}",
        "month": f"{day.month:02d}",
        "i_month": str(day.month),
        "day": f"{day.day:02d}",
        "i_day": str(day.day),
        "y_day": f"{day.timetuple().tm_yday:03d}",
        "title": slug,
        "slug": slug,
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "output_ext": ".html",
    }
    expanded = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)
    return _DOUBLE_SLASH.sub("/", expanded)


def section_link(place: Place, slug: str, *, zola: bool) -> str:
    """``/section/.../slug/``: Hugo lower-cases the path, Zola slugifies each part."""
    parts = [*place.sections, slug]
    clean = [slugify(p) for p in parts] if zola else [p.lower() for p in parts]
    return "/" + "/".join(clean) + "/"


def rooted(link: str) -> str:
    """A site-relative link gets its leading slash; absolute URLs stay as written."""
    if "://" in link or link.startswith(("/", "mailto:")):
        return link
    return "/" + link
