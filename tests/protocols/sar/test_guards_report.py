"""The report, findings, actions, publication, closure, withdrawal and waiver guards
refusal by refusal (SAR-P-1 to SAR-P-8, SAR-A-1 to SAR-A-4, SAR-M-13, SAR-F-6,
SAR-D-2, SAR-D-7, SAR-R-6, SAR-G-1, SAR-G-6).

Each case calls the guard itself and pins every refusal it gives: the rule ID, the
field and the kind, which a caller acts on (the wording is free)."""

from __future__ import annotations

from datetime import date, timedelta

from attrs import evolve

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar import guards_report as r
from scr_engine.protocols.sar.methodology import MethodologyCode
from scr_engine.protocols.sar.records import (
    Action,
    ActionStatus,
    Finding,
    FindingDecision,
    Implementation,
    InvolvementEntry,
    InvolvementLevel,
    Mandate,
    MandateKind,
    Methodology,
    PublicationChoice,
    PublicationRecord,
    PublicationStatus,
    Recommendation,
    Report,
    SarReview,
    WithdrawReason,
)
from scr_engine.protocols.sar.settings import Duration, DurationUnit, SarSettings
from support.sar import (
    BOARD,
    CHAIR,
    LEAD,
    MANAGER,
    START,
    assessment,
    commissioned,
    contributor,
    ctx,
    evidence_received,
    ratified,
    report,
    report_drafted,
    screened,
)

IN, G = RefusalKind.INPUT, RefusalKind.GUARD
LATER = START + timedelta(days=400)


def refused(refusals: list[Refusal]) -> list[tuple[str, str | None, RefusalKind]]:
    """Rule, field and kind of each refusal, in order."""
    return [(x.rule, x.field, x.kind) for x in refusals]


def _action(action_id: str = "A2", *findings: str, interim: bool = False) -> Action:
    return Action(action_id, "asc", LATER, "fewer missed visits", "audit", findings, interim)


# --- SAR-P-1, SAR-P-2, SAR-G-1: the report -------------------------------------------


def test_an_empty_report_names_every_missing_part_sar_p_1_sar_g_1() -> None:
    """SAR-P-1: one refusal on ``report`` naming each missing part (findings,
    recommendations, Appendix 3 under imr_overview); SAR-G-1: the purpose."""
    imr = Methodology(MethodologyCode.IMR_OVERVIEW, "why", "proportionate")
    review = evolve(commissioned().r, methodology=imr)
    found = r.check_submit_report(review, c.SubmitReport(Report()), ctx(LEAD))
    assert refused(found) == [("SAR-P-1", "report", G), ("SAR-G-1", "report.purpose", IN)]
    for part in ("numbered findings", "recommendations linked to findings", "Appendix 3"):
        assert part in found[0].message


def test_findings_are_numbered_texts_and_recommendations_cite_them_sar_p_2() -> None:
    """SAR-P-2: each finding has an id and a text, ids differ, each recommendation
    references findings of the report."""
    review, k = commissioned().r, ctx(LEAD)
    findings = (Finding("F1", "x"), Finding(" ", " "), Finding("F1", "y"))
    recommendations = (Recommendation("R1", "x", ("F1",)), Recommendation("R2", "y", ("F9",)))
    bad = evolve(report(), findings=findings, recommendations=recommendations)
    assert refused(r.check_submit_report(review, c.SubmitReport(bad), k)) == [
        ("SAR-P-2", "report.findings[1].id", IN),
        ("SAR-P-2", "report.findings[1].text", IN),
        ("SAR-P-2", "report.findings", G),
        ("SAR-P-2", "report.recommendations[1]", G),
    ]
    assert r.check_submit_report(review, c.SubmitReport(report()), k) == []


def test_a_revision_needs_reasons() -> None:
    """``request_revision`` (map.md): reasons, an INPUT refusal on ``reasons``."""
    found = r.check_revision(report_drafted().r, c.RequestRevision(" "), ctx(CHAIR))
    assert refused(found) == [("INPUT", "reasons", IN)]


# --- SAR-P-3: accuracy ---------------------------------------------------------------


