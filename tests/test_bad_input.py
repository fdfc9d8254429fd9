"""The bad-input corpus: every mistake gets one precise line, exit 1, and no write.

Each case is a file ``entries/bad.yaml`` (or the config) next to a good
entry whose feed was already built; the build must fail with exactly the
expected message and leave output/ byte-identical.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import BASIC_CONFIG, MakeSite, snapshot

GOOD = "title: Good\ndate: 2026-01-01\nlink: /good/\nsummary: Fine.\n"
OK = "date: 2026-01-01\nsummary: s\n"  # completes a case that only breaks one field
B = "entries/bad.yaml"

# (case id, file bytes or text, one expected stderr line)
ENTRY_CASES: list[tuple[str, str | bytes, str]] = [
    (
        "syntax-error",
        "title: [unclosed\n" + OK,
        f"{B}:1: error: invalid YAML: the list opened on line 1 is never closed"
        " (close the list with ])",
    ),
    (
        "tab-indent",
        "title: x\n\tdate: 2026-01-01\n",
        f"{B}:2: error: invalid YAML: line 2 is indented with a tab (indent with spaces, not tabs)",
    ),
    ("empty-file", "", f"{B}:1: error: file is empty (an entry needs at least 'title' and 'date')"),
    (
        "only-comments",
        "# nothing\n",
        f"{B}:1: error: file is empty (an entry needs at least 'title' and 'date')",
    ),
    (
        "list-not-mapping",
        "- title: x\n",
        f"{B}:1: error: file must hold one mapping of 'key: value' lines",
    ),
    (
        "scalar-not-mapping",
        "just text\n",
        f"{B}:1: error: file must hold one mapping of 'key: value' lines",
    ),
    (
        "two-documents",
        "title: a\n---\ntitle: b\n",
        f"{B}:2: error: invalid YAML: expected a single document in the stream,"
        " but found another document",
    ),
    (
        "duplicate-key",
        "title: a\ntitle: b\n" + OK,
        f"{B}:2: error: title: duplicate key (first set on line 1) (keep only one)",
    ),
    (
        "unknown-key",
        "tittle: x\ntitle: y\n" + OK,
        f"{B}:1: error: tittle: unknown key (did you mean 'title'?)",
    ),
    (
        "unknown-nested-key",
        "title: x\nimage: {url: /i.png, alt: a, credits: b}\n" + OK,
        f"{B}:2: error: image.credits: unknown key (did you mean 'credit'?)",
    ),
    ("missing-title", OK, f"{B}:1: error: title: is required (add a line 'title: ...')"),
    (
        "missing-date",
        "title: x\nsummary: s\n",
        f"{B}:1: error: date: is required (add e.g. 'date: 2026-02-27')",
    ),
    (
        "no-content-summary-or-link",
        "title: x\ndate: 2026-01-01\n",
        f"{B}:1: error: content: an entry needs 'content', 'summary' or 'link' "
        "(readers have nothing to show but the title otherwise)",
    ),
    (
        "impossible-date",
        "title: x\nsummary: s\ndate: 2026-02-30\n",
        f'{B}:3: error: date: "2026-02-30" is not a valid date (write YYYY-MM-DD, '
        "YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset such as +02:00 or +0200)",
    ),
    (
        "not-a-date",
        "title: x\nsummary: s\ndate: last tuesday\n",
        f'{B}:3: error: date: "last tuesday" is not a date (write YYYY-MM-DD, '
        "YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset such as +02:00 or +0200)",
    ),
    (
        "bad-offset",
        "title: x\nsummary: s\ndate: 2026-01-01T10:00:00+25:00\n",
        f'{B}:3: error: date: "2026-01-01T10:00:00+25:00" is not a valid date',
    ),
    (
        "updated-before-date",
        "title: x\nsummary: s\ndate: 2026-01-02\nupdated: 2026-01-01\n",
        f"{B}:4: error: updated: is earlier than 'date'",
    ),
    ("title-is-list", "title: [a, b]\n" + OK, f"{B}:1: error: title: must be text, not a list"),
    (
        "title-is-mapping",
        "title: {a: b}\n" + OK,
        f"{B}:1: error: title: must be text, not a mapping",
    ),
    ("title-empty-string", 'title: ""\n' + OK, f"{B}:1: error: title: is empty"),
    ("title-null", "title:\n" + OK, f"{B}:1: error: title: is required"),
    (
        "javascript-link",
        "title: x\nlink: javascript:alert(1)\n" + OK,
        f'{B}:2: error: link: "javascript:alert(1)" uses a "javascript:" URL '
        "(only http:, https: URLs are allowed)",
    ),
    (
        "incomplete-url",
        "title: x\nlink: 'https:/nohost'\n" + OK,
        f'{B}:2: error: link: "https:/nohost" is not a complete URL (write https://host/path)',
    ),
    (
        "bad-email",
        "title: x\nauthor: {name: A, email: not-an-email}\n" + OK,
        f'{B}:2: error: author.email: "not-an-email" is not an e-mail address',
    ),
    (
        "author-without-name",
        "title: x\nauthor: {email: a@example.org}\n" + OK,
        f"{B}:2: error: author.name: is required",
    ),
    (
        "bad-language",
        "title: x\nlang: french language\n" + OK,
        f'{B}:2: error: lang: "french language" is not a language tag (write e.g. fr or en-GB)',
    ),
    (
        "bad-format",
        "title: x\nformat: rst\ncontent: c\n" + OK,
        f'{B}:2: error: format: "rst" is not a content format (choose markdown, html or text)',
    ),
    (
        "draft-not-boolean",
        "title: x\ndraft: maybe\n" + OK,
        f"{B}:2: error: draft: must be true or false",
    ),
    (
        "control-character",
        'title: "bell \\a here"\n' + OK,
        f"{B}:1: error: title: contains control character U+0007 at position 6, which feeds "
        "cannot carry (delete it (it often comes from pasted text))",
    ),
    (
        "enclosure-missing-length",
        "title: x\nenclosures: [{url: /a.mp3, type: audio/mpeg}]\n" + OK,
        f"{B}:2: error: enclosures[0].length: is required (the file size in bytes)",
    ),
    (
        "enclosure-bad-type",
        "title: x\nenclosures: [{url: /a.mp3, type: mp3, length: 1}]\n" + OK,
        f'{B}:2: error: enclosures[0].type: "mp3" is not a media type '
        "(write e.g. audio/mpeg or video/mp4)",
    ),
    (
        "enclosure-negative-length",
        "title: x\nenclosures: [{url: /a.mp3, type: audio/mpeg, length: -5}]\n" + OK,
        f"{B}:2: error: enclosures[0].length: must be a whole number of at least 0",
    ),
    (
        "enclosure-not-mapping",
        "title: x\nenclosures: [/a.mp3]\n" + OK,
        f"{B}:2: error: enclosures[0]: must be a mapping",
    ),
    (
        "image-without-url",
        "title: x\nimage: {alt: a}\n" + OK,
        f"{B}:2: error: image.url: is required",
    ),
    (
        "id-not-uri",
        "title: x\nid: my-entry\n" + OK,
        f'{B}:2: error: id: "my-entry" is not a URI (ids must be URIs, e.g. urn:uuid:... or '
        "tag:host,2026-01-01:name)",
    ),
    (
        "python-tag",
        "title: !!python/object/apply:os.system ['true']\n" + OK,
        f"{B}:1: error: the YAML tag !!python/object/apply:os.system is not allowed",
    ),
    ("custom-tag", "title: !secret x\n" + OK, f"{B}:1: error: the YAML tag !secret is not allowed"),
    (
        "alias",
        "title: &t x\nsummary: *t\ndate: 2026-01-01\n",
        f"{B}:2: error: aliases (*name) are not supported (write the value out in full)",
    ),
    (
        "alias-inside-itself",
        "title: &t [x, *t]\n" + OK,
        f"{B}:1: error: aliases (*name) are not supported",
    ),
    (
        "alias-bomb",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        f"{B}:2: error: aliases (*name) are not supported",
    ),
    (
        "deep-nesting",
        "title: " + "[" * 5000 + "]" * 5000 + "\n",
        f"{B}:1: error: invalid YAML: exceeded maximum nesting depth",
    ),
    (
        "not-utf8",
        "title: caf\xe9\n".encode("latin-1") + OK.encode(),
        f"{B}:1: error: file is not valid UTF-8 (save it with UTF-8 encoding)",
    ),
    (
        "binary-file",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        f"{B}:1: error: file is not valid UTF-8 (save it with UTF-8 encoding)",
    ),
    ("nul-bytes", b"title: x\x00y\n", f"{B}:1: error: file contains NUL bytes (is it binary?)"),
    (
        "huge-file",
        "title: x\n" + OK + "content: |\n" + ("  " + "x" * 98 + "\n") * 11000,
        f"{B}:1: error: file is 1,111,048 bytes, over the 1,000,000-byte limit",
    ),
]


def _starts(stderr: str, expected: str) -> bool:
    return any(line.startswith(expected) for line in stderr.splitlines())


@pytest.mark.parametrize(
    ("content", "expected"), [c[1:] for c in ENTRY_CASES], ids=[c[0] for c in ENTRY_CASES]
)
def test_bad_entry(make_site: MakeSite, content: str | bytes, expected: str) -> None:
    root = make_site({"good.yaml": GOOD})
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "-C", str(root)]).exit_code == 0
    before = snapshot(root / "output")
    entry_bytes = content.encode() if isinstance(content, str) else content
    (root / B).write_bytes(entry_bytes)
    result = runner.invoke(cli, ["build", "-C", str(root)])
    assert result.exit_code == 1, result.output
    assert _starts(result.stderr, expected), result.stderr
    assert "Traceback" not in result.output
    assert snapshot(root / "output") == before
    assert (root / B).read_bytes() == entry_bytes  # a build never edits entries


CONFIG_CASES: list[tuple[str, str, str]] = [
    (
        "config-missing-url",
        "title: T\ndescription: D\n",
        "feedpub.yaml:1: error: url: is required (add a line 'url: ...')",
    ),
    (
        "config-relative-url",
        "title: T\ndescription: D\nurl: example.org\n",
        'feedpub.yaml:3: error: url: "example.org" must be an absolute URL (write https://host/path)',
    ),
    (
        "config-bad-timezone",
        BASIC_CONFIG + "timezone: Mars/Olympus\n",
        'feedpub.yaml:7: error: timezone: "Mars/Olympus" is not a known time zone '
        "(use an IANA name such as Europe/Paris or UTC)",
    ),
    (
        "config-bad-format",
        BASIC_CONFIG + "formats: [atom, rdf]\n",
        'feedpub.yaml:7: error: formats: "rdf" is not a supported format '
        "(choose from atom, rss, json)",
    ),
    (
        "config-bad-limit",
        BASIC_CONFIG + "limit: lots\n",
        "feedpub.yaml:7: error: limit: must be a whole number of at least 0",
    ),
    (
        "config-typo",
        BASIC_CONFIG + "langauge: fr\n",
        "feedpub.yaml:7: error: langauge: unknown key (did you mean 'language'?)",
    ),
    (
        "config-same-filenames",
        BASIC_CONFIG + "filenames: {atom: feed.xml, rss: feed.xml}\n",
        "feedpub.yaml:7: error: filenames: two formats would write the same file",
    ),
    (
        "config-filename-path",
        BASIC_CONFIG + "filenames: {atom: ../x.xml}\n",
        'feedpub.yaml:7: error: filenames.atom: "../x.xml" must be a plain file name',
    ),
]


@pytest.mark.parametrize(
    ("config", "expected"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES]
)
def test_bad_config(make_site: MakeSite, config: str, expected: str) -> None:
    root = make_site({"good.yaml": GOOD})
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "-C", str(root)]).exit_code == 0
    before = snapshot(root / "output")
    (root / "feedpub.yaml").write_text(config)
    result = runner.invoke(cli, ["build", "-C", str(root)])
    assert result.exit_code == 1
    assert _starts(result.stderr, expected), result.stderr
    assert snapshot(root / "output") == before


def test_all_errors_of_a_build_are_reported_together(make_site: MakeSite) -> None:
    root = make_site(
        {
            "a.yaml": "title: x\ndate: 2026-13-01\nsummary: s\n",
            "b.yaml": "title: y\n",
            "c.yaml": GOOD + "colour: red\n",
        }
    )
    result = CliRunner().invoke(cli, ["build", "-C", str(root)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(": error")[0] for line in lines[:-1]] == [
        "entries/a.yaml:2",
        "entries/b.yaml:1",
        "entries/b.yaml:1",
        "entries/c.yaml:5",
    ]
    assert lines[-1] == "4 errors"


def test_bom_and_yaml11_words_are_accepted(make_site: MakeSite) -> None:
    root = make_site(
        {
            "a.yaml": b"\xef\xbb\xbftitle: no\ndate: 2026-01-01\nsummary: 2026\n"
            b"link: /a/\ntags: [yes, off, 1.0]\n"
        }
    )
    result = CliRunner().invoke(cli, ["build", "-C", str(root)])
    assert result.exit_code == 0, result.stderr
    atom = (root / "output/atom.xml").read_text()
    assert "<title>no</title>" in atom
    assert '<summary type="text">2026</summary>' in atom
    assert '<category term="yes"/>' in atom and '<category term="1.0"/>' in atom


def test_debug_shows_traceback_for_user_errors(make_site: MakeSite) -> None:
    root = make_site({"b.yaml": "title: y\n"})
    result = CliRunner().invoke(cli, ["--debug", "build", "-C", str(root)])
    assert result.exit_code == 1
    assert result.exception is not None
