"""The SAB's annual report (Care Act 2014 Sch. 2 para 4; ``sar/map.md`` §3) as a
definition the engine runs beside the SAR: one record per Board per financial year,
stored, hashed, replayed and verified like any review.

- :mod:`.records` — the request form, the sections, the computed figures, the report;
- :mod:`.commands` — its commands, and the SAR review's ``record_annual_report_inclusion``;
- :mod:`.compute` — sections (d)–(g) from the SAR reviews' histories as at 31 March;
- :mod:`.guards` — the guards (SAR-A-4 to SAR-A-9) and effects.

Stages: ``drafting`` → ``published`` (SAR-A-9) → ``distributed`` (SAR-A-8). The
engine's layer (:mod:`scr_engine.annual_reports`) reads the store to compile the
sections, and records each listed review's inclusion once the report is published.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Any, cast

import attrs

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.definition import (
    ClockBasis,
    ClockKind,
    Protocol,
    SettingDef,
    StageDef,
    Step,
    compile_moves,
)
from scr_engine.protocols.sar.annual.commands import COMMANDS
from scr_engine.protocols.sar.annual.guards import EFFECTS, GUARDS, one_a_year
from scr_engine.protocols.sar.annual.records import (
    DISTRIBUTED,
    DRAFTING,
    PUBLISHED,
    AnnualReport,
    AnnualReportForm,
)
from scr_engine.protocols.sar.clocks import add_duration
from scr_engine.protocols.sar.rules import FIXED, SAR_RULES
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS, SETTING_RULES, SarSettings
from scr_engine.records import Actor, Role, Task
from scr_engine.rules.deadlines import Deadline, deadline_of
from scr_engine.states.effects import occurred_day
from scr_engine.states.roles import SAR_ROLES
from scr_engine.states.table import Row

__all__ = [
    "ANNUAL_REPORT",
    "DISTRIBUTED",
    "DRAFTING",
    "NAME",
    "PUBLISHED",
    "STAGES",
    "TABLE",
    "VERSION",
    "apply_annual_report",
    "open_annual_report",
    "report_reference",
]

NAME = "sar-annual-report"
"""The annual report's protocol code, recorded on each report."""
VERSION = "1"

STAGES: tuple[StageDef, ...] = (
    StageDef(DRAFTING, "Sections are being written and compiled (SAR-A-6).", False),
    StageDef(PUBLISHED, "Published, with its URL (SAR-A-9); copies are being sent.", False),
    StageDef(DISTRIBUTED, "Sent to every statutory recipient (SAR-A-8).", False),
)
"""``map.md`` §3's stages. ``distributed`` is the last (no command leads out of it) but
is not declared terminal: the stores know an ended record by the SCR's ending codes
(``closed``, ``withdrawn`` …), and the report has no tasks for an ending to cancel."""

_R = Role
_BM = frozenset({_R.BUSINESS_MANAGER})

TABLE: tuple[Row, ...] = (
    Row("submit_request", (), DRAFTING, _BM, ("SAR-A-5", "SAR-A-8"), "MAP"),
    Row("record_annual_report_section", (DRAFTING,), None, _BM, ("SAR-A-6",), "MAP"),
    Row("compile_review_sections", (DRAFTING,), None, _BM, ("SAR-A-6", "SAR-A-7"), "MAP"),
    Row(
        "approve_annual_report",
        (DRAFTING,),
        None,
        frozenset({_R.BOARD, _R.BOARD_CHAIR}),
        ("SAR-A-6",),
        "MAP",
    ),
    Row(
        "publish_annual_report",
        (DRAFTING,),
        PUBLISHED,
        _BM,
        ("SAR-A-5", "SAR-A-6", "SAR-A-9"),
        "MAP",
    ),
    Row("send_annual_report", (PUBLISHED,), None, _BM, ("SAR-A-8",), "MAP"),
    Row("record_distributed", (PUBLISHED,), DISTRIBUTED, _BM, ("SAR-A-8",), "MAP"),
)
"""``map.md`` §3's table (``open_annual_report`` is ``submit_request``; the move to
``distributed`` is ``record_distributed``, after the last copy is sent)."""

CLOCKS: tuple[ClockKind, ...] = (
    ClockKind("annual_report", "SAR-A-5", ClockBasis.STATUTE, "Annual report published"),
    ClockKind("annual_report_sent", "SAR-A-8", ClockBasis.STATUTE, "Annual report sent"),
)


def permission(
    review: Any, table_row: Row, actor: Actor, command: Any = None
) -> tuple[Role | None, list[Refusal]]:
    """The role ``actor`` acts in for the row's command (the first of theirs, in the
    SAR's order, the row allows), or why they may not issue it."""
    role = next((r for r in SAR_ROLES if r in actor.roles and r in table_row.roles), None)
    if role is not None:
        return role, []
    allowed = ", ".join(sorted(table_row.roles))
    message = f"{table_row.command} may be issued only by: {allowed}"
    return None, [Refusal(table_row.role_rule, message, RefusalKind.PERMISSION, "role")]


