"""``scr`` runs a Safeguarding Adults Review as it runs an SCR: ``scr submit --protocol
sar`` receives a referral, and ``run``, ``show``, ``history``, ``list`` and ``verify``
work on the SAR unchanged, with its own commands, stages and words."""

from __future__ import annotations

import json
import tomllib
from datetime import date, timedelta
from typing import Any

import pytest

from scr_engine.cli.forms import _json_ready
from scr_engine.demo_sar import run_sar_main_line
from scr_engine.engine import ReviewEngine
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import Referral
from scr_engine.records import Actor
from scr_engine.serialization import structure
from scr_engine.storage.memory import MemoryStore
from support.clitools import Scr, scr

__all__ = ["scr"]  # the fixture, for pytest


def ready(scr: Scr) -> Scr:
    """A new database, with the example actors file: the SCR demo's people and the
    SAR's (``scr init --example-actors`` writes the same)."""
    scr.ready()
    return scr


def submit_sar(scr: Scr, actor: str = "u-bm") -> dict[str, Any]:
    """``scr submit --protocol sar`` of the template as printed."""
    template = scr("submit", "--protocol", "sar", "--template")
    assert template.exit_code == 0, template.output
    form = scr.write("referral.toml", template.stdout)
    review: dict[str, Any] = scr.json("submit", "--protocol", "sar", form, actor=actor)
    return review


def sar_commands() -> list[tuple[dict[str, Any], str]]:
    """The SAR demo's commands as JSON, with the id of the actor who issues each, in
    the order the demo issues them."""
    issued: list[tuple[dict[str, Any], str]] = []

    class Recording(ReviewEngine):
        def execute(  # type: ignore[override]
            self, review_id: str, command: Any, actor: Actor, *args: Any, **kw: Any
        ) -> Any:
            issued.append((c.to_dict(command), actor.id))
            return super().execute(review_id, command, actor, *args, **kw)

    run_sar_main_line(Recording(MemoryStore()))
    return issued


def test_the_sar_referral_template_reads_back_as_a_referral(scr: Scr) -> None:
    printed = scr("submit", "--protocol", "sar", "--template")
    assert printed.exit_code == 0
    assert "scr submit --protocol sar FORM.toml" in printed.stdout
    data = _json_ready(tomllib.loads(printed.stdout))
    assert isinstance(structure(data, Referral), Referral)
    as_json = scr.json("submit", "--protocol", "sar", "--template")
    assert as_json == data


def test_a_sar_referral_is_submitted_and_shown_in_its_own_words(scr: Scr) -> None:
    ready(scr)
    review = submit_sar(scr)
    assert review["reference"].startswith("SAR-")
    assert review["protocol"] == "sar"
    assert review["stage"] == "requested"
    assert review["stage_words"] == "A referral has been received"
    assert review["requested_by"] == {"id": "u-bm", "name": "Cal Manager"}
    assert [a["code"] for a in review["agencies"]] == ["asc", "nhs", "housing"]

    shown = scr.json("show", review["reference"], actor="u-sub")
    options = {o["command"]: o for o in shown["options"]}
    assert options["assess_criteria"]["allowed"] is True
    assert options["assess_criteria"]["about"].startswith("The mandatory test per adult")
    assert {f["name"] for f in options["assess_criteria"]["fields"]} >= {"assessments"}
    assert [r["rule"] for r in options["confirm_review"]["refusals"]] == ["SAR-D-1"]
    text = scr("show", review["reference"], actor="u-sub").stdout
    assert "A referral has been received (requested)" in text
    assert "Safeguarding Adults Review" in text


def test_who_may_not_refer_is_refused_before_the_form_is_read(scr: Scr) -> None:
    ready(scr)
    bad = scr.write("bad.json", json.dumps({"nonsense": 1}))
    refused = scr.json("submit", "--protocol", "sar", bad, actor="u-ow", code=1)
    assert refused["error"]["kind"] == "permission_denied"
    invalid = scr.json("submit", "--protocol", "sar", bad, actor="u-bm", code=2)
    assert "nonsense" in invalid["error"]["message"]


