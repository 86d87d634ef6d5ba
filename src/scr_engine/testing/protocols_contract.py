"""The part of the store contract about reviews of every protocol: a Safeguarding
Adults Review, run by the real engine along its main line beside an SCR, is stored,
loaded, listed, replayed and verified as its own record. Part of
:class:`~scr_engine.testing.StoreContract`, which every store's tests subclass."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from scr_engine.clock import FixedClock
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.demo_sar import BOARD_CHAIR, BUSINESS_MANAGER, demo_referral, run_sar_main_line
from scr_engine.engine import ReviewEngine
from scr_engine.history import replay
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import SarReview, WithdrawReason
from scr_engine.records import Review, TaskStatus
from scr_engine.records.envelope import Envelope
from scr_engine.storage.port import ReviewStore

__all__ = ["ProtocolsContract"]

_DAY = date(2026, 3, 2)


def _engine(store: ReviewStore) -> tuple[ReviewEngine, FixedClock]:
    clock = FixedClock(datetime.combine(_DAY, time(9), UTC))
    return ReviewEngine(store, clock), clock


class ProtocolsContract:
    """Tests of reviews of both shipped protocols in one store (mixed into the store
    contract)."""

    def test_a_sar_is_stored_as_its_own_record_beside_an_scr(self, store: ReviewStore) -> None:
        engine, clock = _engine(store)
        sar = run_sar_main_line(engine, lambda: clock.advance(hours=6))
        scr = engine.submit(demo_request(), REQUESTER)
        loaded = store.load(sar.id)
        assert isinstance(loaded, SarReview) and loaded == sar
        assert isinstance(store.load(scr.id), Review)
        assert isinstance(loaded, Envelope) and isinstance(store.load(scr.id), Envelope)
        events = store.history(sar.id)
        assert [e.sequence for e in events] == list(range(1, sar.version + 1))
        assert events[-1].hash == sar.head and events[-1].stage_after == sar.stage
        replayed: Envelope = replay(events)
        assert replayed == sar
        assert store.review_id_of(sar.reference) == sar.id
        assert engine.verify().ok

    def test_a_sars_stage_codes_list_it(self, store: ReviewStore) -> None:
        engine, clock = _engine(store)
        sar = run_sar_main_line(engine, lambda: clock.advance(hours=6))
        listed = store.list_by_stage(sar.stage)
        assert [r.id for r in listed] == [sar.id]
        assert store.list_by_stage("commissioned") == []

    def test_a_sars_stored_parts_agree_with_it(self, store: ReviewStore) -> None:
        engine, clock = _engine(store)
        sar = run_sar_main_line(engine, lambda: clock.advance(hours=6))
        stored = store.stored(sar.id)
        assert stored.review == engine.get(sar.id) == sar and not stored.disagreements
        assert stored.stage in (None, sar.stage) and stored.version in (None, sar.version)
        assert {row.key for row in stored.deadlines} == {d.key for d in engine.deadlines(sar.id)}
        assert stored.tasks and all(t.review_id == sar.id for t in stored.tasks)

    def test_a_sars_tasks_are_pending_until_it_ends(self, store: ReviewStore) -> None:
        engine, _ = _engine(store)
        review = engine.submit(demo_referral(_DAY), BUSINESS_MANAGER, protocol="sar")
        engine.execute(review.id, c.AcknowledgeRequest(), BUSINESS_MANAGER)
        pending = [s for s in store.tasks(review.id) if s.status is TaskStatus.PENDING]
        assert [(s.task.rule, s.task.agency) for s in pending] == [("SAR-R-3", "referrer")]
        merged = c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "merged", "DHR-7")
        engine.execute(review.id, merged, BOARD_CHAIR)
        assert {s.status for s in store.tasks(review.id)} == {TaskStatus.CANCELLED}
        assert store.pending_tasks() == []

    def test_a_sars_tasks_are_listed_at_each_of_its_stages(self, store: ReviewStore) -> None:
        """``tasks`` of a SAR at a stage code the SCR does not have (``commissioned``,
        ``report_drafted`` …) lists them as at any other stage."""
        engine, clock = _engine(store)
        seen: dict[str, list[TaskStatus]] = {}

        def step() -> None:
            clock.advance(hours=6)
            (review_id,) = store.review_ids()
            statuses = [s.status for s in store.tasks(review_id)]
            assert statuses == [s.status for s in engine.tasks(review_id)]
            seen[store.load(review_id).stage] = statuses

        sar = run_sar_main_line(engine, step)
        assert {"commissioned", "report_drafted", sar.stage} <= set(seen)
        assert seen["commissioned"] and TaskStatus.CANCELLED not in seen["commissioned"]
