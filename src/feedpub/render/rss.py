"""RSS 2.0 rendering via feedgen, following the RSS Board's best practices."""

from __future__ import annotations

import html
import re
from datetime import datetime
from email.utils import format_datetime

from feedgen.entry import FeedEntry
from lxml import etree

from ..model import Config, Entry, Feed, Person
from ._shared import effective_authors, fragment, new_generator, splice
from .websub import add_hub_links

NSMAP = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
DC_CREATOR = f"{{{NSMAP['dc']}}}creator"
_LAST_BUILD = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>")
# RSS plain-text elements (title, category, ...) are decoded twice by some
# readers; the W3C validator warns on &amp; and &lt; there and accepts
# numeric references. Item <description> and <content:encoded> hold HTML and
# keep their entities.
_HTML_OR_ENTITY = re.compile(rb"(<(description|content:encoded)>.*?</\2>)|&(amp|lt|gt);", re.DOTALL)
_ENTITY = re.compile(rb"()&(amp|lt|gt);")
_NUMERIC = {b"amp": b"&#x26;", b"lt": b"&#x3C;", b"gt": b"&#x3E;"}


def render_rss(feed: Feed) -> bytes:
    return rss_document(feed.config, feed, [rss_item(e, feed.config) for e in feed.entries])


def rss_date(value: datetime) -> str:
    """RFC 822 date, independent of the process locale."""
    return format_datetime(value)


def numeric_entities(data: bytes, *, html_elements: bool = True) -> bytes:
    """Numeric references for plain text; item HTML elements keep entities."""
    pattern = _HTML_OR_ENTITY if html_elements else _ENTITY

    def fix(match: re.Match[bytes]) -> bytes:
        if match.group(1):
            return match.group(1)
        return _NUMERIC[match.group(match.lastindex or 0)]

    return pattern.sub(fix, data)


def rss_document(config: Config, feed: Feed, fragments: list[bytes]) -> bytes:
    fg = new_generator(config)
    fg.load_extension("dc", atom=False, rss=True)
    fg.description(config.description)
    # feedgen uses the *last* alternate link as <link>; self goes to atom:link.
    fg.link(href=config.feed_url("rss"), rel="self", type="application/rss+xml")
    fg.link(href=config.url, rel="alternate")
    emailed = [p for p in config.authors if p.email]
    if emailed:
        fg.managingEditor(_rss_person(emailed[0]))
    if config.copyright:
        fg.rights(config.copyright)
    if config.logo:
        fg.image(url=config.logo, title=config.title, link=config.url)
    fg.lastBuildDate(feed.updated)
    shell: bytes = fg.rss_str(pretty=True)
    # feedgen formats dates by switching the process locale; write ours instead.
    last_build = f"<lastBuildDate>{rss_date(feed.updated)}</lastBuildDate>".encode()
    shell = _LAST_BUILD.sub(lambda _: last_build, shell, count=1)
    shell = add_hub_links(shell, config.hubs)
    # The channel's <description> is plain text, unlike an item's.
    return splice(numeric_entities(shell, html_elements=False), b"</channel>", fragments)


def _rss_person(person: Person) -> str:
    # RSS 2.0 wants "email (Name)" in <author> and <managingEditor>.
    return f"{person.email} ({person.name})"


def rss_item(entry: Entry, config: Config) -> bytes:
    fe = FeedEntry()
    fe.title(entry.title)
    # isPermaLink="true" promises the guid is the article URL; only say so when it is.
    fe.guid(entry.id, permalink=entry.id == entry.link)
    if entry.link:
        fe.link(href=entry.link, rel="alternate")
    if entry.summary:
        # <description> is HTML in practice; escape so plain text shows as written.
        fe.description(html.escape(entry.summary, quote=False), isSummary=True)
    if entry.content_html:
        fe.content(entry.content_html)
    if entry.enclosures:
        # RSS Board best practice: one enclosure per item; Atom carries them all.
        enc = entry.enclosures[0]
        fe.enclosure(url=enc.url, length=str(enc.length), type=enc.type)
    for tag in entry.tags:
        fe.category(term=tag)
    if entry.source and entry.source.url:
        fe.source(url=entry.source.url, title=entry.source.title)
    element = fe.rss_entry()
    pub_date = etree.SubElement(element, "pubDate")
    pub_date.text = rss_date(entry.date)
    authors = effective_authors(entry, config)
    # RSS <author> holds one e-mail address; Dublin Core carries bare names.
    # Readers show a single creator, and the validator warns when an item
    # mixes the two, so several authors become one joined dc:creator.
    if len(authors) == 1 and authors[0].email:
        etree.SubElement(element, "author").text = _rss_person(authors[0])
    elif authors:
        etree.SubElement(element, DC_CREATOR).text = ", ".join(p.name for p in authors)
    # Serialised alone, feedgen's item would invent an "ns0:" prefix for
    # content:encoded; give it the document's prefixes first.
    wrapper = etree.Element("rss", nsmap=NSMAP)
    wrapper.append(element)
    etree.cleanup_namespaces(wrapper, top_nsmap=NSMAP)
    return numeric_entities(fragment(element))
