"""Plan the output files and render only those whose inputs changed.

A document's signature is a hash of what it is built from (its place among
the archive pages and the content hashes of its entry files, in order);
the config and library versions key the whole cache. A document whose
signature and file are unchanged is not rendered at all.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from ..formats import get_format
from ..formats.archives import Document, Item, next_due, plan, published
from ..model import ENTRIES_DIR, INDEX_FILENAME, Config, Entry, Feed, page_name
from .cache import Cache
from .writer import Source

INDEX_ENTRIES = 100
"""index.html lists the newest entries of the main feed, up to this many."""


@dataclass(frozen=True, slots=True)
class Planned:
    sources: dict[str, Source]
    """Files to (re)write: name -> bytes or chunks."""
    signatures: dict[str, str]
    """Every file the build is responsible for -> its signature."""
    leftovers: list[str]
    """Files an earlier build wrote that this one does not (old archive pages)."""
    count: int
    main_keys: list[str]
    main_updated: datetime
    next_due: int | None


def plan_outputs(
    cache: Cache, config: Config, now: datetime, future: bool, out: Path | None
) -> Planned:
    rows = cache.items()
    # An entry's fragments follow from its file's bytes and name (the default id).
    digests = {row[0]: f"{row[0]} {row[6]}" for row in rows}
    items = [Item(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]
    published_items = published(items, now, future=future)
    documents = plan(config, published_items)
    main = documents[0]
    makers: dict[str, Callable[[], Source]] = {}
    signatures: dict[str, str] = {}
    for document in documents:
        keys = [item.key for item in document.items]
        for fmt in config.formats:
            name = config.page_path(fmt, document.page)
            signatures[name] = _signature(name, document, [digests[k] for k in keys])
            makers[name] = partial(_document_source, cache, config, document, fmt, keys)
    if config.pages:
        for item in published_items:
            name = page_name(item.key)
            signatures[name] = digests[item.key]
            makers[name] = partial(_page_source, cache, item.key)
    if config.index:
        shown = [item.key for item in main.items[:INDEX_ENTRIES]]
        signatures[INDEX_FILENAME] = _signature(INDEX_FILENAME, main, [digests[k] for k in shown])
        makers[INDEX_FILENAME] = partial(_index_page, cache, config, main, shown)
    kept = _unchanged(cache, out, signatures) if out is not None else set()
    sources = {name: make() for name, make in makers.items() if name not in kept}
    leftovers = _leftovers(cache, out, config, signatures) if out is not None else []
    return Planned(
        sources, signatures, leftovers, len(main.items), [i.key for i in main.items],
        main.updated, next_due(items, now) if not future else None,
    )  # fmt: skip


def _signature(name: str, document: Document, digests: Iterable[str]) -> str:
    # What the document links to: the main feed its newest archive page, an
    # archive page whether it has a newer one. Page 1 never changes again.
    page, pages = document.page, document.pages
    links = str(pages) if page == 0 else str(page < pages)
    text = [name, links, document.updated.isoformat()]
    return hashlib.sha256("\n".join([*text, *digests]).encode()).hexdigest()


def _unchanged(cache: Cache, out: Path, signatures: dict[str, str]) -> set[str]:
    """Output files built from the same inputs as last time and still as they were left."""
    known = cache.outputs_cached()
    same = [name for name, sig in signatures.items() if (known.get(name) or ("",))[0] == sig]
    return set(same).difference(cache.altered(out, same))


def _document_source(
    cache: Cache, config: Config, document: Document, fmt: str, keys: list[str]
) -> Source:
    """The document as a stream: fragments come from the cache as it is written."""
    feed = Feed(config, (), document.updated, document.page, document.pages)

    def chunks() -> Iterator[bytes]:
        return get_format(fmt).document(feed, cache.fragments(fmt, keys))

    return chunks


def _page_source(cache: Cache, key: str) -> Source:
    def chunks() -> Iterator[bytes]:
        return cache.fragments("page", [key])

    return chunks


def _index_page(cache: Cache, config: Config, main: Document, shown: list[str]) -> bytes:
    from ..formats.index import render_index

    entries = tuple(Entry.from_json(data) for _, data in cache.entries_json(shown))
    return render_index(Feed(config, entries, main.updated))


def _leftovers(cache: Cache, out: Path, config: Config, signatures: dict[str, str]) -> list[str]:
    """Files an earlier build wrote that this one does not: old archive and entry pages.

    The cache knows them; with no cache, the folders feedpub owns are looked through.
    """
    known = cache.outputs_cached()
    names = {name for name in known if name not in signatures}
    for fmt in config.formats:
        folder = out / "archive" / fmt
        if folder.is_dir():
            names.update(f"archive/{fmt}/{p.name}" for p in folder.iterdir() if p.stem.isdigit())
    pages = out / ENTRIES_DIR
    if not known and pages.is_dir():  # pages of entries deleted while there was no cache
        names.update(p.relative_to(out).as_posix() for p in pages.rglob("*.html"))
    return sorted(
        name for name in names if name not in signatures and os.path.exists(os.path.join(out, name))
    )
