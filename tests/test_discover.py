"""Finding changed entry files: the block-wise comparison against a plain one."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub.cachefile import Head
from feedpub.discover import _differences

Stat = tuple[int, int, int]


@settings(max_examples=300)
@given(st.integers(0, 400), st.data())
def test_changed_files_are_those_a_plain_comparison_finds(count: int, data: st.DataObject) -> None:
    before: dict[str, Stat] = {f"e{i:04d}.yaml": (i, 1, i) for i in range(0, 2 * count, 2)}
    now = dict(before)
    names = st.integers(0, 2 * count + 1).map(lambda i: f"e{i:04d}.yaml")
    for action, name in data.draw(
        st.lists(st.tuples(st.sampled_from(["add", "remove", "touch"]), names), max_size=8)
    ):
        if action == "remove":
            now.pop(name, None)
        else:
            now[name] = (len(name), 2, 0)  # a new file, or new stats for an old one
    head = Head()
    head.set_files(sorted(before), array("q", [v for n in sorted(before) for v in before[n]]), [])
    order = sorted(now)
    found = array("q", [v for n in order for v in now[n]])
    expected = [i for i, name in enumerate(order) if before.get(name) != now[name]]
    assert _differences(order, found, head) == expected
