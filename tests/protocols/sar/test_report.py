"""The report (SAR-P-1 to SAR-P-3, SAR-P-8 to SAR-P-10), family sight (SAR-F-6),
the involvement plan (SAR-F-1, SAR-F-2, SAR-F-5, SAR-F-7) and the learning purpose
(SAR-G-1)."""

from __future__ import annotations

from datetime import date

import attrs

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.methodology import MethodologyCode
from scr_engine.protocols.sar.records import (
    Finding,
    InvolvementEntry,
    InvolvementLevel,
    Recommendation,
)
from scr_engine.protocols.sar.settings import Duration, DurationUnit, SarSettings
from support.sar import (
    AGENCIES,
    BOARD,
    CHAIR,
    LEAD,
    MANAGER,
    SUBGROUP,
    Run,
    contributor,
    evidence_received,
    ratified,
    report,
    report_drafted,
    screened,
)


def test_a_report_missing_parts_is_refused_naming_them_sar_p_1_sar_g_1() -> None:
    """SAR-P-1: "A report missing any of these cannot be accepted"; SAR-G-1: it states
    the purpose — to identify lessons, not to apportion blame."""
    run = evidence_received()
    empty = attrs.evolve(report(), analysis="", summary="", recommendations=(), purpose="")
    refusals = run.refusals(LEAD, c.SubmitReport(empty))
    assert [(r.rule, r.field) for r in refusals] == [
        ("SAR-P-1", "report"),
        ("SAR-G-1", "report.purpose"),
    ]
    assert "analysis" in refusals[0].message and "publishable summary" in refusals[0].message


def test_imr_overview_also_needs_appendix3_sar_p_1_sar_m_2() -> None:
    """SAR-P-1, SAR-M-2: "Under imr_overview, the SCR Appendix 3 sections are also
    required"."""
    run = evidence_received()
    assert run.r.methodology is not None
    imr = attrs.evolve(run.r.methodology, code=MethodologyCode.IMR_OVERVIEW)
    run.review = attrs.evolve(run.r, methodology=imr)
    refusals = run.refusals(LEAD, c.SubmitReport(report()))
    assert [r.rule for r in refusals] == ["SAR-P-1"] and "Appendix 3" in refusals[0].message
    with_sections = attrs.evolve(report(), appendix3={"genogram": "attached"})
    assert run.refusals(LEAD, c.SubmitReport(with_sections)) == []


def test_findings_are_records_recommendations_reference_them_sar_p_2() -> None:
    """SAR-P-2: findings have an id, text and theme; recommendations reference them."""
    run = evidence_received()
    bad = attrs.evolve(
        report(),
        findings=(Finding("F1", "x"), Finding("F1", "")),
        recommendations=(Recommendation("R1", "do", ("F9",)),),
    )
    fields = [r.field for r in run.refusals(LEAD, c.SubmitReport(bad)) if r.rule == "SAR-P-2"]
    assert fields == ["report.findings[1].text", "report.findings", "report.recommendations[0]"]
    run.do(LEAD, c.SubmitReport(report()))
    assert run.r.report is not None and run.r.report.submitted_on == run.today


def test_accuracy_checked_by_each_agency_before_sign_off_sar_p_3() -> None:
    """SAR-P-3: each contributing agency confirms accuracy (setting
    `agency_accuracy_check`); a dissent is recorded and stops blocking once
    `accuracy_window_days` has passed."""
    run = report_drafted()
    assert run.rules(contributor("nhs"), c.RecordAgencySignoff("asc", True)) == {"SAR-P-3"}
    assert run.rules(contributor("asc"), c.RecordAgencySignoff("asc", False)) == {"SAR-P-3"}
    run.do(contributor("asc"), c.RecordAgencySignoff("asc", False, "the timeline is wrong"))
    assert "SAR-P-3" in run.rules(BOARD, c.Ratify())
    window = Run(SarSettings(accuracy_window_days=Duration(10, DurationUnit.WORKING_DAYS)))
    report_drafted(window)
    for a in AGENCIES:
        window.do(contributor(a.code), c.RecordAgencySignoff(a.code, a.code != "asc", "dissent"))
    assert "SAR-P-3" in window.rules(BOARD, c.Ratify())
    window.today = date(2027, 12, 1)
    assert "SAR-P-3" not in window.rules(BOARD, c.Ratify())
    off = Run(SarSettings(agency_accuracy_check=False))
    report_drafted(off)
    assert "SAR-P-3" not in off.rules(BOARD, c.Ratify())


