"""Turn entry content into the safe HTML feeds carry, saying what the sanitizer took out.

Every body (Markdown rendered GitHub-flavoured by pyromark, HTML, or text) goes
through one stdlib HTMLParser pass, which turns embeds into links, unwraps
<noscript>, gives headings and footnotes unique ids and names what nh3 will
drop, and then through nh3, which alone decides what readers get.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urljoin, urlsplit

import nh3
import pyromark

from ..model import Image

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

_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TAGS = frozenset(nh3.ALLOWED_TAGS) | {"figcaption", "picture", "source", "audio", "input"}
_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()
}
for _tag, _names in {
    "*": {"lang", "dir", "title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "a": {"href", "hreflang", "id"},
    "audio": {"src", "controls"},
    # Not srcset: it holds a list of URLs that nh3 neither scheme-checks nor
    # passes to the filter one by one, so it could carry javascript: or data:.
    "source": {"src", "type", "media"},
    **{tag: {"class"} for tag in ["code", "pre"]},
    # pulldown-cmark writes a GFM table column's alignment as a style; _Filter
    # keeps that one value only.
    **{tag: {"style"} for tag in ["th", "td"]},
    "input": {"checked"},
    **{tag: {"id"} for tag in ["div", "sup", *_HEADINGS]},
}.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_names)
_CLASSES = {
    "sup": {"footnote-reference", "footnote-definition-label"},
    "div": {"footnote-definition"},
    "a": {"footnote-backref"},
}
# A GFM task list item's checkbox (spec 5.3) is shown, never used: nh3 keeps
# type="checkbox" only and always adds disabled.
_VALUES = {"input": {"type": {"checkbox"}}}
_FORCED = {"input": {"disabled": ""}}
_ALIGNMENT = re.compile("text-align: (?:left|center|right)")

# html5ever reads these elements' content as text, so markup inside them would
# reach readers escaped; their content is meant for readers, so only the tags go.
_UNWRAPPED = frozenset({"noscript", "noembed", "noframes"})
_RAW_TEXT = frozenset({"textarea", "title", "xmp", "plaintext"})
_EMBEDS = frozenset({"iframe", "embed", "video"})
_DROPPED = frozenset({"script", "style", "iframe", "video", "template"})
# Of those, the ones HTML parses as elements (the others hold raw text, so
# their first end tag closes them).
_NESTING = frozenset({"video", "template"})
_ATTRIBUTE_NAME = re.compile(r"[a-z_:][-a-z0-9_:.]*")


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
    prepass = _Prepass(base, gfm=fmt == "markdown" and dialect == "gfm")
    prepass.feed(raw)
    prepass.close()
    url_filter = _Filter(base)
    cleaned = nh3.clean(
        prepass.result(),
        tags=set(_TAGS),
        attributes=_ATTRIBUTES,
        attribute_filter=url_filter,
        allowed_classes=_CLASSES,
        tag_attribute_values=_VALUES,
        set_tag_attribute_values=_FORCED,
        url_schemes=set(_SCHEMES),
        link_rel=None,
    ).strip()
    bad = XML_ILLEGAL.search(cleaned)
    if bad:
        raise UnsafeCharacter(ord(bad.group()))
    return Body(cleaned, tuple(url_filter.relative), tuple(prepass.removed))


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


def _scheme(url: str) -> str:
    """The URL's scheme in lower case, "" for a relative one; ValueError if unparsable."""
    return urlsplit(url.strip()).scheme.lower()


def _slug(text: str) -> str:
    """A heading's anchor as github.com makes it: lower case, punctuation dropped, spaces to "-"."""
    kept = (
        ch
        for ch in text.strip().lower()
        if ch.isalnum() or ch in " -_" or unicodedata.category(ch).startswith("M")
    )
    return "".join(kept).replace(" ", "-") or "section"


