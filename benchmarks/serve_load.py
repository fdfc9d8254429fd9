"""Load on ``feedpub serve``: requests per second and latency with many clients.

Usage: ``python benchmarks/serve_load.py [--requests N]``

Builds a small site (20 entries) in a temporary folder, starts the preview
server in a child process (so the clients here do not share its GIL), then
runs keep-alive ``http.client`` clients in threads, 1, 50 and 200 at once,
and finally 200 clients x 25 requests while 300 idle connections are open.
Each run prints req/s, p50/p99 latency and the number of errors. This is a
measurement, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CONFIG = """\
title: Load test
description: A site for the serve benchmark
url: https://example.org/
language: en
author: Bench
"""
ENTRY = "title: Entry {n}\ndate: 2026-01-{day:02d}\nsummary: Summary of entry {n}.\nlink: /{n}/\n"
SERVE = """\
import sys
from pathlib import Path
from feedpub.commands.serve import start
with start(Path(sys.argv[1]), port=0, watch=False, idle_timeout=120.0) as server:
    print(server.url, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
"""


def make_site(root: Path, entries: int = 20) -> None:
    (root / "entries").mkdir(parents=True)
    (root / "feedpub.yaml").write_text(CONFIG)
    for n in range(entries):
        (root / "entries" / f"e{n:03d}.yaml").write_text(ENTRY.format(n=n, day=n % 28 + 1))


def client(
    port: int, count: int, start: threading.Barrier, latencies: list[float], errors: list[str]
) -> None:
    """One reader polling the feed ``count`` times over one keep-alive connection."""
    start.wait()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for _ in range(count):
            began = time.perf_counter()
            try:
                connection.request("GET", "/atom.xml")
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(str(response.status))
            except (OSError, http.client.HTTPException) as exc:
                errors.append(repr(exc))
                connection.close()  # reconnect on the next request
            latencies.append(time.perf_counter() - began)  # list.append is thread-safe
    finally:
        connection.close()


def run(port: int, clients: int, per_client: int, label: str) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)
    threads = [
        threading.Thread(target=client, args=(port, per_client, barrier, latencies, errors))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"{label:<34} {len(latencies):>6} req {len(latencies) / elapsed:>8.0f} req/s  "
        f"p50 {p50:6.2f} ms  p99 {p99:7.2f} ms  errors {len(errors)}"
        + (f" (first: {errors[0]})" if errors else ""),
        flush=True,
    )


def still_open(sockets: list[socket.socket]) -> int:
    """How many of ``sockets`` the server has not closed (no EOF waiting on them)."""
    count = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            if sock.recv(1):
                count += 1
        except BlockingIOError:
            count += 1
        except OSError:
            pass
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="total per run (default 2000)")
    total = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        make_site(root)
        with subprocess.Popen(
            [sys.executable, "-c", SERVE, str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as server:
            assert server.stdout is not None and server.stdin is not None
            url = server.stdout.readline().strip()
            port = int(url.rsplit(":", 1)[1].strip("/"))
            print(f"serving {url} (atom.xml, 20 entries); python {sys.version.split()[0]}")
            run(port, 1, 20, "warm-up")
            for clients in (1, 50, 200):
                run(port, clients, max(1, total // clients), f"{clients} client(s)")
            idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(300)]
            try:
                run(port, 200, 25, "200 x 25 with 300 idle connections")
                print(f"idle connections still open afterwards: {still_open(idle)} of 300")
            finally:
                for sock in idle:
                    sock.close()
            server.stdin.close()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
