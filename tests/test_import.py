"""``feedpub import``: Jekyll, Hugo and Zola posts become entries that build, with honest notes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from feedpub import build
from feedpub.cli import cli
from feedpub.commands.importers import ImportNote, import_posts
from feedpub.commands.importers.entryfile import content_yaml
from feedpub.commands.importers.places import normalise_when

from .conftest import BASIC_CONFIG

FIXTURES = Path(__file__).parent / "fixtures" / "import"
JEKYLL, HUGO, ZOLA = FIXTURES / "jekyll", FIXTURES / "hugo", FIXTURES / "zola"
ALL = [JEKYLL, HUGO, ZOLA]
WRITTEN = (
    "entries/2020-06-10-my-trip.yaml",
    "entries/2020-03-01-toml-in-hugo.yaml",
    "entries/2020-01-15-yaml-post.yaml",
    "entries/2013-08-01-a-draft.yaml",
    "entries/2013-05-06-hello-world.yaml",
    "entries/2013-06-01-not-yet.yaml",
    "entries/2021-03-04-chun-tian.yaml",
)
HELLO_WORLD = """\
title: Hello World
date: 2013-05-06T02:12:52+02:00
# Imported from _posts/2013-05-06-hello-world.md. The id is how feed readers recognise \
this entry: never change it.
id: tag:example.org,2013-05-06:hello-world
link: /news/release/2013/05/06/hello-world.html
author: Ana Lima
summary: The first post of this blog.
tags: [news, release, intro]
content: |
  Welcome to the new blog.

  {% highlight python %}
  print("hello")
  {% endhighlight %}

  Read the [archive]({{ site.baseurl }}/archive/).
