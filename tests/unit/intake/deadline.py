"""Run a call with a wall-clock deadline that fails a test instead of hanging it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def finishes_within(seconds: float, call: Callable[[], T]) -> T:
    """The call's result, or a test failure once `seconds` pass. The call runs in a daemon
    thread: a regular expression stuck in C cannot be interrupted, but it no longer holds the
    test run (nor its exit) hostage."""
    outcome: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise AssertionError(f"still running after {seconds} s")
    if errors:
        raise errors[0]
    return outcome[0]
