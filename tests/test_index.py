"""output/index.html: parsed as a browser would, with hostile input escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import lxml.html
import pytest
from lxml import etree

from feedpub import InputError, build
from feedpub.builder.pipeline import render_site

from .conftest import BASIC_CONFIG, NOW, MakeSite

HOSTILE = '<script>alert("x")</script> & "quotes" <img src=x onerror=alert(1)>'
ENTRIES = {
    "2026-01-02-second.yaml": (
        "title: Deuxième\ndate: 2026-01-02T09:15:00+01:00\nlink: /second/\nlang: fr\n"
        "summary: Le second.\n"
    ),
    "2026-01-01-first.yaml": "title: First\ndate: 2026-01-01\nsummary: One.\ncontent: Body.\n",
}


def one(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path)
    assert found is not None, path
    return found


def page(make_site: MakeSite, entries: dict[str, str], config: str = BASIC_CONFIG) -> bytes:
    _, files = render_site(make_site(entries, config=config), now=NOW)
    return files["index.html"]


def test_page_lists_entries_newest_first(make_site: MakeSite) -> None:
    doc = lxml.html.document_fromstring(page(make_site, ENTRIES))
    assert doc.get("lang") == "en"
    assert doc.findtext("head/title") == "Test site"
    assert doc.findtext("body/header/h1") == "Test site"
    articles = doc.findall(".//main/ol/li/article")
    assert [a.findtext("h2") or a.findtext("h2/a") for a in articles] == ["Deuxième", "First"]
    second, first = articles
    assert one(second, "h2/a").get("href") == "https://example.org/second/"
    assert second.get("lang") == "fr"  # differs from the site's "en"
    assert first.find("h2/a") is None  # no link: the title is plain text
    assert first.get("lang") is None
    times = [one(a, ".//time") for a in articles]
    assert [(t.get("datetime"), t.text) for t in times] == [
        ("2026-01-02T09:15:00+01:00", "2026-01-02"),
        ("2026-01-01T00:00:00+00:00", "2026-01-01"),
    ]
    assert [a.findall("p")[-1].text for a in articles] == ["Le second.", "One."]


def test_head_has_charset_viewport_and_autodiscovery(make_site: MakeSite) -> None:
    config = BASIC_CONFIG + "filenames: {atom: feed.atom, json: my feed.json}\n"
    data = page(make_site, ENTRIES, config)
    assert data.startswith(b"<!DOCTYPE html>\n")
    doc = lxml.html.document_fromstring(data)
    head = one(doc, "head")
    assert head[0].tag == "meta" and head[0].get("charset") == "utf-8"
    assert one(head, "meta[@name='viewport']").get("content") == (
        "width=device-width, initial-scale=1"
    )
    alternates = [
        (link.get("type"), link.get("title"), link.get("href"))
        for link in head.findall("link[@rel='alternate']")
    ]
    assert alternates == [
        ("application/atom+xml", "Test site (Atom)", "feed.atom"),
        ("application/rss+xml", "Test site (RSS)", "rss.xml"),
        ("application/feed+json", "Test site (JSON Feed)", "my%20feed.json"),
    ]
    visible = [(a.get("href"), a.text) for a in doc.findall("body/header/nav/ul/li/a")]
    assert visible == [("feed.atom", "Atom"), ("rss.xml", "RSS"), ("my%20feed.json", "JSON Feed")]


def test_only_configured_formats_are_announced(make_site: MakeSite) -> None:
    doc = lxml.html.document_fromstring(page(make_site, ENTRIES, BASIC_CONFIG + "formats: [rss]\n"))
    types = [link.get("type") for link in doc.findall("head/link[@rel='alternate']")]
    assert types == ["application/rss+xml"]


def test_hostile_text_is_escaped_everywhere(make_site: MakeSite) -> None:
    config = f"title: '{HOSTILE}'\ndescription: '{HOSTILE}'\nurl: https://example.org/\n"
    config += "author: A\npages: false\n"
    entry = f"title: '{HOSTILE}'\ndate: 2026-01-01\nsummary: '{HOSTILE}'\nlink: '/a?x=1&y=\"2\"'\n"
    data = page(make_site, {"a.yaml": entry}, config)
    assert b"<script" not in data.lower()
    assert b"<img" not in data.lower()
    doc = lxml.html.document_fromstring(data)
    assert doc.xpath("//script | //img | //*[@onerror]") == []
    assert doc.findtext("head/title") == HOSTILE
    assert one(doc, "head/meta[@name='description']").get("content") == HOSTILE
    assert doc.findtext("body/header/h1") == HOSTILE
    assert doc.findtext("body/header/p") == HOSTILE
    article = one(doc, ".//article")
    assert one(article, "h2/a").text == HOSTILE
    assert one(article, "h2/a").get("href") == "https://example.org/a?x=1&y=%222%22"
    assert article.findall("p")[-1].text == HOSTILE
    titles = [link.get("title") for link in doc.findall("head/link[@rel='alternate']")]
    assert titles[0] == f"{HOSTILE} (Atom)"


class _Tags(HTMLParser):
    """Every start tag and its attributes, as the stdlib tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_no_script_no_handlers_no_external_resources(make_site: MakeSite) -> None:
    parser = _Tags()
    parser.feed(page(make_site, ENTRIES).decode("utf-8"))
    names = [tag for tag, _ in parser.tags]
    assert "script" not in names
    assert not any(key.startswith("on") for _, attrs in parser.tags for key in attrs)
    # Only links the user follows and feed autodiscovery; nothing loads by itself.
    assert {tag for tag, attrs in parser.tags if "src" in attrs} == set()
    assert {attrs.get("rel") for tag, attrs in parser.tags if tag == "link"} == {"alternate"}
    assert names.count("style") == 1


def test_empty_feed_page(make_site: MakeSite) -> None:
    doc = lxml.html.document_fromstring(page(make_site, {}))
    assert len(one(doc, ".//main")) == 0


def test_index_false_writes_no_page(make_site: MakeSite) -> None:
    root = make_site(ENTRIES, config=BASIC_CONFIG + "index: false\n")
    result = build(root, now=NOW)
    assert result.written == ["atom.xml", "feed.json", "rss.xml"]
    assert not (root / "output/index.html").exists()


def test_index_true_is_the_default(make_site: MakeSite) -> None:
    root = make_site(ENTRIES)
    assert "index.html" in build(root, now=NOW).written
    assert (root / "output/index.html").read_bytes() == page(make_site, ENTRIES)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            BASIC_CONFIG + "filenames: {rss: index.html}\n",
            'filenames: "index.html" is taken by the entry list page',
        ),
        (BASIC_CONFIG + "index: sometimes\n", "index: must be true or false"),
    ],
    ids=["feed-named-index", "index-not-boolean"],
)
def test_index_config_errors(make_site: MakeSite, config: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        render_site(make_site(ENTRIES, config=config), now=NOW)


def test_feed_may_be_named_index_html_without_the_page(make_site: MakeSite) -> None:
    config = BASIC_CONFIG + "index: false\nformats: [rss]\nfilenames: {rss: index.html}\n"
    _, files = render_site(make_site(ENTRIES, config=config), now=NOW)
    assert list(files) == ["index.html"]
    assert files["index.html"].startswith(b"<?xml")
