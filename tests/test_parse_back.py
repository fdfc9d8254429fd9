"""feedparser (what many readers build on) reads back exactly what we wrote."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feedpub.builder.pipeline import render_site

from .conftest import NOW, MakeSite

RICH_ENTRY = """\
title: "R&D: 3 < 4 \\"feeds\\""
date: 2026-03-01T09:30:00+01:00
updated: 2026-03-02T10:00:00Z
link: /posts/rd/
author: {name: Zoë Writer, email: zoe@example.org}
summary: "Plain text: a < b & c."
content: |
  Some *emphasis* and a [relative link](../other/).

  ## Heading
tags: [python, "feeds & xml"]
enclosures:
  - {url: /media/ep1.mp3, type: audio/mpeg, length: 12345}
"""


def parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def utc(parsed: Any) -> datetime:
    """feedparser's struct_time (always UTC) as an aware datetime."""
    return datetime(*parsed[:6]).replace(tzinfo=UTC)


def text_of(value: str) -> str:
    """Visible text of an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def visible(detail: Any) -> str:
    """The text a reader shows: plain text as is, HTML without its tags."""
    value: str = detail.value
    return value if detail.type == "text/plain" else text_of(value)


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_every_field_comes_back(make_site: MakeSite, name: str) -> None:
    root = make_site({"2026-03-01-rd.yaml": RICH_ENTRY})
    _, files = render_site(root, now=NOW)
    feed = parse(files[name])
    assert feed.feed.title == "Test site"
    assert feed.feed.link == "https://example.org/"
    assert feed.feed.language == "en"
    (entry,) = feed.entries
    assert text_of(entry.title) == 'R&D: 3 < 4 "feeds"'
    assert entry.link == "https://example.org/posts/rd/"
    assert entry.id == "tag:example.org,2026-03-01:rd"
    assert utc(entry.published_parsed) == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert entry.author_detail.name == "Zoë Writer"
    assert entry.author_detail.email == "zoe@example.org"
    assert [t.term for t in entry.tags] == ["python", "feeds & xml"]
    assert text_of(entry.summary) == "Plain text: a < b & c."
    content = entry.content[0].value
    assert "<em>emphasis</em>" in content
    assert 'href="https://example.org/posts/other/"' in content
    assert '<h2 id="heading">Heading</h2>' in content
    (enclosure,) = entry.enclosures
    assert enclosure.href == "https://example.org/media/ep1.mp3"
    assert enclosure.type == "audio/mpeg"
    assert enclosure.length == "12345"
    if name == "atom.xml":
        assert utc(entry.updated_parsed) == datetime(2026, 3, 2, 10, tzinfo=UTC)
        assert feed.feed.links[0].href == "https://example.org/atom.xml"
    else:
        assert entry.guidislink is False


def test_entries_newest_first_and_limited(make_site: MakeSite) -> None:
    entries = {
        f"e{day}.yaml": f"title: Entry {day}\ndate: 2026-01-{day:02d}\nsummary: s\n"
        for day in range(1, 8)
    }
    root = make_site(
        entries, config="title: T\ndescription: D\nurl: https://example.org/\nauthor: A\nlimit: 3\n"
    )
    _, files = render_site(root, now=NOW)
    for name in ("atom.xml", "rss.xml"):
        titles = [e.title for e in parse(files[name]).entries]
        assert titles == ["Entry 7", "Entry 6", "Entry 5"]


# Any Unicode a user can type: no surrogates, no C0/C1 controls (the loader
# rejects those with a message), no line/paragraph separators in one-line fields.
_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufffe\uffff\ufeff"
)
one_line = st.text(_CHARS, min_size=1, max_size=40).filter(lambda s: s.strip() != "")
paragraphs = st.lists(one_line, min_size=1, max_size=3).map("\n\n".join)


def text_entry(title: str, summary: str, body: str, tag: str) -> dict[str, str]:
    """One entry file holding arbitrary text in every text field."""
    entry = {
        "title": title,
        "date": "2026-02-03T04:05:06Z",
        "summary": summary,
        "content": body,
        "format": "text",
        "tags": [tag],
    }
    return {"2026-02-03-x.yaml": yaml.safe_dump(entry, allow_unicode=True)}


def site_settings(examples: int) -> settings:
    """Hypothesis settings for tests that write a site per example."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


arbitrary_text = given(title=one_line, summary=one_line, body=paragraphs, tag=one_line)
"""One entry's title, summary, body and tag, as text_entry takes them."""


@site_settings(60)
@arbitrary_text
@example(title="&#0;", summary="&amp;", body="&#1;", tag="&lt;")  # found by hypothesis in CI
def test_arbitrary_text_round_trips(
    make_site: MakeSite, title: str, summary: str, body: str, tag: str
) -> None:
    root = make_site(text_entry(title, summary, body, tag))
    _, files = render_site(root, now=NOW)
    for name in ("atom.xml", "rss.xml"):
        (got,) = parse(files[name]).entries
        if name == "atom.xml" or not read_as_html(title):
            assert same_text(visible(got.title_detail), title), name
        # Atom's summary is type="text": "<0>" there is text, not a tag.
        assert same_text(visible(got.summary_detail), summary), name
        assert same_text(text_of(got.content[0].value), body), name
        assert len(got.tags) == 1 and same_text(got.tags[0].term, tag), name


_TAG_LIKE = re.compile(r"<[A-Za-z/!?]")
_REFERENCE_LIKE = re.compile(r"&[#A-Za-z]")


def read_as_html(rss_title: str) -> bool:
    """RSS titles are plain text by spec, but feedparser (like many readers)
    sniffs them for HTML: it drops what looks like a tag and reads "&amp;" or
    "&#0;" written in a title as a character reference."""
    return bool(_TAG_LIKE.search(rss_title) or _REFERENCE_LIKE.search(rss_title))


def _norm(text: str) -> str:
    """Readers collapse whitespace; compare what a person would see."""
    return " ".join(text.split())


def feedparser_reads(text: str) -> str:
    """What feedparser makes of element text (feedparser/mixin.py, ``pop``).

    It "repairs" text that is entirely Latin-1 but also valid UTF-8 bytes,
    assuming double encoding: a title "Â¡" is read back as "¡". feedpub
    writes the text as given; this is the reader's guess, so allow it.
    """
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def same_text(got: str, want: str) -> bool:
    """Same visible text, allowing for feedparser's Latin-1 guess."""
    return _norm(got) in (_norm(want), _norm(feedparser_reads(want)))
