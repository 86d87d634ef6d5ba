"""Conflict of interest (SU-1, PR-b): those who conduct a review must not have been
concerned with the adult, the family or the case."""

from __future__ import annotations

from scr_engine.records import Appointment, Review
from scr_engine.rules.reasons import Refusal

__all__ = ["conflict_of_interest"]


def conflict_of_interest(review: Review, appointment: Appointment) -> list[Refusal]:
    """Every reason ``appointment`` would compromise the review's impartiality.

    An appointee is refused when they declare involvement with the adult, the family
    or the case, when they requested the review, or when they write an IMR for it.
    """
    out: list[Refusal] = []
    who = appointment.name or appointment.person_id
    if appointment.declared_involvement:
        detail = f": {appointment.involvement}" if appointment.involvement else ""
        out.append(Refusal("SU-1", f"{who} declared previous involvement in the case{detail}"))
        out.append(
            Refusal(
                "PR-b",
                f"{who} was concerned with the adult or family and cannot "
                "conduct the review impartially",
            )
        )
    if appointment.person_id == review.requested_by:
        out.append(Refusal("SU-1", f"{who} requested this review"))
    if any(w.person_id == appointment.person_id for w in review.imr_writers):
        out.append(Refusal("PR-b", f"{who} writes an IMR for this review"))
    return out
