"""Atom 1.0 (RFC 4287) rendering via feedgen."""

from __future__ import annotations

import html

from feedgen.entry import FeedEntry

from ..model import Config, Entry, Feed, Person
from ._shared import effective_authors, fragment, new_generator, splice

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def render_atom(feed: Feed) -> bytes:
    return atom_document(feed.config, feed, [atom_entry(e, feed.config) for e in feed.entries])


def atom_document(config: Config, feed: Feed, fragments: list[bytes]) -> bytes:
    fg = new_generator(config)
    fg.id(config.feed_id)
    fg.subtitle(config.description)
    fg.updated(feed.updated)
    # RFC 4287 4.1.1: a feed SHOULD link to itself; readers use it to re-subscribe.
    fg.link(href=config.feed_url("atom"), rel="self", type="application/atom+xml")
    fg.link(href=config.url, rel="alternate", type="text/html")
    for hub in config.hubs:
        fg.link(href=hub, rel="hub")  # WebSub: subscribe here for push updates
    for person in config.authors:
        fg.author(_person(person))
    if config.icon:
        fg.icon(config.icon)
    if config.logo:
        fg.logo(config.logo)
    if config.copyright:
        fg.rights(config.copyright)
    shell: bytes = fg.atom_str(pretty=True)
    return splice(shell, b"</feed>", fragments)


def _person(person: Person) -> dict[str, str]:
    data = {"name": person.name}
    if person.email:
        data["email"] = person.email
    if person.url:
        data["uri"] = person.url
    return data


def atom_entry(entry: Entry, config: Config) -> bytes:
    fe = FeedEntry()
    fe.id(entry.id)
    fe.title(entry.title)
    fe.published(entry.date)
    fe.updated(entry.modified)
    for person in effective_authors(entry, config):
        fe.author(_person(person))
    if entry.content_html:
        fe.content(entry.content_html, type="html")
        if entry.summary:
            fe.summary(entry.summary, type="text")
    elif entry.link is None and entry.summary:
        # RFC 4287 4.1.1.1: without an alternate link an entry needs content.
        fe.content(entry.summary, type="text")
    elif entry.summary:
        fe.summary(entry.summary, type="text")
    links: list[dict[str, str]] = []
    if entry.link:
        links.append({"href": entry.link, "rel": "alternate", "type": "text/html"})
    for enc in entry.enclosures:
        links.append(
            {"href": enc.url, "rel": "enclosure", "type": enc.type, "length": str(enc.length)}
        )
    if entry.source and entry.source.url:
        links.append({"href": entry.source.url, "rel": "via", "title": entry.source.title})
    if links:
        fe.link(links)
    for tag in entry.tags:
        fe.category(term=tag)
    element = fe.atom_entry()
    # feedgen 1.0.0 drops every link attribute but href (its issues #135/#143):
    # put rel, type, length and title back, in the order we added them.
    for link_element, wanted in zip(element.findall("link"), links, strict=True):
        for key, value in wanted.items():
            link_element.set(key, value)
    if "<" in entry.title:
        # Text that looks like markup: declare it HTML and escape it, so the
        # title shows exactly as written instead of tripping HTML sniffers.
        title = element.find("title")
        title.set("type", "html")
        title.text = html.escape(entry.title, quote=False)
    if entry.lang and entry.lang != config.language:
        element.set(XML_LANG, entry.lang)
    return fragment(element)
