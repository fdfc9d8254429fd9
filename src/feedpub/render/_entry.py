"""Entry fragments for Atom and RSS from one feedgen FeedEntry.

feedgen keeps Atom and RSS fields side by side on one FeedEntry, so we fill
it once and serialise it once per format; that halves the per-entry cost
of two separate entries. Everything feedgen 1.0.0 gets wrong is repaired
here, on the element tree, before serialisation:

- Atom links lose rel/type/length (its issues #135/#143): restored.
- RSS picks the *last* enclosure and puts bare names nowhere: we carry the
  first enclosure (RSS Board: one per item) and names in dc:creator.
- ``published()`` also sets the RSS pubDate, which feedgen formats by
  switching the process locale: RSS is serialised before it is set, and we
  write pubDate ourselves.
"""

from __future__ import annotations

import html
import re

from lxml import etree

from ..model import Config, Entry, Person
from ..rfc822 import rfc822
from ._feedgen import FeedEntry
from ._text import effective_authors, needs_numeric

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_XMLNS_ATTR = re.compile(rb'\s+xmlns(?::\w+)?="[^"]*"')
# RSS plain-text elements (title, category, ...) are decoded twice by some
# readers; the W3C validator warns on &amp; and &lt; there and accepts
# numeric references. <description> and <content:encoded> hold HTML and keep
# their entities.
_HTML_OR_ENTITY = re.compile(rb"(<(description|content:encoded)>.*?</\2>)|&(amp|lt|gt);", re.DOTALL)
_NUMERIC = {b"amp": b"&#x26;", b"lt": b"&#x3C;", b"gt": b"&#x3E;"}


def atom_person(person: Person) -> dict[str, str]:
    data = {"name": person.name}
    if person.email:
        data["email"] = person.email
    if person.url:
        data["uri"] = person.url
    return data


def rss_person(person: Person) -> str:
    # RSS 2.0 wants "email (Name)" in <author> and <managingEditor>.
    return f"{person.email} ({person.name})"


def serialise(element: etree._Element) -> bytes:
    """One entry element without namespace declarations.

    lxml repeats namespace declarations on an element serialised alone;
    the final document declares them once on its root.
    """
    data: bytes = etree.tostring(element, encoding="utf-8", pretty_print=True)
    end = data.index(b">")
    return _XMLNS_ATTR.sub(b"", data[:end]) + data[end:]


def numeric_entities(data: bytes) -> bytes:
    """Numeric references in plain-text elements; HTML elements keep entities."""

    def fix(match: re.Match[bytes]) -> bytes:
        return match.group(1) or _NUMERIC[match.group(3)]

    return _HTML_OR_ENTITY.sub(fix, data)


def entry_fragments(entry: Entry, config: Config, formats: tuple[str, ...]) -> dict[str, bytes]:
    """The Atom and/or RSS fragments of one entry."""
    fe = FeedEntry()
    fe.guid(entry.id, permalink=entry.id == entry.link)
    fe.title(entry.title)
    fe.updated(entry.modified)
    authors = effective_authors(entry, config)
    if authors:
        fe.author([atom_person(p) for p in authors])
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
    if entry.tags:
        fe.category([{"term": tag} for tag in entry.tags])
    if entry.content_html:
        fe.content(entry.content_html, type="html")
    elif entry.link is None and entry.summary:
        # RFC 4287 4.1.1.1: without an alternate link an Atom entry needs content.
        fe.content(entry.summary, type="text")
    if entry.summary:
        fe.summary(entry.summary, type="text")
    out: dict[str, bytes] = {}
    if "rss" in formats:
        out["rss"] = _rss(fe, entry, authors)
    if "atom" in formats:
        fe.published(entry.date)
        out["atom"] = _atom(fe, entry, config, links)
    return out


def _atom(fe: FeedEntry, entry: Entry, config: Config, links: list[dict[str, str]]) -> bytes:
    element = fe.atom_entry()
    for link_element, wanted in zip(element.findall("link"), links, strict=True):
        for key, value in wanted.items():
            link_element.set(key, value)
    if entry.content_html is None and entry.link is None:
        # The summary became the content; do not repeat it.
        summary = element.find("summary")
        if summary is not None:
            element.remove(summary)
    if "<" in entry.title:
        # Text that looks like markup: declare it HTML and escape it, so the
        # title shows exactly as written instead of tripping HTML sniffers.
        title = element.find("title")
        assert title is not None
        title.set("type", "html")
        title.text = html.escape(entry.title, quote=False)
    if entry.lang and entry.lang != config.language:
        element.set(XML_LANG, entry.lang)
    return serialise(element)


def _rss(fe: FeedEntry, entry: Entry, authors: tuple[Person, ...]) -> bytes:
    item = fe.rss_entry()
    for author in item.findall("author"):  # feedgen's, e-mail only; ours follow
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
        first = entry.enclosures[0]
        enclosure = item.find("enclosure")
        assert enclosure is not None
        enclosure.set("url", first.url)
        enclosure.set("length", str(first.length))
        enclosure.set("type", first.type)
    if entry.source and entry.source.url:
        etree.SubElement(item, "source", url=entry.source.url).text = entry.source.title
    etree.SubElement(item, "pubDate").text = rfc822(entry.date)
    # RSS <author> holds one e-mail address; Dublin Core carries bare names.
    # Readers show a single creator, and the validator warns when an item
    # mixes the two, so several authors become one joined dc:creator.
    if len(authors) == 1 and authors[0].email:
        etree.SubElement(item, "author").text = rss_person(authors[0])
    elif authors:
        creator = etree.SubElement(item, f"{{{DC_NS}}}creator", nsmap={"dc": DC_NS})
        creator.text = ", ".join(p.name for p in authors)
    data = serialise(item)
    # Alone, feedgen's content:encoded gets an invented prefix; use the document's.
    data = data.replace(
        b'<ns0:encoded xmlns:ns0="' + CONTENT_NS.encode() + b'">', b"<content:encoded>"
    )
    data = data.replace(b"</ns0:encoded>", b"</content:encoded>")
    data = data.replace(b' xmlns:dc="' + DC_NS.encode() + b'"', b"")
    if needs_numeric(entry, authors):
        data = numeric_entities(data)
    return data
