"""The typed, validated model that sits between loading and rendering.

Everything here is immutable and already checked: renderers never need to
re-validate or guess. Dates are timezone-aware; URLs are absolute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .errors import Problem


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


FORMATS = ("atom", "rss")
DEFAULT_FILENAMES = {"atom": "atom.xml", "rss": "rss.xml"}


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
    formats: tuple[str, ...] = ("atom", "rss")
    filenames: tuple[tuple[str, str], ...] = tuple(DEFAULT_FILENAMES.items())
    id: str | None = None
    icon: str | None = None
    logo: str | None = None
    copyright: str | None = None
    hubs: tuple[str, ...] = ()
    """WebSub hubs (config key ``hub``) that ``feedpub ping`` notifies."""

    def filename(self, fmt: str) -> str:
        return dict(self.filenames)[fmt]

    def feed_url(self, fmt: str) -> str:
        """The URL a feed file is served from: its self link."""
        return self.base_url + self.filename(fmt)

    @property
    def feed_id(self) -> str:
        return self.id or self.url


@dataclass(frozen=True, slots=True)
class Site:
    """Everything loaded from a site folder: the config and every entry file."""

    config: Config
    entries: tuple[Entry, ...] = field(default=())
    warnings: tuple[Problem, ...] = field(default=())
    """Things worth fixing that do not stop a build (``feedpub check`` lists them)."""


@dataclass(frozen=True, slots=True)
class Feed:
    """What one feed document publishes: the site and its selected entries."""

    config: Config
    entries: tuple[Entry, ...]
    updated: datetime
