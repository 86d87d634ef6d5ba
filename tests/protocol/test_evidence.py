"""Evidence (§6): EV-1 … EV-3 — each agency's IMR received and judged, further
information requested, the overview brief confirmed (``scr_engine.rules.evidence``)."""

from __future__ import annotations

from datetime import date

import pytest

from scr_engine import (
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    PermissionDenied,
    ReviewEngine,
    Stage,
    TransitionRefused,
)
from scr_engine import commands as c
from support.asserts import assert_refused, invalid, refusal_of
from support.builders import (
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    gather_evidence,
    to_stage,
)

# --------------------------------------------------------------------------- EV-1


@pytest.mark.rule("EV-1")
def test_ev1_each_agency_presents_its_imr(engine: ReviewEngine, clock: FixedClock) -> None:
    """EV-1: each agency's IMR is received and recorded with its date; the evidence is
    not accepted while one is missing, and the refusal names who is missing."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    received = engine.execute(
        review.id, c.ReceiveImr("gp", "GP IMR.", ("Review home visits.",)), BUSINESS_MANAGER
    )
    imr = received.imr("gp")
    assert imr is not None
    assert (imr.summary, imr.recommendations, imr.received_on) == (
        "GP IMR.",
        ("Review home visits.",),
        date(2026, 2, 2),
    )
    assert imr.judgement is None
    engine.execute(review.id, c.ConfirmOverviewBrief("Brief."), PANEL_CHAIR)
    refused = refusal_of(engine, review, c.AcceptEvidence(), PANEL_CHAIR)
    assert ("EV-1", "no IMR yet from: asc, police") in {
        (r.rule, r.message) for r in refused.refusals
    }


@pytest.mark.rule("EV-1")
def test_ev1_imr_received_once_and_judged_only_once_received(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """EV-1: an IMR cannot be judged before it is received, nor received again unless
    further information was asked for; an IMR needs content."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    judged_early = refusal_of(
        engine, review, c.JudgeImr("gp", ImrJudgement.SUFFICIENT), PANEL_CHAIR
    )
    assert judged_early.rules == ("EV-1",)
    with pytest.raises(InvalidRequest) as empty:
        engine.execute(review.id, c.ReceiveImr("gp", " "), PANEL_CHAIR)
    assert [(r.rule, r.field) for r in empty.value.refusals] == [("EV-1", "summary")]
    engine.execute(review.id, c.ReceiveImr("gp", "GP IMR."), PANEL_CHAIR)
    again = refusal_of(engine, review, c.ReceiveImr("gp", "GP IMR, again."), PANEL_CHAIR)
    assert again.rules == ("EV-1",)


# --------------------------------------------------------------------------- EV-2


