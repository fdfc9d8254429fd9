"""Serving one folder over HTTP the way a good static host would.

Feed readers care about three things a bare ``http.server`` gets wrong:
the media type (``application/atom+xml``, not ``text/xml``), conditional
GET (an ETag and Last-Modified, answered with 304 so polling is cheap), and
never leaking files from outside the folder. Requests are resolved by hand
rather than with SimpleHTTPRequestHandler so the last rule is ours to test:
``..`` segments (also percent-encoded), hidden files (the writer's temp
files) and symlinks that lead out of the folder all get 404.
"""

from __future__ import annotations

import hashlib
import html
import http.server
import mimetypes
import os
from collections.abc import Callable, Mapping
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .. import __version__

FORMAT_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",  # JSON Feed 1.1, section "Suggestions"
}
"""Media types of feed files, looked up by the config's file name for each format."""
SUFFIX_TYPES = {
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xsl": "application/xslt+xml",
}
"""Files no format claims: by suffix, then the mimetypes guess, then bytes."""


def content_type(name: str, by_name: Mapping[str, str]) -> str:
    """The media type for the file ``name`` (relative to the served folder)."""
    if name in by_name:
        return by_name[name]
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIX_TYPES:
        return SUFFIX_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """The file or folder a request path names inside ``root``, or None (-> 404).

    ``root`` must already be resolved. The path is percent-decoded once, so
    ``%2e%2e`` is ``..`` and refused like it; the final ``resolve`` catches
    symlinks whose target is outside ``root``.
    """
    decoded = unquote(urlsplit(raw_path).path)
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part]
    if any(part.startswith(".") for part in parts):  # "..", "." and hidden files
        return None
    try:
        real = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None
    return real if real == root or real.is_relative_to(root) else None


def etag_of(data: bytes) -> str:
    """A strong ETag from the bytes: a rebuild with identical output keeps it."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def not_modified(match: str | None, since: str | None, etag: str, mtime: float) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match wins; If-Modified-Since counts only without it.

    ``match`` and ``since`` are those two request headers (None when absent).
    """
    if match is not None:
        tags = [tag.strip() for tag in match.split(",")]
        # GET uses the weak comparison: W/"x" matches "x" (section 13.1.2).
        return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored, as the RFC says
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(mtime) <= moment.timestamp()


class FolderServer(http.server.ThreadingHTTPServer):
    """A threading server that knows its folder and its file name -> type table."""

    daemon_threads = True

    def __init__(self, port: int, folder: Path, log: Callable[[str], None] | None) -> None:
        super().__init__(("127.0.0.1", port), FolderHandler)
        self.folder = folder.resolve()
        self.types: Mapping[str, str] = {}
        """Config file names -> media type; replaced whole after each build."""
        self.log = log


class FolderHandler(http.server.BaseHTTPRequestHandler):
    server: FolderServer
    server_version = f"feedpub/{__version__}"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log is not None:
            self.server.log(format % args)

    def _respond(self, *, send_body: bool) -> None:
        folder = self.server.folder
        target = resolve_request(folder, self.path)
        if target is not None and target.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                self._redirect(urlsplit(self.path).path + "/")
                return
            index = resolve_request(folder, urlsplit(self.path).path + "index.html")
            if index is None and target == folder:
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._listing(), send_body)
                return
            target = index
        if target is None or not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        try:
            with target.open("rb") as handle:
                mtime = os.fstat(handle.fileno()).st_mtime
                data = handle.read()
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        name = target.relative_to(folder).as_posix()
        etag = etag_of(data)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        match, since = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        if not_modified(match, since, etag, mtime):
            self._send(HTTPStatus.NOT_MODIFIED, None, b"", False, headers)
            return
        types = self.server.types
        self._send(HTTPStatus.OK, content_type(name, types), data, send_body, headers)

    def _send(
        self,
        status: HTTPStatus,
        media_type: str | None,
        data: bytes,
        send_body: bool,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if media_type is not None:
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(data)))
        # Revalidate every time: a preview must show a rebuild at once.
        self.send_header("Cache-Control", "no-cache")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", quote(location))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _listing(self) -> bytes:
        """The folder's files, when it has no index.html: a way in for a person."""
        folder = self.server.folder
        items = []
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            media_type = html.escape(content_type(path.name, self.server.types))
            href = html.escape(quote(path.name), quote=True)
            items.append(f'<li><a href="{href}">{html.escape(path.name)}</a> ({media_type})</li>')
        page = (
            '<!doctype html>\n<html lang="en"><meta charset="utf-8">\n'
            "<title>feedpub preview</title>\n<h1>Files in output/</h1>\n"
            f"<ul>\n{chr(10).join(items)}\n</ul>\n</html>\n"
        )
        return page.encode("utf-8")
