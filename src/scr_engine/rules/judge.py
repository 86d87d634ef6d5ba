"""Judging a command: role, stage and guards together, every reason at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from attrs import NOTHING, evolve, fields

from scr_engine.commands import COMMANDS, Command, SubmitOverviewReport, to_dict
from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import Actor, Review, Role
from scr_engine.rules.common import Check
from scr_engine.rules.dates import date_problems, is_dated
from scr_engine.rules.guards import CHECKS, PRECONDITIONS, Context
from scr_engine.rules.preconditions import Precondition
from scr_engine.rules.report import with_imr_chronology
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings
from scr_engine.rules.setup import represented_agency
from scr_engine.sections import missing_sections
from scr_engine.serialization import (
    field_problems,
    size_problems,
    structure,
    text_for_lists,
    text_problems,
)
from scr_engine.states.machine import SCR_MOVES
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.table import Row, row

__all__ = [
    "SCR_RULES",
    "Judgement",
    "Rulebook",
    "acting_role",
    "agency_standing",
    "check_shape",
    "judge",
    "obstacles",
    "permission",
    "standing",
    "takes_input",
    "too_long",
    "wrong_stage",
]


class Rulebook(Protocol):
    """What :func:`judge` and :func:`obstacles` judge by: a protocol's commands, table,
    moves, guards, preconditions and permission. Every
    :class:`~scr_engine.protocols.Protocol` is one; :data:`SCR_RULES` is the SCR's."""

    @property
    def commands(self) -> Mapping[str, type[Command]]:
        """Each command's class, by name."""

    @property
    def guards(self) -> Mapping[str, Check[Any]]:
        """Each command's guard, by name."""

    @property
    def preconditions(self) -> Mapping[str, Precondition]:
        """What refuses a command whatever its input, by name (some commands only)."""

    def row(self, command: str) -> Row:
        """The table row of ``command``."""

    def valid_in(self, stage: str, command: str) -> bool:
        """Whether the table allows ``command`` from ``stage``."""

    def permission(
        self, review: Review, table_row: Row, actor: Actor, command: Any, /
    ) -> tuple[Role | None, list[Refusal]]:
        """The role ``actor`` acts in for the row's command, and every reason who they
        are does not allow it."""


def acting_role(table_row: Row, actor: Actor) -> Role | None:
    """The role in which ``actor`` may issue the row's command (the first of the
    actor's roles that the table allows, the SCR's in their order, then any other
    protocol's in the order of :class:`Role`: a SAR's ``referrer``), or None."""
    for role in (*SCR_ROLES, *(r for r in Role if r not in SCR_ROLES)):
        if role in actor.roles and role in table_row.roles:
            return role
    return None


def check_shape(command: Any) -> tuple[Command | None, dict[str, Any] | None, list[Refusal]]:
    """The command normalised (rebuilt from its JSON form) and that JSON form, or the
    problems that make it malformed.

    A command whose fields have the wrong types is caught here, before any guard
    reads it, and named field by field; what passes is exactly what a replay of the
    history will rebuild.
    """
    if not isinstance(command, Command):
        return (
            None,
            None,
            [Refusal.input(f"not a command: {type(command).__name__}")],
        )
    if isinstance(command, SubmitOverviewReport):
        missing = missing_sections(command.report)
        if missing:  # named by section (RP-2), not as values of the wrong type
            return None, None, missing
    problems = text_for_lists(command)
    if problems:  # one text for a list: as JSON, its characters one item each
        return None, None, problems
    try:
        payload = to_dict(command)
    except Exception:  # a field holds a value of the wrong type
        problems = field_problems(command) or [Refusal.input(f"malformed {command.name}")]
        return None, None, problems
    try:
        rebuilt = structure(
            {k: v for k, v in payload.items() if k != "command"}, type(command), what=command.name
        )
    except InvalidRequest as exc:
        return None, None, list(exc.refusals)
    problems = text_problems(payload)
    if problems:
        return None, None, problems
    return rebuilt, payload, []


class Judgement:
    """What :func:`judge` found: the role acted in, the normalised command and its
    JSON payload, and every refusal."""

    __slots__ = ("command", "payload", "refusals", "role")

    def __init__(
        self,
        role: Role | None,
        command: Command | None,
        payload: dict[str, Any] | None,
        refusals: list[Refusal],
    ) -> None:
        self.role = role
        self.command = command
        self.payload = payload
        self.refusals = refusals


