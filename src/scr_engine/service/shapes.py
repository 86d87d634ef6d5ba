"""The service's JSON: what it reads from a request (bodies, query parameters,
``If-Match``) and the shapes it answers with.

A review, an event and the public report are the library's own JSON form
(:func:`scr_engine.serialization.unstructure`): what a Python host holds, field for
field. Dates and times are ISO 8601 text; codes are the protocol's stable codes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from scr_engine.commands import command_from_dict, from_dict
from scr_engine.errors import InvalidRequest, UnknownProtocol
from scr_engine.errors.refusals import Refusal
from scr_engine.records import Actor, Review, Task
from scr_engine.serialization import structure, unstructure
from scr_engine.service.problems import Problem, refusal_json
from scr_engine.states.stages import Stage

if TYPE_CHECKING:
    from starlette.requests import Request

    from scr_engine.engine import CommandOption
    from scr_engine.history import Event
    from scr_engine.integrity import VerifyReport
    from scr_engine.protocols import Protocol
    from scr_engine.rules.deadlines import Deadline
    from scr_engine.storage.port import DeadlineRow

__all__ = [
    "Query",
    "command",
    "deadline",
    "deadline_row",
    "decode_cursor",
    "decode_task_cursor",
    "encode_cursor",
    "encode_task_cursor",
    "event",
    "if_match",
    "option",
    "plain",
    "refusal_json",
    "review",
    "submission",
    "summary",
    "task",
    "verify",
]

_SUBMISSION_KEYS = frozenset({"request", "received_on", "protocol"})
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _malformed(message: str) -> Problem:
    return Problem(400, "malformed", message)


# --------------------------------------------------------------------------- input


def submission(data: dict[str, Any], actor: Actor) -> tuple[Any, date | None, str]:
    """The request form, the day it was received and the protocol from a
    submission's body: ``{"request": {...the form...}, "received_on": "YYYY-MM-DD",
    "protocol": "sar"}`` (the day optional; the protocol the SCR's when not given).
    The form is read as the protocol's ``request_form`` (a SAR's referral). Who may
    not submit learns nothing about the form (RF-1): their body is not read."""
    from scr_engine.protocols import DEFAULT, get
    from scr_engine.rules.judge import acting_role

    protocol = data.get("protocol", DEFAULT.name)
    try:
        definition = get(protocol) if isinstance(protocol, str) else DEFAULT
    except UnknownProtocol:
        definition = DEFAULT  # the engine refuses it, naming the field protocol
    if acting_role(definition.row("submit_request"), actor) is None:
        return data, None, protocol  # the engine refuses the actor first
    problems = [
        Refusal.input(
            f"unknown field {key!r}: a submission has request, received_on and protocol", key
        )
        for key in sorted(set(data) - _SUBMISSION_KEYS)
    ]
    if "request" not in data:
        problems.append(Refusal.input("give the request form as request", "request"))
    received: date | None = None
    raw = data.get("received_on")
    if raw is not None:
        try:
            received = date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            received = None
        if received is None:
            problems.append(Refusal.input("received_on must be a date, YYYY-MM-DD", "received_on"))
    form: Any = None
    if "request" in data and not isinstance(data["request"], dict):
        problems.append(Refusal.input("the request form must be a JSON object", "request"))
    elif "request" in data:
        try:
            form = structure(
                data["request"], definition.request_form, what="submit_request", from_json=True
            )
        except InvalidRequest as exc:
            problems.extend(exc.refusals)
    if problems or form is None:
        raise InvalidRequest("submit_request", problems)
    return form, received, protocol


def command(data: dict[str, Any], definition: Protocol | None = None) -> Any:
    """A command of ``definition`` (the review's protocol; the SCR's by default) from
    its JSON (``{"command": name, ...fields}``, as its JSON Schema shapes it);
    :class:`InvalidRequest` naming every problem."""
    if data.get("command") == "submit_request":
        raise InvalidRequest(
            "submit_request",
            [Refusal.input("submit_request creates a review: POST /v1/reviews", "command")],
        )
    from scr_engine.protocols import DEFAULT

    if definition is None or definition is DEFAULT:
        return from_dict(data)
    label = f"{definition.name.upper()} command"
    return command_from_dict(data, definition.commands, label)


def if_match(value: str | None) -> int | None:
    """The version an ``If-Match`` header expects (``"7"``); None without one or for
    ``*``; 400 for anything else."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip()
    inner = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else ""
    if not inner.isdigit() or not inner.isascii() or len(inner) > 18:
        raise _malformed(f'If-Match takes the ETag of a review, such as "7", not {value!r}')
    return int(inner)


def _opaque(values: list[str]) -> str:
    """A cursor's values as one opaque, URL-safe text (JSON in base64, unpadded)."""
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _parts(value: str, count: int, message: str) -> list[str]:
    """The ``count`` texts an :func:`_opaque` cursor holds; 400 with ``message`` for
    anything else."""
    try:
        found = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _malformed(message) from None
    if not isinstance(found, list) or len(found) != count:
        raise _malformed(message)
    if not all(isinstance(v, str) for v in found):
        raise _malformed(message)
    return found


def encode_cursor(key: tuple[date, str, str]) -> str:
    """The ``next_after`` of an ``overdue`` page: a row's sort key, opaque."""
    return _opaque([key[0].isoformat(), key[1], key[2]])


def decode_cursor(value: str) -> tuple[date, str, str]:
    """A cursor :func:`encode_cursor` made; 400 for anything else."""
    message = "after must be the next_after of a page of overdue"
    day, review_id, key = _parts(value, 3, message)
    try:
        return date.fromisoformat(day), review_id, key
    except ValueError:
        raise _malformed(message) from None


