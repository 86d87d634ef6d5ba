"""A Safeguarding Adults Review over HTTP: ``POST /v1/reviews`` with ``"protocol":
"sar"`` receives a referral, and ``POST /v1/reviews/{id}/commands`` reads each command
by the review's own definition (the SAR's commands, not the SCR's)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from scr_engine import MemoryStore
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    REQUESTER,
    demo_request,
)
from scr_engine.demo_sar import demo_referral
from scr_engine.rules.deadlines import FURTHEST_DAYS
from scr_engine.serialization import unstructure
from support.sar import report_drafted
from support.sar_engine import EngineRun
from support.serving import OUTSIDER, Service, running

REFERRAL = unstructure(demo_referral())

ASSESSMENT = {
    "adult": "a1",
    **{
        conjunct: {"value": "met", "reasons": "the Board finds it met"}
        for conjunct in ("in_area", "care_and_support_needs", "working_together_concern")
    },
    "condition_1": {"value": "met", "reasons": "the Board finds it met"},
    "condition_2": {"value": "not_met", "reasons": "the adult died"},
    "abuse_types": ["neglect"],
    "died_on": REFERRAL["adults"][0]["died_on"],
    "knowledge_basis": "post-mortem findings",
}


def submit_sar(service: Service) -> Any:
    response = service.http.post(
        "/v1/reviews",
        json={"request": REFERRAL, "protocol": "sar"},
        headers=service.auth(BUSINESS_MANAGER),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_sar_referral_is_received_over_http(service: Service) -> None:
    review = submit_sar(service)
    assert review["protocol"] == "sar"
    assert review["reference"].startswith("SAR-")
    assert review["stage"] == "requested"
    assert review["referral"]["agencies"][0]["code"] == "asc"
    found = service.http.get(f"/v1/reviews/{review['id']}", headers=service.auth(BOARD_CHAIR))
    assert found.status_code == 200 and found.json()["protocol"] == "sar"


def test_a_sar_command_is_read_by_the_sar_s_definition(service: Service) -> None:
    review_id = submit_sar(service)["id"]
    url = f"/v1/reviews/{review_id}/commands"
    chair = service.auth(BOARD_CHAIR)
    assessed = service.http.post(
        url, json={"command": "assess_criteria", "assessments": [ASSESSMENT]}, headers=chair
    )
    assert assessed.status_code == 200, assessed.text
    confirmed = service.http.post(
        url,
        json={
            "command": "confirm_review",
            "outcome": "sar_mandatory",
            "reasons": "the mandatory test is met",
            "mandate": {"kind": "mandatory", "condition": 1},
        },
        headers=chair,
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["review"]["stage"] == "screened"
    assert body["event"]["sequence"] == 3

    listed = service.http.get("/v1/reviews?stage=screened", headers=chair).json()["reviews"]
    assert review_id in {r["id"] for r in listed}
    history = service.http.get(f"/v1/reviews/{review_id}/history", headers=chair).json()
    assert [e["command"] for e in history["events"]] == [
        "submit_request",
        "assess_criteria",
        "confirm_review",
    ]


def test_an_scr_command_on_a_sar_is_refused_naming_the_sar_s_commands(service: Service) -> None:
    review_id = submit_sar(service)["id"]
    refused = service.http.post(
        f"/v1/reviews/{review_id}/commands",
        json={"command": "convene_panel"},
        headers=service.auth(BOARD_CHAIR),
    )
    assert refused.status_code == 422, refused.text
    message = refused.json()["refusals"][0]["message"]
    assert "unknown SAR command 'convene_panel'" in message
    assert "commission_review" in message


def test_who_may_not_refer_is_refused_before_the_referral_is_read(service: Service) -> None:
    refused = service.http.post(
        "/v1/reviews",
        json={"request": {"nonsense": 1}, "protocol": "sar"},
        headers=service.auth(OVERVIEW_WRITER),
    )
    assert refused.status_code == 403, refused.text
    invalid = service.http.post(
        "/v1/reviews",
        json={"request": {"nonsense": 1}, "protocol": "sar"},
        headers=service.auth(BUSINESS_MANAGER),
    )
    assert invalid.status_code == 422
    assert "nonsense" in invalid.text


def test_a_sar_s_documents_are_its_own(service: Service) -> None:
    review_id = submit_sar(service)["id"]
    chair = service.auth(BOARD_CHAIR)
    found = service.http.get(f"/v1/reviews/{review_id}/documents/referral", headers=chair)
    assert found.status_code == 200, found.text
    assert found.headers["content-type"].startswith("text/markdown")
    assert "referral" in found.text.lower()
    scr_only = service.http.get(f"/v1/reviews/{review_id}/documents/chronology", headers=chair)
    assert scr_only.status_code == 404
    assert "a SAR has no document 'chronology'" in scr_only.text


def test_a_sar_s_options_explain_deadlines_and_reference_are_its_own(service: Service) -> None:
    review = submit_sar(service)
    chair = service.auth(BOARD_CHAIR)
    base = f"/v1/reviews/{review['id']}"
    options = service.http.get(f"{base}/options", headers=chair).json()["options"]
    assert "commission_review" not in {o["command"] for o in options}
    assert {"assess_criteria", "confirm_review"} <= {o["command"] for o in options}
    explained = service.http.post(
        f"{base}/explain",
        json={
            "command": "confirm_review",
            "outcome": "sar_mandatory",
            "reasons": "met",
            "mandate": {"kind": "mandatory", "condition": 1},
        },
        headers=chair,
    ).json()
    assert explained["accepted"] is False
    assert "SAR-C-5" in {r["rule"] for r in explained["refusals"]}
    assert service.http.get(f"{base}/deadlines", headers=chair).status_code == 200
    found = service.http.get(f"/v1/references/{review['reference']}", headers=chair)
    assert found.json()["id"] == review["id"]
    public = service.http.get(f"{base}/public-export", headers=chair)
    assert public.status_code in (409, 422), public.text
    assert public.json()["refusals"][0]["rule"] == "MAP"


def test_a_sar_s_document_name_on_an_scr_is_not_found(service: Service) -> None:
    made = service.http.post(
        "/v1/reviews",
        json={"request": unstructure(demo_request())},
        headers=service.auth(REQUESTER),
    )
    assert made.status_code == 201, made.text
    found = service.http.get(
        f"/v1/reviews/{made.json()['id']}/documents/publishable-summary",
        headers=service.auth(BOARD_CHAIR),
    )
    assert found.status_code == 404
    assert "no document 'publishable-summary'" in found.text


def test_the_letter_of_an_information_request_over_http(service: Service) -> None:
    """SAR-I-1, SAR-I-2, SAR-I-5: ``GET /v1/reviews/{id}/documents/information-request-IR-1``
    is the request's letter (Markdown or HTML, the addressee escaped); a voluntary one
    says nothing binding, an s45 one states its basis; the letter of a request the
    review does not have, or the reminder of one not overdue, is not found."""
    review_id = submit_sar(service)["id"]
    chair = service.auth(BOARD_CHAIR)
    url = f"/v1/reviews/{review_id}"
    asks = (
        {
            "command": "request_information",
            "kind": "voluntary",
            "addressee": "<script>GP</script>",
            "information": "the GP's records",
            "function": "deciding_on_a_sar",
        },
        {
            "command": "request_information",
            "kind": "s45",
            "addressee": "Shire Housing",
            "information": "the tenancy file",
            "function": "deciding_on_a_sar",
            "likely_reason": "the adult's landlord",
            # Condition 4 with a request of another review (IR-1 here is voluntary).
            "earlier_request": "SAR-2025-004 IR-2",
        },
    )
    for ask in asks:
        made = service.http.post(f"{url}/commands", json=ask, headers=chair)
        assert made.status_code == 200, made.text

    voluntary = service.http.get(f"{url}/documents/information-request-IR-1", headers=chair)
    assert voluntary.status_code == 200, voluntary.text
    assert voluntary.headers["content-type"].startswith("text/markdown")
    assert "Request for information" in voluntary.text and "OFFICIAL-SENSITIVE" in voluntary.text
    assert "must" not in voluntary.text and "binding" not in voluntary.text
    html = service.http.get(f"{url}/documents/information-request-IR-1?format=html", headers=chair)
    assert html.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;GP&lt;/script&gt;" in html.text and "<script>" not in html.text
    s45 = service.http.get(f"{url}/documents/information-request-IR-2", headers=chair)
    assert "you must comply with this request (Care Act 2014 s.45(1))" in s45.text
    assert "Condition 4." in s45.text

    unknown = service.http.get(f"{url}/documents/information-request-IR-9", headers=chair)
    assert unknown.status_code == 404
    assert "no information request 'IR-9' (requests: IR-1, IR-2)" in unknown.json()["detail"]
    early = service.http.get(f"{url}/documents/information-reminder-IR-1", headers=chair)
    assert early.status_code == 404 and "not overdue" in early.json()["detail"]
    nothing = service.http.get(f"{url}/documents/information-letter-IR-1", headers=chair)
    assert nothing.status_code == 404
    outsider = service.http.get(
        f"{url}/documents/information-request-IR-1", headers=service.auth(OUTSIDER)
    )
    assert outsider.status_code in (403, 404)


def test_an_unknown_document_name_on_a_sar_names_the_sar_s_documents(service: Service) -> None:
    """A name no protocol has, asked of a SAR, is not found naming what a SAR has (its
    documents and letters), not the SCR's documents."""
    review_id = submit_sar(service)["id"]
    for name in ("novel", "REFERRAL", "information-request-"):
        found = service.http.get(
            f"/v1/reviews/{review_id}/documents/{name}", headers=service.auth(BOARD_CHAIR)
        )
        assert found.status_code == 404, found.text
        detail = found.json()["detail"]
        assert "referral" in detail and "information-request-IR-<n>" in detail, detail
        assert "chronology" not in detail, detail


