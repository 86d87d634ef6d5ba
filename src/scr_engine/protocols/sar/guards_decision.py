"""Guards of the referral, the criteria and the decision (``sar/map.md`` §1;
SAR-R, SAR-C, SAR-D, SAR-I-1 to SAR-I-4, SAR-F-1/F-2/F-5 for the involvement plan).

The Act's rules here are hard: the mandatory test and its effect (SAR-C-1, SAR-D-2)
and the care-and-support precondition of a discretionary SAR (SAR-C-6) are never
settings and never waived. Nothing requires services received or a s.42 enquiry
(SAR-C-7).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.guards_common import SarContext, guard, is_text, need_text
from scr_engine.protocols.sar.information_records import SAB_FUNCTIONS
from scr_engine.protocols.sar.records import (
    AdultAssessment,
    MandateKind,
    Outcome,
    Referral,
    SarReview,
    Seriousness,
    TestResult,
    TestValue,
)
from scr_engine.protocols.sar.settings import InformFamily

__all__ = [
    "check_acknowledge",
    "check_agree_lead_authority",
    "check_alternative",
    "check_assess_criteria",
    "check_confirm",
    "check_decline",
    "check_recommend_decision",
    "check_record_involvement",
    "check_reopen",
    "check_request_information",
    "check_submit_request",
    "referral_problems",
]


def referral_problems(referral: Referral, required: tuple[str, ...]) -> list[Refusal]:
    """Every missing field of a referral (SAR-R-1: the referrer's category; SAR-R-2:
    ``required``), each named."""
    out: list[Refusal] = []

    def get(name: str) -> Any:
        return getattr(referral, name, None)

    if get("referrer_category") is None:
        out.append(
            Refusal(
                "SAR-R-1",
                "the referrer's category is required",
                RefusalKind.INPUT,
                "referrer_category",
            )
        )
    texts = {
        "referrer": "the referrer",
        "referrer_contact": "the referrer's contact details",
        "rationale": "how each conjunct of the mandatory test appears to be met",
    }
    for name in required:
        value = get(name)
        if name in texts:
            need_text(out, value, "SAR-R-2", name, texts[name])
        elif name == "adult_or_family_aware":
            if value is None:
                out.append(
                    Refusal(
                        "SAR-R-2",
                        "whether the adult or family know of the referral is required",
                        RefusalKind.INPUT,
                        name,
                    )
                )
        elif not value:
            out.append(
                Refusal("SAR-R-2", f"{name} is required (at least one)", RefusalKind.INPUT, name)
            )
    for n, adult in enumerate(get("adults") or ()):
        if "adults" in required and not is_text(adult.area):
            out.append(
                Refusal(
                    "SAR-R-2",
                    "the adult's area is required",
                    RefusalKind.INPUT,
                    f"adults[{n}].area",
                )
            )
        if not adult.alive and adult.died_on is None:
            out.append(
                Refusal(
                    "SAR-R-2",
                    "an adult who died needs the date of death",
                    RefusalKind.INPUT,
                    f"adults[{n}].died_on",
                )
            )
    return out


def check_submit_request(
    review: SarReview | None, cmd: c.SubmitRequest, ctx: SarContext
) -> list[Refusal]:
    """SAR-R-1, SAR-R-2. No service precondition (SAR-C-7)."""
    return referral_problems(cmd.referral, ctx.settings.referral_required_fields)


def check_acknowledge(
    review: SarReview, cmd: c.AcknowledgeRequest, ctx: SarContext
) -> list[Refusal]:
    """SAR-R-3: acknowledged once."""
    out: list[Refusal] = []
    guard(out, review.acknowledged_on is None, "SAR-R-3", "the referral was acknowledged already")
    return out


def check_chair_notified(
    review: SarReview, cmd: c.RecordChairNotified, ctx: SarContext
) -> list[Refusal]:
    """SAR-R-3: the chairs were told of the referral once, on a real day: not before
    the SAB received it, and not after today."""
    out: list[Refusal] = []
    if review.chairs_notified_on is not None:
        message = f"the chairs were told of the referral on {review.chairs_notified_on} already"
        guard(out, False, "SAR-R-3", message, "notified_on")
    day = cmd.notified_on
    if isinstance(day, date) and day < review.received_on:
        message = (
            f"the chairs cannot have been told on {day.isoformat()}, before the referral "
            f"was received ({review.received_on.isoformat()})"
        )
        out.append(Refusal("SAR-R-3", message, RefusalKind.INPUT, "notified_on"))
    if isinstance(day, date) and day > ctx.today:
        message = f"the chairs cannot have been told on {day.isoformat()}, after today"
        out.append(Refusal("SAR-R-3", message, RefusalKind.INPUT, "notified_on"))
    return out


def _assessment_problems(
    review: SarReview, a: AdultAssessment, n: int, ctx: SarContext
) -> list[Refusal]:
    out: list[Refusal] = []
    at = f"assessments[{n}]"
    adult = review.adult(a.adult)
    if adult is None:
        out.append(Refusal.input(f"adult {a.adult!r} is not on the referral", f"{at}.adult"))
        return out
    for name in (
        "in_area",
        "care_and_support_needs",
        "working_together_concern",
        "condition_1",
        "condition_2",
    ):
        conj = getattr(a, name)
        if conj.value is not TestValue.UNKNOWN and not is_text(conj.reasons):
            out.append(
                Refusal(
                    "SAR-C-5",
                    f"{name} is {conj.value.value}: give reasons a Board can read",
                    RefusalKind.INPUT,
                    f"{at}.{name}.reasons",
                )
            )
    if a.condition_1.value is TestValue.MET:
        guard(
            out,
            not adult.alive,
            "SAR-C-2",
            "condition 1 needs the adult to have died",
            f"{at}.condition_1",
        )
        if a.died_on is None and adult.died_on is None:
            out.append(
                Refusal(
                    "SAR-C-2",
                    "condition 1 needs the date of death",
                    RefusalKind.INPUT,
                    f"{at}.died_on",
                )
            )
        need_text(
            out,
            a.knowledge_basis,
            "SAR-C-2",
            f"{at}.knowledge_basis",
            "the basis of the knowledge or suspicion",
        )
        if not a.abuse_types:
            out.append(
                Refusal(
                    "SAR-C-2",
                    "condition 1 needs the types of abuse or neglect",
                    RefusalKind.INPUT,
                    f"{at}.abuse_types",
                )
            )
    if a.condition_2.value is TestValue.MET:
        guard(
            out,
            adult.alive,
            "SAR-C-3",
            "condition 2 needs the adult to be alive",
            f"{at}.condition_2",
        )
        if not a.seriousness:
            out.append(
                Refusal(
                    "SAR-C-3",
                    "condition 2 needs what made it serious",
                    RefusalKind.INPUT,
                    f"{at}.seriousness",
                )
            )
        if not a.abuse_types:
            out.append(
                Refusal(
                    "SAR-C-3",
                    "condition 2 needs the types of abuse or neglect",
                    RefusalKind.INPUT,
                    f"{at}.abuse_types",
                )
            )
    if Seriousness.OTHER in a.seriousness:
        need_text(
            out,
            a.seriousness_other,
            "SAR-C-3",
            f"{at}.seriousness_other",
            "a reason for 'other' seriousness",
        )
    unknown = [g for g in a.local_grounds if g not in ctx.settings.local_discretionary_grounds]
    if unknown:
        out.append(
            Refusal(
                "SAR-C-9",
                f"not a configured local ground: {', '.join(unknown)}",
                RefusalKind.INPUT,
                f"{at}.local_grounds",
            )
        )
    return out


def check_assess_criteria(
    review: SarReview, cmd: c.AssessCriteria, ctx: SarContext
) -> list[Refusal]:
    """SAR-C-1 to SAR-C-5, SAR-C-8, SAR-C-9: per adult, three-valued; reasons for every
    conjunct met or not met; conditions 1 and 2 recorded as the Act says."""
    out: list[Refusal] = []
    if not cmd.assessments:
        out.append(
            Refusal("SAR-C-8", "assess at least one adult", RefusalKind.INPUT, "assessments")
        )
    seen: set[str] = set()
    for n, a in enumerate(cmd.assessments):
        if a.adult in seen:
            out.append(
                Refusal(
                    "SAR-C-8",
                    f"adult {a.adult!r} is assessed twice",
                    RefusalKind.INPUT,
                    f"assessments[{n}].adult",
                )
            )
        seen.add(a.adult)
        out += _assessment_problems(review, a, n, ctx)
    return out


def check_recommend_decision(
    review: SarReview, cmd: c.RecommendDecision, ctx: SarContext
) -> list[Refusal]:
    """SAR-D-1: a recorded recommendation with reasons."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SAR-D-1", "reasons", "the recommendation's reasons")
    return out


