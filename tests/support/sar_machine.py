"""The SAR review as a state machine, driven at random (SAR-D-2, SAR-D-6, SAR-C-1,
SAR-C-5, SAR-C-8, SAR-A-4): whatever order of decisions, assessments, withdrawals,
reopenings and steps along the way the Board takes, and whoever issues them,

- a refused command cites only rules of the SAR's registry and changes nothing;
- an accepted one is a move of the table, landing where the table says;
- a SAR decided while the mandatory test is met is a mandatory SAR, and a review
  redirected or not taken forward is one whose test was not met (SAR-D-2: "Met: only
  `sar_mandatory` is accepted");
- a mandatory SAR is never withdrawn for ``other``;
- a closed review has every action ended and its publication decision carried out
  (SAR-A-4).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from scr_engine.errors import ScrEngineError
from scr_engine.protocols.sar import SAR
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    AlternativeKind,
    Mandate,
    MandateKind,
    Outcome,
    TestResult,
    TestValue,
    WithdrawReason,
    review_test,
)
from scr_engine.protocols.sar.rules import SAR_RULES
from scr_engine.records import Actor
from support.sar import (
    ADVOCACY,
    BOARD,
    CHAIR,
    LEAD,
    MANAGER,
    REFERRER,
    SUBGROUP,
    Run,
    adult,
    assessment,
    commissioned,
    evidence_received,
    monitored,
    ratified,
    referral,
    report_drafted,
)

PEOPLE = (CHAIR, SUBGROUP, MANAGER, LEAD, ADVOCACY, REFERRER, BOARD)
VALUES = st.sampled_from([TestValue.MET] * 4 + [TestValue.NOT_MET, TestValue.UNKNOWN])
"""Conjunct values, mostly met, so that every test result comes up often."""
ALONG = {
    "screened": commissioned,
    "commissioned": evidence_received,
    "evidence_received": report_drafted,
    "report_drafted": ratified,
    "ratified": monitored,
}
"""From a stage, the helper that takes a fresh review along the main line past it."""


class SarMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.run = Run()
        # Two adults who died (SAR-C-8; condition 1 is theirs to meet).
        self.run.do(MANAGER, c.SubmitRequest(referral(adult("a1"), adult("a2"))))
        self.decided_on: TestResult | None = None

    # ------------------------------------------------------------ the one way in

    def issue(self, actor: Actor, command: Any) -> bool:
        before = self.run.review
        assert before is not None
        refusals = self.run.refusals(actor, command)
        for refusal in refusals:
            assert refusal.rule in SAR_RULES, refusal
        if refusals:
            try:
                self.run.do(actor, command)
            except ScrEngineError as exc:
                assert [r.rule for r in getattr(exc, "refusals", [])] == [r.rule for r in refusals]
            else:  # pragma: no cover - a refused command must raise
                raise AssertionError(f"{command.name} was refused and yet accepted")
            assert self.run.review is before
            return False
        test = before.test
        after = self.run.do(actor, command)
        assert SAR.valid_in(before.stage, command.name), (before.stage, command.name)
        assert after.stage == SAR.next_stage(before.stage, command.name)
        if command.name == "confirm_review":
            self.decided_on = test
        return True

    # ------------------------------------------------------------------ rules

    @rule(
        who=st.sampled_from((CHAIR, SUBGROUP, MANAGER)),
        first=st.tuples(VALUES, VALUES, VALUES, VALUES),
        second=st.tuples(VALUES, VALUES, VALUES, VALUES),
    )
    def assess(self, who: Actor, first: tuple[Any, ...], second: tuple[Any, ...]) -> None:
        """SAR-C-5, SAR-C-8: each adult's conjuncts (a)-(c) and condition 1,
        three-valued (condition 2, the living adult's, is not met: both died)."""
        self.issue(
            who,
            c.AssessCriteria((assessment("a1", *first), assessment("a2", *second))),
        )

    @rule(
        outcome=st.sampled_from(list(Outcome)),
        kind=st.sampled_from(list(MandateKind)),
        condition=st.sampled_from([None, 1, 2]),
    )
    def confirm(self, outcome: Outcome, kind: MandateKind, condition: int | None) -> None:
        self.issue(CHAIR, c.ConfirmReview(outcome, "as the Board finds", Mandate(kind, condition)))

    @rule(discretionary=st.booleans())
    def confirm_as_assessed(self, discretionary: bool) -> None:
        """The decision the assessment points to (a mandatory SAR on condition 1 when
        the test is met; otherwise a discretionary one), so that reviews go on."""
        if self.run.r.test is TestResult.MET and not discretionary:
            outcome, mandate = Outcome.SAR_MANDATORY, Mandate(MandateKind.MANDATORY, 1)
        elif self.run.r.test is TestResult.UNDETERMINED:
            outcome, mandate = Outcome.SAR_MANDATORY, Mandate(MandateKind.UNDETERMINED)
        else:
            outcome, mandate = Outcome.SAR_DISCRETIONARY, Mandate(MandateKind.DISCRETIONARY)
        self.issue(CHAIR, c.ConfirmReview(outcome, "as assessed", mandate))

    @rule(kind=st.sampled_from(list(AlternativeKind)))
    def redirect(self, kind: AlternativeKind) -> None:
        self.issue(CHAIR, c.RecommendAlternative(kind, "another review will learn more"))

    @rule()
    def decline(self) -> None:
        self.issue(CHAIR, c.Decline("no review is needed"))

    @rule()
    def reopen(self) -> None:
        """SAR-D-6: back to requested, history intact."""
        if self.issue(CHAIR, c.ReopenRequest("new information from the coroner")):
            self.decided_on = None

    @rule(
        reason=st.sampled_from(list(WithdrawReason)),
        linked=st.sampled_from(["", "DHR-7"]),
        now=st.integers(0, 3),
    )
    def withdraw(self, reason: WithdrawReason, linked: str, now: int) -> None:
        """Now and then (a withdrawal ends the run's interest in later stages)."""
        if now == 0:
            self.issue(CHAIR, c.Withdraw(reason, "as recorded", linked))

    @precondition(lambda self: self.run.r.stage in ALONG)
    @rule()
    def along(self) -> None:
        """The main line's next steps, issued on this review one by one (each judged
        as any other command)."""
        helper = ALONG[self.run.r.stage]
        # A day before the review's: the steps after the confirmation are a day later
        # (``screened``), so a day they record (a contact) is not after the review's.
        shadow = Run(today=self.run.today - timedelta(days=1))
        steps: list[tuple[Actor, Any]] = []
        original = shadow.do

        def record(actor: Actor, command: Any, days: int = 0) -> Any:
            steps.append((actor, command))
            return original(actor, command, days)

        shadow.do = record  # type: ignore[method-assign]
        try:
            helper(shadow)
        except ScrEngineError:
            return
        start = next((i for i, (_, cmd) in enumerate(steps) if cmd.name == "confirm_review"), None)
        for actor, command in steps[(start or 0) + 1 :]:
            self.issue(actor, command)

    @rule(who=st.sampled_from(PEOPLE))
    def close(self, who: Actor) -> None:
        self.issue(who, c.CloseReview())

    # ------------------------------------------------------------- invariants

    @invariant()
    def a_sar_decided_while_the_test_is_met_is_mandatory(self) -> None:
        """SAR-D-2, SAR-C-1: "Met: only sar_mandatory is accepted"."""
        review = self.run.r
        if review.decision is not None and self.decided_on is TestResult.MET:
            assert review.decision.outcome is Outcome.SAR_MANDATORY

    @invariant()
    def only_a_review_whose_test_is_not_met_is_redirected_or_declined(self) -> None:
        """SAR-D-2: undetermined or met refuses `other_learning_review` and `no_review`."""
        review = self.run.r
        if review.stage in ("redirected", "not_taken_forward"):
            assert review_test(review.assessments) is TestResult.NOT_MET

    @invariant()
    def a_mandatory_sar_is_never_withdrawn_for_other(self) -> None:
        review = self.run.r
        decision = review.decision
        if review.stage == "withdrawn" and decision is not None:
            assert decision.outcome is not Outcome.SAR_MANDATORY or (
                review.withdrawal is not WithdrawReason.OTHER
            )

    @invariant()
    def a_closed_review_has_ended_its_actions(self) -> None:
        """SAR-A-4."""
        review = self.run.r
        if review.stage == "closed":
            assert review.in_published_annual_report
            assert all(a.status.value in ("completed", "discontinued") for a in review.actions)
