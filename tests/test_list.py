"""``feedpub list``: every entry, newest first, with its status, for people and tools."""

from __future__ import annotations

import json

from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import MakeSite

ENTRIES = {
    "old.yaml": "title: Old one\ndate: 2020-05-01\nsummary: s\nid: urn:x:old\n",
    "draft.yaml": "title: Half done\ndate: 2021-01-01T10:00:00Z\nsummary: s\ndraft: true\n",
    "future.yaml": "title: From the future\ndate: 2999-01-01\nsummary: s\nid: urn:x:future\n",
    "sub/new.yml": "title: Été\ndate: 2021-06-01T12:00:00+02:00\nsummary: s\nid: urn:x:ete\n",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_table_shows_everything_newest_first(make_site: MakeSite) -> None:
    root = make_site(ENTRIES)
    code, out, err = run("list", "-C", str(root))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "DATE                       STATUS     ID                                TITLE",
        "2999-01-01T00:00:00+00:00  scheduled  urn:x:future                      From the future",
        "2021-06-01T12:00:00+02:00  published  urn:x:ete                         Été",
        "2021-01-01T10:00:00+00:00  draft      tag:example.org,2021-01-01:draft  Half done",
        "2020-05-01T00:00:00+00:00  published  urn:x:old                         Old one",
    ]


def test_list_json_is_for_tools(make_site: MakeSite) -> None:
    root = make_site(ENTRIES)
    code, out, _ = run("list", "-C", str(root), "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert [item["status"] for item in items] == ["scheduled", "published", "draft", "published"]
    assert items[1] == {
        "date": "2021-06-01T12:00:00+02:00",
        "status": "published",
        "id": "urn:x:ete",
        "title": "Été",
        "path": "entries/sub/new.yml",
    }


def test_list_of_an_empty_site(make_site: MakeSite) -> None:
    root = make_site({})
    assert run("list", "-C", str(root)) == (
        0,
        'no entries yet; create one with: feedpub new "Title"\n',
        "",
    )
    assert run("list", "-C", str(root), "--format", "json") == (0, "[]\n", "")


def test_list_reports_broken_entries(make_site: MakeSite) -> None:
    root = make_site({**ENTRIES, "bad.yaml": "title: [\n"})
    code, out, err = run("list", "-C", str(root))
    assert code == 1
    assert out == ""
    assert err.startswith("entries/bad.yaml:")
