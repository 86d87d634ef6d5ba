"""The Safeguarding Adults Review (Care Act 2014 s.44; ``sar/map.md`` §1) as a
definition: one folder a reader can see.

- :mod:`.stages` — stage codes, meanings, terminal;
- :mod:`.records` — the review's records (the referral, the per-adult three-valued
  mandatory test, the decision and mandate, findings decisions, the publication
  record, waivers …), with the lead reviewer and those replaced in
  :mod:`.appointments` and the terms of reference in :mod:`.terms`;
  :mod:`.methodology` — methodology profiles as data;
- :mod:`.commands` — one attrs class per command, with JSON Schemas (:mod:`.schema`);
- :mod:`.table` — the transition table; :mod:`.guards` and ``guards_*`` — the pure
  checks (:mod:`.guards_common`, :mod:`.guards_dates`, :mod:`.guards_decision`,
  :mod:`.guards_setup`, :mod:`.guards_report`); :mod:`.effects` — what each command
  records, and a pure runner;
- :mod:`.information` — the information requests' own commands (s.45, SAR-I), with
  their records in :mod:`.information_records`;
- :mod:`.settings` — a Board's settings and their defaults; :mod:`.clocks` — the
  deadlines, on a configured bank-holiday calendar;
- :mod:`.prefill` — what a review already knows, for its commands' templates;
- :mod:`.rules` — the rule registry (ID, text, kind, force, source), parsed once from
  ``rules.md``;
- :mod:`.annual` — the SAB's annual report (SAR-A-5 to SAR-A-9), a definition of its
  own beside the SAR.

:data:`SAR` is registered with :mod:`scr_engine.protocols` (``sar``), as is the
annual report (``sar-annual-report``): the engine judges and advances a SAR by this
definition.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import MappingProxyType
from typing import Any, cast

import attrs

from scr_engine.commands import ErasePersonalData
from scr_engine.protocols.definition import Protocol, SettingDef, Step, compile_moves
from scr_engine.protocols.sar.annual.commands import RecordAnnualReportInclusion
from scr_engine.protocols.sar.annual.guards import check_inclusion, include_effect
from scr_engine.protocols.sar.clocks import CLOCKS, sar_deadlines
from scr_engine.protocols.sar.commands import COMMANDS
from scr_engine.protocols.sar.effects import EFFECTS, SECURE_RECORDS
from scr_engine.protocols.sar.guards import GUARDS
from scr_engine.protocols.sar.guards_common import SarContext, permission
from scr_engine.protocols.sar.information import COMMANDS as INFORMATION_COMMANDS
from scr_engine.protocols.sar.information import EFFECTS as INFORMATION_EFFECTS
from scr_engine.protocols.sar.information import GUARDS as INFORMATION_GUARDS
from scr_engine.protocols.sar.information import ROWS as INFORMATION_ROWS
from scr_engine.protocols.sar.prefill import prefill
from scr_engine.protocols.sar.records import Referral, SarReview
from scr_engine.protocols.sar.rules import FIXED, SAR_RULES
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS, SETTING_RULES, SarSettings
from scr_engine.protocols.sar.stages import (
    ACTION_PLAN_MONITORED,
    RATIFIED,
    REPORT_DRAFTED,
    REQUESTED,
    STAGES,
)
from scr_engine.protocols.sar.table import TABLE
from scr_engine.records import Actor, Role, Task, TaskKind
from scr_engine.rules.retention import erasure_problems
from scr_engine.states.effects import EFFECTS as SCR_EFFECTS
from scr_engine.states.effects import occurred_day
from scr_engine.states.roles import SAR_ROLES
from scr_engine.states.table import Row

__all__ = ["DOCUMENTS", "ERASURE", "INCLUSION", "NAME", "SAR", "VERSION", "apply_sar", "open_sar"]

NAME = "sar"
"""The SAR's protocol code, recorded on each review."""
VERSION = "1"
"""The SAR definition's version."""

DOCUMENTS: tuple[str, ...] = (
    "referral",
    "decision-record",
    "terms-of-reference",
    "report",
    "publishable-summary",
    "action-plan",
    "timeline",
)
"""The documents of a SAR, by name (issue 23's list; rendered in a later step)."""


def _settings() -> tuple[SettingDef, ...]:
    return tuple(
        SettingDef(f.name, getattr(DEFAULT_SAR_SETTINGS, f.name), SETTING_RULES[f.name])
        for f in attrs.fields(SarSettings)
    )


def _no_guard(review: Any, command: Any, context: Any) -> list[Any]:
    """The guard of a command the SAR's table alone judges (stage and role)."""
    return []


ERASURE = Row(
    "erase_personal_data",
    tuple(s.code for s in STAGES if s.terminal),
    None,
    frozenset({Role.BOARD_CHAIR, Role.BUSINESS_MANAGER}),
    ("SAR-P-7",),
    "SAR-P-7",
)
"""The engine's erasure of an ended review's personal data, beside ``map.md``'s
commands: by the Board's chair or business manager, once the review has ended and its
records' retention period (SAR-P-7, ``record_retention``) has run. Its guard and effect
are the engine's (:func:`scr_engine.rules.retention.erasure_problems`, citing
SAR-P-7); the history keeps verifying."""


