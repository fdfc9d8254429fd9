"""Time feedpub against the shared baseline, as whole processes.

Usage (from the repository; any Python 3.11 runs this script, it imports nothing of feedpub)::

    python benchmarks/run.py                      # cold 10,000 pair + archive incremental builds
    python benchmarks/run.py --only cold          # just the cold pair
    python benchmarks/run.py --only archive --inc-rounds 7
    python benchmarks/run.py --only big --big     # 100,000 entries: cold, +1, peak PSS

Scenarios (see README.md):

1. cold: 10,000 entries of ``make_site.py 10000`` (``limit: 0``, Atom + RSS). feedpub with no
   ``output/`` and no ``.feedpub-cache/`` versus ``naive_build.py --c-loader``, alternating,
   medians.
2. archive: the same entries with ``archive: true`` and ``limit: 50``: after one cold build,
   rounds of +1 entry, edit one old entry, no change; then the same after copying the built
   site with ``cp -a`` and ``cp -r`` (no change, then +1). The incremental output is compared
   byte for byte with a cold build of the same entries.
3. big (``--big``): 100,000 entries: cold and +1, wall time and peak PSS summed over the
   build process and all its descendants (sampled from /proc every ~50 ms).
4. pages: the 10,000-entry cold build with entry pages on and off (the cold pair above is
   measured with ``pages: false``, as the baseline writes no pages).

Every build is a child process timed with ``time.perf_counter`` from start to exit; CPU time
(user + system, the build's worker processes included) comes from ``RUSAGE_CHILDREN``. The
script prints figures and ratios and never asserts: goals are reported as met or not.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "bench"
FEEDPUB_PYTHON = str(REPO / ".venv" / "bin" / "python")
BIG_CACHE = Path("/tmp/feedpub-bench-cache")
BASELINE_PYTHON = str(BIG_CACHE / "baseline-venv" / "bin" / "python")
SITE10K = BIG_CACHE / "site10k"

NEWEST_DATE = "2025-06-01T12:00:00+02:00"
"""After every date make_site.py writes (its corpus ends in December 2024)."""

GOAL_COLD_RATIO = 3.5
GOAL_ADD_ONE = 0.3
GOAL_NO_CHANGE = 0.15
GOAL_BIG_PSS_MB = 400


@dataclass
class Sample:
    seconds: float
    cpu: float
    pss_mb: float | None = None


@dataclass
class Row:
    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    def line(self) -> str:
        times = " ".join(f"{s.seconds:.3f}" for s in self.samples)
        pss = [s.pss_mb for s in self.samples if s.pss_mb is not None]
        extra = f"  peak PSS {max(pss):.0f} MB" if pss else ""
        fastest = min(s.seconds for s in self.samples)
        return (
            f"{self.name:<34} median {self.median:8.3f} s  min {fastest:8.3f}"
            f"  cpu {self.cpu:7.2f} s  n={len(self.samples)} [{times}]{extra}"
        )


class Failed(Exception):
    pass


# -- processes ----------------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it, from /proc/*/stat parent ids."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, ()))
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(argv: Sequence[str], env: dict[str, str] | None = None, pss: bool = False) -> Sample:
    """Run ``argv`` to completion: wall time, CPU time, and (``pss``) peak summed PSS."""
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, sum(_pss_kb(pid) for pid in _descendants(proc.pid)))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True) if pss else None
    if sampler is not None:
        sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    if sampler is not None:
        sampler.join()
    if proc.returncode != 0:
        lines = err.strip().splitlines()
        raise Failed(f"{argv[0]} ... exit {proc.returncode}: {lines[-1] if lines else ''}")
    return Sample(seconds, _children_cpu() - cpu0, peak / 1024 if pss else None)


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        # Bytecode caching on, as for an installed package: with PYTHONDONTWRITEBYTECODE set
        # (as in some dev shells) every feedpub module is compiled again by every build.
        self.env = dict(os.environ)
        if not args.no_bytecode:
            self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.base_env = dict(self.env)
        self.env["PYTHONPATH"] = str(REPO / "src")
        self.rows: dict[str, Row] = {}

    def feedpub(self, site: Path) -> list[str]:
        return [self.args.python, "-m", "feedpub", "-q", "build", "-C", str(site)]

    def build(self, site: Path, pss: bool = False) -> Sample:
        return run(self.feedpub(site), self.env, pss)

    def timed(
        self, name: str, argv: Sequence[str], env: dict[str, str] | None = None, pss: bool = False
    ) -> Sample:
        sample = run(argv, env if env is not None else self.env, pss)
        self.rows.setdefault(name, Row(name)).samples.append(sample)
        extra = f"  PSS {sample.pss_mb:.0f} MB" if sample.pss_mb is not None else ""
        print(f"  {name:<34} {sample.seconds:8.3f} s  cpu {sample.cpu:6.2f} s{extra}", flush=True)
        return sample

    def time_build(self, name: str, site: Path, pss: bool = False) -> Sample:
        return self.timed(name, self.feedpub(site), pss=pss)


# -- sites --------------------------------------------------------------------------------


def make_site(n: int, dest: Path, start: int | None = None) -> None:
    """``make_site.py N DEST [START]`` (it keeps a finished site as it is)."""
    argv = [sys.executable, str(SHARED / "make_site.py"), str(n), str(dest)]
    if start is not None:
        argv.append(str(start))
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def baseline_python(python: str) -> str:
    """The baseline's interpreter, with its venv made on first use (its README's packages)."""
    if not Path(python).exists():
        venv = Path(python).parent.parent
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        packages = ["markdown-it-py", "feedgen", "pyyaml"]
        subprocess.run([python, "-m", "pip", "install", "-q", *packages], check=True)
    return python


def set_pages(site: Path, on: bool) -> None:
    config = site / "feedpub.yaml"
    text = re.sub(r"^pages: .*\n", "", config.read_text("utf-8"), flags=re.M)
    config.write_text(text.rstrip("\n") + f"\npages: {'true' if on else 'false'}\n", "utf-8")


def copy_input(source: Path, dest: Path, *, hardlink: bool = False) -> None:
    """A new site with ``source``'s entries and config (no output, no cache).

    Hard links are only for our own 100,000-entry cache: a link changes the ctime of the
    source's files, which a feedpub cache built on that source would see as a touch.
    """
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    how = "-al" if hardlink else "-r"
    subprocess.run(["cp", how, str(source / "entries"), str(dest / "entries")], check=True)
    shutil.copy2(source / "feedpub.yaml", dest)


def real_copy(source: Path, dest: Path, how: str = "-a") -> None:
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["cp", how, str(source), str(dest)], check=True)


def clean(site: Path) -> None:
    for name in ("output", ".feedpub-cache", ".output.feedpub-staging"):
        shutil.rmtree(site / name, ignore_errors=True)


def set_archive(site: Path, limit: int) -> None:
    config = site / "feedpub.yaml"
    text = re.sub(r"^limit: .*$", f"limit: {limit}", config.read_text("utf-8"), flags=re.M)
    config.write_text(text.rstrip("\n") + "\narchive: true\n", "utf-8")


def oldest_entries(site: Path, count: int) -> list[Path]:
    """The ``count`` oldest entry files by their ``date:`` line (archived in an archive site)."""
    dated = []
    for path in (site / "entries").glob("*.yaml"):
        match = re.search(r"^date: (.*)$", path.read_text("utf-8"), flags=re.M)
        if match:
            dated.append((match.group(1), path.name))
    dated.sort()
    return [site / "entries" / name for _, name in dated[:count]]


def edit_text(text: str, mark: int) -> str:
    """A visible change to the body: a sentence appended to its first paragraph."""
    at = text.index("content: |\n") + len("content: |\n")
    line_end = text.index("\n", at)
    return text[:line_end] + f" Modifié ({mark})." + text[line_end:]


def same_tree(a: Path, b: Path) -> tuple[bool, list[str]]:
    """Whether two output folders hold the same files with the same bytes."""
    names_a = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    names_b = sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file())
    diffs = sorted(set(names_a) ^ set(names_b))
    for name in set(names_a) & set(names_b):
        if not filecmp.cmp(a / name, b / name, shallow=False):
            diffs.append(name)
    return not diffs, diffs


def ratio_line(label: str, base: Row, ours: Row, goal: float) -> str:
    ratio = base.median / ours.median
    verdict = "met" if ratio >= goal else "NOT met"
    return (
        f"{label}: baseline {base.median:.3f} s / feedpub {ours.median:.3f} s = {ratio:.2f}x"
        f" (goal >= {goal}x: {verdict})"
    )


def goal_line(row: Row | None, goal: float) -> str:
    if row is None or not row.samples:
        return ""
    verdict = "met" if row.median < goal else "NOT met"
    return f"{row.name}: median {row.median:.3f} s (goal < {goal} s: {verdict})"


# -- scenarios ----------------------------------------------------------------------------


def bench_cold(runner: Runner, work: Path, report: list[str]) -> None:
    """1. Cold builds of 10,000 entries, ``limit: 0``, against naive_build.py --c-loader."""
    site = work / "cold"
    copy_input(runner.args.site, site)
    set_pages(site, False)  # the baseline writes feeds only: so does feedpub here
    base_out = work / "baseline-out"
    baseline = [
        runner.args.baseline_python,
        str(SHARED / "naive_build.py"),
        str(site),
        "--out",
        str(base_out),
        "--c-loader",
    ]
    print(f"cold, {runner.args.site} ({runner.args.rounds} rounds, alternating)", flush=True)
    for number in range(runner.args.rounds):
        print(f" round {number + 1}", flush=True)
        order = ("baseline", "feedpub") if number % 2 == 0 else ("feedpub", "baseline")
        for which in order:
            if which == "baseline":
                shutil.rmtree(base_out, ignore_errors=True)
                runner.timed("baseline naive_build --c-loader", baseline, env=runner.base_env)
            else:
                clean(site)
                runner.time_build("feedpub cold limit 0", site)
    base, ours = runner.rows["baseline naive_build --c-loader"], runner.rows["feedpub cold limit 0"]
    report.append(base.line())
    report.append(ours.line())
    report.append(ratio_line("cold", base, ours, GOAL_COLD_RATIO))


def bench_archive(runner: Runner, work: Path, report: list[str]) -> None:
    """2. Incremental builds of the archive site, in place and after copying it."""
    rounds = runner.args.inc_rounds
    site = work / "archive"
    real_copy(runner.args.site, site, "-r")
    clean(site)
    (site / ".stamp").unlink(missing_ok=True)
    set_archive(site, 50)
    more = work / "more"
    make_site(1, more, 10000)
    added_files = sorted((more / "entries").glob("*.yaml"))
    added = added_files[0]
    # make_site.py 1 DIR 10000 gives an entry dated in the middle of the corpus (2013): an
    # insert into history, which moves every later entry to the next archive slice. The
    # usual case, a new newest entry, is timed too with the same file re-dated.
    newest = work / "newest.yaml"
    text = added.read_text("utf-8")
    newest.write_text(re.sub(r"^date: .*$", f"date: {NEWEST_DATE}", text, flags=re.M), "utf-8")
    old = oldest_entries(site, 10)[5]  # an archived entry (archive page 1)
    original = old.read_text("utf-8")
    print(f"archive site: limit 50, +1 = {added.name}, edited = {old.name}", flush=True)
    runner.time_build("archive cold", site)
    report.append(runner.rows["archive cold"].line())

    target = site / "entries" / added.name
    for number in range(rounds):
        print(f" round {number + 1}", flush=True)
        shutil.copyfile(added, target)
        runner.time_build("archive +1 entry", site)
        old.write_text(edit_text(original, number), "utf-8")
        runner.time_build("archive edit one old entry", site)
        runner.time_build("archive no change", site)
        # Back to the starting state for the next round (untimed).
        target.unlink()
        old.write_text(original, "utf-8")
        runner.build(site)
        shutil.copyfile(newest, target)
        runner.time_build("archive +1 newest entry", site)
        target.unlink()
        runner.build(site)

    # The incremental output against a cold build of the same entries.
    shutil.copyfile(added, target)
    runner.build(site)
    old.write_text(edit_text(original, 99), "utf-8")
    runner.build(site)
    check = work / "archive-check"
    copy_input(site, check)
    runner.build(check)
    same, diffs = same_tree(site / "output", check / "output")
    report.append(
        f"archive incremental output vs cold build of the same entries: "
        f"{'OK' if same else 'DIFF ' + ', '.join(diffs[:10])}"
    )
    # Back to the built starting state for the copies.
    target.unlink()
    old.write_text(original, "utf-8")
    runner.build(site)

    for how in ("-a", "-r"):
        copy = work / f"archive-copy{how}"
        for number in range(rounds):
            print(f" copy cp {how}, round {number + 1}", flush=True)
            real_copy(site, copy, how)
            runner.time_build(f"archive after cp {how}: no change", copy)
            shutil.copyfile(added, copy / "entries" / added.name)
            runner.time_build(f"archive after cp {how}: +1 entry", copy)
        # The copy's output (after no change and +1) against a cold build of its entries.
        check = work / "archive-check"
        copy_input(copy, check)
        runner.build(check)
        same, diffs = same_tree(copy / "output", check / "output")
        report.append(
            f"after cp {how}, +1: output vs cold build: "
            f"{'OK' if same else 'DIFF ' + ', '.join(diffs[:10])}"
        )
        shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(check, ignore_errors=True)

    for name in (
        "archive +1 entry",
        "archive +1 newest entry",
        "archive edit one old entry",
        "archive no change",
        "archive after cp -a: no change",
        "archive after cp -a: +1 entry",
        "archive after cp -r: no change",
        "archive after cp -r: +1 entry",
    ):
        report.append(runner.rows[name].line())
    for name, goal in (
        ("archive +1 entry", GOAL_ADD_ONE),
        ("archive +1 newest entry", GOAL_ADD_ONE),
        ("archive no change", GOAL_NO_CHANGE),
        ("archive after cp -a: +1 entry", GOAL_ADD_ONE),
        ("archive after cp -a: no change", GOAL_NO_CHANGE),
        ("archive after cp -r: +1 entry", GOAL_ADD_ONE),
        ("archive after cp -r: no change", GOAL_NO_CHANGE),
    ):
        report.append(goal_line(runner.rows.get(name), goal))


def bench_big(runner: Runner, work: Path, report: list[str]) -> None:
    """3. 100,000 entries (``limit: 0``): cold and +1, wall time and peak summed PSS."""
    source = runner.args.big_cache / "site100k"
    start = time.perf_counter()
    make_site(100_000, source)  # made once, then kept (make_site.py checks its stamp)
    print(f"100k site ready in {time.perf_counter() - start:.1f} s: {source}", flush=True)
    more = runner.args.big_cache / "more100k"
    make_site(1, more, 100_000)
    added = sorted((more / "entries").glob("*.yaml"))[0]
    site = work / "big"
    copy_input(source, site, hardlink=True)
    for number in range(runner.args.big_rounds):
        print(f" round {number + 1}", flush=True)
        clean(site)
        (site / "entries" / added.name).unlink(missing_ok=True)
        runner.time_build("big 100k cold (PSS sampled)", site, pss=True)
        shutil.copyfile(added, site / "entries" / added.name)
        runner.time_build("big 100k +1 entry (PSS sampled)", site, pss=True)
        runner.time_build("big 100k no change (PSS sampled)", site, pss=True)
    for name in (
        "big 100k cold (PSS sampled)",
        "big 100k +1 entry (PSS sampled)",
        "big 100k no change (PSS sampled)",
    ):
        row = runner.rows[name]
        report.append(row.line())
        peak = max(s.pss_mb or 0 for s in row.samples)
        verdict = "met" if peak < GOAL_BIG_PSS_MB else "NOT met"
        report.append(f"  {name}: peak PSS {peak:.0f} MB (goal < {GOAL_BIG_PSS_MB} MB: {verdict})")
    shutil.rmtree(site, ignore_errors=True)


def bench_pages(runner: Runner, work: Path, report: list[str]) -> None:
    """4. Cold build cost of entry pages: the 10,000-entry site with pages on and off."""
    site = work / "pages"
    copy_input(runner.args.site, site)
    print(f"pages: cold builds with and without pages ({runner.args.rounds} rounds)", flush=True)
    for number in range(runner.args.rounds):
        print(f" round {number + 1}", flush=True)
        for on in (True, False) if number % 2 == 0 else (False, True):
            set_pages(site, on)
            clean(site)
            runner.time_build(f"cold pages {'on' if on else 'off'}", site)
    with_pages, without = runner.rows["cold pages on"], runner.rows["cold pages off"]
    report.append(with_pages.line())
    report.append(without.line())
    extra = with_pages.median - without.median
    report.append(
        f"pages: +{extra:.3f} s for 10,000 pages ({with_pages.median / without.median:.2f}x)"
    )
    shutil.rmtree(site, ignore_errors=True)


SCENARIOS: dict[str, Callable[[Runner, Path, list[str]], None]] = {
    "cold": bench_cold,
    "archive": bench_archive,
    "big": bench_big,
    "pages": bench_pages,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--site",
        type=Path,
        default=SITE10K,
        help=f"a make_site.py 10000 site (default {SITE10K}); never written to",
    )
    parser.add_argument("--rounds", type=int, default=3, help="cold rounds (default 3)")
    parser.add_argument(
        "--inc-rounds", type=int, default=5, help="rounds of each incremental scenario (default 5)"
    )
    parser.add_argument("--big", action="store_true", help="also run the 100,000-entry scenario")
    parser.add_argument("--big-rounds", type=int, default=1)
    parser.add_argument(
        "--big-cache",
        type=Path,
        default=BIG_CACHE,
        help=f"where the 100,000-entry site is made once (default {BIG_CACHE})",
    )
    parser.add_argument(
        "--only",
        choices=sorted(SCENARIOS),
        action="append",
        help="run only these scenarios (repeatable)",
    )
    parser.add_argument(
        "--python",
        default=FEEDPUB_PYTHON,
        help=f"interpreter with feedpub's dependencies (default {FEEDPUB_PYTHON})",
    )
    parser.add_argument(
        "--baseline-python",
        default=BASELINE_PYTHON,
        help=f"interpreter for naive_build.py (default {BASELINE_PYTHON})",
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE if set (default: unset it)",
    )
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one)")
    args = parser.parse_args(argv)

    chosen = args.only or ["cold", "archive", "pages"] + (["big"] if args.big else [])
    if "big" in chosen and not args.big:
        chosen.remove("big")
        print("big: skipped (add --big)")
    if args.site == SITE10K and not SITE10K.exists():
        make_site(10_000, SITE10K)
    if "cold" in chosen:
        args.baseline_python = baseline_python(args.baseline_python)
    runner = Runner(args)
    load = os.getloadavg()[0]
    report: list[str] = []
    work = args.work or Path(tempfile.mkdtemp(prefix="feedpub-bench-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        for name in ("cold", "archive", "big", "pages"):
            if name in chosen:
                try:
                    SCENARIOS[name](runner, work, report)
                except Failed as exc:
                    report.append(f"{name}: FAILED: {exc}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, load {load:.2f} before,"
        f" {os.getloadavg()[0]:.2f} after; feedpub from {REPO / 'src'}"
    )
    for line in report:
        if line:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
