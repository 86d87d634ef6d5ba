"""Every refusal, triggered at least once, with its rule ID, field and error class.

Issue 14: mutation testing showed refusals no test triggered (the same IMR writer
twice, a blank progress note, a blank action or appointee ID, a request form with a
part missing …) and refusals whose rule ID, field or error class no test checked. Each
test here names the one refusal it provokes and asserts all three with
:func:`assert_refused`, which also checks that ``explain`` foresaw exactly the same
reasons and that nothing was stored.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from scr_engine import (
    Actor,
    Appointment,
    Dissemination,
    FixedClock,
    Incident,
    InvalidRequest,
    PermissionDenied,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
    WriterMeetingPurpose,
)
from scr_engine import commands as c
from scr_engine.personal import ERASED
from scr_engine.rules.common import Context
from scr_engine.rules.reasons import Refusal, RefusalKind
from scr_engine.rules.request import validate_request
from scr_engine.rules.settings import DEFAULT_SETTINGS
from support.asserts import assert_refused
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    full_report,
    full_terms,
    panel_member,
    prepare_panel,
    submit,
    to_stage,
    today,
)

# --------------------------------------------------------------------------- referral


@pytest.mark.rule("RF-5")
def test_rf5_the_same_imr_writer_twice_is_refused(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    writer = c.RecordImrWriter("gp", "u-imr-gp", "IMR writer for gp")
    engine.execute(rid, writer, BUSINESS_MANAGER)
    assert_refused(engine, rid, writer, BUSINESS_MANAGER, "RF-5", None, TransitionRefused)
    # Another writer for the same agency, or the same person for another agency, is fine.
    engine.execute(rid, c.RecordImrWriter("gp", "u-imr-gp2", "Second"), BUSINESS_MANAGER)
    engine.execute(rid, c.RecordImrWriter("asc", "u-imr-gp", "Same person"), BUSINESS_MANAGER)


@pytest.mark.rule("RF-5")
@pytest.mark.parametrize(
    ("command", "field"),
    [
        (c.RecordImrWriter("gp", " ", "Name"), "person_id"),
        (c.RecordImrWriter("gp", "u-1", " "), "writer_name"),
    ],
)
def test_rf5_an_imr_writer_needs_an_id_and_a_name(
    engine: ReviewEngine, clock: FixedClock, command: c.Command, field: str
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    assert_refused(engine, rid, command, BUSINESS_MANAGER, "RF-5", field, InvalidRequest)


@pytest.mark.rule("RF-5")
def test_rf5_records_secured_twice_is_refused(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    engine.execute(rid, c.RecordRecordsSecured("gp"), BUSINESS_MANAGER)
    command = c.RecordRecordsSecured("gp")
    assert_refused(engine, rid, command, BUSINESS_MANAGER, "RF-5", None, TransitionRefused)
    unknown = c.RecordRecordsSecured("zzz")
    assert_refused(engine, rid, unknown, BUSINESS_MANAGER, "INPUT", "agency", InvalidRequest)


@pytest.mark.rule("PR-b")
def test_prb_an_appointee_cannot_write_an_imr(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    for appoint in (
        c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)),
        c.AppointOverviewWriter(Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)),
        c.AppointPanelMember(Appointment("u-pm-gp", "Member", "gp")),
    ):
        engine.execute(rid, appoint, BOARD_CHAIR)
        person = appoint.appointment.person_id
        command = c.RecordImrWriter("gp", person, "Writer")
        assert_refused(engine, rid, command, BUSINESS_MANAGER, "PR-b", None, TransitionRefused)


@pytest.mark.rule("RF-3")
def test_rf3_chair_receipt_recorded_once(engine: ReviewEngine) -> None:
    review = submit(engine)
    engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    command = c.RecordChairNotified(review.received_on)
    assert_refused(engine, review.id, command, BUSINESS_MANAGER, "RF-3", None, TransitionRefused)


@pytest.mark.rule("RF-6")
def test_rf6_the_lead_must_be_a_local_authority(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = c.AgreeLeadAuthority("gp")
    assert_refused(engine, rid, command, BOARD_CHAIR, "RF-6", None, TransitionRefused)
    engine.execute(rid, c.AgreeLeadAuthority("asc"), BOARD_CHAIR)


@pytest.mark.rule("CR-4")
@pytest.mark.parametrize(
    "command", [c.Decline(" "), c.RecommendAlternative("individual_practice_review", " ")]
)
def test_cr4_no_review_or_another_review_needs_reasons(
    engine: ReviewEngine, command: c.Command
) -> None:
    from support.builders import cr2_facts

    review = submit(engine, demo_request(cr2_facts(inter_agency_concern=False)))
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert_refused(engine, review.id, command, BOARD_CHAIR, "CR-4", "reasons", InvalidRequest)


# --------------------------------------------------------------------------- the form (RF-2)


@pytest.mark.rule("RF-2")
@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"requester": None}, {"requester"}),
        ({"other_contact": None}, {"other_contact"}),
        ({"facts": None}, {"facts"}),
        ({"how_meets_criteria": " "}, {"how_meets_criteria"}),
        ({"signed_name": ""}, {"signed_name"}),
        ({"signed_date": None}, {"signed_date"}),
        ({"other_information": None}, {"other_information"}),
        ({"incidents": ()}, {"incidents"}),
        ({"agencies": ()}, {"agencies"}),
    ],
)
def test_rf2_a_form_missing_a_part_names_it(change: dict[str, object], fields: set[str]) -> None:
    form = attrs.evolve(demo_request(), **change)
    problems = validate_request(form, date(2026, 2, 2))
    assert {(p.rule, p.field, p.kind) for p in problems} == {
        ("RF-2", f, RefusalKind.INPUT) for f in fields
    }


@pytest.mark.rule("RF-2")
def test_rf2_every_bad_incident_is_named_not_only_the_first() -> None:
    """A bad incident entry followed by more entries: each entry is still checked."""
    form = attrs.evolve(
        demo_request(),
        incidents=("not an incident", Incident(date(2026, 1, 1), " "), "again"),
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field) for p in problems] == [
        ("RF-2", "incidents[0]"),
        ("RF-2", "incidents[1].details"),
        ("RF-2", "incidents[2]"),
    ]


@pytest.mark.rule("RF-2")
def test_rf2_every_bad_agency_is_named_not_only_the_first() -> None:
    from scr_engine import Agency

    form = attrs.evolve(
        demo_request(), agencies=("not an agency", Agency("gp", " "), Agency("gp", "GP again"))
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field) for p in problems] == [
        ("RF-2", "agencies[0]"),
        ("RF-2", "agencies[1].name"),
        ("RF-2", "agencies[2].code"),
    ]


@pytest.mark.rule("RF-2")
def test_rf2_wrong_types_are_named_with_the_type() -> None:
    form = attrs.evolve(
        demo_request(),
        incidents=(Incident("2026-01-01", "Details."),),
        signed_date="yesterday",
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field, p.message) for p in problems] == [
        ("RF-2", "incidents[0].date", "incidents[0].date must be a date, not str"),
        ("RF-2", "signed_date", "signed_date must be a date, not str"),
    ]
    assert validate_request("a form") == [
        Refusal(
            "RF-2",
            "the request must be an Appendix 1 RequestForm",
            RefusalKind.INPUT,
            "request",
        )
    ]


@pytest.mark.rule("RF-2")
def test_rf2_requester_and_contact_texts_are_each_named() -> None:
    form = demo_request()
    form = attrs.evolve(
        form,
        requester=attrs.evolve(form.requester, email=" ", workplace=7),
        other_contact=attrs.evolve(form.other_contact, job_title=""),
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field, p.message) for p in problems] == [
        ("RF-2", "requester.workplace", "requester.workplace must be text"),
        ("RF-2", "requester.email", "missing field requester.email"),
        ("RF-2", "other_contact.job_title", "missing field other_contact.job_title"),
    ]


@pytest.mark.rule("RF-1")
def test_rf1_a_requester_needs_a_category() -> None:
    form = demo_request()
    form = attrs.evolve(form, requester=attrs.evolve(form.requester, category="mp?"))
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field, p.kind) for p in problems] == [
        ("RF-1", "requester.category", RefusalKind.INPUT)
    ]


@pytest.mark.rule("RF-2")
def test_rf2_the_engine_refuses_a_bad_form_as_invalid_request(engine: ReviewEngine) -> None:
    form = attrs.evolve(demo_request(), how_meets_criteria=" ")
    with pytest.raises(TransitionRefused) as caught:
        engine.submit(form, REQUESTER)
    assert type(caught.value) is InvalidRequest
    assert [(r.rule, r.field) for r in caught.value.refusals] == [("RF-2", "how_meets_criteria")]


# --------------------------------------------------------------------------- setting up


@pytest.mark.rule("SU-1")
@pytest.mark.parametrize(
    ("appointment", "field"),
    [
        (Appointment(" ", "A Name"), "appointment.person_id"),
        (Appointment("u-x", " "), "appointment.name"),
    ],
)
@pytest.mark.parametrize("kind", [c.AppointPanelChair, c.AppointOverviewWriter])
def test_su1_an_appointee_needs_an_id_and_a_name(
    engine: ReviewEngine,
    clock: FixedClock,
    appointment: Appointment,
    field: str,
    kind: type[c.AppointPanelChair] | type[c.AppointOverviewWriter],
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = kind(appointment)
    assert_refused(engine, rid, command, BOARD_CHAIR, "SU-1", field, InvalidRequest)


@pytest.mark.rule("SU-2")
def test_su2_a_member_for_no_agency_and_a_member_twice(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    nobody = c.AppointPanelMember(Appointment("u-m", "Member"))
    assert_refused(engine, rid, nobody, BOARD_CHAIR, "SU-2", "appointment.agency", InvalidRequest)
    member = c.AppointPanelMember(Appointment("u-m", "Member", "gp"))
    engine.execute(rid, member, BOARD_CHAIR)
    assert_refused(engine, rid, member, BOARD_CHAIR, "SU-2", None, TransitionRefused)
    unknown = c.AppointPanelMember(Appointment("u-n", "Member", "zzz"))
    assert_refused(engine, rid, unknown, BOARD_CHAIR, "INPUT", "appointment.agency", InvalidRequest)


@pytest.mark.rule("SU-3")
def test_su3_the_budget_says_what_it_covers(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = c.RecordBudget(100, " ")
    assert_refused(engine, rid, command, BOARD_CHAIR, "SU-3", "notes", InvalidRequest)


def _meeting_ready(engine: ReviewEngine, clock: FixedClock) -> str:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    return prepare_panel(engine, rid, meeting=False).id


@pytest.mark.rule("SU-7")
def test_su7_imr_agencies_named_and_not_twice(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    none = c.HoldInitialMeeting(attrs.evolve(terms, imr_agencies=()))
    assert_refused(engine, rid, none, PANEL_CHAIR, "SU-7", "terms.imr_agencies", TransitionRefused)
    twice = c.HoldInitialMeeting(attrs.evolve(terms, imr_agencies=(*terms.imr_agencies, "gp")))
    assert_refused(engine, rid, twice, PANEL_CHAIR, "SU-7", "terms.imr_agencies", InvalidRequest)
    left_out = c.HoldInitialMeeting(attrs.evolve(terms, imr_agencies=terms.imr_agencies[:-1]))
    assert_refused(
        engine, rid, left_out, PANEL_CHAIR, "PR-c", "terms.imr_agencies", TransitionRefused
    )


@pytest.mark.rule("SU-10")
def test_su10_support_and_meetings_recorded(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    support = c.HoldInitialMeeting(attrs.evolve(terms, support=" "))
    assert_refused(engine, rid, support, PANEL_CHAIR, "SU-10", "terms.support", InvalidRequest)
    meetings = c.HoldInitialMeeting(attrs.evolve(terms, meetings=()))
    assert_refused(engine, rid, meetings, PANEL_CHAIR, "SU-10", "terms.meetings", TransitionRefused)


@pytest.mark.rule("SU-8")
def test_su8_family_decision_needs_reasons(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    assert terms.family is not None
    blank = c.HoldInitialMeeting(
        attrs.evolve(terms, family=attrs.evolve(terms.family, reasons=" "))
    )
    field = "terms.family.reasons"
    assert_refused(engine, rid, blank, PANEL_CHAIR, "SU-8", field, TransitionRefused)


@pytest.mark.rule("SU-6")
def test_su6_the_meeting_is_held_once(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    engine.execute(rid, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    again = c.HoldInitialMeeting(terms)
    assert_refused(engine, rid, again, PANEL_CHAIR, "SU-6", None, TransitionRefused)


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


@pytest.mark.rule("SU-9")
def test_su9_only_this_reviews_writer_meets_and_submits(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED).id
    stranger = Actor("u-other-writer", "Another Writer", {Role.OVERVIEW_WRITER})
    meeting = c.RecordWriterMeeting(frozenset({WriterMeetingPurpose.FINAL_FORMAT}), "Format.")
    assert_refused(engine, rid, meeting, stranger, "SU-9", None, PermissionDenied)
    no_purpose = c.RecordWriterMeeting(frozenset(), "Format.")
    assert_refused(engine, rid, no_purpose, OVERVIEW_WRITER, "OW-1", "purposes", InvalidRequest)
    report = c.SubmitOverviewReport(full_report(engine.get(rid)))
    assert_refused(engine, rid, report, stranger, "SU-9", None, PermissionDenied)
    # The panel chair may record a meeting: the writer check is for writers only.
    engine.execute(rid, meeting, PANEL_CHAIR)


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


def _action(rec: str, **change: object) -> c.AddAction:
    action = c.AddAction("A-1", rec, "Head of Service", 3, "Practice changes.", "Learning log.")
    return attrs.evolve(action, **change)


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize(
    ("change", "rule", "field"),
    [
        ({"action_id": " "}, "AP-1", "action_id"),
        ({"owner": " "}, "AP-1", "owner"),
        ({"outcome": " "}, "AP-1", "outcome"),
        ({"monitoring": " "}, "AP-1", "monitoring"),
        ({"timescale_months": 0}, "AP-1", "timescale_months"),
        ({"recommendation_id": "R-none"}, "RP-5", "recommendation_id"),
    ],
)
def test_ap1_an_action_states_everything(
    engine: ReviewEngine, clock: FixedClock, change: dict[str, object], rule: str, field: str
) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    rec = review.overview_report.conclusions.recommendations[0].id
    command = _action(rec, **change)
    assert_refused(engine, review.id, command, PANEL_CHAIR, rule, field, InvalidRequest)


@pytest.mark.rule("AP-1")
def test_ap1_an_action_id_is_used_once(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    rec = review.overview_report.conclusions.recommendations[0].id
    engine.execute(review.id, _action(rec), PANEL_CHAIR)
    again = _action(rec)
    assert_refused(engine, review.id, again, PANEL_CHAIR, "INPUT", "action_id", InvalidRequest)


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


# --------------------------------------------------------------------------- monitoring


@pytest.mark.rule("AP-2")
def test_ap2_a_progress_note_is_given(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = review.actions[0].id
    blank = c.RecordActionProgress(action, " ")
    assert_refused(engine, review.id, blank, BUSINESS_MANAGER, "AP-2", "note", InvalidRequest)
    unknown = c.RecordActionProgress("A-none", "Note.")
    field = "action_id"
    assert_refused(engine, review.id, unknown, BUSINESS_MANAGER, "INPUT", field, InvalidRequest)


@pytest.mark.rule("AP-3")
def test_ap3_completion_has_an_outcome_and_happens_once(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = review.actions[0].id
    blank = c.CompleteAction(action, " ")
    assert_refused(engine, review.id, blank, BUSINESS_MANAGER, "AP-3", "outcome", InvalidRequest)
    engine.execute(review.id, c.CompleteAction(action, "Done."), BUSINESS_MANAGER)
    for again in (c.CompleteAction(action, "Again."), c.RecordActionProgress(action, "More.")):
        assert_refused(engine, review.id, again, BUSINESS_MANAGER, "AP-1", None, TransitionRefused)
    close = c.CloseReview()
    refusals = assert_refused(
        engine, review.id, close, BOARD_CHAIR, "AP-3", None, TransitionRefused, only=False
    )
    assert [r.rule for r in refusals] == ["AP-3", "PR-h"]


# --------------------------------------------------------------------------- clocks


@pytest.mark.rule("PR-a")
@pytest.mark.parametrize(
    ("command", "field"),
    [
        (c.PauseClock(" ", "Reasons."), "process"),
        (c.PauseClock("Inquest", " "), "reasons"),
        (c.ExtendDeadline("review_complete", date(2026, 12, 1), " "), "reasons"),
    ],
)
def test_pra_clock_changes_need_their_texts(
    engine: ReviewEngine, command: c.Command, field: str
) -> None:
    review = submit(engine)
    assert_refused(engine, review.id, command, BOARD_CHAIR, "PR-a", field, InvalidRequest)


@pytest.mark.rule("PR-a")
def test_pra_pause_twice_resume_unpaused(engine: ReviewEngine) -> None:
    review = submit(engine)
    resume = c.ResumeClock()
    assert_refused(engine, review.id, resume, BOARD_CHAIR, "PR-a", None, TransitionRefused)
    engine.execute(review.id, c.PauseClock("Inquest", "Awaiting the coroner."), BOARD_CHAIR)
    again = c.PauseClock("Inquest", "Again.")
    assert_refused(engine, review.id, again, BOARD_CHAIR, "PR-a", None, TransitionRefused)
    engine.execute(review.id, resume, BOARD_CHAIR)


@pytest.mark.rule("PR-a")
def test_pra_extend_an_unknown_or_closed_deadline(engine: ReviewEngine) -> None:
    review = submit(engine)
    later = today(engine) + timedelta(days=400)
    unknown = c.ExtendDeadline("nothing", later, "Reasons.")
    assert_refused(engine, review.id, unknown, BOARD_CHAIR, "INPUT", "deadline", InvalidRequest)
    engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(review.id, c.ConfirmReview("Met."), BOARD_CHAIR)
    rid = prepare_panel(engine, review.id).id  # the initial meeting is held: met
    met = c.ExtendDeadline("initial_meeting", later, "Reasons.")
    assert_refused(engine, rid, met, BOARD_CHAIR, "PR-a", None, TransitionRefused)


@pytest.mark.rule("PR-d")
def test_prd_withdrawal_needs_reasons(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = c.Withdraw(" ")
    assert_refused(engine, rid, command, BOARD_CHAIR, "PR-d", "reasons", InvalidRequest)


@pytest.mark.rule("AP-3")
def test_ap3_a_completed_action_needs_its_learning_log_entry(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A completed action with no learning-log entry (a record the engine never makes
    itself: complete_action logs it) still keeps the review open."""
    from scr_engine.rules import monitoring
    from scr_engine.rules.common import Context
    from scr_engine.rules.settings import DEFAULT_SETTINGS

    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    for action in review.actions:
        engine.execute(review.id, c.CompleteAction(action.id, "Done."), BUSINESS_MANAGER)
    done = engine.get(review.id)
    ctx = Context(BOARD_CHAIR, Role.BOARD_CHAIR, today(engine), DEFAULT_SETTINGS)
    assert monitoring.close_review(done, c.CloseReview(), ctx) == []
    unlogged = attrs.evolve(done, learning_log=done.learning_log[1:])
    found = monitoring.close_review(unlogged, c.CloseReview(), ctx)
    first = done.actions[0].id
    assert found == [
        Refusal("AP-3", f"completed actions with no learning-log entry: {first}"),
    ]


