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

    __slots__ = ("head", "key", "place", "scan")

    @classmethod
    def take(cls, root: str, out: str, use_cache: bool = True) -> Look:
        """The look the console script just took for this build, else a new one.

        When the console script finds work to do, the CLI's build would
        otherwise stat every entry file a second time, milliseconds later.
        """
        global _handed_over
        look, _handed_over = _handed_over, None
        if look is not None and look.place == _place(root, out, use_cache):
            return look
        return cls(root, out, use_cache)

    def hand_over(self) -> None:
        """Let the next build of the same site in this process start from this look."""
        global _handed_over
        _handed_over = self

    def __init__(self, root: str, out: str, use_cache: bool = True, early: bool = False) -> None:
        """``early``: see Scan; for a caller with other work to do before the results."""
        self.place = _place(root, out, use_cache)
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
            self.scan = Scan(root, head, head.written_ns - RACY_NS, early)

    def nothing_to_do(self, out: str, future: bool, now_ns: int) -> bool:
        """Same entries, same flags, no entry came due, output files untouched."""
        head, scan = self.head, self.scan
        if head is None or scan is None or not scan.unchanged or head.future != future:
            return False
        if head.next_due_ns is not None and now_ns >= head.next_due_ns:
            return False
        return head.outputs_intact(out)


_handed_over: Look | None = None


def _place(root: str, out: str, use_cache: bool) -> tuple[str, str, bool]:
    return os.path.abspath(root), os.path.abspath(out), use_cache