def _screened(service: Service) -> str:
    """The id of a SAR submitted over HTTP, assessed and decided as mandatory."""
    review_id: str = submit_sar(service)["id"]
    url = f"/v1/reviews/{review_id}/commands"
    chair = service.auth(BOARD_CHAIR)
    steps = (
        {"command": "assess_criteria", "assessments": [ASSESSMENT]},
        {
            "command": "confirm_review",
            "outcome": "sar_mandatory",
            "reasons": "the mandatory test is met",
            "mandate": {"kind": "mandatory", "condition": 1},
        },
    )
    for step in steps:
        taken = service.http.post(url, json=step, headers=chair)
        assert taken.status_code == 200, taken.text
    return review_id


def test_a_sar_s_budget_past_any_board_s_means_is_refused(service: Service) -> None:
    """SAR-M-9: a sum of money past £1,000,000,000 (the SCR's SU-3 bound) is refused on
    its field and stores nothing; 10**35 was stored, a number no JSON client reads back
    exactly."""
    review_id = _screened(service)
    url = f"/v1/reviews/{review_id}/commands"
    before = service.engine.get(review_id).version
    manager = service.auth(BUSINESS_MANAGER)
    for field in ("amount_pounds", "reviewer_fees_pounds"):
        refused = service.http.post(
            url, json={"command": "record_budget", field: 10**35}, headers=manager
        )
        assert refused.status_code == 422, refused.text
        assert [(r["rule"], r["field"]) for r in refused.json()["refusals"]] == [("SAR-M-9", field)]
    assert service.engine.get(review_id).version == before
    most = service.http.post(
        url, json={"command": "record_budget", "amount_pounds": 1_000_000_000}, headers=manager
    )
    assert most.status_code == 200, most.text


