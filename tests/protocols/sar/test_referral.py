"""The referral (SAR-R-1 to SAR-R-6) and information requests under a review
(SAR-I-1 to SAR-I-5; s.45).

s.45(1): "If an SAB requests a person to supply information to it … the person to whom
the request is made must comply with the request if— (a) conditions 1 and 2 are met,
and (b) condition 3 or 4 is met."
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from scr_engine.errors import TransitionRefused
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import Adult, InvolvementEntry, Referral, ReferrerCategory
from scr_engine.protocols.sar.settings import REFERRAL_FIELDS, InformFamily, SarSettings
from scr_engine.states.roles import Role
from support.sar import (
    CHAIR,
    LEAD,
    MANAGER,
    REFERRER,
    SUBGROUP,
    Run,
    adult,
    referral,
    requested,
    screened,
)


def test_anyone_may_refer_and_the_category_is_required_sar_r_1() -> None:
    """SAR-R-1: anyone may refer (the adult, family, the public, the coroner, the SAB
    of its own motion …); the referrer's category is a required field."""
    assert {"adult", "family", "public", "coroner", "sab_own_motion"} <= set(ReferrerCategory)
    run = Run()
    refusals = run.refusals(REFERRER, c.SubmitRequest(referral(referrer_category=None)))
    assert [(r.rule, r.field) for r in refusals] == [("SAR-R-1", "referrer_category")]
    run.do(REFERRER, c.SubmitRequest(referral(referrer_category=ReferrerCategory.PUBLIC)))
    assert run.r.stage == "requested"


def test_a_form_missing_fields_names_every_one_sar_r_2() -> None:
    """SAR-R-2: "A form missing a required field is rejected with a message naming
    every missing field" — and a dead adult needs the date of death."""
    run = Run()
    empty = Referral(ReferrerCategory.FAMILY, adults=(Adult("a1", "A", "", alive=False),))
    fields = {r.field for r in run.refusals(MANAGER, c.SubmitRequest(empty)) if r.rule == "SAR-R-2"}
    assert fields == {*REFERRAL_FIELDS, "adults[0].area", "adults[0].died_on"} - {"adults"}


def test_required_fields_are_a_setting_sar_r_2() -> None:
    """SAR-R-2: which fields are required is a setting."""
    run = Run(SarSettings(referral_required_fields=("adults",)))
    bare = Referral(ReferrerCategory.FAMILY, adults=(adult(),))
    assert run.refusals(MANAGER, c.SubmitRequest(bare)) == []


def test_receipt_acknowledged_once_and_chairs_told_sar_r_3() -> None:
    """SAR-R-3: the receipt date is recorded and acknowledged to the referrer (an
    output); the board_chair and subgroup_chair are told."""
    run = requested()
    assert run.r.received_on == run.today
    run.do(MANAGER, c.AcknowledgeRequest())
    assert run.tasks[-1].rule == "SAR-R-3" and run.tasks[-1].to == "referrer"
    assert run.rules(MANAGER, c.AcknowledgeRequest()) == {"SAR-R-3"}
    run.do(MANAGER, c.RecordChairNotified(run.today))
    assert run.r.chairs_notified_on == run.today


def test_the_chairs_are_told_on_a_real_day_sar_r_3() -> None:
    """SAR-R-3: the day the chairs were told of the referral is neither before the SAB
    received it nor after today; refused naming the field, nothing recorded."""
    run = requested()
    received = run.r.received_on
    for day in (received - timedelta(days=1), run.today + timedelta(days=1)):
        refusals = run.refusals(MANAGER, c.RecordChairNotified(day))
        assert {(r.rule, r.kind.value, r.field) for r in refusals} == {
            ("SAR-R-3", "input", "notified_on")
        }
    assert run.refusals(MANAGER, c.RecordChairNotified(received)) == []


def test_the_chairs_are_told_once_sar_r_3() -> None:
    """SAR-R-3: the chairs' notification is recorded once (as the SCR's RF-3): a second
    is refused as a guard naming the day recorded, and the first day stays."""
    run = requested()
    run.do(MANAGER, c.RecordChairNotified(run.today))
    first = run.r.chairs_notified_on
    refusals = run.refusals(MANAGER, c.RecordChairNotified(run.today))
    assert [(r.rule, r.kind.value, r.field) for r in refusals] == [
        ("SAR-R-3", "guard", "notified_on")
    ]
    assert str(first) in refusals[0].message
    with pytest.raises(TransitionRefused):
        run.do(MANAGER, c.RecordChairNotified(run.today))
    assert run.r.chairs_notified_on == first


