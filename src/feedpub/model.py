"""The typed, validated model between reading and rendering.

Everything here is immutable and already checked, so renderers never
re-validate or guess: dates are timezone-aware and URLs are absolute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from .errors import Problem

CONFIG_NAME = "feedpub.yaml"
ENTRIES_DIR = "entries"
OUTPUT_DIR = "output"
INDEX_FILENAME = "index.html"
FORMATS = ("atom", "rss", "json")
DEFAULT_FILENAMES = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The ``updated`` of a document with no entries: fixed, never "now"."""


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    alt: str
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a story comes from (another publication)."""

    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str
    length: int


@dataclass(frozen=True, slots=True)
class Entry:
    path: str
    """The entry file as shown in messages (relative to the site root)."""
    slug: str
    id: str
    title: str
    date: datetime
    updated: datetime | None = None
    link: str | None = None
    authors: tuple[Person, ...] = ()
    summary: str | None = None
    content_html: str | None = None
    tags: tuple[str, ...] = ()
    image: Image | None = None
    source: Source | None = None
    lang: str | None = None
    draft: bool = False
    enclosures: tuple[Enclosure, ...] = ()

    @property
    def modified(self) -> datetime:
        """The date readers should treat as the entry's last change."""
        return self.updated if self.updated is not None else self.date

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values, for the build cache."""
        return {
            "path": self.path, "slug": self.slug, "id": self.id, "title": self.title,
            "date": self.date.isoformat(),
            "updated": self.updated.isoformat() if self.updated else None,
            "link": self.link, "authors": [[p.name, p.email, p.url] for p in self.authors],
            "summary": self.summary, "content_html": self.content_html, "tags": list(self.tags),
            "image": [self.image.url, self.image.alt, self.image.credit] if self.image else None,
            "source": [self.source.title, self.source.url] if self.source else None,
            "lang": self.lang, "draft": self.draft,
            "enclosures": [[x.url, x.type, x.length] for x in self.enclosures],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        image, source = data["image"], data["source"]
        return cls(
            path=data["path"], slug=data["slug"], id=data["id"], title=data["title"],
            date=datetime.fromisoformat(data["date"]),
            updated=datetime.fromisoformat(data["updated"]) if data["updated"] else None,
            link=data["link"], authors=tuple(Person(*p) for p in data["authors"]),
            summary=data["summary"], content_html=data["content_html"], tags=tuple(data["tags"]),
            image=Image(*image) if image else None, source=Source(*source) if source else None,
            lang=data["lang"], draft=data["draft"],
            enclosures=tuple(Enclosure(*x) for x in data["enclosures"]),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Config:
    """The site config (feedpub.yaml), with defaults applied."""

    title: str
    description: str
    url: str
    base_url: str
    language: str | None = None
    authors: tuple[Person, ...] = ()
    timezone: str = "UTC"
    limit: int = 50
    formats: tuple[str, ...] = FORMATS
    filenames: tuple[tuple[str, str], ...] = tuple(DEFAULT_FILENAMES.items())
    id: str | None = None
    icon: str | None = None
    logo: str | None = None
    copyright: str | None = None
    archive: bool = False
    """RFC 5005 archives: older entries move to fixed pages under archive/."""
    hubs: tuple[str, ...] = ()
    """WebSub hubs that readers may subscribe to for push updates."""
    index: bool = True
    """Also write index.html, a page listing the entries with feed autodiscovery."""
    markdown: Literal["gfm", "commonmark"] = "gfm"
    """The Markdown dialect: "gfm" (GitHub-flavoured) or "commonmark" (strict)."""
    pages: bool = True
    """Also write a page per entry, which is the entry's link when it has none."""

    def filename(self, fmt: str) -> str:
        return dict(self.filenames)[fmt]

    def page_path(self, fmt: str, page: int = 0) -> str:
        """Output path of a document: the main feed (page 0) or archive page N."""
        name = self.filename(fmt)
        if page == 0:
            return name
        suffix = name[name.rfind(".") :] if "." in name else ""
        return f"archive/{fmt}/{page}{suffix}"

    def feed_url(self, fmt: str, page: int = 0) -> str:
        """The URL a document is served from: its self link."""
        return self.base_url + self.page_path(fmt, page)

    @property
    def feed_id(self) -> str:
        return self.id or self.url


def page_name(shown: str) -> str:
    """The output path of an entry's page: ``entries/a/b.yaml`` -> ``entries/a/b.html``."""
    return shown.rsplit(".", 1)[0] + ".html"


@dataclass(frozen=True, slots=True)
class Site:
    """Everything loaded from a site folder: the config and every entry file."""

    config: Config
    entries: tuple[Entry, ...] = ()
    warnings: tuple[Problem, ...] = ()
    """Things worth fixing that do not stop a build (``feedpub check`` lists them)."""


@dataclass(frozen=True, slots=True)
class Feed:
    """What one feed document publishes: page 0 is the main feed, 1..pages archives.

    Archive page 1 is the oldest (RFC 5005).
    """

    config: Config
    entries: tuple[Entry, ...]
    updated: datetime
    page: int = 0
    pages: int = 0

    def links(self, fmt: str) -> list[tuple[str, str]]:
        """RFC 5005 (rel, href) links for this document, beyond self and alternate."""
        url = self.config.feed_url
        if self.page == 0:
            return [("prev-archive", url(fmt, self.pages))] if self.pages else []
        links = [("current", url(fmt))]
        if self.page > 1:
            links.append(("prev-archive", url(fmt, self.page - 1)))
        if self.page < self.pages:
            links.append(("next-archive", url(fmt, self.page + 1)))
        return links
