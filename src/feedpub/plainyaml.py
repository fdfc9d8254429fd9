"""Entry files as people write them, read without libyaml's per-character scan.

Most entries are a few ``key: value`` lines and a final ``content: |``
block, as ``feedpub new`` writes them. libyaml scans every character
through its C state machine and hands each event to Python: about 80
microseconds an entry, a sixth of a cold build's work on it. Here the
block is cut in a few C passes and the lines above it are read with a few
regular expressions, into the same nodes libyaml composes.

Only the plainly plain is taken: one ``key: value`` per line, values
quoted without escapes, plain words, or one-line flow lists and mappings
of those; every file that has anything else (nested blocks, comments after
values, anchors, tags, characters YAML reads specially) goes to libyaml,
so every YAML error is libyaml's own. Tests compare both ways over
generated files.
"""

from __future__ import annotations

import re
from typing import Any

from .yamlimport import MappingNode, ScalarNode, SequenceNode, yaml

_Mark: Any
try:
    from yaml._yaml import Mark as _Mark  # built in C: cheaper to make
except ImportError:  # pragma: no cover - libyaml missing from the wheel
    _Mark = yaml.error.Mark

TEXT_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
_NULL_TAG = "tag:yaml.org,2002:null"
CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
"""The tags a file may use, written or implied; others (``!!python/...``, and
the ``!!merge`` and ``!!value`` that ``<<`` and ``=`` imply) are refused."""
_PLAIN_STYLE = ""
"""What libyaml's composer gives a plain scalar (PyYAML's own gives None)."""

_TAGS: dict[str, str] = {}
"""Plain scalar -> its implicit tag, for the short ones (keys, words, numbers)."""
_RESOLVER = yaml.resolver.Resolver()


def implicit_tag(value: str) -> str:
    """The tag YAML 1.1's safe resolver gives the plain scalar ``value``.

    It depends on the text alone (the safe loader has no path resolvers),
    and every entry repeats the same keys and words: remembering it saves a
    Python regex walk per key on every file.
    """
    tag = _TAGS.get(value)
    if tag is None:
        tag = str(_RESOLVER.resolve(ScalarNode, value, (True, False)))  # type: ignore[no-untyped-call]
        if len(value) <= 32 and len(_TAGS) < 10_000:
            _TAGS[value] = tag
    return tag