def test_an_agencys_accuracy_is_confirmed_by_its_own_contributor_sar_p_3() -> None:
    """SAR-P-3: an involved agency (INPUT on ``agency``), by its contributor (SAR-P-3 on
    ``agency``); a dissent is stated (``dissent``)."""
    review = report_drafted().r
    stranger = c.RecordAgencySignoff("zz", False)
    assert refused(r.check_agency_signoff(review, stranger, ctx(contributor("asc")))) == [
        ("INPUT", "agency", IN),
        ("SAR-P-3", "agency", G),
        ("SAR-P-3", "dissent", IN),
    ]
    own = c.RecordAgencySignoff("asc", False, "the dates are wrong")
    assert r.check_agency_signoff(review, own, ctx(contributor("asc"))) == []


def test_nothing_of_the_report_is_dated_before_it_was_submitted_sar_p_3_sar_a_1_sar_p_9() -> None:
    """SAR-P-3, SAR-A-1, SAR-P-9: an agency's accuracy check, a finding's decision and
    the SAB's sign-off recorded after the fact (``occurred_on``) cannot precede the day
    the report was submitted (the sign-off's day is the review's ``concluded_on``,
    SAR-A-7): each is refused on ``occurred_on``."""
    review, submitted, _ = _signed("confirmed", None)
    early = submitted - timedelta(days=1)
    signoff = c.RecordAgencySignoff("asc", True, occurred_on=early)
    assert refused(r.check_agency_signoff(review, signoff, ctx(contributor("asc")))) == [
        ("SAR-P-3", "occurred_on", IN)
    ]
    decided = c.DecideFinding("F1", Implementation.IMPLEMENT, "changed", occurred_on=early)
    assert refused(r.check_decide_finding(review, decided, ctx(CHAIR))) == [
        ("SAR-A-1", "occurred_on", IN)
    ]
    assert refused(r.check_ratify(review, c.Ratify(occurred_on=early), ctx(BOARD))) == [
        ("SAR-P-9", "occurred_on", IN)
    ]
    on_the_day = c.RecordAgencySignoff("asc", True, occurred_on=submitted)
    assert r.check_agency_signoff(review, on_the_day, ctx(contributor("asc"))) == []
    assert r.check_ratify(review, c.Ratify(occurred_on=submitted), ctx(BOARD)) == []


def _signed(said: str, days: int | None) -> tuple[SarReview, date, SarSettings]:
    """A drafted report, its findings decided, ``said`` by asc; the accuracy window."""
    review = report_drafted().r
    assert review.report is not None and review.report.submitted_on is not None
    submitted = review.report.submitted_on
    review = evolve(
        review,
        signoffs={"asc": said, "nhs": "confirmed", "housing": "confirmed"},
        findings_decisions=(
            FindingDecision("F1", Implementation.IMPLEMENT, START),
            FindingDecision("F2", Implementation.NOT_IMPLEMENT, START, "covered"),
        ),
        actions=(_action("A1", "F1"),),
    )
    window = None if days is None else Duration(days)
    return review, submitted, SarSettings(accuracy_window_days=window)


def test_a_dissent_blocks_ratification_until_its_window_closes_sar_p_3() -> None:
    """SAR-P-3: a dissent blocks while ``accuracy_window_days`` runs (the day it ends
    it no longer does); with no window set it blocks."""
    review, submitted, settings = _signed("the dates are wrong", 10)
    on = submitted + timedelta(days=10)
    assert r.check_ratify(review, c.Ratify(), ctx(BOARD, on, settings)) == []
    early = ctx(BOARD, on - timedelta(days=1), settings)
    assert refused(r.check_ratify(review, c.Ratify(), early)) == [("SAR-P-3", None, G)]
    review, _, unset = _signed("the dates are wrong", None)
    assert refused(r.check_ratify(review, c.Ratify(), ctx(BOARD, LATER, unset))) == [
        ("SAR-P-3", None, G)
    ]
    assert (
        r.check_ratify(
            review, c.Ratify(), ctx(BOARD, LATER, SarSettings(agency_accuracy_check=False))
        )
        == []
    )


