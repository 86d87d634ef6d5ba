"""The protocol's table of commands (``protocol/map.md``), declared once as data.

Each row says from which stages a command may be issued, where it leads (``None``
for a record made inside a stage), which roles may issue it and which rules it
answers to. :mod:`scr_engine.states.machine` compiles the table into one
``transitions`` machine.
"""

from __future__ import annotations

from attrs import frozen

from scr_engine.states.roles import Role
from scr_engine.states.stages import Stage

__all__ = ["TABLE", "Row", "markdown", "row"]

S = Stage
R = Role


@frozen
class Row:
    """One command of the protocol."""

    command: str
    sources: tuple[str, ...]
    """The stage codes it may be issued from (none for the command that creates a
    review)."""
    dest: str | None
    """The stage code it leads to (None for a record made inside a stage)."""
    roles: frozenset[Role]
    rules: tuple[str, ...]
    role_rule: str = "MAP"
    """The rule cited when the actor's role may not issue the command."""


_BEFORE_RATIFIED = (
    S.REQUESTED,
    S.SCREENED,
    S.PANEL_CONVENED,
    S.EVIDENCE_RECEIVED,
    S.OVERVIEW_DRAFTED,
)
_SET_UP = _BEFORE_RATIFIED[1:]
"""From screening to the Board's ratification: the stages whose people and plan may change."""
_OPEN = (*_BEFORE_RATIFIED, S.RATIFIED, S.ACTION_PLAN_MONITORED)
_ENDED = (S.CLOSED, S.REDIRECTED, S.NOT_TAKEN_FORWARD, S.WITHDRAWN)
_CHAIRS = frozenset({R.PANEL_CHAIR, R.BOARD_CHAIR})


def _r(
    command: str,
    sources: tuple[Stage, ...],
    dest: Stage | None,
    roles: set[Role],
    rules: tuple[str, ...],
    role_rule: str = "MAP",
) -> Row:
    return Row(command, sources, dest, frozenset(roles), rules, role_rule)


