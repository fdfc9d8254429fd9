"""Turn entry content into the safe HTML feeds carry, saying what the sanitizer took out.

Every body (Markdown rendered GitHub-flavoured by pyromark, HTML, or text) goes
through one HTML pass (htmlpass.py) and then through nh3 (sanitize.py), which
alone decides what readers get.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

import pyromark

from ..model import Image
from .htmlpass import Prepass
from .sanitize import clean

Dialect = Literal["gfm", "commonmark"]
DIALECTS: tuple[Dialect, ...] = ("gfm", "commonmark")
ContentFormat = Literal["markdown", "html", "text"]
CONTENT_FORMATS: tuple[ContentFormat, ...] = ("markdown", "html", "text")

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot carry (its production 2, ``Char``)."""

_O = pyromark.Options
# GFM spec: tables (4.10), task list items (5.3), strikethrough (6.5) and
# footnotes as github.com renders them; {#id} heading attributes are
# pulldown-cmark's. Smart punctuation stays off: GFM does not have it.
_GFM = _O.ENABLE_TABLES | _O.ENABLE_FOOTNOTES | _O.ENABLE_STRIKETHROUGH | _O.ENABLE_TASKLISTS
_RENDERERS: dict[Dialect, pyromark.Markdown] = {
    "gfm": pyromark.Markdown(options=_GFM | _O.ENABLE_HEADING_ATTRIBUTES),
    "commonmark": pyromark.Markdown(),
}


@dataclass(frozen=True, slots=True)
class Body:
    """An entry's content as feeds carry it, with what ``check`` should point out."""

    html: str
    relative: tuple[str, ...]
    removed: tuple[str, ...]


class UnsafeCharacter(ValueError):
    """The content refers (``&#1;``, ``&#xFFFE;``) to a character XML cannot carry.

    Raw ones are refused when the file is read; references only turn into
    characters once the HTML or Markdown is parsed, so they are caught here.
    """

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"has a character reference to U+{code:04X}, which feeds cannot carry")


def render_body(source: str, fmt: ContentFormat, base: str, *, dialect: Dialect = "gfm") -> Body:
    """Sanitized HTML of an entry's content, with its relative URLs and what was removed."""
    if fmt == "markdown":
        raw = _RENDERERS[dialect].html(source)
    elif fmt == "html":
        raw = source
    else:
        raw = _text_to_html(source)
    _refuse_unsafe_references(raw)
    prepass = Prepass(base, gfm=fmt == "markdown" and dialect == "gfm")
    prepass.feed(raw)
    prepass.close()
    cleaned, relative = clean(prepass.result(), base)
    bad = XML_ILLEGAL.search(cleaned)
    if bad:
        raise UnsafeCharacter(ord(bad.group()))
    return Body(cleaned, tuple(relative), tuple(prepass.removed))


def figure_html(image: Image) -> str:
    """The entry's lead image, shown above the content like a news page does."""
    img = f'<img src="{html.escape(image.url)}" alt="{html.escape(image.alt)}">'
    caption = ""
    if image.credit:
        caption = f"<figcaption>© {html.escape(image.credit, quote=False)}</figcaption>"
    return f"<figure>{img}{caption}</figure>"


def _text_to_html(text: str) -> str:
    """Plain text as paragraphs: blank lines separate them, line breaks are kept."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


# HTML's numeric character references; longer numbers are beyond Unicode, and
# HTML reads those (like 0 and surrogates) as U+FFFD, so only these remain of
# what XML_ILLEGAL matches.
_ILLEGAL_CODES = frozenset([*range(1, 9), 0xB, 0xC, *range(0xE, 0x20), 0xFFFE, 0xFFFF])
_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})(?![0-9a-fA-F])|0*([0-9]{1,7})(?![0-9]))")


def _refuse_unsafe_references(raw: str) -> None:
    """Refuse references to code points XML cannot carry before HTMLParser silently drops them.

    html5ever (so nh3, and readers) would turn them into those characters.
    """
    if "&#" not in raw:
        return
    for match in _REFERENCE.finditer(raw):
        hexadecimal, decimal = match.groups()
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if code in _ILLEGAL_CODES:
            raise UnsafeCharacter(code)
