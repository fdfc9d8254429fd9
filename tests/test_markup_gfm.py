"""Entry bodies: GitHub-flavoured Markdown, always sanitized, saying what was removed."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from feedpub.model import Image
from feedpub.read.markup import (
    CONTENT_FORMATS,
    Body,
    ContentFormat,
    UnsafeCharacter,
    figure_html,
    render_body,
)

BASE = "https://example.org/posts/a/"


def md(source: str) -> str:
    return render_body(source, "markdown", BASE).html


def test_pipe_table_keeps_its_alignment_as_the_one_style_allowed() -> None:
    source = "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |"
    assert md(source) == (
        "<table><thead><tr>"
        '<th style="text-align: left">a</th><th style="text-align: center">b</th>'
        '<th style="text-align: right">c</th><th>d</th>'
        "</tr></thead><tbody>\n<tr>"
        '<td style="text-align: left">1</td><td style="text-align: center">2</td>'
        '<td style="text-align: right">3</td><td>4</td>'
        "</tr>\n</tbody></table>"
    )


def test_other_styles_in_table_cells_are_removed_and_reported() -> None:
    body = render_body(
        '<table><tr><td style="text-align: justify">x</td>'
        '<td style="text-align: left; position: fixed">y</td></tr></table>',
        "html",
        BASE,
    )
    assert body.html == "<table><tbody><tr><td>x</td><td>y</td></tr></tbody></table>"
    assert body.removed == ("style attribute",)


def test_footnotes_link_both_ways_with_unique_ids() -> None:
    source = "Text[^1] and again[^1] and [^note].\n\n[^1]: The note.\n[^note]: Other.\n"
    assert md(source) == (
        '<p>Text<sup class="footnote-reference"><a href="#fn-1" id="fnref-1">1</a></sup>'
        ' and again<sup class="footnote-reference"><a href="#fn-1" id="fnref-1-1">1</a></sup>'
        ' and <sup class="footnote-reference"><a href="#fn-note" id="fnref-note">2</a></sup>.'
        "</p>\n"
        '<div class="footnote-definition" id="fn-1">'
        '<sup class="footnote-definition-label">1</sup>\n'
        '<p>The note. <a href="#fnref-1" class="footnote-backref">↩</a>'
        ' <a href="#fnref-1-1" class="footnote-backref">↩2</a></p>\n</div>\n'
        '<div class="footnote-definition" id="fn-note">'
        '<sup class="footnote-definition-label">2</sup>\n'
        '<p>Other. <a href="#fnref-note" class="footnote-backref">↩</a></p>\n</div>'
    )


def test_footnote_ids_do_not_clash_with_heading_ids() -> None:
    html = md("# fn-1\n\nSee[^1].\n\n[^1]: Here.")
    assert '<h1 id="fn-1">' in html
    assert '<a href="#fn-1-1" id="fnref-1">' in html
    assert '<div class="footnote-definition" id="fn-1-1">' in html


def test_a_reference_after_its_definition_still_gets_a_back_link() -> None:
    html = md("[^a]: Note.\n\nLater[^a].")
    assert '<p>Note. <a href="#fnref-a" class="footnote-backref">↩</a></p>' in html
    assert '<a href="#fn-a" id="fnref-a">1</a>' in html


def test_strikethrough() -> None:
    assert md("~~gone~~ and ~also~") == "<p><del>gone</del> and <del>also</del></p>"


def test_task_list_checkboxes_are_disabled() -> None:
    assert md("- [ ] todo\n- [x] done") == (
        '<ul>\n<li><input type="checkbox" disabled="">\ntodo</li>\n'
        '<li><input type="checkbox" checked="" disabled="">\ndone</li>\n</ul>'
    )


def test_only_checkboxes_are_kept_of_inputs_and_always_disabled() -> None:
    body = render_body('<input type="text" value="x"><input type=checkbox checked>', "html", BASE)
    assert body.html == '<input type="checkbox" checked="" disabled="">'
    assert body.removed == ("<input> element",)


def test_headings_get_ids_custom_or_from_their_text_unique_in_the_document() -> None:
    source = "# Title {#custom}\n\n## Intro\n\n## Intro\n\n## Intro\n\n### `Code` & *more*, é!"
    assert md(source) == (
        '<h1 id="custom">Title</h1>\n<h2 id="intro">Intro</h2>\n'
        '<h2 id="intro-1">Intro</h2>\n<h2 id="intro-2">Intro</h2>\n'
        '<h3 id="code--more-é"><code>Code</code> &amp; <em>more</em>, é!</h3>'
    )


def test_a_custom_id_repeating_another_is_made_unique() -> None:
    assert md("# A\n\n# B {#a}") == '<h1 id="a">A</h1>\n<h1 id="a-1">B</h1>'


def test_heading_classes_and_attributes_are_removed_and_reported() -> None:
    body = render_body("# T {#t .big data-x=y}", "markdown", BASE)
    assert body.html == '<h1 id="t">T</h1>'
    assert body.removed == ("class attribute", "data-x attribute")


def test_html_bodies_keep_their_heading_ids_without_adding_any() -> None:
    body = render_body('<h2 id="a">x</h2><h2 id="a">y</h2><h2>z</h2>', "html", BASE)
    assert body.html == '<h2 id="a">x</h2><h2 id="a-1">y</h2><h2>z</h2>'


def test_commonmark_dialect_has_no_extensions() -> None:
    source = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ [^1]\n\n# T {#t}"
    body = render_body(source, "markdown", BASE, dialect="commonmark")
    assert body.html == (
        "<p>| a | b |\n|---|---|\n| 1 | 2 |</p>\n<p>~~x~~ [^1]</p>\n<h1>T {#t}</h1>"
    )


def test_smart_punctuation_is_off() -> None:
    assert md("\"quotes\" -- and --- ... 'x'") == "<p>\"quotes\" -- and --- ... 'x'</p>"


def test_dangerous_markup_is_removed_and_each_kind_named_once_in_order() -> None:
    source = (
        '<p onclick="x()" style="color: red">a<script>alert(1)</script>'
        '<a href="javascript:alert(1)" onclick="y()">j</a>'
        "<style>p { color: red }</style>"
        '<iframe src="data:text/html,hi"></iframe>b</p>'
    )
    body = render_body(source, "html", BASE)
    assert body.html == "<p>a<a>j</a>b</p>"
    assert body.removed == (
        "onclick attribute",
        "style attribute",
        "<script> element",
        "javascript: URL",
        "<style> element",
        "<iframe> element",
    )


def test_markdown_bodies_are_sanitized_too() -> None:
    body = render_body("[x](javascript:alert(1)) <b onmouseover=x>b</b>", "markdown", BASE)
    assert body.html == "<p><a>x</a> <b>b</b></p>"
    assert body.removed == ("javascript: URL", "onmouseover attribute")


def test_nothing_removed_says_nothing() -> None:
    assert render_body("*just* [text](https://x.example/)", "markdown", BASE).removed == ()


def test_youtube_iframe_becomes_a_link() -> None:
    source = '<iframe width="560" src="https://www.youtube.com/embed/abc" allowfullscreen></iframe>'
    body = render_body(source, "markdown", BASE)
    assert body.html == (
        '<p><a href="https://www.youtube.com/embed/abc">'
        "▶ embed: https://www.youtube.com/embed/abc</a></p>"
    )
    assert body.removed == ("<iframe> element (replaced by a link)",)


def test_video_and_embed_become_links_relative_sources_resolved() -> None:
    source = (
        '<video controls><source src="v.mp4" type="video/mp4">Your browser...</video>'
        '<embed src="http://x.example/f.swf">'
    )
    body = render_body(source, "html", BASE)
    assert body.html == (
        '<p><a href="https://example.org/posts/a/v.mp4">'
        "▶ video: https://example.org/posts/a/v.mp4</a></p>"
        '<p><a href="http://x.example/f.swf">▶ embed: http://x.example/f.swf</a></p>'
    )
    assert body.relative == ("v.mp4",)
    assert body.removed == (
        "<video> element (replaced by a link)",
        "<embed> element (replaced by a link)",
    )


def test_an_iframe_ends_at_its_first_end_tag() -> None:
    body = render_body('<iframe src="https://e.example/"><iframe>x</iframe>after', "html", BASE)
    assert body.html == ('<p><a href="https://e.example/">▶ embed: https://e.example/</a></p>after')


def test_noscript_fallback_image_is_kept_as_html() -> None:
    body = render_body('<noscript><img src="/a.png" alt="A"></noscript>', "markdown", BASE)
    assert body.html == '<p><img src="https://example.org/a.png" alt="A"></p>'
    assert body.removed == ()


def test_markup_in_raw_text_elements_never_reaches_readers_escaped() -> None:
    source = "<textarea><b>x</b></textarea><xmp><i>y</i></xmp><noembed><em>z</em></noembed>"
    body = render_body(source, "html", BASE)
    assert body.html == "<b>x</b><i>y</i><em>z</em>"
    assert body.removed == ("<textarea> element", "<xmp> element")


def test_code_still_shows_markup_as_text() -> None:
    assert md("`<img src=x>`") == "<p><code>&lt;img src=x&gt;</code></p>"


def test_relative_urls_are_resolved_and_listed_fragments_kept() -> None:
    body = render_body(
        '[a](rel/x) ![i](/img.png) [f](#frag) <a href="#top">t</a>', "markdown", BASE
    )
    assert body.html == (
        '<p><a href="https://example.org/posts/a/rel/x">a</a>'
        ' <img src="https://example.org/img.png" alt="i">'
        ' <a href="#frag">f</a> <a href="#top">t</a></p>'
    )
    assert body.relative == ("rel/x", "/img.png")


@pytest.mark.parametrize(
    ("fmt", "source"),
    [(fmt, source) for fmt in CONTENT_FORMATS for source in ["", "  \n\n "]]
    + [("markdown", "<!-- only a comment -->"), ("html", "<!-- a -->\n<!-- b -->")],
)
def test_empty_bodies_render_to_nothing(fmt: ContentFormat, source: str) -> None:
    assert render_body(source, fmt, BASE) == Body("", (), ())


def test_text_bodies_are_paragraphs_with_markup_shown() -> None:
    body = render_body("a <b>\nline\n\nnext", "text", BASE)
    assert body.html == "<p>a &lt;b&gt;<br>\nline</p>\n<p>next</p>"


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("reference", ["&#1;", "&#x1F;", "&#xFFFE;"])
def test_references_to_characters_xml_cannot_carry_are_refused(
    fmt: ContentFormat, reference: str
) -> None:
    with pytest.raises(UnsafeCharacter, match="U\\+"):
        render_body(f"a {reference} b", fmt, BASE)


def test_figure_html() -> None:
    image = Image(url="https://x.example/i.png?a=1&b=2", alt='say "hi"', credit="Me & you")
    assert figure_html(image) == (
        '<figure><img src="https://x.example/i.png?a=1&amp;b=2" alt="say &quot;hi&quot;">'
        "<figcaption>© Me &amp; you</figcaption></figure>"
    )


MARKUPISH = st.lists(
    st.sampled_from(
        [
            *"<>/=\"' &#;:-[]()!*_~`|^{}\n",
            *["script", "iframe", "noscript", "style", "svg", "math", "img", "a", "src"],
            *["javascript", "onerror", "href", "<!--", "-->", "<![CDATA[", "]]>", "\x01", "é"],
            *["[^1]", "[^1]:", "# ", "video", "source", "embed", "textarea", "&#1;", "x", "1"],
        ]
    ),
    max_size=60,
).map("".join)


@given(source=st.one_of(st.text(max_size=200), MARKUPISH), fmt=st.sampled_from(CONTENT_FORMATS))
@example(source="<scr<script>ipt>alert(1)</script>", fmt="html")
@example(source="<svg><style><img src=x onerror=alert(1)></style></svg>", fmt="html")
@example(source="<noscript><p title='</noscript><script>x</script>'>", fmt="markdown")
def test_no_script_ever_reaches_readers(source: str, fmt: ContentFormat) -> None:
    try:
        body = render_body(source, fmt, BASE)
    except UnsafeCharacter:
        return
    assert "<script" not in body.html.lower()


@pytest.mark.parametrize(
    ("fmt", "source"),
    [
        # HTML reads leading zeros and a missing ";", CommonMark does not.
        ("html", "&#000000001;"),
        ("html", "&#xFFFF"),
        ("html", '<span title="&#x0b;">x</span>'),
        ("markdown", '<span title="&#x0b;">x</span>'),
        ("markdown", "# &#x1b;"),
    ],
)
def test_references_however_spelled_or_placed_are_refused(fmt: ContentFormat, source: str) -> None:
    with pytest.raises(UnsafeCharacter):
        render_body(source, fmt, BASE)


@pytest.mark.parametrize("source", ["&#0;", "&#xD800;", "&#x110000;", "&#xFFFFFF;", "&#x80;"])
def test_references_html_reads_as_other_characters_are_not_refused(source: str) -> None:
    assert render_body(source, "html", BASE).html in {"\ufffd", "€"}
