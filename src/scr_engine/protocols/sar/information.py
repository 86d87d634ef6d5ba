"""The information request machine (``sar/map.md`` §2) as commands on the SAR review:
each request (``request_information``, :mod:`.commands`) keeps its own state
(:class:`~.information_records.InformationRequest`), and these commands move it on.

| Command | From | To | Who | Rules |
|---|---|---|---|---|
| ``record_information_response`` | sent | answered / refused | business_manager | I-5, I-6 |
| ``escalate_information_request`` | sent, refused | — | board_chair | I-5 |
| ``withdraw_information_request`` | sent | withdrawn | ``s45_roles`` | I-5 |
| ``record_disclosure`` | answered | — | business_manager, lead_reviewer | I-6 |
| ``report_overdue_information_request`` | sent | — | business_manager | I-5 |

The request's states are the request's, not the review's: every row keeps the review
in its stage, any open stage (SAR-I-4). :data:`ROWS`, :data:`GUARDS`, :data:`EFFECTS`
and :data:`COMMANDS` are added to the SAR definition beside ``map.md`` §1's table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar

from attrs import evolve, field, frozen

from scr_engine.commands import Command
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.marks import TEXT
from scr_engine.protocols.sar.commands import SarCommand
from scr_engine.protocols.sar.effects import SarTask
from scr_engine.protocols.sar.information_records import (
    SAB_FUNCTIONS,
    Disclosure,
    Escalation,
    InformationRequest,
    RequestStatus,
    ResponseKind,
)
from scr_engine.protocols.sar.records import SarReview
from scr_engine.protocols.sar.stages import OPEN
from scr_engine.states.roles import Role
from scr_engine.states.table import Row

__all__ = [
    "COMMANDS",
    "EFFECTS",
    "GUARDS",
    "ROWS",
    "EscalateInformationRequest",
    "RecordDisclosure",
    "RecordInformationResponse",
    "ReportOverdueInformationRequest",
    "WithdrawInformationRequest",
]


@frozen
class RecordInformationResponse(SarCommand):
    """The addressee's response (SAR-I-5): ``supplied`` or ``partial`` with the items
    supplied (each tagged with the request, SAR-I-6), or ``refused`` with its grounds."""

    name: ClassVar[str] = "record_information_response"
    request: str
    response: ResponseKind
    items: tuple[str, ...] = ()
    grounds: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class EscalateInformationRequest(SarCommand):
    """What the board_chair did about a late or refused request (SAR-I-5): recorded,
    not automated."""

    name: ClassVar[str] = "escalate_information_request"
    request: str
    action: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class WithdrawInformationRequest(SarCommand):
    """The SAB withdraws a request still awaited, with reasons."""

    name: ClassVar[str] = "withdraw_information_request"
    request: str
    reasons: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class RecordDisclosure(SarCommand):
    """A use or disclosure of items supplied under a request, to ``to``, for
    ``purpose``: one of the SAB's functions (SAR-I-6), else refused."""

    name: ClassVar[str] = "record_disclosure"
    request: str
    purpose: str
    to: str
    items: tuple[str, ...]
    occurred_on: date | None = None


@frozen
class ReportOverdueInformationRequest(SarCommand):
    """Tell the board_chair that an s.45 request is overdue (SAR-I-5): recorded once
    per request, with a task for the chair; :func:`scr_engine.information_requests.\
report_overdue` issues it for every overdue request of a store."""

    name: ClassVar[str] = "report_overdue_information_request"
    request: str
    occurred_on: date | None = None


_BM = frozenset({Role.BUSINESS_MANAGER})

