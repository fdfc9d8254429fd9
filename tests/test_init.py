"""``feedpub init``: a site that builds at once, prompts only on a terminal, never overwrites."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from feedpub.cli import cli
from feedpub.commands import site_cli as cli_authoring

from .conftest import snapshot

FLAGS = [
    "--title",
    "Mes notes",
    "--url",
    "https://example.org/notes/",
    "--language",
    "fr",
    "--author",
    "Ana <ana@example.org>",
    "--timezone",
    "Europe/Paris",
]


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def no_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if feedpub.commands.schema did not exist (a None entry makes the import fail)."""
    monkeypatch.setitem(sys.modules, "feedpub.commands.schema", None)


@pytest.fixture
def fake_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("feedpub.commands.schema")
    module.load_schema = lambda kind: f'{{"title": "{kind} schema"}}'  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "feedpub.commands.schema", module)


@pytest.mark.usefixtures("no_schema")
def test_init_with_all_flags_creates_a_site_that_builds(tmp_path: Path) -> None:
    code, out, err = run("init", str(tmp_path / "site"), *FLAGS)
    assert (code, err) == (0, "")
    root = tmp_path / "site"
    (example,) = (root / "entries").glob("*-bonjour-tout-le-monde.yaml")
    assert out.splitlines()[:3] == [
        f"created {root}/feedpub.yaml",
        f"created {example}",
        f"created {root}/.gitignore",
    ]
    assert f"cd {root}" in out
    assert 'feedpub new "My first entry"' in out
    config = (root / "feedpub.yaml").read_text(encoding="utf-8")
    assert "title: Mes notes\n" in config
    assert "url: https://example.org/notes/\n" in config
    assert "language: fr\n" in config
    assert "author: Ana <ana@example.org>\n" in config
    assert "timezone: Europe/Paris\n" in config
    ignored = (root / ".gitignore").read_text().splitlines()
    assert ".feedpub-cache/" in ignored and ".*.feedpub-staging/" in ignored
    assert "yaml-language-server" not in config  # no schema module, no dangling pointer

    code, out, err = run("build", "-C", str(root))
    assert (code, err) == (0, "")
    assert " for 1 entry in " in out
    atom = (root / "output/atom.xml").read_text(encoding="utf-8")
    assert "<title>Bonjour tout le monde</title>" in atom
    assert "<title>Mes notes</title>" in atom
    assert '<link href="https://example.org/notes/"' in atom


@pytest.mark.usefixtures("no_schema")
def test_init_without_a_terminal_asks_nothing_and_needs_url(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "site"), input="")
    assert code == 2
    assert "Missing option '--url'" in err
    assert "no terminal to ask on" in err
    assert not (tmp_path / "site").exists()

    code, _, err = run("init", str(tmp_path / "site"), "--url", "https://example.org")
    assert (code, err) == (0, "")
    config = (tmp_path / "site/feedpub.yaml").read_text(encoding="utf-8")
    assert "title: site\n" in config  # the folder's name
    assert "description: News from site\n" in config
    assert "language:" not in config
    assert "author: site\n" in config  # the title: Atom needs an author
    assert run("build", "-C", str(tmp_path / "site"))[0] == 0


@pytest.mark.usefixtures("no_schema")
def test_init_prompts_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_authoring, "_interactive", lambda: True)
    answers = "\n".join(["My blog", "not a url", "https://blog.example/", "en", "Bo", ""])
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "b")], input=answers)
    assert result.exit_code == 0, result.output
    assert "Feed title [b]:" in result.stdout
    assert "Language (e.g. en, fr; empty for none):" in result.stdout  # no "[]" default
    assert '"not a url" is not an absolute http(s) URL' in result.output  # asked again
    config = (tmp_path / "b/feedpub.yaml").read_text(encoding="utf-8")
    assert "title: My blog\n" in config
    assert "url: https://blog.example/\n" in config
    assert "description: News from My blog\n" in config  # never asked
    assert "language: en\nauthor: Bo\n" in config
    assert "timezone: " in config  # the machine's, never asked


@pytest.mark.usefixtures("no_schema")
def test_init_with_all_flags_asks_nothing_even_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_authoring, "_interactive", lambda: True)
    flags = ["--title", "T", "--url", "https://e.org/", "--language", "en", "--author", "A"]
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "s"), *flags], input="")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"created {tmp_path}/s/feedpub.yaml\n")
    for question in ("Feed title", "Site URL", "Language", "Author", "description", "zone"):
        assert question not in result.stdout


@pytest.mark.usefixtures("no_schema")
def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / ".gitignore").write_text("mine\n")
    code, out, err = run("init", str(root), *FLAGS)
    assert code == 1
    assert out == ""
    assert err == (
        f"{root}/.gitignore: error: already exists "
        "(feedpub never overwrites files; move it away first)\n"
    )
    assert snapshot(root) == {".gitignore": b"mine\n"}


@pytest.mark.usefixtures("no_schema")
def test_init_rejects_bad_values_before_writing(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "a"), "--url", "example.org")
    assert code == 2
    assert '"example.org" is not an absolute http(s) URL' in err
    code, _, err = run(
        "init", str(tmp_path / "b"), "--url", "https://e.org/", "--language", "French"
    )
    assert code == 1
    assert "feedpub.yaml:" in err and '"French" is not a language tag' in err
    code, _, err = run("init", str(tmp_path / "c"), "--url", "https://e.org/", "--timezone", "Mars")
    assert code == 1
    assert '"Mars" is not a known time zone' in err
    assert not any(tmp_path.iterdir())


