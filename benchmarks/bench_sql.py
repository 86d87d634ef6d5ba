"""What the SQL store costs: one command, two writers, the overdue report.

A script, not a test: run it, read the numbers. Issue "SQL store: SQLite by default,
PostgreSQL for scale". Every ratio is against a baseline measured in the same process,
in the same run, interleaved with the store's own measurements, so that a busy machine
moves both sides alike.

1. Per command, on SQLite (a file, WAL, ``durable=True``: ``synchronous=FULL``) and on
   PostgreSQL (the server's own durability): the median of ``ReviewEngine.execute``
   against a baseline written with SQLAlchemy Core alone doing the minimum a versioned
   write needs (``UPDATE`` of the review row ``WHERE version = :v`` + ``INSERT`` of one
   event row, one transaction) on the same tables in a separate scratch file/schema.
   Goal: engine <= 1.5 x baseline, on both databases.
2. PostgreSQL, two writer processes on different reviews against one: goal, throughput
   of two >= 1.8 x throughput of one.
3. The first page of ``overdue(as_of)`` over 100,000 and 1,000,000 running deadline
   rows against a raw indexed query (the driver's own cursor) on the same table: goals,
   ``store.overdue`` <= 2 x the raw query at 1,000,000, and flat (1,000,000 / 100,000
   <= 1.3), on both databases.

Usage::

    .venv/bin/python benchmarks/bench_sql.py             # full run (~3-4 min, 2 cores)
    .venv/bin/python benchmarks/bench_sql.py --quick     # fewer samples, 10k/100k rows
    .venv/bin/python benchmarks/bench_sql.py --profile   # cProfile SQLite execute, exit
    .venv/bin/python benchmarks/bench_sql.py --no-postgres

PostgreSQL is ``SCR_BENCH_POSTGRES_URL`` (else ``SCR_TEST_POSTGRES_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); every PostgreSQL measurement
runs in scratch schemas created for the run and dropped at its end. When the server
cannot be reached its goals print ``SKIP``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import itertools
import multiprocessing
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bench_command import monitored_reviews  # the same demo reviews, one recipe

import scr_engine
from scr_engine import FixedClock, ReviewEngine, Stage
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.storage import schema
from scr_engine.storage.sql import SqlStore

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get(
    "SCR_BENCH_POSTGRES_URL",
    os.environ.get("SCR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)
COMMAND_GOAL = 1.5
SCALE_GOAL = 1.8
OVERDUE_GOAL = 2.0
FLAT_GOAL = 1.3
PAGE = 100

ns = time.perf_counter_ns
Goal = tuple[str, str]  # ("PASS" | "MISS" | "SKIP" | "INFO", text)


@dataclass(frozen=True)
class Plan:
    rounds: int  # interleaved rounds (section 1)
    per_round: int  # samples per series per round (section 1)
    scale_rounds: int  # rounds of (1 process, 2 processes) (section 2)
    scale_seconds: float  # length of one throughput window (section 2)
    sizes: tuple[int, int]  # running deadline rows (section 3)
    overdue_rounds: int
    overdue_per_round: int


FULL = Plan(5, 20, 2, 5.0, (100_000, 1_000_000), 20, 40)
QUICK = Plan(3, 8, 1, 2.0, (10_000, 100_000), 10, 20)


@dataclass
class Series:
    samples: list[int] = field(default_factory=list)

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples) / 1000

    @property
    def p90_us(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] / 1000


def fmt_us(us: float) -> str:
    return f"{us / 1000:,.2f} ms" if us >= 1000 else f"{us:,.0f} µs"


def _section(title: str) -> None:
    print()
    print(f"== {title} ".ljust(100, "="), flush=True)


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


def _verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


# --------------------------------------------------------------------------- databases


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None."""
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        finally:
            engine.dispose()
    except Exception as exc:
        lines = str(getattr(exc, "orig", exc)).strip().splitlines()
        return f"{type(exc).__name__}: {lines[0] if lines else ''}"
    return None


