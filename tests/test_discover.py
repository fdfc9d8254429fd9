"""Finding changed entry files: the block-wise comparison, split stats, the early look."""

from __future__ import annotations

import os
import threading
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import cachefile, discover
from feedpub.cachefile import Head
from feedpub.discover import Scan, _differences, entry_stats

Stat = tuple[int, int, int]


@settings(max_examples=300)
@given(st.integers(0, 400), st.data())
def test_changed_files_are_those_a_plain_comparison_finds(count: int, data: st.DataObject) -> None:
    before: dict[str, Stat] = {f"e{i:04d}.yaml": (i, 1, i) for i in range(0, 2 * count, 2)}
    now = dict(before)
    names = st.integers(0, 2 * count + 1).map(lambda i: f"e{i:04d}.yaml")
    for action, name in data.draw(
        st.lists(st.tuples(st.sampled_from(["add", "remove", "touch"]), names), max_size=8)
    ):
        if action == "remove":
            now.pop(name, None)
        else:
            now[name] = (len(name), 2, 0)  # a new file, or new stats for an old one
    head = Head()
    head.set_files(sorted(before), array("q", [v for n in sorted(before) for v in before[n]]), [])
    order = sorted(now)
    found = array("q", [v for n in order for v in now[n]])
    expected = [i for i, name in enumerate(order) if before.get(name) != now[name]]
    assert _differences(order, found, head) == expected
    if order == sorted(before):  # no file added or removed: the edit-only path agrees
        assert _differences(order, found, head, same_names=True) == expected


def _plain_stats(folder: Path) -> tuple[list[str], list[int]]:
    names = sorted(p.name for p in folder.iterdir())
    stats = [folder.joinpath(n).stat() for n in names]
    return names, [v for s in stats for v in (s.st_size, s.st_mtime_ns, s.st_ino)]


def _entry_folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "entries"
    folder.mkdir()
    for i in range(count):
        folder.joinpath(f"e{i:03d}.yaml").write_text("x" * i)
    return folder


def test_a_forked_child_stats_half_of_a_large_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _entry_folder(tmp_path, 41)
    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    forks: list[int] = []
    fork = os.fork

    def counted_fork() -> int:
        forks.append(1)
        return fork()

    monkeypatch.setattr(os, "fork", counted_fork)
    names, stats = entry_stats(str(folder))
    assert forks == [1]
    assert (names, list(stats)) == _plain_stats(folder)


