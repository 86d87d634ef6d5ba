"""Safe retries (hardening 11): a host that sends a command again with the same
idempotency key gets the original result, never a second event and never a
``ConcurrencyConflict``; the same key with another command is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from scr_engine import (
    FixedClock,
    InvalidRequest,
    MemoryStore,
    Review,
    ReviewEngine,
    ReviewStore,
    Stage,
    protocols,
)
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request, run_to_closure
from scr_engine.protocols.scr import SCR
from scr_engine.storage.sql import SqlStore
from support.builders import START
from support.concurrency import at_once
from support.postgres import postgres_schema

pytestmark = pytest.mark.rule("PR-d")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        with SqlStore(f"sqlite:///{tmp_path / 'scr.db'}", migrate="create", durable=False) as s:
            yield s
    else:
        with postgres_schema() as url, SqlStore(url, migrate="create", durable=False) as s:
            yield s


def test_a_retried_submission_returns_the_review_and_creates_nothing(store: ReviewStore) -> None:
    engine = ReviewEngine(store, FixedClock(START))
    first = engine.submit(demo_request(), REQUESTER, idempotency_key="host-req-1")
    again = engine.submit(demo_request(), REQUESTER, idempotency_key="host-req-1")
    assert again == first
    assert store.review_ids() == [first.id]
    other = engine.submit(demo_request(), REQUESTER, idempotency_key="host-req-2")
    assert other.id != first.id and other.reference.endswith("-002")
    with pytest.raises(InvalidRequest) as caught:
        engine.submit(
            demo_request(incident_on=date(2026, 1, 6)), REQUESTER, idempotency_key="host-req-1"
        )
    assert caught.value.refusals[0].field == "idempotency_key"
    assert len(store.review_ids()) == 2


def test_a_retried_command_returns_its_result_even_after_later_commands(
    store: ReviewStore,
) -> None:
    engine = ReviewEngine(store, FixedClock(START))
    review = engine.submit(demo_request(), REQUESTER)
    notify = c.RecordChairNotified(date(2026, 2, 2))
    notified = engine.execute(review.id, notify, BUSINESS_MANAGER, 1, idempotency_key="k1")
    # The host timed out and retries, with the version it had: no conflict, no event.
    assert engine.execute(review.id, notify, BUSINESS_MANAGER, 1, idempotency_key="k1") == (
        notified
    )
    assessed = engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR, idempotency_key="k2")
    assert engine.execute(review.id, notify, BUSINESS_MANAGER, idempotency_key="k1") == notified
    assert engine.get(review.id) == assessed and assessed.version == 3
    assert [e.key for e in engine.history(review.id)] == [None, "k1", "k2"]
    assert engine.verify().ok


def test_the_same_key_with_another_command_or_actor_is_refused(store: ReviewStore) -> None:
    engine = ReviewEngine(store, FixedClock(START))
    review = engine.submit(demo_request(), REQUESTER)
    engine.execute(
        review.id, c.RecordChairNotified(date(2026, 2, 2)), BUSINESS_MANAGER, idempotency_key="k"
    )
    for command, actor in (
        (c.RecordChairNotified(date(2026, 2, 3)), BUSINESS_MANAGER),
        (c.RecordChairNotified(date(2026, 2, 2)), BOARD_CHAIR),
        (c.AssessCriteria(), BOARD_CHAIR),
    ):
        with pytest.raises(InvalidRequest) as caught:
            engine.execute(review.id, command, actor, idempotency_key="k")
        assert caught.value.refusals[0].field == "idempotency_key"
    assert len(engine.history(review.id)) == 2
    # A key is unique per review: another review may use it.
    other = engine.submit(demo_request(), REQUESTER)
    engine.execute(
        other.id, c.RecordChairNotified(date(2026, 2, 2)), BUSINESS_MANAGER, idempotency_key="k"
    )
    assert engine.get(other.id).version == 2


def test_two_retries_at_once_make_one_event_and_both_get_the_result(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scr.db'}"
    with SqlStore(url, migrate="create", durable=False) as store:
        engine = ReviewEngine(store, FixedClock(START))
        review = engine.submit(demo_request(), REQUESTER)

        def send() -> object:
            command = c.AssessCriteria()
            return engine.execute(review.id, command, BOARD_CHAIR, idempotency_key="same")

        results = at_once(send, send)  # never a ConcurrencyConflict: the loser gets the result
        assert isinstance(results[0], Review) and results[0] == results[1]
        assert [e.command for e in engine.history(review.id)] == [
            "submit_request",
            "assess_criteria",
        ]
        assert engine.get(review.id).stage is Stage.REQUESTED


def test_a_bad_key_is_refused() -> None:
    engine = ReviewEngine(MemoryStore(), FixedClock(START))
    for bad in ("", "a\x00b", 7):
        with pytest.raises(InvalidRequest):
            engine.submit(demo_request(), REQUESTER, idempotency_key=bad)  # type: ignore[arg-type]


def test_a_retried_erasure_returns_its_result_though_the_engine_filled_in_its_rewrites(
    store: ReviewStore,
) -> None:
    """An erasure's ``rewrites`` are filled in by the engine, so the stored event
    carries them and a retry sent as the host first sent it does not: the retry is
    still the same command, and gets the first result; another erasure under the key
    is refused."""
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    review = engine.submit(demo_request(), REQUESTER)
    run_to_closure(engine, review.id, lambda: clock.advance(hours=7))
    erase = c.ErasePersonalData(
        "Retention period of six years after closure has ended.",
        "UK GDPR Art. 5(1)(e) storage limitation",
        ("/panel_chair/name",),  # named in the report's list of the panel too
    )
    erased = engine.execute(review.id, erase, BOARD_CHAIR, idempotency_key="erase-1")
    stored = engine.history(review.id)[-1]
    assert stored.command == "erase_personal_data" and stored.payload["rewrites"]
    assert engine.execute(review.id, erase, BOARD_CHAIR, idempotency_key="erase-1") == erased
    other = c.ErasePersonalData(erase.reasons, erase.legal_basis, ("/request/requester/name",))
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(review.id, other, BOARD_CHAIR, idempotency_key="erase-1")
    assert [r.field for r in caught.value.refusals] == ["idempotency_key"]
    assert engine.history(review.id)[-1] == stored


def test_a_retry_may_leave_out_the_day_but_not_give_another(store: ReviewStore) -> None:
    """The day a command happened is filled in when it is accepted: a retry that
    leaves it out is the same command, one that gives the same day too, one that gives
    another day is not."""
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    review = engine.submit(demo_request(), REQUESTER)
    notify = c.RecordChairNotified(date(2026, 2, 2))
    engine.execute(review.id, notify, BUSINESS_MANAGER)
    clock.advance(days=5)
    assess = c.AssessCriteria(occurred_on=date(2026, 2, 4))
    assessed = engine.execute(review.id, assess, BOARD_CHAIR, idempotency_key="a")
    assert engine.execute(review.id, assess, BOARD_CHAIR, idempotency_key="a") == assessed
    undated = c.AssessCriteria()
    assert engine.execute(review.id, undated, BOARD_CHAIR, idempotency_key="a") == assessed
    moved = c.AssessCriteria(occurred_on=date(2026, 2, 3))
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(review.id, moved, BOARD_CHAIR, idempotency_key="a")
    assert [r.field for r in caught.value.refusals] == ["idempotency_key"]
    assert len(engine.history(review.id)) == 3


def test_a_submission_under_another_protocol_is_not_a_retry(store: ReviewStore) -> None:
    """A key used for a submission under a Board's variant of the SCR is not a retry
    of the same request submitted under the SCR (the SCR's own name is left out of
    its payload, another protocol's is not): it is refused, and nothing is made."""
    variant = SCR.derive("scr-retried", "1")
    protocols.register(variant)
    try:
        engine = ReviewEngine(store, FixedClock(START))
        first = engine.submit(
            demo_request(), REQUESTER, idempotency_key="k", protocol="scr-retried"
        )
        assert (
            engine.submit(demo_request(), REQUESTER, idempotency_key="k", protocol="scr-retried")
            == first
        )
        with pytest.raises(InvalidRequest) as caught:
            engine.submit(demo_request(), REQUESTER, idempotency_key="k")
        assert [r.field for r in caught.value.refusals] == ["idempotency_key"]
        assert store.review_ids() == [first.id]
    finally:
        protocols.unregister(variant.name, variant.version)
