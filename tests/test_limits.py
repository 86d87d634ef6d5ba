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
    ReviewEngine,
    Stage,
    TransitionRefused,
)
from scr_engine import (
    commands as c,
)
from scr_engine.demo import BOARD_CHAIR, PANEL_CHAIR, REQUESTER, demo_request, full_terms
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
