"""IMRs carry a dated chronology (RP-2): checked on receipt, kept, replayed, marked
personal and erasable like every other personal text."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from scr_engine import (
    ChronologyEntry,
    FixedClock,
    InvalidRequest,
    ReviewEngine,
    Stage,
    local_date,
    replay,
    verify_history,
)
from scr_engine import commands as c
from scr_engine.demo import demo_chronology
from scr_engine.personal import personal_fields, personal_paths
from support.asserts import assert_refused
from support.builders import PANEL_CHAIR, to_stage

pytestmark = pytest.mark.rule("RP-2")


def _convened(engine: ReviewEngine, clock: FixedClock) -> str:
    return to_stage(engine, clock, Stage.PANEL_CONVENED).id


def test_an_imr_keeps_its_dated_chronology(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _convened(engine, clock)
    entries = demo_chronology("gp")
    review = engine.execute(rid, c.ReceiveImr("gp", "GP IMR.", (), entries), PANEL_CHAIR)
    imr = review.imr("gp")
    assert imr is not None and imr.chronology == entries
    events = engine.history(rid)
    assert verify_history(events) == [] and replay(events) == review


def test_an_imr_without_a_chronology_is_still_received(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = _convened(engine, clock)
    review = engine.execute(rid, c.ReceiveImr("gp", "GP IMR."), PANEL_CHAIR)
    imr = review.imr("gp")
    assert imr is not None and imr.chronology == ()


def test_an_entry_of_another_agency_is_refused(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _convened(engine, clock)
    entries = (ChronologyEntry(date(2025, 12, 1), "police", "A visit."),)
    assert_refused(
        engine,
        rid,
        c.ReceiveImr("gp", "GP IMR.", (), entries),
        PANEL_CHAIR,
        "RP-2",
        "chronology[0].agency",
        InvalidRequest,
    )


def test_an_entry_dated_after_today_is_refused(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _convened(engine, clock)
    today = local_date(clock.now())
    ok = ChronologyEntry(today, "gp", "Seen today.", adult_seen=True)
    late = ChronologyEntry(today + timedelta(days=1), "gp", "Tomorrow.")
    assert_refused(
        engine,
        rid,
        c.ReceiveImr("gp", "GP IMR.", (), (ok, late)),
        PANEL_CHAIR,
        "RP-2",
        "chronology[1].date",
        InvalidRequest,
    )


def test_an_entry_must_say_what_happened(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _convened(engine, clock)
    entries = (ChronologyEntry(date(2025, 12, 1), "gp", "  "),)
    assert_refused(
        engine,
        rid,
        c.ReceiveImr("gp", "GP IMR.", (), entries),
        PANEL_CHAIR,
        "RP-2",
        "chronology[0].event",
        InvalidRequest,
    )


@pytest.mark.rule("PR-d")
def test_the_command_round_trips_through_json() -> None:
    command = c.ReceiveImr("gp", "GP IMR.", ("Review procedures.",), demo_chronology("gp"))
    assert c.from_dict(json.loads(json.dumps(c.to_dict(command)))) == command
    # A payload written before the field existed still reads, with no entries.
    data = c.to_dict(command)
    del data["chronology"]
    assert c.from_dict(data) == c.ReceiveImr("gp", "GP IMR.", ("Review procedures.",))


@pytest.mark.rule("PR-e")
def test_what_happened_is_personal_and_the_history_commits_to_it(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    assert ("ChronologyEntry", "event") in personal_fields()
    assert ("ChronologyEntry", "agency") not in personal_fields()
    rid = _convened(engine, clock)
    entries = demo_chronology("gp")
    engine.execute(rid, c.ReceiveImr("gp", "GP IMR.", (), entries), PANEL_CHAIR)
    event = engine.history(rid)[-1]
    paths = {path for path, _ in personal_paths(c.ReceiveImr, dict(event.payload))}
    assert {"/chronology/0/event", "/chronology/1/event"} <= paths
    assert {"/chronology/0/event", "/chronology/1/event"} <= set(event.commitments)


@pytest.mark.rule("RP-2")
def test_rp2_a_report_left_without_a_chronology_starts_from_the_imrs(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2: the report's integrated chronology, left empty, is the IMRs' merged in
    date order (the writer does not type them again): `explain` and `execute` agree,
    the event keeps it, and RP-2 judges it as if given."""
    from attrs import evolve

    from scr_engine.records import ImrJudgement, WriterMeetingPurpose
    from scr_engine.rules.report import imr_chronology
    from support.builders import OVERVIEW_WRITER, full_report

    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    for agency in review.imr_agencies:  # IMRs with dated chronologies
        recommendations = (f"{agency} to review procedures.",)
        imr = c.ReceiveImr(agency, "IMR.", recommendations, demo_chronology(agency))
        engine.execute(review.id, imr, PANEL_CHAIR)
        engine.execute(review.id, c.JudgeImr(agency, ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    engine.execute(review.id, c.ConfirmOverviewBrief("Bring the IMRs together."), PANEL_CHAIR)
    engine.execute(review.id, c.AcceptEvidence(), PANEL_CHAIR)
    meeting = c.RecordWriterMeeting(frozenset({WriterMeetingPurpose.FINAL_FORMAT}), "Format.")
    engine.execute(review.id, meeting, OVERVIEW_WRITER)
    review = engine.get(review.id)
    merged = imr_chronology(review)
    assert merged and [e.date for e in merged] == sorted(e.date for e in merged)
    assert {e.agency for e in merged} == set(review.imr_agencies)
    report = full_report(review)
    bare = evolve(report, facts=evolve(report.facts, chronology=()))
    command = c.SubmitOverviewReport(bare)
    assert engine.explain(review.id, command, OVERVIEW_WRITER) == []
    drafted = engine.execute(review.id, command, OVERVIEW_WRITER)
    assert drafted.overview_report is not None
    assert drafted.overview_report.facts.chronology == merged
    event = engine.history(review.id)[-1]
    assert len(event.payload["report"]["facts"]["chronology"]) == len(merged)
    assert engine.verify().ok