def test_a_failed_child_means_the_parent_stats_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that vanishes under the child, or a child that dies, loses nothing."""
    folder = _entry_folder(tmp_path, 9)
    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    monkeypatch.setattr(discover, "_stat_child", lambda *_: os._exit(1))
    names, stats = entry_stats(str(folder))
    assert (names, list(stats)) == _plain_stats(folder)


def test_a_threaded_process_does_not_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _entry_folder(tmp_path, 9)
    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked with a thread running"))
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        names, stats = entry_stats(str(folder))
    finally:
        release.set()
        thread.join()
    assert (names, list(stats)) == _plain_stats(folder)


def _site_with_head(tmp_path: Path, count: int) -> tuple[Path, Head]:
    """A site folder and the head a build of its entries would have left."""
    folder = _entry_folder(tmp_path, count)
    names, stats = _plain_stats(folder)
    head = Head()
    digests = [cachefile.digest(folder.joinpath(n).read_bytes()) for n in names]
    head.set_files([f"entries/{n}" for n in names], array("q", stats), digests)
    return tmp_path, head


def _result(scan: Scan) -> tuple[list[str], list[int], list[tuple[str, str]], bool]:
    return scan.order, list(scan.found), scan.todo, scan.unchanged


@pytest.mark.parametrize("change", ["add", "remove", "edit", "none", "note"])
def test_an_early_look_finds_what_a_plain_look_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.setattr(discover, "SPLIT_AT", 4)  # (smaller folders are looked at plainly)
    root, head = _site_with_head(tmp_path, 12)
    folder = root / "entries"
    if change == "add":
        folder.joinpath("e005b.yaml").write_text("new")
    elif change == "remove":
        folder.joinpath("e007.yaml").unlink()
    elif change == "edit":
        folder.joinpath("e003.yaml").write_text("edited, longer")
    elif change == "note":  # not an entry file: names alone cannot tell
        folder.joinpath("notes.md").write_text("a note")
    early = Scan(root, head, 0, early=True)
    assert early.pending == (change in ("add", "remove"))  # names alone tell
    assert not early.unchanged or change in ("edit", "none", "note")  # known before waiting
    plain = Scan(root, head, 0)
    assert not plain.pending
    assert _result(early) == _result(plain)
    assert not early.pending
    assert plain.unchanged == (change in ("none", "note"))


def test_a_failed_early_child_means_looking_again_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    root, head = _site_with_head(tmp_path, 6)
    (root / "entries" / "new.yaml").write_text("new")
    parent = os.getpid()

    def dying_look(*_: object) -> None:
        if os.getpid() == parent:
            pytest.fail("looked in the parent before the child failed")
        os._exit(3)

    monkeypatch.setattr(discover, "_look", dying_look)
    early = Scan(root, head, 0, early=True)
    assert early.pending
    monkeypatch.undo()
    assert _result(early) == _result(Scan(root, head, 0))
    assert early.todo == [(str(root / "entries" / "new.yaml"), "entries/new.yaml")]


def test_an_early_look_waits_for_sub_folders_to_be_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names alone cannot tell when the folder holds more than entry files."""
    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    root, head = _site_with_head(tmp_path, 4)
    (root / "entries" / "2026").mkdir()
    (root / "entries" / "2026" / "e.yaml").write_text("nested")
    early = Scan(root, head, 0, early=True)
    assert not early.pending
    assert early.todo == [(str(root / "entries" / "2026/e.yaml"), "entries/2026/e.yaml")]


@pytest.mark.parametrize(("edited", "early_hint"), [("e011.yaml", True), ("e003.yaml", False)])
def test_an_edit_of_the_newest_file_is_seen_before_the_other_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited: str, early_hint: bool
) -> None:
    """The newest file by name (and by time) is checked first; any other edit is
    found by the full look, which decides in every case."""
    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    monkeypatch.setattr(discover, "_LIKELY", 1)
    root, head = _site_with_head(tmp_path, 12)
    (root / "entries" / edited).write_text("edited, and longer than before")
    early = Scan(root, head, 0, early=True)
    assert early.pending == early_hint
    plain = Scan(root, head, 0)
    assert _result(early) == _result(plain)
    assert early.todo == [(str(root / "entries" / edited), f"entries/{edited}")]


def test_a_small_folder_is_looked_at_plainly(tmp_path: Path) -> None:
    """Below SPLIT_AT files the whole look takes a millisecond: no child for it."""
    root, head = _site_with_head(tmp_path, 12)
    (root / "entries" / "new.yaml").write_text("new")
    early = Scan(root, head, 0, early=True)
    assert not early.pending
    assert early.todo == [(str(root / "entries" / "new.yaml"), "entries/new.yaml")]


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="-.#_~aZ0é+!", min_size=1, max_size=4), max_size=30))
def test_visible_names_are_those_a_plain_filter_keeps(stems: list[str]) -> None:
    """The bisections find a hidden name wherever it sorts (after "-", "+", "!"...)."""
    suffixes = [".yaml", ".yml", ".md"]
    names = [stem + suffixes[number % 3] for number, stem in enumerate(stems)]
    expected = sorted(name for name in names if name[0] not in ".#_")
    assert discover._visible(list(names)) == expected
    assert discover._all_entry_names(names) == all(
        name.endswith((".yaml", ".yml")) for name in names
    )


def test_each_name_to_compile_is_the_one_in_the_order(tmp_path: Path) -> None:
    """One string per file, not two: at 100,000 files a second copy of each name
    raised a cold build's peak memory by 28 MB."""
    root, head = _site_with_head(tmp_path, 6)
    (root / "entries" / "e003.yaml").write_text("edited, and longer")
    scan = Scan(root, head, 0)
    [(_, shown)] = scan.todo
    assert shown == "entries/e003.yaml"
    assert any(name is shown for name in scan.order)
