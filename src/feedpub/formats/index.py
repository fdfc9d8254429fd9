"""``index.html``: a small page listing the feed's entries, for people and for
feed autodiscovery.

Browsers and readers given the site's address find the feeds through the
``<link rel="alternate">`` elements in the head. The page has no JavaScript
and no external resources, escapes every value, and names no date in words
(dates are shown as ``YYYY-MM-DD``), so it reads the same in any language
and needs no locale: the same feed always gives the same bytes.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from ..model import Config, Entry, Feed, page_name

MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}

STYLE = """\
:root { color-scheme: light dark; }
body { font: 1.0625rem/1.6 system-ui, sans-serif; max-width: 42rem;
  margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 1.5rem 0 .5rem; }
header p { margin: 0 0 .75rem; }
nav ul, main ol { list-style: none; margin: 0; padding: 0; }
nav li { display: inline-block; margin: 0 1rem .25rem 0; }
main li { border-top: 1px solid #8886; padding: 1rem 0; }
h2 { font-size: 1.25rem; line-height: 1.3; margin: 0 0 .25rem; }
.date { font-size: .9375rem; margin: 0 0 .25rem; opacity: .8; }
article p { margin: 0; }
"""


def _a(text: str) -> str:
    """Escape for a double-quoted attribute value."""
    return escape(text, quote=True)


def _t(text: str) -> str:
    """Escape for element text: quotes may stay as typed."""
    return escape(text, quote=False)


def feed_href(config: Config, fmt: str) -> str:
    """Relative: index.html is written next to the feeds, wherever they are served."""
    return quote(config.filename(fmt))


def head(config: Config, title: str, description: str, up: str = "") -> list[str]:
    """The page head: language, viewport, one autodiscovery link per feed (``up``
    leads from the page's folder to the feeds)."""
    lang = f' lang="{_a(config.language)}"' if config.language else ""
    return [
        "<!DOCTYPE html>",
        f"<html{lang}>",
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_t(title)}</title>",
        f'<meta name="description" content="{_a(description)}">',
        '<meta name="generator" content="feedpub">',
        *(
            f'<link rel="alternate" type="{MEDIA_TYPES[fmt]}" '
            f'title="{_a(f"{config.title} ({LABELS[fmt]})")}" '
            f'href="{_a(up + feed_href(config, fmt))}">'
            for fmt in config.formats
        ),
        f"<style>\n{STYLE}</style>",
        "</head>",
    ]


def render_index(feed: Feed) -> bytes:
    config = feed.config
    lines = [
        *head(config, config.title, config.description),
        "<body>",
        "<header>",
        f"<h1>{_t(config.title)}</h1>",
        f"<p>{_t(config.description)}</p>",
        "<nav>",
        "<ul>",
        *(
            f'<li><a href="{_a(feed_href(config, fmt))}" type="{MEDIA_TYPES[fmt]}">'
            f"{LABELS[fmt]}</a></li>"
            for fmt in config.formats
        ),
        "</ul>",
        "</nav>",
        "</header>",
        "<main>",
    ]
    if feed.entries:
        lines.append("<ol>")
        lines.extend(_entry(entry, config) for entry in feed.entries)
        lines.append("</ol>")
    lines += ["</main>", "</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _entry(entry: Entry, config: Config) -> str:
    lang = f' lang="{_a(entry.lang)}"' if entry.lang and entry.lang != config.language else ""
    title = _t(entry.title)
    href = quote(page_name(entry.path)) if config.pages else entry.link
    if href:
        title = f'<a href="{_a(href)}">{title}</a>'
    parts = [
        f"<li><article{lang}>",
        f"<h2>{title}</h2>",
        f'<p class="date"><time datetime="{entry.date.isoformat()}">'
        f"{entry.date.date().isoformat()}</time></p>",
    ]
    if entry.summary:
        parts.append(f"<p>{_t(entry.summary)}</p>")
    parts.append("</article></li>")
    return "\n".join(parts)
