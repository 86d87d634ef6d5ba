"""The part of the store contract about webhooks: the store's one webhook
(:meth:`~scr_engine.storage.port.ReviewStore.set_webhook`) and its outbox, queued in
the transaction of the save that emits the tasks
(:meth:`~scr_engine.storage.port.ReviewStore.deliveries`). Part of
:class:`~scr_engine.testing.StoreContract`, which every store's tests subclass."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from attrs import evolve

from scr_engine.errors import ConcurrencyConflict, InvalidRequest, StorageError
from scr_engine.storage.port import ReviewStore
from scr_engine.testing.scenarios import closure_saves, portfolio_saves
from scr_engine.webhooks import DeliveryStatus, Webhook, deliveries_of

__all__ = ["WebhookContract"]

_HOOK = Webhook("https://council.example/hooks/scr?a=1&b=%27", "/etc/scr/secret", "0123abcd" * 2)


class WebhookContract:
    """Tests of the store's webhook and outbox (mixed into the store contract)."""

    def test_the_webhook_is_kept_replaced_and_removed(self, store: ReviewStore) -> None:
        assert store.webhook() is None
        store.set_webhook(_HOOK)
        assert store.webhook() == _HOOK
        other = Webhook("http://127.0.0.1:9/x", "C:\\scr\\secret 東京", "f" * 16)
        store.set_webhook(other)
        assert store.webhook() == other
        store.set_webhook(None)
        assert store.webhook() is None
        store.set_webhook(None)  # again: harmless
        with pytest.raises(InvalidRequest):
            store.set_webhook("https://council.example/")  # type: ignore[arg-type]
        assert store.webhook() is None

    def test_a_save_queues_one_delivery_per_task_and_a_refused_one_none(
        self, store: ReviewStore
    ) -> None:
        """The outbox is written with the tasks: every task a save emits has one
        pending delivery, due at once, whose body names the task and the review (and
        nothing personal); a save refused queues nothing."""
        saves = portfolio_saves()
        at = next(i for i, s in enumerate(saves) if s.tasks)
        for save in saves[:at]:
            save.apply(store)
        assert store.deliveries() == []
        target = saves[at]
        with pytest.raises(ConcurrencyConflict):
            evolve(target, expected_version=target.expected_version + 1).apply(store)
        assert store.deliveries() == []
        for save in saves[at:]:
            save.apply(store)
        expected = [d for save in saves for d in deliveries_of(save.review, save.event, save.tasks)]
        unique = {d.id: d for d in reversed(expected)}  # a task queued twice: the first
        got = store.deliveries(limit=10_000)
        assert sorted(got, key=lambda d: d.id) == sorted(unique.values(), key=lambda d: d.id)
        assert got == sorted(got, key=lambda d: d.sort_key)
        tasks = {t.id for save in saves for t in save.tasks}
        assert {d.task_id for d in got} == tasks
        for delivery in got:
            body = json.loads(delivery.body)
            assert body["delivery_id"] == delivery.id
            assert body["task"]["id"] == delivery.task_id
            assert body["review"]["id"] == delivery.review_id
            assert delivery.status is DeliveryStatus.PENDING
            assert delivery.attempts == 0
        last = max(d.created_at for d in got)
        assert (
            store.deliveries(due_by=last)
            == sorted(got, key=lambda d: (d.next_attempt_at, d.id))[:100]
        )
        assert store.deliveries(limit=2, offset=1) == got[1:3]
        assert store.deliveries(status=DeliveryStatus.DELIVERED) == []

    def test_attempts_are_recorded_and_change_what_is_due(self, store: ReviewStore) -> None:
        for save in closure_saves():
            save.apply(store)
        queued = store.deliveries(limit=10_000)
        assert len(queued) >= 2
        first, second = queued[0], queued[1]
        now = max(d.created_at for d in queued)
        later = now + timedelta(hours=1)
        retry = evolve(first, attempts=1, next_attempt_at=later, last_error="HTTP 503 ☂")
        store.record_attempt(retry)
        done = evolve(
            second,
            status=DeliveryStatus.DELIVERED,
            attempts=1,
            next_attempt_at=None,
            delivered_at=now,
        )
        store.record_attempt(done)
        by_id = {d.id: d for d in store.deliveries(limit=10_000)}
        assert by_id[first.id] == retry
        assert by_id[second.id] == done
        due_now = {d.id for d in store.deliveries(due_by=now, limit=10_000)}
        assert first.id not in due_now and second.id not in due_now
        due_later = store.deliveries(due_by=later, limit=10_000)
        assert due_later[-1] == retry
        assert store.deliveries(status=DeliveryStatus.DELIVERED) == [done]
        failed = evolve(retry, status=DeliveryStatus.FAILED, attempts=2, next_attempt_at=None)
        store.record_attempt(failed)
        assert store.deliveries(status=DeliveryStatus.FAILED) == [failed]
        with pytest.raises(StorageError):
            store.record_attempt(evolve(first, id="dlv-unknown"))
        with pytest.raises(InvalidRequest):
            store.deliveries(limit=-1)