# --------------------------------------------------------------------------- confidentiality

ERASE_WHY = "Retention period ended."
ERASE_BASIS = "UK GDPR Art. 17(1)(a)"


@pytest.mark.rule("PR-e")
@pytest.mark.parametrize(
    ("reasons", "basis", "field"),
    [(" ", ERASE_BASIS, "reasons"), (ERASE_WHY, "", "legal_basis")],
)
def test_pre_an_erasure_gives_its_reasons_and_legal_basis(
    engine: ReviewEngine, clock: FixedClock, reasons: str, basis: str, field: str
) -> None:
    rid = to_stage(engine, clock, Stage.CLOSED).id
    command = c.ErasePersonalData(reasons, basis)
    assert_refused(engine, rid, command, BUSINESS_MANAGER, "PR-e", field, InvalidRequest)


@pytest.mark.rule("PR-e")
def test_pre_only_personal_fields_are_erased_each_wrong_one_named(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.CLOSED).id
    paths = ("/request/requester/name", "/reference", "/nowhere")
    refusals = assert_refused(
        engine, rid, c.ErasePersonalData(ERASE_WHY, ERASE_BASIS, paths), BOARD_CHAIR,
        "PR-e", "paths[1]", InvalidRequest, only=False,
    )  # fmt: skip
    assert [r.field for r in refusals] == ["paths[1]", "paths[2]"]
    erased = engine.execute(
        rid, c.ErasePersonalData(ERASE_WHY, ERASE_BASIS, ("/request/requester/name",)), BOARD_CHAIR
    )
    assert erased.request.requester.name == ERASED
    assert erased.request.incidents[0].details != ERASED


