"""What computing an annual report's SAR sections costs, against reading the events it
computes them from, in the same run (issue 24).

A script, not a test. The store holds ``--reviews`` SARs (1,000 by default), each
taken through the engine to monitoring and then padded with action progress notes up
to about ``--events`` events (100 by default: about 100,000 events in all). Then it
times, in interleaved rounds, on that one store in this one process:

- reading every SAR's history from the store once (the baseline:
  :func:`scr_engine.annual_reports.sar_histories`, ``store.history`` of each review);
- :func:`scr_engine.annual_reports.computed_now`: reading them and computing sections
  (d)–(g) of the year (SAR-A-6, SAR-A-7).

Goal (issue 24, on medians): computing ≤ 2× reading. Prints the medians, the ratio and
PASS/MISS; ``--strict`` exits 1 on a miss.

Building the store. Every command runs through the real engine, on a recording
``MemoryStore`` (:class:`scr_engine.testing.RecordingStore`); each save the engine made
is then made again, in the same order and with the same arguments, on the SQL store
through its own API (:meth:`~scr_engine.storage.port.ReviewStore.save`), in one
transaction of one connection (:meth:`SqlStore.from_connection
<scr_engine.storage.sql.SqlStore.from_connection>`), committed at the end. The SQL
store so holds exactly what the engine would have written to it command by command
(reviews, hash-chained events, tasks, deadline rows; ``--verify`` has the engine check
every hash), without a commit and a fresh decoding of the review per command.
``--database PATH`` keeps the SQLite file, and a later run given the same path reuses it
without building.

    .venv/bin/python benchmarks/bench_annual.py [--reviews 1000] [--events 100]
        [--rounds 5] [--database PATH] [--postgres] [--memory] [--verify]
        [--profile] [--strict]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bench_sql import pg_schema  # one scratch-schema recipe

from scr_engine import MemoryStore, ReviewEngine
from scr_engine import annual_reports as ar
from scr_engine.protocols.sar import commands as c
from scr_engine.testing import RecordingStore, Save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import sar as s
from support.sar_engine import EngineRun, MovableClock

YEAR = 2026
DAY = date(2027, 1, 11)


def recorded(store: RecordingStore, reviews: int, events: int) -> Iterator[list[Save]]:
    """The saves of ``reviews`` SARs of the year, each of about ``events`` events, made
    by the engine on ``store``: one list per review."""
    for n in range(reviews):
        run = EngineRun(store, DAY)
        s.monitored(run)
        while run.r.version < events:
            run.do(s.MANAGER, c.RecordActionProgress("A1", f"progress note {run.r.version}"))
        yield list(store.saves)
        store.saves.clear()
        if (n + 1) % 100 == 0:
            print(f"  built {n + 1} reviews", file=sys.stderr)


def fill(url: str, reviews: int, events: int) -> float:
    """Build the SARs into the empty SQL database at ``url`` (see the module's text);
    returns the seconds it took."""
    from scr_engine.storage.sql import SqlStore, create_engine

    started = time.perf_counter()
    SqlStore(url, migrate="create").close()
    db = create_engine(url, durable=False)
    try:
        with db.connect() as conn:
            target = SqlStore.from_connection(conn)
            for saves in recorded(RecordingStore(), reviews, events):
                for save in saves:
                    save.apply(target)
            conn.commit()
    finally:
        db.dispose()
    return time.perf_counter() - started


@contextlib.contextmanager
def opened(args: argparse.Namespace) -> Iterator[tuple[str, Any]]:
    """The store to measure, built (or reused), with its description."""
    if args.memory:
        store = MemoryStore()
        started = time.perf_counter()
        for saves in recorded(RecordingStore(), args.reviews, args.events):
            for save in saves:
                save.apply(store)
        print(f"built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        yield "MemoryStore", store
        return
    from scr_engine.storage.sql import SqlStore

    with contextlib.ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(pg_schema("annual"))
            what = "PostgreSQL"
        elif args.database is not None:
            url = f"sqlite:///{Path(args.database).resolve()}"
            what = f"SQLite {args.database}"
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite:///{Path(folder) / 'board.db'}"
            what = "SQLite"
        reuse = args.database is not None and Path(args.database).exists()
        if reuse:
            print(f"reusing {args.database} (not built again)", file=sys.stderr)
        else:
            print(f"building {args.reviews} SARs of about {args.events} events …", file=sys.stderr)
            print(f"built in {fill(url, args.reviews, args.events):.1f} s", file=sys.stderr)
        store = stack.enter_context(SqlStore(url))
        yield what, store


def _read(engine: ReviewEngine) -> int:
    return sum(len(h) for h in ar.sar_histories(engine))


def _compute(engine: ReviewEngine) -> int:
    return len(ar.computed_now(engine, YEAR).read)


def profile(engine: ReviewEngine) -> None:
    """cProfile one computation, then one reading, and print where the time goes."""
    for name, job in (("computed_now", _compute), ("reading", _read)):
        profiler = cProfile.Profile()
        profiler.runcall(job, engine)
        print(f"\n--- cProfile of {name} (top 25 by cumulative time) ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(f"--- cProfile of {name} (top 20 by own time) ---")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database", help="a SQLite file to build and keep, or to reuse when it exists"
    )
    parser.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL schema")
    parser.add_argument(
        "--memory", action="store_true", help="a MemoryStore (reading is then nearly free)"
    )
    parser.add_argument("--verify", action="store_true", help="engine.verify() the store first")
    parser.add_argument("--profile", action="store_true", help="cProfile one of each, then exit")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    with opened(args) as (what, store):
        engine = ReviewEngine(store, MovableClock(DAY))
        histories = ar.sar_histories(engine)
        total = sum(len(h) for h in histories)
        print(f"{what}: {len(histories)} SARs, {total} events")
        if args.verify:
            started = time.perf_counter()
            report = engine.verify()
            took = time.perf_counter() - started
            print(f"engine.verify(): ok={report.ok}, {report.events} events, {took:.1f} s")
            if not report.ok:
                return 1
        if args.profile:
            profile(engine)
            return 0
        _read(engine)  # warm both paths once (the first decoding builds converters)
        _compute(engine)
        reading: list[float] = []
        computing: list[float] = []
        for n in range(args.rounds):
            # Alternate which goes first, so neither always follows the other.
            order = ((_read, reading), (_compute, computing))
            for job, into in order if n % 2 == 0 else reversed(order):
                started = time.perf_counter()
                job(engine)
                into.append(time.perf_counter() - started)
        read, made = statistics.median(reading), statistics.median(computing)
        ratio = made / read
        print(f"reading every history once: {read * 1000:.1f} ms (median of {args.rounds})")
        print(f"computing sections (d)-(g): {made * 1000:.1f} ms (median of {args.rounds})")
        print("  reading, each round (ms): " + ", ".join(f"{x * 1000:.0f}" for x in reading))
        print("  computing, each round (ms): " + ", ".join(f"{x * 1000:.0f}" for x in computing))
        verdict = "PASS" if ratio <= 2 else "MISS"
        print(f"{verdict}: computing is {ratio:.2f}x reading (goal <= 2x)")
    return 1 if args.strict and ratio > 2 else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
