"""Reviews the document tests render, built the same way every time (fixed clock).

- :func:`closed_demo`: the demo review run to closure, the clock moving 20 hours
  before each command.
- :func:`corrected_demo`: the demo review at ``evidence_received`` after every
  correction: the terms of reference revised (SU-6), a panel member stood down and
  replaced (SU-2), the overview writer (SU-9) and the panel chair (SU-1) replaced.
- :func:`late_demo`: the demo review run to monitoring with the clock moving four
  days before each command, its clocks paused for an inquest on the way, looked at
  after its actions fell due: deadlines met, missed and overdue, and a pause.
"""

from __future__ import annotations

from datetime import date, timedelta

from attrs import frozen

from scr_engine import Appointment, FixedClock, MemoryStore, ReviewEngine, Stage
from scr_engine import commands as c
from scr_engine.demo import (
    BOARD_CHAIR,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    panel_member,
    run_to_closure,
)
from scr_engine.history import Event
from scr_engine.records import Review
from scr_engine.rules.settings import ProtocolSettings
from support.builders import START, to_stage

__all__ = ["Case", "closed_demo", "corrected_demo", "late_demo", "requested_demo"]


@frozen
class Case:
    """A review, its history and settings, and the day the documents are made."""

    review: Review
    history: tuple[Event, ...]
    settings: ProtocolSettings
    as_of: date


def closed_demo() -> Case:
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    review = engine.submit(demo_request(), REQUESTER)
    closed = run_to_closure(engine, review.id, lambda: clock.advance(hours=20))
    return Case(closed, engine.history(review.id), engine.settings_for(closed), date(2026, 3, 20))


def late_demo() -> Case:
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    review = engine.submit(demo_request(), REQUESTER)
    calls = 0

    def step() -> None:
        nonlocal calls
        calls += 1
        clock.advance(timedelta(days=4))
        if calls == 3:
            engine.execute(
                review.id, c.PauseClock("inquest", "The Coroner's inquest."), BOARD_CHAIR
            )
        elif calls == 6:
            engine.execute(review.id, c.ResumeClock("Inquest adjourned."), BOARD_CHAIR)

    monitored = run_to_closure(engine, review.id, step, until=Stage.ACTION_PLAN_MONITORED)
    return Case(
        monitored, engine.history(review.id), engine.settings_for(monitored), date(2026, 12, 1)
    )


def requested_demo() -> Case:
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    review = engine.submit(demo_request(), REQUESTER)
    return Case(review, engine.history(review.id), engine.settings_for(review), date(2026, 2, 3))


TERMS_REASONS = "The scope widens to the care home | *all* of 2025."
MEMBER_REASONS = "Knew the family <well>."
WRITER_REASONS = "The writer left the area."
CHAIR_REASONS = "The chair fell ill."


def corrected_demo() -> Case:
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    terms = review.terms_of_reference
    assert terms is not None
    rid = review.id
    clock.advance(timedelta(days=1))
    engine.execute(rid, c.ReviseTermsOfReference(terms, TERMS_REASONS), PANEL_CHAIR)
    agency = review.agencies[0]
    newcomer = Appointment("u-pm-new", "Hal Newmember", agency)
    clock.advance(timedelta(days=1))
    engine.execute(
        rid, c.StandDownPanelMember(panel_member(agency).id, MEMBER_REASONS, newcomer), BOARD_CHAIR
    )
    clock.advance(timedelta(days=1))
    writer = Appointment("u-ow2", "Gil Newwriter")
    engine.execute(rid, c.ReplaceOverviewWriter(writer, WRITER_REASONS), BOARD_CHAIR)
    clock.advance(timedelta(days=1))
    chair = Appointment("u-pc2", "Fay Newchair")
    done = engine.execute(rid, c.ReplacePanelChair(chair, CHAIR_REASONS), BOARD_CHAIR)
    return Case(done, engine.history(rid), engine.settings_for(done), date(2026, 3, 20))
