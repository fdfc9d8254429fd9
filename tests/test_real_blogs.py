"""What real blogs write and publish: every message compared as the full printed line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import MakeSite

NO_AUTHOR = "title: T\ndescription: D\nurl: https://example.org/\n"
GOOD = "title: Good\ndate: 2026-01-01\nlink: /good/\nsummary: Fine.\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def errors(root: Path, command: str = "build") -> list[str]:
    """The error lines a build (or check) prints, in order."""
    return [line for line in run(command, "-C", str(root))[2].splitlines() if ": error: " in line]


# -- authors: Atom needs one on every entry -------------------------------------------


def test_each_entry_without_an_author_is_refused_when_the_site_has_none(
    make_site: MakeSite,
) -> None:
    root = make_site(
        {"a.yaml": GOOD, "b.yaml": GOOD + "author: Ana\n", "c.yaml": "# note\n" + GOOD},
        config=NO_AUTHOR,
    )
    expected = [
        f"entries/{name}: error: author: no author for this entry (Atom needs one: add "
        "'author: Your Name' to feedpub.yaml, or to the entry)"
        for name in ("a.yaml:1", "c.yaml:2")
    ]
    assert errors(root) == expected
    assert errors(root, "check") == expected
    assert not (root / "output").exists()


def test_a_site_author_or_no_atom_needs_no_entry_author(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": GOOD}, config=NO_AUTHOR + "author: Site\n")
    assert run("build", "-C", str(root))[0] == 0
    root = make_site({"a.yaml": GOOD}, config=NO_AUTHOR + "formats: [rss, json]\n")
    assert run("build", "-C", str(root))[0] == 0
