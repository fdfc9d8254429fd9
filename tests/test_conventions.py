"""What every command shares: -q/-v, colour rules, progress bars, -C, docs that cover it all."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedpub.cli import PROGRESS_MIN_ENTRIES, cli

from .conftest import REPO, MakeSite

GOOD = "title: Hello\ndate: 2026-01-01\nsummary: s\nlink: /hello/\n"
NO_LINK = "title: Bare\ndate: 2026-01-02\nsummary: s\n"
ANSI = "\x1b["


def invoke(
    *args: str, color: bool = False, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, list(args), color=color)
    return result.exit_code, result.stdout, result.stderr


def test_colour_is_used_on_terminals_but_never_with_no_color(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD, "b.yaml": "title: [\n"})
    # color=True makes CliRunner behave like a terminal
    code, _, err = invoke("build", "-C", str(root), color=True, env={"NO_COLOR": ""})
    assert code == 1
    assert f"{ANSI}31" in err  # "error" in red
    code, _, err = invoke("build", "-C", str(root), color=True, env={"NO_COLOR": "1"})
    assert code == 1
    assert ANSI not in err
    assert "entries/b.yaml:2: error: invalid YAML" in err
    (root / "entries/b.yaml").write_text(GOOD.replace("Hello", "Other"))
    code, out, _ = invoke("list", "-C", str(root), color=True, env={"NO_COLOR": ""})
    assert f"{ANSI}32mpublished" in out
    code, out, _ = invoke("list", "-C", str(root), color=True, env={"NO_COLOR": "1"})
    assert ANSI not in out
    # not a terminal: no colour either
    code, out, err = invoke("list", "-C", str(root))
    assert ANSI not in out + err


def test_quiet_keeps_results_and_errors_only(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD})
    assert invoke("-q", "build", "-C", str(root)) == (0, "", "")
    assert (root / "output/atom.xml").is_file()
    code, out, _ = invoke("-q", "list", "-C", str(root), "--format", "json")
    assert '"title": "Hello"' in out  # a result, not chatter
    (root / "entries/b.yaml").write_text("title: [\n")
    code, out, err = invoke("--quiet", "build", "-C", str(root))
    assert (code, out) == (1, "")
    assert err.startswith("entries/b.yaml:2: error:")


def test_verbose_shows_every_warning(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD, "b.yaml": NO_LINK})
    _, _, err = invoke("build", "-C", str(root))
    assert err == (
        "entries/b.yaml:1: warning: link: is missing (readers cannot open the entry on the web)\n"
    )
    (root / "output/atom.xml").unlink()
    _, out, err = invoke("-v", "build", "-C", str(root))
    assert err == (
        "entries/b.yaml:1: warning: link: is missing (readers cannot open the entry on the web)\n"
    )
    assert out.startswith("wrote ")


def test_quiet_and_verbose_together_is_a_usage_error() -> None:
    code, _, err = invoke("-q", "-v", "list")
    assert code == 2
    assert "--quiet and --verbose cannot be used together" in err


def test_every_site_command_takes_root() -> None:
    site_free = {"schema"}  # prints a file shipped in the package; no site involved
    for name, command in cli.commands.items():
        if name in site_free:
            continue
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"-C", "--root"} <= options, name


def test_group_help_lists_every_command_with_examples() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    assert "Examples:" in out
    for name in ("init", "new", "list", "serve", "ping", "build", "check", "diff"):
        assert f"  {name} " in out, name
    for flag in ("-q, --quiet", "-v, --verbose", "--version"):
        assert flag in out


def test_readme_shows_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"| `feedpub {name}" in readme, name  # a row of the commands table
        assert command.help and "Examples:" in command.help, name
    assert "_FEEDPUB_COMPLETE=bash_source feedpub" in readme
    assert "feedpub build --check" in readme


def _many_entries(make_site: MakeSite) -> Path:
    count = PROGRESS_MIN_ENTRIES + 1
    return make_site(
        {
            f"e{i:04d}.yaml": f"title: Entry {i}\ndate: 2025-01-01\nsummary: s\nlink: /e{i}/\n"
            for i in range(count)
        }
    )


def test_big_builds_show_a_progress_bar_on_a_terminal_only(make_site: MakeSite) -> None:
    root = _many_entries(make_site)
    try:
        leader, follower = pty.openpty()
    except OSError:
        pytest.skip("this machine has no pseudo-terminals")
    try:
        process = subprocess.run(
            [sys.executable, "-m", "feedpub", "build", "-C", str(root)],
            stdout=subprocess.PIPE,
            stderr=follower,
            stdin=subprocess.DEVNULL,
            timeout=300,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "NO_COLOR"},
        )
        os.close(follower)
        follower = -1
        terminal = _read_all(leader)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert process.returncode == 0
    assert b" for 50 entries in " in process.stdout
    assert "reading entries" in terminal
    assert "100%" in terminal
    # the same build with stderr not a terminal: no bar
    (root / "output/atom.xml").unlink()
    code, out, err = invoke("build", "-C", str(root))
    assert (code, err) == (0, "")
    assert " for 50 entries in " in out


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side is closed and drained (Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("name", ["init", "new", "list", "serve", "ping"])
def test_new_commands_have_examples(name: str) -> None:
    code, out, _ = invoke(name, "--help")
    assert code == 0
    examples = out.split("Examples:")[1]
    assert f"feedpub {name}" in examples or "feedpub -v serve" in examples


def test_shell_completion_completes_commands() -> None:
    env = {**os.environ, "COMP_WORDS": "feedpub se", "COMP_CWORD": "1"}
    env["_FEEDPUB_COMPLETE"] = "bash_complete"
    result = subprocess.run(
        [sys.executable, "-m", "feedpub"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["plain,serve"]
    env["_FEEDPUB_COMPLETE"] = "bash_source"
    result = subprocess.run(
        [sys.executable, "-m", "feedpub"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "_feedpub_completion()" in result.stdout
