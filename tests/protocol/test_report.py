"""The overview report and the action plan (§7, Appendices 2–3): RP-1 … RP-7 and OW-1
(``scr_engine.rules.report``)."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest

from scr_engine import (
    Actor,
    Agency,
    Appointment,
    DeadlineStatus,
    Dissemination,
    ExecutiveSummary,
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    PermissionDenied,
    RefusalKind,
    Review,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
    WriterMeetingPurpose,
)
from scr_engine import commands as c
from scr_engine.demo import OVERVIEW_WRITER
from scr_engine.serialization import unstructure
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.table import row
from support.asserts import accepted, assert_refused, invalid, refusal_of, unchanged
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    TWO_AUTHORITIES,
    demo_request,
    do,
    draft_report,
    full_report,
    full_terms,
    gather_evidence,
    meeting,
    panel_member,
    plan_actions,
    prepare_panel,
    ready_for_meeting,
    to_stage,
    today,
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
    refused = refusal_of(engine, review, c.HoldInitialMeeting(bad), PANEL_CHAIR)
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
    refused = refusal_of(engine, review, c.SubmitOverviewReport(bad), OVERVIEW_WRITER)
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
    refused = refusal_of(engine, review, c.SubmitOverviewReport(bad), OVERVIEW_WRITER)
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
    refused = refusal_of(engine, review, command, OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in refused.refusals] == [
        ("RP-2", "report.facts.chronology[1].date"),
        ("RP-2", f"report.facts.chronology[{len(late) - 1}].date"),
    ]
    assert f"after the report was submitted ({day.isoformat()})" in refused.refusals[0].message
    future = attrs.evolve(entries[0], date=today(engine) + timedelta(days=1))
    tomorrow = attrs.evolve(report.facts, chronology=(*entries, future))
    refused = refusal_of(
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
    refused = refusal_of(engine, review, c.SubmitOverviewReport(bad), OVERVIEW_WRITER)
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
    refused = refusal_of(engine, review, c.Ratify(), BOARD_CHAIR)
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
    twice = refusal_of(engine, review, c.RecordAgencySignoff("gp"), panel_member("gp"))
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
    refused = refusal_of(engine, review, c.Ratify(), BOARD_CHAIR)
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
    refused = refusal_of(engine, review, c.Ratify(), BOARD_CHAIR)
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
    refused = refusal_of(engine, review, early, BOARD_CHAIR)
    assert [(r.rule, r.field) for r in refused.refusals] == [("RP-7", "occurred_on")]
    assert f"before the last agency signed it off (RP-4) ({last})" in refused.refusals[0].message
    assert engine.execute(review.id, c.Ratify(occurred_on=last), BOARD_CHAIR).ratified_on == last


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
    refused = refusal_of(engine, review, meeting, OVERVIEW_WRITER)
    assert refused.rules == ("MAP",)


# --------------------------------------------------------------------------- RP-2


def _drafting(engine: ReviewEngine, clock: FixedClock) -> Review:
    return to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)


@pytest.mark.rule("RP-2")
def test_rp2_report_built_in_python_with_a_section_missing_names_it(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2: a report built in Python with whole sections (or parts of one) set to
    None is refused naming each missing section — not as a value of the wrong type —
    and nothing is recorded."""
    review = _drafting(engine, clock)
    report = full_report(review)
    spoiled = attrs.evolve(
        report,
        introduction=None,
        analysis=None,
        facts=attrs.evolve(report.facts, overview_of_known=None),
    )
    command = c.SubmitOverviewReport(spoiled)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, command, OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [
        ("RP-2", "report.introduction"),
        ("RP-2", "report.facts.overview_of_known"),
        ("RP-2", "report.analysis"),
    ]
    message = str(refused.value)
    assert "the report lacks the Appendix 3 section introduction" in message
    assert "the report lacks the Appendix 3 section facts.overview_of_known" in message
    assert "expected" not in message and "NoneType" not in message
    assert engine.explain(review.id, command, OVERVIEW_WRITER) == list(refused.value.refusals)
    assert engine.get(review.id).overview_report is None
    accepted = do(engine, review.id, c.SubmitOverviewReport(report), OVERVIEW_WRITER)
    assert accepted.stage is Stage.OVERVIEW_DRAFTED


