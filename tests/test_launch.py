"""The console script answers a no-op ``build`` itself, exactly as the CLI would."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedpub import build
from feedpub._launch import path_text

from .conftest import BASIC_CONFIG, NOW, REPO, MakeSite

ENTRY = "title: One\ndate: 2026-01-01\nlink: /one/\nsummary: s\n"
NO_LINK = "title: Two\ndate: 2026-01-02\nsummary: s\n"  # one warning: no link

LAUNCHER = (
    "import atexit, os, sys\n"
    "atexit.register(lambda: open(os.environ['MARK'], 'w').write(str('click' in sys.modules)))\n"
    "from feedpub._launch import main\n"
    "main()\n"
)
CLICK_CLI = "from feedpub.cli import main\nmain()\n"


def run(program: str, argv: list[str], cwd: Path, tmp: Path) -> tuple[int, str, str, bool]:
    """Exit code, stdout, stderr, and whether click was imported."""
    mark = tmp / "mark"
    mark.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", program, *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "MARK": str(mark), "PYTHONPATH": str(REPO / "src")},
    )
    loaded = mark.read_text() == "True" if mark.exists() else True
    return done.returncode, done.stdout, done.stderr, loaded


@pytest.mark.parametrize(
    "argv",
    [
        ["build"],
        ["-q", "build"],
        ["--debug", "build"],
        ["build", "-C", "site"],
        ["build", "--root=site"],
        ["build", "--root", "site/", "-o", "site/output"],
        ["-v", "build", "-C", "site"],
    ],
)
def test_no_op_build_answers_like_the_cli_without_click(
    make_site: MakeSite, tmp_path: Path, argv: list[str]
) -> None:
    root = make_site({"a.yaml": ENTRY})
    build(root, now=NOW)
    cwd = root if "site" not in " ".join(argv) else root.parent
    expected = run(CLICK_CLI, argv, cwd, tmp_path)
    got = run(LAUNCHER, argv, cwd, tmp_path)
    assert got[:3] == expected[:3]
    assert expected[0] == 0
    assert ("-q" in argv) != ("already up to date (1 entry)" in expected[1])
    assert got[3] is False, "a no-op build must not load click"


def test_a_no_op_build_loads_neither_typing_nor_re(make_site: MakeSite, tmp_path: Path) -> None:
    """Together they cost a no-op build at 10,000 entries 6-9 ms of its 0.13 s."""
    root = make_site({"a.yaml": ENTRY})
    build(root, now=NOW)
    bare = subprocess.run(
        [sys.executable, "-c", "import sys; print(sorted({'re', 'typing'} & set(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    if bare.stdout.strip() != "[]":
        pytest.skip(f"this interpreter loads {bare.stdout.strip()} at start-up")
    program = LAUNCHER.replace(
        "'click' in sys.modules", "bool({'re', 'typing'} & set(sys.modules))"
    )
    code, out, _, loaded = run(program, ["build"], root, tmp_path)
    assert (code, out) == (0, "output already up to date (1 entry)\n")
    assert loaded is False


def test_warnings_are_counted_or_printed_like_the_cli(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"a.yaml": ENTRY, "b.yaml": NO_LINK})
    build(root, now=NOW)
    quiet = run(LAUNCHER, ["build"], root, tmp_path)
    assert quiet[:3] == run(CLICK_CLI, ["build"], root, tmp_path)[:3]
    assert "1 warning(s)" in quiet[2] and quiet[3] is False
    verbose = run(LAUNCHER, ["-v", "build"], root, tmp_path)
    assert verbose[:3] == run(CLICK_CLI, ["-v", "build"], root, tmp_path)[:3]
    assert "entries/b.yaml:1: warning: link" in verbose[2]
    assert verbose[3] is False, "piped: the full build prints them, without click"


@pytest.mark.parametrize(
    "argv", [["build", "--future"], ["build", "--check"], ["-q", "-v", "build"], ["build", "-x"]]
)
def test_anything_else_goes_to_the_cli(
    make_site: MakeSite, tmp_path: Path, argv: list[str]
) -> None:
    root = make_site({"a.yaml": ENTRY})
    build(root, now=NOW)
    got = run(LAUNCHER, argv, root, tmp_path)
    assert got[:3] == run(CLICK_CLI, argv, root, tmp_path)[:3]
    assert got[3] is True


def test_a_build_with_work_runs_without_click_and_says_the_same(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Piped output (CI, hooks): the build itself runs without click, same words."""
    root = make_site({"a.yaml": ENTRY})
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)
    for site in (root, twin):
        (site / "entries" / "b.yaml").write_text(NO_LINK)
    got = run(LAUNCHER, ["build"], root, tmp_path)
    expected = run(CLICK_CLI, ["build"], twin, tmp_path)
    assert got[:3] == expected[:3]
    assert got[0] == 0 and "wrote output/atom.xml" in got[1] and "1 warning(s)" in got[2]
    assert got[3] is False
    assert (root / "output" / "atom.xml").read_bytes() == (
        twin / "output" / "atom.xml"
    ).read_bytes()
    code, out, _, loaded = run(LAUNCHER, ["build"], root, tmp_path)
    assert (code, out, loaded) == (0, "output already up to date (2 entries)\n", False)


