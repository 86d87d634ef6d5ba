"""Judging a command (``scr_engine.rules.judge``): a command the stage does not allow,
or one the engine does not know, is refused by the protocol's map (MAP), with its rule
ID, field and error class, and ``explain`` foresees the same reasons."""

from __future__ import annotations

import pytest

from scr_engine import (
    Actor,
    PermissionDenied,
    RefusalKind,
    ReviewEngine,
    Role,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.demo import (
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
)
from scr_engine.rules.settings import DEFAULT_SETTINGS
from support.builders import BOARD_CHAIR, screen, submit, today

# --------------------------------------------------------------------------- defences
# Guards re-check what earlier commands or the permission check already ensure; called
# here on reviews the engine never builds, so that a defence that stopped working, or
# started to fail, would be seen.


@pytest.mark.rule("PR-d")
def test_a_command_of_another_stage_is_refused_by_the_map(engine: ReviewEngine) -> None:
    from scr_engine.rules.judge import obstacles
    from scr_engine.states.table import row

    review = submit(engine)
    found = obstacles(review, row("ratify"), BOARD_CHAIR, today(engine), DEFAULT_SETTINGS)
    assert [(r.rule, r.field, r.kind) for r in found] == [("MAP", None, RefusalKind.STAGE)]


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


# --------------------------------------------------------------------------- permission first


@pytest.mark.rule("RF-5")
@pytest.mark.parametrize(
    ("command", "actor"),
    [
        (c.RecordRecordsSecured(5), REQUESTER),  # type: ignore[arg-type]
        (c.RecordBudget("lots", None), BUSINESS_MANAGER),  # type: ignore[arg-type]
        (c.HoldInitialMeeting(None), BOARD_CHAIR),  # type: ignore[arg-type]
        (c.ExtendDeadline("nope", "2026-03-01", "\x00"), PANEL_CHAIR),  # type: ignore[arg-type]
        (c.ReceiveImr("fire", "x" * 10), OVERVIEW_WRITER),
    ],
    ids=["int-for-agency", "str-for-int", "none-for-terms", "unappointed-chair", "unknown"],
)
def test_permission_before_input(engine: ReviewEngine, command: c.Command, actor: Actor) -> None:
    """Hardening 7: a malformed command by an actor who may not issue it is
    PermissionDenied carrying the permission reasons alone, never InvalidRequest: such a
    caller learns nothing about its input. explain() says the same; nothing is stored."""
    review = submit(engine)
    screen(engine, review.id)
    before = (engine.get(review.id), engine.history(review.id))
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, command, actor)
    assert denied.value.refusals
    assert {r.kind for r in denied.value.refusals} == {RefusalKind.PERMISSION}
    assert engine.explain(review.id, command, actor) == list(denied.value.refusals)
    assert (engine.get(review.id), engine.history(review.id)) == before


@pytest.mark.rule("RF-1")
def test_submit_judges_permission_before_the_form(engine: ReviewEngine) -> None:
    """RF-1: a form of junk from someone who may not submit is PermissionDenied citing
    RF-1 alone, and uses up no reference number."""
    outsider = Actor("u-x", "Someone", {Role.PANEL_MEMBER})
    with pytest.raises(PermissionDenied) as denied:
        engine.submit("not a form", outsider)  # type: ignore[arg-type]
    assert denied.value.rules == ("RF-1",)
    assert {r.kind for r in denied.value.refusals} == {RefusalKind.PERMISSION}
    assert submit(engine).reference == "SCR-2026-001"
