"""One renderer per feed format, each a pure function ``Feed -> bytes``.

Renderers read the clock, the filesystem and the locale never, so the same
feed always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Feed

Renderer = Callable[[Feed], bytes]


def renderer(fmt: str) -> Renderer:
    """Import lazily: ``feedpub --version`` should not pay for lxml."""
    if fmt == "atom":
        from .atom import render_atom

        return render_atom
    if fmt == "rss":
        from .rss import render_rss

        return render_rss
    if fmt == "json":
        from .jsonfeed import render_json

        return render_json
    raise ValueError(f"unknown format {fmt!r}")  # config validation rejects these first


def render(feed: Feed, fmt: str) -> bytes:
    return renderer(fmt)(feed)
