"""Corrections: people and plans change (SU-1, SU-2, SU-9, PR-b; Appendix 2).

The Board Chair, who appoints (SU-1, Appendix 2), replaces the panel chair
(``replace_panel_chair``) or the overview writer (``replace_overview_writer``) and
stands a panel member down (``stand_down_panel_member``), for instance when a
conflict of interest surfaces late, with reasons; every newcomer is judged impartial
as at a first appointment (PR-b). The panel chair revises the terms of reference
(``revise_terms_of_reference``: Appendix 2, "to review the scope of the SCR"),
with reasons, judged as at the initial meeting (SU-4 … SU-10, CR-3, PR-c). What is
replaced stays in the review's history.
"""

from __future__ import annotations

from attrs import evolve

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal
from scr_engine.records import Review
from scr_engine.rules.common import Context, need_text
from scr_engine.rules.setup import appoint_panel_member, appointment_problems, terms_problems

__all__ = [
    "chair_preconditions",
    "replace_overview_writer",
    "replace_panel_chair",
    "revise_terms_of_reference",
    "stand_down_panel_member",
    "terms_preconditions",
    "writer_preconditions",
]


def chair_preconditions(review: Review) -> list[Refusal]:
    """SU-1: there is a panel chair to replace."""
    if review.panel_chair is None:
        return [Refusal("SU-1", "no panel chair is appointed yet: appoint one first")]
    return []


def writer_preconditions(review: Review) -> list[Refusal]:
    """SU-9: there is an overview writer to replace."""
    if review.overview_writer is None:
        return [Refusal("SU-9", "no overview writer is appointed yet: appoint one first")]
    return []


def terms_preconditions(review: Review) -> list[Refusal]:
    """SU-6: the initial meeting agreed terms of reference to revise."""
    if review.terms_of_reference is None:
        return [Refusal("SU-6", "the initial meeting has not agreed the terms of reference yet")]
    return []


def replace_panel_chair(review: Review, cmd: c.ReplacePanelChair, ctx: Context) -> list[Refusal]:
    out = chair_preconditions(review)
    need_text(out, cmd.reasons, "SU-1", "reasons", "the reasons for the replacement")
    if review.panel_chair is not None and review.panel_chair.person_id == cmd.appointment.person_id:
        out.append(Refusal("SU-1", f"{cmd.appointment.person_id} already chairs the panel"))
    appointment_problems(out, review, cmd.appointment)
    return out


def replace_overview_writer(
    review: Review, cmd: c.ReplaceOverviewWriter, ctx: Context
) -> list[Refusal]:
    out = writer_preconditions(review)
    need_text(out, cmd.reasons, "SU-9", "reasons", "the reasons for the replacement")
    writer = review.overview_writer
    if writer is not None and writer.person_id == cmd.appointment.person_id:
        out.append(
            Refusal("SU-9", f"{cmd.appointment.person_id} already writes the overview report")
        )
    appointment_problems(out, review, cmd.appointment)
    return out


def stand_down_panel_member(
    review: Review, cmd: c.StandDownPanelMember, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SU-2", "reasons", "the reasons for standing the member down")
    member = next((m for m in review.panel_members if m.person_id == cmd.person_id), None)
    if member is None:
        out.append(Refusal("SU-2", f"{cmd.person_id!r} is not a panel member", field="person_id"))
    if cmd.replacement is not None:
        # The newcomer is judged as an appointment to the panel without the member.
        rest = tuple(m for m in review.panel_members if m.person_id != cmd.person_id)
        without = evolve(review, panel_members=rest)
        out.extend(appoint_panel_member(without, c.AppointPanelMember(cmd.replacement), ctx))
    return out


def revise_terms_of_reference(
    review: Review, cmd: c.ReviseTermsOfReference, ctx: Context
) -> list[Refusal]:
    out = terms_preconditions(review)
    need_text(out, cmd.reasons, "SU-6", "reasons", "the reasons for the revision")
    out.extend(terms_problems(review, cmd.terms, ctx))
    return out
