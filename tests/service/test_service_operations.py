"""Operating ``scr serve``: a graceful shutdown on SIGTERM (the request in flight
finishes, the store is closed, the process exits 0), and the store's connection pool
sized by configuration."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from scr_engine.demo import demo_request
from scr_engine.errors import InvalidRequest
from scr_engine.serialization import unstructure
from scr_engine.storage.sql import SqlStore
from support.clitools import Scr, scr
from support.postgres import postgres_schema
from support.serving import start_scr_serve

__all__ = ["scr"]  # the fixture, for pytest

ROOT = Path(__file__).resolve().parents[2]


def _read_until(sock: socket.socket, marker: bytes | None) -> bytes:
    """What ``sock`` receives until ``marker`` (the connection's end for None)."""
    data = b""
    while marker is None or marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize(
    ("options", "stop"),
    [
        ((), lambda pid: os.kill(pid, signal.SIGTERM)),
        (("--workers", "2"), lambda pid: os.kill(pid, signal.SIGTERM)),
        (("--workers", "2"), lambda pid: os.killpg(pid, signal.SIGINT)),
    ],
    ids=["sigterm", "workers-sigterm", "workers-ctrl-c"],
)
def test_sigterm_lets_the_request_in_flight_finish(
    scr: Scr, options: tuple[str, ...], stop: Callable[[int], None]
) -> None:
    """A request whose handler is running when SIGTERM comes (it has asked for the
    body: ``Expect: 100-continue`` tells the client so) is answered in full, while a
    new connection is refused; then the service stops, closes the store and exits 0,
    and the store verifies. With workers
    too, and on Ctrl-C (SIGINT to the terminal's process group), which the workers,
    in a group of their own, get as SIGTERM from ``scr serve``."""
    if options and not sys.platform.startswith("linux"):
        pytest.skip("--workers: Linux")
    scr.ready()
    token = scr.json("token", "issue", "u-req")["token"]
    server, port = start_scr_serve(scr.folder, "--shutdown-timeout", "60", *options, own_group=True)
    try:
        body = json.dumps(
            {"request": json.loads(json.dumps(unstructure(demo_request()), default=str))}
        ).encode("utf-8")
        head = (
            f"POST /v1/reviews HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
        ).encode("ascii")
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(head)
            interim = _read_until(sock, b"\r\n\r\n")
            assert interim.startswith(b"HTTP/1.1 100"), interim
            stop(server.pid)
            deadline = time.monotonic() + 10
            while True:  # it stops taking connections, soon after the signal
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=5).close()
                except (ConnectionRefusedError, ConnectionResetError):
                    # Refused, or reset: a connection the kernel took into the
                    # backlog as the listener closed was never the service's.
                    break
                assert time.monotonic() < deadline, "still taking connections"
                time.sleep(0.05)
            sock.sendall(body)
            answer = _read_until(sock, None)  # the service closes it: it is stopping
        assert answer.startswith(b"HTTP/1.1 201"), answer
        assert b"SCR-2026-001" in answer
        _, errors = server.communicate(timeout=90)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, errors
    assert "the store is closed" in errors
    shown = scr.json("show", "SCR-2026-001", actor="u-bm")
    assert shown["review"]["reference"] == "SCR-2026-001"
    assert scr.json("verify")["ok"] is True