@pytest.mark.rule("RP-2")
@pytest.mark.rule("RP-3")
def test_rp2_report_sent_as_json_with_a_null_or_absent_section_names_it(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2: JSON whose report gives a section as ``null`` or leaves it out is refused
    by ``commands.from_dict`` naming each missing section; without its executive
    summary, naming RP-3. Optional parts (national lessons) may be left out."""
    review = _drafting(engine, clock)
    data = c.to_dict(c.SubmitOverviewReport(full_report(review)))
    spoiled = copy.deepcopy(data)
    spoiled["report"]["introduction"] = None
    spoiled["report"]["conclusions"]["lessons"] = None
    del spoiled["report"]["facts"]
    del spoiled["report"]["executive_summary"]
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(spoiled)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [
        ("RP-2", "report.introduction"),
        ("RP-2", "report.facts"),
        ("RP-2", "report.conclusions.lessons"),
        ("RP-3", "report.executive_summary"),
    ]
    assert "NoneType" not in str(refused.value)
    name = "submit_overview_report"
    for empty in ({"command": name}, {"command": name, "report": None}):
        with pytest.raises(InvalidRequest) as nothing:
            c.from_dict(empty)
        assert [(r.rule, r.field) for r in nothing.value.refusals] == [("RP-2", "report")]
    del data["report"]["conclusions"]["national_lessons"]
    command = c.from_dict(data)
    accepted = do(engine, review.id, command, OVERVIEW_WRITER)
    assert accepted.stage is Stage.OVERVIEW_DRAFTED


# --------------------------------------------------------------------------- RP-7


@pytest.mark.rule("RP-7")
@pytest.mark.parametrize("role", list(SCR_ROLES), ids=str)
def test_rp7_the_board_ratifies_through_its_chair_or_as_the_board(
    engine: ReviewEngine, clock: FixedClock, role: Role
) -> None:
    """RP-7: the Board ratifies — the board chair records it on the Board's behalf, or
    an actor holding the ``board`` role; an actor in any other role (the appointed
    panel chair included) is refused citing RP-7, and allowed() does not offer it. The
    table and docs/protocol.md say the same."""
    table_row = row("ratify")
    assert table_row.roles == frozenset({Role.BOARD_CHAIR, Role.BOARD})
    assert table_row.role_rule == "RP-7" and "RP-7" in table_row.rules
    doc = (Path(__file__).parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert "| `ratify` | overview_drafted | ratified | board, board_chair |" in doc

    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id)
    person = PANEL_CHAIR.id if role is Role.PANEL_CHAIR else f"u-{role.value}"
    actor = Actor(person, f"Someone as {role.value}", {role}, "gp")
    if role in (Role.BOARD_CHAIR, Role.BOARD):
        assert "ratify" in engine.allowed(review.id, actor)
        ratified = do(engine, review.id, c.Ratify(), actor)
        assert ratified.stage is Stage.RATIFIED
        assert engine.history(review.id)[-1].role is role
    else:
        assert "ratify" not in engine.allowed(review.id, actor)
        with pytest.raises(PermissionDenied) as denied:
            engine.execute(review.id, c.Ratify(), actor)
        assert denied.value.rules == ("RP-7",)
        assert engine.get(review.id).stage is Stage.OVERVIEW_DRAFTED


# --------------------------------------------------------------------------- commands


@pytest.mark.rule("RP-4")
def test_signoff_for_another_reviews_agency(engine: ReviewEngine, clock: FixedClock) -> None:
    """RP-4: a panel member of another review cannot sign off on this one, for an
    agency this review does not involve or for an involved agency whose member they
    are not: PermissionDenied either way, judged before the input (hardening 7). Nothing
    is recorded either way."""
    other_agencies = (*TWO_AUTHORITIES, Agency("nhs", "Hospital Trust"))
    other = to_stage(engine, clock, Stage.SCREENED, request=demo_request(agencies=other_agencies))
    other_gp = Actor("u-pm-gp-other", "Other GP member", {Role.PANEL_MEMBER}, "gp")
    engine.execute(
        other.id,
        c.AppointPanelMember(Appointment(other_gp.id, other_gp.name, "gp")),
        BOARD_CHAIR,
    )

    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    with unchanged(engine, review.id), pytest.raises(PermissionDenied) as outsider:
        engine.execute(review.id, c.RecordAgencySignoff("nhs"), panel_member("nhs"))
    assert [(r.rule, r.kind) for r in outsider.value.refusals] == [("RP-4", RefusalKind.PERMISSION)]
    with unchanged(engine, review.id), pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.RecordAgencySignoff("gp"), other_gp)
    assert denied.value.rules == ("RP-4",)
    assert engine.get(review.id).signoffs == frozenset()


@pytest.mark.rule("RP-7")
def test_rp7_ratify_records_the_day_the_board_agreed(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-7: the date the Board agreed the report, recorded days later, is recorded as
    the ratification date (and completes the review on that day); the history keeps it."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    submitted = review.overview_report.submitted_on
    assert submitted == date(2026, 2, 2)
    plan_actions(engine, review.id)
    clock.advance(days=5)
    agreed = date(2026, 2, 4)
    assert agreed < today(engine)
    ratified = engine.execute(review.id, c.Ratify(occurred_on=agreed), BOARD_CHAIR)
    assert ratified.stage is Stage.RATIFIED
    assert ratified.ratified_on == agreed
    assert engine.history(review.id)[-1].payload == {
        "command": "ratify",
        "occurred_on": "2026-02-04",
    }
    complete = {d.key: d for d in engine.deadlines(review.id)}["review_complete"]
    assert complete.met_on == agreed


@pytest.mark.rule("RP-7")
@pytest.mark.parametrize("agreed_on", [None, "submitted"], ids=["omitted", "day-of-submission"])
def test_rp7_ratify_on_the_day_of_the_command_or_of_submission(
    engine: ReviewEngine, clock: FixedClock, agreed_on: str | None
) -> None:
    """RP-7: without ``occurred_on`` the Board agreed the report the day the command is
    recorded; the day of submission itself is accepted."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    submitted = review.overview_report.submitted_on
    plan_actions(engine, review.id)
    clock.advance(days=3)
    day = submitted if agreed_on == "submitted" else None
    ratified = engine.execute(review.id, c.Ratify(occurred_on=day), BOARD_CHAIR)
    assert ratified.ratified_on == (submitted if day is not None else today(engine))


@pytest.mark.rule("RP-7")
@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, [("DATE", "occurred_on", "ratify cannot have happened on 2026-02-03, after today")]),
        (
            -1,
            [
                (
                    "DATE",
                    "occurred_on",
                    "ratify cannot have happened on 2026-02-01, before the request was "
                    "received (2026-02-02)",
                ),
                (
                    "RP-7",
                    "occurred_on",
                    "ratify cannot have happened on 2026-02-01, before the overview report "
                    "was submitted (2026-02-02)",
                ),
            ],
        ),
    ],
    ids=["future", "before-submission"],
)
def test_rp7_ratify_refuses_an_impossible_agreement_date(
    engine: ReviewEngine, clock: FixedClock, days: int, message: list[tuple[str, str, str]]
) -> None:
    """RP-7: the Board cannot have agreed the report in the future, nor before it was
    submitted: bad input naming ``occurred_on``, and nothing is recorded."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    assert review.overview_report.submitted_on == today(engine) == date(2026, 2, 2)
    plan_actions(engine, review.id)
    agreed = today(engine) + timedelta(days=days)
    refused = invalid(engine, review.id, c.Ratify(occurred_on=agreed), BOARD_CHAIR)
    assert [(r.rule, r.field, r.message) for r in refused.refusals] == message
    after = engine.get(review.id)
    assert (after.stage, after.ratified_on) == (Stage.OVERVIEW_DRAFTED, None)


@pytest.mark.rule("RP-7")
def test_rp7_agreement_date_refusal_comes_with_the_other_reasons(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-7: a future agreement date is named together with everything else still
    missing (RP-4 sign-offs here), in one InvalidRequest."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id, signoffs=False)
    future = today(engine) + timedelta(days=1)
    refused = invalid(engine, review.id, c.Ratify(occurred_on=future), BOARD_CHAIR)
    assert {"DATE", "RP-4"} <= set(refused.rules)


@pytest.mark.rule("RP-7")
def test_rp7_ratify_without_a_date_rebuilds_from_older_json() -> None:
    """RP-7/PR-d: a ``ratify`` without a date rebuilds (the date defaults to the day of
    the command); ``occurred_on`` (formerly ``agreed_on``) carries the Board's day."""
    assert c.from_dict({"command": "ratify"}) == c.Ratify()
    assert c.from_dict({"command": "ratify", "occurred_on": "2026-02-04"}) == c.Ratify(
        date(2026, 2, 4)
    )


