"""JSON Feed 1.1: what json.loads and a JSON Feed reader get back, field by field.

feedparser 6.0 reads only XML feeds, so the third-party reader here is
feedparser-rs (same API, reads JSON Feed 1.0 and 1.1).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser_rs
import jsonschema
import pytest
from hypothesis import strategies as st

from feedpub import InputError, build
from feedpub.builder.pipeline import render_site
from feedpub.review.check import check_site, diff_site
from feedpub.review.outputcheck import check_file

from .conftest import BASIC_CONFIG, NOW, REPO, MakeSite
from .test_parse_back import arbitrary_text, site_settings, text_entry, text_of, utc

SPEC_SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())

RICH_ENTRY = """\
title: "R&D: 3 < 4 \\"feeds\\""
date: 2026-03-01T09:30:00+01:00
updated: 2026-03-02T10:00:00Z
link: /posts/rd/
author:
  - {name: Zoë Writer, email: zoe@example.org}
  - {name: Bob, email: bob@example.org, url: "https://bob.example/"}
summary: "Plain text: a < b & c."
content: |
  Some *emphasis* and a [relative link](../other/).
tags: [python, "feeds & xml"]
image: {url: /img/rd.png, alt: A chart}
source: {title: Elsewhere, url: "https://elsewhere.example/story"}
lang: de
enclosures:
  - {url: /media/ep1.mp3, type: audio/mpeg, length: 12345}
  - {url: /media/ep1.ogg, type: audio/ogg, length: 0}
