"""Referral (§4, Appendix 1): RF-1 … RF-6, RF-4a and RF-4b."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

from builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    REQUESTER,
    TWO_AUTHORITIES,
    demo_request,
    prepare_panel,
    screen,
    submit,
)
from scr_engine import (
    Actor,
    AlternativeReview,
    CriteriaFacts,
    DeadlineStatus,
    FixedClock,
    InvalidRequest,
    PermissionDenied,
    RequesterCategory,
    RequestForm,
    ReviewEngine,
    Role,
    Stage,
    TaskKind,
    TaskStatus,
    TransitionRefused,
)
from scr_engine import commands as c

NOTHING_MET = CriteriaFacts()


def _with_category(category: RequesterCategory) -> RequestForm:
    form = demo_request()
    return attrs.evolve(form, requester=attrs.evolve(form.requester, category=category))


# --------------------------------------------------------------------------- RF-1


@pytest.mark.rule("RF-1")
@pytest.mark.parametrize("category", list(RequesterCategory))
def test_rf1_each_requester_category_is_recorded(
    engine: ReviewEngine, category: RequesterCategory
) -> None:
    """RF-1: a request from a partner agency, the coroner, an MP, an Elected Member or
    another interested party is received, and the requester's category is recorded
    (on the review and in its first event)."""
    review = submit(engine, _with_category(category))
    assert review.stage is Stage.REQUESTED
    assert engine.get(review.id).request.requester.category is category
    first = engine.history(review.id)[0]
    assert first.command == "submit_request"
    assert first.payload["request"]["requester"]["category"] == category.value


@pytest.mark.rule("RF-1")
def test_rf1_requester_category_must_be_one_of_the_five(engine: ReviewEngine) -> None:
    """RF-1: a category outside the five is refused, naming the field."""
    form = demo_request()
    requester = attrs.evolve(form.requester, category="journalist")  # type: ignore[arg-type]
    bad = attrs.evolve(form, requester=requester)
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("RF-1", "requester.category")]


@pytest.mark.rule("RF-1")
def test_rf1_only_requesters_and_the_business_manager_submit(engine: ReviewEngine) -> None:
    """RF-1: the business manager may log a request on someone's behalf; an actor who
    holds neither role is refused, citing RF-1, and nothing is stored."""
    on_behalf = engine.submit(demo_request(), BUSINESS_MANAGER)
    assert engine.history(on_behalf.id)[0].role is Role.BUSINESS_MANAGER
    assert on_behalf.requested_by == BUSINESS_MANAGER.id

    outsider = Actor("u-x", "Someone", {Role.PANEL_MEMBER}, "gp")
    with pytest.raises(PermissionDenied) as refused:
        engine.submit(demo_request(), outsider)
    assert refused.value.rules == ("RF-1",)
    assert [r.id for r in engine.store.list_by_stage(Stage.REQUESTED)] == [on_behalf.id]


# --------------------------------------------------------------------------- RF-2


@pytest.mark.rule("RF-2")
def test_rf2_complete_form_is_stored_whole(engine: ReviewEngine) -> None:
    """RF-2: every Appendix 1 field is kept as given."""
    form = attrs.evolve(demo_request(), other_information="The family live abroad.")
    review = submit(engine, form)
    assert engine.get(review.id).request == form
    assert review.reference.startswith("SCR-2026-")


@pytest.mark.rule("RF-2")
def test_rf2_missing_fields_are_all_named(engine: ReviewEngine) -> None:
    """RF-2: a form missing required fields is rejected with a message naming every
    missing field, and no review is created."""
    form = demo_request()
    bad = attrs.evolve(
        form,
        requester=attrs.evolve(form.requester, job_title="", email=" "),
        other_contact=attrs.evolve(form.other_contact, contact_number=""),
        incidents=(),
        how_meets_criteria="",
        agencies=(),
        signed_name="",
    )
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert {r.field for r in refused.value.refusals} == {
        "requester.job_title",
        "requester.email",
        "other_contact.contact_number",
        "incidents",
        "how_meets_criteria",
        "agencies",
        "signed_name",
    }
    assert set(refused.value.rules) == {"RF-2"}
    for refusal in refused.value.refusals:
        assert refusal.field is not None and refusal.field.split(".")[0] in str(refused.value)
    assert engine.store.list_by_stage(Stage.REQUESTED) == []


@pytest.mark.rule("RF-2")
def test_rf2_incident_needs_date_and_details(engine: ReviewEngine) -> None:
    """RF-2: each incident needs its date and details; dates cannot be in the future."""
    form = demo_request()
    incident = form.incidents[0]
    bad = attrs.evolve(
        form,
        incidents=(
            attrs.evolve(incident, details=""),
            attrs.evolve(incident, date=date(2030, 1, 1)),
        ),
        signed_date=date(2030, 1, 1),
    )
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert {r.field for r in refused.value.refusals} == {
        "incidents[0].details",
        "incidents[1].date",
        "signed_date",
    }


@pytest.mark.rule("RF-2")
def test_rf2_other_information_is_optional(engine: ReviewEngine) -> None:
    """RF-2: "any other information" may be left blank."""
    review = submit(engine, attrs.evolve(demo_request(), other_information=""))
    assert review.stage is Stage.REQUESTED


# --------------------------------------------------------------------------- RF-3


@pytest.mark.rule("RF-3")
def test_rf3_chair_receipt_is_recorded_and_starts_the_clock(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RF-3: the date the Chair received the request is recorded, and the initial
    meeting's clock (SU-5) runs from it rather than from the request's arrival."""
    review = submit(engine)
    assert review.received_on == date(2026, 2, 2)
    clock.advance(days=3)
    notified = engine.execute(review.id, c.RecordChairNotified(date(2026, 2, 4)), BUSINESS_MANAGER)
    assert notified.chair_received_on == date(2026, 2, 4)
    meeting = {d.key: d for d in engine.deadlines(review.id)}["initial_meeting"]
    assert meeting.starts_on == date(2026, 2, 4)
    assert meeting.due_on == date(2026, 3, 4)


