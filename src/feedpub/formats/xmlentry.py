"""What Atom and RSS entries share: one feedgen FeedEntry filled from the model.

feedgen builds every entry; this module only fills it and repairs, on the
element tree, what feedgen 1.0.0 gets wrong (each fix says which).
"""

from __future__ import annotations

import re

from feedgen.entry import FeedEntry
from lxml import etree

from ..model import Config, Entry, Person

_XMLNS_ATTR = re.compile(rb'\s+xmlns(?::\w+)?="[^"]*"')
# RSS plain-text elements (title, category, ...) are decoded twice by some
# readers; the W3C validator warns on &amp; and &lt; there and accepts
# numeric references. <description> and <content:encoded> hold HTML and keep
# their entities.
_HTML_OR_ENTITY = re.compile(rb"(<(description|content:encoded)>.*?</\2>)|&(amp|lt|gt);", re.DOTALL)
_NUMERIC = {b"amp": b"&#x26;", b"lt": b"&#x3C;", b"gt": b"&#x3E;"}


def effective_authors(entry: Entry, config: Config) -> tuple[Person, ...]:
    """Entry authors, else the site's: many readers show per-entry authors only."""
    return entry.authors or config.authors


def atom_person(person: Person) -> dict[str, str]:
    data = {"name": person.name}
    if person.email:
        data["email"] = person.email
    if person.url:
        data["uri"] = person.url
    return data


def rss_person(person: Person) -> str:
    """RSS 2.0 wants "email (Name)" in <author> and <managingEditor>."""
    return f"{person.email} ({person.name})"


def entry_links(entry: Entry) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    if entry.link:
        links.append({"href": entry.link, "rel": "alternate", "type": "text/html"})
    for enc in entry.enclosures:
        links.append(
            {"href": enc.url, "rel": "enclosure", "type": enc.type, "length": str(enc.length)}
        )
    if entry.source and entry.source.url:
        links.append({"href": entry.source.url, "rel": "via", "title": entry.source.title})
    return links


def feed_entry(entry: Entry, config: Config) -> FeedEntry:
    """A FeedEntry with the fields both formats carry (not ``published``: see rss.py)."""
    fe = FeedEntry()
    fe.guid(entry.id, permalink=entry.id == entry.link)
    fe.title(entry.title)
    fe.updated(entry.modified)
    authors = effective_authors(entry, config)
    if authors:
        fe.author([atom_person(p) for p in authors])
    links = entry_links(entry)
    if links:
        fe.link(links)
    if entry.tags:
        fe.category([{"term": tag} for tag in entry.tags])
    if entry.content_html:
        fe.content(entry.content_html, type="html")
    elif entry.link is None and entry.summary:
        # RFC 4287 4.1.1.1: without an alternate link an Atom entry needs content.
        fe.content(entry.summary, type="text")
    if entry.summary:
        fe.summary(entry.summary, type="text")
    return fe


def serialise(element: etree._Element) -> bytes:
    """One entry element without namespace declarations: the document's root has them."""
    data: bytes = etree.tostring(element, encoding="utf-8", pretty_print=True)
    end = data.index(b">")
    return _XMLNS_ATTR.sub(b"", data[:end]) + data[end:]


def numeric_entities(data: bytes) -> bytes:
    """Numeric references in RSS plain-text elements; HTML elements keep entities."""

    def fix(match: re.Match[bytes]) -> bytes:
        return match.group(1) or _NUMERIC[match.group(3)]

    return _HTML_OR_ENTITY.sub(fix, data)
