"""Every error of the library's tree answered with its status and a problem document
(RFC 9457) carrying every refusal: one table, docs/service.md."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scr_engine import MemoryStore
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, PANEL_CHAIR, REQUESTER, demo_request
from scr_engine.errors import IntegrityError, StorageError
from scr_engine.records import Review
from scr_engine.serialization import unstructure
from scr_engine.service import STATUSES
from support.serving import Service, running

PROBLEM = "application/problem+json"


def problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The problem document of a failed response, checked against RFC 9457's members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:scr-engine:problem:{kind}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["instance"] == response.request.url.path
    assert {s for s, k, _ in STATUSES if k == kind} == {status}
    return body


@pytest.fixture(scope="module")
def review(service: Service) -> dict[str, Any]:
    response = service.http.post(
        "/v1/reviews",
        json={"request": unstructure(demo_request())},
        headers=service.auth(REQUESTER),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_body_that_is_not_json_is_400(service: Service, review: dict[str, Any]) -> None:
    for body in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        response = service.http.post(
            f"/v1/reviews/{review['id']}/commands",
            content=body,
            headers=service.auth(BOARD_CHAIR, **{"Content-Type": "application/json"}),
        )
        problem(response, 400, "malformed")


JSON_ROUTES = ("/v1/reviews", "/v1/reviews/{id}/commands", "/v1/reviews/{id}/explain", "/v1/verify")
"""Every route that reads a JSON body."""


@pytest.mark.parametrize("route", JSON_ROUTES)
@pytest.mark.parametrize(
    "media_type",
    [
        None,
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "application/jsonx",
        "json",
    ],
)
def test_a_body_not_sent_as_json_is_415_and_nothing_stored(
    service: Service, review: dict[str, Any], route: str, media_type: str | None
) -> None:
    """A JSON body sent with another media type (or none) is refused with 415, saying
    what to send, and nothing is stored; the same body sent as JSON is read."""
    path = route.replace("{id}", review["id"])
    body = {"request": unstructure(demo_request())} if route == "/v1/reviews" else {}
    if route.endswith(("/commands", "/explain")):
        body = {"command": "record_budget", "reasons": "no"}
    headers = service.auth(BUSINESS_MANAGER if route == "/v1/verify" else BOARD_CHAIR)
    if route == "/v1/reviews":
        headers = service.auth(REQUESTER)
    if media_type is not None:
        headers["Content-Type"] = media_type
    before = (
        [(r.id, r.version) for r in service.engine.reviews()],
        service.engine.history(review["id"]),
    )
    response = service.http.post(path, content=json.dumps(body).encode(), headers=headers)
    found = problem(response, 415, "unsupported_media_type")
    assert "application/json" in found["detail"]
    assert (
        [(r.id, r.version) for r in service.engine.reviews()],
        service.engine.history(review["id"]),
    ) == before


@pytest.mark.parametrize(
    "media_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/merge-patch+json",
    ],
)
def test_a_json_media_type_with_or_without_parameters_is_read(
    service: Service, media_type: str
) -> None:
    headers = service.auth(BUSINESS_MANAGER, **{"Content-Type": media_type})
    response = service.http.post("/v1/verify", content=b'{"exact": false}', headers=headers)
    assert response.status_code == 200, response.text


def test_a_route_whose_body_is_optional_takes_none_whatever_its_media_type(
    service: Service,
) -> None:
    officer = service.auth(BUSINESS_MANAGER)
    assert service.http.post("/v1/verify", headers=officer).status_code == 200
    plain = service.auth(BUSINESS_MANAGER, **{"Content-Type": "text/plain"})
    assert service.http.post("/v1/verify", content=b"", headers=plain).status_code == 200


def test_a_malformed_if_match_or_query_is_400(service: Service, review: dict[str, Any]) -> None:
    response = service.http.post(
        f"/v1/reviews/{review['id']}/commands",
        json={"command": "assess_criteria"},
        headers=service.auth(BOARD_CHAIR, If_Match="W/1"),
    )
    problem(response, 400, "malformed")
    for query in ("limit=ten", "stage=nowhere", "overdue=maybe"):
        problem(
            service.http.get(f"/v1/reviews?{query}", headers=service.auth(BOARD_CHAIR)),
            400,
            "malformed",
        )
    problem(
        service.http.get("/v1/overdue?after=zzz", headers=service.auth(BOARD_CHAIR)),
        400,
        "malformed",
    )
    assert service.engine.get(review["id"]).version == 1


def test_permission_denied_is_403_with_its_refusals(
    service: Service, review: dict[str, Any]
) -> None:
    """RF-4: only the Chair assesses a request; the requester's attempt carries the
    permission reason alone (PermissionDenied), and changes nothing."""
    response = service.http.post(
        f"/v1/reviews/{review['id']}/commands",
        json={"command": "assess_criteria"},
        headers=service.auth(REQUESTER),
    )
    body = problem(response, 403, "permission_denied")
    assert body["command"] == "assess_criteria"
    assert body["refusals"] and all(r["kind"] == "permission" for r in body["refusals"])
    assert body["rules"] == list(dict.fromkeys(r["rule"] for r in body["refusals"]))
    assert service.engine.get(review["id"]).version == 1


@pytest.mark.rule("CR-1")
def test_a_refused_transition_is_409_with_every_refusal(
    service: Service, review: dict[str, Any]
) -> None:
    """A review the adult died in cannot be declined (CR-1), nor before the Chair
    assessed it (RF-4): both reasons, each with its rule ID and message."""
    response = service.http.post(
        f"/v1/reviews/{review['id']}/commands",
        json={"command": "decline", "reasons": "Not needed."},
        headers=service.auth(BOARD_CHAIR),
    )
    body = problem(response, 409, "refused")
    assert body["rules"] == ["RF-4", "CR-1"]
    assert [r["rule"] for r in body["refusals"]] == ["RF-4", "CR-1"]
    assert all(r["message"] for r in body["refusals"])
    assert service.engine.get(review["id"]).version == 1


def test_invalid_input_is_422_naming_every_field(service: Service, review: dict[str, Any]) -> None:
    response = service.http.post(
        f"/v1/reviews/{review['id']}/commands",
        json={"command": "record_budget", "amount_pounds": "lots", "colour": "red"},
        headers=service.auth(BOARD_CHAIR),
    )
    body = problem(response, 422, "invalid")
    fields = {r["field"] for r in body["refusals"]}
    assert {"amount_pounds", "notes"} <= fields, body
    assert any("'colour'" in r["message"] for r in body["refusals"])
    unknown = service.http.post(
        f"/v1/reviews/{review['id']}/commands",
        json={"command": "fly_to_the_moon"},
        headers=service.auth(BOARD_CHAIR),
    )
    assert problem(unknown, 422, "invalid")["refusals"][0]["field"] == "command"
    again = service.http.post(
        f"/v1/reviews/{review['id']}/commands",
        json={"command": "submit_request"},
        headers=service.auth(BOARD_CHAIR),
    )
    problem(again, 422, "invalid")
    assert service.engine.get(review["id"]).version == 1


def test_an_incomplete_request_is_422_naming_every_missing_answer(service: Service) -> None:
    """RF-2: a request form missing its answers is refused naming each; no review is
    created."""
    before = len(service.engine.reviews())
    form = unstructure(demo_request())
    del form["how_meets_criteria"]
    response = service.http.post(
        "/v1/reviews", json={"request": form, "colour": 1}, headers=service.auth(REQUESTER)
    )
    body = problem(response, 422, "invalid")
    assert {r["field"] for r in body["refusals"]} == {"colour", "how_meets_criteria"}
    assert len(service.engine.reviews()) == before


def test_an_unknown_review_task_document_or_route_is_404(
    service: Service, review: dict[str, Any]
) -> None:
    chair = service.auth(BOARD_CHAIR)
    problem(service.http.get("/v1/reviews/no-such-review", headers=chair), 404, "not_found")
    problem(service.http.get("/v1/references/SCR-1999-001", headers=chair), 404, "not_found")
    problem(
        service.http.post(f"/v1/reviews/{review['id']}/tasks/t-none/complete", headers=chair),
        404,
        "not_found",
    )
    problem(
        service.http.get(f"/v1/reviews/{review['id']}/documents/novel", headers=chair),
        404,
        "not_found",
    )
    problem(service.http.get("/v1/nowhere", headers=chair), 404, "not_found")
    problem(
        service.http.delete(f"/v1/reviews/{review['id']}", headers=chair), 405, "method_not_allowed"
    )


def test_a_stale_if_match_is_412_with_the_current_version(
    service: Service, review: dict[str, Any]
) -> None:
    """If-Match carries the expected version: a stale one changes nothing and says
    which version the review is at (in the problem and its ETag)."""
    url = f"/v1/reviews/{review['id']}"
    etag = service.http.get(url, headers=service.auth(BUSINESS_MANAGER)).headers["ETag"]
    assert etag == '"1"'
    response = service.http.post(
        f"{url}/commands",
        json={"command": "record_chair_notified", "received_on": "2026-02-02"},
        headers=service.auth(BUSINESS_MANAGER, If_Match='"7"'),
    )
    body = problem(response, 412, "stale")
    assert (body["expected_version"], body["current_version"]) == (7, 1)
    assert response.headers["ETag"] == '"1"'
    assert service.engine.get(review["id"]).version == 1
    fresh = service.http.post(
        f"{url}/commands",
        json={"command": "record_chair_notified", "received_on": "2026-02-02"},
        headers=service.auth(BUSINESS_MANAGER, If_Match=etag),
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["ETag"] == '"2"'


def test_an_oversized_body_is_413_and_unread(service: Service, review: dict[str, Any]) -> None:
    limit = 4 * service.engine.settings.max_command_length
    body = b'{"command": "record_budget", "reasons": "' + b"x" * limit + b'"}'
    before = service.engine.get(review["id"]).version
    try:
        response = service.http.post(
            f"/v1/reviews/{review['id']}/commands",
            content=body,
            headers=service.auth(BOARD_CHAIR, **{"Content-Type": "application/json"}),
        )
    except httpx.TransportError:  # the server may close before the whole body is sent
        pytest.fail("the service closed the connection instead of answering 413")
    problem(response, 413, "too_large")
    assert service.engine.get(review["id"]).version == before


def test_checkpoints_without_a_key_are_503(service: Service) -> None:
    response = service.http.post("/v1/checkpoints", headers=service.auth(BUSINESS_MANAGER))
    problem(response, 503, "unavailable")


class Faulty(MemoryStore):
    """A store with a review whose history disagrees with it, and a broken disk."""

    down = False

    def load(self, review_id: str) -> Review:
        if review_id == "tampered":
            raise IntegrityError(review_id, ["its row was edited"])
        if review_id == "on-a-broken-disk" or self.down:
            raise StorageError("disk I/O error at /var/lib/secret/scr.db")
        return super().load(review_id)

    def review_ids(self, *, after: str | None = None, limit: int = 1000) -> list[str]:
        if self.down:
            raise StorageError("connection refused by db.internal:5432")
        return super().review_ids(after=after, limit=limit)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Faulty]]:
    store = Faulty()
    with running(store, tmp_path_factory.mktemp("faulty")) as found:
        yield found, store


def test_an_integrity_fault_is_500_naming_its_problems(faulty: tuple[Service, Faulty]) -> None:
    service, _ = faulty
    response = service.http.get("/v1/reviews/tampered", headers=service.auth(BUSINESS_MANAGER))
    body = problem(response, 500, "integrity")
    assert body["problems"] == ["its row was edited"]


def test_a_storage_failure_is_503_and_says_nothing_of_the_database(
    faulty: tuple[Service, Faulty],
) -> None:
    service, store = faulty
    response = service.http.get(
        "/v1/reviews/on-a-broken-disk", headers=service.auth(BUSINESS_MANAGER)
    )
    body = problem(response, 503, "unavailable")
    assert "secret" not in response.text and "/var" not in body["detail"]
    assert service.http.get("/readyz").json() == {"status": "ready"}
    store.down = True
    try:
        ready = service.http.get("/readyz")
        assert ready.status_code == 503
        assert "db.internal" not in ready.text
    finally:
        store.down = False
    assert service.http.get("/healthz").status_code == 200


def test_every_status_of_the_table_is_documented() -> None:
    """The table of docs/service.md is the service's own (STATUSES)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "service.md").read_text("utf-8")
    for status, kind, _ in STATUSES:
        assert f"| {status} | `{kind}` |" in text, (status, kind)


