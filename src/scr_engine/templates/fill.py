"""A command's template filled in: from what a review knows (its agencies, its people,
the IMRs' merged chronology, the terms of reference to revise), then from given values,
then from defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from attrs import evolve

from scr_engine.commands import COMMANDS
from scr_engine.protocols import DEFAULT, Protocol
from scr_engine.protocols import of as protocol_of
from scr_engine.records import Review
from scr_engine.serialization import unstructure
from scr_engine.states.table import row
from scr_engine.templates.fields import (
    CommandTemplate,
    FieldKind,
    TemplateField,
    cls_doc,
    record_fields,
)
from scr_engine.templates.rules import field_rules, with_rules


def _first(candidates: Sequence[str], done: Any) -> str | None:
    for value in candidates:
        if value not in done:
            return value
    return candidates[0] if candidates else None


def _prefill(command: str, review: Review) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """What the review knows of ``command``'s fields (JSON-ready, nested), and the
    values a field naming an agency, a person, an action or a recommendation of the
    review may take (by dotted path)."""
    from scr_engine.rules.report import imr_chronology

    agencies = review.agencies
    values: dict[str, Any] = {}
    allowed: dict[str, tuple[str, ...]] = {}
    pending: dict[str, tuple[Sequence[str], Any]] = {
        "record_records_secured": (agencies, review.records_secured),
        "record_imr_writer": (agencies, {w.agency for w in review.imr_writers}),
        "receive_imr": (review.imr_agencies, {i.agency for i in review.imrs}),
        "judge_imr": (
            tuple(i.agency for i in review.imrs),
            {i.agency for i in review.imrs if i.judgement is not None},
        ),
        "record_agency_signoff": (agencies, review.signoffs),
        "agree_lead_authority": (
            tuple(a.code for a in review.involved_agencies if a.local_authority),
            (),
        ),
    }
    if command in pending:
        candidates, done = pending[command]
        allowed["agency"] = tuple(candidates)
        first = _first(candidates, done)
        if first is not None:
            values["agency"] = first
    if command == "appoint_panel_member":
        allowed["appointment.agency"] = agencies
    if command == "record_chair_notified":
        values["received_on"] = review.received_on.isoformat()
    if command == "stand_down_panel_member":
        members = tuple(m.person_id for m in review.panel_members)
        allowed["person_id"] = members
        if members:
            values["person_id"] = members[0]
    if command in ("record_action_progress", "complete_action"):
        open_ids = tuple(a.id for a in review.actions if a.completed_on is None)
        allowed["action_id"] = open_ids
        if open_ids:
            values["action_id"] = open_ids[0]
    if command == "add_action" and review.overview_report is not None:
        ids = tuple(r.id for r in review.overview_report.conclusions.recommendations)
        allowed["recommendation_id"] = ids
        first = _first(ids, {a.recommendation_id for a in review.actions})
        if first is not None:
            values["recommendation_id"] = first
    if command in ("hold_initial_meeting", "revise_terms_of_reference"):
        allowed["terms.imr_agencies"] = agencies
        if command == "revise_terms_of_reference" and review.terms_of_reference is not None:
            values["terms"] = unstructure(review.terms_of_reference)
        else:
            values["terms"] = {"imr_agencies": list(agencies)}
    if command == "submit_overview_report":
        chronology = unstructure(imr_chronology(review))
        if chronology:
            values["report"] = {"facts": {"chronology": chronology}}
    return values, allowed


def _merge(base: Any, over: Any) -> Any:
    """``over`` laid on ``base``: tables merged key by key, anything else replaced."""
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    return over


def _fill(fields: Sequence[TemplateField], given: Mapping[str, Any]) -> dict[str, Any]:
    """The table of ``fields``: given values first, then defaults that TOML can hold,
    then a blank for a required field; an optional field with nothing is left out."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.name in given:
            value = given[f.name]
            if value is None:
                continue
            if f.kind is FieldKind.TABLE and isinstance(value, Mapping):
                value = _fill(f.fields, value)
            elif f.kind is FieldKind.TABLES and isinstance(value, list | tuple):
                value = [_fill(f.fields, v) if isinstance(v, Mapping) else v for v in value]
            elif f.kind is FieldKind.KEYED and isinstance(value, Mapping):
                value = {
                    k: _fill(f.fields, v) if isinstance(v, Mapping) else v for k, v in value.items()
                }
            out[f.name] = value
        elif f.kind is FieldKind.TABLE and f.required:
            out[f.name] = _fill(f.fields, {})
        elif f.kind is FieldKind.KEYED and f.required:
            out[f.name] = {key: _fill(f.fields, {}) if f.fields else "" for key in f.allowed}
        elif f.default is not None and f.kind not in (FieldKind.TABLE, FieldKind.TABLES):
            out[f.name] = f.default
        elif f.required:
            out[f.name] = [] if f.kind in (FieldKind.LIST, FieldKind.TABLES) else ""
    return out


