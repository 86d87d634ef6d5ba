"""A real service for the tests: the app over an engine with a fixed clock and
predictable ids and salts, served by Uvicorn on a free port in a thread, with a token
for each of the demo's people."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from attrs import frozen

from scr_engine import FixedClock, ReviewEngine
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    panel_member,
)
from scr_engine.records import Actor, Role
from scr_engine.service import TokenFile, create_app
from scr_engine.storage.port import ReviewStore

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)

OUTSIDER = Actor("u-other-req", "Oscar Outsider", frozenset({Role.REQUESTER}), "police")
"""A requester named on no review: reads none."""

PEOPLE: tuple[Actor, ...] = (
    REQUESTER,
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    OVERVIEW_WRITER,
    OUTSIDER,
    *(panel_member(code) for code in ("asc", "gp", "police")),
)


def engine_over(store: ReviewStore) -> ReviewEngine:
    """An engine whose every output is the same on every run: the fixed clock at
    :data:`START`, ids ``review-1``, ``review-2`` …, salts counted too."""
    ids = itertools.count(1)
    salts = itertools.count(1)
    return ReviewEngine(
        store,
        FixedClock(START),
        new_id=lambda: f"review-{next(ids)}",
        salt=lambda: f"{next(salts):032x}",
    )


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


ROOT = Path(__file__).resolve().parents[2]


def start_scr_serve(
    folder: Path, *options: str, own_group: bool = False
) -> tuple[subprocess.Popen[str], int]:
    """``scr serve`` (this checkout's) over the ``scr init`` of ``folder``, on a free
    port, with ``options``; started once ``/readyz`` answers. Its standard error is
    piped. ``own_group``: in a process group of its own, as in a terminal (so that
    ``os.killpg(server.pid, SIGINT)`` is Ctrl-C)."""
    port = free_port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "scr_engine", "serve", "--port", str(port), *options],
        cwd=folder,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0 if own_group else None,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return server, port
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError(f"scr serve did not start: {server.communicate()[1]}")
        time.sleep(0.1)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The base URL of ``app`` served by Uvicorn on 127.0.0.1, until the block ends."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@frozen
class Service:
    """A running service and what the tests need of it."""

    base: str
    engine: ReviewEngine
    tokens: TokenFile
    secrets: Mapping[str, str]
    """A token for each person of :data:`PEOPLE`, by id."""
    http: httpx.Client

    @property
    def clock(self) -> FixedClock:
        clock = self.engine.clock
        assert isinstance(clock, FixedClock)
        return clock

    def auth(self, actor: Actor | str, **headers: str) -> dict[str, str]:
        """The headers of a call by ``actor`` (and ``headers``, ``_`` for ``-``)."""
        actor_id = actor if isinstance(actor, str) else actor.id
        extra = {k.replace("_", "-"): v for k, v in headers.items()}
        return {"Authorization": f"Bearer {self.secrets[actor_id]}", **extra}


@contextmanager
def running(store: ReviewStore, folder: Path, **options: Any) -> Iterator[Service]:
    """The service over ``store`` (``options`` for :func:`create_app`), a token issued
    for each person of :data:`PEOPLE` in ``folder``."""
    engine = engine_over(store)
    tokens = TokenFile(folder / "scr-tokens.json")
    secrets = {actor.id: tokens.issue(actor.id)[1] for actor in PEOPLE}
    app = create_app(engine, {a.id: a for a in PEOPLE}, tokens, **options)
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield Service(base, engine, tokens, secrets, http)
