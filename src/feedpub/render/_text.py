"""Entry rules shared by the feedgen path and the templates, without lxml.

The templates (``_template.py``) decide with these whether an entry can be
filled in without feedgen; keeping them apart lets an incremental build
render a new entry without importing lxml or feedgen at all.
"""

from __future__ import annotations

from ..model import Config, Entry, Person


def effective_authors(entry: Entry, config: Config) -> tuple[Person, ...]:
    """Entry authors, else the site's: readers show per-entry authors only."""
    return entry.authors or config.authors


def needs_numeric(entry: Entry, authors: tuple[Person, ...]) -> bool:
    texts = [entry.title, entry.id, entry.link or "", *entry.tags, *(p.name for p in authors)]
    if entry.source:
        texts.append(entry.source.title)
    texts.extend(enc.url for enc in entry.enclosures)
    joined = "".join(texts)  # one-character searches: no separator needed
    return "&" in joined or "<" in joined or ">" in joined
