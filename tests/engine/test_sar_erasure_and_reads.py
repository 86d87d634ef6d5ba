"""Erasure and the read policy on Safeguarding Adults Reviews (issue 23: "the erasure
and read-policy tests run on SAR reviews too"). Erasure is the engine's (PR-e for an
SCR), and for a SAR cites SAR-P-7, the records' retention: only an ended review, only
by the Board's chair or business manager, with reasons and a legal basis; every
personal value leaves the review and its history, which keeps verifying."""

from __future__ import annotations

import json

import pytest

from scr_engine import MemoryStore, PermissionDenied, TransitionRefused
from scr_engine.errors import InvalidRequest
from scr_engine.history import replay
from scr_engine.personal import ERASED
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    ParallelProcess,
    ParallelProcessType,
    WithdrawReason,
)
from scr_engine.records import Actor, Role
from scr_engine.serialization import unstructure
from support import sar as s
from support.sar_engine import EngineRun

NAMES = ("Adult a1", "Dr Reed", "reed@example.org")


def _withdrawn() -> EngineRun:
    run = s.screened(EngineRun(MemoryStore()))
    run.do(s.CHAIR, c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "merged", "DHR-7"))
    assert run.r.stage == "withdrawn"
    return run


def _text(run: EngineRun) -> str:
    """Everything the store holds of the review: its record and every event."""
    review = json.dumps(unstructure(run.engine.store.load(run.r.id)))
    events = run.engine.store.history(run.r.id)
    return review + json.dumps([dict(e.payload) for e in events])


def test_an_ended_sar_is_erased_from_its_record_and_history_and_still_verifies() -> None:
    run = _withdrawn()
    assert all(name in _text(run) for name in NAMES)
    erased = run.engine.erase(
        run.r.id, s.CHAIR, reasons="retention period over", legal_basis="UK GDPR Art. 17"
    )
    held = _text(run)
    assert not any(name in held for name in NAMES), held
    assert erased.referral.referrer == ERASED and erased.referral.adults[0].name == ERASED
    assert erased.stage == "withdrawn" and erased.version == run.r.version + 1
    events = run.engine.store.history(run.r.id)
    assert events[-1].command == "erase_personal_data"
    assert replay(events, settings=run.engine.settings_for) == erased
    assert run.engine.verify().ok


def test_an_open_sar_is_not_erased_and_its_refusal_cites_sar_rules() -> None:
    run = s.screened(EngineRun(MemoryStore()))
    before = run.engine.store.history(run.r.id)
    with pytest.raises(TransitionRefused) as caught:
        run.engine.erase(run.r.id, s.CHAIR, reasons="asked", legal_basis="Art. 17")
    assert [r.rule for r in caught.value.refusals] == ["MAP"]
    ended = _withdrawn()
    with pytest.raises(PermissionDenied) as denied:
        ended.engine.erase(ended.r.id, s.SUBGROUP, reasons="asked", legal_basis="Art. 17")
    assert [r.rule for r in denied.value.refusals] == ["SAR-P-7"]
    assert run.engine.store.history(run.r.id) == before


def test_a_sar_erasure_without_reasons_cites_sar_p_7() -> None:
    run = _withdrawn()
    with pytest.raises(InvalidRequest) as caught:
        run.engine.erase(run.r.id, s.CHAIR, reasons=" ", legal_basis="")
    assert {(r.rule, r.field) for r in caught.value.refusals} == {
        ("SAR-P-7", "reasons"),
        ("SAR-P-7", "legal_basis"),
    }


def test_erasing_one_person_across_both_protocols() -> None:
    run = _withdrawn()
    changed = run.engine.erase_person(
        "Dr Reed", s.CHAIR, reasons="asked to be forgotten", legal_basis="UK GDPR Art. 17"
    )
    assert changed == [run.r.id]
    held = _text(run)
    assert "Dr Reed" not in held and "Adult a1" in held
    assert run.engine.verify().ok


def test_a_sar_s_public_export_is_refused_naming_its_publishable_summary() -> None:
    """SAR-P-5, SAR-P-6: what a SAR publishes is its publishable summary; the SCR's
    public export of a SAR is refused (nothing of the SCR's shape is made up for it),
    saying where the SAR's public text is."""
    run = _withdrawn()
    with pytest.raises(TransitionRefused) as refused:
        run.engine.public_export(run.r.id, s.CHAIR)
    (refusal,) = refused.value.refusals
    assert refusal.rule == "MAP" and "publishable-summary" in refusal.message
    assert run.r.reference in refusal.message


def test_the_default_read_policy_on_a_sar() -> None:
    """PR-e as for an SCR: the Board's officers read every SAR, an agency contributor
    the SARs involving their agency, the lead reviewer the SAR they are appointed to,
    a referrer only a SAR they referred."""
    run = s.commissioned(EngineRun(MemoryStore()))
    agency = s.AGENCIES[0].code
    readers = [
        s.CHAIR,
        s.MANAGER,
        s.SUBGROUP,
        s.LEAD,
        s.ADVOCACY,
        Actor("u-c1", "Cara Contributor", {Role.AGENCY_CONTRIBUTOR}, agency),
    ]
    for reader in readers:
        assert run.engine.get(run.r.id, reader) == run.r
    outsiders = [
        Actor("u-c2", "Olly Other", {Role.AGENCY_CONTRIBUTOR}, "not-involved"),
        Actor("u-ref2", "Rob Referrer", {Role.REFERRER}),
        Actor("u-lead2", "Lou Reviewer", {Role.LEAD_REVIEWER}),
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied) as caught:
            run.engine.get(run.r.id, outsider)
        assert [r.rule for r in caught.value.refusals] == ["PR-e"]
        with pytest.raises(PermissionDenied):
            run.engine.execute(run.r.id, c.ReceiveEvidence("chron-asc"), outsider)
    log = run.engine.access_log(review_id=run.r.id)
    assert {e.actor_id for e in log if not e.granted} == {a.id for a in outsiders}


def test_a_parallel_process_contact_stays_out_of_the_tasks_and_is_erased() -> None:
    """PR-e, SAR-D-9: the decision tells each parallel process's SIO or coroner of the
    SAR. The task goes to the process's kind and names its id: the contact (a personal
    value) is not copied into the outbox, where erasure does not reach, so an erased
    review's tasks hold nothing of them and the store still verifies."""
    process = ParallelProcess("pp-1", ParallelProcessType.POLICE, "OP-9", "DI Jane Smith")
    run = s.screened(EngineRun(MemoryStore()), processes=(process,))
    told = [t.task for t in run.engine.tasks(run.r.id) if t.task.agency == "police"]
    assert [t.detail for t in told] == [
        "tell the SIO or coroner of the SAR (parallel process pp-1)"
    ]
    run.do(s.CHAIR, c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "merged", "DHR-7"))
    run.engine.erase(run.r.id, s.CHAIR, reasons="retention over", legal_basis="Art. 17")
    tasks = json.dumps([unstructure(t.task) for t in run.engine.tasks(run.r.id)])
    assert "Jane Smith" not in tasks and "Jane Smith" not in _text(run)
    assert run.engine.verify().ok
