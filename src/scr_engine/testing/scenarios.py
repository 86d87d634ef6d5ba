"""The scenarios the store contract replays (:mod:`scr_engine.testing.contract`): saves
recorded once from the real engine running the fictional reviews of
:mod:`scr_engine.demo` (a review to closure, a portfolio of reviews, a withdrawal,
submissions, strange text, tasks fulfilled), and a brute-force filter for what
``overdue`` must find.

:class:`RecordingStore` keeps every save a store was asked to make; a :class:`Save`
replays one into another store. Each scenario is recorded once per process.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from attrs import evolve, frozen

from scr_engine import commands as c
from scr_engine.clock import FixedClock
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    REQUESTER,
    demo_request,
    run_to_closure,
    scr_review,
)
from scr_engine.engine import ReviewEngine
from scr_engine.history import Event
from scr_engine.records import Agency, Task
from scr_engine.records.envelope import Envelope
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.rules.settings import DEFAULT_SETTINGS
from scr_engine.storage.memory import MemoryStore
from scr_engine.storage.port import DeadlineRow, ReviewStore

__all__ = [
    "FAR_FUTURE",
    "START",
    "STRANGE_TEXT",
    "RecordingStore",
    "Save",
    "brute_force_overdue",
    "closure_saves",
    "fulfilment_saves",
    "portfolio_saves",
    "random_deadline_rows",
    "strange_saves",
    "submission_saves",
    "withdrawal_saves",
]

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
"""When the recorded scenarios begin."""

FAR_FUTURE = date(9000, 1, 1)
"""An ``as_of`` by which every running deadline is due."""

STRANGE_TEXT: tuple[str, ...] = (
    "Robert'); DROP TABLE scr_reviews; --",
    "double \" single ' back \\ slash; semicolon; -- comment /* block */",
    "placeholders %s %(name)s {0} ? :name $1 @p",
    "Zoë Ångström — 東京 — Ελληνικά — עברית \u202e — e\u0301 — 🚑🧑🏽\u200d⚕️",
    "controls \t\n\r\x01\x1f\x7f and\u2028a line separator",
    "x" * 1_000_000,
    "é🚑" * 200_000,
)
"""Text a store must keep exactly: SQL, quotes, placeholders, Unicode (no NUL, which
PostgreSQL text cannot hold), control characters and strings of about 1 MB."""


@frozen
class Save:
    """One call of :meth:`ReviewStore.save`, as the engine made it."""

    review: Envelope
    event: Event
    tasks: tuple[Task, ...]
    deadlines: tuple[DeadlineRow, ...] | None
    expected_version: int
    scrub: tuple[Event, ...] = ()
    close: tuple[str, ...] = ()

    def apply(self, store: ReviewStore) -> None:
        """Make the same call on ``store`` (``scrub`` and ``close`` passed only when
        there are some, as the engine passes them)."""
        extra: dict[str, Any] = {"scrub": self.scrub} if self.scrub else {}
        if self.close:
            extra["close"] = self.close
        store.save(
            self.review,
            self.event,
            self.tasks,
            self.deadlines,
            expected_version=self.expected_version,
            **extra,
        )


class RecordingStore(MemoryStore):
    """A :class:`MemoryStore` that records every save, to replay it elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.saves: list[Save] = []

    def save(
        self,
        review: Envelope,
        event: Event,
        tasks: Sequence[Task] = (),
        deadlines: Sequence[DeadlineRow] | None = None,
        *,
        expected_version: int,
        scrub: Sequence[Event] = (),
        close: Sequence[str] = (),
    ) -> None:
        """Save as a :class:`MemoryStore` does, and record the call."""
        super().save(
            review,
            event,
            tasks,
            deadlines,
            expected_version=expected_version,
            scrub=scrub,
            close=close,
        )
        rows = tuple(deadlines) if deadlines is not None else None
        save = Save(review, event, tuple(tasks), rows, expected_version, tuple(scrub), tuple(close))
        self.saves.append(save)


def _recorder(ids: Sequence[str]) -> tuple[ReviewEngine, RecordingStore, FixedClock]:
    store = RecordingStore()
    clock = FixedClock(START)
    new_ids = iter(ids)
    # The strange text is longer than the default size limits allow (hardening 9):
    # the same settings with room for it, since what is tested is how stores keep it.
    roomy = evolve(DEFAULT_SETTINGS, max_text_length=10**7, max_command_length=10**8)
    engine = ReviewEngine(store, clock, settings=roomy, new_id=lambda: next(new_ids))
    return engine, store, clock


def _confirm(engine: ReviewEngine, submitted: object) -> None:
    review = scr_review(submitted)
    engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)


@functools.cache
def closure_saves() -> tuple[Save, ...]:
    """Every save of one review (``rev-closure``) run through every stage to closed."""
    engine, store, clock = _recorder(["rev-closure"])
    review = engine.submit(demo_request(), REQUESTER)
    run_to_closure(engine, review.id, step=lambda: clock.advance(hours=20))
    return tuple(store.saves)


