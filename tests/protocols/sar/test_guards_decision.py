"""The referral, criteria and decision guards refusal by refusal (SAR-R-1, SAR-R-2,
SAR-R-5, SAR-R-6, SAR-C-1 to SAR-C-9, SAR-D-1 to SAR-D-8, SAR-I-1 to SAR-I-3, SAR-F-1,
SAR-F-5).

Each case calls the guard itself and pins every refusal it gives: the rule ID, the
field and the kind, which a caller acts on (the wording is free)."""

from __future__ import annotations

from datetime import timedelta

from attrs import evolve

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar import guards_decision as d
from scr_engine.protocols.sar.information_records import InformationRequest
from scr_engine.protocols.sar.records import (
    Adult,
    AdultAssessment,
    AlternativeKind,
    Conjunct,
    InvolvementEntry,
    InvolvementLevel,
    Mandate,
    MandateKind,
    Outcome,
    SarReview,
    Seriousness,
    TestValue,
)
from scr_engine.protocols.sar.settings import (
    DEFAULT_SAR_SETTINGS,
    REFERRAL_FIELDS,
    InformFamily,
    SarSettings,
)
from support.sar import (
    CHAIR,
    LEAD,
    MANAGER,
    START,
    SUBGROUP,
    adult,
    assessment,
    ctx,
    referral,
    requested,
    screened,
)

IN, G, P = RefusalKind.INPUT, RefusalKind.GUARD, RefusalKind.PERMISSION
MANDATORY_1 = Mandate(MandateKind.MANDATORY, 1)
DISCRETIONARY = Mandate(MandateKind.DISCRETIONARY)


def refused(refusals: list[Refusal]) -> list[tuple[str, str | None, RefusalKind]]:
    """Rule, field and kind of each refusal, in order."""
    return [(r.rule, r.field, r.kind) for r in refusals]


def _requested(*adults: Adult) -> SarReview:
    return requested(None, *adults).r


def _assessed(*assessments: AdultAssessment) -> SarReview:
    return evolve(_requested(), assessments=assessments)


NOT_MET = assessment(cond1="not_met", cond2="not_met")
NO_BASIS = assessment(a="not_met", cond1="not_met", cond2="not_met")
UNKNOWN = assessment(cond1="unknown")


# --- SAR-R-1, SAR-R-2: the referral --------------------------------------------------


def test_a_referral_missing_everything_names_each_field_sar_r_1_sar_r_2() -> None:
    """SAR-R-1 (the category), SAR-R-2 (every required field, an adult's area and, for
    an adult who died, the date of death), each an INPUT refusal on its field."""
    bare = referral(
        referrer_category=None,
        referrer=" ",
        referrer_contact=" ",
        rationale=" ",
        events=(),
        agencies=(),
        other_processes=(),
        adult_or_family_aware=None,
        adults=(adult("a1", area=" "), evolve(adult("a2"), died_on=None)),
    )
    assert refused(d.referral_problems(bare, REFERRAL_FIELDS)) == [
        ("SAR-R-1", "referrer_category", IN),
        ("SAR-R-2", "referrer", IN),
        ("SAR-R-2", "referrer_contact", IN),
        ("SAR-R-2", "events", IN),
        ("SAR-R-2", "rationale", IN),
        ("SAR-R-2", "agencies", IN),
        ("SAR-R-2", "other_processes", IN),
        ("SAR-R-2", "adult_or_family_aware", IN),
        ("SAR-R-2", "adults[0].area", IN),
        ("SAR-R-2", "adults[1].died_on", IN),
    ]


def test_the_adult_or_family_may_not_know_of_the_referral_sar_r_2() -> None:
    """SAR-R-2: "whether the adult or family know" is required, and "no" is an answer."""
    assert d.referral_problems(referral(adult_or_family_aware=False), REFERRAL_FIELDS) == []
    assert d.referral_problems(referral(), REFERRAL_FIELDS) == []


# --- SAR-C-1 to SAR-C-9: the assessment ----------------------------------------------


def test_an_assessment_of_no_adult_or_one_twice_sar_c_8() -> None:
    """SAR-C-8: at least one adult, each once; an adult of the referral."""
    review, k = _requested(), ctx(SUBGROUP)
    assert refused(d.check_assess_criteria(review, c.AssessCriteria(()), k)) == [
        ("SAR-C-8", "assessments", IN)
    ]
    twice = c.AssessCriteria((assessment(), assessment(), assessment("zz")))
    assert refused(d.check_assess_criteria(review, twice, k)) == [
        ("SAR-C-8", "assessments[1].adult", IN),
        ("INPUT", "assessments[2].adult", IN),
    ]