def _erasure_guard(review: Any, command: Any, context: Any) -> list[Any]:
    return erasure_problems(review, command, "SAR-P-7")


def _erasure_effect(review: Any, command: Any, ctx: SarContext) -> Any:
    at = datetime.combine(ctx.today, time(), UTC)  # the SCR's effect does not read it
    return SCR_EFFECTS["erase_personal_data"](review, command, ctx.actor.id, ctx.today, at)


INCLUSION = Row(
    "record_annual_report_inclusion",
    (REPORT_DRAFTED, RATIFIED, ACTION_PLAN_MONITORED),
    None,
    frozenset({Role.BUSINESS_MANAGER}),
    ("SAR-A-4",),
    "MAP",
)
"""The SAR's link to the annual report machine (``map.md`` §3, SAR-A-4), beside
``map.md``'s commands: the review's findings appear in section (d) of a published
annual report (:mod:`.annual`), recorded by the business manager
(:func:`scr_engine.annual_reports.record_inclusions` issues it for every review a
published report lists); ``close_review`` reads it."""

_TABLE = (*TABLE, *INFORMATION_ROWS, ERASURE, INCLUSION)
_GUARDS = {
    **{r.command: _no_guard for r in TABLE if r.command != "submit_request"},
    **GUARDS,
    **INFORMATION_GUARDS,
    ERASURE.command: _erasure_guard,
    INCLUSION.command: check_inclusion,
}


def open_sar(
    definition: Protocol, review_id: str, command: Any, actor_id: str, received_on: date
) -> SarReview:
    """A SAR's record as its ``submit_request`` makes it: the referral received, in the
    definition's first stage, version 1."""
    return SarReview(
        command.reference,
        received_on,
        command.referral,
        stage=definition.initial,
        settings_version=command.settings_version,
        protocol=command.protocol,
        protocol_version=command.protocol_version,
        id=review_id,
        version=1,
        head="",
        requested_by=actor_id,
    )


def apply_sar(
    definition: Protocol, review: Any, command: Any, step: Step
) -> tuple[dict[str, Any], tuple[Task, ...]]:
    """What an accepted SAR command records: its effect, run in the acting role on the
    day it occurred, under the review's settings (which some effects read:
    ``ValueError`` when they were not given). Its outputs (SAR-R-3, SAR-D-5, SAR-D-9,
    SAR-M-6, SAR-M-12 …) are the review's tasks, delivered from the outbox as an SCR's
    are: each to its recipient (an agency's code, or a role), citing its rule."""
    if step.settings is None:
        raise ValueError(
            f"review {review.id} runs under SAR settings {review.settings_version!r}, which "
            "were not given"
        )
    actor = Actor(step.actor_id, step.actor_id, frozenset({step.role}))
    ctx = SarContext(actor, step.role, occurred_day(command, step.at), step.settings)
    effect: Any = definition.effects[command.name]
    changes, outputs = effect(review, command, ctx)
    if not outputs:
        return changes, ()
    prefix = f"{review.id}:{review.version + 1}:"
    tasks = []
    for index, output in enumerate(outputs):
        kind = TaskKind.SECURE_RECORDS if output.what == SECURE_RECORDS else TaskKind.NOTICE
        task_id = f"{prefix}{index}:{_KIND_CODES[kind]}:{output.to}"
        tasks.append(Task(task_id, review.id, kind, output.to, step.at, output.rule, output.what))
    return changes, tuple(tasks)


_KIND_CODES = {kind: kind.value for kind in TaskKind}
"""Each task kind's code (what a task id holds), looked up once."""


def _always(before: Any, after: Any) -> bool:
    """The SAR's deadlines are computed again after every command."""
    return True


SAR = Protocol(
    name=NAME,
    version=VERSION,
    title="Safeguarding Adults Review (Care Act 2014 s.44)",
    stages=STAGES,
    initial=REQUESTED,
    roles=tuple(r.value for r in SAR_ROLES),
    commands=MappingProxyType(
        {
            **COMMANDS,
            **INFORMATION_COMMANDS,
            ERASURE.command: ErasePersonalData,
            INCLUSION.command: RecordAnnualReportInclusion,
        }
    ),
    table=_TABLE,
    moves=compile_moves(_TABLE, STAGES, REQUESTED),
    permission=permission,
    # The definition's guard and effect slots are typed for the SCR's Review today; the
    # SAR's take a SarReview and a SarContext. The engine judging by definition reads them.
    guards=cast(Any, MappingProxyType(_GUARDS)),
    preconditions=MappingProxyType({}),
    effects=cast(
        Any,
        MappingProxyType(
            {
                **EFFECTS,
                **INFORMATION_EFFECTS,
                ERASURE.command: _erasure_effect,
                INCLUSION.command: include_effect,
            }
        ),
    ),
    clocks=CLOCKS,
    settings=SarSettings,
    default_settings=DEFAULT_SAR_SETTINGS,
    setting_defs=_settings(),
    fixed=FIXED,
    rules=SAR_RULES,
    request_form=Referral,
    documents=DOCUMENTS,
    record=SarReview,
    open=open_sar,
    apply=apply_sar,
    stage_type=str,
    deadlines=sar_deadlines,
    clocks_changed=_always,
    reference_prefix="SAR",
    prefill=prefill,
)
"""The SAR definition, version 1 (not registered yet)."""
