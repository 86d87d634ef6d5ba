"""The writer that ``test_sql_crash.py`` kills: commands in a loop on one SQLite file.

:func:`write_until_killed` runs in a child process until it is killed with SIGKILL. It
opens its own :class:`SqlStore` and issues commands on the database's reviews as fast
as it can, reporting ``"ready"`` on its pipe after the first few (once warm): new
reviews (``submit``, whose reference is numbered in a transaction of its own),
``record_chair_notified``, ``assess_criteria``, ``pause_clock``/``resume_clock`` (each
rewrites the review's deadline rows) and ``confirm_review`` (which emits tasks); about
half the reviews are Safeguarding Adults Reviews, taken through their own notice,
acknowledgement (a task), assessment and decision (tasks).
Every command writes several tables, so most kills land inside one.

Around each command it keeps two counters in memory shared with the parent:
``pending`` is 1 from just before a command to just after it returned, and
``committed`` counts the commands that returned. After the kill the parent knows that
the database must hold at least ``committed`` new events and at most one more, and
that one only if the kill came while ``pending`` was 1.
"""

from __future__ import annotations

import itertools
import random
import traceback
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Protocol

import sqlalchemy as sa

from scr_engine import FixedClock, ReviewEngine, TransitionRefused
from scr_engine.commands import (
    AssessCriteria,
    Command,
    ConfirmReview,
    PauseClock,
    RecordChairNotified,
    ResumeClock,
)
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.demo_sar import BOARD_CHAIR as SAR_CHAIR
from scr_engine.demo_sar import BUSINESS_MANAGER as SAR_MANAGER
from scr_engine.demo_sar import SUBGROUP_CHAIR, demo_referral
from scr_engine.protocols.sar import commands as sar
from scr_engine.protocols.sar.records import (
    AdultAssessment,
    Conjunct,
    Mandate,
    MandateKind,
    Outcome,
    SarReview,
    TestValue,
)
from scr_engine.records import Actor, Review
from scr_engine.states.stages import Stage
from scr_engine.storage import schema
from scr_engine.storage.sql import SqlStore

__all__ = ["MAX_REVIEWS", "START", "SharedInt", "write_until_killed"]

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
"""The writer's clock (fixed: every deadline row is computed for the same day)."""
MAX_REVIEWS = 10
"""The writer submits new reviews until the database holds this many."""
WARM_UP = 3
"""Steps before "ready": a new process's first commands are slow (the converters and
SQL statements are built on first use), and the kill should land in ordinary writes."""


class SharedInt(Protocol):
    """A ``multiprocessing`` ``RawValue("i")``: an int in memory shared with the parent."""

    value: int


def _assessment() -> AdultAssessment:
    met = Conjunct(TestValue.MET, "met")
    not_met = Conjunct(TestValue.NOT_MET, "not met")
    return AdultAssessment("a1", met, met, met, met, not_met, died_on=START.date())


def _next_sar_command(review: SarReview, rng: random.Random, tag: str) -> tuple[Command, Actor]:
    """A command the SAR accepts (or a guard refuses, writing nothing)."""
    if review.chairs_notified_on is None:
        return sar.RecordChairNotified(review.received_on), SAR_MANAGER
    if review.acknowledged_on is None:
        return sar.AcknowledgeRequest(), SAR_MANAGER
    if not review.assessments or rng.random() < 0.3:
        return sar.AssessCriteria((_assessment(),)), SUBGROUP_CHAIR
    mandate = Mandate(MandateKind.MANDATORY, 1)
    return sar.ConfirmReview(Outcome.SAR_MANDATORY, tag, mandate), SAR_CHAIR


def _next_command(review: Review, rng: random.Random, tag: str) -> tuple[Command, Actor]:
    """A command the review accepts in its stage."""
    if isinstance(review, SarReview):
        return _next_sar_command(review, rng, tag)
    toggle: Command = ResumeClock(tag) if review.paused else PauseClock("inquest", tag)
    if review.stage is Stage.REQUESTED:
        if review.chair_received_on is None:
            return RecordChairNotified(review.received_on), BUSINESS_MANAGER
        if review.assessment is None or rng.random() < 0.3:
            return AssessCriteria(notes=tag), BOARD_CHAIR
        if rng.random() < 0.25:
            return ConfirmReview(tag), BOARD_CHAIR
    return toggle, BOARD_CHAIR


def write_until_killed(
    path: str, seed: int, durable: bool, ready: Connection, pending: SharedInt, committed: SharedInt
) -> None:
    """Issue commands on the SQLite database at ``path`` until killed; send ``"ready"``
    on ``ready`` after the first ``WARM_UP`` steps (a traceback if it fails)."""
    try:
        rng = random.Random(seed)
        store = SqlStore(f"sqlite:///{path}", durable=durable)
        engine = ReviewEngine(store, FixedClock(START))
        assert store.engine is not None
        ids_query = sa.select(schema.reviews.c.id).order_by(schema.reviews.c.id)
        for step in itertools.count(1):
            if step == WARM_UP + 1:
                ready.send("ready")
            tag = f"seed {seed} step {step}"
            with store.engine.connect() as conn:
                ids = list(conn.execute(ids_query).scalars())
            pending.value = 1
            if len(ids) < MAX_REVIEWS and (not ids or rng.random() < 0.15):
                if rng.random() < 0.5:
                    engine.submit(demo_referral(START.date()), SAR_MANAGER, protocol="sar")
                else:
                    engine.submit(demo_request(), REQUESTER)
            else:
                review_id = rng.choice(ids)
                review = engine.get(review_id)
                command, actor = _next_command(review, rng, tag)
                try:
                    engine.execute(review_id, command, actor, expected_version=review.version)
                except TransitionRefused:  # a guard said no: nothing was written
                    pending.value = 0
                    continue
            committed.value += 1
            pending.value = 0
    except BaseException:
        ready.send(traceback.format_exc())
        raise
