"""What the HTTP service costs: one command over HTTP against the same command in
process, and what a second worker adds.

A script, not a test: run it, read the numbers (issue 22). Every ratio is against a
baseline measured in the same run, interleaved with the service's own measurements,
so that a busy machine moves both sides alike.

1. Per command, on SQLite (a file) and on PostgreSQL: the median of
   ``record_action_progress`` sent to ``scr serve``'s application (Uvicorn, one worker,
   in a process of its own) against the median of the same command through
   ``ReviewEngine.execute`` in this process, on the same database. Two keep-alive
   clients take turns: the standard library's ``http.client`` (what the service costs,
   with as little client as Python has) and ``httpx`` (what a Python caller with a
   full client sees). Goal: HTTP <= 2 x in-process, on both databases, judged with
   ``http.client``; ``httpx``'s ratio is printed beside it.
2. PostgreSQL, throughput of the service with two workers (``scr serve --workers 2``:
   each new connection handed to the next worker in turn) against one, with
   ``--clients`` client processes, each sending commands in turn to ``--spread``
   reviews of its own (a review grows with every command, and a command on a larger
   review costs more: one review a client made the faster run pay more a command).
   The clients are bare sockets (``_Lean``), as a load generator is: on a machine
   with two cores they, PostgreSQL and the workers share the cores, and every
   microsecond a client spends is taken from the server. Goal: two workers >= 1.6 x
   one, on the medians of rounds of each, run in turns. (Read the number with the
   machine in mind: see ``benchmarks/README.md``.)
   A client keeps one connection for the run, so each review is a worker's own;
   with ``--reconnect N`` it opens another after every N commands, and the workers
   take turns on each review (each then loads a review the other wrote).

Usage::

    .venv/bin/python benchmarks/bench_service.py            # full run
    .venv/bin/python benchmarks/bench_service.py --quick    # fewer samples
    .venv/bin/python benchmarks/bench_service.py --no-postgres
    .venv/bin/python benchmarks/bench_service.py --strict   # exit 1 on MISS

PostgreSQL is ``SCR_BENCH_POSTGRES_URL`` (else ``SCR_TEST_POSTGRES_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), in a scratch schema dropped at
the end; when it cannot be reached its goals print ``SKIP``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from bench_command import monitored_reviews  # the same demo reviews, one recipe

from scr_engine import FixedClock, ReviewEngine, SystemClock
from scr_engine import commands as c
from scr_engine.demo import BUSINESS_MANAGER
from scr_engine.storage.sql import SqlStore

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get(
    "SCR_BENCH_POSTGRES_URL",
    os.environ.get("SCR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)
LATENCY_GOAL = 2.0
SCALE_GOAL = 1.6
HERE = Path(__file__).resolve().parent

ns = time.perf_counter_ns


def app_from_environment() -> Any:
    """The application a server process runs (Uvicorn's factory): the database and
    tokens file named by ``SCR_BENCH_URL`` and ``SCR_BENCH_TOKENS``."""
    from scr_engine.service import TokenFile, create_app

    store = SqlStore(os.environ["SCR_BENCH_URL"])
    actors = {BUSINESS_MANAGER.id: BUSINESS_MANAGER}
    return create_app(store, actors, TokenFile(os.environ["SCR_BENCH_TOKENS"]))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(url: str, tokens: Path, workers: int) -> Iterator[tuple[str, int]]:
    """``scr serve``'s application in a process of its own over ``url``, with
    ``workers`` workers as ``scr serve --workers`` runs them; its base URL and process
    id."""
    port = _free_port()
    code = (
        f"import sys, uvicorn; sys.path.insert(0, {str(HERE)!r})\n"
        "from bench_service import app_from_environment\n"
        "from scr_engine.service.workers import listening_socket, run_workers\n"
        "app = app_from_environment()\n"
        f"if {workers} == 1:\n"
        f"    uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning')\n"
        "else:\n"
        f"    run_workers(app, listening_socket('127.0.0.1', {port}), {workers}, "
        "shutdown_timeout=5)\n"
    )
    environment = {**os.environ, "SCR_BENCH_URL": url, "SCR_BENCH_TOKENS": str(tokens)}
    process = subprocess.Popen([sys.executable, "-c", code], env=environment)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def databases(postgres: bool) -> Iterator[list[tuple[str, str | None]]]:
    """``(name, url)`` for SQLite and PostgreSQL (url None when unreachable)."""
    with tempfile.TemporaryDirectory() as folder:
        found: list[tuple[str, str | None]] = [("SQLite", f"sqlite:///{folder}/bench.db")]
        schema = f"scr_bench_{uuid.uuid4().hex[:12]}"
        admin = None
        if postgres:
            try:
                admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                url = sa.make_url(POSTGRES_URL).update_query_dict(
                    {"options": f"-csearch_path={schema}"}
                )
                found.append(("PostgreSQL", url.render_as_string(hide_password=False)))
            except Exception as exc:
                print(f"PostgreSQL unreachable ({type(exc).__name__}): its goals are skipped")
                found.append(("PostgreSQL", None))
                admin = None
        try:
            yield found
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()


def _progress(action_id: str, n: int) -> c.Command:
    return c.RecordActionProgress(action_id, f"Progress note {n}.")


def _prepared(url: str, reviews: int) -> tuple[ReviewEngine, list[tuple[str, str]]]:
    """An engine over ``url`` and ``reviews`` monitored reviews, each with an action."""
    clock = FixedClock(START)
    engine = ReviewEngine(SqlStore(url, migrate="create"), clock)
    ids = monitored_reviews(engine, clock, reviews)
    engine.clock = SystemClock()  # later than every event made above
    return engine, [(rid, engine.get(rid).actions[0].id) for rid in ids]


class _Plain:
    """A keep-alive ``http.client`` connection that posts JSON."""

    def __init__(self, base: str, token: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any]) -> None:
        self.connection.request("POST", path, json.dumps(body).encode(), self.headers)
        response = self.connection.getresponse()
        text = response.read()
        if response.status != 200:
            raise RuntimeError(text.decode())

    def close(self) -> None:
        self.connection.close()


def latency(url: str, samples: int) -> tuple[float, float, float]:
    """Median microseconds of one command in process, over HTTP with ``http.client``
    and over HTTP with ``httpx``, interleaved."""
    engine, targets = _prepared(url, 3)
    (local_id, local_action), (plain_id, plain_action), (full_id, full_action) = targets
    with tempfile.TemporaryDirectory() as folder:
        from scr_engine.service import TokenFile

        tokens = TokenFile(Path(folder) / "tokens.json")
        token = tokens.issue(BUSINESS_MANAGER.id)[1]
        with server(url, tokens.path, 1) as (base, _), httpx.Client(base_url=base) as client:
            plain = _Plain(base, token)
            headers = {"Authorization": f"Bearer {token}"}
            local: list[int] = []
            plains: list[int] = []
            fulls: list[int] = []
            for n in range(samples + 20):
                started = ns()
                engine.execute(local_id, _progress(local_action, n), BUSINESS_MANAGER)
                local_ns = ns() - started
                body = {"command": "record_action_progress", "action_id": plain_action}
                body["note"] = f"Progress note {n}."
                started = ns()
                plain.post(f"/v1/reviews/{plain_id}/commands", body)
                plain_ns = ns() - started
                body["action_id"] = full_action
                started = ns()
                response = client.post(
                    f"/v1/reviews/{full_id}/commands", json=body, headers=headers
                )
                full_ns = ns() - started
                if response.status_code != 200:
                    raise RuntimeError(response.text)
                if n >= 20:  # warmed up
                    local.append(local_ns)
                    plains.append(plain_ns)
                    fulls.append(full_ns)
            plain.close()
    engine.store.close()  # type: ignore[attr-defined]
    return tuple(statistics.median(x) / 1000 for x in (local, plains, fulls))  # type: ignore[return-value]


class _Lean:
    """A keep-alive client on a bare socket: each request's bytes are formatted and
    sent, each response read to its ``Content-Length``, nothing else. What a load
    generator such as ``wrk`` costs, in Python: a third of ``http.client``'s time a
    request, which on a machine of two cores is time taken from the server."""

    def __init__(self, base: str, token: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.head = (
            f"Host: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        )
        self.buffer = b""

    def post(self, path: str, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        request = f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(data)}\r\n\r\n"
        self.sock.sendall(request.encode() + data)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._received()
        header, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = 0
        for line in header.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self.buffer) < length:
            self.buffer += self._received()
        text, self.buffer = self.buffer[:length], self.buffer[length:]
        if not header.startswith(b"HTTP/1.1 200"):
            raise RuntimeError((header + b"\n" + text).decode())

    def _received(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RuntimeError("the service closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def _client_process(
    base: str,
    token: str,
    targets: list[tuple[str, str]],
    window: tuple[float, float],
    counts: Any,
    reconnect: int,
) -> None:
    """One client process: commands to its reviews in turn until the end of
    ``window`` (monotonic start and stop), on a connection it opens again after every
    ``reconnect`` commands (0: never); the count of those it finished inside the
    window put in ``counts``."""
    start, stop = window
    client = _Lean(base, token)
    done = 0
    before = None  # the count when the window opened
    while (now := time.monotonic()) < stop:
        if before is None and now >= start:
            before = done
        review_id, action_id = targets[done % len(targets)]
        body = {"command": "record_action_progress", "action_id": action_id}
        body["note"] = f"Note {done}."
        client.post(f"/v1/reviews/{review_id}/commands", body)
        done += 1
        if reconnect and done % reconnect == 0:
            client.close()
            client = _Lean(base, token)
    client.close()
    counts.put(done - (done if before is None else before))


RAMP = 0.25
"""Seconds between two clients' starts: clients join one at a time, as a load
generator ramps up (Locust's spawn rate), so that each connection goes to the worker
free to accept it then, not all to whichever worker woke first."""


def _processor_seconds(service: int, clients: set[int]) -> dict[str, float]:
    """Processor seconds used so far by the service (process ``service`` and its
    workers), PostgreSQL's processes and the ``clients`` (read from ``/proc``: Linux;
    nothing elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found = {"service": 0.0, "PostgreSQL": 0.0, "clients": 0.0}
    if not Path("/proc/self/stat").exists():
        return {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        pid, parent = int(entry.name), int(fields[1])
        used = (int(fields[11]) + int(fields[12])) / tick  # user and system time
        if service in (pid, parent):
            found["service"] += used
        elif command.startswith(b"postgres"):
            found["PostgreSQL"] += used
        elif pid in clients:
            found["clients"] += used
    return found


def throughput(
    url: str, workers: int, clients: int, seconds: float, spread: int, reconnect: int = 0
) -> tuple[float, dict[str, float]]:
    """Commands per second the service takes from ``clients`` processes, counted for
    ``seconds`` once every client has joined (one each :data:`RAMP` seconds), each
    sending to ``spread`` reviews of its own in turn, on a connection opened again
    every ``reconnect`` commands (0: one for the run); and the milliseconds of
    processor a command took meanwhile, by whom (:func:`_processor_seconds`)."""
    engine, targets = _prepared(url, clients * spread)
    engine.store.close()  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        from scr_engine.service import TokenFile

        tokens = TokenFile(Path(folder) / "tokens.json")
        token = tokens.issue(BUSINESS_MANAGER.id)[1]
        with server(url, tokens.path, workers) as (base, served):
            context = multiprocessing.get_context("fork")
            counts = context.Queue()
            start = time.monotonic() + RAMP * clients + 0.5
            window = (start, start + seconds)
            processes = [
                context.Process(
                    target=_client_process,
                    args=(
                        base,
                        token,
                        targets[i * spread : (i + 1) * spread],
                        window,
                        counts,
                        reconnect,
                    ),
                )
                for i in range(clients)
            ]
            for process in processes:
                process.start()
                time.sleep(RAMP)
            pids = {p.pid for p in processes if p.pid is not None}
            time.sleep(max(0.0, start - time.monotonic()))
            before = _processor_seconds(served, pids)
            time.sleep(max(0.0, start + seconds - time.monotonic()))
            after = _processor_seconds(served, pids)
            total = sum(counts.get(timeout=seconds + 120) for _ in processes)
            for process in processes:
                process.join(30)
                if process.exitcode != 0:
                    raise RuntimeError(f"a client process failed ({process.exitcode})")
            used = {k: (after[k] - before[k]) * 1000 / max(total, 1) for k in after}
            return total / seconds, used


def _goal(ok: bool | None, text: str) -> str:
    word = "SKIP" if ok is None else ("PASS" if ok else "MISS")
    return f"{word}  {text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples, shorter runs")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    # Eight clients, because a client waits for each command's commit before it sends
    # the next: four kept two workers busy for only 1.6 of the two cores (read from
    # /proc), so the run measured the clients' waiting, not what two workers can take.
    parser.add_argument("--clients", type=int, default=8, help="client processes (section 2)")
    parser.add_argument(
        "--spread", type=int, default=8, help="reviews each client sends to in turn (section 2)"
    )
    parser.add_argument(
        "--reconnect",
        type=int,
        default=0,
        help="commands a client sends on one connection before it opens another, so "
        "that the workers take turns on each review (0: one connection for the run; "
        "section 2)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    samples = 100 if args.quick else 400
    seconds = 5.0 if args.quick else 10.0
    rounds = 2 if args.quick else 3
    goals: list[str] = []
    with databases(not args.no_postgres) as found:
        print("1. One command: in process against over HTTP (median, microseconds)")
        for name, url in found:
            if url is None:
                goals.append(_goal(None, f"{name}: HTTP <= {LATENCY_GOAL} x in-process"))
                continue
            local, plain, full = latency(url, samples)
            ratio = plain / local
            print(
                f"   {name:<10} in-process {local:7.0f}   HTTP (http.client) {plain:7.0f}"
                f"   x{ratio:.2f}   HTTP (httpx) {full:7.0f}   x{full / local:.2f}"
            )
            goals.append(
                _goal(
                    ratio <= LATENCY_GOAL,
                    f"{name}: HTTP {ratio:.2f} x in-process (<= 2; httpx {full / local:.2f})",
                )
            )
        postgres = dict(found).get("PostgreSQL")
        print(f"2. PostgreSQL throughput, {args.clients} clients (commands per second)")
        if postgres is None:
            goals.append(_goal(None, f"two workers >= {SCALE_GOAL} x one"))
        else:
            # Rounds of one worker and two, in turns (one-two, two-one, ...), so that a
            # machine getting faster or slower moves both sides alike; medians.
            rates: dict[int, list[float]] = {1: [], 2: []}
            costs: list[dict[str, float]] = []
            for n in range(rounds):
                for workers in (1, 2) if n % 2 == 0 else (2, 1):
                    rate, cost = throughput(
                        postgres, workers, args.clients, seconds, args.spread, args.reconnect
                    )
                    rates[workers].append(rate)
                    if workers == 2 and cost:
                        costs.append(cost)
                print(f"   round {n + 1}: one worker {rates[1][-1]:8.1f}   two {rates[2][-1]:8.1f}")
            one, two = (statistics.median(rates[w]) for w in (1, 2))
            used = {k: statistics.median(c[k] for c in costs) for k in costs[0]} if costs else {}
            print(f"   one worker {one:8.1f}   two workers {two:8.1f}   x{two / one:.2f} (medians)")
            if used:
                # Two workers can take no more than the machine's cores divided by the
                # processor a command costs everyone (workers, PostgreSQL, clients) on it.
                cores = os.cpu_count() or 1
                ceiling = cores / sum(used.values()) * 1000
                parts = ", ".join(f"{k} {v:.2f}" for k, v in used.items())
                print(
                    f"   processor a command with two workers (ms): {parts}; {cores} cores "
                    f"hold at most {ceiling:.0f} a second, x{ceiling / one:.2f} one worker; "
                    f"two workers took {two / ceiling:.0%} of it"
                )
            goals.append(
                _goal(two / one >= SCALE_GOAL, f"two workers {two / one:.2f} x one (>= 1.6)")
            )
    print()
    for line in goals:
        print(line)
    return 1 if args.strict and any(g.startswith("MISS") for g in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
