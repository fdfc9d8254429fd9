"""One module per output format behind one small interface.

A format renders an entry on its own (``entry``: cacheable, parallel) and
streams a document around finished entries (``document``). Both are pure:
no clock, no filesystem, no locale, so the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module

from ..model import Config, Entry, Feed


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str
    default_filename: str
    entry: Callable[[Entry, Config], bytes]
    """One entry's fragment, as it sits inside the document."""
    document: Callable[[Feed, Iterable[bytes]], Iterator[bytes]]
    """The document around the given fragments (newest first), as chunks to write."""


_MODULES = {"atom": "atom", "rss": "rss", "json": "jsonfeed"}
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}


def get_format(name: str) -> Format:
    """The format called ``name``; imported on first use, so quick commands skip lxml."""
    fmt: Format = import_module(f".{_MODULES[name]}", __name__).FORMAT
    return fmt


def entry_fragments(entry: Entry, config: Config) -> dict[str, bytes]:
    """Every configured format's fragment of one entry."""
    return {name: get_format(name).entry(entry, config) for name in config.formats}
