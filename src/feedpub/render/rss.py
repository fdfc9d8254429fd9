"""RSS 2.0 documents via feedgen, following the RSS Board's best practices."""

from __future__ import annotations

import re

from ..model import Config, Entry, Feed
from ..rfc822 import rfc822
from ._entry import entry_fragments, rss_person
from ._shared import new_generator, splice
from .websub import add_hub_links

_LAST_BUILD = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>")
_ENTITY = re.compile(rb"&(amp|lt|gt);")
_NUMERIC = {b"amp": b"&#x26;", b"lt": b"&#x3C;", b"gt": b"&#x3E;"}


def rss_item(entry: Entry, config: Config) -> bytes:
    return entry_fragments(entry, config, ("rss",))["rss"]


def rss_document(feed: Feed, fragments: list[bytes]) -> bytes:
    config = feed.config
    fg = new_generator(feed, "rss")
    fg.load_extension("dc", atom=False, rss=True)
    fg.description(config.description)
    # feedgen uses the *last* alternate link as <link>; self goes to atom:link.
    fg.link(href=config.feed_url("rss", feed.page), rel="self", type="application/rss+xml")
    fg.link(href=config.url, rel="alternate")
    emailed = [p for p in config.authors if p.email]
    if emailed:
        fg.managingEditor(rss_person(emailed[0]))
    if config.copyright:
        fg.rights(config.copyright)
    if config.logo:
        fg.image(url=config.logo, title=config.title, link=config.url)
    fg.lastBuildDate(feed.updated)
    shell: bytes = fg.rss_str(pretty=True)
    # feedgen formats dates by switching the process locale; write ours instead.
    last_build = f"<lastBuildDate>{rfc822(feed.updated)}</lastBuildDate>".encode()
    shell = _LAST_BUILD.sub(lambda _: last_build, shell, count=1)
    # The channel's text is all plain (its <description> too, unlike an item's):
    # numeric references, as in items (see _entry.py).
    shell = _ENTITY.sub(lambda m: _NUMERIC[m.group(1)], shell)
    shell = add_hub_links(shell, config.hubs)
    return splice(shell, b"</channel>", fragments)