def test_a_sar_extension_names_an_open_deadline_within_ten_years(service: Service) -> None:
    """SAR-M-12, as the SCR's PR-a: an extension of a deadline the review does not
    have, or to a day more than ten years away, is refused on its field and stores
    nothing (both were recorded: the timeline then told of "no such deadline moved to
    9999-12-31")."""
    review_id = _screened(service)
    url = f"/v1/reviews/{review_id}/commands"
    chair = service.auth(BOARD_CHAIR)
    before = service.engine.get(review_id).version
    for deadline, new_due, field in (
        ("no_such_deadline", "2027-01-01", "deadline"),
        ("review_complete", "9999-12-31", "new_due"),
    ):
        extend = {"command": "extend_deadline", "deadline": deadline, "new_due": new_due}
        refused = service.http.post(url, json={**extend, "reasons": "trial"}, headers=chair)
        assert refused.status_code == 422, refused.text
        assert [r["field"] for r in refused.json()["refusals"]] == [field], refused.text
    assert service.engine.get(review_id).version == before
    extend = {"command": "extend_deadline", "deadline": "review_complete", "reasons": "trial"}
    taken = service.http.post(url, json={**extend, "new_due": "2027-12-01"}, headers=chair)
    assert taken.status_code == 200, taken.text


def test_a_far_due_date_under_a_paused_clock_is_no_500(tmp_path: Path) -> None:
    """An s.45 request due on 9999-12-30 is a 422 naming ``due_on`` (SAR-I-1: at most
    ten years ahead; it was stored, and with the clocks paused its deadline moved past
    the calendar's end, a 500). One due at the bound, then the clocks paused for an
    inquest: its deadlines, read as of a later day, and the next day's command answer."""
    with running(MemoryStore(), tmp_path) as service:
        review_id = submit_sar(service)["id"]
        url = f"/v1/reviews/{review_id}"
        chair, manager = service.auth(BOARD_CHAIR), service.auth(BUSINESS_MANAGER)
        steps = (
            (chair, {"command": "assess_criteria", "assessments": [ASSESSMENT]}),
            (
                chair,
                {
                    "command": "confirm_review",
                    "outcome": "sar_mandatory",
                    "reasons": "the mandatory test is met",
                    "mandate": {"kind": "mandatory", "condition": 1},
                },
            ),
            (
                chair,
                {
                    "command": "request_information",
                    "kind": "voluntary",
                    "addressee": "the GP",
                    "information": "the GP's records",
                    "function": "carrying_out_a_sar",
                },
            ),
            (
                chair,
                {
                    "command": "request_information",
                    "kind": "s45",
                    "addressee": "the landlord",
                    "information": "the tenancy file",
                    "function": "carrying_out_a_sar",
                    "likely_reason": "the adult's landlord",
                    "relates_to_addressee": True,
                    "due_on": "9999-12-30",
                },
            ),
            (
                manager,
                {"command": "register_parallel_process", "process": {"id": "i", "type": "inquest"}},
            ),
            (chair, {"command": "pause_clock", "process": "i", "reasons": "the inquest"}),
        )
        bound = service.clock.now().date() + timedelta(days=FURTHEST_DAYS)
        for who, step in steps:
            if step.get("due_on") == "9999-12-30":
                far = service.http.post(f"{url}/commands", json=step, headers=who)
                assert far.status_code == 422, far.text
                assert "due_on" in far.text and "SAR-I-1" in far.text
                step = {**step, "due_on": bound.isoformat()}
            taken = service.http.post(f"{url}/commands", json=step, headers=who)
            assert taken.status_code == 200, taken.text
        later = service.http.get(f"{url}/deadlines?as_of=2027-06-01", headers=chair)
        assert later.status_code == 200, later.text
        s45 = next(d for d in later.json()["deadlines"] if d["key"] == "s45:IR-2")
        assert s45["due_on"] > bound.isoformat()  # moved by the days paused
        service.clock.advance(timedelta(days=2))
        resumed = service.http.post(
            f"{url}/commands", json={"command": "resume_clock"}, headers=chair
        )
        assert resumed.status_code == 200, resumed.text
        assert service.http.get(f"{url}/deadlines", headers=chair).status_code == 200