def _allowed_from(
    fields: Sequence[TemplateField], allowed: Mapping[str, tuple[str, ...]]
) -> tuple[TemplateField, ...]:
    return tuple(
        evolve(
            f,
            allowed=allowed.get(f.path, f.allowed),
            fields=_allowed_from(f.fields, allowed),
        )
        for f in fields
    )


def template(
    command: str,
    review: Any = None,
    values: Mapping[str, Any] | None = None,
    definition: Protocol | None = None,
) -> CommandTemplate:
    """The template of ``command`` (a command code): its fields, filled in from
    ``review`` where the review knows them, then from ``values`` (JSON-ready, as
    :func:`~scr_engine.commands.to_dict` gives them, without ``command``).

    ``definition`` is the protocol whose command it is (the review's, else the SCR's).
    Another protocol's template has its command's fields and rules, filled in from
    ``values`` and the defaults only.

    ``KeyError`` naming the command when there is none by that code."""
    if definition is None:
        definition = protocol_of(review) if review is not None else DEFAULT
    if definition is not DEFAULT:
        return _other_template(definition, command, review, values)
    cls = COMMANDS.get(command)
    if cls is None:
        raise KeyError(f"no command {command!r}; known: {', '.join(sorted(COMMANDS))}")
    table_row = row(command)
    fields = _command_fields(command)
    given: dict[str, Any] = {}
    if review is not None:
        known, allowed = _prefill(command, review)
        fields = _allowed_from(fields, allowed)
        given = known
    if values is not None:
        given = _merge(given, {k: v for k, v in values.items() if k != "command"})
    return _made(cls, table_row, fields, given)


def _other_template(
    definition: Protocol, command: str, review: Any, values: Mapping[str, Any] | None
) -> CommandTemplate:
    """The template of a command of a protocol other than the SCR: its fields and the
    rules of its table row, filled in from what ``review`` knows (the definition's
    ``prefill``), then ``values``, then the defaults."""
    cls = definition.commands.get(command)
    if cls is None:
        known = ", ".join(sorted(definition.commands))
        raise KeyError(f"no {definition.name} command {command!r}; known: {known}")
    table_row = definition.row(command)
    asked = field_rules(command, definition)
    fields = with_rules(record_fields(cls), asked)
    given: dict[str, Any] = {}
    if review is not None and definition.prefill is not None:
        given = definition.prefill(command, review)
    given = _merge(given, {k: v for k, v in (values or {}).items() if k != "command"})
    shown = (*table_row.rules, *(rule for rules in asked.values() for rule in rules))
    titles = {r: definition.rules[r].title for r in shown if r in definition.rules}
    return _made(cls, table_row, fields, given, titles)


def _made(
    cls: type,
    table_row: Any,
    fields: Any,
    given: Any,
    titles: dict[str, str] | None = None,
) -> CommandTemplate:
    """The template of the row's command of class ``cls``: who, from where, to where,
    its rules, its fields and their values."""
    extra: dict[str, Any] = {} if titles is None else {"titles": titles}
    return CommandTemplate(
        command=table_row.command,
        summary=cls_doc(cls),
        roles=tuple(sorted(r.value for r in table_row.roles)),
        stages=tuple(str(s) for s in table_row.sources),
        leads_to=str(table_row.dest) if table_row.dest is not None else None,
        rules=table_row.rules,
        fields=fields,
        values=_fill(fields, given),
        **extra,
    )


def form_template(definition: Protocol, values: Mapping[str, Any] | None = None) -> CommandTemplate:
    """The template of a protocol's request form (``scr submit --template``), filled
    in from ``values``."""
    cls = definition.request_form
    table_row = definition.row("submit_request")
    fields = record_fields(cls)
    return CommandTemplate(
        command="submit_request",
        summary=cls_doc(cls),
        roles=tuple(sorted(r.value for r in table_row.roles)),
        stages=(),
        leads_to=str(table_row.dest) if table_row.dest is not None else None,
        rules=table_row.rules,
        fields=fields,
        values=_fill(fields, dict(values or {})),
        titles={r: definition.rules[r].title for r in table_row.rules if r in definition.rules},
    )


@cache
def _command_fields(command: str) -> tuple[TemplateField, ...]:
    """A command's fields with the rules that ask for them (made once)."""
    return with_rules(record_fields(COMMANDS[command]), field_rules(command))


def fields_summary(command: str, definition: Protocol | None = None) -> str:
    """A command's fields in one line: the required ones, then the optional ones
    (``agency; optional: occurred_on``); ``"none"`` for a command without fields.
    ``definition`` is the protocol whose command it is (the SCR's by default)."""
    commands = definition.commands if definition is not None else COMMANDS
    fields = record_fields(commands[command])
    required = ", ".join(f.name for f in fields if f.required)
    optional = ", ".join(f.name for f in fields if not f.required)
    if optional:
        optional = f"optional: {optional}"
    return "; ".join(part for part in (required, optional) if part) or "none"