def encode_task_cursor(key: tuple[datetime, str]) -> str:
    """The ``next_after`` of a page of ``/v1/tasks``: the last task's sort key, opaque."""
    return _opaque([key[0].isoformat(), key[1]])


def decode_task_cursor(value: str) -> tuple[datetime, str]:
    """A cursor :func:`encode_task_cursor` made; 400 for anything else (what it holds
    the engine checks as any cursor)."""
    message = "after must be the next_after of a page of tasks"
    at, task_id = _parts(value, 2, message)
    try:
        found = datetime.fromisoformat(at)
    except ValueError:
        raise _malformed(message) from None
    if found.utcoffset() is None:
        raise _malformed(message)
    return found, task_id


class Query:
    """A request's query parameters, each read as its type (400 when it is not)."""

    def __init__(self, request: Request) -> None:
        self.params = request.query_params

    def text(self, name: str) -> str | None:
        """A text parameter (None when absent)."""
        return self.params.get(name)

    def count(self, name: str, default: int) -> int:
        """A whole number (the engine judges its range)."""
        value = self.params.get(name)
        if value is None:
            return default
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise _malformed(f"{name} must be a whole number, not {value!r}")
        return int(value)

    def flag(self, name: str) -> bool:
        """``true`` or ``false`` (false when absent)."""
        value = self.params.get(name, "false")
        if value not in ("true", "false"):
            raise _malformed(f"{name} must be true or false, not {value!r}")
        return value == "true"

    def day(self, name: str) -> date | None:
        """A date, ``YYYY-MM-DD`` (None when absent)."""
        value = self.params.get(name)
        if value is None:
            return None
        try:
            if not _DAY.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            raise _malformed(f"{name} must be a date, YYYY-MM-DD, not {value!r}") from None

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> Any:
        """One of ``allowed`` (``default`` when absent)."""
        value = self.params.get(name, default)
        if value not in allowed:
            raise _malformed(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def stages(self) -> list[str] | None:
        """Every ``stage`` given (repeatable), each a stage code of a protocol; None
        when none is."""
        codes = self.params.getlist("stage")
        if not codes:
            return None
        from scr_engine.protocols import available

        known = [s.value for s in Stage]
        known += [c for p in available() for c in p.stage_codes if c not in known]
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise _malformed(f"unknown stage {unknown[0]!r} (stages: {', '.join(known)})")
        return list(codes)

    def cursor(self, name: str) -> tuple[date, str, str] | None:
        """An ``overdue`` cursor (None when absent)."""
        value = self.params.get(name)
        return decode_cursor(value) if value is not None else None

    def task_cursor(self, name: str) -> tuple[datetime, str] | None:
        """A ``/v1/tasks`` cursor (None when absent)."""
        value = self.params.get(name)
        return decode_task_cursor(value) if value is not None else None


# --------------------------------------------------------------------------- output


def plain(value: Any) -> Any:
    """A record as the library's JSON form has it (:func:`unstructure`); what is left
    that JSON lacks (a code of a string enum) is written as text by the service."""
    return unstructure(value)


def review(found: Review) -> dict[str, Any]:
    """A review, whole, as the library's JSON form has it."""
    shaped: dict[str, Any] = unstructure(found)
    return shaped


def summary(found: Review) -> dict[str, Any]:
    """A review in a list: ids, stage, version, day received, agencies."""
    return {
        "id": found.id,
        "reference": found.reference,
        "stage": str(found.stage),
        "version": found.version,
        "received_on": found.received_on.isoformat(),
        "agencies": list(found.agencies),
        "restricted": found.restricted,
    }


def event(found: Event) -> dict[str, Any]:
    """One event of a history, whole (its payload as stored, its hash)."""
    shaped: dict[str, Any] = plain(found)
    return shaped


def option(found: CommandOption) -> dict[str, Any]:
    """``{"command", "takes_input", "allowed", "refusals"}``."""
    return {
        "command": found.command,
        "takes_input": found.takes_input,
        "allowed": found.allowed,
        "refusals": [refusal_json(r) for r in found.refusals],
    }


def deadline(found: Deadline) -> dict[str, Any]:
    """One deadline of a review with its status."""
    shaped: dict[str, Any] = plain(found)
    return shaped


def deadline_row(row: DeadlineRow, as_of: date) -> dict[str, Any]:
    """One row of ``overdue``: a deadline of one review, as of ``as_of``."""
    return {
        "review_id": row.review_id,
        "reference": row.reference,
        "key": row.key,
        "rule": row.rule,
        "title": row.title,
        "due_on": row.due_on.isoformat(),
        "status": row.status.value,
        "days_late": (as_of - row.due_on).days if row.due_on < as_of else 0,
    }


def task(found: Task) -> dict[str, Any]:
    """One task (an RF-5 letter to deliver)."""
    return {
        "id": found.id,
        "review_id": found.review_id,
        "kind": found.kind.value,
        "agency": found.agency,
        "created_at": found.created_at.isoformat(),
        "rule": found.rule,
        "detail": found.detail,
    }


def verify(report: VerifyReport) -> dict[str, Any]:
    """What ``verify`` found."""
    return {
        "ok": report.ok,
        "reviews": report.reviews,
        "events": report.events,
        "faults": [
            {
                "review_id": f.review_id,
                "sequence": f.sequence,
                "kind": f.kind.value,
                "message": f.message,
            }
            for f in report.faults
        ],
        "checkpoint": (
            {"created_at": report.checkpoint.created_at.isoformat(), "root": report.checkpoint.root}
            if report.checkpoint is not None
            else None
        ),
        "uncovered": [{"review_id": r, "events": n} for r, n in report.uncovered],
        "notes": list(report.notes),
    }