ROWS: tuple[Row, ...] = (
    Row("record_information_response", OPEN, None, _BM, ("SAR-I-5", "SAR-I-6"), "MAP"),
    Row(
        "escalate_information_request",
        OPEN,
        None,
        frozenset({Role.BOARD_CHAIR}),
        ("SAR-I-5",),
        "MAP",
    ),
    Row(
        "withdraw_information_request",
        OPEN,
        None,
        frozenset({Role.BOARD_CHAIR, Role.BUSINESS_MANAGER}),
        ("SAR-I-3", "SAR-I-5"),
        "SAR-I-3",
    ),
    Row(
        "record_disclosure",
        OPEN,
        None,
        frozenset({Role.BUSINESS_MANAGER, Role.LEAD_REVIEWER}),
        ("SAR-I-6",),
        "MAP",
    ),
    Row("report_overdue_information_request", OPEN, None, _BM, ("SAR-I-5",), "SAR-I-5"),
)
"""``map.md`` §2's rows, on the review (any open stage, SAR-I-4)."""


def _input(out: list[Refusal], rule: str, message: str, field_: str) -> None:
    out.append(Refusal(rule, message, RefusalKind.INPUT, field_))


def _blank(value: Any) -> bool:
    return not (isinstance(value, str) and value.strip())


def _not_before(
    out: list[Refusal], cmd: Any, ctx: Any, rule: str, floor: date | None, what: str
) -> None:
    """A happening recorded after the fact cannot precede what it follows: a response,
    escalation, withdrawal or report the request's sending (SAR-I-5), a disclosure
    the response that supplied it (SAR-I-6)."""
    day = _day(cmd, ctx)
    if floor is not None and day < floor:
        message = f"{cmd.name} cannot have happened on {day.isoformat()}, before {what} ({floor})"
        out.append(Refusal(rule, message, RefusalKind.INPUT, "occurred_on"))


def _request(
    out: list[Refusal], review: SarReview, request_id: str, rule: str, *allowed: RequestStatus
) -> InformationRequest | None:
    """The request, when it exists and is in one of ``allowed``; else why not."""
    found = review.information_request(request_id)
    if found is None:
        known = ", ".join(r.id for r in review.information_requests) or "none"
        _input(out, rule, f"no information request {request_id!r} (requests: {known})", "request")
        return None
    if found.status not in allowed:
        states = " or ".join(s.value for s in allowed)
        message = f"request {request_id} is {found.status.value}, not {states}"
        out.append(Refusal(rule, message, RefusalKind.GUARD, "request"))
        return None
    return found


def check_response(review: SarReview, cmd: RecordInformationResponse, ctx: Any) -> list[Refusal]:
    """SAR-I-5: a response to a request still awaited; refused with stated grounds (a
    refused s.45 request is reported to the board_chair: a task).
    SAR-I-6: what was supplied is named item by item, so that each is tagged."""
    out: list[Refusal] = []
    found = _request(out, review, cmd.request, "SAR-I-5", RequestStatus.SENT)
    if found is not None:
        _not_before(out, cmd, ctx, "SAR-I-5", found.sent_on, f"{found.id} was sent")
    if cmd.response is ResponseKind.REFUSED:
        if _blank(cmd.grounds):
            _input(out, "SAR-I-5", "a refusal records its stated grounds", "grounds")
        if cmd.items:
            _input(out, "SAR-I-5", "a refusal supplies no items", "items")
    elif not cmd.items or any(_blank(i) for i in cmd.items):
        _input(out, "SAR-I-6", "name each item supplied, so that it is tagged", "items")
    return out


def check_escalation(review: SarReview, cmd: EscalateInformationRequest, ctx: Any) -> list[Refusal]:
    """SAR-I-5: a request still awaited or refused; what was done is recorded."""
    out: list[Refusal] = []
    found = _request(out, review, cmd.request, "SAR-I-5", RequestStatus.SENT, RequestStatus.REFUSED)
    if found is not None:
        _not_before(out, cmd, ctx, "SAR-I-5", found.sent_on, f"{found.id} was sent")
    if _blank(cmd.action):
        _input(out, "SAR-I-5", "what was done (escalation, legal advice …)", "action")
    return out


