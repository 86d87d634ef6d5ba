"""The contract every :class:`~scr_engine.storage.port.ReviewStore` must meet.

:class:`StoreContract` is a pytest test class to subclass once per store; it proves
the whole port against data made by the real engine (the fictional reviews of
:mod:`scr_engine.demo`), recorded once through a :class:`RecordingStore` and then
replayed into the store under test (the scenarios: :mod:`scr_engine.testing.scenarios`)::

    from scr_engine.testing import StoreContract

    class TestMyStore(StoreContract):
        def make_store(self) -> ReviewStore:
            return MyStore()

A store that needs set-up and tear-down (a temporary file, a database schema)
overrides the ``store`` fixture instead, and may use any pytest fixture::

    class TestMySqlStore(StoreContract):
        @pytest.fixture
        def store(self, tmp_path: Path) -> Iterator[ReviewStore]:
            with SqlStore(f"sqlite:///{tmp_path / 'scr.db'}", migrate="create") as store:
                yield store

Each test gets a fresh, empty store. The suite needs pytest (``scr_engine[testing]``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from attrs import evolve

from scr_engine import commands as c
from scr_engine.clock import FixedClock
from scr_engine.demo import (
    BUSINESS_MANAGER,
    REQUESTER,
    demo_request,
    run_to_closure,
)
from scr_engine.engine import ReviewEngine
from scr_engine.errors import (
    ConcurrencyConflict,
    IntegrityError,
    InvalidRequest,
    ReviewNotFound,
    StorageError,
)
from scr_engine.history import replay, verify_history
from scr_engine.records import Review, Task, TaskState, TaskStatus
from scr_engine.records.envelope import Envelope
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.states.stages import Stage
from scr_engine.storage.port import DeadlineRow, ReviewStore
from scr_engine.testing.annual_contract import AnnualReportContract
from scr_engine.testing.board_contract import BoardContract
from scr_engine.testing.protocols_contract import ProtocolsContract
from scr_engine.testing.scenarios import (
    FAR_FUTURE,
    START,
    STRANGE_TEXT,
    RecordingStore,
    Save,
    brute_force_overdue,
    closure_saves,
    fulfilment_saves,
    portfolio_saves,
    random_deadline_rows,
    strange_saves,
    submission_saves,
    withdrawal_saves,
)
from scr_engine.testing.webhook_contract import WebhookContract
from scr_engine.webhooks import Webhook

__all__ = [
    "START",
    "STRANGE_TEXT",
    "RecordingStore",
    "Save",
    "StoreContract",
    "brute_force_overdue",
    "closure_saves",
    "portfolio_saves",
    "strange_saves",
    "submission_saves",
    "withdrawal_saves",
]


_WEBHOOK = Webhook("https://council.example/hooks/scr", "/etc/scr/secret", "0123abcd" * 2)


def _pages(store: ReviewStore, as_of: date, within_days: int, limit: int) -> list[DeadlineRow]:
    found: list[DeadlineRow] = []
    after: tuple[date, str, str] | None = None
    for _ in range(10_000):
        page = store.overdue(as_of, within_days, limit=limit, after=after)
        assert len(page) <= limit
        if not page:
            return found
        found.extend(page)
        after = page[-1].sort_key
    raise AssertionError("overdue() pagination does not end")


def _current_rows(saves: Sequence[Save]) -> list[DeadlineRow]:
    """Every review's deadline rows after ``saves``: the last rows given win."""
    latest: dict[str, tuple[DeadlineRow, ...]] = {}
    for save in saves:
        if save.deadlines is not None:
            latest[save.review.id] = save.deadlines
    return [row for rows in latest.values() for row in rows]


def _scr(review: Envelope) -> Review:
    """A saved review of the scenarios, which are the SCR's."""
    assert isinstance(review, Review)
    return review


def _latest(saves: Sequence[Save]) -> dict[str, Envelope]:
    return {save.review.id: save.review for save in saves}


