"""The protocol state machine (:mod:`support.machine`) run as tests.

Random runs never break the protocol; fixed seeds show what the machine explores; each
stage is left only with all its work done; and the inputs the machine's strategies keep
clear of (lone surrogates, timescales beyond the calendar) are refused alike by
``explain`` and ``execute``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import ClassVar

import pytest
from attrs import evolve
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import (
    run_state_machine_as_test,
)

from scr_engine import (
    CriteriaFacts,
    Stage,
)
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request
from support import strategies as s
from support.machine import PROVED_RULES, ReviewProtocolMachine, proves


@pytest.mark.long
@proves(*PROVED_RULES)
def test_engine_obeys_the_protocol_cr1_su1_prb_ev2_rp4_rp5_ap3_prd() -> None:
    """CR-1, SU-1, PR-b, EV-2, RP-4, RP-5, AP-3, PR-d and the rest of ``PROVED_RULES``:
    random runs of the state machine never break the protocol."""
    run_state_machine_as_test(ReviewProtocolMachine, settings=settings(stateful_step_count=80))


# ----------------------------------------------------------------------------- exploration


class FixedSeedExploration(ReviewProtocolMachine):
    """The same machine under fixed seeds, to show what it explores."""

    reached: ClassVar[set[Stage]] = set()
    accepted: ClassVar[set[str]] = set()


EXPLORATION_SEEDS = (7, 1234, 2718, 3141, 4669)
"""The fixed seeds, tried in order until every stage and command is seen.

