"""The §3 criteria (CR-1 … CR-4): the pure ``assess`` function and the engine's guards."""

from __future__ import annotations

import attrs
import pytest

from scr_engine import (
    AlternativeReview,
    CriteriaFacts,
    InvalidRequest,
    ReviewEngine,
    Stage,
    TransitionRefused,
    assess,
)
from scr_engine import commands as c
from support.asserts import assert_refused
from support.builders import (
    BOARD_CHAIR,
    PANEL_CHAIR,
    cr2_facts,
    demo_request,
    full_terms,
    prepare_panel,
    screen,
    submit,
    today,
)

CR1_FACTS = CriteriaFacts(adult_died=True, abuse_or_neglect_factor=True)


# --------------------------------------------------------------------------- CR-1


@pytest.mark.rule("CR-1")
def test_cr1_death_with_abuse_or_neglect_is_a_mandatory_review() -> None:
    """CR-1: the adult died and abuse or neglect is a factor: the criteria are met and
    the review is mandatory, whatever else the case shows."""
    result = assess(CR1_FACTS)
    assert result.met == {"CR-1"}
    assert result.mandatory is True
    assert result.complex is False
    assert any(r.startswith("CR-1 met") and "always" in r for r in result.reasons)


@pytest.mark.rule("CR-1")
@pytest.mark.parametrize(
    "facts",
    [CriteriaFacts(adult_died=True), CriteriaFacts(abuse_or_neglect_factor=True)],
    ids=["death-without-abuse", "abuse-without-death"],
)
def test_cr1_needs_both_death_and_abuse_or_neglect(facts: CriteriaFacts) -> None:
    """CR-1: a death alone, or abuse alone, does not make the review mandatory."""
    result = assess(facts)
    assert "CR-1" not in result.met
    assert result.mandatory is False
    assert any(r.startswith("CR-1 not met") for r in result.reasons)


@pytest.mark.rule("CR-1")
@pytest.mark.parametrize(
    "command",
    [
        c.Decline("The family do not want a review."),
        c.RecommendAlternative(AlternativeReview.INDIVIDUAL_PRACTICE_REVIEW, "One agency only."),
        c.RecommendAlternative(AlternativeReview.NEAR_MISS_REVIEW, "Nobody was harmed."),
    ],
    ids=["decline", "individual-practice", "near-miss"],
)
def test_cr1_case_cannot_be_declined_or_redirected(
    engine: ReviewEngine, command: c.Command
) -> None:
    """CR-1: screening a death-with-neglect request can only confirm an SCR: declining
    or redirecting it is refused citing CR-1, and the review stays ``requested``."""
    review = submit(engine)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, command, BOARD_CHAIR)
    assert "CR-1" in refused.value.rules
    assert engine.get(review.id).stage is Stage.REQUESTED
    confirmed = engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
    assert confirmed.stage is Stage.SCREENED


@pytest.mark.rule("CR-1")
def test_cr1_found_by_the_chair_also_binds(engine: ReviewEngine) -> None:
    """CR-1: when the Chair's own assessment finds the death and neglect that the form
    did not state, the review becomes mandatory and cannot be declined."""
    review = submit(engine, demo_request(facts=CriteriaFacts()))
    assessed = engine.execute(review.id, c.AssessCriteria(CR1_FACTS), BOARD_CHAIR)
    assert assessed.assessment is not None and assessed.assessment.mandatory
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.Decline("No review needed."), BOARD_CHAIR)
    assert refused.value.rules == ("CR-1",)


@pytest.mark.rule("CR-1")
def test_cr1_facts_stated_on_the_form_are_never_dropped(engine: ReviewEngine) -> None:
    """CR-1: what the requester stated as known or suspected stays suspected: an
    assessment with fewer facts still finds the review mandatory."""
    review = submit(engine)  # the form states death and suspected neglect
    assessed = engine.execute(review.id, c.AssessCriteria(CriteriaFacts()), BOARD_CHAIR)
    assert assessed.assessment is not None
    assert assessed.assessment.met >= {"CR-1"}
    assert assessed.assessment.mandatory


# --------------------------------------------------------------------------- CR-2


