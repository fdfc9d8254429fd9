"""``feedpub serve``: right media types, conditional GET, no escape from output/, live rebuilds."""

from __future__ import annotations

import http.client
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedpub import BuildResult, FeedpubError, build
from feedpub.commands.serve import Server, start

from .conftest import MakeSite

WAIT = 20.0
"""Upper bound for any wait below; a passing run needs a fraction of it."""
FIRST = "title: First entry\ndate: 2020-01-01\nsummary: one\nlink: /first/\n"
SECOND = "title: Second entry\ndate: 2020-02-01\nsummary: two\nlink: /second/\n"

Response = tuple[int, dict[str, str], bytes]


def get(server: Server, path: str, headers: dict[str, str] | None = None) -> Response:
    """One request, sent exactly as written (http.client does not normalise ``..``)."""
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({"2020-01-01-first.yaml": FIRST})


@pytest.fixture
def server(site: Path) -> Iterator[Server]:
    with start(site, port=0, interval=0.05) as running:
        yield running


def test_serves_each_file_with_its_media_type(server: Server, site: Path) -> None:
    (site / "output/feed.json").write_text('{"version": "https://jsonfeed.org/version/1.1"}')
    (site / "output/index.html").write_text("<!doctype html><title>Home</title>")
    assert server.url.startswith("http://127.0.0.1:")
    expected = {
        "/atom.xml": "application/atom+xml",
        "/rss.xml": "application/rss+xml",
        "/feed.json": "application/feed+json",
        "/index.html": "text/html; charset=utf-8",
    }
    for path, media_type in expected.items():
        status, headers, body = get(server, path)
        assert (status, headers["Content-Type"]) == (200, media_type), path
        assert body == (site / "output" / path[1:]).read_bytes()
        assert headers["Content-Length"] == str(len(body))
    status, _, body = get(server, "/")
    assert (status, body) == (200, (site / "output/index.html").read_bytes())
    assert b"<title>First entry</title>" in get(server, "/atom.xml")[2]


def test_renamed_feed_files_keep_their_feed_types(make_site: MakeSite) -> None:
    config = (
        "title: T\ndescription: D\nurl: https://example.org/\nauthor: A\n"
        "filenames: {atom: feed.atom, rss: news.xml}\nindex: false\n"
    )
    root = make_site({"a.yaml": FIRST}, config=config)
    with start(root, port=0, watch=False) as server:
        assert get(server, "/feed.atom")[1]["Content-Type"] == "application/atom+xml"
        assert get(server, "/news.xml")[1]["Content-Type"] == "application/rss+xml"
        status, _, listing = get(server, "/")  # no index.html: a list of the files
        assert status == 200
        assert b'<a href="feed.atom">feed.atom</a> (application/atom+xml)' in listing


