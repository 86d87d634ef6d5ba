"""Evidence (§6), the report and the action plan (§7, Appendices 2–3): EV-1 … EV-3,
RP-1 … RP-7, AP-1 … AP-3 and OW-1."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from scr_engine import (
    Actor,
    DeadlineStatus,
    Dissemination,
    ExecutiveSummary,
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    PermissionDenied,
    Review,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
    WriterMeetingPurpose,
)
from scr_engine import commands as c
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    draft_report,
    full_report,
    full_terms,
    gather_evidence,
    panel_member,
    plan_actions,
    prepare_panel,
    to_stage,
    today,
)


def _refusal(
    engine: ReviewEngine, review: Review, command: c.Command, actor: Actor
) -> TransitionRefused:
    version = engine.get(review.id).version
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, command, actor)
    assert engine.get(review.id).version == version  # nothing recorded
    return refused.value


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
    refused = _refusal(engine, review, c.AcceptEvidence(), PANEL_CHAIR)
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
    judged_early = _refusal(engine, review, c.JudgeImr("gp", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    assert judged_early.rules == ("EV-1",)
    with pytest.raises(InvalidRequest) as empty:
        engine.execute(review.id, c.ReceiveImr("gp", " "), PANEL_CHAIR)
    assert [(r.rule, r.field) for r in empty.value.refusals] == [("EV-1", "summary")]
    engine.execute(review.id, c.ReceiveImr("gp", "GP IMR."), PANEL_CHAIR)
    again = _refusal(engine, review, c.ReceiveImr("gp", "GP IMR, again."), PANEL_CHAIR)
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
    waiting = _refusal(engine, fresh, c.AcceptEvidence(), PANEL_CHAIR)
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
    twice = _refusal(engine, review, c.JudgeImr("gp", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
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
    refused = _refusal(engine, review, c.AcceptEvidence(), PANEL_CHAIR)
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


# --------------------------------------------------------------------------- RP-1


@pytest.mark.rule("RP-1")
def test_rp1_late_report_is_accepted_and_reported(engine: ReviewEngine, clock: FixedClock) -> None:
    """RP-1: the report is due on the date set at the initial meeting; a late report
    is still accepted (never blocked) and the deadline shows it missed."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    terms = review.terms_of_reference
    assert terms is not None
    due = terms.overview_due
    clock.set(clock.now().replace(year=due.year, month=due.month, day=due.day))
    clock.advance(days=3)
    overdue = {d.key: d for d in engine.deadlines(review.id)}["overview_report"]
    assert (overdue.status, overdue.days_late, overdue.rule) == (
        DeadlineStatus.OVERDUE,
        3,
        "RP-1",
    )
    drafted = draft_report(engine, review.id)
    assert drafted.stage is Stage.OVERVIEW_DRAFTED
    met = {d.key: d for d in engine.deadlines(review.id)}["overview_report"]
    assert (met.due_on, met.status, met.days_late) == (due, DeadlineStatus.MISSED, 3)


