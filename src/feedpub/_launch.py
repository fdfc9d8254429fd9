"""The ``feedpub`` console script: answers ``--version`` before loading click.

Everything else goes to the click CLI. Importing click and building the
command tree costs several times Python's own start-up, which a version
check (run by scripts, shells and package managers) should not pay.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        print(f"feedpub, version {__version__}")
        return
    from .cli import main as cli_main

    cli_main()
