"""Several worker processes for one service (``scr serve --workers N``), on Linux.

The parent listens, accepts each new connection and hands it to the next worker in
turn (``SCM_RIGHTS`` over a Unix socket pair each), so that every worker holds as many
connections as the others, give or take one: what Node's ``cluster`` does on Linux.
The kernel's own ways of spreading connections leave workers idle under a few
long-lived connections (a council system's client pool, a reverse proxy's keep-alive
connections): one socket shared by the workers (Uvicorn's own ``--workers``) hands
each new connection to whichever worker waited on it last, and ``SO_REUSEPORT``
sockets, one per worker, spread them by a hash of their addresses (eight connections
over two workers: six or more on one, one time in four).

The workers are forked from the process that made the application, so that the
store, the actors and the tokens are read once; the SQL store's engines open
connections of their own in each worker (:mod:`scr_engine.storage.sql.connections`).
SIGTERM or SIGINT to the parent stops it taking connections and is passed on to every
worker as SIGTERM (the workers are not in the terminal's process group: a Ctrl-C
reaches them through the parent only), and each finishes the requests in flight (for
at most ``shutdown_timeout`` seconds) and exits; a worker whose parent dies is sent
SIGTERM by the kernel.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal

__all__ = ["WorkerExit", "listening_socket", "run_workers", "workers_available"]


def workers_available() -> bool:
    """Whether this system can run workers (Linux: ``fork``, ``SCM_RIGHTS`` and a
    parent's death signalled to its children)."""
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` (port 0: one the system picks) for
    :func:`run_workers`. Raises :class:`OSError` (a port another process listens on,
    an address not of this machine), with nothing left open."""
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


class WorkerExit(RuntimeError):
    """A worker stopped without being asked to: its process id and exit status (a
    negative status is the signal that ended it). The other workers were stopped."""

    def __init__(self, pid: int, status: int) -> None:
        super().__init__(f"worker {pid} stopped by itself (exit status {status})")
        self.pid = pid
        self.status = status


def run_workers(
    app: Any,
    listener: socket.socket,
    workers: int,
    *,
    shutdown_timeout: int,
    forked: Callable[[], object] | None = None,
) -> None:
    """Run ``app`` on Uvicorn in ``workers`` forked processes, each new connection to
    ``listener`` (from :func:`listening_socket`, closed here) handed to the next in
    turn, until SIGTERM or SIGINT to this process stops them all (then return); raise
    :class:`WorkerExit` if one stops by itself. ``forked`` is called in this process
    once every worker is forked (a thread to start, say: threads are not to be forked
    with). Raises :class:`~scr_engine.errors.InvalidRequest` unless ``workers`` is a
    whole number of at least 1 (then nothing is forked, and ``listener`` is left open)."""
    if type(workers) is not int or workers < 1:
        message = f"workers must be a whole number of at least 1, not {workers!r}"
        raise InvalidRequest("run_workers", [Refusal.input(message, "workers")])
    pids: list[int] = []
    channels: list[socket.socket] = []
    parent = os.getpid()
    try:
        for _ in range(workers):
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            channels.append(mine)
            pid = os.fork()
            if pid == 0:  # the worker
                _worker(app, theirs, [listener, *channels], shutdown_timeout, parent)
            theirs.close()
            pids.append(pid)
        if forked is not None:
            forked()
    except BaseException:
        _signal(set(pids), signal.SIGTERM)
        for channel in channels:
            channel.close()
        listener.close()
        raise
    handing = threading.Thread(target=_hand_out, args=(listener, channels), daemon=True)
    handing.start()
    try:
        _supervise(pids, lambda: _stop_taking(listener))
    finally:
        _stop_taking(listener)
        handing.join(5)  # a daemon: never waited on for longer
        listener.close()
        for channel in channels:
            channel.close()


def _hand_out(listener: socket.socket, channels: Sequence[socket.socket]) -> None:
    """The parent's thread: each connection accepted handed to the next worker in
    turn (past one that cannot take it: stopped, or stopping), until the listener is
    shut down."""
    turn = 0
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:  # shut down (stopping), or out of descriptors for now
            if listener.fileno() < 0 or _shut(listener):
                return
            time.sleep(0.05)
            continue
        with conn:
            for _ in channels:
                channel = channels[turn % len(channels)]
                turn += 1
                try:
                    socket.send_fds(channel, [b"c"], [conn.fileno()])
                    break
                except OSError:
                    continue


def _shut(listener: socket.socket) -> bool:
    """Whether ``listener`` was shut down (it no longer listens)."""
    try:
        return not listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
    except OSError:
        return True


def _stop_taking(listener: socket.socket) -> None:
    """Take no more connections: the thread waiting in ``accept`` wakes and ends."""
    with contextlib.suppress(OSError):  # already shut down, or closed
        listener.shutdown(socket.SHUT_RDWR)


def _worker(
    app: Any,
    channel: socket.socket,
    parents: Sequence[socket.socket],
    shutdown_timeout: int,
    parent: int,
) -> None:
    """A worker's life: Uvicorn serving the connections handed over ``channel`` until
    it is told to stop; never returns.

    It closes the parent's sockets (``parents``: the listener, the channels), leaves
    the terminal's process group, so that Ctrl-C reaches the parent alone, which passes
    it on as SIGTERM (a worker is stopped by its parent only: Uvicorn takes a second
    Ctrl-C as "stop at once"); and it is sent SIGTERM if the parent dies."""
    status = 1
    try:
        os.setpgid(0, 0)
        _stop_with(parent)
        for sock in parents:
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
        _handed_server(config, channel).run()
        status = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(status)


def _handed_server(config: Any, channel: socket.socket) -> Any:
    """A Uvicorn server listening on nothing, serving each connection the parent hands
    over ``channel`` as Uvicorn serves one it accepted (its protocol, its server state:
    a graceful shutdown waits for them too), until it shuts down."""
    import uvicorn

    class Handed(uvicorn.Server):
        # Only the two methods Uvicorn calls are overridden; the helpers are closures,
        # so that no name here can shadow one of Uvicorn's own (private) methods.
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])
            loop = asyncio.get_running_loop()
            channel.setblocking(False)
            loop.add_reader(channel.fileno(), _taking(self, loop))

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            asyncio.get_running_loop().remove_reader(channel.fileno())
            await super().shutdown(sockets)

    def _taking(server: Any, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        def protocol() -> asyncio.Protocol:  # what Uvicorn's start-up makes for each
            made: asyncio.Protocol = server.config.http_protocol_class(
                config=server.config,
                server_state=server.server_state,
                app_state=server.lifespan.state,
            )
            return made

        async def serve(conn: socket.socket) -> None:
            try:
                await loop.connect_accepted_socket(protocol, conn)
            except OSError:  # the client has gone already
                conn.close()

        def take() -> None:
            try:
                data, fds, _, _ = socket.recv_fds(channel, 16, 16)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # the channel broke: as if the parent were gone
                data, fds = b"", []
            if not data:  # the parent is gone: its death signal stops this worker
                loop.remove_reader(channel.fileno())
            for fd in fds:
                conn = socket.socket(fileno=fd)
                if server.should_exit:
                    conn.close()
                    continue
                conn.setblocking(False)
                task = loop.create_task(serve(conn))
                pending.add(task)  # kept until done: the loop holds tasks weakly
                task.add_done_callback(pending.discard)

        pending: set[asyncio.Task[None]] = set()
        return take

    return Handed(config)


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


def _supervise(pids: list[int], stopping: Callable[[], None]) -> None:
    """Wait for the workers ``pids``; pass SIGTERM and SIGINT on to them; stop them
    all when one stops by itself, and raise :class:`WorkerExit` for it. ``stopping``
    is called first, whichever way they are stopped."""
    alive = set(pids)
    asked: list[int] = []
    failed: list[WorkerExit] = []

    def stop(received: int, frame: object) -> None:
        asked.append(received)
        stopping()
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
                stopping()
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
