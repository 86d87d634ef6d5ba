"""``scr run REVIEW COMMAND --template`` and ``--from``; the fields ``scr show`` lists.

The proof asked of the templates: for every command of the demo, the template printed
for the review as it stands, filled in with the demo's values, reads back with
``--from`` to the same events as the demo's; what the template fills in from the
review is what the demo gives."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from clitools import Scr, demo_commands, scr
from scr_engine import commands as c
from scr_engine.cli.reviews import _json_ready
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.engine import ReviewEngine
from scr_engine.storage.memory import MemoryStore
from scr_engine.templates import dumps_toml, template

__all__ = ["scr"]  # the fixture, for pytest


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _demo_events() -> list[dict[str, Any]]:
    """The payloads of the demo's events, run in memory today."""
    engine = ReviewEngine(MemoryStore())
    review = engine.submit(demo_request(), REQUESTER)
    run_to_closure(engine, review.id)
    return [_plain(event.payload) for event in engine.history(review.id)]


def _filled(template: Any, given: Any) -> Any:
    """``template`` filled in with ``given``: tables field by field, anything else
    replaced; a value given as nothing (null) leaves the field out, as TOML must."""
    if isinstance(template, dict) and isinstance(given, dict):
        out = dict(template)
        for key, value in given.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = _filled(template.get(key), value)
        return out
    return given


def _prefilled(printed: Any, blank: Any, path: str = "") -> dict[str, Any]:
    """The values of the printed template that the blank one (no review) lacks:
    what the review filled in, by dotted path."""
    if isinstance(printed, dict) and isinstance(blank, dict):
        out: dict[str, Any] = {}
        for key, value in printed.items():
            out.update(_prefilled(value, blank.get(key), f"{path}.{key}" if path else key))
        return out
    return {} if printed == blank else {path: printed}