@pytest.mark.rule("RF-3")
def test_rf3_chair_receipt_cannot_predate_the_request_or_be_future(
    engine: ReviewEngine,
) -> None:
    """RF-3: the Chair cannot have received the request before it was made, nor on a
    date still to come; the receipt is recorded once."""
    review = submit(engine)
    for when in (date(2026, 2, 1), date(2026, 2, 3)):
        with pytest.raises(InvalidRequest) as refused:
            engine.execute(review.id, c.RecordChairNotified(when), BUSINESS_MANAGER)
        assert [(r.rule, r.field) for r in refused.value.refusals] == [("RF-3", "received_on")]
    engine.execute(review.id, c.RecordChairNotified(date(2026, 2, 2)), BOARD_CHAIR)
    with pytest.raises(TransitionRefused) as again:
        engine.execute(review.id, c.RecordChairNotified(date(2026, 2, 2)), BUSINESS_MANAGER)
    assert again.value.rules == ("RF-3",)


@pytest.mark.rule("RF-3")
def test_rf3_no_deadline_without_a_board_target(engine: ReviewEngine) -> None:
    """RF-3: "as soon as practicable" has no number, so by default no chair-notified
    deadline is computed (only the dates are recorded)."""
    review = submit(engine)
    assert "chair_notified" not in {d.key for d in engine.deadlines(review.id)}


# --------------------------------------------------------------------------- RF-4


@pytest.mark.rule("RF-4")
@pytest.mark.parametrize(
    "command",
    [
        c.AssessCriteria(),
        c.ConfirmReview("Met."),
        c.Decline("Not met."),
        c.RecommendAlternative(AlternativeReview.NEAR_MISS_REVIEW, "Near miss."),
    ],
    ids=lambda cmd: cmd.name,
)
def test_rf4_only_the_board_chair_may_screen(engine: ReviewEngine, command: c.Command) -> None:
    """RF-4: assessing, confirming, declining or redirecting is for the board_chair
    alone; anyone else gets PermissionDenied citing RF-4, and nothing changes."""
    review = submit(engine, demo_request(facts=NOTHING_MET))
    for actor in (BUSINESS_MANAGER, PANEL_CHAIR, REQUESTER):
        with pytest.raises(PermissionDenied) as refused:
            engine.execute(review.id, command, actor)
        assert "RF-4" in refused.value.rules
    assert len(engine.history(review.id)) == 1


