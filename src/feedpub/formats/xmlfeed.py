"""The document around Atom and RSS entries: feedgen builds it with no entries.

The entries are serialised on their own (cacheable, parallel) and streamed
between the frame's head and its closing tags, so a 100,000-entry document
never sits in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..model import Feed

GENERATOR = "feedpub"
GENERATOR_URI = "https://pypi.org/project/feedpub/"
ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"


class LinksExtension(BaseExtension):  # type: ignore[misc]
    """Links feedgen's ``link()`` refuses (RFC 5005 archive rels, RSS hubs) and fh:archive."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
        self.rss_hubs: tuple[str, ...] = ()
        self.archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH_NS} if self.archive else {}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        for rel, href in self.links:
            etree.SubElement(feed, "link", href=href, rel=rel)
        if self.archive:
            etree.SubElement(feed, f"{{{FH_NS}}}archive")
        return feed

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        channel = rss[0]
        for rel, href in self.links:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=href, rel=rel)
        if self.archive:
            etree.SubElement(channel, f"{{{FH_NS}}}archive")
        for hub in self.rss_hubs:  # WebSub section 4: one rel="hub" link per hub
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=hub, rel="hub")
        return rss


def new_generator(feed: Feed, fmt: str) -> FeedGenerator:
    config = feed.config
    fg = FeedGenerator()
    fg.title(config.title)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    if config.language:
        fg.language(config.language)
    links = feed.links(fmt)
    hubs = config.hubs if fmt == "rss" else ()
    if links or feed.page or hubs:
        fg.register_extension("feedpub_links", LinksExtension, atom=True, rss=True)
        fg.feedpub_links.links = links
        fg.feedpub_links.rss_hubs = hubs
        fg.feedpub_links.archive = feed.page > 0
    return fg


def stream(frame: bytes, closing: bytes, fragments: Iterable[bytes]) -> Iterator[bytes]:
    """The frame's head, every fragment, then the frame's closing tags."""
    at = frame.rindex(closing)
    yield frame[:at]
    yield from fragments
    yield frame[at:]
