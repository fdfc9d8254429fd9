"""Templated Atom/RSS fragments are byte-identical to feedgen's own, entry by entry."""

from __future__ import annotations

import marshal
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedpub import frames
from feedpub.learnt import PerConfig
from feedpub.model import Config, Enclosure, Entry, Feed, Person, Source
from feedpub.render import _template
from feedpub.render._entry import entry_fragments as feedgen_fragments
from feedpub.render._template import _text, attribute_value, templated_fragments
from feedpub.render._text import effective_authors, needs_numeric
from feedpub.rfc822 import rfc822
from feedpub.slots import replace

CONFIG = Config(
    title="T", description="D", url="https://example.org/", base_url="https://example.org/",
    language="en", authors=(Person("Site Author", "site@example.org"),),
)  # fmt: skip
FORMATS = ("atom", "rss")

# Every character XML 1.0 can carry (the loader refuses the others).
_XML_CHARS = st.characters(
    codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x7f\ufffe\uffff"
).filter(lambda c: c >= " " or c in "\t\n\r")
_SPICY = st.sampled_from(["&", "<", ">", '"', "'", "\r", "\n", "\t", "]]>", "fpq0001z", "é", "𝄞"])
text = st.lists(st.one_of(_XML_CHARS, _SPICY), min_size=1, max_size=12).map("".join)
plain = st.text("abcdefghij -_./:", min_size=1, max_size=12)
_ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), ZoneInfo("Europe/Paris")]


@st.composite
def dates(draw: st.DrawFn) -> datetime:
    zone = draw(st.sampled_from(_ZONES))
    moment = draw(st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1)))
    if draw(st.booleans()):
        moment = moment.replace(microsecond=0)
    return moment.replace(tzinfo=zone)


@st.composite
def entry_pairs(draw: st.DrawFn) -> tuple[Entry, Entry]:
    """Two entries of one shape with different values (the second uses the template)."""
    has_link, permalink = draw(st.booleans()), draw(st.booleans())
    authors = draw(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=3))
    tags, enclosures = draw(st.integers(0, 3)), draw(st.integers(0, 2))
    source = draw(st.sampled_from([None, False, True]))
    has_summary, has_content = draw(st.booleans()), draw(st.booleans())
    has_updated = draw(st.booleans())
    lang = draw(st.sampled_from([None, "en", "fr", "pt-BR"]))
    if not (has_summary or has_content):
        has_summary = True
    words = text if draw(st.booleans()) else plain

    def one() -> Entry:
        link = "https://example.org/" + draw(plain) if has_link else None
        date = draw(dates())
        return Entry(
            path="entries/x.yaml",
            slug="x",
            id=link if (permalink and link) else "tag:example.org,2026:" + draw(words),
            title=draw(words),
            date=date,
            updated=date + timedelta(seconds=draw(st.integers(0, 10**8))) if has_updated else None,
            link=link,
            authors=tuple(
                Person(draw(words), draw(words) if mail else None, draw(words) if url else None)
                for mail, url in authors
            ),
            summary=draw(words) if has_summary else None,
            content_html=draw(words) if has_content else None,
            tags=tuple(draw(words) for _ in range(tags)),
            source=None if source is None else Source(draw(words), draw(words) if source else None),
            lang=lang,
            enclosures=tuple(
                Enclosure(draw(words), draw(words), draw(st.integers(0, 10**9)))
                for _ in range(enclosures)
            ),
        )

    return one(), one()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=entry_pairs())
def test_templated_fragments_equal_feedgen(pair: tuple[Entry, Entry]) -> None:
    _template._cache.clear()
    for entry in pair:
        assert templated_fragments(entry, CONFIG, FORMATS) == feedgen_fragments(
            entry, CONFIG, FORMATS
        )
    first = pair[0]
    if "<" not in first.title and not needs_numeric(first, effective_authors(first, CONFIG)):
        # The template was learnt (it reproduced the first entry), not given up on.
        assert None not in _template._cache.values() and _template._cache


@settings(max_examples=300, deadline=None)
@given(value=text)
def test_rss_escaping_derived_from_the_atom_escaping_equals_its_own(value: str) -> None:
    """fill() makes an RSS description from Atom's escaped content when it can."""
    if "\r" not in value:
        assert _template.html_text_from_text(_text(value)) == _template._html_text(value)


