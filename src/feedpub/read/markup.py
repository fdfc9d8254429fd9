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
from dataclasses import dataclass
from functools import partial
from typing import Literal
from urllib.parse import urljoin, urlsplit

import nh3
import pyromark

from ..model import Image

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

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
                return urljoin(base, url)
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


ContentFormat = Literal["markdown", "html", "text"]
CONTENT_FORMATS: tuple[ContentFormat, ...] = ("markdown", "html", "text")
Dialect = Literal["gfm", "commonmark"]


@dataclass(frozen=True, slots=True)
class Body:
    html: str
    relative: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def render_body(source: str, fmt: ContentFormat, base: str, *, dialect: Dialect = "gfm") -> Body:
    """Sanitised HTML of an entry's content; every body goes through nh3."""
    if fmt == "markdown":
        raw = pyromark.html(source)
    elif fmt == "html":
        raw = source
    else:
        raw = text_to_html(source)
    relative: list[str] = []
    return Body(_checked(sanitize(raw, base, relative).strip()), tuple(relative))


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
