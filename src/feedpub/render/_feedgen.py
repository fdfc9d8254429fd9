"""feedgen, imported without the parts of python-dateutil we never call.

feedgen imports ``dateutil.parser`` (to parse date *strings*; we always
pass datetime objects) and ``dateutil.tz``, whose module-level import of
its tz-database helper pulls in ``importlib.resources``. With
python-dateutil 4 those two cost about 70 ms, a quarter of an incremental
build. Both stand in as empty modules that import the real one the first
time anything reads from them, so nothing changes for code that does.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_UNUSED = ("dateutil.parser", "dateutil._tzdata_impl")


class _Deferred(types.ModuleType):
    """Stands in for a module until an attribute is read, then becomes the real one."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, real)
        return getattr(real, attr)


def _defer_unused() -> None:
    dateutil = importlib.import_module("dateutil")
    for name in _UNUSED:
        if name not in sys.modules:
            stand_in = _Deferred(name)
            sys.modules[name] = stand_in
            setattr(dateutil, name.rpartition(".")[2], stand_in)


_defer_unused()

from feedgen.entry import FeedEntry  # noqa: E402
from feedgen.ext.base import BaseExtension  # noqa: E402
from feedgen.feed import FeedGenerator  # noqa: E402

__all__ = ["BaseExtension", "FeedEntry", "FeedGenerator"]
