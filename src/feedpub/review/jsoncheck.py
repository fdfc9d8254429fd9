"""Structural checks of a published JSON Feed file (https://jsonfeed.org/version/1.1).

The same rules a reader relies on as for Atom and RSS: required members,
RFC 3339 dates, absolute URLs and unique item ids. JSON has no line
numbers worth reporting, so problems name the member path instead
(``items[2].id``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..errors import Problem
from .feedread import UnreadableFeed, parse_json_feed

VERSIONS = ("https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1")
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)
_URL_MEMBERS = ("home_page_url", "feed_url", "next_url", "icon", "favicon")
_ITEM_URL_MEMBERS = ("url", "external_url", "image", "banner_image")


def check_json_feed(data: bytes, shown: str) -> list[Problem]:
    try:
        document = parse_json_feed(data)
    except UnreadableFeed as exc:
        return [Problem(shown, None, None, str(exc))]
    return [Problem(shown, None, name, message) for name, message in _feed(document)]


def _absolute(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme == "mailto")


def _feed(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if document.get("version") not in VERSIONS:
        yield "version", f"must be {VERSIONS[0]}"
    if not isinstance(document.get("title"), str):
        yield "title", "missing (a string is required)"
    for name in _URL_MEMBERS:
        if name in document and not _absolute(document[name]):
            yield name, f"{document[name]!r} is not an absolute URL"
    yield from _authors(document, "")
    for i, hub in enumerate(document.get("hubs") or []):
        if not isinstance(hub, dict) or not isinstance(hub.get("type"), str):
            yield f"hubs[{i}].type", "missing"
        elif not _absolute(hub.get("url")):
            yield f"hubs[{i}].url", "missing or not an absolute URL"
    items = document.get("items")
    if not isinstance(items, list):
        yield "items", "missing (an array is required, even if empty)"
        return
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            yield f"items[{i}]", "must be an object"
            continue
        yield from _item(item, f"items[{i}]")
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in seen:
                yield f"items[{i}].id", f'"{item_id}" repeats items[{seen[item_id]}]'
            seen.setdefault(item_id, i)


def _item(item: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    if not isinstance(item.get("id"), str) or not item["id"]:
        yield f"{at}.id", "missing (a non-empty string is required)"
    if not isinstance(item.get("content_html"), str) and not isinstance(
        item.get("content_text"), str
    ):
        yield f"{at}.content_html", "missing, and no content_text either"
    for name in _ITEM_URL_MEMBERS:
        if name in item and not _absolute(item[name]):
            yield f"{at}.{name}", f"{item[name]!r} is not an absolute URL"
    for name in ("date_published", "date_modified"):
        if name in item and not _RFC3339.fullmatch(str(item[name])):
            yield f"{at}.{name}", f"{item[name]!r} is not an RFC 3339 date"
    yield from _authors(item, f"{at}.")
    for j, attachment in enumerate(item.get("attachments") or []):
        where = f"{at}.attachments[{j}]"
        if not isinstance(attachment, dict):
            yield where, "must be an object"
            continue
        if not _absolute(attachment.get("url")):
            yield f"{where}.url", "missing or not an absolute URL"
        if not isinstance(attachment.get("mime_type"), str):
            yield f"{where}.mime_type", "missing"


def _authors(holder: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    for i, author in enumerate(holder.get("authors") or []):
        # JSON Feed 1.1: an author object must have at least one member.
        if not isinstance(author, dict) or not any(
            isinstance(author.get(key), str) for key in ("name", "url", "avatar")
        ):
            yield f"{at}authors[{i}]", "needs a name, url or avatar"
