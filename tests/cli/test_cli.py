"""The ``scr`` command line takes a fictional review from ``submit`` to
``close_review`` on a temporary SQLite file, as the named people of an actors file;
every ``--json`` output is parsed and checked (docs/cli.md describes the shapes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scr_engine.cli import EXIT_CODES, EXIT_FAILED, EXIT_INTEGRITY, main
from scr_engine.cli.reviews import FORM_TEMPLATE
from scr_engine.records import RequestForm
from scr_engine.serialization import structure
from scr_engine.states.stages import Stage
from support.clitools import Scr, demo_commands, scr

__all__ = ["scr"]  # the fixture, for pytest

STAGES_BY_COMMAND = {
    "confirm_review": "screened",
    "convene_panel": "panel_convened",
    "accept_evidence": "evidence_received",
    "submit_overview_report": "overview_drafted",
    "ratify": "ratified",
    "start_monitoring": "action_plan_monitored",
    "close_review": "closed",
}


def test_the_form_template_is_a_valid_request() -> None:
    import tomllib

    from scr_engine.cli.reviews import _json_ready

    data = _json_ready(tomllib.loads(FORM_TEMPLATE))
    assert isinstance(structure(data, RequestForm), RequestForm)


@pytest.mark.rule("PR-d")
def test_a_review_runs_from_submit_to_close_review(scr: Scr, tmp_path: Path) -> None:
    scr.ready()
    submitted = scr.submit("u-req")
    assert submitted["stage"] == "requested"
    assert submitted["stage_words"] == "Request received"
    assert submitted["requested_by"] == {"id": "u-req", "name": "Dr Ada Requester"}
    reference = submitted["reference"]
    assert reference.startswith("SCR-")

    issued = demo_commands()
    sequence = 1
    for payload, actor in issued:
        name = payload.pop("command")
        if name in ("record_action_progress", "record_chair_notified"):
            # Given field by field, as a person would type them.
            args = [f"--set={k}={v}" for k, v in payload.items() if v is not None]
        else:
            args = ["--payload", scr.write(f"{name}.json", json.dumps(payload))]
        done = scr.json("run", reference, name, *args, actor=actor)
        sequence += 1
        assert done["command"] == name and done["dry_run"] is False
        assert done["event"]["sequence"] == sequence
        assert done["review"]["version"] == sequence
        if name in STAGES_BY_COMMAND:
            assert done["review"]["stage"] == STAGES_BY_COMMAND[name], name

    shown = scr.json("show", reference, actor="u-chair")
    assert shown["review"]["stage"] == "closed"
    assert shown["review"]["closed_on"] is not None
    assert shown["review"]["panel_chair"] == {"id": "u-pc", "name": "Dee Panelchair"}
    assert {d["status"] for d in shown["deadlines"]} <= {"met", "missed"}
    assert shown["actor"] == {"id": "u-chair", "name": "Bea Chair", "roles": ["board_chair"]}

    history = scr.json("history", reference, actor="u-bm")
    events = history["events"]
    assert [e["sequence"] for e in events] == list(range(1, len(issued) + 2))
    assert events[0]["command"] == "submit_request"
    assert events[0]["actor_name"] == "Dr Ada Requester"
    assert events[-1]["command"] == "close_review"
    assert events[-1]["command_words"] == "Close review"
    assert events[-1]["stage_before"] == "action_plan_monitored"
    assert events[-1]["stage_after"] == "closed"

    listed = scr.json("list", actor="u-bm")["reviews"]
    assert [r["reference"] for r in listed] == [reference]
    assert scr.json("list", "--stage", "requested", actor="u-bm")["reviews"] == []

    exported = scr.json("export", reference, "--public", actor="u-chair")
    assert exported["reference"] == reference
    assert "Dr Ada Requester" not in json.dumps(exported)  # no personal data (PR-e)

    verified = scr.json("verify")
    assert verified["ok"] is True and verified["reviews"] == 1
    assert verified["events"] == len(events)

    # Every document of the closed review, in both formats (issue 12).
    for fmt in ("md", "html"):
        out = tmp_path / f"documents-{fmt}"
        written = scr.json("export", reference, "--format", fmt, "--out", str(out), actor="u-chair")
        assert written["reference"] == reference and written["format"] == fmt
        names = sorted(Path(f).name for f in written["files"])
        assert names == sorted(p.name for p in out.iterdir())
        assert f"{reference}-register.csv" in names
        assert {n.rsplit("-", 1)[-1] for n in names} >= {f"timeline.{fmt}", "register.csv"}
        public = (out / f"{reference}-public-report.{fmt}").read_text(encoding="utf-8")
        assert "Dr Ada Requester" not in public  # PR-e


def test_show_says_what_the_actor_may_do_and_why_the_rest_is_refused(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    shown = scr.json("show", reference, actor="u-chair")
    options = {o["command"]: o for o in shown["options"]}
    assert options["assess_criteria"]["allowed"] is True
    assert options["assess_criteria"]["command_words"] == "Assess criteria"
    confirm = options["confirm_review"]
    assert confirm["allowed"] is False
    assert [r["rule"] for r in confirm["refusals"]] == ["RF-4"]
    assert {d["rule"] for d in shown["deadlines"]} >= {"SU-4", "SU-5"}
    assert all(d["status"] == "due" for d in shown["deadlines"])
    assert shown["tasks"] == []

    text = scr("show", reference, actor="u-chair").stdout
    for heading in ("What Bea Chair (u-chair) may do now", "Refused now, and why", "Deadlines"):
        assert heading in text
    assert "Assess criteria" in text and "Dr Ada Requester (u-req)" in text
    assert "\x1b[" not in text  # not a terminal: no escape codes


def test_run_dry_run_explains_and_changes_nothing(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    refused = scr.json("run", reference, "confirm_review", "--dry-run", actor="u-chair", code=1)
    assert refused["accepted"] is False and refused["dry_run"] is True
    assert [r["rule"] for r in refused["refusals"]] == ["RF-4"]
    fine = scr.json("run", reference, "assess_criteria", "--dry-run", actor="u-chair")
    assert fine == {"command": "assess_criteria", "dry_run": True, "accepted": True, "refusals": []}
    assert scr.json("show", reference, actor="u-chair")["review"]["version"] == 1


def test_a_refusal_prints_every_reason_with_its_rule(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    result = scr("run", reference, "decline", "--set", "reasons=Not needed.", actor="u-chair")
    assert result.exit_code == EXIT_FAILED
    lines = result.stderr.splitlines()
    assert lines[0].startswith("scr run: decline: refused by the protocol (")
    assert any(line.strip().startswith("CR-1:") for line in lines[1:])
    assert any(line.strip().startswith("RF-4:") for line in lines[1:])
    error = scr.json(
        "run", reference, "decline", "--set", "reasons=Not needed.", actor="u-chair", code=1
    )["error"]
    assert error["kind"] == "refused" and error["exit_code"] == 1
    assert set(error["rules"]) == {"CR-1", "RF-4"}
    assert all({"rule", "message", "kind", "field"} <= set(r) for r in error["refusals"])


def test_set_takes_json_values_and_dotted_fields() -> None:
    from scr_engine.cli.reviews import parse_set

    data = parse_set(
        {"a": {"b": 1}},
        ("note=12", "months:=3", "flag:=true", "a.c=x", "list:=[1, 2]", "text=a=b"),
    )
    assert data == {
        "a": {"b": 1, "c": "x"},
        "note": "12",
        "months": 3,
        "flag": True,
        "list": [1, 2],
        "text": "a=b",
    }


def test_overdue_and_tasks_across_the_store(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    for name, actor in (("assess_criteria", "u-chair"), ("confirm_review", "u-chair")):
        scr.json("run", reference, name, actor=actor)
    tasks = scr.json("tasks", actor="u-bm")["tasks"]
    assert {t["kind"] for t in tasks} == {"secure_records", "request_imr_writer"}
    assert {t["agency"] for t in tasks} == {"asc", "gp", "police"}
    assert all(t["reference"] == reference and t["rule"] == "RF-5" for t in tasks)
    first = tasks[0]["id"]
    assert scr.json("tasks", "--done", first, actor="u-bm") == {
        "completed": first,
        "already": False,
    }
    assert scr.json("tasks", "--done", first, actor="u-bm")["already"] is True
    assert first not in {t["id"] for t in scr.json("tasks", actor="u-bm")["tasks"]}

    assert scr.json("overdue", actor="u-bm")["deadlines"] == []
    late = scr.json("overdue", "--as-of", "2099-01-01", actor="u-bm")
    assert late["as_of"] == "2099-01-01"
    rules = {d["rule"] for d in late["deadlines"]}
    assert rules == {"SU-4", "SU-5"}
    assert all(d["status"] == "overdue" and d["days_late"] > 0 for d in late["deadlines"])
    soon = scr.json("overdue", "--within", "400", actor="u-bm")["deadlines"]
    assert {d["status"] for d in soon} == {"due"}


def test_tasks_page_with_after(scr: Scr) -> None:
    """`scr tasks --limit N` gives N tasks and, when there may be more, their
    `next_after` (the last task's id, and a "More: scr tasks --after …" line in the
    table); `--after` it gives the next page: every pending task once, in order. An
    unknown task is not found (exit 3); with --review or --done, a usage error."""
    scr.ready()
    for _ in range(2):
        reference = scr.submit()["reference"]
        for name in ("assess_criteria", "confirm_review"):
            scr.json("run", reference, name, actor="u-chair")
    every = [t["id"] for t in scr.json("tasks", actor="u-bm")["tasks"]]
    assert len(every) == 12
    found: list[str] = []
    page = scr.json("tasks", "--limit", "5", actor="u-bm")
    while True:
        found += [t["id"] for t in page["tasks"]]
        if page["next_after"] is None:
            break
        assert page["next_after"] == found[-1] and len(found) < len(every)
        page = scr.json("tasks", "--limit", "5", "--after", page["next_after"], actor="u-bm")
    assert found == every
    table = scr("tasks", "--limit", "5", actor="u-bm")
    assert f"scr tasks --after {every[4]}" in " ".join(table.stdout.split())
    missing = scr.json("tasks", "--after", "nope", actor="u-bm", code=3)
    assert missing["error"]["kind"] == "not_found"
    mixed = scr.json("tasks", "--after", every[0], "--done", every[1], actor="u-bm", code=2)
    assert mixed["error"]["kind"] == "usage"


@pytest.mark.rule("PR-e")
def test_pre_list_filters_and_pages_what_the_actor_may_read(scr: Scr) -> None:
    """`scr list` filters by stage (repeatable), agency, text and an overdue deadline,
    pages with --limit and --after, and leaves out a restricted review its reader may
    not read (PR-e)."""
    scr.ready()
    form = scr.write("form.toml", FORM_TEMPLATE)
    old = scr.json("submit", form, "--received-on", "2025-01-06", actor="u-req")["reference"]
    new, hidden = scr.submit()["reference"], scr.submit()["reference"]
    for name in ("assess_criteria", "confirm_review"):
        scr.json("run", old, name, actor="u-chair")
    scr.json("run", hidden, "restrict_access", "--set", "reasons=Staff.", actor="u-chair")

    def listed(*args: str, actor: str = "u-bm") -> list[str]:
        return [r["reference"] for r in scr.json("list", *args, actor=actor)["reviews"]]

    assert listed() == [old, new]
    assert listed(actor="u-chair") == [old, new, hidden]
    assert listed("--stage", "requested") == [new]
    assert listed("--stage", "screened") == [old]
    both = ("--stage", "requested", "--stage", "screened")
    assert listed(*both, actor="u-chair") == [old, new, hidden]
    assert listed("--agency", "gp") == [old, new]
    assert listed("--agency", "nhs") == []
    assert listed("--text", new[-3:]) == [new]
    assert listed("--overdue") == [old]
    page = scr.json("list", "--limit", "1", actor="u-bm")
    assert [r["reference"] for r in page["reviews"]] == [old]
    assert page["next_after"] == old
    assert listed("--after", old) == [new]
    assert scr.json("list", "--after", new, actor="u-bm") == {"reviews": [], "next_after": None}
    assert scr("list", "--stage", "done", actor="u-bm").exit_code == 2


@pytest.mark.rule("PR-e")
def test_pre_tasks_and_overdue_leave_out_a_restricted_review(scr: Scr) -> None:
    """PR-e: an officer not named on a restricted review sees none of its tasks or
    deadlines in `scr tasks` and `scr overdue`; the chair who restricted it does."""
    scr.ready()
    reference = scr.submit()["reference"]
    for name in ("assess_criteria", "confirm_review"):
        scr.json("run", reference, name, actor="u-chair")
    scr.json("run", reference, "restrict_access", "--set", "reasons=Staff.", actor="u-chair")
    assert scr.json("tasks", actor="u-bm")["tasks"] == []
    assert scr.json("overdue", "--as-of", "2099-01-01", actor="u-bm")["deadlines"] == []
    assert {t["reference"] for t in scr.json("tasks", actor="u-chair")["tasks"]} == {reference}
    late = scr.json("overdue", "--as-of", "2099-01-01", actor="u-chair")["deadlines"]
    assert late and all(d["reference"] == reference for d in late)


@pytest.mark.rule("RF-5")
def test_rf5_the_task_tables_show_the_short_id_a_person_types(scr: Scr) -> None:
    """RF-5: the tables of `scr show` and `scr tasks` give each letter its short id
    (`secure_records:gp`, never the long id that wraps) and say how to mark one
    delivered; `scr show --json` carries the short id beside the id."""
    scr.ready()
    reference = scr.submit()["reference"]
    for name in ("assess_criteria", "confirm_review"):
        scr.json("run", reference, name, actor="u-chair")
    shown = scr("show", reference, actor="u-bm")
    listed = scr("tasks", actor="u-bm")
    for result in (shown, listed):
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert any("secure_records:gp" in line for line in lines), result.output
        assert ":4:secure_records" not in result.output  # the long id is not printed
        assert "--done TASK" in result.output
    assert f"scr tasks --review {reference} --done TASK" in shown.output
    tasks = scr.json("show", reference, actor="u-bm")["tasks"]
    assert {t["short_id"] for t in tasks} >= {"secure_records:gp", "request_imr_writer:asc"}
    assert all(t["id"].endswith(t["short_id"]) for t in tasks)


@pytest.mark.rule("RF-5")
def test_rf5_a_review_s_tasks_by_short_id(scr: Scr) -> None:
    """RF-5: `scr tasks --review` lists every task of one review with its status and a
    short id (`secure_records:gp`), by which `--done` marks one delivered; a withdrawn
    review's other tasks read cancelled (PR-d)."""
    scr.ready()
    reference = scr.submit()["reference"]
    for name in ("assess_criteria", "confirm_review"):
        scr.json("run", reference, name, actor="u-chair")
    listed = scr.json("tasks", "--review", reference, actor="u-bm")["tasks"]
    assert {t["short_id"] for t in listed} == {
        f"{kind}:{agency}"
        for kind in ("secure_records", "request_imr_writer")
        for agency in ("asc", "gp", "police")
    }
    assert {t["status"] for t in listed} == {"pending"}
    done = scr.json("tasks", "--review", reference, "--done", "secure_records:gp", actor="u-bm")
    assert done["already"] is False
    after = {
        t["short_id"]: t["status"]
        for t in scr.json("tasks", "--review", reference, actor="u-bm")["tasks"]
    }
    assert after["secure_records:gp"] == "done" and after["secure_records:asc"] == "pending"
    missing = scr("tasks", "--review", reference, "--done", "secure_records:nhs", actor="u-bm")
    assert missing.exit_code == 3
    # The police secured their records: the letter asking them to closes itself.
    scr.json("run", reference, "record_records_secured", "--set", "agency=police", actor="u-bm")
    closed = {
        t["short_id"]: t["status"]
        for t in scr.json("tasks", "--review", reference, actor="u-bm")["tasks"]
    }
    assert closed["secure_records:police"] == "done"
    assert closed["request_imr_writer:police"] == "pending"
    pending = scr.json("tasks", actor="u-bm")["tasks"]
    assert "secure_records:police" not in {t["short_id"] for t in pending}
    scr.json("run", reference, "withdraw", "--set", "reasons=Family asked.", actor="u-chair")
    ended = {
        t["short_id"]: t["status"]
        for t in scr.json("tasks", "--review", reference, actor="u-bm")["tasks"]
    }
    assert ended["secure_records:gp"] == "done"
    assert ended["secure_records:asc"] == "cancelled"