@contextlib.contextmanager
def pg_schema(tag: str) -> Iterator[str]:
    """The URL of a new scratch schema on the PostgreSQL server, dropped on exit."""
    name = f"scr_bench_{tag}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    finally:
        admin.dispose()


@contextlib.contextmanager
def databases(backend: str, tmp: Path, *tags: str) -> Iterator[list[str]]:
    """One empty database per tag: SQLite files in ``tmp``, or PostgreSQL schemas."""
    if backend == "sqlite":
        yield [f"sqlite:///{tmp / f'{tag}-{uuid.uuid4().hex[:6]}.db'}" for tag in tags]
        return
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(pg_schema(tag)) for tag in tags]


def plain_engine(url: str) -> sa.Engine:
    """SQLAlchemy alone, as an application would set it up without scr_engine: for
    SQLite the same durability as the store (WAL, ``synchronous=FULL``), the driver's
    own transaction handling; for PostgreSQL the defaults."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def describe_backend(url: str) -> str:
    engine = plain_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                version = conn.exec_driver_sql("select sqlite_version()").scalar()
                return f"SQLite {version}, WAL, synchronous=FULL (durable=True), file on disk"
            show = {
                name: conn.exec_driver_sql(f"SHOW {name}").scalar()
                for name in ("server_version", "synchronous_commit", "fsync")
            }
            return (
                f"PostgreSQL {show['server_version']}, synchronous_commit="
                f"{show['synchronous_commit']}, fsync={show['fsync']} (server defaults)"
            )
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- 1. commands


def assessed_review(engine: ReviewEngine) -> str:
    review = engine.submit(demo_request(), REQUESTER)
    engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    return review.id


@dataclass
class Workload:
    """One command, timed through the engine and through the Core baseline."""

    name: str
    review_ids: list[str]  # the engine's; each has a twin row in the baseline database
    command: Callable[[str, int], tuple[c.Command, Any]]  # (review, visit) -> (cmd, actor)
    fresh: bool = False  # each sample needs a review of its own (confirm_review)
    judged: bool = True  # False: printed for information, not a goal
    before: Callable[[str, int], object] | None = None  # untimed, before each sample
    engine: Series = field(default_factory=Series)
    base: Series = field(default_factory=Series)


def _toggle(review_id: str, visit: int) -> tuple[c.Command, Any]:
    if visit % 2 == 0:
        return c.PauseClock("Police investigation", "Awaiting its outcome."), BOARD_CHAIR
    return c.ResumeClock("The investigation has concluded."), BOARD_CHAIR


class Baseline:
    """The minimum a versioned write needs, in SQLAlchemy Core, on a copy of the rows:
    ``UPDATE scr_reviews SET version = v + 1, stage, data WHERE id = :id AND version = v``
    (checked: one row) and ``INSERT INTO scr_events`` one row, in one transaction."""

    def __init__(self, url: str, store_url: str, review_ids: Sequence[str]) -> None:
        self.engine = plain_engine(url)
        schema.metadata.create_all(self.engine)  # the same tables, in the scratch database
        source = plain_engine(store_url)
        reviews = schema.reviews
        try:
            with source.connect() as conn:
                rows = conn.execute(sa.select(reviews).where(reviews.c.id.in_(review_ids)))
                copied = [dict(row._mapping) for row in rows]
        finally:
            source.dispose()
        with self.engine.begin() as conn:
            conn.execute(sa.insert(reviews), copied)
        self.state = {row["id"]: (row["version"], row["stage"], row["data"]) for row in copied}
        self.update = (
            sa.update(reviews)
            .where(
                reviews.c.id == sa.bindparam("rid"), reviews.c.version == sa.bindparam("expected")
            )
            .values(
                version=sa.bindparam("new_version"),
                stage=sa.bindparam("new_stage"),
                data=sa.bindparam("new_data"),
            )
        )
        self.insert = sa.insert(schema.events)

    def write(self, review_id: str, event: dict[str, Any]) -> None:
        version, stage, data = self.state[review_id]
        with self.engine.begin() as conn:
            updated = conn.execute(
                self.update,
                {
                    "rid": review_id,
                    "expected": version,
                    "new_version": version + 1,
                    "new_stage": stage,
                    "new_data": data,
                },
            ).rowcount
            if updated != 1:
                raise RuntimeError("baseline: version check failed")
            conn.execute(self.insert, {**event, "review_id": review_id, "sequence": version + 1})
        self.state[review_id] = (version + 1, stage, data)

    def close(self) -> None:
        self.engine.dispose()


def _last_event(url: str, review_id: str) -> dict[str, Any]:
    """The review's latest stored event row: the baseline writes rows just like it."""
    engine = plain_engine(url)
    events = schema.events
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(events)
                .where(events.c.review_id == review_id)
                .order_by(events.c.sequence.desc())
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    return dict(row._mapping)