def test_condition_1_on_a_living_adult_without_its_record_sar_c_2_sar_c_5() -> None:
    """SAR-C-5 (a conjunct's reasons), SAR-C-2 (condition 1: the adult died, the date,
    the basis, the types), each on its field of the assessment."""
    review = _requested(adult(alive=True))
    bare = assessment(
        in_area=Conjunct(TestValue.MET, " "),
        died_on=None,
        knowledge_basis=" ",
        abuse_types=frozenset(),
    )
    pair = c.AssessCriteria((assessment("zz"), bare))
    assert refused(d.check_assess_criteria(review, pair, ctx(SUBGROUP))) == [
        ("INPUT", "assessments[0].adult", IN),
        ("SAR-C-5", "assessments[1].in_area.reasons", IN),
        ("SAR-C-2", "assessments[1].condition_1", G),
        ("SAR-C-2", "assessments[1].died_on", IN),
        ("SAR-C-2", "assessments[1].knowledge_basis", IN),
        ("SAR-C-2", "assessments[1].abuse_types", IN),
    ]


def test_the_date_of_death_may_come_from_the_referral_sar_c_2() -> None:
    """SAR-C-2: the date of death is the assessment's or the referral's."""
    undated = c.AssessCriteria((assessment(died_on=None),))
    assert d.check_assess_criteria(_requested(), undated, ctx(SUBGROUP)) == []


def test_condition_2_on_an_adult_who_died_without_its_record_sar_c_3() -> None:
    """SAR-C-3: condition 2 needs a living adult, what made it serious (and the reason
    for "other"), the types of abuse or neglect."""
    bare = assessment(
        cond1="not_met", cond2="met", seriousness=frozenset(), abuse_types=frozenset()
    )
    assert refused(
        d.check_assess_criteria(_requested(), c.AssessCriteria((bare,)), ctx(SUBGROUP))
    ) == [
        ("SAR-C-3", "assessments[0].condition_2", G),
        ("SAR-C-3", "assessments[0].seriousness", IN),
        ("SAR-C-3", "assessments[0].abuse_types", IN),
    ]
    other = assessment(cond1="not_met", cond2="met", seriousness=frozenset({Seriousness.OTHER}))
    living = _requested(adult(alive=True))
    assert refused(d.check_assess_criteria(living, c.AssessCriteria((other,)), ctx(SUBGROUP))) == [
        ("SAR-C-3", "assessments[0].seriousness_other", IN)
    ]
    said = evolve(other, seriousness_other="lost her home")
    assert d.check_assess_criteria(living, c.AssessCriteria((said,)), ctx(SUBGROUP)) == []


def test_a_local_ground_of_an_assessment_is_configured_sar_c_9() -> None:
    """SAR-C-9: local grounds are the Board's configured ones."""
    local = c.AssessCriteria((assessment(local_grounds=("hoarding",)),))
    assert refused(d.check_assess_criteria(_requested(), local, ctx(SUBGROUP))) == [
        ("SAR-C-9", "assessments[0].local_grounds", IN)
    ]
    board = ctx(SUBGROUP, settings=SarSettings(local_discretionary_grounds=("hoarding",)))
    assert d.check_assess_criteria(_requested(), local, board) == []


# --- SAR-D-1 to SAR-D-8: the decision ------------------------------------------------


def test_recommendation_and_reopening_need_reasons_sar_d_1_sar_d_6() -> None:
    """SAR-D-1 (a recommendation's reasons), SAR-D-6 (a reopening's)."""
    review, k = _requested(), ctx(SUBGROUP)
    recommend = c.RecommendDecision(Outcome.SAR_MANDATORY, " ")
    assert refused(d.check_recommend_decision(review, recommend, k)) == [("SAR-D-1", "reasons", IN)]
    assert refused(d.check_reopen(review, c.ReopenRequest(" "), k)) == [("SAR-D-6", "reasons", IN)]


