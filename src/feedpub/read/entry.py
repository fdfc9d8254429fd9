"""Find entry files and turn each one into a validated :class:`Entry`."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import yaml
from yaml.nodes import ScalarNode

from ..errors import Problem
from ..model import Config, Enclosure, Entry, Image, Source, page_name
from .fields import Fields
from .ids import slug_of, tag_uri
from .leftovers import kind_of, template_syntax
from .markup import CONTENT_FORMATS, ContentFormat, UnsafeCharacter, figure_html, render_body
from .yamlnodes import MAX_FILE_BYTES, line_of, parse_mapping

PLACEHOLDER_SUMMARY = "One or two sentences; feed readers show them in their lists."
PLACEHOLDER_CONTENT = (
    "Write the entry here in Markdown: **bold**, *italics*, [links](https://example.org/),\n"
    "lists and headings all work.\n"
)
"""What ``feedpub new`` writes for the author to replace: published as is, a warning."""
AUTHOR_HINT = "Atom needs one: add 'author: Your Name' to feedpub.yaml, or to the entry"
"""An Atom entry without an author, its own or the feed's, is invalid (RFC 4287 4.1.2)."""
ENTRY_KEYS = (
    "title",
    "date",
    "updated",
    "id",
    "link",
    "author",
    "summary",
    "content",
    "format",
    "tags",
    "image",
    "source",
    "lang",
    "draft",
    "enclosures",
)
RENAMED_KEYS = {
    "categories": "tags: [a, b]",
    "excerpt": "summary: One or two sentences.",
    "description": "summary: One or two sentences.",
    "lastmod": "updated: 2026-02-27",
    "permalink": "link: /posts/my-post/",
    "canonical": "link: https://example.org/posts/my-post/",
    "url": "link: /posts/my-post/",
}
"""Keys Jekyll, Hugo and others use, with the line feedpub reads instead."""
_TAG_LIKE = re.compile(r"<(?:[A-Za-z][^<>]*|/[A-Za-z][^<>]*|!--.*)>")


def load_entry(path: Path, shown: str, config: Config) -> tuple[Entry | None, list[Problem]]:
    """Read one entry file; return the entry or the problems that stop it."""
    data, problem = read_entry_file(str(path), shown)
    if data is None:
        return None, [problem] if problem else []
    return entry_from_bytes(data, path, shown, config)