@pytest.mark.rule("RF-4")
def test_rf4_chair_assesses_before_deciding(engine: ReviewEngine) -> None:
    """RF-4: the Chair reviews the request against the criteria first: confirming,
    declining or redirecting before an assessment is refused citing RF-4."""
    review = submit(engine)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConfirmReview(), BOARD_CHAIR)
    assert refused.value.rules == ("RF-4",)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    confirmed = engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
    assert confirmed.stage is Stage.SCREENED
    assert confirmed.outcome_reasons == "CR-1 is met."


@pytest.mark.rule("RF-4a")
def test_rf4a_individual_practice_review(engine: ReviewEngine) -> None:
    """RF-4a: the Chair may recommend an Individual Practice Review: the review is
    redirected and the recommendation and its reasons are recorded."""
    review = submit(engine, demo_request(facts=NOTHING_MET))
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    redirected = engine.execute(
        review.id,
        c.RecommendAlternative(AlternativeReview.INDIVIDUAL_PRACTICE_REVIEW, "One agency."),
        BOARD_CHAIR,
    )
    assert redirected.stage is Stage.REDIRECTED
    assert redirected.alternative is AlternativeReview.INDIVIDUAL_PRACTICE_REVIEW
    assert redirected.outcome_reasons == "One agency."
    assert engine.history(review.id)[-1].payload["kind"] == "individual_practice_review"
    assert {d.status for d in engine.deadlines(review.id)} == {DeadlineStatus.CANCELLED}


@pytest.mark.rule("RF-4b")
def test_rf4b_near_miss_review(engine: ReviewEngine) -> None:
    """RF-4b: the Chair may recommend a Near Miss Review; reasons are required."""
    review = submit(engine, demo_request(facts=NOTHING_MET))
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(
            review.id, c.RecommendAlternative(AlternativeReview.NEAR_MISS_REVIEW, ""), BOARD_CHAIR
        )
    assert [r.field for r in refused.value.refusals] == ["reasons"]
    redirected = engine.execute(
        review.id,
        c.RecommendAlternative(AlternativeReview.NEAR_MISS_REVIEW, "Harm was averted."),
        BOARD_CHAIR,
    )
    assert redirected.stage is Stage.REDIRECTED
    assert redirected.alternative is AlternativeReview.NEAR_MISS_REVIEW


@pytest.mark.rule("RF-4b")
def test_rf4b_alternative_kind_must_be_one_of_the_two() -> None:
    """RF-4a/RF-4b: only the two named alternatives exist; any other kind sent over
    the wire is refused naming the field."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(
            {"command": "recommend_alternative", "kind": "domestic_homicide", "reasons": "x"}
        )
    assert [r.field for r in refused.value.refusals] == ["kind"]
    ok = c.from_dict(
        {"command": "recommend_alternative", "kind": "near_miss_review", "reasons": "x"}
    )
    assert isinstance(ok, c.RecommendAlternative)
    assert ok.kind is AlternativeReview.NEAR_MISS_REVIEW


# --------------------------------------------------------------------------- RF-5


@pytest.mark.rule("RF-5")
def test_rf5_confirm_emits_one_task_per_agency_per_kind(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RF-5: as soon as an SCR is confirmed, one "secure records" task and one
    "identify an IMR writer" task are emitted for every agency involved."""
    review = submit(engine)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert engine.store.pending_tasks() == []
    clock.advance(hours=2)
    engine.execute(review.id, c.ConfirmReview(), BOARD_CHAIR)
    tasks = engine.store.pending_tasks()
    assert sorted((t.kind, t.agency) for t in tasks) == sorted(
        (kind, agency)
        for agency in ("asc", "gp", "police")
        for kind in (TaskKind.SECURE_RECORDS, TaskKind.REQUEST_IMR_WRITER)
    )
    assert {t.review_id for t in tasks} == {review.id}
    assert {t.rule for t in tasks} == {"RF-5"}
    assert {t.created_at for t in tasks} == {clock.now()}
    assert len({t.id for t in tasks}) == 6


