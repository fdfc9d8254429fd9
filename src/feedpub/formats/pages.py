"""A static page per entry: what "open in browser" shows when an entry has no link.

It looks like index.html (same head, light and dark, no JavaScript, nothing
loaded from elsewhere) and holds the whole entry: its date, authors, tags,
source and content, with the lead image and its credit.
"""

from __future__ import annotations

from urllib.parse import quote

from ..model import Config, Entry, page_name
from .index import _a, _t, head

PAGE_STYLE = """\
main.entry article p, main.entry article ul, main.entry article ol { margin: 0 0 1rem; }
main.entry article ul, main.entry article ol { padding-left: 1.5rem; }
main.entry article li { border: 0; padding: 0; list-style: revert; }
main.entry h1 { margin-bottom: .25rem; }
main.entry img, main.entry video { max-width: 100%; height: auto; }
main.entry figure { margin: 1rem 0; }
main.entry figcaption { font-size: .875rem; opacity: .8; }
main.entry pre { overflow-x: auto; }
main.entry table { border-collapse: collapse; margin: 0 0 1rem; }
main.entry th, main.entry td { border: 1px solid #8886; padding: .25rem .5rem; }
main.entry blockquote { border-left: 3px solid #8886; margin: 0 0 1rem; padding-left: 1rem; }
main.entry .meta { font-size: .9375rem; opacity: .8; }
main.entry .tag { margin-right: .5rem; }
"""


def render_page(entry: Entry, config: Config) -> bytes:
    """The entry's page; every link it needs is relative to where it sits in output/."""
    up = "../" * page_name(entry.path).count("/")
    description = entry.summary or entry.title
    lines = head(config, f"{entry.title} · {config.title}", description, up)
    lines[-1:-1] = [f"<style>\n{PAGE_STYLE}</style>"]  # before </head>
    lang = f' lang="{_a(entry.lang)}"' if entry.lang and entry.lang != config.language else ""
    home = f'<a href="{_a(up + "index.html")}">' if config.index else f'<a href="{_a(config.url)}">'
    lines += [
        "<body>",
        f"<header><p>{home}{_t(config.title)}</a></p></header>",
        '<main class="entry">',
        f"<article{lang}>",
        f"<h1>{_t(entry.title)}</h1>",
        f'<p class="meta">{_meta(entry, config)}</p>',
    ]
    if entry.summary and entry.content_html:
        lines.append(f'<p class="summary"><strong>{_t(entry.summary)}</strong></p>')
    if entry.content_html:
        lines.append(entry.content_html)
    elif entry.summary:
        lines.append(f"<p>{_t(entry.summary)}</p>")
    lines += _links(entry, config)
    lines += ["</article>", "</main>", "</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _meta(entry: Entry, config: Config) -> str:
    parts = [f'<time datetime="{entry.date.isoformat()}">{entry.date.date().isoformat()}</time>']
    authors = entry.authors or config.authors
    if authors:
        parts.append(", ".join(_person(p.name, p.url) for p in authors))
    if entry.tags:
        parts.append(" ".join(f'<span class="tag">#{_t(tag)}</span>' for tag in entry.tags))
    return " · ".join(parts)


def _person(name: str, url: str | None) -> str:
    return f'<a href="{_a(url)}">{_t(name)}</a>' if url else _t(name)


def _links(entry: Entry, config: Config) -> list[str]:
    """The original page (when the entry has its own link), the source, attachments."""
    lines: list[str] = []
    own = config.base_url + quote(page_name(entry.path))
    if entry.link and entry.link != own:
        lines.append(f'<p>→ <a href="{_a(entry.link)}">{_t(entry.link)}</a></p>')
    if entry.source:
        lines.append(f"<p>⤷ <cite>{_person(entry.source.title, entry.source.url)}</cite></p>")
    for enclosure in entry.enclosures:
        name = enclosure.url.rsplit("/", 1)[-1] or enclosure.url
        lines.append(
            f'<p>📎 <a href="{_a(enclosure.url)}" type="{_a(enclosure.type)}">{_t(name)}</a></p>'
        )
    return lines
