"""A retry storm: 50 clients sending the same command with the same Idempotency-Key at
once, on SQLite and PostgreSQL, create one event, and every one of them gets the same
answer, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from scr_engine.demo import BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.serialization import unstructure
from scr_engine.storage.sql import SqlStore
from support.serving import Service, running

CLIENTS = 50


@pytest.fixture(scope="module")
def over_sql(sql_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    store = SqlStore(sql_url, migrate="create")
    try:
        with running(store, tmp_path_factory.mktemp("storm")) as service:
            yield service
    finally:
        store.close()


def _storm(
    service: Service, path: str, body: object, headers: dict[str, str]
) -> list[httpx.Response]:
    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=service.base, timeout=60) as client:
            return client.post(path, json=body, headers=headers)

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(send, range(CLIENTS)))


def test_fifty_submissions_with_one_key_make_one_review(over_sql: Service) -> None:
    before = len(over_sql.engine.reviews())
    responses = _storm(
        over_sql,
        "/v1/reviews",
        {"request": unstructure(demo_request())},
        over_sql.auth(REQUESTER, Idempotency_Key="storm-submit"),
    )
    assert {r.status_code for r in responses} == {201}, {r.text for r in responses}
    assert len({r.content for r in responses}) == 1
    assert len(over_sql.engine.reviews()) == before + 1


def test_fifty_commands_with_one_key_make_one_event(over_sql: Service) -> None:
    made = over_sql.http.post(
        "/v1/reviews",
        json={"request": unstructure(demo_request())},
        headers=over_sql.auth(REQUESTER),
    )
    review_id = made.json()["id"]
    responses = _storm(
        over_sql,
        f"/v1/reviews/{review_id}/commands",
        {"command": "record_chair_notified", "received_on": "2026-02-02"},
        over_sql.auth(BUSINESS_MANAGER, Idempotency_Key="storm-command"),
    )
    assert {r.status_code for r in responses} == {200}, {r.text for r in responses}
    assert len({r.content for r in responses}) == 1
    events = over_sql.engine.history(review_id)
    assert [e.command for e in events] == ["submit_request", "record_chair_notified"]
    assert over_sql.engine.verify().ok
