"""What an import tells the user: one compiler-style line per thing it could not carry over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["warning", "error"]


@dataclass(frozen=True, slots=True)
class ImportNote:
    """One message about one source file, pointing at the line to look at when known."""

    path: str
    line: int | None
    message: str
    severity: Severity

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The entry files written (relative to the site root) and every note, in input order."""

    written: tuple[str, ...]
    notes: tuple[ImportNote, ...]

    @property
    def failed(self) -> tuple[str, ...]:
        """The source files that were not imported because of an error."""
        return tuple(dict.fromkeys(n.path for n in self.notes if n.severity == "error"))


@dataclass(frozen=True, slots=True)
class Finding:
    """A note before it knows which file it is about (the mapping code never sees paths)."""

    line: int | None
    message: str
    severity: Severity = "warning"
