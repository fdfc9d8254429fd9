"""``feedpub new``: readable file names, explicit ids, files that build, no overwrites."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedpub import render_site
from feedpub.cli import cli
from feedpub.commands.authoring import create_entry
from feedpub.read.slug import slugify

from .conftest import NOW, MakeSite

PARIS = "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\ntimezone: Europe/Paris\n"
UUID = re.compile(
    r"^id: urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Été à Paris", "ete-a-paris"),
        ("Œuvres complètes & cœur", "oeuvres-completes-coeur"),
        ("Straße der Ærø-Fähre", "strasse-der-aero-fahre"),
        ("Łódź, Đakovo, Þórsmörk", "lodz-dakovo-thorsmork"),
        ("L'été indien", "l-ete-indien"),
        ("ﬁnance: ½ price", "finance-1-2-price"),
        ("  --Hello,   World!--  ", "hello-world"),
        ("日本語のタイトル", "entry"),
        ("!!!", "entry"),
        ("Python 3.13 est sorti", "python-3-13-est-sorti"),
    ],
    ids=lambda value: value if value.isascii() else None,
)
def test_slugs_are_readable_ascii(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_word() -> None:
    slug = slugify("A very long title " * 10)
    assert len(slug) <= 60
    assert slug.startswith("a-very-long-title-a-very")
    assert not slug.endswith("-")
    assert slug.split("-")[-1] in {"a", "very", "long", "title"}


def test_new_creates_a_dated_file_that_builds(make_site: MakeSite) -> None:
    root = make_site({}, config=PARIS)
    code, out, err = run("new", "-C", str(root), "Été à Paris")
    assert (code, err) == (0, "")
    path = Path(out.strip())
    assert re.fullmatch(rf"{root}/entries/\d{{4}}-\d{{2}}-\d{{2}}-ete-a-paris\.yaml", str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "title: Été à Paris"
    date = re.fullmatch(r"date: (\S+)", lines[1])
    assert date is not None
    moment = datetime.fromisoformat(date[1])  # RFC 3339, seconds, Paris offset
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", date[1])
    assert path.name.startswith(moment.date().isoformat())
    assert any(UUID.match(line) for line in lines)
    assert "draft" not in path.read_text()

    code, out, err = run("build", "-C", str(root))
    assert code == 0
    assert " for 1 entry in " in out
    atom = (root / "output/atom.xml").read_text(encoding="utf-8")
    (entry_id,) = (line[4:] for line in lines if line.startswith("id: "))
    assert f"<id>{entry_id}</id>" in atom
    assert "<title>Été à Paris</title>" in atom
    assert "One or two sentences" in atom  # the placeholder, ready to edit
    # new leaves placeholder text for the writer (and the link commented out: the
    # entry's page is its link meanwhile)
    assert [line.split(": warning: ")[1] for line in err.splitlines()] == [
        "summary: is still the placeholder text from 'feedpub new' (write your own, or delete"
        " the line)",
        "content: is still the placeholder text from 'feedpub new' (write your own, or delete"
        " the line)",
    ]
    assert "# link: /ete-a-paris/" in lines


def test_new_draft_is_listed_but_not_published(make_site: MakeSite) -> None:
    root = make_site({}, config=PARIS)
    code, out, _ = run("new", "-C", str(root), "Not yet", "--draft")
    assert code == 0
    assert "draft: true" in Path(out.strip()).read_text()
    code, out, _ = run("build", "-C", str(root))
    assert " for 0 entries in " in out
    assert "Not yet" not in (root / "output/atom.xml").read_text()


@pytest.mark.parametrize(
    ("given", "line", "name"),
    [
        ("2025-12-24", "date: 2025-12-24", "2025-12-24-back-dated.yaml"),
        ("2025-12-24T18:30", "date: 2025-12-24T18:30:00+01:00", "2025-12-24-back-dated.yaml"),
        ("2025-07-01T23:30:00Z", "date: 2025-07-01T23:30:00+00:00", "2025-07-01-back-dated.yaml"),
    ],
)
def test_new_with_a_date(make_site: MakeSite, given: str, line: str, name: str) -> None:
    root = make_site({}, config=PARIS)
    code, out, _ = run("new", "-C", str(root), "Back-dated", "--date", given)
    assert code == 0
    path = Path(out.strip())
    assert path.name == name
    assert path.read_text().splitlines()[1] == line
    assert run("build", "-C", str(root))[0] == 0


def test_new_rejects_a_bad_date(make_site: MakeSite) -> None:
    root = make_site({}, config=PARIS)
    code, _, err = run("new", "-C", str(root), "X", "--date", "2026-02-30")
    assert code == 2
    assert "Invalid value for '--date': \"2026-02-30\" is not a valid date" in err
    assert not any((root / "entries").iterdir())


def test_new_never_overwrites(make_site: MakeSite) -> None:
    root = make_site({}, config=PARIS)
    code, out, _ = run("new", "-C", str(root), "Same", "--date", "2026-01-01")
    path = Path(out.strip())
    path.write_text("title: Mine\ndate: 2026-01-01\nsummary: kept\n")
    code, out, err = run("new", "-C", str(root), "Same", "--date", "2026-01-01")
    assert code == 1
    assert out == ""
    assert err == (
        f"{path}: error: already exists (pick another title, or another day with --date)\n"
    )
    assert path.read_text() == "title: Mine\ndate: 2026-01-01\nsummary: kept\n"


def test_new_needs_a_site_and_a_title(tmp_path: Path, make_site: MakeSite) -> None:
    code, _, err = run("new", "-C", str(tmp_path), "X")
    assert code == 1
    assert "no feedpub.yaml" in err
    root = make_site({})
    code, _, err = run("new", "-C", str(root), "   ")
    assert code == 1
    assert "the title is empty" in err


def _editor(tmp_path: Path, script: str) -> str:
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\n" + script)
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    return str(editor)


def test_new_edit_opens_the_editor_on_the_file(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({}, config=PARIS)
    log = tmp_path / "edited"
    editor = _editor(tmp_path, f'echo "$1" > {log}\n')
    code, out, err = run("new", "-C", str(root), "Edit me", "--edit", env={"EDITOR": editor})
    assert (code, err) == (0, "")
    assert log.read_text().strip() == out.strip()


def test_new_edit_reports_what_the_editing_broke(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({}, config=PARIS)
    editor = _editor(tmp_path, 'echo "tittle: typo" >> "$1"\n')
    code, out, err = run("new", "-C", str(root), "Edit me", "--edit", env={"EDITOR": editor})
    assert code == 1
    assert Path(out.strip()).exists()  # created, and the user is told what to fix
    assert "error: tittle: unknown key (did you mean 'title'?)" in err


def test_create_entry_uses_the_site_time_zone(make_site: MakeSite) -> None:
    root = make_site({}, config=PARIS)
    path = create_entry(root, "Late", now=datetime(2026, 1, 1, 23, 30, 15, 999, tzinfo=UTC))
    assert path.name == "2026-01-02-late.yaml"  # already the 2nd in Paris
    assert "date: 2026-01-02T00:30:15+01:00\n" in path.read_text()


_TITLE_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufffe\uffff\ufeff"
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(_TITLE_CHARS, min_size=1, max_size=50).filter(lambda t: t.strip() != ""))
def test_any_title_survives_new_and_build(make_site: MakeSite, title: str) -> None:
    """YAML quoting (``no``, ``#x``, ``a: b``, quotes) is the writer's job, not the user's."""
    root = make_site({})
    for old in (root / "entries").iterdir():
        old.unlink()
    create_entry(root, title, now=NOW)
    (entry,) = render_site(root, now=NOW)[0].entries
    assert entry.title == " ".join(title.split())


@pytest.mark.parametrize(
    "title", ["no", "yes", "null", "#hash", "a: b", "'quoted'", "- item", "1.0"]
)
def test_yaml_lookalike_titles_stay_text(make_site: MakeSite, title: str) -> None:
    root = make_site({})
    path = create_entry(root, title, now=NOW)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == title
    (entry,) = render_site(root, now=NOW)[0].entries
    assert entry.title == title
