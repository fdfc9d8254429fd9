"""Pieces both feedgen-based renderers need.

feedgen builds one lxml tree per document; we let it build the channel
"shell" and each entry separately, serialise each entry on its own, and
splice the fragments into the shell. That keeps per-entry work independent
(cacheable, parallelisable) and lets us fix what feedgen gets wrong in one
place without touching its private state.
"""

from __future__ import annotations

from lxml import etree

from ..model import Feed
from ._feedgen import BaseExtension, FeedGenerator

GENERATOR = "feedpub"
GENERATOR_URI = "https://pypi.org/project/feedpub/"
ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"


class _LinksExtension(BaseExtension):  # type: ignore[misc]
    """Links feedgen refuses (its ``link()`` only knows five rels) and fh:archive.

    RFC 5005 needs prev-archive/next-archive/current links and an
    ``<fh:archive/>`` marker on archive documents.
    """

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
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
        return rss


def new_generator(feed: Feed, fmt: str) -> FeedGenerator:
    config = feed.config
    fg = FeedGenerator()
    fg.title(config.title)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    if config.language:
        fg.language(config.language)
    links = feed.links(fmt)
    if links or feed.page:
        fg.register_extension("feedpub_links", _LinksExtension, atom=True, rss=True)
        fg.feedpub_links.links = links
        fg.feedpub_links.archive = feed.page > 0
    return fg


def splice(shell: bytes, closing: bytes, fragments: list[bytes]) -> bytes:
    """Insert entry fragments just before the document's closing tag(s)."""
    at = shell.rindex(closing)
    return b"".join([shell[:at], *fragments, shell[at:]])
