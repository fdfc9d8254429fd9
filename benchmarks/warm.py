"""Time incremental builds inside one long-running process.

``feedpub serve`` and programs using the library build again and again in
one process: Python start-up and imports are paid once, not per build. Usage:
``python benchmarks/warm.py SITE ADDED`` where ``SITE`` was just built and
``ADDED`` is an entry file in it. The file is removed and written back twice,
with a build after each step (untimed: the process warms up as a watcher's
would), removed once more and written back: the next build is timed as "add
one", the one after as "no change". Prints one JSON object: seconds
of wall and CPU time for each, and the process's peak RSS in KB.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> int:
    site, added = Path(sys.argv[1]), Path(sys.argv[2])
    text = added.read_bytes()
    from feedpub import build

    for _ in range(2):  # a process that has built before: libraries loaded, caches warm
        added.unlink()
        build(site)
        added.write_bytes(text)
        build(site)
    added.unlink()
    build(site)
    added.write_bytes(text)
    report: dict[str, object] = {}
    for scenario in ("add one", "no change"):
        wall, cpu = time.perf_counter(), time.process_time()
        build(site)
        report[scenario] = [time.perf_counter() - wall, time.process_time() - cpu]
    report["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
