"""A page per entry: the link readers open when an entry has none of its own."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import lxml.html
import pytest

from feedpub import build
from feedpub.builder.pipeline import render_site

from .conftest import NOW, MakeSite, snapshot
from .test_browser import CHROMIUM, Served, chromium, served  # noqa: F401

CONFIG = """\
title: Carnet
description: Notes
url: https://example.org/blog/
base_url: https://cdn.example.org/feeds/
language: fr
author: {name: Ana, url: https://ana.example/}
"""
FULL = """\
title: Une note <complète>
date: 2026-01-02T10:00:00+01:00
summary: Le résumé.
tags: [santé, données]
source: {title: France 2, url: https://france.tv/x}
image: {url: /i.png, alt: Un dossier, credit: 123RF}
content: |
  Texte avec un [lien](https://example.org/a) et une note.[^1]

  | a | b |
  |:--|--:|
  | 1 | 2 |

  [^1]: La note.
"""
LINKED = "title: Lien\ndate: 2026-01-01\nlink: https://elsewhere.example/post\n"


def test_an_entry_without_a_link_has_its_page_as_link_everywhere(make_site: MakeSite) -> None:
    root = make_site({"2026/note.yaml": FULL, "lien.yaml": LINKED}, config=CONFIG)
    files = render_site(root, now=NOW)[1]
    page_url = "https://cdn.example.org/feeds/entries/2026/note.html"
    atom = feedparser.parse(files["atom.xml"])
    rss = feedparser.parse(files["rss.xml"])
    items = json.loads(files["feed.json"])["items"]
    assert [e.link for e in atom.entries] == [page_url, "https://elsewhere.example/post"]
    assert [e.link for e in rss.entries] == [page_url, "https://elsewhere.example/post"]
    assert [i["url"] for i in items] == [page_url, "https://elsewhere.example/post"]
    assert sorted(n for n in files if n.startswith("entries/")) == [
        "entries/2026/note.html",
        "entries/lien.html",
    ]
    index = lxml.html.document_fromstring(files["index.html"])
    assert [a.get("href") for a in index.findall(".//article/h2/a")] == [
        "entries/2026/note.html",
        "entries/lien.html",
    ]


def test_a_page_holds_the_whole_entry_and_finds_the_feeds(make_site: MakeSite) -> None:
    root = make_site({"2026/note.yaml": FULL}, config=CONFIG)
    page = render_site(root, now=NOW)[1]["entries/2026/note.html"]
    doc = lxml.html.document_fromstring(page)
    assert doc.get("lang") == "fr"
    assert doc.findtext(".//h1") == "Une note <complète>"
    assert doc.xpath("//script") == []
    alternates = [link.get("href") for link in doc.findall("head/link[@rel='alternate']")]
    assert alternates == ["../../atom.xml", "../../rss.xml", "../../feed.json"]
    text = " ".join(str(doc.xpath("string()")).split())
    for shown in ("2026-01-02", "Ana", "#santé", "#données", "France 2", "© 123RF", "Le résumé."):
        assert shown in text, shown
    image = doc.find(".//figure/img")
    assert doc.find(".//table") is not None and image is not None
    assert image.get("alt") == "Un dossier"
    links = {a.get("href") for a in doc.iter("a")}
    assert {"../../index.html", "https://ana.example/", "https://france.tv/x", "#fn-1"} <= links


def test_pages_follow_their_entries(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {"a.yaml": FULL, "b.yaml": LINKED, "d.yaml": LINKED + "draft: true\n"}, config=CONFIG
    )
    build(root, now=NOW)
    assert sorted(p.name for p in (root / "output/entries").iterdir()) == ["a.html", "b.html"]
    (root / "entries/b.yaml").write_text(LINKED.replace("Lien", "Lien modifié"))
    assert sorted(build(root, now=NOW).written) == [
        "atom.xml",
        "entries/b.html",
        "feed.json",
        "index.html",
        "rss.xml",
    ]
    (root / "entries/a.yaml").unlink()
    result = build(root, now=NOW)
    assert "entries/a.html" in result.written
    assert not (root / "output/entries/a.html").exists()
    cold = tmp_path / "cold"
    build(root, cold, use_cache=False, now=NOW)
    assert snapshot(root / "output") == snapshot(cold)


def test_pages_false_writes_no_page_and_keeps_entries_without_links(
    make_site: MakeSite,
) -> None:
    root = make_site({"a.yaml": FULL}, config=CONFIG + "pages: false\n")
    files = render_site(root, now=NOW)[1]
    assert not [name for name in files if name.startswith("entries/")]
    entry = feedparser.parse(files["atom.xml"]).entries[0]
    assert entry.get("link") is None or entry.link == entry.id


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed")
def test_a_page_renders_in_a_browser_with_working_links(
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    index = lxml.html.document_fromstring(chromium(tmp_path, "--dump-dom", served.url).stdout)
    hrefs = [a.get("href", "") for a in index.findall(".//article/h2/a")]
    assert hrefs and all(h.startswith("entries/") for h in hrefs)
    page_url = urljoin(served.url, hrefs[-1])
    dom = lxml.html.document_fromstring(chromium(tmp_path, "--dump-dom", page_url).stdout)
    assert "15 millions de dossiers médicaux" in (dom.findtext(".//h1") or "")
    assert dom.xpath("//script") == []
    feeds = [link.get("href", "") for link in dom.findall("head/link[@rel='alternate']")]
    for href in feeds:
        assert (served.output / "entries" / href).resolve().is_file(), href
    png = tmp_path / "page.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=800,1000", page_url)
    assert png.stat().st_size > 10_000
