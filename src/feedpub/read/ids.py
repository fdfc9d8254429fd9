"""Stable entry ids.

An entry id is a promise to every subscriber: if it changes, readers show
the entry again as new. So the default id depends only on things that do
not change when a title or body is edited: the site host (and path), the
entry's publication date and the file's slug. It is an RFC 4151 ``tag:``
URI, e.g. ``tag:example.org,2026-02-27:fuite-dossiers-medicaux``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from urllib.parse import quote, urlsplit

_DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}[-_]")
_SAFE = re.compile(r"[A-Za-z0-9/\-._~]*")
"""What quote() leaves alone with safe="/-._~": such text needs no quoting."""


def slug_of(stem: str) -> str:
    """The file name without extension and without a leading date."""
    return _DATE_PREFIX.sub("", stem, count=1) or stem


def tag_uri(site_url: str, day: date, slug: str) -> str:
    authority, path = _authority_and_path(site_url)
    specific = f"{path}/{slug}" if path else slug
    if not _SAFE.fullmatch(specific):
        specific = quote(specific, safe="/-._~")
    return f"tag:{authority},{day.isoformat()}:{specific}"


@cache
def _authority_and_path(site_url: str) -> tuple[str, str]:
    parts = urlsplit(site_url)
    return (parts.hostname or "localhost").lower(), parts.path.strip("/")
