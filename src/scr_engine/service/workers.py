"""Several worker processes for one service (``scr serve --workers N``), on Linux.

Each worker takes connections on a listening socket of its own, bound to the same
address with ``SO_REUSEPORT``: the kernel spreads new connections across the
workers' sockets by a hash of each connection's addresses. One socket shared by all
the workers (Uvicorn's own ``--workers``) hands each new connection to whichever
worker waited on it last, so that under a few long-lived connections (a council
system's client pool, a reverse proxy's keep-alive connections) one worker takes most
of them and the others idle. Only processes of the same user can bind a port so.

The workers are forked from the process that made the application, so that the
store, the actors and the tokens are read once; the SQL store's engines open
connections of their own in each worker (:mod:`scr_engine.storage.sql.connections`).
SIGTERM or SIGINT to the parent is passed on to every worker as SIGTERM (the workers
are not in the terminal's process group: a Ctrl-C reaches them through the parent
only), and each finishes the requests in
flight (for at most ``shutdown_timeout`` seconds) and exits; a worker whose parent
dies is sent SIGTERM by the kernel.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["WorkerExit", "listening_sockets", "reuse_port_available", "run_workers"]


def reuse_port_available() -> bool:
    """Whether this system spreads connections across sockets bound with
    ``SO_REUSEPORT`` (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets listening on ``host:port``, each with ``SO_REUSEPORT`` (port
    0: the port the first one was given). Raises :class:`OSError` (a port another
    process listens on, an address not of this machine), with none left open."""
    made: list[socket.socket] = []
    try:
        for _ in range(count):
            info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
            sock = socket.socket(info[0], socket.SOCK_STREAM)
            made.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(info[4])
            sock.listen(2048)
            sock.set_inheritable(True)
            port = sock.getsockname()[1]
    except OSError:
        for sock in made:
            sock.close()
        raise
    return made


class WorkerExit(RuntimeError):
    """A worker stopped without being asked to: its process id and exit status (a
    negative status is the signal that ended it). The other workers were stopped."""

    def __init__(self, pid: int, status: int) -> None:
        super().__init__(f"worker {pid} stopped by itself (exit status {status})")
        self.pid = pid
        self.status = status


def run_workers(
    app: Any,
    sockets: Sequence[socket.socket],
    *,
    shutdown_timeout: int,
    forked: Callable[[], object] | None = None,
) -> None:
    """Run ``app`` on Uvicorn in one forked worker per socket of ``sockets`` (from
    :func:`listening_sockets`, closed here), until SIGTERM or SIGINT to this process
    stops them all (then return); raise :class:`WorkerExit` if one stops by itself.
    ``forked`` is called in this process once every worker is forked (a thread to
    start, say: threads are not to be forked with)."""
    pids: list[int] = []
    parent = os.getpid()
    try:
        for sock in sockets:
            pid = os.fork()
            if pid == 0:  # the worker
                _worker(app, sock, sockets, shutdown_timeout, parent)
            pids.append(pid)
        if forked is not None:
            forked()
    except BaseException:
        _signal(set(pids), signal.SIGTERM)
        raise
    finally:
        for sock in sockets:
            sock.close()
    _supervise(pids)


def _worker(
    app: Any,
    mine: socket.socket,
    sockets: Sequence[socket.socket],
    shutdown_timeout: int,
    parent: int,
) -> None:
    """A worker's life: Uvicorn on ``mine`` until it is told to stop; never returns.

    It leaves the terminal's process group, so that Ctrl-C reaches the parent alone,
    which passes it on as SIGTERM (a worker is stopped by its parent only: Uvicorn
    takes a second Ctrl-C as "stop at once"); and it is sent SIGTERM if the parent
    dies."""
    status = 1
    try:
        os.setpgid(0, 0)
        _stop_with(parent)
        for sock in sockets:
            if sock is not mine:
                sock.close()
        # Uvicorn takes SIGTERM and SIGINT while it runs, shuts down gracefully, then
        # raises the signal again: these handlers take it, so that the worker exits 0.
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda received, frame: None)
        import uvicorn

        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=shutdown_timeout,
        )
        uvicorn.Server(config).run(sockets=[mine])
        status = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(status)


def _stop_with(parent: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies (Linux's
    ``PR_SET_PDEATHSIG``), and stop now if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux's C library: the supervisor's to do
        pass
    if os.getppid() != parent:
        os._exit(0)


def _supervise(pids: list[int]) -> None:
    """Wait for the workers ``pids``; pass SIGTERM and SIGINT on to them; stop them
    all when one stops by itself, and raise :class:`WorkerExit` for it."""
    alive = set(pids)
    asked: list[int] = []
    failed: list[WorkerExit] = []

    def stop(received: int, frame: object) -> None:
        asked.append(received)
        _signal(alive, signal.SIGTERM)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        while alive:
            pid, status = os.waitpid(-1, 0)
            if pid not in alive:
                continue
            alive.discard(pid)
            if not asked and not failed:
                failed.append(WorkerExit(pid, os.waitstatus_to_exitcode(status)))
                _signal(alive, signal.SIGTERM)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if failed:
        raise failed[0]


def _signal(pids: set[int], number: int) -> None:
    for pid in list(pids):
        try:
            os.kill(pid, number)
        except ProcessLookupError:
            pids.discard(pid)