def check_withdrawal(review: SarReview, cmd: WithdrawInformationRequest, ctx: Any) -> list[Refusal]:
    """A request still awaited, withdrawn with reasons by the Board's ``s45_roles``
    (SAR-I-3)."""
    out: list[Refusal] = []
    found = _request(out, review, cmd.request, "SAR-I-5", RequestStatus.SENT)
    if found is not None:
        _not_before(out, cmd, ctx, "SAR-I-5", found.sent_on, f"{found.id} was sent")
    if _blank(cmd.reasons):
        _input(out, "SAR-I-5", "the reasons for withdrawing the request", "reasons")
    roles = getattr(ctx.settings, "s45_roles", ())
    if ctx.role not in roles:
        message = "only the Board's s45_roles may withdraw an information request"
        out.append(Refusal("SAR-I-3", message, RefusalKind.PERMISSION, "role"))
    return out


def check_disclosure(review: SarReview, cmd: RecordDisclosure, ctx: Any) -> list[Refusal]:
    """SAR-I-6: information supplied under a request is used or disclosed only for an
    SAB function (its purpose is recorded), and only the items it supplied."""
    out: list[Refusal] = []
    found = _request(out, review, cmd.request, "SAR-I-6", RequestStatus.ANSWERED)
    if found is not None:
        _not_before(out, cmd, ctx, "SAR-I-6", found.responded_on, f"{found.id} was answered")
    if cmd.purpose not in SAB_FUNCTIONS:
        message = (
            f"{cmd.purpose!r} is not a function of the SAB: information supplied under a "
            f"request may be used only for {', '.join(SAB_FUNCTIONS)}"
        )
        out.append(Refusal("SAR-I-6", message, RefusalKind.GUARD, "purpose"))
    if _blank(cmd.to):
        _input(out, "SAR-I-6", "to whom it is disclosed (or 'sab' for the Board's own use)", "to")
    if not cmd.items:
        _input(out, "SAR-I-6", "name the items used or disclosed", "items")
    elif found is not None:
        foreign = [i for i in cmd.items if i not in found.supplied]
        if foreign:
            message = f"not supplied under {found.id}: {', '.join(foreign)}"
            _input(out, "SAR-I-6", message, "items")
    return out


def check_overdue_report(
    review: SarReview, cmd: ReportOverdueInformationRequest, ctx: Any
) -> list[Refusal]:
    """SAR-I-5: an overdue s.45 request is reported to the board_chair, once: the
    request is ``s45``, still awaited, past its due date on the day reported, and not
    reported before."""
    out: list[Refusal] = []
    found = _request(out, review, cmd.request, "SAR-I-5", RequestStatus.SENT)
    if found is None:
        return out
    _not_before(out, cmd, ctx, "SAR-I-5", found.sent_on, f"{found.id} was sent")
    day = _day(cmd, ctx)
    if found.kind != "s45":
        message = f"request {found.id} is {found.kind}: only an s.45 request is reported"
        out.append(Refusal("SAR-I-5", message, RefusalKind.GUARD, "request"))
    if not found.overdue(day):
        due = found.due_on.isoformat() if found.due_on is not None else "no due date"
        message = f"request {found.id} is not overdue on {day.isoformat()} (due: {due})"
        out.append(Refusal("SAR-I-5", message, RefusalKind.GUARD, "request"))
    if found.reported_overdue_on is not None:
        message = (
            f"request {found.id} was reported overdue on {found.reported_overdue_on.isoformat()}"
        )
        out.append(Refusal("SAR-I-5", message, RefusalKind.GUARD, "request"))
    return out


GUARDS: Mapping[str, Callable[[SarReview, Any, Any], list[Refusal]]] = MappingProxyType(
    {
        "record_information_response": check_response,
        "escalate_information_request": check_escalation,
        "withdraw_information_request": check_withdrawal,
        "record_disclosure": check_disclosure,
        "report_overdue_information_request": check_overdue_report,
    }
)