def standing(review: Review, table_row: Row, actor: Actor) -> tuple[Role | None, list[Refusal]]:
    """The role ``actor`` would act in for the row's command on ``review``, and every
    reason they may not issue it at all, whatever its input: no role the table allows,
    or acting as panel chair without being the review's appointed panel chair — and
    before the review has a panel chair, nobody acts as one (SU-1): until then the
    commands the table gives to chairs are the board chair's only."""
    role = acting_role(table_row, actor)
    if role is None:
        allowed = ", ".join(sorted(r.value for r in table_row.roles))
        held = ", ".join(sorted(r.value for r in actor.roles)) or "no role"
        message = f"{actor.id} ({held}) may not issue {table_row.command}; only: {allowed}"
        return None, [Refusal(table_row.role_rule, message, RefusalKind.PERMISSION)]
    if role is not Role.PANEL_CHAIR:
        return role, []
    chair = review.panel_chair
    if chair is None:
        if Role.BOARD_CHAIR in table_row.roles:
            until = f"until one is, {table_row.command} is the board chair's only"
        else:
            until = f"{actor.id} cannot act as this review's panel chair"
        message = f"no panel chair is appointed yet: {until}"
        return role, [Refusal("SU-1", message, RefusalKind.PERMISSION)]
    if chair.person_id != actor.id:
        message = f"{actor.id} is not this review's panel chair ({chair.person_id} is)"
        return role, [Refusal("SU-1", message, RefusalKind.PERMISSION)]
    return role, []


def agency_standing(review: Review, actor: Actor, agency: Any = None) -> list[Refusal]:
    """Why ``actor`` may not confirm, for ``agency``, that its information is fully and
    fairly represented (RP-4): only a panel member of the review sitting for their own
    agency may, and only for that agency. ``agency`` None (or not text) asks only
    whether the actor sits on the panel for an agency at all."""
    member = actor.agency is not None and any(
        m.person_id == actor.id and represented_agency(m) == actor.agency
        for m in review.panel_members
    )
    if not member:
        message = (
            f"{actor.id} does not sit on this review's panel for an involved agency: only "
            "an agency's own panel member may confirm its information is fairly represented"
        )
        return [Refusal("RP-4", message, RefusalKind.PERMISSION)]
    if agency is not None and not (isinstance(agency, str) and agency == actor.agency):
        whose = f"{agency}'s" if isinstance(agency, str) else "an agency's"
        message = (
            f"only {whose} own panel member may confirm its information is fairly "
            f"represented ({actor.id} sits for {actor.agency})"
        )
        return [Refusal("RP-4", message, RefusalKind.PERMISSION)]
    return []


def permission(
    review: Review, table_row: Row, actor: Actor, command: Any = None
) -> tuple[Role | None, list[Refusal]]:
    """The role ``actor`` would act in for the row's command, and every reason who they
    are does not allow it: role and panel-chair appointment (:func:`standing`); for
    ``record_agency_signoff``, their agency (:func:`agency_standing`, for the
    ``command``'s agency when it is given); for ``submit_overview_report``, and
    ``record_writer_meeting`` as overview writer, being the appointed overview writer
    (SU-9). Judged before the input is looked at, so
    that a caller who may not issue a command learns nothing about its input."""
    role, refusals = standing(review, table_row, actor)
    if refusals:
        return role, refusals
    if table_row.command == "record_agency_signoff":
        refusals = agency_standing(review, actor, getattr(command, "agency", None))
    elif table_row.command == "submit_overview_report" or (
        table_row.command == "record_writer_meeting"
        and role is Role.OVERVIEW_WRITER
        and review.overview_writer is not None
    ):
        writer = review.overview_writer
        if writer is None or writer.person_id != actor.id:
            message = f"{actor.id} is not this review's overview writer"
            refusals = [Refusal("SU-9", message, RefusalKind.PERMISSION)]
    return role, refusals


def _foreign(command: Any, name: Any, review: Review, book: Rulebook) -> Refusal:
    """The refusal of what is not one of the review's protocol's commands: a command
    of another protocol (a SAR's ``record_chair_notified`` given for an SCR) names the
    class to use instead."""
    given = type(command)
    if not isinstance(command, Command):
        return Refusal.input(f"not a command: {given.__name__}")
    protocol = getattr(review, "protocol", "") or "scr"
    message = (
        f"{given.__module__}.{given.__name__} is not a command of the {protocol} "
        f"protocol, which review {review.reference} runs under"
    )
    if isinstance(name, str) and name in book.commands:
        wanted = book.commands[name]
        message += f": its {name} is {wanted.__module__}.{wanted.__name__}"
    return Refusal.input(message)


