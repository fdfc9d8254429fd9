"""Template syntax left in entry bodies by imports from Jekyll, Hugo and the like.

Feeds publish it as literal text (``{% include note.html %}``), so it is
worth a warning; code blocks and code spans are skipped, since a post about
templates shows them there on purpose.
"""

from __future__ import annotations

import re

_TEMPLATE = re.compile(r"\{\{[<%][^\n]*?[%>]\}\}|\{%[^\n]*?%\}|\{\{[^\n]*?\}\}")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_HTML_CODE = re.compile(r"<(pre|code)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_SHOWN = 40


def template_syntax(text: str, fmt: str) -> tuple[int, str, int] | None:
    """(offset, snippet, count) of the first template tag outside code, or None."""
    if "{{" not in text and "{%" not in text:
        return None
    if fmt == "markdown":
        text = _CODE_SPAN.sub(_blank, _without_fences(text))
    elif fmt == "html":
        text = _HTML_CODE.sub(_blank, text)
    found = list(_TEMPLATE.finditer(text))
    if not found:
        return None
    snippet = found[0].group()
    if len(snippet) > _SHOWN:
        snippet = snippet[: _SHOWN - 6] + "..." + snippet[-3:]
    return found[0].start(), snippet, len(found)


def kind_of(snippet: str) -> str:
    """What wrote it, as people know it."""
    if snippet.startswith(("{{<", "{{%")):
        return "a Hugo shortcode"
    if snippet.startswith("{%"):
        return "a Liquid tag"
    return "a template expression"


def _blank(match: re.Match[str]) -> str:
    """The same length and line breaks, so offsets still give lines."""
    return re.sub(r"[^\n]", " ", match.group())


def _without_fences(text: str) -> str:
    """Fenced code blocks blanked out; a fence closes with at least as many of its marks."""
    lines = text.split("\n")
    fence = ""
    for i, line in enumerate(lines):
        mark = _FENCE.match(line)
        if not fence:
            fence = mark.group(1) if mark else ""
            continue
        closing = mark.group(1) if mark and not line[mark.end() :].strip() else ""
        if closing[:1] == fence[0] and len(closing) >= len(fence):
            fence = ""
            continue
        lines[i] = " " * len(line)
    return "\n".join(lines)
