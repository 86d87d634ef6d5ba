"""Referral and screening (§3 criteria, §4 and Appendix 1): RF-3 … RF-6, CR-1 … CR-4.

The Chair of the HSAB must be told of a request as soon as practicable; the date the
Chair received it starts the clocks (RF-3, ``record_chair_notified``). The Chair
assesses the request against the §3 criteria (``assess_criteria``) and then confirms
an SCR when a criterion is met (``confirm_review``; CR-4 refuses it when none is), or
recommends an Individual Practice Review or a Near Miss Review (RF-4a, RF-4b,
``recommend_alternative``), or no review (``decline``), each with reasons. A death
with abuse or neglect known or suspected must always be reviewed (CR-1): such a
request can be neither redirected nor declined.

Once an SCR is confirmed the Business Manager secures every involved agency's records
and asks each for an IMR writer (RF-5, ``record_records_secured``,
``record_imr_writer``); an IMR writer cannot also be appointed to conduct the review
(PR-b). Where more than one local authority is involved, the Board Chair agrees which
leads (RF-6, ``agree_lead_authority``).

(``submit_request``, RF-1 and RF-2, is checked by
:func:`scr_engine.rules.request.validate_request`.)
"""

from __future__ import annotations

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import Review
from scr_engine.rules.common import Context, known_agency, need_text
from scr_engine.rules.conflict import imr_writer_conflict
from scr_engine.rules.criteria import meets_cr1

__all__ = [
    "agree_lead_authority",
    "assess_criteria",
    "confirm_review",
    "decline",
    "recommend_alternative",
    "record_chair_notified",
    "record_imr_writer",
    "record_records_secured",
    "refuse_cr1",
    "screening_preconditions",
]

_INPUT = RefusalKind.INPUT


def _cr1(review: Review) -> bool:
    return meets_cr1(review.request.facts) or (
        review.assessment is not None and review.assessment.mandatory
    )


def record_chair_notified(
    review: Review, cmd: c.RecordChairNotified, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if review.chair_received_on is not None:
        out.append(
            Refusal(
                "RF-3",
                f"the Chair's receipt is already recorded ({review.chair_received_on.isoformat()})",
            )
        )
    if cmd.received_on < review.received_on:
        out.append(
            Refusal(
                "RF-3",
                "the Chair cannot receive the request before it was made",
                _INPUT,
                "received_on",
            )
        )
    if cmd.received_on > ctx.today:
        out.append(
            Refusal("RF-3", "the Chair's receipt cannot be in the future", _INPUT, "received_on")
        )
    return out


def assess_criteria(review: Review, cmd: c.AssessCriteria, ctx: Context) -> list[Refusal]:
    return []


def _need_assessment(review: Review) -> list[Refusal]:
    if review.assessment is None:
        return [
            Refusal(
                "RF-4",
                "the Chair must first assess the request against the criteria (assess_criteria)",
            )
        ]
    return []


def confirm_review(review: Review, cmd: c.ConfirmReview, ctx: Context) -> list[Refusal]:
    out = _need_assessment(review)
    if review.assessment is not None and not review.assessment.met:
        out.append(
            Refusal(
                "CR-4",
                "no criterion of §3 is met (CR-1, CR-2, CR-3): the Chair may "
                "recommend an alternative review or no review instead",
            )
        )
    return out


def refuse_cr1(review: Review, what: str) -> list[Refusal]:
    if _cr1(review):
        return [
            Refusal(
                "CR-1",
                f"the adult died and abuse or neglect is known or suspected: the "
                f"Board must always conduct a review, so it cannot be {what}",
            )
        ]
    return []


def screening_preconditions(review: Review, what: str) -> list[Refusal]:
    """What refuses redirecting or declining a request whatever the reasons given:
    no assessment yet (RF-4), or a CR-1 case, which must always be reviewed."""
    return _need_assessment(review) + refuse_cr1(review, what)


def recommend_alternative(
    review: Review, cmd: c.RecommendAlternative, ctx: Context
) -> list[Refusal]:
    out = screening_preconditions(review, "redirected")
    need_text(out, cmd.reasons, "CR-4", "reasons", "the reasons for the recommendation")
    return out


def decline(review: Review, cmd: c.Decline, ctx: Context) -> list[Refusal]:
    out = screening_preconditions(review, "declined")
    need_text(out, cmd.reasons, "CR-4", "reasons", "the reasons for no review")
    return out


def record_records_secured(
    review: Review, cmd: c.RecordRecordsSecured, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if known_agency(out, review, cmd.agency) and cmd.agency in review.records_secured:
        out.append(Refusal("RF-5", f"{cmd.agency}'s records are already recorded as secured"))
    return out


def record_imr_writer(review: Review, cmd: c.RecordImrWriter, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    known_agency(out, review, cmd.agency)
    need_text(out, cmd.person_id, "RF-5", "person_id", "the IMR writer's ID")
    need_text(out, cmd.writer_name, "RF-5", "writer_name", "the IMR writer's name")
    if any(w.agency == cmd.agency and w.person_id == cmd.person_id for w in review.imr_writers):
        out.append(Refusal("RF-5", f"{cmd.person_id} is already {cmd.agency}'s IMR writer"))
    out.extend(imr_writer_conflict(review, cmd))
    return out


def agree_lead_authority(review: Review, cmd: c.AgreeLeadAuthority, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if known_agency(out, review, cmd.agency):
        agency = next(a for a in review.involved_agencies if a.code == cmd.agency)
        if not agency.local_authority:
            out.append(Refusal("RF-6", f"{cmd.agency} is not a local authority"))
    return out
