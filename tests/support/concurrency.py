"""Calls made at the same moment, each from a thread of its own, for the tests of
what two writers racing leave behind."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["at_once"]


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run every call in a thread of its own, released together by a barrier, and
    return what each gave, in the calls' order: its result, or the exception it
    raised (any: the test asserts which)."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        start.wait()
        try:
            outcomes[index] = call()
        except Exception as exc:  # every outcome is the test's to judge
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
