"""Splitting a Markdown post into front matter and body, with file line numbers.

Values come back as plain strings, lists and dicts (no YAML 1.1 guessing:
``title: no`` stays the text "no"), and every key keeps the line it was
written on, so warnings can point at it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Value = str | list["Value"] | dict[str, "Value"]
_NULL_TAG = "tag:yaml.org,2002:null"
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_TABLE = re.compile(r"\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(
    r"\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+))*)\s*="
)


class FrontMatterError(Exception):
    """The post cannot be read: ``line`` is the file line to blame, if known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """What a post says about itself, and where it says it."""

    kind: Literal["yaml", "toml"]
    values: dict[str, Value]
    lines: dict[str, int]
    """Top-level keys and their children (``extra.cover``) -> 1-based file line."""
    body: str
    body_line: int
    """The file line of the body's first line."""


def split_post(text: str) -> FrontMatter | None:
    """The post's front matter and body, or None if it has no front matter.

    Raises FrontMatterError when the front matter is there but unreadable.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    opener = lines[0].rstrip()
    if opener not in ("---", "+++"):
        return None
    closers = ("---", "...") if opener == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        raise FrontMatterError(f"the front matter has no closing '{opener}' line", 1)
    source = "\n".join(lines[1:end]) + "\n"
    body = "\n".join(lines[end + 1 :])
    if opener == "---":
        values, where = _read_yaml(source)
        return FrontMatter("yaml", values, where, body, end + 2)
    values, where = _read_toml(source)
    return FrontMatter("toml", values, where, body, end + 2)


def _read_yaml(source: str) -> tuple[dict[str, Value], dict[str, int]]:
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 2 if mark is not None else 1
        raise FrontMatterError(f"the front matter is not valid YAML: {problem}", line) from exc
    if root is None:
        return {}, {}
    if not isinstance(root, MappingNode):
        raise FrontMatterError(
            "the front matter is not a mapping of 'key: value' lines", root.start_mark.line + 2
        )
    values: dict[str, Value] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        values[key] = _yaml_value(value_node)
        lines.setdefault(key, key_node.start_mark.line + 2)
        if isinstance(value_node, MappingNode):
            for child, _ in value_node.value:
                lines.setdefault(f"{key}.{child.value}", child.start_mark.line + 2)
    return values, lines


def _yaml_value(node: Node) -> Value:
    if isinstance(node, SequenceNode):
        return [_yaml_value(item) for item in node.value]
    if isinstance(node, MappingNode):
        return {str(k.value): _yaml_value(v) for k, v in node.value}
    if isinstance(node, ScalarNode) and node.tag == _NULL_TAG and not node.style:
        return ""
    return str(node.value)


def _read_toml(source: str) -> tuple[dict[str, Value], dict[str, int]]:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        message = _TOML_LINE.sub("", str(exc)).strip()
        line = int(found.group(1)) + 1 if found else 1
        raise FrontMatterError(f"the front matter is not valid TOML: {message}", line) from exc
    values = {key: _toml_value(value) for key, value in data.items()}
    return values, _toml_lines(source)


def _toml_value(value: object) -> Value:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return [_toml_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _toml_value(v) for k, v in value.items()}
    return str(value)


def _toml_lines(source: str) -> dict[str, int]:
    """Where each top-level key and table key is written (first occurrence wins).

    tomllib keeps no positions, so this reads the lines again; a ``key =``
    inside a multi-line string may mislead it, which only moves a warning.
    """
    lines: dict[str, int] = {}
    table = ""
    for number, text in enumerate(source.split("\n"), start=2):
        header = _TOML_TABLE.match(text)
        if header and "=" not in text.split("]")[0]:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            lines.setdefault(table, number)
            continue
        key = _TOML_KEY.match(text)
        if key is None:
            continue
        parts = [part.strip().strip("\"'") for part in key.group(1).split(".")]
        name = ".".join([table, *parts] if table else parts)
        lines.setdefault(name, number)
        if not table and len(parts) > 1:
            lines.setdefault(parts[0], number)
    return lines
