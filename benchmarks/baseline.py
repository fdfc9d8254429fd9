"""Baseline: the straightforward script a user would write instead of feedpub.

Usage: ``python benchmarks/baseline.py SITEDIR OUTDIR``

It reads every entry with PyYAML's C loader, renders Markdown with
markdown-it-py and builds Atom and RSS feeds with feedgen, with no caching,
parallelism or other tricks.  feedpub has to beat this to be worth installing,
so keep it plain and idiomatic rather than fast.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import yaml
from feedgen.feed import FeedGenerator
from markdown_it import MarkdownIt


def load_yaml(path: Path) -> Any:
    """Load one YAML file with the libyaml-backed safe loader."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)


def main(argv: list[str] | None = None) -> int:
    """Build ``OUTDIR/atom.xml`` and ``OUTDIR/rss.xml`` from ``SITEDIR``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: baseline.py SITEDIR OUTDIR", file=sys.stderr)
        return 2
    site, out = Path(args[0]), Path(args[1])

    config = load_yaml(site / "feedpub.yaml")
    base_url = config["url"]
    tz = ZoneInfo(config.get("timezone", "UTC"))

    def parse_date(value: str) -> datetime:
        date = datetime.fromisoformat(value)
        return date if date.tzinfo else date.replace(tzinfo=tz)

    entries = [load_yaml(path) for path in sorted(site.glob("entries/*.yaml"))]
    for entry in entries:
        entry["date"] = parse_date(entry["date"])
    entries.sort(key=lambda entry: entry["date"], reverse=True)
    if config.get("limit"):
        entries = entries[: config["limit"]]

    md = MarkdownIt("commonmark")
    fg = FeedGenerator()
    fg.id(base_url)
    fg.title(config["title"])
    fg.description(config.get("description") or config["title"])
    fg.link(href=base_url, rel="alternate")
    fg.language(config.get("language", "en"))
    fg.author({"name": config["author"]})
    if entries:
        fg.updated(entries[0]["date"])

    for entry in entries:
        url = urljoin(base_url, entry["link"])
        author = entry["author"]
        fe = fg.add_entry(order="append")  # entries are already newest first
        fe.id(url)
        fe.title(entry["title"])
        fe.link(href=url)
        fe.published(entry["date"])
        fe.updated(entry["date"])
        fe.author(author if isinstance(author, dict) else {"name": author})
        fe.description(entry["summary"])
        fe.content(md.render(entry["content"]), type="html")
        for tag in entry.get("tags", []):
            fe.category(term=tag)
        for enclosure in entry.get("enclosures", []):
            fe.enclosure(enclosure["url"], str(enclosure["length"]), enclosure["type"])

    out.mkdir(parents=True, exist_ok=True)
    formats = config.get("formats", ["atom", "rss"])
    if "atom" in formats:
        fg.atom_file(str(out / "atom.xml"))
    if "rss" in formats:
        fg.rss_file(str(out / "rss.xml"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