def test_confirming_something_other_than_a_sar_is_refused_sar_d_2_sar_d_3_sar_c_5() -> None:
    """SAR-D-3 (reasons), SAR-C-5 (an assessment first), SAR-D-2 (confirm_review
    arranges a SAR: INPUT on ``outcome``, nothing else judged)."""
    confirm = c.ConfirmReview(Outcome.NO_REVIEW, " ", MANDATORY_1)
    assert refused(d.check_confirm(_requested(), confirm, ctx(CHAIR))) == [
        ("SAR-D-3", "reasons", IN),
        ("SAR-C-5", None, G),
        ("SAR-D-2", "outcome", IN),
    ]


def test_when_the_test_is_met_only_a_mandatory_sar_of_its_condition_sar_d_2_sar_d_8() -> None:
    """SAR-D-2 (only sar_mandatory, on ``outcome``), SAR-D-8 (the mandate mandatory, of
    a condition met; a mandatory mandate names condition 1 or 2)."""
    review, k = _assessed(assessment()), ctx(CHAIR)
    discretionary = c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "local", DISCRETIONARY)
    assert refused(d.check_confirm(review, discretionary, k)) == [
        ("SAR-D-2", "outcome", G),
        ("SAR-D-8", "mandate", G),
    ]
    wrong = c.ConfirmReview(Outcome.SAR_MANDATORY, "met", Mandate(MandateKind.MANDATORY, 3))
    assert refused(d.check_confirm(review, wrong, k)) == [
        ("SAR-D-8", "mandate", G),
        ("SAR-D-8", "mandate.condition", G),
    ]
    assert (
        d.check_confirm(review, c.ConfirmReview(Outcome.SAR_MANDATORY, "met", MANDATORY_1), k) == []
    )


def test_when_the_test_is_not_met_only_a_discretionary_sar_sar_c_1_sar_c_6_sar_d_8() -> None:
    """SAR-C-1 (only discretionary, on ``outcome``), SAR-D-8 (a discretionary mandate),
    SAR-C-6 (a discretionary outcome or mandate needs (a) and (b) met)."""
    k = ctx(CHAIR)
    mandatory = c.ConfirmReview(Outcome.SAR_MANDATORY, "met", MANDATORY_1)
    assert refused(d.check_confirm(_assessed(NOT_MET), mandatory, k)) == [
        ("SAR-C-1", "outcome", G),
        ("SAR-D-8", "mandate", G),
    ]
    ok = c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "learning", DISCRETIONARY)
    assert d.check_confirm(_assessed(NOT_MET), ok, k) == []
    no_basis = _assessed(NO_BASIS)
    assert refused(d.check_confirm(no_basis, ok, k)) == [("SAR-C-6", "outcome", G)]
    by_mandate = c.ConfirmReview(Outcome.SAR_MANDATORY, "met", DISCRETIONARY)
    assert refused(d.check_confirm(no_basis, by_mandate, k)) == [
        ("SAR-D-8", "mandate", G),
        ("SAR-C-1", "outcome", G),
        ("SAR-C-6", "outcome", G),
    ]
    by_outcome = c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "learning", MANDATORY_1)
    assert refused(d.check_confirm(no_basis, by_outcome, k)) == [
        ("SAR-D-8", "mandate", G),
        ("SAR-D-8", "mandate", G),
        ("SAR-C-6", "outcome", G),
    ]


def test_when_the_test_is_undetermined_the_mandate_is_not_mandatory_sar_d_8() -> None:
    """SAR-D-8: an undetermined test leaves the mandate undetermined or discretionary;
    the mandate states the outcome's duty (a mandatory SAR's undetermined until
    resolved, a discretionary SAR's discretionary)."""
    review, k = _assessed(UNKNOWN), ctx(CHAIR)
    mandatory = c.ConfirmReview(Outcome.SAR_MANDATORY, "met", MANDATORY_1)
    assert refused(d.check_confirm(review, mandatory, k)) == [("SAR-D-8", "mandate", G)]
    undetermined = Mandate(MandateKind.UNDETERMINED)
    pending = c.ConfirmReview(Outcome.SAR_MANDATORY, "to resolve", undetermined)
    assert d.check_confirm(review, pending, k) == []
    loose = c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "learning", undetermined)
    assert refused(d.check_confirm(review, loose, k)) == [("SAR-D-8", "mandate", G)]
    assert d.check_confirm(review, evolve(loose, mandate=DISCRETIONARY), k) == []