@pytest.mark.parametrize("formats", [("atom", "rss"), ("rss", "atom"), ("rss",)])
def test_templates_fill_the_same_bytes_whichever_format_comes_first(
    formats: tuple[str, ...],
) -> None:
    """RSS escapes the summary twice; with Atom first it reuses Atom's escaping."""
    _template._cache.clear()
    body = "<p>R&amp;D &lt;tags&gt; and \r returns</p>"
    entries = [
        Entry(
            path="entries/x.yaml",
            slug="x",
            id=f"tag:example.org,2026:{n}",
            title=f"T{n}",
            date=datetime(2026, 1, n, tzinfo=UTC),
            summary=body if n % 2 else body.replace("\r", ""),
            content_html=body,
        )
        for n in range(1, 5)
    ]
    for entry in entries:
        assert templated_fragments(entry, CONFIG, formats) == feedgen_fragments(
            entry, CONFIG, formats
        )
    assert None not in _template._cache.values()


def test_shapes_are_reused_and_fall_back_when_unsafe() -> None:
    _template._cache.clear()
    base = Entry(
        path="entries/a.yaml", slug="a", id="urn:uuid:1", title="One",
        date=datetime(2026, 1, 1, tzinfo=UTC), link="https://example.org/a", summary="s",
    )  # fmt: skip
    for title in ("Two", "Three & four", "Use <details>"):
        entry = replace(base, title=title)
        assert templated_fragments(entry, CONFIG, FORMATS) == feedgen_fragments(
            entry, CONFIG, FORMATS
        )
    assert len(_template._cache) == 1  # "&" and "<" titles took feedgen's path


def test_a_template_that_does_not_reproduce_feedgen_is_never_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _template._cache.clear()
    learn = _template._learn

    def broken_cut(text: str, tokens: list[str]) -> _template._Template | None:
        return _template._Template([text.replace("One", "Uno")], [])

    monkeypatch.setattr(_template, "_cut", broken_cut)
    entry = Entry(
        path="entries/a.yaml", slug="a", id="urn:uuid:1", title="One",
        date=datetime(2026, 1, 1, tzinfo=UTC), link="https://example.org/a", summary="s",
    )  # fmt: skip
    assert learn(entry, CONFIG, FORMATS, feedgen_fragments(entry, CONFIG, FORMATS)) is None
    templated_fragments(entry, CONFIG, FORMATS)
    assert list(_template._cache.values()) == [None]
    assert templated_fragments(entry, CONFIG, FORMATS) == feedgen_fragments(entry, CONFIG, FORMATS)