def judge(
    review: Review,
    command: Command,
    actor: Actor,
    today: date,
    settings: ProtocolSettings,
    rules: Rulebook | None = None,
) -> Judgement:
    """Every reason ``actor`` may not issue ``command`` on ``review`` on ``today``.

    A command with ``occurred_on`` is judged on the day it happened (the guards see
    that day as theirs), and that day is checked (:func:`~scr_engine.rules.dates.date_problems`)
    and filled into the normalised command and its payload.

    Permission comes first: when the actor's role, agency or appointment does not allow
    the command, the refusals are those alone (no input, stage or guard reasons).

    ``rules`` is the protocol judged by (the SCR's, :data:`SCR_RULES`, by default): a
    command it does not have is refused as not a command."""
    book = SCR_RULES if rules is None else rules
    name = getattr(command, "name", None) if isinstance(command, Command) else None
    if not isinstance(name, str) or not isinstance(command, book.commands.get(name, ())):
        return Judgement(None, None, None, [_foreign(command, name, review, book)])
    table_row = book.row(name)
    role, denied = book.permission(review, table_row, actor, command)
    if denied:
        return Judgement(role, None, None, denied)
    checked, payload, refusals = check_shape(command)
    if checked is None:
        return Judgement(role, None, None, refusals)
    assert payload is not None
    refusals = too_long(payload, settings)
    if refusals:
        return Judgement(role, None, None, refusals)
    command = checked
    day = today
    if is_dated(type(command)):
        # The day it happened: judged, then kept in the payload beside the recorded time.
        given = getattr(command, "occurred_on", None)
        day = given if isinstance(given, date) else today
        refusals.extend(date_problems(review, command, today))
        command = evolve(command, occurred_on=day)  # type: ignore[misc]
        payload = {**payload, "occurred_on": day.isoformat()}
    if isinstance(command, SubmitOverviewReport) and not command.report.facts.chronology:
        # The integrated chronology starts from the IMRs' (RP-2 then judges it).
        command = with_imr_chronology(review, command)
        payload = to_dict(command)
    if not book.valid_in(review.stage, name):
        refusals.append(wrong_stage(name, review, book))
    else:
        refusals.extend(book.guards[name](review, command, Context(actor, role, day, settings)))
    return Judgement(role, command, payload, refusals)


def wrong_stage(name: str, review: Review, rules: Rulebook | None = None) -> Refusal:
    """The refusal of a command the review's stage does not allow, saying when it can
    be issued (the stages ``rules``' table allows it from; the SCR's by default)."""
    book = SCR_RULES if rules is None else rules
    sources = [str(stage) for stage in book.row(name).sources]
    when = (
        f"it is issued while the review is {' or '.join(sources)}"
        if sources
        else "it is never issued on a review"
    )
    return Refusal(
        "MAP",
        f"{name} cannot be issued while the review is {review.stage}: {when}",
        RefusalKind.STAGE,
    )


def too_long(payload: Any, settings: ProtocolSettings) -> list[Refusal]:
    """Every text field of a command's JSON ``payload`` longer than the settings allow,
    and the whole command if it is (``max_text_length``, ``max_command_length``; the
    SCR's defaults for a protocol whose settings do not set them)."""
    limits = settings if hasattr(settings, "max_text_length") else DEFAULT_SETTINGS
    return size_problems(payload, limits.max_text_length, limits.max_command_length)


def takes_input(cls: type[Command]) -> bool:
    """Whether the command has a field that must be given (no default)."""
    return any(a.default is NOTHING for a in fields(cls))  # type: ignore[arg-type]


def obstacles(
    review: Review,
    table_row: Row,
    actor: Actor,
    today: date,
    settings: ProtocolSettings,
    rules: Rulebook | None = None,
) -> list[Refusal]:
    """Every reason ``actor`` could not issue the row's command on ``review`` now,
    whatever its input: who they are (:func:`permission`); for a command that takes
    input, what its guard refuses whatever the input (CR-1 for ``decline`` …); for a
    command that takes none, every reason :func:`judge` gives for it. For a command
    that takes input the list is a guarantee one way only: what it holds refuses every
    input (:data:`~scr_engine.rules.preconditions.PRECONDITIONS`), but an empty list
    does not promise that some input will be accepted. ``rules`` as for :func:`judge`."""
    book = SCR_RULES if rules is None else rules
    role, refusals = book.permission(review, table_row, actor, None)
    if refusals:
        return refusals
    if not book.valid_in(review.stage, table_row.command):
        return [wrong_stage(table_row.command, review, book)]
    cls = book.commands[table_row.command]
    if not takes_input(cls):
        return judge(review, cls(), actor, today, settings, book).refusals
    precondition = book.preconditions.get(table_row.command)
    if precondition is None:
        return []
    return precondition(review, Context(actor, role, today, settings))


class _ScrRules:
    """The SCR's rulebook: the tables of :mod:`scr_engine.commands`,
    :mod:`scr_engine.states` and :mod:`scr_engine.rules.guards`."""

    __slots__ = ()

    @property
    def commands(self) -> Mapping[str, type[Command]]:
        return COMMANDS

    @property
    def guards(self) -> Mapping[str, Check[Any]]:
        return CHECKS

    @property
    def preconditions(self) -> Mapping[str, Precondition]:
        return PRECONDITIONS

    def row(self, command: str) -> Row:
        return row(command)

    def valid_in(self, stage: str, command: str) -> bool:
        return SCR_MOVES.valid_in(stage, command)

    def permission(
        self, review: Review, table_row: Row, actor: Actor, command: Any, /
    ) -> tuple[Role | None, list[Refusal]]:
        return permission(review, table_row, actor, command)


SCR_RULES: Rulebook = _ScrRules()
"""The SCR's rulebook: what :func:`judge` judges by when given none."""
