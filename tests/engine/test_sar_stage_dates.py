"""A SAR's command is not dated before the review entered its current stage (the
engine's rule ``DATE``, as for an SCR; ``docs/decisions.md``, "Dates after the fact"):
the day is found from what the review records of each step forward, so nothing new is
stored and stores already written judge the same way."""

from __future__ import annotations

from datetime import timedelta

from attrs import evolve

from scr_engine import MemoryStore
from scr_engine.protocols.sar import commands as c
from support import sar as s
from support.sar_engine import EngineRun


def test_a_command_dated_before_the_review_was_decided_is_refused_sar_d_3() -> None:
    """SAR-D-3 then SAR-M-1: the methodology of a SAR decided on day D is not chosen on
    D - 1 (it was not a SAR yet); on D it is."""
    run = s.screened(EngineRun(MemoryStore()))
    assert run.r.decision is not None
    decided = run.r.decision.decided_on
    assert run.r.stage_entered_on == decided
    run.today = decided + timedelta(days=5)
    early = c.ChooseMethodology(s.methodology(), occurred_on=decided - timedelta(days=1))
    refusals = run.engine.explain(run.r.id, early, s.SUBGROUP)
    assert [(r.rule, r.field) for r in refusals] == [("DATE", "occurred_on")]
    assert "became screened" in refusals[0].message and decided.isoformat() in refusals[0].message
    assert run.engine.explain(run.r.id, evolve(early, occurred_on=decided), s.SUBGROUP) == []


def test_each_step_forward_moves_the_day_a_stage_was_entered_sar_m_7_sar_m_11() -> None:
    """SAR-M-7, SAR-M-11, SAR-P-9: commissioned on its day; evidence received within
    ``commissioned`` does not move it, accepting the evidence does (to the last item's
    receipt, the latest day known); the report's submission and the sign-off move it to
    theirs."""
    run = s.commissioned(EngineRun(MemoryStore()))
    commissioned = run.r.commissioned_on
    assert commissioned is not None and run.r.stage_entered_on == commissioned
    plan = run.r.methodology.plan if run.r.methodology else ()
    for item in plan:
        run.do(s.LEAD, c.ReceiveEvidence(item.id), days=2)
        run.do(s.LEAD, c.JudgeEvidence(item.id, True))
    assert run.r.stage == "commissioned" and run.r.stage_entered_on == commissioned
    last = run.today
    run.do(s.LEAD, c.AcceptEvidence(), days=3)
    assert run.r.stage == "evidence_received" and run.r.stage_entered_on == last
    run.do(s.LEAD, c.SubmitReport(s.report()), days=1)
    assert run.r.report is not None and run.r.stage_entered_on == run.r.report.submitted_on
    run = s.ratified(EngineRun(MemoryStore()))
    assert run.r.ratified_on is not None and run.r.stage_entered_on == run.r.ratified_on