@pytest.mark.rule("CR-2")
@pytest.mark.parametrize(
    "harm",
    [
        CriteriaFacts(life_threatening_injury=True, abuse_or_neglect_factor=True),
        CriteriaFacts(serious_sexual_abuse=True),
        CriteriaFacts(serious_permanent_impairment=True, abuse_or_neglect_factor=True),
    ],
    ids=["life-threatening-injury", "serious-sexual-abuse", "permanent-impairment"],
)
def test_cr2_serious_harm_with_inter_agency_concern_is_met(harm: CriteriaFacts) -> None:
    """CR-2: each kind of serious harm, together with a concern about how services
    work together, meets the criteria; the same harm without that concern does not."""
    with_concern = assess(attrs.evolve(harm, inter_agency_concern=True))
    assert with_concern.met == {"CR-2"}
    assert not with_concern.mandatory

    without = assess(harm)
    assert without.met == frozenset()
    assert any("CR-2 not met" in r and "work together" in r for r in without.reasons)


@pytest.mark.rule("CR-2")
@pytest.mark.parametrize(
    "facts",
    [
        CriteriaFacts(life_threatening_injury=True, inter_agency_concern=True),
        CriteriaFacts(serious_permanent_impairment=True, inter_agency_concern=True),
    ],
    ids=["injury-not-through-abuse", "impairment-not-through-abuse"],
)
def test_cr2_harm_not_through_abuse_or_neglect_is_not_met(facts: CriteriaFacts) -> None:
    """CR-2: an injury or impairment that did not come through abuse or neglect does not
    meet CR-2, even with the inter-agency concern."""
    assert "CR-2" not in assess(facts).met


@pytest.mark.rule("CR-2")
def test_cr2_harm_without_inter_agency_concern_cannot_be_confirmed(engine: ReviewEngine) -> None:
    """CR-2: on a request whose harm raises no inter-agency concern the Chair's
    ``confirm_review`` is refused (no criterion met, CR-4); with the concern it goes."""
    no_concern = submit(engine, demo_request(facts=cr2_facts(inter_agency_concern=False)))
    engine.execute(no_concern.id, c.AssessCriteria(), BOARD_CHAIR)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(no_concern.id, c.ConfirmReview(), BOARD_CHAIR)
    assert refused.value.rules == ("CR-4",)

    concern = submit(engine, demo_request(facts=cr2_facts()))
    assessed = engine.execute(concern.id, c.AssessCriteria(), BOARD_CHAIR)
    assert assessed.assessment is not None and assessed.assessment.met == {"CR-2"}
    assert engine.execute(concern.id, c.ConfirmReview(), BOARD_CHAIR).stage is Stage.SCREENED


# --------------------------------------------------------------------------- CR-3


@pytest.mark.rule("CR-3")
@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (CriteriaFacts(serious_abuse_in_institution=True), "in an institution"),
        (CriteriaFacts(multiple_abusers=True), "with multiple abusers"),
    ],
    ids=["institution", "multiple-abusers"],
)
def test_cr3_institutional_or_multiple_abusers_is_complex(facts: CriteriaFacts, words: str) -> None:
    """CR-3: serious abuse in an institution or by several abusers meets the criteria
    and flags the review complex, saying why."""
    result = assess(facts)
    assert "CR-3" in result.met
    assert result.complex is True
    assert any(r.startswith("CR-3 met") and words in r for r in result.reasons)


@pytest.mark.rule("CR-3")
def test_cr3_complex_review_needs_case_specific_terms(
    engine: ReviewEngine,
) -> None:
    """CR-3: the initial meeting of a complex review is refused until the terms of
    reference say how they are specific to the case; then the scope is recorded."""
    facts = CriteriaFacts(serious_abuse_in_institution=True, inter_agency_concern=True)
    review = submit(engine, demo_request(facts=facts))
    screened = screen(engine, review.id)
    assert screened.complex
    prepare_panel(engine, review.id, meeting=False)
    terms = attrs.evolve(full_terms(engine.get(review.id), today(engine)), case_specific_scope="")
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    assert refused.value.rules == ("CR-3",)
    assert refused.value.refusals[0].field == "terms.case_specific_scope"
    assert engine.get(review.id).terms_of_reference is None

    scoped = attrs.evolve(terms, case_specific_scope="The home's staffing and its commissioners.")
    held = engine.execute(review.id, c.HoldInitialMeeting(scoped), PANEL_CHAIR)
    assert held.terms_of_reference is not None
    assert held.terms_of_reference.case_specific_scope.startswith("The home's staffing")


