"""One renderer per feed format: entry fragments, then a document around them.

Each format renders an entry on its own (``entry``) and wraps finished
fragments in its document (``document``). Both are pure: no clock, no
filesystem, no locale, so the same input always gives the same bytes, and
fragments can be rendered in worker processes and reused across builds.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Config, Entry, Feed
from ..slots import frozen
from ._template import templated_fragments


@frozen
class FormatRenderer:
    entry: Callable[[Entry, Config], bytes]
    document: Callable[[Feed, list[bytes]], bytes]


def renderer(fmt: str) -> FormatRenderer:
    """Import lazily: ``feedpub --version`` and no-op rebuilds never load lxml."""
    if fmt == "atom":
        from .atom import atom_document, atom_entry

        return FormatRenderer(atom_entry, atom_document)
    if fmt == "rss":
        from .rss import rss_document, rss_item

        return FormatRenderer(rss_item, rss_document)
    if fmt == "json":
        from .jsonfeed import json_document, json_entry

        return FormatRenderer(json_entry, json_document)
    raise ValueError(f"unknown format {fmt!r}")  # config validation rejects these first


def entry_fragments(entry: Entry, config: Config) -> tuple[bytes, ...]:
    """Every configured format's fragment of one entry, in config order.

    Atom and RSS share one feedgen entry (see _entry.py), so they are made
    together; other formats render on their own.
    """
    formats = config.formats
    xml_formats = _XML_FORMATS.get(formats)
    if xml_formats is None:
        xml_formats = _XML_FORMATS[formats] = tuple(f for f in formats if f in ("atom", "rss"))
    made = templated_fragments(entry, config, xml_formats) if xml_formats else {}
    if len(made) < len(formats):
        made = dict(made)
        for fmt in formats:
            if fmt not in made:
                made[fmt] = renderer(fmt).entry(entry, config)
    return tuple([made[fmt] for fmt in formats])


_XML_FORMATS: dict[tuple[str, ...], tuple[str, ...]] = {}
"""A config's formats -> those of them made together from one feedgen entry."""
