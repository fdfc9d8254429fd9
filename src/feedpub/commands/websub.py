"""``feedpub ping``: tell WebSub hubs that the feeds changed.

WebSub (W3C Recommendation, section 7) leaves the publish request to each
hub; the de facto form, accepted by the public hubs, is a form-encoded POST
of ``hub.mode=publish`` and ``hub.url=<topic URL>``. We send one request
per (hub, feed) pair because some hubs accept only one ``hub.url`` per
request. The hub then fetches the feed itself, so ping only after the new
output/ is deployed.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .. import __version__
from ..model import Config

TIMEOUT = 10.0
"""Seconds for each hub, all told: a hung or trickling hub must not hang a deploy."""
_BODY_PREVIEW = 200
_BODY_LIMIT = 64 * 1024
"""The most of a hub's answer we read; the status says everything, the body only explains."""


@dataclass(frozen=True, slots=True)
class PingResult:
    hub: str
    feed_url: str
    status: int | None
    """The hub's HTTP status, or None when no complete answer came (network error)."""
    detail: str
    """The reason phrase, the network error, or the start of an error body."""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def feed_urls(config: Config) -> list[str]:
    """The self URL of every configured feed format: the WebSub topics."""
    return [config.feed_url(fmt) for fmt in config.formats]


class _Deadline:
    """Cuts a connection at a fixed moment, whatever step it is in.

    A socket timeout bounds each read on its own, so a hub sending one byte
    a second would never trip it; a timer that shuts the socket down at the
    deadline ends the read in progress at once, and the stdlib does the rest.
    """

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.expired = False
        self._connection = connection
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = self._connection.sock
            if sock is None:  # still connecting: the per-step timeout ends that
                return
            # Through a duplicate descriptor, so a TLS socket's state is not touched
            # from this thread; shutting the connection down wakes the blocked read.
            with contextlib.suppress(OSError), socket.socket(fileno=os.dup(sock.fileno())) as twin:
                twin.shutdown(socket.SHUT_RDWR)


def ping(hub: str, feed_url: str, *, timeout: float = TIMEOUT) -> PingResult:
    """POST one publish notification; never raises for network or HTTP errors.

    Connecting, sending and reading the whole answer share one deadline of
    ``timeout`` seconds; an answer cut short (even after its status line) is a failure.
    """
    body = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode("ascii")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": f"feedpub/{__version__}",
        "Connection": "close",
    }
    parts = urlsplit(hub)
    secure = parts.scheme == "https"
    kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
    late = PingResult(hub, feed_url, None, f"no answer within {timeout:g} s")
    try:
        connection = kind(parts.hostname or "", parts.port, timeout=timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # The deadline is over before the connection closes: it never cuts a closed socket.
        with contextlib.closing(connection), _Deadline(connection, timeout) as deadline:
            try:
                connection.request("POST", target, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read(_BODY_LIMIT)
            except (OSError, http.client.HTTPException) as exc:
                if deadline.expired or isinstance(exc, TimeoutError):
                    return late
                raise
            if deadline.expired:  # what came before the cut may look complete; it is not
                return late
    except http.client.HTTPException as exc:
        return PingResult(hub, feed_url, None, f"incomplete answer: {exc!r}")
    except (OSError, ValueError) as exc:
        return PingResult(hub, feed_url, None, f"cannot reach the hub: {exc or type(exc).__name__}")
    reason = response.reason or ""
    if 200 <= response.status < 300:
        return PingResult(hub, feed_url, response.status, reason)
    text = " ".join(data[:_BODY_PREVIEW].decode("utf-8", "replace").split())
    return PingResult(hub, feed_url, response.status, f"{reason}{': ' + text if text else ''}")


def ping_all(
    hubs: Iterable[str], urls: Iterable[str], *, timeout: float = TIMEOUT
) -> list[PingResult]:
    """Notify every hub about every feed, in order; one result per request."""
    topics = list(urls)
    return [ping(hub, url, timeout=timeout) for hub in hubs for url in topics]
