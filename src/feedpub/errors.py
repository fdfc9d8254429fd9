"""User-facing errors.

Everything a user can cause (a bad entry, a broken config, an unwritable
output folder) is raised as a :class:`FeedpubError` carrying one or more
:class:`Problem` records, so the CLI can print them compiler-style and exit 1
without a traceback. Anything else that escapes is a bug in feedpub.

    FeedpubError            exit 1; one or more Problems
    ├── InputError          entries or feedpub.yaml are invalid
    ├── OutputError         output/ could not be written
    └── StaleOutputError    ``build --check`` found output/ out of date
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Self

Severity = Literal["error", "warning"]

# Line breaks (as terminals and str.splitlines() see them) and other control
# characters that can arrive in a message from user text, e.g. a quoted key
# "a\nb" or date "2026\r01". Shown escaped, one problem stays one line.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str | None
    line: int | None
    field: str | None
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path or "feedpub"
        if self.path and self.line is not None:
            where = f"{self.path}:{self.line}"
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return _UNPRINTABLE.sub(_escape, f"{where}: {self.severity}: {text}")


class FeedpubError(Exception):
    """Root of every error a user can cause; the CLI prints it and exits 1."""

    exit_code = 1

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(
        cls,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> Self:
        return cls([Problem(path, line, field, message, hint)])


class InputError(FeedpubError):
    """The entries or the site config are invalid; nothing was written."""


class OutputError(FeedpubError):
    """The output folder could not be written; previous files are intact."""


class StaleOutputError(FeedpubError):
    """``build --check``: output/ differs from what the entries would build."""
