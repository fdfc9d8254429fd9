"""A real feed reader: newsboat subscribes over HTTP and stores what it read."""

from __future__ import annotations

import functools
import http.server
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedpub import build

from .conftest import NOW, MakeSite

NEWSBOAT = shutil.which("newsboat")
pytestmark = pytest.mark.skipif(
    NEWSBOAT is None, reason="newsboat is not installed (apt-get install newsboat; CI installs it)"
)

ENTRIES = {
    "2026-01-05-first.yaml": (
        "title: First & foremost\ndate: 2026-01-05T08:00:00Z\nlink: /first/\n"
        "author: Ada\nsummary: One.\ncontent: The *first* entry.\n"
    ),
    "2026-01-06-second.yaml": (
        "title: Deuxième article\ndate: 2026-01-06T09:15:00+01:00\nlink: /second/\n"
        "summary: Two.\ncontent: Le second.\n"
    ),
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(make_site: MakeSite) -> Iterator[str]:
    """Build a site and serve output/ on a free loopback port for this test only."""
    root = make_site(ENTRIES)
    build(root, now=NOW)
    handler = functools.partial(_QuietHandler, directory=str(root / "output"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_newsboat_reads_every_entry(served: str, name: str, tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text(served + name + "\n")
    config = tmp_path / "config"
    config.write_text("")
    cache = tmp_path / "cache.db"
    assert NEWSBOAT is not None
    subprocess.run(
        [NEWSBOAT, "-u", str(urls), "-c", str(cache), "-C", str(config), "-x", "reload"],
        check=True,
        timeout=60,
        capture_output=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    with sqlite3.connect(cache) as db:
        rows = db.execute(
            "SELECT guid, title, url, pubDate, author, content FROM rss_item ORDER BY pubDate"
        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("tag:example.org,2026-01-05:first", "First & foremost", "https://example.org/first/"),
        ("tag:example.org,2026-01-06:second", "Deuxième article", "https://example.org/second/"),
    ]
    assert [datetime.fromtimestamp(r[3], UTC) for r in rows] == [
        datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        datetime(2026, 1, 6, 8, 15, tzinfo=UTC),
    ]
    assert [r[4] for r in rows] == ["Ada", "Site Author"]
    assert "<em>first</em>" in rows[0][5]
