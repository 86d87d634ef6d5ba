"""The SAR review's table of commands (``sar/map.md`` §1), declared once as data.

Each row says from which stages a command may be issued, where it leads (``None`` for
a record made inside a stage), which roles may issue it and the rules it answers to.
Stage codes are plain strings (:mod:`.stages`). Where ``map.md`` names a setting
(``decision_roles``, ``s45_roles``, ``waiver_roles``) the row holds its default and
:func:`roles_for` reads the Board's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from scr_engine.protocols.definition import compile_moves
from scr_engine.protocols.sar import stages as s
from scr_engine.protocols.sar.settings import SarSettings
from scr_engine.states.machine import Moves
from scr_engine.states.roles import Role
from scr_engine.states.table import Row

__all__ = ["MOVES", "SETTING_ROLES", "TABLE", "roles_for", "row"]

R = Role
_OPEN = s.OPEN
_DECIDE = {R.BOARD_CHAIR}
"""``decision_roles``' default (SAR-D-1)."""
_CHAIRS = {R.BOARD_CHAIR, R.SUBGROUP_CHAIR}


def _r(
    command: str,
    sources: tuple[str, ...],
    dest: str | None,
    roles: set[Role],
    rules: tuple[str, ...],
    role_rule: str = "MAP",
) -> Row:
    return Row(command, sources, dest, frozenset(roles), rules, role_rule)


