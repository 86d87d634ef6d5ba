"""The decision on a referral (SAR-D-1 to SAR-D-9) and discretionary reviews
(SAR-C-6, SAR-C-9).

s.44(4): "An SAB may arrange for there to be a review of any other case involving an
adult in its area with needs for care and support". When the mandatory test is met
"the only decision accepted is sar_mandatory" (SAR-C-1, SAR-D-2): the SAB shows
proportionality through a light methodology, never by declining a mandatory SAR.
"""

from __future__ import annotations

import pytest

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    AlternativeKind,
    Mandate,
    MandateKind,
    Outcome,
    TestResult,
)
from scr_engine.protocols.sar.settings import SarSettings
from scr_engine.states.roles import Role
from support.sar import (
    CHAIR,
    MANAGER,
    SUBGROUP,
    Run,
    adult,
    assessment,
    requested,
    screened,
)

MANDATORY_1 = Mandate(MandateKind.MANDATORY, 1)
DISCRETIONARY = Mandate(MandateKind.DISCRETIONARY)
UNDETERMINED = Mandate(MandateKind.UNDETERMINED)


def _assessed(**conjuncts: str) -> Run:
    run = requested(None, adult("a1"))
    run.do(SUBGROUP, c.AssessCriteria((assessment(**conjuncts),)))
    return run


NOT_MET = {"c_": "not_met"}
UNKNOWN = {"c_": "unknown"}


@pytest.mark.parametrize("conjuncts", [{}, UNKNOWN], ids=["met", "undetermined"])
def test_an_alternative_is_refused_when_the_test_is_met_or_undetermined_sar_d_2(
    conjuncts: dict[str, str],
) -> None:
    """SAR-D-2: "Met: only sar_mandatory is accepted. Undetermined:
    other_learning_review and no_review are refused" (s.44(1): the SAB "must arrange")."""
    run = _assessed(**conjuncts)
    alternative = c.RecommendAlternative(AlternativeKind.LEARNING_EVENT, "lighter touch")
    assert run.rules(CHAIR, alternative) == {"SAR-D-2"}
    assert run.rules(CHAIR, c.Decline("not needed")) == {"SAR-D-2"}


def test_alternatives_and_no_review_are_open_when_the_test_is_not_met_sar_d_2() -> None:
    """SAR-D-2: "Not met: sar_discretionary (if C-6 holds), other_learning_review or
    no_review"; the referrer is told (SAR-D-5)."""
    for kind in AlternativeKind:
        run = _assessed(**NOT_MET)
        run.do(CHAIR, c.RecommendAlternative(kind, "a single-agency matter"))
        assert run.r.stage == "redirected" and run.r.decision is not None
        assert run.r.decision.alternative is kind
        assert [t.rule for t in run.tasks] == ["SAR-D-5"]
    run = _assessed(**NOT_MET)
    run.do(CHAIR, c.Decline("no learning"))
    assert run.r.stage == "not_taken_forward"


def test_nothing_decided_before_an_assessment_sar_c_5_sar_d_2() -> None:
    """SAR-C-5, SAR-D-2: no decision on an unassessed referral."""
    run = requested()
    assert "SAR-C-5" in run.rules(CHAIR, c.Decline("no"))
    assert "SAR-C-5" in run.rules(CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "x", MANDATORY_1))


def test_when_met_only_a_mandatory_sar_with_its_condition_is_accepted_sar_c_1_sar_d_8() -> None:
    """SAR-C-1, SAR-D-2, SAR-D-8: met ⇒ sar_mandatory, the mandate naming the condition
    met (condition 1 here); "non-statutory" is not a value."""
    run = _assessed()
    wrong = c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "lighter", DISCRETIONARY)
    assert run.rules(CHAIR, wrong) == {"SAR-D-2", "SAR-D-8"}
    other = c.ConfirmReview(Outcome.SAR_MANDATORY, "met", Mandate(MandateKind.MANDATORY, 2))
    assert run.rules(CHAIR, other) == {"SAR-D-8"}
    run.do(CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "met", MANDATORY_1))
    assert run.r.stage == "screened" and run.r.mandate == MANDATORY_1
    assert {m.value for m in MandateKind} == {"mandatory", "discretionary", "undetermined"}


def test_undetermined_test_may_confirm_a_sar_with_an_undetermined_mandate_sar_d_8() -> None:
    """SAR-D-2, SAR-D-8: undetermined ⇒ the SAB gathers information or confirms a SAR;
    its mandate is `undetermined`, resolved before commissioning."""
    run = _assessed(**UNKNOWN)
    mandatory = c.ConfirmReview(Outcome.SAR_MANDATORY, "cannot rule it out", MANDATORY_1)
    assert run.rules(CHAIR, mandatory) == {"SAR-D-8"}
    run.do(CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "cannot rule it out", UNDETERMINED))
    assert run.r.mandate == UNDETERMINED


def test_discretionary_sar_needs_an_adult_in_area_with_care_needs_sar_c_6() -> None:
    """SAR-C-6, s.44(4): a discretionary SAR "still requires C-1(a) and (b) to be met".
    The Act's rule: never a setting, never waived."""
    run = _assessed(b="not_met")
    confirm = c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "learning", DISCRETIONARY)
    assert run.rules(CHAIR, confirm) == {"SAR-C-6"}
    ok = _assessed(**NOT_MET)
    ok.do(CHAIR, confirm)
    assert ok.r.decision is not None and ok.r.decision.outcome is Outcome.SAR_DISCRETIONARY