_FINAL_KEY = "\ncontent: |\n"
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n" + bytes(range(0x80, 0x100))
_ODD_UTF8 = (b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf")
"""U+2028 and U+2029 (YAML line breaks), U+FEFF, U+FFFE and U+FFFF."""


def final_block(text: str, data: bytes) -> tuple[str, str, int] | None:
    """For a file ending with a plain ``content: |`` block: the file with that
    block emptied, the block's value as libyaml would compose it, and the
    line of its ``|``; else None.

    libyaml scans a block character by character (about 30 microseconds for a
    4 KB body); lines all indented alike are cut here in a few C passes. Only
    the plain case is taken: the first line indented by spaces, every other
    line indented as much or empty, no character in the file that YAML
    refuses or reads as a line break but "\n", the file's end right after.
    Anything else, and any YAML error, goes to libyaml whole.
    """
    # The first such line, found near the top: if the block holds another,
    # that line is less indented and the file goes to libyaml.
    at = text.find(_FINAL_KEY)
    if at < 0:
        return None
    start = at + len(_FINAL_KEY)
    body = text[start:]
    indent = len(body) - len(body.lstrip(" "))
    if not indent or body[indent : indent + 1] in ("", "\n", "\t"):
        return None
    if data.translate(None, _PLAIN_BYTES) or (not data.isascii() and _odd_utf8(data)):
        return None
    pad = " " * indent
    kept = []
    for line in body.split("\n"):
        if line.startswith(pad):
            kept.append(line[indent:])
        elif line.strip(" "):
            return None  # less indented: the block ends before the file does
        else:
            kept.append("")  # an empty line, or spaces short of the indentation
    # "Clip": trailing empty lines go; the last line with text keeps its line
    # break, if one follows it.
    last = len(kept)
    while not kept[last - 1]:
        last -= 1
    value = "\n".join(kept[:last]) + ("\n" if last < len(kept) else "")
    return text[:start], value, text.count("\n", 0, at) + 1


def _odd_utf8(raw: bytes) -> bool:
    """A C1 control (U+0080-U+009F, which includes YAML's U+0085 line break) or
    another character from _ODD_UTF8 in UTF-8 ``raw``.

    Searches for one byte are memchr, many times faster than for three: the
    three-byte ones run only if their first byte is there (accented Latin
    letters have none of these): 5 against 25 microseconds for a 5 KB entry.
    """
    at = raw.find(b"\xc2")
    while at >= 0:
        if 0x80 <= raw[at + 1] <= 0x9F:
            return True
        at = raw.find(b"\xc2", at + 2)
    return any(odd[:1] in raw and odd in raw for odd in _ODD_UTF8)


# A plain scalar may not start with an indicator or a blank. In a line's
# value it runs to the line's end and may hold ":" before a non-blank and
# "#" after one (": " and " #" would end it); in a flow list or mapping it
# holds neither, nor ",[]{}". Trailing spaces are not part of it.
_FIRST = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]"
_QUOTED = r"\"(?P<double>[^\"\\]*)\"|'(?P<single>[^']*)'"
_WORD = r"(?P<key>[A-Za-z_][A-Za-z0-9_-]{0,63})"
"""A key: plain, short, and read the same by every YAML tool."""
_KEY = re.compile(rf"{_WORD}:(?: +|\Z)")
_LINE_VALUE = re.compile(rf"(?P<plain>{_FIRST}(?:[^\s:#]|:(?=\S)|(?<=\S)#| +(?=[^\s#]))*) *\Z")
_FLOW_VALUE = re.compile(
    rf" *(?P<at>)(?:{_QUOTED}|(?P<plain>{_FIRST}(?:[^\s:#,\[\]{{}}]| +(?=[^\s:#,\[\]{{}}]))*))"
    r" *(?P<end>[,\]}])"
)
_FLOW_KEY = re.compile(rf" *(?P<at>){_WORD}: +")
_FLOW_EMPTY = re.compile(r" *[\]}]")
_QUOTED_LIST = re.compile(r'\[("[^"\\]*"(?:, "[^"\\]*")*)?\] *\Z')
"""A list of texts double-quoted without escapes, ", " between them (as
``tags: ["a", "b"]`` is usually written): its items are cut by one split."""
_LINE_END = re.compile(r" *\Z")

_NAME = "<unicode string>"
"""The name libyaml's marks carry for a parsed str."""


Place = tuple[int, int, int]
"""Where a node starts: (line, offset of the line, column)."""


def _mark(line: int, line_start: int, column: int) -> Any:
    """Where a node starts, as libyaml marks it."""
    return _Mark(_NAME, line_start + column, line, column, None, None)


def plain_lines(head: str) -> MappingNode | None:
    """The mapping libyaml composes from ``head`` (a file's lines down to a final
    ``content: |``, which gets an empty value), or None when a line is not
    plainly one ``key: value``, or a key is set twice.

    Marks carry the line and column (and the offset) where each node starts;
    a node's end mark is its start mark.
    """
    lines = head.split("\n")
    last = len(lines) - 2  # the "content: |" line; an empty string follows it
    pairs: list[tuple[Any, Any]] = []
    keys: set[str] = set()
    offset = 0  # where the line starts in ``head``
    for number in range(last):
        line = lines[number]
        here, offset = offset, offset + len(line) + 1
        if line and line[0] != "#":  # not an empty or comment line
            found = _KEY.match(line)
            if found is None:
                if line.strip(" "):
                    return None
                continue  # spaces alone: an empty line too
            key = found["key"]
            at = found.end()
            if key in keys:
                return None  # libyaml composes both; check_keys reports it
            keys.add(key)
            if at == len(line):  # no value: null, placed right after the colon
                colon = (number, here, len(key) + 1)
                value: Any = _scalar_node(_NULL_TAG, "", colon, _PLAIN_STYLE)
            elif line[at] in "[{":
                value = _flow(line, at, number, here)
                if value is None:
                    return None
            else:
                value = _line_value(line, at, (number, here, at))
                if value is None:
                    return None
            pairs.append((_key_node(key, number, here), value))
    if "content" in keys:
        return None  # set twice, the block the second time
    pairs.append((_key_node("content", last, offset), _block(last, offset)))
    start = pairs[0][0].start_mark
    return MappingNode(MAP_TAG, pairs, start, start, False)


