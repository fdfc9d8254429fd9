"""The fast URL join gives exactly what urllib's urljoin gives."""

from __future__ import annotations

from urllib.parse import urljoin

from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub.urls import join

BASES = [
    "https://example.org/",
    "https://example.org",
    "https://Example.org:8443/blog/",
    "http://example.org/a/b?q=1#f",
    "https://user@example.org/x;p",
]
urlish = st.text("ab/.?#;:%@!$&'()*+,=~-_\\ é", max_size=24)


@settings(max_examples=600)
@given(base=st.sampled_from(BASES), url=st.one_of(urlish, urlish.map(lambda u: "/" + u)))
def test_join_is_urljoin(base: str, url: str) -> None:
    assert join(base, url) == urljoin(base, url)


def test_root_relative_paths() -> None:
    assert join("https://example.org/blog/", "/posts/x/") == "https://example.org/posts/x/"
    assert join("https://example.org/", "/a/../b") == "https://example.org/b"
    assert join("https://example.org/", "//cdn.example.net/x") == "https://cdn.example.net/x"
