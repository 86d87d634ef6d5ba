"""Who is calling: no token, a wrong, revoked or another actor's token, a restricted
review, an oversized body: each refused with its status, and nothing stored. And
what is stored of a token: its hash only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scr_engine import MemoryStore
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.serialization import unstructure
from service.serving import OUTSIDER, Service, running

SUBMISSION = {"request": unstructure(demo_request())}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running(MemoryStore(), tmp_path_factory.mktemp("security")) as found:
        yield found


def stored(service: Service) -> list[Any]:
    """Every review's id and version, and every access-log entry."""
    reviews = [(r.id, r.version) for r in service.engine.reviews()]
    return [reviews, service.engine.access_log(limit=10_000)]


def refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic dTpw", "Bearer scr_wrong", "bearer scr_" + "A" * 43],
)
def test_no_token_or_a_wrong_one_is_401_and_stores_nothing(
    service: Service, authorization: str | None
) -> None:
    before = stored(service)
    headers = {"Authorization": authorization} if authorization is not None else {}
    for response in (
        service.http.post("/v1/reviews", json=SUBMISSION, headers=headers),
        service.http.get("/v1/reviews", headers=headers),
        service.http.get("/v1/tasks", headers=headers),
        service.http.post("/v1/verify", headers=headers),
    ):
        refused(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored(service) == before


def test_a_revoked_token_is_refused_from_the_next_request(
    service: Service, tmp_path_factory: pytest.TempPathFactory
) -> None:
    entry, token = service.tokens.issue(REQUESTER.id)
    headers = {"Authorization": f"Bearer {token}"}
    assert service.http.get("/v1/reviews", headers=headers).status_code == 200
    assert service.tokens.revoke(entry.id) is not None
    before = stored(service)
    refused(service.http.post("/v1/reviews", json=SUBMISSION, headers=headers), 401)
    refused(service.http.get("/v1/reviews", headers=headers), 401)
    assert stored(service) == before


def test_a_token_of_an_actor_no_longer_in_the_actors_file_is_401(service: Service) -> None:
    _, token = service.tokens.issue("u-gone")
    refused(service.http.get("/v1/reviews", headers={"Authorization": f"Bearer {token}"}), 401)


def test_the_tokens_file_keeps_hashes_only(service: Service) -> None:
    text = service.tokens.path.read_text("utf-8")
    for token in service.secrets.values():
        assert token not in text
        assert token[4:20] not in text
    data = json.loads(text)
    assert all(len(row["sha256"]) == 64 for row in data["tokens"])
    assert service.tokens.path.stat().st_mode & 0o077 == 0


@pytest.mark.rule("PR-e")
def test_another_actors_token_on_a_restricted_review_is_403_and_logged(service: Service) -> None:
    """PR-e: a review restricted to the people named on it: another requester's token
    reads nothing of it, acts on nothing, and the refused reads are in the access
    log; the review is unchanged."""
    made = service.http.post("/v1/reviews", json=SUBMISSION, headers=service.auth(REQUESTER))
    review_id = made.json()["id"]
    restrict = service.http.post(
        f"/v1/reviews/{review_id}/commands",
        json={"command": "restrict_access", "reasons": "The family asked for it."},
        headers=service.auth(BOARD_CHAIR),
    )
    assert restrict.status_code == 200, restrict.text
    version = service.engine.get(review_id).version
    outsider = service.auth(OUTSIDER)
    for response in (
        service.http.get(f"/v1/reviews/{review_id}", headers=outsider),
        service.http.get(f"/v1/reviews/{review_id}/history", headers=outsider),
        service.http.get(f"/v1/reviews/{review_id}/options", headers=outsider),
        service.http.get(f"/v1/reviews/{review_id}/deadlines", headers=outsider),
        service.http.get(f"/v1/reviews/{review_id}/tasks", headers=outsider),
        service.http.get(f"/v1/reviews/{review_id}/public-export", headers=outsider),
        service.http.get(f"/v1/reviews/{review_id}/documents/request", headers=outsider),
        service.http.post(
            f"/v1/reviews/{review_id}/commands",
            json={"command": "withdraw", "reasons": "x"},
            headers=outsider,
        ),
    ):
        refused(response, 403)
        assert response.json()["rules"] == ["PR-e"]
        assert "Mr X" not in response.text and "Ada" not in response.text
    listed = service.http.get("/v1/reviews", headers=outsider).json()["reviews"]
    assert review_id not in [r["id"] for r in listed]
    assert service.engine.get(review_id).version == version
    log = service.engine.access_log(review_id=review_id, actor_id=OUTSIDER.id)
    assert log and not any(entry.granted for entry in log)
    # The requester, named on it, still reads it.
    assert (
        service.http.get(f"/v1/reviews/{review_id}", headers=service.auth(REQUESTER)).status_code
        == 200
    )


@pytest.mark.rule("PR-e")
def test_every_read_by_an_actor_is_in_the_access_log(service: Service) -> None:
    made = service.http.post("/v1/reviews", json=SUBMISSION, headers=service.auth(REQUESTER))
    review_id = made.json()["id"]
    before = len(service.engine.access_log(review_id=review_id))
    service.http.get(f"/v1/reviews/{review_id}", headers=service.auth(BUSINESS_MANAGER))
    service.http.get(f"/v1/reviews/{review_id}/history", headers=service.auth(BUSINESS_MANAGER))
    log = service.engine.access_log(review_id=review_id)[before:]
    assert [(e.actor_id, e.what, e.granted) for e in log] == [
        (BUSINESS_MANAGER.id, "get", True),
        (BUSINESS_MANAGER.id, "history", True),
    ]


def test_an_oversized_body_is_413_before_anything_is_stored(service: Service) -> None:
    before = stored(service)
    huge = b'{"request": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = service.http.post("/v1/reviews", content=huge, headers=service.auth(REQUESTER))
    refused(response, 413)
    assert stored(service) == before


def test_only_officers_verify_and_mark_tasks(service: Service) -> None:
    refused(service.http.post("/v1/verify", headers=service.auth(REQUESTER)), 403)
    report = service.http.post("/v1/verify", headers=service.auth(BUSINESS_MANAGER))
    assert report.status_code == 200 and report.json()["ok"] is True
