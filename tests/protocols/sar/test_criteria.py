"""The mandatory test (Care Act 2014 s.44(1)-(3)), per adult and three-valued
(SAR-C-1 to SAR-C-5, SAR-C-8), discretionary reviews (SAR-C-6), no service
precondition (SAR-C-7) and local grounds (SAR-C-9).

s.44(1): "An SAB must arrange for there to be a review of a case involving an adult in
its area with needs for care and support (whether or not the local authority has been
meeting any of those needs) if— (a) there is reasonable cause for concern about how
the SAB, members of it or other persons with relevant functions worked together to
safeguard the adult, and (b) condition 1 or 2 is met."
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    AbuseType,
    AdultAssessment,
    Conjunct,
    Seriousness,
    TestResult,
    TestValue,
    conjunct_d,
    review_test,
)
from scr_engine.protocols.sar.settings import SarSettings
from support.sar import SUBGROUP, Run, adult, assessment, requested

M, N, U = TestValue.MET, TestValue.NOT_MET, TestValue.UNKNOWN
values = st.sampled_from(list(TestValue))


def _a(a: TestValue, b: TestValue, c_: TestValue, c1: TestValue, c2: TestValue) -> AdultAssessment:
    return AdultAssessment("a1", Conjunct(a), Conjunct(b), Conjunct(c_), Conjunct(c1), Conjunct(c2))


@pytest.mark.parametrize(
    ("conjuncts", "expected"),
    [
        ((M, M, M, M, N), TestResult.MET),
        ((M, M, M, N, M), TestResult.MET),
        ((N, M, M, M, N), TestResult.NOT_MET),
        ((M, N, M, M, N), TestResult.NOT_MET),
        ((M, M, N, M, N), TestResult.NOT_MET),
        ((M, M, M, N, N), TestResult.NOT_MET),
        ((U, M, M, M, N), TestResult.UNDETERMINED),
        ((M, U, M, M, N), TestResult.UNDETERMINED),
        ((M, M, U, M, N), TestResult.UNDETERMINED),
        ((M, M, M, U, N), TestResult.UNDETERMINED),
        ((U, N, M, M, M), TestResult.NOT_MET),
    ],
)
def test_each_conjunct_met_not_met_and_unknown_sar_c_1_sar_c_5(
    conjuncts: tuple[TestValue, ...], expected: TestResult
) -> None:
    """SAR-C-1, SAR-C-5: "met if all four are met; not met if any one is not met;
    undetermined otherwise" — each of (a) in its area, (b) needs for care and support,
    (c) reasonable cause for concern, (d) condition 1 or 2, met, not met and unknown."""
    assert _a(*conjuncts).result is expected


@given(values, values, values, values, values)
def test_three_valued_test_over_any_conjuncts_sar_c_5(
    a: TestValue, b: TestValue, c_: TestValue, c1: TestValue, c2: TestValue
) -> None:
    """SAR-C-5 as a property: the result is the three-valued AND of (a)-(c) and the
    three-valued OR of conditions 1 and 2 (SAR-C-1(d))."""
    d = conjunct_d(c1, c2)
    assert d is (M if M in (c1, c2) else N if c1 is N and c2 is N else U)
    result = _a(a, b, c_, c1, c2).result
    four = (a, b, c_, d)
    if N in four:
        assert result is TestResult.NOT_MET
    elif all(v is M for v in four):
        assert result is TestResult.MET
    else:
        assert result is TestResult.UNDETERMINED


@given(st.lists(st.tuples(values, values, values, values, values), min_size=1, max_size=4))
def test_review_is_mandatory_if_any_adult_meets_the_test_sar_c_8(
    adults: list[tuple[TestValue, ...]],
) -> None:
    """SAR-C-8: "The review is mandatory if any of its adults meets C-1"; not met only
    when it is not met for every adult; undetermined otherwise."""
    assessments = tuple(_a(*x) for x in adults)
    results = [a.result for a in assessments]
    found = review_test(assessments)
    if TestResult.MET in results:
        assert found is TestResult.MET
    elif all(r is TestResult.NOT_MET for r in results):
        assert found is TestResult.NOT_MET
    else:
        assert found is TestResult.UNDETERMINED


def test_two_adults_one_met_one_not_makes_the_review_mandatory_sar_c_8() -> None:
    """SAR-C-8, SAR-C-1: two adults of one setting; the one who died from neglect meets
    the test, the other does not: the review is mandatory."""
    run = requested(None, adult("a1"), adult("a2", alive=True))
    run.do(
        SUBGROUP,
        c.AssessCriteria(
            (assessment("a1"), assessment("a2", c_="not_met", cond1="not_met", cond2="unknown"))
        ),
    )
    assert [a.result for a in run.r.assessments] == [TestResult.MET, TestResult.NOT_MET]
    assert run.r.test is TestResult.MET


def test_two_adults_one_unknown_one_not_met_is_undetermined_sar_c_8_sar_c_5() -> None:
    """SAR-C-8, SAR-C-5: one adult not met and one undetermined: undetermined."""
    run = requested(None, adult("a1"), adult("a2"))
    run.do(
        SUBGROUP,
        c.AssessCriteria((assessment("a1", a="unknown"), assessment("a2", b="not_met"))),
    )
    assert run.r.test is TestResult.UNDETERMINED


def test_assessment_may_be_repeated_and_replaces_the_adults_earlier_one_sar_c_5() -> None:
    """SAR-C-5: the Board may reassess as information arrives; the latest counts."""
    run = requested()
    seen = []
    for again in (assessment(a="unknown"), assessment()):
        run.do(SUBGROUP, c.AssessCriteria((again,)))
        seen.append(run.r.test)
    assert seen == [TestResult.UNDETERMINED, TestResult.MET] and len(run.r.assessments) == 1


def test_met_or_not_met_needs_reasons_a_board_can_read_sar_c_5() -> None:
    """SAR-C-5: "with reasons a Board can read" — a met conjunct without reasons is
    refused, naming its field."""
    run = requested()
    bare = assessment(in_area=Conjunct(M, ""))
    refusals = run.refusals(SUBGROUP, c.AssessCriteria((bare,)))
    assert [(r.rule, r.field) for r in refusals] == [("SAR-C-5", "assessments[0].in_area.reasons")]


def test_condition_1_needs_death_date_types_and_basis_sar_c_2() -> None:
    """SAR-C-2, s.44(2): "the adult has died, and … the SAB knows or suspects that the
    death resulted from abuse or neglect" — recorded: date of death, types, basis.
    Every missing item is named at once."""
    run = requested(None, adult("a1", alive=True))
    bad = assessment(died_on=None, knowledge_basis="", abuse_types=frozenset())
    fields = {(r.rule, r.field) for r in run.refusals(SUBGROUP, c.AssessCriteria((bad,)))}
    assert fields == {
        ("SAR-C-2", "assessments[0].condition_1"),
        ("SAR-C-2", "assessments[0].died_on"),
        ("SAR-C-2", "assessments[0].knowledge_basis"),
        ("SAR-C-2", "assessments[0].abuse_types"),
    }


def test_condition_2_needs_a_living_adult_and_what_made_it_serious_sar_c_3() -> None:
    """SAR-C-3, s.44(3): "the adult is still alive, and … has experienced serious abuse
    or neglect"; "other" seriousness needs a reason (the guidance's list is "for
    example")."""
    run = requested()  # the adult died
    bad = assessment(
        cond1="not_met", cond2="met", seriousness=frozenset({Seriousness.OTHER}), died_on=None
    )
    fields = {(r.rule, r.field) for r in run.refusals(SUBGROUP, c.AssessCriteria((bad,)))}
    assert fields == {
        ("SAR-C-3", "assessments[0].condition_2"),
        ("SAR-C-3", "assessments[0].seriousness_other"),
    }
    alive = requested(None, adult("a1", alive=True))
    ok = assessment(cond1="not_met", cond2="met", died_on=None)
    assert alive.refusals(SUBGROUP, c.AssessCriteria((ok,))) == []