def test_an_unknown_protocol_is_a_usage_error_naming_those_there_are(scr: Scr) -> None:
    ready(scr)
    result = scr("submit", "--protocol", "dhr", "--template")
    assert result.exit_code == 2
    assert "unknown protocol 'dhr' (protocols: sar, sar-annual-report, scr)" in result.stderr


def test_a_sar_runs_through_scr_run_to_monitoring_with_its_history(scr: Scr) -> None:
    ready(scr)
    reference = submit_sar(scr)["reference"]
    issued = sar_commands()
    for sequence, (payload, actor) in enumerate(issued, start=2):
        name = payload.pop("command")
        path = scr.write(f"{name}-{sequence}.json", json.dumps(payload))
        done = scr.json("run", reference, name, "--from", path, actor=actor)
        assert done["event"]["sequence"] == sequence, name
    assert done["review"]["stage"] == "action_plan_monitored"
    assert done["review"]["stage_words"] == "Actions are being carried out and logged"
    assert done["review"]["lead_reviewer"] == {"id": "u-lead", "name": "Hal Reviewer"}
    assert done["review"]["mandate"] == {"kind": "mandatory", "condition": 1}
    assert done["review"]["actions"] == [{"id": "A1", "status": "completed", "findings": ["F1"]}]
    assert done["review"]["publication"]["status"] == "published"

    close = scr.json("run", reference, "close_review", "--dry-run", actor="u-chair", code=1)
    assert [r["rule"] for r in close["refusals"]] == ["SAR-A-4"]

    history = scr.json("history", reference, actor="u-bm")
    assert history["review"]["stage"] == "action_plan_monitored"
    events = history["events"]
    assert [e["sequence"] for e in events] == list(range(1, len(issued) + 2))
    assert events[0]["command"] == "submit_request"
    assert events[2]["stage_before"] == "requested" and events[2]["stage_after"] == "screened"

    listed = scr.json("list", "--stage", "action_plan_monitored", actor="u-bm")["reviews"]
    assert [r["reference"] for r in listed] == [reference]
    assert scr.json("list", "--stage", "commissioned", actor="u-bm")["reviews"] == []
    assert scr.json("list", "--text", "meadow", actor="u-bm")["reviews"][0]["reference"] == (
        reference
    )
    assert scr.json("verify")["ok"] is True


def test_run_suggests_the_sar_s_own_commands(scr: Scr) -> None:
    ready(scr)
    reference = submit_sar(scr)["reference"]
    result = scr("run", reference, "confirm_reviw", actor="u-chair")
    assert result.exit_code == 2
    assert "did you mean confirm_review" in result.stderr
    result = scr("run", reference, "convene_panel", actor="u-chair")  # the SCR's, not the SAR's
    assert result.exit_code == 2
    assert "unknown command 'convene_panel'" in result.stderr


@pytest.mark.parametrize("command", ["assess_criteria", "confirm_review", "add_action"])
def test_run_template_gives_the_sar_command_s_fields(scr: Scr, command: str) -> None:
    ready(scr)
    reference = submit_sar(scr)["reference"]
    printed = scr.json("run", reference, command, "--template", actor="u-chair")
    assert printed["command"] == command
    assert all(r["title"] for r in printed["rules"])
    toml = scr("run", reference, command, "--template", actor="u-chair").stdout
    tomllib.loads(toml)


def test_a_refused_sar_command_names_its_rule(scr: Scr) -> None:
    ready(scr)
    reference = submit_sar(scr)["reference"]
    refused = scr.json(
        "run",
        reference,
        "confirm_review",
        "--set",
        "outcome=sar_mandatory",
        "--set",
        "reasons=met",
        "--set",
        'mandate:={"kind": "mandatory", "condition": 1}',
        actor="u-chair",
        code=1,
    )
    assert refused["error"]["kind"] == "refused"
    assert "SAR-C-5" in {r["rule"] for r in refused["error"]["refusals"]}  # no assessment


