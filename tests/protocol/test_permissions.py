"""The permission matrix as data (issue 9): the command × role table, the agency rule
(RP-4), the appointment rules (SU-1, SU-9); the documentation's table is generated
from it; exactly its pairs get past the permission check."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    FixedClock,
    MemoryStore,
    Review,
    ReviewEngine,
    Role,
    Stage,
)
from scr_engine import commands as c
from scr_engine.rules.judge import acting_role, permission
from scr_engine.states import PERMISSIONS, TABLE, Condition, Permission, permissions
from scr_engine.states.permissions import markdown
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.table import row
from support.builders import (
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    START,
    panel_member,
    to_stage,
)


def _review(stage: Stage) -> Review:
    engine = ReviewEngine(MemoryStore(), FixedClock(START))
    return to_stage(engine, engine.clock, stage)  # type: ignore[arg-type]


# Reviews before and after the appointments (panel chair, writer, members).
_REQUESTED = _review(Stage.REQUESTED)


_DRAFTED = _review(Stage.OVERVIEW_DRAFTED)


def test_the_matrix_is_the_table() -> None:
    """Every command of the table has one permission, with the table's roles."""
    assert permissions() == PERMISSIONS
    assert [p.command for p in PERMISSIONS] == [r.command for r in TABLE]
    for p in PERMISSIONS:
        assert p.roles == row(p.command).roles and p.rule == row(p.command).role_rule
    by_name = {p.command: p for p in PERMISSIONS}
    assert by_name["record_agency_signoff"].conditions == {Condition.AGENCY}
    assert by_name["submit_overview_report"].conditions == {Condition.OVERVIEW_WRITER}
    assert by_name["convene_panel"].conditions == {Condition.PANEL_CHAIR}
    assert by_name["ratify"].conditions == frozenset()


