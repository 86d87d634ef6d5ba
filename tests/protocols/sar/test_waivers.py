"""Waivers (SAR-G-6) and withdrawal, and the general principles (SAR-G-3 to SAR-G-5).

SAR-G-6: "A waivable guard can be passed only through a waiver recorded by an
authorised role (setting waiver_roles, default board_chair), with reasons. The report's
governance section lists every waiver." The LGA: the guidance sets "requirements that
Safeguarding Adults Boards must follow".
"""

from __future__ import annotations

from inspect import signature

import attrs
import pytest

from scr_engine.marks import PERSONAL
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.effects import governance
from scr_engine.protocols.sar.records import (
    Adult,
    LeadReviewer,
    Mandate,
    MandateKind,
    Outcome,
    Referral,
    WithdrawReason,
)
from scr_engine.protocols.sar.rules import FIXED, WAIVABLE, Force, sar_rule
from scr_engine.protocols.sar.settings import SarSettings
from scr_engine.states.roles import Role
from support.sar import (
    CHAIR,
    LEAD,
    SUBGROUP,
    Run,
    assessment,
    commissioned,
    ratified,
    requested,
    screened,
)


def test_a_waiver_is_recorded_and_cited_sar_g_6() -> None:
    """SAR-G-6: the waiver names the guard, its reasons, who and when; the guard it
    waives then passes, and the record cites it."""
    run = screened()
    conflicted = LeadReviewer(
        "p1", "Pat", "Independent", declared_involvement=True, involvement="x"
    )
    assert run.rules(CHAIR, c.AppointLeadReviewer(conflicted)) == {"SAR-M-3"}
    run.do(CHAIR, c.RecordWaiver("SAR-M-3", "only reviewer with the expertise; involvement minor"))
    waiver = run.r.waivers[0]
    assert (waiver.rule, waiver.by, waiver.role, waiver.on) == (
        "SAR-M-3",
        CHAIR.id,
        Role.BOARD_CHAIR,
        run.today,
    )
    assert run.r.waived("SAR-M-3")
    run.do(CHAIR, c.AppointLeadReviewer(conflicted))
    assert governance(run.r) == (
        f"SAR-M-3 waived on {run.today.isoformat()} by u-chair (board_chair):"
        " only reviewer with the expertise; involvement minor",
    )


def test_a_per_item_waiver_covers_only_its_item_sar_g_6_sar_m_11() -> None:
    """SAR-G-6, SAR-M-11: a waiver of an evidence item names it and covers no other."""
    run = commissioned()
    assert run.r.methodology is not None
    first, second, third = run.r.methodology.plan
    run.do(CHAIR, c.RecordWaiver("SAR-M-11", "agency dissolved", first.id))
    assert run.r.waived("SAR-M-11", first.id) and not run.r.waived("SAR-M-11", second.id)
    assert {r.field for r in run.refusals(LEAD, c.AcceptEvidence())} == {second.id, third.id}
    assert governance(run.r)[0].startswith(f"SAR-M-11 for {first.id} waived on")


def test_a_waiver_for_the_whole_review_covers_every_item_sar_g_6_sar_m_11() -> None:
    """SAR-G-6, SAR-M-11: a waiver naming no item covers every item of its guard (and
    the guard asked of no item); it covers no other guard."""
    run = commissioned()
    assert run.r.methodology is not None
    items = [item.id for item in run.r.methodology.plan]
    assert not any(run.r.waived("SAR-M-11", item) for item in items)
    run.do(CHAIR, c.RecordWaiver("SAR-M-11", "the agencies were dissolved"))
    assert all(run.r.waived("SAR-M-11", item) for item in items)
    assert run.r.waived("SAR-M-11")
    assert not run.r.waived("SAR-M-3") and not run.r.waived("SAR-M-3", items[0])
    assert run.refusals(LEAD, c.AcceptEvidence()) == []


def test_a_waiver_needs_reasons_and_an_authorised_role_sar_g_6() -> None:
    """SAR-G-6: reasons required; only `waiver_roles` (default board_chair)."""
    run = screened()
    assert run.rules(CHAIR, c.RecordWaiver("SAR-M-3", " ")) == {"SAR-G-6"}
    assert run.rules(SUBGROUP, c.RecordWaiver("SAR-M-3", "x")) == {"SAR-G-6"}
    board = Run(SarSettings(waiver_roles=(Role.SUBGROUP_CHAIR,)))
    screened(board)
    assert board.refusals(SUBGROUP, c.RecordWaiver("SAR-M-3", "x")) == []


