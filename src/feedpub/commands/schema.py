"""JSON Schemas (draft 2020-12) for entry files and ``feedpub.yaml``.

Editors with a YAML language server use them to complete keys and flag
mistakes while typing, before ``feedpub build`` runs. They describe what the
loader accepts (tests hold them to the same keys and to the bad-input
corpus); rules a schema cannot express, such as known time zones or
``updated`` not before ``date``, are left to the loader.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Literal

SchemaKind = Literal["entry", "config"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = ("entry", "config")


def load_schema(kind: SchemaKind) -> str:
    """The schema's JSON text, exactly as shipped in the package."""
    if kind not in SCHEMA_KINDS:
        raise ValueError(f"unknown schema {kind!r}; choose from {', '.join(SCHEMA_KINDS)}")
    return (files("feedpub") / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
