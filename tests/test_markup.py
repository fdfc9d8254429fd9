"""Content HTML: the fast Markdown path must agree exactly with the sanitizer path."""

from __future__ import annotations

import html.entities
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub.read import markup
from feedpub.read.fields import XML_ILLEGAL

BASE = "https://example.org/posts/a/"
SAMPLES = [
    "plain *emphasis* and **strong**",
    "[relative](../b/) and [absolute](https://x.example/) and [mail](mailto:a@b.example)",
    '![img](pic.png "a title") and ![data](data:image/png;base64,AAAA)',
    "[bad](javascript:alert(1)) [vb](VBScript:x) [file](file:///etc/passwd)",
    'code `if x < 1 and y > "2"` and\n\n```\nfn main() { println!("{}", &x); }\n```',
    "<https://autolink.example/path?a=1&b=2> and <mail@example.org>",
    "line  \nbreak\n\n---\n\n> quote\n\n1. one\n2. two\n\n- a\n- b",
    '"quotes" & ampersands & <em>raw html</em> <script>alert(1)</script>',
    '<a href="/x" onclick="evil()">raw link</a>',
    '# H1\n\n## H2 with `code`\n\nText [ref][1]\n\n[1]: /refs/one "Ref title"',
    "[spaced](<https://x.example/a b >) [upper](HTTPS://X.EXAMPLE/) ![](http://i.example/i.png)",
    "[dots](https://x.example/a/../b?) [Mixed](Http://x.example/./c) [m](Mailto:A@B.example)",
    '![trailing space ](t.png) [titled](/t "ends in a space ") ![t](t.png "also ")',
    '[q](/q "say &quot;hi&quot;") ![say "hi"](q.png) and "text" with <code>"</code>',
    'non-breaking\xa0space, &nbsp; `in\xa0code` [in\xa0links](/a\xa0b "t\xa0") ![i\xa0](i.png)',
    # Dangerous links spelled with references: dropped, as when written out.
    "[x](javascript&#58;alert(1)) [y](<vbscript&colon;x>) [z](data&#58;text/html,hi)",
    "[empty]() ![empty]() [angle](<>) ![no alt](pic.png) ![](pic.png)",
    # Raw HTML that looks like the renderer's own tags, or hides from a
    # lower-case search: the sanitizer still sees it.
    "<em>never closed\n\nnext *paragraph*",
    '<a href="javascript:alert(1)">x</a> <img src="x" onerror="alert(1)" />',
    "<P>upper</P> <EM>case</EM> <p\tclass=x>tab</p>",
    "> <em\n> class='x'>split</em> over lines",
    "<!-- comment --> <?php echo 1; ?> <![CDATA[x]]> <!DOCTYPE html>",
    '`<p>` and `<a href="x">` in code only, then *emphasis*',
]


def sanitizer_path(source: str) -> str:
    return markup.sanitize(markup.markdown_html(source), BASE).strip()


@pytest.mark.parametrize("source", SAMPLES)
def test_fast_path_matches_sanitizer(source: str) -> None:
    assert markup.to_html(source, "markdown", BASE) == sanitizer_path(source)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*SAMPLES, "", "\n", " ", "`", "*", "[", "]", "(", ")", "!"]), max_size=8
    ).map("".join)
)
def test_fast_path_matches_sanitizer_on_mixtures(source: str) -> None:
    assert markup.to_html(source, "markdown", BASE) == sanitizer_path(source)


_MARKDOWN_PIECES = [
    *'ab "&<>[]()!*`\\\n-:/.#',
    "&quot;",
    "&#34;",
    "&nbsp;",
    "\xa0",
    "![",
    "](x.png",
    ' "t ")',
    "  \n",
    "javascript",
    "&#58;",
    "&colon;",
    "<em>",
    "</em>",
    "<p>",
    '<a href="',
    "<EM ",
    "<!--",
    "-->",
    "<?",
    "<br />",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MARKDOWN_PIECES), max_size=60).map("".join))
def test_fast_path_matches_sanitizer_on_markdown_characters(source: str) -> None:
    assert markup.to_html(source, "markdown", BASE) == sanitizer_path(source)


def test_code_that_shows_html_skips_the_sanitizer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tech posts quote HTML in code; only raw HTML needs nh3 (about 350
    microseconds for a 4 KB body, several times the rest of the path)."""

    def no_sanitizer(*args: object, **kwargs: object) -> str:
        raise AssertionError("sanitizer called")

    source = (
        'Add `<link rel="alternate">` to the page:\n\n```html\n'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">\n```\n\n'
        'and `<a href="/atom.xml">`, in a `<p>` or an `<li>`.\n\n    <em>indented</em>\n\n'
        "See <https://example.org/feeds> and *more*."
    )
    expected = sanitizer_path(source)
    monkeypatch.setattr(markup, "sanitize", no_sanitizer)
    assert markup.to_html(source, "markdown", BASE) == expected


@pytest.mark.parametrize(
    "source",
    ["a <em>b</em>", "x <span>y</span>", "<div>\nblock\n</div>", "a <!-- c --> b", "<P>p</P>"],
)
def test_raw_html_goes_through_the_sanitizer(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[str] = []
    sanitize = markup.sanitize

    def spy(fragment: str, *args: object, **kwargs: object) -> str:
        called.append(fragment)
        return sanitize(fragment, BASE)

    monkeypatch.setattr(markup, "sanitize", spy)
    markup.to_html(source, "markdown", BASE)
    assert called


def test_relative_urls_are_reported_and_resolved() -> None:
    found: list[str] = []
    out = markup.to_html("[a](../b/) ![i](i.png)", "markdown", BASE, found)
    assert found == ["../b/", "i.png"]
    assert 'href="https://example.org/posts/b/"' in out
    assert 'src="https://example.org/posts/a/i.png"' in out


_QUOTE_LOOKAHEAD = re.compile(r"&quot;(?=[^<>]*(?:<|\Z))")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["&quot;", "<", ">", "a", "&", "quot;", "<p>", "</p>"])).map("".join)
)
def test_quotes_in_text_are_those_a_lookahead_finds(html: str) -> None:
    """The straightforward twin: a quote is in text if the next bracket is "<" or none."""
    assert markup._quotes_in_text(html) == _QUOTE_LOOKAHEAD.sub('"', html)


def test_no_named_reference_brings_in_a_character_feeds_cannot_carry() -> None:
    """The fast path checks the HTML for such characters only after "&#"."""
    source = " ".join(f"&{name}" for name in html.entities.html5)
    rendered = markup.to_html(source, "markdown", BASE)
    assert "&#" not in source and XML_ILLEGAL.search(rendered) is None
    assert rendered == sanitizer_path(source)


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
        markup.to_html(f"text {reference} text", "markdown", BASE)


def test_self_closing_tags_lose_their_slash_as_the_sanitizer_writes_them() -> None:
    source = "a  \nb\n\n---\n\n![i](https://x.example/i.png)"
    rendered = markup.to_html(source, "markdown", BASE)
    assert "<br>" in rendered and "<hr>" in rendered and "/>" not in rendered
    assert rendered == sanitizer_path(source)
