"""Turn entry content into the safe HTML that feeds carry.

Markdown goes through pyromark (pulldown-cmark, CommonMark in compiled
Rust) with raw HTML kept, then through nh3, so no script, event handler or
``javascript:`` URL can reach a reader whatever the entry holds; Markdown
with no raw HTML skips nh3 for the same policy applied here (see
_safe_markdown). Relative URLs are made absolute because feed readers have
no base to resolve them.
"""

from __future__ import annotations

import html
import re
from functools import partial
from urllib.parse import urlsplit

import nh3
import pyromark

from .fields import XML_ILLEGAL
from .markup_formats import ContentFormat
from .model import Image
from .urls import join

markdown_html = pyromark.html
"""CommonMark to HTML, raw HTML kept (no extensions: tables, footnotes... off)."""

_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "poster"})
_TAGS = set(nh3.ALLOWED_TAGS) | {"figure", "figcaption", "picture", "source", "video", "audio"}
_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
_ATTRIBUTES.setdefault("*", set()).update({"lang", "dir", "title"})
for _tag, _attrs in {
    "img": {"src", "alt", "width", "height", "loading"},
    "a": {"href", "hreflang"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    # Not srcset: it holds a list of URLs that nh3 neither scheme-checks nor
    # passes to the filter one by one, so it could carry javascript: or data:.
    "source": {"src", "type", "media"},
    "code": {"class"},
    "pre": {"class"},
}.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_attrs)
_SCHEMES = {"http", "https", "mailto"}


def _absolutize(
    base: str, relative: list[str], element: str, attribute: str, value: str
) -> str | None:
    if attribute in _URL_ATTRIBUTES:
        url = value.strip()
        try:
            scheme = urlsplit(url).scheme
            if not scheme:
                relative.append(url)
                return join(base, url)
        except ValueError:  # an invalid [IPv6] host: drop the attribute
            return None
        if scheme.lower() not in _SCHEMES:
            # nh3 checks the schemes of href and src only, not of cite.
            return None
        return url  # absolute: as written (urljoin would lower-case some schemes only)
    return value


def sanitize(fragment: str, base: str, relative: list[str] | None = None) -> str:
    """Strip anything unsafe and resolve relative URLs against ``base``.

    Relative URLs found are appended to ``relative`` so ``check`` can point
    them out (they resolve against the entry link, which may surprise).
    """
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        attribute_filter=partial(_absolutize, base, [] if relative is None else relative),
        link_rel=None,
    )


class UnsafeCharacter(ValueError):
    """The content refers (``&#1;``, ``&#xFFFE;``) to a character XML cannot carry.

    Raw ones are refused when the file is read; references only turn into
    characters once the HTML or Markdown is parsed, so they are caught here.
    """

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"has a character reference to U+{code:04X}, which feeds cannot carry")


def text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


# The renderer writes href/src first in its own <a> and <img>.
_RENDERED_URL = re.compile(r'<(a|img) (href|src)="([^"]*)"')
# In text the next angle bracket is "<"; inside a tag it is ">" (values escape both).
# A link fix() would change: not starting with http(s)://, or ending in white space.
_LINK_TO_FIX = re.compile(r'<(?:a|img) (?:href|src)="(?:(?!https?://)|[^"]*\s")')
_SELF_CLOSING = re.compile("/>")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

# Raw HTML in Markdown (a tag, a comment, <!...>, <?...?>) always starts with
# "<" and then a letter, "/", "!" or "?"; autolinks start so too.
_MAY_HOLD_HTML = re.compile(r"<[A-Za-z/!?]")
# The elements pulldown-cmark writes for CommonMark, each name followed by
# " " or ">" in its tags.
_OUR_NAMES = "(?:p|h[1-6]|blockquote|pre|ul|ol|li|em|strong|code|a|img|hr|br)"
_NAMED_AS_OURS = re.compile(rf"</?{_OUR_NAMES}(?![A-Za-z0-9-])")
_NOT_OURS = re.compile(rf"<(?!/?{_OUR_NAMES}[ >])")


def _has_raw_html(source: str, rendered: str) -> bool:
    """Whether pulldown-cmark passed raw HTML from ``source`` into ``rendered``.

    It has no safe mode: raw HTML comes out as written, text and code with
    "<" escaped. So a tag in ``rendered`` whose name the renderer never
    writes is raw HTML. A raw tag that looks like the renderer's own
    (``<em>``, ``<a href=...>``) could hide among them, but only if its name
    follows a "<" in ``source``; then the parser's events tell (about 35
    microseconds, against about 350 for nh3 on a 4 KB body), as when a post
    shows ``<p>`` in code. Most bodies need only the first search.
    """
    if _MAY_HOLD_HTML.search(source) is None:
        return False
    if _NOT_OURS.search(rendered) is not None:
        return True
    return _NAMED_AS_OURS.search(source) is not None and _parsed_raw_html(source)


