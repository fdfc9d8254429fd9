"""What ``feedpub build`` says when it is done, shared by the CLI and the console script.

No click here: the console script runs plain builds (output to a file or
a pipe, as in CI and hooks) without loading click, and both must print
the same words.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: see cachefile.py
if TYPE_CHECKING:
    from pathlib import Path

    from .pipeline import BuildResult


def warnings_note(count: int) -> str:
    return f"{count} warning(s); run 'feedpub check' to see them"


def summary(result: BuildResult, out: Path, check: bool = False) -> str:
    count = result.entry_count
    noun = "entry" if count == 1 else "entries"
    if check:
        return f"{out} is up to date ({count} {noun})"
    if result.written:
        names = ", ".join(str(out / name) for name in result.written)
        return f"wrote {names} ({count} {noun})"
    return up_to_date(out, count)


def up_to_date(out: Path | str, count: int) -> str:
    return f"{out} already up to date ({count} {'entry' if count == 1 else 'entries'})"
