"""Benchmark feedpub against the baseline script on a synthetic site.

Usage: ``python benchmarks/run.py --entries 1000 [--repeat 3] [--skip-baseline]
[--feedpub "CMD ..."] [--seed S] [--limit N] [--archive]``

Run it with the interpreter that has feedpub's dependencies installed.  The
site comes from ``gen_site.py`` and is cached in ``benchmarks/.sites/`` (keyed
by its arguments and a hash of ``gen_site.py``); each run works on a temporary
copy of its input, so the cache is never modified.  Scenarios are interleaved round by
round, so drift in machine load affects all of them alike.

Every scenario runs as a child process, forked by a tiny spawner and reaped
with ``os.wait4``: this gives its wall time and its peak RSS (``ru_maxrss``)
without an extra dependency.  When the child has its own child processes,
``ru_maxrss`` is the peak of the largest single process, not the sum.  A
failing command (e.g. feedpub not importable yet) shows as an error row and is
skipped in later rounds; the other rows are still measured.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import gen_site

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SITES = HERE / ".sites"

BASELINE = "baseline"
COLD = "feedpub cold"
ADD_ONE = "feedpub add one"
NO_CHANGE = "feedpub no change"
EDIT_ONE = "feedpub edit one"
WARM_ADD_ONE = "add one, warm"
WARM_NO_CHANGE = "no change, warm"
VERSION = "feedpub --version"
PYTHON_PASS = "python -c pass"


class ChildFailed(Exception):
    """A benchmarked command exited non-zero (127 if it could not be started)."""


@dataclass
class Sample:
    """Wall time, CPU time (user + system) and peak RSS of one child process."""

    seconds: float
    cpu_seconds: float
    maxrss_kb: int


@dataclass
class Row:
    """All samples of one scenario, or the error that stopped it."""

    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)


# Runs under a fresh ``python -S -c``.  A child's ru_maxrss includes the
# memory it had before exec: with vfork (subprocess, posix_spawn) that is the
# parent's lifetime peak, with fork the parent's current private pages.  A fork
# of this spawner counts ~7 MB (``true`` reads 6.8 MB), below even ``python -c
# pass`` (8.7 MB, as GNU time reports); a fork of run.py would count ~14 MB.
_SPAWNER = """
import os, sys, time
argv = sys.argv[1:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.execvp(argv[0], argv)
    except OSError as exc:
        os.write(2, f"cannot run {argv[0]!r}: {exc.strerror}\\n".encode())
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - start, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def measure(argv: Sequence[str], env: Mapping[str, str]) -> Sample:
    """Run ``argv`` to completion and return its wall time and peak RSS.

    The spawner times fork-to-reap and reports the child's CPU time and
    ``ru_maxrss`` (KB on Linux); its own startup is not counted.  The child's
    stdout is discarded and its stderr kept to explain a failure.
    """
    spawner = [sys.executable, "-S", "-c", _SPAWNER, *argv]
    proc = subprocess.run(
        spawner, env=env, capture_output=True, encoding="utf-8", errors="replace", check=False
    )
    lines = proc.stderr.strip().splitlines()
    detail = f": {lines[-1].strip()}" if lines else ""
    try:
        seconds, cpu_seconds, maxrss_kb, code = proc.stdout.split()
    except ValueError:
        raise ChildFailed(f"spawner failed (exit {proc.returncode}){detail}") from None
    if int(code) != 0:
        what = f"signal {-int(code)}" if int(code) < 0 else f"exit {code}"
        raise ChildFailed(what + detail)
    return Sample(float(seconds), float(cpu_seconds), int(maxrss_kb))


class Bench:
    """Collects samples per scenario name, in first-run order."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.rows: dict[str, Row] = {}

    def run(self, name: str, argv: Sequence[str]) -> None:
        """Measure one run of ``argv`` under ``name`` unless it already failed."""
        row = self.rows.setdefault(name, Row())
        if row.error is not None:
            return
        try:
            sample = measure(argv, self.env)
        except ChildFailed as exc:
            row.error = str(exc)
            print(f"  {name:<20} error: {exc}", file=sys.stderr)
            return
        row.samples.append(sample)
        print(f"  {name:<20} {sample.seconds:8.3f} s", file=sys.stderr)


def run_warm(bench: Bench, site: Path, added: Path) -> None:
    """Incremental builds inside one process (see warm.py): rows WARM_*."""
    names = (WARM_ADD_ONE, WARM_NO_CHANGE)
    if any(bench.rows.get(name, Row()).error for name in names):
        return
    proc = subprocess.run(
        [sys.executable, str(HERE / "warm.py"), str(site), str(added)],
        env=bench.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        for name in names:
            bench.rows.setdefault(name, Row()).error = lines[-1] if lines else "failed"
        return
    report = json.loads(proc.stdout)
    for name, key in zip(names, ("add one", "no change"), strict=True):
        wall, cpu = report[key]
        bench.rows.setdefault(name, Row()).samples.append(Sample(wall, cpu, report["peak_kb"]))
        print(f"  {name:<20} {wall:8.3f} s", file=sys.stderr)


def cached_site(entries: int, seed: int, limit: int, archive: bool) -> Path:
    """Return the cached pristine site for these arguments, generating it once.

    The key includes a hash of ``gen_site.py`` so editing the generator never
    benchmarks a stale site.  Generation goes to a temporary name and is
    renamed at the end, so an interrupted run leaves no half-written cache.
    """
    digest = hashlib.sha256((HERE / "gen_site.py").read_bytes()).hexdigest()[:8]
    key = f"n{entries}-s{seed}-l{limit}{'-archive' if archive else ''}-{digest}"
    site = SITES / key
    if not site.is_dir():
        tmp = SITES / f"{key}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        start = time.perf_counter()
        gen_site.generate(tmp, entries=entries, seed=seed, limit=limit, archive=archive)
        tmp.rename(site)
        elapsed = time.perf_counter() - start
        print(f"generated {site} in {elapsed:.1f} s", file=sys.stderr)
    return site


def tree_size(path: Path) -> int:
    """Total size in bytes of the regular files under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def print_table(rows: Mapping[str, Row]) -> None:
    """Print wall and CPU times, peak RSS and wall-time speed-up over the baseline.

    CPU time is less sensitive than wall time to other load on the machine,
    but does not show gains from parallelism.
    """
    base = rows.get(BASELINE)
    base_median = base.median if base and base.samples and not base.error else None
    print(
        f"{'scenario':<20} {'median s':>9} {'min s':>9} {'cpu s':>9} {'peak MB':>8}"
        f" {'baseline/x':>11}"
    )
    for name, row in rows.items():
        if row.error is not None:
            print(f"{name:<20} error: {row.error}")
            continue
        if not row.samples:
            continue
        median = row.median
        fastest = min(s.seconds for s in row.samples)
        cpu = statistics.median(s.cpu_seconds for s in row.samples)
        peak_mb = max(s.maxrss_kb for s in row.samples) / 1024
        ratio = f"{base_median / median:10.2f}x" if base_median else f"{'n/a':>11}"
        print(f"{name:<20} {median:9.3f} {fastest:9.3f} {cpu:9.3f} {peak_mb:8.1f} {ratio}")
    cold = rows.get(COLD)
    if base_median and cold and cold.samples and cold.error is None:
        print(f"\nbaseline / feedpub cold: {base_median / cold.median:.2f}x")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000, metavar="N")
    parser.add_argument("--repeat", type=int, default=3, metavar="R")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--feedpub",
        metavar="CMD",
        help='feedpub command line (default: "PYTHON -m feedpub" with src/ on PYTHONPATH)',
    )
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--limit", type=int, default=0, metavar="N")
    parser.add_argument("--archive", action="store_true")
    args = parser.parse_args(argv)
    if args.entries < 0 or args.repeat < 1:
        parser.error("--entries must be >= 0 and --repeat >= 1")

    feedpub = shlex.split(args.feedpub) if args.feedpub else [sys.executable, "-m", "feedpub"]
    if not feedpub:
        parser.error("--feedpub must not be empty")
    # Benchmark the working tree even when feedpub is not installed.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))

    pristine = cached_site(args.entries, args.seed, args.limit, args.archive)
    load_before = os.getloadavg()[0]
    added_name, added_text = gen_site.added_entry(args.seed)
    bench = Bench(env)
    with tempfile.TemporaryDirectory(prefix="feedpub-bench-") as tmp:
        site = Path(tmp) / "site"
        # Copy only the generated input: tools pointed at the cache may have
        # left output/ or a feedpub cache there.
        shutil.copytree(pristine / "entries", site / "entries")
        shutil.copy2(pristine / "feedpub.yaml", site)
        size_mb = tree_size(site) / 1e6
        added = site / "entries" / added_name
        build = [*feedpub, "build", "--root", str(site)]
        baseline = [
            sys.executable,
            str(HERE / "baseline.py"),
            str(site),
            str(Path(tmp) / "baseline"),
        ]

        for round_no in range(1, args.repeat + 1):
            print(f"round {round_no}/{args.repeat}", file=sys.stderr)
            if not args.skip_baseline:
                bench.run(BASELINE, baseline)
            shutil.rmtree(site / "output", ignore_errors=True)
            shutil.rmtree(site / ".feedpub-cache", ignore_errors=True)
            bench.run(COLD, build)
            added.write_text(added_text, encoding="utf-8")
            bench.run(ADD_ONE, build)
            bench.run(NO_CHANGE, build)
            # Fix a typo in the newest entry (names start with the date): the usual edit.
            newest = max((site / "entries").iterdir())
            text = newest.read_text(encoding="utf-8")
            newest.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
            bench.run(EDIT_ONE, build)
            newest.write_text(text, encoding="utf-8")
            bench.run(EDIT_ONE, build)  # and back: the same edit undone
            run_warm(bench, site, added)
            added.unlink()  # the next round's cold build starts from the pristine entries
            bench.run(VERSION, [*feedpub, "--version"])
            bench.run(PYTHON_PASS, [sys.executable, "-c", "pass"])

    print(
        f"\n{args.entries:,} entries ({size_mb:.1f} MB), seed {args.seed}, limit {args.limit},"
        f" archive {args.archive}, {args.repeat} round(s)"
    )
    print(
        f"{os.cpu_count()} CPU(s), 1-min load average {load_before:.2f} before,"
        f" {os.getloadavg()[0]:.2f} after (high load makes wall times noisy)"
    )
    print(f"feedpub: {shlex.join(feedpub)}\n")
    print_table(bench.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