@pytest.mark.parametrize("argv", [["build"], ["-v", "build"], ["-q", "build"]])
def test_a_failing_build_reports_like_the_cli(
    make_site: MakeSite, tmp_path: Path, argv: list[str]
) -> None:
    root = make_site({"a.yaml": ENTRY, "b.yaml": "title: [broken\n", "c.yaml": "date: x\n"})
    got = run(LAUNCHER, argv, root, tmp_path)
    assert got[:3] == run(CLICK_CLI, argv, root, tmp_path)[:3]
    assert got[0] == 1 and "entries/b.yaml:2: error:" in got[2] and got[2].endswith(" errors\n")
    assert got[3] is False
    assert not (root / "output").exists()


def test_a_terminal_or_debug_gets_the_click_cli(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"a.yaml": ENTRY})
    assert run(LAUNCHER, ["--debug", "build"], root, tmp_path)[3] is True


@given(st.text(alphabet="a./", max_size=12))
def test_output_folder_is_named_as_pathlib_names_it(text: str) -> None:
    assert path_text(text) == str(PurePosixPath(text))


def _entry(i: int) -> str:
    if i % 2:  # no link (a warning), HTML content, an image
        return (
            f"title: Note {i}\ndate: 2026-02-{1 + i % 28:02d}T10:00:00+01:00\n"
            f"summary: s\ncontent: '<p>Hi <a href=\"/n/{i}\">n</a></p>'\nformat: html\n"
            f"image: {{url: /i/{i}.png, alt: A}}\n"
        )
    return (
        f"title: 'R&D {i}: 3 < 4'\ndate: 2026-01-{1 + i % 28:02d}\nlink: /e{i}/\n"
        f"author: {{name: Zoë Writer, email: zoe@example.org}}\nsummary: s\n"
        f"content: '*Body* [link](../x/{i}) `code`'\ntags: [a, 'b & c']\n"
        f"enclosures:\n  - {{url: /m/{i}.mp3, type: audio/mpeg, length: 12345}}\n"
    )


def _cyclic_garbage_of_builds(make_site: MakeSite, count: int) -> int:
    """Unreachable cycles left by a cold build of ``count`` entries, then one more added."""
    config = BASIC_CONFIG + "archive: true\nlimit: 4\nformats: [atom, rss, json]\n"
    root = make_site({f"e{i:03d}.yaml": _entry(i) for i in range(count)}, config=config)
    gc.collect()
    gc.disable()
    try:
        build(root, now=NOW, jobs=1)
        (root / "entries" / "new.yaml").write_text(_entry(count))
        build(root, now=NOW, jobs=1)
        return gc.collect()
    finally:
        gc.enable()


def test_the_cycle_collector_has_nothing_per_entry_to_free(make_site: MakeSite) -> None:
    """The console script turns the cycle collector off (about 30 ms at 10,000
    entries): then any reference cycle made per entry would only be freed at
    exit. A build leaves a few cycles of its own (threads, a JSON encoder),
    never more for more entries."""
    _cyclic_garbage_of_builds(make_site, 2)  # imports, first-use caches
    shutil.rmtree(make_site({}))
    few = _cyclic_garbage_of_builds(make_site, 4)
    shutil.rmtree(make_site({}))
    many = _cyclic_garbage_of_builds(make_site, 60)
    assert many == few
