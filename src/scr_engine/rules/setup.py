"""Setting up the review (§5): SU-1 … SU-10, PR-b, PR-c, CR-3.

The Board Chair appoints the panel chair, the panel members and the overview writer;
none of them may have had previous involvement with the adult, the family or the case
(SU-1, PR-b: ``appoint_panel_chair``, ``appoint_panel_member``,
``appoint_overview_writer``). The budgetary requirements are considered and recorded
(SU-3, ``record_budget``).

Panel membership is a floor, not a fence (SU-2, Membership guidance): the panel must
have a member for every involved agency, and may also seat the others the guidance
names — a representative of the subject or the family, advocacy services, the
relevant CQC inspector, the coroner, an independent sector provider representative,
other professionals. Each member says what they represent (``represents``): a member
for an agency names an involved one; a member in another capacity needs none and
counts for no agency. Impartiality holds for every member alike.

The panel chair holds the initial meeting (``hold_initial_meeting``), which agrees
terms of reference that address each of the sixteen SU-6 matters, say which agencies
provide IMRs (SU-7; every involved agency does, PR-c), set the timescales (SU-4,
RP-1), decide whether and how the victim or relatives are involved (SU-8) and record
support, meetings and legal services (SU-10); a complex review's terms must be
specific to the case (CR-3).

The panel is convened (``convene_panel``) only on complete set-up: records secured
and IMR writers identified by every agency (RF-5), the lead authority agreed (RF-6),
a panel chair (SU-1), a member from every involved agency (SU-2), agreed terms of
reference (SU-6) with the family decision (SU-8), and the overview writer (SU-9).
Where the family decision has the adult or family represented via advocacy, the panel
seats a member for advocacy services or for the subject or family (SU-2,
:func:`advocacy_seated`).
"""

from __future__ import annotations

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import (
    Appointment,
    FamilyDecision,
    FamilyRepresentation,
    MemberCapacity,
    Review,
    TermsOfReference,
    TorItem,
)
from scr_engine.rules.common import Context, known_agency, need_text
from scr_engine.rules.conflict import conflict_of_interest
from scr_engine.rules.deadlines import LONGEST_MONTHS, too_far
from scr_engine.rules.request import is_text
from scr_engine.states.stages import Stage

__all__ = [
    "ADVOCACY_SEATS",
    "advocacy_seated",
    "appoint_overview_writer",
    "appoint_panel_chair",
    "appoint_panel_member",
    "appointment_problems",
    "chair_taken",
    "convene_panel",
    "hold_initial_meeting",
    "record_budget",
    "represented_agency",
    "terms_problems",
    "writer_taken",
]

_INPUT = RefusalKind.INPUT


def appointment_problems(out: list[Refusal], review: Review, appointment: Appointment) -> None:
    """Adds to ``out`` every reason ``appointment`` cannot be made (SU-1, PR-b)."""
    need_text(out, appointment.person_id, "SU-1", "appointment.person_id", "the appointee's ID")
    need_text(out, appointment.name, "SU-1", "appointment.name", "the appointee's name")
    out.extend(conflict_of_interest(review, appointment))


def chair_taken(review: Review, ctx: Context | None = None) -> list[Refusal]:
    """Why no panel chair can be appointed: one already chairs the panel (SU-1)."""
    if review.panel_chair is None:
        return []
    return [
        Refusal(
            "SU-1",
            f"{review.panel_chair.person_id} already chairs the panel: "
            "replace them with replace_panel_chair, with reasons",
        )
    ]


def appoint_panel_chair(review: Review, cmd: c.AppointPanelChair, ctx: Context) -> list[Refusal]:
    out = chair_taken(review)
    appointment_problems(out, review, cmd.appointment)
    return out


def represented_agency(member: Appointment) -> str | None:
    """The involved agency a panel member represents (SU-2): their ``agency`` when they
    sit for an agency (``represents`` is ``agency`` or, as in records made before it
    existed, not given); None for the other members the Membership guidance names."""
    if member.represents in (None, MemberCapacity.AGENCY):
        return member.agency
    return None


