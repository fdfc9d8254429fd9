"""Structural checks of published feed files, format by format.

These are the rules a reader relies on (RFC 4287 for Atom, the RSS 2.0
specification for RSS; JSON Feed files go to :mod:`feedpub.jsoncheck`):
required elements, date syntax, absolute URIs and unique ids. They catch
files edited by hand or left by other tools.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from ..errors import Problem
from .feedread import ATOM, UnreadableFeed, is_json, parse_document, source_line
from .jsoncheck import check_json_feed

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)

Checker = Callable[[etree._Element], Iterator[tuple[etree._Element, str, str]]]


def check_file(path: Path, shown: str) -> list[Problem]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Problem(shown, None, None, f"cannot read: {exc.strerror}")]
    if is_json(data):
        return check_json_feed(data, shown)
    try:
        root = parse_document(data)
    except UnreadableFeed as exc:
        return [Problem(shown, exc.line, None, f"not well-formed XML: {exc}")]
    problems = _declarations(root, data, shown)
    checker: Checker
    if root.tag == f"{ATOM}feed":
        checker = _atom
    elif root.tag == "rss":
        checker = _rss
    else:
        problems.append(
            Problem(shown, source_line(root), None, f"<{root.tag}> is not an Atom or RSS root")
        )
        return problems
    return problems + [
        Problem(shown, source_line(element), name, message)
        for element, name, message in checker(root)
    ]


def _declarations(root: etree._Element, data: bytes, shown: str) -> list[Problem]:
    """Entity declarations or an external DTD: no feed needs them; attacks do.

    Our parser neither expands nor loads them, but a reader's parser may
    (billion laughs, <!ENTITY x SYSTEM "file:///etc/passwd">), and the text
    we read has holes where the references were.
    """
    # Any: lxml-stubs 0.5 lacks DTD.iterentities() and DocInfo.system_url.
    docinfo: Any = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    entities = [str(e.name) for e in dtd.iterentities()] if dtd is not None else []
    if not entities and not docinfo.system_url and not docinfo.public_id:
        return []
    line = data[: max(data.find(b"<!DOCTYPE"), 0)].count(b"\n") + 1
    what = (
        f"declares entities ({', '.join(entities[:3])})"
        if entities
        else "refers to an external DTD"
    )
    hint = "remove the DOCTYPE: feeds need none, and readers that expand it can be attacked"
    return [Problem(shown, line, "DOCTYPE", what, hint)]


def _absolute(uri: str | None, schemes: tuple[str, ...] = ("tag", "urn", "mailto")) -> bool:
    """A scheme and a host, or one of ``schemes``, which need no host."""
    try:
        parts = urlsplit(uri or "")
    except ValueError:  # an invalid [IPv6] host, as in "http://[x"
        return False
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in schemes)


def _atom(feed: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    yield from _atom_common(feed, "feed")
    feed_has_author = feed.find(f"{ATOM}author") is not None
    seen: dict[str, int] = {}
    for entry in feed.iterfind(f"{ATOM}entry"):
        yield from _atom_common(entry, "entry")
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if entry_id in seen:
            yield entry, "entry.id", f'"{entry_id}" repeats the entry on line {seen[entry_id]}'
        seen.setdefault(entry_id, source_line(entry))
        if not feed_has_author and entry.find(f"{ATOM}author") is None:
            yield entry, "entry.author", "missing (and the feed has no author)"
        has_alternate = any(
            link.get("rel", "alternate") == "alternate" for link in entry.iterfind(f"{ATOM}link")
        )
        if entry.find(f"{ATOM}content") is None and not has_alternate:
            yield entry, "entry.content", "missing, and no alternate link either"
        published = entry.find(f"{ATOM}published")
        if published is not None and not _RFC3339.fullmatch((published.text or "").strip()):
            yield published, "entry.published", f'"{published.text}" is not an RFC 3339 date'


def _atom_common(element: etree._Element, name: str) -> Iterator[tuple[etree._Element, str, str]]:
    for required in ("id", "title", "updated"):
        found = element.findall(f"{ATOM}{required}")
        if len(found) != 1:
            yield element, f"{name}.{required}", f"must appear once, found {len(found)}"
    ident = element.findtext(f"{ATOM}id")
    if ident is not None and not _absolute(ident.strip()):
        yield element, f"{name}.id", f'"{ident}" is not an absolute URI'
    updated = element.findtext(f"{ATOM}updated")
    if updated is not None and not _RFC3339.fullmatch(updated.strip()):
        yield element, f"{name}.updated", f'"{updated}" is not an RFC 3339 date'
    for link in element.iterfind(f"{ATOM}link"):
        if not _absolute(link.get("href")):
            yield link, f"{name}.link", f'href "{link.get("href")}" is not an absolute URL'


def _rfc822(text: str | None) -> bool:
    try:
        return parsedate_to_datetime((text or "").strip()).tzinfo is not None
    except (TypeError, ValueError):
        return False


def _rss(rss: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    if rss.get("version") != "2.0":
        yield rss, "rss.version", 'must be "2.0"'
    channel = rss.find("channel")
    if channel is None:
        yield rss, "channel", "missing"
        return
    for required in ("title", "link", "description"):
        if channel.find(required) is None:
            yield channel, f"channel.{required}", "missing"
    if channel.find("link") is not None and not _absolute(channel.findtext("link")):
        yield channel, "channel.link", "is not an absolute URL"
    for name in ("pubDate", "lastBuildDate"):
        element = channel.find(name)
        if element is not None and not _rfc822(element.text):
            yield element, f"channel.{name}", f'"{element.text}" is not an RFC 822 date'
    seen: dict[str, int] = {}
    for item in channel.iterfind("item"):
        if item.find("title") is None and item.find("description") is None:
            yield item, "item", "needs a title or a description"
        link = item.find("link")
        if link is not None and not _absolute(link.text):
            yield link, "item.link", f'"{link.text}" is not an absolute URL'
        pub_date = item.find("pubDate")
        if pub_date is not None and not _rfc822(pub_date.text):
            yield pub_date, "item.pubDate", f'"{pub_date.text}" is not an RFC 822 date'
        guid = item.find("guid")
        if guid is not None:
            value = (guid.text or "").strip()
            if value in seen:
                yield guid, "item.guid", f'"{value}" repeats the item on line {seen[value]}'
            seen.setdefault(value, source_line(guid))
            # RSS 2.0: a permalink guid is "a url that can be opened in a Web
            # browser", so tag: and urn: ids need isPermaLink="false".
            if guid.get("isPermaLink", "true") == "true" and not _absolute(value, ()):
                yield guid, "item.guid", "isPermaLink is true but the guid is not a URL"
        for enclosure in item.iterfind("enclosure"):
            for attribute in ("url", "length", "type"):
                if not enclosure.get(attribute):
                    yield enclosure, f"item.enclosure.{attribute}", "missing"
