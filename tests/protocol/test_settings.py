"""Input no store can keep or no clock can count is refused up front, by explain and
execute alike, and leaves nothing stored."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from scr_engine import (
    CriteriaFacts,
    FixedClock,
    InvalidRequest,
    MemoryStore,
    ProtocolSettings,
    RefusalKind,
    ReviewEngine,
    Stage,
    TransitionRefused,
)
from scr_engine import (
    commands as c,
)
from scr_engine.demo import (
    BOARD_CHAIR,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    full_terms,
)
from scr_engine.rules.deadlines import FURTHEST_DAYS, LONGEST_MONTHS
from support.builders import prepare_panel, submit, to_stage, today


def _refused_alike(engine: ReviewEngine, review_id: str, command: c.Command, actor: object) -> set:
    """explain names the same reasons execute raises, and nothing is stored."""
    before = (engine.get(review_id), engine.history(review_id))
    reasons = engine.explain(review_id, command, actor)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review_id, command, actor)  # type: ignore[arg-type]
    assert list(refused.value.refusals) == reasons
    assert (engine.get(review_id), engine.history(review_id)) == before
    return {(r.rule, r.field) for r in reasons}


@pytest.mark.parametrize("text", ["Inquest \ud800", "nul\x00byte"])
def test_text_no_store_can_keep_is_refused(engine: ReviewEngine, text: str) -> None:
    """PR-d: a lone surrogate cannot be hashed and NUL cannot be stored in PostgreSQL:
    both are refused as input, never a crash while writing the history."""
    review = submit(engine)
    found = _refused_alike(engine, review.id, c.PauseClock(text, "reasons"), BOARD_CHAIR)
    assert found == {("INPUT", "process")}


def test_a_form_with_bad_text_is_refused_whole(engine: ReviewEngine) -> None:
    """RF-2: the request form's text must be storable; nothing is created otherwise."""
    form = attrs.evolve(demo_request(), signed_name="Ada \udc00")
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(form, REQUESTER)
    assert {r.field for r in refused.value.refusals} == {"request.signed_name"}
    assert engine.store.next_reference(2026) == "SCR-2026-001"


def test_su4_review_timescale_is_bounded(engine: ReviewEngine, clock: FixedClock) -> None:
    """SU-4: a review's timescale of more than ten years is an input error (it would
    fall beyond the calendar)."""
    review = to_stage(engine, clock, Stage.SCREENED)
    review = prepare_panel(engine, review.id, meeting=False)
    terms = full_terms(review, today(engine))
    too_long = c.HoldInitialMeeting(attrs.evolve(terms, review_months=LONGEST_MONTHS + 1))
    assert _refused_alike(engine, review.id, too_long, PANEL_CHAIR) == {
        ("SU-4", "terms.review_months")
    }
    far = today(engine) + timedelta(days=FURTHEST_DAYS + 1)
    distant = c.HoldInitialMeeting(attrs.evolve(terms, imr_due=far, overview_due=far))
    assert _refused_alike(engine, review.id, distant, PANEL_CHAIR) == {
        ("SU-7", "terms.imr_due"),
        ("RP-1", "terms.overview_due"),
    }
    held = engine.execute(
        review.id,
        c.HoldInitialMeeting(attrs.evolve(terms, review_months=LONGEST_MONTHS)),
        PANEL_CHAIR,
    )
    assert held.terms_of_reference is not None


