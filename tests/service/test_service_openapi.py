"""The OpenAPI 3.1 document: served, made from the command schemas and the routes,
every reference resolving, and its copy in docs/ fresh."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.routing import Route

from scr_engine.commands import COMMANDS
from scr_engine.service import create_app
from scr_engine.service.openapi import openapi_document, openapi_json
from service.serving import Service

ROOT = Path(__file__).resolve().parents[2]


def test_the_served_document_is_the_one_made_from_the_code(service: Service) -> None:
    response = service.http.get("/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document == openapi_document()
    assert document["openapi"] == "3.1.0"


def test_the_copy_in_the_docs_is_fresh() -> None:
    """docs/openapi.json is what scripts/openapi.py writes now: run it when this fails."""
    kept = (ROOT / "docs" / "openapi.json").read_text("utf-8")
    assert kept == openapi_json(), "docs/openapi.json is stale: run python scripts/openapi.py"


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        for item in value.values():
            found |= _refs(item)
        return found
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


def test_every_reference_resolves_and_every_command_is_offered() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rpartition("/")[2] in schemas, ref
    mapping = schemas["Command"]["discriminator"]["mapping"]
    assert set(mapping) == set(COMMANDS) - {"submit_request"}
    assert "#/$defs/" not in json.dumps(document)


def test_every_route_is_in_the_document_and_nothing_else(tmp_path: Path) -> None:
    from scr_engine import MemoryStore
    from scr_engine.service import TokenFile

    app = create_app(MemoryStore(), {}, TokenFile(tmp_path / "t.json"))
    served = {
        (route.path, method.lower())
        for route in app.routes
        if isinstance(route, Route)
        for method in (route.methods or ())
        if method != "HEAD"
    }
    documented = {
        (path, method)
        for path, operations in openapi_document()["paths"].items()
        for method in operations
    }
    assert served == documented


def test_a_command_body_validates_against_the_document() -> None:
    """The demo's commands, as JSON, fit the Command schema of the document."""
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    from scr_engine.commands import AddAgency, ConfirmReview, to_dict
    from scr_engine.demo import AGENCIES

    document = openapi_document()
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(document))
    validator = jsonschema.Draft202012Validator(
        {"$ref": "urn:openapi#/components/schemas/Command"}, registry=registry
    )
    for command in (ConfirmReview("CR-1 is met."), AddAgency(AGENCIES[0], "Found late.")):
        body = json.loads(json.dumps(to_dict(command), default=str))
        assert not list(validator.iter_errors(body)), body
    assert list(validator.iter_errors({"command": "confirm_review", "reasons": 5}))
    assert re.match(r"^3\.1\.", document["openapi"])
