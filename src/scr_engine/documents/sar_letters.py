"""The letters of a Safeguarding Adults Review's information requests (issue 24, item
1; ``sar/map.md`` §2): for each request (``IR-<n>``) the letter that asks for the
information, and for a request still awaited after its due date a reminder, rendered
in Markdown and HTML the way the SAR's other documents are (:mod:`.sar`).

A letter is a document named ``<letter>-<request id>``: ``information-request-IR-1``,
``information-reminder-IR-1`` (:data:`LETTERS`, :func:`letter_names`). It names the
addressee and the Board, what is asked for, the SAB function it serves and the review,
the date sent and the date due (SAR-I-1). A letter of kind ``s45`` states its basis,
Care Act 2014 s.45, with the conditions the Board recorded, and that the addressee
must comply; a ``voluntary`` letter says nothing that calls it binding (SAR-I-2).
Every letter says that what is supplied will be used only for the SAB's functions
(SAR-I-6). Letters hold personal data: they carry the Board's ``marking``.

What is asked for and the recorded conditions are not kept on the request's record:
they are read from the ``request_information`` event of the review's history (the
request ``IR-<n>`` is the review's n-th such event), so every letter takes the
history (:meth:`ReviewEngine.history <scr_engine.ReviewEngine.history>`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.documents.register import as_identity
from scr_engine.documents.render import (
    Document,
    Format,
    _check_format,
    _identity,
    _rendered,
)
from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.history import Event
from scr_engine.protocols.sar.information_records import (
    SAB_FUNCTIONS,
    InformationRequest,
    RequestStatus,
)
from scr_engine.protocols.sar.records import SarReview

__all__ = [
    "LETTERS",
    "is_letter",
    "letter_context",
    "letter_names",
    "render_all_letters",
    "render_letter",
]

LETTERS: tuple[str, ...] = ("information-request", "information-reminder")
"""The letters an information request has, by the head of their document names: the
request itself, and the reminder of one still awaited after its due date (SAR-I-5). A
letter's document name is the head, a hyphen and the request's id
(``information-request-IR-1``)."""

_NAME = re.compile(rf"^({'|'.join(map(re.escape, LETTERS))})-(IR-[0-9]+)$")

_TITLES = {
    "information-request": "Request for information",
    "information-reminder": "Reminder: request for information",
}

_FUNCTIONS: dict[str, str] = {
    "deciding_on_a_sar": "deciding whether to arrange a Safeguarding Adults Review",
    "carrying_out_a_sar": "carrying out a Safeguarding Adults Review",
    "strategic_plan": "preparing its strategic plan",
    "annual_report": "preparing its annual report",
    "helping_and_protecting_adults": "helping and protecting adults in its area",
}
""":data:`~scr_engine.protocols.sar.information_records.SAB_FUNCTIONS` as a letter
words them."""


def is_letter(name: str) -> bool:
    """Whether ``name`` is a letter's document name (``information-request-IR-1``), of
    whichever request: :func:`render_letter` says if the review has it."""
    return _NAME.match(name) is not None


def letter_names(review: SarReview, as_of: date) -> tuple[str, ...]:
    """Every letter ``review`` has on ``as_of``: the request letter of each request in
    the order sent, each followed by its reminder when it is overdue (SAR-I-5)."""
    names: list[str] = []
    for request in review.information_requests:
        names.append(f"information-request-{request.id}")
        if request.overdue(as_of):
            names.append(f"information-reminder-{request.id}")
    return tuple(names)


def _refuse(name: str, message: str, rule: str = "SAR-I-1") -> InvalidRequest:
    return InvalidRequest(name, [Refusal(rule, message, RefusalKind.INPUT, "request")])


def _words(code: str) -> str:
    return code.replace("_", " ")


def _function(code: str) -> str:
    return _FUNCTIONS.get(code, _words(code))


def _asked(history: Sequence[Event] | None, request: InformationRequest) -> Mapping[str, Any]:
    """The payload of the ``request_information`` event that made ``request`` (the n-th
    of the history's for ``IR-<n>``, of the same kind); empty when the history does not
    hold it."""
    made = [e for e in history or () if e.command == "request_information"]
    number = int(request.id.removeprefix("IR-"))
    payload = made[number - 1].payload if 0 < number <= len(made) else {}
    return payload if payload.get("kind") == request.kind else {}


def _conditions(request: InformationRequest, asked: Mapping[str, Any]) -> list[dict[str, str]]:
    """The s.45 conditions the Board recorded (SAR-I-2), as the letter states them."""
    reason = str(asked.get("likely_reason") or "").strip()
    out = [
        {
            "label": "Condition 1",
            "text": "The request is made to enable or assist the Board to exercise its "
            f"functions: {_function(request.function)}.",
        },
        {
            "label": "Condition 2",
            "text": "The Board considers that you are likely to have information relevant "
            "to the exercise of that function, because of your functions or activities: "
            + (reason if reason.endswith((".", "!", "?")) else f"{reason}."),
        },
    ]
    if asked.get("relates_to_addressee"):
        out.append(
            {
                "label": "Condition 3",
                "text": "The information relates to you, to a function or activity of "
                "yours, or to a person in respect of whom you exercise a function or "
                "engage in an activity.",
            }
        )
    earlier = str(asked.get("earlier_request") or "")
    if earlier:
        out.append(
            {
                "label": "Condition 4",
                "text": "The information is the same as, or is derived from, information "
                f"supplied to you in compliance with the earlier section 45 request {earlier}.",
            }
        )
    return out


def _request_of(review: SarReview, name: str) -> tuple[str, InformationRequest]:
    matched = _NAME.match(name)
    if matched is None:
        heads = ", ".join(f"{head}-<request id>" for head in LETTERS)
        raise _refuse(name, f"no letter {name!r}: one of {heads} (for example {LETTERS[0]}-IR-1)")
    letter, request_id = matched.groups()
    found = review.information_request(request_id)
    if found is None:
        known = ", ".join(r.id for r in review.information_requests) or "none"
        message = f"{review.reference} has no information request {request_id!r}"
        raise _refuse(name, f"{message} (requests: {known})")
    return letter, found


def letter_context(
    name: str, review: SarReview, history: Sequence[Event] | None, as_of: date
) -> dict[str, Any]:
    """The mapping the template of letter ``name`` reads. :class:`InvalidRequest
    <scr_engine.errors.InvalidRequest>` when ``name`` is not a letter's name, when the
    review has no such request, or for the reminder of a request not overdue on
    ``as_of`` (SAR-I-5)."""
    letter, request = _request_of(review, name)
    if letter == "information-reminder" and not request.overdue(as_of):
        due = f"due {request.due_on.isoformat()}" if request.due_on else "no due date"
        raise _refuse(
            name,
            f"request {request.id} is not overdue on {as_of.isoformat()} "
            f"({request.status.value}, {due}): there is nothing to remind",
            "SAR-I-5",
        )
    asked = _asked(history, request)
    missing: list[str] = []
    information = str(asked.get("information") or "")
    if not information:
        missing.append(
            f"what information is asked for (SAR-I-1): the history of {request.id} is not given"
        )
    s45 = request.kind == "s45"
    if s45 and not asked:
        missing.append("the s.45 conditions the Board recorded (SAR-I-2)")
    supply_to = str(asked.get("supply_to") or "sab")
    recipient = "the Board" if supply_to == "sab" else f"{supply_to} (for the Board)"
    return {
        "title": _TITLES[letter],
        "letter": letter,
        "reference": review.reference,
        "stage": f"Information request {request.id}",
        "as_of": as_of.isoformat(),
        "id": request.id,
        "addressee": request.addressee,
        "s45": s45,
        "scoping": request.scoping,
        "information": information,
        "function": _function(request.function),
        "recipient": recipient,
        "sent_on": request.sent_on.isoformat(),
        "due_on": request.due_on.isoformat() if request.due_on else "",
        "days_overdue": (as_of - request.due_on).days if request.due_on else 0,
        "status": request.status.value,
        "settled": request.status is not RequestStatus.SENT,
        "conditions": _conditions(request, asked) if s45 else [],
        "functions": [_function(f) for f in SAB_FUNCTIONS],
        "missing": missing,
    }


def render_letter(
    name: str,
    review: SarReview,
    *,
    history: Sequence[Event] | None,
    fmt: Format = "md",
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> Document:
    """The letter ``name`` (``information-request-IR-1``, ``information-reminder-IR-1``;
    :func:`letter_names`) of the SAR ``review`` on ``as_of``, in Markdown or HTML, from
    the Board (``board``; a text is taken as its name) with its ``marking`` at the top
    and bottom. ``history`` is the review's events, which hold what each request asks
    for. :class:`InvalidRequest <scr_engine.errors.InvalidRequest>` (a ``ValueError``)
    when the review has no such letter."""
    _check_format(fmt)
    context = letter_context(name, review, history, as_of)
    identity = _identity(as_identity(board), name)
    identity["marking"] = as_identity(board).marking  # a letter holds personal data
    context["board"] = identity
    return _rendered(name, fmt, f"sar/{context['letter']}", context)


def render_all_letters(
    review: SarReview,
    *,
    history: Sequence[Event] | None,
    fmt: Format = "md",
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> list[Document]:
    """Every letter of :func:`letter_names` on ``as_of``, in that order."""
    return [
        render_letter(name, review, history=history, fmt=fmt, as_of=as_of, board=board)
        for name in letter_names(review, as_of)
    ]