@settings(max_examples=300, deadline=None)
@given(value=text, times=st.integers(1, 200))
def test_long_values_escape_as_short_ones(value: str, times: int) -> None:
    """Long values (entry content) are escaped as UTF-8 bytes; short ones as text."""
    long = value * times
    expected = _template._replace(long, _template._TEXT_ESCAPES)
    assert _template._long_text(long) == expected
    assert _text(long) == expected


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=entry_pairs(), times=st.integers(1, 5))
def test_templated_long_content_equals_feedgen(pair: tuple[Entry, Entry], times: int) -> None:
    _template._cache.clear()
    for entry in pair:
        piece = entry.content_html or "<p>a & b</p>\r\n"
        content = piece * (times * _template._LONG // len(piece) + 1)  # past the threshold
        entry = replace(entry, content_html=content)
        assert templated_fragments(entry, CONFIG, FORMATS) == feedgen_fragments(
            entry, CONFIG, FORMATS
        )
    first = pair[0]
    if "<" not in first.title and not needs_numeric(first, effective_authors(first, CONFIG)):
        # The template was learnt (it reproduced the first entry), not given up on.
        assert None not in _template._cache.values() and _template._cache


def test_long_values_escape_as_libxml2_does() -> None:
    codes = [*range(0x9, 0xE), *range(0x20, 0x250), 0x2028, 0x2029, 0xFFFD, 0x1D11E, 0x10FFFF]
    for code in codes:
        value = f"<p>a{chr(code)}b &amp; c</p>\n" * 40
        element = etree.Element("x")
        try:
            element.text = value
        except ValueError:
            continue  # lxml refuses it too (and so does the entry loader)
        expected = etree.tostring(element, encoding="utf-8").decode()
        assert expected == f"<x>{_text(value)}</x>", hex(code)


def test_escaping_matches_libxml2_for_every_character() -> None:
    ranges = [range(0x9, 0xE), range(0x20, 0xD800), range(0xE000, 0xFFFE)]
    for code in [c for r in ranges for c in r] + list(range(0x10000, 0x110000, 251)):
        value = f"a{chr(code)}b"
        try:
            element = etree.Element("x", y=value)
        except ValueError:
            continue  # lxml refuses it too (and so does the entry loader)
        element.text = value
        expected = etree.tostring(element, encoding="utf-8").decode()
        assert expected == f'<x y="{attribute_value(value)}">{_text(value)}</x>', hex(code)


@settings(max_examples=300, deadline=None)
@given(moment=dates())
def test_rss_dates_match_the_email_package(moment: datetime) -> None:
    assert rfc822(moment) == format_datetime(moment)


_PLACES = st.tuples(st.integers(0, 12), st.integers(0, 12)).map(
    lambda place: (place[0], max(place))  # (page, pages): 0 is the main feed
)


@settings(max_examples=200, deadline=None)
@given(dates(), dates(), st.sampled_from(["atom", "rss"]), _PLACES, _PLACES)
def test_a_frame_filled_in_equals_the_frame_feedgen_renders(
    learnt: datetime,
    updated: datetime,
    fmt: str,
    place: tuple[int, int],
    other: tuple[int, int],
) -> None:
    """Frames of one kind learnt with one date and page, then filled with others."""
    feed = Feed(CONFIG, (), learnt, *place)
    frames.document_frame(feed, fmt)  # learns the kind (or that it has none)
    later = Feed(CONFIG, (), updated, *other)
    if frames.kind_of(later, fmt) == frames.kind_of(feed, fmt):
        assert frames._frames[(id(CONFIG), frames.kind_of(feed, fmt))] is not None
    assert frames.document_frame(later, fmt) == frames.render_frame(later, fmt)


def test_every_archive_page_shares_a_few_frame_kinds() -> None:
    """Oldest, middle and newest page: three kinds, however many pages."""
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    kinds = {frames.kind_of(Feed(CONFIG, (), moment, page, 40), "atom") for page in range(1, 41)}
    assert len(kinds) == 3
    for page in (1, 2, 17, 40):
        feed = Feed(CONFIG, (), moment, page, 40)
        assert frames.document_frame(feed, "atom") == frames.render_frame(feed, "atom")
        assert f"archive/atom/{page}.xml".encode() in frames.document_frame(feed, "atom")[0]


def test_frame_templates_survive_export_and_adoption() -> None:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    feed = Feed(CONFIG, (), moment, 0, 2)
    frames.document_frame(feed, "rss")
    stored = frames.export(CONFIG)
    other = replace(CONFIG, title="Other")  # a config of its own: nothing learnt yet
    frames.adopt(other, marshal.loads(marshal.dumps(stored)))
    later = Feed(other, (), moment + timedelta(days=3), 0, 2)
    assert frames.export(other) == stored
    rendered = frames.render_frame(later, "rss")
    assert frames.document_frame(later, "rss") != rendered  # the title differs: proof
    assert frames.document_frame(later, "rss") == frames.render_frame(
        replace(later, config=CONFIG), "rss"
    )  # that the adopted template, not the renderer, made it


def test_a_frame_whose_text_looks_like_the_sentinel_date_keeps_feedgen() -> None:
    """The check at learning time, not luck, keeps such a frame right."""
    config = replace(CONFIG, description="Since 2001-02-03T04:05:06+00:00 and counting")
    learnt = Feed(config, (), datetime(2026, 1, 1, tzinfo=UTC))
    frames.document_frame(learnt, "atom")
    assert frames._frames[(id(config), frames.kind_of(learnt, "atom"))] is None
    later = replace(learnt, updated=datetime(2026, 2, 1, tzinfo=UTC))
    assert frames.document_frame(later, "atom") == frames.render_frame(later, "atom")


def test_a_frame_whose_text_looks_like_a_sentinel_page_keeps_feedgen() -> None:
    config = replace(CONFIG, description="Issue 987654321 and counting")
    learnt = Feed(config, (), datetime(2026, 1, 1, tzinfo=UTC), 5, 9)
    frames.document_frame(learnt, "rss")
    assert frames._frames[(id(config), frames.kind_of(learnt, "rss"))] is None
    later = replace(learnt, page=6)
    assert frames.document_frame(later, "rss") == frames.render_frame(later, "rss")


def test_what_is_learnt_per_config_stays_bounded() -> None:
    """A long ``feedpub serve`` loads an equal config for every rebuild."""
    learnt: PerConfig[str, int] = PerConfig()
    configs = [replace(CONFIG, title=f"T{i}") for i in range(PerConfig.KEPT + 1)]
    for number, config in enumerate(configs):
        learnt.values[(learnt.owner(config), "key")] = number
    assert len(learnt.values) == 1  # the fifth config made room by forgetting
    assert learnt.of(configs[-1]) == {"key": PerConfig.KEPT}
    assert learnt.of(configs[0]) == {}
