"""Finding changed entry files: the block-wise comparison and the split stat calls."""

from __future__ import annotations

import os
import threading
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import discover
from feedpub.cachefile import Head
from feedpub.discover import _differences, entry_stats

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