With a fixed seed Hypothesis still draws some values from a pool of constants it
collects from the source of the project's modules loaded at the time
(``hypothesis.internal.conjecture.providers._get_local_constants``), so the same seed
would make other runs when that source differs — a mutated copy under a
mutation-testing runner (issue 14), or another set of modules imported by the tests
that ran before in the same process. The test switches that pool off; the next seeds
make up for a seed whose runs happen to miss one way out as the protocol grows."""

EXPLORED_COMMANDS = frozenset(
    {
        "submit_request",
        "agree_lead_authority",
        "judge_imr",
        "request_revision",
        "ratify",
        "close_review",
        "decline",
        "recommend_alternative",
        "withdraw",
        "pause_clock",
        "resume_clock",
        "extend_deadline",
    }
)
"""Commands a fixed-seed run must have seen accepted: the two local authorities' lead
(RF-6), the revision loop, every way out, the clocks."""


@pytest.mark.long
@proves("AP-3", "CR-4", "RF-4", "RF-6", "PR-d")
def test_fixed_seed_runs_reach_every_stage() -> None:
    """For fixed seeds the machine reaches ``closed`` (AP-3), ``redirected`` and
    ``not_taken_forward`` (CR-4, RF-4) and ``withdrawn`` (PR-d), every stage of the
    main path on the way, and has the lead authority agreed (RF-6), a report sent back
    and the clocks paused, resumed and extended: proof that the machine really explores
    the protocol. Deterministic: the same source and seeds always make the same runs
    (see :data:`EXPLORATION_SEEDS` for why there are several)."""
    FixedSeedExploration.reached.clear()
    FixedSeedExploration.accepted.clear()
    # Hypothesis mixes into its draws the constants it finds in every local module
    # loaded so far (tests included), so a fixed seed explores differently as the code
    # grows or as other test files load first. Without them, the seed alone decides;
    # the next seeds make up for one whose runs happen to miss a way out.
    with _without_local_constants():
        for value in EXPLORATION_SEEDS:
            _explore(seed(value)(type(f"Exploration{value}", (FixedSeedExploration,), {})))
            unreached = {x.value for x in set(Stage) - FixedSeedExploration.reached}
            unseen = EXPLORED_COMMANDS - FixedSeedExploration.accepted
            if not unreached and not unseen:
                break
    assert not unreached, f"stages never reached: {sorted(unreached)}"
    assert not unseen, f"commands never accepted: {sorted(unseen)}"


@contextmanager
def _without_local_constants() -> Iterator[None]:
    from hypothesis.internal.conjecture import providers

    original = providers._get_local_constants
    providers._get_local_constants = providers.Constants  # type: ignore[assignment]
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def _explore(machine: type[FixedSeedExploration]) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=20,
            stateful_step_count=80,
            database=None,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


# ----------------------------------------------------------------------------- leave one out

LEAVE_ONE_OUT: tuple[tuple[Stage, str, str], ...] = (
    (Stage.REQUESTED, "assess_criteria", "RF-4"),
    (Stage.SCREENED, "record_records_secured", "RF-5"),
    (Stage.SCREENED, "record_imr_writer", "RF-5"),
    (Stage.SCREENED, "agree_lead_authority", "RF-6"),
    (Stage.SCREENED, "appoint_panel_chair", "SU-1"),
    (Stage.SCREENED, "appoint_panel_member", "SU-2"),
    (Stage.SCREENED, "appoint_overview_writer", "SU-9"),
    (Stage.SCREENED, "hold_initial_meeting", "SU-6"),
    (Stage.PANEL_CONVENED, "receive_imr", "EV-1"),
    (Stage.PANEL_CONVENED, "judge_imr", "EV-2"),
    (Stage.PANEL_CONVENED, "confirm_overview_brief", "EV-3"),
    (Stage.OVERVIEW_DRAFTED, "record_agency_signoff", "RP-4"),
    (Stage.OVERVIEW_DRAFTED, "add_action", "RP-5"),
    (Stage.OVERVIEW_DRAFTED, "record_dissemination", "RP-6"),
    (Stage.ACTION_PLAN_MONITORED, "complete_action", "AP-3"),
)
"""For each stage, each piece of work the protocol needs before the review leaves it,
and the rule that says so."""


def _key(command: c.Command) -> tuple[str, object]:
    """Which piece of work a command is (the kind, and for which agency, appointment,
    recommendation or action)."""
    appointment = getattr(command, "appointment", None)
    what = (
        getattr(command, "agency", None)
        or getattr(command, "recommendation_id", None)
        or getattr(command, "action_id", None)
        or (appointment.agency if appointment is not None else None)
    )
    return command.name, what


@proves("RF-4", "RF-5", "RF-6", "SU-1", "SU-2", "SU-6", "SU-9", "EV-1", "EV-2", "EV-3")
@proves("RP-4", "RP-5", "RP-6", "AP-3", "PR-h")
@pytest.mark.parametrize(("stage", "kind", "rule_id"), LEAVE_ONE_OUT)
def test_a_stage_is_left_only_with_all_its_work_done(stage: Stage, kind: str, rule_id: str) -> None:
    """With every piece of a stage's work done but one (one agency's records, its IMR
    writer, the lead authority of two local authorities, one panel member, one IMR, one
    sign-off, one action …), the command leaving the stage is refused citing the rule
    that needs it; once it is done, the review moves on. Every command runs through the
    state machine's own checks."""
    machine = ReviewProtocolMachine()
    facts = CriteriaFacts(adult_died=True, abuse_or_neglect_factor=True)
    review = machine.submit_request(demo_request(facts, s.TWO_AUTHORITIES), REQUESTER)
    assert review is not None
    while machine.engine.get(review).stage is not stage:
        step = s.next_right(machine.engine.get(review), machine.today())
        assert step is not None
        machine.must_accept(review, *step)
        machine.clock.advance(hours=5)
    held: tuple[str, object] | None = None
    while True:
        current = machine.engine.get(review)
        assert current.stage is stage, f"left {stage.value} before any {kind} was needed"
        need = s.needed_steps(current, machine.today())
        if held is None:
            held = next((_key(x[0]) for x in need if x[0].name == kind), None)
        rest = [x for x in need if _key(x[0]) != held]
        if not rest:
            break
        machine.must_accept(review, *rest[0])
    refusals = machine.probe_exit(review)
    assert rule_id in {r.rule for r in refusals}, f"{kind} left undone, yet {refusals}"
    while machine.engine.get(review).stage is stage:
        step = s.next_right(machine.engine.get(review), machine.today())
        assert step is not None
        machine.must_accept(review, *step)


