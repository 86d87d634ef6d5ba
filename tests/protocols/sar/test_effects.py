"""What each accepted SAR command records and emits, value by value (SAR-D-3, SAR-D-5,
SAR-D-9, SAR-A-2, SAR-A-7, SAR-F-6, SAR-P-5, SAR-P-7, SAR-G-6), and how the pure
runner refuses (the error class by the kinds of refusal) and starts a review
(SAR-R-1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from attrs import evolve

from scr_engine.errors import InvalidRequest, PermissionDenied, TransitionRefused
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.effects import EFFECTS, SarTask, execute, judge
from scr_engine.protocols.sar.guards_common import SarContext
from scr_engine.protocols.sar.records import (
    Action,
    ActionStatus,
    AdultAssessment,
    AlternativeKind,
    Decision,
    InvolvementEntry,
    InvolvementLevel,
    LeadReviewer,
    Mandate,
    MandateKind,
    Outcome,
    ParallelProcess,
    ParallelProcessType,
    PublicationChoice,
    PublicationEntry,
    PublicationStatus,
    Referral,
    ReferrerCategory,
    SarReview,
)
from scr_engine.protocols.sar.settings import ConcludedEvent, SarSettings
from scr_engine.states.roles import Role
from support.sar import (
    BOARD,
    CHAIR,
    LEAD,
    MANAGER,
    START,
    SUBGROUP,
    assessment,
    ctx,
    referral,
    report_drafted,
    requested,
    screened,
)

EARLIER = START - timedelta(days=3)
"""The day a command says it occurred (``occurred_on``), before the day it is issued."""


def _assessed(*assessments: AdultAssessment) -> SarReview:
    return evolve(requested().r, assessments=assessments or (assessment(),))


def _told(outcome: str) -> SarTask:
    return SarTask("SAR-D-5", "referrer", f"the decision ({outcome}) and its rationale")


# --- SAR-D-3, SAR-D-5, SAR-D-9: the decision -----------------------------------------


def test_a_confirmed_sar_records_the_decision_and_emits_every_task_sar_d_5_sar_d_9() -> None:
    """SAR-D-3 (the decision: outcome, reasons, who, when, the assessment, what was
    considered, the mandate), SAR-D-5 (the referrer and each agency told: the s.44(5)
    duty for a member, a request to others), SAR-D-9 (records secured; the SIO or
    coroner of each parallel process told; the involvement plan opened)."""
    processes = (
        ParallelProcess("inq-1", ParallelProcessType.INQUEST, contact="HM Coroner"),
        ParallelProcess("op-2", ParallelProcessType.POLICE),
    )
    review = evolve(_assessed(), parallel_processes=processes)
    mandate = Mandate(MandateKind.MANDATORY, 1)
    cmd = c.ConfirmReview(
        Outcome.SAR_MANDATORY,
        "the test is met",
        mandate,
        information_considered=("GP notes",),
        agencies_consulted=("asc",),
        joint_with="DHR-3",
        occurred_on=EARLIER,
    )
    changes, tasks = EFFECTS["confirm_review"](review, cmd, ctx(CHAIR))
    assert changes == {
        "decision": Decision(
            Outcome.SAR_MANDATORY,
            "the test is met",
            CHAIR.id,
            EARLIER,
            review.assessments,
            ("GP notes",),
            ("asc",),
            mandate=mandate,
            joint_with="DHR-3",
        ),
        "mandate": mandate,
    }
    member = "the SAR is arranged (the s.44(5) duty to co-operate, SAR-D-9)"
    other = "the SAR is arranged (a request to contribute, SAR-D-9)"
    told = "tell the SIO or coroner of the SAR"
    assert tasks == (
        _told("sar_mandatory"),
        SarTask("SAR-D-5", "asc", member),
        SarTask("SAR-D-9", "asc", "secure records"),
        SarTask("SAR-D-5", "nhs", member),
        SarTask("SAR-D-9", "nhs", "secure records"),
        SarTask("SAR-D-5", "housing", other),
        SarTask("SAR-D-9", "housing", "secure records"),
        # To the process's kind, naming it: never its contact (a personal value, PR-e).
        SarTask("SAR-D-9", "inquest", f"{told} (parallel process inq-1)"),
        SarTask("SAR-D-9", "police", f"{told} (parallel process op-2)"),
        SarTask("SAR-D-9", "business_manager", "open the involvement plan (SAR-F-1)"),
    )


def test_an_alternative_or_no_review_is_a_decision_told_to_the_referrer_sar_d_3_sar_d_5() -> None:
    """SAR-D-3: the decision records the outcome (and the alternative), the reasons,
    who and when; SAR-D-5: the referrer is told of it."""
    review = _assessed(assessment(cond1="not_met", cond2="not_met"))
    alternative = c.RecommendAlternative(AlternativeKind.OTHER, "not met", occurred_on=EARLIER)
    changes, tasks = EFFECTS["recommend_alternative"](review, alternative, ctx(CHAIR))
    assert changes == {
        "decision": Decision(
            Outcome.OTHER_LEARNING_REVIEW,
            "not met",
            CHAIR.id,
            EARLIER,
            review.assessments,
            alternative=AlternativeKind.OTHER,
        )
    }
    assert tasks == (_told(AlternativeKind.OTHER.value),)
    changes, tasks = EFFECTS["decline"](review, c.Decline("no learning"), ctx(CHAIR))
    assert changes == {
        "decision": Decision(Outcome.NO_REVIEW, "no learning", CHAIR.id, START, review.assessments)
    }
    assert tasks == (_told("no_review"),)


# --- the day a command occurred ------------------------------------------------------


def test_a_command_records_the_day_it_occurred_or_today_sar_g_4_sar_r_3() -> None:
    """SAR-G-4 (every step is dated), SAR-R-3: the acknowledgement is dated the day it
    occurred (``occurred_on``), else the day it is recorded."""
    review = requested().r
    changes, tasks = EFFECTS["acknowledge_request"](
        review, c.AcknowledgeRequest(occurred_on=EARLIER), ctx(MANAGER)
    )
    assert changes == {"acknowledged_on": EARLIER}
    assert tasks == (SarTask("SAR-R-3", "referrer", "receipt acknowledged"),)
    changes, _ = EFFECTS["acknowledge_request"](review, c.AcknowledgeRequest(), ctx(MANAGER))
    assert changes == {"acknowledged_on": START}


def test_the_report_and_ratification_are_dated_when_they_occurred_sar_a_7() -> None:
    """SAR-A-7: the report's submission and the Board's sign-off are dated by
    ``occurred_on``; the review concludes then when that is the concluded event."""
    review = report_drafted().r
    assert review.report is not None
    on_submit = ctx(LEAD, settings=SarSettings(concluded_event=ConcludedEvent.SUBMIT_REPORT))
    changes, _ = EFFECTS["submit_report"](
        review, c.SubmitReport(review.report, occurred_on=EARLIER), on_submit
    )
    assert changes == {
        "report": evolve(review.report, submitted_on=EARLIER),
        "concluded_on": EARLIER,
    }
    changes, _ = EFFECTS["ratify"](review, c.Ratify(occurred_on=EARLIER), ctx(BOARD))
    assert changes == {"ratified_on": EARLIER, "concluded_on": EARLIER}


# --- SAR-P-5, SAR-P-7: publication ---------------------------------------------------


def test_a_publication_decision_records_its_choice_and_terms_sar_p_5() -> None:
    """SAR-P-5: the status that follows the choice, and the reasons, the event deferred
    to and the review date as given."""
    review = screened().r
    review_on = START + timedelta(days=90)
    defer = c.DecidePublication(PublicationChoice.DEFER, "the trial", "the verdict", review_on)
    changes, _ = EFFECTS["decide_publication"](review, defer, ctx(CHAIR))
    assert changes == {
        "publication": evolve(
            review.publication,
            status=PublicationStatus.DEFERRED,
            choice=PublicationChoice.DEFER,
            reasons="the trial",
            defer_until_event="the verdict",
            review_on=review_on,
        )
    }


def test_a_publication_is_recorded_on_the_day_it_occurred_sar_p_7() -> None:
    """SAR-P-7: the date, URL, version and what was published."""
    review = screened().r
    cmd = c.RecordPublication(c.PublishedWhat.SUMMARY, "https://sab.example/s", "2", True, EARLIER)
    changes, _ = EFFECTS["record_publication"](review, cmd, ctx(MANAGER))
    entry = PublicationEntry(EARLIER, "https://sab.example/s", "2", "summary")
    assert changes == {
        "publication": evolve(
            review.publication, entries=(entry,), status=PublicationStatus.PUBLISHED
        )
    }


# --- SAR-A-2: actions ----------------------------------------------------------------


def test_completing_an_action_closes_that_action_only_sar_a_2() -> None:
    """SAR-A-2: the action named is completed (or discontinued) with its outcome, on the
    day it occurred; the others are untouched."""
    due = START + timedelta(days=200)
    actions = (
        Action("A1", "asc", due, "x", "y", ("F1",)),
        Action("A2", "nhs", due, "x", "y", ("F1",)),
    )
    review = evolve(screened().r, actions=actions)
    done = c.CompleteAction("A1", "handovers audited", occurred_on=EARLIER)
    changes, _ = EFFECTS["complete_action"](review, done, ctx(MANAGER))
    closed = evolve(
        actions[0], status=ActionStatus.COMPLETED, outcome="handovers audited", closed_on=EARLIER
    )
    assert changes == {"actions": (closed, actions[1])}
    stopped = c.CompleteAction("A2", "service closed", discontinued=True)
    changes, _ = EFFECTS["complete_action"](review, stopped, ctx(MANAGER))
    assert changes["actions"][1].status is ActionStatus.DISCONTINUED
    assert changes["actions"][1].closed_on == START


# --- SAR-F-6: family sight -----------------------------------------------------------


def test_a_family_response_updates_that_person_keeping_what_is_not_given_sar_f_6() -> None:
    """SAR-F-6: the draft sent, the response and its handling recorded for the person
    named; a later record keeps what it does not give."""
    sister = InvolvementEntry("sis", "sister", InvolvementLevel.SEE_REPORT, START)
    brother = InvolvementEntry("bro", "brother", InvolvementLevel.SEE_REPORT, START)
    review = evolve(screened().r, involvement=(sister, brother))
    answer = c.RecordFamilyResponse("sis", START, EARLIER, "too harsh", "section 3 reworded")
    changes, _ = EFFECTS["record_family_response"](review, answer, ctx(MANAGER))
    answered = evolve(
        sister,
        sight_sent_on=START,
        responded_on=EARLIER,
        response="too harsh",
        handling="section 3 reworded",
    )
    assert changes == {"involvement": (answered, brother)}
    later = evolve(review, involvement=(answered, brother))
    again = c.RecordFamilyResponse("sis", handling="published with a note")
    changes, _ = EFFECTS["record_family_response"](later, again, ctx(MANAGER))
    assert changes == {"involvement": (evolve(answered, handling="published with a note"), brother)}


# --- the runner ----------------------------------------------------------------------


def test_the_runner_raises_by_the_kinds_of_refusal_with_every_reason() -> None:
    """Only INPUT refusals (SAR-R-2): InvalidRequest; only PERMISSION (a lead reviewer
    acknowledging a referral, SAR-R-3): PermissionDenied; any other (a MAP stage
    refusal): TransitionRefused; each names the command and carries every refusal."""
    bare = c.SubmitRequest(Referral())
    cases: list[tuple[SarReview | None, c.SarCommand, SarContext, type[TransitionRefused]]] = [
        (None, bare, ctx(MANAGER), InvalidRequest),
        (requested().r, c.AcknowledgeRequest(), ctx(LEAD), PermissionDenied),
        (requested().r, c.Ratify(), ctx(BOARD), TransitionRefused),
    ]
    for review, command, k, error in cases:
        with pytest.raises(TransitionRefused) as raised:
            execute(review, command, k)
        assert type(raised.value) is error
        assert raised.value.command == command.name
        assert raised.value.refusals == tuple(judge(review, command, k))
        assert raised.value.refusals


def test_a_referral_starts_a_review_under_its_reference_and_settings_sar_r_1() -> None:
    """SAR-R-1: the review takes the command's reference (else the runner's, by default
    ``SAR-1``), the day received (``occurred_on``) and the settings' version."""
    settings = SarSettings(version="shire-2027")
    k = ctx(MANAGER, settings=settings)
    made, tasks = execute(None, c.SubmitRequest(referral(), "SAR-7", occurred_on=EARLIER), k)
    assert (made.reference, made.received_on, made.settings_version) == (
        "SAR-7",
        EARLIER,
        "shire-2027",
    )
    assert (made.stage, tasks) == ("requested", ())
    plain, _ = execute(None, c.SubmitRequest(referral()), ctx(MANAGER))
    assert (plain.reference, plain.received_on) == ("SAR-1", START)
    assert execute(None, c.SubmitRequest(referral()), ctx(MANAGER), "SAR-9")[0].reference == "SAR-9"


