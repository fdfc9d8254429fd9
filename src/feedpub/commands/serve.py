"""``feedpub serve``: build, serve output/ on 127.0.0.1, rebuild on change.

Watching is a polling loop in a thread over the config and the entry files
(``mtime``, size and inode, every ``interval`` seconds): no extra
dependency, the same behaviour on every OS and file system (network and
container mounts included, where change notifications are unreliable), and
cheap at the sizes feedpub targets. Only files the loader reads are
watched, so editor swap files never trigger a build.

A failed rebuild changes nothing on disk (the writer is atomic), so the
last good output keeps being served while the error is reported.

Serving itself (keep-alive, a thread per connection, idle timeouts, path
checks) is httpfiles.py's; this module ties it to the builds.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..builder.pipeline import BuildResult, build
from ..errors import FeedpubError, Problem
from ..model import CONFIG_NAME, DEFAULT_FILENAMES, ENTRIES_DIR, OUTPUT_DIR
from ..read.config import load_config
from ..read.scan import entry_files
from .httpfiles import FORMAT_TYPES, IDLE_TIMEOUT, FolderServer

INTERVAL = 0.5
"""Seconds between two looks at the files: fast enough to feel live."""
_SETTLE = 0.1
_SETTLE_ROUNDS = 20

Snapshot = dict[str, tuple[int, int, int]]
Builder = Callable[[Path, Path], BuildResult]
"""What makes the site: ``build(root, out_dir)``; replaceable so tests can make it fail."""


@dataclass(frozen=True, slots=True)
class BuildEvent:
    """One build of the serve session; ``number`` 1 is the build at start."""

    number: int
    result: BuildResult | None
    problems: tuple[Problem, ...] = ()
    changed: tuple[str, ...] = ()
    """The watched files (relative to the site) that triggered this build."""
    seconds: float = 0.0
    """How long the build took."""

    @property
    def ok(self) -> bool:
        return self.result is not None


class Server:
    """A running preview: ``url``, ``stop()``, and ``wait_for_build()`` for tests."""

    def __init__(
        self,
        root: Path,
        out_dir: Path,
        httpd: FolderServer,
        on_build: Callable[[BuildEvent], None] | None,
        builder: Builder = build,
    ) -> None:
        self.root = root
        self.out_dir = out_dir
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        self._httpd = httpd
        self._on_build = on_build
        self._builder = builder
        self._events: list[BuildEvent] = []
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- for callers -------------------------------------------------------

    @property
    def builds(self) -> int:
        """How many builds ran so far (the first is the one at start)."""
        with self._changed:
            return len(self._events)

    @property
    def last_build(self) -> BuildEvent:
        with self._changed:
            return self._events[-1]

    def wait_for_build(self, after: int, timeout: float) -> BuildEvent:
        """The build numbered ``after + 1``; TimeoutError if none came within ``timeout``.

        Read ``builds`` before changing files, then wait with that number:
        a build that finishes in between is not missed.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._events) > after, timeout):
                raise TimeoutError(f"no build after #{after} within {timeout:g} s")
            return self._events[after]

    def wait(self) -> None:
        """Block until ``stop()`` is called (from another thread or a signal handler)."""
        self._stopping.wait()

    def stop(self) -> None:
        """Stop watching and serving; safe to call twice."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_connections()
        for thread in self._threads:
            thread.join(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------

    def _start(self, watch: bool, interval: float, baseline: Snapshot) -> None:
        threads = [threading.Thread(target=self._httpd.serve_forever, args=(0.1,), daemon=True)]
        if watch:
            args = (interval, baseline)
            threads.append(threading.Thread(target=self._watch, args=args, daemon=True))
        for thread in threads:
            thread.name = f"feedpub-serve-{len(self._threads)}"
            self._threads.append(thread)
            thread.start()

    def _build(self, changed: tuple[str, ...] = ()) -> BuildEvent:
        started = time.monotonic()
        try:
            result = self._builder(self.root, self.out_dir)
        except FeedpubError as exc:
            event = BuildEvent(self.builds + 1, None, exc.problems, changed)
        except Exception as exc:  # a bug must not stop the preview; say so and go on
            bug = Problem(
                None,
                None,
                None,
                f"internal error while building: {type(exc).__name__}: {exc}",
                "this is a bug in feedpub; please report it with 'feedpub --debug build'",
            )
            event = BuildEvent(self.builds + 1, None, (bug,), changed)
        else:
            self._httpd.types = media_types(load_config(self.root).filenames)
            seconds = time.monotonic() - started
            event = BuildEvent(self.builds + 1, result, result.warnings, changed, seconds)
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()
        if self._on_build is not None:
            with contextlib.suppress(OSError):  # e.g. stdout is a closed pipe
                self._on_build(event)
        return event

    def _watch(self, interval: float, seen: Snapshot) -> None:
        while not self._stopping.wait(interval):
            try:
                now = snapshot(self.root)
            except OSError:  # a folder vanished mid-walk: look again next round
                continue
            if now == seen:
                continue
            # Editors save in steps (truncate, write, rename): wait until still.
            for _ in range(_SETTLE_ROUNDS):
                if self._stopping.wait(_SETTLE):
                    return
                try:
                    later = snapshot(self.root)
                except OSError:
                    continue
                if later == now:
                    break
                now = later
            changed = tuple(
                sorted(k for k in seen.keys() | now.keys() if seen.get(k) != now.get(k))
            )
            seen = now
            self._build(changed)


def snapshot(root: Path) -> Snapshot:
    """What the watcher compares: each watched file's mtime, size and inode."""
    state: Snapshot = {}
    for path in [root / CONFIG_NAME, *entry_files(root / ENTRIES_DIR)]:
        try:
            info = path.stat()
        except OSError:
            continue
        state[path.relative_to(root).as_posix()] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return state


