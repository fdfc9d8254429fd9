"""Entry bodies: every one goes through nh3, whatever its format, in every process."""

from __future__ import annotations

import html.entities
import os
import re
from collections.abc import Callable
from pathlib import Path

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import build
from feedpub.read import markup, sanitize
from feedpub.read.markup import XML_ILLEGAL, render_body

from .conftest import NOW, MakeSite

BASE = "https://example.org/posts/a/"


class _Counting:
    """nh3's cleaner, with each body it cleans handed to ``seen`` first."""

    def __init__(self, cleaner: nh3.Cleaner, seen: Callable[[str], object]) -> None:
        self.cleaner, self.seen = cleaner, seen

    def clean(self, html: str) -> str:
        self.seen(html)
        return self.cleaner.clean(html)


@pytest.mark.parametrize("fmt", ["markdown", "html", "text"])
def test_every_body_goes_through_the_sanitizer(
    fmt: markup.ContentFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(sanitize, "_CLEANER", _Counting(sanitize._CLEANER, calls.append))
    render_body("plain *text* with `<p>` in code", fmt, BASE)
    assert len(calls) == 1


def test_a_cold_build_calls_feedgen_and_nh3_for_every_entry_in_every_worker(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers are forked from this process, so they run the counting wrappers too."""
    from feedgen.entry import FeedEntry

    from feedpub.builder import parallel

    log = tmp_path / "calls.log"

    def counted(name: str, real: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            with open(log, "a") as handle:
                handle.write(f"{os.getpid()} {name}\n")
            return real(*args, **kwargs)

        return wrapper

    cleaner = sanitize._CLEANER
    monkeypatch.setattr(sanitize, "_CLEANER", _Counting(cleaner, counted("nh3", lambda _: None)))
    monkeypatch.setattr(FeedEntry, "atom_entry", counted("atom", FeedEntry.atom_entry))
    monkeypatch.setattr(FeedEntry, "rss_entry", counted("rss", FeedEntry.rss_entry))
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr(parallel, "CHUNK", 8)
    entries = {
        f"e{n:03d}.yaml": f"title: T{n}\ndate: 2026-01-01\nlink: /{n}/\ncontent: '*b{n}*'\n"
        for n in range(40)
    }
    build(make_site(entries), now=NOW, jobs=2)
    lines = log.read_text().splitlines()
    for name in ("nh3", "atom", "rss"):
        assert sum(line.endswith(f" {name}") for line in lines) == 40, name
    workers = {line.split()[0] for line in lines}
    assert str(os.getpid()) not in workers and len(workers) == 2


def test_relative_urls_are_reported_and_resolved() -> None:
    body = render_body("[a](../b/) ![i](i.png)", "markdown", BASE)
    assert body.relative == ("../b/", "i.png")
    assert 'href="https://example.org/posts/b/"' in body.html
    assert 'src="https://example.org/posts/a/i.png"' in body.html


def test_no_named_reference_brings_in_a_character_feeds_cannot_carry() -> None:
    source = " ".join(f"&{name}" for name in html.entities.html5)
    assert XML_ILLEGAL.search(render_body(source, "markdown", BASE).html) is None


@pytest.mark.parametrize(
    ("reference", "named"),
    [
        ("&#1;", "U+0001"),
        ("&#x1f;", "U+001F"),
        ("&#xFFFE;", "U+FFFE"),
        ("a &amp; &#8; b", "U+0008"),
    ],
)
def test_numeric_references_to_characters_feeds_cannot_carry_are_refused(
    reference: str, named: str
) -> None:
    with pytest.raises(markup.UnsafeCharacter, match=re.escape(named)):
        render_body(f"text {reference} text", "markdown", BASE)


def test_self_closing_tags_are_written_as_the_sanitizer_writes_them() -> None:
    rendered = render_body("a  \nb\n\n---\n\n![i](https://x.example/i.png)", "markdown", BASE)
    assert "<br>" in rendered.html and "<hr>" in rendered.html and "/>" not in rendered.html


@pytest.mark.parametrize(
    "source",
    ["[x]: https://example.org/", "<!-- only a comment -->", "<script>alert(1)</script>"],
)
def test_a_body_that_renders_to_nothing_is_the_same_cold_and_incremental(
    make_site: MakeSite, source: str
) -> None:
    """No link and nothing to show: an error naming the field, never a traceback."""
    from feedpub import InputError
    from feedpub.builder.pipeline import render_site

    fmt = "html" if source.startswith("<script") else "markdown"
    text = f"title: T\ndate: 2026-01-01\nformat: {fmt}\ncontent: '{source}'\n"
    root = make_site({"a.yaml": text})
    for _ in range(2):
        with pytest.raises(InputError, match=r"entries/a\.yaml:4: error: content: renders to"):
            build(root, now=NOW)
    (root / "entries/a.yaml").write_text(text + "link: /a/\n")
    build(root, now=NOW)  # with a link it is a valid entry: incremental ...
    incremental = {p.name: p.read_bytes() for p in (root / "output").iterdir()}
    assert incremental == render_site(root, now=NOW)[1]  # ... equals a cold build
    assert b"<content" not in incremental["atom.xml"]


_PIECES = [
    "# Title",
    "## Same",
    "## Same",
    "### Été & co",
    "## Custom {#mine}",
    "## Custom {#mine}",
    "## Classy {.big}",
    "## Odd {#x data-y=z}",
    "#### `code` *em* in a heading",
    "Text with *emphasis*, **strong**, ~~struck~~ and `code <p>`.",
    '[link](https://example.org/a?b=1&c=2 "title")',
    "[bad](javascript:alert(1)) and [data](data:text/html,x)",
    "[rel](../up/) ![img](pic.png) ![abs](https://x.example/i.png)",
    "[mail](mailto:a@b.example) [ref][r]\n\n[r]: https://example.org/r",
    "- [x] done\n- [ ] todo",
    "| a | b |\n|:--|--:|\n| 1 | 2 |",
    "> quoted\n> text",
    "```python\nx = 1 < 2\n```",
    "1. one\n2. two",
    "&amp; &copy; &#233; &quot;",
    "Line  \nbreak",
    "---",
    "café naïve œuvre 日本語",
    "Code `a < b && c > d` and ```\nlet v: Vec<&str> = x;\n```",
    "An autolink <https://auto.example/x?a=1&b=2> and <mailto:a@b.example>",
    "Raw <b onclick='x()'>bold</b> <!-- note -->",
    "<div>\n\n*block*\n\n</div>",
    "A note[^a] and [^b]\n\n[^a]: One.\n[^b]: Two.",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8))
def test_markdown_the_renderer_wrote_alone_is_treated_as_by_the_html_pass(
    pieces: list[str],
) -> None:
    """The headings and link schemes of plain Markdown are handled without parsing
    its HTML; the result must be exactly what the HTML pass gives."""
    from feedpub.read.htmlpass import Prepass
    from feedpub.read.sanitize import clean

    source = "\n\n".join(pieces)
    for gfm in (True, False):
        dialect: markup.Dialect = "gfm" if gfm else "commonmark"
        if not markup._only_markdown(source, "markdown", dialect):
            assert "<b" in source or "<div>" in source or "[^" in source
            continue  # raw HTML or footnotes: the HTML pass does it
        raw = markup._RENDERERS[dialect].html(source)
        quick = markup._plain_rendering(raw, gfm=gfm)
        full = Prepass(BASE, gfm=gfm)
        full.feed(raw)
        full.close()
        if quick is None:  # a heading with other attributes: the HTML pass does it
            assert "{." in source or "data-y" in source
            continue
        assert clean(quick[0], BASE) == clean(full.result(), BASE), source
        assert quick[1] == list(full.removed), source