@pytest.mark.usefixtures("fake_schema")
def test_init_writes_schemas_and_points_yaml_files_at_them(tmp_path: Path) -> None:
    root = tmp_path / "site"
    code, out, _ = run("init", str(root), *FLAGS)
    assert code == 0
    assert f"created {root}/.feedpub/entry.schema.json" in out
    assert (root / ".feedpub/config.schema.json").read_text() == '{"title": "config schema"}\n'
    assert (root / ".feedpub/entry.schema.json").read_text() == '{"title": "entry schema"}\n'
    config = (root / "feedpub.yaml").read_text(encoding="utf-8")
    assert config.startswith("# yaml-language-server: $schema=.feedpub/config.schema.json\n")
    (example,) = (root / "entries").glob("*.yaml")
    assert example.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../.feedpub/entry.schema.json\n"
    )
    # feedpub new follows the site's lead
    code, out, _ = run("new", "-C", str(root), "Second")
    assert (
        Path(out.strip())
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../.feedpub/entry.schema.json\n")
    )
    assert run("build", "-C", str(root))[0] == 0


def test_root_option_is_the_base_for_the_directory(tmp_path: Path) -> None:
    code, out, _ = run("init", "-C", str(tmp_path), "inner", "--url", "https://e.org/")
    assert code == 0
    assert (tmp_path / "inner/feedpub.yaml").is_file()
    assert f"created {tmp_path}/inner/feedpub.yaml" in out


def test_init_writes_the_real_shipped_schemas(tmp_path: Path) -> None:
    from feedpub.commands.schema import load_schema

    code, _, err = run("init", str(tmp_path / "site"), *FLAGS)
    assert (code, err) == (0, "")
    root = tmp_path / "site"
    for kind in ("config", "entry"):
        written = (root / f".feedpub/{kind}.schema.json").read_text()
        assert written.strip() == load_schema(kind).strip()


@pytest.mark.usefixtures("no_schema")
@pytest.mark.parametrize("terminal", [False, True], ids=["no-terminal", "terminal"])
@pytest.mark.parametrize("author", [None, "Ana <ana@example.org>"], ids=["no-author", "author"])
def test_init_new_build_gives_feeds_with_an_author(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool, author: str | None
) -> None:
    """Atom needs an author on every entry: without --author the title is the author."""
    import feedparser

    monkeypatch.setattr(cli_authoring, "_interactive", lambda: terminal)
    root = tmp_path / "site"
    flags = ["--url", "https://e.org/"] + (["--author", author] if author else [])
    result = CliRunner().invoke(cli, ["init", str(root), *flags], input="\n\n\n")
    assert result.exit_code == 0, result.output
    if terminal and author is None:
        assert "Author (e.g. Ana <ana@example.org>) [site]:" in result.stdout
    expected = author or "site"
    config = (root / "feedpub.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(config)["author"] == expected
    assert run("new", "-C", str(root), "x")[0] == 0
    assert run("build", "-C", str(root))[0] == 0
    atom = feedparser.parse((root / "output/atom.xml").read_bytes())
    assert len(atom.entries) == 2
    name = "Ana" if author else "site"
    assert [entry.author_detail.name for entry in atom.entries] == [name, name]
    code, out, _ = run("check", "-C", str(root))
    assert code == 0 and out.startswith("0 error(s), ")


SAMPLES = {
    # language: (example file slug, description, summary)
    "fr": (
        "bonjour-tout-le-monde",
        "Les nouvelles de Mes notes",
        "Mes notes a maintenant un flux.",
    ),
    "de-AT": ("hallo-welt", "Neuigkeiten von Mes notes", "Mes notes hat jetzt einen Feed."),
    "es": ("hola-mundo", "Novedades de Mes notes", "Mes notes ya tiene un feed."),
    "nl": ("hello-world", "Mes notes", "Mes notes now has a feed."),
}


@pytest.mark.usefixtures("no_schema")
@pytest.mark.parametrize("language", SAMPLES)
def test_init_writes_no_english_into_a_site_in_another_language(
    tmp_path: Path, language: str
) -> None:
    """French, German and Spanish get their own texts; other languages get the
    title as description and an example entry that says it is English."""
    root = tmp_path / "site"
    flags = ["--title", "Mes notes", "--url", "https://e.org/", "--language", language]
    assert run("init", str(root), *flags)[0] == 0
    slug, description, summary = SAMPLES[language]
    config = yaml.safe_load((root / "feedpub.yaml").read_text(encoding="utf-8"))
    assert config["description"] == description
    (example,) = (root / "entries").glob(f"*-{slug}.yaml")
    entry = yaml.safe_load(example.read_text(encoding="utf-8"))
    assert entry["summary"] == summary
    english = "This is an example entry" in entry["content"]
    assert english == (language == "nl")
    assert entry.get("lang") == ("en" if language == "nl" else None)
    code, _, err = run("build", "-C", str(root))
    assert (code, err) == (0, "")
