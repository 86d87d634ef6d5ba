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
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request
from scr_engine.service.openapi import openapi_document
from scr_engine.storage.sql import SqlStore
from support.postgres import postgres_schema
from support.serving import Service, running

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

EXAMPLES = max(5, settings().max_examples // 4)


@pytest.fixture(
    scope="module", params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Service, str, str]]:
    """The running service, the demo review's id and its reference."""
    key = Ed25519PrivateKey.generate()
    folder = tmp_path_factory.mktemp("schemathesis")
    with ExitStack() as stack:
        if request.param == "memory":
            store: MemoryStore | SqlStore = MemoryStore()
        else:
            url = stack.enter_context(postgres_schema())
            store = stack.enter_context(SqlStore(url, migrate="create"))
        service = stack.enter_context(running(store, folder, signing_key=key))
        review = service.engine.submit(demo_request(), REQUESTER)
        yield service, review.id, review.reference


schema = schemathesis.openapi.from_dict(openapi_document())
"""The document the service serves (a test checks they are the same)."""


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_every_response_is_documented(
    case: schemathesis.Case, seeded: tuple[Service, str, str]
) -> None:
    service, review_id, reference = seeded
    if case.path_parameters:
        if "review_id" in case.path_parameters:
            case.path_parameters["review_id"] = review_id
        if "reference" in case.path_parameters:
            case.path_parameters["reference"] = reference
    case.call_and_validate(base_url=service.base, headers=service.auth(BOARD_CHAIR), checks=CHECKS)


def test_the_seeded_review_is_there(seeded: tuple[Service, str, str]) -> None:
    service, review_id, _ = seeded
    response = service.http.get(f"/v1/reviews/{review_id}", headers=service.auth(BOARD_CHAIR))
    assert response.status_code == 200
