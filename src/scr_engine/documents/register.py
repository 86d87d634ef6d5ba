"""The register export: one CSV row per review, in the terms of the NHS Safeguarding
Case Review Tracker (DCB3124), for a Board to load into the tracker it reports to.

Only fields a review holds are exported; each is described, with the tracker's name
for it, in ``docs/documents.md`` and in :data:`REGISTER_FIELDS`. Recommendations and
actions come through :func:`scr_engine.publication.public_export` (so no personal
value reaches the register), and only once the Board has ratified the report.

The CSV is RFC 4180 (comma-separated, double quotes, CRLF line ends), UTF-8, one
header row. A value that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date

from attrs import frozen

from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.errors import TransitionRefused
from scr_engine.publication import public_export
from scr_engine.records import ActionStatus, Review
from scr_engine.rules.deadlines import DeadlineStatus, deadlines
from scr_engine.rules.settings import ProtocolSettings
from scr_engine.states.stages import Stage
from scr_engine.words import in_words

__all__ = [
    "BOARD",
    "REGISTER_FIELDS",
    "RegisterField",
    "as_identity",
    "register_csv",
    "register_row",
]

BOARD = DEFAULT_BOARD.name
"""The name printed for a store with no Board identity set (a review does not record
its Board: the store does, :meth:`~scr_engine.ReviewStore.board_identity`)."""


def as_identity(board: BoardIdentity | str) -> BoardIdentity:
    """``board`` as an identity: a text is the name of a Board otherwise as
    :data:`~scr_engine.board.DEFAULT_BOARD`."""
    if isinstance(board, BoardIdentity):
        return board
    return DEFAULT_BOARD.updated(name=board)


@frozen
class RegisterField:
    """A column of the register: its CSV name, the tracker's field, what it holds."""

    column: str
    tracker: str
    meaning: str


REGISTER_FIELDS: tuple[RegisterField, ...] = (
    RegisterField(
        "status",
        "Open/Closed",
        "closed once the report is signed off (ratified, RP-7) or the review has ended "
        "(closed, redirected, not taken forward, withdrawn); open before",
    ),
    RegisterField("date_added", "Date added", "the day the request was received (RF-3), ISO 8601"),
    RegisterField(
        "incident_date", "Date of incident", "the earliest incident on the request (RF-2)"
    ),
    RegisterField("local_reference", "Local reference number", "the review's reference (RF-2)"),
    RegisterField(
        "board",
        "Safeguarding Partnership Board",
        "the Board's name, as set for the store (scr init --board-name, scr board set)",
    ),
    RegisterField(
        "type_of_review",
        "Type of review",
        "Serious Case Review (adult); for a redirected request, the alternative "
        "recommended (RF-4a Individual Practice Review, RF-4b Near Miss Review)",
    ),
    RegisterField("stage", "Stage", "the review's stage code (map.md)"),
    RegisterField(
        "report_signed_off_date",
        "Report signed off date",
        "the day the Board agreed the report (ratification, RP-7); empty before",
    ),
    RegisterField(
        "publication_date",
        "Publication date",
        "empty: the protocol has no publication step and a review records no such day; "
        "the Board fills it in",
    ),
    RegisterField(
        "recommendation_themes",
        "Recommendation themes",
        "the recommendations as published (public export, PR-e), '; '-separated, "
        "national ones marked; empty before ratification",
    ),
    RegisterField(
        "actions",
        "Actions",
        "the action plan in one cell: the number of actions, completed, overdue and "
        "open (AP-1, AP-2), then each action as published: 'id: intended outcome "
        "[status]'; empty before ratification",
    ),
    RegisterField(
        "protective_marking",
        "(not a tracker field)",
        "the row's protective marking: the Board's public marking (OFFICIAL by "
        "default), since a row holds no personal data",
    ),
)
"""The register's columns, in order."""

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def _type(review: Review) -> str:
    if review.alternative is not None:
        return in_words(review.alternative)
    return "Serious Case Review (adult)"


_SIGNED_OFF = frozenset({Stage.RATIFIED, Stage.ACTION_PLAN_MONITORED})


def register_row(
    review: Review,
    settings: ProtocolSettings,
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> dict[str, str]:
    """The register's row for one review on ``as_of``, by column name; ``board`` is
    the store's Board identity (a text is taken as its name)."""
    identity = as_identity(board)
    closed = review.stage.terminal or review.stage in _SIGNED_OFF
    themes = ""
    actions = ""
    try:
        public = public_export(review)
    except TransitionRefused:
        public = None
    if public is not None:
        themes = "; ".join(
            f"{r.id}: {r.text}" + (" (national)" if r.national else "")
            for r in public.recommendations
        )
        overdue = {
            d.key.removeprefix("action:")
            for d in deadlines(review, settings, as_of)
            if d.key.startswith("action:") and d.status is DeadlineStatus.OVERDUE
        }
        ids = {a.id: public.actions[i] for i, a in enumerate(review.actions)}
        statuses = {
            key: "overdue"
            if key in overdue
            else ("completed" if a.status is ActionStatus.COMPLETED else "open")
            for key, a in ids.items()
        }
        counts = {
            s: sum(1 for v in statuses.values() if v == s) for s in ("completed", "overdue", "open")
        }
        head = (
            f"{len(statuses)} actions: {counts['completed']} completed, "
            f"{counts['overdue']} overdue, {counts['open']} open"
        )
        items = [f"{a.id}: {a.intended_outcome} [{statuses[key]}]" for key, a in ids.items()]
        actions = "; ".join([head, *items]) if items else ""
    incident = min((i.date for i in review.request.incidents), default=None)
    row = {
        "status": "Closed" if closed else "Open",
        "date_added": review.received_on.isoformat(),
        "incident_date": incident.isoformat() if incident is not None else "",
        "local_reference": review.reference,
        "board": identity.name,
        "type_of_review": _type(review),
        "stage": review.stage.value,
        "report_signed_off_date": review.ratified_on.isoformat() if review.ratified_on else "",
        "publication_date": "",
        "recommendation_themes": themes,
        "actions": actions,
        "protective_marking": identity.public_marking,
    }
    return {key: _cell(value) for key, value in row.items()}


def register_csv(
    reviews: Iterable[Review],
    settings: ProtocolSettings | Callable[[Review], ProtocolSettings],
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> str:
    """The register as CSV text: a header row, then one row per review in the order
    given. ``settings`` is the settings every review runs under, or a function that
    gives each review's (:meth:`scr_engine.ReviewEngine.settings_for`)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=[f.column for f in REGISTER_FIELDS], lineterminator="\r\n"
    )
    writer.writeheader()
    for review in reviews:
        chosen = settings if isinstance(settings, ProtocolSettings) else settings(review)
        writer.writerow(register_row(review, chosen, as_of, board))
    return out.getvalue()