def _assessed(out: list[Refusal], review: SarReview) -> None:
    guard(
        out,
        bool(review.assessments),
        "SAR-C-5",
        "the mandatory test has not been assessed (assess_criteria) for any adult",
    )


def check_confirm(review: SarReview, cmd: c.ConfirmReview, ctx: SarContext) -> list[Refusal]:
    """SAR-D-2: when the test is met only ``sar_mandatory``; SAR-C-6: a discretionary
    SAR needs (a) and (b) met; SAR-D-8: the mandate agrees with the test; SAR-D-3:
    reasons; SAR-C-9: a local ground is configured and discretionary only."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SAR-D-3", "reasons", "the decision's reasons")
    _assessed(out, review)
    if cmd.outcome not in (Outcome.SAR_MANDATORY, Outcome.SAR_DISCRETIONARY):
        out.append(
            Refusal(
                "SAR-D-2",
                "confirm_review arranges a SAR: sar_mandatory or sar_discretionary",
                RefusalKind.INPUT,
                "outcome",
            )
        )
        return out
    test = review.test
    kind = cmd.mandate.kind
    # SAR-D-8: the mandate states the outcome's duty: a mandatory SAR's is mandatory
    # (or undetermined, until resolved), a discretionary SAR's discretionary.
    if cmd.outcome is Outcome.SAR_MANDATORY:
        guard(
            out,
            kind is not MandateKind.DISCRETIONARY,
            "SAR-D-8",
            "a mandatory SAR's mandate is mandatory (or undetermined), not discretionary",
            "mandate",
        )
    else:
        guard(
            out,
            kind is MandateKind.DISCRETIONARY,
            "SAR-D-8",
            "a discretionary SAR's mandate is discretionary",
            "mandate",
        )
    if test is TestResult.MET:
        guard(
            out,
            cmd.outcome is Outcome.SAR_MANDATORY,
            "SAR-D-2",
            "the mandatory test is met: only sar_mandatory is accepted (s.44(1))",
            "outcome",
        )
        conditions = {a.condition for a in review.assessments if a.condition is not None}
        guard(
            out,
            kind is MandateKind.MANDATORY and cmd.mandate.condition in conditions,
            "SAR-D-8",
            f"the mandate must be mandatory, condition {' or '.join(map(str, sorted(conditions)))}",
            "mandate",
        )
    elif test is TestResult.NOT_MET:
        guard(
            out,
            cmd.outcome is Outcome.SAR_DISCRETIONARY,
            "SAR-C-1",
            "the mandatory test is not met for any adult: a SAR can only be discretionary",
            "outcome",
        )
        guard(
            out,
            kind is MandateKind.DISCRETIONARY,
            "SAR-D-8",
            "the mandate must be discretionary when the test is not met",
            "mandate",
        )
    else:
        guard(
            out,
            kind is not MandateKind.MANDATORY,
            "SAR-D-8",
            "the test is undetermined: the mandate is undetermined (or discretionary)",
            "mandate",
        )
    if cmd.outcome is Outcome.SAR_DISCRETIONARY or kind is MandateKind.DISCRETIONARY:
        guard(
            out,
            any(a.discretionary_basis for a in review.assessments),
            "SAR-C-6",
            "a discretionary SAR needs an adult in the area with needs for care and support"
            " (s.44(4)): C-1(a) and (b) met",
            "outcome",
        )
    if kind is MandateKind.MANDATORY:
        guard(
            out,
            cmd.mandate.condition in (1, 2),
            "SAR-D-8",
            "a mandatory mandate names condition 1 or 2",
            "mandate.condition",
        )
    if cmd.local_ground:
        guard(
            out,
            cmd.local_ground in ctx.settings.local_discretionary_grounds,
            "SAR-C-9",
            f"{cmd.local_ground!r} is not a configured local ground",
            "local_ground",
        )
        guard(
            out,
            cmd.outcome is Outcome.SAR_DISCRETIONARY,
            "SAR-C-9",
            "a local ground never makes a review mandatory",
            "local_ground",
        )
    return out


def _not_met_only(out: list[Refusal], review: SarReview, what: str) -> None:
    _assessed(out, review)
    test = review.test
    if review.assessments and test is not TestResult.NOT_MET:
        out.append(
            Refusal(
                "SAR-D-2",
                f"the mandatory test is {test.value}: {what} is refused unless it is not met for"
                " every adult (s.44(1)); gather information or confirm a SAR",
                RefusalKind.GUARD,
            )
        )


def check_alternative(
    review: SarReview, cmd: c.RecommendAlternative, ctx: SarContext
) -> list[Refusal]:
    """SAR-D-2: refused unless the test is not met for every adult; SAR-D-3: reasons."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SAR-D-3", "reasons", "the decision's reasons")
    _not_met_only(out, review, "another learning review")
    return out


