"""``feedpub serve`` and ``feedpub ping``: previewing and announcing a site."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any, NoReturn

import click

from ..errors import FeedpubError, Problem
from ..model import OUTPUT_DIR
from .options import colour, echo_problems, echo_warnings, info, root_option, summary, verbosity


class _Terminated(BaseException):
    """SIGTERM arrived; a BaseException, so no ``except Exception`` on the way eats it."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _stop_on_sigterm() -> Any:
    """Let SIGTERM (``kill``, ``docker stop``, systemd) stop serve cleanly, exit status 0.

    Returns the previous handler to restore, or None off the main thread,
    where Python cannot install handlers.
    """
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:
        return None


@click.command()
@root_option
@click.option(
    "-p",
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one.",
)
@click.option("--no-watch", is_flag=True, help="Build once; do not rebuild on changes.")
def serve(root: Path, port: int, no_watch: bool) -> None:
    """Build, then serve output/ on http://127.0.0.1 and rebuild on changes.

    Feeds are served with their real content types and ETag/Last-Modified,
    as a good static host would. Only this machine can connect. When an
    entry or feedpub.yaml changes the site is rebuilt; if the build fails,
    the error is printed and the last good output stays online. Stop with
    Ctrl-C (exit status 130) or SIGTERM (exit status 0).

    \b
    Examples:
      feedpub serve
      feedpub serve --port 0            # any free port
      feedpub -v serve --no-watch       # log every request
    """
    from .serve import BuildEvent
    from .serve import start as start_server

    warned: list[tuple[Problem, ...]] = [()]
    out = root / OUTPUT_DIR

    def report(event: BuildEvent) -> None:
        trigger = f"{', '.join(event.changed)} changed: " if event.changed else ""
        if event.result is None:
            echo_problems(event.problems)
            click.echo(f"{trigger}build failed; still serving the last good output/", err=True)
            return
        if event.result.warnings != warned[0]:  # said again only when they change
            echo_warnings(event.result.warnings)
            warned[0] = event.result.warnings
        info(trigger + summary(event.result, out, False, event.seconds))

    def log(line: str) -> None:
        click.echo(line, err=True)

    try:
        server = start_server(
            root,
            port=port,
            watch=not no_watch,
            on_build=report,
            log=log if verbosity() > 0 else None,
        )
    except KeyboardInterrupt:  # during the first build
        _interrupted()
    previous = _stop_on_sigterm()
    try:
        info(f"serving {server.out_dir} at {server.url}")
        if server.last_build.result is not None:
            from ..read.config import load_config

            config = load_config(root)
            for fmt in config.formats:
                info(f"  {fmt}: {server.url}{config.filename(fmt)}")
        watching = "watching entries/ and feedpub.yaml; " if not no_watch else ""
        info(f"{watching}Ctrl-C to stop")
        server.wait()
    except KeyboardInterrupt:
        server.stop()
        _interrupted()
    except _Terminated:
        pass
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    info("stopped")


def _interrupted() -> NoReturn:
    """Ctrl-C: one line, no traceback, and the shell's status for SIGINT (128 + 2)."""
    click.echo("interrupted", err=True)
    raise click.exceptions.Exit(130)


@click.command()
@root_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for each hub.",
)
def ping(root: Path, timeout: float) -> None:
    """Tell the WebSub hubs in feedpub.yaml ('hub:') that the feeds changed.

    Sends one publish notification per hub and feed. Run it after the new
    output/ is online: hubs fetch the feeds right away. Exits 1 if any hub
    cannot be reached or refuses.

    \b
    Examples:
      feedpub build && ./deploy.sh && feedpub ping
      feedpub ping --timeout 30
    """
    from ..model import CONFIG_NAME
    from ..read.config import load_config
    from .websub import feed_urls, ping_all

    config = load_config(root)
    if not config.hubs:
        raise FeedpubError.one(
            "no WebSub hub configured",
            path=CONFIG_NAME,
            hint="add e.g. 'hub: https://pubsubhubbub.appspot.com/' to feedpub.yaml",
        )
    results = ping_all(config.hubs, feed_urls(config), timeout=timeout)
    for result in results:
        answer = result.detail if result.status is None else f"{result.status} {result.detail}"
        line = f"{result.hub} <- {result.feed_url}: {answer}".rstrip()
        if result.ok:
            info(f"{click.style('ok', fg='green')} {line}")
        else:
            click.echo(f"{click.style('failed', fg='red')} {line}", err=True, color=colour())
    failed = sum(not result.ok for result in results)
    if failed:
        raise FeedpubError.one(
            f"{failed} of {len(results)} hub notification(s) failed",
            hint="the hubs did not hear about this update; run 'feedpub ping' again later",
        )