def test_scoping_requests_make_the_referral_information_incomplete_sar_r_4() -> None:
    """SAR-R-4: the subgroup may ask agencies for a summary or chronology before the
    decision; each is an information request; while any is outstanding the referral is
    "information incomplete"."""
    run = requested()
    run.do(
        SUBGROUP,
        c.RequestInformation(
            c.InformationKind.VOLUNTARY,
            "nhs",
            "an initial chronology",
            "deciding on a SAR",
            run.today + timedelta(days=21),
            scoping=True,
        ),
    )
    assert run.r.information_outstanding == 1


def test_informing_the_family_follows_the_setting_sar_r_5() -> None:
    """SAR-R-5: whether the family are told of a referral is a setting
    (`inform_family_at_referral`: always, exceptional or never)."""
    run = Run(SarSettings(inform_family_at_referral=InformFamily.NEVER))
    requested(run)
    entry = InvolvementEntry("son", "son", contacted_on=run.today, informed_on=run.today)
    assert run.rules(MANAGER, c.RecordInvolvement(entry)) == {"SAR-R-5"}
    default = requested()
    assert default.refusals(MANAGER, c.RecordInvolvement(entry)) == []


def test_lead_sab_agreed_and_not_a_contributor_sar_r_6() -> None:
    """SAR-R-6: where more than one SAB may have an interest the lead SAB is agreed;
    the others contribute."""
    run = requested()
    assert run.rules(CHAIR, c.AgreeLeadAuthority("Shire", ("Shire",))) == {"SAR-R-6"}
    run.do(CHAIR, c.AgreeLeadAuthority("Shire", ("County",)))
    assert (run.r.lead_sab, run.r.contributing_sabs) == ("Shire", ("County",))


def test_request_record_names_addressee_information_function_sar_i_1() -> None:
    """SAR-I-1: the addressee, what is asked, the SAB function it serves, the due date."""
    run = requested()
    bad = c.RequestInformation(c.InformationKind.VOLUNTARY, "", "", "", run.today - timedelta(1))
    fields = {(r.rule, r.field) for r in run.refusals(MANAGER, bad)}
    assert fields == {
        ("SAR-I-1", "addressee"),
        ("SAR-I-1", "information"),
        ("SAR-I-1", "function"),
        ("SAR-I-1", "due_on"),
    }


def test_a_s45_request_needs_conditions_1_2_and_3_or_4_sar_i_2() -> None:
    """SAR-I-2, s.45(1)-(5): binding only when condition 1 (the function), condition 2
    (likely to have relevant information) and condition 3 or 4 are recorded."""
    run = requested()
    bare = c.RequestInformation(c.InformationKind.S45, "GP", "records", "deciding on a SAR")
    assert {(r.rule, r.field) for r in run.refusals(CHAIR, bare)} == {
        ("SAR-I-2", "function"),
        ("SAR-I-2", "likely_reason"),
        ("SAR-I-2", "relates_to_addressee"),
    }
    cond3 = c.RequestInformation(
        c.InformationKind.S45,
        "GP",
        "records",
        "deciding_on_a_sar",
        likely_reason="treated her",
        relates_to_addressee=True,
    )
    cond4 = c.RequestInformation(
        c.InformationKind.S45,
        "GP",
        "records",
        "deciding_on_a_sar",
        likely_reason="held it",
        earlier_request="IR-1",
    )
    assert run.refusals(CHAIR, cond3) == [] and run.refusals(CHAIR, cond4) == []


def test_only_s45_roles_issue_binding_requests_sar_i_3() -> None:
    """SAR-I-3: s.45 requests are the Board's power (setting `s45_roles`); a lead
    reviewer may ask voluntarily."""
    run = screened()
    s45 = c.RequestInformation(
        c.InformationKind.S45,
        "GP",
        "records",
        "deciding_on_a_sar",
        likely_reason="GP",
        relates_to_addressee=True,
    )
    assert run.rules(LEAD, s45) == {"SAR-I-3"}
    voluntary = c.RequestInformation(c.InformationKind.VOLUNTARY, "GP", "records", "SAR")
    assert run.refusals(LEAD, voluntary) == []
    board = Run(SarSettings(s45_roles=(Role.BOARD_CHAIR,)))
    requested(board)
    assert board.rules(MANAGER, s45) == {"SAR-I-3"}


def test_requests_at_any_open_stage_sar_i_4() -> None:
    """SAR-I-4: before the decision and during the review, never after it ends."""
    ask = c.RequestInformation(c.InformationKind.VOLUNTARY, "GP", "records", "SAR")
    assert requested().refusals(MANAGER, ask) == [] and screened().refusals(MANAGER, ask) == []