def test_a_mandatory_sar_is_refused_when_the_test_is_not_met_sar_c_1() -> None:
    """SAR-C-1: the mandatory outcome needs the test met."""
    run = _assessed(**NOT_MET)
    confirm = c.ConfirmReview(Outcome.SAR_MANDATORY, "wanted", MANDATORY_1)
    assert run.rules(CHAIR, confirm) == {"SAR-C-1", "SAR-D-8"}


def test_local_ground_is_discretionary_only_sar_c_9() -> None:
    """SAR-C-9: local grounds "never make a review mandatory and never displace C-1"."""
    board = Run(SarSettings(local_discretionary_grounds=("public concern",)))
    requested(board)
    board.do(SUBGROUP, c.AssessCriteria((assessment(c_="not_met"),)))
    ok = c.ConfirmReview(
        Outcome.SAR_DISCRETIONARY, "public concern", DISCRETIONARY, local_ground="public concern"
    )
    assert board.refusals(CHAIR, ok) == []
    unknown = c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "x", DISCRETIONARY, local_ground="media")
    assert board.rules(CHAIR, unknown) == {"SAR-C-9"}


def test_only_decision_roles_decide_sar_d_1() -> None:
    """SAR-D-1: the board_chair decides (setting `decision_roles`); the subgroup chair
    recommends, with reasons."""
    run = _assessed()
    confirm = c.ConfirmReview(Outcome.SAR_MANDATORY, "met", MANDATORY_1)
    assert run.rules(SUBGROUP, confirm) == {"SAR-D-1"}
    assert run.rules(SUBGROUP, c.RecommendDecision(Outcome.SAR_MANDATORY, " ")) == {"SAR-D-1"}
    run.do(SUBGROUP, c.RecommendDecision(Outcome.SAR_MANDATORY, "test met"))
    assert run.r.recommendation is not None
    board = Run(SarSettings(decision_roles=(Role.SUBGROUP_CHAIR,)))
    requested(board)
    board.do(SUBGROUP, c.AssessCriteria((assessment(),)))
    assert board.rules(CHAIR, confirm) == {"SAR-D-1"}
    board.do(SUBGROUP, confirm)
    assert board.r.stage == "screened"


def test_a_decision_without_reasons_is_refused_sar_d_3() -> None:
    """SAR-D-3: "A decision without reasons is refused"; the record holds the
    per-adult assessment, information considered, agencies consulted, who and when."""
    run = _assessed()
    assert run.rules(CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "", MANDATORY_1)) == {"SAR-D-3"}
    run.do(
        CHAIR,
        c.ConfirmReview(
            Outcome.SAR_MANDATORY, "met", MANDATORY_1, ("chronologies",), ("asc", "nhs")
        ),
    )
    d = run.r.decision
    assert d is not None and d.decided_by == CHAIR.id and d.decided_on == run.today
    assert d.assessment == run.r.assessments and d.agencies_consulted == ("asc", "nhs")
    assert d.information_considered == ("chronologies",)


def test_confirmation_tells_referrer_and_agencies_and_emits_tasks_sar_d_5_sar_d_9() -> None:
    """SAR-D-5 (referrer and agencies told), SAR-D-9 (each agency notified with the
    s.44(5) duty for members and a request to non-members; records secured; the
    involvement plan opened)."""
    run = screened()
    rules = [t.rule for t in run.tasks]
    assert rules.count("SAR-D-5") == 4 and rules.count("SAR-D-9") == 4
    to = {t.to: t.what for t in run.tasks if t.rule == "SAR-D-5"}
    assert "s.44(5)" in to["asc"] and "request to contribute" in to["housing"]
    off = Run(SarSettings(secure_records_on_decision=False))
    screened(off)
    assert [t for t in off.tasks if t.what == "secure records"] == []


def test_joint_review_is_named_on_the_decision_sar_d_7() -> None:
    """SAR-D-7: a SAR arranged jointly with a DHR names it."""
    run = _assessed()
    run.do(CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "met", MANDATORY_1, joint_with="DHR-12"))
    assert run.r.decision is not None and run.r.decision.joint_with == "DHR-12"


def test_a_declined_referral_can_be_reopened_with_reasons_sar_d_6() -> None:
    """SAR-D-6: a decision role reopens a declined or redirected referral with reasons;
    it returns to `requested` with its history intact."""
    run = _assessed(**NOT_MET)
    run.do(CHAIR, c.Decline("no learning"))
    assert run.rules(CHAIR, c.ReopenRequest(" ")) == {"SAR-D-6"}
    assert run.rules(SUBGROUP, c.ReopenRequest("challenge")) == {"SAR-D-1"}
    run.do(CHAIR, c.ReopenRequest("the family challenged the decision"))
    assert run.r.stage == "requested" and run.r.decision is None
    assert run.r.test is TestResult.NOT_MET  # the assessment is kept
    assert run.rules(MANAGER, c.ReopenRequest("x")) == {"MAP", "SAR-D-1"}
