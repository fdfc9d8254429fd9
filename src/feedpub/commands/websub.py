"""``feedpub ping``: tell WebSub hubs that the feeds changed.

WebSub (W3C Recommendation, section 7) leaves the publish request to each
hub; the de facto form, accepted by the public hubs, is a form-encoded POST
of ``hub.mode=publish`` and ``hub.url=<topic URL>``. We send one request
per (hub, feed) pair because some hubs accept only one ``hub.url`` per
request. The hub then fetches the feed itself, so ping only after the new
output/ is deployed.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from .. import __version__
from ..model import Config

TIMEOUT = 10.0
"""Seconds to wait for each hub: a hung hub must not hang a deploy."""
_BODY_PREVIEW = 200


@dataclass(frozen=True, slots=True)
class PingResult:
    hub: str
    feed_url: str
    status: int | None
    """The hub's HTTP status, or None when no answer came (network error)."""
    detail: str
    """The reason phrase, the network error, or the start of an error body."""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def feed_urls(config: Config) -> list[str]:
    """The self URL of every configured feed format: the WebSub topics."""
    return [config.feed_url(fmt) for fmt in config.formats]


def ping(hub: str, feed_url: str, *, timeout: float = TIMEOUT) -> PingResult:
    """POST one publish notification; never raises for network or HTTP errors."""
    body = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode("ascii")
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": f"feedpub/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return PingResult(hub, feed_url, response.status, response.reason or "")
    except urllib.error.HTTPError as exc:
        text = _preview(exc)
        return PingResult(hub, feed_url, exc.code, f"{exc.reason}{': ' + text if text else ''}")
    except TimeoutError:
        return PingResult(hub, feed_url, None, f"no answer within {timeout:g} s")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return PingResult(hub, feed_url, None, f"no answer within {timeout:g} s")
        return PingResult(hub, feed_url, None, f"cannot reach the hub: {exc.reason}")
    except (OSError, http.client.HTTPException) as exc:
        return PingResult(hub, feed_url, None, f"cannot reach the hub: {exc or type(exc).__name__}")


def ping_all(
    hubs: Iterable[str], urls: Iterable[str], *, timeout: float = TIMEOUT
) -> list[PingResult]:
    """Notify every hub about every feed, in order; one result per request."""
    topics = list(urls)
    return [ping(hub, url, timeout=timeout) for hub in hubs for url in topics]


def _preview(exc: urllib.error.HTTPError) -> str:
    """The start of a hub's error body: hubs explain refusals there."""
    try:
        data = exc.read(_BODY_PREVIEW)
    except (OSError, http.client.HTTPException):
        return ""
    return " ".join(data.decode("utf-8", "replace").split())