def test_a_local_ground_is_configured_and_never_mandatory_sar_c_9() -> None:
    """SAR-C-9: a local ground of the decision is configured, and makes a review only
    discretionary."""
    review = _assessed(assessment())
    grounded = c.ConfirmReview(Outcome.SAR_MANDATORY, "met", MANDATORY_1, local_ground="hoarding")
    assert refused(d.check_confirm(review, grounded, ctx(CHAIR))) == [
        ("SAR-C-9", "local_ground", G),
        ("SAR-C-9", "local_ground", G),
    ]
    board = ctx(CHAIR, settings=SarSettings(local_discretionary_grounds=("hoarding",)))
    assert refused(d.check_confirm(review, grounded, board)) == [("SAR-C-9", "local_ground", G)]
    local = c.ConfirmReview(
        Outcome.SAR_DISCRETIONARY, "local", DISCRETIONARY, local_ground="hoarding"
    )
    assert d.check_confirm(_assessed(NOT_MET), local, board) == []


def test_an_alternative_or_no_review_only_when_the_test_is_not_met_sar_d_2_sar_d_3() -> None:
    """SAR-D-3 (reasons, on ``reasons``), SAR-D-2 (a guard refusal while the test is met
    or undetermined), SAR-C-5 (an assessment first)."""
    k = ctx(CHAIR)
    alternative = c.RecommendAlternative(AlternativeKind.OTHER, " ")
    decline = c.Decline(" ")
    for review in (_assessed(assessment()), _assessed(UNKNOWN)):
        assert refused(d.check_alternative(review, alternative, k)) == [
            ("SAR-D-3", "reasons", IN),
            ("SAR-D-2", None, G),
        ]
        assert refused(d.check_decline(review, decline, k)) == [
            ("SAR-D-3", "reasons", IN),
            ("SAR-D-2", None, G),
        ]
    assert refused(d.check_decline(_requested(), decline, k)) == [
        ("SAR-D-3", "reasons", IN),
        ("SAR-C-5", None, G),
    ]
    assert d.check_decline(_assessed(NOT_MET), c.Decline("not met"), k) == []
    fine = c.RecommendAlternative(AlternativeKind.OTHER, "not met")
    assert d.check_alternative(_assessed(NOT_MET), fine, k) == []


# --- SAR-R-6: the lead SAB -----------------------------------------------------------


def test_the_lead_sab_is_named_and_does_not_also_contribute_sar_r_6() -> None:
    """SAR-R-6: the lead SAB named (``lead_sab``), not among the contributors
    (``contributing``)."""
    review, k = _requested(), ctx(CHAIR)
    assert refused(d.check_agree_lead_authority(review, c.AgreeLeadAuthority(" ", (" ",)), k)) == [
        ("SAR-R-6", "lead_sab", IN),
        ("SAR-R-6", "contributing", G),
    ]
    assert (
        d.check_agree_lead_authority(review, c.AgreeLeadAuthority("Shire", ("Borough",)), k) == []
    )


# --- SAR-I-1 to SAR-I-3: information requests ----------------------------------------


def test_an_information_request_is_recorded_in_full_sar_i_1() -> None:
    """SAR-I-1: addressee, information, function; a due date not before the request
    (the same day is allowed)."""
    review, k = _requested(), ctx(MANAGER)
    kind = c.InformationKind.VOLUNTARY
    bare = c.RequestInformation(kind, " ", " ", " ", due_on=START - timedelta(days=1))
    assert refused(d.check_request_information(review, bare, k)) == [
        ("SAR-I-1", "addressee", IN),
        ("SAR-I-1", "information", IN),
        ("SAR-I-1", "function", IN),
        ("SAR-I-1", "due_on", IN),
    ]
    same_day = c.RequestInformation(kind, "GP", "the notes", "a SAR", due_on=START)
    assert d.check_request_information(review, same_day, k) == []
    # Recorded after the fact: the due date is judged against the day it was sent.
    sent = START - timedelta(days=5)
    late = evolve(same_day, occurred_on=sent, due_on=sent + timedelta(days=2))
    assert d.check_request_information(review, late, k) == []
    assert refused(
        d.check_request_information(review, evolve(late, due_on=sent - timedelta(1)), k)
    ) == [("SAR-I-1", "due_on", IN)]


