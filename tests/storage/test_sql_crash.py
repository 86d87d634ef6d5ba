"""A SQLite writer killed with SIGKILL at random points (25 times under the ``ci``
profile, 200 under ``thorough``) leaves a database that is intact, consistent and
complete.

Each round starts a child process running :func:`support.crash_writer.write_until_killed`
on one database file: it opens its own store, says it is ready, and issues commands
in a loop on several reviews (new reviews, notifications, assessments, clock pauses
and resumes, confirmations that emit tasks). After a random 50-300 ms (a seeded
``random.Random``, so a failure can be replayed) the parent kills it with SIGKILL,
in alternate rounds with ``durable=True`` and ``durable=False``, and opens the
database again:

- ``PRAGMA integrity_check`` is ``ok`` and ``PRAGMA foreign_key_check`` finds nothing;
- every review equals the replay of its history, the history verifies, and the
  review's version is the length of its history and its head the last event's hash
  (no half-written command: an event without its review's update, or the reverse);
- every review's stored deadline rows are its deadlines (``engine.deadlines``);
- every task belongs to a committed event, and every committed command has all the
  tasks its replay emits (an SCR's ``confirm_review``; a SAR's acknowledgement and
  decision), of SCRs and SARs alike;
- ``engine.verify()`` finds no fault in the whole store;
- nothing committed is lost: the new events number at least the commands the child
  saw return, and at most one more, only when it was killed inside a command.

The children are forked from a ``forkserver`` that has already imported the writer
(and so SQLAlchemy and scr_engine): a fresh ``python`` per round would spend 1-3 s of
its ~0.3 s round importing them. Each child is still a process of its own, with its
own SQLite connection, killed by the operating system.
"""

from __future__ import annotations

import multiprocessing
import random
import signal
import sys
import time
from multiprocessing.context import ForkServerContext
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from scr_engine import FixedClock, ReviewEngine, replay, verify_history
from scr_engine.history import replay_steps
from scr_engine.storage import schema
from scr_engine.storage.port import DeadlineRow
from scr_engine.storage.sql import SqlStore
from support.crash_writer import START, write_until_killed

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="needs SIGKILL and the forkserver start method"
)

ROUNDS = 25 if settings().max_examples <= 100 else 200
"""Kills: 25 under the ``ci`` profile (about 23 s; nearly every kill lands inside a
command), 200 under ``thorough``."""
SEED = 20260202
DELAY = (0.05, 0.3)
"""Seconds between the child's "ready" and its kill."""
READY_TIMEOUT = 60.0
PRELOAD = (
    "scr_engine.demo",
    "scr_engine.demo_sar",
    "scr_engine.storage.sql",
    "sqlalchemy.dialects.sqlite",
    "alembic.command",
    "alembic.runtime.migration",
    "alembic.script",
)
"""What the forkserver imports once for every child. (Not ``support.crash_writer`` itself:
the forkserver does not see the tests' ``sys.path``, and a failed preload is silent.)"""


@pytest.fixture(scope="module")
def forkserver() -> ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def _check_database(url: str) -> int:
    """Every check of the module docstring but the count; return the event count."""
    with SqlStore(url) as store:
        engine = ReviewEngine(store, FixedClock(START))
        assert store.engine is not None
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            ids = list(conn.execute(sa.select(schema.reviews.c.id)).scalars())
            tasks = conn.execute(sa.select(schema.tasks)).all()
            events = conn.execute(sa.select(sa.func.count()).select_from(schema.events))
            event_count = events.scalar_one()
            numbered = conn.execute(
                sa.select(schema.reference_counters.c.last).where(
                    schema.reference_counters.c.year == START.year
                )
            ).scalar_one_or_none()
        emitted = {task.id: task for task in tasks}
        histories = 0
        references = set()
        for review_id in ids:
            review = store.load(review_id)
            history = store.history(review_id)
            histories += len(history)
            assert verify_history(history) == []
            assert len(history) == review.version
            assert history[-1].hash == review.head
            assert replay(history) == review
            rows = [DeadlineRow.of(review, d) for d in engine.deadlines(review_id, START.date())]
            assert store.deadline_rows(review_id) == sorted(rows, key=lambda row: row.key)
            # Each event's tasks, as its replay emits them (an SCR's confirm_review: a
            # letter per agency and kind; a SAR's outputs), and no others.
            for event, _, replayed in replay_steps(history):
                for task in replayed:
                    found = emitted.pop(task.id, None)
                    assert found is not None, f"task {task.id} of #{event.sequence} is missing"
                    assert (found.review_id, found.kind, found.agency, found.rule) == (
                        task.review_id,
                        task.kind.value,
                        task.agency,
                        task.rule,
                    )
            references.add(int(review.reference.rsplit("-", 1)[1]))
        assert emitted == {}, "tasks of events that were never committed"
        report = engine.verify()
        assert report.ok, report.faults
        assert event_count == histories
        assert references <= set(range(1, (numbered or 0) + 1))
    return int(event_count)


@pytest.mark.long
def test_a_writer_killed_at_random_points_leaves_a_consistent_database(
    tmp_path: Path, forkserver: ForkServerContext
) -> None:
    path = tmp_path / "scr.db"
    url = f"sqlite:///{path}"
    SqlStore(url, migrate="create").close()
    rng = random.Random(SEED)
    events = 0
    inside = 0  # kills that landed while a command was running
    for round_ in range(ROUNDS):
        pending = forkserver.RawValue("i", 0)
        committed = forkserver.RawValue("i", 0)
        receive, send = forkserver.Pipe(duplex=False)
        seed, durable = rng.randrange(2**32), round_ % 2 == 0
        child = forkserver.Process(
            target=write_until_killed,
            args=(str(path), seed, durable, send, pending, committed),
            daemon=True,
        )
        child.start()
        send.close()
        try:
            assert receive.poll(READY_TIMEOUT), f"round {round_}: the writer never got ready"
            message = receive.recv()
            assert message == "ready", f"round {round_}: the writer failed:\n{message}"
            time.sleep(rng.uniform(*DELAY))
            if receive.poll():
                pytest.fail(f"round {round_} (seed {seed}): the writer failed:\n{receive.recv()}")
            assert child.is_alive(), f"round {round_}: the writer exited by itself"
            child.kill()
            child.join(READY_TIMEOUT)
        finally:
            if child.is_alive():
                child.kill()
                child.join()
            receive.close()
        assert child.exitcode == -signal.SIGKILL
        was_pending, done = pending.value, committed.value
        inside += was_pending
        total = _check_database(url)
        new = total - events
        assert done <= new <= done + was_pending, (
            f"round {round_} (seed {seed}, durable={durable}): the child saw {done} "
            f"commands return{' and was killed inside one' if was_pending else ''}, "
            f"the database holds {new} new events"
        )
        events = total
    assert events > ROUNDS, "the writers committed too little for the kills to mean much"
    assert inside >= ROUNDS // 4, f"only {inside} of {ROUNDS} kills landed inside a command"
    print(f"\n{ROUNDS} kills, {inside} inside a command; {events} events committed")
