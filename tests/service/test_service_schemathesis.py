"""Schemathesis against the running service: requests made from the OpenAPI document
(bodies, queries, headers of every operation, valid and not), each answered with no
5xx and with a response the document describes (a documented status, its content
type, a body matching its schema).

The service runs over a memory store, then over PostgreSQL (a schema of its own),
each seeded with the demo's review, and the calls come from the Board's chair (who
reads every review), so that the paths name a real review and most operations get past
their 404. Examples per operation follow the hypothesis profile: a quarter of its
``max_examples`` (15 under ``ci``, 250 under ``thorough``).

Schemathesis's coverage phase (every boundary and every wrong type the schema admits,
made while the tests are collected) runs for every operation on both stores under
``thorough``. Otherwise it is not repeated where it would send the same requests to
the same code: a command's body (any of the three protocols' hundred commands: some
five thousand cases per operation and store, some twenty seconds each) is
covered on ``commands`` over the memory store, and fuzzed on ``explain`` (it decodes a
body as ``commands`` does) and over PostgreSQL (the service decodes a body before it
asks the store).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
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

THOROUGH = settings.get_current_profile_name() == "thorough"

Seeded = tuple[Service, str, str, str]


@contextmanager
def _seeded(store: MemoryStore | SqlStore, folder: Path) -> Iterator[Seeded]:
    """The running service over ``store``, the demo review's id and its reference, and
    the id of a webhook delivery (of a second review, confirmed: its RF-5 letters
    queued)."""
    store.set_webhook(Webhook("https://cases.council.example/hooks", "/etc/secret", "0" * 16))
    with running(store, folder, signing_key=Ed25519PrivateKey.generate()) as service:
        engine = service.engine
        review = engine.submit(demo_request(), REQUESTER)
        other = engine.submit(demo_request(), REQUESTER)
        engine.execute(other.id, c.RecordChairNotified(other.received_on), BUSINESS_MANAGER)
        engine.execute(other.id, c.AssessCriteria(), BOARD_CHAIR)
        engine.execute(other.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        delivery = store.deliveries(limit=1)[0]
        yield service, review.id, review.reference, delivery.id


@pytest.fixture(scope="module")
def on_memory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The service over a memory store, seeded (see :func:`_seeded`)."""
    with _seeded(MemoryStore(), tmp_path_factory.mktemp("schemathesis")) as seeded:
        yield seeded


@pytest.fixture(scope="module")
def on_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The service over PostgreSQL (a schema of its own), seeded (see :func:`_seeded`)."""
    with ExitStack() as stack:
        store = stack.enter_context(
            SqlStore(stack.enter_context(postgres_schema()), migrate="create")
        )
        yield stack.enter_context(_seeded(store, tmp_path_factory.mktemp("schemathesis")))


def _schema(*, not_covered: str | None) -> schemathesis.schemas.BaseSchema:
    """The document the service serves (a test checks they are the same), without the
    coverage phase for the operations whose path matches ``not_covered``."""
    operations = (
        []
        if THOROUGH or not_covered is None
        else [{"include-path-regex": not_covered, "phases": {"coverage": {"enabled": False}}}]
    )
    config = SchemathesisConfig.from_dict({"operations": operations})
    return schemathesis.openapi.from_dict(openapi_document(), config=config)


over_memory = _schema(not_covered="/explain$")
over_postgres = _schema(not_covered="/(explain|commands)$")


def _call(case: schemathesis.Case, seeded: Seeded) -> None:
    service, review_id, reference, delivery_id = seeded
    if case.path_parameters:
        if "review_id" in case.path_parameters:
            case.path_parameters["review_id"] = review_id
        if "reference" in case.path_parameters:
            case.path_parameters["reference"] = reference
        if "delivery_id" in case.path_parameters:
            case.path_parameters["delivery_id"] = delivery_id
    case.call_and_validate(base_url=service.base, headers=service.auth(BOARD_CHAIR), checks=CHECKS)


@pytest.mark.long
@over_memory.parametrize()
@settings(max_examples=EXAMPLES)
def test_every_response_is_documented(case: schemathesis.Case, on_memory: Seeded) -> None:
    _call(case, on_memory)


@over_postgres.parametrize()
@settings(max_examples=EXAMPLES)
@pytest.mark.postgres
def test_every_response_over_postgresql_is_documented(
    case: schemathesis.Case, on_postgres: Seeded
) -> None:
    _call(case, on_postgres)


@pytest.mark.parametrize(
    "seeded", ["on_memory", pytest.param("on_postgres", marks=pytest.mark.postgres)]
)
def test_the_seeded_review_and_delivery_are_there(
    seeded: str, request: pytest.FixtureRequest
) -> None:
    service, review_id, _, delivery_id = request.getfixturevalue(seeded)
    response = service.http.get(f"/v1/reviews/{review_id}", headers=service.auth(BOARD_CHAIR))
    assert response.status_code == 200
    listed = service.http.get("/v1/webhook/deliveries", headers=service.auth(BOARD_CHAIR))
    assert delivery_id in {row["id"] for row in listed.json()["deliveries"]}
