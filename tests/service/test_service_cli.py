"""``scr token`` and ``scr serve``: tokens issued, listed and revoked from the command
line, and the service run as a program over the database every ``scr`` command uses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from scr_engine.demo import demo_request
from scr_engine.serialization import unstructure
from support.clitools import Scr, scr

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_scr_serve_serves_the_database(scr: Scr) -> None:
    """``scr serve`` over the SQLite file of ``scr init``: a token of ``scr token
    issue`` submits a request; ``scr show`` then finds the review in the database;
    the request log on standard error holds the route, not the ids."""
    scr.ready()
    token = scr.json("token", "issue", "u-req")["token"]
    port = _free_port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "scr_engine", "serve", "--port", str(port)],
        cwd=scr.folder,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "scr serve did not start"
            time.sleep(0.1)
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


def test_scr_serve_on_a_port_in_use_fails_with_status_1(scr: Scr) -> None:
    """A port another process listens on: ``scr serve`` says it cannot listen there and
    exits 1 (failed), not Uvicorn's 3, which ``scr`` keeps for "not found"."""
    scr.ready()
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "scr_engine", "serve", "--port", str(port)],
            cwd=scr.folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr, done.stderr