def test_ap1_action_timescale_is_bounded(engine: ReviewEngine, clock: FixedClock) -> None:
    """AP-1: an action's timescale of more than ten years is an input error."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    rec = review.overview_report.conclusions.recommendations[0].id
    action = c.AddAction("A-long", rec, "Owner", LONGEST_MONTHS + 1, "Outcome", "Log")
    assert _refused_alike(engine, review.id, action, PANEL_CHAIR) == {("AP-1", "timescale_months")}


def test_extensions_stay_within_the_calendar(engine: ReviewEngine) -> None:
    """PR-a: an extension more than ten years away (up to 9999-12-31) is refused, so a
    later pause can never push a date beyond the calendar."""
    review = submit(engine)
    for new_due in (date.max, today(engine) + timedelta(days=FURTHEST_DAYS + 1)):
        command = c.ExtendDeadline("review_complete", new_due, "Awaiting the trial.")
        assert _refused_alike(engine, review.id, command, BOARD_CHAIR) == {("PR-a", "new_due")}


def test_cr1_found_by_the_chair_is_never_dropped(engine: ReviewEngine) -> None:
    """CR-1: once the Chair has found the adult died with suspected neglect, a later
    assessment cannot forget it and the request can no longer be declined."""
    harm = CriteriaFacts(life_threatening_injury=True, abuse_or_neglect_factor=True)
    review = submit(engine, demo_request(harm))
    found = CriteriaFacts(adult_died=True, abuse_or_neglect_factor=True)
    engine.execute(review.id, c.AssessCriteria(found), BOARD_CHAIR)
    again = engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert again.assessment is not None and again.assessment.mandatory
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.Decline("Not needed."), BOARD_CHAIR)
    assert "CR-1" in refused.value.rules


# --------------------------------------------------------------------------- size limits


def test_a_text_field_over_the_limit_is_refused_naming_it(engine: ReviewEngine) -> None:
    """Hardening 9: a text field longer than 100,000 characters (the default) is
    InvalidRequest naming the field, from execute and explain alike; at the limit it
    is accepted."""
    review = submit(engine)
    long = c.PauseClock("x" * 100_001, "Inquest.")
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, long, BOARD_CHAIR)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("INPUT", "process")]
    assert "100000" in str(refused.value)
    assert engine.explain(review.id, long, BOARD_CHAIR) == list(refused.value.refusals)
    assert engine.history(review.id)[-1].command == "submit_request"
    engine.execute(review.id, c.PauseClock("x" * 100_000, "Inquest."), BOARD_CHAIR)


@pytest.mark.rule("RF-2")
def test_a_request_over_the_limits_is_refused_and_burns_nothing(engine: ReviewEngine) -> None:
    """Hardening 9 and 10: a request form with a text field over the limit is
    InvalidRequest naming the field; nothing is stored and no reference is used up."""
    form = attrs.evolve(demo_request(), other_information="y" * 100_001)
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(form, REQUESTER)
    assert [r.field for r in refused.value.refusals] == ["request.other_information"]
    assert submit(engine).reference == "SCR-2026-001"


def test_limits_are_settings(clock: FixedClock) -> None:
    """Hardening 9: the limits are ProtocolSettings fields; a Board may lower them,
    and a whole command over max_command_length is refused naming the command."""
    strict = ProtocolSettings(version="strict", max_command_length=400)
    engine = ReviewEngine(MemoryStore(), clock, settings=strict)
    with pytest.raises(InvalidRequest) as form:
        engine.submit(demo_request(), REQUESTER)
    assert {r.field for r in form.value.refusals} == {"command"}
    loose = ProtocolSettings(version="loose", max_text_length=1000)
    engine = ReviewEngine(MemoryStore(), clock, settings=loose, known_settings=[strict])
    review = engine.submit(demo_request(), REQUESTER)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.Withdraw("z" * 1001), BOARD_CHAIR)
    assert [r.field for r in refused.value.refusals] == ["reasons"]
    assert ProtocolSettings().max_text_length == 100_000
    assert ProtocolSettings().max_command_length == 1_000_000
    with pytest.raises(InvalidRequest):
        ProtocolSettings(max_text_length=0)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize("name", ["initial_meeting_months", "review_months"])
def test_settings_months_from_one_to_120(name: str) -> None:
    for good in (1, 120):
        assert getattr(ProtocolSettings(**{name: good}), name) == good
    for bad in (0, 121):
        with pytest.raises(InvalidRequest) as caught:
            ProtocolSettings(**{name: bad})
        assert [(r.rule, r.field) for r in caught.value.refusals] == [("INPUT", name)]


@pytest.mark.parametrize(
    "name",
    ["chair_notification_days", "chair_notification_working_days", "initial_meeting_working_days"],
)
def test_settings_days_from_one_to_3660(name: str) -> None:
    for good in (None, 1, 3660):
        assert getattr(ProtocolSettings(**{name: good}), name) == good
    for bad in (0, 3661):
        with pytest.raises(InvalidRequest) as caught:
            ProtocolSettings(**{name: bad})
        assert [(r.rule, r.field) for r in caught.value.refusals] == [("INPUT", name)]


@pytest.mark.parametrize("name", ["max_text_length", "max_command_length"])
def test_settings_input_limits_are_whole_numbers_from_one(name: str) -> None:
    assert getattr(ProtocolSettings(**{name: 1}), name) == 1
    for bad in (0, -1, 2.5, "10", True):
        with pytest.raises(InvalidRequest) as caught:
            ProtocolSettings(**{name: bad})
        assert caught.value.command == "settings"
        found = [(r.rule, r.field, r.kind) for r in caught.value.refusals]
        assert found == [("INPUT", name, RefusalKind.INPUT)], bad


def test_settings_need_a_version_name() -> None:
    with pytest.raises(InvalidRequest) as caught:
        ProtocolSettings(version=" ", review_months=0)
    assert [(r.rule, r.field) for r in caught.value.refusals] == [
        ("INPUT", "version"),
        ("INPUT", "review_months"),
    ]


# --------------------------------------------------------------------------- SU-9, writer


def test_a_command_over_the_text_or_command_limit_is_refused(clock: FixedClock) -> None:
    """The text limit holds for every command, not only for the request form."""
    strict = ProtocolSettings(version="strict", max_text_length=1000)
    engine = ReviewEngine(MemoryStore(), clock, settings=strict)
    rid = engine.submit(demo_request(), REQUESTER).id
    pause = c.PauseClock("criminal proceedings", "z" * 1001)
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(rid, pause, BOARD_CHAIR)
    assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
        ("INPUT", "reasons", RefusalKind.INPUT)
    ]
    assert engine.explain(rid, pause, BOARD_CHAIR) == list(caught.value.refusals)
    paused = engine.execute(rid, c.PauseClock("criminal proceedings", "z" * 1000), BOARD_CHAIR)
    assert paused.paused
