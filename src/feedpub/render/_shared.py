"""Pieces both feedgen-based renderers need.

feedgen builds one lxml tree per document; we let it build the channel
"shell" and each entry separately, serialise each entry on its own, and
splice the fragments into the shell. That keeps per-entry work independent
(cacheable, parallelisable) and lets us fix what feedgen gets wrong in one
place without touching its private state.
"""

from __future__ import annotations

import re

from feedgen.feed import FeedGenerator
from lxml import etree

from ..model import Config, Entry, Person

GENERATOR = "feedpub"
GENERATOR_URI = "https://pypi.org/project/feedpub/"
_XMLNS_ATTR = re.compile(rb'\s+xmlns(?::\w+)?="[^"]*"')


def new_generator(config: Config) -> FeedGenerator:
    fg = FeedGenerator()
    fg.title(config.title)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    if config.language:
        fg.language(config.language)
    return fg


def effective_authors(entry: Entry, config: Config) -> tuple[Person, ...]:
    """Entry authors, else the site's: readers show per-entry authors only."""
    return entry.authors or config.authors


def fragment(element: etree._Element) -> bytes:
    """Serialise one entry element without namespace declarations.

    lxml repeats the root's namespace declarations on every element
    serialised alone; the root of the final document declares them once.
    """
    data: bytes = etree.tostring(element, encoding="utf-8", pretty_print=True)
    end = data.index(b">")
    return _XMLNS_ATTR.sub(b"", data[:end]) + data[end:]


def splice(shell: bytes, closing: bytes, fragments: list[bytes]) -> bytes:
    """Insert entry fragments just before the document's closing tag(s)."""
    at = shell.rindex(closing)
    return b"".join([shell[:at], *fragments, shell[at:]])
