"""``feedpub check``: lint config, every entry and output/, write nothing.

The first half covers entries (warnings, drafts, future entries, --strict,
--format json); the second covers output/ files broken by hand or planted
by someone hostile: each problem must name file, line and field, and no
entity may be expanded or external file read while looking.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import REPO, MakeSite, snapshot

GOOD = "title: Good\ndate: 2026-01-01\nlink: /good/\nsummary: Fine.\n"
PROBLEM_KEYS = {"path", "line", "field", "severity", "message", "hint"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check_json(root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("check", "-C", str(root), "--format", "json", *extra)
    assert err == ""
    report: dict[str, Any] = json.loads(out)
    return code, report


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``root`` (folders map to None)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


# -- entries ------------------------------------------------------------------------


def test_the_repository_site_is_clean() -> None:
    before = snapshot(REPO / "output")
    code, out, err = run("check", "-C", str(REPO))
    assert (code, out, err) == (0, "0 error(s), 0 warning(s)\n", "")
    code, report = check_json(REPO, "--strict")
    assert (code, report) == (0, {"errors": 0, "warnings": 0, "problems": []})
    assert snapshot(REPO / "output") == before


WARNED = {
    "html-title.yaml": "title: Use <details> today\ndate: 2026-01-01\nlink: /a/\nsummary: s\n",
    "no-alt.yaml": GOOD + "image: {url: https://example.org/i.png}\n",
    "no-link.yaml": "title: C\ndate: 2026-01-01\nsummary: s\n",
    "no-summary.yaml": "title: D\ndate: 2026-01-01\nlink: /d/\ncontent: Body.\n",
    "relative.yaml": GOOD + "content: '![x](img.png) [y](../other/)'\n",
}
WARNINGS = [
    "entries/html-title.yaml:1: warning: title: looks like it holds HTML (RSS readers may drop "
    "the tag-like part; write &lt; as words or avoid <...>)",
    "entries/no-alt.yaml:5: warning: image.alt: is missing "
    "(describe the image for people using screen readers)",
    "entries/no-link.yaml:1: warning: link: is missing (readers cannot open the entry on the web)",
    "entries/no-summary.yaml:1: warning: summary: is missing "
    "(readers show the summary in lists; without it they cut the content)",
    "entries/relative.yaml:5: warning: content: has relative URLs (img.png, ../other/) "
    "(they resolve against https://example.org/good/; check they still work)",
]


def test_each_lint_is_one_warning_line(make_site: MakeSite) -> None:
    root = make_site(WARNED)
    code, out, err = run("check", "-C", str(root))
    assert code == 0
    assert err.splitlines() == WARNINGS
    assert out == "0 error(s), 5 warning(s)\n"


def test_a_build_prints_each_warning_where_it_happens(make_site: MakeSite) -> None:
    root = make_site(WARNED)
    code, out, err = run("build", "-C", str(root))
    assert code == 0
    assert err.splitlines() == [
        "entries/html-title.yaml:1: warning: title: looks like it holds HTML (RSS readers may"
        " drop the tag-like part; write &lt; as words or avoid <...>)",
        "entries/no-alt.yaml:5: warning: image.alt: is missing (describe the image for people"
        " using screen readers)",
        "entries/no-link.yaml:1: warning: link: is missing (readers cannot open the entry on"
        " the web)",
        "entries/no-summary.yaml:1: warning: summary: is missing (readers show the summary in"
        " lists; without it they cut the content)",
        "entries/relative.yaml:5: warning: content: has relative URLs (img.png, ../other/)"
        " (they resolve against https://example.org/good/; check they still work)",
    ]
    assert " for 5 entries in " in out
    (root / "entries/extra.yaml").write_text(GOOD)  # build again: -q silences warnings
    assert run("-q", "build", "-C", str(root))[1:] == ("", "")


def test_a_build_prints_twenty_warnings_then_counts_the_rest(make_site: MakeSite) -> None:
    root = make_site({f"e{n:02d}.yaml": WARNED["no-link.yaml"] for n in range(25)})
    code, _, err = run("build", "-C", str(root))
    lines = err.splitlines()
    assert code == 0 and len(lines) == 21
    assert lines[0] == (
        "entries/e00.yaml:1: warning: link: is missing (readers cannot open the entry on the web)"
    )
    assert lines[-1] == "and 5 more (feedpub check lists them all)"
    assert len(run("-v", "build", "-C", str(root))[2].splitlines()) == 25


def test_strict_fails_on_warnings_only(make_site: MakeSite) -> None:
    root = make_site(WARNED)
    assert run("check", "-C", str(root), "--strict")[0] == 1
    for name in WARNED:
        (root / "entries" / name).unlink()
    (root / "entries/good.yaml").write_text(GOOD)
    assert run("check", "-C", str(root), "--strict") == (0, "0 error(s), 0 warning(s)\n", "")


def test_drafts_and_future_entries_are_checked_too(make_site: MakeSite) -> None:
    root = make_site(
        {
            "good.yaml": GOOD,
            "draft.yaml": "title: D\ndraft: true\nsummary: s\ndate: 2026-02-30\n",
            "future.yaml": "title: F\ndate: 2099-01-01\nlink: /f/\nsummary: s\nsummery: t\n",
            "draft-ok.yaml": "title: W\ndate: 2026-01-02\nsummary: s\ndraft: true\n",
        }
    )
    code, out, err = run("check", "-C", str(root))
    assert code == 1
    assert err.splitlines() == [
        # a draft that builds still gets its warnings
        "entries/draft-ok.yaml:1: warning: link: is missing "
        "(readers cannot open the entry on the web)",
        'entries/draft.yaml:4: error: date: "2026-02-30" is not a valid date (write '
        "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset such as +02:00 or "
        "+0200)",
        "entries/future.yaml:5: error: summery: unknown key (did you mean 'summary'?)",
    ]
    assert out == "2 error(s), 1 warning(s)\n"


def test_json_report_has_counts_and_every_field(make_site: MakeSite) -> None:
    root = make_site(
        {**WARNED, "bad.yaml": "title: x\ndate: 2026-01-01\nsummary: s\nlang: 42 x\nlink: /x/\n"}
    )
    code, report = check_json(root)
    assert code == 1
    assert (report["errors"], report["warnings"]) == (1, 5)
    assert len(report["problems"]) == 6
    for problem in report["problems"]:
        assert set(problem) == PROBLEM_KEYS
        assert problem["severity"] in ("error", "warning")
        assert problem["path"].startswith("entries/")
        assert isinstance(problem["line"], int)
    assert report["problems"][0] == {
        "path": "entries/bad.yaml",
        "line": 4,
        "field": "lang",
        "severity": "error",
        "message": '"42 x" is not a language tag',
        "hint": "write e.g. fr or en-GB",
    }
    assert run("check", "-C", str(root), "--format", "json", "--strict")[0] == 1


def test_json_keeps_raw_text_where_lines_escape_it(make_site: MakeSite) -> None:
    root = make_site({"good.yaml": GOOD, "bad.yaml": '"k\\ny": 1\n' + GOOD})
    err = run("check", "-C", str(root))[2]
    assert "entries/bad.yaml:1: error: k\\ny: unknown key" in err
    _, report = check_json(root)
    assert report["problems"][0]["field"] == "k\ny"


@pytest.mark.parametrize("with_output", [False, True], ids=["no-output", "built"])
def test_check_writes_nothing(make_site: MakeSite, with_output: bool) -> None:
    root = make_site({**WARNED, "bad.yaml": "title: [\n"})
    if with_output:
        (root / "entries/bad.yaml").unlink()
        assert run("build", "-C", str(root))[0] == 0
        (root / "entries/bad.yaml").write_text("title: [\n")
    before = tree(root)
    for extra in ([], ["--strict"], ["--format", "json"]):
        run("check", "-C", str(root), *extra)
    assert tree(root) == before


def test_config_errors_are_reported(make_site: MakeSite) -> None:
    root = make_site({"good.yaml": GOOD}, config="title: T\ndescription: D\nurl: nope\n")
    code, _, err = run("check", "-C", str(root))
    assert code == 1
    assert err.splitlines() == [
        'feedpub.yaml:3: error: url: "nope" must be an absolute URL (write https://host/path)'
    ]


# -- output/ structure ---------------------------------------------------------------

ATOM_OK = """\
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://example.org/</id>
  <title>T</title>
  <updated>2026-01-01T00:00:00Z</updated>
  <author><name>A</name></author>
  <link href="https://example.org/" rel="alternate"/>
  <entry>
    <id>tag:example.org,2026-01-01:a</id>
    <title>E</title>
    <updated>2026-01-01T00:00:00Z</updated>
    <published>2026-01-01T00:00:00+01:00</published>
    <link href="https://example.org/a/"/>
    <content type="html">&lt;p&gt;x&lt;/p&gt;</content>
  </entry>
