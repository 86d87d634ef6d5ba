"""How many engine calls the service runs at once: by default the SQL store's pool
size, so that a burst of requests waits its turn for a pooled connection rather than
opening one past the pool and closing it again after each call (on PostgreSQL, a
server process started and stopped per request)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from scr_engine import MemoryStore
from scr_engine.demo import BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.errors import InvalidRequest
from scr_engine.service import TokenFile, create_app
from scr_engine.storage.sql import SqlStore, create_engine
from support.postgres import postgres_schema
from support.serving import Service, running

POOL = 2
BURST = 16


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def counted(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[SqlStore, list[Any]]]:
    """A new SQL store whose pool keeps ``POOL`` connections (and may open 10 more),
    and the connections its engine has closed since it was made."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'burst.db'}"
        else:
            url = stack.enter_context(postgres_schema())
        yield from _counted(url)


def _counted(sql_url: str) -> Iterator[tuple[SqlStore, list[Any]]]:
    closed: list[Any] = []
    store = SqlStore(sql_url, migrate="create", pool_size=POOL, max_overflow=10)
    assert store.engine is not None
    sa.event.listen(store.engine, "close", lambda conn, record: closed.append(conn))
    try:
        yield store, closed
    finally:
        store.close()


class _InFlight:
    """Wraps an engine's ``execute``: how many calls ran at once, at most (each held
    a little, so that the calls a service lets run together do overlap)."""

    def __init__(self, service: Service, hold: float = 0.1) -> None:
        self.hold = hold
        self.now = self.most = 0
        self._lock = threading.Lock()
        self._execute = service.engine.execute
        service.engine.execute = self  # type: ignore[method-assign]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(self.hold)
            return self._execute(*args, **kwargs)
        finally:
            with self._lock:
                self.now -= 1


def _burst(service: Service, review_ids: list[str]) -> list[httpx.Response]:
    """One command to each review, all sent at once, each on a connection of its own."""

    def send(review_id: str) -> httpx.Response:
        with httpx.Client(base_url=service.base, timeout=60) as client:
            return client.post(
                f"/v1/reviews/{review_id}/commands",
                json={"command": "record_chair_notified", "received_on": "2026-02-02"},
                headers=service.auth(BUSINESS_MANAGER),
            )

    with ThreadPoolExecutor(len(review_ids)) as pool:
        return list(pool.map(send, review_ids))


def test_a_burst_waits_for_the_pool_and_closes_no_connection(
    counted: tuple[SqlStore, list[Any]], tmp_path: Path
) -> None:
    store, closed = counted
    assert store.pool_size == POOL
    with running(store, tmp_path) as service:
        ids = [service.engine.submit(demo_request(), REQUESTER).id for _ in range(BURST)]
        calls = _InFlight(service)
        responses = _burst(service, ids)
        assert {r.status_code for r in responses} == {200}, {r.text for r in responses}
        assert calls.most == POOL
        assert closed == [], f"{len(closed)} connections opened past the pool and closed"
        for review_id in ids:
            assert [e.command for e in service.engine.history(review_id)][-1] == (
                "record_chair_notified"
            )


@pytest.mark.parametrize("concurrency", [1, 5])
def test_concurrency_given_is_the_most_calls_at_once(
    concurrency: int, counted: tuple[SqlStore, list[Any]], tmp_path: Path
) -> None:
    store, _ = counted
    with running(store, tmp_path, concurrency=concurrency) as service:
        ids = [service.engine.submit(demo_request(), REQUESTER).id for _ in range(BURST)]
        calls = _InFlight(service)
        responses = _burst(service, ids)
        assert {r.status_code for r in responses} == {200}, {r.text for r in responses}
        assert calls.most == concurrency


def test_a_store_on_a_hosts_connection_has_no_pool_size(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    SqlStore(engine.url, migrate="create").close()
    with engine.connect() as conn:
        assert SqlStore.from_connection(conn).pool_size is None
    engine.dispose()


@pytest.mark.parametrize("wrong", [0, -1, 2.5, "4", True])
def test_a_concurrency_not_a_whole_number_of_at_least_one_is_refused(
    wrong: object, tmp_path: Path
) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    with pytest.raises(InvalidRequest) as caught:
        create_app(MemoryStore(), {}, tokens, concurrency=wrong)  # type: ignore[arg-type]
    assert [r.field for r in caught.value.refusals] == ["concurrency"]
    assert repr(wrong) in str(caught.value)


class _OddPool(MemoryStore):
    pool_size = "five"  # a host's store whose attribute means something else


def test_a_stores_pool_size_that_is_no_whole_number_is_not_taken(tmp_path: Path) -> None:
    with running(_OddPool(), tmp_path) as service:
        ids = [service.engine.submit(demo_request(), REQUESTER).id for _ in range(BURST)]
        calls = _InFlight(service, hold=0.5)
        responses = _burst(service, ids)
        assert {r.status_code for r in responses} == {200}, {r.text for r in responses}
        assert calls.most > 5  # AnyIO's limit (40): nearly all of them at once
