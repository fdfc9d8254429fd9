"""What real blogs write and publish: every message compared as the full printed line."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.etree
import pytest
from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import BASIC_CONFIG, MakeSite
from .test_parse_back import visible
from .test_schema import errors as schema_errors

NO_AUTHOR = "title: T\ndescription: D\nurl: https://example.org/\n"
GOOD = "title: Good\ndate: 2026-01-01\nlink: /good/\nsummary: Fine.\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def errors(root: Path, command: str = "build") -> list[str]:
    """The error lines a build (or check) prints, in order."""
    return [line for line in run(command, "-C", str(root))[2].splitlines() if ": error: " in line]


# -- authors: Atom needs one on every entry -------------------------------------------


def test_each_entry_without_an_author_is_refused_when_the_site_has_none(
    make_site: MakeSite,
) -> None:
    root = make_site(
        {"a.yaml": GOOD, "b.yaml": GOOD + "author: Ana\n", "c.yaml": "# note\n" + GOOD},
        config=NO_AUTHOR,
    )
    expected = [
        f"entries/{name}: error: author: no author for this entry (Atom needs one: add "
        "'author: Your Name' to feedpub.yaml, or to the entry)"
        for name in ("a.yaml:1", "c.yaml:2")
    ]
    assert errors(root) == expected
    assert errors(root, "check") == expected
    assert not (root / "output").exists()


def test_a_site_author_or_no_atom_needs_no_entry_author(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD}, config=NO_AUTHOR + "author: Site\n")
    assert run("build", "-C", str(root))[0] == 0
    root = make_site({"a.yaml": GOOD}, config=NO_AUTHOR + "formats: [rss, json]\n")
    assert run("build", "-C", str(root))[0] == 0


# -- dates as Jekyll, Hugo and people write them ----------------------------------------

DATES = {
    "2026-03-01": "2026-03-01T00:00:00+01:00",
    "2026-03-01 09:30": "2026-03-01T09:30:00+01:00",
    "2026-03-01T09:30:15": "2026-03-01T09:30:15+01:00",
    "2026-03-01 09:30:15.123456": "2026-03-01T09:30:15+01:00",
    "2026-03-01T09:30:15.5Z": "2026-03-01T09:30:15Z",
    "2026-03-01 09:30z": "2026-03-01T09:30:00Z",
    "2026-03-01T09:30:15+02:00": "2026-03-01T09:30:15+02:00",
    "2026-03-01T09:30:15-0530": "2026-03-01T09:30:15-05:30",
    "2013-05-06 02:12:52 +0200": "2013-05-06T02:12:52+02:00",
    "2013-05-06 02:12 -07:00": "2013-05-06T02:12:00-07:00",
    "2013-05-06 02:12:52 Z": "2013-05-06T02:12:52Z",
}
PARIS = NO_AUTHOR + "author: A\ntimezone: Europe/Paris\n"


@pytest.mark.parametrize(("written", "published"), DATES.items(), ids=DATES.keys())
def test_dates_people_write_are_read(make_site: MakeSite, written: str, published: str) -> None:
    entry = f"title: T\ndate: {written}\nlink: /t/\nsummary: s\n"
    assert schema_errors("entry", entry) == []
    root = make_site({"a.yaml": entry}, config=PARIS)
    code, _, err = run("build", "-C", str(root))
    assert (code, err) == (0, "")
    published = published.replace("Z", "+00:00")
    assert f"<published>{published}</published>" in (root / "output/atom.xml").read_text()


NOT_DATES = {
    "May 6, 2013": "is not a date",
    "2013-05-06T02:12:52+02": "is not a date",
    "2013-05-06 +0200": "is not a date",
    "2013-05-06  02:12": "is not a date",
    "06/05/2013": "is not a date",
    "2013-05-06 02:12:52 +2500": "is not a valid date",
    "2013-02-29 02:12": "is not a valid date",
}


@pytest.mark.parametrize(("written", "verdict"), NOT_DATES.items(), ids=NOT_DATES.keys())
def test_other_dates_list_the_accepted_forms(
    make_site: MakeSite, written: str, verdict: str
) -> None:
    entry = f"title: T\nlink: /t/\nsummary: s\ndate: '{written}'\n"
    assert schema_errors("entry", entry) != []
    root = make_site({"a.yaml": entry}, config=PARIS)
    assert errors(root) == [
        f'entries/a.yaml:4: error: date: "{written}" {verdict} (write YYYY-MM-DD, '
        "YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset such as +02:00 or +0200)"
    ]


def test_new_takes_the_same_dates(make_site: MakeSite) -> None:
    root = make_site({}, config=PARIS)
    code, out, _ = run("new", "-C", str(root), "Old", "--date", "2013-05-06 02:12:52 +0200")
    assert code == 0
    assert Path(out.strip()).read_text().splitlines()[1] == "date: 2013-05-06T02:12:52+02:00"


# -- link-only entries (bookmarks) -------------------------------------------------------

LINK_ONLY = "title: 'Tom & \"Jerry\" <3'\ndate: 2026-01-01\nlink: 'https://example.net/a?x=1&y=2'\n"


def test_a_link_only_entry_is_a_valid_item_in_every_format(make_site: MakeSite) -> None:
    import feedparser
    import jsonschema

    root = make_site({"a.yaml": LINK_ONLY})
    code, _, err = run("build", "-C", str(root))
    assert code == 0
    assert err == (
        "entries/a.yaml:1: warning: summary: is missing (readers show the summary in lists; "
        "without it they cut the content)\n"
    )
    out = root / "output"
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((out / name).read_bytes())
        assert not feed.bozo, name
        (item,) = feed.entries
        title = visible(item.title_detail)  # feedparser gives RSS titles as HTML
        assert (title, item.link) == ('Tom & "Jerry" <3', "https://example.net/a?x=1&y=2")
    document = json.loads((out / "feed.json").read_text())
    spec = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())
    assert list(jsonschema.Draft202012Validator(spec).iter_errors(document)) == []
    (item,) = document["items"]
    assert item["content_html"] == (
        '<p><a href="https://example.net/a?x=1&amp;y=2">Tom &amp; &quot;Jerry&quot; &lt;3</a></p>'
    )
    assert "content_text" not in item and "summary" not in item
    # RSS 2.0: an item needs a title or a description; this one has its title.
    rss = lxml.etree.fromstring((out / "rss.xml").read_bytes())
    assert rss.xpath("channel/item/title/text()") == ['Tom & "Jerry" <3']
    assert rss.xpath("channel/item/description") == []
    assert run("check", "-C", str(root))[1] == "0 error(s), 1 warning(s)\n"


# -- keys other tools use ------------------------------------------------------------------

RENAMED = {
    "categories": "feedpub calls it 'tags': tags: [a, b]",
    "excerpt": "feedpub calls it 'summary': summary: One or two sentences.",
    "description": "feedpub calls it 'summary': summary: One or two sentences.",
    "lastmod": "feedpub calls it 'updated': updated: 2026-02-27",
    "permalink": "feedpub calls it 'link': link: /posts/my-post/",
    "canonical": "feedpub calls it 'link': link: https://example.org/posts/my-post/",
    "url": "feedpub calls it 'link': link: /posts/my-post/",
}


@pytest.mark.parametrize(("key", "hint"), RENAMED.items(), ids=RENAMED.keys())
def test_keys_of_other_tools_name_feedpubs_key(make_site: MakeSite, key: str, hint: str) -> None:
    root = make_site({"x.yaml": f"title: T\ndate: 2026-01-01\nsummary: s\n{key}: x\n"})
    assert errors(root) == [f"entries/x.yaml:4: error: {key}: unknown key ({hint})"]


def test_an_image_can_be_just_its_url(make_site: MakeSite) -> None:
    entry = GOOD + "image: /img/a.png\n"
    assert schema_errors("entry", entry) == []
    root = make_site({"x.yaml": entry})
    code, _, err = run("build", "-C", str(root))
    assert code == 0
    assert err.splitlines() == [
        "entries/x.yaml:5: warning: image.alt: is missing "
        "(describe the image for people using screen readers)"
    ]
    document = json.loads((root / "output/feed.json").read_text())
    item = document["items"][0]
    assert item["image"] == "https://example.org/img/a.png"
    assert (
        item["content_html"] == '<figure><img src="https://example.org/img/a.png" alt=""></figure>'
    )
    root = make_site({"x.yaml": GOOD + "image: 'javascript:x'\n"})
    assert errors(root) == [
        'entries/x.yaml:5: error: image: "javascript:x" uses a "javascript:" URL '
        "(only http:, https: URLs are allowed)"
    ]


# -- tags: a, b --------------------------------------------------------------------------


def test_a_plain_tag_with_a_comma_shows_the_list_form(make_site: MakeSite) -> None:
    root = make_site({"x.yaml": "title: T\ndate: 2026-01-01\nlink: /t/\nsummary: s\n"
                      "tags: podcast, rss\n"})  # fmt: skip
    assert errors(root) == [
        'entries/x.yaml:5: error: tags: "podcast, rss" is one tag with a comma '
        "(write a list: tags: [podcast, rss])"
    ]
    root = make_site({"x.yaml": GOOD + "tags: a, [b], ,c d\n"})
    assert errors(root) == [
        'entries/x.yaml:5: error: tags: "a, [b], ,c d" is one tag with a comma '
        "(write a list: tags: [a, '[b]', c d])"
    ]


def test_a_quoted_tag_with_a_comma_is_meant(make_site: MakeSite) -> None:
    root = make_site({"x.yaml": GOOD + 'tags: "Paris, France"\n', "y.yaml": GOOD.replace(
        "/good/", "/y/") + "tags: [rss, 'a, b']\n"})  # fmt: skip
    code, _, err = run("build", "-C", str(root))
    assert (code, err) == (0, "")
    atom = (root / "output/atom.xml").read_text()
    assert '<category term="Paris, France"/>' in atom
    assert '<category term="a, b"/>' in atom


# -- duplicate ids ---------------------------------------------------------------------------

UUID = "urn:uuid:0e4b4b6c-8a5c-4bb1-9a9b-3c1f1b2f7a10"


def test_a_copied_id_is_blamed_on_the_later_file(make_site: MakeSite) -> None:
    with_id = f"title: T\nid: {UUID}\ndate: 2026-01-01\nsummary: s\n"
    root = make_site({"b.yaml": with_id, "a.yaml": with_id})
    expected = [
        f'entries/b.yaml:2: error: id: "{UUID}" is also the id of entries/a.yaml (is this file '
        "a copy? give it a new 'id:', such as the one 'feedpub new' writes, or delete the "
        "'id:' line to get one from the file name)"
    ]
    assert errors(root) == expected
    assert errors(root, "check") == expected


def test_a_derived_id_says_to_rename_the_file(make_site: MakeSite) -> None:
    entry = "title: T\ndate: 2026-01-01\nsummary: s\n"
    root = make_site({"2026/x.yaml": entry, "2025/x.yaml": entry})
    assert errors(root) == [
        'entries/2026/x.yaml:1: error: id: "tag:example.org,2026-01-01:x" is also the id of '
        "entries/2025/x.yaml (this file's id comes from its date and file name: rename the "
        "file, or add an 'id:' line such as the one 'feedpub new' writes)"
    ]


# -- leftovers of other tools ------------------------------------------------------------------

TEMPLATED = {
    "a.yaml": GOOD
    + "content: |\n  Hello\n\n  ```liquid\n  {% raw %}\n  ```\n\n"
    + "  See `{{ x }}` and {{< youtube abc >}} then {{ site.url }}.\n",
    "b.yaml": GOOD + 'content: "{% include note.html %}"\n',
    "c.yaml": GOOD + "format: html\ncontent: |\n  <pre>{{ x }}</pre>\n  <p>{{% note %}}</p>\n",
    "d.yaml": GOOD + "format: html\ncontent: <code>{{ x }}</code>{ {not} }\n",
    "e.yaml": GOOD + "content: 'Price: {{ page.price | money_with_currency_and_some_more }}'\n",
}
TEMPLATE_WARNINGS = [
    "entries/a.yaml:12: warning: content: holds a Hugo shortcode from another tool, "
    "{{< youtube abc >}} (and 1 more), which feeds show as text "
    "(write what it stood for in Markdown or HTML)",
    "entries/b.yaml:5: warning: content: holds a Liquid tag from another tool, "
    "{% include note.html %}, which feeds show as text "
    "(write what it stood for in Markdown or HTML)",
    "entries/c.yaml:8: warning: content: holds a Hugo shortcode from another tool, "
    "{{% note %}}, which feeds show as text (write what it stood for in Markdown or HTML)",
    "entries/e.yaml:5: warning: content: holds a template expression from another tool, "
    "{{ page.price | money_with_currenc... }}, which feeds show as text "
    "(write what it stood for in Markdown or HTML)",
]


def test_template_syntax_in_bodies_is_a_warning(make_site: MakeSite) -> None:
    root = make_site(TEMPLATED)
    code, out, err = run("check", "-C", str(root))
    assert (code, out) == (0, "0 error(s), 4 warning(s)\n")
    assert err.splitlines() == TEMPLATE_WARNINGS
    code, _, err = run("build", "-C", str(root))
    assert code == 0 and err.splitlines() == TEMPLATE_WARNINGS


# -- feeds too big to read --------------------------------------------------------------------


def test_check_warns_about_feeds_over_5_mb(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD})
    assert run("build", "-C", str(root))[0] == 0
    atom = root / "output/atom.xml"
    data = atom.read_bytes()
    atom.write_bytes(data + b"\n" * (6_200_000 - len(data)))  # still well-formed
    rss = root / "output/rss.xml"
    data = rss.read_bytes()
    rss.write_bytes(data + b"\n" * (5_000_000 - len(data)))  # 5 MB is fine
    code, out, err = run("check", "-C", str(root))
    assert (code, out) == (0, "0 error(s), 1 warning(s)\n")
    assert err == (
        "output/atom.xml: warning: is 6.2 MB; many readers and the W3C validator stop at 5 MB "
        "(set 'archive: true' or a lower 'limit')\n"
    )
    (root / "feedpub.yaml").write_text(BASIC_CONFIG + "archive: true\n")
    assert run("check", "-C", str(root))[2] == (
        "output/atom.xml: warning: is 6.2 MB; many readers and the W3C validator stop at 5 MB "
        "(set a lower 'limit')\n"
    )


def test_a_bad_format_is_reported_once_next_to_template_syntax(make_site: MakeSite) -> None:
    root = make_site({"x.yaml": GOOD + "format: [a]\ncontent: '{% x %}'\n"})
    assert errors(root, "check") == ["entries/x.yaml:5: error: format: must be text, not a list"]
