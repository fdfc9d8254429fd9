"""Pipeline behaviour: selection, ids, determinism, atomicity, --check."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from feedpub import InputError, OutputError, StaleOutputError, build
from feedpub.builder.pipeline import render_site
from feedpub.model import Feed

from .conftest import NOW, MakeSite, snapshot

ENTRY = "title: {title}\ndate: {date}\nsummary: s\ncontent: {body}\n"


def entry(title: str = "Hello", date: str = "2026-01-01", body: str = "Body.") -> str:
    return ENTRY.format(title=title, date=date, body=body)


def ids_in(root: Path) -> list[str]:
    return [e.id for e in render_site(root, now=NOW)[0].entries]


def test_default_id_survives_edits_to_title_and_body(make_site: MakeSite) -> None:
    root = make_site({"2026-01-01-hello.yaml": entry()})
    before = ids_in(root)
    (root / "entries/2026-01-01-hello.yaml").write_text(entry("Hello, edited", body="New body."))
    assert ids_in(root) == before == ["tag:example.org,2026-01-01:hello"]


def test_explicit_id_wins(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": entry() + "id: urn:uuid:0e4b4b6c-8a5c-4bb1-9a9b-3c1f1b2f7a10\n"})
    assert ids_in(root) == ["urn:uuid:0e4b4b6c-8a5c-4bb1-9a9b-3c1f1b2f7a10"]


def test_duplicate_ids_name_both_files(make_site: MakeSite) -> None:
    root = make_site({"2026-01-01-x.yaml": entry(), "sub/2026-01-01-x.yml": entry("Other")})
    with pytest.raises(InputError) as caught:
        render_site(root, now=NOW)
    message = str(caught.value)
    assert "entries/sub/2026-01-01-x.yml" in message
    assert "is also the id of entries/2026-01-01-x.yaml" in message


@pytest.mark.parametrize("how", ["edit", "add"])
def test_an_incremental_build_finds_an_id_a_changed_file_now_shares(
    make_site: MakeSite, how: str
) -> None:
    """After a build, only the changed files' ids are looked for among the others."""
    same = "id: urn:uuid:0e4b4b6c-8a5c-4bb1-9a9b-3c1f1b2f7a10\n"
    files = {
        f"e{day:02d}.yaml": entry(f"Entry {day}", f"2026-01-{day:02d}") for day in range(1, 21)
    }
    root = make_site({**files, "e05.yaml": entry("Entry 5", "2026-01-05") + same})
    build(root, now=NOW)
    before = snapshot(root / "output")
    changed = "e12.yaml" if how == "edit" else "e30.yaml"
    (root / "entries" / changed).write_text(entry("Again", "2026-01-12") + same)
    with pytest.raises(InputError, match=f"entries/{changed}:.*is also the id of entries/e05"):
        build(root, now=NOW)
    assert snapshot(root / "output") == before


def test_renaming_one_file_of_many_is_caught_by_the_id_guard(make_site: MakeSite) -> None:
    """A removed file's link and id are what readers have, even when few files changed."""
    files = {
        f"e{day:02d}.yaml": entry(f"Entry {day}", f"2026-01-{day:02d}") for day in range(1, 21)
    }
    linked = {name: text + f"link: /{name[:3]}/\n" for name, text in files.items()}
    root = make_site(linked)
    build(root, now=NOW)
    (root / "entries/e07.yaml").rename(root / "entries/e07-renamed.yaml")
    with pytest.raises(InputError, match=r"entries/e07-renamed\.yaml:1: error: id: would change"):
        build(root, now=NOW)


def test_duplicate_id_points_at_the_line_that_sets_it(make_site: MakeSite) -> None:
    same = "id: urn:uuid:0e4b4b6c-8a5c-4bb1-9a9b-3c1f1b2f7a10\n"
    root = make_site({"a.yaml": entry() + same, "b.yaml": same + entry("Other")})
    with pytest.raises(InputError) as caught:
        render_site(root, now=NOW)
    assert str(caught.value).startswith(
        'entries/b.yaml:1: error: id: "urn:uuid:0e4b4b6c-8a5c-4bb1-9a9b-3c1f1b2f7a10" is also'
    )
    (root / "entries/b.yaml").write_text(entry("Other") + same)
    with pytest.raises(InputError) as caught:
        build(root, now=NOW)
    line = len(entry("Other").splitlines()) + 1
    assert str(caught.value).startswith(f"entries/b.yaml:{line}: error: id: ")


def test_drafts_and_future_entries_wait(make_site: MakeSite) -> None:
    root = make_site(
        {
            "a.yaml": entry("Published"),
            "b.yaml": entry("Draft") + "draft: true\n",
            "c.yaml": entry("Tomorrow", date="2026-11-02"),
        }
    )
    titles = [e.title for e in render_site(root, now=NOW)[0].entries]
    assert titles == ["Published"]
    titles = [e.title for e in render_site(root, now=NOW, future=True)[0].entries]
    assert titles == ["Tomorrow", "Published"]


def test_non_entry_files_are_ignored(make_site: MakeSite) -> None:
    root = make_site(
        {
            "a.yaml": entry(),
            "README.md": "notes",
            "a.yaml~": "broken: [",
            ".#a.yaml": "broken: [",
            ".hidden.yaml": "broken: [",
            "b.yaml.swp": "broken: [",
        }
    )
    assert len(ids_in(root)) == 1