"""


def new_site(root: Path) -> Path:
    (root / "entries").mkdir(parents=True)
    (root / "feedpub.yaml").write_text(BASIC_CONFIG, encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return new_site(tmp_path / "site")


def test_posts_of_each_tool_become_entry_files(site: Path) -> None:
    report = import_posts(site, ALL)
    assert report.written == WRITTEN
    assert sorted(p.name for p in (site / "entries").iterdir()) == sorted(
        w.removeprefix("entries/") for w in WRITTEN
    )
    assert report.failed == (f"{JEKYLL.as_posix()}/_posts/2013-07-01-no-title.md",)


def test_a_jekyll_post_is_written_exactly_so(site: Path) -> None:
    import_posts(site, [JEKYLL])
    text = (site / "entries/2013-05-06-hello-world.yaml").read_text(encoding="utf-8")
    assert text == HELLO_WORLD


def test_every_entry_reads_back_with_its_body_intact(site: Path) -> None:
    report = import_posts(site, ALL)
    for name in report.written:
        data = yaml.safe_load((site / name).read_text(encoding="utf-8"))
        assert {"title", "date", "content", "id"} <= data.keys(), name
        assert data["id"].startswith("tag:example.org,"), name
    hugo = yaml.safe_load((site / "entries/2020-01-15-yaml-post.yaml").read_text("utf-8"))
    assert hugo["content"] == (
        "Here is a video:\n\n{{< youtube abc >}}\n\n"
        "\tan indented line with a tab, and trailing spaces   \n"
    )
    assert hugo["updated"].isoformat() == "2020-02-01T09:00:00-05:00"
    assert hugo["summary"] == "Notes on YAML front matter."
    trip = yaml.safe_load((site / "entries/2020-06-10-my-trip.yaml").read_text("utf-8"))
    assert trip["image"] == {"url": "/posts/my-trip/trip.jpg"}  # next to the bundle's page
    assert trip["link"] == "/posts/my-trip/"
    toml = yaml.safe_load((site / "entries/2020-03-01-toml-in-hugo.yaml").read_text("utf-8"))
    assert (toml["draft"], toml["tags"], toml["link"]) == (
        True,
        ["hugo", "toml", "notes"],
        "/posts/toml-in-hugo/",
    )
    zola = yaml.safe_load((site / "entries/2021-03-04-chun-tian.yaml").read_text("utf-8"))
    assert zola["title"] == "春天来了"
    assert zola["tags"] == ["春天", "生活", "随笔"]
    assert zola["content"] == '春天来了\uff0c花开了。\n\n{{ youtube(id="xyz") }}\n'
    assert str(zola["date"]) == "2021-03-04"
    for name in ("2013-06-01-not-yet", "2013-08-01-a-draft"):  # published: false, _drafts/
        assert yaml.safe_load((site / f"entries/{name}.yaml").read_text("utf-8"))["draft"] is True


def test_what_is_left_out_is_reported_line_by_line(site: Path) -> None:
    notes = [str(n) for n in import_posts(site, ALL).notes]
    hugo, jekyll, zola = (p.as_posix() for p in (HUGO, JEKYLL, ZOLA))
    unmapped = "is not imported (feedpub entries have no such field)"
    kept = "left in the body (published as written)"
    assert notes == [
        f"{hugo}/content/posts/yaml-post.md:9: warning: 'weight' {unmapped}",
        f"{hugo}/content/posts/yaml-post.md:14: warning: Hugo shortcode {kept}: "
        "{{< youtube abc >}}",
        f"{jekyll}/_posts/2013-05-06-hello-world.md:2: warning: 'layout' {unmapped}",
        f"{jekyll}/_posts/2013-05-06-hello-world.md:9: warning: 'comments' {unmapped}",
        f"{jekyll}/_posts/2013-05-06-hello-world.md:14: warning: Liquid tag {kept}: "
        "{% highlight python %}",
        f"{jekyll}/_posts/2013-05-06-hello-world.md:16: warning: Liquid tag {kept}: "
        "{% endhighlight %}",
        f"{jekyll}/_posts/2013-05-06-hello-world.md:18: warning: Liquid output {kept}: "
        "{{ site.baseurl }}",
        f"{jekyll}/_posts/2013-07-01-no-title.md: error: no title in the front matter",
        f"{zola}/content/blog/chun-tian.md:11: warning: 'extra.cover' {unmapped}",
        f"{zola}/content/blog/chun-tian.md:16: warning: Zola shortcode {kept}: "
        '{{ youtube(id="xyz") }}',
    ]


def test_importing_again_into_a_fresh_site_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = new_site(tmp_path / "a"), new_site(tmp_path / "b")
    assert import_posts(first, ALL) == import_posts(second, [ZOLA, HUGO, JEKYLL])
    for name in WRITTEN:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_existing_files_are_never_overwritten(site: Path) -> None:
    (site / "entries/2021-03-04-chun-tian.yaml").write_text("mine\n", encoding="utf-8")
    report = import_posts(site, [ZOLA, HUGO])
    assert report.notes[-1] == ImportNote(
        f"{ZOLA.as_posix()}/content/blog/chun-tian.md",
        None,
        "entries/2021-03-04-chun-tian.yaml already exists; not overwritten",
        "error",
    )
    assert (site / "entries/2021-03-04-chun-tian.yaml").read_text(encoding="utf-8") == "mine\n"
    assert len(report.written) == 3  # the Hugo posts still came in
    again = import_posts(site, [HUGO])
    assert again.written == ()
    assert [n.message.endswith("already exists; not overwritten") for n in again.notes] == [
        True
    ] * 3


def test_the_imported_site_builds(site: Path) -> None:
    import_posts(site, ALL)
    result = build(site)
    assert (site / "output/atom.xml").is_file()
    atom = (site / "output/atom.xml").read_text(encoding="utf-8")
    assert "tag:example.org,2013-05-06:hello-world" in atom
    assert "https://example.org/news/release/2013/05/06/hello-world.html" in atom
    assert "春天来了" in atom
    assert "A Draft" not in atom and "Not Yet" not in atom
    assert result is not None


def test_cli_prints_notes_and_a_summary_and_fails_if_a_post_failed(site: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "-C", str(site), str(JEKYLL)])
    assert result.exit_code == 1
    assert result.stdout == "imported 3 posts into entries/ (1 failed)\n"
    assert f"{JEKYLL.as_posix()}/_posts/2013-07-01-no-title.md: error: no title" in result.stderr
    assert result.stderr.count("\n") == 6
    result = runner.invoke(
        cli, ["import", "-C", str(site), str(ZOLA / "content/blog/chun-tian.md")]
    )
    assert (result.exit_code, result.stdout) == (0, "imported 1 post into entries/\n")
    result = runner.invoke(cli, ["import", "-C", str(site), str(HUGO), "--from", "zola"])
    assert result.exit_code == 0
    assert "/posts/my-trip/" in (site / "entries/2020-06-10-my-trip.yaml").read_text("utf-8")
    result = runner.invoke(cli, ["import", "-C", str(site), str(site / "nothing-here")])
    assert result.exit_code == 1
    assert result.stderr.endswith("nothing-here: error: no such file or folder\n")
    assert runner.invoke(cli, ["import", "-C", str(site)]).exit_code == 2  # PATH is required


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_posts_are_errors_and_the_others_still_import(site: Path, tmp_path: Path) -> None:
    posts = tmp_path / "blog" / "_posts"
    write(posts, "2020-01-01-bad-yaml.md", "---\ntitle: [unclosed\n---\nbody\n")
    write(posts, "2020-01-02-bad-date.md", "---\ntitle: T\ndate: someday\n---\nbody\n")
    write(posts, "2020-01-03-open.md", "---\ntitle: T\nbody\n")
    write(posts, "2020-01-04-fine.md", "---\ntitle: no\n---\nbody\n")
    write(posts, "2020-01-05-empty.md", "---\ntitle: Empty\n---\n\n")
    write(posts.parent / "_drafts", "undated.md", "---\ntitle: Undated\n---\nbody\n")
    write(posts.parent, "README.md", "# not a post\n")
    write(posts.parent / "bad-toml", "2020-01-06-x.md", "+++\ntitle = \n+++\n")
    report = import_posts(site, [posts.parent])
    assert report.written == ("entries/2020-01-04-fine.yaml",)
    assert yaml.safe_load((site / report.written[0]).read_text("utf-8"))["title"] == "no"
    shown = {n.path.rsplit("/", 1)[-1]: str(n).split(": ", 1)[1] for n in report.notes}
    assert shown == {
        "README.md": "warning: no front matter: not a post; skipped",
        "2020-01-01-bad-yaml.md": "error: the front matter is not valid YAML: "
        "expected ',' or ']', but got '<stream end>'",
        "2020-01-02-bad-date.md": "error: 'date' is not a date: \"someday\" "
        "(expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS with an optional offset)",
        "2020-01-03-open.md": "error: the front matter has no closing '---' line",
        "2020-01-05-empty.md": "error: the body is empty and there is no summary "
        "(an entry needs one of them)",
        "undated.md": "error: no date in the front matter, the file name or the link",
        "2020-01-06-x.md": "error: the front matter is not valid TOML: Invalid value",
    }
    lines = {n.path.rsplit("/", 1)[-1]: n.line for n in report.notes}
    assert lines["2020-01-02-bad-date.md"] == 3
    assert lines["2020-01-06-x.md"] == 2


def test_jekyll_permalink_settings_and_dates_from_links(site: Path, tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    write(blog, "_config.yml", "permalink: pretty\n")
    write(blog / "_posts", "2019-02-03-with-style.md", "---\ntitle: A\ncategory: Misc\n---\nx\n")
    write(blog / "_drafts", "linked.md", "---\ntitle: B\npermalink: /2018/07/08/b/\n---\nx\n")
    report = import_posts(site, [blog], site_url="https://example.com/blog/")
    assert report.written == (
        "entries/2018-07-08-linked.yaml",
        "entries/2019-02-03-with-style.yaml",
    )
    styled = yaml.safe_load((site / report.written[1]).read_text("utf-8"))
    assert styled["link"] == "/misc/2019/02/03/with-style/"
    assert styled["tags"] == ["Misc"]
    assert styled["id"] == "tag:example.com,2019-02-03:blog/with-style"
    linked = yaml.safe_load((site / report.written[0]).read_text("utf-8"))
    assert (str(linked["date"]), linked["draft"]) == ("2018-07-08", True)


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("2013-05-06 02:12:52 +0200", "2013-05-06T02:12:52+02:00"),
        ("2013-05-06T02:12:52.123Z", "2013-05-06T02:12:52Z"),
        ("2013-5-6 2:12", "2013-05-06T02:12:00"),
        ("2020-01-15T10:00:00-05:00", "2020-01-15T10:00:00-05:00"),
        ("2013-05-06 02:12:52 -0330", "2013-05-06T02:12:52-03:30"),
        ("2013-05-06", "2013-05-06"),
        ("2013-05-06 10:00 UTC", "2013-05-06T10:00:00Z"),
    ],
)
def test_dates_are_written_the_way_the_build_reads_them(written: str, normal: str) -> None:
    when = normalise_when(written)
    assert when is not None and when[0] == normal


@pytest.mark.parametrize("text", ["2013-02-30", "yesterday", "2013-05-06 25:00", "06/05/2013"])
def test_non_dates_are_refused(text: str) -> None:
    assert normalise_when(text) is None


@pytest.mark.parametrize(
    "body",
    [
        "  starts indented\nthen not\n",
        "\tstarts with a tab\n",
        "trailing spaces   \n\n   \n  \t\nend\n",
        "# a heading\n- a: list\n'quoted'\n",
        "line separator \u2028 inside\n",
        "a form feed \x0c here\n",
        "no newline at the end",
    ],
)
def test_any_body_reads_back_exactly(body: str) -> None:
    assert yaml.safe_load(content_yaml(body)) == {"content": body}