def test_checkpoint_and_verify_against_it(scr: Scr, tmp_path: Path) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    key = tmp_path / "board.pem"
    made = scr.json("keygen", "--out", str(key), "--public", str(tmp_path / "board.pub"))
    assert key.stat().st_mode & 0o777 == 0o600
    point = scr.json("checkpoint", "--key", str(key), "--out", "cp.json", actor="u-bm")
    assert point["reviews"] == 1 and point["events"] == 1 and point["key_id"] == made["key_id"]
    scr.json("run", reference, "assess_criteria", actor="u-chair")
    verified = scr.json(
        "verify", "--checkpoint", "cp.json", "--public-key", str(tmp_path / "board.pub")
    )
    assert verified["ok"] is True
    assert verified["uncovered"] == [
        {"review_id": verified["uncovered"][0]["review_id"], "events": 1}
    ]
    strict = scr.json("verify", "--checkpoint", "cp.json", "--exact", code=EXIT_INTEGRITY)
    assert strict["ok"] is False and strict["faults"]


def test_the_documented_exit_codes() -> None:
    assert {k: EXIT_CODES[k] for k in range(5)} == {
        0: "done",
        1: "refused or failed",
        2: "usage",
        3: "not found",
        4: "integrity fault",
    }


def test_main_runs_the_demo_and_diagram(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--memory"]) == 0
    assert "is closed." in capsys.readouterr().out
    assert main(["diagram"]) == 0
    assert capsys.readouterr().out.startswith("stateDiagram-v2")


@pytest.mark.postgres
def test_the_same_review_on_postgresql_by_url(scr: Scr) -> None:
    from scr_engine.cli.actors import TEMPLATE
    from support.postgres import postgres_schema

    actors = scr.write("people.toml", TEMPLATE)
    with postgres_schema() as url:
        where = ("--database", url, "--actors", actors)
        assert scr("init", *where).exit_code == 0
        form = scr.write("form.toml", FORM_TEMPLATE)
        reference = scr.json("submit", form, *where, actor="u-req")["reference"]
        scr.json("run", reference, "assess_criteria", *where, actor="u-chair")
        done = scr.json("run", reference, "confirm_review", *where, actor="u-chair")
        assert done["review"]["stage"] == "screened"
        shown = scr.json("show", reference, *where, actor="u-bm")
        assert len(shown["tasks"]) == 6
        assert scr.json("verify", *where)["ok"] is True
        assert "password" not in scr("init", *where).stdout


@pytest.mark.rule("SU-1")
def test_corrections_run_from_the_command_line(scr: Scr) -> None:
    """SU-1, SU-6: ``scr run`` replaces the panel chair and revises the terms, with
    reasons, field by field; a refusal names every reason."""
    from scr_engine import Stage

    scr.ready()
    reference = scr.submit()["reference"]
    for payload, actor in demo_commands(until=Stage.PANEL_CONVENED):
        name = payload.pop("command")
        args = ["--payload", scr.write(f"{name}.json", json.dumps(payload))]
        scr.json("run", reference, name, *args, actor=actor)
        if name == "convene_panel":
            break
    refused = scr.json(
        "run",
        reference,
        "replace_panel_chair",
        "--set",
        "appointment.person_id=u-pc2",
        "--set",
        "appointment.name=Fay Newchair",
        "--set",
        "reasons= ",
        actor="u-chair",
        code=1,
    )
    assert "SU-1" in refused["error"]["rules"]
    done = scr.json(
        "run",
        reference,
        "replace_panel_chair",
        "--set",
        "appointment.person_id=u-pc2",
        "--set",
        "appointment.name=Fay Newchair",
        "--set",
        "reasons=The chair fell ill.",
        actor="u-chair",
    )
    review = scr.json("show", reference, actor="u-chair")["review"]
    assert done and "u-pc2" in json.dumps(review["panel_chair"]), review["panel_chair"]


@pytest.mark.rule("SU-1")
@pytest.mark.rule("SU-6")
def test_su1_su6_show_lists_a_replaced_panel_chair_and_a_revision_of_the_terms(
    scr: Scr,
) -> None:
    """SU-1, SU-6: `scr show` names the panel chair replaced, by whom, why and when, and
    each revision of the terms of reference, in its text and in `--json`."""
    scr.ready()
    reference = scr.submit()["reference"]
    terms = None
    for payload, actor in demo_commands(until=Stage.RATIFIED):
        name = payload.pop("command")
        terms = payload.get("terms", terms)
        args = ["--payload", scr.write(f"{name}.json", json.dumps(payload))]
        scr.json("run", reference, name, *args, actor=actor)
        if name == "convene_panel":
            break
    assert terms is not None
    before = scr.json("show", reference, actor="u-chair")["review"]
    assert before["replaced"] == [] and before["terms_revisions"] == []

    revise = {"terms": terms, "reasons": "The scope widens to the care home."}
    path = scr.write("t.json", json.dumps(revise))
    scr.json("run", reference, "revise_terms_of_reference", "--payload", path, actor="u-pc")
    chair = {
        "appointment": {"person_id": "u-pc2", "name": "Fay Newchair"},
        "reasons": "The chair fell ill.",
    }
    path = scr.write("c.json", json.dumps(chair))
    scr.json("run", reference, "replace_panel_chair", "--payload", path, actor="u-chair")

    data = scr.json("show", reference, actor="u-chair")
    shown = data["review"]
    assert shown["panel_chair"] == {"id": "u-pc2", "name": "Fay Newchair"}
    [gone] = shown["replaced"]
    assert gone == {
        "role": "panel_chair",
        "role_words": "Panel chair",
        "person": {"id": "u-pc", "name": "Dee Panelchair"},
        "replaced_by": {"id": "u-pc2", "name": "Fay Newchair"},
        "reasons": "The chair fell ill.",
        "day": data["as_of"],
    }
    [revision] = shown["terms_revisions"]
    assert revision["reasons"] == "The scope widens to the care home."
    assert revision["day"] == gone["day"]

    text = scr("show", reference, actor="u-chair").stdout
    assert "Replaced or stood down" in text and "Terms of reference revised" in text
    for words in ("Dee Panelchair (u-pc)", "Fay Newchair (u-pc2)", "The chair fell ill."):
        assert words in text
    assert "The scope widens to the care home." in text