def test_the_sar_demo_takes_a_mandatory_sar_to_closed_through_the_annual_report(
    scr: Scr,
) -> None:
    """Issue 23: a fictional mandatory SAR to closed. Closing is refused until its
    findings are in a published annual report (SAR-A-4); the demo then publishes the
    report of the year it concluded in, once that year has ended, and closes it."""
    shown = scr.json("demo", "--protocol", "sar", "--db", "demo.sqlite3")
    review = shown["review"]
    assert review["protocol"] == "sar" and review["reference"].startswith("SAR-")
    assert review["stage"] == "closed"
    assert review["mandate"] == {"kind": "mandatory", "condition": 1}
    assert review["actions"] == [{"id": "A1", "status": "completed", "findings": ["F1"]}]
    assert review["publication"] == {"status": "published", "choice": "publish_summary"}
    lines = shown["lines"]
    assert any("SAR-A-4" in line and "annual report" in line for line in lines)
    assert any("published at https://" in line and review["reference"] in line for line in lines)
    assert lines[-1] == f"Review {review['reference']} is closed."
    verified = scr.json("verify", "--database", "sqlite:///demo.sqlite3")
    assert verified["ok"] is True and verified["reviews"] == 2  # the SAR and the report


def test_the_default_demo_is_still_the_scr_s(scr: Scr) -> None:
    shown = scr.json("demo", "--memory")
    assert shown["review"]["protocol"] == "scr"
    assert shown["review"]["stage"] == "closed"


def test_export_writes_a_sar_s_documents_and_its_public_summary(scr: Scr) -> None:
    ready(scr)
    reference = submit_sar(scr)["reference"]
    written = scr.json("export", reference, "--format", "md", "--out", "docs", actor="u-chair")
    names = sorted(p.rsplit("/", 1)[-1] for p in written["files"])
    assert names == sorted(
        [f"{reference}-register.csv"]  # its row of the tracker's register, as an SCR's
        + [
            f"{reference}-{name}.md"
            for name in (
                "referral",
                "decision-record",
                "terms-of-reference",
                "report",
                "publishable-summary",
                "action-plan",
                "timeline",
            )
        ]
    )
    register = (scr.folder / "docs" / f"{reference}-register.csv").read_text(encoding="utf-8")
    assert reference in register and "Dr Ivo Quill" not in register
    public = scr.json("export", reference, "--public", actor="u-chair")
    assert public["document"] == "publishable-summary"
    assert "Dr Ivo Quill" not in public["text"]  # no personal data (SAR-G-5)
    referral = (scr.folder / "docs" / f"{reference}-referral.md").read_text(encoding="utf-8")
    assert "Dr Ivo Quill" in referral


