"""``scr_engine.service.workers`` for a host's own server: what it refuses before it
forks anything."""

from __future__ import annotations

import os
import sys

import pytest

from scr_engine.errors import InvalidRequest
from scr_engine.service.workers import listening_socket, run_workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers: Linux")
@pytest.mark.parametrize("wrong", [0, -2, 1.5, "2", None, True])
def test_workers_not_a_whole_number_of_at_least_one_are_refused_before_any_fork(
    wrong: object,
) -> None:
    listener = listening_socket("127.0.0.1", 0)
    children = set(os.listdir(f"/proc/{os.getpid()}/task"))
    try:
        with pytest.raises(InvalidRequest) as caught:
            run_workers(object(), listener, wrong, shutdown_timeout=1)  # type: ignore[arg-type]
        assert [r.field for r in caught.value.refusals] == ["workers"]
        assert repr(wrong) in str(caught.value)
        assert listener.fileno() >= 0  # left open: the host's to close
        assert set(os.listdir(f"/proc/{os.getpid()}/task")) == children  # no thread started
    finally:
        listener.close()


def test_a_port_in_use_is_an_os_error_with_nothing_left_open() -> None:
    taken = listening_socket("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            listening_socket("127.0.0.1", port)
    finally:
        taken.close()
