"""What a process learns per config (entry and frame templates), bounded.

Keys hold the config's identity, not the config: hashing a whole config for
every entry would cost more than the lookup saves, so each config is kept
alive while its id is in use. Only a few configs are remembered: a long
``feedpub serve`` loads the config again for every rebuild.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from .model import Config

K = TypeVar("K")
V = TypeVar("V")


class PerConfig(Generic[K, V]):
    """``values`` maps (id of a config, key) to what was learnt for it."""

    __slots__ = ("_configs", "values")

    KEPT = 4

    def __init__(self) -> None:
        self.values: dict[tuple[int, K], V] = {}
        self._configs: dict[int, Config] = {}

    def owner(self, config: Config) -> int:
        """The id to key ``config``'s values with; forgets every config's values
        when a new one would make more than ``KEPT``."""
        mine = id(config)
        if mine not in self._configs:
            if len(self._configs) >= self.KEPT:
                self.values.clear()
                self._configs.clear()
            self._configs[mine] = config
        return mine

    def of(self, config: Config) -> dict[K, V]:
        """What was learnt for ``config``, by key."""
        mine = id(config)
        return {key: value for (owner, key), value in self.values.items() if owner == mine}