def test_scr_report_overdue_tells_the_chair_of_a_late_s45_request_once(scr: Scr) -> None:
    """SAR-I-5: `scr report-overdue` reports an s.45 request past its due date to the
    board chair (a pending task for the chair, the day recorded on the request), once;
    a request recorded after the fact may be due before the day it is recorded."""
    ready(scr)
    today = date.today()
    template = scr("submit", "--protocol", "sar", "--template").stdout
    form = scr.write("referral.toml", template)
    received = (today - timedelta(days=40)).isoformat()
    submitted = scr.json(
        "submit", "--protocol", "sar", form, "--received-on", received, actor="u-bm"
    )
    reference = submitted["reference"]
    assert scr.json("report-overdue", actor="u-bm") == {"reported": []}
    fields = {
        "kind": "s45",
        "addressee": "housing",
        "information": "the tenancy records",
        "function": "deciding_on_a_sar",
        "likely_reason": "the landlord",
        "occurred_on": (today - timedelta(days=30)).isoformat(),
        "due_on": (today - timedelta(days=20)).isoformat(),
    }
    sets = [part for k, v in fields.items() for part in ("--set", f"{k}={v}")]
    sets += ["--set", "relates_to_addressee:=true"]
    scr.json("run", reference, "request_information", *sets, actor="u-chair")
    assert scr.json("report-overdue", actor="u-bm") == {
        "reported": [{"review_id": submitted["id"], "reference": reference, "request": "IR-1"}]
    }
    assert scr.json("report-overdue", actor="u-bm") == {"reported": []}
    told = [t for t in scr.json("tasks", actor="u-chair")["tasks"] if t["rule"] == "SAR-I-5"]
    assert [(t["reference"], t["agency"]) for t in told] == [(reference, "board_chair")]
    # The chair is told which request, in the JSON and in the table.
    what = f"s.45 request IR-1 overdue since {fields['due_on']}: escalation is the chair's"
    assert [t["detail"] for t in told] == [what]
    table = " ".join(scr("tasks", actor="u-chair").stdout.split())
    assert "s.45 request IR-1 overdue since" in table
    shown = scr("report-overdue", actor="u-bm").stdout
    assert "No s.45 request is overdue and unreported." in shown


def test_export_writes_the_letter_of_each_information_request(scr: Scr) -> None:
    """SAR-I-1, SAR-I-2, SAR-I-5: ``scr export`` of a SAR writes the letter of each
    information request, and the reminder of one overdue on ``--as-of``; ``--document``
    writes one letter alone; a letter the review does not have is the library's
    ``InvalidRequest`` (exit 1, SAR-I-1); a name no document has is a usage error."""
    ready(scr)
    reference = submit_sar(scr)["reference"]
    due = date.today() + timedelta(days=20)
    asks = [
        (
            {
                "kind": "voluntary",
                "addressee": "<script>GP</script>",
                "information": "the GP's records",
                "function": "deciding_on_a_sar",
            },
            "u-bm",
        ),
        (
            {
                "kind": "s45",
                "addressee": "Shire Housing",
                "information": "the tenancy file",
                "function": "deciding_on_a_sar",
                "likely_reason": "the adult's landlord",
                "relates_to_addressee": True,
                "due_on": due.isoformat(),
            },
            "u-chair",
        ),
    ]
    for number, (ask, actor) in enumerate(asks, start=1):
        path = scr.write(f"ask-{number}.json", json.dumps(ask))
        scr.json("run", reference, "request_information", "--from", path, actor=actor)
    late = (due + timedelta(days=5)).isoformat()
    written = scr.json(
        "export", reference, "--format", "html", "--out", "out", "--as-of", late, actor="u-chair"
    )
    names = {p.rsplit("/", 1)[-1] for p in written["files"]}
    assert {
        f"{reference}-information-request-IR-1.html",
        f"{reference}-information-request-IR-2.html",
        f"{reference}-information-reminder-IR-2.html",
    } <= names
    assert f"{reference}-information-reminder-IR-1.html" not in names  # no due date
    voluntary = (scr.folder / "out" / f"{reference}-information-request-IR-1.html").read_text(
        encoding="utf-8"
    )
    assert "&lt;script&gt;GP&lt;/script&gt;" in voluntary and "<script>" not in voluntary
    assert "must comply" not in voluntary and "binding" not in voluntary  # SAR-I-2

    one = scr.json(
        "export", reference, "--document", "information-request-IR-2", "--format", "md",
        "--out", "one", actor="u-bm",
    )  # fmt: skip
    assert [p.rsplit("/", 1)[-1] for p in one["files"]] == [
        f"{reference}-information-request-IR-2.md"
    ]
    s45 = (scr.folder / "one" / f"{reference}-information-request-IR-2.md").read_text("utf-8")
    assert "you must comply with this request (Care Act 2014 s.45(1))" in s45
    assert "Condition 3." in s45 and "OFFICIAL-SENSITIVE" in s45

    unknown = scr.json(
        "export", reference, "--document", "information-request-IR-9", actor="u-bm", code=1
    )
    error = unknown["error"]
    assert error["kind"] == "invalid" and error["rules"] == ["SAR-I-1"]
    assert "no information request 'IR-9' (requests: IR-1, IR-2)" in str(error["refusals"])
    usage = scr.json("export", reference, "--document", "chronology", actor="u-bm", code=2)
    assert "a SAR has no document 'chronology'" in usage["error"]["message"]


