"""``options()`` and ``allowed()`` say exactly what docs/embedding.md promises.

Along random walks of a review (the protocol's next steps mixed with commands of any
input, by anyone, with the clock moving), for every actor who plays a part:

- a command that takes no input is listed by ``allowed()`` exactly when
  ``explain()`` finds nothing against it;
- a command that takes input and that ``options()`` gives a reason against, though
  the actor may issue it at this stage (a precondition of
  :mod:`scr_engine.rules.preconditions`), is refused for every input tried, citing the
  rule the option named.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from attrs import evolve
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    CommandOption,
    FixedClock,
    ImrJudgement,
    MemoryStore,
    PermissionDenied,
    RefusalKind,
    Review,
    ReviewEngine,
    Role,
    ScrEngineError,
    Stage,
)
from scr_engine import commands as c
from scr_engine.clock import local_date
from scr_engine.commands import COMMANDS
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    panel_member,
    run_to_closure,
)
from scr_engine.rules.common import Context
from scr_engine.rules.deadlines import FURTHEST_DAYS, deadlines
from scr_engine.rules.judge import takes_input
from scr_engine.rules.preconditions import PRECONDITIONS, precondition_of
from scr_engine.rules.settings import DEFAULT_SETTINGS
from scr_engine.states.machine import commands_from
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.table import TABLE
from support.builders import (
    AGENCIES,
    EVERYONE_READS,
    MAIN_LINE,
    START,
    command_class,
    cr2_facts,
    submit,
    to_stage,
)
from support.strategies import (
    any_command,
    chair_actor,
    command_inputs,
    member_actor,
    request_forms,
    right_command,
    right_steps,
    writer_actor,
)

_STARTS = (
    Stage.REQUESTED,
    Stage.REQUESTED,
    Stage.SCREENED,
    Stage.PANEL_CONVENED,
    Stage.EVIDENCE_RECEIVED,
    Stage.OVERVIEW_DRAFTED,
    Stage.RATIFIED,
    Stage.ACTION_PLAN_MONITORED,
)


_PERMISSION_OR_STAGE = (RefusalKind.PERMISSION, RefusalKind.STAGE)


def _cast(review: Review) -> list[Actor]:
    """Everyone who plays a part in the review now, and the demo's stand-ins."""
    people = [
        BOARD_CHAIR,
        BUSINESS_MANAGER,
        REQUESTER,
        PANEL_CHAIR,
        OVERVIEW_WRITER,
        chair_actor(review),
        writer_actor(review),
        *(member_actor(review, a) for a in review.agencies),
        panel_member("nowhere"),
    ]
    seen: dict[tuple[str, str | None], Actor] = {}
    for actor in people:
        seen.setdefault((actor.id, actor.agency), actor)
    return list(seen.values())


def _blocked(option: CommandOption) -> bool:
    """A command taking input that the actor may issue at this stage, yet options()
    gives a reason against: a precondition no input satisfies."""
    return (
        option.takes_input
        and bool(option.refusals)
        and all(r.kind not in _PERMISSION_OR_STAGE for r in option.refusals)
    )


def _check_options(engine: ReviewEngine, review_id: str, data: st.DataObject) -> set[str]:
    """Check every option of every actor; the commands found blocked by a
    precondition."""
    review = engine.get(review_id)
    today = local_date(engine.clock.now())
    blocked: set[str] = set()
    for actor in _cast(review):
        try:
            options = engine.options(review_id, actor)
        except PermissionDenied:  # PR-e: not a reader of this review; options() says nothing
            continue
        allowed = engine.allowed(review_id, actor)
        assert allowed == [o.command for o in options if o.allowed]
        for option in options:
            cls = c.COMMANDS[option.command]
            if not option.takes_input:
                refusals = engine.explain(review_id, cls(), actor)
                assert (option.command in allowed) == (refusals == []), (
                    option.command,
                    actor.id,
                    refusals,
                )
                continue
            if not _blocked(option):
                continue
            blocked.add(option.command)
            named = {r.rule for r in option.refusals}
            tries: list[c.Command] = [
                command
                for command, _ in right_steps(review, today)
                if command.name == option.command
            ]
            inputs = command_inputs(option.command, review, today)
            tries += data.draw(st.lists(inputs, max_size=4), label=option.command)
            for command in tries:
                refusals = engine.explain(review_id, command, actor)
                assert refusals, f"{option.command} by {actor.id} was blocked, yet accepted"
                if all(r.kind is not RefusalKind.PERMISSION for r in refusals):
                    # The rule the option named, unless the input itself is at fault.
                    cited = {r.rule for r in refusals}
                    bad_input = any(r.kind is RefusalKind.INPUT for r in refusals)
                    assert named & cited or bad_input, (option.command, named, refusals)
    return blocked


