"""``feedpub ping``: WebSub publish notifications, checked against a recording hub."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import BASIC_CONFIG, MakeSite

ENTRY = {"a.yaml": "title: A\ndate: 2026-01-01\nsummary: s\nlink: /a/\n"}


@dataclass
class Hub:
    """A local hub: records every request, answers with the status its path names."""

    url: str
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)


class _HubHandler(http.server.BaseHTTPRequestHandler):
    server: _HubServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("ascii")
        content_type = self.headers.get("Content-Type", "")
        self.server.hub.requests.append((self.path, content_type, parse_qs(body)))
        status = int(self.path.strip("/") or 204)
        payload = b"hub.url is not allowed here" if status >= 400 else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HubServer(http.server.ThreadingHTTPServer):
    hub: Hub


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = _HubServer(("127.0.0.1", 0), _HubHandler)
    server.hub = Hub(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def site_with_hubs(make_site: MakeSite, *hubs: str) -> Path:
    lines = "".join(f"  - {hub}\n" for hub in hubs)
    return make_site(
        ENTRY,
        config=f"{BASIC_CONFIG}base_url: https://feeds.example.org/\n"
        f"formats: [atom, rss]\nhub:\n{lines}",
    )


def test_ping_notifies_every_hub_about_every_feed(make_site: MakeSite, hub: Hub) -> None:
    root = site_with_hubs(make_site, f"{hub.url}/204", f"{hub.url}/202")
    code, out, err = run("ping", "-C", str(root))
    assert (code, err) == (0, "")
    atom, rss = "https://feeds.example.org/atom.xml", "https://feeds.example.org/rss.xml"
    form = "application/x-www-form-urlencoded"
    assert hub.requests == [
        ("/204", form, {"hub.mode": ["publish"], "hub.url": [atom]}),
        ("/204", form, {"hub.mode": ["publish"], "hub.url": [rss]}),
        ("/202", form, {"hub.mode": ["publish"], "hub.url": [atom]}),
        ("/202", form, {"hub.mode": ["publish"], "hub.url": [rss]}),
    ]
    assert out.splitlines() == [
        f"ok {hub.url}/204 <- {atom}: 204 No Content",
        f"ok {hub.url}/204 <- {rss}: 204 No Content",
        f"ok {hub.url}/202 <- {atom}: 202 Accepted",
        f"ok {hub.url}/202 <- {rss}: 202 Accepted",
    ]


def test_a_refusing_hub_fails_the_command(make_site: MakeSite, hub: Hub) -> None:
    root = site_with_hubs(make_site, f"{hub.url}/400", f"{hub.url}/204")
    code, out, err = run("ping", "-C", str(root))
    assert code == 1
    assert len(hub.requests) == 4  # the good hub is still told
    assert out.count("\n") == 2 and out.startswith("ok ")
    lines = err.splitlines()
    assert lines[0] == (
        f"failed {hub.url}/400 <- https://feeds.example.org/atom.xml: "
        "400 Bad Request: hub.url is not allowed here"
    )
    assert lines[-1] == (
        "feedpub: error: 2 of 4 hub notification(s) failed (the hubs did not hear about "
        "this update; run 'feedpub ping' again later)"
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_network_errors_are_reported_without_a_traceback(make_site: MakeSite) -> None:
    port = _closed_port()
    root = site_with_hubs(make_site, f"http://127.0.0.1:{port}/")
    code, out, err = run("ping", "-C", str(root))
    assert code == 1
    assert out == ""
    assert f"failed http://127.0.0.1:{port}/ <- https://feeds.example.org/atom.xml: " in err
    assert "atom.xml: cannot reach the hub: " in err
    assert "Connection refused" in err
    assert "Traceback" not in err


def test_a_silent_hub_times_out(make_site: MakeSite) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        root = site_with_hubs(make_site, url)
        code, _, err = run("ping", "-C", str(root), "--timeout", "0.2")
    assert code == 1
    assert "atom.xml: no answer within 0.2 s\n" in err
    assert "Traceback" not in err


def test_without_a_hub_ping_says_how_to_add_one(make_site: MakeSite) -> None:
    root = make_site(ENTRY)
    code, _, err = run("ping", "-C", str(root))
    assert code == 1
    assert err == (
        "feedpub.yaml: error: no WebSub hub configured "
        "(add e.g. 'hub: https://pubsubhubbub.appspot.com/' to feedpub.yaml)\n"
    )


def test_hub_config_accepts_one_url_and_rejects_non_urls(make_site: MakeSite, hub: Hub) -> None:
    root = make_site(ENTRY, config=f"{BASIC_CONFIG}hub: {hub.url}/204\nformats: [atom]\n")
    assert run("ping", "-C", str(root))[0] == 0
    assert [path for path, _, _ in hub.requests] == ["/204"]
    root = make_site(ENTRY, config=f"{BASIC_CONFIG}hub: [ftp://hub.example/, hub]\n")
    code, _, err = run("build", "-C", str(root))
    assert code == 1
    assert 'hub: "ftp://hub.example/" uses a "ftp:" URL' in err
    assert 'hub: "hub" must be an absolute URL' in err


@contextmanager
def raw_hub(answer: bytes, pause: float) -> Iterator[str]:
    """A hub that reads the request, then sends ``answer`` one byte every ``pause`` seconds.

    With an empty ``answer`` it never says anything. Yields the hub's URL.
    """
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def talk(connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            for byte in answer:
                if stop.wait(pause):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:  # the client gave up: that is the point
                    return
            stop.wait()

    def serve() -> None:
        talkers = []
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            talker = threading.Thread(target=talk, args=(connection,), daemon=True)
            talker.start()
            talkers.append(talker)
        for talker in talkers:
            talker.join(timeout=10)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


def one_feed_site(make_site: MakeSite, hub: str) -> Path:
    return make_site(ENTRY, config=f"{BASIC_CONFIG}formats: [atom]\nhub: {hub}\n")


def test_a_trickling_hub_fails_at_the_deadline(make_site: MakeSite) -> None:
    """Each byte comes well within the timeout, but the whole answer does not."""
    with raw_hub(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 0.5) as url:
        root = one_feed_site(make_site, url)
        began = time.monotonic()
        code, out, err = run("ping", "-C", str(root), "--timeout", "1")
        took = time.monotonic() - began
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        f"failed {url} <- https://example.org/atom.xml: no answer within 1 s"
    )
    assert took < 5  # about 1 s; the trickle would take 22 s
    assert "Traceback" not in err


def test_headers_cut_off_at_the_deadline_are_a_failure(make_site: MakeSite) -> None:
    """The status line came at once; the headers never ended: not a success."""
    with raw_hub(b"HTTP/1.1 204 No Content\r\nServer: slow\r\n", 0.01) as url:
        root = one_feed_site(make_site, url)
        code, out, err = run("ping", "-C", str(root), "--timeout", "0.5")
    assert (code, out) == (1, "")
    assert "atom.xml: no answer within 0.5 s\n" in err


def test_a_hub_that_accepts_and_never_answers_fails(make_site: MakeSite) -> None:
    with raw_hub(b"", 0.1) as url:
        root = one_feed_site(make_site, url)
        began = time.monotonic()
        code, out, err = run("ping", "-C", str(root), "--timeout", "0.5")
        took = time.monotonic() - began
    assert (code, out) == (1, "")
    assert "atom.xml: no answer within 0.5 s\n" in err
    assert took < 5


def test_a_prompt_hub_answering_at_once_is_ok(make_site: MakeSite) -> None:
    with raw_hub(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok", 0) as url:
        root = one_feed_site(make_site, url)
        code, out, err = run("ping", "-C", str(root), "--timeout", "5")
    assert (code, err) == (0, "")
    assert out == f"ok {url} <- https://example.org/atom.xml: 202 Accepted\n"
