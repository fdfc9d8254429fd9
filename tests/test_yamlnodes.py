"""feedpub.read.yamlnodes: every message word for word, and the node tree it returns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import feedpub
from feedpub.read.yamlnodes import MAX_FILE_BYTES, key_line, line_of, parse_mapping, read_mapping

X = "entries/x.yaml"
STR = "tag:yaml.org,2002:str"


def messages(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    node, problems = parse_mapping(data, X)
    assert (node is None) == bool(problems)
    return [str(problem) for problem in problems]


def no_colon(line: int, key: str) -> str:
    return f"{X}:{line}: error: invalid YAML: line {line} has no ':' after its key " + (
        f"(write '{key}: ...')"
    )


TAB = "invalid YAML: line {0} is indented with a tab (indent with spaces, not tabs)"

TEACHING: list[tuple[str, str, str]] = [
    # missing colon: libyaml reports the line below; the message names the line itself
    ("colon", "title: A\ndate: 2026-01-01\nsummary Un café\ncontent: x\n", no_colon(3, "summary")),
    ("colon-last-line", "title: A\nsummary Un café\n", no_colon(2, "summary")),
    ("colon-no-final-newline", "title: A\nsummary Un café", no_colon(2, "summary")),
    ("colon-then-blank", "title: A\nsummary Un café\n\ncontent: x\n", no_colon(2, "summary")),
    ("colon-then-comment", "title: A\nsummary x\n# note\n\ncontent: x\n", no_colon(2, "summary")),
    ("colon-nested", "title: A\nauthor:\n  name: B\n  email b@x\n  url: u\n", no_colon(4, "email")),
    ("colon-nested-last", "author:\n  name: B\n  email b@x\ncontent: x\n", no_colon(3, "email")),
    ("colon-nested-first", "author:\n  name B\n  email: c\n", no_colon(2, "name")),
    ("colon-first-line", "summary Un café\ntitle: A\n", no_colon(1, "summary")),
    ("colon-first-two-lines", "summary Un café\nmore\ntitle: A\n", no_colon(1, "summary")),
    (
        "colon-text-runs-on",
        "title: A\nsummary Un café\n  suite\ncontent: x\n",
        no_colon(2, "summary"),
    ),
    ("colon-list-item", "people:\n  - name: a\n    email b\n  - name: c\n", no_colon(3, "email")),
    (
        "colon-in-value",
        "title: Note: hello\ndate: 2026-01-01\n",
        f"{X}:1: error: invalid YAML: line 1 has ': ' inside a value without quotes "
        f'(put the value in quotes: title: "Note: hello")',
    ),
    (
        "colon-in-nested-value",
        'date: x\nauthor:\n  name: Dr: "X"\n',
        f"{X}:3: error: invalid YAML: line 3 has ': ' inside a value without quotes "
        f"(put the value in quotes: name: 'Dr: \"X\"')",
    ),
    ("tab-nested", "title: A\nauthor:\n\tname: B\n", f"{X}:3: error: " + TAB.format(3)),
    ("tab-top", "title: A\n\tdate: B\n", f"{X}:2: error: " + TAB.format(2)),
    ("tab-after-spaces", "author:\n  \tname: B\n", f"{X}:2: error: " + TAB.format(2)),
    ("tab-list", "tags:\n\t- a\n", f"{X}:2: error: " + TAB.format(2)),
    ("tab-block", "title: A\ncontent: |\n  one\n\ttwo\n", f"{X}:4: error: " + TAB.format(4)),
    (
        "double-quote",
        'title: "abc\ndate: 2026-01-01\nsummary: x\n',
        f"{X}:1: error: invalid YAML: the quote opened on line 1 is never closed "
        f'(close the quote with ")',
    ),
    (
        "single-quote-last",
        "date: 2026-01-01\ntitle: 'abc\n",
        f"{X}:2: error: invalid YAML: the quote opened on line 2 is never closed "
        f"(close the quote with ')",
    ),
    (
        "quote-after-accent",
        'café: "abc\nx: 1\n',
        f"{X}:1: error: invalid YAML: the quote opened on line 1 is never closed "
        f'(close the quote with ")',
    ),
    (
        "list",
        "tags: [a, b\ndate: 2026-01-01\n",
        f"{X}:1: error: invalid YAML: the list opened on line 1 is never closed "
        f"(close the list with ])",
    ),
    (
        "list-last",
        "date: 2026-01-01\ntags: [a, [b, c]\n",
        f"{X}:2: error: invalid YAML: the list opened on line 2 is never closed "
        f"(close the list with ])",
    ),
    (
        "mapping",
        "meta: {a: 1\ndate: 2026-01-01\n",
        f"{X}:1: error: invalid YAML: the mapping opened on line 1 is never closed "
        f"(close the mapping with }})",
    ),
]

OWN_WORDS: list[tuple[str, str, str]] = [
    # what no rule explains keeps libyaml's own words, at its line
    (
        "list-closed",
        'tags: [a, "b" c]\n',
        f"{X}:1: error: invalid YAML: did not find expected ',' or ']'",
    ),
    (
        "junk-after-quote",
        'date: x\ntitle: "a" b\n',
        f"{X}:2: error: invalid YAML: did not find expected key",
    ),
    (
        "long-key",
        "k" * 1100 + ": v\n",
        f"{X}:1: error: invalid YAML: mapping values are not allowed in this context",
    ),
    ("undefined-alias", "a: *x\n", f"{X}:1: error: invalid YAML: found undefined alias"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [c[1:] for c in TEACHING + OWN_WORDS],
    ids=[c[0] for c in TEACHING + OWN_WORDS],
)
def test_syntax_errors_point_at_the_mistake(text: str, expected: str) -> None:
    assert messages(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            b"title: A\n\xff\n",
            f"{X}:2: error: file is not valid UTF-8 (save it with UTF-8 encoding)",
        ),
        (b"title: A\nb: \x00\n", f"{X}:2: error: file contains NUL bytes (is it binary?)"),
        (
            "title: A\nsummary: a\x01b\n",
            f"{X}:2: error: file contains character U+0001, which YAML does not allow "
            f"(delete it; it often comes from pasted text)",
        ),
        ("", f"{X}:1: error: file is empty (an entry needs at least 'title' and 'date')"),
        (
            "# only a comment\n",
            f"{X}:1: error: file is empty (an entry needs at least 'title' and 'date')",
        ),
        ("\n- a\n- b\n", f"{X}:2: error: file must hold one mapping of 'key: value' lines"),
        ("just text\n", f"{X}:1: error: file must hold one mapping of 'key: value' lines"),
        (
            "a: &x [1]\nb: 2\nc: *x\n",
            f"{X}:3: error: aliases (*name) are not supported (write the value out in full)",
        ),
        (
            "a: &x [1]\nb:\n  - 2\n  - *x\n",
            f"{X}:4: error: aliases (*name) are not supported (write the value out in full)",
        ),
        (
            "a: &x text\n\nb: *x\n",
            f"{X}:3: error: aliases (*name) are not supported (write the value out in full)",
        ),
        (
            "a: &x [*x]\n",
            f"{X}:1: error: aliases (*name) are not supported (write the value out in full)",
        ),
        (
            "title: A\nx: !!python/object:os.system {}\n",
            f"{X}:2: error: the YAML tag !!python/object:os.system is not allowed "
            f"(remove the '!' tag; feedpub reads plain YAML only)",
        ),
        (
            "title: A\n<<: {b: 1}\n",
            f"{X}:2: error: the YAML tag !!merge is not allowed "
            f"(remove the '!' tag; feedpub reads plain YAML only)",
        ),
        (
            "title: A\ndate: x\ntitle: B\n",
            f"{X}:3: error: title: duplicate key (first set on line 1) (keep only one)",
        ),
        (
            "author:\n  name: A\n  name: B\n",
            f"{X}:3: error: name: duplicate key (first set on line 2) (keep only one)",
        ),
        ("title: A\n? [a, b]\n: c\n", f"{X}:2: error: keys must be plain words"),
        (
            "title: A\n---\ntitle: B\n",
            f"{X}:2: error: invalid YAML: expected a single document in the stream, "
            f"but found another document",
        ),
    ],
)
def test_refused_files(text: str | bytes, expected: str) -> None:
    assert messages(text) == [expected]


def test_oversized_bytes_refused() -> None:
    data = b"a: " + b"x" * MAX_FILE_BYTES
    assert messages(data) == [
        f"{X}:1: error: file is 1,000,003 bytes, over the 1,000,000-byte limit "
        f"(split it or move large media out of the entry)"
    ]


def test_oversized_file_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as file:
        file.truncate(2 * 10**9)  # sparse: no disk used, but reading it would take seconds
    started = time.perf_counter()
    node, problems = read_mapping(path, X)
    assert time.perf_counter() - started < 0.5
    assert node is None
    assert [str(p) for p in problems] == [
        f"{X}:1: error: file is 2,000,000,000 bytes, over the 1,000,000-byte limit "
        f"(split it or move large media out of the entry)"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    node, problems = read_mapping(tmp_path / "missing.yaml", X)
    assert node is None
    assert [str(p) for p in problems] == [
        f"{X}:1: error: cannot read file: No such file or directory"
    ]
    node, problems = read_mapping(tmp_path, X)
    assert [str(p) for p in problems] == [f"{X}:1: error: cannot read file: Is a directory"]


def test_bom_accepted_and_lines_kept() -> None:
    node, problems = parse_mapping("\ufefftitle: A\ndate: 2026-01-01\n".encode(), X)
    assert problems == [] and node is not None
    assert [(k.value, v.value, line_of(k)) for k, v in node.value] == [
        ("title", "A", 1),
        ("date", "2026-01-01", 2),
    ]


def test_scalar_tags() -> None:
    text = (
        "a: no\nb: 'no'\nc: \"12\"\nd: 12\ne: 2026-01-01\nf: |\n  yes\ng: >\n  null\n"
        "h: ~\nj: [no, 'no']\n"
    )
    node, problems = parse_mapping(text.encode(), X)
    assert problems == [] and node is not None
    tags = {key.value: value.tag.rsplit(":", 1)[1] for key, value in node.value}
    assert tags == {
        "a": "bool",
        "b": "str",
        "c": "str",
        "d": "int",
        "e": "timestamp",
        "f": "str",
        "g": "str",
        "h": "null",
        "j": "seq",
    }
    b = node.value[1][1]
    assert (b.value, b.tag) == ("no", STR)
    items = node.value[-1][1].value
    assert [(item.value, item.tag) for item in items] == [
        ("no", "tag:yaml.org,2002:bool"),
        ("no", STR),
    ]


def test_node_lines() -> None:
    text = "# comment\n\ntitle: A\nauthor:\n  name: B\ntags:\n  - x\n  - y\ncontent: |\n  body\n"
    node, _ = parse_mapping(text.encode(), X)
    assert node is not None
    lines = {key.value: (line_of(key), line_of(value)) for key, value in node.value}
    assert lines == {"title": (3, 3), "author": (4, 5), "tags": (6, 7), "content": (9, 9)}
    assert [line_of(item) for item in node.value[2][1].value] == [7, 8]


def test_key_line(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("title: A\n\n# c\ndate: 2026-01-01\nauthor:\n  date: x\n")
    assert key_line(path, "date") == 4
    assert key_line(path, "title") == 1
    assert key_line(path, "missing") is None
    path.write_text("title: [\n")
    assert key_line(path, "title") is None


def test_pure_python_loader_teaches_the_same() -> None:
    """Without libyaml, the same messages (PyYAML's wording differs only where no rule applies)."""
    cases = [(text, expected) for _name, text, expected in TEACHING]
    script = (
        "import json, sys, yaml\n"
        "del yaml.CSafeLoader\n"
        "from feedpub.read import yamlnodes\n"
        "assert yamlnodes.Loader.__mro__[1] is yaml.SafeLoader\n"
        "out = [[str(p) for p in yamlnodes.parse_mapping(t.encode(), sys.argv[1])[1]] "
        "for t in json.loads(sys.stdin.read())]\n"
        "print(json.dumps(out))\n"
    )
    src = Path(feedpub.__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script, X],
        env={**os.environ, "PYTHONPATH": str(src)},
        input=json.dumps([text for text, _ in cases]),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [[expected] for _, expected in cases]


def test_uses_libyaml_when_present() -> None:
    from feedpub.read import yamlnodes

    assert issubclass(yamlnodes.Loader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
