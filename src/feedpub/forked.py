"""Run one function in a forked child process while this one goes on.

For work that is mostly the kernel copying bytes (writing a large feed):
threads would share one interpreter lock, and each system call's return
would wait for it behind a busy thread. A forked child shares nothing but
what it inherited, so two cores really work at once. Its answer comes back
through a pipe as marshal data; an exception it raised is raised again here.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing (and re, which it imports) costs a build with no change 6 ms
    from typing import Any


def available() -> bool:
    """Whether forking is possible and safe now: a fork copies only the calling
    thread, so a lock another thread holds would stay locked in the child."""
    if not hasattr(os, "fork"):
        return False  # pragma: no cover - Windows
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


class Child:
    """``work()`` running in a child process; ``result()`` waits for its answer."""

    def __init__(self, work: Callable[[], Any]) -> None:
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: coverage cannot follow it here
            os.close(reading)
            _answer(writing, work)
        os.close(writing)
        self._pid, self._reading = pid, reading

    def result(self) -> tuple[Any, BaseException | None]:
        """(what ``work`` returned, None) or (None, what it raised); always reaps
        the child, even when interrupted while waiting (the interruption is then
        what is returned)."""
        interrupted: BaseException | None = None
        parts: list[bytes] = []
        while True:
            try:
                part = os.read(self._reading, 1 << 16)
            except OSError as exc:
                interrupted = interrupted or exc
                break
            except BaseException as exc:  # Ctrl-C: the child gets it too and answers
                interrupted = interrupted or exc
                continue
            if not part:
                break
            parts.append(part)
        os.close(self._reading)
        while True:
            try:
                _, status = os.waitpid(self._pid, 0)
                break
            except OSError as exc:
                interrupted, status = interrupted or exc, -1
                break
            except BaseException as exc:
                interrupted = interrupted or exc
        if not parts:
            code = os.waitstatus_to_exitcode(status) if status >= 0 else status
            return None, interrupted or OSError(f"a child process ended without answering ({code})")
        ok, value = marshal.loads(b"".join(parts))
        if ok:
            return value, interrupted
        return None, interrupted or rebuilt(value)


def _answer(fd: int, work: Callable[[], Any]) -> None:  # pragma: no cover - in the child
    """Run ``work`` and write its outcome to ``fd``; never returns into the caller's code."""
    code = 1
    try:
        try:
            answer = marshal.dumps((True, work()))
        except BaseException as exc:
            answer = marshal.dumps((False, described(exc)))
        view = memoryview(answer)
        while view:
            view = view[os.write(fd, view) :]
        code = 0
    finally:
        os._exit(code)


def described(exc: BaseException) -> tuple[Any, ...]:
    """An exception as marshal can carry it from a child (see ``rebuilt``): its
    class's place and its arguments."""
    if isinstance(exc, OSError):
        return ("OSError", exc.errno, exc.strerror, exc.filename)
    kind = type(exc)
    try:
        marshal.dumps(exc.args)
    except ValueError:
        return ("builtins", "RuntimeError", (f"{kind.__name__}: {exc}",))
    return (kind.__module__, kind.__qualname__, exc.args)


def rebuilt(description: tuple[Any, ...]) -> BaseException:
    """The exception a child raised, from its ``described()`` description."""
    if description[0] == "OSError":
        _, number, message, filename = description
        error = OSError(number, message) if number is not None else OSError(message)
        error.filename = filename
        return error
    module, name, args = description
    try:
        kind = getattr(sys.modules[module], name)
        error = kind(*args)
    except Exception:
        return RuntimeError(f"{module}.{name}{args!r}")
    assert isinstance(error, BaseException)
    return error