def test_dissemination_recorded_sar_p_8() -> None:
    """SAR-P-8: to whom, by what means, feedback routes."""
    run = report_drafted()
    assert run.rules(MANAGER, c.RecordDissemination("", "")) == {"SAR-P-8"}
    run.do(MANAGER, c.RecordDissemination("GPs", "a seven-minute briefing", "survey"))


def test_only_the_sab_signs_off_sar_p_9() -> None:
    """SAR-P-9: only the board, or the board_chair on its behalf, signs off; the date is
    the default `concluded_on` (SAR-A-7)."""
    run = ratified()
    assert run.r.stage == "ratified" and run.r.concluded_on == run.r.ratified_on
    other = report_drafted()
    assert "SAR-P-9" in other.rules(SUBGROUP, c.Ratify())
    assert "SAR-P-9" not in other.rules(CHAIR, c.Ratify())


def test_revision_sends_the_report_back_with_reasons() -> None:
    """``request_revision`` (map.md) returns to `evidence_received` with reasons
    (SAR-P-1 is judged again on resubmission)."""
    run = report_drafted()
    assert run.rules(SUBGROUP, c.RequestRevision(" ")) == {"INPUT"}
    run.do(SUBGROUP, c.RequestRevision("the analysis needs the housing chronology"))
    assert run.r.stage == "evidence_received"


def test_involvement_plan_per_person_sar_f_1_sar_f_2_sar_f_5() -> None:
    """SAR-F-1: each person's relationship, contact, wishes and level; "not contacted"
    needs a reason. SAR-F-2: when they were told what the SAR is for (a date).
    SAR-F-5: not invited, or declined, needs the reason."""
    run = screened()
    bare = InvolvementEntry("bro", "", InvolvementLevel.DECLINED)
    assert {(r.rule, r.field) for r in run.refusals(MANAGER, c.RecordInvolvement(bare))} == {
        ("SAR-F-1", "entry.relationship"),
        ("SAR-F-1", "entry.not_contacted_reason"),
        ("SAR-F-5", "entry.not_invited_reason"),
    }
    told = InvolvementEntry(
        "sis", "sister", InvolvementLevel.SEE_REPORT, contacted_on=run.today, informed_on=run.today
    )
    run.do(MANAGER, c.RecordInvolvement(told))
    run.do(MANAGER, c.RecordInvolvement(attrs.evolve(told, wishes="to meet the reviewer")))
    assert len(run.r.involvement) == 1 and run.r.involvement[0].informed_on == run.today


def test_family_sight_before_publication_sar_f_6() -> None:
    """SAR-F-6: people at `see_report` receive the draft with a response window;
    their comments and handling are recorded; only they are asked."""
    run = report_drafted()
    assert run.rules(LEAD, c.RecordFamilyResponse("nobody")) == {"SAR-F-6"}
    run.do(LEAD, c.RecordFamilyResponse("sister", sent_on=run.today))
    reply = c.RecordFamilyResponse("sister", responded_on=run.today)
    assert run.rules(LEAD, reply) == {"SAR-F-6"}
    run.do(LEAD, c.RecordFamilyResponse("sister", responded_on=run.today, handling="added to 4.2"))
    assert run.r.involvement[0].responded_on == run.today


def test_other_family_support_is_optional_data_sar_f_7() -> None:
    """SAR-F-7: bereavement advocacy or other support is optional data, not a duty:
    nothing refuses a plan without it, and what is given is kept on the person's
    entry."""
    run = screened()
    entry = InvolvementEntry("sis", "sister", contacted_on=run.today, communication_needs="BSL")
    assert run.refusals(MANAGER, c.RecordInvolvement(entry)) == []
    supported = attrs.evolve(entry, other_support="specialist bereavement advocacy (AAFDA)")
    run.do(MANAGER, c.RecordInvolvement(supported))
    kept = [e for e in run.r.involvement if e.person_id == "sis"]
    assert [e.other_support for e in kept] == ["specialist bereavement advocacy (AAFDA)"]