@dataclass
class _Filter:
    """nh3's attribute filter: absolute URLs, table alignment only as a style."""

    base: str
    relative: list[str] = field(default_factory=list)

    def __call__(self, element: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return value if _ALIGNMENT.fullmatch(value) else None
        if attribute not in _URL_ATTRIBUTES:
            return value
        url = value.strip()
        if url.startswith("#"):
            return url  # a link within the entry: the base would send it to the page
        try:
            scheme = _scheme(url)
            if not scheme:
                resolved = urljoin(self.base, url)
                self.relative.append(url)
                return resolved
        except ValueError:  # an invalid [IPv6] host: drop the attribute
            return None
        # nh3 checks the schemes of href and src only, not of cite.
        return url if scheme in _SCHEMES else None


def _refusal(tag: str, name: str, value: str) -> str | None:
    """How ``Body.removed`` names this attribute if nh3 will drop it; None if kept."""
    allowed = _ATTRIBUTES.get(tag, set()) | _ATTRIBUTES["*"] | _FORCED.get(tag, {}).keys()
    if name in _VALUES.get(tag, {}):
        return None if value in _VALUES[tag][name] else f"{name} attribute"
    if name == "class" and tag in _CLASSES:
        return None if set(value.split()) <= _CLASSES[tag] else "class attribute"
    if name not in allowed:
        return f"{name} attribute"
    if name == "style" and not _ALIGNMENT.fullmatch(value):
        return "style attribute"
    if name in _URL_ATTRIBUTES:
        try:
            scheme = _scheme(value)
        except ValueError:
            return f"{name} attribute (invalid URL)"
        if scheme and scheme not in _SCHEMES:
            return f"{scheme}: URL"
    return None


Attributes = list[tuple[str, str | None]]


class _Prepass(HTMLParser):
    """Re-writes HTML token by token for nh3, so nh3 sees exactly the tags named in ``removed``.

    (Comments and the content of dropped elements are left out, text escaped again.)
    """

    def __init__(self, base: str, *, gfm: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.gfm = gfm
        self.out: list[str] = []
        self.removed: dict[str, None] = {}  # an ordered set
        self.ids: set[str] = set()
        self.skipping: str | None = None  # a dropped element whose content goes too
        self.depth = 0
        self.video_source: str | None = None
        self.heading: tuple[int, str, Attributes] | None = None  # where its start tag goes
        self.heading_text: list[str] = []
        self.footnote_ids: dict[str, str] = {}  # pulldown-cmark's label: our id
        self.references: dict[str, list[str]] = {}  # label: ids of its references
        self.defined: set[str] = set()
        self.divs: list[str | None] = []  # open <div>s: a footnote's label or None
        self.backlinks: list[tuple[str, int]] = []  # label, index in out before which they go
        self.last_paragraph_end: int | None = None
        self.in_reference = False

    def unique(self, wanted: str) -> str:
        """``wanted``, or with -1, -2... added as github.com does for repeated headings."""
        candidate, number = wanted, 0
        while candidate in self.ids:
            number += 1
            candidate = f"{wanted}-{number}"
        self.ids.add(candidate)
        return candidate

    def footnote_id(self, label: str) -> str:
        if label not in self.footnote_ids:
            self.footnote_ids[label] = self.unique("fn-" + _slug(label))
        return self.footnote_ids[label]

    def note(self, phrase: str) -> None:
        self.removed.setdefault(phrase)

    def handle_startendtag(self, tag: str, attrs: Attributes) -> None:
        self.handle_starttag(tag, attrs)  # HTML ignores the "/" of <br/>, <div/>

    def handle_starttag(self, tag: str, attrs: Attributes) -> None:
        values = {name: value or "" for name, value in attrs}
        if self.skipping is not None:
            self.depth += tag == self.skipping and tag in _NESTING
            if self.skipping == "video" and tag == "source" and self.video_source is None:
                self.video_source = self.embeddable(values.get("src", ""))
            return
        if tag in _EMBEDS:
            src = self.embeddable(values.get("src", ""))
            if tag == "embed":
                self.embed_link(tag, src)
                return
            self.video_source = src
        if tag in _DROPPED:
            self.skipping, self.depth = tag, 1
            if tag not in _EMBEDS:
                self.note(f"<{tag}> element")
            return
        if tag in _UNWRAPPED:
            return
        if tag in _RAW_TEXT or (tag == "input" and values.get("type", "").lower() != "checkbox"):
            self.note(f"<{tag}> element")
            return
        if tag not in _TAGS:
            self.note(f"<{tag}> element")
            self.out.append(f"<{tag}>")  # nh3 drops it, keeping its content
            return
        kept: Attributes = []
        for name, value in attrs:
            refusal = _refusal(tag, name, value or "")
            if refusal:
                self.note(refusal)
            if _ATTRIBUTE_NAME.fullmatch(name):  # others cannot be written back
                kept.append((name, value))
        self.start(tag, kept, values)

    def start(self, tag: str, attrs: Attributes, values: dict[str, str]) -> None:
        """Write a kept start tag, first giving it the ids this document needs."""
        if tag in _HEADINGS:
            self.end_heading()
            self.heading = (len(self.out), tag, attrs)
            self.heading_text = []
            self.out.append("")  # filled in at its end tag, once its text is known
            return
        footnote = self.gfm and values.get("class") == "footnote-definition"
        label = values.get("id") if tag == "div" and footnote else None
        if tag == "div":
            self.divs.append(label)
        if label is not None:
            # A label defined twice: references go to the first definition.
            given = self.unique("fn-" + _slug(label)) if label in self.defined else None
            self.defined.add(label)
            attrs = [(n, v) for n, v in attrs if n != "id"]
            attrs.append(("id", given or self.footnote_id(label)))
            self.last_paragraph_end = None
        elif self.gfm and tag == "sup" and values.get("class") == "footnote-reference":
            self.in_reference = True
        elif self.in_reference and tag == "a" and values.get("href", "").startswith("#"):
            label = values["href"][1:]
            references = self.references.setdefault(label, [])
            references.append(self.unique("fnref-" + _slug(label)))
            attrs = [("href", "#" + self.footnote_id(label)), ("id", references[-1])]
        elif "id" in values:
            attrs = [(n, v) for n, v in attrs if n != "id"] + [("id", self.unique(values["id"]))]
        self.out.append(_start_tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            self.depth -= tag == self.skipping
            if self.depth == 0:
                self.end_skipping()
            return
        if tag in _UNWRAPPED or tag in _RAW_TEXT:
            return
        if tag in _HEADINGS:
            self.out.append(f"</{tag}>")
            self.end_heading()
            return
        if tag == "sup":
            self.in_reference = False
        elif tag == "p" and self.divs and any(label is not None for label in self.divs):
            self.last_paragraph_end = len(self.out)
        elif tag == "div" and self.divs:
            label = self.divs.pop()
            if label is not None:
                end = self.last_paragraph_end
                self.backlinks.append((label, len(self.out) if end is None else end))
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.skipping is None:
            self.out.append(html.escape(data, quote=False))
            if self.heading is not None:
                self.heading_text.append(data)

    def embeddable(self, src: str) -> str | None:
        """``src`` if it resolves to an http(s) URL a reader can follow, else None."""
        try:
            absolute = urljoin(self.base, src.strip()) if src.strip() else ""
            return src if _scheme(absolute) in {"http", "https"} else None
        except ValueError:
            return None

    def embed_link(self, tag: str, src: str | None) -> None:
        """An embedded player becomes a link to it: feed readers do not run players."""
        if src is None:
            self.note(f"<{tag}> element")
            return
        self.note(f"<{tag}> element (replaced by a link)")
        shown = html.escape(urljoin(self.base, src.strip()), quote=False)
        kind = "video" if tag == "video" else "embed"
        self.out.append(f'<p><a href="{html.escape(src)}">▶ {kind}: {shown}</a></p>')

    def end_skipping(self) -> None:
        tag, self.skipping = self.skipping, None
        if tag in _EMBEDS:
            self.embed_link(tag or "", self.video_source)
        self.video_source = None

    def end_heading(self) -> None:
        """Give the open heading its start tag: its own id made unique, or one from its text."""
        if self.heading is None:
            return
        index, tag, attrs = self.heading
        wanted = next((v for n, v in attrs if n == "id" and v), None)
        if wanted is None and self.gfm:
            wanted = _slug("".join(self.heading_text))
        attrs = [(n, v) for n, v in attrs if n != "id"]
        if wanted is not None:
            attrs.append(("id", self.unique(wanted)))
        self.out[index] = _start_tag(tag, attrs)
        self.heading = None

    def result(self) -> str:
        """The re-written HTML, once the input has all been fed and closed."""
        if self.skipping is not None:
            self.end_skipping()
        self.end_heading()
        for label, index in self.backlinks:
            links = " ".join(
                f'<a href="#{ref}" class="footnote-backref">↩{n if n > 1 else ""}</a>'
                for n, ref in enumerate(self.references.get(label, []), 1)
            )
            if links:
                self.out[index] = " " + links + self.out[index]
        return "".join(self.out)


def _start_tag(tag: str, attrs: Attributes) -> str:
    written = "".join(f' {n}="{html.escape(v)}"' if v is not None else f" {n}" for n, v in attrs)
    return f"<{tag}{written}>"
