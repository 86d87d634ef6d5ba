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
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    CommandOption,
    FixedClock,
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
from scr_engine.rules.judge import takes_input
from scr_engine.rules.preconditions import PRECONDITIONS
from scr_engine.states.machine import commands_from
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.table import TABLE
from support.builders import EVERYONE_READS, START, cr2_facts, submit, to_stage
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