# --------------------------------------------------------------------------- evidence, report


@pytest.mark.rule("RP-2")
def test_rp2_a_revision_needs_reasons(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED).id
    command = c.RequestRevision(" ")
    assert_refused(engine, rid, command, PANEL_CHAIR, "RP-2", "reasons", InvalidRequest)


@pytest.mark.rule("RP-4")
def test_rp4_sign_off_by_the_agency_member_once(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED).id
    wrong = c.RecordAgencySignoff("asc")
    assert_refused(engine, rid, wrong, panel_member("gp"), "RP-4", None, PermissionDenied)
    engine.execute(rid, c.RecordAgencySignoff("gp"), panel_member("gp"))
    again = c.RecordAgencySignoff("gp")
    assert_refused(engine, rid, again, panel_member("gp"), "RP-4", None, TransitionRefused)
    # Permission before input (hardening 7): a member signing for another agency, even
    # one the review does not involve, learns only that they may not.
    unknown = c.RecordAgencySignoff("zzz")
    assert_refused(engine, rid, unknown, panel_member("gp"), "RP-4", None, PermissionDenied)


@pytest.mark.rule("RP-6")
@pytest.mark.parametrize(
    ("dissemination", "field"),
    [
        (Dissemination((), "Secure e-mail", "Debriefs."), "dissemination.recipients"),
        (Dissemination(("Board", " "), "Secure e-mail", "Debriefs."), "dissemination.recipients"),
        (Dissemination(("Board",), " ", "Debriefs."), "dissemination.means"),
        (Dissemination(("Board",), "Secure e-mail", " "), "dissemination.processes"),
    ],
)
def test_rp6_dissemination_decided_in_full(
    engine: ReviewEngine, clock: FixedClock, dissemination: Dissemination, field: str
) -> None:
    rid = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED).id
    command = c.RecordDissemination(dissemination)
    assert_refused(engine, rid, command, PANEL_CHAIR, "RP-6", field, InvalidRequest)