def test_financial_abuse_and_self_neglect_are_always_types_sar_c_4() -> None:
    """SAR-C-4: abuse includes financial abuse (s.42(3)) and neglect includes
    self-neglect; both are on the list and count for condition 2."""
    assert {AbuseType.FINANCIAL, AbuseType.SELF_NEGLECT} <= set(AbuseType)
    run = requested(None, adult("a1", alive=True))
    a = assessment(
        cond1="not_met",
        cond2="met",
        abuse_types=frozenset({AbuseType.SELF_NEGLECT, AbuseType.FINANCIAL}),
    )
    run.do(SUBGROUP, c.AssessCriteria((a,)))
    assert run.r.test is TestResult.MET


def test_no_service_or_s42_enquiry_is_required_sar_c_7() -> None:
    """SAR-C-7: "whether or not the local authority has been meeting any of those
    needs" — a referral and assessment without services or a s.42 enquiry pass."""
    run = requested(None, adult("a1"))
    assert run.r.referral.other_processes == ("inquest",)
    run.do(SUBGROUP, c.AssessCriteria((assessment(),)))
    assert run.r.test is TestResult.MET


def test_an_adult_not_on_the_referral_or_twice_is_refused_sar_c_8() -> None:
    """SAR-C-8: criteria are assessed per adult of the review."""
    run = requested()
    refusals = run.refusals(SUBGROUP, c.AssessCriteria((assessment("zz"), assessment("zz"))))
    assert {r.rule for r in refusals} == {"SAR-C-8", "INPUT"}
    assert run.rules(SUBGROUP, c.AssessCriteria(())) == {"SAR-C-8"}


def test_local_grounds_must_be_configured_sar_c_9() -> None:
    """SAR-C-9: local triggers are configured discretionary grounds only."""
    run = requested()
    odd = assessment(local_grounds=("adverse media interest",))
    assert run.rules(SUBGROUP, c.AssessCriteria((odd,))) == {"SAR-C-9"}
    board = Run(SarSettings(local_discretionary_grounds=("adverse media interest",)))
    requested(board)
    assert board.refusals(SUBGROUP, c.AssessCriteria((odd,))) == []
