"""Atom 1.0 (RFC 4287) documents via feedgen."""

from __future__ import annotations

from ..model import Config, Entry, Feed
from ._entry import atom_person, entry_fragments
from ._shared import new_generator, splice


def atom_entry(entry: Entry, config: Config) -> bytes:
    return entry_fragments(entry, config, ("atom",))["atom"]


def atom_document(feed: Feed, fragments: list[bytes]) -> bytes:
    config = feed.config
    fg = new_generator(feed, "atom")
    # Archive pages are documents of the same feed: RFC 5005 keeps the feed id.
    fg.id(config.feed_id)
    fg.subtitle(config.description)
    fg.updated(feed.updated)
    # RFC 4287 4.1.1: a feed SHOULD link to itself; readers use it to re-subscribe.
    fg.link(href=config.feed_url("atom", feed.page), rel="self", type="application/atom+xml")
    fg.link(href=config.url, rel="alternate", type="text/html")
    for hub in config.hubs:
        fg.link(href=hub, rel="hub")  # WebSub: subscribe here for push updates
    for person in config.authors:
        fg.author(atom_person(person))
    if config.icon:
        fg.icon(config.icon)
    if config.logo:
        fg.logo(config.logo)
    if config.copyright:
        fg.rights(config.copyright)
    shell: bytes = fg.atom_str(pretty=True)
    return splice(shell, b"</feed>", fragments)