def test_conditional_get_answers_304(server: Server) -> None:
    status, headers, _ = get(server, "/atom.xml")
    assert status == 200
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, _, body = get(server, "/atom.xml", {"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, b"", etag)
    assert get(server, "/atom.xml", {"If-None-Match": f'W/{etag}, "x"'})[0] == 304
    assert get(server, "/atom.xml", {"If-Modified-Since": modified})[0] == 304
    assert get(server, "/atom.xml", {"If-None-Match": '"other"'})[0] == 200
    # If-None-Match wins over a matching If-Modified-Since (RFC 9110 13.2.2)
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert get(server, "/atom.xml", both)[0] == 200
    old = {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    assert get(server, "/atom.xml", old)[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../feedpub.yaml",
        "/%2e%2e/feedpub.yaml",
        "/%2E%2E%2Ffeedpub.yaml",
        "/..%2ffeedpub.yaml",
        "/./../entries/2020-01-01-first.yaml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..\\feedpub.yaml",
        "/leak.yaml",
        "/outside/feedpub.yaml",
        "/.secret",
        "/missing.xml",
    ],
)
def test_nothing_outside_output_is_served(server: Server, site: Path, path: str) -> None:
    os.symlink(site / "feedpub.yaml", site / "output/leak.yaml")
    os.symlink(site, site / "output/outside")
    (site / "output/.secret").write_text("temp file")
    status, _, body = get(server, path)
    assert status == 404
    assert b"description" not in body


def test_symlinks_inside_output_still_work(server: Server, site: Path) -> None:
    os.symlink(site / "output/atom.xml", site / "output/alias.xml")
    status, _, body = get(server, "/alias.xml")
    assert (status, body) == (200, (site / "output/atom.xml").read_bytes())


def test_a_new_entry_is_served_after_the_rebuild(server: Server, site: Path) -> None:
    before = server.builds
    etag = get(server, "/atom.xml")[1]["ETag"]
    (site / "entries/2020-02-01-second.yaml").write_text(SECOND)
    event = server.wait_for_build(before, timeout=WAIT)
    assert event.ok
    assert event.changed == ("entries/2020-02-01-second.yaml",)
    status, _, body = get(server, "/atom.xml", {"If-None-Match": etag})
    assert status == 200  # the old ETag no longer matches
    assert b"<title>Second entry</title>" in body
    assert b"<title>First entry</title>" in body


def test_a_config_change_rebuilds(server: Server, site: Path) -> None:
    before = server.builds
    config = (site / "feedpub.yaml").read_text().replace("Test site", "Renamed site")
    (site / "feedpub.yaml").write_text(config)
    assert server.wait_for_build(before, timeout=WAIT).ok
    assert b"<title>Renamed site</title>" in get(server, "/atom.xml")[2]


def test_a_bad_entry_is_reported_and_the_old_feed_stays(server: Server, site: Path) -> None:
    good = get(server, "/atom.xml")[2]
    before = server.builds
    (site / "entries/broken.yaml").write_text("title: [\n")
    event = server.wait_for_build(before, timeout=WAIT)
    assert not event.ok
    assert [p.path for p in event.problems] == ["entries/broken.yaml"]
    assert "invalid YAML" in str(event.problems[0])
    assert get(server, "/atom.xml")[0:3:2] == (200, good)
    # fixing it brings the server back
    (site / "entries/broken.yaml").write_text(SECOND)
    assert server.wait_for_build(before + 1, timeout=WAIT).ok
    assert b"Second entry" in get(server, "/atom.xml")[2]


def test_editor_leftovers_do_not_trigger_builds(server: Server, site: Path) -> None:
    before = server.builds
    (site / "entries/.first.yaml.swp").write_text("junk")
    (site / "entries/first.yaml~").write_text("junk")
    (site / "entries/2020-02-01-second.yaml").write_text(SECOND)
    event = server.wait_for_build(before, timeout=WAIT)
    assert event.changed == ("entries/2020-02-01-second.yaml",)


def test_a_broken_site_at_start(make_site: MakeSite) -> None:
    root = make_site({"bad.yaml": "title: [\n"})
    with pytest.raises(FeedpubError, match="invalid YAML"):
        start(root, port=0, watch=False)
    # while watching, the error is reported and serving goes on until it is fixed
    with start(root, port=0, interval=0.05) as server:
        assert not server.last_build.ok
        assert get(server, "/atom.xml")[0] == 404  # never built yet
        (root / "entries/bad.yaml").write_text(FIRST)
        assert server.wait_for_build(1, timeout=WAIT).ok
        assert get(server, "/atom.xml")[1]["Content-Type"] == "application/atom+xml"


def test_a_busy_port_is_a_clear_error(site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(FeedpubError, match=f"cannot listen on 127.0.0.1:{port}"):
            start(site, port=port)


def test_stop_really_stops(site: Path) -> None:
    server = start(site, port=0, interval=0.05)
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    server.stop()
    server.stop()  # twice is fine
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=WAIT).close()


def _lines(stream: object, out: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line)


def _next_matching(lines: queue.Queue[str], needle: str) -> str:
    while True:
        line = lines.get(timeout=WAIT)
        if needle in line:
            return line


def test_the_serve_command(site: Path) -> None:
    """The real command: prints the URL, reports a bad entry on stderr, stops on SIGTERM.

    SIGTERM rather than SIGINT: a parent that runs the suite in the background
    may have SIGINT ignored, and children inherit that.
    """
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(
        [sys.executable, "-m", "feedpub", "serve", "-C", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        readers = [
            threading.Thread(target=_lines, args=(stream, lines), daemon=True)
            for stream, lines in ((process.stdout, out), (process.stderr, err))
        ]
        for reader in readers:
            reader.start()
        try:
            _drive_serve(process, out, err, site)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=WAIT)
            for reader in readers:
                reader.join(timeout=WAIT)


def _drive_serve(
    process: subprocess.Popen[str], out: queue.Queue[str], err: queue.Queue[str], site: Path
) -> None:
    """What a user sees in the terminal, step by step."""
    line = _next_matching(out, "serving ")
    url = line.split(" at ")[1].strip()
    assert url.startswith("http://127.0.0.1:")
    assert _next_matching(out, "atom: ").strip() == f"atom: {url}atom.xml"
    _next_matching(out, "Ctrl-C to stop")
    (site / "entries/broken.yaml").write_text("title: [\n")
    assert _next_matching(err, "broken.yaml").startswith("entries/broken.yaml:2: error:")
    assert "build failed; still serving the last good output/" in err.get(timeout=WAIT)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT) == 0
    assert _next_matching(out, "stopped") == "stopped\n"


def test_a_crash_in_a_rebuild_is_reported_not_fatal(site: Path) -> None:
    crash = threading.Event()

    def builder(root: Path, out_dir: Path) -> BuildResult:
        if crash.is_set():
            raise RuntimeError("boom")
        return build(root, out_dir)

    with start(site, port=0, interval=0.05, builder=builder) as server:
        crash.set()
        before = server.builds
        (site / "entries/2020-02-01-second.yaml").write_text(SECOND)
        event = server.wait_for_build(before, timeout=WAIT)
        assert not event.ok
        assert "internal error while building: RuntimeError: boom" in str(event.problems[0])
        assert get(server, "/atom.xml")[0] == 200
        crash.clear()
        (site / "entries/2020-02-01-second.yaml").write_text(SECOND + "tags: [x]\n")
        assert server.wait_for_build(before + 1, timeout=WAIT).ok
