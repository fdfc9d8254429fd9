"""Defects the old speed machinery had, each pinned by a test of what a user sees."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedpub import InputError, StaleOutputError, build
from feedpub.builder.pipeline import render_site
from feedpub.builder.writer import staging_dir
from feedpub.cli import cli
from feedpub.read import entry as entry_module

from .conftest import NOW, REPO, MakeSite, snapshot

ENTRY = "title: {title}\ndate: 2026-01-0{day}\nlink: /{day}/\nsummary: s\ncontent: {body}\n"


def entry(day: int, body: str = "Body.", title: str = "T") -> str:
    return ENTRY.format(title=title, day=day, body=body)


def test_an_apostrophe_in_a_url_is_spelled_alike_whatever_the_body_holds(
    make_site: MakeSite,
) -> None:
    plain = "'[a](https://x.example/it''s)'"
    with_html = "'[a](https://x.example/it''s) <span>raw</span>'"
    as_html = "'<a href=\"https://x.example/it''s\">a</a>'"
    root = make_site(
        {
            "a.yaml": entry(1, plain),
            "b.yaml": entry(2, with_html),
            "c.yaml": entry(3, as_html) + "format: html\n",
        }
    )
    atom = render_site(root, now=NOW)[1]["atom.xml"].decode()
    spellings = set(re.findall(r'href="(https://x\.example/[^"]*)"', atom))
    assert spellings == {"https://x.example/it's"}
    assert atom.count("x.example/it") == 3


def test_an_in_place_edit_keeping_size_and_mtime_is_caught_by_ctime(
    make_site: MakeSite,
) -> None:
    root = make_site({"a.yaml": entry(1, "aaaa")})
    path = root / "entries/a.yaml"
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(hour_ago, hour_ago))  # old enough to be trusted by its stat
    build(root, now=NOW)
    assert build(root, now=NOW).compiled == 0
    path.write_text(entry(1, "bbbb"))  # same size
    os.utime(path, ns=(hour_ago, hour_ago))  # same mtime; only ctime moved
    assert build(root, now=NOW).compiled == 1
    assert b"bbbb" in (root / "output/atom.xml").read_bytes()


@pytest.mark.parametrize("keep_mtimes", [True, False], ids=["cp-a", "cp-r"])
def test_a_copied_site_is_checked_once_then_trusted(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_mtimes: bool
) -> None:
    """Right after a clone or a copy every file looks new; its bytes are compared once."""
    root = make_site({f"e{day}.yaml": entry(day) for day in range(1, 8)})
    build(root, now=NOW)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, copy_function=shutil.copy2 if keep_mtimes else shutil.copy)
    time.sleep(0.05)  # past the file system's clock tick of the copy
    before = snapshot(copy / "output")
    first = build(copy, now=NOW)
    assert (first.compiled, first.rendered, first.written) == (0, 0, [])
    reads: list[str] = []
    real = entry_module.read_entry_file

    def counting(path: str, shown: str) -> tuple[bytes | None, object]:
        reads.append(shown)
        return real(path, shown)

    monkeypatch.setattr(entry_module, "read_entry_file", counting)
    assert build(copy, now=NOW).written == []
    assert reads == []  # trusted by their stat from now on
    assert snapshot(copy / "output") == before


def test_a_build_killed_while_writing_leaves_no_stray_file(make_site: MakeSite) -> None:
    root = make_site({f"e{day}.yaml": entry(day) for day in range(1, 4)})
    build(root, now=NOW)
    before = snapshot(root / "output")
    (root / "entries/e1.yaml").write_text(entry(1, "Changed."))
    code = (
        "import os, signal; from pathlib import Path; from feedpub.builder import writer\n"
        "def killed(*args):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "writer._replace_all = killed\n"
        "from feedpub import build\n"
        f"build(Path({str(root)!r}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True)
    assert run.returncode == -9
    assert snapshot(root / "output") == before  # nothing half-written, nothing extra
    assert staging_dir(root / "output").is_dir()  # the staged files, outside output/
    with pytest.raises(StaleOutputError, match=r"\.output\.feedpub-staging"):
        build(root, now=NOW, check=True)
    build(root, now=NOW)
    assert not staging_dir(root / "output").exists()
    assert b"Changed." in (root / "output/atom.xml").read_bytes()


def test_temporary_files_an_older_version_left_are_reported_then_removed(
    make_site: MakeSite,
) -> None:
    root = make_site({"e1.yaml": entry(1)})
    build(root, now=NOW)
    (root / "output/.feedpub-tmp-atom.xml").write_text("half a feed")
    with pytest.raises(StaleOutputError, match=r"\.feedpub-tmp-atom\.xml"):
        build(root, now=NOW, check=True)
    build(root, now=NOW)
    assert not (root / "output/.feedpub-tmp-atom.xml").exists()


@pytest.mark.parametrize("how", ["missing", "dangling-link", "a-file"])
def test_a_missing_entries_folder_is_an_error_not_an_empty_feed(
    make_site: MakeSite, how: str
) -> None:
    root = make_site({"e1.yaml": entry(1)})
    build(root, now=NOW)
    before = snapshot(root / "output")
    shutil.rmtree(root / "entries")
    if how == "dangling-link":
        (root / "entries").symlink_to(root / "moved-away")
    elif how == "a-file":
        (root / "entries").write_text("")
    result = CliRunner().invoke(cli, ["build", "-C", str(root)])
    assert result.exit_code == 1
    expected = (
        "entries/: error: is not a folder"
        if how == "a-file"
        else "entries/: error: cannot read entries/: No such file or directory (create the"
        " folder or run feedpub in your site folder (it holds entries/))"
    )
    assert result.stderr.splitlines() == [expected]
    assert snapshot(root / "output") == before


def test_an_unreadable_subfolder_is_an_error(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"e1.yaml": entry(1), "2025/e2.yaml": entry(2)})
    real = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("2025"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputError) as caught:
        build(root, now=NOW)
    assert str(caught.value) == (
        "entries/2025/: error: cannot read folder: Permission denied (fix its permissions,"
        " or move it out of entries/)"
    )
    assert not (root / "output").exists()


def test_a_symlink_loop_is_reported_once(make_site: MakeSite) -> None:
    root = make_site({"e1.yaml": entry(1), "sub/e2.yaml": entry(2)})
    (root / "entries/sub/loop").symlink_to(root / "entries")
    with pytest.raises(InputError) as caught:
        build(root, now=NOW)
    assert str(caught.value) == ("entries/sub/loop: error: symbolic link loop (remove the link)")


def test_a_file_name_the_file_system_refuses_is_a_clean_error(make_site: MakeSite) -> None:
    name = "f" * 300 + ".xml"
    config = (
        "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\n"
        f"filenames: {{atom: {name}}}\n"
    )
    root = make_site({"e1.yaml": entry(1)}, config=config)
    result = CliRunner().invoke(cli, ["build", "-C", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        "feedpub.yaml:5: error: filenames.atom: is 304 bytes long; file systems allow 255"
        " (choose a shorter name, such as feed.xml)\n"
    )


def test_ctrl_c_during_a_parallel_build_stops_it_cleanly(make_site: MakeSite) -> None:
    """The terminal sends SIGINT to the whole process group: workers included."""
    import signal

    root = make_site({f"e{n:04d}.yaml": entry(1 + n % 9, f"Body {n}.") for n in range(4000)})
    (root / "output").mkdir()
    (root / "output/atom.xml").write_text("previous")
    before = snapshot(root / "output")
    run = subprocess.Popen(
        [sys.executable, "-m", "feedpub", "build", "-C", str(root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    time.sleep(0.6)  # into compiling (4,000 entries take a few seconds here)
    os.killpg(run.pid, signal.SIGINT)
    _out, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert err.decode() == "interrupted\n"
    interrupted = snapshot(root / "output")
    assert not staging_dir(root / "output").exists()
    build(root)
    # Nothing half-written: the output as it was, or (stopped after the renames) whole.
    assert interrupted in (before, snapshot(root / "output"))
