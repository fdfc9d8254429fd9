"""Finding template syntax left in a post body: feedpub publishes it as plain text.

Jekyll runs Liquid over post bodies and Hugo and Zola expand shortcodes;
feedpub renders Markdown only, so each such spot is worth a look before
publishing. One warning per line, for the first occurrence on it.
"""

from __future__ import annotations

import re

from .notes import Finding

_TEMPLATE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}|\{\{.*?\}\}|\{\{|\{%")
_CALL = re.compile(r"\{[{%][-\s]*[A-Za-z_][A-Za-z0-9_]*\(")
SNIPPET_MAX = 60


def template_findings(body: str, first_line: int, tool: str) -> list[Finding]:
    """A warning for each body line holding template syntax; ``first_line`` is the body's."""
    findings = []
    for offset, text in enumerate(body.split("\n")):
        found = _TEMPLATE.search(text)
        if found is None:
            continue
        snippet = found.group(0)
        if len(snippet) == 2:  # an opener closed on a later line: show the rest of this one
            snippet = text[found.start() :].rstrip()
        if len(snippet) > SNIPPET_MAX:
            snippet = snippet[: SNIPPET_MAX - 3] + "..."
        message = f"{_kind(snippet, tool)} left in the body (published as written): {snippet}"
        findings.append(Finding(first_line + offset, message))
    return findings


def _kind(snippet: str, tool: str) -> str:
    if snippet.startswith(("{{<", "{{%")):
        return "Hugo shortcode"
    if tool == "zola" and _CALL.match(snippet):
        return "Zola shortcode"
    if tool == "jekyll":
        return "Liquid tag" if snippet.startswith("{%") else "Liquid output"
    return "template syntax"