def test_the_documented_matrix_is_generated_from_the_data() -> None:
    """docs/protocol.md holds exactly the matrix the data makes."""
    doc = (Path(__file__).parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert markdown() in doc


def _expected(p: Permission, review: Review, actor: Actor, agency: str) -> bool:
    """What the matrix says: a role of the actor's among the permission's, and every
    condition on who they are, for the role they act in."""
    role = acting_role(row(p.command), actor)
    if role is None:
        return False
    if role is Role.PANEL_CHAIR and Condition.PANEL_CHAIR in p.conditions:
        chair = review.panel_chair
        if chair is None or chair.person_id != actor.id:
            return False
    if Condition.OVERVIEW_WRITER in p.conditions and (
        p.command == "submit_overview_report" or role is Role.OVERVIEW_WRITER
    ):
        writer = review.overview_writer
        if (writer is None and p.command == "submit_overview_report") or (
            writer is not None and writer.person_id != actor.id
        ):
            return False
    if Condition.AGENCY in p.conditions:
        sits = any(
            m.person_id == actor.id and m.agency == actor.agency for m in review.panel_members
        )
        if actor.agency is None or not sits or agency != actor.agency:
            return False
    return True


_IDS = ["u-chair", "u-bm", PANEL_CHAIR.id, OVERVIEW_WRITER.id, "u-pm-gp", "u-pm-asc", "u-x"]


@given(
    review=st.sampled_from([_REQUESTED, _DRAFTED]),
    roles=st.frozensets(st.sampled_from(list(SCR_ROLES)), max_size=3),
    ident=st.sampled_from(_IDS),
    own=st.sampled_from([None, "gp", "asc", "fire"]),
    agency=st.sampled_from(["gp", "asc", "fire"]),
)
def test_exactly_the_matrix_gets_past_the_permission_check(
    review: Review, roles: frozenset[Role], ident: str, own: str | None, agency: str
) -> None:
    """Every command, every role (and mix of roles), agency and identity: the
    permission check lets through exactly what the matrix says, and refuses only with
    PERMISSION reasons."""
    actor = Actor(ident, "Someone", roles, own)
    for p in PERMISSIONS:
        command = c.RecordAgencySignoff(agency) if p.command == "record_agency_signoff" else None
        _, refusals = permission(review, row(p.command), actor, command)
        assert (not refusals) == _expected(p, review, actor, agency), (p.command, actor)
        assert all(r.kind == "permission" for r in refusals)


@pytest.mark.rule("RP-4")
@pytest.mark.parametrize("role", list(SCR_ROLES), ids=str)
def test_every_single_role_against_the_matrix(role: Role) -> None:
    """RP-4, SU-1, SU-9: each role alone, as the appointed person where there is one:
    exactly the commands the matrix gives the role get past the permission check."""
    ident = {
        Role.PANEL_CHAIR: PANEL_CHAIR.id,
        Role.OVERVIEW_WRITER: OVERVIEW_WRITER.id,
        Role.PANEL_MEMBER: panel_member("gp").id,
    }.get(role, "u-someone")
    actor = Actor(ident, "Someone", {role}, "gp" if role is Role.PANEL_MEMBER else None)
    passed = {
        p.command
        for p in PERMISSIONS
        if not permission(_DRAFTED, row(p.command), actor, c.RecordAgencySignoff("gp"))[1]
    }
    assert passed == {p.command for p in PERMISSIONS if p.allows(role)}


# --------------------------------------------------------------------------- the table


def test_the_rulebook_built_from_the_table_has_exactly_its_moves() -> None:
    """Built again from the table (as at import), the machine allows from each stage
    exactly the table's commands, each leading to the table's stage (or staying)."""
    from scr_engine.states import machine
    from scr_engine.states.table import TABLE

    moves = machine.Moves(
        TABLE, [s.value for s in Stage], Stage.REQUESTED.value, [s for s in Stage if s.terminal]
    )
    built = moves.machine
    for stage in Stage:
        want = {r.command for r in TABLE if stage in r.sources}
        assert set(built.get_triggers(stage.value)) == want, stage
        assert machine.commands_from(stage) == want == moves.commands_from(stage)
    for r in TABLE:
        for source in r.sources:
            token = machine._Token(source.value)
            built.events[r.command].trigger(token)
            assert token.state == (r.dest or source).value
            assert moves.next_stage(source, r.command) == token.state
    assert built.initial == Stage.REQUESTED.value


def test_permission_conditions_follow_the_command_and_roles() -> None:
    from scr_engine.records import Role
    from scr_engine.states.permissions import Condition, _conditions
    from scr_engine.states.table import Row, _r

    chair = frozenset({Role.PANEL_CHAIR, Role.BOARD_CHAIR})
    assert _conditions("convene_panel", chair) == {Condition.PANEL_CHAIR}
    assert _conditions("ratify", frozenset({Role.BOARD_CHAIR})) == frozenset()
    assert _conditions("record_agency_signoff", frozenset({Role.PANEL_MEMBER})) == {
        Condition.AGENCY
    }
    for name in ("submit_overview_report", "record_writer_meeting"):
        assert _conditions(name, frozenset({Role.OVERVIEW_WRITER})) == {Condition.OVERVIEW_WRITER}
    assert _conditions("record_writer_meeting", chair) == {
        Condition.PANEL_CHAIR,
        Condition.OVERVIEW_WRITER,
    }
    row = _r("x", (Stage.REQUESTED,), None, {Role.BOARD_CHAIR}, ("CR-1",))
    assert row == Row(
        "x", (Stage.REQUESTED,), None, frozenset({Role.BOARD_CHAIR}), ("CR-1",), "MAP"
    )
    closing = _r("x", (), Stage.CLOSED, set(), (), "AP-3")
    assert (closing.dest, closing.role_rule) == (Stage.CLOSED, "AP-3")


def test_the_documented_table_and_diagram_are_the_engine_s() -> None:
    """docs/protocol.md shows exactly the table the rulebook is compiled from, row by
    row, and its stage diagram."""
    from pathlib import Path

    from scr_engine.states.machine import mermaid
    from scr_engine.states.table import TABLE, markdown

    doc = (Path(__file__).parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    table, diagram = markdown(), mermaid()
    assert table in doc and diagram in doc
    lines = table.splitlines()
    assert lines[:2] == ["| Command | From | To | Who | Rules |", "|---|---|---|---|---|"]
    assert len(lines) == 2 + len(TABLE)
    assert (
        lines[2] == "| `submit_request` | — | requested | business_manager, requester | "
        "[RF-1](rules.md#rf-1), [RF-2](rules.md#rf-2) |"
    )
    assert "| `record_chair_notified` | requested | (same stage) |" in table
    assert diagram.splitlines()[:2] == ["stateDiagram-v2", "    [*] --> requested"]
    assert "    requested --> screened: confirm_review" in diagram.splitlines()
    assert "    closed --> [*]" in diagram.splitlines()