def test_the_accuracy_window_counts_the_boards_bank_holidays_sar_p_3() -> None:
    """SAR-P-3: a window in working days skips the Board's calendar's bank holidays
    (St Andrew's Day in Scotland)."""
    review, _, _ = _signed("dissent", 1)
    monday = date(2027, 11, 29)
    assert review.report is not None
    review = evolve(review, report=evolve(review.report, submitted_on=monday))
    window = Duration(1, DurationUnit.WORKING_DAYS)
    england = SarSettings(accuracy_window_days=window)
    scotland = evolve(england, bank_holiday_calendar="scotland")
    tuesday = monday + timedelta(days=1)
    assert r.check_ratify(review, c.Ratify(), ctx(BOARD, tuesday, england)) == []
    assert refused(r.check_ratify(review, c.Ratify(), ctx(BOARD, tuesday, scotland))) == [
        ("SAR-P-3", None, G)
    ]


def test_ratifying_without_a_report_asks_every_agency_sar_p_3_sar_a_1() -> None:
    """SAR-A-1 (no findings to decide), SAR-P-3 (every agency's check outstanding)."""
    assert refused(r.check_ratify(screened().r, c.Ratify(), ctx(BOARD))) == [
        ("SAR-P-3", None, G),
        ("SAR-P-3", None, G),
        ("SAR-P-3", None, G),
    ]


# --- SAR-F-6: family sight -----------------------------------------------------------


def test_family_response_from_a_person_at_see_report_with_handling_sar_f_6() -> None:
    """SAR-F-6: a person of the plan at ``see_report`` (``person_id``); a response says
    how it was handled (``handling``)."""
    review, k = report_drafted().r, ctx(MANAGER)
    stranger = c.RecordFamilyResponse("zz", responded_on=START)
    assert refused(r.check_family_response(review, stranger, k)) == [
        ("SAR-F-6", "person_id", G),
        ("SAR-F-6", "handling", IN),
    ]
    handled = c.RecordFamilyResponse("sister", responded_on=START, handling="added a section")
    assert r.check_family_response(review, handled, k) == []


def _family(*entries: InvolvementEntry) -> SarReview:
    return evolve(ratified().r, involvement=entries)


def test_family_sight_is_given_and_answered_or_its_window_closed_sar_f_6() -> None:
    """SAR-F-6: each person at ``see_report`` was sent the draft and responded, or the
    window closed; people at other levels are not asked."""
    informed = InvolvementEntry("bro", "brother", InvolvementLevel.INFORMED, START)
    unsent = InvolvementEntry("sis", "sister", InvolvementLevel.SEE_REPORT, START)
    answered_unsent = evolve(unsent, responded_on=START)
    k = ctx(MANAGER)
    assert refused(r.family_sight_problems(_family(informed, unsent), k)) == [("SAR-F-6", None, G)]
    assert refused(r.family_sight_problems(_family(answered_unsent), k)) == [("SAR-F-6", None, G)]
    sent = evolve(unsent, sight_sent_on=START)
    window = SarSettings(family_sight_days=Duration(28))
    closed = ctx(MANAGER, START + timedelta(days=28), window)
    assert r.family_sight_problems(_family(sent), closed) == []
    open_ = ctx(MANAGER, START + timedelta(days=27), window)
    assert refused(r.family_sight_problems(_family(sent), open_)) == [("SAR-F-6", None, G)]
    assert r.family_sight_problems(_family(evolve(sent, responded_on=START)), k) == []
    off = ctx(MANAGER, settings=SarSettings(family_sight_required=False))
    assert r.family_sight_problems(_family(unsent), off) == []


# --- SAR-A-1, SAR-A-2, SAR-M-13: findings and actions --------------------------------


def test_a_finding_decision_names_a_finding_and_its_reasons_sar_a_1() -> None:
    """SAR-A-1: a finding of the report (INPUT on ``finding``); ``not_implement`` and a
    changed decision give reasons."""
    k = ctx(CHAIR)
    no_report = screened().r
    decide = c.DecideFinding("F1", Implementation.NOT_IMPLEMENT)
    assert refused(r.check_decide_finding(no_report, decide, k)) == [
        ("INPUT", "finding", IN),
        ("SAR-A-1", "reasons", IN),
    ]
    decided = ratified().r
    change = c.DecideFinding("F1", Implementation.IMPLEMENT)
    assert refused(r.check_decide_finding(decided, change, k)) == [("SAR-A-1", "reasons", IN)]
    assert r.check_decide_finding(decided, evolve(change, reasons="new evidence"), k) == []