@pytest.mark.rule("EV-2")
def test_ev2_further_information_holds_the_review(engine: ReviewEngine, clock: FixedClock) -> None:
    """EV-2: when the panel finds an IMR insufficient it records what further
    information it needs, and the evidence is not accepted until the writer resubmits
    and the panel judges the IMR sufficient."""
    fresh = to_stage(engine, clock, Stage.PANEL_CONVENED)
    for agency in ("asc", "gp", "police"):
        engine.execute(fresh.id, c.ReceiveImr(agency, f"{agency} IMR."), PANEL_CHAIR)
    engine.execute(fresh.id, c.JudgeImr("asc", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    engine.execute(fresh.id, c.JudgeImr("police", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    asked = engine.execute(
        fresh.id,
        c.JudgeImr("gp", ImrJudgement.FURTHER_INFORMATION_REQUESTED, "Home visit records."),
        PANEL_CHAIR,
    )
    gp = asked.imr("gp")
    assert gp is not None
    assert gp.judgement is ImrJudgement.FURTHER_INFORMATION_REQUESTED
    assert gp.further_information == "Home visit records."
    engine.execute(fresh.id, c.ConfirmOverviewBrief("Brief."), PANEL_CHAIR)
    waiting = refusal_of(engine, fresh, c.AcceptEvidence(), PANEL_CHAIR)
    assert [(r.rule, r.message) for r in waiting.refusals] == [
        ("EV-2", "IMRs not judged sufficient: gp")
    ]

    clock.advance(days=5)
    resubmitted = engine.execute(
        fresh.id, c.ReceiveImr("gp", "GP IMR with visit records."), BUSINESS_MANAGER
    )
    gp = resubmitted.imr("gp")
    assert gp is not None
    assert (gp.judgement, gp.received_on, gp.first_received_on) == (
        None,
        date(2026, 2, 7),
        date(2026, 2, 2),
    )
    engine.execute(fresh.id, c.JudgeImr("gp", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    accepted = engine.execute(fresh.id, c.AcceptEvidence(), PANEL_CHAIR)
    assert accepted.stage is Stage.EVIDENCE_RECEIVED


@pytest.mark.rule("EV-2")
def test_ev2_request_for_more_must_say_what(engine: ReviewEngine, clock: FixedClock) -> None:
    """EV-2: asking for further information without saying what is refused; an IMR is
    judged once per submission."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    engine.execute(review.id, c.ReceiveImr("gp", "GP IMR."), PANEL_CHAIR)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(
            review.id, c.JudgeImr("gp", ImrJudgement.FURTHER_INFORMATION_REQUESTED), PANEL_CHAIR
        )
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("EV-2", "further_information")]
    engine.execute(review.id, c.JudgeImr("gp", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    twice = refusal_of(engine, review, c.JudgeImr("gp", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    assert twice.rules == ("EV-2",)


@pytest.mark.rule("EV-2")
def test_ev2_only_the_panel_chair_judges(engine: ReviewEngine, clock: FixedClock) -> None:
    """EV-2: the panel (its chair) judges an IMR, not the business manager."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    engine.execute(review.id, c.ReceiveImr("gp", "GP IMR."), BUSINESS_MANAGER)
    with pytest.raises(PermissionDenied):
        engine.execute(review.id, c.JudgeImr("gp", ImrJudgement.SUFFICIENT), BUSINESS_MANAGER)


# --------------------------------------------------------------------------- EV-3


@pytest.mark.rule("EV-3")
def test_ev3_brief_confirmed_before_evidence_is_accepted(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """EV-3: the panel confirms the brief for the overview report before the evidence
    stage closes; a blank brief is refused; the brief is recorded."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    gather_evidence(engine, review.id, accept=False, brief=False)
    refused = refusal_of(engine, review, c.AcceptEvidence(), PANEL_CHAIR)
    assert refused.rules == ("EV-3",)
    assert "accept_evidence" not in engine.allowed(review.id, PANEL_CHAIR)
    with pytest.raises(InvalidRequest) as blank:
        engine.execute(review.id, c.ConfirmOverviewBrief(""), PANEL_CHAIR)
    assert [(r.rule, r.field) for r in blank.value.refusals] == [("EV-3", "brief")]
    briefed = engine.execute(
        review.id, c.ConfirmOverviewBrief("Focus on information sharing."), PANEL_CHAIR
    )
    assert briefed.overview_brief == "Focus on information sharing."
    assert "accept_evidence" in engine.allowed(review.id, PANEL_CHAIR)
    assert engine.execute(review.id, c.AcceptEvidence(), PANEL_CHAIR).stage is (
        Stage.EVIDENCE_RECEIVED
    )


# --------------------------------------------------------------------------- commands


@pytest.mark.rule("EV-1")
@pytest.mark.parametrize(
    "command",
    [c.ReceiveImr("fire", "Fire IMR."), c.JudgeImr("fire", ImrJudgement.SUFFICIENT)],
    ids=lambda cmd: cmd.name,
)
def test_unknown_agency_in_evidence_commands(
    engine: ReviewEngine, clock: FixedClock, command: c.Command
) -> None:
    """EV-1: an IMR from, or a judgement on, an agency not involved is bad input."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    refused = invalid(engine, review.id, command, PANEL_CHAIR)
    assert "INPUT" in refused.rules
    assert {r.field for r in refused.refusals if r.rule == "INPUT"} == {"agency"}


# --------------------------------------------------------------------------- evidence, report


@pytest.mark.rule("EV-1")
def test_ev1_an_imr_has_content_and_is_received_once(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    blank = c.ReceiveImr("gp", " ")
    assert_refused(engine, rid, blank, PANEL_CHAIR, "EV-1", "summary", InvalidRequest)
    unjudged = c.JudgeImr("gp", "sufficient")
    assert_refused(engine, rid, unjudged, PANEL_CHAIR, "EV-1", None, TransitionRefused)
    engine.execute(rid, c.ReceiveImr("gp", "The IMR."), PANEL_CHAIR)
    again = c.ReceiveImr("gp", "Another IMR.")
    assert_refused(engine, rid, again, PANEL_CHAIR, "EV-1", None, TransitionRefused)
    engine.execute(rid, c.JudgeImr("gp", "sufficient"), PANEL_CHAIR)
    twice = c.JudgeImr("gp", "sufficient")
    assert_refused(engine, rid, twice, PANEL_CHAIR, "EV-2", None, TransitionRefused)


@pytest.mark.rule("EV-2")
def test_ev2_further_information_says_what(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    engine.execute(rid, c.ReceiveImr("gp", "The IMR."), PANEL_CHAIR)
    command = c.JudgeImr("gp", "further_information_requested", " ")
    assert_refused(engine, rid, command, PANEL_CHAIR, "EV-2", "further_information", InvalidRequest)


@pytest.mark.rule("EV-3")
def test_ev3_the_brief_is_given(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    command = c.ConfirmOverviewBrief(" ")
    assert_refused(engine, rid, command, PANEL_CHAIR, "EV-3", "brief", InvalidRequest)
