"""The build cache never changes the result: incremental builds equal cold ones."""

from __future__ import annotations

import ast
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from feedpub.build import pipeline
from feedpub.cachefile import BODIES, CACHE_DIR, cache_key, read_head
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import StaleOutputError, build, cache, cachefile, fragments, workers
from feedpub.errors import FeedpubError

from .conftest import NOW, REPO, MakeSite, python_output, snapshot

CONFIGS = {
    "limit-0": "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\nlimit: 0\n",
    "archive": "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\nlimit: 2\n"
    "archive: true\n",
}


def body_file(root: Path) -> Path:
    """The body file the cache head names."""
    key = cache_key((root / "feedpub.yaml").read_bytes())
    head = read_head(str(root / CACHE_DIR), key)
    assert head is not None
    return root / CACHE_DIR / BODIES[head.body]


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
    [b"", b"garbage", b"\xff" * 100],
    ids=["empty", "garbage", "binary"],
)
@pytest.mark.parametrize("part", ["head.marshal", "body", "blobs.bin"])
def test_a_damaged_cache_means_a_cold_build(
    make_site: MakeSite, tmp_path: Path, part: str, damage: bytes
) -> None:
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    (root / "entries/e02.yaml").write_text(entry(2, "content: new\n"))
    (body_file(root) if part == "body" else root / CACHE_DIR / part).write_bytes(damage)
    build(root, now=NOW)
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_a_body_from_another_build_is_not_trusted(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    old_body = body_file(root).read_bytes()
    (root / "entries/e03.yaml").write_text(entry(3, "content: newer\n"))
    build(root, now=NOW)
    body_file(root).write_bytes(old_body)
    (root / "entries/e04.yaml").write_text(entry(4, "content: newest\n"))
    build(root, now=NOW)
    assert snapshot(root / "output") == cold(root, tmp_path)


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
    versions = cachefile.library_versions()
    assert "pyromark-" in versions and "nh3-" in versions and "feedgen-" in versions
    monkeypatch.setattr(cachefile, "library_versions", lambda: versions + "-upgraded")
    assert build(root, now=NOW).compiled == 5


def test_library_versions_come_from_the_first_metadata_folder_on_the_path(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "pyromark-9.1.dist-info").mkdir(parents=True)
    (second / "pyromark-1.0.dist-info").mkdir(parents=True)
    (second / "PyYAML-7.0-py3.11.egg-info").mkdir()
    found = cachefile.library_versions([str(tmp_path / "none"), str(first), str(second)])
    assert found == "pyromark-9.1 nh3-- feedgen-- lxml-- pyyaml-7.0"


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
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    parallel = tmp_path / "parallel"
    build(root, parallel, use_cache=False, jobs=2, now=NOW)
    assert snapshot(single) == snapshot(parallel)


def _spy_on_compiling_and_waiting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from feedpub import discover

    events: list[str] = []
    start, wait = workers.Compiling.__init__, discover.Scan._wait

    def started(self: workers.Compiling, *args: Any, **kwargs: Any) -> None:
        start(self, *args, **kwargs)
        events.append(f"compile {len(self.items)}")

    def waited(self: discover.Scan) -> None:
        events.append("wait")
        wait(self)

    monkeypatch.setattr(workers.Compiling, "__init__", started)
    monkeypatch.setattr(discover.Scan, "_wait", waited)
    return events


def test_a_cold_build_compiles_the_listed_files_before_it_looks_at_them(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedpub import discover

    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    root = make_site({f"e{i:02d}.yaml": entry(i, "content: '*x*'\n") for i in range(1, 21)})
    events = _spy_on_compiling_and_waiting(monkeypatch)
    build(root, now=NOW, jobs=2)
    assert events == ["compile 20", "wait"]
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_when_the_look_finds_other_files_than_listed_they_are_compiled_again(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder named like an entry file: the listing shows it, the look walks it."""
    from feedpub import discover

    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    files = {f"e{i:02d}.yaml": entry(i) for i in range(1, 21)}
    root = make_site({**files, "zz.yaml/e21.yaml": entry(21)})
    events = _spy_on_compiling_and_waiting(monkeypatch)
    build(root, now=NOW, jobs=2)
    assert events == ["compile 21", "wait", "compile 21"]  # all again, not the one missing
    assert snapshot(root / "output") == cold(root, tmp_path)
    assert "/e21/" in (root / "output/atom.xml").read_text()


@pytest.mark.parametrize("drafts", [False, True], ids=["entries", "no-entries"])
def test_a_documents_size_is_the_length_of_its_bytes(make_site: MakeSite, drafts: bool) -> None:
    """What the writer shares out by: counted alone, or with the spans."""
    from feedpub.buildstate import BuildState
    from feedpub.spill import SpillFolder

    from feedpub.read.config import load_config

    extra = "draft: true\n" if drafts else "content: '*x*'\n"
    root = make_site({f"e{i:02d}.yaml": entry(i, extra) for i in range(1, 8)}, CONFIGS["archive"])
    with SpillFolder() as spill:
        state = BuildState(load_config(root), cache.Index(""), spill)
        state.scan(root)
        state.collect(None)
        for doc in state.plan(NOW, future=False):
            for fmt in state.config.formats:
                alone, spanned = state.document(doc, fmt), state.document(doc, fmt)
                spanned.spans()
                assert alone.size() == spanned.size() == len(alone.to_bytes())
        state.store.close()


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _worker_fails_on_e07(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, fail: Callable[[str], object]
) -> Path:
    """A site whose worker calls ``fail`` instead of compiling entries/e07.yaml."""
    from feedpub.builder.compile import compile_file

    def compiling(path: str, shown: str, config: Any) -> Any:
        return fail(shown) if shown.endswith("e07.yaml") else compile_file(path, shown, config)

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "compile_file", compiling)
    return make_site({f"e{i:02d}.yaml": entry(i) for i in range(1, 21)})


def test_an_exception_in_a_worker_is_raised_here_and_no_worker_is_left(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(shown: str) -> None:
        raise LookupError("broken on purpose", shown)

    root = _worker_fails_on_e07(make_site, monkeypatch, fail)
    with pytest.raises(LookupError) as raised:
        build(root, now=NOW, jobs=2)
    assert raised.value.args == ("broken on purpose", "entries/e07.yaml")
    assert _no_child_left()
    assert not (root / "output").exists()


def test_a_worker_that_dies_is_a_one_line_error_and_no_worker_is_left(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _worker_fails_on_e07(make_site, monkeypatch, lambda shown: os._exit(9))  # killed
    with pytest.raises(FeedpubError, match="a worker process ended before its work was done"):
        build(root, now=NOW, jobs=2)
    assert _no_child_left()
    assert not (root / "output").exists()


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_fragments_cut_from_spill_blocks_give_the_same_bytes(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str
) -> None:
    """Documents read workers' spill files a block at a time; here the blocks are
    tiny and file names do not follow the dates, so blocks are read again and
    again, forwards and backwards."""
    shuffled = random.Random(5).sample(range(1, 29), 28)
    files = {
        f"e{name:02d}.yaml": entry(day, f"content: 'x{' *x*' * (day * 7 % 23)}'\n")
        for name, day in zip(range(1, 29), shuffled, strict=True)
    }
    root = make_site(files, config)
    single = tmp_path / "single"
    build(root, single, use_cache=False, jobs=1, now=NOW)
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(fragments, "_WINDOW", 2500)
    monkeypatch.setattr(fragments, "_BEHIND", 900)
    covered: list[bool] = []
    cut = fragments.FragmentStore._spilled

    def spied(store: fragments.FragmentStore, path: str, offset: int, length: int) -> bytes:
        start, block = store._windows.get(path, (-1, b""))
        covered.append(start <= offset and offset + length <= start + len(block))
        return cut(store, path, offset, length)

    monkeypatch.setattr(fragments.FragmentStore, "_spilled", spied)
    parallel = tmp_path / "parallel"
    build(root, parallel, use_cache=False, jobs=2, now=NOW)
    assert snapshot(single) == snapshot(parallel)
    assert covered.count(True) > 10 and covered.count(False) > 10  # cut, and read again


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_cache_written_by_workers_serves_the_next_builds(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str
) -> None:
    """Blobs and fragments that went through spill files come back from the cache body."""
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    root = make_site({f"e{i:02d}.yaml": entry(i, "content: '*x*'\n") for i in range(1, 21)}, config)
    build(root, now=NOW, jobs=2)
    for _, edit in EDITS[:3]:
        edit(root)
        build(root, now=NOW, jobs=2)
        assert snapshot(root / "output") == cold(root, tmp_path)
    build(root, now=NOW, jobs=2)  # and once more, from a body written by an incremental build
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_no_op_rebuild_does_not_load_the_heavy_libraries(make_site: MakeSite) -> None:
    """What keeps a 10,000-entry no-op rebuild near the cost of stat-ing the files."""
    root = make_site({"a.yaml": entry(1)})
    build(root, now=NOW)
    code = (
        "import sys; from pathlib import Path; from feedpub import build; "
        f"build(Path({str(root)!r})); "
        "heavy = ('lxml', 'feedgen', 'yaml', 'pyromark', 'nh3', '_hashlib'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = python_output(code)
    assert out.strip() == "[]"


def test_rendering_defers_dateutil_parts_feedgen_never_calls() -> None:
    code = (
        "import sys; import feedpub.formats.atom, feedpub.render.rss; "
        "print('dateutil.parser._parser' in sys.modules, 'importlib.resources' in sys.modules); "
        "import dateutil.parser, dateutil.tz; "
        "print(dateutil.parser.parse('2026-01-02T03:04:05Z').isoformat()); "
        "print(dateutil.tz.gettz('UTC') is not None, 'dateutil.parser._parser' in sys.modules)"
    )
    out = python_output(code)
    # Not loaded by rendering, yet there, whole, for anyone who asks.
    assert out.split("\n")[:3] == ["False False", "2026-01-02T03:04:05+00:00", "True True"]


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
    future dates; the blob file is rewritten whenever half of it is garbage."""
    monkeypatch.setattr(cache, "_SLACK", 0)
    rng = random.Random(seed)
    root = make_site({f"e{i:03d}.yaml": _random_entry(rng, i) for i in range(12)}, config=config)
    build(root, now=NOW)
    tokens = set()
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
        tokens.add((root / CACHE_DIR / cache.BLOBS).read_bytes()[:16])
    assert 1 < len(tokens) < 20  # the blob file was both appended to and rewritten


def test_builds_running_at_once_leave_a_cache_that_stays_correct(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Two processes build the same site while its entries change; afterwards
    every build must still equal a cold one (the blob file is appended under a lock)."""
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


def test_a_blob_file_damaged_inside_is_noticed(make_site: MakeSite, tmp_path: Path) -> None:
    """Same size, same token, other bytes: the checksums catch it, the entry
    files are read again, and index.html is what a cold build writes."""
    root = make_site({f"e0{i}.yaml": entry(i, f"content: body {i}\n") for i in range(1, 6)})
    build(root, now=NOW)
    blobs = root / CACHE_DIR / cache.BLOBS
    data = bytearray(blobs.read_bytes())
    data[16:] = bytes(b ^ 0x55 for b in data[16:])
    blobs.write_bytes(bytes(data))
    (root / "entries/e09.yaml").write_text(entry(9))
    build(root, now=NOW)
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_builds_take_turns_with_the_two_body_files(make_site: MakeSite, tmp_path: Path) -> None:
    """Each build writes the body file its head does not name, in place: a
    shorter body over a longer one is cut to its length, and the body the
    head names is never touched by a build that fails or stops before
    naming its own."""
    root = make_site({f"e{i:02d}.yaml": entry(i, "content: " + "x" * 500) for i in range(1, 13)})
    build(root, now=NOW)
    first = body_file(root)
    longest = first.stat().st_size
    for i in range(1, 9):  # shorter bodies from now on
        (root / f"entries/e{i:02d}.yaml").unlink()
    build(root, now=NOW)
    second = body_file(root)
    assert second != first
    (root / "entries/e03.yaml").write_text(entry(3))
    build(root, now=NOW)
    assert body_file(root) == first and first.stat().st_size < longest
    (root / "entries/e04.yaml").write_text(entry(4))
    assert build(root, now=NOW).compiled == 1  # the cut body loaded: not a cold build
    assert snapshot(root / "output") == cold(root, tmp_path)
    # A build that dies while writing its body leaves the other file damaged:
    # the head still names a whole one.
    assert body_file(root) == second
    first.write_bytes(b"half a body")
    (root / "entries/e05.yaml").write_text(entry(5))
    assert build(root, now=NOW).compiled == 1
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_a_body_damaged_inside_means_a_cold_build(make_site: MakeSite, tmp_path: Path) -> None:
    """Bytes changed where marshal still reads them (a date): the body's hash
    catches it, so no wrong date reaches the feeds."""
    root = make_site({f"e0{i}.yaml": entry(i) for i in range(1, 6)})
    build(root, now=NOW)
    body = body_file(root)
    damaged = body.read_bytes().replace(b"2026-01-05", b"2026-01-07")
    assert damaged != body.read_bytes()
    body.write_bytes(damaged)
    (root / "entries/e01.yaml").write_text(entry(1, "content: new\n"))
    assert build(root, now=NOW).compiled == 5
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_a_new_entry_of_a_known_shape_needs_neither_lxml_nor_feedgen(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Entry and frame templates learnt by earlier builds come back from the cache,
    so an incremental build in a new process fills them in, byte-identical."""
    # Four entries: one archive page of two; a fifth joins the main feed (no new page).
    root = make_site({f"e{i:02d}.yaml": entry(i) for i in range(1, 5)}, CONFIGS["archive"])
    build(root, now=NOW)
    (root / "entries" / "e09.yaml").write_text(entry(9))
    written, loaded = _build_in_a_new_process(root)
    assert "atom.xml" in written
    assert loaded == []
    assert snapshot(root / "output") == cold(root, tmp_path)


def _build_in_a_new_process(root: Path) -> tuple[list[str], list[str]]:
    """(files written, lxml and feedgen if loaded) by a build in a fresh interpreter."""
    code = (
        "import sys; from pathlib import Path; from feedpub import build; "
        f"print(build(Path({str(root)!r}), now=datetime.fromisoformat({NOW.isoformat()!r}))"
        ".written); print(sorted(m for m in ('lxml', 'feedgen') if m in sys.modules))"
    )
    written, loaded = python_output("from datetime import datetime; " + code).splitlines()
    return ast.literal_eval(written), ast.literal_eval(loaded)


def test_an_edit_of_an_archived_entry_needs_neither_lxml_nor_feedgen(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Archive pages share frame templates, page numbers cut in: rewriting the
    page of an edited old entry, in a new process, is byte-identical too."""
    # Nine entries: three archive pages of two (e04 on the middle one), three in the main feed.
    root = make_site({f"e{i:02d}.yaml": entry(i) for i in range(1, 10)}, CONFIGS["archive"])
    build(root, now=NOW)
    pages = sorted(p.name for p in (root / "output/archive/atom").iterdir())
    assert pages == ["1.xml", "2.xml", "3.xml"]
    (root / "entries" / "e04.yaml").write_text(entry(4).replace("Entry 4", "Entry four"))
    written, loaded = _build_in_a_new_process(root)
    assert "archive/atom/2.xml" in written and "archive/rss/2.xml" in written
    assert loaded == []
    assert snapshot(root / "output") == cold(root, tmp_path)


def test_templates_a_cache_cannot_be_read_with_are_learnt_again(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({f"e{i:02d}.yaml": entry(i) for i in range(1, 4)}, CONFIGS["archive"])
    monkeypatch.setattr(pipeline, "_learnt_templates", lambda config: {"entries": 5, "frames": []})
    build(root, now=NOW)
    monkeypatch.undo()
    (root / "entries" / "e09.yaml").write_text(entry(9))
    build(root, now=NOW)
    assert snapshot(root / "output") == cold(root, tmp_path)


@pytest.mark.parametrize("count", [300, 301, 1000, 9999, 10000, 100000])
def test_work_is_handed_out_in_order_with_small_last_chunks(count: int) -> None:
    items = [(str(i), str(i)) for i in range(count)]
    chunks = workers._chunked(items, 2)
    assert [item for chunk in chunks for item in chunk] == items
    starts = [int(chunk[0][0]) for chunk in chunks]
    tail = [len(chunk) for chunk, start in zip(chunks, starts, strict=True) if start >= count * 0.9]
    assert tail and max(tail) <= max(16, len(chunks[0]) // 8)
    assert len(chunks[0]) == max(16, count // 64)


@pytest.mark.parametrize("count", [300, 10_000, 1_000_000])
@pytest.mark.parametrize("jobs", [2, workers.MAX_WORKERS])
def test_chunk_numbers_fit_in_a_pipe_for_any_number_of_workers(count: int, jobs: int) -> None:
    """Workers take two-byte chunk numbers from a pipe written in full before they start."""
    assert 2 * len(workers._chunked([("", "")] * count, jobs)) <= 4096


def test_content_digests_are_sha256_whichever_implementation_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python's own SHA-256 for the first megabyte, OpenSSL's after: the same digests."""
    import hashlib

    from feedpub import cachefile

    blobs = [random.Random(n).randbytes(n * 997) for n in range(40)]
    expected = [hashlib.sha256(blob).hexdigest()[:32] for blob in blobs]
    monkeypatch.setattr(cachefile, "_hashed", 0)
    monkeypatch.setattr(cachefile, "_sha256", None)
    monkeypatch.setattr(cachefile, "_OPENSSL_FROM", 200_000)
    builtin, openssl = cachefile._builtin_sha256, cachefile._openssl_sha256
    lookups: list[str] = []

    def counted(name: str, lookup: Callable[[], Any]) -> Callable[[], Any]:
        def look() -> Any:
            lookups.append(name)
            return lookup()

        return look

    monkeypatch.setattr(cachefile, "_builtin_sha256", counted("builtin", builtin))
    monkeypatch.setattr(cachefile, "_openssl_sha256", counted("openssl", openssl))
    used = []
    for blob, want in zip(blobs, expected, strict=True):
        assert cachefile.digest(blob) == want
        used.append(cachefile._sha256)
    assert used[0] is builtin() and used[-1] is openssl()
    # Each looked up once: a failed import (no ``_sha2`` before Python 3.12) is
    # not remembered, so looking up on every call searched sys.path each time.
    assert lookups == ["builtin", "openssl"]


def test_when_files_were_added_a_child_looks_while_the_compilers_load(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a cold build (every file added) and after a build."""
    from feedpub import discover

    monkeypatch.setattr(discover, "SPLIT_AT", 4)
    root = make_site({f"e{i:02d}.yaml": entry(i, "content: '*x*'\n") for i in range(1, 21)})
    started: list[int] = []
    start = discover._start_look

    def counted(*args: Any) -> Any:
        started.append(1)
        return start(*args)

    monkeypatch.setattr(discover, "_start_look", counted)
    build(root, now=NOW)
    assert started == [1]  # cold
    (root / "entries/e21.yaml").write_text(entry(21))
    from feedpub.uptodate import Look

    Look(str(root), str(root / "output"), early=True).hand_over()  # as the console script does
    build(root, now=NOW)
    assert started == [1, 1]
    monkeypatch.setattr(discover, "_start_look", lambda *args: None)  # no child: look here
    assert snapshot(root / "output") == cold(root, tmp_path)
    (root / "entries" / "e21.yaml").write_text(entry(21))  # and an incremental one
    build(root, now=NOW)
    assert snapshot(root / "output") == cold(root, tmp_path)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=12), st.binary(max_size=5), st.binary(max_size=9))
def test_spans_say_where_each_fragment_lies_in_the_document(
    parts: list[bytes], separator: bytes, head: bytes
) -> None:
    store = fragments.FragmentStore()
    digests = [f"{number:032d}" for number in range(len(parts))]
    for digest, data in zip(digests, parts, strict=True):
        store.put(digest, data)
    document = fragments.Document(head, separator, b"</end>", b"<empty/>", digests, store)
    whole = document.to_bytes()
    spans = document.spans()
    assert len(spans) == len(parts)
    for digest, data in zip(digests, parts, strict=True):
        place = spans.get(digest)
        assert place is not None and whole[place[0] : place[0] + place[1]] == data