class _Scalar(ScalarNode):
    """A ScalarNode made without PyYAML's __init__, a Python call: made here in
    half the time, and a header has a dozen. Its mark is made only when read
    (for a message, mostly): making one for every node cost 1 % of an entry's
    instructions."""

    __slots__ = ()
    _at: Place

    @property
    def start_mark(self) -> Any:
        return _mark(*self._at)

    @start_mark.setter
    def start_mark(self, mark: Any) -> None:
        self._at = (mark.line, mark.index - mark.column, mark.column)

    end_mark = start_mark


_new = object.__new__


def _scalar_node(tag: str, value: str, at: Place, style: str) -> ScalarNode:
    node = _new(_Scalar)
    node.tag = tag
    node.value = value
    node._at = at
    node.style = style
    return node


def _key_node(key: str, line: int, offset: int) -> ScalarNode:
    return _scalar_node(implicit_tag(key), key, (line, offset, 0), _PLAIN_STYLE)


def _block(line: int, offset: int) -> ScalarNode:
    """The final ``content: |``, its value still empty."""
    return _scalar_node(TEXT_TAG, "", (line, offset, len("content: ")), "|")


def _line_value(line: str, at: int, place: Place) -> ScalarNode | None:
    """The scalar from ``at`` to the line's end, spaces after it aside."""
    quote = line[at]
    if quote == '"' or quote == "'":
        # Quoted text is most of an entry's header: found by str.find, which
        # skips along in C far faster than the regex engine's loop.
        close = line.find(quote, at + 1)
        if close < 0 or line[close + 1 :].strip(" "):
            return None
        text = line[at + 1 : close]
        if quote == '"':
            return None if "\\" in text else _scalar_node(TEXT_TAG, text, place, '"')
        return _scalar_node(TEXT_TAG, text, place, "'")
    found = _LINE_VALUE.match(line, at)
    if found is None:
        return None
    return _plain_node(found["plain"], place)


def _plain_node(plain: str, place: Place) -> ScalarNode | None:
    """None for a word whose implied tag is refused: libyaml's path says so."""
    tag = implicit_tag(plain)
    return _scalar_node(tag, plain, place, _PLAIN_STYLE) if tag in CORE_TAGS else None


def _scalar(found: re.Match[str], place: Place) -> ScalarNode | None:
    double, single, plain = found.group("double", "single", "plain")
    if double is not None:
        return _scalar_node(TEXT_TAG, double, place, '"')
    if single is not None:
        return _scalar_node(TEXT_TAG, single, place, "'")
    return _plain_node(plain, place)


def _flow(line: str, at: int, number: int, offset: int) -> SequenceNode | MappingNode | None:
    """A flow list or mapping of scalars, all on this line, from its bracket at ``at``."""
    quoted = _QUOTED_LIST.match(line, at)
    if quoted is not None:
        return _quoted_list(quoted[1], number, offset, at)
    mapping = line[at] == "{"
    close = "}" if mapping else "]"
    mark = _mark(number, offset, at)
    items: list[Any] = []
    at += 1
    empty = _FLOW_EMPTY.match(line, at)
    if empty is not None:
        if line[empty.end() - 1] != close:
            return None
        at = empty.end()
    else:
        while True:
            key = None
            if mapping:
                found_key = _FLOW_KEY.match(line, at)
                if found_key is None:
                    return None
                name, column = found_key["key"], found_key.start("at")
                place = (number, offset, column)
                key = _scalar_node(implicit_tag(name), name, place, _PLAIN_STYLE)
                at = found_key.end()
            found = _FLOW_VALUE.match(line, at)
            if found is None:
                return None
            value = _scalar(found, (number, offset, found.start("at")))
            if value is None:
                return None
            items.append((key, value) if mapping else value)
            at = found.end()
            if found["end"] != ",":
                if found["end"] != close:
                    return None
                break
    if _LINE_END.match(line, at) is None:
        return None
    if mapping:
        return MappingNode(MAP_TAG, items, mark, mark, True)
    return SequenceNode(SEQ_TAG, items, mark, mark, True)


def _quoted_list(inner: str | None, number: int, offset: int, at: int) -> SequenceNode:
    """The list _QUOTED_LIST matched at ``at``: ``inner`` is what its brackets hold."""
    items: list[Any] = []
    column = at + 1  # the first item's opening quote
    for text in inner[1:-1].split('", "') if inner else ():
        items.append(_scalar_node(TEXT_TAG, text, (number, offset, column), '"'))
        column += len(text) + 4  # its quotes, a comma and a space
    mark = _mark(number, offset, at)
    return SequenceNode(SEQ_TAG, items, mark, mark, True)