def test_an_action_is_complete_new_and_serves_findings_sar_a_2() -> None:
    """SAR-A-2: id, owner, outcome, measure, a timescale after today, a new id, and
    (after the report) findings of the report."""
    review, k = ratified().r, ctx(MANAGER)
    bare = Action(" ", " ", START, " ", " ")
    assert refused(r.check_add_action(review, c.AddAction(bare), k)) == [
        ("SAR-A-2", "action.id", IN),
        ("SAR-A-2", "action.owner", IN),
        ("SAR-A-2", "action.intended_outcome", IN),
        ("SAR-A-2", "action.impact_measure", IN),
        ("SAR-A-2", "action.due_on", IN),
        ("SAR-A-2", "action.findings", G),
    ]
    again = c.AddAction(_action("A1", "F9"))
    assert refused(r.check_add_action(review, again, k)) == [
        ("SAR-A-2", "action.id", G),
        ("SAR-A-2", "action.findings", G),
    ]
    assert r.check_add_action(review, c.AddAction(_action("A2", "F1")), k) == []


def test_before_the_report_only_interim_actions_sar_m_13() -> None:
    """SAR-M-13: screened, commissioned or with evidence received, an action is interim
    (``action.interim``) and needs no finding."""
    k = ctx(MANAGER)
    for review in (screened().r, commissioned().r, evidence_received().r):
        assert refused(r.check_add_action(review, c.AddAction(_action()), k)) == [
            ("SAR-M-13", "action.interim", G)
        ]
        assert r.check_add_action(review, c.AddAction(_action(interim=True)), k) == []


def test_progress_and_completion_name_an_open_action_sar_a_3_sar_a_2() -> None:
    """SAR-A-3 (progress on an action, with a note), SAR-A-2 (an open action completed
    with its outcome)."""
    review, k = ratified().r, ctx(MANAGER)
    assert refused(r.check_progress(review, c.RecordActionProgress("A9", " "), k)) == [
        ("INPUT", "action", IN),
        ("SAR-A-3", "note", IN),
    ]
    assert r.check_progress(review, c.RecordActionProgress("A1", "audit booked"), k) == []
    assert refused(r.check_complete_action(review, c.CompleteAction("A9", " "), k)) == [
        ("INPUT", "action", IN),
        ("SAR-A-2", "outcome", IN),
    ]
    closed = evolve(review, actions=(evolve(review.actions[0], status=ActionStatus.COMPLETED),))
    assert refused(r.check_complete_action(closed, c.CompleteAction("A1", "done"), k)) == [
        ("SAR-A-2", "action", G)
    ]
    assert r.check_complete_action(review, c.CompleteAction("A1", "done"), k) == []


def test_actions_and_the_close_are_not_dated_too_early_sar_a_2_sar_a_3_sar_a_4() -> None:
    """SAR-A-2, SAR-A-3: progress on an action and its completion recorded after the
    fact (``occurred_on``) cannot precede the day the action was added; SAR-A-4: the
    review cannot close before its last action was completed or discontinued. Each is
    refused on ``occurred_on``."""
    review, k = ratified().r, ctx(MANAGER)
    added = START + timedelta(days=10)
    early = added - timedelta(days=1)
    review = evolve(review, actions=(evolve(review.actions[0], created_on=added),))
    progress = c.RecordActionProgress("A1", "audit booked", early)
    assert refused(r.check_progress(review, progress, k)) == [("SAR-A-3", "occurred_on", IN)]
    done = c.CompleteAction("A1", "done", occurred_on=early)
    assert refused(r.check_complete_action(review, done, k)) == [("SAR-A-2", "occurred_on", IN)]
    assert (
        r.check_complete_action(review, c.CompleteAction("A1", "done", occurred_on=added), k) == []
    )
    ended = added + timedelta(days=5)
    completed = evolve(review.actions[0], status=ActionStatus.COMPLETED, closed_on=ended)
    closing = evolve(review, actions=(completed,))
    before = c.CloseReview(occurred_on=ended - timedelta(days=1))
    assert ("SAR-A-4", "occurred_on", IN) in refused(r.check_close(closing, before, ctx(CHAIR)))
    on_the_day = refused(r.check_close(closing, c.CloseReview(occurred_on=ended), ctx(CHAIR)))
    assert ("SAR-A-4", "occurred_on", IN) not in on_the_day