ADVOCACY_SEATS = frozenset({MemberCapacity.ADVOCACY, MemberCapacity.SUBJECT_OR_FAMILY})
"""What a panel member may sit for to represent an adult or family who are
represented via advocacy (SU-2, SU-8; Membership guidance)."""


def advocacy_seated(review: Review) -> bool:
    """Whether the panel seats a member for advocacy services or for the subject or
    family (SU-2): what a family represented via advocacy needs."""
    return any(m.represents in ADVOCACY_SEATS for m in review.panel_members)


def _advocacy_problems(review: Review) -> list[Refusal]:
    """SU-2: a family decision with representation via advocacy needs its seat."""
    terms = review.terms_of_reference
    family = terms.family if terms is not None else None
    if (
        family is None
        or family.representation is not FamilyRepresentation.ADVOCACY
        or advocacy_seated(review)
    ):
        return []
    return [
        Refusal(
            "SU-2",
            "the terms of reference have the adult or family represented via advocacy, but "
            "no panel member sits for advocacy services or for the family: appoint a panel "
            "member for advocacy (appoint_panel_member with represents advocacy)",
        )
    ]


def appoint_panel_member(review: Review, cmd: c.AppointPanelMember, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    member = cmd.appointment
    appointment_problems(out, review, member)
    if member.represents in (None, MemberCapacity.AGENCY):
        if member.agency is None:
            out.append(
                Refusal(
                    "SU-2",
                    "a panel member represents an involved agency (give its code) or "
                    "another party the Membership guidance names (give represents)",
                    _INPUT,
                    "appointment.agency",
                )
            )
        else:
            known_agency(out, review, member.agency, "appointment.agency")
    elif member.agency in review.agencies:
        out.append(
            Refusal(
                "SU-2",
                f"{member.agency} is involved in this review: its representative sits "
                f"for the agency (represents {MemberCapacity.AGENCY.value}), "
                f"not as {member.represents.value}",
                _INPUT,
                "appointment.represents",
            )
        )
    if any(m.person_id == member.person_id for m in review.panel_members):
        out.append(Refusal("SU-2", f"{member.person_id} is already a panel member"))
    if review.stage in (Stage.EVIDENCE_RECEIVED, Stage.OVERVIEW_DRAFTED):
        # After the evidence is accepted a member is appointed only so that an agency
        # with none (one that joined late) can sign the report off (RP-4).
        represented = {m.agency for m in review.panel_members}
        if member.represents not in (None, MemberCapacity.AGENCY) or member.agency is None:
            out.append(
                Refusal(
                    "RP-4",
                    "once the evidence is accepted, a panel member is appointed only for "
                    "an involved agency that has none",
                    _INPUT,
                    "appointment.represents",
                )
            )
        elif member.agency in represented:
            out.append(
                Refusal(
                    "RP-4",
                    f"{member.agency} already has a panel member; once the evidence is "
                    "accepted, a member is appointed only for an agency that has none",
                    _INPUT,
                    "appointment.agency",
                )
            )
    return out


def appoint_overview_writer(
    review: Review, cmd: c.AppointOverviewWriter, ctx: Context
) -> list[Refusal]:
    out = writer_taken(review)
    appointment_problems(out, review, cmd.appointment)
    return out


def writer_taken(review: Review, ctx: Context | None = None) -> list[Refusal]:
    """Why no overview writer can be appointed: one already writes the report (SU-9)."""
    if review.overview_writer is None:
        return []
    return [
        Refusal(
            "SU-9",
            f"{review.overview_writer.person_id} already writes the overview report: "
            "replace them with replace_overview_writer, with reasons",
        )
    ]


def record_budget(review: Review, cmd: c.RecordBudget, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if cmd.amount_pounds < 0:
        out.append(Refusal("SU-3", "the budget cannot be negative", _INPUT, "amount_pounds"))
    elif cmd.amount_pounds > ctx.settings.max_amount_pounds:
        most = ctx.settings.max_amount_pounds
        message = f"the budget cannot exceed £{most:,} (the settings' max_amount_pounds)"
        out.append(Refusal("SU-3", message, _INPUT, "amount_pounds"))
    need_text(out, cmd.notes, "SU-3", "notes", "what the budget covers")
    return out


def hold_initial_meeting(review: Review, cmd: c.HoldInitialMeeting, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if review.initial_meeting_on is not None:
        out.append(
            Refusal(
                "SU-6",
                f"the initial meeting was already held on {review.initial_meeting_on.isoformat()}",
            )
        )
    if review.panel_chair is None:
        out.append(
            Refusal(
                "SU-1", "the panel chair, who sets the terms of reference, is not appointed yet"
            )
        )
    out.extend(terms_problems(review, cmd.terms, ctx))
    return out


def terms_problems(review: Review, terms: TermsOfReference, ctx: Context) -> list[Refusal]:
    """Every reason ``terms`` cannot be agreed on ``ctx.today`` (SU-4, SU-6, SU-7, SU-8,
    SU-10, RP-1, CR-3, PR-c): at the initial meeting and at a revision alike. At a
    revision, IMRs already due keep their day."""
    out: list[Refusal] = []
    kept = review.terms_of_reference
    for item in TorItem:
        answer = terms.items.get(item)
        if answer is None:
            out.append(
                Refusal(
                    "SU-6",
                    f"the terms of reference do not address {item.value}",
                    field=f"terms.items.{item.value}",
                )
            )
        elif answer.not_applicable:
            if not is_text(answer.reason):
                out.append(
                    Refusal(
                        "SU-6",
                        f"{item.value} is marked not applicable without a reason",
                        field=f"terms.items.{item.value}",
                    )
                )
        elif not is_text(answer.text):
            out.append(
                Refusal(
                    "SU-6",
                    f"the terms of reference leave {item.value} blank",
                    field=f"terms.items.{item.value}",
                )
            )
    if not terms.imr_agencies:
        out.append(
            Refusal(
                "SU-7",
                "the terms of reference must say which agencies provide IMRs",
                field="terms.imr_agencies",
            )
        )
    for agency in terms.imr_agencies:
        known_agency(out, review, agency, "terms.imr_agencies")
    left_out = [a for a in review.agencies if a not in terms.imr_agencies]
    if terms.imr_agencies and left_out:
        out.append(
            Refusal(
                "PR-c",
                f"every involved agency contributes an IMR; the terms leave out: "
                f"{', '.join(left_out)}",
                field="terms.imr_agencies",
            )
        )
    if len(set(terms.imr_agencies)) != len(terms.imr_agencies):
        out.append(
            Refusal(
                "SU-7",
                "an agency is listed twice among the IMR agencies",
                _INPUT,
                "terms.imr_agencies",
            )
        )
    if terms.imr_due <= ctx.today and (kept is None or terms.imr_due != kept.imr_due):
        out.append(
            Refusal(
                "SU-7", "the IMRs must fall due after the initial meeting", _INPUT, "terms.imr_due"
            )
        )
    if terms.overview_due < terms.imr_due:
        out.append(
            Refusal(
                "RP-1",
                "the overview report cannot fall due before the IMRs",
                _INPUT,
                "terms.overview_due",
            )
        )
    if terms.review_months < 1:
        out.append(
            Refusal(
                "SU-4",
                "the review's timescale must be at least one month",
                _INPUT,
                "terms.review_months",
            )
        )
    if terms.family is None:
        out.append(
            Refusal(
                "SU-8",
                "whether to consult or involve the victim or relatives is not decided",
                field="terms.family",
            )
        )
    elif not is_text(terms.family.reasons):
        out.append(
            Refusal(
                "SU-8",
                "the decision on involving the victim or relatives needs its reasons",
                field="terms.family.reasons",
            )
        )
    if (
        terms.family is not None
        and terms.family.decision is FamilyDecision.NOT_INVOLVED
        and terms.family.representation is FamilyRepresentation.DIRECT
    ):
        out.append(
            Refusal(
                "SU-8",
                "the victim or relatives are not to be consulted or involved, so they "
                "cannot be represented directly",
                _INPUT,
                "terms.family.representation",
            )
        )
    need_text(out, terms.support, "SU-10", "terms.support", "the support and resources")
    if not terms.meetings:
        out.append(
            Refusal(
                "SU-10", "the dates and venues of meetings must be recorded", field="terms.meetings"
            )
        )
    if review.complex and not is_text(terms.case_specific_scope):
        out.append(
            Refusal(
                "CR-3",
                "a complex review (institutional abuse or multiple abusers) "
                "needs terms of reference specific to the case",
                field="terms.case_specific_scope",
            )
        )
    if terms.review_months > LONGEST_MONTHS:
        out.append(
            Refusal(
                "SU-4",
                f"the review's timescale cannot exceed {LONGEST_MONTHS} months",
                _INPUT,
                "terms.review_months",
            )
        )
    for name in ("imr_due", "overview_due"):
        if too_far(getattr(terms, name), ctx.today):
            out.append(
                Refusal(
                    "SU-7" if name == "imr_due" else "RP-1",
                    f"{name} is more than ten years away",
                    _INPUT,
                    f"terms.{name}",
                )
            )
    return out


def convene_panel(review: Review, cmd: c.ConvenePanel, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    unsecured = [a for a in review.agencies if a not in review.records_secured]
    if unsecured:
        out.append(Refusal("RF-5", f"records not yet secured by: {', '.join(unsecured)}"))
    with_writer = {w.agency for w in review.imr_writers}
    no_writer = [a for a in review.agencies if a not in with_writer]
    if no_writer:
        out.append(Refusal("RF-5", f"no IMR writer identified by: {', '.join(no_writer)}"))
    authorities = [a.code for a in review.involved_agencies if a.local_authority]
    if len(authorities) > 1 and review.lead_authority is None:
        out.append(
            Refusal(
                "RF-6",
                f"{len(authorities)} local authorities are involved "
                f"({', '.join(authorities)}): agree the lead authority first",
            )
        )
    if review.panel_chair is None:
        out.append(Refusal("SU-1", "no panel chair is appointed"))
    represented = {represented_agency(m) for m in review.panel_members}
    missing = [a for a in review.agencies if a not in represented]
    if missing:
        out.append(Refusal("SU-2", f"the panel has no member from: {', '.join(missing)}"))
    out.extend(_advocacy_problems(review))
    if review.terms_of_reference is None:
        out.append(Refusal("SU-6", "the initial meeting has not agreed the terms of reference"))
    if review.terms_of_reference is None or review.terms_of_reference.family is None:
        out.append(
            Refusal("SU-8", "the decision on involving the victim or relatives is not recorded")
        )
    if review.overview_writer is None:
        out.append(Refusal("SU-9", "the overview report writer is not appointed"))
    return out


def add_agency(review: Review, cmd: c.AddAgency, ctx: Context) -> list[Refusal]:
    """SU-7: an agency not yet involved, named, with reasons."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SU-7", "reasons", "the reasons for bringing the agency in")
    need_text(out, cmd.agency.code, "SU-7", "agency.code", "the agency's code")
    need_text(out, cmd.agency.name, "SU-7", "agency.name", "the agency's name")
    if cmd.agency.code in review.agencies:
        out.append(
            Refusal(
                "SU-7",
                f"agency {cmd.agency.code!r} is already involved in this review",
                RefusalKind.INPUT,
                "agency.code",
            )
        )
    return out
