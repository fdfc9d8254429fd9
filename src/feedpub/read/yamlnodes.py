"""Read one YAML file into a checked node tree, with line numbers and teaching errors.

Nodes are composed, never constructed: every value keeps its line, duplicate
keys stay visible, quoted text is never type-guessed, and aliases are never
expanded. Syntax errors are reworded so they point at the line to fix.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from feedpub.errors import Problem

MAX_FILE_BYTES = 1_000_000
"""Entry and config files larger than this are refused (a feed entry never is)."""

TEXT_TAG = "tag:yaml.org,2002:str"
CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
"""Tags a file may use, written or implied; others (``!!python/...``, and the
``!!merge`` and ``!!value`` that ``<<`` and ``=`` imply) are refused."""

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader (libyaml's when present) that never type-guesses quoted text."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and not implicit[0]:
            return TEXT_TAG  # quoted or block scalar: the author wrote text
        return str(super().resolve(kind, value, implicit))


def line_of(node: yaml.Node) -> int:
    """The 1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def read_mapping(path: Path, shown: str) -> tuple[yaml.MappingNode | None, list[Problem]]:
    """Parse the file at ``path``; its size is checked before a byte is read."""
    try:
        with path.open("rb") as file:
            size = os.stat(file.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return None, [_too_big(shown, size)]
            data = file.read(MAX_FILE_BYTES + 1)  # it may have grown since
    except OSError as exc:
        return None, [Problem(shown, 1, None, f"cannot read file: {exc.strerror}")]
    return parse_mapping(data, shown)


def key_line(path: Path, key: str) -> int | None:
    """The line setting top-level ``key``, for messages about already-checked values."""
    node, _ = read_mapping(path, str(path))
    for name, _value in node.value if node is not None else ():
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            return line_of(name)
    return None


def _too_big(shown: str, size: int) -> Problem:
    return Problem(
        shown,
        1,
        None,
        f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit",
        "split it or move large media out of the entry",
    )


def parse_mapping(data: bytes, shown: str) -> tuple[yaml.MappingNode | None, list[Problem]]:
    """Parse a YAML file's bytes into its top-level mapping, or the problems found."""

    def fail(message: str, line: int | None, hint: str | None = None) -> list[Problem]:
        return [Problem(shown, line, None, message, hint)]

    if len(data) > MAX_FILE_BYTES:
        return None, [_too_big(shown, len(data))]
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, fail("file is not valid UTF-8", line, "save it with UTF-8 encoding")
    if "\x00" in text:
        return None, fail("file contains NUL bytes (is it binary?)", _line_at(text, "\x00"))
    loader = None
    try:
        loader = Loader(text)  # the pure-Python reader checks characters here
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, fail(*explain_syntax_error(text, exc))
    except yaml.reader.ReaderError as exc:
        char = chr(exc.character) if isinstance(exc.character, int) else None
        what = f"character U+{ord(char):04X}" if char else "a character"
        return None, fail(
            f"file contains {what}, which YAML does not allow",
            _line_at(text, char) if char else None,
            "delete it; it often comes from pasted text",
        )
    except yaml.YAMLError as exc:
        return None, fail(f"invalid YAML: {exc}", None)
    except RecursionError:  # only the pure-Python composer recurses
        return None, fail("YAML nesting is too deep", None)
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return None, fail("file is empty", 1, "an entry needs at least 'title' and 'date'")
    if not isinstance(node, yaml.MappingNode):
        return None, fail("file must hold one mapping of 'key: value' lines", line_of(node))
    problems = check_tree(node, text, shown)
    return (None if problems else node), problems


def _line_at(text: str, char: str) -> int:
    """The line of ``char``'s first occurrence (the reader stops at the first)."""
    return text[: text.find(char)].count("\n") + 1


def check_tree(root: yaml.Node, text: str, shown: str) -> list[Problem]:
    """One walk over the tree: aliases, non-core tags, duplicate and non-text keys.

    A dict would silently merge duplicate keys; aliases are refused because an
    alias bomb expands exponentially in any tool that later builds objects.
    """
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias reuses its anchor's node
            line = next(
                (
                    int(t.start_mark.line) + 1
                    for t in yaml.scan(text, Loader=Loader)
                    if isinstance(t, yaml.AliasToken)
                ),
                None,
            )
            problems.append(
                Problem(
                    shown,
                    line,
                    None,
                    "aliases (*name) are not supported",
                    "write the value out in full",
                )
            )
            break  # a node inside itself (&a [*a]) would loop forever
        seen.add(id(node))
        if node.tag not in CORE_TAGS:
            short = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            problems.append(
                Problem(
                    shown,
                    line_of(node),
                    None,
                    f"the YAML tag {short} is not allowed",
                    "remove the '!' tag; feedpub reads plain YAML only",
                )
            )
        if isinstance(node, yaml.MappingNode):
            problems += _check_keys(node, shown)
            stack.extend(part for pair in reversed(node.value) for part in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return problems


def _check_keys(node: yaml.MappingNode, shown: str) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            problems.append(Problem(shown, line_of(key), None, "keys must be plain words"))
        elif key.value in first:
            problems.append(
                Problem(
                    shown,
                    line_of(key),
                    key.value,
                    f"duplicate key (first set on line {first[key.value]})",
                    "keep only one",
                )
            )
        else:
            first[key.value] = line_of(key)
    return problems


# ---- syntax errors, reworded to point at the line to fix ----

_KEY_COLON = re.compile(r"[^#]*?:(?:[ \t]|$)")
"""A line that sets a key: a ':' followed by a space or the line's end, before any comment."""
_BARE_KEY = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z0-9_][^\s:#]*)")
"""A line starting with a word, perhaps after '- ': the key someone meant to write."""
_SETTING = re.compile(r"[ \t]*(?:-[ \t]+)?([^\s:#][^:#]*?):[ \t]+(.*?)[ \t]*")


def explain_syntax_error(
    text: str, exc: yaml.MarkedYAMLError
) -> tuple[str, int | None, str | None]:
    """(message, line, hint) for a YAML syntax error, at the line with the mistake."""
    lines = re.split(r"\r\n|[\r\n\x85\u2028\u2029]", text)
    problem, context = exc.problem or "", exc.context or ""
    at, opened = exc.problem_mark, exc.context_mark
    row = int(at.line) if at is not None else None
    if row is not None and row < len(lines):
        indent = lines[row][: len(lines[row]) - len(lines[row].lstrip(" \t"))]
        if "\t" in indent:
            return (
                f"invalid YAML: line {row + 1} is indented with a tab",
                row + 1,
                "indent with spaces, not tabs",
            )
    if opened is not None and row is not None:
        start = int(opened.line)
        if "quoted scalar" in context and "unexpected" in problem:
            quote = "'" if lines[start][int(opened.column) :].startswith("'") else '"'
            return unclosed("quote", start + 1, quote)
        if "flow sequence" in context or "flow mapping" in context:
            pair = "[]" if "sequence" in context else "{}"
            span = "\n".join(lines[start : row + 1])[int(opened.column) :]
            if row > start and span.count(pair[0]) > span.count(pair[1]):
                return unclosed("list" if pair == "[]" else "mapping", start + 1, pair[1])
        if "simple key" in context and "expected ':'" in problem:
            found = missing_colon(lines, start)
            if found:
                return found
    if row is not None and row < len(lines) and problem.startswith("mapping values are not"):
        before = lines[row][: int(at.column)] if at is not None else ""
        setting = _SETTING.fullmatch(lines[row])
        if _KEY_COLON.match(before) and setting:
            return unquoted_colon(row + 1, setting[1], setting[2])
        above = row - 1  # a plain text ran on from a line above, which had no ':'
        while above >= 0 and not _KEY_COLON.match(lines[above]):
            above -= 1
        for first in range(above + 1, row):
            if lines[first].strip() and not lines[first].lstrip().startswith("#"):
                found = missing_colon(lines, first)
                if found:
                    return found
                break
    where = int(at.line) + 1 if at is not None else (int(opened.line) + 1 if opened else None)
    if problem.startswith("but ") and context:  # the composer's "expected ..., but ..."
        problem = f"{context}, {problem}"
    return f"invalid YAML: {problem or context}", where, None


def missing_colon(lines: list[str], row: int) -> tuple[str, int, str] | None:
    """The message for line ``row`` (0-based) when it is a key without its ':'."""
    word = _BARE_KEY.match(lines[row])
    if word is None or _KEY_COLON.match(lines[row]):
        return None
    return (
        f"invalid YAML: line {row + 1} has no ':' after its key",
        row + 1,
        f"write '{word[1]}: ...'",
    )


def unquoted_colon(line: int, key: str, value: str) -> tuple[str, int, str]:
    """The message for ``key: a: b``, whose value must be quoted to hold ': '."""
    quoted = f'"{value}"' if '"' not in value else "'" + value.replace("'", "''") + "'"
    return (
        f"invalid YAML: line {line} has ': ' inside a value without quotes",
        line,
        f"put the value in quotes: {key}: {quoted}",
    )


def unclosed(what: str, line: int, closer: str) -> tuple[str, int, str]:
    """The message for a quote, list or mapping opened on ``line`` and never closed."""
    return (
        f"invalid YAML: the {what} opened on line {line} is never closed",
        line,
        f"close the {what} with {closer}",
    )