@pytest.mark.rule("CR-3")
def test_cr3_ordinary_review_needs_no_case_specific_scope(engine: ReviewEngine) -> None:
    """CR-3: a review that is not complex holds its initial meeting without one."""
    review = submit(engine)
    screen(engine, review.id)
    held = prepare_panel(engine, review.id)
    assert not held.complex
    assert held.terms_of_reference is not None
    assert held.terms_of_reference.case_specific_scope == ""


# --------------------------------------------------------------------------- CR-4


@pytest.mark.rule("CR-4")
def test_cr4_no_criterion_met_gives_readable_reasons_and_alternatives() -> None:
    """CR-4: when nothing is met the assessment says why, one plain sentence per
    criterion, and names what the Chair may recommend instead."""
    result = assess(CriteriaFacts(), notes="Screened at the March meeting.")
    assert result.met == frozenset()
    assert not result.mandatory and not result.complex
    assert [r.split(":")[0] for r in result.reasons] == [
        "CR-1 not met",
        "CR-2 not met",
        "CR-3 not met",
        "CR-4",
    ]
    alternatives = result.reasons[-1]
    assert "Individual Practice Review" in alternatives
    assert "Near Miss Review" in alternatives
    assert "no review" in alternatives
    assert result.notes == "Screened at the March meeting."
    for sentence in result.reasons:
        assert sentence.endswith(".") and "_" not in sentence  # words, not field names


@pytest.mark.rule("CR-4")
def test_cr4_reasons_name_every_criterion_met() -> None:
    """CR-4: the assessment records each criterion met, with a sentence for each."""
    facts = CriteriaFacts(
        adult_died=True,
        abuse_or_neglect_factor=True,
        serious_sexual_abuse=True,
        inter_agency_concern=True,
        multiple_abusers=True,
    )
    result = assess(facts)
    assert result.met == {"CR-1", "CR-2", "CR-3"}
    assert [r.split(":")[0] for r in result.reasons] == ["CR-1 met", "CR-2 met", "CR-3 met"]


@pytest.mark.rule("CR-4")
def test_cr4_assessment_is_recorded_on_the_review(engine: ReviewEngine) -> None:
    """CR-4: ``assess_criteria`` records the assessment and its reasons on the review."""
    review = submit(engine, demo_request(facts=CriteriaFacts()))
    assessed = engine.execute(review.id, c.AssessCriteria(notes="Nothing met."), BOARD_CHAIR)
    assert assessed.assessment == assess(CriteriaFacts(), "Nothing met.")


@pytest.mark.rule("CR-4")
def test_cr4_decline_needs_reasons_and_records_them(engine: ReviewEngine) -> None:
    """CR-4: the Chair may decide on no review, but only with reasons, which are kept."""
    review = submit(engine, demo_request(facts=CriteriaFacts()))
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.Decline("   "), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("CR-4", "reasons")]
    declined = engine.execute(review.id, c.Decline("No criterion of §3 is met."), BOARD_CHAIR)
    assert declined.stage is Stage.NOT_TAKEN_FORWARD
    assert declined.outcome_reasons == "No criterion of §3 is met."


@pytest.mark.rule("CR-4")
def test_cr4_confirming_when_nothing_is_met_is_refused(engine: ReviewEngine) -> None:
    """CR-4: an SCR cannot be confirmed when no criterion is met."""
    review = submit(engine, demo_request(facts=CriteriaFacts()))
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConfirmReview("Let us review anyway."), BOARD_CHAIR)
    assert refused.value.rules == ("CR-4",)
    assert engine.get(review.id).stage is Stage.REQUESTED


def test_an_assessment_without_notes_has_none() -> None:
    from scr_engine.rules.criteria import assess

    assessment = assess(CR1_FACTS)
    assert assessment.notes == ""
    assert assessment.met == {"CR-1"} and assessment.mandatory and not assessment.complex


# --------------------------------------------------------------------------- referral


@pytest.mark.rule("CR-4")
@pytest.mark.parametrize(
    "command", [c.Decline(" "), c.RecommendAlternative("individual_practice_review", " ")]
)
def test_cr4_no_review_or_another_review_needs_reasons(
    engine: ReviewEngine, command: c.Command
) -> None:
    from support.builders import cr2_facts

    review = submit(engine, demo_request(cr2_facts(inter_agency_concern=False)))
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert_refused(engine, review.id, command, BOARD_CHAIR, "CR-4", "reasons", InvalidRequest)