def read_entry_file(path: str, shown: str) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, refusing an oversized one from its size before reading it."""
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return None, Problem(
                    shown,
                    1,
                    None,
                    f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit",
                    "split it or move large media out of the entry",
                )
            return file.read(MAX_FILE_BYTES + 1), None
    except OSError as exc:
        return None, Problem(shown, 1, None, f"cannot read file: {exc.strerror}")


def entry_from_bytes(
    data: bytes, path: str | Path, shown: str, config: Config
) -> tuple[Entry | None, list[Problem]]:
    node, problems = parse_mapping(data, shown)
    if node is None:
        return None, problems
    fields = Fields(node, shown, problems)
    stem = os.path.splitext(os.path.basename(path))[0]
    entry = parse_entry(fields, slug_of(stem), config)
    failed = any(p.severity == "error" for p in problems)
    return (None if failed else entry), problems


def parse_entry(fields: Fields, slug: str, config: Config) -> Entry | None:
    zone = ZoneInfo(config.timezone)
    base = config.url
    fields.reject_unknown(ENTRY_KEYS, RENAMED_KEYS)
    title = fields.text("title", required=True)
    date = fields.date("date", zone, required=True)
    updated = fields.date("updated", zone)
    if date is not None and updated is not None and updated < date:
        fields.error(
            "updated",
            "is earlier than 'date'",
            fields.node("updated"),
            "'updated' is the last change; 'date' is the first publication",
        )
    link = fields.url("link", base)
    content_base = link or base
    entry_id = fields.text("id")
    if entry_id is not None and ":" not in entry_id:
        fields.error(
            "id",
            f'"{entry_id}" is not a URI',
            fields.node("id"),
            "ids must be URIs, e.g. urn:uuid:... or tag:host,2026-01-01:name",
        )
    fmt = _content_format(fields)
    content = fields.text("content")
    relative: tuple[str, ...] = ()
    content_html = None
    unsafe = False
    if content is not None:
        try:
            body = render_body(content, fmt, content_base, dialect=config.markdown)
        except UnsafeCharacter as exc:
            fields.error("content", str(exc), fields.node("content"), "delete the &#...; reference")
            unsafe = True
        else:
            relative = body.relative
            content_html = body.html or None
            if body.removed:
                fields.warn(
                    "content",
                    "removed for safety: " + ", ".join(body.removed),
                    fields.node("content"),
                    "readers would not run or show them; link to the page that has them instead",
                )
    image = _image(fields, base)
    if image is not None:
        content_html = figure_html(image) + ("\n" + content_html if content_html else "")
    summary = fields.text("summary")
    empty = content is not None and content_html is None and not unsafe
    if content_html is None and summary is None and link is None and not unsafe:
        fields.error(
            "content",
            "renders to nothing" if empty else "an entry needs 'content', 'summary' or 'link'",
            fields.node("content"),
            "readers have nothing to show but the title otherwise",
        )
    elif empty:
        fields.warn(
            "content",
            "renders to nothing",
            fields.node("content"),
            "it holds only comments, link definitions or removed HTML",
        )
    authors = fields.people("author", base)
    if not authors and not config.authors and "atom" in config.formats:
        fields.error("author", "no author for this entry", None, AUTHOR_HINT)
    entry = Entry(
        path=fields.path,
        slug=slug,
        id=entry_id or (tag_uri(config.url, date.date(), slug) if date else ""),
        title=title or "",
        date=date or datetime.min,
        updated=updated,
        link=link or (config.base_url + quote(page_name(fields.path)) if config.pages else None),
        authors=authors,
        summary=summary,
        content_html=content_html,
        tags=_tags(fields),
        image=image,
        source=_source(fields, base),
        lang=fields.language("lang"),
        draft=fields.boolean("draft"),
        enclosures=_enclosures(fields, base),
    )
    if title is None or date is None:
        return None
    _lint(fields, entry, relative, fmt, content_base if link else None)
    return entry


def _lint(
    fields: Fields,
    entry: Entry,
    relative: tuple[str, ...],
    fmt: ContentFormat,
    link: str | None,
) -> None:
    """Warnings: the feed is valid, but readers get less than they could."""
    for key, placeholder in (("summary", PLACEHOLDER_SUMMARY), ("content", PLACEHOLDER_CONTENT)):
        written = fields.text(key)
        if written is not None and written.strip() == placeholder.strip():
            fields.warn(
                key,
                "is still the placeholder text from 'feedpub new'",
                fields.node(key),
                "write your own, or delete the line",
            )
    if entry.summary is None:
        fields.warn(
            "summary",
            "is missing",
            None,
            "readers show the summary in lists; without it they cut the content",
        )
    if entry.link is None:
        fields.warn("link", "is missing", None, "readers cannot open the entry on the web")
    if entry.image is not None and not entry.image.alt:
        fields.warn(
            "image.alt",
            "is missing",
            fields.node("image"),
            "describe the image for people using screen readers",
        )
    if relative:
        fields.warn(
            "content",
            f"has relative URLs ({', '.join(relative[:3])})",
            fields.node("content"),
            f"they resolve against {link or 'the site url'}; check they still work",
        )
    _lint_templates(fields, fmt)
    if _TAG_LIKE.search(entry.title):
        fields.warn(
            "title",
            "looks like it holds HTML",
            fields.node("title"),
            "RSS readers may drop the tag-like part; write &lt; as words or avoid <...>",
        )


def _lint_templates(fields: Fields, fmt: ContentFormat) -> None:
    """Warn about Liquid or Hugo syntax an import left, on the line that has it."""
    node = fields.node("content")
    if not isinstance(node, ScalarNode):
        return
    found = template_syntax(node.value, fmt)
    if found is None:
        return
    offset, snippet, count = found
    line = line_of(node)
    if node.style == "|":  # a literal block: its text starts on the next line, line for line
        line += 1 + node.value.count("\n", 0, offset)
    more = f" (and {count - 1} more)" if count > 1 else ""
    fields.problems.append(
        Problem(
            fields.path,
            line,
            fields.name("content"),
            f"holds {kind_of(snippet)} from another tool, {snippet}{more}, "
            "which feeds show as text",
            "write what it stood for in Markdown or HTML",
            "warning",
        )
    )


def _content_format(fields: Fields) -> ContentFormat:
    fmt = fields.text("format") or "markdown"
    for known in CONTENT_FORMATS:
        if fmt == known:
            return known
    fields.error(
        "format",
        f'"{fmt}" is not a content format',
        fields.node("format"),
        "choose markdown, html or text",
    )
    return "markdown"


def _tags(fields: Fields) -> tuple[str, ...]:
    """The tags; a plain ``tags: a, b`` is one tag in YAML, which no one means."""
    node = fields.node("tags")
    if isinstance(node, ScalarNode) and not node.style and "," in node.value:
        parts = [part.strip() for part in node.value.split(",") if part.strip()]
        listed = yaml.safe_dump(parts, default_flow_style=True, allow_unicode=True, width=1 << 30)
        fields.error(
            "tags",
            f'"{node.value}" is one tag with a comma',
            node,
            f"write a list: tags: {listed.strip()}",
        )
        return ()
    return fields.text_list("tags")


def _image(fields: Fields, base: str) -> Image | None:
    if isinstance(fields.node("image"), ScalarNode):  # image: /img/a.png, as other tools write
        url = fields.url("image", base)
        return Image(url, "") if url else None
    sub = fields.mapping("image")
    if sub is None:
        return None
    sub.reject_unknown(("url", "alt", "credit"))
    url = sub.url("url", base, required=True)
    alt = sub.text("alt") or ""
    credit = sub.text("credit")
    return Image(url, alt, credit) if url else None


def _source(fields: Fields, base: str) -> Source | None:
    sub = fields.mapping("source")
    if sub is None:
        return None
    sub.reject_unknown(("title", "url"))
    title = sub.text("title", required=True)
    url = sub.url("url", base)
    return Source(title, url) if title else None


def _enclosures(fields: Fields, base: str) -> tuple[Enclosure, ...]:
    out: list[Enclosure] = []
    for sub in fields.mappings("enclosures"):
        sub.reject_unknown(("url", "type", "length"))
        url = sub.url("url", base, required=True)
        media_type = sub.text("type", required=True, hint="a media type such as audio/mpeg")
        if media_type is not None and "/" not in media_type:
            sub.error(
                "type",
                f'"{media_type}" is not a media type',
                sub.node("type"),
                "write e.g. audio/mpeg or video/mp4",
            )
            media_type = None
        if not sub.has("length"):
            sub.error("length", "is required", None, "the file size in bytes")
        length = sub.integer("length", 0)
        if url and media_type:
            out.append(Enclosure(url, media_type, length))
    return tuple(out)
