"""Conflict of interest (SU-1, PR-b): those who conduct a review must not have been
concerned with the adult, the family or the case. PR-b binds "the conduct of a Serious
Case Review and an Individual Management Review" alike: an IMR writer who declares
direct involvement is refused too (:func:`imr_writer_conflict`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scr_engine.errors.refusals import Refusal
from scr_engine.records import Appointment, Review

if TYPE_CHECKING:  # the commands import the errors, which import this package
    from scr_engine import commands as c

__all__ = ["conflict_of_interest", "imr_writer_conflict"]


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


def imr_writer_conflict(review: Review, cmd: c.RecordImrWriter) -> list[Refusal]:
    """Every reason the IMR writer of ``cmd`` would compromise the impartiality of the
    IMR or the review (PR-b): they declare direct involvement with the adult or the
    family, or they are appointed to conduct the review (panel chair, panel member,
    overview writer)."""
    out: list[Refusal] = []
    who = cmd.writer_name if isinstance(cmd.writer_name, str) and cmd.writer_name else None
    who = who or cmd.person_id
    if cmd.declared_involvement:
        detail = f" ({cmd.involvement})" if cmd.involvement else ""
        out.append(
            Refusal(
                "PR-b",
                f"{who} declared direct involvement with the adult or family{detail} and "
                f"cannot write {cmd.agency}'s IMR impartially: the agency names another "
                "IMR writer",
                field="declared_involvement",
            )
        )
    appointees = [a for a in (review.panel_chair, review.overview_writer) if a is not None]
    if any(a.person_id == cmd.person_id for a in (*appointees, *review.panel_members)):
        out.append(
            Refusal(
                "PR-b",
                f"{cmd.person_id} is appointed to conduct the review and "
                "cannot also write an agency's IMR",
            )
        )
    return out
