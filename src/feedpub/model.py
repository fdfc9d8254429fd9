"""The typed, validated model that sits between loading and rendering.

Everything here is immutable and already checked: renderers never need to
re-validate or guess. Dates are timezone-aware; URLs are absolute.
"""

from __future__ import annotations

from datetime import datetime

from .errors import Problem
from .slots import frozen


@frozen
class Person:
    name: str
    email: str | None = None
    url: str | None = None


@frozen
class Image:
    url: str
    alt: str
    credit: str | None = None


@frozen
class Source:
    """Where a story comes from (another publication)."""

    title: str
    url: str | None = None


@frozen
class Enclosure:
    url: str
    type: str
    length: int


@frozen
class Entry:
    path: str
    """The entry file, as shown in messages (relative to the site root)."""
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


FORMATS = ("atom", "rss", "json")
DEFAULT_FILENAMES = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
INDEX_FILENAME = "index.html"


@frozen
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


@frozen
class Site:
    """Everything loaded from a site folder: the config and every entry file."""

    config: Config
    entries: tuple[Entry, ...] = ()
    warnings: tuple[Problem, ...] = ()
    """Things worth fixing that do not stop a build (``feedpub check`` lists them)."""


@frozen
class Feed:
    """What one feed document publishes: the site and its selected entries.

    ``page`` 0 is the main (subscription) document; pages 1..``pages`` are
    RFC 5005 archive documents, 1 being the oldest.
    """

    config: Config
    entries: tuple[Entry, ...]
    updated: datetime
    page: int = 0
    pages: int = 0

    def links(self, fmt: str) -> list[tuple[str, str]]:
        """RFC 5005 (rel, href) links for this document, beyond self and alternate.

        Each archive page links to the current feed and its neighbours; only
        the newest page gains a next-archive link when a newer page appears
        (its entries never change).
        """
        url = self.config.feed_url
        if self.page == 0:
            return [("prev-archive", url(fmt, self.pages))] if self.pages else []
        links = [("current", url(fmt))]
        if self.page > 1:
            links.append(("prev-archive", url(fmt, self.page - 1)))
        if self.page < self.pages:
            links.append(("next-archive", url(fmt, self.page + 1)))
        return links