TABLE: tuple[Row, ...] = (
    _r("submit_request", (), s.REQUESTED, {R.REFERRER, R.BUSINESS_MANAGER}, ("SAR-R-1", "SAR-R-2")),
    _r("acknowledge_request", (s.REQUESTED,), None, {R.BUSINESS_MANAGER}, ("SAR-R-3",)),
    _r("record_chair_notified", (s.REQUESTED,), None, {R.BUSINESS_MANAGER}, ("SAR-R-3",)),
    _r(
        "request_information",
        _OPEN,
        None,
        {R.BOARD_CHAIR, R.BUSINESS_MANAGER, R.SUBGROUP_CHAIR, R.LEAD_REVIEWER},
        ("SAR-I-1", "SAR-I-2", "SAR-I-3", "SAR-I-4", "SAR-R-4"),
        "SAR-I-3",
    ),
    _r(
        "record_involvement",
        _OPEN,
        None,
        {R.BUSINESS_MANAGER, R.LEAD_REVIEWER},
        ("SAR-R-5", "SAR-F-1", "SAR-F-2", "SAR-F-5"),
    ),
    _r(
        "register_parallel_process",
        _OPEN,
        None,
        {R.BUSINESS_MANAGER, R.SUBGROUP_CHAIR},
        ("SAR-M-10",),
    ),
    _r(
        "assess_criteria",
        (s.REQUESTED,),
        None,
        _CHAIRS,
        tuple(f"SAR-C-{n}" for n in range(1, 10)),
    ),
    _r("recommend_decision", (s.REQUESTED,), None, {R.SUBGROUP_CHAIR}, ("SAR-D-1",)),
    _r(
        "confirm_review",
        (s.REQUESTED,),
        s.SCREENED,
        _DECIDE,
        ("SAR-C-1", "SAR-C-6", "SAR-D-2", "SAR-D-3", "SAR-D-7", "SAR-D-8", "SAR-D-9", "SAR-D-5"),
        "SAR-D-1",
    ),
    _r(
        "recommend_alternative",
        (s.REQUESTED,),
        s.REDIRECTED,
        _DECIDE,
        ("SAR-D-2", "SAR-D-3", "SAR-D-5"),
        "SAR-D-1",
    ),
    _r(
        "decline",
        (s.REQUESTED,),
        s.NOT_TAKEN_FORWARD,
        _DECIDE,
        ("SAR-D-2", "SAR-D-3", "SAR-D-5"),
        "SAR-D-1",
    ),
    _r(
        "reopen_request",
        (s.REDIRECTED, s.NOT_TAKEN_FORWARD),
        s.REQUESTED,
        _DECIDE,
        ("SAR-D-6",),
        "SAR-D-1",
    ),
    _r("agree_lead_authority", (s.REQUESTED, s.SCREENED), None, {R.BOARD_CHAIR}, ("SAR-R-6",)),
    _r(
        "record_records_secured",
        (s.SCREENED, s.COMMISSIONED),
        None,
        {R.BUSINESS_MANAGER},
        ("SAR-D-9",),
    ),
    _r(
        "choose_methodology",
        (s.SCREENED, s.COMMISSIONED),
        None,
        {R.SUBGROUP_CHAIR},
        ("SAR-M-1", "SAR-M-2"),
    ),
    _r("appoint_lead_reviewer", (s.SCREENED, s.COMMISSIONED), None, _CHAIRS, ("SAR-M-3",)),
    _r("appoint_panel_chair", (s.SCREENED,), None, _CHAIRS, ("SAR-M-4",)),
    _r(
        "appoint_panel_member",
        (s.SCREENED, s.COMMISSIONED),
        None,
        {*_CHAIRS, R.PANEL_CHAIR},
        ("SAR-M-4",),
    ),
    _r(
        "record_budget",
        (s.SCREENED, s.COMMISSIONED),
        None,
        {R.SUBGROUP_CHAIR, R.BUSINESS_MANAGER},
        ("SAR-M-9",),
    ),
    _r(
        "agree_terms_of_reference",
        (s.SCREENED, s.COMMISSIONED),
        None,
        {R.SUBGROUP_CHAIR},
        ("SAR-M-5", "SAR-D-8", "SAR-G-1", "SAR-G-2"),
    ),
    _r("assess_advocacy", (s.SCREENED, s.COMMISSIONED), None, {R.LA_ADVOCACY_LEAD}, ("SAR-F-3",)),
    _r(
        "arrange_advocate",
        s.between(s.SCREENED, s.ACTION_PLAN_MONITORED),
        None,
        {R.LA_ADVOCACY_LEAD},
        ("SAR-F-3",),
    ),
    _r(
        "record_consent",
        s.between(s.SCREENED, s.REPORT_DRAFTED),
        None,
        {R.LEAD_REVIEWER, R.BUSINESS_MANAGER},
        ("SAR-F-4",),
    ),
    _r(
        "commission_review",
        (s.SCREENED,),
        s.COMMISSIONED,
        _CHAIRS,
        ("SAR-M-7", "SAR-M-1", "SAR-M-3", "SAR-M-5", "SAR-R-6", "SAR-D-8", "SAR-F-1", "SAR-F-3"),
    ),
    _r(
        "receive_evidence",
        (s.COMMISSIONED,),
        None,
        {R.LEAD_REVIEWER, R.PANEL_CHAIR, R.BUSINESS_MANAGER},
        ("SAR-M-11",),
    ),
    _r(
        "judge_evidence",
        (s.COMMISSIONED,),
        None,
        {R.LEAD_REVIEWER, R.PANEL_CHAIR},
        ("SAR-M-11",),
    ),
    _r(
        "record_practitioner_involvement",
        (s.COMMISSIONED,),
        None,
        {R.LEAD_REVIEWER},
        ("SAR-M-8",),
    ),
    _r(
        "record_cooperation_issue",
        s.between(s.SCREENED, s.REPORT_DRAFTED),
        None,
        {R.BUSINESS_MANAGER, R.LEAD_REVIEWER},
        ("SAR-M-6",),
    ),
    _r(
        "accept_evidence",
        (s.COMMISSIONED,),
        s.EVIDENCE_RECEIVED,
        {R.LEAD_REVIEWER, R.PANEL_CHAIR},
        ("SAR-M-11",),
    ),
    _r(
        "record_writer_meeting",
        s.between(s.COMMISSIONED, s.REPORT_DRAFTED),
        None,
        {R.PANEL_CHAIR, R.LEAD_REVIEWER},
        (),
    ),
    _r(
        "submit_report",
        (s.EVIDENCE_RECEIVED,),
        s.REPORT_DRAFTED,
        {R.LEAD_REVIEWER},
        ("SAR-P-1", "SAR-P-2", "SAR-G-1"),
    ),
    _r(
        "request_revision",
        (s.REPORT_DRAFTED,),
        s.EVIDENCE_RECEIVED,
        {R.SUBGROUP_CHAIR, R.PANEL_CHAIR},
        (),
    ),
    _r(
        "record_agency_signoff",
        (s.REPORT_DRAFTED,),
        None,
        {R.AGENCY_CONTRIBUTOR, R.PANEL_MEMBER},
        ("SAR-P-3",),
    ),
    _r(
        "record_family_response",
        (s.REPORT_DRAFTED, s.RATIFIED),
        None,
        {R.LEAD_REVIEWER, R.BUSINESS_MANAGER},
        ("SAR-F-6",),
    ),
    _r(
        "decide_finding",
        (s.REPORT_DRAFTED, s.RATIFIED, s.ACTION_PLAN_MONITORED),
        None,
        {*_DECIDE, R.BOARD},
        ("SAR-A-1",),
        "SAR-D-1",
    ),
    _r(
        "add_action",
        s.between(s.SCREENED, s.ACTION_PLAN_MONITORED),
        None,
        {R.SUBGROUP_CHAIR, R.BUSINESS_MANAGER},
        ("SAR-A-2", "SAR-M-13"),
    ),
    _r(
        "record_dissemination",
        s.between(s.REPORT_DRAFTED, s.ACTION_PLAN_MONITORED),
        None,
        {R.BUSINESS_MANAGER},
        ("SAR-P-8",),
    ),
    _r(
        "ratify",
        (s.REPORT_DRAFTED,),
        s.RATIFIED,
        {R.BOARD, R.BOARD_CHAIR},
        ("SAR-P-9", "SAR-P-1", "SAR-P-3", "SAR-A-1", "SAR-A-2"),
        "SAR-P-9",
    ),
    _r(
        "decide_publication",
        s.between(s.REPORT_DRAFTED, s.ACTION_PLAN_MONITORED),
        None,
        {R.BOARD_CHAIR},
        ("SAR-P-5", "SAR-P-6"),
    ),
    _r(
        "record_publication",
        s.between(s.COMMISSIONED, s.ACTION_PLAN_MONITORED),
        None,
        {R.BUSINESS_MANAGER},
        ("SAR-P-4", "SAR-P-5", "SAR-P-6", "SAR-P-7", "SAR-F-6"),
    ),
    _r(
        "start_monitoring",
        (s.RATIFIED,),
        s.ACTION_PLAN_MONITORED,
        {R.BUSINESS_MANAGER},
        ("SAR-A-2",),
    ),
    _r(
        "record_action_progress",
        s.between(s.SCREENED, s.ACTION_PLAN_MONITORED),
        None,
        {R.BUSINESS_MANAGER},
        ("SAR-A-2", "SAR-A-3"),
    ),
    _r(
        "complete_action",
        s.between(s.SCREENED, s.ACTION_PLAN_MONITORED),
        None,
        {R.BUSINESS_MANAGER},
        ("SAR-A-2",),
    ),
    _r("close_review", (s.ACTION_PLAN_MONITORED,), s.CLOSED, {R.BOARD_CHAIR}, ("SAR-A-4",)),
    _r("withdraw", s.BEFORE_RATIFIED, s.WITHDRAWN, {R.BOARD_CHAIR}, ("SAR-D-7", "SAR-R-6")),
    _r("pause_clock", _OPEN, None, _CHAIRS, ("SAR-M-10", "SAR-M-12")),
    _r("resume_clock", _OPEN, None, _CHAIRS, ("SAR-M-12",)),
    _r("extend_deadline", _OPEN, None, _CHAIRS, ("SAR-M-12",)),
    _r("record_waiver", _OPEN, None, {R.BOARD_CHAIR}, ("SAR-G-6",), "SAR-G-6"),
)
"""Every command of ``map.md`` §1, in its order."""

SETTING_ROLES: Mapping[str, str] = MappingProxyType(
    {
        "confirm_review": "decision_roles",
        "recommend_alternative": "decision_roles",
        "decline": "decision_roles",
        "reopen_request": "decision_roles",
        "record_waiver": "waiver_roles",
    }
)
"""The rows whose roles are a Board setting (``map.md``'s `decision_roles` …)."""

_BY_NAME = {r.command: r for r in TABLE}

MOVES: Moves = compile_moves(TABLE, s.STAGES, s.REQUESTED)
"""The table compiled: which command leads where."""


def row(command: str) -> Row:
    """The row of ``command`` (``KeyError`` when there is none)."""
    return _BY_NAME[command]


def roles_for(command: str, settings: SarSettings) -> frozenset[Role]:
    """Who may issue ``command`` under ``settings``: the Board's setting where the row
    names one (``decide_finding`` adds the ``board``), else the row's roles."""
    found = row(command).roles
    setting = SETTING_ROLES.get(command)
    if setting is not None:
        found = frozenset(getattr(settings, setting))
    if command == "decide_finding":
        found = frozenset({*settings.decision_roles, Role.BOARD})
    return found
