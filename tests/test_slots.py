"""Record classes behave as the dataclasses they replace (slots.py)."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedpub.slots import as_dict, field, fields_of, frozen, mutable, replace


@frozen
class Point:
    """A frozen record."""

    x: int
    label: str = "p"
    tags: tuple[str, ...] = ()

    def moved(self) -> Point:
        return replace(self, x=self.x + 1)


@dataclasses.dataclass(frozen=True, slots=True)
class PointTwin:
    x: int
    label: str = "p"
    tags: tuple[str, ...] = ()


@mutable
class Bag:
    name: str
    items: list[int] = field(default_factory=list)


@given(st.integers(), st.text(), st.lists(st.text(), max_size=3).map(tuple))
def test_a_frozen_record_compares_hashes_and_prints_as_its_dataclass_twin(
    x: int, label: str, tags: tuple[str, ...]
) -> None:
    point, twin = Point(x, label, tags), PointTwin(x, label, tags)
    assert repr(point) == repr(twin).replace("PointTwin", "Point")
    assert hash(point) == hash(twin)
    assert point == Point(x=x, label=label, tags=tags)
    assert point != Point(x + 1, label, tags)
    assert point != twin  # type: ignore[comparison-overlap]  # never equal, as with dataclasses
    assert as_dict(point) == dataclasses.asdict(twin)
    assert pickle.loads(pickle.dumps(point)) == point
    assert copy.deepcopy(point) == point


def test_defaults_keywords_and_missing_arguments() -> None:
    assert Point(1) == Point(x=1, label="p", tags=())
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, nope=2)  # type: ignore[call-arg]
    assert fields_of(Point) == ("x", "label", "tags") == Point.__match_args__
    assert Point(1).moved() == Point(2)
    assert Point.__doc__ == "A frozen record."


def test_frozen_records_refuse_assignment_and_have_no_dict() -> None:
    point = Point(1)
    with pytest.raises(AttributeError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.label
    with pytest.raises(AttributeError):
        point.other = 3  # type: ignore[attr-defined]
    assert not hasattr(point, "__dict__")


def test_a_mutable_record_makes_fresh_defaults_and_is_unhashable() -> None:
    first, second = Bag("a"), Bag("b")
    first.items.append(1)
    assert second.items == [] and first.items == [1]
    first.name = "c"
    assert first == Bag("c", [1]) and repr(first) == "Bag(name='c', items=[1])"
    with pytest.raises(TypeError):
        hash(first)
    with pytest.raises(AttributeError):
        first.other = 1  # type: ignore[attr-defined]