def measure_commands(backend: str, tmp: Path, plan: Plan) -> list[Goal]:
    samples = plan.rounds * plan.per_round
    warm = 4
    with databases(backend, tmp, "store", "baseline") as (url, base_url):
        print(describe_backend(url))
        clock = FixedClock(START)
        # Set-up through a non-durable store: only the timed store below is durable.
        with SqlStore(url, migrate="create", durable=False) as setup:
            engine = ReviewEngine(setup, clock)
            t0 = time.perf_counter()
            requested = [engine.submit(demo_request(), REQUESTER).id for _ in range(8)]
            screened = []
            for _ in range(8):
                review_id = assessed_review(engine)
                engine.execute(review_id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
                screened.append(review_id)
            monitored = monitored_reviews(engine, clock, 2)
            shared = monitored_reviews(engine, clock, 2)
            uncached = [assessed_review(engine) for _ in range(samples + warm)]
            actions = [(rid, a.id) for rid in monitored + shared for a in engine.get(rid).actions]
        store = SqlStore(url, durable=True)
        engine = ReviewEngine(store, clock)
        # Reviews assessed through the timed store itself, as an application assesses a
        # review and then confirms it: the store has kept the review it last saved.
        confirmable = [assessed_review(engine) for _ in range(samples + warm)]
        # Another process's store writing the same reviews (a second worker of a service).
        elsewhere = SqlStore(url, durable=True)
        other = ReviewEngine(elsewhere, clock)
        print(f"  set-up: {8 + 8 + 4 + len(uncached) + len(confirmable)} reviews in ", end="")
        print(f"{time.perf_counter() - t0:.1f} s", flush=True)

        def progress(review_id: str, visit: int) -> tuple[c.Command, Any]:
            action = [a for rid, a in actions if rid == review_id][visit % 2]
            note = c.RecordActionProgress(action, "Under way; next check in a month.")
            return note, BUSINESS_MANAGER

        workloads = [
            Workload("pause/resume_clock", screened, _toggle),
            Workload(
                "assess_criteria", requested, lambda _r, _v: (c.AssessCriteria(), BOARD_CHAIR)
            ),
            Workload("record_action_progress", monitored, progress),
            Workload(
                "  after another store's",
                shared,
                progress,
                judged=False,
                before=lambda r, v: other.execute(r, *progress(r, v + 1)),
            ),
            Workload(
                "confirm_review",
                confirmable,
                lambda _r, _v: (c.ConfirmReview("CR-1 is met."), BOARD_CHAIR),
                fresh=True,
            ),
            Workload(
                "confirm_review, uncached",
                uncached,
                lambda _r, _v: (c.ConfirmReview("CR-1 is met."), BOARD_CHAIR),
                fresh=True,
            ),
        ]
        baseline = Baseline(base_url, url, [rid for w in workloads for rid in w.review_ids])
        try:
            goals = _time_commands(backend, engine, baseline, url, workloads, plan, warm)
        finally:
            baseline.close()
            store.close()
            elsewhere.close()
    return goals


def _time_commands(
    backend: str,
    engine: ReviewEngine,
    baseline: Baseline,
    url: str,
    workloads: Sequence[Workload],
    plan: Plan,
    warm: int,
) -> list[Goal]:
    visits = {w.name: itertools.count() for w in workloads}
    fresh_engine = {w.name: iter(w.review_ids) for w in workloads if w.fresh}
    fresh_base = {w.name: iter(w.review_ids) for w in workloads if w.fresh}
    templates: dict[str, dict[str, Any]] = {}

    def run_engine(w: Workload, k: int, out: list[int]) -> None:
        for _ in range(k):
            visit = next(visits[w.name])
            if w.fresh:
                review_id = next(fresh_engine[w.name])
            else:
                review_id = w.review_ids[visit // 2 % len(w.review_ids)]
            command, actor = w.command(review_id, visit)
            if w.before is not None:
                w.before(review_id, visit)
            t0 = ns()
            engine.execute(review_id, command, actor)
            out.append(ns() - t0)
            if w.name not in templates:
                templates[w.name] = _last_event(url, review_id)

    base_visits = {w.name: itertools.count() for w in workloads}

    def run_base(w: Workload, k: int, out: list[int]) -> None:
        event = {
            key: value
            for key, value in templates[w.name].items()
            if key not in ("review_id", "sequence")
        }
        for _ in range(k):
            visit = next(base_visits[w.name])
            if w.fresh:
                review_id = next(fresh_base[w.name])
            else:
                review_id = w.review_ids[visit // 2 % len(w.review_ids)]
            t0 = ns()
            baseline.write(review_id, event)
            out.append(ns() - t0)

    for w in workloads:  # warm up: converters, compiled statements, pools
        run_engine(w, warm, [])
        run_base(w, warm, [])
    for _ in range(plan.rounds):
        for w in workloads:
            run_engine(w, plan.per_round, w.engine.samples)
            run_base(w, plan.per_round, w.base.samples)

    print(f"  median (p90) per command, {plan.rounds * plan.per_round} samples each:")
    print(f"  {'command':<24}{'engine.execute':>22}{'Core baseline':>22}{'ratio':>8}")
    goals: list[Goal] = []
    for w in workloads:
        ratio = w.engine.median_us / w.base.median_us
        print(
            f"  {w.name:<24}{fmt_us(w.engine.median_us):>11} ({fmt_us(w.engine.p90_us):>8})"
            f"{fmt_us(w.base.median_us):>11} ({fmt_us(w.base.p90_us):>8}){ratio:>7.2f}x"
        )
        if w.judged:
            goals.append(
                (
                    _verdict(ratio <= COMMAND_GOAL),
                    f"{backend}: {w.name} costs {ratio:.2f}x "
                    f"the Core baseline (goal <= {COMMAND_GOAL})",
                )
            )
        else:
            goals.append(("INFO", f"{backend}: {w.name} costs {ratio:.2f}x the Core baseline"))
    return goals


# --------------------------------------------------------------------------- 2. two writers


def _writer_process(url: str, jobs: Queue[Any], results: Queue[Any]) -> None:
    """A writer process: its own store and engine; runs timed jobs from ``jobs``."""
    with SqlStore(url) as store:
        engine = ReviewEngine(store, FixedClock(START))
        pause = c.PauseClock("Police investigation", "Awaiting its outcome.")
        resume = c.ResumeClock("The investigation has concluded.")
        results.put("ready")
        while (job := jobs.get()) is not None:
            review_ids, start_at, seconds = job
            paused = dict.fromkeys(review_ids, False)
            cycle = itertools.cycle(review_ids)
            while time.time() < start_at:
                time.sleep(0.001)
            end, done, cpu = start_at + seconds, 0, time.process_time()
            while time.time() < end:
                review_id = next(cycle)
                command = resume if paused[review_id] else pause
                engine.execute(review_id, command, BOARD_CHAIR)
                paused[review_id] = not paused[review_id]
                done += 1
            results.put((done, time.process_time() - cpu))


def measure_scaling(plan: Plan) -> list[Goal]:
    with pg_schema("scale") as url, SqlStore(url, migrate="create") as store:
        engine = ReviewEngine(store, FixedClock(START))

        def reviews(n: int) -> list[str]:
            return [engine.submit(demo_request(), REQUESTER).id for _ in range(n)]

        ctx = multiprocessing.get_context("spawn")
        jobs: list[Queue[Any]] = [ctx.Queue(), ctx.Queue()]
        results: list[Queue[Any]] = [ctx.Queue(), ctx.Queue()]
        workers = [
            ctx.Process(target=_writer_process, args=(url, jobs[i], results[i]), daemon=True)
            for i in range(2)
        ]
        for worker in workers:
            worker.start()
        try:
            for i in range(2):
                assert results[i].get(timeout=120) == "ready"

            def run(n: int, seconds: float) -> tuple[int, float]:
                own = [reviews(8) for _ in range(n)]  # fresh reviews for each writer
                start_at = time.time() + 0.3  # both start together
                for i in range(n):
                    jobs[i].put((own[i], start_at, seconds))
                done = [results[i].get(timeout=seconds + 120) for i in range(n)]
                return sum(d for d, _ in done), sum(cpu for _, cpu in done)

            run(2, 0.5)  # warm up both processes
            totals: dict[int, list[float]] = {1: [0, 0.0], 2: [0, 0.0]}
            for _ in range(plan.scale_rounds):
                for n in (1, 2):
                    count, cpu = run(n, plan.scale_seconds)
                    totals[n][0] += count
                    totals[n][1] += cpu
        finally:
            for q in jobs:
                q.put(None)
            for worker in workers:
                worker.join(30)
                if worker.is_alive():
                    worker.kill()
    seconds = plan.scale_rounds * plan.scale_seconds
    one, two = int(totals[1][0]), int(totals[2][0])
    ratio = two / one
    print(f"  {'writers':<12}{'commands':>10}{'commands/s':>12}{'client CPU/command':>20}")
    for n, label in ((1, "1 process"), (2, "2 processes")):
        commands, cpu_seconds = totals[n]
        print(
            f"  {label:<12}{int(commands):>10,}{commands / seconds:>12,.1f}"
            f"{fmt_us(cpu_seconds / max(commands, 1) * 1e6):>20}"
        )
    print(
        f"  throughput ratio 2 / 1: {ratio:.2f} ({os.cpu_count()} CPUs shared by the writers "
        f"and the server; load average {_load()})"
    )
    return [
        (
            _verdict(ratio >= SCALE_GOAL),
            f"postgresql: 2 writer processes on different reviews reach {ratio:.2f}x the "
            f"throughput of one (goal >= {SCALE_GOAL})",
        )
    ]


# --------------------------------------------------------------------------- 3. overdue

BASE = date(2026, 1, 1)
SPAN_DAYS = 4 * 365
AS_OF = BASE + timedelta(days=SPAN_DAYS // 2)
"""Half the running rows are overdue on this date: every first page is full."""
RUNNING_KEYS = tuple(f"k{k:02d}" for k in range(10))
"""Ten running deadlines a synthetic review (a review has about that many: notification,
meetings, an IMR per agency, the overview report ...)."""
CHUNK = 5_000  # reviews per transaction of the bulk load


def fill(store: SqlStore, running: int, seed: int) -> None:
    """Give the empty store ``running`` running deadline rows (ten per synthetic
    review, due dates uniformly random over four years) plus one met row per review,
    which the partial index must leave out.

    Why not through the engine: ``overdue`` reads ``scr_deadlines`` alone, through its
    partial index. Making 1,000,000 running rows with ``submit`` and audited commands
    would take 100,000 reviews through several durable commands each (hours of
    set-up, gigabytes of history that the query never reads). So the rows go straight
    into the store's own tables, with a stub ``scr_reviews`` row per review for the
    foreign key, in the column values ``SqlStore.save`` writes for a ``DeadlineRow``
    (dates as ISO text and booleans as 1/0 on SQLite, as SQLAlchemy binds them). The
    script then checks that ``store.overdue`` returns exactly the raw query's rows.

    Why ``Connection.exec_driver_sql(sql, rows)``: it is SQLAlchemy Core's
    ``executemany`` without the per-row bind processing of ``execute(insert(t),
    rows)``, which costs more than the insert itself: measured on this 2-CPU machine,
    about 28 µs a row against 6 on SQLite, 66 against 28 on PostgreSQL (psycopg
    pipelines the rows). At 1,320,000 rows per database that is the difference
    between ~2 minutes of set-up and a few tens of seconds.
    """
    assert store.engine is not None
    sqlite = store.engine.dialect.name == "sqlite"
    rng = random.Random(seed)
    days: list[Any] = [BASE + timedelta(days=d) for d in range(SPAN_DAYS)]
    base: Any = BASE
    yes: Any = True
    no: Any = False
    if sqlite:
        days = [day.isoformat() for day in days]
        base, yes, no = BASE.isoformat(), 1, 0
    mark = "?" if sqlite else "%s"
    review_sql = (
        "INSERT INTO scr_reviews (id, reference, stage, version, settings_version, "
        f"received_on, data) VALUES ({', '.join([mark] * 7)})"
    )
    deadline_sql = (
        "INSERT INTO scr_deadlines (review_id, key, reference, rule, title, due_on, "
        f"met_on, status, running) VALUES ({', '.join([mark] * 9)})"
    )
    due, met = DeadlineStatus.DUE.value, DeadlineStatus.MET.value
    screened = Stage.SCREENED.value
    total = running // len(RUNNING_KEYS)
    for first in range(0, total, CHUNK):
        reviews: list[tuple[Any, ...]] = []
        rows: list[tuple[Any, ...]] = []
        for i in range(first, min(first + CHUNK, total)):
            review_id, reference = f"r{i:07d}", f"SCR-BENCH-{i:07d}"
            reviews.append((review_id, reference, screened, 1, "bench", base, "{}"))
            rows.append((review_id, "chair_notified", reference, "RF-3", "", base, base, met, no))
            for key in RUNNING_KEYS:
                rows.append(
                    (review_id, key, reference, "SU-7", key, rng.choice(days), None, due, yes)
                )
        with store.engine.begin() as conn:
            conn.exec_driver_sql(review_sql, reviews)
            conn.exec_driver_sql(deadline_sql, rows)
    if not sqlite:
        with store.engine.begin() as conn:  # what autovacuum would do after a bulk load
            conn.exec_driver_sql("ANALYZE scr_reviews, scr_deadlines")


class RawQuery:
    """The first page straight through the driver's cursor, on a connection of its own
    (autocommit: no transaction around it): the floor for ``store.overdue``."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        self.connection = self.engine.raw_connection()
        columns = "review_id, reference, key, rule, title, due_on, met_on, status"
        order = f"ORDER BY due_on, review_id, key LIMIT {PAGE}"
        if self.engine.dialect.name == "sqlite":
            self.connection.driver_connection.isolation_level = None  # type: ignore[union-attr]
            where = "running = 1 AND due_on < ?"
            self.param: Any = (AS_OF.isoformat(),)
        else:
            self.connection.driver_connection.autocommit = True  # type: ignore[union-attr]
            where = "running = true AND due_on < %s"
            self.param = (AS_OF,)
        self.sql = f"SELECT {columns} FROM scr_deadlines WHERE {where} {order}"

    def page(self) -> list[Any]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(self.sql, self.param)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def plan(self) -> str:
        cursor = self.connection.cursor()
        try:
            if self.engine.dialect.name == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {self.sql}", self.param)
                return "; ".join(str(row[-1]) for row in cursor.fetchall())
            cursor.execute(f"EXPLAIN {self.sql}", self.param)
            return "; ".join(str(row[0]).strip() for row in cursor.fetchall()[:3])
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()


def _same_page(store_rows: Sequence[Any], raw_rows: Sequence[Any]) -> bool:
    def text(value: Any) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)

    ours = [(r.review_id, r.key, r.due_on.isoformat()) for r in store_rows]
    theirs = [(row[0], row[2], text(row[5])) for row in raw_rows]
    return len(ours) == PAGE and ours == theirs


def measure_overdue(backend: str, tmp: Path, plan: Plan) -> list[Goal]:
    small, large = plan.sizes
    with databases(backend, tmp, "small", "large") as urls:
        stores: dict[int, SqlStore] = {}
        raws: dict[int, RawQuery] = {}
        try:
            for n, url in zip(plan.sizes, urls, strict=True):
                stores[n] = SqlStore(url, migrate="create", durable=False)
                t0 = time.perf_counter()
                fill(stores[n], n, seed=n)
                print(
                    f"  bulk-loaded {n:>9,} running rows (+{n // len(RUNNING_KEYS):,} met) in "
                    f"{time.perf_counter() - t0:5.1f} s",
                    flush=True,
                )
                raws[n] = RawQuery(url)
                assert _same_page(stores[n].overdue(AS_OF), raws[n].page()), n
            print(f"  plan at {large:,}: {raws[large].plan()}")
            timed: dict[tuple[int, str], Series] = {
                (n, side): Series() for n in plan.sizes for side in ("store", "raw")
            }
            for _ in range(plan.overdue_rounds):
                for n in plan.sizes:
                    calls: dict[str, Callable[[], object]] = {
                        "store": lambda n=n: stores[n].overdue(AS_OF),  # type: ignore[misc]
                        "raw": raws[n].page,
                    }
                    for side, call in calls.items():
                        out = timed[(n, side)].samples
                        for _ in range(plan.overdue_per_round):
                            t0 = ns()
                            call()
                            out.append(ns() - t0)
        finally:
            for raw in raws.values():
                raw.close()
            for opened in stores.values():
                opened.close()
    count = len(timed[(small, "store")].samples)
    print(f"  first page of {PAGE}, median (p90) of {count}:")
    print(f"  {'running rows':>14}{'store.overdue':>24}{'raw query':>24}{'ratio':>8}")
    for n in plan.sizes:
        s, r = timed[(n, "store")], timed[(n, "raw")]
        print(
            f"  {n:>14,}{fmt_us(s.median_us):>12} ({fmt_us(s.p90_us):>8})"
            f"{fmt_us(r.median_us):>13} ({fmt_us(r.p90_us):>8}){s.median_us / r.median_us:>7.2f}x"
        )
    ratio = timed[(large, "store")].median_us / timed[(large, "raw")].median_us
    flat = timed[(large, "store")].median_us / timed[(small, "store")].median_us
    raw_flat = timed[(large, "raw")].median_us / timed[(small, "raw")].median_us
    print(f"  {large:,} / {small:,}: store.overdue {flat:.2f}, raw {raw_flat:.2f}")
    name = "sqlite" if backend == "sqlite" else "postgresql"
    return [
        (
            _verdict(ratio <= OVERDUE_GOAL),
            f"{name}: overdue() first page at {large:,} rows costs {ratio:.2f}x the raw "
            f"indexed query (goal <= {OVERDUE_GOAL})",
        ),
        (
            _verdict(flat <= FLAT_GOAL),
            f"{name}: overdue() at {large:,} rows costs {flat:.2f}x what it costs at "
            f"{small:,} (goal <= {FLAT_GOAL})",
        ),
    ]


# --------------------------------------------------------------------------- profile


def profile_execute(n: int, top: int) -> None:
    """cProfile ``n`` audited commands on a durable SQLite file (alternating
    ``pause_clock``/``resume_clock`` on screened reviews and ``record_action_progress``
    on monitored ones); print the top functions by own and by cumulative time."""
    with tempfile.TemporaryDirectory(prefix="scr-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'profile.db'}"
        clock = FixedClock(START)
        with SqlStore(url, migrate="create", durable=False) as setup:
            engine = ReviewEngine(setup, clock)
            screened = []
            for _ in range(8):
                review_id = assessed_review(engine)
                engine.execute(review_id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
                screened.append(review_id)
            monitored = monitored_reviews(engine, clock, 2)
            actions = [(rid, a.id) for rid in monitored for a in engine.get(rid).actions]
        with SqlStore(url, durable=True) as store:
            engine = ReviewEngine(store, clock)
            slots = itertools.cycle(actions)
            toggles = itertools.cycle(itertools.product(screened, (0, 1)))

            def one(i: int) -> None:
                if i % 2:
                    review_id, action = next(slots)
                    note = c.RecordActionProgress(action, "Under way.")
                    engine.execute(review_id, note, BUSINESS_MANAGER)
                else:
                    review_id, visit = next(toggles)
                    command, actor = _toggle(review_id, visit)
                    engine.execute(review_id, command, actor)

            for i in range(40):
                one(i)
            profiler = cProfile.Profile()
            t0 = time.perf_counter()
            profiler.enable()
            for i in range(n):
                one(i)
            profiler.disable()
            took = time.perf_counter() - t0
    print(f"{n:,} commands in {took:.1f} s under cProfile ({took / n * 1e3:.2f} ms each)")
    stats = pstats.Stats(profiler)
    stats.strip_dirs()
    for order in ("tottime", "cumulative"):
        print(f"== top {top} by {order} ==")
        stats.sort_stats(order).print_stats(top)


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer samples, 10k/100k rows")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--profile", type=int, nargs="?", const=1_000, metavar="N", help="profile and exit"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args(argv)
    if args.profile is not None:
        profile_execute(args.profile, 30)
        return 0

    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    print(
        f"scr_engine {scr_engine.__version__} | Python {platform.python_version()} | "
        f"SQLAlchemy {sa.__version__} | {platform.machine()}, {os.cpu_count()} CPU(s) | "
        f"{'quick' if args.quick else 'full'} | load average {_load()}"
    )
    unreachable = "--no-postgres" if args.no_postgres else postgres_unreachable()
    backends = ["sqlite"] if unreachable else ["sqlite", "postgresql"]
    if unreachable:
        print(f"PostgreSQL not measured ({unreachable})")
    goals: list[Goal] = []
    with tempfile.TemporaryDirectory(prefix="scr-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        for backend in backends:
            _section(f"1. One command on {backend}: engine.execute vs a Core versioned write")
            goals += measure_commands(backend, tmp, plan)
        _section("2. PostgreSQL: two writer processes on different reviews vs one")
        if unreachable:
            goals.append(("SKIP", f"postgresql: 2 writers vs 1 (not measured: {unreachable})"))
        else:
            goals += measure_scaling(plan)
        for backend in backends:
            _section(f"3. overdue(as_of) first page on {backend}: store vs raw indexed query")
            goals += measure_overdue(backend, tmp, plan)
    if unreachable:
        for what in ("one command", "overdue() vs raw", "overdue() flat"):
            goals.append(("SKIP", f"postgresql: {what} (not measured: {unreachable})"))

    _section("Summary")
    for verdict, text in goals:
        print(f"{verdict}  {text}")
    met = sum(verdict == "PASS" for verdict, _ in goals)
    judged = sum(verdict != "INFO" for verdict, _ in goals)
    print(
        f"{met}/{judged} goals met; whole run {time.perf_counter() - started:.0f} s; "
        f"load average {_load()}"
    )
    return 1 if args.strict and met < judged else 0


if __name__ == "__main__":
    sys.exit(main())