def _at(data: Any, path: str) -> Any:
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def test_every_template_of_the_demo_filled_in_reads_back_to_the_demos_events(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    issued = demo_commands()
    fields_filled: dict[str, list[str]] = {}
    for number, (payload, actor) in enumerate(issued):
        name = payload.pop("command")
        printed = scr("run", reference, name, "--template", actor=actor)
        assert printed.exit_code == 0, (name, printed.output)
        read = _json_ready(tomllib.loads(printed.stdout))
        assert set(read) <= {f.name for f in template(name).fields}, name
        # What the review filled in is what the demo gives.
        blank = template(name).values
        for path, value in _prefilled(read, blank).items():
            assert _at(payload, path) == value, (name, path, value)
            fields_filled.setdefault(name, []).append(path)
        path = scr.write(f"{number}-{name}.toml", dumps_toml(_filled(read, payload)))
        done = scr.json("run", reference, name, "--from", path, actor=actor)
        assert done["command"] == name and done["already"] is False

    history = scr.json("history", reference, actor="u-bm")
    got = [event["payload"] for event in history["events"]]
    assert got == _demo_events()
    assert len(got) == len(issued) + 1
    # The review filled in what it knows: each agency of the letters, IMRs and
    # sign-offs, the day the Chair was notified, the merged IMR chronology …
    assert fields_filled["record_chair_notified"] == ["received_on"]
    assert "agency" in fields_filled["record_records_secured"]
    assert "agency" in fields_filled["receive_imr"]
    assert "agency" in fields_filled["record_agency_signoff"]
    assert "terms.imr_agencies" in fields_filled["hold_initial_meeting"]
    assert "report.facts.chronology" in fields_filled["submit_overview_report"]
    assert "recommendation_id" in fields_filled["add_action"]
    assert "action_id" in fields_filled["complete_action"]


def test_the_report_template_holds_the_merged_imr_chronology(scr: Scr) -> None:
    """RP-2: the writer starts from the IMRs' chronologies, merged in date order."""
    scr.ready()
    reference = scr.submit()["reference"]
    for payload, actor in demo_commands():
        name = payload.pop("command")
        if name == "submit_overview_report":
            printed = scr("run", reference, name, "--template", actor=actor)
            break
        scr.json(
            "run", reference, name, "--from", scr.write("p.json", json.dumps(payload)), actor=actor
        )
    assert printed.exit_code == 0, printed.output
    chronology = _json_ready(tomllib.loads(printed.stdout))["report"]["facts"]["chronology"]
    assert [(e["date"], e["agency"]) for e in chronology] == [
        ("2025-10-14", "asc"),
        ("2025-11-03", "gp"),
        ("2025-12-01", "asc"),
        ("2025-12-01", "gp"),
        ("2025-12-20", "police"),
        ("2026-01-05", "police"),
    ]
    assert "# RP-2: The overview report follows Appendix 3" in printed.stdout


def test_a_template_as_printed_reads_back_accepted_or_refused_naming_what_to_fill(
    scr: Scr,
) -> None:
    """Every command's template, unfilled, reads back (``--from``) into a command that
    is accepted or refused with its reasons — never a file that cannot be read."""
    scr.ready()
    reference = scr.submit()["reference"]
    names = sorted(n for n in c.COMMANDS if n != "submit_request")
    for name in names:
        printed = scr("run", reference, name, "--template", actor="u-chair")
        assert printed.exit_code == 0, (name, printed.output)
        assert printed.stdout.startswith(f"# {name}: ")
        path = scr.write(f"{name}.toml", printed.stdout)
        result = scr("run", reference, name, "--from", path, "--dry-run", "--json", actor="u-chair")
        assert result.exit_code in (0, 1, 2), (name, result.output)
        if result.exit_code == 2:
            error = json.loads(result.stdout)["error"]
            assert error["kind"] == "invalid", (name, error)
            assert all(r["field"] for r in error["refusals"]), (name, error)
    # One filled in by the review alone is accepted as printed.
    printed = scr("run", reference, "record_chair_notified", "--template", actor="u-bm")
    path = scr.write("notified.toml", printed.stdout)
    done = scr.json("run", reference, "record_chair_notified", "--from", path, actor="u-bm")
    assert done["review"]["chair_received_on"] == done["review"]["received_on"]


def test_a_blank_required_field_is_refused_naming_it(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    printed = scr("run", reference, "decline", "--template", actor="u-chair")
    assert 'reasons = ""' in printed.stdout
    assert "# text; required" in printed.stdout
    assert "# occurred_on = YYYY-MM-DD" in printed.stdout  # optional: commented out
    path = scr.write("decline.toml", printed.stdout)
    refused = scr("run", reference, "decline", "--from", path, "--json", actor="u-chair")
    assert refused.exit_code in (1, 2)
    error = json.loads(refused.stdout)["error"]
    assert any(r["field"] == "reasons" for r in error["refusals"]), error


def test_the_json_template_reads_back_whole_or_its_payload(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    made = scr.json("run", reference, "record_chair_notified", "--template", actor="u-bm")
    assert made["command"] == "record_chair_notified"
    assert made["roles"] == ["board_chair", "business_manager"]
    assert made["rules"][0]["id"] == "RF-3" and made["rules"][0]["title"]
    (received,) = made["fields"]
    assert received["name"] == "received_on" and received["required"] is True
    assert received["format"] == "YYYY-MM-DD" and received["type"].startswith("a date")
    assert [r["id"] for r in received["rules"]] == ["RF-3"]
    assert made["payload"] == {
        "received_on": scr.json("show", reference, actor="u-bm")["review"]["received_on"]
    }
    dry = scr(
        "run",
        reference,
        "record_chair_notified",
        "--from",
        scr.write("t.json", json.dumps(made)),
        "--dry-run",
        actor="u-bm",
    )
    assert dry.exit_code == 0, dry.output
    done = scr.json(
        "run",
        reference,
        "record_chair_notified",
        "--from",
        scr.write("p.json", json.dumps(made["payload"])),
        actor="u-bm",
    )
    assert done["event"]["sequence"] == 2


def test_the_template_names_the_allowed_values_and_the_reviews_agencies(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    for payload, actor in demo_commands():
        name = payload.pop("command")
        if name == "judge_imr":
            break
        scr.json(
            "run", reference, name, "--from", scr.write("p.json", json.dumps(payload)), actor=actor
        )
    printed = scr("run", reference, "judge_imr", "--template", actor="u-pc").stdout
    assert "one of: sufficient, further_information_requested" in printed
    assert "allowed: asc" in printed  # the agencies whose IMR is in
    assert 'agency = "asc"' in printed
    assert "EV-2" in printed


def test_template_from_and_payload_refused_together_and_unknown_command(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    path = scr.write("t.toml", 'received_on = "2026-01-05"\n')
    both = scr(
        "run", reference, "record_chair_notified", "--from", path, "--payload", path, actor="u-bm"
    )
    assert both.exit_code == 2 and "not both" in both.stderr
    unknown = scr("run", reference, "judge_imrs", "--template", actor="u-pc")
    assert unknown.exit_code == 2 and "did you mean judge_imr" in unknown.stderr
    hidden = scr("run", "SCR-2099-999", "decline", "--template", actor="u-chair")
    assert hidden.exit_code != 0


def test_show_lists_each_commands_fields(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    shown = scr.json("show", reference, actor="u-bm")
    options = {o["command"]: o for o in shown["options"]}
    fields = {f["name"]: f for f in options["record_chair_notified"]["fields"]}
    assert fields["received_on"] == {
        "name": "received_on",
        "type": "a date (YYYY-MM-DD)",
        "required": True,
    }
    text = scr("show", reference, actor="u-chair").stdout
    assert "assess_criteria" in text
    assert "optional: facts, notes, occurred_on" in text
    assert "--template" in text