def check_decline(review: SarReview, cmd: c.Decline, ctx: SarContext) -> list[Refusal]:
    """SAR-D-2: refused unless the test is not met for every adult; SAR-D-3: reasons."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SAR-D-3", "reasons", "the decision's reasons")
    _not_met_only(out, review, "no review")
    return out


def check_reopen(review: SarReview, cmd: c.ReopenRequest, ctx: SarContext) -> list[Refusal]:
    """SAR-D-6: reasons (new information or a challenge)."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "SAR-D-6", "reasons", "the reasons for reopening")
    return out


def check_agree_lead_authority(
    review: SarReview, cmd: c.AgreeLeadAuthority, ctx: SarContext
) -> list[Refusal]:
    """SAR-R-6: the lead SAB named, not also a contributor."""
    out: list[Refusal] = []
    need_text(out, cmd.lead_sab, "SAR-R-6", "lead_sab", "the lead SAB")
    guard(
        out,
        cmd.lead_sab not in cmd.contributing,
        "SAR-R-6",
        "the lead SAB cannot also contribute",
        "contributing",
    )
    return out


def check_request_information(
    review: SarReview, cmd: c.RequestInformation, ctx: SarContext
) -> list[Refusal]:
    """SAR-I-1 (the record), SAR-I-2 (``s45`` only with conditions 1, 2 and 3 or 4),
    SAR-I-3 (``s45`` only by ``s45_roles``); any open stage (SAR-I-4)."""
    out: list[Refusal] = []
    need_text(out, cmd.addressee, "SAR-I-1", "addressee", "the addressee")
    need_text(out, cmd.information, "SAR-I-1", "information", "what information is asked for")
    need_text(out, cmd.function, "SAR-I-1", "function", "the SAB function the request serves")
    sent = cmd.occurred_on if cmd.occurred_on is not None else ctx.today
    if cmd.due_on is not None and cmd.due_on < sent:
        out.append(
            Refusal(
                "SAR-I-1", "the due date cannot be before the request", RefusalKind.INPUT, "due_on"
            )
        )
    if cmd.kind is c.InformationKind.S45:
        out.extend(_s45_function_and_earlier(review, cmd))
        need_text(
            out,
            cmd.likely_reason,
            "SAR-I-2",
            "likely_reason",
            "condition 2: why the addressee is likely to have relevant information",
        )
        guard(
            out,
            cmd.relates_to_addressee or is_text(cmd.earlier_request),
            "SAR-I-2",
            "a s.45 request needs condition 3 or condition 4 (otherwise send it as voluntary)",
            "relates_to_addressee",
        )
        if ctx.role not in ctx.settings.s45_roles:
            out.append(
                Refusal(
                    "SAR-I-3",
                    "only the Board's s45_roles may issue a s.45 request",
                    RefusalKind.PERMISSION,
                    "kind",
                )
            )
    return out