def test_a_s45_request_meets_its_conditions_and_comes_from_s45_roles_sar_i_2_sar_i_3() -> None:
    """SAR-I-2 (condition 2's reason; condition 3 or 4), SAR-I-3 (only ``s45_roles``: a
    PERMISSION refusal on ``kind``)."""
    review = _requested()
    s45 = c.RequestInformation(c.InformationKind.S45, "GP", "the notes", "a SAR")
    assert refused(d.check_request_information(review, s45, ctx(LEAD))) == [
        ("SAR-I-2", "function", IN),
        ("SAR-I-2", "likely_reason", IN),
        ("SAR-I-2", "relates_to_addressee", G),
        ("SAR-I-3", "kind", P),
    ]
    met = evolve(
        s45,
        function="deciding_on_a_sar",
        likely_reason="she was registered there",
        earlier_request="REQ-1",
    )
    assert d.check_request_information(review, met, ctx(MANAGER)) == []
    # A voluntary request names its purpose in its own words.
    voluntary = evolve(s45, kind=c.InformationKind.VOLUNTARY)
    assert d.check_request_information(review, voluntary, ctx(LEAD)) == []


def test_condition_4_names_an_earlier_s45_request_sar_i_2() -> None:
    """SAR-I-2 condition 4: "another s.45 request". An earlier request of this review
    sent as voluntary does not meet it; a s.45 one does, and a name this review does
    not hold is taken as another review's (the guard sees one review)."""
    k = ctx(MANAGER)
    review = _requested()
    review = evolve(review, information_requests=(_request("IR-1", "voluntary"),))
    onward = c.RequestInformation(
        c.InformationKind.S45,
        "Hospital",
        "the notes the GP passed on",
        "carrying_out_a_sar",
        likely_reason="the GP sent them there",
        earlier_request="IR-1",
    )
    found = d.check_request_information(review, onward, k)
    assert refused(found) == [("SAR-I-2", "earlier_request", G)]
    assert "IR-1 was sent as voluntary" in found[0].message
    binding = evolve(review, information_requests=(_request("IR-1", "s45"),))
    assert d.check_request_information(binding, onward, k) == []
    assert d.check_request_information(review, evolve(onward, earlier_request="IR-9"), k) == []


def _request(request_id: str, kind: str) -> InformationRequest:
    return InformationRequest(request_id, kind, "GP", "deciding_on_a_sar", START)


# --- SAR-F-1, SAR-F-5, SAR-R-5: the involvement plan ---------------------------------


def test_an_involvement_entry_names_the_person_and_the_reasons_sar_f_1_sar_f_5() -> None:
    """SAR-F-1 (person, relationship, why not contacted), SAR-F-5 (why not invited, or
    declined)."""
    review, k = _requested(), ctx(MANAGER)
    bare = InvolvementEntry(" ", " ", invited=False)
    assert refused(d.check_record_involvement(review, c.RecordInvolvement(bare), k)) == [
        ("SAR-F-1", "entry.person_id", IN),
        ("SAR-F-1", "entry.relationship", IN),
        ("SAR-F-1", "entry.not_contacted_reason", IN),
        ("SAR-F-5", "entry.not_invited_reason", IN),
    ]
    declined = InvolvementEntry("sis", "sister", InvolvementLevel.DECLINED, START, invited=True)
    assert refused(d.check_record_involvement(review, c.RecordInvolvement(declined), k)) == [
        ("SAR-F-5", "entry.not_invited_reason", IN)
    ]
    invited = evolve(declined, level=InvolvementLevel.CONTRIBUTE)
    assert d.check_record_involvement(review, c.RecordInvolvement(invited), k) == []
    explained = InvolvementEntry(
        "sis",
        "sister",
        not_contacted_reason="no address known",
        invited=False,
        not_invited_reason="the adult asked that she not be",
    )
    assert d.check_record_involvement(review, c.RecordInvolvement(explained), k) == []


def test_a_board_that_never_tells_the_family_of_a_referral_sar_r_5() -> None:
    """SAR-R-5: with ``inform_family_at_referral: never`` the family is not told while
    the review is only requested; later they may be."""
    never = ctx(MANAGER, settings=SarSettings(inform_family_at_referral=InformFamily.NEVER))
    told = c.RecordInvolvement(
        InvolvementEntry("sis", "sister", contacted_on=START, informed_on=START)
    )
    assert refused(d.check_record_involvement(_requested(), told, never)) == [
        ("SAR-R-5", "entry.informed_on", G)
    ]
    assert d.check_record_involvement(_requested(), told, ctx(MANAGER)) == []
    assert d.check_record_involvement(screened().r, told, never) == []
    assert DEFAULT_SAR_SETTINGS.inform_family_at_referral is not InformFamily.NEVER
