"""The build cache never changes the result: incremental builds equal cold ones."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedpub import StaleOutputError, build
from feedpub.builder import cache, parallel
from feedpub.builder.cache import CACHE_DIR

from .conftest import NOW, REPO, MakeSite, python_output, snapshot

CONFIGS = {
    "limit-0": "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\nlimit: 0\n",
    "archive": "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\nlimit: 2\n"
    "archive: true\n",
}


def entry(i: int, extra: str = "") -> str:
    return f"title: Entry {i}\ndate: 2026-01-{i:02d}\nlink: /e{i}/\nsummary: s{i}\n{extra}"


def cold(root: Path, tmp: Path, **kwargs: object) -> dict[str, bytes]:
    out = tmp / f"cold-{time.monotonic_ns()}"
    build(root, out, use_cache=False, now=kwargs.get("now", NOW))  # type: ignore[arg-type]
    return snapshot(out)


Edit = Callable[[Path], object]


def _write(name: str, text: str) -> Edit:
    return lambda root: (root / "entries" / name).write_text(text)


EDITS: list[tuple[str, Edit]] = [
    ("add", _write("e09.yaml", entry(9))),
    ("edit-content", _write("e02.yaml", entry(2, "content: Changed *body*\n"))),
    ("edit-title", _write("e03.yaml", entry(3).replace("Entry 3", "Entry three"))),
    ("delete", lambda root: (root / "entries/e04.yaml").unlink()),
    ("draft", _write("e05.yaml", entry(5, "draft: true\n"))),
    ("rename", lambda root: (root / "entries/e06.yaml").rename(root / "entries/x.yaml")),
    ("back-dated", _write("e00.yaml", "title: Old\ndate: 2025-12-31\nlink: /old/\nsummary: o\n")),
    ("config", lambda root: (root / "feedpub.yaml").write_text(
        (root / "feedpub.yaml").read_text().replace("title: T", "title: Renamed"))),
]  # fmt: skip


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_every_incremental_build_equals_a_cold_build(
    make_site: MakeSite, tmp_path: Path, config: str
) -> None:
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 9)}, config=config)
    build(root, now=NOW)
    for name, edit in EDITS:
        edit(root)
        result = build(root, now=NOW, accept_id_changes=True)
        assert snapshot(root / "output") == cold(root, tmp_path), name
        assert result.compiled <= (9 if name == "config" else 1), name


def test_a_no_op_rebuild_compiles_and_renders_nothing(make_site: MakeSite) -> None:
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    result = build(root, now=NOW)
    assert (result.compiled, result.rendered, result.written) == (0, 0, [])
    assert result.entry_count == 5


def test_a_future_entry_is_published_when_its_time_comes(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": entry(1), "b.yaml": entry(2).replace("2026-01-02", "2026-12-01")})
    assert build(root, now=NOW).entry_count == 1
    assert build(root, now=NOW).entry_count == 1
    later = datetime(2026, 12, 2, tzinfo=UTC)
    assert build(root, now=later).entry_count == 2


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage", b"\xff" * 100, b"SQLite format 3\x00" + b"\x00" * 200],
    ids=["empty", "garbage", "binary", "torn"],
)
def test_a_damaged_cache_means_a_cold_build(
    make_site: MakeSite, tmp_path: Path, damage: bytes
) -> None:
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    (root / "entries/e02.yaml").write_text(entry(2, "content: new\n"))
    (root / CACHE_DIR / "cache.sqlite3").write_bytes(damage)
    result = build(root, now=NOW)
    assert snapshot(root / "output") == cold(root, tmp_path)
    assert result.compiled == 5
    if damage:  # an empty file is a new, empty database to SQLite
        assert result.notice is not None and "building from scratch" in result.notice
    assert build(root, now=NOW).compiled == 0  # and the cache works again


def test_deleting_the_cache_is_safe(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    for path in (root / CACHE_DIR).iterdir():
        path.unlink()
    (root / CACHE_DIR).rmdir()
    assert build(root, now=NOW).compiled == 5
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_a_cache_made_with_other_rendering_libraries_is_not_trusted(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upgrading pyromark, nh3 or feedgen can change fragments' bytes."""
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    assert build(root, now=NOW).compiled == 0
    assert {"pyromark", "nh3", "feedgen"} <= set(cache.SHAPING_LIBRARIES)
    real = cache._installed
    monkeypatch.setattr(cache, "_installed", lambda name: real(name) + " upgraded")
    assert build(root, now=NOW).compiled == 5


