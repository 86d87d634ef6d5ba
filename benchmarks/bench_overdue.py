"""What ``engine.overdue(as_of)`` costs as the number of running deadlines grows.

A script, not a test: run it, read the numbers. Issue "Statutory clocks": the overdue
report's first page (``limit=100``) must cost about the same with 1,000,000 running
deadlines as with 100,000 (goal: ratio <= 1.3), because ``MemoryStore`` keeps running
deadlines in an index ordered by (due date, review ID, key) (distinct due dates in a
sorted list, a sorted bucket of (review ID, key) per date) and answers with a binary
search and a slice, not a scan.

1. Two ``MemoryStore`` deadline indexes, of 100,000 and 1,000,000 running deadline rows
   (plus one met row per review, which the index must skip), each answered through a
   ``ReviewEngine``.
2. The median time of ``engine.overdue(as_of)``, first page of 100, at both sizes, over
   many runs interleaved between the sizes (so a busy machine slows both alike); their
   ratio, PASS or MISS against the goal.
3. Baseline, same rows, same run: a naive full scan of every stored row, filter, sort and
   take 100: what the index saves.
4. For information: a deep page (``after`` the 90 % row) and what ``save`` pays to keep
   the index ordered (re-indexing one review's rows at a random due date).

The script reads ``MemoryStore`` internals (``_index``, ``_dates``, ``_buckets``,
``_review_rows``) to fill and check the index: if the store's structure changes, change
``build``, ``check`` and ``naive`` with it.

Usage::

    .venv/bin/python benchmarks/bench_overdue.py           # 100k and 1M (~30-60 s)
    .venv/bin/python benchmarks/bench_overdue.py --quick   # 10k and 100k (~10 s)
    .venv/bin/python benchmarks/bench_overdue.py --strict  # exit 1 on MISS

See ``benchmarks/README.md`` for how to read the output.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from scr_engine import DeadlineStatus, FixedClock, MemoryStore, ReviewEngine
from scr_engine.storage.port import DeadlineRow

GOAL_RATIO = 1.3
PAGE = 100
BASE = date(2026, 1, 1)
SPAN_DAYS = 4 * 365
"""Due dates spread at random over four years, about 685 rows a day at 1,000,000."""
AS_OF = BASE + timedelta(days=SPAN_DAYS // 2)
"""About half the rows are overdue on this date: the first page is always full."""
RUNNING_KEYS = ("imr:asc", "imr:gp", "initial_meeting", "review_complete")
"""Four running deadlines a review."""
MET_KEY = "chair_notified"
DUE = DeadlineStatus.DUE
MET = DeadlineStatus.MET
DAYS = [BASE + timedelta(days=i) for i in range(SPAN_DAYS)]
"""One date object a day, shared by the rows (as rows loaded from one store would not
be; it keeps the set-up light and does not change what a query touches)."""


# --------------------------------------------------------------------------- the index


def build(running: int, seed: int) -> MemoryStore:
    """A MemoryStore whose deadline index holds ``running`` running rows, four per
    synthetic review at random due dates, plus one met row per review.

    The rows go in through the store's own private ``_index(review_id, rows)``, the very
    method ``save`` calls after a command that changes a review's clocks, so the index
    measured is exactly the one the engine builds, filled the way the engine fills it
    (one review at a time, in no particular order). Going through ``save`` instead would
    need a ``Review`` and a hash-chained ``Event`` per review (250,000 of them for
    1,000,000 rows): minutes of set-up and gigabytes that ``overdue`` never reads.
    """
    store = MemoryStore()
    reviews = running // len(RUNNING_KEYS)
    rng = random.Random(seed)
    order = list(range(reviews))
    rng.shuffle(order)
    gc.disable()
    try:
        for i in order:
            review_id = f"r{i:07d}"
            reference = f"SCR-BENCH-{i:07d}"
            rows = [DeadlineRow(review_id, reference, MET_KEY, "RF-3", "", BASE, BASE, MET)]
            for key in RUNNING_KEYS:
                due = DAYS[rng.randrange(SPAN_DAYS)]
                rows.append(DeadlineRow(review_id, reference, key, "SU-7", key, due, None, DUE))
            store._index(review_id, rows)
    finally:
        gc.enable()
    gc.collect()
    check(store, running)
    return store


def check(store: MemoryStore, running: int) -> None:
    """The index holds exactly ``running`` entries, in (due, review ID, key) order."""
    assert store._dates == sorted(set(store._dates))
    assert set(store._dates) == set(store._buckets)
    count = 0
    for day in store._dates:
        bucket = store._buckets[day]
        assert bucket and all(a < b for a, b in itertools.pairwise(bucket))
        count += len(bucket)
    assert count == running, (count, running)


def key_at(store: MemoryStore, position: int) -> tuple[date, str, str]:
    """The ``sort_key`` of the index's ``position``-th running deadline."""
    for day in store._dates:
        bucket = store._buckets[day]
        if position < len(bucket):
            review_id, key = bucket[position]
            return (day, review_id, key)
        position -= len(bucket)
    raise IndexError(position)


