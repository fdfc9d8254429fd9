"""RSS 2.0 through feedgen, following the RSS Board's best practices."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from email.utils import format_datetime

from lxml import etree

from ..model import Config, Entry, Feed, Person
from . import Format
from .xmlentry import effective_authors, feed_entry, numeric_entities, rss_person, serialise
from .xmlfeed import new_generator, stream

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_LAST_BUILD = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>")
_ENTITY = re.compile(rb"&(amp|lt|gt);")
_NUMERIC = {b"amp": b"&#x26;", b"lt": b"&#x3C;", b"gt": b"&#x3E;"}


def rss_item(entry: Entry, config: Config) -> bytes:
    # Not fe.published(): feedgen formats RSS dates by switching the process
    # locale; pubDate is written below with the email package instead.
    item = feed_entry(entry, config).rss_entry()
    authors = effective_authors(entry, config)
    for author in item.findall("author"):  # feedgen's is e-mail only; ours follow
        item.remove(author)
    if entry.content_html is None:
        encoded = item.find(f"{{{CONTENT_NS}}}encoded")
        if encoded is not None:
            item.remove(encoded)
    description = item.find("description")
    if entry.summary and description is not None:
        # <description> is HTML in practice; escape so plain text shows as written.
        description.text = html.escape(entry.summary, quote=False)
    if entry.enclosures:
        # The RSS Board recommends one enclosure per item; feedgen keeps the last.
        first = entry.enclosures[0]
        enclosure = item.find("enclosure")
        assert enclosure is not None
        enclosure.set("url", first.url)
        enclosure.set("length", str(first.length))
        enclosure.set("type", first.type)
    if entry.source and entry.source.url:
        etree.SubElement(item, "source", url=entry.source.url).text = entry.source.title
    etree.SubElement(item, "pubDate").text = format_datetime(entry.date)
    # <author> holds one e-mail address; Dublin Core carries bare names, and
    # the validator warns when an item mixes both: several become one dc:creator.
    if len(authors) == 1 and authors[0].email:
        etree.SubElement(item, "author").text = rss_person(authors[0])
    elif authors:
        creator = etree.SubElement(item, f"{{{DC_NS}}}creator", nsmap={"dc": DC_NS})
        creator.text = ", ".join(p.name for p in authors)
    data = serialise(item)
    # Alone, content:encoded gets an invented prefix; the document declares "content".
    data = data.replace(
        b'<ns0:encoded xmlns:ns0="' + CONTENT_NS.encode() + b'">', b"<content:encoded>"
    )
    data = data.replace(b"</ns0:encoded>", b"</content:encoded>")
    data = data.replace(b' xmlns:dc="' + DC_NS.encode() + b'"', b"")
    return numeric_entities(data) if _has_markup_characters(entry, authors) else data


def _has_markup_characters(entry: Entry, authors: tuple[Person, ...]) -> bool:
    """Whether a plain-text element or attribute of the item can hold ``&amp;``, ``&lt;``
    or ``&gt;`` (the HTML elements' entities stay as they are)."""
    texts = [entry.title, entry.id, entry.link or "", *entry.tags, *(p.name for p in authors)]
    texts += [p.email or "" for p in authors] + [e.url for e in entry.enclosures]
    if entry.source:
        texts += [entry.source.title, entry.source.url or ""]
    return any(mark in text for text in texts for mark in "&<>")


def rss_document(feed: Feed, fragments: Iterable[bytes]) -> Iterator[bytes]:
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
    frame: bytes = fg.rss_str(pretty=True)
    # feedgen formats dates by switching the process locale; write ours instead.
    last_build = f"<lastBuildDate>{format_datetime(feed.updated)}</lastBuildDate>".encode()
    frame = _LAST_BUILD.sub(lambda _: last_build, frame, count=1)
    # The channel's text is all plain (its <description> too): numeric references.
    frame = _ENTITY.sub(lambda m: _NUMERIC[m.group(1)], frame)
    return stream(frame, b"</channel>", fragments)


FORMAT = Format("rss", "application/rss+xml", "rss.xml", rss_item, rss_document)