def _parsed_raw_html(source: str) -> bool:
    """Whether the parser meets raw HTML in ``source`` (an HTML block or inline HTML)."""
    return any("InlineHtml" in event or "Html" in event for event in pyromark.events(source))


def _safe_markdown(rendered: str, base: str, relative: list[str] | None) -> str:
    """Finish the renderer's HTML for Markdown that had no raw HTML.

    It then holds only the renderer's own well-formed tags, so the sanitizer
    would change only URLs and spelling: we apply the same URL policy and
    spelling nh3 would (absolute URLs, http/https/mailto only, other links
    and images losing their URL, ``<br>`` not ``<br />``, literal quotes in
    text). A test checks both paths give identical HTML; this skips most of
    the per-entry cost.
    """

    def fix(match: re.Match[str]) -> str:
        element, attribute, url = match.groups()
        if url.startswith(("https://", "http://")) and url.strip() == url:
            return match.group()  # the usual absolute link: nothing to do
        url = html.unescape(url).strip()
        scheme = _SCHEME.match(url)
        if scheme:
            if scheme.group()[:-1].lower() not in _SCHEMES:
                return f"<{element}"  # drop the attribute, as nh3 does
            return match.group()
        if relative is not None:
            relative.append(url)
        return f'<{element} {attribute}="{html.escape(join(base, url))}"'

    if _LINK_TO_FIX.search(rendered):  # most bodies link only to absolute http(s) URLs
        rendered = _RENDERED_URL.sub(fix, rendered)
    if "&quot;" in rendered:  # nh3 writes quotes in text literally
        rendered = _quotes_in_text(rendered)
    # <br />, <hr />, <img ... />; the regex engine finds "/>" in half the time
    # str takes to find " />" (which has to look at every character).
    if _SELF_CLOSING.search(rendered):
        rendered = rendered.replace(" />", ">")
    if "\xa0" in rendered:  # as html5ever writes a no-break space, in text and values
        rendered = rendered.replace("\xa0", "&nbsp;")
    return rendered.strip()


def _quotes_in_text(rendered: str) -> str:
    """``&quot;`` written as ``"`` where it is text, not inside a tag.

    (pulldown-cmark writes a quote in text as it is, but a reference such as
    ``&#34;`` in a title attribute comes out as ``&quot;``.) In the
    renderer's output text never holds a raw bracket, so a quote is in text
    when the first bracket after it is "<" (or there is none). Going from the
    last quote back, each piece between quotes answers that for the quote
    before it, or passes on the answer of the quote after it: twice as fast
    as a lookahead regex, which scans to the next bracket from every quote.
    """
    pieces = rendered.split("&quot;")
    in_text = True
    for number in range(len(pieces) - 1, 0, -1):
        piece = pieces[number]
        opening, closing = piece.find("<"), piece.find(">")
        if opening >= 0 or closing >= 0:
            in_text = closing < 0 or 0 <= opening < closing
        pieces[number] = ('"' if in_text else "&quot;") + piece
    return "".join(pieces)


def to_html(source: str, fmt: ContentFormat, base: str, relative: list[str] | None = None) -> str:
    """Sanitised HTML of an entry's content; ``source`` has passed the XML character check."""
    if fmt == "markdown":
        raw = markdown_html(source)
        if not _has_raw_html(source, raw):
            finished = _safe_markdown(raw, base, relative)
            # Only a character reference (&#1;) can bring in what XML refuses:
            # the source itself was checked when it was read.
            # No named reference does (tests check all of them), and a
            # one-character search first skips the slower two-character one.
            return _checked(finished) if "&" in source and "&#" in source else finished
    elif fmt == "html":
        raw = source
    else:
        raw = text_to_html(source)
    return _checked(sanitize(raw, base, relative).strip())


def _checked(html: str) -> str:
    """Character references (``&#1;``) become characters XML cannot carry only now."""
    if not html.replace("\n", "").replace("\t", "").isprintable():
        bad = XML_ILLEGAL.search(html)
        if bad:
            raise UnsafeCharacter(ord(bad.group()))
    return html


def figure_html(image: Image) -> str:
    """The entry's lead image, shown above the content like a news page does."""
    img = f'<img src="{html.escape(image.url)}" alt="{html.escape(image.alt)}">'
    caption = ""
    if image.credit:
        caption = f"<figcaption>© {html.escape(image.credit, quote=False)}</figcaption>"
    return f"<figure>{img}{caption}</figure>"
