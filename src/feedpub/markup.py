"""Turn entry content into the safe HTML that feeds carry.

Markdown goes through cmarkgfm (CommonMark, compiled C) with raw HTML kept,
then *everything* goes through nh3, so no script, event handler or
``javascript:`` URL can reach a reader whatever the entry holds. Relative
URLs are made absolute because feed readers have no base to resolve them.
"""

from __future__ import annotations

import ctypes
import html
import re
from functools import partial
from urllib.parse import urlsplit

import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

from .fields import XML_ILLEGAL
from .markup_formats import ContentFormat
from .model import Image
from .urls import join

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

    def __init__(self, code: int | None) -> None:
        self.code = code
        what = f"U+{code:04X}" if code is not None else "a noncharacter such as U+FFFE"
        super().__init__(f"has a character reference to {what}, which feeds cannot carry")


def text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


# cmark writes href/src first in its own <a> and <img> (safe mode has no other tags).
_CMARK_URL = re.compile(r'<(a|img) (href|src)="([^"]*)"')
# In text the next angle bracket is "<"; inside a tag it is ">" (values escape both).
# A link fix() would change: not starting with http(s)://, or ending in white space.
_LINK_TO_FIX = re.compile(r'<(?:a|img) (?:href|src)="(?:(?!https?://)|[^"]*\s")')
_SELF_CLOSING = re.compile("/>")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


_RAW_HTML_OMITTED = "<!-- raw HTML omitted -->"
_libc_free = ctypes.CDLL(None).free
_libc_free.argtypes = [ctypes.c_void_p]
_libc_free.restype = None


def cmark_html(source: str, options: int = 0) -> str:
    """cmark's HTML for ``source``, freeing the C string cmark returns.

    cmarkgfm's own ``markdown_to_html`` never frees it: about 6 KB leaked per
    4 KB body, 600 MB over a 100,000-entry build. cmark allocates it with
    the C library's default allocator, so the C library's free() releases it.
    """
    encoded = source.encode("utf-8")
    result = _cmark.lib.cmark_markdown_to_html(encoded, len(encoded), options)
    try:
        html: str = _cmark.ffi.string(result).decode("utf-8")
    finally:
        _libc_free(int(_cmark.ffi.cast("uintptr_t", result)))
    return html


def _blanked(rendered: str) -> bool:
    """Whether cmark's safe mode left something out: raw HTML (a comment in its
    place), or a dangerous link or image (``javascript:``, ``file:``, ``data:``
    but images, however spelled: ``&#58;`` too), written as ``href=""`` or
    ``src=""``. Those are not told apart from a real empty link: such sources
    take the sanitizer's path. (A quote in a value or in text is ``&quot;``.)
    """
    return _RAW_HTML_OMITTED in rendered or 'href=""' in rendered or 'src=""' in rendered


def _safe_markdown(rendered: str, base: str, relative: list[str] | None) -> str:
    """Finish cmark's safe-mode HTML for Markdown that had no raw HTML.

    Safe mode emits only cmark's own well-formed tags and blanks
    ``javascript:``-style links, so the sanitizer would remove nothing: we
    apply the same URL policy and spelling nh3 would (absolute URLs,
    http/https/mailto only, ``<br>`` not ``<br />``, literal quotes in text).
    A test checks both paths give identical HTML; this skips most of the
    per-entry cost.
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
        rendered = _CMARK_URL.sub(fix, rendered)
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

    In cmark's output text never holds a raw bracket, so a quote is in text
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
        try:
            safe = cmark_html(source)
            if not _blanked(safe):
                finished = _safe_markdown(safe, base, relative)
                # Only a character reference (&#1;) can bring in what XML refuses:
                # the source itself was checked when it was read.
                # No named reference does (tests check all of them), and a
                # one-character search first skips the slower two-character one.
                return _checked(finished) if "&" in source and "&#" in source else finished
            raw = cmark_html(source, Options.CMARK_OPT_UNSAFE)
        except UnicodeDecodeError as exc:  # cmark-gfm writes &#xFFFE; as invalid UTF-8
            raise UnsafeCharacter(None) from exc
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
