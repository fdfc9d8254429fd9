"""Atom 1.0 (RFC 4287) through feedgen."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator

from ..model import Config, Entry, Feed
from . import Format
from .xmlentry import atom_person, entry_links, feed_entry, serialise
from .xmlfeed import new_generator, stream

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def atom_entry(entry: Entry, config: Config) -> bytes:
    fe = feed_entry(entry, config)
    fe.published(entry.date)
    element = fe.atom_entry()
    # feedgen 1.0.0 drops a link's rel/type/length (its issues #135, #143).
    for link_element, wanted in zip(element.findall("link"), entry_links(entry), strict=True):
        for key, value in wanted.items():
            link_element.set(key, value)
    if entry.content_html is None and entry.link is None:
        summary = element.find("summary")  # the summary became the content: not twice
        if summary is not None:
            element.remove(summary)
    if "<" in entry.title:
        # Text that looks like markup is declared HTML and escaped, so it shows as written.
        title = element.find("title")
        assert title is not None
        title.set("type", "html")
        title.text = html.escape(entry.title, quote=False)
    if entry.lang and entry.lang != config.language:
        element.set(XML_LANG, entry.lang)
    return serialise(element)


def atom_document(feed: Feed, fragments: Iterable[bytes]) -> Iterator[bytes]:
    config = feed.config
    fg = new_generator(feed, "atom")
    fg.id(config.feed_id)  # RFC 5005: archive pages are documents of the same feed
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
    return stream(fg.atom_str(pretty=True), b"</feed>", fragments)


FORMAT = Format("atom", "application/atom+xml", "atom.xml", atom_entry, atom_document)