def open_annual_report(
    definition: Protocol, review_id: str, command: Any, actor_id: str, received_on: date
) -> AnnualReport:
    """The report as its ``submit_request`` (``open_annual_report``) makes it."""
    form: AnnualReportForm = command.form
    return AnnualReport(
        command.reference,
        received_on,
        form.year,
        tuple(form.members),
        tuple(form.recipients),
        stage=definition.initial,
        settings_version=command.settings_version,
        protocol=command.protocol,
        protocol_version=command.protocol_version,
        id=review_id,
        version=1,
        head="",
        requested_by=actor_id,
    )


def report_reference(form: AnnualReportForm) -> str:
    """The reference of the annual report of ``form.year``: ``SAR-AR-2026-27`` for the
    year from 1 April 2026. One report per year (SAR-A-5) is then one per reference,
    which every store holds once: two reports of a year opened at the same moment
    cannot both be stored."""
    return f"SAR-AR-{form.year}-{(form.year + 1) % 100:02d}"


def apply_annual_report(
    definition: Protocol, review: Any, command: Any, step: Step
) -> tuple[dict[str, Any], tuple[Task, ...]]:
    """What an accepted annual report command records, on the day it occurred."""
    effect: Any = definition.effects[command.name]
    changes: dict[str, Any] = effect(review, command, occurred_day(command, step.at), step)
    return changes, ()


def annual_deadlines(
    report: AnnualReport, settings: SarSettings, today: date
) -> tuple[Deadline, ...]:
    """SAR-A-5: published within ``annual_report_target`` of 31 March; SAR-A-8: every
    copy sent within ``annual_report_send_target`` of publication (each off by
    default: the Act gives no number)."""
    out: list[Deadline] = []
    cal = settings.bank_holiday_calendar
    terminal = frozenset({DISTRIBUTED})  # its clocks stop there
    clocked: Any = report
    if settings.annual_report_target is not None:
        due = add_duration(report.ends_on, settings.annual_report_target, cal)
        out.append(
            deadline_of(
                clocked,
                today,
                "annual_report",
                "SAR-A-5",
                "Annual report published",
                report.ends_on,
                due,
                report.published_on,
                terminal=terminal,
            )
        )
    if settings.annual_report_send_target is not None and report.published_on is not None:
        due = add_duration(report.published_on, settings.annual_report_send_target, cal)
        sent = max((s.on for s in report.sendings), default=None) if not report.unsent() else None
        out.append(
            deadline_of(
                clocked,
                today,
                "annual_report_sent",
                "SAR-A-8",
                "Annual report sent",
                report.published_on,
                due,
                sent,
                terminal=frozenset(),
            )
        )
    return tuple(out)


def _always(before: Any, after: Any) -> bool:
    return True


def _settings() -> tuple[SettingDef, ...]:
    return tuple(
        SettingDef(f.name, getattr(DEFAULT_SAR_SETTINGS, f.name), SETTING_RULES[f.name])
        for f in attrs.fields(SarSettings)
        if f.name
        in {
            "version",
            "concluded_event",
            "annual_report_target",
            "annual_report_send_target",
            "bank_holiday_calendar",
        }
    )


ANNUAL_REPORT = Protocol(
    name=NAME,
    version=VERSION,
    title="SAB annual report (Care Act 2014 Sch. 2 para 4)",
    stages=STAGES,
    initial=DRAFTING,
    roles=(_R.BUSINESS_MANAGER.value, _R.BOARD_CHAIR.value, _R.BOARD.value),
    commands=COMMANDS,
    table=TABLE,
    moves=compile_moves(TABLE, STAGES, DRAFTING),
    permission=permission,
    guards=cast(Any, GUARDS),
    preconditions=MappingProxyType({}),
    effects=cast(Any, EFFECTS),
    clocks=CLOCKS,
    settings=SarSettings,
    default_settings=DEFAULT_SAR_SETTINGS,
    setting_defs=_settings(),
    fixed=tuple(r for r in FIXED if r.startswith("SAR-A-")),
    rules=SAR_RULES,
    request_form=AnnualReportForm,
    documents=(),
    record=AnnualReport,
    open=open_annual_report,
    apply=apply_annual_report,
    stage_type=str,
    deadlines=cast(Any, annual_deadlines),
    clocks_changed=_always,
    reference_prefix="SAR-AR",
    admits=one_a_year,
    reference=report_reference,
)
"""The annual report definition, version 1 (registered beside the SAR)."""