def _day(cmd: Any, ctx: Any) -> date:
    day = getattr(cmd, "occurred_on", None)
    return day if isinstance(day, date) else ctx.today


def _changed(review: SarReview, request_id: str, **changes: Any) -> tuple[InformationRequest, ...]:
    return tuple(
        evolve(r, **changes) if r.id == request_id else r for r in review.information_requests
    )


def _settled(review: SarReview, day: date) -> dict[str, Any]:
    """One request fewer outstanding; information complete when none is (SAR-R-4)."""
    left = max(review.information_outstanding - 1, 0)
    done = {"information_complete_on": day} if left == 0 else {}
    return {"information_outstanding": left, **done}


def _response(review: SarReview, cmd: RecordInformationResponse, ctx: Any) -> Any:
    day = _day(cmd, ctx)
    refused = cmd.response is ResponseKind.REFUSED
    requests = _changed(
        review,
        cmd.request,
        status=RequestStatus.REFUSED if refused else RequestStatus.ANSWERED,
        response=cmd.response,
        responded_on=day,
        grounds=cmd.grounds,
        supplied=tuple(cmd.items),
    )
    found = review.information_request(cmd.request)
    told: tuple[SarTask, ...] = ()
    if refused and found is not None and found.kind == "s45":
        # SAR-I-5: a refused s.45 request is reported to the board_chair.
        what = f"s.45 request {found.id} refused: escalation is the chair's"
        told = (SarTask("SAR-I-5", "board_chair", what),)
    return {"information_requests": requests, **_settled(review, day)}, told


def _escalation(review: SarReview, cmd: EscalateInformationRequest, ctx: Any) -> Any:
    found = review.information_request(cmd.request)
    assert found is not None
    entry = Escalation(_day(cmd, ctx), ctx.actor.id, cmd.action)
    requests = _changed(review, cmd.request, escalations=(*found.escalations, entry))
    return {"information_requests": requests}, ()


def _withdrawal(review: SarReview, cmd: WithdrawInformationRequest, ctx: Any) -> Any:
    day = _day(cmd, ctx)
    requests = _changed(
        review,
        cmd.request,
        status=RequestStatus.WITHDRAWN,
        withdrawn_on=day,
        withdrawn_reasons=cmd.reasons,
    )
    return {"information_requests": requests, **_settled(review, day)}, ()


def _disclosure(review: SarReview, cmd: RecordDisclosure, ctx: Any) -> Any:
    found = review.information_request(cmd.request)
    assert found is not None
    entry = Disclosure(_day(cmd, ctx), ctx.actor.id, cmd.purpose, cmd.to, tuple(cmd.items))
    requests = _changed(review, cmd.request, disclosures=(*found.disclosures, entry))
    return {"information_requests": requests}, ()


def _overdue_report(review: SarReview, cmd: ReportOverdueInformationRequest, ctx: Any) -> Any:
    found = review.information_request(cmd.request)
    assert found is not None and found.due_on is not None
    day = _day(cmd, ctx)
    requests = _changed(review, cmd.request, reported_overdue_on=day)
    since = found.due_on.isoformat()
    what = f"s.45 request {found.id} overdue since {since}: escalation is the chair's"
    return {"information_requests": requests}, (SarTask("SAR-I-5", "board_chair", what),)


EFFECTS: Mapping[str, Callable[[SarReview, Any, Any], Any]] = MappingProxyType(
    {
        "record_information_response": _response,
        "escalate_information_request": _escalation,
        "withdraw_information_request": _withdrawal,
        "record_disclosure": _disclosure,
        "report_overdue_information_request": _overdue_report,
    }
)

COMMANDS: Mapping[str, type[Command]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (
            RecordInformationResponse,
            EscalateInformationRequest,
            WithdrawInformationRequest,
            RecordDisclosure,
            ReportOverdueInformationRequest,
        )
    }
)