@pytest.mark.rule("RP-1")
def test_rp1_report_cannot_fall_due_before_the_imrs(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-1: the timescale set at the initial meeting is coherent: the overview report
    cannot be due before the IMRs it draws on."""
    review = to_stage(engine, clock, Stage.SCREENED)
    prepare_panel(engine, review.id, meeting=False)
    terms = full_terms(engine.get(review.id), today(engine))
    bad = attrs.evolve(terms, overview_due=terms.imr_due - timedelta(days=1))
    refused = _refusal(engine, review, c.HoldInitialMeeting(bad), PANEL_CHAIR)
    assert [(r.rule, r.field) for r in refused.refusals] == [("RP-1", "terms.overview_due")]


# --------------------------------------------------------------------------- RP-2


@pytest.mark.rule("RP-2")
def test_rp2_report_missing_sections_is_refused(engine: ReviewEngine, clock: FixedClock) -> None:
    """RP-2: a report lacking an Appendix 3 section is refused naming each one: blank
    sections, a chronology without an agency, IMR recommendations left out."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    report = full_report(review)
    bad = attrs.evolve(
        report,
        introduction=attrs.evolve(report.introduction, contributors=""),
        analysis=attrs.evolve(report.analysis, good_practice=" "),
        facts=attrs.evolve(
            report.facts,
            chronology=tuple(e for e in report.facts.chronology if e.agency != "police"),
        ),
        conclusions=attrs.evolve(
            report.conclusions,
            recommendations=tuple(
                r for r in report.conclusions.recommendations if r.source != "gp"
            ),
        ),
    )
    refused = _refusal(engine, review, c.SubmitOverviewReport(bad), OVERVIEW_WRITER)
    assert set(refused.rules) == {"RP-2"}
    assert [(r.field, r.message) for r in refused.refusals] == [
        (
            "report.introduction.contributors",
            "the report lacks the Appendix 3 section introduction.contributors",
        ),
        (
            "report.analysis.good_practice",
            "the report lacks the Appendix 3 section analysis.good_practice",
        ),
        ("report.facts.chronology", "the chronology has no entry from: police"),
        (
            "report.conclusions.recommendations",
            "the recommendations do not include gp's IMR recommendation 'gp to review procedures.'",
        ),
    ]
    assert engine.get(review.id).overview_report is None


@pytest.mark.rule("RP-2")
def test_rp2_every_recommendation_of_every_imr_is_in_the_report(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2 (Appendix 3, Conclusions (b)): the report's recommendations include each
    recommendation made in an IMR, not just one per agency; a recommendation is
    carried when its text is the same once white space is normalised."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    first = review.imr_agencies[0]
    two = (f"{first} to train staff.", f"{first} to audit   referrals.")
    engine.execute(review.id, c.ReceiveImr(first, "IMR.", two), PANEL_CHAIR)
    engine.execute(review.id, c.JudgeImr(first, ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    review = gather_evidence(engine, review.id, skip=(first,))
    report = full_report(review)
    recs = report.conclusions.recommendations
    kept = tuple(r for r in recs if r.text != two[1])
    bad = attrs.evolve(report, conclusions=attrs.evolve(report.conclusions, recommendations=kept))
    refused = _refusal(engine, review, c.SubmitOverviewReport(bad), OVERVIEW_WRITER)
    assert [(r.rule, r.message) for r in refused.refusals] == [
        (
            "RP-2",
            f"the recommendations do not include {first}'s IMR recommendation {two[1]!r}",
        )
    ]
    spaced = tuple(
        attrs.evolve(r, text=f"  {first} to audit\nreferrals. ") if r.text == two[1] else r
        for r in recs
    )
    good = attrs.evolve(
        report, conclusions=attrs.evolve(report.conclusions, recommendations=spaced)
    )
    submitted = engine.execute(review.id, c.SubmitOverviewReport(good), OVERVIEW_WRITER)
    assert submitted.stage is Stage.OVERVIEW_DRAFTED


@pytest.mark.rule("RP-2")
def test_rp2_complete_report_is_recorded(engine: ReviewEngine, clock: FixedClock) -> None:
    """RP-2: a complete report is recorded, dated, with its chronology marking when the
    adult was seen and their views sought."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    report = full_report(review)
    drafted = engine.execute(review.id, c.SubmitOverviewReport(report), OVERVIEW_WRITER)
    assert drafted.overview_report == attrs.evolve(report, submitted_on=date(2026, 2, 2))
    entries = drafted.overview_report.facts.chronology
    assert all(e.adult_seen and e.views_sought_or_expressed for e in entries)


@pytest.mark.rule("RP-2")
def test_rp2_report_chronology_entries_dated_after_the_submission_are_refused(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2: the integrated chronology records what happened, so an entry dated after
    the day the report is submitted (its ``occurred_on``, today when omitted) is
    refused, naming that entry's date; an entry of that very day is accepted."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    clock.advance(days=10)
    report = full_report(review)
    entries = report.facts.chronology
    day = today(engine) - timedelta(days=3)
    late = (
        entries[0],
        attrs.evolve(entries[1], date=day + timedelta(days=1)),
        *entries[2:],
        attrs.evolve(entries[-1], date=day + timedelta(days=2)),
    )
    bad = attrs.evolve(report, facts=attrs.evolve(report.facts, chronology=late))
    command = c.SubmitOverviewReport(bad, occurred_on=day)
    refused = _refusal(engine, review, command, OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in refused.refusals] == [
        ("RP-2", "report.facts.chronology[1].date"),
        ("RP-2", f"report.facts.chronology[{len(late) - 1}].date"),
    ]
    assert f"after the report was submitted ({day.isoformat()})" in refused.refusals[0].message
    future = attrs.evolve(entries[0], date=today(engine) + timedelta(days=1))
    tomorrow = attrs.evolve(report.facts, chronology=(*entries, future))
    refused = _refusal(
        engine,
        review,
        c.SubmitOverviewReport(attrs.evolve(report, facts=tomorrow)),
        OVERVIEW_WRITER,
    )
    assert [r.field for r in refused.refusals] == [f"report.facts.chronology[{len(entries)}].date"]
    same_day = (*entries, attrs.evolve(entries[0], date=day))
    good = attrs.evolve(report, facts=attrs.evolve(report.facts, chronology=same_day))
    drafted = engine.execute(review.id, c.SubmitOverviewReport(good, day), OVERVIEW_WRITER)
    assert drafted.stage is Stage.OVERVIEW_DRAFTED


@pytest.mark.rule("RP-2")
def test_rp2_revision_sends_the_report_back_for_fresh_signoff(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2: the panel may send the report back, with reasons; sign-offs, actions and
    dissemination of the old draft are cleared for the new one."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id)
    with pytest.raises(InvalidRequest):
        engine.execute(review.id, c.RequestRevision(""), PANEL_CHAIR)
    revised = engine.execute(review.id, c.RequestRevision("The chronology is thin."), PANEL_CHAIR)
    assert revised.stage is Stage.EVIDENCE_RECEIVED
    assert (revised.overview_report, revised.signoffs, revised.actions, revised.dissemination) == (
        None,
        frozenset(),
        (),
        None,
    )


# --------------------------------------------------------------------------- RP-3


@pytest.mark.rule("RP-3")
@pytest.mark.parametrize("summary", [None, ExecutiveSummary("  ")], ids=["none", "blank"])
def test_rp3_report_needs_a_public_executive_summary(
    engine: ReviewEngine, clock: FixedClock, summary: ExecutiveSummary | None
) -> None:
    """RP-3: a report without an executive summary that can be made public is refused."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    bad = attrs.evolve(full_report(review), executive_summary=summary)
    refused = _refusal(engine, review, c.SubmitOverviewReport(bad), OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in refused.refusals] == [("RP-3", "report.executive_summary")]


# --------------------------------------------------------------------------- RP-4


@pytest.mark.rule("RP-4")
def test_rp4_every_agency_signs_off_before_ratification(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: ratification waits until every contributing agency confirms its
    information is fully and fairly represented; sign-offs are recorded."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id, signoffs=False)
    engine.execute(review.id, c.RecordAgencySignoff("gp"), panel_member("gp"))
    refused = _refusal(engine, review, c.Ratify(), BOARD_CHAIR)
    assert [(r.rule, r.message) for r in refused.refusals] == [
        ("RP-4", "not yet confirmed as fairly represented by: asc, police")
    ]
    for agency in ("asc", "police"):
        engine.execute(review.id, c.RecordAgencySignoff(agency), panel_member(agency))
    assert engine.get(review.id).signoffs == {"asc", "gp", "police"}
    assert engine.execute(review.id, c.Ratify(), BOARD_CHAIR).stage is Stage.RATIFIED


@pytest.mark.rule("RP-4")
def test_rp4_only_that_agencys_panel_member_signs_off(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: an agency's confirmation comes from its own appointed panel member: the
    member of another agency, an unappointed person of the agency, or the board chair
    is refused, and an agency signs off once."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    stranger = Actor("u-pm-x", "Unappointed", {Role.PANEL_MEMBER}, "gp")
    for actor in (panel_member("police"), stranger, BOARD_CHAIR):
        with pytest.raises(PermissionDenied) as denied:
            engine.execute(review.id, c.RecordAgencySignoff("gp"), actor)
        assert "RP-4" in denied.value.rules
    assert engine.get(review.id).signoffs == frozenset()
    engine.execute(review.id, c.RecordAgencySignoff("gp"), panel_member("gp"))
    twice = _refusal(engine, review, c.RecordAgencySignoff("gp"), panel_member("gp"))
    assert twice.rules == ("RP-4",)


# --------------------------------------------------------------------------- RP-5


@pytest.mark.rule("RP-5")
def test_rp5_every_recommendation_maps_to_an_action(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-5: ratification is refused while any recommendation lacks an action, naming
    them; an action must answer a recommendation of the report."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id, actions=False)
    engine.execute(
        review.id, c.AddAction("A1", "R1", "Head of Service", 3, "Training.", "Log."), PANEL_CHAIR
    )
    refused = _refusal(engine, review, c.Ratify(), BOARD_CHAIR)
    assert ("RP-5", "recommendations with no action: R2, R-asc, R-gp, R-police") in {
        (r.rule, r.message) for r in refused.refusals
    }
    with pytest.raises(InvalidRequest) as unknown:
        engine.execute(
            review.id, c.AddAction("A9", "R99", "Head", 3, "Training.", "Log."), PANEL_CHAIR
        )
    assert [(r.rule, r.field) for r in unknown.value.refusals] == [("RP-5", "recommendation_id")]


# --------------------------------------------------------------------------- RP-6


@pytest.mark.rule("RP-6")
def test_rp6_dissemination_decided_before_ratification(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-6: to whom and how the report is made available, and how it is disseminated,
    are decided (each part required) and recorded before ratification."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id, dissemination=False)
    refused = _refusal(engine, review, c.Ratify(), BOARD_CHAIR)
    assert refused.rules == ("RP-6",)
    with pytest.raises(InvalidRequest) as blank:
        engine.execute(review.id, c.RecordDissemination(Dissemination(("",), "", "")), PANEL_CHAIR)
    assert {r.field for r in blank.value.refusals} == {
        "dissemination.recipients",
        "dissemination.means",
        "dissemination.processes",
    }
    # SU-10: the media only where the terms of reference have a media strategy.
    press = Dissemination(
        ("Board members", "The family"), "Secure e-mail", "Debriefs to staff.", media=True
    )
    with pytest.raises(InvalidRequest) as no_strategy:
        engine.execute(review.id, c.RecordDissemination(press), PANEL_CHAIR)
    assert [(r.rule, r.field) for r in no_strategy.value.refusals] == [
        ("SU-10", "dissemination.media")
    ]
    plan = attrs.evolve(press, media=False)
    recorded = engine.execute(review.id, c.RecordDissemination(plan), PANEL_CHAIR)
    assert recorded.dissemination == plan


# --------------------------------------------------------------------------- RP-7


@pytest.mark.rule("RP-7")
def test_rp7_only_the_board_ratifies_and_the_date_is_recorded(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-7: ratification is for the Board (or its Chair on its behalf): the panel
    chair is refused citing RP-7; the Board's agreement records the date."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id)
    for actor in (PANEL_CHAIR, BUSINESS_MANAGER, OVERVIEW_WRITER):
        with pytest.raises(PermissionDenied) as denied:
            engine.execute(review.id, c.Ratify(), actor)
        assert denied.value.rules == ("RP-7",)
    board = Actor("u-board", "The Board", {Role.BOARD})
    assert engine.allowed(review.id, board) == ["ratify"]
    clock.advance(days=10)
    ratified = engine.execute(review.id, c.Ratify(), board)
    assert ratified.stage is Stage.RATIFIED
    assert ratified.ratified_on == date(2026, 2, 12)
    assert engine.history(review.id)[-1].role is Role.BOARD


@pytest.mark.rule("RP-7")
def test_rp7_rp4_ratification_backdated_before_the_last_signoff_is_refused(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-7, RP-4: the Board agrees the report after every agency confirmed it (RP-4),
    so a ``ratify`` dated before the last sign-off is refused, naming ``occurred_on``
    and what it depends on, and records nothing; dated that day it is recorded."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    submitted = review.overview_report.submitted_on  # type: ignore[union-attr]
    assert submitted is not None
    clock.advance(days=10)
    last = submitted + timedelta(days=4)
    for n, code in enumerate(review.agencies):
        on = last - timedelta(days=len(review.agencies) - 1 - n)
        engine.execute(review.id, c.RecordAgencySignoff(code, on), panel_member(code))
    plan_actions(engine, review.id, signoffs=False)
    early = c.Ratify(occurred_on=last - timedelta(days=1))
    refused = _refusal(engine, review, early, BOARD_CHAIR)
    assert [(r.rule, r.field) for r in refused.refusals] == [("RP-7", "occurred_on")]
    assert f"before the last agency signed it off (RP-4) ({last})" in refused.refusals[0].message
    assert engine.execute(review.id, c.Ratify(occurred_on=last), BOARD_CHAIR).ratified_on == last


# --------------------------------------------------------------------------- AP-1


@pytest.mark.rule("AP-1")
def test_ap1_action_states_owner_timescale_outcome_monitoring(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """AP-1: an action without who is responsible, a timescale, an intended outcome
    or a monitoring mechanism is refused naming each; a complete one is recorded."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.AddAction("A1", "R1", "", 0, " ", ""), PANEL_CHAIR)
    assert {(r.rule, r.field) for r in refused.value.refusals} == {
        ("AP-1", "owner"),
        ("AP-1", "timescale_months"),
        ("AP-1", "outcome"),
        ("AP-1", "monitoring"),
    }
    added = engine.execute(
        review.id,
        c.AddAction("A1", "R1", "Head of Adult Services", 6, "Staff trained.", "Learning log."),
        PANEL_CHAIR,
    )
    action = added.action("A1")
    assert action is not None
    assert (
        action.recommendation_id,
        action.owner,
        action.timescale_months,
        action.outcome,
        action.monitoring,
    ) == ("R1", "Head of Adult Services", 6, "Staff trained.", "Learning log.")
    with pytest.raises(InvalidRequest) as duplicate:
        engine.execute(review.id, c.AddAction("A1", "R2", "Head", 6, "x", "y"), PANEL_CHAIR)
    assert [r.field for r in duplicate.value.refusals] == ["action_id"]


@pytest.mark.rule("AP-1")
def test_ap1_progress_is_logged_on_open_actions(engine: ReviewEngine, clock: FixedClock) -> None:
    """AP-1: progress notes are dated on the action; a completed action takes no more."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action_id = review.actions[0].id
    clock.advance(days=7)
    noted = engine.execute(
        review.id, c.RecordActionProgress(action_id, "Training booked."), BUSINESS_MANAGER
    )
    action = noted.action(action_id)
    assert action is not None
    assert [(p.on, p.note) for p in action.progress] == [(date(2026, 2, 9), "Training booked.")]
    engine.execute(review.id, c.CompleteAction(action_id, "Trained."), BUSINESS_MANAGER)
    refused = _refusal(engine, review, c.RecordActionProgress(action_id, "More."), BUSINESS_MANAGER)
    assert refused.rules == ("AP-1",)


# --------------------------------------------------------------------------- AP-2


@pytest.mark.rule("AP-2")
def test_ap2_overdue_actions_are_reported(engine: ReviewEngine, clock: FixedClock) -> None:
    """AP-2: each action's timescale is a deadline from ratification; an action still
    open past it is reported overdue, a completed one met."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    first, *rest = review.actions
    engine.execute(review.id, c.CompleteAction(first.id, "Done."), BUSINESS_MANAGER)
    later = date(2026, 6, 1)  # ratified 2 February with 3-month timescales: due 2 May
    by_key = {d.key: d for d in engine.deadlines(review.id, as_of=later)}
    done = by_key[f"action:{first.id}"]
    assert (done.rule, done.due_on, done.status) == ("AP-2", date(2026, 5, 2), DeadlineStatus.MET)
    for action in rest:
        late = by_key[f"action:{action.id}"]
        assert (late.status, late.days_late) == (DeadlineStatus.OVERDUE, 30)


# --------------------------------------------------------------------------- AP-3


@pytest.mark.rule("AP-3")
def test_ap3_close_only_when_every_action_is_completed_and_logged(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """AP-3: closure is refused naming each open action; completing an action needs
    its outcome, which goes into the learning log; then the review closes."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    ids = [a.id for a in review.actions]
    with pytest.raises(InvalidRequest) as no_outcome:
        engine.execute(review.id, c.CompleteAction(ids[0], ""), BUSINESS_MANAGER)
    assert [(r.rule, r.field) for r in no_outcome.value.refusals] == [("AP-3", "outcome")]
    for action_id in ids[:-1]:
        engine.execute(
            review.id, c.CompleteAction(action_id, f"{action_id} done."), BUSINESS_MANAGER
        )
    refused = _refusal(engine, review, c.CloseReview(), BOARD_CHAIR)
    assert ("AP-3", f"actions not completed: {ids[-1]}") in {
        (r.rule, r.message) for r in refused.refusals
    }
    assert "close_review" not in engine.allowed(review.id, BOARD_CHAIR)
    clock.advance(days=30)
    engine.execute(review.id, c.CompleteAction(ids[-1], "All staff trained."), BUSINESS_MANAGER)
    closed = engine.execute(review.id, c.CloseReview(), BOARD_CHAIR)
    assert closed.stage is Stage.CLOSED
    assert closed.closed_on == date(2026, 3, 4)
    assert [(e.action_id, e.outcome) for e in closed.learning_log][-1] == (
        ids[-1],
        "All staff trained.",
    )
    assert {e.action_id for e in closed.learning_log} == set(ids)


# --------------------------------------------------------------------------- OW-1


@pytest.mark.rule("OW-1")
def test_ow1_writer_meetings_recorded_with_purpose(engine: ReviewEngine, clock: FixedClock) -> None:
    """OW-1: meetings between the writer and the panel are recorded with their date and
    App. 2 purpose; a meeting without a purpose is refused."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.RecordWriterMeeting(frozenset()), OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("OW-1", "purposes")]
    purposes = {WriterMeetingPurpose.REVIEW_SCOPE, WriterMeetingPurpose.NEW_ISSUES}
    clock.advance(days=3)
    met = engine.execute(review.id, c.RecordWriterMeeting(purposes, "Scope agreed."), PANEL_CHAIR)
    assert [(m.held_on, m.purposes, m.notes) for m in met.writer_meetings] == [
        (date(2026, 2, 5), frozenset(purposes), "Scope agreed.")
    ]


@pytest.mark.rule("OW-1")
def test_ow1_writer_meetings_continue_through_drafting(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """OW-1: writer meetings may be recorded up to the drafted report (factual
    accuracy, final format), not after ratification."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    meeting = c.RecordWriterMeeting({WriterMeetingPurpose.FACTUAL_ACCURACY}, "Checked facts.")
    drafted = engine.execute(review.id, meeting, OVERVIEW_WRITER)
    assert len(drafted.writer_meetings) == 2
    plan_actions(engine, review.id)
    engine.execute(review.id, c.Ratify(), BOARD_CHAIR)
    refused = _refusal(engine, review, meeting, OVERVIEW_WRITER)
    assert refused.rules == ("MAP",)
