"""Information requests over a store (``sar/map.md`` §2): what needs more than one
review at a time, on top of :class:`~scr_engine.engine.ReviewEngine`.

- :func:`report_overdue` tells the board_chair of every s.45 request that has gone
  overdue (SAR-I-5): one ``report_overdue_information_request`` per request, each
  recorded on its review with a task for the chair. Run it daily (``scr
  report-overdue``, a scheduler, the host's own loop): a request already reported is not
  reported again, and a retry of the same report is the same event.
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from scr_engine.clock import local_date
from scr_engine.engine import ReviewEngine
from scr_engine.protocols.sar.information import ReportOverdueInformationRequest
from scr_engine.protocols.sar.records import SarReview
from scr_engine.records import Actor
from scr_engine.rules.deadlines import DeadlineStatus

__all__ = ["OVERDUE_KEY_PREFIX", "Reported", "overdue_s45", "report_overdue"]

OVERDUE_KEY_PREFIX = "s45:"
"""The key of an s.45 request's deadline (``s45:IR-<n>``, SAR-I-5)."""

_PAGE = 500


@frozen
class Reported:
    """One overdue s.45 request reported to the board_chair: the review as it is after,
    and the request's id."""

    review: SarReview
    request: str


def overdue_s45(
    engine: ReviewEngine, as_of: date | None = None, actor: Actor | None = None
) -> list[tuple[str, str]]:
    """Every ``(review id, request id)`` whose s.45 request is overdue on ``as_of``
    (today by default) and not yet reported to the board_chair, in due-date order;
    with ``actor``, of the reviews the read policy lets them read."""
    day = as_of if as_of is not None else local_date(engine.clock.now())
    found: list[tuple[str, str]] = []
    after: tuple[date, str, str] | None = None
    while True:
        rows = engine.overdue(day, limit=_PAGE, after=after, actor=actor)
        for row in rows:
            if row.status is not DeadlineStatus.OVERDUE:
                continue
            if not row.key.startswith(OVERDUE_KEY_PREFIX):
                continue
            review = engine.get(row.review_id)
            if not isinstance(review, SarReview):
                continue
            request = review.information_request(row.key.removeprefix(OVERDUE_KEY_PREFIX))
            if request is not None and request.reported_overdue_on is None:
                found.append((row.review_id, request.id))
        if len(rows) < _PAGE:
            return found
        after = rows[-1].sort_key


def report_overdue(engine: ReviewEngine, actor: Actor) -> list[Reported]:
    """Report every s.45 request overdue today and not yet reported to the board_chair
    (SAR-I-5), as ``actor`` (the business manager), on the reviews ``actor`` may read.
    Each report is an engine command judged as any other, with an idempotency key of
    its request, so that two sweeps at once record it once."""
    done: list[Reported] = []
    for review_id, request_id in overdue_s45(engine, actor=actor):
        made = engine.execute(
            review_id,
            ReportOverdueInformationRequest(request_id),
            actor,
            idempotency_key=f"report-overdue:{review_id}:{request_id}",
        )
        assert isinstance(made, SarReview)
        done.append(Reported(made, request_id))
    return done
