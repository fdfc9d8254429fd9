"""What readers may get: the allowlist nh3 enforces, and the names of what it drops.

The policy lives in one place so the HTML pass can report exactly what nh3
will remove, and nh3 alone decides what readers get.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import nh3

SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TAGS = frozenset(nh3.ALLOWED_TAGS) | {"figcaption", "picture", "source", "audio", "input"}
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
    **{tag: {"id"} for tag in ["div", "sup", *HEADINGS]},
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


def scheme_of(url: str) -> str:
    """The URL's scheme in lower case, "" for a relative one; ValueError if unparsable."""
    return urlsplit(url.strip()).scheme.lower()


@dataclass
class UrlFilter:
    """nh3's attribute filter: absolute URLs, table alignment only as a style."""

    base: str
    relative: list[str] = field(default_factory=list)

    def __call__(self, element: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return value if _ALIGNMENT.fullmatch(value) else None
        if attribute not in URL_ATTRIBUTES:
            return value
        url = value.strip()
        if url.startswith("#"):
            return url  # a link within the entry: the base would send it to the page
        if url.startswith(("https://", "http://")) and "[" not in url:
            return url  # the usual case, which urlsplit would pass as it is
        try:
            scheme = scheme_of(url)
            if not scheme:
                resolved = urljoin(self.base, url)
                self.relative.append(url)
                return resolved
        except ValueError:  # an invalid [IPv6] host: drop the attribute
            return None
        # nh3 checks the schemes of href and src only, not of cite.
        return url if scheme in SCHEMES else None


def refusal(tag: str, name: str, value: str) -> str | None:
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
    if name in URL_ATTRIBUTES:
        try:
            scheme = scheme_of(value)
        except ValueError:
            return f"{name} attribute (invalid URL)"
        if scheme and scheme not in SCHEMES:
            return f"{scheme}: URL"
    return None


class _EntryFilter:
    """The filter nh3's reusable cleaner calls: the current entry's UrlFilter, per thread
    (``serve`` rebuilds in a thread of its own)."""

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self, element: str, attribute: str, value: str) -> str | None:
        current: UrlFilter = self.local.current
        return current(element, attribute, value)


_FILTER = _EntryFilter()
_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    attributes=_ATTRIBUTES,
    attribute_filter=_FILTER,
    allowed_classes=_CLASSES,
    tag_attribute_values=_VALUES,
    set_tag_attribute_values=_FORCED,
    url_schemes=set(SCHEMES),
    link_rel=None,
)
"""One cleaner for every body: nh3 builds its policy once, not once per entry."""


def clean(prepared: str, base: str) -> tuple[str, list[str]]:
    """nh3 with feedpub's policy: the safe HTML and the relative URLs it resolved."""
    url_filter = UrlFilter(base)
    _FILTER.local.current = url_filter
    try:
        cleaned = _CLEANER.clean(prepared).strip()
    finally:
        del _FILTER.local.current
    return cleaned, url_filter.relative
