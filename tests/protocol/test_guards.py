"""The guards (``scr_engine.rules.guards``): every command but ``submit_request`` has
its guard in :data:`CHECKS`, the one :func:`guard_of` names for its class; called
directly, a guard finds nothing against a command its rules allow and names the rule
and field of one they do not; and :func:`table_problems` names what keeps a table of
rows from being the table of every command (MAP).

``CHECKS`` and the table are built once, when the modules are imported; these tests
call :func:`guard_of` and :func:`table_problems` themselves, so that what they say is
judged too, not only what they said at import.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from attrs import evolve

from scr_engine import FixedClock, ImrJudgement, Review, ReviewEngine, Stage
from scr_engine import commands as c
from scr_engine.clock import local_date
from scr_engine.commands import COMMANDS
from scr_engine.errors.refusals import Refusal
from scr_engine.history import replay_steps
from scr_engine.records import Appointment
from scr_engine.rules.common import Context
from scr_engine.rules.guards import CHECKS, PRECONDITIONS, guard_of, table_problems
from scr_engine.rules.preconditions import PRECONDITIONS as OWN_PRECONDITIONS
from scr_engine.rules.settings import DEFAULT_SETTINGS
from scr_engine.states.table import TABLE
from support.builders import BOARD_CHAIR, PANEL_CHAIR, CommandLog, command_class, to_stage


def _context(day: date) -> Context:
    return Context(BOARD_CHAIR, None, day, DEFAULT_SETTINGS)


def _found(refusals: list[Refusal]) -> list[tuple[str, str | None]]:
    return [(r.rule, r.field) for r in refusals]


@pytest.mark.rule("MAP")
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_s_guard_is_the_one_its_class_names(name: str) -> None:
    """Every command but ``submit_request`` (judged as the review is made) has a guard,
    the one :func:`guard_of` gives for its class."""
    cls = command_class(name)
    if name == "submit_request":
        assert guard_of(cls) is None and name not in CHECKS
    else:
        assert guard_of(cls) is CHECKS[name]
        assert callable(CHECKS[name])


def test_the_guards_cover_every_command_and_nothing_else() -> None:
    assert set(CHECKS) == set(COMMANDS) - {"submit_request"}
    assert PRECONDITIONS is OWN_PRECONDITIONS


def test_a_class_that_is_no_command_has_no_guard() -> None:
    with pytest.raises(AssertionError):
        guard_of(c.Command)  # type: ignore[arg-type]


@pytest.mark.rule("MAP")
def test_the_table_has_one_row_for_every_command() -> None:
    assert table_problems(TABLE) == []


@pytest.mark.rule("MAP")
def test_a_command_without_a_row_is_named() -> None:
    for index in (0, len(TABLE) // 2, len(TABLE) - 1):
        missing = TABLE[index]
        problems = table_problems([*TABLE[:index], *TABLE[index + 1 :]])
        assert len(problems) == 1 and missing.command in problems[0]
        assert COMMANDS[missing.command].__name__ in problems[0]


@pytest.mark.rule("MAP")
def test_a_row_for_no_command_is_named() -> None:
    stray = evolve(TABLE[0], command="no_such_command")
    problems = table_problems([*TABLE, stray])
    assert len(problems) == 1 and "no_such_command" in problems[0]


@pytest.mark.rule("MAP")
def test_a_command_with_two_rows_is_named_with_their_number() -> None:
    twice, thrice = TABLE[1], TABLE[2]
    problems = table_problems([*TABLE, twice, thrice, thrice])
    assert len(problems) == 2
    assert twice.command in problems[0] and "2" in problems[0]
    assert thrice.command in problems[1] and "3" in problems[1]


@pytest.mark.rule("RF-3", "CR-1", "RF-5", "SU-1", "SU-2", "SU-6", "EV-1", "RP-2", "AP-1")
def test_along_the_main_line_each_guard_finds_nothing_against_its_command(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """Called directly on the review as it stood, every command's own guard (RF-3,
    CR-1, RF-5, SU-1 … AP-1) lets through the command the protocol's next step issued;
    and once it is recorded, a command that happens once (RF-3, SU-6) is refused by the
    same guard."""
    log: CommandLog = []
    closed = to_stage(engine, clock, Stage.CLOSED, log=log)
    steps = list(replay_steps(engine.history(closed.id)))
    assert len(steps) == len(log)
    once = {"record_chair_notified", "hold_initial_meeting"}
    checked: set[str] = set()
    for (_, before, _), (event, after, _), command in zip(
        steps[:-1], steps[1:], log[1:], strict=True
    ):
        assert event.command == command.name
        ctx = _context(local_date(event.at))
        assert CHECKS[command.name](before, command, ctx) == [], command.name
        if command.name in once:
            assert CHECKS[command.name](after, command, ctx) != [], command.name
        checked.add(command.name)
    assert {"record_chair_notified", "add_action", "complete_action"} <= checked


@pytest.fixture
def screened(engine: ReviewEngine, clock: FixedClock) -> Review:
    return to_stage(engine, clock, Stage.SCREENED)


@pytest.mark.rule("RF-3")
def test_rf3_the_chair_is_notified_once(engine: ReviewEngine, screened: Review) -> None:
    ctx = _context(screened.received_on)
    refused = CHECKS["record_chair_notified"](
        screened, c.RecordChairNotified(screened.received_on), ctx
    )
    assert ("RF-3", None) in _found(refused)


@pytest.mark.rule("SU-2", "INPUT")
def test_su2_a_panel_member_needs_an_involved_agency(screened: Review) -> None:
    ctx = _context(screened.received_on)
    refused = CHECKS["appoint_panel_member"](
        screened, c.AppointPanelMember(Appointment("u-x", "X", "nowhere")), ctx
    )
    assert _found(refused) == [("INPUT", "appointment.agency")]


@pytest.mark.rule("EV-1")
def test_ev1_an_imr_is_judged_only_once_received(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    agency = review.agencies[0]
    ctx = _context(review.received_on + timedelta(days=1))
    refused = CHECKS["judge_imr"](review, c.JudgeImr(agency, ImrJudgement.SUFFICIENT), ctx)
    assert "EV-1" in {r.rule for r in refused}


@pytest.mark.rule("SU-1")
def test_su1_a_panel_chair_is_appointed_once(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    ctx = _context(review.received_on + timedelta(days=1))
    refused = CHECKS["appoint_panel_chair"](
        review, c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)), ctx
    )
    assert "SU-1" in {r.rule for r in refused}
