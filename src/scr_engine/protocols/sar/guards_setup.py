"""Guards of set-up and evidence (``sar/map.md`` §1; SAR-M, SAR-F-3, SAR-F-4, SAR-G-1,
SAR-G-2, SAR-D-9). The guidance's guards (SAR-M-3, SAR-M-5, SAR-M-11) and the local
ones (SAR-M-4, SAR-R-6) are waivable, only through a recorded waiver (SAR-G-6); the
s.68 duty (SAR-F-3) is the Act's and never waived.
"""

from __future__ import annotations

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.clocks import sar_deadlines
from scr_engine.protocols.sar.guards_common import SarContext, guard, is_text, need_text, waivable
from scr_engine.protocols.sar.methodology import MethodologyCode
from scr_engine.protocols.sar.records import (
    PRINCIPLES,
    TOR_ITEMS,
    ConsentStatus,
    EvidenceStatus,
    MandateKind,
    SarReview,
)
from scr_engine.rules.deadlines import too_far

__all__ = [
    "PRINCIPLES",
    "TOR_ITEMS",
    "check_accept_evidence",
    "check_agency",
    "check_appoint_lead_reviewer",
    "check_appoint_panel_chair",
    "check_appoint_panel_member",
    "check_arrange_advocate",
    "check_assess_advocacy",
    "check_budget",
    "check_choose_methodology",
    "check_commission",
    "check_cooperation",
    "check_extend",
    "check_judge_evidence",
    "check_parallel_process",
    "check_pause",
    "check_practitioners",
    "check_receive_evidence",
    "check_record_consent",
    "check_resume",
    "check_terms",
    "commission_problems",
]


def check_agency(review: SarReview, cmd: c.RecordRecordsSecured, ctx: SarContext) -> list[Refusal]:
    """SAR-D-9: records secured by an involved agency."""
    out: list[Refusal] = []
    if cmd.agency not in review.agency_codes:
        out.append(Refusal.input(f"agency {cmd.agency!r} is not involved", "agency"))
    return out