def _tasks(saves: Sequence[Save]) -> list[Task]:
    found = {task.id: task for save in saves for task in save.tasks}
    return sorted(found.values(), key=lambda t: (t.created_at, t.id))


def _snapshot(store: ReviewStore, review_id: str) -> tuple[Any, ...]:
    review = store.load(review_id)
    return (
        review,
        store.history(review_id),
        store.pending_tasks(limit=10_000),
        store.overdue(FAR_FUTURE, limit=10_000),
        store.list_by_stage(review.stage, limit=10_000),
        store.deliveries(limit=10_000),
    )


class StoreContract(AnnualReportContract, BoardContract, ProtocolsContract, WebhookContract):
    """The store contract as pytest tests: subclass it (as ``Test…``) and provide a
    fresh, empty store by overriding :meth:`make_store` or the ``store`` fixture."""

    def make_store(self) -> ReviewStore:
        """A new, empty store of the kind under test."""
        raise NotImplementedError("override make_store() or the store fixture")

    def close_store(self, store: ReviewStore) -> None:
        """Release ``store`` after a test (calls its ``close()`` if it has one)."""
        close: Callable[[], object] | None = getattr(store, "close", None)
        if callable(close):
            close()

    @pytest.fixture
    def store(self) -> Iterator[ReviewStore]:
        """A fresh store for one test."""
        store = self.make_store()
        try:
            yield store
        finally:
            self.close_store(store)

    # ------------------------------------------------------------- shape

    def test_satisfies_the_port(self, store: ReviewStore) -> None:
        assert isinstance(store, ReviewStore)

    # ------------------------------------------------------------- load / save

    def test_every_saved_version_loads_equal(self, store: ReviewStore) -> None:
        saves = closure_saves()
        for save in saves:
            save.apply(store)
            assert store.load(save.review.id) == save.review
        assert store.history("rev-closure") == tuple(s.event for s in saves)

    def test_history_is_in_sequence_order_and_replays_to_the_review(
        self, store: ReviewStore
    ) -> None:
        for save in closure_saves():
            save.apply(store)
        events = store.history("rev-closure")
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert verify_history(events) == []
        assert replay(events) == store.load("rev-closure")
        assert store.load("rev-closure").stage is Stage.CLOSED

    def test_histories_of_reviews_do_not_mix(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        for review_id in _latest(saves):
            expected = tuple(s.event for s in saves if s.review.id == review_id)
            assert store.history(review_id) == expected

    def test_unknown_review_is_not_found(self, store: ReviewStore) -> None:
        for attempt in (store.load, store.history):
            with pytest.raises(ReviewNotFound) as caught:
                attempt("rev-nobody")
            assert caught.value.review_id == "rev-nobody"
        closure_saves()[0].apply(store)
        with pytest.raises(LookupError):
            store.load("rev-nobody")
        with pytest.raises(LookupError):
            store.history("rev-nobody")

    def test_text_is_kept_exactly(self, store: ReviewStore) -> None:
        saves = strange_saves()
        for save in saves:
            save.apply(store)
        review = saves[-1].review
        assert store.load(review.id) == review
        held = store.load(review.id)
        assert isinstance(held, Review)
        assert held.request.other_information == "\n".join(STRANGE_TEXT)
        assert store.history(review.id) == tuple(s.event for s in saves)
        assert store.pending_tasks(limit=10_000) == _tasks(saves)
        assert any("o'brien" in t.agency for t in _tasks(saves))
        assert {t.detail for t in _tasks(saves)} <= set(STRANGE_TEXT)
        assert all(t.detail for t in store.pending_tasks(limit=10_000))
        assert store.overdue(FAR_FUTURE, limit=10_000) == brute_force_overdue(
            _current_rows(saves), FAR_FUTURE
        )
        assert store.list_by_stage(review.stage) == [review]

    # ------------------------------------------------------------- concurrency

    def test_a_stale_expected_version_conflicts(self, store: ReviewStore) -> None:
        first, second = closure_saves()[:2]
        first.apply(store)
        second.apply(store)
        with pytest.raises(ConcurrencyConflict) as caught:
            second.apply(store)
        assert (caught.value.review_id, caught.value.expected, caught.value.actual) == (
            "rev-closure",
            1,
            2,
        )
        assert store.load("rev-closure") == second.review
        assert len(store.history("rev-closure")) == 2

    def test_an_expected_version_ahead_of_the_store_conflicts(self, store: ReviewStore) -> None:
        saves = closure_saves()
        saves[0].apply(store)
        with pytest.raises(ConcurrencyConflict) as caught:
            saves[2].apply(store)
        assert (caught.value.expected, caught.value.actual) == (2, 1)
        assert store.load("rev-closure") == saves[0].review

    def test_a_new_review_clashing_with_a_stored_one_conflicts(self, store: ReviewStore) -> None:
        first = closure_saves()[0]
        first.apply(store)
        with pytest.raises(ConcurrencyConflict) as caught:
            first.apply(store)
        assert (caught.value.expected, caught.value.actual) == (0, 1)
        other = evolve(first, review=evolve(_scr(first.review), reference="SCR-2026-999"))
        with pytest.raises(ConcurrencyConflict):
            other.apply(store)
        assert store.load("rev-closure") == first.review
        assert store.history("rev-closure") == (first.event,)
        assert store.list_by_stage(first.review.stage) == [first.review]

    def test_changing_an_unknown_review_conflicts(self, store: ReviewStore) -> None:
        second = closure_saves()[1]
        with pytest.raises(ConcurrencyConflict) as caught:
            second.apply(store)
        assert (caught.value.expected, caught.value.actual) == (1, 0)
        with pytest.raises(ReviewNotFound):
            store.load("rev-closure")

    def test_a_failed_save_writes_nothing(self, store: ReviewStore) -> None:
        saves = closure_saves()
        at = next(i for i, s in enumerate(saves) if s.tasks)
        # A change that emits tasks and replaces every deadline row too.
        rows = tuple(
            DeadlineRow(
                "rev-closure",
                saves[at].review.reference,
                f"key-{n}",
                "RULE",
                "A running deadline",
                date(2026, 3, n + 1),
                None,
                DeadlineStatus.DUE,
            )
            for n in range(3)
        )
        target = evolve(saves[at], deadlines=rows)
        store.set_webhook(_WEBHOOK)  # so that the outbox is written, or not, with the rest
        for save in saves[:at]:
            save.apply(store)
        before = _snapshot(store, "rev-closure")

        stale = evolve(target, expected_version=target.expected_version - 1)
        with pytest.raises(ConcurrencyConflict):
            stale.apply(store)
        assert _snapshot(store, "rev-closure") == before

        # The version matches but the event does not follow it: refused whole.
        broken = evolve(target, event=evolve(target.event, sequence=target.event.sequence + 5))
        with pytest.raises(StorageError):
            broken.apply(store)
        assert _snapshot(store, "rev-closure") == before

        target.apply(store)
        after = _snapshot(store, "rev-closure")
        assert after[0] == target.review
        assert {t.id for t in after[2]} >= {t.id for t in target.tasks}
        assert {d.task_id for d in after[5]} >= {t.id for t in target.tasks}
        assert after[3] == list(rows)

    def test_bad_deadline_rows_are_refused_whole(self, store: ReviewStore) -> None:
        saves = closure_saves()
        saves[0].apply(store)
        before = _snapshot(store, "rev-closure")
        row = DeadlineRow(
            "rev-closure",
            saves[1].review.reference,
            "key",
            "RULE",
            "A deadline",
            date(2026, 3, 1),
            None,
            DeadlineStatus.DUE,
        )
        foreign = evolve(saves[1], deadlines=(evolve(row, review_id="another-review"),))
        twice = evolve(saves[1], deadlines=(row, evolve(row, title="Again")))
        for bad in (foreign, twice):
            with pytest.raises(StorageError):
                bad.apply(store)
            assert _snapshot(store, "rev-closure") == before

    def test_a_reference_is_used_by_one_review_only(self, store: ReviewStore) -> None:
        first = closure_saves()[0]
        first.apply(store)
        clash = evolve(
            first,
            review=evolve(_scr(first.review), id="rev-other"),
            event=evolve(first.event, review_id="rev-other"),
        )
        with pytest.raises(StorageError):
            clash.apply(store)
        with pytest.raises(ReviewNotFound):
            store.load("rev-other")

    def test_a_review_is_found_by_its_reference(self, store: ReviewStore) -> None:
        first = closure_saves()[0]
        assert store.review_id_of(first.review.reference) is None
        first.apply(store)
        assert store.review_id_of(first.review.reference) == first.review.id
        assert store.review_id_of("SCR-1999-999") is None
        assert store.review_id_of(first.review.reference.lower()) is None

    def test_negative_pages_are_refused(self, store: ReviewStore) -> None:
        with pytest.raises(InvalidRequest):
            store.overdue(date(2026, 1, 1), limit=-1)
        with pytest.raises(InvalidRequest):
            store.list_by_stage(Stage.REQUESTED, limit=-1)
        with pytest.raises(InvalidRequest):
            store.list_by_stage(Stage.REQUESTED, offset=-1)
        with pytest.raises(InvalidRequest):
            store.pending_tasks(limit=-1)
        assert store.overdue(date(2026, 1, 1), limit=0) == []

    # ------------------------------------------------------------- listing

    def test_list_by_stage_orders_by_reference_and_pages(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        latest = _latest(saves)
        for stage in Stage:
            expected = sorted(
                (r for r in latest.values() if r.stage is stage), key=lambda r: r.reference
            )
            assert store.list_by_stage(stage, limit=10_000) == expected
            for offset in range(len(expected) + 1):
                assert (
                    store.list_by_stage(stage, limit=1, offset=offset)
                    == expected[offset : offset + 1]
                )
            assert store.list_by_stage(stage, limit=2, offset=1) == expected[1:3]
        requested = store.list_by_stage(Stage.REQUESTED)
        ids = [r.id for r in requested]
        assert ids.index("rev-z") < ids.index("rev-m")  # by reference, not by ID
        assert store.list_by_stage(Stage.REQUESTED, limit=0) == []

    def test_references_are_unique_and_numbered_per_year(self, store: ReviewStore) -> None:
        assert store.next_reference(2026) == "SCR-2026-001"
        assert store.next_reference(2026) == "SCR-2026-002"
        assert store.next_reference(2027) == "SCR-2027-001"
        more = [store.next_reference(2026) for _ in range(40)]
        assert len(set(more)) == len(more)
        assert more[-1] == "SCR-2026-042"

    # ------------------------------------------------------------- deadlines

    def test_overdue_matches_a_brute_force_filter(self, store: ReviewStore) -> None:
        rng = random.Random(20260202)
        rows: list[DeadlineRow] = []
        for save in submission_saves(12):
            random_rows = random_deadline_rows(rng, save.review)
            evolve(save, deadlines=random_rows).apply(store)
            rows.extend(random_rows)
        assert any(r.running for r in rows) and any(not r.running for r in rows)
        for as_of in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 15), FAR_FUTURE):
            for within in (0, 1, 7, 30):
                expected = brute_force_overdue(rows, as_of, within)
                assert store.overdue(as_of, within, limit=10_000) == expected
                assert store.overdue(as_of, within, limit=3) == expected[:3]
        for as_of, within, limit in ((date(2026, 3, 1), 7, 1), (FAR_FUTURE, 0, 4)):
            expected = brute_force_overdue(rows, as_of, within)
            assert len(expected) > limit
            assert _pages(store, as_of, within, limit) == expected

    def test_overdue_pages_after_any_cursor(self, store: ReviewStore) -> None:
        rng = random.Random(7)
        rows: list[DeadlineRow] = []
        for save in submission_saves(12):
            random_rows = random_deadline_rows(rng, save.review)
            evolve(save, deadlines=random_rows).apply(store)
            rows.extend(random_rows)
        cursors: list[tuple[date, str, str]] = [r.sort_key for r in rows]
        cursors += [
            (date(2026, 3, 1), "", ""),
            (date(2026, 3, 1), "rev-005", ""),
            (date(2026, 3, 1), "rev-005", "imr:asc"),
            (date(2026, 3, 1), "rev-005", "zzz"),
            (date(2026, 1, 1), "zzz", "zzz"),
            (date(2027, 1, 1), "", ""),
        ]
        for after in cursors:
            expected = brute_force_overdue(rows, FAR_FUTURE, after=after)
            assert store.overdue(FAR_FUTURE, limit=10_000, after=after) == expected
            assert store.overdue(FAR_FUTURE, limit=2, after=after) == expected[:2]
        assert store.overdue(FAR_FUTURE, limit=0) == []

    def test_deadline_rows_are_replaced_or_kept(self, store: ReviewStore) -> None:
        first, second, third = closure_saves()[:3]
        rows = random_deadline_rows(random.Random(3), first.review)
        while not any(r.running for r in rows):
            rows = random_deadline_rows(random.Random(len(rows) + 11), first.review)
        evolve(first, deadlines=rows).apply(store)
        assert store.overdue(FAR_FUTURE, limit=100) == brute_force_overdue(rows, FAR_FUTURE)
        evolve(second, deadlines=None).apply(store)  # None: the rows stand
        assert store.overdue(FAR_FUTURE, limit=100) == brute_force_overdue(rows, FAR_FUTURE)
        evolve(third, deadlines=()).apply(store)  # empty: every row goes
        assert store.overdue(FAR_FUTURE, limit=100) == []

    def test_overdue_follows_every_review_s_latest_rows(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        rows = _current_rows(saves)
        assert rows
        for as_of in (START.date(), date(2026, 6, 1), FAR_FUTURE):
            for within in (0, 14):
                expected = brute_force_overdue(rows, as_of, within)
                assert store.overdue(as_of, within, limit=10_000) == expected
                assert _pages(store, as_of, within, 2) == expected

    # ------------------------------------------------------------- tasks

    def test_pending_tasks_oldest_first_until_completed(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        expected = _tasks(saves)
        assert len({t.review_id for t in expected}) >= 2
        assert store.pending_tasks(limit=10_000) == expected
        assert store.pending_tasks(limit=3) == expected[:3]
        assert store.pending_tasks(limit=0) == []
        store.complete_task(expected[0].id)
        assert store.pending_tasks(limit=10_000) == expected[1:]
        store.complete_task(expected[0].id)  # again: harmless
        assert store.pending_tasks(limit=10_000) == expected[1:]
        for task in expected[1:]:
            store.complete_task(task.id)
        assert store.pending_tasks() == []

    def test_pending_tasks_pages_by_their_sort_key(self, store: ReviewStore) -> None:
        """Pages that each start ``after`` the last task of the one before (its
        ``sort_key``: created_at, then id) give every pending task once, in order, for
        any page size; tasks made by one command share their time and follow each other
        by id; a cursor in another time zone means the same instant; a cursor past the
        last task gives nothing; a completed task still marks a place."""
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        expected = _tasks(saves)
        assert len({t.created_at for t in expected}) < len(expected)  # ties, broken by id
        for size in (1, 2, 3, len(expected)):
            found: list[Task] = []
            after: tuple[datetime, str] | None = None
            while page := store.pending_tasks(
                limit=size, **({} if after is None else {"after": after})
            ):
                assert len(page) <= size
                assert len(found) + len(page) <= len(expected), "a page repeated tasks"
                found.extend(page)
                after = page[-1].sort_key
            assert found == expected, size
        middle = expected[len(expected) // 2]
        elsewhere = middle.created_at.astimezone(timezone(timedelta(hours=5, minutes=30)))
        assert (
            store.pending_tasks(limit=10_000, after=(elsewhere, middle.id))
            == expected[len(expected) // 2 + 1 :]
        )
        assert store.pending_tasks(limit=10_000, after=expected[-1].sort_key) == []
        store.complete_task(middle.id)
        assert (
            store.pending_tasks(limit=10_000, after=middle.sort_key)
            == expected[len(expected) // 2 + 1 :]
        )

    def test_rf5_tasks_of_a_withdrawn_review_are_cancelled_pr_d(self, store: ReviewStore) -> None:
        """RF-5, PR-d: once a review is withdrawn its undelivered letters are cancelled:
        ``pending_tasks`` leaves them out, ``tasks`` shows them cancelled (one delivered
        before stays done), and the open review's tasks stay pending."""
        saves = withdrawal_saves()
        *before, withdrawal = saves
        assert withdrawal.review.stage is Stage.WITHDRAWN
        for save in before:
            save.apply(store)
        every = _tasks(saves)
        kept = [t for t in every if t.review_id == "rev-k"]
        ended = [t for t in every if t.review_id == "rev-w"]
        assert kept and len(ended) >= 2
        assert store.pending_tasks(limit=10_000) == every
        assert store.tasks("rev-w") == [TaskState(t, TaskStatus.PENDING) for t in ended]
        store.complete_task(ended[0].id)  # delivered before the withdrawal
        withdrawal.apply(store)
        assert store.pending_tasks(limit=10_000) == kept
        assert store.pending_tasks(limit=1) == kept[:1]
        assert store.tasks("rev-w") == [TaskState(ended[0], TaskStatus.DONE)] + [
            TaskState(t, TaskStatus.CANCELLED) for t in ended[1:]
        ]
        assert store.tasks("rev-k") == [TaskState(t, TaskStatus.PENDING) for t in kept]
        # A host that delivered one anyway may still say so: it is done, not cancelled.
        store.complete_task(ended[1].id)
        assert store.tasks("rev-w")[1] == TaskState(ended[1], TaskStatus.DONE)
        assert store.pending_tasks(limit=10_000) == kept

    def test_tasks_of_a_review_without_tasks_or_of_no_review(self, store: ReviewStore) -> None:
        """``tasks`` of a review that emitted none is empty; of no review, not found."""
        for save in portfolio_saves():
            save.apply(store)
        assert store.tasks("rev-z") == []
        assert [s.status for s in store.tasks("rev-a")] == [TaskStatus.PENDING] * len(
            store.tasks("rev-a")
        )
        assert store.tasks("rev-a")
        with pytest.raises(ReviewNotFound):
            store.tasks("rev-nobody")

    def test_a_save_closes_the_tasks_it_fulfils_rf_5(self, store: ReviewStore) -> None:
        """RF-5: the save that records an agency's records secured closes that
        agency's letter with it, all or nothing: with a task of no review, or of
        another review, or refused for its version, it closes nothing and writes
        nothing."""
        *earlier, closing = fulfilment_saves()
        for save in earlier:
            save.apply(store)
        review_id = closing.review.id
        assert len(closing.close) == 1
        before = store.tasks(review_id)
        pending = store.pending_tasks(limit=10_000)
        foreign = next(t.id for t in pending if t.review_id != review_id)
        for wrong in ("task-nobody", foreign):
            with pytest.raises(StorageError):
                evolve(closing, close=(*closing.close, wrong)).apply(store)
            assert store.tasks(review_id) == before
            assert store.load(review_id).version == closing.expected_version
        stale = evolve(closing, expected_version=closing.expected_version + 1)
        with pytest.raises(ConcurrencyConflict):
            stale.apply(store)
        assert store.tasks(review_id) == before
        assert store.pending_tasks(limit=10_000) == pending
        closing.apply(store)
        done = [s.task.id for s in store.tasks(review_id) if s.status is TaskStatus.DONE]
        assert done == list(closing.close)
        assert store.pending_tasks(limit=10_000) == [t for t in pending if t.id not in done]
        store.complete_task(done[0])  # marked delivered as well: harmless
        assert [s.task.id for s in store.tasks(review_id) if s.status is TaskStatus.DONE] == done

    def test_completing_an_unknown_task_is_an_error(self, store: ReviewStore) -> None:
        with pytest.raises(StorageError):
            store.complete_task("task-nobody")
        for save in portfolio_saves():
            save.apply(store)
        with pytest.raises(StorageError):
            store.complete_task("task-nobody")

    # ------------------------------------------------------------- end to end

    def test_the_engine_runs_a_review_to_closure(self, store: ReviewStore) -> None:
        clock = FixedClock(START)
        engine = ReviewEngine(store, clock)
        submitted = engine.submit(demo_request(), REQUESTER)
        assert submitted.reference == "SCR-2026-001"
        closed = run_to_closure(engine, submitted.id, step=lambda: clock.advance(hours=20))
        events = store.history(submitted.id)
        assert verify_history(events) == []
        assert replay(events) == store.load(submitted.id) == closed
        assert store.list_by_stage(Stage.CLOSED) == [closed]
        # RF-5: each agency secured its records and named its IMR writer, so each
        # letter closed itself in the save that recorded its answer.
        assert store.pending_tasks(limit=10_000) == []
        states = engine.tasks(submitted.id)
        assert states and {s.status for s in states} == {TaskStatus.DONE}
        assert engine.submit(demo_request(), REQUESTER).reference == "SCR-2026-002"

    # ------------------------------------------------------------- integrity

    def test_heads_are_every_review_s_version_and_head(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        latest = _latest(saves)
        assert store.heads() == sorted((r.id, r.version, r.head) for r in latest.values())

    def test_stored_holds_everything_of_a_review_as_saved(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        for review_id, last in _latest(saves).items():
            held = store.stored(review_id)
            assert held.review == last and held.problem is None
            assert held.events == store.history(review_id) and held.events_problem is None
            expected_tasks = {t.id: t for s in saves if s.review.id == review_id for t in s.tasks}
            assert {t.id: t for t in held.tasks} == expected_tasks
            rows = next(
                s.deadlines
                for s in reversed(saves)
                if s.review.id == review_id and s.deadlines is not None
            )
            assert sorted(held.deadlines, key=repr) == sorted(rows, key=repr)
            assert held.disagreements == ()
        with pytest.raises(ReviewNotFound):
            store.stored("rev-nobody")

    def test_stored_many_is_stored_of_each_review_held(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        everyone = sorted(_latest(saves))
        asked = [everyone[-1], "rev-nobody", *everyone, everyone[0]]
        many = store.stored_many(asked)
        assert [held.review_id for held in many] == everyone
        assert many == [store.stored(review_id) for review_id in everyone]
        assert store.stored_many(everyone[1:2]) == [store.stored(everyone[1])]
        assert store.stored_many([]) == store.stored_many(["rev-nobody"]) == []

    def test_review_ids_page_in_order(self, store: ReviewStore) -> None:
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        everyone = sorted(_latest(saves))
        assert store.review_ids() == everyone
        pages: list[str] = []
        after: str | None = None
        while page := store.review_ids(after=after, limit=2):
            pages += page
            after = page[-1]
        assert pages == everyone

    def test_loading_a_review_checks_it_against_its_history(self, store: ReviewStore) -> None:
        # A save whose event does not follow the stored head is refused whole.
        saves = closure_saves()
        for save in saves[:3]:
            save.apply(store)
        stray = evolve(saves[3].event, prev_hash="0" * 64)
        with pytest.raises(IntegrityError):
            store.save(
                saves[3].review, stray, saves[3].tasks, saves[3].deadlines, expected_version=3
            )
        assert store.load("rev-closure") == saves[2].review
        assert store.history("rev-closure") == tuple(s.event for s in saves[:3])

    def test_the_engine_verifies_the_store_clean(self, store: ReviewStore) -> None:
        clock = FixedClock(START)
        engine = ReviewEngine(store, clock)
        submitted = engine.submit(demo_request(), REQUESTER)
        run_to_closure(engine, submitted.id, step=lambda: clock.advance(hours=20))
        engine.submit(demo_request(), REQUESTER)
        report = engine.verify()
        assert report.ok, report.faults
        assert report.reviews == 2
        assert report.events == sum(len(store.history(i)) for i in store.review_ids())

    def test_checkpoints_are_kept_newest_last(self, store: ReviewStore) -> None:
        pytest.importorskip("cryptography")
        from scr_engine.checkpoints import generate_key, load_private_key

        key = load_private_key(generate_key())
        assert store.latest_checkpoint() is None
        clock = FixedClock(START)
        engine = ReviewEngine(store, clock)
        submitted = engine.submit(demo_request(), REQUESTER)
        first = engine.checkpoint(key)
        assert store.latest_checkpoint() == first
        engine.execute(submitted.id, c.RecordChairNotified(START.date()), BUSINESS_MANAGER)
        clock.advance(hours=1)
        second = engine.checkpoint(key)
        assert store.latest_checkpoint() == second != first
        assert [(e.review_id, e.sequence) for e in second.entries] == [(submitted.id, 2)]
        assert engine.verify(first, public_key=key.public_key()).uncovered == ((submitted.id, 1),)
        assert engine.verify(public_key=key.public_key()).ok

    def test_the_access_log_chains_per_review_and_lists_by_actor(self, store: ReviewStore) -> None:
        from scr_engine.access import access_log_problems

        for save in portfolio_saves():
            save.apply(store)
        ids = store.review_ids()[:2]
        made = []
        for n in range(6):
            at = START + timedelta(minutes=n)
            made.append(store.log_access(ids[n % 2], at, f"u{n % 3}", "get", n != 4))
        for review_id in ids:
            log = store.access_log(review_id=review_id)
            assert log == [e for e in made if e.review_id == review_id]
            assert [e.sequence for e in log] == [1, 2, 3]
            assert access_log_problems(log) == []
            assert store.stored(review_id).accesses == tuple(log)
        assert store.access_log(actor_id="u1") == [made[1], made[4]]
        assert store.access_log(limit=2, offset=1) == made[1:3]

    def test_idempotency_keys_are_found_and_unique(self, store: ReviewStore) -> None:
        clock = FixedClock(START)
        engine = ReviewEngine(store, clock)
        first = engine.submit(demo_request(), REQUESTER, idempotency_key="sub-1")
        notify = c.RecordChairNotified(START.date())
        engine.execute(first.id, notify, BUSINESS_MANAGER, idempotency_key="cmd-1")
        submitted = store.find_key("sub-1")
        assert submitted is not None and submitted.sequence == 1
        assert submitted.review_id == first.id
        found = store.find_key("cmd-1", first.id)
        assert found is not None and found.sequence == 2 and found.key == "cmd-1"
        assert store.find_key("cmd-1") is None  # not a submission
        assert store.find_key("nobody") is None
        assert store.find_key("cmd-1", "rev-nobody") is None
        assert engine.submit(demo_request(), REQUESTER, idempotency_key="sub-1") == first
        assert len(store.review_ids()) == 1
