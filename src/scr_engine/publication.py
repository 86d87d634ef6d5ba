"""What a Board may publish (PR-e, RP-3): the public export of a ratified review.

The one function the documents and the command line use to publish:
:func:`public_export` turns a review that has been ratified into a
:class:`PublicReport` — its reference, the date the Board agreed it, the executive
summary, the recommendations and the action plan with each action's status — and
nothing personal. Personal *fields* are never read; and since a summary or an action
is free text that someone could have written a name into, every personal value the
review holds (its requester, contacts, appointees, IMR writers, incident details …)
is struck out of every published text: an exact match of any length, and any
case-insensitive occurrence of a value of four characters or more, becomes
:data:`REDACTED`.
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from scr_engine.errors import TransitionRefused
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.personal import REDACTED, Striker, personal_values, publication_striker
from scr_engine.records import ActionStatus, Review
from scr_engine.serialization import unstructure
from scr_engine.states.stages import Stage

__all__ = ["REDACTED", "PublicAction", "PublicRecommendation", "PublicReport", "public_export"]


_PUBLISHABLE = frozenset({Stage.RATIFIED, Stage.ACTION_PLAN_MONITORED, Stage.CLOSED})


@frozen
class PublicRecommendation:
    """A recommendation as published."""

    id: str
    text: str
    source: str
    national: bool


@frozen
class PublicAction:
    """An action of the action plan as published (AP-1, AP-2)."""

    id: str
    recommendation_id: str
    responsible: str
    timescale_months: int
    intended_outcome: str
    monitoring: str
    status: ActionStatus
    completed_on: date | None


@frozen
class PublicReport:
    """The public face of a ratified review: no personal data (PR-e)."""

    reference: str
    stage: Stage
    agreed_on: date | None
    """The date the Board agreed the report (RP-7)."""
    executive_summary: str
    recommendations: tuple[PublicRecommendation, ...]
    actions: tuple[PublicAction, ...]
    lessons: str
    national_lessons: str


def _redactor(review: Review) -> Striker:
    """Strikes every personal value of a review out of a text."""
    return publication_striker(personal_values(Review, unstructure(review)))


_PUBLISHED_AS = {
    "sar": (
        "its publishable summary, the document publishable-summary (scr export "
        "--public; GET /v1/reviews/{id}/documents/publishable-summary)"
    ),
    "sar-annual-report": "as the annual report's document (scr annual-report YEAR)",
}
"""What another protocol's review publishes instead of the public export."""


def public_export(review: Review) -> PublicReport:
    """The public report of a ratified review (ratified, monitored or closed);
    :class:`~scr_engine.TransitionRefused` (RP-7) for a review the Board has not
    agreed, which has nothing to publish."""
    if not isinstance(review, Review):
        published = _PUBLISHED_AS.get(review.protocol, "as documents of its own")
        message = (
            f"review {review.reference} runs under protocol {review.protocol}: the public "
            f"export is an SCR's public report; it publishes {published}"
        )
        raise TransitionRefused("public_export", [Refusal("MAP", message, RefusalKind.STAGE)])
    report = review.overview_report
    if review.stage not in _PUBLISHABLE or report is None:
        raise TransitionRefused(
            "public_export",
            [
                Refusal(
                    "RP-7",
                    f"review {review.reference} is {review.stage.value}: only a report the "
                    "Board has ratified is published",
                    RefusalKind.STAGE,
                )
            ],
        )
    clean = _redactor(review)
    summary = report.executive_summary
    conclusions = report.conclusions
    return PublicReport(
        reference=clean(review.reference),
        stage=review.stage,
        agreed_on=review.ratified_on,
        executive_summary=clean(summary.text) if summary is not None else "",
        recommendations=tuple(
            PublicRecommendation(r.id, clean(r.text), clean(r.source), r.national)
            for r in conclusions.recommendations
        ),
        actions=tuple(
            PublicAction(
                id=clean(a.id),
                recommendation_id=clean(a.recommendation_id),
                responsible=clean(a.owner),
                timescale_months=a.timescale_months,
                intended_outcome=clean(a.outcome),
                monitoring=clean(a.monitoring),
                status=a.status,
                completed_on=a.completed_on,
            )
            for a in review.actions
        ),
        lessons=clean(conclusions.lessons),
        national_lessons=clean(conclusions.national_lessons),
    )
