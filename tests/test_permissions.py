"""The permission matrix as data (issue 9): the command × role table, the agency rule
(RP-4), the appointment rules (SU-1, SU-9); the documentation's table is generated
from it; exactly its pairs get past the permission check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import Actor, FixedClock, MemoryStore, Review, ReviewEngine, Role, Stage
from scr_engine import commands as c
from scr_engine.rules.judge import acting_role, permission
from scr_engine.states import PERMISSIONS, TABLE, Condition, Permission, permissions
from scr_engine.states.permissions import markdown
from scr_engine.states.table import row
from support.builders import OVERVIEW_WRITER, PANEL_CHAIR, panel_member, to_stage

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


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
    doc = (Path(__file__).parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
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
    roles=st.frozensets(st.sampled_from(list(Role)), max_size=3),
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
@pytest.mark.parametrize("role", list(Role), ids=str)
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
