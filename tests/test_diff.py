"""``feedpub diff`` and the id drift guard in ``feedpub build``.

Both compare what readers already have (the feeds in output/) with what a
build would publish now. The guard must stop a build that would show
readers an entry twice, and neither may be fooled or slowed down by a
hostile file planted in output/.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner

from feedpub.builder.cache import CACHE_DIR
from feedpub.cli import cli

from .conftest import MakeSite, snapshot
from .test_check import BILLION_LAUGHS, SECRET, external_entity


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def entry(title: str, date: str, *extra: str) -> str:
    slug = title.lower()
    return "\n".join([f"title: {title}", f"date: {date}", f"link: /{slug}/", "summary: s", *extra])


def tag(slug: str, date: str) -> str:
    return f"tag:example.org,{date}:{slug}"


def write(root: Path, name: str, text: str) -> None:
    (root / "entries" / name).write_text(text + "\n")


@pytest.fixture(params=["cache", "no-cache"])
def published(make_site: MakeSite, request: pytest.FixtureRequest) -> Path:
    """A site whose feeds are built: what readers have now. Without the build
    cache (a fresh clone), the id guard reads the published files instead."""
    root = make_site(
        {
            "a.yaml": entry("A", "2026-01-01"),
            "b.yaml": entry("B", "2026-01-02"),
            "c.yaml": entry("C", "2026-01-03", "content: Body."),
            "e.yaml": entry("E", "2026-01-04"),
        }
    )
    assert run("build", "-C", str(root))[0] == 0
    if request.param == "no-cache":
        shutil.rmtree(root / CACHE_DIR)
    return root


# -- feedpub diff --------------------------------------------------------------------


def edit_everything(root: Path) -> None:
    write(root, "d.yaml", entry("D", "2026-01-06"))  # new
    write(root, "b.yaml", entry("B", "2026-01-02", "updated: 2026-02-01", "content: New."))
    write(root, "c.yaml", entry("C", "2026-01-03", "content: Edited body."))  # silent edit
    (root / "entries/a.yaml").unlink()  # removed
    write(root, "e.yaml", entry("E", "2026-01-05"))  # same link, new date: new id


def test_nothing_changed(published: Path) -> None:
    before = snapshot(published)
    code, out, err = run("diff", "-C", str(published))
    assert (code, out, err) == (0, "no changes: readers would see the same entries\n", "")
    assert snapshot(published) == before


def test_every_kind_of_change_in_text(published: Path) -> None:
    edit_everything(published)
    before = snapshot(published)
    code, out, err = run("diff", "-C", str(published))
    assert code == 0
    assert out.splitlines() == [
        f"new: D <{tag('d', '2026-01-06')}>",
        f"updated: C <{tag('c', '2026-01-03')}>",
        f"updated: B <{tag('b', '2026-01-02')}>",
        f"removed: A <{tag('a', '2026-01-01')}>",
        f"id would change: E <{tag('e', '2026-01-05')}> (was {tag('e', '2026-01-04')})",
    ]
    assert err.splitlines() == [
        "warning: content of 'C' changed but 'updated' did not; readers will not notice the edit"
    ]
    assert snapshot(published) == before  # diff writes nothing


def test_every_kind_of_change_in_json(published: Path) -> None:
    edit_everything(published)
    code, out, err = run("diff", "-C", str(published), "--format", "json")
    assert (code, err) == (0, "")
    report: dict[str, Any] = json.loads(out)

    def change(slug: str, title: str, date: str, detail: str = "") -> dict[str, str]:
        return {"id": tag(slug, date), "title": title, "detail": detail}

    assert report == {
        "new": [change("d", "D", "2026-01-06")],
        "updated": [change("c", "C", "2026-01-03"), change("b", "B", "2026-01-02")],
        "removed": [change("a", "A", "2026-01-01")],
        "id_changes": [change("e", "E", "2026-01-05", f"was {tag('e', '2026-01-04')}")],
        "silent_edits": [change("c", "C", "2026-01-03", "'updated' unchanged")],
    }


def test_an_edit_with_a_new_updated_date_is_not_silent(published: Path) -> None:
    write(published, "c.yaml", entry("C", "2026-01-03", "content: Edited.", "updated: 2026-01-09"))
    code, out, err = run("diff", "-C", str(published))
    assert (code, out, err) == (0, f"updated: C <{tag('c', '2026-01-03')}>\n", "")


def test_without_output_everything_is_new(make_site: MakeSite) -> None:
    root = make_site({"a.yaml": entry("A", "2026-01-01")})
    code, out, _ = run("diff", "-C", str(root))
    assert (code, out) == (0, f"new: A <{tag('a', '2026-01-01')}>\n")
    assert not (root / "output").exists()


def test_an_unreadable_published_feed_is_a_warning_not_silence(published: Path) -> None:
    (published / "output/atom.xml").write_text("<feed>broken")
    code, out, err = run("diff", "-C", str(published))
    assert code == 0
    assert err.startswith("output/atom.xml:1: warning: cannot be read: ")
    assert "every entry shows as new" in err
    assert out.count("new: ") == 4
    code, out, err = run("diff", "-C", str(published), "--format", "json")
    assert len(json.loads(out)["new"]) == 4 and "cannot be read" in err


def test_future_entries_only_with_future(published: Path) -> None:
    write(published, "z.yaml", entry("Z", "2099-01-01"))
    assert run("diff", "-C", str(published))[1].startswith("no changes")
    out = run("diff", "-C", str(published), "--future")[1]
    assert out == f"new: Z <{tag('z', '2099-01-01')}>\n"


def test_diff_with_bad_entries_is_a_clear_error(published: Path) -> None:
    write(published, "bad.yaml", "title: [")
    code, _, err = run("diff", "-C", str(published))
    assert code == 1
    assert err.startswith("entries/bad.yaml:2: error: invalid YAML")


# -- the id drift guard in build -------------------------------------------------------

OLD_E = tag("e", "2026-01-04")
NEW_E = tag("e", "2026-01-05")
DRIFT = (
    f'entries/e.yaml:1: error: id: would change from "{OLD_E}" to "{NEW_E}"; readers would '
    f"see this entry twice (add 'id: {OLD_E}' to the file to keep it, or build with "
    "--accept-id-changes)"
)


def ids(path: Path) -> list[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [e.id for e in parsed.entries]


def test_changing_the_date_stops_the_build(published: Path) -> None:
    before = snapshot(published / "output")
    write(published, "e.yaml", entry("E", "2026-01-05"))
    code, out, err = run("build", "-C", str(published))
    assert (code, out) == (1, "")
    assert err.splitlines() == [DRIFT]
    assert snapshot(published / "output") == before
    # --check reports the same instead of "out of date"
    assert run("build", "-C", str(published), "--check")[2].splitlines() == [DRIFT]


def test_keeping_the_old_id_lets_the_build_through(published: Path) -> None:
    write(published, "e.yaml", entry("E", "2026-01-05", f"id: {OLD_E}"))
    code, _, err = run("build", "-C", str(published))
    assert (code, err) == (0, "")
    for name in ("atom.xml", "rss.xml"):
        got = ids(published / "output" / name)
        assert OLD_E in got and NEW_E not in got
    published_date = feedparser.parse((published / "output/atom.xml").read_bytes()).entries[0]
    assert published_date.published.startswith("2026-01-05")  # the date did change


def test_accept_id_changes_publishes_the_new_id(published: Path) -> None:
    write(published, "e.yaml", entry("E", "2026-01-05"))
    code, _, err = run("build", "-C", str(published), "--accept-id-changes")
    assert (code, err) == (0, "")
    got = ids(published / "output/atom.xml")
    assert NEW_E in got and OLD_E not in got
    # Once published, the new id is what readers have: no more drift.
    assert run("build", "-C", str(published))[0] == 0


def test_renaming_a_file_is_caught_too(published: Path) -> None:
    (published / "entries/e.yaml").rename(published / "entries/e-renamed.yaml")
    code, _, err = run("build", "-C", str(published))
    assert code == 1
    assert err.startswith(
        f'entries/e-renamed.yaml:1: error: id: would change from "{OLD_E}" to '
        f'"{tag("e-renamed", "2026-01-04")}"'
    )


def test_a_new_link_is_a_new_entry_not_drift(published: Path) -> None:
    write(published, "e.yaml", entry("E", "2026-01-05").replace("/e/", "/e2/"))
    assert run("build", "-C", str(published))[0] == 0


def test_drift_is_found_in_rss_when_atom_is_not_published(make_site: MakeSite) -> None:
    root = make_site(
        {"e.yaml": entry("E", "2026-01-04")},
        config="title: T\ndescription: D\nurl: https://example.org/\nformats: [rss]\n",
    )
    assert run("build", "-C", str(root))[0] == 0
    write(root, "e.yaml", entry("E", "2026-01-05"))
    assert run("build", "-C", str(root))[2].splitlines() == [DRIFT]


# -- hostile previous output -----------------------------------------------------------


def timed(*args: str) -> tuple[int, str, str]:
    started = time.monotonic()
    result = run(*args)
    assert time.monotonic() - started < 5
    return result


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert "root:x:0:0" not in text
        assert "lollollol" not in text


def test_guard_survives_an_entity_bomb_and_falls_back_to_rss(published: Path) -> None:
    (published / "output/atom.xml").write_text(BILLION_LAUGHS)
    before = snapshot(published / "output")
    write(published, "e.yaml", entry("E", "2026-01-05"))
    code, out, err = timed("build", "-C", str(published))
    assert code == 1
    assert err.splitlines() == [DRIFT]  # found from rss.xml
    assert snapshot(published / "output") == before
    assert_no_secret(out, err)


def test_guard_reads_a_file_with_external_entities_without_resolving_them(
    published: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    xxe = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>https://example.org/</id>'
        "<title>&xxe;</title><updated>2026-01-01T00:00:00Z</updated>"
        f"<entry><id>{OLD_E}</id><title>&xxe;</title><updated>2026-01-04T00:00:00Z</updated>"
        '<link href="https://example.org/e/"/></entry></feed>\n'
    )
    (published / "output/atom.xml").write_text(xxe)
    (published / "output/rss.xml").write_text(external_entity("file:///etc/passwd"))
    before = snapshot(published / "output")
    write(published, "e.yaml", entry("E", "2026-01-05"))
    code, out, err = timed("build", "-C", str(published))
    assert code == 1
    assert err.splitlines() == [DRIFT]
    assert snapshot(published / "output") == before
    diff_out = timed("diff", "-C", str(published), "--format", "json")[1]
    assert json.loads(diff_out)["id_changes"][0]["detail"] == f"was {OLD_E}"
    assert_no_secret(out, err, diff_out)


def test_unreadable_previous_output_is_replaced_safely(published: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (published / "output/atom.xml").write_text(BILLION_LAUGHS)
    (published / "output/rss.xml").write_text(external_entity(secret.as_uri()))
    code, out, err = timed("build", "-C", str(published))
    assert (code, err) == (0, "")  # nothing readable to guard: the build goes ahead
    for name in ("atom.xml", "rss.xml"):
        data = (published / "output" / name).read_text()
        assert_no_secret(data)
        assert len(ids(published / "output" / name)) == 4
    assert_no_secret(out, err)
