"""``GET /v1/webhook/deliveries`` and ``POST /v1/webhook/deliveries/{id}/retry``
(issue 22): the Board's officers see the webhook's deliveries and make a failed one
due now, through the read policy's check of those who read every review (PR-e, as for
verify and checkpoints); on the memory store, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from attrs import evolve

from scr_engine import MemoryStore
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.storage.port import ReviewStore
from scr_engine.storage.sql import SqlStore
from scr_engine.webhooks import Delivery, DeliveryStatus, Webhook, delivery_id, delivery_json
from support.postgres import postgres_schema
from support.serving import OUTSIDER, Service, running

HOOK = Webhook("https://cases.council.example/hooks", "/etc/scr/webhook-secret", "0" * 16)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    """A new, empty store with a webhook set."""
    if request.param == "memory":
        found: ReviewStore = MemoryStore()
        found.set_webhook(HOOK)
        yield found
    elif request.param == "sqlite":
        with SqlStore(f"sqlite:///{tmp_path / 'scr.db'}", migrate="create") as sql:
            sql.set_webhook(HOOK)
            yield sql
    else:
        with postgres_schema() as url, SqlStore(url, migrate="create") as sql:
            sql.set_webhook(HOOK)
            yield sql


@pytest.fixture
def service(store: ReviewStore, tmp_path: Path) -> Iterator[Service]:
    """The service over ``store``, with one review confirmed (its RF-5 letters queued)."""
    with running(store, tmp_path) as found:
        engine = found.engine
        review = engine.submit(demo_request(), REQUESTER)
        engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
        engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
        engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        yield found


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def _fail(store: ReviewStore, delivery: Delivery) -> Delivery:
    failed = evolve(
        delivery,
        status=DeliveryStatus.FAILED,
        attempts=15,
        next_attempt_at=None,
        last_error="HTTP 503",
    )
    store.record_attempt(failed)
    return failed


def test_officers_list_the_deliveries_a_page_at_a_time(service: Service) -> None:
    store = service.engine.store
    queued = store.deliveries(limit=1000)
    assert queued
    listed = service.http.get("/v1/webhook/deliveries", headers=service.auth(BUSINESS_MANAGER))
    assert listed.status_code == 200
    assert listed.json() == {"deliveries": [delivery_json(d) for d in queued], "next_offset": None}
    for row in listed.json()["deliveries"]:
        assert row["id"] == delivery_id(row["task_id"])
    failed = _fail(store, queued[1])
    auth = service.auth(BOARD_CHAIR)
    only = service.http.get("/v1/webhook/deliveries?status=failed", headers=auth)
    assert only.json()["deliveries"] == [delivery_json(failed)]
    pending = service.http.get("/v1/webhook/deliveries?status=pending", headers=auth).json()
    assert failed.id not in {row["id"] for row in pending["deliveries"]}
    first = service.http.get("/v1/webhook/deliveries?limit=2", headers=auth).json()
    assert [r["id"] for r in first["deliveries"]] == [d.id for d in queued[:2]]
    assert first["next_offset"] == 2
    rest = service.http.get("/v1/webhook/deliveries?offset=2&limit=100", headers=auth).json()
    assert [r["id"] for r in rest["deliveries"]] == [d.id for d in queued[2:]]
    _problem(service.http.get("/v1/webhook/deliveries?status=lost", headers=auth), 400)
    _problem(service.http.get("/v1/webhook/deliveries?limit=x", headers=auth), 400)
    too_many = _problem(service.http.get("/v1/webhook/deliveries?limit=1001", headers=auth), 422)
    assert too_many["refusals"][0]["field"] == "limit"


def test_an_officer_retries_a_failed_delivery_and_it_is_due_now(service: Service) -> None:
    store = service.engine.store
    queued = store.deliveries(limit=1000)
    failed = _fail(store, queued[0])
    auth = service.auth(BUSINESS_MANAGER)
    response = service.http.post(f"/v1/webhook/deliveries/{failed.id}/retry", headers=auth)
    assert response.status_code == 200, response.text
    now = service.clock.now()
    retried = evolve(failed, status=DeliveryStatus.PENDING, next_attempt_at=now)
    assert response.json() == delivery_json(retried)
    assert store.delivery(failed.id) == retried
    assert failed.id in {d.id for d in store.deliveries(due_by=now, limit=1000)}
    delivered = evolve(queued[1], status=DeliveryStatus.DELIVERED, attempts=1, delivered_at=now)
    store.record_attempt(delivered)
    refused = service.http.post(f"/v1/webhook/deliveries/{delivered.id}/retry", headers=auth)
    assert _problem(refused, 422)["refusals"][0]["field"] == "delivery_id"
    assert store.delivery(delivered.id) == delivered
    for unknown in (delivery_id("no-such-task"), "dlv-unknown", "x" * 300):
        _problem(service.http.post(f"/v1/webhook/deliveries/{unknown}/retry", headers=auth), 404)
    _problem(service.http.get(f"/v1/webhook/deliveries/{failed.id}/retry", headers=auth), 405)


def test_only_officers_see_or_retry_deliveries_pr_e(service: Service) -> None:
    """PR-e: as for verify and checkpoints, only those who read every review; anyone
    else is 403 (and changes nothing), no token 401."""
    store = service.engine.store
    failed = _fail(store, store.deliveries(limit=1)[0])
    retry = f"/v1/webhook/deliveries/{failed.id}/retry"
    for actor in (REQUESTER, OUTSIDER):
        refused = _problem(
            service.http.get("/v1/webhook/deliveries", headers=service.auth(actor)), 403
        )
        assert refused["rules"] == ["PR-e"]
        _problem(service.http.post(retry, headers=service.auth(actor)), 403)
    assert store.delivery(failed.id) == failed
    _problem(service.http.get("/v1/webhook/deliveries"), 401)
    _problem(service.http.post(retry), 401)
    assert store.delivery(failed.id) == failed
