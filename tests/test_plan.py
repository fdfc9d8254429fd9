"""Planning on columns gives exactly what the plain rules on Entry objects give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub.model import Config, Entry
from feedpub.plan import EPOCH, modified_text, plan, published, updated_of
from feedpub.records import header_tuple
from feedpub.table import Row, Table, _quick_runs

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def reference_plan(config: Config, entries: list[Entry], now: datetime) -> list[tuple[Any, ...]]:
    """The rules as the module docstring states them, on whole entries."""
    chosen = sorted(
        (e for e in entries if not e.draft and e.date <= now), key=lambda e: (e.date, e.id)
    )

    def doc(part: list[Entry], page: int, pages: int) -> tuple[Any, ...]:
        updated = max((e.modified for e in part), default=EPOCH)
        return [e.path for e in part], page, pages, updated.isoformat()

    limit = config.limit
    if not config.archive or limit == 0:
        newest = chosen[::-1]
        return [doc(newest[:limit] if limit else newest, 0, 0)]
    pages = max(0, (len(chosen) - limit) // limit)
    archived = pages * limit
    main = chosen[archived:][::-1]
    if main and archived:
        horizon = main[-1].date
        edited = [e for e in chosen[:archived] if e.modified > horizon]
        main.extend(sorted(edited, key=lambda e: (e.date, e.id), reverse=True))
    documents = [doc(main, 0, pages)]
    for page in range(1, pages + 1):
        documents.append(doc(chosen[(page - 1) * limit : page * limit][::-1], page, pages))
    return documents


ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]
moments = st.builds(
    lambda days, hours, zone: (
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days, hours=hours)
    ).astimezone(zone),
    st.integers(0, 200),
    st.sampled_from([0, 2, 7]),  # few distinct instants: ties are common
    st.sampled_from(ZONES),
)


@st.composite
def sites(draw: st.DrawFn) -> list[Entry]:
    count = draw(st.integers(0, 30))
    entries = []
    for number in range(count):
        date = draw(moments)
        later = draw(st.one_of(st.none(), st.integers(0, 250)))
        zone = draw(st.sampled_from(ZONES))
        updated = None if later is None else (date + timedelta(days=later)).astimezone(zone)
        entries.append(
            Entry(
                path=f"entries/{number:02d}.yaml",
                slug=str(number),
                id=f"tag:example.org,2026:{draw(st.integers(0, 99)):02d}-{number}",
                title="t",
                date=date,
                updated=updated,
                draft=number % 4 == 0 and draw(st.booleans()),
            )
        )
    return entries


@settings(max_examples=150, deadline=None)
@given(sites(), st.integers(0, 5), st.booleans())
def test_column_plan_matches_the_rules_on_entries(
    entries: list[Entry], limit: int, archive: bool
) -> None:
    config = Config("T", "D", "https://example.org/", "/", limit=limit, archive=archive)
    rows = {e.path: Row((0, 0, 0, ""), None, (), ("",), header_tuple(e)) for e in entries}
    table = Table().merged([e.path for e in entries], rows, 1)
    planned = plan(config, table, published(table, NOW))
    got = [
        ([table.names[r] for r in d.rows], d.page, d.pages, updated_of(table, d).isoformat())
        for d in planned
    ]
    assert got == reference_plan(config, entries, NOW)
    # Signatures use the stored text of the date; it must be what rendering prints.
    assert [modified_text(table, d) for d in planned] == [g[3] for g in got]


def _row(name: str, version: int) -> Row:
    """A compiled file whose every column says which file and which version it is."""
    head = (f"2026-01-01T00:00:0{version % 10}+00:00", None, f"tag:{name}", f"/{name}", False, 1, 1)
    problems = ((name, 1, None, f"v{version}", None, "warning"),) if version % 3 == 0 else ()
    return Row((version, version, hash(name) % 99, f"d{version}"), None, problems, (name,), head)


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.integers(0, 60), max_size=40),
    st.sets(st.integers(0, 60), max_size=5),
    st.sets(st.integers(0, 60), max_size=5),
    st.sets(st.integers(0, 60), max_size=3),
)
def test_merging_a_few_changes_gives_the_table_built_from_scratch(
    old: set[int], added: set[int], edited: set[int], removed: set[int]
) -> None:
    """The quick merge (nothing removed) and the file-by-file one agree with a new table."""
    name = "entries/{:02d}.yaml".format
    before = Table().merged(sorted(map(name, old)), {name(i): _row(name(i), 0) for i in old}, 1)
    now = (old | added) - (removed & old - added)
    changed = {i: 1 for i in (added - old) | (edited & now)}
    rows = {name(i): _row(name(i), changed[i]) for i in changed}
    order = sorted(map(name, now))
    merged = before.merged(order, rows, 1)
    quick = _quick_runs(before.names, order, rows)
    assert (quick is not None) == (old <= now)  # taken whenever no file was removed
    versions = {i: changed.get(i, 0) for i in now}
    scratch = Table().merged(order, {name(i): _row(name(i), versions[i]) for i in now}, 1)
    assert merged == scratch


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.integers(0, 9)),
        min_size=1,
        max_size=30,
    )
)
def test_a_table_of_rows_all_compiled_now_equals_one_put_row_by_row(
    kinds: list[tuple[bool, bool, bool, bool, int]],
) -> None:
    """A cold build's table is made column by column; put() makes it row by row."""
    name = "entries/{:02d}.yaml".format
    rows = {}
    for number, (checked, blob, warned, updated, version) in enumerate(kinds):
        head = None
        if checked:
            later = "2026-02-01T00:00:00+00:00" if updated else None
            date = f"2026-01-0{version % 9 + 1}T00:00:00+01:00"
            link = f"/{number}" if version % 2 else None
            head = (date, later, f"tag:{number}", link, version % 4 == 0, version, number)
        rows[name(number)] = Row(
            (number, version, number * 7, f"d{number}"),
            (b"blob%d" % number if version % 3 else ("spill", number, 4)) if blob else None,
            ((name(number), 1, None, "m", None, "warning"),) if warned else (),
            (f"a{number}", f"r{number}") if checked else (),
            head,
        )
    order = sorted(rows)
    at_once = Table().merged(order, rows, 2)  # no previous table: made column by column
    first = {order[0]: rows[order[0]]}
    one_by_one = Table().merged(order[:1], first, 2).merged(order, rows, 2)  # put() each
    assert at_once == one_by_one
    with pytest.raises(KeyError):
        Table().merged([*order, "entries/zz.yaml"], rows, 2)
