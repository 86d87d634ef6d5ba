"""What computing an annual report's SAR sections costs, against reading the events it
computes them from, in the same run (issue 24).

A script, not a test. It builds a store of ``--reviews`` SARs (1,000 by default), each
taken through the engine to monitoring and then padded with action progress notes up
to about ``--events`` events (100 by default: about 100,000 events in all). The store is
SQLite in a temporary directory (``--memory``: a MemoryStore, where reading costs almost
nothing, for profiling the computation alone). Then it times, in interleaved rounds:

- reading every review's history from the store once (the baseline);
- :func:`scr_engine.annual_reports.computed_now`: reading them and computing sections
  (d)–(g) of the year (SAR-A-6, SAR-A-7).

Goal (issue 24, on medians): computing ≤ 2× reading. Prints the medians, the ratio and
PASS/MISS; ``--strict`` exits 1 on a miss.

    .venv/bin/python benchmarks/bench_annual.py [--reviews 1000] [--events 100]
        [--rounds 5] [--memory]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from scr_engine import MemoryStore, ReviewEngine
from scr_engine import annual_reports as ar
from scr_engine.protocols.sar import commands as c

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import sar as s
from support.sar_engine import EngineRun

YEAR = 2026


def build(store: Any, reviews: int, events: int) -> ReviewEngine:
    """``reviews`` SARs of the year in ``store``, each of about ``events`` events."""
    engine: ReviewEngine | None = None
    for n in range(reviews):
        run = EngineRun(store, date(2027, 1, 11))
        s.monitored(run)
        while run.r.version < events:
            run.do(s.MANAGER, c.RecordActionProgress("A1", f"progress note {run.r.version}"))
        engine = run.engine
        if (n + 1) % 100 == 0:
            print(f"  built {n + 1} reviews", file=sys.stderr)
    assert engine is not None
    return engine


def _read(engine: ReviewEngine) -> int:
    return sum(len(h) for h in ar.sar_histories(engine))


def _compute(engine: ReviewEngine) -> int:
    return len(ar.computed_now(engine, YEAR).read)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--memory", action="store_true", help="a MemoryStore (reading is then nearly free)"
    )
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        if not args.memory:
            from scr_engine.storage.sql import SqlStore

            store: Any = SqlStore(f"sqlite:///{Path(folder) / 'board.db'}", migrate="create")
        else:
            store = MemoryStore()
        print(f"building {args.reviews} SARs of about {args.events} events …", file=sys.stderr)
        engine = build(store, args.reviews, args.events)
        total = _read(engine)
        reading: list[float] = []
        computing: list[float] = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            _read(engine)
            reading.append(time.perf_counter() - started)
            started = time.perf_counter()
            _compute(engine)
            computing.append(time.perf_counter() - started)
        read, made = statistics.median(reading), statistics.median(computing)
        ratio = made / read
        print(f"{args.reviews} reviews, {total} events")
        print(f"reading every history once: {read * 1000:.1f} ms (median)")
        print(f"computing sections (d)-(g): {made * 1000:.1f} ms (median)")
        verdict = "PASS" if ratio <= 2 else "MISS"
        print(f"{verdict}: computing is {ratio:.2f}x reading (goal <= 2x)")
        if not args.memory:
            store.close()
    return 1 if args.strict and ratio > 2 else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