def test_an_output_file_edited_by_hand_is_rewritten(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    (root / "output/atom.xml").write_text("hand edit")
    result = build(root, now=NOW)
    assert result.written == ["atom.xml"]
    assert snapshot(root / "output") == cold(root, tmp_path)


@pytest.mark.parametrize("check", [False, True])
def test_an_output_edited_behind_the_caches_back_is_not_reused(
    make_site: MakeSite, tmp_path: Path, check: bool
) -> None:
    """Same size, same mtime, other bytes: its fragments fail their hash when read."""
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)}, config=CONFIGS["limit-0"])
    build(root, now=NOW)
    for name in ("atom.xml", "rss.xml"):
        path = root / "output" / name
        stat = path.stat()
        path.write_bytes(path.read_bytes().replace(b"Entry 3", b"Entry X"))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _write("e09.yaml", entry(9))(root)  # the main documents must be rendered again
    if check:
        with pytest.raises(StaleOutputError):
            build(root, now=NOW, check=True)
    build(root, now=NOW)
    assert snapshot(root / "output") == cold(root, tmp_path)
    assert b"Entry X" not in (root / "output/atom.xml").read_bytes()


def test_same_size_edit_that_keeps_mtime_is_caught(make_site: MakeSite, tmp_path: Path) -> None:
    """Within the racy window stat is not proof: the content hash decides."""
    root = make_site({"a.yaml": entry(1, "content: aaaa\n")})
    build(root, now=NOW)
    path = root / "entries/a.yaml"
    stat = path.stat()
    path.write_text(entry(1, "content: bbbb\n"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert build(root, now=NOW).compiled == 1
    assert b"bbbb" in (root / "output/atom.xml").read_bytes()


def test_worker_processes_give_the_same_bytes(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({f"e{i:02d}.yaml": entry(i, "content: '*x*'\n") for i in range(1, 21)})
    single = tmp_path / "single"
    build(root, single, use_cache=False, jobs=1, now=NOW)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 1)
    in_workers = tmp_path / "parallel"
    build(root, in_workers, use_cache=False, jobs=2, now=NOW)
    assert snapshot(single) == snapshot(in_workers)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_cache_written_by_workers_serves_the_next_builds(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str
) -> None:
    """Entries and fragments compiled by workers come back from the cache."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 1)
    root = make_site({f"e{i:02d}.yaml": entry(i, "content: '*x*'\n") for i in range(1, 21)}, config)
    build(root, now=NOW, jobs=2)
    for _, edit in EDITS[:3]:
        edit(root)
        build(root, now=NOW, jobs=2)
        assert snapshot(root / "output") == cold(root, tmp_path)
    build(root, now=NOW, jobs=2)  # and once more, from a cache an incremental build wrote
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_no_op_rebuild_does_not_load_the_heavy_libraries(make_site: MakeSite) -> None:
    """What keeps a 10,000-entry no-op rebuild near the cost of stat-ing the files."""
    root = make_site({"a.yaml": entry(1)})
    build(root, now=NOW)
    code = (
        "import sys; from pathlib import Path; from feedpub import build; "
        f"build(Path({str(root)!r})); "
        "heavy = ('lxml', 'feedgen', 'yaml', 'pyromark', 'nh3', 'click'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = python_output(code)
    assert out.strip() == "[]"


def _random_entry(rng: random.Random, number: int) -> str:
    day, hour = rng.randint(1, 28), rng.choice([0, 12])  # equal dates happen: ties by id
    zone = rng.choice(["Z", "+02:00"])
    text = f"title: Entry {number} v{rng.randint(0, 99)}\n"
    text += f"date: 2026-0{rng.randint(1, 3)}-{day:02d}T{hour:02d}:00:00{zone}\n"
    text += f"summary: s{rng.random()}\n"
    if rng.random() < 0.9:
        text += f"link: /e{number}/\n"  # else a warning, which must follow its file
    if rng.random() < 0.3:
        text += f"updated: 2026-0{rng.randint(4, 9)}-01T00:00:00{zone}\n"
    if rng.random() < 0.1:
        text += "draft: true\n"
    if rng.random() < 0.1:
        text = text.replace("date: 2026", "date: 2027")  # not due yet
    return text


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_random_edit_sequences_equal_cold_builds(
    make_site: MakeSite, tmp_path: Path, config: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adds, edits, deletes and renames in random order, with ties, zones, drafts and
    future dates."""
    rng = random.Random(seed)
    root = make_site({f"e{i:03d}.yaml": _random_entry(rng, i) for i in range(12)}, config=config)
    build(root, now=NOW)
    for step in range(20):
        files = sorted((root / "entries").iterdir())
        for _ in range(rng.randint(1, 3)):
            action = rng.choice(["add", "edit", "edit", "delete", "rename"])
            if action == "add" or len(files) < 4:
                number = 100 + 10 * step + rng.randint(0, 9)
                (root / "entries" / f"e{number:03d}.yaml").write_text(_random_entry(rng, number))
                continue
            victim = files.pop(rng.randrange(len(files)))
            if action == "edit":
                victim.write_text(_random_entry(rng, int(victim.stem.lstrip("ex"))))
            elif action == "delete":
                victim.unlink()
            else:
                victim.rename(victim.with_name(f"x{victim.name}"))
        build(root, now=NOW, accept_id_changes=True)
        assert snapshot(root / "output") == cold(root, tmp_path), f"step {step}"


def test_builds_running_at_once_leave_a_cache_that_stays_correct(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Two processes build the same site while its entries change; afterwards
    every build must still equal a cold one (SQLite takes the writer's lock)."""
    root = make_site({f"e{i:02d}.yaml": entry(i) for i in range(1, 13)})
    build(root, now=NOW)
    code = (
        "import sys; from datetime import datetime, UTC; from pathlib import Path; "
        "from feedpub import build\n"
        "for i in range(8):\n"
        f"    build(Path({str(root)!r}), now=datetime(2026, 11, 1, tzinfo=UTC),"
        " accept_id_changes=True)\n"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for i in range(20):
        # Whole files only (renamed into place): a build must never see half an edit.
        temp = root / f"edit-{i}.tmp"
        temp.write_text(entry(i % 12 + 1, f"content: edit {i} {'x' * 200 * i}\n"))
        os.replace(temp, root / "entries" / f"e{i % 12 + 1:02d}.yaml")
        time.sleep(0.02)
    errors = [run.communicate(timeout=120)[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    for i in range(1, 4):
        (root / "entries" / f"e{i:02d}.yaml").write_text(entry(i, "content: final\n"))
        build(root, now=NOW, accept_id_changes=True)
        assert snapshot(root / "output") == cold(root, tmp_path)


def test_warnings_leave_with_their_file(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"e1.yaml": entry(1), "e2.yaml": entry(2), "w.yaml": entry(3, "")})
    (root / "entries/w.yaml").write_text("title: No link\ndate: 2026-01-03\nsummary: s\n")
    assert [p.path for p in build(root, now=NOW).warnings] == ["entries/w.yaml"]
    (root / "entries/w.yaml").rename(root / "entries/x.yaml")
    assert [p.path for p in build(root, now=NOW).warnings] == ["entries/x.yaml"]
    (root / "entries/x.yaml").unlink()
    assert build(root, now=NOW).warnings == ()
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_a_cache_with_tables_of_another_shape_is_replaced(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """What an older feedpub left: the same file name, other columns, another key."""
    import sqlite3

    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 4)})
    (root / CACHE_DIR).mkdir()
    db = sqlite3.connect(root / CACHE_DIR / "cache.sqlite3")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('key', 'an older feedpub')")
    db.execute("CREATE TABLE files (shown TEXT PRIMARY KEY, other INTEGER)")
    db.commit()
    db.close()
    assert build(root, now=NOW).compiled == 3
    assert build(root, now=NOW).compiled == 0
    assert snapshot(root / "output") == cold(root, tmp_path)
