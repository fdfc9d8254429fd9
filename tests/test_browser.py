"""A real browser: headless Chromium loads output/index.html over HTTP.

It renders the page (a screenshot, saved in the test's tmp_path) and dumps
the DOM it built, which must hold the entries and the feed autodiscovery
links; every feed link must resolve on the same server.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import struct
import subprocess
import threading
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest

from feedpub import build

from .conftest import NOW, REPO

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed (apt-get install chromium; CI installs it)",
)

HOSTILE_TITLE = "Tags like <script>alert(1)</script> & <b>bold</b> stay text"
EXTRA_ENTRIES = {
    "2026-03-02-hostile.yaml": (
        f"title: '{HOSTILE_TITLE}'\ndate: 2026-03-02T08:00:00Z\nlink: /hostile/\n"
        "summary: The title above is shown exactly as typed.\n"
    ),
    "2026-03-01-english.yaml": (
        "title: An entry in English\ndate: 2026-03-01\nlang: en\nlink: /english/\n"
        "summary: Entries in another language carry their own lang attribute.\n"
    ),
}
FEEDS = {
    "atom.xml": "application/atom+xml",
    "rss.xml": "application/rss+xml",
    "feed.json": "application/feed+json",
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Served:
    url: str
    """The index page's URL."""
    output: Path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The repo's sample site plus two entries, built and served on a free port."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "entries", site / "entries")
    shutil.copy(REPO / "feedpub.yaml", site)
    for name, text in EXTRA_ENTRIES.items():
        (site / "entries" / name).write_text(text, encoding="utf-8")
    build(site, now=NOW)
    output = site / "output"
    handler = functools.partial(_QuietHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}/index.html", output)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )


def test_rendered_dom_has_entries_and_working_feed_links(served: Served, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", served.url).stdout
    doc = lxml.html.document_fromstring(dom)
    assert doc.get("lang") == "fr"
    headings = [" ".join(str(h.xpath("string()")).split()) for h in doc.findall(".//article/h2")]
    assert headings == [
        HOSTILE_TITLE,
        "An entry in English",
        "15 millions de dossiers médicaux français en libre accès sur le Dark Web après un vol",
    ]
    assert doc.xpath("//script") == []  # the hostile title stayed text
    assert [a.get("lang") for a in doc.findall(".//article")] == [None, "en", None]
    alternates = {
        link.get("href", ""): link.get("type")
        for link in doc.findall("head/link[@rel='alternate']")
    }
    assert alternates == FEEDS
    nav = [a.get("href", "") for a in doc.findall(".//nav//a")]
    assert nav == list(FEEDS)
    for href in [*alternates, *nav]:
        with urllib.request.urlopen(urljoin(served.url, href), timeout=30) as response:
            assert response.status == 200
            assert response.read() == (served.output / href).read_bytes()
    with urllib.request.urlopen(urljoin(served.url, "feed.json"), timeout=30) as response:
        assert json.load(response)["feed_url"] == "https://example.org/feed.json"


def test_screenshot_is_a_rendered_page(served: Served, tmp_path: Path) -> None:
    png = tmp_path / "index.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=1024,768", served.url)
    width, height, pixels = _decode_png(png.read_bytes())
    assert (width, height) == (1024, 768)
    # A blank or single-colour page compresses to a handful of byte values;
    # anti-aliased text on a background produces many.
    assert len(set(pixels)) >= 32
    assert png.stat().st_size > 10_000


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the inflated scanlines of a PNG (structure checked)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, size = 8, b"", (0, 0)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    return size[0], size[1], zlib.decompress(idat)
