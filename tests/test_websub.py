"""WebSub: the config's hub URLs are announced in all three feed formats."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import feedparser_rs
import pytest
from lxml import etree

from feedpub import InputError, build, load_site
from feedpub.review.outputcheck import check_file

from .conftest import BASIC_CONFIG, NOW, MakeSite

ATOM = "{http://www.w3.org/2005/Atom}"
ENTRY = "title: Hello\ndate: 2026-01-01\nlink: /hello/\nsummary: s\n"
HUBS = ("https://hub.example.org/", "https://push.example.net/hub?topic=a&b=1")
TWO_HUBS = BASIC_CONFIG + f"hub: [{HUBS[0]}, '{HUBS[1]}']\n"


def built(make_site: MakeSite, config: str) -> Path:
    root = make_site({"a.yaml": ENTRY}, config=config)
    build(root, now=NOW)
    return root / "output"


def atom_hubs(out: Path) -> list[str | None]:
    feed = etree.fromstring((out / "atom.xml").read_bytes())
    return [link.get("href") for link in feed.iterfind(f"{ATOM}link[@rel='hub']")]


def rss_hubs(out: Path) -> list[str | None]:
    rss = etree.fromstring((out / "rss.xml").read_bytes())
    return [link.get("href") for link in rss.iterfind(f"channel/{ATOM}link[@rel='hub']")]


def json_hubs(out: Path) -> list[dict[str, str]]:
    hubs: list[dict[str, str]] = json.loads((out / "feed.json").read_bytes()).get("hubs", [])
    return hubs


def test_config_exposes_hubs(make_site: MakeSite) -> None:
    one = make_site({"a.yaml": ENTRY}, config=BASIC_CONFIG + f"hub: {HUBS[0]}\n")
    assert load_site(one).config.hubs == (HUBS[0],)
    two = make_site({"a.yaml": ENTRY}, config=TWO_HUBS)
    assert load_site(two).config.hubs == HUBS
    assert load_site(make_site({"a.yaml": ENTRY})).config.hubs == ()


def test_every_format_announces_every_hub(make_site: MakeSite) -> None:
    out = built(make_site, TWO_HUBS)
    assert atom_hubs(out) == list(HUBS)
    assert rss_hubs(out) == list(HUBS)
    assert json_hubs(out) == [{"type": "WebSub", "url": hub} for hub in HUBS]
    for name in ("atom.xml", "rss.xml", "feed.json"):
        assert check_file(out / name, name) == [], name


def test_readers_see_the_hubs_next_to_the_self_link(make_site: MakeSite) -> None:
    """WebSub subscribers need both the hub and the topic (self) URL."""
    out = built(make_site, TWO_HUBS)
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert not parsed.bozo
        links = [(link.rel, link.href) for link in parsed.feed.links]
        assert [href for rel, href in links if rel == "hub"] == list(HUBS), name
        assert ("self", f"https://example.org/{name}") in links, name
    parsed = feedparser_rs.parse((out / "feed.json").read_bytes())
    links = [(link.rel, link.href) for link in parsed.feed.links]
    assert [href for rel, href in links if rel == "hub"] == list(HUBS)
    assert ("self", "https://example.org/feed.json") in links


def test_no_hub_no_hub_links(make_site: MakeSite) -> None:
    out = built(make_site, BASIC_CONFIG)
    assert atom_hubs(out) == rss_hubs(out) == []
    assert "hubs" not in json.loads((out / "feed.json").read_bytes())
    assert b'rel="hub"' not in (out / "atom.xml").read_bytes() + (out / "rss.xml").read_bytes()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/hub", 'hub: "/hub" must be an absolute URL'),
        ("ftp://hub.example.org/", 'hub: "ftp://hub.example.org/" uses a "ftp:" URL'),
        ("{url: https://hub.example.org/}", "hub: must be text, not a mapping"),
        ("[https://hub.example.org/, 'https:/nohost']", 'hub: "https:/nohost" is not a complete'),
    ],
    ids=["relative", "ftp", "mapping", "second-incomplete"],
)
def test_bad_hubs_are_refused(make_site: MakeSite, value: str, expected: str) -> None:
    root = make_site({"a.yaml": ENTRY}, config=BASIC_CONFIG + f"hub: {value}\n")
    with pytest.raises(InputError) as caught:
        load_site(root)
    assert expected in str(caught.value)