@pytest.mark.parametrize("rule", sorted(FIXED))
def test_the_acts_rules_are_never_waivable_sar_g_6(rule: str) -> None:
    """SAR-G-6: waivers are the engine's design for the guidance's "should"; the Act's
    rules (SAR-C-1, SAR-D-2, SAR-F-3 …) are never waived."""
    run = screened()
    assert rule not in WAIVABLE
    assert run.rules(CHAIR, c.RecordWaiver(rule, "please")) == {"SAR-G-6"}
    assert Force.ACT in sar_rule(rule).forces


def test_waivable_guards_are_guidance_or_local_sar_g_6() -> None:
    """SAR-G-6: only guards of the guidance or local practice are waivable."""
    for rid in WAIVABLE:
        r = sar_rule(rid)
        assert Force.ACT not in r.forces and "guard" in {k.value for k in r.kinds}


def test_a_mandatory_sar_cannot_be_withdrawn_for_other() -> None:
    """map.md, `withdraw`: "A mandatory SAR cannot be withdrawn for other" — s.44(1):
    the SAB "must arrange" it (SAR-D-2)."""
    run = screened()
    assert run.r.mandate == Mandate(MandateKind.MANDATORY, 1)
    other = c.Withdraw(WithdrawReason.OTHER, "the Board has no capacity")
    refusals = run.refusals(CHAIR, other)
    assert [(r.rule, r.field) for r in refusals] == [("SAR-D-2", "reason")]


def test_a_discretionary_sar_may_be_withdrawn_for_other_sar_d_2() -> None:
    """SAR-D-2: `other` is allowed only when the mandate is discretionary."""
    run = requested()
    run.do(SUBGROUP, c.AssessCriteria((assessment(c_="not_met"),)))
    run.do(
        CHAIR,
        c.ConfirmReview(Outcome.SAR_DISCRETIONARY, "learning", Mandate(MandateKind.DISCRETIONARY)),
    )
    run.do(CHAIR, c.Withdraw(WithdrawReason.OTHER, "the learning is covered by a thematic review"))
    assert run.r.stage == "withdrawn" and run.r.withdrawal is WithdrawReason.OTHER


def test_withdrawal_categories_need_their_links_sar_d_7_sar_r_6() -> None:
    """Withdraw: merged into another review links it (SAR-D-7); transferred links the
    other SAB (SAR-R-6); criteria not met on new information needs the test not met
    (SAR-D-2); never after sign-off."""
    run = commissioned()
    assert run.rules(CHAIR, c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "DHR")) == {
        "SAR-D-7"
    }
    assert run.rules(CHAIR, c.Withdraw(WithdrawReason.TRANSFERRED_TO_OTHER_SAB, "moved")) == {
        "SAR-R-6"
    }
    assert run.rules(
        CHAIR, c.Withdraw(WithdrawReason.CRITERIA_NOT_MET_ON_NEW_INFORMATION, "new")
    ) == {"SAR-D-2"}
    run.do(
        CHAIR, c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "joint with the DHR", "DHR-4")
    )
    assert run.r.stage == "withdrawn"
    late = ratified()
    assert late.rules(CHAIR, c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "x", "y")) == {
        "MAP"
    }


def test_every_step_is_dated_sar_g_4_sar_g_3() -> None:
    """SAR-G-4 (every step dated, so intervals are visible), SAR-G-3 (who, role, when
    and why are recorded: here on the decision and the waiver)."""
    dated = [cls for cls in c.COMMANDS.values() if "occurred_on" in signature(cls).parameters]
    others = {n for n, cls in c.COMMANDS.items() if cls not in dated}
    assert others == {"record_chair_notified", "record_writer_meeting", "record_family_response"}
    run = screened()
    assert run.r.decision is not None and run.r.decision.decided_on == run.today


def test_the_people_named_on_a_review_are_those_it_records_sar_g_5() -> None:
    """SAR-G-5: the people named on a review (whom the read policy lets read it) are
    who submitted it, its lead reviewer, panel chair and panel members; a post not
    filled names nobody (no empty id)."""
    review = attrs.evolve(requested().r, requested_by="u-ref")
    assert review.named() == frozenset({"u-ref"})
    lead = LeadReviewer("p-lead", "Pat", "Independent")
    full = attrs.evolve(
        review, lead_reviewer=lead, panel_chair="p-chair", panel_members=("p-1", "p-2")
    )
    assert full.named() == frozenset({"u-ref", "p-lead", "p-chair", "p-1", "p-2"})
    assert attrs.evolve(review, requested_by="").named() == frozenset()


def test_personal_data_is_marked_sar_g_5() -> None:
    """SAR-G-5: personal data is marked (published outputs exclude it)."""
    assert attrs.fields_dict(Adult)["name"].metadata.get(PERSONAL)
    assert attrs.fields_dict(Referral)["referrer"].metadata.get(PERSONAL)
    assert attrs.fields_dict(c.ArrangeAdvocate)["advocate"].metadata.get(PERSONAL)
