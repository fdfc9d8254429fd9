"""A forked child's answer, or its failure, comes back as if it ran here."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

from feedpub import forked


class Refused(Exception):
    """An exception class of the caller's own, raised in the child."""


def test_the_work_runs_in_another_process_and_its_value_comes_back() -> None:
    child = forked.Child(lambda: [os.getpid(), ("a", 1), {"b": b"\x00"}])
    value, failure = child.result()
    assert failure is None
    assert value[0] != os.getpid()
    assert value[1:] == [("a", 1), {"b": b"\x00"}]


def test_an_os_error_keeps_its_kind_number_message_and_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    _, failure = forked.Child(missing.read_bytes).result()
    assert isinstance(failure, FileNotFoundError)
    assert failure.errno == errno.ENOENT
    assert failure.filename == str(missing)
    assert failure.strerror


def test_an_exception_of_the_callers_own_class_is_raised_again_as_that_class() -> None:
    def work() -> None:
        raise Refused("output/atom.xml", 3)

    _, failure = forked.Child(work).result()
    assert type(failure) is Refused
    assert failure.args == ("output/atom.xml", 3)


def test_arguments_marshal_cannot_carry_become_a_runtime_error_naming_them() -> None:
    def work() -> None:
        raise Refused(object())

    _, failure = forked.Child(work).result()
    assert isinstance(failure, RuntimeError)
    assert "Refused" in str(failure)


def test_a_child_that_dies_without_answering_is_an_os_error() -> None:
    _, failure = forked.Child(lambda: os._exit(3)).result()
    assert isinstance(failure, OSError)
    assert "without answering (3)" in str(failure)


def test_forking_is_refused_while_another_thread_runs() -> None:
    assert forked.available()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.available()
    finally:
        stop.set()
        thread.join()
    assert forked.available()