@pytest.mark.rule("RF-5")
@pytest.mark.rule("RP-4")
@pytest.mark.rule("AP-1")
@pytest.mark.rule("PR-a")
# No shrinking: a walk is long, and its draws are printed as they were.
@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@pytest.mark.long
@given(
    data=st.data(),
    form=st.one_of(st.just(demo_request()), st.just(demo_request()), request_forms()),
)
def test_allowed_is_exact_along_random_walks(data: st.DataObject, form: object) -> None:
    """allowed() lists no command that every input would fail (RF-5 records secured
    by every agency, RP-4 an agency signed off, AP-1 every action completed, PR-a the
    clocks paused or not …), and for a command without input agrees exactly with
    explain()."""
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    # From a fresh request, or from a later stage reached the happy way.
    start = data.draw(st.sampled_from(_STARTS), label="start")
    if start is Stage.REQUESTED:
        review_id = engine.submit(form, REQUESTER).id  # type: ignore[arg-type]
    else:
        review_id = to_stage(engine, clock, start).id
    steps = data.draw(st.integers(1, 60), label="steps")
    blocked: set[str] = set()
    for _ in range(steps):
        blocked |= _check_options(engine, review_id, data)
        review = engine.get(review_id)
        if review.stage.terminal:
            break
        today = local_date(clock.now())
        kind = data.draw(st.sampled_from(["right"] * 6 + ["any", "any", "clock", "wait"]))
        if kind == "wait":
            clock.advance(timedelta(days=data.draw(st.integers(1, 40))))
            continue
        if kind == "clock":  # PR-a: the clocks paused or resumed
            paused = c.ResumeClock("The trial ended.")
            running = c.PauseClock("criminal proceedings", "The police asked.")
            command, actor = (paused if review.paused else running), BOARD_CHAIR
        elif kind == "right":
            command, actor = data.draw(right_command(review, today))
        else:
            command = data.draw(any_command(review, today))
            actor = data.draw(st.sampled_from(_cast(review)))
        with contextlib.suppress(ScrEngineError):
            engine.execute(review_id, command, actor)
        clock.advance(timedelta(hours=1))
    event(f"reached {engine.get(review_id).stage.value}")
    for name in sorted(blocked):
        event(f"blocked: {name}")


# --------------------------------------------------------------------------- examples


def _option(engine: ReviewEngine, review_id: str, actor: Actor, name: str) -> CommandOption:
    return next(o for o in engine.options(review_id, actor) if o.command == name)


