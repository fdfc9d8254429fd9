"""Read one YAML file into a node tree, safely and with line numbers.

We compose nodes (never construct Python objects) with libyaml's C parser
when available. Working on nodes keeps every value's line number, sees
duplicate keys that a dict would silently merge, never runs YAML 1.1 type
guessing on text fields, and never expands aliases, so alias bombs cost
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Problem

TEXT_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "map", "seq", "null", "bool", "int", "float", "timestamp")
)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, but quoted and block scalars are always text (never guessed)."""

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and not implicit[0]:
            return TEXT_TAG
        tag: str = super().resolve(kind, value, implicit)
        return tag


MAX_FILE_BYTES = 1_000_000
"""Entry and config files larger than this are refused (a feed entry never is)."""


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def read_mapping(path: Path, shown: str) -> tuple[MappingNode | None, list[Problem]]:
    """Parse ``path`` and return its top-level mapping, or the problems found."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 1, None, f"cannot read file: {exc.strerror}")]
    return parse_mapping(data, shown)


def key_line(path: Path, key: str) -> int | None:
    """The line setting top-level ``key`` in a YAML mapping file, if one does.

    For messages about a value that was already checked (entries keep no
    line numbers): the file is parsed again, only on that error path.
    """
    node, _ = read_mapping(path, str(path))
    if node is not None:
        for name, _value in node.value:
            if isinstance(name, ScalarNode) and name.value == key:
                return line_of(name)
    return None


def parse_mapping(data: bytes, shown: str) -> tuple[MappingNode | None, list[Problem]]:
    """Parse a YAML file's bytes into its top-level mapping, or the problems found."""

    def fail(
        message: str, line: int | None = 1, hint: str | None = None
    ) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, line, None, message, hint)]

    if len(data) > MAX_FILE_BYTES:
        return fail(
            f"file is {len(data):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit",
            hint="split it or move large media out of the entry",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return fail("file is not valid UTF-8", line, "save it with UTF-8 encoding")
    if "\x00" in text:
        return fail(
            "file contains NUL bytes (is it binary?)", text[: text.index("\x00")].count("\n") + 1
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = int(mark.line) + 1 if mark is not None else None
        return fail(f"invalid YAML: {exc.problem or exc.context}", where)
    except yaml.reader.ReaderError as exc:
        return _bad_character(text, exc, fail)
    except yaml.YAMLError as exc:
        return fail(f"invalid YAML: {exc}")
    except RecursionError:
        return fail("YAML nesting is too deep")
    finally:
        loader.dispose()
    if node is None:
        return fail("file is empty", 1, "an entry needs at least 'title' and 'date'")
    if not isinstance(node, MappingNode):
        return fail("file must hold one mapping of 'key: value' lines", line_of(node))
    problems = check_tree(node, shown)
    if problems:
        return None, problems
    return node, check_keys(node, shown)


def _bad_character(
    text: str, exc: yaml.reader.ReaderError, fail: Callable[..., tuple[None, list[Problem]]]
) -> tuple[None, list[Problem]]:
    """A character YAML refuses anywhere in the file (C0/C1 controls, U+FFFE...).

    libyaml reports a byte offset and PyYAML a character offset, but both
    stop at the *first* unacceptable character, so its first occurrence in
    the text is where it is.
    """
    code = exc.character if isinstance(exc.character, int) else None
    at = text.find(chr(code)) if code is not None else -1
    line = text[:at].count("\n") + 1 if at >= 0 else None
    what = f"character U+{code:04X}" if code is not None else "a character"
    return fail(
        f"file contains {what}, which YAML does not allow",
        line,
        "delete it (it often comes from pasted text)",
    )


def short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def check_tree(root: Node, shown: str) -> list[Problem]:
    """Refuse language-specific tags and aliases anywhere in the document.

    Composed nodes are never constructed, so ``!!python/object`` could not
    run code anyway; refusing it says plainly that the file is not portable.
    Aliases are refused because an alias bomb expands exponentially in any
    tool that later turns the file into objects (including user scripts).
    The walk visits each node once, so it is linear in the file size.
    """
    problems: list[Problem] = []
    seen: set[int] = set()
    # (node, where it is used): an alias shares its anchor's node, so the
    # node's own mark would point at the anchor, not at the alias. Lines are
    # only worked out for problems: this walk runs on every entry.
    stack: list[tuple[Node, Node]] = [(root, root)]
    while stack:
        node, used_at = stack.pop()
        if id(node) in seen:
            problems.append(
                Problem(
                    shown,
                    line_of(used_at),
                    None,
                    "aliases (*name) are not supported",
                    "write the value out in full",
                )
            )
            break
        seen.add(id(node))
        if node.tag not in CORE_TAGS:
            problems.append(
                Problem(
                    shown,
                    line_of(node),
                    None,
                    f"the YAML tag {short_tag(node.tag)} is not allowed",
                    "remove the '!' tag; feedpub reads plain YAML only",
                )
            )
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.append((value, key))
                stack.append((key, key))
        elif isinstance(node, SequenceNode):
            stack.extend((item, used_at) for item in reversed(node.value))
    return problems


def check_keys(node: MappingNode, shown: str) -> list[Problem]:
    """Duplicate and non-text keys, which a plain dict would hide."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode):
            problems.append(Problem(shown, line_of(key), None, "keys must be plain words"))
            continue
        if key.value in seen:
            problems.append(
                Problem(
                    shown,
                    line_of(key),
                    key.value,
                    f"duplicate key (first set on line {seen[key.value]})",
                    "keep only one",
                )
            )
        else:
            seen[key.value] = line_of(key)
    return problems