def naive(store: MemoryStore, as_of: date, limit: int = PAGE) -> list[DeadlineRow]:
    """The baseline: look at every stored row, keep the running ones due before
    ``as_of``, sort them all, take the first page (with each row's status on
    ``as_of``, as the engine reports it)."""
    found = [
        row
        for rows in store._review_rows.values()
        for row in rows.values()
        if row.running and row.due_on < as_of
    ]
    found.sort(key=lambda r: r.sort_key)
    return [row.as_of(as_of) for row in found[:limit]]


# --------------------------------------------------------------------------- timing


def time_ns(call: Callable[[], object], repeat: int) -> list[int]:
    """``repeat`` timings of ``call``, in nanoseconds each."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        call()
        out.append(time.perf_counter_ns() - t0)
    return out


def median_us(samples: Sequence[int]) -> float:
    return statistics.median(samples) / 1000


def fmt_us(us: float) -> str:
    if us >= 1000:
        return f"{us / 1000:,.1f} ms"
    return f"{us:,.1f} µs"


def reindex_samples(store: MemoryStore, runs: int, seed: int) -> list[int]:
    """What ``save`` pays to keep the index ordered: re-index one existing review's four
    running rows at a new random due date (out of the old buckets, into the new one),
    ``runs`` times."""
    rng = random.Random(seed)
    review_ids = list(store._review_rows)
    out = []
    for _ in range(runs):
        review_id = rng.choice(review_ids)
        due = DAYS[rng.randrange(SPAN_DAYS)]
        rows = [
            DeadlineRow(review_id, "SCR", key, "SU-7", key, due, None, DUE) for key in RUNNING_KEYS
        ]
        t0 = time.perf_counter_ns()
        store._index(review_id, rows)
        out.append(time.perf_counter_ns() - t0)
    return out


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 rows")
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds")
    parser.add_argument("--per-round", type=int, default=100, help="queries a round a size")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    small_n, large_n = (10_000, 100_000) if args.quick else (100_000, 1_000_000)

    print(f"Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    stores: dict[int, MemoryStore] = {}
    for n in (small_n, large_n):
        t = time.perf_counter()
        stores[n] = build(n, seed=n)
        print(f"  indexed {n:>9,} running rows in {time.perf_counter() - t:5.1f} s", flush=True)
    gc.freeze()  # the rows live to the end: keep the collector off them while timing
    clock = FixedClock(datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, tzinfo=UTC))
    engines = {n: ReviewEngine(store, clock) for n, store in stores.items()}

    # the index answers what the naive scan answers, at both sizes, deep pages too
    deep: dict[int, tuple[date, str, str]] = {}
    for n, engine in engines.items():
        first = engine.overdue(AS_OF, limit=PAGE)
        assert len(first) == PAGE and first == naive(stores[n], AS_OF), n
        deep[n] = key_at(stores[n], n * 9 // 10)
        page = engine.overdue(AS_OF + timedelta(days=SPAN_DAYS), limit=PAGE, after=deep[n])
        assert page and page[0].sort_key > deep[n] and len(page) == PAGE

    print(f"Timing {args.rounds} interleaved rounds of {args.per_round} queries ...", flush=True)
    first_page: dict[int, list[int]] = {n: [] for n in engines}
    deep_page: dict[int, list[int]] = {n: [] for n in engines}
    late = AS_OF + timedelta(days=SPAN_DAYS)
    for _ in range(args.rounds):
        for n, engine in engines.items():
            first_page[n] += time_ns(lambda e=engine: e.overdue(AS_OF), args.per_round)
            deep_page[n] += time_ns(
                lambda e=engine, a=deep[n]: e.overdue(late, after=a), args.per_round // 4
            )
    baseline: dict[int, list[int]] = {n: [] for n in engines}
    for _ in range(3):  # interleaved too; few runs, each is a full scan and sort
        for n, store in stores.items():
            baseline[n] += time_ns(lambda s=store: naive(s, AS_OF), 5 if n == small_n else 1)
    upkeep = {n: reindex_samples(store, 300, seed=n) for n, store in stores.items()}

    print()
    print(f"engine.overdue(as_of), first page of {PAGE} (median of {len(first_page[small_n])}):")
    head = f"{'running rows':>14}{'overdue()':>13}{'deep page':>13}{'naive scan+sort':>18}"
    print(head + f"{'index saves':>14}{'save upkeep':>14}")
    print("-" * (len(head) + 28))
    for n in engines:
        query = median_us(first_page[n])
        scan = median_us(baseline[n])
        print(
            f"{n:>14,}{fmt_us(query):>13}{fmt_us(median_us(deep_page[n])):>13}"
            f"{fmt_us(scan):>18}{f'x{scan / query:,.0f}':>14}{fmt_us(median_us(upkeep[n])):>14}"
        )
    ratio = median_us(first_page[large_n]) / median_us(first_page[small_n])
    naive_ratio = median_us(baseline[large_n]) / median_us(baseline[small_n])
    print()
    print(f"ratio {large_n:,} / {small_n:,}: overdue() {ratio:.2f}, naive {naive_ratio:.1f}")
    met = ratio <= GOAL_RATIO
    print(
        f"{'PASS' if met else 'MISS'}  overdue() first page at {large_n:,} running deadlines "
        f"costs {ratio:.2f}x what it costs at {small_n:,} (goal <= {GOAL_RATIO})"
    )
    print(f"whole run {time.perf_counter() - started:.0f} s")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
