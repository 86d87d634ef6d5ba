"""Findings decisions and actions (SAR-A-1 to SAR-A-4; Sch. 2 para 4(1)(f),(g)).

Sch. 2 para 4(1)(g): the annual report states, "where it decides during that year not
to implement a finding of a review arranged by it under that section, the reasons for
its decision" — so every decision is dated and a decision not to implement carries its
reasons.
"""

from __future__ import annotations

from datetime import date

import attrs

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    Action,
    ActionStatus,
    Implementation,
    PublicationChoice,
)
from support.sar import (
    AGENCIES,
    BOARD,
    CHAIR,
    MANAGER,
    SUBGROUP,
    Run,
    contributor,
    monitored,
    ratified,
    report_drafted,
)

ACTION = Action("A1", "asc", date(2027, 12, 1), "better handovers", "audit", ("F1",))


def _checked() -> Run:
    run = report_drafted()
    for a in AGENCIES:
        run.do(contributor(a.code), c.RecordAgencySignoff(a.code, True))
    return run


def test_sign_off_refused_while_a_finding_lacks_a_decision_sar_a_1() -> None:
    """SAR-A-1: "Sign-off (ratify) is refused while any finding lacks a decision"."""
    run = _checked()
    refusals = run.refusals(BOARD, c.Ratify())
    assert [r.rule for r in refusals] == ["SAR-A-1"] and "F1, F2" in refusals[0].message


def test_not_implement_needs_reasons_and_is_dated_sar_a_1() -> None:
    """SAR-A-1: `not_implement` with reasons and a date (it places the decision in a
    financial year for the annual report's (g)); a later change needs reasons."""
    run = _checked()
    assert run.rules(CHAIR, c.DecideFinding("F2", Implementation.NOT_IMPLEMENT)) == {"SAR-A-1"}
    assert run.rules(CHAIR, c.DecideFinding("F9", Implementation.IMPLEMENT)) == {"INPUT"}
    run.do(CHAIR, c.DecideFinding("F2", Implementation.NOT_IMPLEMENT, "covered nationally"))
    d = run.r.decision_on("F2")
    assert d is not None and d.decided_on == run.today and d.reasons == "covered nationally"
    assert run.rules(CHAIR, c.DecideFinding("F2", Implementation.IMPLEMENT)) == {"SAR-A-1"}
    run.do(CHAIR, c.DecideFinding("F2", Implementation.IMPLEMENT, "new funding"), days=30)
    changed = run.r.decision_on("F2")
    assert changed is not None and changed.decision is Implementation.IMPLEMENT
    assert run.rules(SUBGROUP, c.DecideFinding("F1", Implementation.IMPLEMENT)) == {"SAR-D-1"}
    run.do(BOARD, c.DecideFinding("F1", Implementation.IMPLEMENT))


def test_a_finding_to_implement_needs_an_action_sar_a_1_sar_a_2() -> None:
    """SAR-A-1: `implement` means at least one action (SAR-A-2) serving the finding."""
    run = _checked()
    run.do(CHAIR, c.DecideFinding("F1", Implementation.IMPLEMENT))
    run.do(CHAIR, c.DecideFinding("F2", Implementation.NOT_IMPLEMENT, "no"))
    assert run.rules(BOARD, c.Ratify()) == {"SAR-A-2"}
    run.do(MANAGER, c.AddAction(ACTION))
    run.do(BOARD, c.Ratify())
    assert run.r.stage == "ratified"


def test_action_record_has_owner_timescale_outcome_impact_findings_sar_a_2() -> None:
    """SAR-A-2: owner, timescale, intended outcome, measure of impact, findings served."""
    run = report_drafted()
    bare = Action("A1", "", run.today, "", "", ())
    fields = {(r.rule, r.field) for r in run.refusals(MANAGER, c.AddAction(bare))}
    assert fields == {
        ("SAR-A-2", "action.owner"),
        ("SAR-A-2", "action.intended_outcome"),
        ("SAR-A-2", "action.impact_measure"),
        ("SAR-A-2", "action.due_on"),
        ("SAR-A-2", "action.findings"),
    }


def test_actions_progress_and_complete_with_outcome_sar_a_2_sar_a_3() -> None:
    """SAR-A-3: progress is logged; SAR-A-2: completion records the outcome and impact;
    a discontinued action counts as not implementing (SAR-A-1)."""
    run = monitored()
    assert run.rules(MANAGER, c.RecordActionProgress("A9", "x")) == {"INPUT"}
    run.do(MANAGER, c.RecordActionProgress("A1", "training booked"))
    assert run.rules(MANAGER, c.CompleteAction("A1", "")) == {"SAR-A-2"}
    run.do(MANAGER, c.CompleteAction("A1", "stopped: service decommissioned", discontinued=True))
    assert run.r.actions[0].status is ActionStatus.DISCONTINUED
    assert run.rules(MANAGER, c.CompleteAction("A1", "again")) == {"SAR-A-2"}


def test_closure_needs_actions_done_publication_carried_out_and_annual_report_sar_a_4() -> None:
    """SAR-A-4: every action completed or discontinued; the publication decision
    carried out (SAR-P-5); the findings in a published annual report (A-6(d))."""
    run = monitored()
    refusals = run.refusals(CHAIR, c.CloseReview())
    assert [r.rule for r in refusals] == ["SAR-A-4"] * 3
    run.do(MANAGER, c.CompleteAction("A1", "audit shows handovers improved"))
    run.do(CHAIR, c.DecidePublication(PublicationChoice.DO_NOT_PUBLISH, "family asked"))
    assert len(run.refusals(CHAIR, c.CloseReview())) == 1
    run.review = attrs.evolve(run.r, in_published_annual_report=True)
    run.do(CHAIR, c.CloseReview())
    assert run.r.stage == "closed"


def test_ratified_review_concludes_on_sign_off_by_default_sar_a_7() -> None:
    """SAR-A-7: "Concluded: on the concluded_event date (default: sign-off)"."""
    run = ratified()
    assert run.r.concluded_on == run.r.ratified_on is not None
