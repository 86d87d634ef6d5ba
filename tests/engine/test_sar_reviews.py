"""Safeguarding Adults Reviews held by the engine and its stores beside SCRs (issue 23):
one engine, one store, each review judged, advanced, replayed and verified by the
definition it records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import attrs
import pytest

from scr_engine import MemoryStore, ScrEngineError, TransitionRefused
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.history import CorruptHistory, replay
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import AlternativeKind, SarReview
from scr_engine.protocols.sar.settings import SarSettings
from scr_engine.records import Review
from scr_engine.storage.port import ReviewStore
from support import sar as s
from support.sar_engine import EngineRun
from support.stores import KINDS, fresh_store


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    """A fresh store of each kind."""
    with fresh_store(request.param, tmp_path) as made:
        yield made


def _envelope_free(review: SarReview) -> SarReview:
    """The review without what only a stored review has (its id, version, head,
    submitter and the reference the store gave it)."""
    return attrs.evolve(review, id="", version=1, head="", requested_by="", reference="SAR-1")


def test_a_sar_through_the_engine_is_the_definitions_own_run(store: ReviewStore) -> None:
    """A mandatory SAR (SAR-C-8, SAR-D-2) taken to monitoring through the engine and a
    store records exactly what the definition's pure runner records, command for
    command; its history replays to it and the store verifies."""
    stored = s.monitored(EngineRun(store))
    pure = s.monitored()
    assert stored.r.stage == pure.r.stage == "action_plan_monitored"
    assert _envelope_free(stored.r) == _envelope_free(pure.r)
    events = store.history(stored.r.id)
    assert stored.r.version == len(events) and stored.r.head == events[-1].hash
    assert [e.stage_after for e in events][-1] == "action_plan_monitored"
    assert replay(events) == stored.r == store.load(stored.r.id)
    assert stored.engine.verify().ok


def test_one_store_holds_reviews_of_both_protocols(store: ReviewStore) -> None:
    run = s.screened(EngineRun(store))
    scr = run.engine.submit(demo_request(), REQUESTER)
    kinds = {type(r) for r in run.engine.reviews()}
    assert kinds == {Review, SarReview}
    assert run.engine.get(run.r.id) == run.r and run.engine.get(scr.id) == scr
    assert run.r.protocol == "sar" and scr.protocol == "scr"
    # One sequence of references per year, each naming its protocol.
    assert run.r.reference.startswith("SAR-2027-") and scr.reference.startswith("SCR-2027-")
    assert run.r.reference[4:] != scr.reference[4:]
    assert run.engine.by_reference(run.r.reference) == run.r
    assert run.engine.verify().ok


def test_a_sar_refusal_cites_the_sar_rules_and_changes_nothing(store: ReviewStore) -> None:
    """SAR-D-2: an alternative is refused while the test is met (the engine gives the
    definition's reasons, as the pure runner does)."""
    run = s.requested(EngineRun(store))
    run.do(s.SUBGROUP, c.AssessCriteria((s.assessment(),)))
    before = store.history(run.r.id)
    alternative = c.RecommendAlternative(AlternativeKind.LEARNING_EVENT, "a learning event will do")
    pure = s.requested()
    pure.do(s.SUBGROUP, c.AssessCriteria((s.assessment(),)))
    assert run.rules(s.CHAIR, alternative) == pure.rules(s.CHAIR, alternative)
    assert "SAR-D-2" in run.rules(s.CHAIR, alternative)
    with pytest.raises(TransitionRefused) as caught:
        run.engine.execute(run.r.id, alternative, s.CHAIR)
    assert {r.rule for r in caught.value.refusals} == pure.rules(s.CHAIR, alternative)
    assert store.history(run.r.id) == before


def test_a_sar_starts_under_the_boards_sar_settings() -> None:
    """Settings per Board, versioned per review: a SAR records the SAR settings it
    started under, an SCR the SCR's; an engine without a review's SAR settings names
    them rather than guess."""
    board = attrs.evolve(s.DEFAULT_SAR_SETTINGS, version="shire-sar-2027")
    store = MemoryStore()
    run = s.requested(EngineRun(store, protocol_settings=[board]))
    assert run.r.settings_version == "shire-sar-2027"
    assert run.engine.settings_for(run.r) is board
    scr = run.engine.submit(demo_request(), REQUESTER)
    assert scr.settings_version == run.engine.settings.version
    other = EngineRun(store).engine
    with pytest.raises(ScrEngineError, match="shire-sar-2027"):
        other.deadlines(run.r.id)
    known = EngineRun(store, known_settings=[board]).engine
    assert known.deadlines(run.r.id) == run.engine.deadlines(run.r.id)


def test_a_sar_replayed_without_its_settings_is_refused_not_guessed() -> None:
    board = attrs.evolve(s.DEFAULT_SAR_SETTINGS, version="shire-sar-2027")
    run = s.screened(EngineRun(MemoryStore(), protocol_settings=[board]))
    events = run.engine.store.history(run.r.id)
    with pytest.raises(CorruptHistory, match="shire-sar-2027"):
        replay(events)
    assert replay(events, settings=run.engine.settings_for) == run.r


def test_a_sars_deadlines_are_its_definitions_clocks() -> None:
    """SAR-M-12: the review's clock starts when it is confirmed."""
    run = s.screened(EngineRun(MemoryStore()))
    keys = {d.key: d for d in run.engine.deadlines(run.r.id)}
    assert keys["review_complete"].rule == "SAR-M-12"
    assert keys["review_complete"].starts_on == run.r.decision.decided_on  # type: ignore[union-attr]
    rows = run.engine.overdue(as_of=date(2030, 1, 1))
    assert any(row.review_id == run.r.id and row.key == "review_complete" for row in rows)


def test_a_sar_cannot_be_submitted_with_an_scr_form() -> None:
    run = EngineRun(MemoryStore())
    with pytest.raises(Exception) as caught:
        run.engine.submit(demo_request(), s.MANAGER, protocol="sar")
    assert [r.field for r in caught.value.refusals] == ["request"]  # type: ignore[attr-defined]
    assert run.engine.reviews() == []


def test_sar_settings_are_a_settings_class_of_their_own() -> None:
    assert isinstance(s.DEFAULT_SAR_SETTINGS, SarSettings)


def test_a_sars_outputs_are_tasks_in_the_outbox(store: ReviewStore) -> None:
    """SAR-D-5, SAR-D-9: confirming a SAR tells the referrer and each agency, asks each
    agency to secure its records and the business manager to open the involvement
    plan; an agency's ``record_records_secured`` closes its task. The tasks are what
    the history implies: the store verifies."""
    run = s.screened(EngineRun(store))
    pending = run.engine.pending_tasks()
    found = {(t.kind.value, t.agency, t.rule) for t in pending if t.review_id == run.r.id}
    agencies = {a.code for a in s.AGENCIES}
    assert ("notice", "referrer", "SAR-D-5") in found
    assert {a for k, a, r in found if k == "secure_records" and r == "SAR-D-9"} == agencies
    assert {a for k, a, r in found if k == "notice" and r == "SAR-D-5"} == agencies | {"referrer"}
    assert ("notice", "business_manager", "SAR-D-9") in found
    first = sorted(agencies)[0]
    run.do(s.MANAGER, c.RecordRecordsSecured(first))
    left = {(t.kind.value, t.agency) for t in run.engine.pending_tasks()}
    assert ("secure_records", first) not in left and ("notice", first) in left
    assert run.engine.verify().ok


def test_a_variant_ending_in_a_stage_the_stores_do_not_know_is_refused() -> None:
    """A review's tasks are cancelled when it ends, which every store reads from the
    stage code: a definition's ending stages are those codes."""
    from scr_engine.protocols import StageDef
    from scr_engine.protocols.sar import SAR

    archived = StageDef("archived", "Kept for the record", True)
    with pytest.raises(ValueError, match="do not know as ended: archived"):
        SAR.derive("sar-archive", "1", stages=(*SAR.stages, archived))


def test_reviews_are_listed_by_a_sar_s_stages_agencies_and_overdue_deadlines() -> None:
    """``reviews`` filters a SAR by its own stage codes, its agencies' names and its
    own deadlines (SAR-M-12's, running once it is commissioned)."""
    run = s.commissioned(EngineRun(MemoryStore()))
    engine = run.engine
    assert [r.id for r in engine.reviews(stages=["commissioned"])] == [run.r.id]
    assert engine.reviews(stages=["report_drafted"]) == []
    assert [r.id for r in engine.reviews(text="housing association")] == [run.r.id]
    assert engine.reviews(overdue=True) == []
    run.today = date(2029, 1, 1)
    assert [r.id for r in engine.reviews(overdue=True)] == [run.r.id]