@pytest.mark.rule("PR-e")
def test_pre_a_restriction_gives_reasons_and_names_readers_by_id(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    blank = c.RestrictAccess(" ", ("u-1",))
    assert_refused(engine, rid, blank, BOARD_CHAIR, "PR-e", "reasons", InvalidRequest)
    readers = c.RestrictAccess(ERASE_WHY, ("u-1", " ", "u-2", ""))
    refusals = assert_refused(
        engine, rid, readers, BOARD_CHAIR, "PR-e", "readers[1]", InvalidRequest, only=False
    )
    assert [r.field for r in refusals] == ["readers[1]", "readers[3]"]
    restricted = engine.execute(rid, c.RestrictAccess(ERASE_WHY, ("u-1", "u-2")), BOARD_CHAIR)
    assert restricted.restricted is True
    assert restricted.readers == {"u-1", "u-2", BOARD_CHAIR.id}  # the chair issuing it too
    lifted = engine.execute(rid, c.RestrictAccess(ERASE_WHY, ("u-3",), False), BOARD_CHAIR)
    assert (lifted.restricted, lifted.readers) == (False, frozenset())


# --------------------------------------------------------------------------- defences
# Guards re-check what earlier commands or the permission check already ensure; called
# here on reviews the engine never builds, so that a defence that stopped working, or
# started to fail, would be seen.


def _ctx(engine: ReviewEngine, actor: Actor, role: Role) -> Context:
    return Context(actor, role, today(engine), DEFAULT_SETTINGS)


@pytest.mark.rule("SU-9")
@pytest.mark.rule("RP-4")
@pytest.mark.rule("RP-5")
@pytest.mark.rule("RP-7")
def test_report_guards_hold_on_reviews_the_engine_never_builds(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.rules import report

    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    ctx = _ctx(engine, PANEL_CHAIR, Role.PANEL_CHAIR)
    meeting = c.RecordWriterMeeting((WriterMeetingPurpose.MONITOR_PROGRESS,), "Met.")
    assert report.record_writer_meeting(review, meeting, ctx) == []
    unwritten = attrs.evolve(review, overview_writer=None)
    found = report.record_writer_meeting(unwritten, meeting, ctx)
    assert [(r.rule, r.field, r.kind) for r in found] == [("SU-9", None, RefusalKind.GUARD)]
    found = report.record_agency_signoff(review, c.RecordAgencySignoff("nowhere"), ctx)
    assert [(r.rule, r.field) for r in found] == [("INPUT", "agency")]
    action = c.AddAction("A1", "R1", "gp", 6, "Better.", "Audit.")
    found = report.add_action(review, action, ctx)  # no report yet
    assert [(r.rule, r.field) for r in found] == [("RP-5", "recommendation_id")]
    from scr_engine.rules import evidence

    brief = c.ConfirmOverviewBrief("Write it.")
    assert evidence.confirm_overview_brief(review, brief, ctx) == []
    found = evidence.confirm_overview_brief(unwritten, brief, ctx)
    assert [(r.rule, r.field, r.kind) for r in found] == [("SU-9", None, RefusalKind.GUARD)]
    ratified = report.ratify(review, c.Ratify(today(engine)), ctx)
    assert "RP-7" not in {r.rule for r in ratified if r.field == "occurred_on"}


@pytest.mark.rule("RP-2")
@pytest.mark.rule("RP-3")
def test_rp2_every_missing_section_and_part_of_a_json_report_is_named(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.rules.report import missing_sections
    from scr_engine.serialization import unstructure

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


@pytest.mark.rule("PR-d")
def test_a_command_of_another_stage_is_refused_by_the_map(engine: ReviewEngine) -> None:
    from scr_engine.rules.judge import obstacles
    from scr_engine.states.table import row

    review = submit(engine)
    found = obstacles(review, row("ratify"), BOARD_CHAIR, today(engine), DEFAULT_SETTINGS)
    assert [(r.rule, r.field, r.kind) for r in found] == [("MAP", None, RefusalKind.STAGE)]


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


@pytest.mark.rule("SU-7")
@pytest.mark.parametrize("code", [" ", "gp"])
def test_su7_an_agency_brought_in_has_a_code_not_yet_involved(
    engine: ReviewEngine, clock: FixedClock, code: str
) -> None:
    from scr_engine import Agency

    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = c.AddAgency(Agency(code, "Fire and Rescue"), "They attended twice.")
    assert_refused(engine, rid, command, BOARD_CHAIR, "SU-7", "agency.code", InvalidRequest)


@pytest.mark.rule("SU-7")
@pytest.mark.rule("RF-5")
def test_su7_an_agency_brought_in_gets_its_letters(engine: ReviewEngine, clock: FixedClock) -> None:
    from scr_engine import Agency

    rid = to_stage(engine, clock, Stage.SCREENED).id
    before = {t.id for t in engine.pending_tasks()}
    fire = Agency("fire", "Fire and Rescue")
    after = engine.execute(rid, c.AddAgency(fire, "They attended twice."), BOARD_CHAIR)
    new = [t for t in engine.pending_tasks() if t.id not in before]
    assert new and all(t.agency == "fire" and t.review_id == rid for t in new)
    assert all(t.id == f"{rid}:{after.version}:{t.kind.value}:fire" for t in new)


@pytest.mark.rule("SU-1")
def test_su1_no_meeting_and_no_panel_without_a_panel_chair(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.rules import setup

    rid = to_stage(engine, clock, Stage.SCREENED).id
    review = prepare_panel(engine, rid, panel_chair=False)
    # Only the appointed panel chair holds the meeting and convenes the panel (judged
    # before the guards): the guards' own checks are defences, called here directly.
    meeting = c.HoldInitialMeeting(full_terms(review, today(engine)))
    ctx = _ctx(engine, PANEL_CHAIR, Role.PANEL_CHAIR)
    found = setup.hold_initial_meeting(review, meeting, ctx)
    assert [(r.rule, r.field, r.kind) for r in found] == [("SU-1", None, RefusalKind.GUARD)]
    found = setup.convene_panel(review, c.ConvenePanel(), ctx)
    assert ("SU-1", None, RefusalKind.GUARD) in [(r.rule, r.field, r.kind) for r in found]


@pytest.mark.rule("PR-d")
def test_judge_refuses_what_is_not_a_known_command(engine: ReviewEngine) -> None:
    """Something that only looks like a command (a ``name`` of a real one), or a
    command class the protocol does not know, is malformed input, not a command."""
    from types import SimpleNamespace

    from attrs import frozen

    from scr_engine.rules.judge import judge

    @frozen
    class Unknown(c.Command):
        name = "no_such_command"

    review = submit(engine)
    # The requester may not issue record_chair_notified: were the look-alike taken for
    # it, the refusal would be the permission's, not the input's.
    for thing in (SimpleNamespace(name="record_chair_notified"), Unknown()):
        found = judge(review, thing, REQUESTER, today(engine), DEFAULT_SETTINGS)  # type: ignore[arg-type]
        assert [(r.rule, r.field, r.kind) for r in found.refusals] == [
            ("INPUT", None, RefusalKind.INPUT)
        ]
        assert found.command is None
    from scr_engine.rules.judge import check_shape

    command, payload, problems = check_shape("ratify")
    assert (command, payload) == (None, None)
    assert [(r.rule, r.field, r.kind) for r in problems] == [("INPUT", None, RefusalKind.INPUT)]


@pytest.mark.rule("PR-d")
def test_a_command_not_valid_in_the_stage_is_refused_by_the_map(engine: ReviewEngine) -> None:
    rid = submit(engine).id
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(rid, c.Ratify(), BOARD_CHAIR)
    assert type(caught.value) is TransitionRefused
    assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
        ("MAP", None, RefusalKind.STAGE)
    ]


@pytest.mark.rule("PR-e")
def test_pre_one_person_erased_from_ended_reviews_only(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.history import replay, verify_history
    from scr_engine.personal import value_at

    first = to_stage(engine, clock, Stage.CLOSED).id
    second = to_stage(engine, clock, Stage.CLOSED).id
    still_open = submit(engine).id
    name = demo_request().requester.name
    contact = demo_request().other_contact.name
    for blank in (" ", "", 5):
        with pytest.raises(InvalidRequest) as caught:
            engine.erase_person(blank, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS)  # type: ignore[arg-type]
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("PR-e", "value", RefusalKind.INPUT)
        ]
        assert caught.value.command == "erase_personal_data"
    with pytest.raises(InvalidRequest) as caught:
        engine.erase_person(name, "u-chair", reasons=ERASE_WHY, legal_basis=ERASE_BASIS)  # type: ignore[arg-type]
    assert caught.value.command == "erase_personal_data"
    assert (
        engine.erase_person(
            "Nobody at all", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS
        )
        == []
    )
    changed = engine.erase_person(
        name, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS, pseudonym="Requester A"
    )
    assert sorted(changed) == sorted([first, second])
    for rid in (first, second):
        review = engine.get(rid)
        assert review.request.requester.name == "Requester A"
        assert review.request.other_contact.name == contact
        events = engine.history(rid)
        assert events[-1].command == "erase_personal_data"
        assert events[-1].actor_id == BOARD_CHAIR.id
        assert value_at(events[0].payload, "/request/requester/name") == ERASED
        assert value_at(events[0].payload, "/request/other_contact/name") == contact
        assert verify_history(events) == [] and replay(events) == review
    assert engine.get(still_open).request.requester.name == name
    # Once erased, a person is found nowhere: nothing more to change.
    assert engine.erase_person(name, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS) == []
    assert engine.verify().ok


@pytest.mark.rule("PR-e")
def test_pre_erasing_a_review_erases_every_personal_value_of_its_history(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.history import replay, verify_history
    from scr_engine.personal import personal_paths
    from scr_engine.records import Review
    from scr_engine.serialization import unstructure

    rid = to_stage(engine, clock, Stage.CLOSED).id
    with pytest.raises(InvalidRequest):
        engine.erase("", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS)
    erased = engine.erase(rid, BUSINESS_MANAGER, reasons=ERASE_WHY, legal_basis=ERASE_BASIS)
    assert erased == engine.get(rid) and erased.stage is Stage.CLOSED
    assert {v for _, v in personal_paths(Review, unstructure(erased))} == {ERASED}
    events = engine.history(rid)
    assert (events[-1].command, events[-1].actor_id) == ("erase_personal_data", BUSINESS_MANAGER.id)
    assert events[-1].payload["reasons"] == ERASE_WHY
    for event in events[:-1]:
        assert event.state_salt is None and not event.salts
    assert verify_history(events) == [] and replay(events) == erased
    assert engine.verify().ok


@pytest.mark.rule("PR-e")
def test_pre_every_read_by_an_actor_is_logged_and_listed(clock: FixedClock) -> None:
    from scr_engine import MemoryStore

    engine = ReviewEngine(MemoryStore(), clock)  # the default read policy
    rid = to_stage(engine, clock, Stage.RATIFIED).id
    other = submit(engine).id
    stranger = Actor("u-x", "Someone Else", {Role.PANEL_MEMBER}, "police")
    engine.get(rid)  # the host's own read: not logged
    assert engine.get(rid, BOARD_CHAIR) == engine.get(rid)
    assert engine.history(rid, BOARD_CHAIR) == engine.history(rid)
    assert engine.deadlines(rid, actor=BOARD_CHAIR) == engine.deadlines(rid)
    assert engine.public_export(rid, BOARD_CHAIR) == engine.public_export(rid)
    with pytest.raises(PermissionDenied) as denied:
        engine.get(other, stranger)
    assert [(r.rule, r.kind) for r in denied.value.refusals] == [("PR-e", RefusalKind.PERMISSION)]
    assert denied.value.command == "get"
    with pytest.raises(InvalidRequest) as bad:
        engine.history(rid, "u-chair")  # type: ignore[arg-type]
    assert bad.value.command == "history"
    reads = engine.access_log(review_id=rid)
    assert [(e.review_id, e.actor_id, e.what, e.granted) for e in reads] == [
        (rid, BOARD_CHAIR.id, "get", True),
        (rid, BOARD_CHAIR.id, "history", True),
        (rid, BOARD_CHAIR.id, "deadlines", True),
        (rid, BOARD_CHAIR.id, "public_export", True),
    ]
    refused = engine.access_log(review_id=other)
    assert [(e.actor_id, e.what, e.granted) for e in refused] == [(stranger.id, "get", False)]
    assert {repr(e) for e in engine.access_log()} == {repr(e) for e in [*reads, *refused]}
    assert all(e.at == clock.now() for e in reads)
    assert engine.access_log(actor_id=stranger.id) == refused
    assert engine.access_log(review_id=rid, limit=2, offset=1) == reads[1:3]
    assert engine.access_log(limit=0) == []
    for kwargs, field in [
        ({"review_id": ""}, "review_id"),
        ({"actor_id": 7}, "actor_id"),
        ({"limit": -1}, "limit"),
        ({"limit": 2**31}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 2**63}, "offset"),
    ]:
        with pytest.raises(InvalidRequest) as caught:
            engine.access_log(**kwargs)  # type: ignore[arg-type]
        assert [(r.field, r.kind) for r in caught.value.refusals] == [(field, RefusalKind.INPUT)]
        assert caught.value.command == "access_log"
    engine.access_log(limit=2**31 - 1, offset=2**63 - 1)


@pytest.mark.rule("PR-e")
def test_pre_a_review_written_before_commitments_is_not_erased(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A format-1 event's hash covers its personal values: erasing them would break the
    history, so such a review is refused (PR-e), by ``erase`` and by ``erase_person``
    alike."""
    from scr_engine import MemoryStore
    from scr_engine.history import replay_steps
    from support.legacy import format_1

    old_events = format_1(engine.history(to_stage(engine, clock, Stage.CLOSED).id))
    store = MemoryStore()
    for event, review, tasks in replay_steps(old_events):
        store.save(review, event, tasks, [], expected_version=event.sequence - 1)
    old = ReviewEngine(store, clock)
    rid = old_events[0].review_id
    name = demo_request().requester.name
    for call in (
        lambda: old.erase(rid, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS),
        lambda: old.erase_person(name, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS),
    ):
        with pytest.raises(TransitionRefused) as caught:
            call()
        assert type(caught.value) is TransitionRefused
        assert caught.value.command == "erase_personal_data"
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("PR-e", None, RefusalKind.GUARD)
        ]
        assert old.history(rid) == tuple(old_events)
    # A value the old events do not hold leaves them be: nothing to erase there.
    assert old.erase_person("Nobody", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS) == []


@pytest.mark.rule("PR-e")
def test_pre_a_value_left_only_in_the_history_is_erased_there(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """An IMR sent again replaces its summary in the review, but the history still
    holds the first one: erasing that text changes the history alone."""
    from scr_engine import ImrJudgement
    from scr_engine.history import verify_history
    from scr_engine.personal import value_at

    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    agency = engine.get(rid).imr_agencies[0]
    engine.execute(rid, c.ReceiveImr(agency, "First account."), PANEL_CHAIR)
    asked = c.JudgeImr(agency, ImrJudgement.FURTHER_INFORMATION_REQUESTED, "More, please.")
    engine.execute(rid, asked, PANEL_CHAIR)
    engine.execute(rid, c.ReceiveImr(agency, "Second account."), PANEL_CHAIR)
    engine.execute(rid, c.Withdraw("The family asked us to stop."), BOARD_CHAIR)
    before = engine.get(rid)
    first = next(e for e in engine.history(rid) if e.payload.get("summary") == "First account.")
    changed = engine.erase_person(
        "First account.", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS
    )
    assert changed == [rid]
    events = engine.history(rid)
    assert value_at(events[first.sequence - 1].payload, "/summary") == ERASED
    imr = engine.get(rid).imr(agency)
    assert imr is not None and imr.summary == "Second account."
    assert engine.get(rid).stage is before.stage and verify_history(events) == []


def test_an_input_refusal_is_malformed_data_naming_its_field() -> None:
    """``Refusal.input`` is the one spelling of an ``INPUT`` refusal: it becomes
    :class:`~scr_engine.InvalidRequest`, never a guard or a permission."""
    assert Refusal.input("no such action", "action_id") == Refusal(
        "INPUT", "no such action", RefusalKind.INPUT, "action_id"
    )
    assert Refusal.input("a command must be a JSON object").field is None
    assert str(Refusal.input("bad", "when")) == "INPUT [when]: bad"