def test_a_request_form_that_is_not_an_object_is_422_naming_request(service: Service) -> None:
    """The form of a submission that is not a JSON object is refused naming the field
    ``request``, in words a caller in any language reads (not Python's); nothing is
    stored."""
    before = len(service.engine.reviews())
    for protocol in ("scr", "sar"):
        for form in ("a form", None, [1], 7):
            response = service.http.post(
                "/v1/reviews",
                json={"request": form, "protocol": protocol},
                headers=service.auth(BUSINESS_MANAGER),
            )
            body = problem(response, 422, "invalid")
            assert [r["field"] for r in body["refusals"]] == ["request"], body
            message = body["refusals"][0]["message"]
            assert "JSON object" in message, message
            assert "NoneType" not in body["detail"] and "attribute" not in body["detail"]
    assert len(service.engine.reviews()) == before


def test_a_method_not_allowed_says_which_are(service: Service, review: dict[str, Any]) -> None:
    """405 carries Allow (RFC 9110 §15.5.6): the methods the route takes."""
    chair = service.auth(BOARD_CHAIR)
    response = service.http.delete(f"/v1/reviews/{review['id']}", headers=chair)
    problem(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    listing = service.http.put("/v1/reviews", headers=chair)
    problem(listing, 405, "method_not_allowed")
    assert set(listing.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


def test_verify_refuses_an_unknown_field(service: Service) -> None:
    """verify takes ``exact`` only: another field (a misspelt ``exact``, say) is 422
    naming it, as for a command, rather than silently ignored."""
    officer = service.auth(BUSINESS_MANAGER)
    response = service.http.post("/v1/verify", json={"exct": True}, headers=officer)
    body = problem(response, 422, "invalid")
    assert [r["field"] for r in body["refusals"]] == ["exct"], body
    taken = service.http.post("/v1/verify", json={"exact": False}, headers=officer)
    assert taken.status_code == 200, taken.text


def test_a_command_dated_at_the_calendar_s_end_is_422_not_500(service: Service) -> None:
    """The initial meeting "held" on 9999-12-31 (``occurred_on``): its day is refused
    (DATE: after today), and the terms' ten-year bound, counted from that day, does not
    overflow the calendar (a 500, explained or run)."""
    from support.builders import full_terms, prepare_panel, screen, today

    made = service.http.post(
        "/v1/reviews",
        json={"request": unstructure(demo_request())},
        headers=service.auth(REQUESTER),
    )
    assert made.status_code == 201, made.text
    review_id = made.json()["id"]
    screen(service.engine, review_id)
    review = prepare_panel(service.engine, review_id, meeting=False)
    terms = json.loads(
        json.dumps(unstructure(full_terms(review, today(service.engine))), default=str)
    )
    body = {"command": "hold_initial_meeting", "terms": terms, "occurred_on": "9999-12-31"}
    before = service.engine.get(review_id).version
    for verb in ("explain", "commands"):
        answer = service.http.post(
            f"/v1/reviews/{review_id}/{verb}", json=body, headers=service.auth(PANEL_CHAIR)
        )
        assert answer.status_code in (200, 422), (verb, answer.text)
        assert "DATE" in {r["rule"] for r in answer.json()["refusals"]}, answer.text
    assert service.engine.get(review_id).version == before


def test_every_route_with_a_body_documents_415(service: Service) -> None:
    paths = service.http.get("/v1/openapi.json").json()["paths"]
    with_body = [
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= len(JSON_ROUTES)
    for path, method in with_body:
        assert "415" in paths[path][method]["responses"], (path, method)


@pytest.mark.parametrize("body", [{}, {"command": None}, {"command": 5}], ids=repr)
def test_a_command_without_a_name_is_422_naming_no_none(
    service: Service, review: dict[str, Any], body: dict[str, Any]
) -> None:
    for route in ("commands", "explain"):
        response = service.http.post(
            f"/v1/reviews/{review['id']}/{route}", json=body, headers=service.auth(BOARD_CHAIR)
        )
        found = problem(response, 422, "invalid")
        assert found["command"] == "command" and "None" not in found["detail"], found
        assert found["detail"].startswith("command refused:")