@functools.cache
def fulfilment_saves() -> tuple[Save, ...]:
    """Two reviews confirmed (each emitting its RF-5 tasks), then ``rev-f``'s first
    agency's records secured: the last save closes that agency's letter."""
    engine, store, clock = _recorder(["rev-f", "rev-g"])
    first = engine.submit(demo_request(), REQUESTER)
    clock.advance(hours=3)
    _confirm(engine, engine.submit(demo_request(), REQUESTER))
    clock.advance(hours=3)
    _confirm(engine, first)
    clock.advance(hours=3)
    agency = first.agencies[0]
    engine.execute(first.id, c.RecordRecordsSecured(agency), BUSINESS_MANAGER)
    return tuple(store.saves)


@functools.cache
def portfolio_saves() -> tuple[Save, ...]:
    """Saves of five reviews left at different stages, interleaved in time.

    ``rev-z`` (SCR-2026-001) and ``rev-m`` (SCR-2026-004) stay requested, so their
    order by reference is not their order by ID; ``rev-a`` and, later, ``rev-e`` are
    confirmed (each emitting tasks); ``rev-d`` has its chair notified.
    """
    engine, store, clock = _recorder(["rev-z", "rev-a", "rev-d", "rev-m", "rev-e"])

    def step() -> None:
        clock.advance(hours=7)

    submitted = []
    for _ in range(5):
        submitted.append(engine.submit(demo_request(), REQUESTER))
        step()
    _z, a, d, _m, e = submitted
    _confirm(engine, a)
    step()
    engine.execute(d.id, c.RecordChairNotified(d.received_on), BUSINESS_MANAGER)
    step()
    _confirm(engine, e)
    return tuple(store.saves)


@functools.cache
def withdrawal_saves() -> tuple[Save, ...]:
    """Two reviews confirmed (each emitting its RF-5 tasks), ``rev-w`` then withdrawn
    (PR-d), ``rev-k`` kept open; the withdrawal is the last save."""
    engine, store, clock = _recorder(["rev-k", "rev-w"])
    kept = engine.submit(demo_request(), REQUESTER)
    clock.advance(hours=3)
    withdrawn = engine.submit(demo_request(), REQUESTER)
    clock.advance(hours=3)
    _confirm(engine, withdrawn)
    clock.advance(hours=3)
    _confirm(engine, kept)
    clock.advance(hours=3)
    engine.execute(withdrawn.id, c.Withdraw("The family asked the Board to stop."), BOARD_CHAIR)
    return tuple(store.saves)


@functools.cache
def submission_saves(count: int) -> tuple[Save, ...]:
    """The first saves (``expected_version=0``) of ``count`` new reviews, their IDs
    in an order unlike their references'."""
    ids = [f"rev-{(i * 7) % count:03d}" for i in range(count)]
    engine, store, clock = _recorder(ids)
    for _ in range(count):
        engine.submit(demo_request(), REQUESTER)
        clock.advance(minutes=13)
    return tuple(store.saves)


@functools.cache
def strange_saves() -> tuple[Save, ...]:
    """A review whose ID, agency codes and free text hold :data:`STRANGE_TEXT`,
    submitted and confirmed (so tasks and deadlines carry the strange text too; each
    task a :attr:`~scr_engine.records.Task.detail` of it, as a protocol's notices
    have)."""
    engine, store, _clock = _recorder(["rev-'\";--%s é🚑"])
    base = demo_request()
    request = evolve(
        base,
        how_meets_criteria=STRANGE_TEXT[-2],
        other_information="\n".join(STRANGE_TEXT),
        requester=evolve(base.requester, name=STRANGE_TEXT[0], address=STRANGE_TEXT[3]),
        agencies=(
            Agency("asc", STRANGE_TEXT[3], local_authority=True),
            Agency("o'brien\";--", STRANGE_TEXT[1]),
            Agency("東京-🚑", STRANGE_TEXT[-1]),
        ),
    )
    review = engine.submit(request, REQUESTER)
    _confirm(engine, review)
    return tuple(
        evolve(
            save,
            tasks=tuple(
                evolve(task, detail=STRANGE_TEXT[i % len(STRANGE_TEXT)])
                for i, task in enumerate(save.tasks)
            ),
        )
        for save in store.saves
    )


def random_deadline_rows(rng: random.Random, review: Envelope) -> tuple[DeadlineRow, ...]:
    """Some of a handful of deadline rows of ``review``, with random due dates and
    statuses, drawn from ``rng``: rows for the ``overdue`` checks."""
    keys = ["action:A-1", "chair_notified", "imr:asc", "imr:gp", "initial_meeting"]
    base = date(2026, 3, 1)
    rows = []
    for key in rng.sample(keys, rng.randint(0, len(keys))):
        status = rng.choice(list(DeadlineStatus))
        due = base + timedelta(days=rng.randint(-20, 20))
        met = (
            due + timedelta(days=rng.randint(-3, 3))
            if status in (DeadlineStatus.MET, DeadlineStatus.MISSED)
            else None
        )
        rows.append(
            DeadlineRow(review.id, review.reference, key, "RULE", f"{key} title", due, met, status)
        )
    return tuple(rows)


def brute_force_overdue(
    rows: Sequence[DeadlineRow],
    as_of: date,
    within_days: int = 0,
    after: tuple[date, str, str] | None = None,
) -> list[DeadlineRow]:
    """What :meth:`ReviewStore.overdue` must return (without a limit), by a plain
    filter and sort over every stored row."""
    cutoff = as_of + timedelta(days=within_days)
    return sorted(
        (
            r
            for r in rows
            if r.running and r.due_on < cutoff and (after is None or r.sort_key > after)
        ),
        key=lambda r: r.sort_key,
    )
