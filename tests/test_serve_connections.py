"""``feedpub serve`` under real use: keep-alive, idle clients, many clients at once, Ctrl-C."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from feedpub.commands.serve import Server, start

from .conftest import MakeSite

WAIT = 20.0
"""Upper bound for any wait below; a passing run needs a fraction of it."""
IDLE = 1.0
"""The idle timeout these tests give the server."""
FIRST = "title: First entry\ndate: 2020-01-01\nsummary: one\nlink: /first/\n"


@pytest.fixture
def server(make_site: MakeSite) -> Iterator[Server]:
    site = make_site({"2020-01-01-first.yaml": FIRST})
    with start(site, port=0, watch=False, idle_timeout=IDLE) as running:
        yield running


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1].strip("/"))


def test_keep_alive_answers_many_requests_on_one_connection(server: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=WAIT)
    try:
        connection.request("GET", "/atom.xml")
        first = connection.getresponse()
        etag, body = first.getheader("ETag"), first.read()
        assert first.status == 200 and b"First entry" in body
        sock = connection.sock
        answers = []
        for method, path, headers in [
            ("GET", "/missing.xml", {}),
            ("GET", "/%2e%2e/feedpub.yaml", {}),
            ("GET", "/atom.xml", {"If-None-Match": etag or ""}),
            ("HEAD", "/rss.xml", {}),
            ("GET", "/rss.xml", {}),
        ]:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            answers.append((response.status, len(response.read())))
            assert response.getheader("Content-Length") is not None, path
            assert connection.sock is sock, f"{path}: the connection was not kept"
        assert [status for status, _ in answers] == [404, 404, 304, 200, 200]
        assert answers[3][1] == 0 and answers[4][1] > 0  # HEAD has no body, GET has it
    finally:
        connection.close()


def test_an_idle_connection_is_closed_by_the_server(server: Server) -> None:
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=WAIT) as idle:
        assert idle.recv(1) == b""  # closed by the server, not by our timeout
    assert time.monotonic() - began < WAIT / 2


def test_a_half_sent_request_is_dropped_after_the_timeout(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=WAIT) as slow:
        slow.sendall(b"GET /atom.xml HTTP/1.1\r\nHost: x\r\n")  # never finished
        assert slow.recv(1) == b""


def test_idle_connections_do_not_hold_up_other_clients(make_site: MakeSite) -> None:
    site = make_site({"2020-01-01-first.yaml": FIRST})
    with start(site, port=0, watch=False, idle_timeout=WAIT) as server:
        address = ("127.0.0.1", port_of(server))
        idle = [socket.create_connection(address, timeout=WAIT) for _ in range(50)]
        try:
            for sock in idle[::2]:
                sock.sendall(b"GET /atom.xml HTTP/1.1\r\n")  # half a request, then nothing
            began = time.monotonic()
            connection = http.client.HTTPConnection(*address, timeout=WAIT)
            connection.request("GET", "/atom.xml")
            assert connection.getresponse().status == 200
            connection.close()
            # Well under the idle timeout: nobody waited for the idle ones to go.
            assert time.monotonic() - began < WAIT / 4
        finally:
            for sock in idle:
                sock.close()


def test_fifty_clients_at_once_get_every_answer(server: Server) -> None:
    errors: list[str] = []
    answered = [0]
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=WAIT)
        try:
            for _ in range(10):
                connection.request("GET", "/atom.xml")
                response = connection.getresponse()
                body = response.read()
                with lock:
                    if response.status == 200 and b"First entry" in body:
                        answered[0] += 1
                    else:
                        errors.append(f"{response.status}")
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    clients = [threading.Thread(target=client) for _ in range(50)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=WAIT)
    assert errors == []
    assert answered[0] == 500


def test_stop_ends_open_keep_alive_connections(make_site: MakeSite) -> None:
    site = make_site({"2020-01-01-first.yaml": FIRST})
    server = start(site, port=0, watch=False)  # the default idle timeout, 10 s
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=WAIT)
    try:
        connection.request("GET", "/atom.xml")
        assert connection.getresponse().read()
        server.stop()
        assert connection.sock is not None
        assert connection.sock.recv(1) == b""  # closed at stop, not 10 s later
    finally:
        connection.close()


def test_ctrl_c_says_interrupted_and_exits_130(make_site: MakeSite) -> None:
    """SIGINT's handler is set in the child: a background test run may have it ignored."""
    site = make_site({"2020-01-01-first.yaml": FIRST})
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from feedpub.cli import main; sys.argv[0] = 'feedpub'; main()"
    )
    command = [sys.executable, "-c", code, "serve", "-C", str(site), "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if "Ctrl-C to stop" in line:
                    break
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=WAIT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=WAIT)
    assert process.returncode == 130
    assert err == "interrupted\n"
