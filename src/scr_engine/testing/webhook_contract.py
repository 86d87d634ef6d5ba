"""The part of the store contract about webhooks: the store's one webhook
(:meth:`~scr_engine.storage.port.ReviewStore.set_webhook`) and its outbox, queued in
the transaction of the save that emits the tasks, only while a webhook is set
(:meth:`~scr_engine.storage.port.ReviewStore.deliveries`). Part of
:class:`~scr_engine.testing.StoreContract`, which every store's tests subclass."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from attrs import evolve

from scr_engine.errors import ConcurrencyConflict, InvalidRequest, StorageError
from scr_engine.storage.port import ReviewStore
from scr_engine.testing.scenarios import START, closure_saves, portfolio_saves
from scr_engine.webhooks import (
    DeliveryStatus,
    Webhook,
    deliveries_of,
    delivery_id,
    retry_delivery,
    retry_failed,
)

__all__ = ["WebhookContract"]

FAR_FUTURE_TIME = datetime(9000, 1, 1, tzinfo=UTC)

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
        store.set_webhook(_HOOK)
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

    def test_a_pending_delivery_is_leased_to_one_sender(self, store: ReviewStore) -> None:
        """Of two senders that read a delivery as due, one gets it: the lease moves its
        next attempt to the lease's end, and a claim by what was read before fails.
        When the lease ends it is due again (a sender that died holding it)."""
        store.set_webhook(_HOOK)
        for save in closure_saves():
            save.apply(store)
        first = store.deliveries(limit=10_000)[0]
        assert first.next_attempt_at is not None
        now = max(d.created_at for d in store.deliveries(limit=10_000))
        until = now + timedelta(minutes=2)
        assert store.claim_delivery(first, until) is True
        assert store.claim_delivery(first, until + timedelta(hours=1)) is False
        leased = store.delivery(first.id)
        assert leased is not None and leased.next_attempt_at == until
        assert leased.status is DeliveryStatus.PENDING and leased.attempts == 0
        assert first.id not in {d.id for d in store.deliveries(due_by=now, limit=10_000)}
        assert first.id in {d.id for d in store.deliveries(due_by=until, limit=10_000)}
        assert store.claim_delivery(leased, until + timedelta(minutes=2)) is True
        done = evolve(leased, status=DeliveryStatus.DELIVERED, attempts=1, next_attempt_at=None)
        store.record_attempt(evolve(done, delivered_at=until))
        assert store.claim_delivery(leased, FAR_FUTURE_TIME) is False  # not pending now
        assert store.claim_delivery(evolve(first, id="dlv-unknown"), until) is False

    def test_attempts_are_recorded_and_change_what_is_due(self, store: ReviewStore) -> None:
        store.set_webhook(_HOOK)
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

    def test_no_delivery_is_queued_while_no_webhook_is_set(self, store: ReviewStore) -> None:
        """Tasks are recorded (and listed for pollers) whether or not a webhook is
        set; a delivery is queued for them only while one is."""
        store.set_webhook(_HOOK)
        store.set_webhook(None)  # set once, then removed: none is set now
        saves = portfolio_saves()
        for save in saves:
            save.apply(store)
        assert any(save.tasks for save in saves)
        assert store.pending_tasks(limit=10_000) != []
        assert store.deliveries(limit=10_000) == []
        assert store.deliveries(due_by=FAR_FUTURE_TIME, limit=10_000) == []

    def test_a_webhook_set_later_gets_the_tasks_emitted_after_it_not_before(
        self, store: ReviewStore
    ) -> None:
        """Setting a webhook does not queue the tasks saved before it (they stay for
        pollers, ``pending_tasks``); the tasks of every save after it are queued.
        Removing it leaves what was queued queued."""
        saves = portfolio_saves()
        first, second = [i for i, save in enumerate(saves) if save.tasks][:2]
        for save in saves[:second]:
            save.apply(store)
        store.set_webhook(_HOOK)
        for save in saves[second:]:
            save.apply(store)
        before = {t.id for save in saves[:second] for t in save.tasks}
        after = {t.id for save in saves[second:] for t in save.tasks}
        assert saves[first].tasks and before and after and not before & after
        assert before <= {t.id for t in store.pending_tasks(limit=10_000)}
        queued = store.deliveries(limit=10_000)
        assert {d.task_id for d in queued} == after
        expected = {
            d.id: d
            for save in reversed(saves[second:])
            for d in deliveries_of(save.review, save.event, save.tasks)
        }
        assert sorted(queued, key=lambda d: d.id) == sorted(expected.values(), key=lambda d: d.id)
        store.set_webhook(None)
        assert store.deliveries(limit=10_000) == queued

    def test_a_delivery_s_id_is_its_task_s_so_a_receiver_can_de_duplicate(
        self, store: ReviewStore
    ) -> None:
        """A delivery's id is derived from its task's id alone (``dlv-`` and a UUID 5):
        the same in every store given the same saves, in its body, and after every
        attempt, so a receiver that got it twice (at least once) drops the copy."""
        store.set_webhook(_HOOK)
        saves = closure_saves()
        for save in saves:
            save.apply(store)
        queued = store.deliveries(limit=10_000)
        assert queued
        for delivery in queued:
            assert delivery.id == delivery_id(delivery.task_id)
            assert delivery.id.startswith("dlv-")
            assert uuid.UUID(delivery.id.removeprefix("dlv-")).version == 5
            assert json.loads(delivery.body)["delivery_id"] == delivery.id
        assert len({d.id for d in queued}) == len(queued)
        tried = evolve(queued[0], attempts=3, last_error="HTTP 502")
        store.record_attempt(tried)
        again = {d.id: d for d in store.deliveries(limit=10_000)}
        assert again[tried.id].attempts == 3 and again[tried.id].body == queued[0].body
        # A receiver keeping the ids it has seen takes each task once.
        seen: set[str] = set()
        taken: list[str] = []
        for sent in [*queued, *again.values()]:  # every delivery sent twice
            if sent.id not in seen:
                seen.add(sent.id)
                taken.append(sent.task_id)
        assert sorted(taken) == sorted(d.task_id for d in queued)

    def test_a_delivery_is_found_by_its_id(self, store: ReviewStore) -> None:
        store.set_webhook(_HOOK)
        for save in closure_saves():
            save.apply(store)
        queued = store.deliveries(limit=10_000)
        for delivery in queued:
            assert store.delivery(delivery.id) == delivery
        done = evolve(queued[0], status=DeliveryStatus.DELIVERED, attempts=1, delivered_at=START)
        store.record_attempt(done)
        assert store.delivery(done.id) == done
        assert store.delivery("dlv-unknown") is None
        assert store.delivery("") is None

    def test_a_failed_delivery_retried_is_due_now_and_keeps_its_attempts(
        self, store: ReviewStore
    ) -> None:
        """``retry_delivery`` (``scr webhook retry``, ``POST
        /v1/webhook/deliveries/{id}/retry``): a failed delivery is pending again and due
        at the time given, its attempts and last error kept; a pending one is due at
        once; a delivered one is refused and left as it is; an unknown id is None."""
        store.set_webhook(_HOOK)
        for save in closure_saves():
            save.apply(store)
        queued = store.deliveries(limit=10_000)
        assert len(queued) >= 3
        now = max(d.created_at for d in queued) + timedelta(days=3)
        failed = evolve(
            queued[0],
            status=DeliveryStatus.FAILED,
            attempts=15,
            next_attempt_at=None,
            last_error="HTTP 503",
        )
        waiting = evolve(queued[1], attempts=2, next_attempt_at=now + timedelta(hours=6))
        done = evolve(queued[2], status=DeliveryStatus.DELIVERED, attempts=1, delivered_at=now)
        for delivery in (failed, waiting, done):
            store.record_attempt(delivery)
        assert failed.id not in {d.id for d in store.deliveries(due_by=now, limit=10_000)}

        retried = retry_delivery(store, failed.id, now=now)
        assert retried == evolve(failed, status=DeliveryStatus.PENDING, next_attempt_at=now)
        assert store.delivery(failed.id) == retried
        assert failed.id in {d.id for d in store.deliveries(due_by=now, limit=10_000)}
        hurried = retry_delivery(store, waiting.id, now=now)
        assert hurried is not None and hurried.next_attempt_at == now
        assert store.delivery(waiting.id) == hurried
        with pytest.raises(InvalidRequest) as refused:
            retry_delivery(store, done.id, now=now)
        assert refused.value.refusals[0].field == "delivery_id"
        assert store.delivery(done.id) == done
        assert retry_delivery(store, "dlv-unknown", now=now) is None

    def test_every_failed_delivery_is_retried_at_once(self, store: ReviewStore) -> None:
        store.set_webhook(_HOOK)
        for save in portfolio_saves():
            save.apply(store)
        queued = store.deliveries(limit=10_000)
        now = max(d.created_at for d in queued) + timedelta(days=3)
        gave_up = queued[::2]
        for delivery in gave_up:
            store.record_attempt(
                evolve(delivery, status=DeliveryStatus.FAILED, attempts=15, next_attempt_at=None)
            )
        retried = retry_failed(store, now=now)
        assert [d.id for d in retried] == [d.id for d in gave_up]
        assert store.deliveries(status=DeliveryStatus.FAILED) == []
        assert all(store.delivery(d.id) == d for d in retried)
        assert all(d.attempts == 15 and d.next_attempt_at == now for d in retried)
        assert retry_failed(store, now=now) == []