def test_entries_in_folders_are_found_and_rebuilt(make_site: MakeSite) -> None:
    root = make_site(
        {
            "2024/a.yaml": entry("In 2024"),
            "2025/deep/b.yml": entry("Deep"),
            "c.yaml": entry("Top"),
            ".drafts/d.yaml": "broken: [",
            "_private/e.yaml": "broken: [",
            "notes.yaml/f.yaml": entry("Folder named like a file"),
        }
    )
    result = build(root, now=NOW)
    assert result.entry_count == 4
    (root / "entries/2025/deep/b.yml").write_text(entry("Deeper"))
    again = build(root, now=NOW)
    assert again.compiled == 1
    assert b"Deeper" in (root / "output/atom.xml").read_bytes()


def test_naive_times_use_the_configured_timezone(make_site: MakeSite) -> None:
    config = (
        "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\ntimezone: Europe/Paris\n"
    )
    root = make_site({"a.yaml": entry(date="2026-07-01T12:00:00")}, config=config)
    files = render_site(root, now=NOW)[1]
    assert b"<published>2026-07-01T12:00:00+02:00</published>" in files["atom.xml"]
    assert b"<pubDate>Wed, 01 Jul 2026 12:00:00 +0200</pubDate>" in files["rss.xml"]


def test_feed_updated_is_the_newest_entry_not_now(make_site: MakeSite) -> None:
    root = make_site(
        {
            "a.yaml": entry(date="2026-01-01"),
            "b.yaml": entry("B", "2026-02-01") + "updated: 2026-03-04T05:06:07Z\n",
        }
    )
    files = render_site(root, now=NOW)[1]
    assert b"  <updated>2026-03-04T05:06:07+00:00</updated>\n  <author>" in files["atom.xml"]
    assert b"<lastBuildDate>Wed, 04 Mar 2026 05:06:07 +0000</lastBuildDate>" in files["rss.xml"]


def test_same_input_same_bytes(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({f"{i}.yaml": entry(f"E{i}", f"2026-01-{i + 1:02d}") for i in range(5)})
    build(root, tmp_path / "one", now=NOW)
    build(root, tmp_path / "two", now=NOW)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


Pending = tuple[Path, dict[str, bytes]]


@pytest.fixture
def pending(make_site: MakeSite) -> Pending:
    """A built site (and a snapshot of its output) with a new entry not built yet."""
    root = make_site({"a.yaml": entry()})
    build(root, now=NOW)
    before = snapshot(root / "output")
    (root / "entries/b.yaml").write_text(entry("New"))
    return root, before


def test_failed_build_leaves_output_untouched(pending: Pending) -> None:
    root, before = pending
    (root / "entries/c.yaml").write_text("title: [broken\n")
    with pytest.raises(InputError):
        build(root, now=NOW)
    assert snapshot(root / "output") == before


def test_render_crash_midway_leaves_output_untouched(
    pending: Pending, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Atom renders fine, RSS blows up: atom.xml must not be half-updated."""
    from feedpub.formats import Format, rss

    root, before = pending

    def boom(feed: Feed, fragments: Iterable[bytes]) -> Iterator[bytes]:
        yield b"<rss>"
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(rss, "FORMAT", Format("rss", "", "", rss.rss_item, boom))
    with pytest.raises(RuntimeError):
        build(root, now=NOW)
    assert snapshot(root / "output") == before
    assert not list(root.glob(".output.feedpub-staging"))


def test_failed_rename_rolls_back_files_already_replaced(
    pending: Pending, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, before = pending
    real_replace = os.replace
    calls: list[str] = []

    def flaky_replace(src: str | Path, dst: str | Path) -> None:
        calls.append(str(dst))
        if len(calls) == 2:  # atom.xml is already in place; rss.xml fails
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(OutputError, match="No space left on device"):
        build(root, now=NOW)
    monkeypatch.undo()
    assert snapshot(root / "output") == before


def test_failed_disk_sync_is_an_output_error_and_leaves_output_untouched(
    pending: Pending, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, before = pending

    def failing_sync() -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "sync", failing_sync)
    with pytest.raises(OutputError, match="Input/output error"):
        build(root, now=NOW)
    monkeypatch.undo()
    assert snapshot(root / "output") == before
    assert not [p for p in (root / "output").rglob("*") if p.name.startswith(".")]


def test_output_path_that_is_a_file_is_a_clear_error(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": entry()})
    (root / "output").write_text("not a folder")
    with pytest.raises(OutputError, match="cannot write"):
        build(root, now=NOW)
    assert (root / "output").read_text() == "not a folder"


def test_check_reports_stale_output_and_writes_nothing(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": entry()})
    build(root, now=NOW)
    build(root, now=NOW, check=True)
    (root / "entries/b.yaml").write_text(entry("New"))
    before = snapshot(root / "output")
    with pytest.raises(StaleOutputError, match=r"atom\.xml, feed\.json, index\.html, rss\.xml"):
        build(root, now=NOW, check=True)
    assert snapshot(root / "output") == before


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 999_999, 1_000_000])
def test_entry_files_are_read_whole_up_to_the_limit(tmp_path: Path, size: int) -> None:
    from feedpub.read.entry import read_entry_file

    path = tmp_path / "e.yaml"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    assert read_entry_file(str(path), "entries/e.yaml") == (path.read_bytes(), None)


def test_a_huge_entry_file_is_refused_from_its_size_without_reading_it(
    make_site: MakeSite,
) -> None:
    root = make_site({"a.yaml": entry()})
    with open(root / "entries/huge.yaml", "wb") as handle:
        handle.truncate(2_000_000_000)  # sparse: refused by stat, never read
    with pytest.raises(InputError) as caught:
        build(root, now=NOW)
    assert str(caught.value) == (
        "entries/huge.yaml:1: error: file is 2,000,000,000 bytes, over the 1,000,000-byte"
        " limit (split it or move large media out of the entry)"
    )