def test_dissemination_says_to_whom_and_how_sar_p_8() -> None:
    """SAR-P-8: to whom (``to_whom``) and by what means (``means``)."""
    found = r.check_dissemination(ratified().r, c.RecordDissemination(" ", " "), ctx(MANAGER))
    assert refused(found) == [("SAR-P-8", "to_whom", IN), ("SAR-P-8", "means", IN)]


# --- SAR-P-4 to SAR-P-7: publication -------------------------------------------------


def test_a_publication_decision_gives_what_each_choice_needs_sar_p_5() -> None:
    """SAR-P-5: a deferral names the event and a review date after today; not
    publishing gives reasons; while criminal proceedings are pending, not deferring
    gives reasons; nothing is decided once published."""
    review, k = ratified().r, ctx(CHAIR)
    defer = c.DecidePublication(PublicationChoice.DEFER, review_on=START)
    assert refused(r.check_decide_publication(review, defer, k)) == [
        ("SAR-P-5", "defer_until_event", IN),
        ("SAR-P-5", "review_on", IN),
    ]
    dated = c.DecidePublication(PublicationChoice.DEFER, "", "the trial", START + timedelta(days=1))
    assert r.check_decide_publication(review, dated, k) == []
    silent = c.DecidePublication(PublicationChoice.DO_NOT_PUBLISH)
    assert refused(r.check_decide_publication(review, silent, k)) == [("SAR-P-5", "reasons", IN)]
    pending = evolve(review, criminal_proceedings_pending=True)
    publish = c.DecidePublication(PublicationChoice.PUBLISH_FULL)
    assert refused(r.check_decide_publication(pending, publish, k)) == [("SAR-P-5", "reasons", IN)]
    assert r.check_decide_publication(review, publish, k) == []
    done = evolve(review, publication=PublicationRecord(PublicationStatus.PUBLISHED))
    assert refused(r.check_decide_publication(done, publish, k)) == [("SAR-P-5", None, G)]


def test_publishing_the_terms_of_reference_needs_them_agreed_sar_p_4_sar_p_6_sar_p_7() -> None:
    """SAR-P-7 (URL, version), SAR-P-6 (cleared), SAR-P-4 (terms agreed, on ``what``)."""
    k = ctx(MANAGER)
    tor = c.RecordPublication(c.PublishedWhat.TERMS_OF_REFERENCE, " ", " ")
    assert refused(r.check_record_publication(screened().r, tor, k)) == [
        ("SAR-P-7", "url", IN),
        ("SAR-P-7", "version", IN),
        ("SAR-P-6", "cleared", G),
        ("SAR-P-4", "what", G),
    ]
    ok = c.RecordPublication(
        c.PublishedWhat.TERMS_OF_REFERENCE, "https://sab.example/tor", cleared=True
    )
    assert r.check_record_publication(commissioned().r, ok, k) == []


def test_publishing_the_report_follows_the_decision_sar_p_5_sar_f_6() -> None:
    """SAR-P-5: only once decided to publish (on ``what``), the full report only if the
    decision was not a summary; SAR-F-6: family sight first."""
    review, k = ratified().r, ctx(MANAGER)
    full = c.RecordPublication(c.PublishedWhat.REPORT, "https://sab.example/r", cleared=True)
    assert refused(r.check_record_publication(review, full, k)) == [
        ("SAR-P-5", "what", G),
        ("SAR-F-6", None, G),
    ]
    summary_only = PublicationRecord(
        PublicationStatus.TO_PUBLISH, PublicationChoice.PUBLISH_SUMMARY
    )
    decided = evolve(review, publication=summary_only, involvement=())
    assert refused(r.check_record_publication(decided, full, k)) == [("SAR-P-5", "what", G)]
    summary = evolve(full, what=c.PublishedWhat.SUMMARY)
    assert r.check_record_publication(decided, summary, k) == []