def test_the_pool_size_is_checked(scr: Scr, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--pool-size`` and ``SCR_POOL_SIZE`` take a whole number of at least 1; junk
    is refused before anything is served."""
    scr.ready()
    for junk in ("none", "0", "-3", "2.5"):
        result = scr("serve", "--pool-size", junk)
        assert result.exit_code == 2, result.output
        assert "--pool-size" in result.output and junk in result.output
    monkeypatch.setenv("SCR_POOL_SIZE", "lots")
    result = scr("serve")
    assert result.exit_code == 2 and "lots" in result.output
    monkeypatch.delenv("SCR_POOL_SIZE")
    result = scr("serve", "--max-overflow", "-1")
    assert result.exit_code == 2 and "--max-overflow" in result.output


def test_the_store_refuses_a_junk_pool_size(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'board.sqlite3'}"
    for options in ({"pool_size": 0}, {"pool_size": True}, {"max_overflow": -1}):
        with pytest.raises(InvalidRequest) as caught:
            SqlStore(url, migrate="create", **options)  # type: ignore[arg-type]
        (field,) = options
        assert [r.field for r in caught.value.refusals] == [field]
    assert not (tmp_path / "board.sqlite3").exists()


def test_the_pool_has_the_configured_size_on_postgresql() -> None:
    with (
        postgres_schema() as url,
        SqlStore(url, migrate="create", pool_size=3, max_overflow=1) as store,
    ):
        pool = store.engine.pool if store.engine is not None else None
        assert isinstance(pool, sa.pool.QueuePool)
        assert pool.size() == 3
        assert pool._max_overflow == 1


def test_scr_serve_takes_jwts_of_the_configured_issuer(scr: Scr) -> None:
    """``--jwt-*`` options: a JWT signed by the key in ``--jwt-public-key`` acts as the
    actor its ``scr_actor`` claim names; bearer tokens still work. ``--jwt-leeway``
    takes a token issued by a provider whose clock is a little ahead."""
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    scr.ready()
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (scr.folder / "idp.pem").write_bytes(pem)
    bearer = scr.json("token", "issue", "u-bm")["token"]
    options = [
        "--jwt-issuer=https://id.example",
        "--jwt-audience=scr",
        "--jwt-public-key=idp.pem",
        "--jwt-actor-claim=scr_actor",
        "--jwt-leeway=60",
    ]
    server, port = start_scr_serve(scr.folder, *options)
    try:
        now = int(time.time())
        claims = {"iss": "https://id.example", "aud": "scr", "exp": now + 600}
        good = jwt.encode({**claims, "scr_actor": "u-bm"}, key, algorithm="ES256")
        stranger = jwt.encode({**claims, "scr_actor": "u-nobody"}, key, algorithm="ES256")
        base = f"http://127.0.0.1:{port}/v1/reviews"
        ahead = jwt.encode({**claims, "scr_actor": "u-bm", "iat": now + 30}, key, "ES256")
        future = jwt.encode({**claims, "scr_actor": "u-bm", "iat": now + 300}, key, "ES256")
        cases = ((good, 200), (bearer, 200), (stranger, 401), (ahead, 200), (future, 401))
        for token, status in cases:
            response = httpx.get(base, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == status, response.text
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=60)
    assert server.returncode == 0, errors


def test_jwt_options_it_cannot_use_are_refused(scr: Scr) -> None:
    scr.ready()
    (scr.folder / "idp.pem").write_text("not a key", "utf-8")
    for options, words in (
        (["--jwt-audience=scr"], "--jwt-issuer"),
        (["--jwt-actor-claim=scr_actor"], "--jwt-issuer"),
        (["--jwt-algorithms=ES256"], "--jwt-issuer"),
        (["--jwt-leeway=30"], "--jwt-issuer"),
        (["--jwt-issuer=https://id.example"], "--jwt-audience"),
        (["--jwt-issuer=https://id.example", "--jwt-audience=scr"], "public_key"),
        (
            [
                "--jwt-issuer=https://id.example",
                "--jwt-audience=scr",
                "--jwt-public-key=idp.pem",
            ],
            "PEM",
        ),
        (
            [
                "--jwt-issuer=https://id.example",
                "--jwt-audience=scr",
                "--jwt-jwks-url=https://id.example/keys",
                "--jwt-algorithms=HS256",
            ],
            "HS256",
        ),
    ):
        result = scr("serve", *options)
        assert result.exit_code == 2, (options, result.output)
        assert words in result.output, (options, result.output)


def test_the_pool_options_reach_the_store(scr: Scr) -> None:
    """What ``scr serve --pool-size`` sets is what the store's engine is made with."""
    from scr_engine.cli.app import Session

    scr.ready()
    session = Session("serve")
    session.store_options.update(pool_size=3, max_overflow=2)
    try:
        engine = session.store.engine
        assert engine is not None and isinstance(engine.pool, sa.pool.QueuePool)
        assert engine.pool.size() == 3 and engine.pool._max_overflow == 2
    finally:
        session.store.close()
