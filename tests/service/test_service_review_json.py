"""A review sent over HTTP is the same bytes whether the service encodes it or takes
the JSON text the SQL store keeps (issue 22, speed): the store's text is reused only
for the very review it holds, and a retried command still gets the first response
byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import attrs
import pytest

from scr_engine import MemoryStore
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.records import Review
from scr_engine.service import shapes
from scr_engine.storage.sql import SqlStore
from support.serving import Service, engine_over, running


def _encoded(review: Review, **extra: object) -> bytes:
    data = {"review": shapes.review(review), **extra} if extra else shapes.review(review)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


@pytest.fixture(params=["sqlite", "memory"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with ExitStack() as stack:
        if request.param == "memory":
            store: MemoryStore | SqlStore = MemoryStore()
        else:
            url = f"sqlite:///{tmp_path / 'scr.db'}"
            store = stack.enter_context(SqlStore(url, migrate="create"))
        yield stack.enter_context(running(store, tmp_path))


def test_a_review_is_the_same_bytes_from_the_stores_text_or_encoded(service: Service) -> None:
    engine = service.engine
    form = attrs.evolve(demo_request(), other_information="Zoë’s family — “Ω” \u2028 <b>")
    review = engine.submit(form, REQUESTER)
    received = service.http.get(f"/v1/reviews/{review.id}", headers=service.auth(BOARD_CHAIR))
    assert received.status_code == 200
    assert received.content == _encoded(engine.get(review.id))
    notified = {"command": "record_chair_notified", "received_on": "2026-02-02"}
    key = "retry-1"
    sent = service.http.post(
        f"/v1/reviews/{review.id}/commands",
        json=notified,
        headers=service.auth(BUSINESS_MANAGER, Idempotency_Key=key),
    )
    assert sent.status_code == 200, sent.text
    after = engine.get(review.id)
    event = {"sequence": after.version, "hash": after.head}
    assert sent.content == _encoded(after, event=event)
    again = service.http.post(
        f"/v1/reviews/{review.id}/commands",
        json=notified,
        headers=service.auth(BUSINESS_MANAGER, Idempotency_Key=key),
    )
    assert again.content == sent.content
    if isinstance(engine.store, SqlStore):
        assert engine.store.review_json(after) is not None  # the path under test


def test_the_store_gives_its_text_only_for_the_very_review_it_holds(tmp_path: Path) -> None:
    with SqlStore(f"sqlite:///{tmp_path / 'scr.db'}", migrate="create") as store:
        engine = engine_over(store)
        review = engine.submit(demo_request(), REQUESTER)
        text = store.review_json(review)
        assert text is not None and json.loads(text) == shapes.review(review)
        later = engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
        assert store.review_json(review) is None  # an older version: not the one held
        assert store.review_json(later) is not None
        assert store.review_json(attrs.evolve(later)) is None  # equal, but not the one held
