"""The command table is the protocol's map (``protocol/map.md``), row by row: from
which stages each command may be issued, where it leads, and who may issue it.

The expected rows are transcribed here by hand from the map, independently of
``scr_engine.states.table`` (the table is built once, at import, where mutation
testing cannot reach it: this pins what it builds). Where ``protocol/map.md`` is beside
the project, its own table is read too and must say the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scr_engine.states.stages import Stage
from scr_engine.states.table import TABLE

pytestmark = pytest.mark.rule("MAP")

BEFORE_RATIFIED = "requested screened panel_convened evidence_received overview_drafted"
SET_UP = "screened panel_convened evidence_received overview_drafted"
OPEN = f"{BEFORE_RATIFIED} ratified action_plan_monitored"
ENDED = "closed redirected not_taken_forward withdrawn"

# command: (from, to, who), as map.md says; the last three rows are the engine's own
# commands (docs/decisions.md): add_agency (SU-7), restrict_access and
# erase_personal_data (PR-e).
MAP = {
    "submit_request": ("", "requested", "requester business_manager"),
    "record_chair_notified": ("requested", "", "business_manager board_chair"),
    "assess_criteria": ("requested", "", "board_chair"),
    "confirm_review": ("requested", "screened", "board_chair"),
    "recommend_alternative": ("requested", "redirected", "board_chair"),
    "decline": ("requested", "not_taken_forward", "board_chair"),
    "record_records_secured": ("screened panel_convened", "", "business_manager"),
    "record_imr_writer": ("screened panel_convened", "", "business_manager"),
    "agree_lead_authority": ("screened", "", "board_chair"),
    "appoint_panel_chair": ("screened", "", "board_chair"),
    "appoint_panel_member": (
        "screened panel_convened evidence_received overview_drafted",
        "",
        "board_chair",
    ),
    "appoint_overview_writer": ("screened panel_convened", "", "board_chair"),
    "record_budget": ("screened", "", "board_chair"),
    "hold_initial_meeting": ("screened", "", "panel_chair"),
    "convene_panel": ("screened", "panel_convened", "panel_chair"),
    "receive_imr": ("panel_convened", "", "panel_chair business_manager"),
    "judge_imr": ("panel_convened", "", "panel_chair"),
    "confirm_overview_brief": ("panel_convened", "", "panel_chair"),
    "accept_evidence": ("panel_convened", "evidence_received", "panel_chair"),
    "record_writer_meeting": (
        "panel_convened evidence_received overview_drafted",
        "",
        "panel_chair overview_writer",
    ),
    "submit_overview_report": ("evidence_received", "overview_drafted", "overview_writer"),
    "request_revision": ("overview_drafted", "evidence_received", "panel_chair"),
    "record_agency_signoff": ("overview_drafted", "", "panel_member"),
    "add_action": ("overview_drafted", "", "panel_chair"),
    "record_dissemination": ("overview_drafted", "", "panel_chair"),
    "ratify": ("overview_drafted", "ratified", "board_chair board"),
    "start_monitoring": ("ratified", "action_plan_monitored", "business_manager"),
    "record_action_progress": ("action_plan_monitored", "", "business_manager"),
    "complete_action": ("action_plan_monitored", "", "business_manager"),
    "close_review": ("action_plan_monitored", "closed", "board_chair"),
    "withdraw": (BEFORE_RATIFIED, "withdrawn", "board_chair"),
    "pause_clock": (OPEN, "", "panel_chair board_chair"),
    "resume_clock": (OPEN, "", "panel_chair board_chair"),
    "extend_deadline": (OPEN, "", "panel_chair board_chair"),
    "add_agency": ("screened panel_convened", "", "board_chair panel_chair"),
    "restrict_access": (f"{OPEN} {ENDED}", "", "board_chair"),
    "erase_personal_data": (ENDED, "", "board_chair business_manager"),
    # Corrections (docs/decisions.md, "Corrections"): from screening to ratification.
    "replace_panel_chair": (SET_UP, "", "board_chair"),
    "replace_overview_writer": (SET_UP, "", "board_chair"),
    "stand_down_panel_member": (SET_UP, "", "board_chair"),
    "revise_terms_of_reference": (SET_UP, "", "panel_chair"),
}


# Where the engine departs from map.md on purpose (docs/decisions.md), what map.md says.
DEPARTURES = {
    # RP-4: a panel member for an agency that joined late and has none, up to ratification.
    "appoint_panel_member": ("screened panel_convened", "", "board_chair"),
}


def _row(sources: str, dest: str, roles: str) -> tuple[set[str], str, set[str]]:
    return set(sources.split()), dest, set(roles.split())


def test_every_command_of_the_table_is_the_map_s() -> None:
    held = {
        r.command: (
            {s.value for s in r.sources},
            r.dest.value if r.dest is not None else "",
            {role.value for role in r.roles},
        )
        for r in TABLE
    }
    assert held == {command: _row(*row) for command, row in MAP.items()}
    assert len(TABLE) == len(MAP)  # no command twice


def test_only_ended_stages_are_terminal_and_each_is_reached_by_one_command() -> None:
    ended = set(ENDED.split())
    assert {s.value for s in Stage if s.terminal} == ended
    reaching = {r.dest.value for r in TABLE if r.dest is not None and r.dest.terminal}
    assert reaching == ended


MAP_FILE = Path(__file__).resolve().parents[3] / "shared" / "protocol" / "map.md"
_ROW = re.compile(r"^\| `([a-z_]+)`(?: / `([a-z_]+)`)? \| ([^|]*) \| ([^|]*) \| ([^|]*) \|")


@pytest.mark.skipif(not MAP_FILE.exists(), reason=f"the protocol's map is not at {MAP_FILE}")
def test_the_transcription_is_what_map_md_says() -> None:
    spans = {
        "any stage before `ratified`": BEFORE_RATIFIED,
        "any open stage": OPEN,
        "panel_convened … overview_drafted": "panel_convened evidence_received overview_drafted",
        "—": "",
    }
    found = 0
    for line in MAP_FILE.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        commands = [c for c in match.group(1, 2) if c]
        sources, dest, who = (match.group(i).strip() for i in (3, 4, 5))
        sources = spans.get(sources, sources.replace(",", " "))
        dest = spans.get(dest, dest.strip("`"))
        roles = re.sub(r"\(.*?\)|of that agency", "", who).replace(",", " ")
        for command in commands:
            found += 1
            expected = DEPARTURES.get(command, MAP[command])
            assert _row(sources, dest, roles) == _row(*expected), command
    assert found == len(MAP) - 7  # all but the engine's own three and the corrections
