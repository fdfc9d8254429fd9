"""Turning one post's front matter into the fields of a feedpub entry.

Every front-matter key is either mapped to an entry field or reported, so
nothing the old site relied on disappears without the user being told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import urljoin

from ...read.slug import slugify
from .frontmatter import FrontMatter, Value
from .notes import Finding
from .places import (
    JEKYLL_DIRS,
    Place,
    day_in,
    jekyll_link,
    jekyll_permalink,
    name_slug,
    normalise_when,
    rooted,
    section_link,
)
from .templates import template_findings

Tool = Literal["jekyll", "hugo", "zola"]
_ZOLA_KEYS = frozenset({"taxonomies", "extra", "path", "template", "in_search_index", "render"})
_TAG_KEYS = ("tags", "tag", "categories", "category")
_CATEGORY_KEYS = ("categories", "category")
_TAXONOMIES = ("tags", "categories")
_IMAGE_URL_KEYS = ("url", "src", "path", "feature")
_IMAGE_KEYS = (*_IMAGE_URL_KEYS, "alt", "credit")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})
NO_FIELD = "is not imported (feedpub entries have no such field)"


@dataclass(frozen=True, slots=True)
class Post:
    """An entry ready to be written: values already in the forms the build reads."""

    title: str
    when: str
    day: date
    slug: str
    content: str
    updated: str | None = None
    link: str | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None
    tags: tuple[str, ...] = ()
    image: tuple[tuple[str, str], ...] = ()
    lang: str | None = None
    draft: bool = False


def detect_tool(place: Place, front: FrontMatter) -> Tool | None:
    """Which tool wrote the post, from its folders, its site and its front matter."""
    if place.anchor in JEKYLL_DIRS:
        return "jekyll"
    keys = front.values.keys()
    if front.kind == "toml":
        return "zola" if _ZOLA_KEYS & keys else "hugo"
    if place.anchor == "content":
        return "zola" if {"taxonomies", "extra"} & keys else "hugo"
    if re.match(r"\d{4}-\d{2}-\d{2}-", place.stem):
        return "jekyll"
    return None


@dataclass
class _Reader:
    """Hands out front-matter values and remembers which keys were used."""

    front: FrontMatter
    used: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    def line(self, key: str) -> int:
        return self.front.lines.get(key) or self.front.lines.get(key.split(".")[0]) or 1

    def warn(self, key: str, message: str) -> None:
        self.findings.append(Finding(self.line(key), message))

    def error(self, message: str, key: str | None = None) -> None:
        self.findings.append(Finding(self.line(key) if key else None, message, "error"))

    def text(self, key: str) -> str | None:
        """The key's text, if it is set to some (a list or mapping is reported)."""
        value = self.front.values.get(key)
        self.used.add(key)
        if isinstance(value, str):
            return value.strip() or None
        if value:
            self.warn(key, f"'{key}' {_shape(value)}: expected text; not imported")
        return None

    def first(self, target: str, *keys: str) -> tuple[str, str] | None:
        """The first of ``keys`` with text; the others are reported as left out."""
        chosen: tuple[str, str] | None = None
        for key in keys:
            if key not in self.front.values:
                continue
            value = self.text(key)
            if value is None:
                continue
            if chosen is None:
                chosen = key, value
            else:
                self.warn(key, f"'{key}' is not imported: {target} comes from '{chosen[0]}'")
        return chosen


def map_post(front: FrontMatter, place: Place, tool: Tool) -> tuple[Post | None, list[Finding]]:
    """The entry for one post, or None and the errors saying why there is none."""
    read = _Reader(front)
    title = read.text("title")
    if title is None:
        read.error("no title in the front matter")
    given_slug = read.text("slug")
    slug_text = given_slug or (place.stem if tool == "hugo" else name_slug(place.stem))
    link, categories = _explicit_link(read, tool), _categories(read, tool)
    when = _date(read, place, link)
    if when is not None and link is None:
        link = _derived_link(place, tool, when[1], slug_text, categories)
    summary = read.first("the summary", "summary", "description", "excerpt")
    content = _trimmed(front.body)
    if not content and summary is None:
        read.error("the body is empty and there is no summary (an entry needs one of them)")
    updated = _updated(read, when)
    post = None
    if title is not None and when is not None and (content or summary):
        post = Post(
            title=" ".join(title.split()),
            when=when[0],
            day=when[1],
            slug=slugify(given_slug or name_slug(place.stem)),
            content=content,
            updated=updated,
            link=link,
            authors=_authors(read),
            summary=summary[1] if summary else None,
            tags=_tags(read, tool),
            image=_page_relative(_image(read), link),
            lang=_lang(read),
            draft=_draft(read, place),
        )
    _report_unused(read)
    findings = read.findings + template_findings(front.body, front.body_line, tool)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        return None, errors
    return post, sorted(findings, key=lambda f: f.line or 0)


def _shape(value: Value) -> str:
    return "is a list" if isinstance(value, list) else "is a mapping"


def _date(read: _Reader, place: Place, link: str | None) -> tuple[str, date] | None:
    written = read.first("the date", "date", "publishDate")
    if written is not None:
        when = normalise_when(written[1])
        if when is None:
            read.error(
                f"'{written[0]}' is not a date: \"{written[1]}\" "
                "(expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS with an optional offset)",
                written[0],
            )
        return when
    when = day_in(place.stem) or (day_in(link) if link else None)
    if when is None:
        read.error("no date in the front matter, the file name or the link")
    return when


