"""``scr token`` and ``scr serve``: tokens issued, listed and revoked from the command
line, and the service run as a program over the database every ``scr`` command uses."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.serialization import unstructure
from scr_engine.storage.sql import SqlStore
from scr_engine.webhooks import DeliveryStatus, Webhook
from support.clitools import Scr, scr
from support.receiver import receiving
from support.serving import engine_over, start_scr_serve

__all__ = ["scr"]  # the fixture, for pytest

ROOT = Path(__file__).resolve().parents[2]


def test_tokens_are_issued_listed_and_revoked(scr: Scr) -> None:
    scr.ready()
    issued = scr.json("token", "issue", "u-bm")
    assert issued["actor"] == "u-bm" and issued["token"].startswith("scr_")
    kept = (scr.folder / "scr-tokens.json").read_text("utf-8")
    assert issued["token"] not in kept
    listed = scr.json("token", "list")["tokens"]
    assert [(t["id"], t["actor"], t["revoked_at"]) for t in listed] == [
        (issued["id"], "u-bm", None)
    ]
    assert "token" not in listed[0]
    revoked = scr.json("token", "revoke", issued["id"])
    assert revoked["revoked_at"] is not None
    assert scr.json("token", "list")["tokens"][0]["revoked_at"] == revoked["revoked_at"]
    missing = scr.json("token", "revoke", "t-none", code=3)
    assert missing["error"]["kind"] == "not_found"
    unknown = scr.json("token", "issue", "u-nobody", code=2)
    assert "u-nobody" in unknown["error"]["message"]


def test_scr_serve_serves_the_database(scr: Scr) -> None:
    """``scr serve`` over the SQLite file of ``scr init``: a token of ``scr token
    issue`` submits a request; ``scr show`` then finds the review in the database;
    the request log on standard error holds the route, not the ids."""
    scr.ready()
    token = scr.json("token", "issue", "u-req")["token"]
    server, port = start_scr_serve(scr.folder)
    try:
        base = f"http://127.0.0.1:{port}"
        response = httpx.post(
            f"{base}/v1/reviews",
            json={"request": json.loads(json.dumps(unstructure(demo_request()), default=str))},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        review_id = response.json()["id"]
        assert httpx.get(f"{base}/v1/reviews/{review_id}").status_code == 401
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    shown = scr.json("show", "SCR-2026-001", actor="u-bm")
    assert shown["review"]["id"] == review_id
    lines = [json.loads(line) for line in errors.splitlines() if line.startswith("{")]
    routes = [(line["method"], line["route"], line["status"]) for line in lines]
    assert ("POST", "/v1/reviews", 201) in routes
    assert ("GET", "/v1/reviews/{review_id}", 401) in routes
    assert review_id not in errors and token not in errors and "Ada" not in errors


@pytest.mark.parametrize("options", [(), ("--workers", "2")], ids=["one", "workers"])
def test_scr_serve_on_a_port_in_use_fails_with_status_1(scr: Scr, options: tuple[str, ...]) -> None:
    """A port another process listens on: ``scr serve`` says it cannot listen there and
    exits 1 (failed), not Uvicorn's 3, which ``scr`` keeps for "not found"; with
    workers too (none is forked)."""
    scr.ready()
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "scr_engine", "serve", "--port", str(port), *options],
            cwd=scr.folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr, done.stderr


def _on_port(port: int, state: str) -> set[int]:
    """The socket inodes of ``port`` (IPv4, the local end) in ``state`` (``/proc/net/tcp``'s
    hex: ``0A`` listening, ``01`` established)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == state and int(fields[1].rsplit(":", 1)[1], 16) == port:
            found.add(int(fields[9]))
    return found


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _sockets_of(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers: Linux")
def test_scr_serve_with_workers_hands_connections_out_in_turn_and_stops_together(
    scr: Scr,
) -> None:
    """``scr serve --workers 2``: the parent listens and hands each new connection to
    the next worker in turn, so that eight keep-alive connections are four a worker;
    requests over new connections are all answered, on one database; SIGTERM stops
    both, the store is closed and it exits 0."""
    scr.ready()
    token = scr.json("token", "issue", "u-req")["token"]
    reader = scr.json("token", "issue", "u-bm")["token"]
    server, port = start_scr_serve(scr.folder, "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    try:
        workers = _children(server.pid)
        assert len(workers) == 2
        listening = _on_port(port, "0A")
        assert len(listening) == 1
        assert listening <= _sockets_of(server.pid)
        assert not any(_sockets_of(w) & listening for w in workers)
        kept = [httpx.Client(base_url=base) for _ in range(8)]
        try:
            for client in kept:
                assert client.get("/healthz").status_code == 200
            established = _on_port(port, "01")
            assert len(established) == 8
            assert [len(_sockets_of(w) & established) for w in workers] == [4, 4]
            assert not _sockets_of(server.pid) & established  # handed over, not kept
        finally:
            for client in kept:
                client.close()
        created = []
        for _ in range(6):  # each on a new connection
            response = httpx.post(
                f"{base}/v1/reviews",
                json={"request": json.loads(json.dumps(unstructure(demo_request()), default=str))},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
        for review_id in created:
            got = httpx.get(
                f"{base}/v1/reviews/{review_id}", headers={"Authorization": f"Bearer {reader}"}
            )
            assert got.status_code == 200 and got.json()["id"] == review_id
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=60)
    assert server.returncode == 0, errors
    assert "2 workers" in errors and "stopped; the store is closed" in errors
    assert not any(Path(f"/proc/{w}").exists() for w in workers)
    listed = scr.json("list", actor="u-bm")
    assert len(listed["reviews"]) == 6


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers: Linux")
def test_scr_serve_stops_every_worker_when_one_dies_and_exits_1(scr: Scr) -> None:
    """A worker killed from outside: the other is stopped too, and ``scr serve`` says
    which worker stopped, and exits 1 (a supervisor such as systemd restarts it)."""
    scr.ready()
    server, _ = start_scr_serve(scr.folder, "--workers", "2")
    workers = _children(server.pid)
    os.kill(workers[0], signal.SIGKILL)
    _, errors = server.communicate(timeout=60)
    assert server.returncode == 1, errors
    assert f"worker {workers[0]} stopped by itself" in errors
    assert not any(Path(f"/proc/{w}").exists() for w in workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers: Linux")
def test_the_workers_stop_when_scr_serve_is_killed(scr: Scr) -> None:
    """``scr serve`` killed outright (SIGKILL, out of memory): its workers, in a process
    group of their own, are stopped by the kernel rather than left serving."""
    scr.ready()
    server, _ = start_scr_serve(scr.folder, "--workers", "2")
    workers = _children(server.pid)
    assert len(workers) == 2
    server.kill()
    server.communicate(timeout=30)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{w}").exists() for w in workers):
        assert time.monotonic() < deadline, "a worker outlived scr serve"
        time.sleep(0.1)


@pytest.mark.parametrize("options", [(), ("--workers", "2")], ids=["one", "workers"])
def test_scr_serve_sends_the_webhook_deliveries_due(scr: Scr, options: tuple[str, ...]) -> None:
    """``scr serve`` sends the outbox's due deliveries (every ``--webhook-interval``
    seconds), with workers too (from the parent alone: each is received once); it
    stops its sender and closes the store when it stops."""
    if options and not sys.platform.startswith("linux"):
        pytest.skip("--workers: Linux")
    scr.ready()
    secret = scr.folder / "webhook-secret"
    secret.write_text("whsec-" + "k3y" * 12 + "\n", encoding="utf-8")
    with receiving() as receiver:
        with SqlStore(f"sqlite:///{scr.folder / 'scr.sqlite3'}") as store:
            store.set_webhook(Webhook.create(receiver.url, secret))
            engine = engine_over(store)
            review = engine.submit(demo_request(), REQUESTER)
            engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
            engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
            engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)  # RF-5
            queued = {d.id for d in store.deliveries()}
        assert queued
        server, _ = start_scr_serve(scr.folder, "--webhook-interval", "0.1", *options)
        try:
            deadline = time.monotonic() + 30
            while len(receiver.received) < len(queued):
                assert time.monotonic() < deadline, "the deliveries were not sent"
                time.sleep(0.05)
            time.sleep(0.5)  # a second sender, if there were one, would send them again
        finally:
            server.send_signal(signal.SIGTERM)
            _, errors = server.communicate(timeout=60)
    assert server.returncode == 0, errors
    assert "stopped; the store is closed" in errors
    sent = [json.loads(got.body)["delivery_id"] for got in receiver.received]
    assert sorted(sent) == sorted(queued)
    with SqlStore(f"sqlite:///{scr.folder / 'scr.sqlite3'}") as store:
        assert {d.status for d in store.deliveries()} == {DeliveryStatus.DELIVERED}
