"""A Safeguarding Adults Review's register row: the columns of the SCR's register
(:mod:`scr_engine.documents.register`, the NHS Safeguarding Case Review Tracker's
fields) filled from a SAR, for a Board that reports its SARs to the same tracker.

What differs from an SCR's row: the type of review is the SAR's mandate (mandatory,
on condition 1 or 2; discretionary; or the other learning review it was redirected
to), the incident date is the referral's earliest event, the publication date is the
first publication the SAR recorded (SAR-P-7), the recommendation themes are the
report's recommendations with every personal value of the review struck out (as the
publishable summary strikes them, SAR-P-6), and the actions cell counts the SAR's
actions (SAR-A-2, SAR-A-3). Recommendations and actions appear once the report is
ratified (SAR-P-3), as for an SCR.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.documents.register import REGISTER_FIELDS, _cell, as_identity, register_row
from scr_engine.documents.sar import _redactor
from scr_engine.protocols.sar.clocks import sar_deadlines
from scr_engine.protocols.sar.records import ActionStatus, MandateKind, SarReview
from scr_engine.protocols.sar.settings import SarSettings
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.states.stages import TERMINAL_STAGES

__all__ = ["register_csv_of", "sar_register_row"]

_SIGNED_OFF = frozenset({"ratified", "action_plan_monitored"})


def _type(review: SarReview) -> str:
    """The type of review, in the tracker's words."""
    decision = review.decision
    if decision is not None and decision.alternative is not None:
        kind = str(decision.alternative).replace("_", " ")
        return f"Other learning review ({kind})"
    mandate = review.mandate
    if mandate is None:
        return "Safeguarding Adults Review (not yet decided)"
    if mandate.kind is MandateKind.MANDATORY:
        return f"Safeguarding Adults Review (mandatory, s.44(1), condition {mandate.condition})"
    if mandate.kind is MandateKind.DISCRETIONARY:
        return "Safeguarding Adults Review (discretionary, s.44(4))"
    return "Safeguarding Adults Review (mandate undetermined)"


def _actions(review: SarReview, settings: SarSettings, as_of: date) -> str:
    overdue = {
        d.key.removeprefix("action:")
        for d in sar_deadlines(review, settings, as_of)
        if d.key.startswith("action:") and d.status is DeadlineStatus.OVERDUE
    }
    strike = _redactor(review)
    statuses = {
        a.id: (
            "completed"
            if a.status is ActionStatus.COMPLETED
            else "discontinued"
            if a.status is ActionStatus.DISCONTINUED
            else "overdue"
            if a.id in overdue
            else "open"
        )
        for a in review.actions
    }
    if not statuses:
        return ""
    counts = {
        s: sum(1 for v in statuses.values() if v == s)
        for s in ("completed", "discontinued", "overdue", "open")
    }
    head = (
        f"{len(statuses)} actions: {counts['completed']} completed, "
        f"{counts['discontinued']} discontinued, {counts['overdue']} overdue, "
        f"{counts['open']} open"
    )
    items = [f"{a.id}: {strike(a.intended_outcome)} [{statuses[a.id]}]" for a in review.actions]
    return "; ".join([head, *items])


def sar_register_row(
    review: SarReview,
    settings: SarSettings,
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> dict[str, str]:
    """The register's row for one SAR on ``as_of``, by column name (the columns of
    :data:`~scr_engine.documents.register.REGISTER_FIELDS`, in their order)."""
    identity = as_identity(board)
    signed_off = review.ratified_on is not None and review.stage in _SIGNED_OFF
    closed = review.stage in TERMINAL_STAGES or signed_off
    incident = min((e.on for e in review.referral.events), default=None)
    published = min((e.on for e in review.publication.entries), default=None)
    themes = ""
    actions = ""
    if review.ratified_on is not None and review.report is not None:
        strike = _redactor(review)
        themes = "; ".join(f"{r.id}: {strike(r.text)}" for r in review.report.recommendations)
        actions = _actions(review, settings, as_of)
    row = {
        "status": "Closed" if closed else "Open",
        "date_added": review.received_on.isoformat(),
        "incident_date": incident.isoformat() if incident is not None else "",
        "local_reference": review.reference,
        "board": identity.name,
        "type_of_review": _type(review),
        "stage": str(review.stage),
        "report_signed_off_date": review.ratified_on.isoformat() if review.ratified_on else "",
        "publication_date": published.isoformat() if published is not None else "",
        "recommendation_themes": themes,
        "actions": actions,
        "protective_marking": identity.public_marking,
    }
    return {key: _cell(value) for key, value in row.items()}


def register_csv_of(
    reviews: Iterable[Any],
    settings_of: Callable[[Any], Any],
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> str:
    """The register as CSV text for reviews of either protocol, in the order given: an
    SCR's row (:func:`~scr_engine.documents.register.register_row`), a SAR's
    (:func:`sar_register_row`), each under the settings ``settings_of`` gives it
    (:meth:`scr_engine.ReviewEngine.settings_for`). The same columns and CSV as
    :func:`~scr_engine.documents.register.register_csv`."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=[f.column for f in REGISTER_FIELDS], lineterminator="\r\n"
    )
    writer.writeheader()
    for review in reviews:
        settings = settings_of(review)
        if isinstance(review, SarReview):
            writer.writerow(sar_register_row(review, settings, as_of, board))
        else:
            writer.writerow(register_row(review, settings, as_of, board))
    return out.getvalue()
