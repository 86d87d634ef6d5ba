"""Schemathesis against the running service: requests made from the OpenAPI document
(bodies, queries, headers of every operation, valid and not), each answered with no
5xx and with a response the document describes (a documented status, its content
type, a body matching its schema).

The service runs over a memory store, then over PostgreSQL (a schema of its own),
each seeded with the demo's review, and the calls
come from the Board's chair (who reads every review), so that the paths name a real
review and most operations get past their 404. Examples per operation follow the
hypothesis profile: a quarter of its ``max_examples`` (15 under ``ci``, 250 under
``thorough``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scr_engine import MemoryStore
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.service.openapi import openapi_document
from scr_engine.storage.sql import SqlStore
from scr_engine.webhooks import Webhook
from support.postgres import postgres_schema
from support.serving import Service, running

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

EXAMPLES = max(5, settings().max_examples // 4)


Seeded = tuple[Service, str, str, str]


@pytest.fixture(
    scope="module", params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    """The running service (over a memory store, then PostgreSQL), the demo review's
    id and its reference, and the id of a webhook delivery (of a second review,
    confirmed: its RF-5 letters queued)."""
    key = Ed25519PrivateKey.generate()
    folder = tmp_path_factory.mktemp("schemathesis")
    with ExitStack() as stack:
        if request.param == "memory":
            store: MemoryStore | SqlStore = MemoryStore()
        else:
            url = stack.enter_context(postgres_schema())
            store = stack.enter_context(SqlStore(url, migrate="create"))
        store.set_webhook(Webhook("https://cases.council.example/hooks", "/etc/secret", "0" * 16))
        service = stack.enter_context(running(store, folder, signing_key=key))
        engine = service.engine
        review = engine.submit(demo_request(), REQUESTER)
        other = engine.submit(demo_request(), REQUESTER)
        engine.execute(other.id, c.RecordChairNotified(other.received_on), BUSINESS_MANAGER)
        engine.execute(other.id, c.AssessCriteria(), BOARD_CHAIR)
        engine.execute(other.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        delivery = store.deliveries(limit=1)[0]
        yield service, review.id, review.reference, delivery.id


schema = schemathesis.openapi.from_dict(openapi_document())
"""The document the service serves (a test checks they are the same)."""


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_every_response_is_documented(case: schemathesis.Case, seeded: Seeded) -> None:
    service, review_id, reference, delivery_id = seeded
    if case.path_parameters:
        if "review_id" in case.path_parameters:
            case.path_parameters["review_id"] = review_id
        if "reference" in case.path_parameters:
            case.path_parameters["reference"] = reference
        if "delivery_id" in case.path_parameters:
            case.path_parameters["delivery_id"] = delivery_id
    case.call_and_validate(base_url=service.base, headers=service.auth(BOARD_CHAIR), checks=CHECKS)


def test_the_seeded_review_and_delivery_are_there(seeded: Seeded) -> None:
    service, review_id, _, delivery_id = seeded
    response = service.http.get(f"/v1/reviews/{review_id}", headers=service.auth(BOARD_CHAIR))
    assert response.status_code == 200
    listed = service.http.get("/v1/webhook/deliveries", headers=service.auth(BOARD_CHAIR))
    assert delivery_id in {row["id"] for row in listed.json()["deliveries"]}