"""
NOTE_ENTRY = "title: Note\ndate: 2026-01-01\nsummary: Just a note.\n"
RICH_CONFIG = BASIC_CONFIG + "icon: /icon.png\nlogo: /logo.png\n"


def json_feed(root: Path) -> tuple[bytes, dict[str, Any]]:
    _, files = render_site(root, now=NOW)
    return files["feed.json"], json.loads(files["feed.json"])


def test_every_field_comes_back(make_site: MakeSite) -> None:
    root = make_site(
        {"2026-03-01-rd.yaml": RICH_ENTRY, "2026-01-01-note.yaml": NOTE_ENTRY}, config=RICH_CONFIG
    )
    _, feed = json_feed(root)
    rich, note = feed.pop("items")
    assert feed == {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Test site",
        "home_page_url": "https://example.org/",
        "feed_url": "https://example.org/feed.json",
        "description": "A site for tests",
        "icon": "https://example.org/icon.png",
        "favicon": "https://example.org/icon.png",
        "authors": [{"name": "Site Author"}],
        "language": "en",
    }
    assert rich == {
        "id": "tag:example.org,2026-03-01:rd",
        "url": "https://example.org/posts/rd/",
        "external_url": "https://elsewhere.example/story",
        "title": 'R&D: 3 < 4 "feeds"',
        "content_html": '<figure><img src="https://example.org/img/rd.png" alt="A chart">'
        "</figure>\n<p>Some <em>emphasis</em> and a "
        '<a href="https://example.org/posts/other/">relative link</a>.</p>',
        "summary": "Plain text: a < b & c.",
        "image": "https://example.org/img/rd.png",
        "date_published": "2026-03-01T09:30:00+01:00",
        "date_modified": "2026-03-02T10:00:00+00:00",
        "authors": [
            {"name": "Zoë Writer", "url": "mailto:zoe@example.org"},
            {"name": "Bob", "url": "https://bob.example/"},
        ],
        "tags": ["python", "feeds & xml"],
        "language": "de",
        "attachments": [
            {
                "url": "https://example.org/media/ep1.mp3",
                "mime_type": "audio/mpeg",
                "size_in_bytes": 12345,
            },
            {"url": "https://example.org/media/ep1.ogg", "mime_type": "audio/ogg"},
        ],
    }
    # No link, no content: the summary is the content; the site author is named.
    assert note == {
        "id": "tag:example.org,2026-01-01:note",
        "title": "Note",
        "content_text": "Just a note.",
        "summary": "Just a note.",
        "date_published": "2026-01-01T00:00:00+00:00",
        "date_modified": "2026-01-01T00:00:00+00:00",
        "authors": [{"name": "Site Author"}],
    }


def test_dates_are_the_atom_dates(make_site: MakeSite) -> None:
    root = make_site({"2026-03-01-rd.yaml": RICH_ENTRY})
    _, files = render_site(root, now=NOW)
    (item,) = json.loads(files["feed.json"])["items"]
    atom = files["atom.xml"].decode()
    assert f"<published>{item['date_published']}</published>" in atom
    assert f"<updated>{item['date_modified']}</updated>" in atom


def test_a_json_feed_reader_reads_every_field(make_site: MakeSite) -> None:
    root = make_site(
        {"2026-03-01-rd.yaml": RICH_ENTRY, "2026-01-01-note.yaml": NOTE_ENTRY}, config=RICH_CONFIG
    )
    data, _ = json_feed(root)
    parsed = feedparser_rs.parse(data)
    assert not parsed.bozo
    assert parsed.version == "json11"
    assert parsed.feed.title == "Test site"
    assert parsed.feed.link == "https://example.org/"
    assert parsed.feed.language == "en"
    assert parsed.feed.icon == "https://example.org/icon.png"
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [
        "https://example.org/feed.json"
    ]
    rich, note = parsed.entries
    assert rich.id == "tag:example.org,2026-03-01:rd"
    assert rich.link == "https://example.org/posts/rd/"
    assert text_of(rich.title) == 'R&D: 3 < 4 "feeds"'
    assert text_of(rich.summary) == "Plain text: a < b & c."
    assert "<em>emphasis</em>" in rich.content[0].value
    assert utc(rich.published_parsed) == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert utc(rich.updated_parsed) == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert [a.name for a in rich.authors] == ["Zoë Writer", "Bob"]
    assert [t.term for t in rich.tags] == ["python", "feeds & xml"]
    assert [(e.href, e.type) for e in rich.enclosures] == [
        ("https://example.org/media/ep1.mp3", "audio/mpeg"),
        ("https://example.org/media/ep1.ogg", "audio/ogg"),
    ]
    assert note.content[0].value == "Just a note."
    assert [a.name for a in note.authors] == ["Site Author"]


def test_bytes_are_fixed_and_readable(make_site: MakeSite) -> None:
    root = make_site({"2026-03-01-rd.yaml": RICH_ENTRY})
    data, feed = json_feed(root)
    assert data.startswith(b'{\n  "version": "https://jsonfeed.org/version/1.1",\n  "title": ')
    assert data.endswith(b"\n}\n")
    assert "Zoë".encode() in data  # UTF-8 as is, not \u00eb
    assert list(feed["items"][0]) == [
        "id",
        "url",
        "external_url",
        "title",
        "content_html",
        "summary",
        "image",
        "date_published",
        "date_modified",
        "authors",
        "tags",
        "language",
        "attachments",
    ]
    assert json_feed(root)[0] == data


def _spec_errors(document: dict[str, Any]) -> list[str]:
    return [e.message for e in jsonschema.Draft202012Validator(SPEC_SCHEMA).iter_errors(document)]


@pytest.mark.parametrize(
    ("entries", "config"),
    [
        ({"2026-03-01-rd.yaml": RICH_ENTRY, "2026-01-01-note.yaml": NOTE_ENTRY}, RICH_CONFIG),
        ({}, BASIC_CONFIG),
        (
            {"a.yaml": NOTE_ENTRY},
            "title: T\ndescription: D\nurl: https://example.org/\nformats: json\n",
        ),
    ],
    ids=["rich", "no-entries", "no-author-no-language"],
)
def test_output_follows_the_spec(make_site: MakeSite, entries: dict[str, str], config: str) -> None:
    _, feed = json_feed(make_site(entries, config=config))
    assert _spec_errors(feed) == []


def test_the_spec_schema_catches_mistakes() -> None:
    """The schema the output is held to is not a rubber stamp."""
    item = {"id": "1", "content_html": "<p>x</p>"}
    base = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [item]}
    assert _spec_errors(base) == []
    assert _spec_errors({**base, "items": [{"id": "1"}]}) != []  # no content
    assert _spec_errors({**base, "items": [{**item, "date_published": "2026-01-01"}]}) != []
    assert _spec_errors({**base, "items": [{**item, "contentHtml": "x"}]}) != []
    assert _spec_errors({**base, "authors": [{}]}) != []
    assert _spec_errors({**base, "version": "https://jsonfeed.org/version/1"}) != []


def test_sample_site_follows_the_spec() -> None:
    assert _spec_errors(json.loads((REPO / "output" / "feed.json").read_bytes())) == []


@site_settings(40)
@arbitrary_text
def test_arbitrary_text_round_trips(
    make_site: MakeSite, title: str, summary: str, body: str, tag: str
) -> None:
    root = make_site(text_entry(title, summary, body, tag))
    (item,) = json_feed(root)[1]["items"]
    # JSON carries text exactly; the loader strips surrounding spaces.
    assert item["title"] == title.strip()
    assert item["summary"] == summary.strip()
    assert item["tags"] == [tag.strip()]
    assert " ".join(text_of(item["content_html"]).split()) == " ".join(body.split())


# -- a JSON-only site: build, check, diff and the id guard read feed.json ----------

JSON_ONLY = BASIC_CONFIG + "formats: [json]\n"
ENTRY = "title: Hello\ndate: 2026-01-01\nlink: /hello/\nsummary: s\n"


def test_json_only_site_writes_json_and_index(make_site: MakeSite) -> None:
    root = make_site({"2026-01-01-hello.yaml": ENTRY}, config=JSON_ONLY)
    result = build(root, now=NOW)
    assert result.written == ["feed.json", "index.html"]
    assert check_site(root, root / "output") == []


def test_id_guard_reads_the_published_json_feed(make_site: MakeSite) -> None:
    root = make_site({"2026-01-01-hello.yaml": ENTRY}, config=JSON_ONLY)
    build(root, now=NOW)
    (root / "entries/2026-01-01-hello.yaml").rename(root / "entries/2026-01-01-renamed.yaml")
    with pytest.raises(InputError, match=re.escape("tag:example.org,2026-01-01:hello")):
        build(root, now=NOW)


def test_diff_reads_the_published_json_feed(make_site: MakeSite) -> None:
    root = make_site({"2026-01-01-hello.yaml": ENTRY}, config=JSON_ONLY)
    build(root, now=NOW)
    (root / "entries/2026-01-02-new.yaml").write_text(ENTRY.replace("hello", "new"))
    result = diff_site(root, root / "output", now=NOW)
    assert [c.id for c in result.new] == ["tag:example.org,2026-01-01:new"]
    assert result.removed == [] and result.updated == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["items"][0].pop("id"), "items[0].id: missing"),
        (lambda d: d["items"][0].update(date_published="1 Jan 2026"), "not an RFC 3339 date"),
        (lambda d: d["items"].append(dict(d["items"][0])), 'items[1].id: "tag:'),
        (lambda d: d["items"][0].update(url="/relative/"), "items[0].url: '/relative/' is not"),
        (lambda d: d.pop("title"), "title: missing"),
        (lambda d: d["items"][0].pop("summary"), None),
    ],
    ids=["no-id", "bad-date", "duplicate-id", "relative-url", "no-title", "still-fine"],
)
def test_check_finds_broken_json_feeds(
    make_site: MakeSite, edit: Any, expected: str | None
) -> None:
    root = make_site({"2026-01-01-hello.yaml": ENTRY})
    build(root, now=NOW)
    path = root / "output/feed.json"
    document = json.loads(path.read_bytes())
    edit(document)
    path.write_text(json.dumps(document))
    problems = [str(p) for p in check_file(path, "output/feed.json")]
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_check_reports_json_that_does_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text('{"version": ')
    (problem,) = check_file(path, "feed.json")
    assert str(problem).startswith("feed.json: error: not valid JSON")


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
