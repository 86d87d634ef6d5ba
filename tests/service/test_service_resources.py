"""The resources beside commands: lists and pages, explain and options, deadlines,
overdue, tasks, the public export, documents, verify; and retries that get the first
response byte for byte."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from scr_engine.board import BoardIdentity
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    REQUESTER,
    demo_request,
    run_to_closure,
)
from scr_engine.serialization import unstructure
from scr_engine.states.stages import Stage
from support.serving import OUTSIDER, Service

SUBMISSION = {"request": unstructure(demo_request())}


def submit(service: Service, **headers: str) -> Any:
    return service.http.post(
        "/v1/reviews", json=SUBMISSION, headers=service.auth(REQUESTER, **headers)
    )


def test_a_retried_submission_gets_the_first_response_byte_for_byte(service: Service) -> None:
    first = submit(service, Idempotency_Key="submit-once")
    assert first.status_code == 201
    before = len(service.engine.reviews())
    service.clock.advance(minutes=5)
    again = submit(service, Idempotency_Key="submit-once")
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(service.engine.reviews()) == before


def test_a_retried_command_gets_the_first_response_and_stores_nothing(service: Service) -> None:
    review_id = submit(service).json()["id"]
    url = f"/v1/reviews/{review_id}/commands"
    body = {"command": "record_chair_notified", "received_on": "2026-02-02"}
    headers = service.auth(BUSINESS_MANAGER, Idempotency_Key="notified", If_Match='"1"')
    first = service.http.post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    service.http.post(
        url, json={"command": "assess_criteria"}, headers=service.auth(BOARD_CHAIR)
    ).raise_for_status()
    # The retry's If-Match is stale by now: it is still answered as the first time.
    again = service.http.post(url, json=body, headers=headers)
    assert (again.status_code, again.content) == (200, first.content)
    assert service.engine.get(review_id).version == 3
    other = service.http.post(
        url, json={"command": "record_chair_notified", "received_on": "2026-01-30"}, headers=headers
    )
    assert other.status_code == 422
    assert service.engine.get(review_id).version == 3


def test_prefer_return_minimal_answers_a_command_with_a_receipt(service: Service) -> None:
    """RFC 7240: with ``Prefer: return=minimal`` a command is answered with the
    review's id, reference, stage and version and its event (``Preference-Applied``
    says so), the same as the whole answer holds; a retry with the same key and the
    same preference gets it byte for byte; without the preference, the whole review."""
    review = submit(service).json()
    url = f"/v1/reviews/{review['id']}/commands"
    body = {"command": "record_chair_notified", "received_on": "2026-02-02"}
    headers = service.auth(
        BUSINESS_MANAGER, Idempotency_Key="minimal", Prefer='respond-async, return="minimal"'
    )
    first = service.http.post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.headers["Preference-Applied"] == "return=minimal"
    stored = service.engine.get(review["id"])
    assert first.json() == {
        "id": stored.id,
        "reference": stored.reference,
        "stage": str(stored.stage),
        "version": stored.version,
        "event": {"sequence": stored.version, "hash": stored.head},
    }
    assert first.headers["ETag"] == f'"{stored.version}"'
    again = service.http.post(url, json=body, headers=headers)
    assert (again.status_code, again.content) == (200, first.content)
    whole = service.http.post(
        url, json={"command": "assess_criteria"}, headers=service.auth(BOARD_CHAIR)
    )
    assert "Preference-Applied" not in whole.headers
    assert whole.json()["review"]["version"] == 3
    assert whole.json()["event"]["sequence"] == 3


def test_explain_and_options_change_nothing(service: Service) -> None:
    review_id = submit(service).json()["id"]
    chair = service.auth(BOARD_CHAIR)
    explained = service.http.post(
        f"/v1/reviews/{review_id}/explain",
        json={"command": "decline", "reasons": "Not needed."},
        headers=chair,
    ).json()
    assert explained["accepted"] is False
    assert [r["rule"] for r in explained["refusals"]] == ["RF-4", "CR-1"]
    ok = service.http.post(
        f"/v1/reviews/{review_id}/explain", json={"command": "assess_criteria"}, headers=chair
    ).json()
    assert ok == {"command": "assess_criteria", "accepted": True, "refusals": []}
    options = service.http.get(f"/v1/reviews/{review_id}/options", headers=chair).json()["options"]
    allowed = [o["command"] for o in options if o["allowed"]]
    assert allowed == service.engine.allowed(review_id, BOARD_CHAIR)
    assert service.engine.get(review_id).version == 1


def test_lists_filter_and_page_by_reference(service: Service) -> None:
    for _ in range(3):
        submit(service)
    officer = service.auth(BUSINESS_MANAGER)
    everything = service.http.get("/v1/reviews?limit=1000", headers=officer).json()["reviews"]
    references = [r["reference"] for r in everything]
    assert references == sorted(references) and len(references) >= 3
    first = service.http.get("/v1/reviews?limit=2", headers=officer).json()
    assert [r["reference"] for r in first["reviews"]] == references[:2]
    following = service.http.get(
        f"/v1/reviews?limit=2&after={first['next_after']}", headers=officer
    ).json()
    assert [r["reference"] for r in following["reviews"]] == references[2:4]
    at = service.http.get("/v1/reviews?stage=requested&agency=gp&text=SCR", headers=officer)
    assert {r["stage"] for r in at.json()["reviews"]} == {"requested"}
    assert service.http.get("/v1/reviews", headers=service.auth(OUTSIDER)).json()["reviews"] == []
    found = service.http.get(f"/v1/references/{references[0]}", headers=officer)
    assert found.json()["reference"] == references[0]
    assert found.headers["Content-Location"] == f"/v1/reviews/{found.json()['id']}"


def _confirmed(service: Service) -> str:
    """A review submitted and confirmed over HTTP (its RF-5 letters emitted): its id."""
    review_id: str = submit(service).json()["id"]
    bm, chair = service.auth(BUSINESS_MANAGER), service.auth(BOARD_CHAIR)
    url = f"/v1/reviews/{review_id}/commands"
    for body, who in (
        ({"command": "record_chair_notified", "received_on": "2026-02-02"}, bm),
        ({"command": "assess_criteria"}, chair),
        ({"command": "confirm_review", "reasons": "CR-1 is met."}, chair),
    ):
        service.http.post(url, json=body, headers=who).raise_for_status()
    return review_id


@pytest.mark.rule("RF-5")
def test_tasks_are_fed_listed_and_completed(service: Service) -> None:
    """RF-5: confirming a review emits a letter to each agency; the feed lists them,
    an officer marks one delivered, and it leaves the feed."""
    review_id = _confirmed(service)
    bm = service.auth(BUSINESS_MANAGER)
    feed = service.http.get("/v1/tasks?limit=1000", headers=bm).json()["tasks"]
    mine = [t for t in feed if t["review_id"] == review_id]
    assert {t["agency"] for t in mine} == {"asc", "gp", "police"}
    task = mine[0]
    refused = service.http.post(
        f"/v1/reviews/{review_id}/tasks/{task['id']}/complete", headers=service.auth(REQUESTER)
    )
    assert refused.status_code == 403
    done = service.http.post(f"/v1/reviews/{review_id}/tasks/{task['id']}/complete", headers=bm)
    assert done.status_code == 200 and done.json()["status"] == "done"
    listed = service.http.get(f"/v1/reviews/{review_id}/tasks", headers=bm).json()["tasks"]
    assert {t["id"]: t["status"] for t in listed}[task["id"]] == "done"
    feed = service.http.get("/v1/tasks?limit=1000", headers=bm).json()["tasks"]
    assert task["id"] not in [t["id"] for t in feed]


def test_the_task_feed_pages_by_next_after(service: Service) -> None:
    """``/v1/tasks`` gives ``limit`` tasks and a ``next_after`` to pass as ``after``
    for the next page (null on the last): every pending task once, in the library's
    order; a cursor that is not one is 400."""
    bm = service.auth(BUSINESS_MANAGER)
    for _ in range(2):
        _confirmed(service)
    expected = [t.id for t in service.engine.pending_tasks(limit=1000)]
    assert len(expected) >= 6
    found: list[str] = []
    query = "/v1/tasks?limit=4"
    while True:
        page = service.http.get(query, headers=bm).json()
        found += [t["id"] for t in page["tasks"]]
        if page["next_after"] is None:
            break
        assert len(found) <= len(expected), "a page repeated tasks"
        query = f"/v1/tasks?limit=4&after={page['next_after']}"
    assert found == expected
    for junk in ("x", "W10", "WyIyMDI2LTAyLTAyVDA5OjAwOjAwIiwidCJd"):  # [], a naive time
        refused = service.http.get(f"/v1/tasks?after={junk}", headers=bm)
        assert refused.status_code == 400, junk
        assert refused.headers["Content-Type"].startswith("application/problem+json")


def test_deadlines_and_overdue(service: Service) -> None:
    review_id = submit(service).json()["id"]
    bm = service.auth(BUSINESS_MANAGER)
    deadlines = service.http.get(f"/v1/reviews/{review_id}/deadlines", headers=bm).json()
    assert [d["key"] for d in deadlines["deadlines"]] == [
        d.key for d in service.engine.deadlines(review_id)
    ]
    late = (service.clock.now() + timedelta(days=400)).date().isoformat()
    rows: list[Any] = []
    query = f"/v1/overdue?as_of={late}&limit=2"
    while query:
        page = service.http.get(query, headers=bm).json()
        rows += page["deadlines"]
        query = (
            f"/v1/overdue?as_of={late}&limit=2&after={page['next_after']}"
            if page["next_after"]
            else ""
        )
    expected = service.engine.overdue(
        (service.clock.now() + timedelta(days=400)).date(), limit=1000
    )
    assert [(r["review_id"], r["key"]) for r in rows] == [(r.review_id, r.key) for r in expected]
    assert all(r["status"] == "overdue" for r in rows)


def test_the_public_export_and_the_documents_of_a_ratified_review(service: Service) -> None:
    review_id = submit(service).json()["id"]
    run_to_closure(service.engine, review_id, until=Stage.RATIFIED)
    bm = service.auth(BUSINESS_MANAGER)
    exported = service.http.get(f"/v1/reviews/{review_id}/public-export", headers=bm)
    assert exported.status_code == 200
    report = service.engine.public_export(review_id)
    assert exported.json() == json.loads(json.dumps(unstructure(report), default=str))
    assert "Ada" not in exported.text
    html = service.http.get(f"/v1/reviews/{review_id}/documents/overview?format=html", headers=bm)
    assert html.headers["content-type"].startswith("text/html")
    assert "<html" in html.text
    md = service.http.get(f"/v1/reviews/{review_id}/documents/action-plan", headers=bm)
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("#") or "Action plan" in md.text


def test_a_document_names_the_store_s_board_and_carries_its_marking(service: Service) -> None:
    review_id = submit(service).json()["id"]
    bm = service.auth(BUSINESS_MANAGER)
    service.engine.store.set_board_identity(BoardIdentity("Northshire <SAB>", area="Northshire"))
    html = service.http.get(f"/v1/reviews/{review_id}/documents/request?format=html", headers=bm)
    assert html.text.count("Northshire &lt;SAB&gt;") == 2 and "<SAB>" not in html.text
    assert html.text.count(">OFFICIAL-SENSITIVE</p>") == 2
    md = service.http.get(f"/v1/reviews/{review_id}/documents/public-report", headers=bm)
    assert md.text.startswith("**OFFICIAL**")


def test_a_command_loads_its_review_once_after_the_first(tmp_path: Path) -> None:
    """The service reads a review's protocol once (it never changes): every later
    command on the review costs the engine's one load, not two; a review of each
    protocol keeps its own."""
    from scr_engine import MemoryStore
    from scr_engine.demo_sar import demo_referral
    from support.serving import running

    class Counting(MemoryStore):
        loads = 0

        def load(self, review_id: str) -> Any:
            Counting.loads += 1
            return super().load(review_id)

    with running(Counting(), tmp_path) as service:
        scr_id = submit(service).json()["id"]
        made = service.http.post(
            "/v1/reviews",
            json={"request": unstructure(demo_referral()), "protocol": "sar"},
            headers=service.auth(BUSINESS_MANAGER),
        )
        sar_id = made.json()["id"]
        url = f"/v1/reviews/{scr_id}/commands"
        notified = {"command": "record_chair_notified", "received_on": "2026-02-02"}
        assert service.http.post(url, json=notified, headers=service.auth(BUSINESS_MANAGER))
        before = Counting.loads
        assessed = service.http.post(
            url, json={"command": "assess_criteria"}, headers=service.auth(BOARD_CHAIR)
        )
        assert assessed.status_code == 200, assessed.text
        assert Counting.loads - before == 1
        wrong = service.http.post(
            f"/v1/reviews/{sar_id}/commands",
            json={"command": "convene_panel"},
            headers=service.auth(BOARD_CHAIR),
        )
        assert wrong.status_code == 422 and "convene_panel" in wrong.text