def _s45_function_and_earlier(review: SarReview, cmd: c.RequestInformation) -> list[Refusal]:
    """SAR-I-2 condition 1: the function named is one of the SAB's (as a disclosure's
    purpose is, SAR-I-6); condition 4: an earlier request of this review that the
    request names is a s.45 one (one of another review is taken as named)."""
    out: list[Refusal] = []
    if is_text(cmd.function) and cmd.function not in SAB_FUNCTIONS:
        out.append(
            Refusal(
                "SAR-I-2",
                "condition 1 names one of the SAB's functions: "
                f"{', '.join(SAB_FUNCTIONS)} (otherwise send it as voluntary)",
                RefusalKind.INPUT,
                "function",
            )
        )
    earlier = review.information_request(cmd.earlier_request.strip())
    if earlier is not None and earlier.kind != c.InformationKind.S45.value:
        out.append(
            Refusal(
                "SAR-I-2",
                f"condition 4 needs an earlier s.45 request; {earlier.id} was sent as "
                f"{earlier.kind}",
                RefusalKind.GUARD,
                "earlier_request",
            )
        )
    return out


def check_record_involvement(
    review: SarReview, cmd: c.RecordInvolvement, ctx: SarContext
) -> list[Refusal]:
    """SAR-F-1 (each person's entry; "not contacted" needs a reason), SAR-F-5 (not
    invited or declined: the reason), SAR-R-5 (``inform_family_at_referral``)."""
    out: list[Refusal] = []
    e = cmd.entry
    need_text(out, e.person_id, "SAR-F-1", "entry.person_id", "the person")
    need_text(out, e.relationship, "SAR-F-1", "entry.relationship", "the relationship to the adult")
    if e.contacted_on is None:
        need_text(
            out,
            e.not_contacted_reason,
            "SAR-F-1",
            "entry.not_contacted_reason",
            "the reason the person was not contacted",
        )
    if e.invited is False or (e.level is not None and e.level.value == "declined"):
        need_text(
            out,
            e.not_invited_reason,
            "SAR-F-5",
            "entry.not_invited_reason",
            "the reason the person was not invited, or declined",
        )
    if review.stage == "requested" and e.informed_on is not None:
        guard(
            out,
            ctx.settings.inform_family_at_referral is not InformFamily.NEVER,
            "SAR-R-5",
            "this Board does not tell the family of a referral (inform_family_at_referral: never)",
            "entry.informed_on",
        )
    return out