@pytest.mark.rule("RF-5")
def test_rf5_tasks_are_not_emitted_twice_or_by_other_commands(engine: ReviewEngine) -> None:
    """RF-5: the rest of set-up emits no further tasks; delivered tasks leave the list,
    and so do the tasks the agencies fulfil (records secured, IMR writer named)."""
    review = submit(engine)
    screen(engine, review.id)
    tasks = engine.store.pending_tasks()
    engine.store.complete_task(tasks[0].id)
    assert engine.store.pending_tasks() == tasks[1:]
    prepare_panel(engine, review.id)
    assert [s.task for s in engine.tasks(review.id)] == tasks
    assert {s.status for s in engine.tasks(review.id)} == {TaskStatus.DONE}
    assert engine.store.pending_tasks() == []


@pytest.mark.rule("RF-5")
def test_rf5_each_answer_closes_its_own_letter(engine: ReviewEngine) -> None:
    """RF-5: an agency's records secured closes its records letter only; its IMR
    writer named closes its writer request only; other agencies' stay pending."""
    review = submit(engine)
    screen(engine, review.id)
    engine.execute(review.id, c.RecordRecordsSecured("gp"), BUSINESS_MANAGER)
    status = {(s.task.kind, s.task.agency): s.status for s in engine.tasks(review.id)}
    assert [k for k, v in status.items() if v is TaskStatus.DONE] == [
        (TaskKind.SECURE_RECORDS, "gp")
    ]
    engine.execute(review.id, c.RecordImrWriter("gp", "p-gp-w", "Dr Imr", False), BUSINESS_MANAGER)
    status = {(s.task.kind, s.task.agency): s.status for s in engine.tasks(review.id)}
    assert sorted(k for k, v in status.items() if v is TaskStatus.DONE) == sorted(
        [(TaskKind.SECURE_RECORDS, "gp"), (TaskKind.REQUEST_IMR_WRITER, "gp")]
    )


@pytest.mark.rule("RF-5")
@pytest.mark.rule("PR-d")
def test_rf5_withdrawal_cancels_the_letters_not_yet_sent_pr_d(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RF-5, PR-d: once the Board Chair withdraws a review, its letters not yet sent
    are cancelled: ``pending_tasks`` no longer lists them, ``tasks`` shows them
    cancelled, and the one delivered before stays done. Another review's stay pending."""
    withdrawn, kept = submit(engine), submit(engine)
    screen(engine, withdrawn.id)
    screen(engine, kept.id)
    letters = [t for t in engine.pending_tasks() if t.review_id == withdrawn.id]
    engine.complete_task(letters[0].id)
    clock.advance(hours=1)
    engine.execute(withdrawn.id, c.Withdraw("The family asked the Board to stop."), BOARD_CHAIR)
    pending = engine.pending_tasks()
    assert pending and {t.review_id for t in pending} == {kept.id}
    assert [(s.task, s.status) for s in engine.tasks(withdrawn.id)] == [
        (letters[0], TaskStatus.DONE)
    ] + [(t, TaskStatus.CANCELLED) for t in letters[1:]]
    assert {s.status for s in engine.tasks(kept.id)} == {TaskStatus.PENDING}


@pytest.mark.rule("RF-5")
def test_rf5_convene_waits_for_records_and_imr_writers(engine: ReviewEngine) -> None:
    """RF-5: the panel cannot be convened until every agency has secured its records
    and identified its IMR writer; the refusal names the agencies still outstanding."""
    review = submit(engine)
    screen(engine, review.id)
    prepare_panel(engine, review.id, secure_records=False, imr_writers=False)
    engine.execute(review.id, c.RecordRecordsSecured("asc"), BUSINESS_MANAGER)
    engine.execute(review.id, c.RecordImrWriter("gp", "u-imr-gp", "Gil Writer"), BUSINESS_MANAGER)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    messages = [r.message for r in refused.value.refusals]
    assert refused.value.rules == ("RF-5",)
    assert messages == [
        "records not yet secured by: gp, police",
        "no IMR writer identified by: asc, police",
    ]
    recorded = engine.get(review.id)
    assert recorded.records_secured == {"asc"}
    assert [(w.agency, w.person_id, w.name) for w in recorded.imr_writers] == [
        ("gp", "u-imr-gp", "Gil Writer")
    ]


@pytest.mark.rule("RF-5")
def test_rf5_records_secured_once_per_agency(engine: ReviewEngine) -> None:
    """RF-5: securing the same agency's records twice is refused."""
    review = submit(engine)
    screen(engine, review.id)
    engine.execute(review.id, c.RecordRecordsSecured("gp"), BUSINESS_MANAGER)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.RecordRecordsSecured("gp"), BUSINESS_MANAGER)
    assert refused.value.rules == ("RF-5",)