def _updated(read: _Reader, when: tuple[str, date] | None) -> str | None:
    written = read.first("the updated date", "updated", "lastmod", "last_modified_at")
    if written is None:
        return None
    key, text = written
    updated = normalise_when(text)
    if updated is None:
        read.warn(key, f"'{key}' is not a date: \"{text}\"; not imported")
        return None
    if when is not None and _moment(updated[0]) < _moment(when[0]):
        read.warn(key, f"'{key}' ({text}) is earlier than the date; not imported")
        return None
    return updated[0]


def _moment(stamp: str) -> datetime:
    """A comparable instant; times without an offset count as UTC (close enough to order)."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _explicit_link(read: _Reader, tool: Tool) -> str | None:
    chosen = read.first("the link", "permalink", "url", "path")
    if chosen is None:
        return None
    key, text = chosen
    if key == "path" and "://" not in text:
        return "/" + text.strip("/") + "/" if text.strip("/") else "/"
    return rooted(text)


def _derived_link(place: Place, tool: Tool, day: date, slug: str, categories: list[str]) -> str:
    if tool == "jekyll":
        return jekyll_link(jekyll_permalink(place), day, slug, categories)
    if place.anchor != "content":
        return f"/{slugify(slug) if tool == 'zola' else slug.lower()}/"
    return section_link(place, slug, zola=tool == "zola")


def _words(value: Value, key: str, read: _Reader, *, split: bool) -> list[str]:
    """A string (split on spaces Jekyll's way) or a list of strings."""
    if isinstance(value, str):
        return value.split() if split else [value.strip()] if value.strip() else []
    if isinstance(value, list):
        items = [item.strip() for item in value if isinstance(item, str)]
        if len(items) < len(value):
            read.warn(key, f"'{key}' holds lists or mappings; only its text items are imported")
        return [item for item in items if item]
    read.warn(key, f"'{key}' is a mapping: expected text or a list; not imported")
    return []


def _categories(read: _Reader, tool: Tool) -> list[str]:
    found: list[str] = []
    for key in _CATEGORY_KEYS:
        if key in read.front.values:
            found += _words(read.front.values[key], key, _Reader(read.front), split=True)
    return found if tool == "jekyll" else []


def _tags(read: _Reader, tool: Tool) -> tuple[str, ...]:
    tags: list[str] = []
    for key, value in read.front.values.items():
        if key in _TAG_KEYS:
            read.used.add(key)
            tags += _words(value, key, read, split=tool == "jekyll")
        elif key == "taxonomies" and isinstance(value, dict):
            read.used.add(key)
            for name, terms in value.items():
                if name in _TAXONOMIES:
                    tags += _words(terms, f"taxonomies.{name}", read, split=False)
                else:
                    read.warn(f"taxonomies.{name}", f"'taxonomies.{name}' {NO_FIELD}")
    return tuple(dict.fromkeys(tags))


def _authors(read: _Reader) -> tuple[str, ...]:
    names: list[str] = []
    for key in ("author", "authors"):
        value = read.front.values.get(key)
        read.used.add(key)
        if isinstance(value, dict):
            value = [value]
        for item in value if isinstance(value, list) else [value or ""]:
            if isinstance(item, dict):
                name, email = item.get("name"), item.get("email")
                if isinstance(name, str) and name.strip():
                    mail = f" <{email.strip()}>" if isinstance(email, str) and email else ""
                    names.append(name.strip() + mail)
            elif isinstance(item, str) and item.strip():
                names.append(item.strip())
    return tuple(dict.fromkeys(names))


def _image(read: _Reader) -> tuple[tuple[str, str], ...]:
    value = read.front.values.get("image")
    read.used.add("image")
    if isinstance(value, str) and value.strip():
        return (("url", value.strip()),)
    if isinstance(value, dict):
        url = next((v for k in _IMAGE_URL_KEYS if isinstance(v := value.get(k), str) and v), "")
        for key in value:
            if key not in _IMAGE_KEYS:
                read.warn(f"image.{key}", f"'image.{key}' {NO_FIELD}")
        extra = [(k, v) for k in ("alt", "credit") if isinstance(v := value.get(k), str) and v]
        return (("url", url.strip()), *extra) if url.strip() else ()
    images = read.front.values.get("images")
    if isinstance(images, list) and images and isinstance(images[0], str):
        read.used.add("images")
        if len(images) > 1:
            read.warn("images", "'images' has more than one image; only the first is imported")
        return (("url", images[0].strip()),)
    return ()


def _page_relative(
    image: tuple[tuple[str, str], ...], link: str | None
) -> tuple[tuple[str, str], ...]:
    """A bare ``trip.jpg`` sits next to the page (a Hugo bundle), not at the site root."""
    if not image or link is None or "://" in image[0][1] or image[0][1].startswith("/"):
        return image
    return (("url", urljoin(link, image[0][1])), *image[1:])


def _lang(read: _Reader) -> str | None:
    lang = read.text("lang")
    if lang is not None and not _LANG.fullmatch(lang):
        read.warn("lang", f"'lang' is not a language tag: \"{lang}\"; not imported")
        return None
    return lang


def _draft(read: _Reader, place: Place) -> bool:
    draft = (read.text("draft") or "").lower() in _TRUE
    unpublished = (read.text("published") or "").lower() in _FALSE
    return draft or unpublished or place.anchor == "_drafts"


def _report_unused(read: _Reader) -> None:
    for key, value in read.front.values.items():
        if key in read.used:
            continue
        if key == "extra" and isinstance(value, dict) and value:
            for child in value:
                read.warn(f"extra.{child}", f"'extra.{child}' {NO_FIELD}")
        else:
            read.warn(key, f"'{key}' {NO_FIELD}")


def _trimmed(body: str) -> str:
    """The body without blank lines around it, ending in one newline (or empty)."""
    lines = body.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""
