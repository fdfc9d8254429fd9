"""The repo's sample feed, compared byte for byte with committed goldens."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from feedpub import build
from feedpub.builder.pipeline import render_site

from .conftest import NOW, REPO, snapshot

GOLDEN = Path(__file__).parent / "golden"


PAGE = "entries/2026-02-27-dossiers-medicaux-dark-web.html"


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml", "feed.json", "index.html", PAGE])
def test_sample_feed_matches_golden(name: str, request: pytest.FixtureRequest) -> None:
    _, files = render_site(REPO, now=NOW)
    if request.config.getoption("--update-golden"):
        (GOLDEN / Path(name).name).write_bytes(files[name])
    assert files[name] == (GOLDEN / Path(name).name).read_bytes()


def test_committed_output_is_up_to_date() -> None:
    """output/ is committed so the sample can be hosted as is; it must not drift."""
    _, files = render_site(REPO, now=NOW)
    assert files == snapshot(REPO / "output")


def test_second_build_changes_no_byte(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "entries", site / "entries")
    shutil.copy(REPO / "feedpub.yaml", site)
    first = build(site, now=NOW)
    before = snapshot(site / "output")
    mtimes = {p: p.stat().st_mtime_ns for p in (site / "output").iterdir()}
    second = build(site, now=NOW)
    assert first.written == ["atom.xml", PAGE, "feed.json", "index.html", "rss.xml"]
    assert second.written == []
    assert snapshot(site / "output") == before
    assert {p: p.stat().st_mtime_ns for p in (site / "output").iterdir()} == mtimes


def test_sample_feed_holds_the_seed_article() -> None:
    _, files = render_site(REPO, now=NOW)
    atom = files["atom.xml"].decode()
    assert "15 millions de dossiers médicaux français en libre accès" in atom
    assert "Sur le Dark Web, des millions de dossiers médicaux français" in atom
    assert 'xml:lang="fr"' in atom
