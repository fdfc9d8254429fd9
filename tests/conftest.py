"""Shared fixtures: a site factory writing real files, and a fixed clock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (a seed per test), so a
# clean clone in CI tests exactly what passed here; FEEDPUB_HYPOTHESIS=explore
# draws new ones (run it now and then, and keep what it finds as @example).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("FEEDPUB_HYPOTHESIS", "repeatable"))

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 1, tzinfo=UTC)

BASIC_CONFIG = """\
title: Test site
description: A site for tests
url: https://example.org/
language: en
author: Site Author
pages: false
"""

MakeSite = Callable[..., Path]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current code (review the diff!).",
    )


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site folder: ``make_site({"a.yaml": "..."}, config="...")``."""

    def make(entries: dict[str, str | bytes], config: str = BASIC_CONFIG) -> Path:
        root = tmp_path / "site"
        (root / "entries").mkdir(parents=True, exist_ok=True)
        (root / "feedpub.yaml").write_text(config, encoding="utf-8")
        for name, text in entries.items():
            path = root / "entries" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return root

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove nothing changed."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def python_output(code: str) -> str:
    """What ``python -c code`` prints, in a fresh interpreter (for what a new
    process imports or does first); it must exit 0."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