TABLE: tuple[Row, ...] = (
    _r("submit_request", (), S.REQUESTED, {R.REQUESTER, R.BUSINESS_MANAGER}, ("RF-1", "RF-2")),
    _r(
        "record_chair_notified",
        (S.REQUESTED,),
        None,
        {R.BUSINESS_MANAGER, R.BOARD_CHAIR},
        ("RF-3",),
    ),
    _r(
        "assess_criteria",
        (S.REQUESTED,),
        None,
        {R.BOARD_CHAIR},
        ("CR-1", "CR-2", "CR-3", "CR-4"),
        "RF-4",
    ),
    _r(
        "confirm_review",
        (S.REQUESTED,),
        S.SCREENED,
        {R.BOARD_CHAIR},
        ("CR-1", "CR-2", "CR-3", "RF-4", "RF-5"),
        "RF-4",
    ),
    _r(
        "recommend_alternative",
        (S.REQUESTED,),
        S.REDIRECTED,
        {R.BOARD_CHAIR},
        ("RF-4a", "RF-4b", "CR-1", "CR-4"),
        "RF-4",
    ),
    _r("decline", (S.REQUESTED,), S.NOT_TAKEN_FORWARD, {R.BOARD_CHAIR}, ("CR-1", "CR-4"), "RF-4"),
    _r(
        "record_records_secured",
        (S.SCREENED, S.PANEL_CONVENED),
        None,
        {R.BUSINESS_MANAGER},
        ("RF-5",),
    ),
    _r("record_imr_writer", (S.SCREENED, S.PANEL_CONVENED), None, {R.BUSINESS_MANAGER}, ("RF-5",)),
    _r(
        "add_agency",
        (S.SCREENED, S.PANEL_CONVENED),
        None,
        {R.BOARD_CHAIR, R.PANEL_CHAIR},
        ("SU-7", "RF-5"),
        "SU-7",
    ),
    _r("agree_lead_authority", (S.SCREENED,), None, {R.BOARD_CHAIR}, ("RF-6",)),
    _r("appoint_panel_chair", (S.SCREENED,), None, {R.BOARD_CHAIR}, ("SU-1", "PR-b")),
    _r(
        "appoint_panel_member",
        (S.SCREENED, S.PANEL_CONVENED, S.EVIDENCE_RECEIVED, S.OVERVIEW_DRAFTED),
        None,
        {R.BOARD_CHAIR},
        ("SU-1", "SU-2", "PR-b", "RP-4"),
    ),
    _r(
        "appoint_overview_writer",
        (S.SCREENED, S.PANEL_CONVENED),
        None,
        {R.BOARD_CHAIR},
        ("SU-9", "PR-b"),
        "SU-9",
    ),
    _r("record_budget", (S.SCREENED,), None, {R.BOARD_CHAIR}, ("SU-3",)),
    _r(
        "hold_initial_meeting",
        (S.SCREENED,),
        None,
        {R.PANEL_CHAIR},
        ("SU-4", "SU-5", "SU-6", "SU-7", "SU-8", "SU-10", "CR-3", "PR-c"),
        "SU-4",
    ),
    _r(
        "convene_panel",
        (S.SCREENED,),
        S.PANEL_CONVENED,
        {R.PANEL_CHAIR},
        ("RF-5", "RF-6", "SU-1", "SU-2", "SU-6", "SU-8", "SU-9"),
    ),
    _r(
        "receive_imr",
        (S.PANEL_CONVENED,),
        None,
        {R.PANEL_CHAIR, R.BUSINESS_MANAGER},
        ("EV-1",),
    ),
    _r("judge_imr", (S.PANEL_CONVENED,), None, {R.PANEL_CHAIR}, ("EV-2",)),
    _r("confirm_overview_brief", (S.PANEL_CONVENED,), None, {R.PANEL_CHAIR}, ("EV-3",)),
    _r(
        "accept_evidence",
        (S.PANEL_CONVENED,),
        S.EVIDENCE_RECEIVED,
        {R.PANEL_CHAIR},
        ("EV-1", "EV-2", "EV-3"),
    ),
    _r(
        "record_writer_meeting",
        (S.PANEL_CONVENED, S.EVIDENCE_RECEIVED, S.OVERVIEW_DRAFTED),
        None,
        {R.PANEL_CHAIR, R.OVERVIEW_WRITER},
        ("OW-1",),
    ),
    _r(
        "submit_overview_report",
        (S.EVIDENCE_RECEIVED,),
        S.OVERVIEW_DRAFTED,
        {R.OVERVIEW_WRITER},
        ("RP-1", "RP-2", "RP-3", "PR-e"),
    ),
    _r("request_revision", (S.OVERVIEW_DRAFTED,), S.EVIDENCE_RECEIVED, {R.PANEL_CHAIR}, ("RP-2",)),
    _r("record_agency_signoff", (S.OVERVIEW_DRAFTED,), None, {R.PANEL_MEMBER}, ("RP-4",), "RP-4"),
    _r("add_action", (S.OVERVIEW_DRAFTED,), None, {R.PANEL_CHAIR}, ("RP-5", "AP-1", "PR-g")),
    _r("record_dissemination", (S.OVERVIEW_DRAFTED,), None, {R.PANEL_CHAIR}, ("RP-6",)),
    # RP-7: the Board ratifies. The board chair records it on the Board's behalf, or
    # an actor holding the board role does; nobody else (refusals cite RP-7).
    _r(
        "ratify",
        (S.OVERVIEW_DRAFTED,),
        S.RATIFIED,
        {R.BOARD_CHAIR, R.BOARD},
        ("RP-4", "RP-5", "RP-6", "AP-1", "RP-7", "PR-g"),
        "RP-7",
    ),
    _r("start_monitoring", (S.RATIFIED,), S.ACTION_PLAN_MONITORED, {R.BUSINESS_MANAGER}, ("AP-1",)),
    _r(
        "record_action_progress",
        (S.ACTION_PLAN_MONITORED,),
        None,
        {R.BUSINESS_MANAGER},
        ("AP-1", "AP-2"),
    ),
    _r("complete_action", (S.ACTION_PLAN_MONITORED,), None, {R.BUSINESS_MANAGER}, ("AP-1", "AP-3")),
    _r("close_review", (S.ACTION_PLAN_MONITORED,), S.CLOSED, {R.BOARD_CHAIR}, ("AP-3", "PR-h")),
    _r("withdraw", _BEFORE_RATIFIED, S.WITHDRAWN, {R.BOARD_CHAIR}, ("PR-d",)),
    _r("pause_clock", _OPEN, None, set(_CHAIRS), ("PR-a",)),
    _r("resume_clock", _OPEN, None, set(_CHAIRS), ("PR-a",)),
    _r("extend_deadline", _OPEN, None, set(_CHAIRS), ("PR-a",)),
    _r("restrict_access", (*_OPEN, *_ENDED), None, {R.BOARD_CHAIR}, ("PR-e",), "PR-e"),
    # Corrections: the Board Chair, who appoints (SU-1, Appendix 2), replaces and
    # stands down; the panel chair, who set the terms, revises them (Appendix 2).
    _r("replace_panel_chair", _SET_UP, None, {R.BOARD_CHAIR}, ("SU-1", "PR-b"), "SU-1"),
    _r("replace_overview_writer", _SET_UP, None, {R.BOARD_CHAIR}, ("SU-9", "PR-b"), "SU-9"),
    _r(
        "stand_down_panel_member",
        _SET_UP,
        None,
        {R.BOARD_CHAIR},
        ("SU-1", "SU-2", "PR-b"),
        "SU-1",
    ),
    _r(
        "revise_terms_of_reference",
        _SET_UP,
        None,
        {R.PANEL_CHAIR},
        ("SU-4", "SU-6", "SU-7", "SU-8", "SU-10", "CR-3", "PR-c", "RP-1"),
        "SU-6",
    ),
    _r(
        "erase_personal_data",
        _ENDED,
        None,
        {R.BOARD_CHAIR, R.BUSINESS_MANAGER},
        ("PR-e",),
        "PR-e",
    ),
)
"""Every command, in the order of ``map.md``."""

_BY_NAME = {r.command: r for r in TABLE}


def row(command: str) -> Row:
    """The table row of a command (``KeyError`` for an unknown name)."""
    return _BY_NAME[command]


def markdown() -> str:
    """The command table as Markdown, each rule a link to its catalogue entry
    (``docs/protocol.md`` holds it; a test keeps the two equal)."""
    lines = ["| Command | From | To | Who | Rules |", "|---|---|---|---|---|"]
    for r in TABLE:
        sources = ", ".join(str(s) for s in r.sources) or "—"
        dest = str(r.dest) if r.dest is not None else "(same stage)"
        who = ", ".join(sorted(role.value for role in r.roles))
        rules = ", ".join(f"[{i}](rules.md#{i.lower()})" for i in r.rules)
        lines.append(f"| `{r.command}` | {sources} | {dest} | {who} | {rules} |")
    return "\n".join(lines)
