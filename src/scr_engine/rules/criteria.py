"""The §3 criteria for a Serious Case Review (CR-1 … CR-4), as a pure function."""

from __future__ import annotations

from scr_engine.records import CriteriaAssessment, CriteriaFacts

__all__ = ["assess", "meets_cr1", "meets_cr2", "meets_cr3"]


def meets_cr1(facts: CriteriaFacts) -> bool:
    """CR-1: the adult died and abuse or neglect is known or suspected to be a factor."""
    return facts.adult_died and facts.abuse_or_neglect_factor


def _serious_harm(facts: CriteriaFacts) -> bool:
    return (
        (facts.life_threatening_injury and facts.abuse_or_neglect_factor)
        or facts.serious_sexual_abuse
        or (facts.serious_permanent_impairment and facts.abuse_or_neglect_factor)
    )


def meets_cr2(facts: CriteriaFacts) -> bool:
    """CR-2: serious harm (life-threatening injury through abuse or neglect, serious
    sexual abuse, or serious and permanent impairment through abuse or neglect) *and*
    a concern about how professionals and services work together."""
    return _serious_harm(facts) and facts.inter_agency_concern


def meets_cr3(facts: CriteriaFacts) -> bool:
    """CR-3: serious abuse in an institution, or with multiple abusers."""
    return facts.serious_abuse_in_institution or facts.multiple_abusers


def assess(facts: CriteriaFacts, notes: str = "") -> CriteriaAssessment:
    """Assess the facts of a request against every criterion of §3.

    The result says which criteria are met, whether a review is mandatory (CR-1),
    whether it is complex (CR-3), and why, one plain-English sentence per criterion;
    when none is met it says what the Chair may recommend instead (CR-4).
    """
    met: set[str] = set()
    reasons: list[str] = []

    if meets_cr1(facts):
        met.add("CR-1")
        reasons.append(
            "CR-1 met: the adult died and abuse or neglect is known or suspected to be a "
            "factor, so the Board must always conduct a review."
        )
    elif facts.adult_died:
        reasons.append(
            "CR-1 not met: the adult died, but abuse or neglect is not known or suspected "
            "to be a factor."
        )
    else:
        reasons.append("CR-1 not met: the adult did not die.")

    if meets_cr2(facts):
        met.add("CR-2")
        reasons.append(
            "CR-2 met: the adult suffered serious harm through abuse or neglect and the "
            "case raises concerns about how local professionals and services work together."
        )
    elif _serious_harm(facts):
        reasons.append(
            "CR-2 not met: the adult suffered serious harm, but the case raises no concern "
            "about how local professionals and services work together."
        )
    else:
        reasons.append(
            "CR-2 not met: no life-threatening injury or serious and permanent impairment "
            "through abuse or neglect, and no serious sexual abuse."
        )

    if meets_cr3(facts):
        met.add("CR-3")
        where = []
        if facts.serious_abuse_in_institution:
            where.append("in an institution")
        if facts.multiple_abusers:
            where.append("with multiple abusers")
        reasons.append(
            f"CR-3 met: serious abuse {' and '.join(where)}; the review is complex and its "
            "terms of reference must be specific to the case."
        )
    else:
        reasons.append("CR-3 not met: no serious abuse in an institution or by multiple abusers.")

    if not met:
        reasons.append(
            "CR-4: no criterion is met; the Chair may recommend an Individual Practice "
            "Review, a Near Miss Review, or no review."
        )

    return CriteriaAssessment(
        met=frozenset(met),
        mandatory="CR-1" in met,
        complex="CR-3" in met,
        reasons=tuple(reasons),
        notes=notes,
        facts=facts,
    )
