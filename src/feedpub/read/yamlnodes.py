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


NO_ALIAS, NO_ALIAS_HINT = "aliases (*name) are not supported", "write the value out in full"
NO_TAG_HINT = "remove the '!' tag; feedpub reads plain YAML only"


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
            problems.append(Problem(shown, _first_alias_line(text), None, NO_ALIAS, NO_ALIAS_HINT))
            break  # a node inside itself (&a [*a]) would loop forever
        seen.add(id(node))
        if node.tag not in CORE_TAGS:
            short = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            message = f"the YAML tag {short} is not allowed"
            problems.append(Problem(shown, line_of(node), None, message, NO_TAG_HINT))
        if isinstance(node, yaml.MappingNode):
            problems += _check_keys(node, shown)
            stack.extend(part for pair in reversed(node.value) for part in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return problems


def _first_alias_line(text: str) -> int | None:
    """Where the first ``*name`` is: the tree only shows the anchor's node, reused."""
    for token in yaml.scan(text, Loader=Loader):
        if isinstance(token, yaml.AliasToken):
            return int(token.start_mark.line) + 1
    return None  # pragma: no cover - the tree reuses a node only for an alias


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
"""A whole ``key: value`` line (perhaps a list item): the key and its value."""


Explained = tuple[str, int, str]
"""A teaching message: (message, 1-based line, hint)."""


def explain_syntax_error(
    text: str, exc: yaml.MarkedYAMLError
) -> tuple[str, int | None, str | None]:
    """(message, line, hint) for a YAML syntax error, at the line with the mistake.

    Each rule reads libyaml's (or PyYAML's) error and the lines around it; an
    error no rule explains keeps the parser's own words at its line.
    """
    lines = re.split(r"\r\n|[\r\n\x85\u2028\u2029]", text)
    at, opened = exc.problem_mark, exc.context_mark
    row = int(at.line) if at is not None else len(lines)
    problem, context = exc.problem or "", exc.context or ""
    explained = _tab_indent(lines, row)
    if not explained and opened is not None:
        explained = _unclosed(lines, context, problem, opened, row)
        if not explained and "simple key" in context and "expected ':'" in problem:
            explained = missing_colon(lines, int(opened.line))  # libyaml says: the line below
    if not explained and at is not None and problem.startswith("mapping values are not"):
        explained = _colon_in_line(lines, row, int(at.column))
    if explained:
        return explained
    where = row + 1 if at is not None else (int(opened.line) + 1 if opened else None)
    if problem.startswith("but ") and context:  # the composer's "expected ..., but ..."
        problem = f"{context}, {problem}"
    return f"invalid YAML: {problem or context}", where, None


def _tab_indent(lines: list[str], row: int) -> Explained | None:
    """YAML forbids tabs in indentation; whatever the parser said, that is the mistake."""
    line = lines[row] if row < len(lines) else ""
    if "\t" not in line[: len(line) - len(line.lstrip(" \t"))]:
        return None
    return (
        f"invalid YAML: line {row + 1} is indented with a tab",
        row + 1,
        "indent with spaces, not tabs",
    )


def _unclosed(
    lines: list[str], context: str, problem: str, opened: yaml.Mark, row: int
) -> Explained | None:
    """A quote, '[' or '{' still open where the parser gave up."""
    start, column = int(opened.line), int(opened.column)
    if "quoted scalar" in context and "unexpected" in problem:
        return unclosed("quote", start + 1, "'" if lines[start][column:][:1] == "'" else '"')
    if "flow sequence" in context or "flow mapping" in context:
        pair = "[]" if "sequence" in context else "{}"
        span = "\n".join(lines[start : row + 1])[column:]
        if row > start and span.count(pair[0]) > span.count(pair[1]):
            return unclosed("list" if pair == "[]" else "mapping", start + 1, pair[1])
    return None


def _colon_in_line(lines: list[str], row: int, column: int) -> Explained | None:
    """``key: a: b`` on this line, or a key without ':' above, whose text ran on to here."""
    setting = _SETTING.fullmatch(lines[row])
    if setting and _KEY_COLON.match(lines[row][:column]):
        return unquoted_colon(row + 1, setting[1], setting[2])
    above = row - 1
    while above >= 0 and not _KEY_COLON.match(lines[above]):
        above -= 1
    for first in range(above + 1, row):  # the run's first line that holds anything
        if lines[first].strip() and not lines[first].lstrip().startswith("#"):
            return missing_colon(lines, first)
    return None


def missing_colon(lines: list[str], row: int) -> Explained | None:
    """The message for line ``row`` (0-based) when it is a key without its ':'."""
    word = _BARE_KEY.match(lines[row])
    if word is None or _KEY_COLON.match(lines[row]):
        return None
    return (
        f"invalid YAML: line {row + 1} has no ':' after its key",
        row + 1,
        f"write '{word[1]}: ...'",
    )


def unquoted_colon(line: int, key: str, value: str) -> Explained:
    """The message for ``key: a: b``, whose value must be quoted to hold ': '."""
    quoted = f'"{value}"' if '"' not in value else "'" + value.replace("'", "''") + "'"
    return (
        f"invalid YAML: line {line} has ': ' inside a value without quotes",
        line,
        f"put the value in quotes: {key}: {quoted}",
    )


def unclosed(what: str, line: int, closer: str) -> Explained:
    """The message for a quote, list or mapping opened on ``line`` and never closed."""
    return (
        f"invalid YAML: the {what} opened on line {line} is never closed",
        line,
        f"close the {what} with {closer}",
    )