# --------------------------------------------------------------------------- RF-6


@pytest.mark.rule("RF-6")
def test_rf6_two_local_authorities_agree_a_lead_before_convening(
    engine: ReviewEngine,
) -> None:
    """RF-6: with two local authorities involved the panel is not convened until the
    lead authority is agreed; once recorded, convening succeeds."""
    review = submit(engine, demo_request(agencies=TWO_AUTHORITIES))
    screen(engine, review.id)
    prepare_panel(engine, review.id, lead_authority=False)
    assert "convene_panel" not in engine.allowed(review.id, PANEL_CHAIR)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert refused.value.rules == ("RF-6",)
    assert "asc, nbc" in refused.value.refusals[0].message

    agreed = engine.execute(review.id, c.AgreeLeadAuthority("nbc"), BOARD_CHAIR)
    assert agreed.lead_authority == "nbc"
    assert engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR).stage is Stage.PANEL_CONVENED


@pytest.mark.rule("RF-6")
def test_rf6_one_local_authority_needs_no_lead_agreement(engine: ReviewEngine) -> None:
    """RF-6: with a single local authority, no lead needs agreeing."""
    review = submit(engine)
    screen(engine, review.id)
    prepare_panel(engine, review.id, lead_authority=False)
    convened = engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert convened.stage is Stage.PANEL_CONVENED
    assert convened.lead_authority is None


@pytest.mark.rule("RF-6")
def test_rf6_lead_must_be_a_local_authority_and_chosen_by_the_chair(
    engine: ReviewEngine,
) -> None:
    """RF-6: the lead is one of the local authorities involved, agreed by the board
    chair; a health body, an unknown agency or another role is refused."""
    review = submit(engine, demo_request(agencies=TWO_AUTHORITIES))
    screen(engine, review.id)
    with pytest.raises(TransitionRefused) as not_la:
        engine.execute(review.id, c.AgreeLeadAuthority("gp"), BOARD_CHAIR)
    assert not_la.value.rules == ("RF-6",)
    with pytest.raises(InvalidRequest):
        engine.execute(review.id, c.AgreeLeadAuthority("fire"), BOARD_CHAIR)
    with pytest.raises(PermissionDenied):
        engine.execute(review.id, c.AgreeLeadAuthority("asc"), BUSINESS_MANAGER)
    assert engine.get(review.id).lead_authority is None


@pytest.mark.rule("RF-3")
def test_rf3_receipt_date_is_the_boards_local_date(engine: ReviewEngine, clock: FixedClock) -> None:
    """RF-3: the request's receipt date is the Board's calendar date (Europe/London)
    on the injected clock, not the UTC date."""
    clock.set(datetime(2026, 6, 1, 23, 30, tzinfo=UTC))  # 00:30 on 2 June, British Summer Time
    assert submit(engine).received_on == date(2026, 6, 2)