def test_publishing_again_says_it_is_published_already_sar_p_5() -> None:
    """SAR-P-5: once the summary is published, recording it again is refused saying it
    is published already, not "decide to publish first" (it was decided)."""
    review, k = ratified().r, ctx(MANAGER)
    published = PublicationRecord(PublicationStatus.PUBLISHED, PublicationChoice.PUBLISH_SUMMARY)
    done = evolve(review, publication=published, involvement=())
    summary = c.RecordPublication(c.PublishedWhat.SUMMARY, "https://sab.example/s", cleared=True)
    refusals = r.check_record_publication(done, summary, k)
    assert refused(refusals) == [("SAR-P-5", "what", G)]
    assert "already" in refusals[0].message and "decide to publish first" not in refusals[0].message


# --- SAR-A-4: closure; withdrawal; SAR-G-6: waivers ----------------------------------


def test_closing_needs_actions_done_publication_and_the_annual_report_sar_a_4() -> None:
    """SAR-A-4: no open action, publication carried out, findings in a published annual
    report: three refusals of SAR-A-4."""
    review, k = ratified().r, ctx(CHAIR)
    assert refused(r.check_close(review, c.CloseReview(), k)) == [
        ("SAR-A-4", None, G),
        ("SAR-A-4", None, G),
        ("SAR-A-4", None, G),
    ]
    done = evolve(
        review,
        actions=(),
        publication=PublicationRecord(PublicationStatus.NOT_PUBLISHED),
        in_published_annual_report=True,
    )
    assert r.check_close(done, c.CloseReview(), k) == []


def test_withdrawal_by_reason_sar_d_2_sar_d_7_sar_r_6() -> None:
    """``withdraw``: details (INPUT); criteria not met on new information (SAR-D-2 on
    ``reason``); merged (SAR-D-7, the joint review on ``linked``); transferred (SAR-R-6,
    the SAB on ``linked``); ``other`` only for a discretionary SAR (SAR-D-2)."""
    review, k = screened().r, ctx(CHAIR)
    reasons = WithdrawReason
    assert refused(
        r.check_withdraw(review, c.Withdraw(reasons.CRITERIA_NOT_MET_ON_NEW_INFORMATION), k)
    ) == [
        ("INPUT", "details", IN),
        ("SAR-D-2", "reason", G),
    ]
    not_met = evolve(review, assessments=(assessment(cond1="not_met", cond2="not_met"),))
    assert (
        r.check_withdraw(not_met, c.Withdraw(reasons.CRITERIA_NOT_MET_ON_NEW_INFORMATION, "new"), k)
        == []
    )
    assert refused(
        r.check_withdraw(review, c.Withdraw(reasons.MERGED_INTO_OTHER_REVIEW, "x"), k)
    ) == [("SAR-D-7", "linked", IN)]
    assert (
        r.check_withdraw(review, c.Withdraw(reasons.MERGED_INTO_OTHER_REVIEW, "x", "DHR-1"), k)
        == []
    )
    assert refused(
        r.check_withdraw(review, c.Withdraw(reasons.TRANSFERRED_TO_OTHER_SAB, "x"), k)
    ) == [("SAR-R-6", "linked", IN)]
    assert (
        r.check_withdraw(review, c.Withdraw(reasons.TRANSFERRED_TO_OTHER_SAB, "x", "Borough"), k)
        == []
    )
    assert refused(r.check_withdraw(review, c.Withdraw(reasons.OTHER, "x"), k)) == [
        ("SAR-D-2", "reason", G)
    ]
    discretionary = evolve(review, mandate=Mandate(MandateKind.DISCRETIONARY))
    assert r.check_withdraw(discretionary, c.Withdraw(reasons.OTHER, "x"), k) == []


def test_a_waiver_is_of_a_waivable_guard_with_reasons_sar_g_6() -> None:
    """SAR-G-6: only a waivable guard (``rule``), with reasons (``reasons``)."""
    found = r.check_waiver(screened().r, c.RecordWaiver("SAR-C-1", " "), ctx(CHAIR))
    assert refused(found) == [("SAR-G-6", "rule", G), ("SAR-G-6", "reasons", IN)]
