"""SAR-D-8: the mandate a decision states agrees with its outcome, so that what a
later command reads of the duty (SAR-D-2: a mandatory SAR is never withdrawn for
``other``) is one thing, whichever record it reads."""

from __future__ import annotations

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    Mandate,
    MandateKind,
    Outcome,
    TestValue,
    WithdrawReason,
)
from support.sar import CHAIR, MANAGER, SUBGROUP, Run, adult, assessment, referral

M, N, U = TestValue.MET, TestValue.NOT_MET, TestValue.UNKNOWN


def _undetermined() -> Run:
    """Two adults who died: condition 1 not met for one, unknown for the other."""
    run = Run()
    run.do(MANAGER, c.SubmitRequest(referral(adult("a1"), adult("a2"))))
    run.do(SUBGROUP, c.AssessCriteria((assessment("a1", M, M, M, N), assessment("a2", M, M, M, U))))
    return run


def test_a_mandatory_sar_with_a_discretionary_mandate_is_refused() -> None:
    """SAR-D-8: found by the state machine run through the engine: a SAR confirmed as
    mandatory with a discretionary mandate could then be withdrawn for ``other``."""
    run = _undetermined()
    mixed = c.ConfirmReview(
        Outcome.SAR_MANDATORY, "as the Board finds", Mandate(MandateKind.DISCRETIONARY)
    )
    refusals = run.refusals(CHAIR, mixed)
    assert [(r.rule, r.field) for r in refusals if r.rule == "SAR-D-8"] == [("SAR-D-8", "mandate")]
    undetermined = c.ConfirmReview(
        Outcome.SAR_MANDATORY, "as the Board finds", Mandate(MandateKind.UNDETERMINED)
    )
    assert run.rules(CHAIR, undetermined) == set()
    run.do(CHAIR, undetermined)
    withdraw = c.Withdraw(WithdrawReason.OTHER, "as recorded")
    assert "SAR-D-2" in run.rules(CHAIR, withdraw)


def test_a_discretionary_sar_states_a_discretionary_mandate() -> None:
    """SAR-D-8 and SAR-C-6: a discretionary SAR's mandate is discretionary."""
    run = _undetermined()
    wrong = c.ConfirmReview(
        Outcome.SAR_DISCRETIONARY, "the Board chooses to", Mandate(MandateKind.UNDETERMINED)
    )
    assert "SAR-D-8" in run.rules(CHAIR, wrong)
    right = c.ConfirmReview(
        Outcome.SAR_DISCRETIONARY, "the Board chooses to", Mandate(MandateKind.DISCRETIONARY)
    )
    assert "SAR-D-8" not in run.rules(CHAIR, right)
