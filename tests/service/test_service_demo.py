"""The whole demo review driven over HTTP gives the review, and the very event hashes,
that the library gives in Python: the service adds nothing and loses nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from scr_engine import MemoryStore
from scr_engine.commands import Command, to_dict
from scr_engine.demo import BUSINESS_MANAGER, REQUESTER, demo_request, run_to_closure
from scr_engine.records import Actor, Review
from scr_engine.serialization import structure, unstructure
from scr_engine.storage.sql import SqlStore
from support.serving import Service, engine_over, running


class OverHttp:
    """The part of :class:`~scr_engine.ReviewEngine` that ``run_to_closure`` uses, each
    call made over HTTP with the acting person's token."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.calls = 0

    def _ok(self, response: Any) -> Any:
        assert response.status_code in (200, 201), response.text
        return response.json()

    def submit(self, actor: Actor) -> Review:
        body = {"request": unstructure(demo_request())}
        response = self.service.http.post(
            "/v1/reviews", json=body, headers=self.service.auth(actor)
        )
        return structure(self._ok(response), Review)

    def execute(self, review_id: str, command: Command, actor: Actor) -> Review:
        self.calls += 1
        body = json.loads(json.dumps(to_dict(command), default=str))
        response = self.service.http.post(
            f"/v1/reviews/{review_id}/commands", json=body, headers=self.service.auth(actor)
        )
        data = self._ok(response)
        assert response.headers["ETag"] == f'"{data["review"]["version"]}"'
        assert data["event"]["hash"] == data["review"]["head"]
        return structure(data["review"], Review)

    def get(self, review_id: str) -> Review:
        response = self.service.http.get(
            f"/v1/reviews/{review_id}", headers=self.service.auth(BUSINESS_MANAGER)
        )
        return structure(self._ok(response), Review)

    def history(self, review_id: str) -> list[Any]:
        response = self.service.http.get(
            f"/v1/reviews/{review_id}/history", headers=self.service.auth(BUSINESS_MANAGER)
        )
        events = self._ok(response)["events"]
        return [SimpleNamespace(**{**e, "at": datetime.fromisoformat(e["at"])}) for e in events]


@pytest.fixture(scope="module")
def over_sql(sql_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    store = SqlStore(sql_url, migrate="create")
    try:
        with running(store, tmp_path_factory.mktemp("tokens")) as service:
            yield service
    finally:
        store.close()


@pytest.fixture(scope="module")
def driven(over_sql: Service) -> tuple[OverHttp, Review]:
    """The demo, from the request to closure, sent over HTTP (once a module, in each
    test process that needs it): the client and the closed review."""
    client = OverHttp(over_sql)
    review = client.submit(REQUESTER)
    closed = run_to_closure(client, review.id, lambda: over_sql.clock.advance(days=1))  # type: ignore[arg-type]
    return client, closed


def test_the_demo_over_http_is_the_demo_in_python(
    over_sql: Service, driven: tuple[OverHttp, Review]
) -> None:
    """Every command of the demo, from the request to closure, sent over HTTP to a
    service on SQLite or PostgreSQL: the closed review and every event's hash are
    those of the same demo run by the library in-process."""
    client, closed = driven
    review = closed

    local = engine_over(MemoryStore())
    expected_review = local.submit(demo_request(), REQUESTER)
    assert expected_review.id == review.id
    expected = run_to_closure(local, expected_review.id, lambda: local.clock.advance(days=1))  # type: ignore[attr-defined]

    assert closed == expected
    assert client.get(review.id) == expected
    hashes = [e.hash for e in client.history(review.id)]
    assert hashes == [e.hash for e in local.history(review.id)]
    assert len(hashes) == client.calls + 1
    served = over_sql.engine.verify()
    assert served.ok, served.faults


def test_the_store_behind_the_service_holds_what_python_holds(
    over_sql: Service, driven: tuple[OverHttp, Review]
) -> None:
    """After the demo, the served store's own history (read in-process) is the one the
    service answered with: nothing was kept only in the service."""
    (review,) = over_sql.engine.reviews()
    assert review.id == driven[1].id
    served = over_sql.http.get(
        f"/v1/reviews/{review.id}/history", headers=over_sql.auth(BUSINESS_MANAGER)
    ).json()["events"]
    assert served == json.loads(
        json.dumps([unstructure(e) for e in over_sql.engine.history(review.id)], default=str)
    )
