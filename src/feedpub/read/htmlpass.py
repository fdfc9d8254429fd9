"""One pass over an entry's HTML before nh3, with the standard library's parser.

It turns embeds into links, unwraps <noscript>, gives headings and footnotes
unique ids, and names everything nh3 will drop, so readers never get escaped
markup and authors learn what was removed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urljoin

from .sanitize import HEADINGS, TAGS, refusal, scheme_of

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


def slug(text: str) -> str:
    """A heading's anchor as github.com makes it: lower case, punctuation dropped, spaces to "-"."""
    kept = (
        ch
        for ch in text.strip().lower()
        if ch.isalnum() or ch in " -_" or unicodedata.category(ch).startswith("M")
    )
    return "".join(kept).replace(" ", "-") or "section"


def unique(wanted: str, ids: set[str]) -> str:
    """``wanted``, or with -1, -2... added as github.com does for repeated headings."""
    candidate, number = wanted, 0
    while candidate in ids:
        number += 1
        candidate = f"{wanted}-{number}"
    ids.add(candidate)
    return candidate


Attributes = list[tuple[str, str | None]]


class Prepass(HTMLParser):
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
        return unique(wanted, self.ids)

    def footnote_id(self, label: str) -> str:
        if label not in self.footnote_ids:
            self.footnote_ids[label] = self.unique("fn-" + slug(label))
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
        if tag not in TAGS:
            self.note(f"<{tag}> element")
            self.out.append(f"<{tag}>")  # nh3 drops it, keeping its content
            return
        kept: Attributes = []
        for name, value in attrs:
            refused = refusal(tag, name, value or "")
            if refused:
                self.note(refused)
            if _ATTRIBUTE_NAME.fullmatch(name):  # others cannot be written back
                kept.append((name, value))
        self.start(tag, kept, values)

    def start(self, tag: str, attrs: Attributes, values: dict[str, str]) -> None:
        """Write a kept start tag, first giving it the ids this document needs."""
        if tag in HEADINGS:
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
            given = self.unique("fn-" + slug(label)) if label in self.defined else None
            self.defined.add(label)
            attrs = [(n, v) for n, v in attrs if n != "id"]
            attrs.append(("id", given or self.footnote_id(label)))
            self.last_paragraph_end = None
        elif self.gfm and tag == "sup" and values.get("class") == "footnote-reference":
            self.in_reference = True
        elif self.in_reference and tag == "a" and values.get("href", "").startswith("#"):
            label = values["href"][1:]
            references = self.references.setdefault(label, [])
            references.append(self.unique("fnref-" + slug(label)))
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
        if tag in HEADINGS:
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
            return src if scheme_of(absolute) in {"http", "https"} else None
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
            wanted = slug("".join(self.heading_text))
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
