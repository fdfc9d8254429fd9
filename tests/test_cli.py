"""The command line: exit codes, one-line messages, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import MakeSite, snapshot

GOOD = "title: Hello\ndate: 2026-01-01\nsummary: s\nlink: /hello/\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_reports_what_it_wrote(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD})
    code, out, err = run("build", "--root", str(root))
    assert (code, err) == (0, "")
    assert re.fullmatch(
        r"wrote 4 files \(atom\.xml, feed\.json, index\.html, rss\.xml\)"
        r" for 1 entry in \d+\.\d s\n",
        out,
    )
    code, out, _ = run("build", "-C", str(root))
    assert out == f"{root}/output already up to date (1 entry)\n"
    (root / "entries/a.yaml").write_text(GOOD.replace("summary: s", "summary: t"))
    lines = run("-v", "build", "-C", str(root))[1].splitlines()
    names = ("atom.xml", "feed.json", "index.html", "rss.xml")
    assert lines[:4] == [f"wrote {root}/output/{n}" for n in names]
    assert lines[4].startswith("wrote 4 files (atom.xml, feed.json, index.html, rss.xml) for 1 ")


def test_bad_entries_give_one_line_each_and_exit_1(make_site: MakeSite) -> None:
    root = make_site(
        {
            "a.yaml": GOOD,
            "b.yaml": "title: Fine\ndate: 2026-02-30\nsummary: s\n",
            "c.yaml": "tittle: Typo\ndate: 2026-01-01\nsummary: s\n",
        }
    )
    (root / "output").mkdir()
    (root / "output/atom.xml").write_text("previous")
    before = snapshot(root / "output")
    code, out, err = run("build", "-C", str(root))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        'entries/b.yaml:2: error: date: "2026-02-30" is not a valid date (write YYYY-MM-DD, '
        "YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset such as +02:00 or +0200)",
        "entries/c.yaml:1: error: tittle: unknown key (did you mean 'title'?)",
        "entries/c.yaml:1: error: title: is required (add a line 'title: ...')",
        "3 errors",
    ]
    assert "Traceback" not in err
    assert snapshot(root / "output") == before


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("build", "-C", str(tmp_path))
    assert code == 1
    assert err == (
        f"feedpub: error: no feedpub.yaml in {tmp_path} "
        "(run feedpub in your site folder, or pass --root DIR)\n"
    )


def test_usage_errors_exit_2() -> None:
    code, _, err = run("build", "--no-such-flag")
    assert code == 2
    assert "No such option" in err


def test_check_exits_1_when_output_is_stale(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD})
    code, _, err = run("build", "-C", str(root), "--check")
    assert code == 1
    assert "output is out of date: atom.xml, feed.json, index.html, rss.xml" in err
    assert not (root / "output").exists()
    run("build", "-C", str(root))
    code, out, _ = run("build", "-C", str(root), "--check")
    assert code == 0
    assert "is up to date" in out


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith("feedpub, version ")


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, name
        code, out, _ = run(name, "--help")
        assert code == 0
        assert "Examples:" in out, name


def test_python_m_feedpub_is_the_console_script() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "feedpub", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out == run("--version")[1] == "feedpub, version 0.1.0\n"


@pytest.mark.parametrize("kind", ["entry", "config"])
def test_schema_prints_the_shipped_schema(kind: str) -> None:
    import json

    from feedpub.commands.schema import load_schema

    code, out, _ = run("schema", kind)
    assert code == 0
    assert out == load_schema(kind)  # type: ignore[arg-type]
    assert json.loads(out)["$schema"].startswith("https://json-schema.org/")


def test_schema_refuses_unknown_kinds() -> None:
    assert run("schema", "feed")[0] == 2


def test_ctrl_c_during_a_build_says_interrupted_and_exits_130(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedpub.builder import writer

    root = make_site({"a.yaml": GOOD})

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "_replace_all", interrupted)
    code, out, err = run("build", "-C", str(root))
    assert (code, out, err) == (130, "", "interrupted\n")
    assert not (root / "output").exists() or not list((root / "output").iterdir())
    assert not list(root.glob(".output.feedpub-staging"))


def test_what_the_sanitizer_removes_is_a_warning_of_the_build(make_site: MakeSite) -> None:
    body = '\'<p onclick="x()">Hi</p><script>alert(1)</script><iframe src="https://v.example/e"></iframe>\''
    root = make_site({"a.yaml": GOOD + f"format: html\ncontent: {body}\n"})
    code, _, err = run("build", "-C", str(root))
    assert code == 0
    assert err == (
        "entries/a.yaml:6: warning: content: removed for safety: onclick attribute, <script>"
        " element, <iframe> element (replaced by a link) (readers would not run or show them;"
        " link to the page that has them instead)\n"
    )
    atom = (root / "output/atom.xml").read_text()
    assert "▶ embed: https://v.example/e" in atom and "script" not in atom
