"""Property tests: no entry file can crash a build, hang it or half-write output/.

Each example copies a site whose feed was already built, drops one fuzzed
file into entries/, and runs ``feedpub build`` through the CLI. Whatever the
file holds, the build either fails with compiler-style lines and leaves
output/ byte-identical, or succeeds with two feeds a reader can parse.
The last test goes the other way: any *valid* entry comes back from the
feeds exactly as written.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from feedpub.cli import cli
from feedpub.read.entry import ENTRY_KEYS

from .conftest import BASIC_CONFIG, snapshot
from .test_parse_back import read_as_html, same_text, utc, visible

GOOD = "title: Good\ndate: 2026-01-01\nlink: /good/\nsummary: Fine.\n"
FUZZED = "entries/fuzzed.yaml"
SECONDS_PER_BUILD = 10.0
"""A build of two small entries takes milliseconds; this only catches hangs."""

# Each successful build fsyncs its files (about 7 ms each on a disk); the
# examples need no durability, so use memory-backed scratch space if any.
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None

_PROBLEM_LINE = r"^entries/[^:]+:\d+: (error|warning): "
_ERRORS_SUMMARY = r"^\d+ errors$"
_MORE_WARNINGS = r"^and \d+ more \(feedpub check lists them all\)$"

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with one good entry and its feeds already in output/."""
    root = tmp_path_factory.mktemp("template")
    (root / "entries").mkdir()
    (root / "feedpub.yaml").write_text(BASIC_CONFIG, encoding="utf-8")
    (root / "entries/good.yaml").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "-C", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Turn a hang in Python code into a test failure instead of a stuck suite."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def build_with(template: Path, content: bytes) -> Result:
    """Build a copy of ``template`` with ``content`` as one more entry file."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        root = Path(scratch) / "site"
        shutil.copytree(template, root)
        (root / FUZZED).write_bytes(content)
        before = snapshot(root / "output")
        started = time.monotonic()
        with time_limit(SECONDS_PER_BUILD):
            # catch_exceptions=False: a crash surfaces as the real exception.
            result = CliRunner().invoke(cli, ["build", "-C", str(root)], catch_exceptions=False)
        assert time.monotonic() - started < SECONDS_PER_BUILD
        assert_clean_outcome(result, root, before)
        assert (root / FUZZED).read_bytes() == content  # a build never edits entries
    return result


def assert_clean_outcome(result: Result, root: Path, before: dict[str, bytes]) -> None:
    if currently_in_test_context():
        event(f"exit {result.exit_code}")  # see --hypothesis-show-statistics
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    # Split on "\n" only: that is what a terminal shows as separate lines.
    lines = [line for line in result.stderr.split("\n") if line]
    # A failed build prints its problems (and "N errors" when there are
    # several); a successful one prints its warnings.
    failed = [_PROBLEM_LINE, _ERRORS_SUMMARY]
    allowed = failed if result.exit_code else [_PROBLEM_LINE, _MORE_WARNINGS]
    for line in lines:
        assert any(re.match(pattern, line) for pattern in allowed), repr(line)
    after = snapshot(root / "output")
    if result.exit_code == 1:
        assert any(": error: " in line for line in lines), result.stderr
        assert after == before
        return
    # Exactly the outputs (no temporary files left behind).
    assert set(after) == {"atom.xml", "rss.xml", "feed.json", "index.html"}
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse(after[name])
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))


# -- (a) arbitrary bytes ---------------------------------------------------------


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=400),
        # Valid-looking start, then garbage: reaches the later stages too.
        st.binary(max_size=200).map(lambda tail: GOOD.replace("Good", "Other").encode() + tail),
    )
)
def test_arbitrary_bytes_never_crash_or_half_write(built_site: Path, content: bytes) -> None:
    build_with(built_site, content)


# -- (b) YAML-ish text -----------------------------------------------------------

_KEYS = st.sampled_from(
    [*ENTRY_KEYS, "tittle", "Title", "colour", "x", "? k", "'quoted key'", '"k\\ny"', "1", "~"]
)
_WORD = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_SCALARS = st.one_of(
    _WORD,
    st.sampled_from(
        [
            "",
            "Hello",
            "2026-01-01",
            "2026-02-30",
            "2026-01-01T10:00:00+01:00",
            "2999-01-01",
            "/relative/",
            "https://example.org/x",
            "javascript:alert(1)",
            "http://[x",
            "//[::1/a",
            "https://[::1]/ok",
            "http://]x",
            "{url: 'http://[x', alt: a}",
            "\"<blockquote cite='http://[x'>q</blockquote>\"",
            "audio/mpeg",
            "12",
            "-1",
            "yes",
            "no",
            "null",
            "~",
            "true",
            "3.5",
            "0x1F",
            ".inf",
            "|",
            ">-",
            "[a, b]",
            "{a: 1}",
            "{url: /a.mp3, type: audio/mpeg, length: 1}",
            "[{url: /a.mp3}]",
            "&a x",
            "*a",
            "&a [1, *a]",
            "!!str x",
            "!!binary aGk=",
            "!!python/object/apply:os.system ['true']",
            "!custom x",
            "'single ''quoted'''",
            '"double \\"quoted\\" \\u00e9 \\x07 \\n"',
            '"unterminated',
            "'unterminated",
            "<script>alert(1)</script>",
            "a: b: c",
            "# only a comment",
            "@reserved",
            "`backtick",
            "%percent",
        ]
    ),
)
_FRAGMENTS = st.sampled_from(
    [
        "---",
        "...",
        "%YAML 1.1",
        "%TAG ! tag:example.org,2026:",
        "[",
        "]",
        "{",
        "}",
        "-",
        "- ",
        "? ",
        ": ",
        "&a",
        "*a",
        "!!map",
        "!!seq",
        "'",
        '"',
        "\t",
        "#",
        "|",
        ">",
        "\ufeff",
        "\r",
        "\x00",
        "\x07",
        "\x85",
        "\u2028",
        "\ud7ff",
        "\ufffe",
    ]
)


def _key_value(key: str, value: str) -> str:
    return f"{key}: {value}"


_LINES = st.one_of(
    st.builds(_key_value, _KEYS, _SCALARS),
    st.builds(lambda v: f"- {v}", _SCALARS),
    st.builds(lambda k, v: f"  {k}: {v}", _KEYS, _SCALARS),  # nested mapping lines
    st.builds(lambda v: f"  - {v}", _SCALARS),
    st.builds(lambda ws, line: ws + line, st.sampled_from(["\t", " ", "   "]), _WORD),
    st.lists(_FRAGMENTS, min_size=1, max_size=6).map("".join),
    st.builds(lambda n: "title: " + "x" * n, st.integers(1_000, 60_000)),  # very long line
    st.builds(lambda n, m: "tags: " + "[" * n + "]" * m, st.integers(1, 200), st.integers(0, 200)),
    st.builds(
        lambda n: "a:\n" + "".join(" " * i + "b:\n" for i in range(1, n)), st.integers(2, 80)
    ),
    st.builds(lambda n: "content: " + "{a: " * n + "1" + "}" * n, st.integers(1, 120)),
)
_VALID_CORE = ["title: Fuzzed", "date: 2026-01-02", "summary: s", "link: /fuzzed/"]
# Unusual but valid YAML for the keys the core does not set, so that a good
# share of examples build and their feeds get checked too.
_VALID_EXTRAS = [
    "# a comment",
    "tags: [a, 'b c', \"d\\te\", 2026, yes]",
    "tags:\n  - x\n  -   y  \n  - 'z''s'",
    "content: |\n  block *markdown*\n\n  <b onclick=x>text</b>",
    "content: >-\n  folded\n  text &#169;",
    "author: !!str Someone <someone@example.org>",
    "author:\n  - {name: A}\n  - name: B\n    email: b@example.org",
    "lang: fr-CA",
    "draft: false",
    "updated: 2026-01-03T00:00:00Z",
    "image: {url: /i.png, alt: An image, credit: Me}",
    "enclosures:\n  - {url: /a.mp3, type: audio/mpeg, length: 3}",
    "source: {title: Elsewhere, url: 'https://news.example/'}",
    "format: text",
    "id: urn:uuid:6f1c8d8e-5a4b-4c3d-9e2f-1a2b3c4d5e6f",
]


@st.composite
def yamlish(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_LINES, max_size=10))
    branch = draw(st.integers(0, 2))
    if branch == 2:
        lines = _VALID_CORE + draw(st.lists(st.sampled_from(_VALID_EXTRAS), unique=True))
        lines = draw(st.permutations(lines))
        if draw(st.booleans()):
            lines = ["---", *lines, "..."]
    elif branch == 1:
        # Splice the fragments into a valid entry, so that some examples get
        # past YAML parsing into field checks or even build successfully.
        core = list(_VALID_CORE)
        for line in lines[:3]:
            core.insert(draw(st.integers(0, len(core))), line)
        lines = core
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


_PLAIN_PIECES = ["a", "word", "#", ":", "- x", "é", "«»", "\xa0", "\U0001f600", "\t", " ", '"']
_ODD_PIECES = [
    "\r", "\x85", "\x80", "\x9f", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\x7f", "\x1b",
]  # fmt: skip


@st.composite
def final_blocks(draw: st.DrawFn) -> str:
    """Files ending with a ``content: |`` block: mostly plain, else a little off."""
    plain = draw(st.integers(0, 3)) > 0
    pieces = st.sampled_from(_PLAIN_PIECES + ([] if plain else [*_ODD_PIECES, "...", "---"]))
    heads = ["title: T\n", "title: T\nsummary: s\n"]
    if not plain:
        heads += ['title: "a\n', "title: 'x\n  y'\n", "content: x\n", "a: [1,\n", ""]
    indent = draw(st.integers(1 if plain else 0, 4))
    lines = [" " * indent + draw(st.sampled_from(["a", "word", "é", "#"]))]
    for _ in range(draw(st.integers(0, 8))):
        text = "".join(draw(st.lists(pieces, max_size=4)))
        kinds = ["line", "line", "line", "empty", "spaces"] + ([] if plain else ["less"])
        kind = draw(st.sampled_from(kinds))
        if kind == "empty":
            lines.append("")
        elif kind == "spaces":
            lines.append(" " * draw(st.integers(1, 6)))
        elif kind == "less":
            lines.append(" " * draw(st.integers(0, max(0, indent - 1))) + text)
        else:
            lines.append(" " * indent + draw(st.sampled_from(["", " ", "\t"])) + text)
    if not plain and draw(st.booleans()):
        lines[0] = draw(st.sampled_from(["", " \tx", "  "]))
    header = "content: |" if plain else draw(st.sampled_from(["content: |", "content: |-"]))
    ends = ["", "\n", "\n", "\n\n", "\n  \n", "\n \n"] + ([] if plain else ["\nnext: 1\n"])
    return (
        draw(st.sampled_from(heads))
        + header
        + "\n"
        + "\n".join(lines)
        + draw(st.sampled_from(ends))
    )


_HEAD_KEYS = ["title", "tags", "a-b", "x_1", "true", "null", "123", "on"]
_HEAD_ODD_KEYS = ["a b", "-k", "?", "é", "title ", "content"]
_HEAD_WORDS = [
    "a", "word", "é", "\U0001f600", " ", "a#b", ":x", ",", "1", "2026-01-01", "true", ".5", "~",
]  # fmt: skip
_HEAD_ODD_PIECES = [
    "\xa0", "\t", "#", " #", "# ", ":", ": ", "[", "]", "{", "}", '"', "'", "''", "\\", "-",
    "- ", "?", "&", "*", "!", "|", ">", "%", "@", "`", "...", "---", "2026-01-01T10:00:00Z",
    "<<", "=",
]  # fmt: skip
_HEAD_ODD_LINES = ["# comment", "  indented: x", "- item", "---", "  # c", " ", "\t", "%YAML 1.1"]


@st.composite
def plain_heads(draw: st.DrawFn) -> str:
    """Files of ``key: value`` lines and a final plain block: values quoted,
    plain, in one-line flow lists and mappings, or empty. Half the files mix in
    characters, spacing and lines that make YAML read a line otherwise."""
    odd = draw(st.booleans())
    pieces = st.lists(st.sampled_from(_HEAD_WORDS + (_HEAD_ODD_PIECES if odd else [])), max_size=4)
    keys = st.sampled_from(_HEAD_KEYS + (_HEAD_ODD_KEYS if odd else []))

    def choose(usual: list[str], unusual: list[str]) -> str:
        return draw(st.sampled_from(usual + (unusual if odd else [])))

    def scalar() -> str:
        quote = draw(st.sampled_from(["", "", '"', "'"]))
        return quote + "".join(draw(pieces)) + quote

    def value() -> str:
        kind = draw(st.sampled_from(["scalar", "scalar", "list", "mapping", "empty"]))
        if kind == "empty":
            return ""
        if kind == "scalar":
            return scalar()
        if kind == "list":
            items = [scalar() for _ in range(draw(st.integers(0, 3)))]
        else:
            items = [
                draw(keys) + choose([": "], [":", " : "]) + scalar()
                for _ in range(draw(st.integers(0, 3)))
            ]
        inner = choose([", ", ",", " , "], [", ,", " "]).join(items)
        ends = "[]" if kind == "list" else "{}"
        return ends[0] + choose(["", " "], []) + inner + choose(["", " "], [","]) + ends[1]

    lines = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 5)) == 0:
            lines.append(choose(["", "# comment"], _HEAD_ODD_LINES))
            continue
        colon = choose([": ", ":  "], [":", " : ", ":\t"])
        lines.append(draw(keys) + colon + value() + choose(["", " "], [" # c", "\t"]))
    return "".join(line + "\n" for line in lines) + "content: |\n  Body text.\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yamlish())
def test_yamlish_text_never_crashes_or_half_writes(built_site: Path, text: str) -> None:
    build_with(built_site, text.encode("utf-8", "surrogatepass"))


# Regressions found by the strategies above (or by reading the code they
# pointed at), kept as fixed cases so they run every time: each stays one
# line with a line number, and none is a traceback.
F = FUZZED
REGRESSIONS: list[tuple[str, str, str]] = [
    (
        "newline-in-unknown-key",
        '"k\\ny": 1\n' + GOOD.replace("Good", "X"),
        f"{F}:1: error: k\\ny: unknown key",
    ),
    (
        "newline-in-bad-date",
        'title: x\nsummary: s\ndate: "a\\nb"\n',
        f'{F}:3: error: date: "a\\nb" is not a date',
    ),
    (
        "cr-in-bad-url",
        'title: x\nsummary: s\ndate: 2026-01-01\nlink: "javascript:\\ralert(1)"\n',
        f'{F}:4: error: link: "javascript:\\ralert(1)" uses a "javascript:" URL',
    ),
    (
        "line-separator-in-lang",
        'title: x\nsummary: s\ndate: 2026-01-01\nlang: "fr\\Len"\n',
        f'{F}:4: error: lang: "fr\\u2028en" is not a language tag',
    ),
    (
        "bell-in-key",
        '"a\\ab": 1\n' + GOOD.replace("Good", "X"),
        f"{F}:1: error: a\\x07b: unknown key",
    ),
    (
        "duplicate-id",
        GOOD.replace("Good", "X") + "id: tag:example.org,2026-01-01:good\n",
        'entries/good.yaml:1: error: id: "tag:example.org,2026-01-01:good" is also the id of '
        f"{F} (this file's id comes from its date and file name: rename the file, or add an "
        "'id:' line such as the one 'feedpub new' writes)",
    ),
    (
        "yaml-refused-character",
        "title: x\ndate: 2026-01-01\nsummary: a\x01b\n",
        f"{F}:3: error: file contains character U+0001, which YAML does not allow "
        "(delete it; it often comes from pasted text)",
    ),
    (
        "yaml-refused-character-after-utf8",
        "title: é\ndate: 2026-01-01\nsummary: a\x7fb\n",
        f"{F}:3: error: file contains character U+007F, which YAML does not allow",
    ),
    (
        "unclosed-ipv6-link",
        'title: x\ndate: 2026-01-01\nsummary: s\nlink: "http://[x"\n',
        f'{F}:4: error: link: "http://[x" is not a valid URL (write https://host/path)',
    ),
    (
        "unclosed-ipv6-image",
        "title: x\ndate: 2026-01-01\nsummary: s\nimage: {url: '//[a', alt: a}\n",
        f'{F}:4: error: image.url: "//[a" is not a valid URL',
    ),
    (
        "bad-ipv6-author-url",
        "title: x\ndate: 2026-01-01\nsummary: s\nauthor: {name: a, url: 'http://]x'}\n",
        f'{F}:4: error: author.url: "http://]x" is not a valid URL',
    ),
    # These two build: the same link as another entry is fine, and a broken
    # URL inside content is dropped by the sanitizer (it used to print
    # "Exception ignored ... Traceback" from inside nh3).
    ("same-link-as-other-entry", "title: X\ndate: 2026-01-02\nlink: /good/\nsummary: s\n", ""),
    (
        "unclosed-ipv6-in-content",
        "title: x\ndate: 2026-01-01\nsummary: s\ncontent: <q cite='http://[x'>q</q>\n",
        "",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in REGRESSIONS], ids=[c[0] for c in REGRESSIONS]
)
def test_fixed_hostile_entries(built_site: Path, text: str, expected: str) -> None:
    result = build_with(built_site, text.encode())
    if expected:
        assert result.exit_code == 1
        assert any(line.startswith(expected) for line in result.stderr.split("\n")), result.stderr
    else:
        assert result.exit_code == 0, result.stderr


# -- (c) valid entries round-trip ------------------------------------------------

# Any Unicode a user can type, minus surrogates and C0/C1 controls (the loader
# rejects those with a message), and minus U+FFFE/U+FFFF, which XML 1.0 cannot
# carry at all (also refused with a message, so not a *valid* entry).
_TEXT_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
)
_ONE_LINE = st.text(_TEXT_CHARS, min_size=1, max_size=30).filter(lambda s: s.strip() != "")
# RSS writes a single author as "email (Name)" and feedparser splits that
# string back with heuristics that look for "@", "(" and ")"; names carry
# other markup-ish characters elsewhere, so only those three are left out.
_NAME = st.text(
    st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff()@<>,"
    ),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() != "")
_EMAIL = st.builds(
    "{}@{}.{}".format,
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
    st.sampled_from(["example", "mail", "xn--caf-dma"]),
    st.sampled_from(["org", "fr", "net"]),
)
_SEGMENT = st.text(st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=8)
_MEDIA_TYPES = st.sampled_from(["audio/mpeg", "audio/ogg", "video/mp4", "application/pdf"])
_OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
# Real zones too, as written by someone who converts a local time with its
# offset. RFC 3339 offsets are whole minutes; the rare historical ones with
# seconds (local mean time) are refused by feedpub, so not valid entries.
_DATES = (
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.one_of(_OFFSETS, st.timezones()),
    )
    .map(lambda d: d.replace(microsecond=0))
    .filter(lambda d: (d.utcoffset() or timedelta(0)) % timedelta(minutes=1) == timedelta(0))
)


def _rfc3339(value: datetime) -> str:
    return value.isoformat()


@st.composite
def valid_entry(draw: st.DrawFn, index: int) -> dict[str, Any]:
    date = draw(_DATES)
    entry: dict[str, Any] = {
        "title": draw(_ONE_LINE),
        "date": _rfc3339(date),
        "summary": draw(_ONE_LINE),
    }
    if draw(st.booleans()):
        # Added in UTC: wall-clock arithmetic across a DST fold can go back in time.
        later = date.astimezone(UTC) + timedelta(seconds=draw(st.integers(0, 10**8)))
        entry["updated"] = _rfc3339(later)
    if draw(st.booleans()):
        entry["id"] = f"urn:uuid:{draw(st.uuids())}"
    if draw(st.booleans()):
        path = "/".join(draw(st.lists(_SEGMENT, min_size=1, max_size=3)))
        entry["link"] = draw(st.sampled_from([f"/{path}/", f"https://news.example.net/{path}"]))
    authors = draw(
        st.lists(st.fixed_dictionaries({"name": _NAME}, optional={"email": _EMAIL}), max_size=2)
    )
    if authors:
        entry["author"] = authors
    tags = draw(st.lists(_ONE_LINE, max_size=3, unique_by=lambda s: s.strip()))
    if tags:
        entry["tags"] = tags
    if draw(st.booleans()):
        entry["content"] = "\n\n".join(draw(st.lists(_ONE_LINE, min_size=1, max_size=2)))
        entry["format"] = "text"
    enclosures = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "url": st.sampled_from(
                        [f"/media/e{index}.mp3", f"https://cdn.example/{index}"]
                    ),
                    "type": _MEDIA_TYPES,
                    "length": st.integers(0, 10**12),
                }
            ),
            max_size=2,
        )
    )
    if enclosures:
        entry["enclosures"] = enclosures
    return entry


@st.composite
def valid_sites(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    return [draw(valid_entry(i)) for i in range(count)]


def _absolute(link: str) -> str:
    return "https://example.org" + quote(link) if link.startswith("/") else quote(link, safe=":/")


def _expected_id(entry: dict[str, Any], index: int) -> str:
    if "id" in entry:
        return str(entry["id"])
    day = datetime.fromisoformat(entry["date"]).date()
    return f"tag:example.org,{day.isoformat()}:e{index}"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=valid_sites())
def test_valid_entries_parse_back_identically(entries: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        root = Path(scratch)
        (root / "entries").mkdir()
        (root / "feedpub.yaml").write_text(BASIC_CONFIG, encoding="utf-8")
        for i, entry in enumerate(entries):
            text = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)
            (root / f"entries/e{i}.yaml").write_text(text, encoding="utf-8")
        # --future: generated dates run to 2100 and must all be published.
        result = CliRunner().invoke(
            cli, ["build", "-C", str(root), "--future"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        feeds = {name: snapshot(root / "output")[name] for name in ("atom.xml", "rss.xml")}
    expected = {_expected_id(e, i): e for i, e in enumerate(entries)}
    order = sorted(
        expected, key=lambda i: (datetime.fromisoformat(expected[i]["date"]), i), reverse=True
    )
    for name, data in feeds.items():
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert [got.id for got in parsed.entries] == order, name
        for got in parsed.entries:
            assert_same_entry(name, got, expected[got.id])


def assert_same_entry(name: str, got: Any, entry: dict[str, Any]) -> None:
    rss = name == "rss.xml"
    title = entry["title"]
    if not rss or not read_as_html(title):
        assert same_text(visible(got.title_detail), title), name
    # Atom without link or content carries the summary as <content type="text">
    # (RFC 4287 4.1.1.1); feedparser then has no summary_detail.
    summary = got.get("summary_detail") or got.content[0]
    assert same_text(visible(summary), entry["summary"]), name
    if "content" in entry:
        assert same_text(visible(got.content[0]), entry["content"]), name
    tags = [t.term for t in got.get("tags", [])]
    assert len(tags) == len(entry.get("tags", [])), name
    assert all(map(same_text, tags, entry.get("tags", []))), (name, tags)
    alternates = [
        link.href for link in got.get("links", []) if link.get("rel", "alternate") == "alternate"
    ]
    assert alternates == ([_absolute(entry["link"])] if "link" in entry else []), name
    date = datetime.fromisoformat(entry["date"])
    assert utc(got.published_parsed) == date.astimezone(UTC), name
    if not rss:
        modified = datetime.fromisoformat(entry.get("updated", entry["date"]))
        assert utc(got.updated_parsed) == modified.astimezone(UTC), name
    assert_same_authors(rss, got, entry.get("author") or [{"name": "Site Author"}])
    enclosures = entry.get("enclosures", [])
    if rss:
        enclosures = enclosures[:1]  # RSS carries the first one (RSS Board advice)
    assert [(e.href, e.type, e.length) for e in got.get("enclosures", [])] == [
        (_absolute(e["url"]), e["type"], str(e["length"])) for e in enclosures
    ], name


def assert_same_authors(rss: bool, got: Any, authors: list[dict[str, str]]) -> None:
    if rss and len(authors) == 1 and "email" in authors[0]:
        # <author>email (Name)</author>
        assert same_text(got.author_detail.name, authors[0]["name"])
        assert got.author_detail.email == authors[0]["email"]
    elif rss:
        # One dc:creator with the names joined.
        # feedpub strips each name (like every text field), then joins them.
        assert same_text(got.author, ", ".join(a["name"].strip() for a in authors))
    else:
        assert len(got.authors) == len(authors)
        emails: set[str | None] = {None}
        for read, want in zip(got.authors, authors, strict=True):
            assert same_text(read.get("name", ""), want["name"])
            if "email" in want:
                assert read.get("email") == want["email"]
            else:
                # feedparser copies an earlier author's e-mail onto an Atom
                # author that has none ([A <a@x>, B] reads as [A <a@x>, B <a@x>]).
                assert read.get("email") in emails
            emails.add(want.get("email"))


@pytest.mark.parametrize(
    "code", [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]
)
def test_every_character_xml_refuses_is_refused_written_raw_or_escaped(code: int) -> None:
    """Why a file without a backslash skips the per-value character check.

    YAML refuses these characters written out; an escape needs a backslash,
    and then the check runs.
    """
    from feedpub.builder.compile import compile_file
    from feedpub.model import Config

    config = Config(title="T", description="D", url="https://e.org/", base_url="https://e.org/")
    for text in (f"title: a{chr(code)}b\n", f'title: "a\\u{code:04x}b"\n'):
        entry = tempfile.NamedTemporaryFile("wb", suffix=".yaml", delete=False)  # noqa: SIM115
        with entry:
            entry.write((text + "date: 2026-01-01\nsummary: s\n").encode("utf-8", "surrogatepass"))
        try:
            compiled = compile_file(entry.name, "entries/x.yaml", config)
        finally:
            os.unlink(entry.name)
        assert compiled.record is None, (hex(code), text)
        assert (compiled.problems[0].path, compiled.problems[0].line) == ("entries/x.yaml", 1)


_TREES = st.lists(
    st.sampled_from(
        [
            "a: &x 1",
            "b: *x",
            "c: &y [1, 2]",
            "d: *y",
            "e: [*x, 3]",
            "f: {g: *x}",
            "h: !!str 1",
            "i: !custom 1",
            "j: !!python/name:os.system",
            "k: [1, !local 2]",
            "l: {m: n}",
            "*x : 1",
            "? &k key\n: v",
            "plain: text",
            "list:\n  - 1\n  - &z 2\n  - *z",
            "loop: &l [0, *l]",
            "nest: &n {a: [*n]}",
        ]
    ),
    unique=True,
    max_size=6,
)
