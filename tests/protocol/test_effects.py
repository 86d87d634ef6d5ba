"""What each command records on the review: the exact values an accepted command
leaves behind (issue 14: pinned where the other tests looked only at the stage)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from attrs import evolve

from scr_engine import (
    Agency,
    FixedClock,
    ImrJudgement,
    Review,
    ReviewEngine,
    Stage,
)
from scr_engine import commands as c
from scr_engine.commands import COMMANDS
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER
from scr_engine.records import ActionStatus, Appointment, Replacement, TermsRevision
from scr_engine.states.effects import EFFECTS, apply, effect_of
from support.builders import PANEL_CHAIR, at_noon, command_class, prepare_panel, to_stage, today


def _task_ids(engine: ReviewEngine, review_id: str) -> set[str]:
    return {t.id for t in engine.store.pending_tasks(limit=1000) if t.review_id == review_id}


@pytest.mark.rule("RF-5")
def test_the_letters_of_a_confirmed_review_carry_the_confirming_event_s_number(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    version = len(engine.history(review.id))  # the confirm_review event's sequence
    assert engine.history(review.id)[-1].command == "confirm_review"
    expected = {
        f"{review.id}:{version}:{kind}:{agency}"
        for agency in review.agencies
        for kind in ("secure_records", "request_imr_writer")
    }
    assert _task_ids(engine, review.id) == expected


@pytest.mark.rule("SU-7")
def test_an_agency_brought_in_gets_letters_numbered_by_its_own_event(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    before = _task_ids(engine, review.id)
    added = engine.execute(
        review.id, c.AddAgency(Agency("fire", "County Fire"), "Attended."), BOARD_CHAIR
    )
    new = _task_ids(engine, review.id) - before
    assert new == {
        f"{review.id}:{added.version}:{kind}:fire"
        for kind in ("secure_records", "request_imr_writer")
    }


@pytest.mark.rule("SU-2")
def test_a_panel_member_is_recorded_as_appointed_today(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    clock.advance(days=3)
    prepared = prepare_panel(engine, review.id, meeting=False)
    assert prepared.panel_members
    assert {m.appointed_on for m in prepared.panel_members} == {today(engine)}


@pytest.mark.rule("EV-2")
def test_an_imr_is_received_with_nothing_further_asked_and_judged_sufficient_so(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    agency = review.imr_agencies[0]
    received = engine.execute(review.id, c.ReceiveImr(agency, "The IMR.", ()), PANEL_CHAIR)
    imr = next(i for i in received.imrs if i.agency == agency)
    assert imr.further_information == "" and imr.judgement is None
    judged = engine.execute(
        review.id,
        c.JudgeImr(agency, ImrJudgement.SUFFICIENT, "Nothing is needed after all."),
        PANEL_CHAIR,
    )
    imr = next(i for i in judged.imrs if i.agency == agency)
    assert imr.judgement is ImrJudgement.SUFFICIENT
    assert imr.further_information == ""  # a sufficient IMR asks for nothing more


@pytest.mark.rule("AP-3")
def test_a_completed_action_is_completed_on_the_day_with_its_outcome(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = review.actions[0]
    assert action.status is ActionStatus.OPEN
    done = engine.execute(
        review.id, c.CompleteAction(action.id, "Staff briefed."), BUSINESS_MANAGER
    )
    completed = next(a for a in done.actions if a.id == action.id)
    assert completed.status is ActionStatus.COMPLETED
    assert completed.completed_on == today(engine)
    assert all(a.status is ActionStatus.OPEN for a in done.actions if a.id != action.id)


@pytest.mark.rule("PR-a")
def test_a_pause_records_its_process_reasons_and_day(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    paused = engine.execute(
        review.id, c.PauseClock("inquest", "The coroner opened an inquest."), BOARD_CHAIR
    )
    (pause,) = paused.pauses
    assert (pause.started_on, pause.process, pause.reasons, pause.ended_on) == (
        today(engine),
        "inquest",
        "The coroner opened an inquest.",
        None,
    )


@pytest.mark.rule("PR-e")
def test_lifting_a_restriction_leaves_the_review_unrestricted_with_no_readers(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    restricted = engine.execute(
        review.id, c.RestrictAccess("Sensitive.", ("u-auditor",)), BOARD_CHAIR
    )
    assert restricted.restricted is True
    assert restricted.readers == frozenset({"u-auditor", BOARD_CHAIR.id})
    lifted = engine.execute(
        review.id, c.RestrictAccess("No longer.", restricted=False), BOARD_CHAIR
    )
    assert lifted.restricted is False and lifted.readers == frozenset()


def test_each_command_records_what_it_says(engine: ReviewEngine, clock: FixedClock) -> None:
    """The records the effects make: the day a member is appointed, an IMR received
    with no further information asked yet, a judgement of sufficient keeping none, a
    pause with its reasons, a completed action marked so, and the RF-5 letters of
    ``confirm_review`` numbered by the event that sent them."""
    from scr_engine import ImrJudgement
    from scr_engine.demo import BUSINESS_MANAGER
    from scr_engine.records import ActionStatus

    rid = to_stage(engine, clock, Stage.SCREENED).id
    confirmed = next(e for e in engine.history(rid) if e.command == "confirm_review")
    letters = [t for t in engine.pending_tasks() if t.review_id == rid]
    assert letters and all(t.id.startswith(f"{rid}:{confirmed.sequence}:") for t in letters)
    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    review = engine.get(rid)
    assert all(m.appointed_on is not None for m in review.panel_members)
    agency = review.imr_agencies[0]
    received = engine.execute(rid, c.ReceiveImr(agency, "What we did."), PANEL_CHAIR)
    imr = received.imr(agency)
    assert imr is not None and (imr.judgement, imr.further_information) == (None, "")
    judged = c.JudgeImr(agency, ImrJudgement.SUFFICIENT, "Nothing more needed.")
    imr = engine.execute(rid, judged, PANEL_CHAIR).imr(agency)
    assert imr is not None and (imr.judgement, imr.further_information) == (
        ImrJudgement.SUFFICIENT,
        "",
    )
    paused = engine.execute(rid, c.PauseClock("inquest", "The coroner asked."), PANEL_CHAIR)
    assert (paused.pauses[-1].process, paused.pauses[-1].reasons) == (
        "inquest",
        "The coroner asked.",
    )
    done = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = done.actions[0].id
    completed = engine.execute(done.id, c.CompleteAction(action, "Done."), BUSINESS_MANAGER)
    finished = completed.action(action)
    assert finished is not None and finished.status is ActionStatus.COMPLETED
    assert finished.completed_on == today(engine)


@pytest.mark.rule("MAP")
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_s_effect_is_the_one_its_class_names(name: str) -> None:
    """What a command records is the effect :func:`effect_of` gives for its class (the
    table of effects is built from it once, at import; called again it says the same),
    and every command of the table (MAP) but ``submit_request`` has one."""
    found = effect_of(command_class(name))
    if name == "submit_request":
        assert found is None and name not in EFFECTS
    else:
        assert found is EFFECTS[name] and callable(found)


def test_a_class_that_is_no_command_has_no_effect() -> None:
    with pytest.raises(AssertionError):
        effect_of(c.Command)  # type: ignore[arg-type]


@pytest.mark.rule("SU-6", "EV-3", "AP-1", "CR-4", "PR-d")
def test_commands_that_change_nothing_share_the_effect_that_changes_nothing(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """``convene_panel`` (SU-6), ``accept_evidence`` (EV-3) and ``start_monitoring``
    (AP-1) only move the stage: their effect changes no field and emits no task; the
    reasons of ``decline`` (CR-4) and ``withdraw`` (PR-d) are recorded the same way."""
    review = to_stage(engine, clock, Stage.SCREENED)
    day, at = review.received_on, engine.history(review.id)[-1].at
    for name in ("convene_panel", "accept_evidence", "start_monitoring"):
        command = command_class(name)()  # type: ignore[call-arg]
        assert EFFECTS[name](review, command, "u-any", day, at) == ({}, ())
    decline = EFFECTS["decline"](review, c.Decline("Not met."), "u-any", day, at)
    withdraw = EFFECTS["withdraw"](review, c.Withdraw("Not met."), "u-any", day, at)
    assert decline == withdraw and decline[1] == ()


def _effect(name: str, review: Review, command: c.Command, day: date) -> dict[str, object]:
    """The changes of ``command``'s effect on ``review``, run directly on ``day`` (a day
    no record of the review carries yet, so that a value dated by it is seen to be)."""
    changes, tasks = EFFECTS[name](review, command, "u-any", day, at_noon(day))
    assert tasks == ()
    return changes


@pytest.fixture
def convened(engine: ReviewEngine, clock: FixedClock) -> Review:
    return to_stage(engine, clock, Stage.PANEL_CONVENED)


@pytest.mark.rule("SU-1", "SU-9", "PR-b")
@pytest.mark.parametrize(
    ("name", "role", "command"),
    [
        ("replace_panel_chair", "panel_chair", c.ReplacePanelChair),
        ("replace_overview_writer", "overview_writer", c.ReplaceOverviewWriter),
    ],
)
def test_pr_b_a_replaced_chair_or_writer_is_recorded_with_who_followed(
    convened: Review, name: str, role: str, command: type[c.ReplacePanelChair]
) -> None:
    """SU-1 / SU-9 with PR-b: the newcomer is appointed on the day, and the one who
    goes is kept as appointed, with who took their place, the reasons and the day."""
    day = convened.received_on + timedelta(days=40)
    before = getattr(convened, role)
    newcomer = Appointment("u-new", "Nia Newcomer")
    changes = _effect(name, convened, command(newcomer, "Moved away."), day)
    assert changes[role] == evolve(newcomer, appointed_on=day)
    assert changes["replaced"] == (
        *convened.replaced,
        Replacement(role, before, "u-new", "Moved away.", day),
    )


@pytest.mark.rule("SU-2", "PR-b")
def test_pr_b_a_panel_member_stands_down_with_or_without_a_successor(convened: Review) -> None:
    day = convened.received_on + timedelta(days=40)
    first, second, *_ = convened.panel_members
    alone = _effect(
        "stand_down_panel_member", convened, c.StandDownPanelMember(second.person_id, "Ill."), day
    )
    kept = tuple(m for m in convened.panel_members if m != second)
    assert alone["panel_members"] == kept
    assert alone["replaced"] == (
        *convened.replaced,
        Replacement("panel_member", second, None, "Ill.", day),
    )
    successor = Appointment("u-next", "Ned Next", second.agency)
    command = c.StandDownPanelMember(first.person_id, "Retired.", successor)
    followed = _effect("stand_down_panel_member", convened, command, day)
    others = tuple(m for m in convened.panel_members if m != first)
    assert followed["panel_members"] == (*others, evolve(successor, appointed_on=day))
    assert followed["replaced"] == (
        *convened.replaced,
        Replacement("panel_member", first, "u-next", "Retired.", day),
    )


@pytest.mark.rule("SU-6", "PR-c")
def test_pr_c_revised_terms_keep_the_terms_they_replace(convened: Review) -> None:
    day = convened.received_on + timedelta(days=40)
    terms = convened.terms_of_reference
    assert terms is not None
    revised = evolve(terms, imr_agencies=terms.imr_agencies[:1])
    command = c.ReviseTermsOfReference(revised, "Narrowed.")
    changes = _effect("revise_terms_of_reference", convened, command, day)
    assert changes["terms_of_reference"] == revised
    assert changes["terms_revisions"] == (
        *convened.terms_revisions,
        TermsRevision(terms, "Narrowed.", day),
    )


@pytest.mark.rule("RP-2", "RP-4")
def test_rp2_a_revision_asks_for_every_sign_off_again(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A revised report is signed off afresh (RP-4): the sign-offs, the day of the last
    one, the actions and the dissemination go with the report."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    day = review.received_on + timedelta(days=90)
    signed = frozenset(review.agencies[:1])
    drafted = evolve(review, signoffs=signed, last_signoff_on=day - timedelta(days=1))
    changes = _effect("request_revision", drafted, c.RequestRevision("Say more."), day)
    assert changes == dict(
        overview_report=None,
        signoffs=frozenset(),
        actions=(),
        dissemination=None,
        last_signoff_on=None,
    )


@pytest.mark.rule("RP-4", "DATE")
def test_rp4_the_last_sign_off_day_is_the_latest_whatever_the_order_recorded(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A sign-off recorded late, dated before one already recorded, leaves the day of
    the last sign-off (which later dates may not precede) where it was; one dated after
    moves it; the first sets it."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    first, second = review.agencies[:2]
    day = review.received_on + timedelta(days=30)
    at = at_noon(day + timedelta(days=5))
    signed = evolve(review, signoffs=frozenset({first}), last_signoff_on=day)

    def last_after(command: c.RecordAgencySignoff, on: Review) -> object:
        changes, _ = apply(on, command, "u-any", at, on.stage, dated=True)
        return changes["last_signoff_on"]

    earlier = day - timedelta(days=2)
    assert last_after(c.RecordAgencySignoff(second, occurred_on=earlier), signed) == day
    later = day + timedelta(days=1)
    assert last_after(c.RecordAgencySignoff(second, occurred_on=later), signed) == later
    unsigned = evolve(review, signoffs=frozenset(), last_signoff_on=None)
    assert last_after(c.RecordAgencySignoff(first, occurred_on=earlier), unsigned) == earlier


def test_apply_runs_the_effect_of_the_definition_it_is_given(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A Board's variant's effect is the one applied (the SCR's by default): what a
    review under a variant records is its definition's."""
    review = to_stage(engine, clock, Stage.SCREENED)
    command = c.RecordBudget(1200, "panel costs")
    calls: list[str] = []

    def local(review: Any, cmd: Any, actor_id: str, day: date, at: Any) -> Any:
        calls.append(cmd.name)
        return {"budget_pounds": 1}, ()

    effects = {**EFFECTS, command.name: local}
    changes, tasks = apply(
        review, command, "u1", at_noon(today(engine)), review.stage, dated=False, effects=effects
    )
    assert calls == [command.name] and changes == {"budget_pounds": 1} and tasks == ()
    default, _ = apply(review, command, "u1", at_noon(today(engine)), review.stage, dated=False)
    assert default != changes and calls == [command.name]