@pytest.mark.rule("RF-5")
def test_rf5_records_secured_is_not_offered_once_every_agency_is(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RF-5: once every agency's records are secured, record_records_secured is not in
    allowed(), and options() says why; record_imr_writer stays offered (an agency may
    name another writer)."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    assert set(review.records_secured) >= set(review.agencies)
    option = _option(engine, review.id, BUSINESS_MANAGER, "record_records_secured")
    assert [r.rule for r in option.refusals] == ["RF-5"]
    assert "record_records_secured" not in engine.allowed(review.id, BUSINESS_MANAGER)
    assert "record_imr_writer" in engine.allowed(review.id, BUSINESS_MANAGER)


@pytest.mark.rule("RP-4")
def test_rp4_signoff_is_not_offered_to_an_agency_that_signed(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: once an agency has signed off, its panel member is not offered
    record_agency_signoff; another agency's member still is."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    first, second = review.agencies[:2]
    signer = member_actor(review, first)
    engine.execute(review.id, c.RecordAgencySignoff(first), signer)
    option = _option(engine, review.id, signer, "record_agency_signoff")
    assert [r.rule for r in option.refusals] == ["RP-4"]
    assert "record_agency_signoff" not in engine.allowed(review.id, signer)
    other = member_actor(review, second)
    assert "record_agency_signoff" in engine.allowed(review.id, other)


@pytest.mark.rule("AP-1")
def test_ap1_action_commands_are_not_offered_once_every_action_is_done(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """AP-1: once every action is completed, neither complete_action nor
    record_action_progress is offered, and close_review is."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    for action in review.actions:
        engine.execute(review.id, c.CompleteAction(action.id, "Done."), BUSINESS_MANAGER)
    allowed = engine.allowed(review.id, BUSINESS_MANAGER)
    assert "complete_action" not in allowed and "record_action_progress" not in allowed
    for name in ("complete_action", "record_action_progress"):
        option = _option(engine, review.id, BUSINESS_MANAGER, name)
        assert [r.rule for r in option.refusals] == ["AP-1"]


@pytest.mark.rule("PR-a")
def test_pra_pause_and_resume_are_offered_by_whether_the_clocks_run(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """PR-a: resume_clock is offered only while the clocks are paused, pause_clock
    only while they run."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    allowed = engine.allowed(review.id, BOARD_CHAIR)
    assert "pause_clock" in allowed and "resume_clock" not in allowed
    engine.execute(review.id, c.PauseClock("inquest", "The coroner asked."), BOARD_CHAIR)
    allowed = engine.allowed(review.id, BOARD_CHAIR)
    assert "pause_clock" not in allowed and "resume_clock" in allowed


def test_every_precondition_is_of_a_command_that_takes_input() -> None:
    """The table holds commands that take input only (the others are judged whole)."""
    from scr_engine.rules.judge import takes_input

    assert all(takes_input(c.COMMANDS[name]) for name in PRECONDITIONS)


# --------------------------------------------------------------------------- options


@pytest.mark.rule("CR-1")
def test_cr1_request_offers_neither_decline_nor_redirection(engine: ReviewEngine) -> None:
    """CR-1: for a request that meets CR-1 (even once assessed), the board chair's
    options hold decline and recommend_alternative with the CR-1 reason, and allowed()
    does not list them; assessing and confirming are offered."""
    review = submit(engine)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    options = {o.command: o for o in engine.options(review.id, BOARD_CHAIR)}
    for name in ("decline", "recommend_alternative"):
        assert not options[name].allowed
        assert options[name].takes_input
        assert [r.rule for r in options[name].refusals] == ["CR-1"]
        assert name not in engine.allowed(review.id, BOARD_CHAIR)
    assert options["confirm_review"].allowed and not options["confirm_review"].takes_input
    assert options["assess_criteria"].allowed
    assert [r.rule for r in options["withdraw"].refusals] == ["CR-1"]


@pytest.mark.rule("CR-4")
def test_options_offer_decline_when_no_criterion_forbids_it(engine: ReviewEngine) -> None:
    """CR-4: a CR-2 request may be declined or redirected once assessed; before the
    assessment those options say the assessment is missing (RF-4)."""
    review = submit(engine, demo_request(cr2_facts()))
    options = {o.command: o for o in engine.options(review.id, BOARD_CHAIR)}
    assert [r.rule for r in options["decline"].refusals] == ["RF-4"]
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert {"decline", "recommend_alternative"} <= set(engine.allowed(review.id, BOARD_CHAIR))


def test_options_cover_every_command_of_the_stage(engine: ReviewEngine) -> None:
    """options() lists every row valid from the stage, in the table's order, with the
    permission reason for a role that may not issue it; allowed() is exactly the
    options with no reason."""
    review = submit(engine)
    options = engine.options(review.id, REQUESTER)
    valid = commands_from(Stage.REQUESTED)
    assert [o.command for o in options] == [r.command for r in TABLE if r.command in valid]
    assert all(isinstance(o, CommandOption) and not o.allowed for o in options)
    assert all(o.refusals[0].kind == "permission" for o in options)
    for actor in (BOARD_CHAIR, BUSINESS_MANAGER, PANEL_CHAIR):
        options = engine.options(review.id, actor)
        assert engine.allowed(review.id, actor) == [o.command for o in options if o.allowed]


_AGENCY_MEMBERS = [panel_member(a) for a in ("asc", "gp", "police")]


_ACTORS = st.one_of(
    st.sampled_from(
        [BOARD_CHAIR, BUSINESS_MANAGER, PANEL_CHAIR, OVERVIEW_WRITER, REQUESTER, *_AGENCY_MEMBERS]
    ),
    st.builds(
        Actor,
        st.sampled_from(["u-chair", "u-bm", "u-pc", "u-ow", "u-pm-gp", "u-other"]),
        st.just("Someone"),
        st.frozensets(st.sampled_from(list(SCR_ROLES))),
        st.sampled_from([None, "asc", "gp", "police", "fire"]),
    ),
)


class _Stop(Exception):
    pass


def _engine_after(steps: int) -> tuple[ReviewEngine, str]:
    """An engine whose review has been driven ``steps`` commands along the demo path."""
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock, read_policy=EVERYONE_READS)
    review = engine.submit(demo_request(), REQUESTER)
    done = 0

    def step() -> None:
        nonlocal done
        if done == steps:
            raise _Stop
        done += 1
        clock.advance(timedelta(hours=1))

    with contextlib.suppress(_Stop):
        run_to_closure(engine, review.id, step)
    return engine, review.id


@given(steps=st.integers(min_value=0, max_value=55), actor=_ACTORS)
def test_what_allowed_lists_without_input_is_accepted(steps: int, actor: Actor) -> None:
    """Anywhere along the demo path, for any actor, every command allowed() lists that
    takes no input is accepted by execute (and options agree with allowed)."""
    engine, review_id = _engine_after(steps)
    if not actor.roles:  # reads nothing, so may be offered nothing (PR-e)
        with pytest.raises(PermissionDenied) as denied:
            engine.allowed(review_id, actor)
        assert denied.value.rules == ("PR-e",)
        return
    allowed = engine.allowed(review_id, actor)
    options = engine.options(review_id, actor)
    assert allowed == [o.command for o in options if o.allowed]
    for name in allowed:
        cls = c.COMMANDS[name]
        if takes_input(cls):
            continue
        fresh, rid = _engine_after(steps)
        fresh.execute(rid, cls(), actor)


# --------------------------------------------------------------------------- permission first


@pytest.mark.rule("RP-4")
def test_signoff_is_offered_only_to_an_agencys_panel_member(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: options() offers record_agency_signoff to a panel member sitting for an
    agency, and to nobody else holding the panel_member role; a member signing off
    for another agency is PermissionDenied whatever the agency named."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    stranger = Actor("u-pm-x", "Stranger", {Role.PANEL_MEMBER}, "gp")
    assert "record_agency_signoff" in engine.allowed(review.id, panel_member("gp"))
    option = {o.command: o for o in engine.options(review.id, stranger)}
    assert [r.rule for r in option["record_agency_signoff"].refusals] == ["RP-4"]
    for agency in ("police", "nowhere", 7):
        with pytest.raises(PermissionDenied) as denied:
            engine.execute(review.id, c.RecordAgencySignoff(agency), panel_member("gp"))  # type: ignore[arg-type]
        assert denied.value.rules == ("RP-4",)


# The preconditions called directly, on reviews built along the main line and changed
# with ``evolve`` where the main line never goes: each refuses, citing its rule, exactly
# when no input could satisfy its command's guard.


def _ctx(review: Review, actor: Actor = BOARD_CHAIR) -> Context:
    return Context(actor, None, review.received_on + timedelta(days=1), DEFAULT_SETTINGS)


def _rules(name: str, review: Review, actor: Actor = BOARD_CHAIR) -> list[str]:
    return [r.rule for r in PRECONDITIONS[name](review, _ctx(review, actor))]


@pytest.fixture
def reviews(engine: ReviewEngine, clock: FixedClock) -> dict[Stage, Review]:
    """One review at each stage of the main line, the happy way."""
    return {stage: to_stage(engine, clock, stage) for stage in MAIN_LINE}


@pytest.mark.rule("MAP")
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_s_precondition_is_the_one_its_class_names(
    name: str, reviews: dict[Stage, Review]
) -> None:
    """:func:`precondition_of` says, for each command's class, what the table of
    preconditions (built from it once, at import) holds for that command: none, or one
    that refuses the same on the review at every stage of the main line."""
    found = precondition_of(command_class(name))
    if name not in PRECONDITIONS:
        assert found is None
        return
    assert found is not None and found.__doc__ == PRECONDITIONS[name].__doc__
    for review in reviews.values():
        ctx = _ctx(review, panel_member(review.agencies[0]))
        assert found(review, ctx) == PRECONDITIONS[name](review, ctx), review.stage


def test_a_class_that_is_no_command_has_no_precondition() -> None:
    with pytest.raises(AssertionError):
        precondition_of(c.Command)  # type: ignore[arg-type]


@pytest.mark.rule("RF-3")
def test_rf3_the_chair_is_notified_once(reviews: dict[Stage, Review]) -> None:
    review = reviews[Stage.SCREENED]
    assert _rules("record_chair_notified", review) == ["RF-3"]
    assert _rules("record_chair_notified", evolve(review, chair_received_on=None)) == []


@pytest.mark.rule("RF-5")
def test_rf5_records_are_secured_until_every_agency_s_are(reviews: dict[Stage, Review]) -> None:
    review = reviews[Stage.PANEL_CONVENED]
    assert _rules("record_records_secured", review) == ["RF-5"]
    some = frozenset(review.agencies[1:])
    assert _rules("record_records_secured", evolve(review, records_secured=some)) == []
    assert _rules("record_records_secured", evolve(review, records_secured=frozenset())) == []


@pytest.mark.rule("RF-6")
def test_rf6_a_lead_authority_needs_a_local_authority(engine: ReviewEngine) -> None:
    with_one = submit(engine)
    assert any(a.local_authority for a in with_one.involved_agencies)
    assert _rules("agree_lead_authority", with_one) == []
    others = tuple(a for a in AGENCIES if not a.local_authority)
    without = submit(engine, demo_request(agencies=others))
    assert _rules("agree_lead_authority", without) == ["RF-6"]


@pytest.mark.rule("RP-4", "SU-2")
def test_rp4_late_panel_members_only_for_an_unrepresented_agency(
    reviews: dict[Stage, Review],
) -> None:
    for stage in (Stage.EVIDENCE_RECEIVED, Stage.OVERVIEW_DRAFTED):
        review = reviews[stage]
        assert _rules("appoint_panel_member", review) == ["RP-4"]
        fewer = tuple(m for m in review.panel_members if m.agency != review.agencies[-1])
        assert _rules("appoint_panel_member", evolve(review, panel_members=fewer)) == []
    for stage in (Stage.SCREENED, Stage.PANEL_CONVENED, Stage.RATIFIED):
        assert _rules("appoint_panel_member", reviews[stage]) == []


@pytest.mark.rule("SU-1", "SU-6")
def test_su6_one_initial_meeting_once_a_chair_is_appointed(
    reviews: dict[Stage, Review],
) -> None:
    held = reviews[Stage.PANEL_CONVENED]
    assert _rules("hold_initial_meeting", held) == ["SU-6"]
    ready = evolve(held, initial_meeting_on=None)
    assert _rules("hold_initial_meeting", ready) == []
    assert _rules("hold_initial_meeting", evolve(ready, panel_chair=None)) == ["SU-1"]
    assert _rules("hold_initial_meeting", evolve(held, panel_chair=None)) == ["SU-6", "SU-1"]


@pytest.mark.rule("EV-1")
def test_ev1_an_imr_is_received_while_one_is_awaited(reviews: dict[Stage, Review]) -> None:
    convened = reviews[Stage.PANEL_CONVENED]
    assert not convened.imrs and _rules("receive_imr", convened) == []
    received = reviews[Stage.EVIDENCE_RECEIVED]
    assert _rules("receive_imr", received) == ["EV-1"]
    first, *rest = received.imrs
    asked = evolve(first, judgement=ImrJudgement.FURTHER_INFORMATION_REQUESTED)
    assert _rules("receive_imr", evolve(received, imrs=(asked, *rest))) == []
    assert _rules("receive_imr", evolve(received, imrs=tuple(rest))) == []


@pytest.mark.rule("EV-1", "EV-2")
def test_ev2_an_imr_is_judged_once_received_and_not_yet_judged(
    reviews: dict[Stage, Review],
) -> None:
    convened = reviews[Stage.PANEL_CONVENED]
    assert _rules("judge_imr", convened) == ["EV-1"]
    received = reviews[Stage.EVIDENCE_RECEIVED]
    assert _rules("judge_imr", received) == ["EV-2"]
    first, *rest = received.imrs
    unjudged = evolve(first, judgement=None)
    assert _rules("judge_imr", evolve(received, imrs=(*rest, unjudged))) == []
    assert _rules("judge_imr", evolve(received, imrs=tuple(rest))) == ["EV-2", "EV-1"]


@pytest.mark.rule("SU-9", "EV-3")
def test_su9_the_writer_s_commands_need_a_writer(reviews: dict[Stage, Review]) -> None:
    review = reviews[Stage.PANEL_CONVENED]
    for name in ("confirm_overview_brief", "record_writer_meeting"):
        assert _rules(name, review) == []
        assert _rules(name, evolve(review, overview_writer=None)) == ["SU-9"]


@pytest.mark.rule("RP-4")
def test_rp4_an_agency_signs_off_once(reviews: dict[Stage, Review]) -> None:
    review = reviews[Stage.RATIFIED]
    agency = review.agencies[0]
    assert _rules("record_agency_signoff", review, panel_member(agency)) == ["RP-4"]
    unsigned = evolve(review, signoffs=review.signoffs - {agency})
    assert _rules("record_agency_signoff", unsigned, panel_member(agency)) == []
    assert _rules("record_agency_signoff", review, BOARD_CHAIR) == []  # no agency


@pytest.mark.rule("RP-5")
def test_rp5_an_action_needs_a_recommendation(reviews: dict[Stage, Review]) -> None:
    review = reviews[Stage.OVERVIEW_DRAFTED]
    assert _rules("add_action", review) == []
    assert _rules("add_action", reviews[Stage.EVIDENCE_RECEIVED]) == ["RP-5"]
    report = review.overview_report
    assert report is not None
    bare = evolve(report, conclusions=evolve(report.conclusions, recommendations=()))
    assert _rules("add_action", evolve(review, overview_report=bare)) == ["RP-5"]


@pytest.mark.rule("AP-1")
def test_ap1_action_commands_need_an_open_action(reviews: dict[Stage, Review]) -> None:
    monitored = reviews[Stage.ACTION_PLAN_MONITORED]
    closed = reviews[Stage.CLOSED]
    for name in ("record_action_progress", "complete_action"):
        assert _rules(name, monitored) == []
        assert _rules(name, closed) == ["AP-1"]
        assert _rules(name, evolve(monitored, actions=())) == ["AP-1"]
        some_open = (*closed.actions[1:], monitored.actions[0])
        assert _rules(name, evolve(closed, actions=some_open)) == []


@pytest.mark.rule("SU-2")
def test_su2_a_member_stands_down_only_from_a_panel_that_has_one(
    reviews: dict[Stage, Review],
) -> None:
    review = reviews[Stage.PANEL_CONVENED]
    assert _rules("stand_down_panel_member", review) == []
    assert _rules("stand_down_panel_member", evolve(review, panel_members=())) == ["SU-2"]


@pytest.mark.rule("PR-a")
def test_pra_a_deadline_is_extended_while_one_is_open(reviews: dict[Stage, Review]) -> None:
    assert _rules("extend_deadline", reviews[Stage.SCREENED]) == []
    assert _rules("extend_deadline", reviews[Stage.CLOSED]) == ["PR-a"]


@pytest.mark.rule("CR-1", "CR-4")
def test_cr1_screening_preconditions_of_redirect_and_decline(engine: ReviewEngine) -> None:
    """A CR-1 request is neither redirected nor declined (CR-4 only when no criterion
    forbids it); both are refused for the same reasons, whatever they are."""
    cr1 = submit(engine)
    assert "CR-1" in _rules("recommend_alternative", cr1)
    assert _rules("recommend_alternative", cr1) == _rules("decline", cr1)
    cr2 = submit(engine, demo_request(cr2_facts()))
    assert "CR-1" not in _rules("recommend_alternative", cr2)
    assert _rules("recommend_alternative", cr2) == _rules("decline", cr2)


@pytest.mark.rule("PR-a")
def test_pra_a_deadline_due_as_far_ahead_as_allowed_cannot_be_extended(
    reviews: dict[Stage, Review],
) -> None:
    """An extension is at most FURTHEST_DAYS ahead: a deadline already due that far
    ahead cannot be moved later, by any input."""
    review = reviews[Stage.SCREENED]
    day = review.received_on
    due = min(d.due_on for d in deadlines(review, DEFAULT_SETTINGS, day) if d.open)
    at_the_limit = due - timedelta(days=FURTHEST_DAYS)
    assert all(d.open for d in deadlines(review, DEFAULT_SETTINGS, at_the_limit) if d.due_on == due)
    ctx = Context(BOARD_CHAIR, None, at_the_limit, DEFAULT_SETTINGS)
    assert [r.rule for r in PRECONDITIONS["extend_deadline"](review, ctx)] == ["PR-a"]
    ctx = Context(BOARD_CHAIR, None, at_the_limit + timedelta(days=1), DEFAULT_SETTINGS)
    assert PRECONDITIONS["extend_deadline"](review, ctx) == []