def test_an_effect_sees_the_role_the_actor_acts_in_sar_g_6() -> None:
    """SAR-G-6: the waiver records the role the actor acted in (by the Board's
    ``waiver_roles``), whatever role the caller's context named."""
    settings = SarSettings(waiver_roles=(Role.SUBGROUP_CHAIR,))
    run_review = screened().r
    k = SarContext(SUBGROUP, None, START, settings)
    after, _ = execute(run_review, c.RecordWaiver("SAR-M-3", "only reviewer available"), k)
    assert after.waivers[-1].role is Role.SUBGROUP_CHAIR
    assert after.waivers[-1].by == SUBGROUP.id


def test_the_referrer_category_is_kept_on_the_review() -> None:
    """SAR-R-1: the review keeps the referral as given."""
    given = referral(referrer_category=ReferrerCategory.CORONER)
    made, _ = execute(None, c.SubmitRequest(given), ctx(MANAGER))
    assert made.referral == given and made.received_on == date(2027, 1, 11)


# --- SAR-I-5, SAR-R-4: a request's due date; SAR-M-3: a replaced lead reviewer -------


def test_a_request_is_due_after_its_own_target_from_the_day_it_was_sent_sar_i_5() -> None:
    """A s.45 request is due ``s45_response_target`` after the day it was sent (its
    ``occurred_on``, not the day recorded), counted on the Board's own bank-holiday
    calendar; a scoping request after ``scoping_return_target`` whatever its kind; a
    voluntary request has no target."""
    from scr_engine.protocols.sar.settings import Duration, DurationUnit

    settings = SarSettings(
        version="targets",
        s45_response_target=Duration(3, DurationUnit.WORKING_DAYS),
        scoping_return_target=Duration(10),
        bank_holiday_calendar="scotland",
    )
    review = _assessed()
    k = ctx(CHAIR, date(2027, 1, 11), settings)
    sent = date(2026, 12, 30)  # 2 January is a bank holiday in Scotland only
    s45 = c.RequestInformation(
        c.InformationKind.S45, "GP", "notes", "deciding_on_a_sar", occurred_on=sent
    )
    (made,) = EFFECTS["request_information"](review, s45, k)[0]["information_requests"]
    assert (made.sent_on, made.due_on) == (sent, date(2027, 1, 6))
    scoping = evolve(s45, scoping=True)
    (made,) = EFFECTS["request_information"](review, scoping, k)[0]["information_requests"]
    assert made.due_on == sent + timedelta(days=10)
    voluntary = evolve(s45, kind=c.InformationKind.VOLUNTARY)
    (made,) = EFFECTS["request_information"](review, voluntary, k)[0]["information_requests"]
    assert made.due_on is None


def test_a_replaced_lead_reviewer_is_kept_from_the_day_of_the_new_appointment_sar_m_3() -> None:
    """The replacement is dated the day the new appointment was made (its
    ``occurred_on``), else the day it is recorded."""
    first = LeadReviewer("u-lead", "Lee Reviewer", "Independent Ltd")
    review = evolve(_assessed(), lead_reviewer=first)
    newcomer = LeadReviewer("u-l2", "Nia Newlead", "Independent Ltd")
    cmd = c.AppointLeadReviewer(newcomer, occurred_on=EARLIER, reasons="stood down")
    changes = EFFECTS["appoint_lead_reviewer"](review, cmd, ctx(CHAIR))[0]
    (gone,) = changes["replaced_reviewers"]
    assert (gone.reviewer, gone.replaced_by, gone.day) == (first, "u-l2", EARLIER)
    undated = evolve(cmd, occurred_on=None)
    (gone,) = EFFECTS["appoint_lead_reviewer"](review, undated, ctx(CHAIR))[0]["replaced_reviewers"]
    assert gone.day == START
    assert EFFECTS["appoint_lead_reviewer"](_assessed(), cmd, ctx(CHAIR))[0] == {
        "lead_reviewer": newcomer
    }