def test_an_annual_report_year_off_the_calendar_is_422_not_500(tmp_path: Path) -> None:
    """SAR-A-5: the year a SAR's findings were reported in is a whole number from
    FIRST_YEAR to LAST_YEAR, as when the report is opened; 9999, 0, -1 or 2**31 made a
    date off the calendar (a 500, explained or run) before."""
    store = MemoryStore()
    drafted = report_drafted(EngineRun(store))
    with running(store, tmp_path) as service:
        manager = service.auth(BUSINESS_MANAGER)
        url = f"/v1/reviews/{drafted.r.id}"
        for year in (9999, 0, -1, 2**31, 10**20):
            inclusion = {
                "command": "record_annual_report_inclusion",
                "year": year,
                "report_id": "r-1",
                "report_reference": "SAR-AR-2026-001",
                "published_on": "2026-04-20",
                "url": "https://example.org/annual-report",
            }
            for verb in ("explain", "commands"):
                answer = service.http.post(f"{url}/{verb}", json=inclusion, headers=manager)
                assert answer.status_code in (200, 409, 422), (year, verb, answer.text)
                found = {(r["rule"], r["field"]) for r in answer.json()["refusals"]}
                assert ("SAR-A-5", "year") in found, (year, verb, found)
        assert service.engine.get(drafted.r.id).version == drafted.r.version


def test_the_chairs_task_for_a_refused_s45_request_names_it(service: Service) -> None:
    """SAR-I-5: a refused s.45 request is reported to the board_chair; the task the
    service lists (``/v1/tasks``, ``/v1/reviews/{id}/tasks``) says which request, and
    holds none of the review's free text (the addressee)."""
    review_id = submit_sar(service)["id"]
    chair, manager = service.auth(BOARD_CHAIR), service.auth(BUSINESS_MANAGER)
    url = f"/v1/reviews/{review_id}/commands"
    ask = {
        "command": "request_information",
        "kind": "s45",
        "addressee": "Shire Housing",
        "information": "the tenancy file",
        "function": "deciding_on_a_sar",
        "likely_reason": "the adult's landlord",
        "relates_to_addressee": True,
    }
    assert service.http.post(url, json=ask, headers=chair).status_code == 200
    answer = {
        "command": "record_information_response",
        "request": "IR-1",
        "response": "refused",
        "grounds": "commercial confidence",
    }
    taken = service.http.post(url, json=answer, headers=manager)
    assert taken.status_code == 200, taken.text
    what = "s.45 request IR-1 refused: escalation is the chair's"
    for path in ("/v1/tasks?limit=1000", f"/v1/reviews/{review_id}/tasks"):
        listed = service.http.get(path, headers=manager).json()["tasks"]
        told = [t for t in listed if t["rule"] == "SAR-I-5"]
        assert [(t["agency"], t["detail"]) for t in told] == [("board_chair", what)]
        assert all("Shire Housing" not in str(t["detail"]) for t in listed)