# ----------------------------------------------------------------------------- known engine bugs
# Found while writing this machine; its strategies keep clear of them so that it stays a
# proof of everything else. Each test states the property that should hold and is
# expected to fail until the engine is fixed (then remove the marker).


def _machine_at(stage: Stage) -> tuple[ReviewProtocolMachine, str]:
    """A machine with one CR-1 review brought to ``stage`` along the canonical path."""
    machine = ReviewProtocolMachine()
    review = machine.submit_request(demo_request(), REQUESTER)
    assert review is not None
    while machine.engine.get(review).stage is not stage:
        step = s.next_right(machine.engine.get(review), machine.today())
        assert step is not None
        machine.must_accept(review, *step)
    return machine, review


@proves("PR-d")
def test_text_with_a_lone_surrogate_is_refused_alike() -> None:
    """Text no hash can cover is refused by ``explain`` and ``execute`` alike, and
    leaves everything as it was (``apply`` checks both)."""
    machine, review = _machine_at(Stage.REQUESTED)
    command = c.PauseClock("Inquest \ud800", "Awaiting the coroner.")
    assert not machine.apply(review, command, BOARD_CHAIR)


@proves("SU-4")
def test_terms_with_a_huge_review_timescale_are_refused_alike() -> None:
    """A review timescale beyond the calendar is an input error, foreseen by
    ``explain``; the meeting with a sane one then goes ahead."""
    machine, review = _machine_at(Stage.SCREENED)
    current = machine.engine.get(review)
    while (step := s.next_right(current, machine.today())) is not None and not isinstance(
        step[0], c.HoldInitialMeeting
    ):
        machine.must_accept(review, *step)
        current = machine.engine.get(review)
    assert step is not None and isinstance(step[0], c.HoldInitialMeeting)
    terms = evolve(step[0].terms, review_months=10**6)
    assert not machine.apply(review, c.HoldInitialMeeting(terms), step[1])
    machine.must_accept(review, *step)


@proves("AP-2")
def test_an_action_with_a_huge_timescale_is_refused_and_ratification_follows() -> None:
    """An action timescale beyond the calendar is refused up front; once every guard
    of ``ratify`` holds, ratification succeeds."""
    machine, review = _machine_at(Stage.OVERVIEW_DRAFTED)
    while (step := s.next_right(machine.engine.get(review), machine.today())) is not None:
        command, actor = step
        if isinstance(command, c.AddAction):
            assert not machine.apply(review, evolve(command, timescale_months=10**6), actor)
        machine.must_accept(review, command, actor)
        if machine.engine.get(review).stage is not Stage.OVERVIEW_DRAFTED:
            break
    assert machine.engine.get(review).stage is Stage.RATIFIED


@proves("PR-a", "PR-d")
def test_an_extension_to_the_last_day_is_refused_and_withdrawal_stays_possible() -> None:
    """An extension to 9999-12-31 is refused, so a review can always be withdrawn,
    with reasons, before ratification, whatever its clocks."""
    machine, review = _machine_at(Stage.SCREENED)
    extend = c.ExtendDeadline("review_complete", date.max, "An inquest of unknown length.")
    assert not machine.apply(review, extend, BOARD_CHAIR)
    machine.must_accept(review, c.PauseClock("Inquest", "Awaiting the coroner."), BOARD_CHAIR)
    machine.clock.advance(days=2)
    machine.must_accept(review, c.Withdraw("The family withdrew consent."), BOARD_CHAIR)