def test_export_document_writes_one_document_of_an_scr_too(scr: Scr) -> None:
    """``--document`` works on an SCR with its own documents; a SAR's letter is not one."""
    scr.ready()
    reference = scr.submit()["reference"]
    one = scr.json("export", reference, "--document", "request", "--out", "one", actor="u-req")
    assert [p.rsplit("/", 1)[-1] for p in one["files"]] == [f"{reference}-request.html"]
    usage = scr.json(
        "export", reference, "--document", "information-request-IR-1", actor="u-req", code=2
    )
    assert "an SCR has no document 'information-request-IR-1'" in usage["error"]["message"]


def test_the_sar_terms_template_names_every_item_sar_m_5_and_principle_sar_g_2() -> None:
    """A person filling in a SAR's terms of reference sees a table for every item they
    must cover (SAR-M-5) and a line for each of the six principles (SAR-G-2), as an
    SCR's template lists its SU-6 items; filled in, the file reads back as the command
    with every item and principle."""
    from scr_engine.protocols.sar import SAR
    from scr_engine.protocols.sar.records import PRINCIPLES, TOR_ITEMS
    from scr_engine.templates import template, to_toml

    printed = to_toml(template("agree_terms_of_reference", definition=SAR))
    for key in TOR_ITEMS:
        assert f"[terms.items.{key}]" in printed
    for key in PRINCIPLES:
        assert f'# {key} = ""' in printed
    data = tomllib.loads(printed)
    assert list(data["terms"]["items"]) == list(TOR_ITEMS)
    for key in TOR_ITEMS:
        data["terms"]["items"][key]["text"] = f"The {key} as the panel agreed."
    data["terms"]["principles"] = {key: f"How the review reflects {key}." for key in PRINCIPLES}
    read = c.from_dict({"command": "agree_terms_of_reference", **_json_ready(data)})
    assert isinstance(read, c.AgreeTermsOfReference)
    assert set(read.terms.items) == set(TOR_ITEMS)
    assert read.terms.items["mandate"].text == "The mandate as the panel agreed."
    assert read.terms.principles == data["terms"]["principles"]


def test_a_sar_referral_submitted_as_an_scr_request_says_how_to_submit_it(scr: Scr) -> None:
    """The SAR's referral form given to ``scr submit`` without ``--protocol sar`` (or
    an SCR request with it) is refused as before, first saying what the form is and the
    command that submits it; nothing is stored."""
    ready(scr)
    referral = scr.write("referral.toml", scr("submit", "--protocol", "sar", "--template").stdout)
    refused = scr("submit", referral, actor="u-bm")
    assert refused.exit_code == 2
    assert f"scr submit --protocol sar {referral}" in refused.stderr.splitlines()[0]
    as_json = scr.json("submit", referral, actor="u-bm", code=2)
    assert as_json["error"]["hint"].endswith(f"scr submit --protocol sar {referral}")
    request = scr.write("request.toml", scr("submit", "--template").stdout)
    crossed = scr.json("submit", "--protocol", "sar", request, actor="u-bm", code=2)
    assert crossed["error"]["hint"].endswith(f"scr submit --protocol scr {request}")
    assert scr.json("list", actor="u-chair")["reviews"] == []
    blank = scr.write("blank.toml", 'requester = "x"\n')  # its own form, values to mend
    assert "hint" not in scr.json("submit", blank, actor="u-bm", code=2)["error"]
