"""PyYAML, imported without a regex compile that libyaml's parser never needs.

``yaml.reader`` compiles its non-printable-character pattern at import:
about 10 ms, a tenth of what an incremental build spends importing, for a
pattern only PyYAML's pure-Python reader uses (libyaml checks characters
in C). While PyYAML is imported here, that one pattern is handed out as a
stand-in that compiles on first use, so the pure-Python loader (used when
libyaml is missing) still gets the real thing. Modules import PyYAML
through this one so that the first import happens here.
"""

from __future__ import annotations

import re
import sys

_SLOW_PATTERN_MARK = "\U00010000-\U0010ffff]"
"""How the pattern ends: a character class reaching the astral planes."""


class _CompiledOnUse:
    """Stands in for a compiled pattern until something uses it."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> object:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return getattr(self._compiled, name)


def _import_yaml() -> None:
    if "yaml" in sys.modules:
        return  # imported already (by a user's script, say): nothing to save
    real = re.compile

    def compile_lazily(pattern: object, flags: int = 0) -> object:
        if isinstance(pattern, str) and pattern.endswith(_SLOW_PATTERN_MARK):
            return _CompiledOnUse(pattern, flags)
        return real(pattern, flags)  # type: ignore[call-overload]

    re.compile = compile_lazily  # type: ignore[assignment]
    try:
        import yaml  # noqa: F401
    finally:
        re.compile = real


_import_yaml()

import yaml  # noqa: E402 - after the import above, which it only looks up
import yaml.reader  # noqa: E402
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode  # noqa: E402

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode", "yaml"]
