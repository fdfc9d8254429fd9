"""Serving one folder over HTTP the way a good static host would.

Feed readers care about three things a bare ``http.server`` gets wrong:
the media type (``application/atom+xml``, not ``text/xml``), conditional
GET (an ETag and Last-Modified, answered with 304 so polling is cheap), and
never leaking files from outside the folder. Requests are resolved by hand
rather than with SimpleHTTPRequestHandler so the last rule is ours to test:
``..`` segments (also percent-encoded), hidden files (the writer's temp
files) and symlinks that lead out of the folder all get 404.

Feed readers and browsers also poll, often several at once and over
keep-alive connections, so the server speaks HTTP/1.1 with a thread per
connection, sends a Content-Length with every answer (or the connection
could not be reused) and closes connections idle for ``idle_timeout``
seconds, so a slow or silent client holds only its own thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import http.server
import mimetypes
import os
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
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


Request = socket.socket | tuple[bytes, socket.socket]
"""What socketserver passes around as a request (a TCP server only sees sockets)."""
IDLE_TIMEOUT = 10.0
"""Seconds a connection may stay silent (or stall a read or write) before it is closed."""


class FolderServer(http.server.ThreadingHTTPServer):
    """A threading server that knows its folder, its file name -> type table and its connections."""

    daemon_threads = True
    request_queue_size = 512
    """The listen backlog: a burst of readers connecting at once waits instead of being refused."""

    def __init__(
        self,
        port: int,
        folder: Path,
        log: Callable[[str], None] | None,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        super().__init__(("127.0.0.1", port), FolderHandler)
        self.folder = folder.resolve()
        self.types: Mapping[str, str] = {}
        """Config file names -> media type; replaced whole after each build."""
        self.log = log
        self.idle_timeout = idle_timeout
        self._open: set[Request] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Request, client_address: Any) -> None:
        """Remember the connection before its thread starts, so a stop can always end it."""
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def finish_request(self, request: Request, client_address: Any) -> None:
        """Handle one connection in its thread; forget it once it is done."""
        try:
            super().finish_request(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def close_connections(self) -> None:
        """End every open connection, so keep-alive clients are not served after a stop."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            if isinstance(connection, socket.socket):
                with contextlib.suppress(OSError):  # already closed by its own thread
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Request, client_address: Any) -> None:
        """A client that went away is routine; anything else is logged, not printed."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        if self.log is not None:
            self.log(f"error while answering {client_address}: {error!r}")


class FolderHandler(http.server.BaseHTTPRequestHandler):
    server: FolderServer
    server_version = f"feedpub/{__version__}"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    """Headers and body go out as two writes: without this, keep-alive waits 40 ms on each."""

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log is not None:
            self.server.log(format % args)

    def _respond(self, *, send_body: bool) -> None:
        if self.headers.get("Content-Length", "0") != "0" or "Transfer-Encoding" in self.headers:
            # A GET with a body is odd; rather than parse it, end the connection after this answer.
            self.close_connection = True
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
            self._not_found(send_body)
            return
        try:
            with target.open("rb") as handle:
                mtime = os.fstat(handle.fileno()).st_mtime
                data = handle.read()
        except OSError:
            self._not_found(send_body)
            return
        name = target.relative_to(folder).as_posix()
        etag = etag_of(data)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        match, since = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        if not_modified(match, since, etag, mtime):
            # RFC 9110 section 8.6: the length a 200 would have had, and no body.
            headers["Content-Length"] = str(len(data))
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

    def _not_found(self, send_body: bool) -> None:
        """A 404 that keeps the connection open (``send_error`` would close it)."""
        page = b"404 Not Found\n"
        self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", page, send_body)

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