def check_choose_methodology(
    review: SarReview, cmd: c.ChooseMethodology, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-1 (rationale and proportionality; ``other``/``hybrid`` described; a change
    after commissioning needs reasons), SAR-M-2 (the evidence plan's items)."""
    out: list[Refusal] = []
    m = cmd.methodology
    need_text(out, m.rationale, "SAR-M-1", "methodology.rationale", "why this methodology")
    need_text(
        out,
        m.proportionality,
        "SAR-M-1",
        "methodology.proportionality",
        "the proportionality judgement",
    )
    if m.code in (MethodologyCode.OTHER, MethodologyCode.HYBRID):
        need_text(out, m.description, "SAR-M-1", "methodology.description", "a description")
    if review.stage == "commissioned":
        need_text(
            out,
            cmd.change_reasons,
            "SAR-M-1",
            "change_reasons",
            "the reasons for changing the methodology after commissioning",
        )
    ids = [i.id for i in m.plan]
    if len(set(ids)) != len(ids):
        out.append(
            Refusal(
                "SAR-M-2", "evidence item ids must differ", RefusalKind.INPUT, "methodology.plan"
            )
        )
    for n, item in enumerate(m.plan):
        need_text(out, item.owner, "SAR-M-2", f"methodology.plan[{n}].owner", "the item's owner")
    return out


def check_appoint_lead_reviewer(
    review: SarReview, cmd: c.AppointLeadReviewer, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-3: independent of the case and of the organisations reviewed; a declared
    involvement or employment by an involved agency is refused unless waived. A
    lead reviewer appointed in place of another gives the reasons (as an SCR's
    replacement does)."""
    out: list[Refusal] = []
    r = cmd.reviewer
    need_text(out, r.person_id, "SAR-M-3", "reviewer.person_id", "the reviewer")
    if review.lead_reviewer is not None:
        need_text(
            out,
            cmd.reasons,
            "SAR-M-3",
            "reasons",
            f"the reasons the lead reviewer {review.lead_reviewer.person_id} is replaced",
        )
    if r.declared_involvement:
        need_text(out, r.involvement, "SAR-M-3", "reviewer.involvement", "what the involvement was")
    waivable(
        out,
        review,
        not r.declared_involvement,
        "SAR-M-3",
        "the lead reviewer declared involvement with the case",
        "reviewer.declared_involvement",
    )
    employers = {a.code for a in review.referral.agencies} | {
        a.name for a in review.referral.agencies
    }
    waivable(
        out,
        review,
        r.employer not in employers,
        "SAR-M-3",
        f"the lead reviewer is employed by {r.employer}, an involved agency",
        "reviewer.employer",
    )
    return out


def _has_panel(out: list[Refusal], review: SarReview) -> None:
    m = review.methodology
    guard(out, m is not None and m.has_panel, "SAR-M-4", "the methodology has no review panel")


def check_appoint_panel_chair(
    review: SarReview, cmd: c.AppointPanelChair, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-4: only with a panel; involvement declared is refused unless waived."""
    out: list[Refusal] = []
    _has_panel(out, review)
    waivable(
        out,
        review,
        not cmd.declared_involvement,
        "SAR-M-4",
        "the panel chair declared involvement with the case",
        "declared_involvement",
    )
    return out


def check_appoint_panel_member(
    review: SarReview, cmd: c.AppointPanelMember, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-4: only with a panel, for an involved agency; involvement is refused
    unless waived."""
    out: list[Refusal] = []
    _has_panel(out, review)
    if cmd.agency not in review.agency_codes:
        out.append(Refusal.input(f"agency {cmd.agency!r} is not involved", "agency"))
    waivable(
        out,
        review,
        not cmd.declared_involvement,
        "SAR-M-4",
        "the panel member declared involvement with the case",
        "declared_involvement",
        cmd.person_id,
    )
    return out


MOST_POUNDS = 1_000_000_000
"""The largest sum of money a budget records (SAR-M-9): the SCR's default bound (SU-3,
``max_amount_pounds``), past any Board's means and well inside the whole numbers every
JSON reader holds exactly."""


def check_budget(review: SarReview, cmd: c.RecordBudget, ctx: SarContext) -> list[Refusal]:
    """SAR-M-9: sums of money are not negative, nor past :data:`MOST_POUNDS`."""
    out: list[Refusal] = []
    for name in ("amount_pounds", "reviewer_fees_pounds"):
        value = getattr(cmd, name)
        if value < 0:
            out.append(Refusal("SAR-M-9", f"{name} cannot be negative", RefusalKind.INPUT, name))
        elif value > MOST_POUNDS:
            message = f"{name} cannot exceed £{MOST_POUNDS:,}"
            out.append(Refusal("SAR-M-9", message, RefusalKind.INPUT, name))
    return out


def check_terms(review: SarReview, cmd: c.AgreeTermsOfReference, ctx: SarContext) -> list[Refusal]:
    """SAR-M-5 (every item, or "not applicable" with a reason; the period with start
    and end; waivable), SAR-D-8 (the mandate stated), SAR-G-1 (the purpose: learning,
    not blame), SAR-G-2 (the six principles); an amendment needs reasons."""
    out: list[Refusal] = []
    t = cmd.terms
    missing = [
        k
        for k in TOR_ITEMS
        if k not in t.items or not (is_text(t.items[k].text) or is_text(t.items[k].not_applicable))
    ]
    waivable(
        out,
        review,
        not missing,
        "SAR-M-5",
        f"the terms of reference miss: {', '.join(missing)}",
        "terms.items",
    )
    period = t.items.get("period")
    if not (period is not None and is_text(period.not_applicable)):
        waivable(
            out,
            review,
            t.period_start is not None
            and t.period_end is not None
            and t.period_start <= t.period_end,
            "SAR-M-5",
            "the period under review needs a start and an end",
            "terms.period_start",
        )
    purpose = t.items.get("purpose")
    guard(
        out,
        purpose is not None and is_text(purpose.text),
        "SAR-G-1",
        "the terms of reference state the purpose: learning, not blame",
        "terms.items.purpose",
    )
    guard(
        out,
        review.mandate is not None,
        "SAR-D-8",
        "the mandate is not recorded",
        "terms.items.mandate",
    )
    absent = [p for p in PRINCIPLES if not is_text(t.principles.get(p))]
    guard(
        out,
        not absent,
        "SAR-G-2",
        f"how the review reflects: {', '.join(absent)}",
        "terms.principles",
    )
    if review.terms is not None:
        need_text(
            out,
            cmd.amendment_reasons,
            "SAR-M-5",
            "amendment_reasons",
            "the reasons for amending the terms of reference",
        )
    return out


def _living(out: list[Refusal], review: SarReview, adult: str, rule: str) -> None:
    found = review.adult(adult)
    if found is None:
        out.append(Refusal.input(f"adult {adult!r} is not on the referral", "adult"))
    else:
        guard(out, found.alive, rule, "not applicable: the adult has died", "adult")


def check_assess_advocacy(
    review: SarReview, cmd: c.AssessAdvocacy, ctx: SarContext
) -> list[Refusal]:
    """SAR-F-3: for a living adult only."""
    out: list[Refusal] = []
    _living(out, review, cmd.adult, "SAR-F-3")
    return out


def check_arrange_advocate(
    review: SarReview, cmd: c.ArrangeAdvocate, ctx: SarContext
) -> list[Refusal]:
    """SAR-F-3: after the assessment; the advocate named."""
    out: list[Refusal] = []
    _living(out, review, cmd.adult, "SAR-F-3")
    guard(
        out,
        any(a.adult == cmd.adult for a in review.advocacy),
        "SAR-F-3",
        "the s.68 assessment is not recorded for this adult",
        "adult",
    )
    need_text(out, cmd.advocate, "SAR-F-3", "advocate", "the advocate")
    return out


def check_record_consent(review: SarReview, cmd: c.RecordConsent, ctx: SarContext) -> list[Refusal]:
    """SAR-F-4: a living adult; a refusal or lack of capacity records the route."""
    out: list[Refusal] = []
    _living(out, review, cmd.consent.adult, "SAR-F-4")
    if cmd.consent.status is not ConsentStatus.GIVEN:
        need_text(
            out,
            cmd.consent.route,
            "SAR-F-4",
            "consent.route",
            "the route taken (best interests under the MCA, or legal advice)",
        )
    return out


def commission_problems(review: SarReview) -> list[Refusal]:
    """SAR-M-7: methodology (SAR-M-1), lead reviewer (SAR-M-3), terms of reference
    (SAR-M-5), the lead SAB where more than one (SAR-R-6), a determined mandate
    (SAR-D-8), the involvement plan (SAR-F-1), the s.68 outcome (SAR-F-3)."""
    out: list[Refusal] = []
    guard(out, review.methodology is not None, "SAR-M-1", "no methodology is chosen")
    waivable(
        out, review, review.lead_reviewer is not None, "SAR-M-3", "no lead reviewer is appointed"
    )
    waivable(out, review, review.terms is not None, "SAR-M-5", "no terms of reference are agreed")
    areas = {a.area for a in review.referral.adults if a.area}
    waivable(
        out,
        review,
        len(areas) <= 1 or bool(review.lead_sab),
        "SAR-R-6",
        "more than one SAB may have an interest: agree the lead SAB",
    )
    mandate = review.mandate
    guard(
        out,
        mandate is not None and mandate.kind is not MandateKind.UNDETERMINED,
        "SAR-D-8",
        "the mandate is undetermined: resolve it before commissioning",
    )
    guard(out, bool(review.involvement), "SAR-F-1", "the involvement plan has no one in it")
    for adult in review.living_adults:
        found = [a for a in review.advocacy if a.adult == adult.id]
        guard(
            out,
            bool(found) and found[-1].satisfied,
            "SAR-F-3",
            f"the s.68 assessment for {adult.id} is not recorded, or the advocate it requires"
            " is not arranged",
        )
    if review.methodology is not None and review.methodology.has_panel:
        seated = set(review.panel_members)
        for agency in review.agency_codes:
            waivable(
                out,
                review,
                agency in seated,
                "SAR-M-4",
                f"agency {agency} is not represented on the panel",
                subject=agency,
            )
    return out


def check_commission(review: SarReview, cmd: c.CommissionReview, ctx: SarContext) -> list[Refusal]:
    """SAR-M-7 (:func:`commission_problems`)."""
    return commission_problems(review)


def _item(out: list[Refusal], review: SarReview, item: str) -> EvidenceStatus | None:
    plan = review.methodology.plan if review.methodology is not None else ()
    found = next((i for i in plan if i.id == item), None)
    if found is None:
        out.append(Refusal.input(f"{item!r} is not in the evidence plan", "item"))
        return None
    return found.status


def check_receive_evidence(
    review: SarReview, cmd: c.ReceiveEvidence, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-11: an item of the plan, awaited."""
    out: list[Refusal] = []
    status = _item(out, review, cmd.item)
    if status is not None:
        guard(
            out,
            status in (EvidenceStatus.REQUESTED, EvidenceStatus.FURTHER_INFORMATION_REQUESTED),
            "SAR-M-11",
            f"item {cmd.item} is {status.value}, not awaited",
            "item",
        )
    return out


def check_judge_evidence(review: SarReview, cmd: c.JudgeEvidence, ctx: SarContext) -> list[Refusal]:
    """SAR-M-11: judged after receipt (and not dated before it); not sufficient names
    the further information."""
    out: list[Refusal] = []
    status = _item(out, review, cmd.item)
    if status is not None:
        guard(
            out,
            status is EvidenceStatus.RECEIVED,
            "SAR-M-11",
            f"item {cmd.item} is {status.value}: it is judged once received",
            "item",
        )
        plan = review.methodology.plan if review.methodology is not None else ()
        received = next((i.received_on for i in plan if i.id == cmd.item), None)
        day = cmd.occurred_on
        if received is not None and day is not None and day < received:
            message = (
                f"item {cmd.item} cannot have been judged on {day.isoformat()}, before it "
                f"was received ({received.isoformat()})"
            )
            out.append(Refusal("SAR-M-11", message, RefusalKind.INPUT, "occurred_on"))
    if not cmd.sufficient:
        need_text(
            out,
            cmd.further_information,
            "SAR-M-11",
            "further_information",
            "the further information requested",
        )
    return out


def check_accept_evidence(
    review: SarReview, cmd: c.AcceptEvidence, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-11: every plan item sufficient, or waived with reasons."""
    out: list[Refusal] = []
    plan = review.methodology.plan if review.methodology is not None else ()
    guard(out, bool(plan), "SAR-M-2", "the evidence plan is empty")
    for item in plan:
        waivable(
            out,
            review,
            item.status is EvidenceStatus.SUFFICIENT,
            "SAR-M-11",
            f"evidence item {item.id} is {item.status.value}, not sufficient",
            item.id,
            item.id,
        )
    return out


def check_practitioners(
    review: SarReview, cmd: c.RecordPractitionerInvolvement, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-8: how practitioners take part, or why not."""
    out: list[Refusal] = []
    guard(
        out,
        is_text(cmd.how) or is_text(cmd.why_not),
        "SAR-M-8",
        "say how practitioners take part, or why they do not",
        "how",
    )
    return out


def check_cooperation(
    review: SarReview, cmd: c.RecordCooperationIssue, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-6: an involved agency."""
    out: list[Refusal] = []
    if cmd.agency not in review.agency_codes:
        out.append(Refusal.input(f"agency {cmd.agency!r} is not involved", "agency"))
    return out


def check_parallel_process(
    review: SarReview, cmd: c.RegisterParallelProcess, ctx: SarContext
) -> list[Refusal]:
    """SAR-M-10: a new entry, with its agreed coordination."""
    out: list[Refusal] = []
    need_text(out, cmd.process.id, "SAR-M-10", "process.id", "the entry's id")
    guard(
        out,
        all(p.id != cmd.process.id for p in review.parallel_processes),
        "SAR-M-10",
        f"parallel process {cmd.process.id} is registered already",
        "process.id",
    )
    return out


def check_pause(review: SarReview, cmd: c.PauseClock, ctx: SarContext) -> list[Refusal]:
    """SAR-M-10 (names a registered parallel process), SAR-M-12 (reasons)."""
    out: list[Refusal] = []
    guard(
        out,
        any(p.id == cmd.process for p in review.parallel_processes),
        "SAR-M-10",
        "a pause names a registered parallel process",
        "process",
    )
    need_text(out, cmd.reasons, "SAR-M-12", "reasons", "the reasons for pausing")
    guard(out, not review.paused, "SAR-M-12", "the clocks are paused already")
    return out


def check_resume(review: SarReview, cmd: c.ResumeClock, ctx: SarContext) -> list[Refusal]:
    """SAR-M-12: only paused clocks resume, and not before they were paused (the
    engine's rule ``DATE``, as for an SCR)."""
    out: list[Refusal] = []
    guard(out, review.paused, "SAR-M-12", "the clocks are not paused")
    day = cmd.occurred_on
    if review.paused and day is not None and day < review.pauses[-1].started_on:
        paused = review.pauses[-1].started_on.isoformat()
        message = (
            f"resume_clock cannot have happened on {day.isoformat()}, before the clocks "
            f"were paused ({paused})"
        )
        out.append(Refusal("DATE", message, RefusalKind.INPUT, "occurred_on"))
    return out


def check_extend(review: SarReview, cmd: c.ExtendDeadline, ctx: SarContext) -> list[Refusal]:
    """SAR-M-12: reasons; an open deadline of the review (as the SCR's PR-a); a date
    after today and no more than ten years away (``FURTHEST_DAYS``)."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SAR-M-12", "reasons", "the reasons for taking longer")
    need_text(out, cmd.deadline, "SAR-M-12", "deadline", "the deadline")
    if is_text(cmd.deadline):
        found = {d.key: d for d in sar_deadlines(review, ctx.settings, ctx.today)}
        deadline = found.get(cmd.deadline)
        if deadline is None:
            message = (
                f"the review has no deadline {cmd.deadline!r} "
                f"(its deadlines: {', '.join(found) or 'none'})"
            )
            out.append(Refusal("SAR-M-12", message, RefusalKind.INPUT, "deadline"))
        elif not deadline.open:
            message = f"{cmd.deadline} is no longer open ({deadline.status.value})"
            out.append(Refusal("SAR-M-12", message, RefusalKind.GUARD, "deadline"))
    if cmd.new_due <= ctx.today:
        out.append(
            Refusal("SAR-M-12", "the new date must be after today", RefusalKind.INPUT, "new_due")
        )
    elif too_far(cmd.new_due, ctx.today):
        message = "an extension cannot be more than ten years away"
        out.append(Refusal("SAR-M-12", message, RefusalKind.INPUT, "new_due"))
    return out
