"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) rendering with stdlib json.

feedgen has no JSON Feed, so the document is built from the model as plain
dicts in the spec's key order (``version`` first, as the spec asks) and
serialised with fixed options: the same feed always gives the same bytes.
Only stdlib is imported, so this renderer does not load lxml or feedgen.
"""

from __future__ import annotations

import json
from datetime import datetime

from ..model import Config, Enclosure, Entry, Feed, Person

VERSION = "https://jsonfeed.org/version/1.1"
HUB_TYPE = "WebSub"

JSONObject = dict[str, object]


def _dumps(value: object, depth: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, without reference cycles.

    With ``indent`` the stdlib encoder builds nested closures that refer to
    each other on every call, garbage only the cycle collector frees, which
    the console script turns off (an item each, so at 100,000 entries
    hundreds of MB). Strings still go through json's C escaper; a test
    compares the two over arbitrary values.
    """
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        step = "\n" + "  " * (depth + 1)
        parts = [
            step + _string(key) + ": " + _dumps(item, depth + 1) for key, item in value.items()
        ]
        return "{" + ",".join(parts) + "\n" + "  " * depth + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        step = "\n" + "  " * (depth + 1)
        return (
            "["
            + ",".join([step + _dumps(item, depth + 1) for item in value])
            + "\n"
            + "  " * depth
            + "]"
        )
    return json.dumps(value)  # floats: none in a feed today, json's rules if one comes


_string = json.encoder.encode_basestring


def json_entry(entry: Entry, config: Config) -> bytes:
    """One item, indented as it sits inside ``"items": [...]``.

    JSON strings never hold a raw newline, so re-indenting line by line is
    exact: the spliced document equals ``json.dumps`` of the whole feed.
    """
    return ("    " + _dumps(json_item(entry, config)).replace("\n", "\n    ")).encode("utf-8")


def json_document(feed: Feed, items: list[bytes]) -> bytes:
    head = _dumps(json_head(feed))
    if not items:
        return (head[:-2] + ',\n  "items": []\n}\n').encode("utf-8")
    return b"".join(
        [(head[:-2] + ',\n  "items": [\n').encode("utf-8"), b",\n".join(items), b"\n  ]\n}\n"]
    )


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
        # guarantees at least a summary.
        item["content_text"] = entry.summary
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