# --------------------------------------------------------------------------- defences
# Guards re-check what earlier commands or the permission check already ensure; called
# here on reviews the engine never builds, so that a defence that stopped working, or
# started to fail, would be seen.


@pytest.mark.rule("RP-2")
@pytest.mark.rule("RP-3")
def test_rp2_every_missing_section_and_part_of_a_json_report_is_named(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.rules.report import missing_sections

    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    whole = unstructure(full_report(review))
    assert missing_sections(whole) == []
    assert [(r.rule, r.field, r.kind) for r in missing_sections(None)] == [
        ("RP-2", "report", RefusalKind.INPUT)
    ]
    holed = {**whole, "introduction": None, "analysis": None}
    holed["conclusions"] = {**whole["conclusions"], "national_lessons": None}
    del holed["executive_summary"]
    found = [(r.rule, r.field, r.kind) for r in missing_sections(holed)]
    assert found == [
        ("RP-2", "report.introduction", RefusalKind.INPUT),
        ("RP-2", "report.analysis", RefusalKind.INPUT),
        ("RP-2", "report.conclusions.national_lessons", RefusalKind.INPUT),
        ("RP-3", "report.executive_summary", RefusalKind.INPUT),
    ]
    left_out = {**whole, "conclusions": dict(whole["conclusions"])}
    del left_out["conclusions"]["national_lessons"]  # JSON may leave it out, not null it
    assert missing_sections(left_out) == []
    # A section of the wrong type is the shape check's to name; the next ones are still
    # looked at.
    odd = {**whole, "introduction": "A text, not a section.", "analysis": None}
    assert [r.field for r in missing_sections(odd)] == ["report.analysis"]
    # An executive summary given (even empty) is the shape check's to judge, not RP-3's.
    assert missing_sections({**whole, "executive_summary": ""}) == []


@pytest.mark.rule("RP-2")
def test_rp2_every_blank_section_of_the_report_is_named(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    report = full_report(review)
    parts = {
        "introduction": ("circumstances", "terms_of_reference", "contributors", "panel_and_writer"),
        "facts": ("overview_of_known",),
        "analysis": ("how_and_why", "hindsight", "good_practice"),
        "conclusions": ("lessons",),
    }
    blank = attrs.evolve(
        report,
        **{
            section: attrs.evolve(getattr(report, section), **dict.fromkeys(names, " "))
            for section, names in parts.items()
        },
    )
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(review.id, c.SubmitOverviewReport(blank), OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in caught.value.refusals] == [
        ("RP-2", f"report.{section}.{name}") for section, names in parts.items() for name in names
    ]


@pytest.mark.rule("RP-2")
def test_rp2_a_report_needs_a_chronology_and_distinct_recommendations(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    report = full_report(review)
    bare = attrs.evolve(report, facts=attrs.evolve(report.facts, chronology=()))
    command = c.SubmitOverviewReport(bare)
    assert_refused(
        engine, review.id, command, OVERVIEW_WRITER,
        "RP-2", "report.facts.chronology", TransitionRefused,
    )  # fmt: skip
    recs = report.conclusions.recommendations
    twice = attrs.evolve(
        report,
        conclusions=attrs.evolve(
            report.conclusions, recommendations=(*recs, attrs.evolve(recs[-1], text="Again."))
        ),
    )
    command = c.SubmitOverviewReport(twice)
    assert_refused(
        engine, review.id, command, OVERVIEW_WRITER,
        "INPUT", "report.conclusions.recommendations", InvalidRequest,
    )  # fmt: skip


DAY = timedelta(days=1)


# --------------------------------------------------------------------------- SU-4, SU-7, RP-1


@pytest.mark.rule("RP-1")
def test_rp1_overview_due_the_same_day_as_the_imrs(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = ready_for_meeting(engine, clock)
    before = meeting(terms, overview_due=terms.imr_due - DAY)
    field = "terms.overview_due"
    assert_refused(engine, rid, before, PANEL_CHAIR, "RP-1", field, InvalidRequest)
    accepted(engine, rid, meeting(terms, overview_due=terms.imr_due), PANEL_CHAIR)


# --------------------------------------------------------------------------- RP-7


@pytest.mark.rule("RP-7")
def test_rp7_agreed_from_the_report_day_to_today(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    review = plan_actions(engine, review.id)
    assert review.overview_report is not None
    submitted = review.overview_report.submitted_on
    clock.advance(timedelta(days=5))
    now = today(engine)
    for day, rules in ((submitted - DAY, ["DATE", "RP-7"]), (now + DAY, ["DATE"])):
        found = engine.explain(review.id, c.Ratify(day), BOARD_CHAIR)
        assert [(r.rule, r.field) for r in found] == [(rule, "occurred_on") for rule in rules]
        with pytest.raises(InvalidRequest):
            engine.execute(review.id, c.Ratify(day), BOARD_CHAIR)
    assert engine.explain(review.id, c.Ratify(now), BOARD_CHAIR) == []
    ratified = accepted(engine, review.id, c.Ratify(submitted), BOARD_CHAIR)
    assert ratified.ratified_on == submitted


@pytest.mark.rule("RP-7")
def test_rp7_agreed_today_the_day_of_the_report(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    review = plan_actions(engine, review.id)
    ratified = accepted(engine, review.id, c.Ratify(today(engine)), BOARD_CHAIR)
    assert ratified.stage is Stage.RATIFIED
