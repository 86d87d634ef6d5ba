"""The Serious Case Review (the Herefordshire SCR protocol, ``protocol/map.md``) as a
definition.

It points at the modules that hold each part today — :mod:`scr_engine.states`
(stages, roles, table, the compiled machine), :mod:`scr_engine.rules` (guards,
preconditions, the registry, the settings), :mod:`scr_engine.states.effects`,
:mod:`scr_engine.commands` and :mod:`scr_engine.records` — and copies none of them.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Any

import attrs

from scr_engine.commands import COMMANDS
from scr_engine.protocols.definition import (
    ClockBasis,
    ClockKind,
    Protocol,
    SettingDef,
    StageDef,
    Step,
)
from scr_engine.records import RequestForm, Review, Task
from scr_engine.rules.deadlines import clocks_changed, deadlines
from scr_engine.rules.guards import CHECKS, PRECONDITIONS
from scr_engine.rules.judge import permission
from scr_engine.rules.registry import RULES
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings
from scr_engine.states.effects import EFFECTS, apply
from scr_engine.states.machine import SCR_MOVES
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.stages import Stage
from scr_engine.states.table import TABLE
from scr_engine.words import STAGE_WORDS

__all__ = ["DOCUMENTS", "NAME", "SCR", "VERSION", "apply_scr", "open_scr"]

NAME = "scr"
"""The SCR's protocol code, recorded on each review (the default)."""
VERSION = "1"
"""The SCR definition's version, recorded on each review (the default)."""

DOCUMENTS: tuple[str, ...] = (
    "request",
    "chronology",
    "overview",
    "action-plan",
    "public-report",
    "timeline",
)
"""The documents of an SCR, by name (those :mod:`scr_engine.documents` renders)."""

_CLOCKS = (
    ClockKind("chair_notified", "RF-3", ClockBasis.LOCAL, "Chair notified of the request"),
    ClockKind("initial_meeting", "SU-5", ClockBasis.TEXT, "Initial meeting"),
    ClockKind("review_complete", "SU-4", ClockBasis.TEXT, "Review complete"),
    ClockKind("imr:<agency>", "SU-7", ClockBasis.TEXT, "IMR from each agency"),
    ClockKind("overview_report", "RP-1", ClockBasis.TEXT, "Overview report"),
    ClockKind("action:<id>", "AP-2", ClockBasis.LOCAL, "Each action, by its timescale"),
)

_SETTING_RULES: dict[str, tuple[str, ...]] = {
    "version": (),
    "initial_meeting_months": ("SU-5",),
    "review_months": ("SU-4",),
    "chair_notification_days": ("RF-3",),
    "chair_notification_working_days": ("RF-3",),
    "initial_meeting_working_days": ("SU-5",),
    "max_text_length": ("INPUT",),
    "max_command_length": ("INPUT",),
    "max_actor_length": ("INPUT",),
    "max_amount_pounds": ("INPUT",),
}


def _settings() -> tuple[SettingDef, ...]:
    return tuple(
        SettingDef(f.name, getattr(DEFAULT_SETTINGS, f.name), _SETTING_RULES.get(f.name, ()))
        for f in attrs.fields(ProtocolSettings)
    )


def open_scr(
    definition: Protocol, review_id: str, command: Any, actor_id: str, received_on: date
) -> Review:
    """An SCR's record as its ``submit_request`` makes it (the definition's first
    stage, version 1)."""
    return Review(
        id=review_id,
        reference=command.reference,
        stage=Stage(definition.initial),
        version=1,
        head="",
        settings_version=command.settings_version,
        request=command.request,
        requested_by=actor_id,
        received_on=received_on,
        protocol=command.protocol,
        protocol_version=command.protocol_version,
    )


def apply_scr(
    definition: Protocol, review: Any, command: Any, step: Step
) -> tuple[dict[str, Any], tuple[Task, ...]]:
    """What an accepted SCR command records: the definition's effect of it
    (:func:`scr_engine.states.effects.apply`; the SCR's effects read no settings)."""
    return apply(
        review,
        command,
        step.actor_id,
        step.at,
        step.after,
        dated=step.dated,
        effects=definition.effects,
    )


SCR = Protocol(
    name=NAME,
    version=VERSION,
    title="Serious Case Review (Herefordshire Safeguarding Adults Board, 2008)",
    stages=tuple(StageDef(s.value, STAGE_WORDS.get(s.value, s.value), s.terminal) for s in Stage),
    initial=Stage.REQUESTED.value,
    roles=tuple(r.value for r in SCR_ROLES),
    commands=MappingProxyType({r.command: COMMANDS[r.command] for r in TABLE}),
    table=TABLE,
    moves=SCR_MOVES,
    permission=permission,
    guards=MappingProxyType(CHECKS),
    preconditions=MappingProxyType(PRECONDITIONS),
    effects=MappingProxyType(EFFECTS),
    clocks=_CLOCKS,
    settings=ProtocolSettings,
    default_settings=DEFAULT_SETTINGS,
    setting_defs=_settings(),
    fixed=(),
    rules=RULES,
    request_form=RequestForm,
    documents=DOCUMENTS,
    record=Review,
    open=open_scr,
    apply=apply_scr,
    stage_type=Stage,
    deadlines=deadlines,
    clocks_changed=clocks_changed,
)
"""The SCR definition. Its protocol is a Board's own text, not an Act: no rule of it
is fixed by law (``fixed`` is empty); its settings are :class:`ProtocolSettings`."""
