"""RFC 5005 archives: a chain from the main feed reaches every entry exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
from lxml import etree

from feedpub import build

from .conftest import NOW, MakeSite, snapshot

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
CONFIG = "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\nlimit: 3\narchive: true\n"


def entries(count: int, start: int = 1) -> dict[str, str]:
    return {
        f"e{i:02d}.yaml": f"title: Entry {i}\ndate: 2026-01-{i:02d}\nlink: /e{i}/\nsummary: s{i}\n"
        for i in range(start, start + count)
    }


def local(root: Path, url: str) -> Path:
    return root / "output" / url.removeprefix("https://example.org/")


def atom_links(path: Path) -> dict[str, str]:
    tree = etree.parse(str(path))
    links = tree.getroot().iterfind(f"{ATOM}link")
    return {link.get("rel", ""): link.get("href", "") for link in links}


def walk_atom(root: Path) -> list[tuple[Path, list[str]]]:
    """Follow prev-archive from the main feed; (document, entry ids) in order."""
    documents = []
    path: Path | None = root / "output/atom.xml"
    while path is not None:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo
        documents.append((path, [e.id for e in parsed.entries]))
        previous = atom_links(path).get("prev-archive")
        path = local(root, previous) if previous else None
    return documents


def test_chain_reaches_every_entry_exactly_once(make_site: MakeSite) -> None:
    root = make_site(entries(10), config=CONFIG)
    build(root, now=NOW)
    documents = walk_atom(root)
    assert [p.relative_to(root / "output").as_posix() for p, _ in documents] == [
        "atom.xml",
        "archive/atom/2.xml",
        "archive/atom/1.xml",
    ]
    ids = [i for _, page in documents for i in page]
    assert sorted(ids) == sorted(f"tag:example.org,2026-01-{i:02d}:e{i:02d}" for i in range(1, 11))
    assert len(ids) == len(set(ids))
    assert len(documents[0][1]) >= 3  # the main feed keeps at least `limit` entries


def test_archive_documents_are_marked_and_linked(make_site: MakeSite) -> None:
    root = make_site(entries(10), config=CONFIG)
    build(root, now=NOW)
    page1 = root / "output/archive/atom/1.xml"
    tree = etree.parse(str(page1)).getroot()
    assert tree.find(f"{FH}archive") is not None
    assert atom_links(page1) == {
        "self": "https://example.org/archive/atom/1.xml",
        "alternate": "https://example.org/",
        "current": "https://example.org/atom.xml",
        "next-archive": "https://example.org/archive/atom/2.xml",
    }
    assert atom_links(root / "output/archive/atom/2.xml")["prev-archive"] == (
        "https://example.org/archive/atom/1.xml"
    )
    assert etree.parse(str(root / "output/atom.xml")).getroot().find(f"{FH}archive") is None


def test_rss_and_json_chains_match_atom(make_site: MakeSite) -> None:
    root = make_site(entries(10), config=CONFIG + "formats: [atom, rss, json]\n")
    build(root, now=NOW)
    atom_ids = [i for _, page in walk_atom(root) for i in page]
    rss_ids: list[str] = []
    path: Path | None = root / "output/rss.xml"
    while path is not None:
        channel = etree.parse(str(path)).getroot().find("channel")
        assert channel is not None
        rss_ids += [guid.text or "" for guid in channel.iterfind("item/guid")]
        links = {x.get("rel", ""): x.get("href", "") for x in channel.iterfind(f"{ATOM}link")}
        path = local(root, links["prev-archive"]) if "prev-archive" in links else None
    json_ids: list[str] = []
    url: str | None = "https://example.org/feed.json"
    while url:
        document = json.loads(local(root, url).read_text())
        json_ids += [item["id"] for item in document["items"]]
        url = document.get("next_url")
    assert rss_ids == atom_ids == json_ids


def test_new_entries_never_rewrite_existing_archive_pages(make_site: MakeSite) -> None:
    root = make_site(entries(10), config=CONFIG)
    build(root, now=NOW)
    archive = root / "output/archive"
    # Page 2, the newest, gains a next-archive link when page 3 appears; page 1 never changes.
    snapshot_before = snapshot(archive)
    before = {k: v for k, v in snapshot_before.items() if "/1." in k}
    mtimes = {p: p.stat().st_mtime_ns for p in archive.rglob("1.*")}
    for name, text in entries(3, start=11).items():
        (root / "entries" / name).write_text(text)
    result = build(root, now=NOW)
    after = snapshot(archive)
    assert {k: v for k, v in after.items() if k in before} == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert sorted(set(after) - set(snapshot_before)) == ["atom/3.xml", "json/3.json", "rss/3.xml"]
    assert "archive/atom/1.xml" not in result.written
    assert result.rendered == 3 + 3 + 3 + 1 + 3  # main feeds, pages 2 and 3, index, 3 entries
    page2 = feedparser.parse((archive / "atom/2.xml").read_bytes())
    assert [e.id for e in page2.entries] == [
        f"tag:example.org,2026-01-0{i}:e0{i}" for i in (6, 5, 4)
    ]
    ids = [i for _, page in walk_atom(root) for i in page]
    assert len(ids) == len(set(ids)) == 13


def test_edited_archived_entry_is_repeated_in_the_main_feed(make_site: MakeSite) -> None:
    site = entries(10)
    site["e01.yaml"] += "updated: 2026-02-01T00:00:00Z\ncontent: corrected\n"
    root = make_site(site, config=CONFIG)
    build(root, now=NOW)
    main_ids = walk_atom(root)[0][1]
    assert "tag:example.org,2026-01-01:e01" in main_ids
    page1 = feedparser.parse((root / "output/archive/atom/1.xml").read_bytes())
    assert "tag:example.org,2026-01-01:e01" in [e.id for e in page1.entries]


def test_without_archive_the_feed_is_cut_at_limit(make_site: MakeSite) -> None:
    root = make_site(entries(10), config=CONFIG.replace("archive: true\n", ""))
    build(root, now=NOW)
    assert not (root / "output/archive").exists()
    assert len(walk_atom(root)) == 1
    assert len(walk_atom(root)[0][1]) == 3
