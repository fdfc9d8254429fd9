"""Record classes declared like dataclasses, for a hundredth of the import cost.

``dataclasses`` writes and compiles the source of up to eight methods per
class when its module is imported: about 1.5 ms a class here, 28 ms for
the 19 classes an incremental build imports, a tenth of such a build.
These classes need little of it: an ``__init__`` from the annotations,
defaults and factories, equality (and, when frozen, hashing) by value,
a repr, and for frozen ones no assignment after construction. Only
``__init__`` is compiled (its speed matters: one per entry in a cold
build); the rest are shared functions over an ``attrgetter``.

Type checkers read these decorators as dataclasses (PEP 681).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A default made anew for each instance (a fresh list, dict or array)."""
    return _Factory(default_factory)  # type: ignore[return-value]


class FrozenInstanceError(AttributeError):
    """Raised on assignment to a field of a frozen record."""


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: type[T]) -> type[T]:
    """Immutable, hashable record (``@dataclass(frozen=True, slots=True)``)."""
    return _record(cls, frozen=True)


@dataclass_transform(field_specifiers=(field,))
def mutable(cls: type[T]) -> type[T]:
    """Mutable record with slots (``@dataclass(slots=True)``): equal by value, unhashable."""
    return _record(cls, frozen=False)


def fields_of(record: object) -> tuple[str, ...]:
    """The field names of a record class or instance, in declaration order."""
    names: tuple[str, ...] = record.__match_args__  # type: ignore[attr-defined]
    return names


def as_dict(record: object) -> dict[str, Any]:
    """Field name -> value (not recursive: for records of plain values)."""
    return {name: getattr(record, name) for name in fields_of(record)}


def replace(record: T, **changes: Any) -> T:
    """A copy of ``record`` with some fields changed."""
    values = {name: getattr(record, name) for name in fields_of(record)}
    values.update(changes)
    return type(record)(**values)


def _record(cls: type[T], frozen: bool) -> type[T]:
    names = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063 - names only
    body = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
    namespace: dict[str, Any] = {}
    params, lines = [], []
    for name in names:
        default = body.pop(name, _NONE)
        if isinstance(default, _Factory):
            namespace[f"_f_{name}"] = default.make
            params.append(f"{name}=_MISSING")
            value = f"_f_{name}() if {name} is _MISSING else {name}"
        else:
            if default is not _NONE:
                namespace[f"_d_{name}"] = default
            params.append(name if default is _NONE else f"{name}=_d_{name}")
            value = name
        # A frozen record's own __setattr__ refuses: its slots are set through
        # their descriptors (bound below), twice as fast as object.__setattr__.
        lines.append(f"    _s_{name}(self, {value})" if frozen else f"    self.{name} = {value}")
    namespace["_MISSING"] = _NONE
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(lines) or "    pass")
    exec(source, namespace)
    body["__init__"] = namespace["__init__"]
    body["__slots__"] = names
    body["__match_args__"] = names
    body["__eq__"] = _eq
    body["__repr__"] = _repr
    if frozen:
        body["__hash__"] = _hash
        body["__setattr__"] = body["__delattr__"] = _refuse
        body["__getstate__"] = _getstate
        body["__setstate__"] = _setstate
    else:
        body["__hash__"] = None
    body["_values"] = staticmethod(_values(names))
    made: type[T] = type(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    if frozen:  # the __init__ finds these in its globals when it runs
        namespace.update({f"_s_{name}": made.__dict__[name].__set__ for name in names})
    return made


_NONE: Any = object()


def _values(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda record: (one(record),)
    if not names:
        return lambda record: ()
    return attrgetter(*names)


def _eq(self: Any, other: Any) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented  # type: ignore[no-any-return]
    values = self._values
    return bool(values(self) == values(other))


def _hash(self: Any) -> int:
    return hash(self._values(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
    return f"{type(self).__qualname__}({shown})"


def _refuse(self: Any, name: str, value: object = None) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _getstate(self: Any) -> tuple[object, ...]:
    return tuple(self._values(self))


def _setstate(self: Any, state: tuple[object, ...]) -> None:
    for name, value in zip(self.__match_args__, state, strict=True):
        object.__setattr__(self, name, value)
