"""What integrity costs: ``verify`` over a whole store, and a checkpoint.

A script, not a test: run it, read the numbers. Issue "Evidence-grade history". Every
ratio is against a baseline measured in the same process, in the same run.

1. ``engine.verify()`` over a SQLite store of about 100,000 events (demo reviews run
   to closure, ~50 events each), against a plain SHA-256 chain over the same stored
   bytes: every event row read in order and hashed, each with the hash before it.
   Goal: verify's throughput (events per second) >= 0.25 x the plain chain's.
2. ``engine.checkpoint(key)`` of a 10,000-review store (on an open store: read every
   head, build the Merkle root, sign, store the checkpoint) against reading every head
   row (``SELECT id, version, head FROM scr_reviews`` on an open driver connection).
   Goal: <= 2 x the read.

Usage::

    .venv/bin/python benchmarks/bench_verify.py            # 100,000 events, 10,000 reviews
    .venv/bin/python benchmarks/bench_verify.py --quick    # 10,000 events, 2,000 reviews
    .venv/bin/python benchmarks/bench_verify.py --profile  # cProfile verify, exit

The stores are built once per run in a temporary folder: reviews are run through the
engine on a ``MemoryStore`` and their rows copied into SQLite in bulk (the rows the SQL
store itself writes), then one review's history is cloned under new ids when more are
needed for section 2 (only their heads matter there).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from scr_engine import FixedClock, MemoryStore, ReviewEngine
from scr_engine.checkpoints import generate_key, load_private_key
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.serialization import unstructure
from scr_engine.storage.sql import SqlStore, _event_values, _task_values

START = datetime(2026, 2, 2, 9, tzinfo=UTC)
VERIFY_GOAL = 0.25
CHECKPOINT_GOAL = 2.0

_EVENT_SQL = (
    "INSERT INTO scr_events (review_id, sequence, at, actor_id, role, command, payload, "
    "stage_before, stage_after, prev_hash, hash, state, commitments, salts, state_salt, "
    "format, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def build(path: Path, events_wanted: int) -> int:
    """A SQLite store at ``path`` with about ``events_wanted`` events; the count."""
    url = f"sqlite:///{path}"
    SqlStore(url, migrate="create", durable=False).close()
    clock = FixedClock(START)
    memory = MemoryStore()
    engine = ReviewEngine(memory, clock)
    ids: list[str] = []
    total = 0
    while total < events_wanted:
        review = engine.submit(demo_request(), REQUESTER)
        run_to_closure(engine, review.id, lambda: clock.advance(hours=3))
        ids.append(review.id)
        total += len(memory.history(review.id))
    con = sa.create_engine(url).raw_connection()
    try:
        cur = con.cursor()
        for review_id in ids:
            review = memory.load(review_id)
            cur.execute(
                "INSERT INTO scr_reviews (id, reference, stage, version, settings_version, "
                "received_on, data, head) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    review.id,
                    review.reference,
                    review.stage.value,
                    review.version,
                    review.settings_version,
                    review.received_on.isoformat(),
                    json.dumps(unstructure(review), separators=(",", ":"), ensure_ascii=False),
                    review.head,
                ),
            )
            cur.executemany(_EVENT_SQL, [_event_values(e) for e in memory.history(review_id)])
            cur.executemany(
                'INSERT INTO scr_deadlines (review_id, "key", reference, rule, title, due_on, '
                "met_on, status, running) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        d.review_id,
                        d.key,
                        d.reference,
                        d.rule,
                        d.title,
                        d.due_on.isoformat(),
                        d.met_on.isoformat() if d.met_on else None,
                        d.status.value,
                        d.running,
                    )
                    for d in memory.deadline_rows(review_id)
                ],
            )
        tasks = memory.pending_tasks(limit=10**9)
        cur.executemany(
            "INSERT INTO scr_tasks (id, review_id, kind, agency, created_at, rule) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            _task_values(tasks),
        )
        con.commit()
    finally:
        con.close()
    return total


def plain_chain(url: str) -> tuple[float, int]:
    """Seconds to read every event row in order and SHA-256-chain their stored bytes."""
    engine = sa.create_engine(url)
    start = time.perf_counter()
    count = 0
    prev = b"\0" * 32
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT review_id, sequence, at, actor_id, role, command, payload, stage_before, "
            "stage_after, prev_hash, hash, state, commitments, state_salt, format "
            "FROM scr_events ORDER BY review_id, sequence"
        )
        for row in rows:
            data = "\x1f".join("" if v is None else str(v) for v in row).encode("utf-8")
            prev = hashlib.sha256(prev + data).digest()
            count += 1
    engine.dispose()
    return time.perf_counter() - start, count


def timed_verify(url: str) -> tuple[float, int, bool]:
    with SqlStore(url, durable=False) as store:
        engine = ReviewEngine(store, FixedClock(START))
        start = time.perf_counter()
        report = engine.verify()
        return time.perf_counter() - start, report.events, report.ok


def heads_read(connection: sqlite3.Connection) -> float:
    """Seconds to read every head row on an open driver connection."""
    start = time.perf_counter()
    connection.execute("SELECT id, version, head FROM scr_reviews ORDER BY id").fetchall()
    return time.perf_counter() - start


def clone_heads(url: str, reviews: int) -> None:
    """Add review rows (heads only matter to a checkpoint) until there are ``reviews``."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        have = conn.exec_driver_sql("SELECT count(*) FROM scr_reviews").scalar_one()
        template = conn.exec_driver_sql(
            "SELECT reference, stage, version, settings_version, received_on, data, head "
            "FROM scr_reviews LIMIT 1"
        ).one()
        rows = [
            (f"clone-{i:06d}", f"CLONE-{i:06d}", *template[1:])
            for i in range(max(0, reviews - have))
        ]
        if rows:
            conn.exec_driver_sql(
                "INSERT INTO scr_reviews (id, reference, stage, version, settings_version, "
                "received_on, data, head) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    engine.dispose()


def timed_checkpoint(engine: ReviewEngine, key: Any) -> float:
    """Seconds for one checkpoint on an open store: read, hash, sign, store."""
    start = time.perf_counter()
    engine.checkpoint(key)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    events_wanted, reviews_wanted, rounds = (
        (10_000, 2_000, 3) if args.quick else (100_000, 10_000, 3)
    )
    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="scr-bench-verify-") as tmp:
        path = Path(tmp) / "store.db"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        total = build(path, events_wanted)
        print(f"built a store of {total:,} events in {time.perf_counter() - started:.1f} s")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            timed_verify(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
            return 0
        print("\n== 1. verify() against a plain SHA-256 chain over the same rows ==")
        verify_times, chain_times = [], []
        for _ in range(rounds):
            seconds, count = plain_chain(url)
            chain_times.append(seconds)
            seconds, events, ok = timed_verify(url)
            verify_times.append(seconds)
            assert ok and events == count == total, (ok, events, count, total)
        chain, verify = statistics.median(chain_times), statistics.median(verify_times)
        ratio = (total / verify) / (total / chain)
        print(f"  plain chain: {chain:8.3f} s  {total / chain:12,.0f} events/s")
        print(f"  verify():    {verify:8.3f} s  {total / verify:12,.0f} events/s")
        verdict = "PASS" if ratio >= VERIFY_GOAL else "MISS"
        results.append(
            (
                verdict,
                f"verify() runs at {ratio:.3f}x the plain chain's throughput over "
                f"{total:,} events (goal >= {VERIFY_GOAL})",
            )
        )
        print("\n== 2. checkpoint() against reading every head row ==")
        clone_heads(url, reviews_wanted)
        read_times, checkpoint_times = [], []
        key = load_private_key(generate_key())
        connection = sqlite3.connect(path)
        with SqlStore(url, durable=False) as store:
            engine = ReviewEngine(store, FixedClock(START))
            for _ in range(rounds * 5):
                read_times.append(heads_read(connection))
                checkpoint_times.append(timed_checkpoint(engine, key))
        connection.close()
        read, made = statistics.median(read_times), statistics.median(checkpoint_times)
        ratio = made / read
        print(f"  read heads:   {read * 1000:8.1f} ms ({reviews_wanted:,} reviews)")
        print(f"  checkpoint(): {made * 1000:8.1f} ms")
        verdict = "PASS" if ratio <= CHECKPOINT_GOAL else "MISS"
        results.append(
            (
                verdict,
                f"checkpoint() of {reviews_wanted:,} reviews costs {ratio:.2f}x reading every "
                f"head row (goal <= {CHECKPOINT_GOAL})",
            )
        )
    print("\n== Summary ==")
    for verdict, line in results:
        print(f"{verdict}  {line}")
    missed = sum(verdict == "MISS" for verdict, _ in results)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