</feed>
"""
RSS_OK = """\
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>T</title>
    <link>https://example.org/</link>
    <description>D</description>
    <lastBuildDate>Thu, 01 Jan 2026 00:00:00 +0000</lastBuildDate>
    <item>
      <title>E</title>
      <link>https://example.org/a/</link>
      <guid isPermaLink="false">tag:example.org,2026-01-01:a</guid>
      <pubDate>Thu, 01 Jan 2026 00:00:00 +0000</pubDate>
      <enclosure url="https://example.org/a.mp3" length="1" type="audio/mpeg"/>
    </item>
  </channel>
</rss>
"""
SECOND_ENTRY = """\
  <entry>
    <id>tag:example.org,2026-01-01:a</id>
    <title>Again</title>
    <updated>2026-01-02T00:00:00Z</updated>
    <link href="https://example.org/b/"/>
  </entry>
</feed>"""
SECOND_ITEM = """\
    <item>
      <title>Again</title>
      <guid isPermaLink="false">tag:example.org,2026-01-01:a</guid>
    </item>
  </channel>"""


def atom(old: str, new: str) -> tuple[str, str]:
    assert old in ATOM_OK
    return "atom.xml", ATOM_OK.replace(old, new, 1)


def rss(old: str, new: str) -> tuple[str, str]:
    assert old in RSS_OK
    return "rss.xml", RSS_OK.replace(old, new, 1)


# (case id, (file name, file text), (line, field, message))
OUTPUT_CASES: list[tuple[str, tuple[str, str], tuple[int, str | None, str]]] = [
    (
        "atom-missing-feed-id",
        atom("  <id>https://example.org/</id>\n", ""),
        (2, "feed.id", "must appear once, found 0"),
    ),
    (
        "atom-missing-feed-title",
        atom("  <title>T</title>\n", ""),
        (2, "feed.title", "must appear once, found 0"),
    ),
    (
        "atom-missing-entry-id",
        atom("    <id>tag:example.org,2026-01-01:a</id>\n", ""),
        (8, "entry.id", "must appear once, found 0"),
    ),
    (
        "atom-missing-entry-title",
        atom("    <title>E</title>\n", ""),
        (8, "entry.title", "must appear once, found 0"),
    ),
    (
        "atom-missing-entry-updated",
        atom("    <updated>2026-01-01T00:00:00Z</updated>\n", ""),
        (8, "entry.updated", "must appear once, found 0"),
    ),
    (
        "atom-two-titles",
        atom("    <title>E</title>\n", "    <title>E</title>\n    <title>F</title>\n"),
        (8, "entry.title", "must appear once, found 2"),
    ),
    (
        "atom-bad-feed-updated",
        atom("<updated>2026-01-01T00:00:00Z</updated>", "<updated>2026-01-01 00:00</updated>"),
        (2, "feed.updated", '"2026-01-01 00:00" is not an RFC 3339 date'),
    ),
    (
        "atom-bad-published",
        atom("2026-01-01T00:00:00+01:00", "Thu, 01 Jan 2026 00:00:00 +0100"),
        (12, "entry.published", '"Thu, 01 Jan 2026 00:00:00 +0100" is not an RFC 3339 date'),
    ),
    (
        "atom-date-without-offset",
        atom("2026-01-01T00:00:00+01:00", "2026-01-01T00:00:00"),
        (12, "entry.published", '"2026-01-01T00:00:00" is not an RFC 3339 date'),
    ),
    (
        "atom-relative-entry-link",
        atom('href="https://example.org/a/"', 'href="/a/"'),
        (13, "entry.link", 'href "/a/" is not an absolute URL'),
    ),
    (
        "atom-relative-feed-link",
        atom('href="https://example.org/" rel', 'href="../" rel'),
        (7, "feed.link", 'href "../" is not an absolute URL'),
    ),
    (
        "atom-broken-ipv6-link",
        atom('href="https://example.org/a/"', 'href="http://[x/"'),
        (13, "entry.link", 'href "http://[x/" is not an absolute URL'),
    ),
    (
        "atom-relative-id",
        atom("<id>tag:example.org,2026-01-01:a</id>", "<id>a</id>"),
        (8, "entry.id", '"a" is not an absolute URI'),
    ),
    (
        "atom-duplicate-id",
        atom("</feed>", SECOND_ENTRY),
        (16, "entry.id", '"tag:example.org,2026-01-01:a" repeats the entry on line 8'),
    ),
    (
        "atom-no-author",
        atom("  <author><name>A</name></author>\n", ""),
        (7, "entry.author", "missing (and the feed has no author)"),
    ),
    (
        "atom-no-content-no-link",
        atom(
            '    <link href="https://example.org/a/"/>\n'
            '    <content type="html">&lt;p&gt;x&lt;/p&gt;</content>\n',
            "",
        ),
        (8, "entry.content", "missing, and no alternate link either"),
    ),
    ("rss-version", rss('version="2.0"', 'version="0.91"'), (2, "rss.version", 'must be "2.0"')),
    ("rss-no-channel-title", rss("    <title>T</title>\n", ""), (3, "channel.title", "missing")),
    (
        "rss-relative-channel-link",
        rss("<link>https://example.org/</link>", "<link>/</link>"),
        (3, "channel.link", "is not an absolute URL"),
    ),
    (
        "rss-bad-last-build-date",
        rss("Thu, 01 Jan 2026 00:00:00 +0000</last", "2026-01-01T00:00:00Z</last"),
        (7, "channel.lastBuildDate", '"2026-01-01T00:00:00Z" is not an RFC 822 date'),
    ),
    (
        "rss-bad-pub-date",
        rss("Thu, 01 Jan 2026 00:00:00 +0000</pub", "Thursday</pub"),
        (12, "item.pubDate", '"Thursday" is not an RFC 822 date'),
    ),
    (
        "rss-pub-date-without-zone",
        rss("Thu, 01 Jan 2026 00:00:00 +0000</pub", "Thu, 01 Jan 2026 00:00:00</pub"),
        (12, "item.pubDate", '"Thu, 01 Jan 2026 00:00:00" is not an RFC 822 date'),
    ),
    (
        "rss-relative-item-link",
        rss("<link>https://example.org/a/</link>", "<link>/a/</link>"),
        (10, "item.link", '"/a/" is not an absolute URL'),
    ),
    (
        "rss-duplicate-guid",
        rss("  </channel>", SECOND_ITEM),
        (17, "item.guid", '"tag:example.org,2026-01-01:a" repeats the item on line 11'),
    ),
    (
        "rss-permalink-guid-not-url",
        rss(' isPermaLink="false">tag:', ">tag:"),
        (11, "item.guid", "isPermaLink is true but the guid is not a URL"),
    ),
    (
        "rss-permalink-guid-word",
        rss(
            '<guid isPermaLink="false">tag:example.org,2026-01-01:a', '<guid isPermaLink="true">a1'
        ),
        (11, "item.guid", "isPermaLink is true but the guid is not a URL"),
    ),
    (
        "rss-enclosure-without-length",
        rss(' length="1"', ""),
        (13, "item.enclosure.length", "missing"),
    ),
    (
        "rss-enclosure-without-type",
        rss(' type="audio/mpeg"', ""),
        (13, "item.enclosure.type", "missing"),
    ),
    (
        "rss-item-without-title-or-description",
        rss("      <title>E</title>\n", ""),
        (8, "item", "needs a title or a description"),
    ),
    (
        "not-xml",
        ("rss.xml", "This is not XML.\n"),
        (1, None, "not well-formed XML: Start tag expected, '<' not found"),
    ),
    (
        "truncated-xml",
        ("atom.xml", ATOM_OK[: ATOM_OK.index("  </entry>")]),
        (15, None, "not well-formed XML: Premature end of data"),
    ),
    ("empty-output-file", ("atom.xml", ""), (1, None, "not well-formed XML: Document is empty")),
    (
        "mismatched-tags",
        ("rss.xml", '<rss version="2.0">\n<channel>\n<title>T</title>\n</rss>\n'),
        (4, None, "not well-formed XML: Opening and ending tag mismatch: channel line 2 and rss"),
    ),
    (
        "not-a-feed",
        ("atom.xml", "<?xml version='1.0'?>\n<html><body/></html>\n"),
        (2, None, "<html> is not an Atom or RSS root"),
    ),
]


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    root = make_site({"good.yaml": GOOD})
    (root / "output").mkdir()
    (root / "output/atom.xml").write_text(ATOM_OK)
    (root / "output/rss.xml").write_text(RSS_OK)
    return root


def test_hand_written_templates_are_clean(site: Path) -> None:
    """Each case below breaks one thing in these; they must start clean."""
    assert run("check", "-C", str(site), "--strict") == (0, "0 error(s), 0 warning(s)\n", "")


@pytest.mark.parametrize(
    ("file", "expected"), [c[1:] for c in OUTPUT_CASES], ids=[c[0] for c in OUTPUT_CASES]
)
def test_broken_output_is_reported_with_file_line_and_field(
    site: Path, file: tuple[str, str], expected: tuple[int, str | None, str]
) -> None:
    name, text = file
    (site / "output" / name).write_text(text)
    before = tree(site)
    code, report = check_json(site)
    assert code == 1
    found = [(p["line"], p["field"], p["message"]) for p in report["problems"]]
    line, field, message = expected
    assert any(
        (got_line, got_field) == (line, field) and got_message.startswith(message)
        for got_line, got_field, got_message in found
    ), found
    assert all(p["path"] == f"output/{name}" for p in report["problems"]), report
    # The same problem as a text line: path:line: error: field: message
    _, _, err = run("check", "-C", str(site))
    where = f"output/{name}:{line}: error: " + (f"{field}: " if field else "")
    assert any(text_line.startswith(where + message) for text_line in err.splitlines()), err
    assert tree(site) == before


# -- hostile output files -----------------------------------------------------------

LAUGHS = "".join(f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
BILLION_LAUGHS = f"""\
<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY lol0 "lol">
{LAUGHS}]>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://example.org/</id><title>&lol9;</title><updated>2026-01-01T00:00:00Z</updated>
</feed>
"""
QUADRATIC_BLOWUP = (
    '<?xml version="1.0"?>\n'
    f'<!DOCTYPE feed [<!ENTITY big "{"A" * 50_000}">]>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>' + "&big;" * 20_000 + "</title></feed>\n"
)
SECRET = "feedpub-secret-3f9a1c"


def external_entity(url: str, root: str = "rss") -> str:
    body = (
        '<rss version="2.0"><channel><title>&xxe;</title><link>https://example.org/</link>'
        "<description>&xxe;</description></channel></rss>"
        if root == "rss"
        else '<feed xmlns="http://www.w3.org/2005/Atom"><id>https://example.org/</id>'
        "<title>&xxe;</title><updated>2026-01-01T00:00:00Z</updated></feed>"
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n  <!ENTITY xxe SYSTEM "{url}">\n]>\n{body}\n'
    )


def hostile_files(tmp_path: Path) -> dict[str, tuple[str, str]]:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    return {
        "billion-laughs": ("atom.xml", BILLION_LAUGHS),
        "quadratic-blowup": ("atom.xml", QUADRATIC_BLOWUP),
        "external-entity-passwd": ("rss.xml", external_entity("file:///etc/passwd")),
        "external-entity-secret": ("rss.xml", external_entity(secret.as_uri())),
        "external-entity-atom": ("atom.xml", external_entity(secret.as_uri(), "feed")),
        "parameter-entity": (
            "rss.xml",
            f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n  <!ENTITY % p SYSTEM "{secret.as_uri()}">\n'
            '  %p;\n]>\n<rss version="2.0"/>\n',
        ),
        "external-dtd-network": (
            "rss.xml",
            '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
            '<rss version="2.0"><channel><title>T</title></channel></rss>\n',
        ),
        "xinclude": (
            "rss.xml",
            '<?xml version="1.0"?>\n<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude">'
            f'<channel><title><xi:include href="{secret.as_uri()}" parse="text"/></title>'
            "<link>https://example.org/</link><description>d</description></channel></rss>\n",
        ),
    }


HOSTILE = [
    "billion-laughs",
    "quadratic-blowup",
    "external-entity-passwd",
    "external-entity-secret",
    "external-entity-atom",
    "parameter-entity",
    "external-dtd-network",
    "xinclude",
]


def _passwd_markers() -> list[str]:
    try:
        lines = Path("/etc/passwd").read_text().splitlines()
    except OSError:
        return []
    return [line for line in lines[:3] if line.strip()]


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_output_is_neither_expanded_nor_read(site: Path, tmp_path: Path, case: str) -> None:
    name, text = hostile_files(tmp_path)[case]
    (site / "output" / name).write_text(text)
    started = time.monotonic()
    code, out, err = run("check", "-C", str(site))
    _, report = check_json(site)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"check took {elapsed:.1f} s"
    shown = out + err + json.dumps(report)
    assert len(shown) < 20_000  # nothing was expanded into the report
    assert "lollollol" not in shown and "A" * 100 not in shown
    assert SECRET not in shown
    for marker in _passwd_markers():
        assert marker not in shown
    if case == "xinclude":
        return  # XInclude is only processed on request; the file is plain RSS
    assert code == 1
    problems = [p for p in report["problems"] if p["path"] == f"output/{name}"]
    assert problems, report
    assert all(isinstance(p["line"], int) for p in problems), problems
    # Reported either as a declaration we refuse or as XML libxml2 refuses.
    assert any(
        p["field"] == "DOCTYPE" or p["message"].startswith("not well-formed XML") for p in problems
    ), problems


def test_external_entity_is_reported_at_its_doctype(site: Path, tmp_path: Path) -> None:
    (site / "output/rss.xml").write_text(external_entity("file:///etc/passwd"))
    _, _, err = run("check", "-C", str(site))
    assert (
        "output/rss.xml:2: error: DOCTYPE: declares entities (xxe) (remove the DOCTYPE: feeds "
        "need none, and readers that expand it can be attacked)"
    ) in err.splitlines()


def test_bare_doctype_is_accepted(site: Path) -> None:
    (site / "output/rss.xml").write_text(RSS_OK.replace("<rss", "<!DOCTYPE rss>\n<rss", 1))
    assert check_json(site)[1]["problems"] == []
