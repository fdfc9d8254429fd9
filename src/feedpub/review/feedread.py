"""Read back a feed file that feedpub (or anyone) published before.

Used to compare a new build with what readers already have (``diff``, the
id drift guard) and to check files in output/. The parser never resolves
entities, loads DTDs or touches the network, so a hostile file in output/
cannot expand a billion laughs or read local files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM_PARENTS = (f"{ATOM}feed", "feed")
RSS_PARENTS = ("channel",)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_pis=True
)


@dataclass(frozen=True, slots=True)
class PublishedEntry:
    """What a reader saw of one entry."""

    id: str
    title: str
    link: str | None
    updated: str | None
    content_digest: str
    line: int


class UnreadableFeed(Exception):
    """The file is not a well-formed Atom, RSS or JSON Feed document."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def source_line(element: etree._Element) -> int:
    line: int | None = getattr(element, "sourceline", None)
    return line or 0


def parse_document(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableFeed(exc.msg, exc.lineno or None) from exc


def read_entries(data: bytes) -> list[PublishedEntry]:
    if is_json(data):
        return [_json_item(item) for item in json_items(parse_json_feed(data))]
    root = parse_document(data)
    if root.tag in (f"{ATOM}feed", "feed"):
        return [_atom_entry(e) for e in root if e.tag in (f"{ATOM}entry", "entry")]
    if root.tag == "rss":
        return [_rss_item(i) for i in root.iterfind("channel/item")]
    raise UnreadableFeed(f"root element <{root.tag}> is neither Atom <feed> nor RSS <rss>")


def is_json(data: bytes) -> bool:
    """JSON Feed starts with "{"; XML never does."""
    return data.lstrip()[:1] == b"{"


def parse_json_feed(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8
        raise UnreadableFeed(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise UnreadableFeed("a JSON Feed must be a JSON object")
    return document


def json_items(document: dict[str, Any]) -> list[dict[str, Any]]:
    items = document.get("items")
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def read_file(path: Path) -> list[PublishedEntry] | None:
    """Entries of a previously published file, or None if there is none."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return read_entries(data)
    except UnreadableFeed:
        return None


def published_links(path: Path) -> dict[str, str] | None:
    """link -> id of each entry of a previously published file (None if there is
    none or it cannot be read).

    XML is read as a stream, an entry at a time: a 100,000-entry feed is a
    600 MB file, which a whole-document parse would hold as several GB.
    """
    try:
        with open(path, "rb") as handle:
            start = handle.read(64)
    except OSError:
        return None
    if is_json(start):
        entries = read_file(path)
        return None if entries is None else {e.link: e.id for e in entries if e.link}
    links: dict[str, str] = {}
    tags = (f"{ATOM}entry", "entry", "item")
    try:
        for _, element in etree.iterparse(
            str(path), tag=tags, resolve_entities=False, no_network=True, load_dtd=False,
            huge_tree=True, remove_pis=True,
        ):  # fmt: skip
            rss, parent = element.tag == "item", element.getparent()
            if parent is not None and parent.tag in (RSS_PARENTS if rss else ATOM_PARENTS):
                link, entry_id = _rss_link_id(element) if rss else _atom_link_id(element)
                if link:
                    links[link] = entry_id
            element.clear(keep_tail=True)
            while parent is not None and element.getprevious() is not None:
                del parent[0]  # what was read stays read: memory stays flat
    except (etree.XMLSyntaxError, OSError):
        return None
    return links


def _atom_link(entry: etree._Element) -> str | None:
    for candidate in [*entry.iterfind(f"{ATOM}link"), *entry.iterfind("link")]:
        if candidate.get("rel", "alternate") == "alternate":
            return candidate.get("href")
    return None


def _atom_link_id(entry: etree._Element) -> tuple[str | None, str]:
    return _atom_link(entry), _text(entry, f"{ATOM}id") or _text(entry, "id") or ""


def _rss_link_id(item: etree._Element) -> tuple[str | None, str]:
    link = _text(item, "link")
    return link, _text(item, "guid") or link or ""


def _digest(*parts: str | None) -> str:
    return hashlib.sha256("\x00".join(p or "" for p in parts).encode()).hexdigest()[:16]


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    return found.text if found is not None else None


def _atom_entry(entry: etree._Element) -> PublishedEntry:
    def child(name: str) -> str | None:
        return _text(entry, f"{ATOM}{name}") or _text(entry, name)

    return PublishedEntry(
        id=child("id") or "",
        title=child("title") or "",
        link=_atom_link(entry),
        updated=child("updated"),
        content_digest=_digest(child("title"), child("summary"), child("content")),
        line=source_line(entry),
    )


def _json_item(item: dict[str, Any]) -> PublishedEntry:
    def text(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) else None

    return PublishedEntry(
        id=text("id") or text("url") or "",
        title=text("title") or "",
        link=text("url"),
        updated=text("date_modified") or text("date_published"),
        content_digest=_digest(
            text("title"), text("summary"), text("content_html") or text("content_text")
        ),
        line=0,
    )


def _rss_item(item: etree._Element) -> PublishedEntry:
    link, entry_id = _rss_link_id(item)
    return PublishedEntry(
        id=entry_id,
        title=_text(item, "title") or "",
        link=link,
        updated=_text(item, "pubDate"),
        content_digest=_digest(
            _text(item, "title"), _text(item, "description"), _text(item, CONTENT_ENCODED)
        ),
        line=source_line(item),
    )
