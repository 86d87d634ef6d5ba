"""The OpenAPI 3.1 document: served, made from the command schemas and the routes,
every reference resolving, and its copy in docs/ fresh."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.routing import Route

from scr_engine import protocols
from scr_engine.commands import COMMANDS
from scr_engine.demo import BUSINESS_MANAGER
from scr_engine.service import create_app
from scr_engine.service.openapi import openapi_document, openapi_json
from support.serving import Service

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
    mapping = schemas["ScrCommandBody"]["discriminator"]["mapping"]
    assert set(mapping) == set(COMMANDS) - {"submit_request"}
    for definition in protocols.available():
        union = "ScrCommandBody" if definition.name == "scr" else None
        union = union or "".join(p.title() for p in definition.name.split("-")) + "CommandBody"
        offered = set(schemas[union]["discriminator"]["mapping"])
        assert offered == set(definition.commands) - {"submit_request"}, definition.name
        assert _ref(union) in schemas["Command"]["anyOf"]
    assert "#/$defs/" not in json.dumps(document)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def validator_of(component: str) -> Any:
    """A JSON Schema validator of one component of the document."""
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    document = openapi_document()
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(document))
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{component}"}, registry=registry
    )


def test_every_protocols_commands_and_records_fit_the_document(service: Service) -> None:
    """A SAR's commands (information requests and annual report commands too), as the
    service takes them, fit ``Command``; a SAR review as the service returns it fits
    ``AnyReview`` (and the SAR's own record schema, not the SCR's); a SAR command's
    fields of the wrong type do not fit."""
    from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER
    from scr_engine.demo_sar import demo_referral
    from scr_engine.protocols.sar import commands as c
    from scr_engine.protocols.sar.annual import commands as ac
    from scr_engine.protocols.sar.information import RecordDisclosure
    from scr_engine.serialization import unstructure

    command = validator_of("Command")
    bodies = [
        c.to_dict(
            c.RequestInformation(
                kind=c.InformationKind.VOLUNTARY,
                addressee="gp",
                information="records",
                function="deciding_on_a_sar",
            )
        ),
        {"command": "record_disclosure", **unstructure(RecordDisclosure("IR-1", "x", "y", ()))},
        {"command": "approve_annual_report", **unstructure(ac.ApproveAnnualReport())},
    ]
    for body in bodies:
        plain = json.loads(json.dumps(body, default=str))
        assert not list(command.iter_errors(plain)), plain
    assert list(command.iter_errors({"command": "record_disclosure", "request": 5}))
    made = service.http.post(
        "/v1/reviews",
        json={"request": unstructure(demo_referral()), "protocol": "sar"},
        headers=service.auth(BUSINESS_MANAGER),
    )
    assert made.status_code == 201, made.text
    review = service.http.get(
        f"/v1/reviews/{made.json()['id']}", headers=service.auth(BOARD_CHAIR)
    ).json()
    assert not list(validator_of("AnyReview").iter_errors(review))
    assert not list(validator_of("SarReview").iter_errors(review))
    assert list(validator_of("Review").iter_errors(review))


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


def test_the_statuses_of_a_malformed_id_and_a_long_body_are_documented(service: Service) -> None:
    """A document asked of a review id the engine refuses (a NUL, too long) is 422, and
    a verify body past the limit is 413: each operation documents the status it
    answers; verify documents its optional body ({"exact": true})."""
    paths = openapi_document()["paths"]
    officer = service.auth(BUSINESS_MANAGER)
    for review_id in ("%00", "r" * 2000):
        found = service.http.get(f"/v1/reviews/{review_id}/documents/request", headers=officer)
        assert found.status_code == 422, found.text
        assert "422" in paths["/v1/reviews/{review_id}/documents/{name}"]["get"]["responses"]
    limit = 4 * service.engine.settings.max_command_length
    big = service.http.post(
        "/v1/verify", content=b'{"exact": "' + b"x" * limit + b'"}', headers=officer
    )
    assert big.status_code == 413, big.text
    verify = paths["/v1/verify"]["post"]
    assert "413" in verify["responses"]
    body = verify["requestBody"]
    assert body["required"] is False
    schema = body["content"]["application/json"]["schema"]
    assert schema["properties"]["exact"]["type"] == "boolean"
    assert schema["additionalProperties"] is False


def test_the_headers_a_client_relies_on_are_documented(service: Service) -> None:
    """ETag (the review's version, for If-Match), Location of a new review and
    Preference-Applied of a receipt are in the responses' ``headers`` of the document,
    as the service sends them."""
    from scr_engine.demo import REQUESTER, demo_request
    from scr_engine.serialization import unstructure

    paths = openapi_document()["paths"]
    made = service.http.post(
        "/v1/reviews",
        json={"request": unstructure(demo_request())},
        headers=service.auth(REQUESTER),
    )
    assert made.status_code == 201, made.text
    sent = {"ETag", "Location"}
    assert {h.lower() for h in sent} <= set(made.headers)
    assert sent <= set(paths["/v1/reviews"]["post"]["responses"]["201"]["headers"])
    review = "/v1/reviews/{review_id}"
    for path in (review, "/v1/references/{reference}"):
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"], path
    command = paths[f"{review}/commands"]["post"]["responses"]
    assert {"ETag", "Preference-Applied"} <= set(command["200"]["headers"])
    assert "ETag" in command["412"]["headers"]
