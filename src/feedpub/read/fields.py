"""Typed field readers over YAML nodes, collecting problems instead of raising.

Each reader turns one node into one typed value or records a Problem that
names the file, the line and the dotted field path, so a build can report
every mistake in one run. Text fields take the scalar exactly as written:
``title: no`` is the text "no", not a boolean (the YAML 1.1 trap).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import quote, urljoin, urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Problem
from ..model import Person
from .yamlnodes import line_of

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"

# XML 1.0 cannot carry these code points at all, not even as references.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A day, or RFC 3339 with what Jekyll and Hugo write too: a space for the T,
# no seconds, +0200 for +02:00, a space before the offset. Fractions dropped.
_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r" ?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?"
)
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+")
_NAME_EMAIL = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<email>[^<>]+)>")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
DATE_HINT = (
    "write YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset such as "
    "+02:00 or +0200"
)


def parse_date(text: str) -> datetime | None:
    """The moment ``text`` names (naive without an offset), None if it has no accepted form.

    Raises ValueError for a form with impossible numbers, such as 2026-02-30.
    """
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, zulu, sign, off_h, off_m = match.groups()
    zone: tzinfo | None = None
    if zulu:
        zone = UTC
    elif sign:
        if int(off_h) > 23 or int(off_m) > 59:
            raise ValueError(f"offset {sign}{off_h}:{off_m} is out of range")
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        zone = timezone(-offset if sign == "-" else offset)
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
        tzinfo=zone,
    )  # fmt: skip


class Fields:
    """The keys of one YAML mapping, read with type checks and locations."""

    def __init__(
        self,
        node: MappingNode,
        path: str,
        problems: list[Problem],
        prefix: str = "",
        *,
        plain: bool = False,
    ):
        self.path = path
        self.problems = problems
        self.prefix = prefix
        self.plain = plain
        """The file has no backslash, so no value can hold a character XML refuses.

        YAML itself refuses those characters written out; only escapes in
        double-quoted text ("\\x01") can make them, so without a backslash
        the per-value check is skipped.
        """
        self.line = line_of(node)
        self._items: dict[str, tuple[ScalarNode, Node]] = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value not in self._items:
                self._items[key.value] = (key, value)

    # -- reporting ---------------------------------------------------------

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def error(
        self, key: str, message: str, node: Node | None = None, hint: str | None = None
    ) -> None:
        line = line_of(node) if node is not None else self.line
        self.problems.append(Problem(self.path, line, self.name(key), message, hint))

    def warn(
        self, key: str, message: str, node: Node | None = None, hint: str | None = None
    ) -> None:
        line = line_of(node) if node is not None else self.line
        self.problems.append(Problem(self.path, line, self.name(key), message, hint, "warning"))

    def reject_unknown(
        self, allowed: tuple[str, ...], renamed: Mapping[str, str] | None = None
    ) -> None:
        """An error for each key not in ``allowed``; ``renamed`` maps what other
        tools call a key to an example line of feedpub's own (``tags: [a, b]``)."""
        for key, (key_node, _) in self._items.items():
            if key in allowed:
                continue
            example = (renamed or {}).get(key)
            if example is not None:
                hint = f"feedpub calls it '{example.split(':', 1)[0]}': {example}"
                self.error(key, "unknown key", key_node, hint)
                continue
            import difflib  # only when a key is wrong

            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(allowed)
            self.error(key, "unknown key", key_node, hint)

    # -- raw access --------------------------------------------------------

    def node(self, key: str) -> Node | None:
        """The value node, or None when the key is absent or null."""
        item = self._items.get(key)
        if item is None:
            return None
        value = item[1]
        if isinstance(value, ScalarNode) and value.tag == NULL_TAG and not value.style:
            return None
        return value

    def has(self, key: str) -> bool:
        return self.node(key) is not None

    # -- typed readers -----------------------------------------------------

    def text(self, key: str, *, required: bool = False, hint: str | None = None) -> str | None:
        node = self.node(key)
        if node is None:
            if required:
                self.error(key, "is required", None, hint or f"add a line '{key}: ...'")
            return None
        return self.scalar_text(key, node)

    def scalar_text(self, key: str, node: Node) -> str | None:
        if not isinstance(node, ScalarNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.error(key, f"must be text, not {kind}", node)
            return None
        value: str = node.value
        # Cheap pre-test: printable text (ignoring tabs/newlines) has no illegal characters.
        printable = self.plain or value.replace("\n", "").replace("\t", "").isprintable()
        bad = None if printable else XML_ILLEGAL.search(value)
        if bad:
            self.error(
                key,
                f"contains control character U+{ord(bad.group()):04X} at position "
                f"{bad.start() + 1}, which feeds cannot carry",
                node,
                "delete it (it often comes from pasted text)",
            )
            return None
        if not value or value.isspace():  # not strip(): a copy of every body
            self.error(key, "is empty", node)
            return None
        return value.strip() if node.style in (None, "", "'", '"') else value

    def boolean(self, key: str, default: bool = False) -> bool:
        node = self.node(key)
        if node is None:
            return default
        if isinstance(node, ScalarNode) and node.tag == BOOL_TAG:
            return node.value.lower() in ("true", "yes", "on", "y")
        self.error(key, "must be true or false", node)
        return default

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        node = self.node(key)
        if node is None:
            return default
        if isinstance(node, ScalarNode) and re.fullmatch(r"[0-9]+", node.value.strip()):
            number = int(node.value)
            if number >= minimum:
                return number
        self.error(key, f"must be a whole number of at least {minimum}", node)
        return default

    def date(self, key: str, zone: tzinfo, *, required: bool = False) -> datetime | None:
        node = self.node(key)
        if node is None:
            if required:
                self.error(key, "is required", None, "add e.g. 'date: 2026-02-27'")
            return None
        raw = self.scalar_text(key, node)
        if raw is None:
            return None
        text = raw.strip()
        try:
            value = parse_date(text)
        except ValueError:
            self.error(key, f'"{text}" is not a valid date', node, DATE_HINT)
            return None
        if value is None:
            self.error(key, f'"{text}" is not a date', node, DATE_HINT)
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)

    def url(
        self, key: str, base: str | None, *, required: bool = False, mailto: bool = False
    ) -> str | None:
        raw = self.text(key, required=required)
        if raw is None:
            return None
        return self.check_url(key, raw, base, mailto=mailto)

    def check_url(
        self, key: str, raw: str, base: str | None, *, mailto: bool = False
    ) -> str | None:
        node = self.node(key)
        value = raw.strip()
        if not _PLAIN_URL.fullmatch(value):  # quote() is slow; most URLs need nothing
            value = quote(value, safe=_URL_SAFE)
        if value[:1] == "/" and value[1:2] != "/" and base is not None:
            return urljoin(base, value)  # root-relative: no scheme to check
        try:
            parts = urlsplit(value)
        except ValueError:  # an unclosed or invalid [IPv6] host: "http://[x"
            self.error(key, f'"{raw}" is not a valid URL', node, "write https://host/path")
            return None
        schemes = ("http", "https", "mailto") if mailto else ("http", "https")
        if parts.scheme:
            if parts.scheme.lower() not in schemes:
                self.error(
                    key,
                    f'"{raw}" uses a "{parts.scheme}:" URL',
                    node,
                    "only " + ", ".join(s + ":" for s in schemes) + " URLs are allowed",
                )
                return None
            if parts.scheme.lower() != "mailto" and not parts.netloc:
                self.error(key, f'"{raw}" is not a complete URL', node, "write https://host/path")
                return None
            return value
        if base is None:
            self.error(key, f'"{raw}" must be an absolute URL', node, "write https://host/path")
            return None
        return urljoin(base, value)

    def email(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not _EMAIL.fullmatch(value):
            self.error(key, f'"{value}" is not an e-mail address', self.node(key))
            return None
        return value

    def language(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not _LANG.fullmatch(value):
            self.error(
                key, f'"{value}" is not a language tag', self.node(key), "write e.g. fr or en-GB"
            )
            return None
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        node = self.node(key)
        if node is None:
            return ()
        items = node.value if isinstance(node, SequenceNode) else [node]
        out: list[str] = []
        for i, item in enumerate(items):
            label = f"{key}[{i}]" if isinstance(node, SequenceNode) else key
            value = self.scalar_text(label, item)
            if value is not None and value not in out:
                out.append(value)
        return tuple(out)

    def mapping(self, key: str) -> Fields | None:
        node = self.node(key)
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.error(key, "must be a mapping of 'key: value' lines", node)
            return None
        return Fields(node, self.path, self.problems, f"{self.name(key)}.", plain=self.plain)

    def mappings(self, key: str) -> Iterator[Fields]:
        node = self.node(key)
        if node is None:
            return
        items = node.value if isinstance(node, SequenceNode) else [node]
        for i, item in enumerate(items):
            label = (
                f"{self.name(key)}[{i}]."
                if isinstance(node, SequenceNode)
                else f"{self.name(key)}."
            )
            if isinstance(item, MappingNode):
                yield Fields(item, self.path, self.problems, label, plain=self.plain)
            else:
                self.problems.append(
                    Problem(self.path, line_of(item), label.rstrip("."), "must be a mapping")
                )

    def people(self, key: str, base: str | None) -> tuple[Person, ...]:
        """A name, 'Name <email>', a mapping (name, email, url), or a list of these."""
        node = self.node(key)
        if node is None:
            return ()
        items = node.value if isinstance(node, SequenceNode) else [node]
        people: list[Person] = []
        for i, item in enumerate(items):
            label = f"{key}[{i}]" if isinstance(node, SequenceNode) else key
            if isinstance(item, MappingNode):
                sub = Fields(
                    item, self.path, self.problems, f"{self.name(label)}.", plain=self.plain
                )
                sub.reject_unknown(("name", "email", "url"))
                name = sub.text("name", required=True)
                email = sub.email("email")
                url = sub.url("url", base)
                if name:
                    people.append(Person(name, email, url))
                continue
            raw = self.scalar_text(label, item)
            if raw is None:
                continue
            match = _NAME_EMAIL.fullmatch(raw)
            if match and _EMAIL.fullmatch(match["email"].strip()):
                people.append(
                    Person(match["name"].strip() or match["email"].strip(), match["email"].strip())
                )
            else:
                people.append(Person(raw))
        return tuple(people)