def media_types(filenames: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Feed file name -> media type, from the config's (format, file name) pairs."""
    return {name: FORMAT_TYPES[fmt] for fmt, name in filenames if fmt in FORMAT_TYPES}


def start(
    root: Path,
    *,
    port: int = 0,
    out_dir: Path | None = None,
    watch: bool = True,
    interval: float = INTERVAL,
    on_build: Callable[[BuildEvent], None] | None = None,
    log: Callable[[str], None] | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
    builder: Builder = build,
) -> Server:
    """Build the site, then serve ``out_dir`` (default root/output) on 127.0.0.1.

    ``port`` 0 picks a free port (see ``Server.url``). Without ``watch`` a
    failed first build raises FeedpubError; with it, the error is reported
    through ``on_build`` and the previous output/ is served until a change
    fixes the build. ``log`` receives one line per HTTP request. A connection
    silent for ``idle_timeout`` seconds is closed, so idle clients cost nothing.
    """
    if not (root / CONFIG_NAME).is_file():
        load_config(root)  # raises the usual "no feedpub.yaml" error
    out = out_dir if out_dir is not None else root / OUTPUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    try:
        httpd = FolderServer(port, out, log, idle_timeout)
    except OSError as exc:
        raise FeedpubError.one(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
            hint="another program may use this port; pick another with --port, or 0 for any",
        ) from exc
    server = Server(root, out, httpd, on_build, builder)
    try:
        # Taken before the first build, so a change made while it runs is not missed.
        baseline = snapshot(root)
        first = server._build()
        if not first.ok:
            if not watch:
                raise FeedpubError(first.problems)
            try:
                httpd.types = media_types(load_config(root).filenames)
            except FeedpubError:  # a broken config: assume the default file names
                httpd.types = media_types(DEFAULT_FILENAMES.items())
    except BaseException:  # a failed first build, or Ctrl-C during it: free the port
        httpd.server_close()
        raise
    server._start(watch, interval, baseline)
    return server
