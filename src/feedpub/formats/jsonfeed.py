"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) rendering with stdlib json.

feedgen has no JSON Feed, so the document is built from the model as plain
dicts in the spec's key order (``version`` first, as the spec asks) and
serialised with fixed options: the same feed always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from html import escape

from ..model import Config, Enclosure, Entry, Feed, Person
from . import Format

VERSION = "https://jsonfeed.org/version/1.1"
HUB_TYPE = "WebSub"

JSONObject = dict[str, object]


def _dumps(value: object) -> str:
    """Fixed options: UTF-8 as is, two-space indent, so the same feed gives the same bytes."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def json_entry(entry: Entry, config: Config) -> bytes:
    """One item, indented as it sits inside ``"items": [...]``.

    JSON strings never hold a raw newline, so re-indenting line by line is
    exact: the spliced document equals ``json.dumps`` of the whole feed.
    """
    return ("    " + _dumps(json_item(entry, config)).replace("\n", "\n    ")).encode("utf-8")


def json_document(feed: Feed, items: Iterable[bytes]) -> Iterator[bytes]:
    head = _dumps(json_head(feed))[:-2]
    first = True
    for item in items:
        yield (head + ',\n  "items": [\n').encode("utf-8") if first else b",\n"
        yield item
        first = False
    yield (head + ',\n  "items": []\n}\n').encode("utf-8") if first else b"\n  ]\n}\n"


def json_head(feed: Feed) -> JSONObject:
    """Everything but the items, in the spec's key order."""
    config = feed.config
    document: JSONObject = {
        "version": VERSION,
        "title": config.title,
        "home_page_url": config.url,
        # The spec calls feed_url the feed's unique identifier; readers use it
        # to re-subscribe when the file moves, like Atom's self link.
        "feed_url": config.feed_url("json", feed.page),
        "description": config.description,
    }
    older = feed.page - 1 if feed.page else feed.pages
    if older:
        # JSON Feed has no RFC 5005 links; next_url ("the next n items") walks
        # from the current document to ever older archive pages.
        document["next_url"] = config.feed_url("json", older)
    if config.icon:
        # RFC 4287 asks for a square icon, which is what JSON Feed wants for
        # both; the 2:1 Atom logo fits neither.
        document["icon"] = config.icon
        document["favicon"] = config.icon
    if config.authors:
        document["authors"] = [json_person(p) for p in config.authors]
    if config.language:
        document["language"] = config.language
    if config.hubs:
        document["hubs"] = [{"type": HUB_TYPE, "url": hub} for hub in config.hubs]
    return document


def rfc3339(value: datetime) -> str:
    """The same text as Atom's dates: the offset as written, whole seconds."""
    return value.isoformat()


def json_person(person: Person) -> JSONObject:
    """JSON Feed authors have no e-mail; the spec allows a mailto: url instead."""
    data: JSONObject = {"name": person.name}
    if person.url:
        data["url"] = person.url
    elif person.email:
        data["url"] = f"mailto:{person.email}"
    return data


def json_item(entry: Entry, config: Config) -> JSONObject:
    item: JSONObject = {"id": entry.id}
    if entry.link:
        item["url"] = entry.link
    if entry.source and entry.source.url:
        # "If url links to where you're talking about a thing, then
        # external_url links to the thing you're talking about."
        item["external_url"] = entry.source.url
    item["title"] = entry.title
    if entry.content_html:
        item["content_html"] = entry.content_html
    elif entry.summary:
        # Every item needs content_html or content_text; the loader
        # guarantees a summary or a link.
        item["content_text"] = entry.summary
    elif entry.link:
        # A link-only entry (a bookmark): the link itself is the content, so
        # readers that show only content_html still lead somewhere.
        item["content_html"] = f'<p><a href="{escape(entry.link)}">{escape(entry.title)}</a></p>'
    if entry.summary:
        item["summary"] = entry.summary
    if entry.image:
        item["image"] = entry.image.url
    item["date_published"] = rfc3339(entry.date)
    item["date_modified"] = rfc3339(entry.modified)
    # Named on every item, like Atom: readers may ignore feed-level authors.
    authors = entry.authors or config.authors
    if authors:
        item["authors"] = [json_person(p) for p in authors]
    if entry.tags:
        item["tags"] = list(entry.tags)
    if entry.lang and entry.lang != config.language:
        item["language"] = entry.lang
    if entry.enclosures:
        item["attachments"] = [json_attachment(enc) for enc in entry.enclosures]
    return item


def json_attachment(enclosure: Enclosure) -> JSONObject:
    data: JSONObject = {"url": enclosure.url, "mime_type": enclosure.type}
    # Optional in JSON Feed; a length of 0 is the RSS habit for "unknown".
    if enclosure.length:
        data["size_in_bytes"] = enclosure.length
    return data


FORMAT = Format("json", "application/feed+json", "feed.json", json_entry, json_document)
