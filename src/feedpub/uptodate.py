"""Decide, as cheaply as possible, that a build has nothing to do.

Most builds (a hook, a watcher, CI on an unrelated change) change nothing.
This answers from the cache head and one stat per file, importing no YAML,
XML or Markdown library, no click and not even ``typing``; the console
script asks it before loading the CLI. pipeline.build asks the same
question with the same functions, so both agree by construction.
"""

from __future__ import annotations

import os

from .cachefile import RACY_NS, Head, cache_dir_for, cache_key, read_head
from .discover import Scan
from .layout import CONFIG_NAME


class Look:
    """The last build's head and this build's scan of the entry files."""

    __slots__ = ("head", "key", "scan")

    def __init__(self, root: str, out: str, use_cache: bool = True) -> None:
        self.head: Head | None = None
        self.scan: Scan | None = None
        try:
            with open(os.path.join(root, CONFIG_NAME), "rb") as handle:
                self.key = cache_key(handle.read())
        except OSError:
            self.key = ""  # loading the config reports the missing file properly
            return
        head = read_head(cache_dir_for(out), self.key) if use_cache else None
        self.head = head
        if head is not None and head.outputs:
            self.scan = Scan(root, head.files, head.identity_list, head.written_ns - RACY_NS)

    def nothing_to_do(self, out: str, future: bool, now_ns: int) -> bool:
        """Same entries, same flags, no entry came due, output files untouched."""
        head, scan = self.head, self.scan
        if head is None or scan is None or not scan.unchanged or head.future != future:
            return False
        if head.next_due_ns is not None and now_ns >= head.next_due_ns:
            return False
        return head.outputs_intact(out)
