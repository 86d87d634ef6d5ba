"""``scr protocols`` and ``scr submit --protocol`` (issue 23)."""

from __future__ import annotations

from scr_engine.cli import EXIT_FAILED
from scr_engine.protocols.scr import SCR
from scr_engine.states.stages import Stage
from scr_engine.states.table import TABLE
from support.clitools import Scr, scr

__all__ = ["scr"]  # the fixture, for pytest


def test_scr_protocols_lists_the_scr_with_its_stages_commands_and_rules(scr: Scr) -> None:
    shown = scr.json("protocols")
    assert [(p["name"], p["version"]) for p in shown["protocols"]] == [
        ("sar", "1"),
        ("sar-annual-report", "1"),
        ("scr", "1"),
    ]
    only = shown["protocols"][2]
    assert (only["name"], only["version"]) == ("scr", "1")
    assert [s["code"] for s in only["stages"]] == [s.value for s in Stage]
    assert {s["code"] for s in only["stages"] if s["terminal"]} == {
        s.value for s in Stage if s.terminal
    }
    assert only["commands"] == [r.command for r in TABLE]
    assert "CR-1" in only["rules"] and "AP-3" in only["rules"]
    assert set(only["rules"]) | set(only["engine_rules"]) == set(SCR.rules)
    assert set(only["engine_rules"]) == {"MAP", "INPUT", "DATE"}
    assert only["documents"] == list(SCR.documents)


def test_scr_protocols_lists_the_sar_as_its_map_and_requirements_name_it(scr: Scr) -> None:
    """Issue 23: the SAR's stages, commands and rule IDs (``SAR-…``, with the engine's
    own beside them) as ``sar/map.md`` and ``sar/requirements.md`` name them."""
    from scr_engine.protocols.sar import SAR

    sar = scr.json("protocols")["protocols"][0]
    assert (sar["name"], sar["version"]) == ("sar", "1")
    assert [s["code"] for s in sar["stages"]] == list(SAR.stage_codes)
    assert {s["code"] for s in sar["stages"] if s["terminal"]} == set(SAR.terminal_stages)
    assert sar["commands"] == list(SAR.command_names)
    assert "SAR-C-8" in sar["rules"] and "SAR-A-4" in sar["rules"]
    assert set(sar["rules"]) | set(sar["engine_rules"]) == set(SAR.rules)
    assert all(r.startswith("SAR-") for r in sar["rules"])


def test_scr_protocols_for_a_person_names_each_protocol(scr: Scr) -> None:
    result = scr("protocols")
    assert result.exit_code == 0
    assert "scr version 1" in result.stdout and "submit_request" in result.stdout
    assert "sar version 1" in result.stdout and "confirm_review" in result.stdout


def test_a_review_submitted_from_the_command_line_records_its_protocol(scr: Scr) -> None:
    scr.ready()
    review = scr.submit()
    assert (review["protocol"], review["protocol_version"]) == ("scr", "1")
    form = scr.write("again.toml", (scr.folder / "form.toml").read_text(encoding="utf-8"))
    refused = scr.json("submit", form, "--protocol", "no-such", actor="u-req", code=EXIT_FAILED)
    assert refused["error"]["kind"] == "invalid"
    assert [r["field"] for r in refused["error"]["refusals"]] == ["protocol"]
    assert (
        "available: sar 1, sar-annual-report 1, scr 1" in refused["error"]["refusals"][0]["message"]
    )
