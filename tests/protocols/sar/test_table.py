"""The SAR review's table (``sar/map.md`` §1): every command, its stages, its roles;
the SAR definition built from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scr_engine.protocols import available, get
from scr_engine.protocols.sar import SAR
from scr_engine.protocols.sar import stages as s
from scr_engine.protocols.sar.commands import COMMANDS
from scr_engine.protocols.sar.effects import EFFECTS
from scr_engine.protocols.sar.guards import GUARDS
from scr_engine.protocols.sar.settings import SarSettings
from scr_engine.protocols.sar.table import TABLE, roles_for, row
from scr_engine.states.roles import SAR_ROLES, SCR_ROLES, Role

MAP = Path(__file__).resolve().parents[4] / "shared" / "protocol" / "sar" / "map.md"


def _section_1() -> str:
    text = MAP.read_text(encoding="utf-8")
    return text[text.index("## 1. Review") : text.index("## 2. Information request")]


@pytest.mark.skipif(not MAP.exists(), reason=f"map.md is not at {MAP}")
def test_every_command_and_stage_of_map_md_section_1() -> None:
    """Every stage code and every command of map.md §1, no more."""
    text = _section_1()
    stages = re.findall(r"^\| `([a-z_]+)` \|", text.split("### Commands")[0], re.M)
    assert list(SAR.stage_codes) == stages
    commands = re.findall(
        r"^\| `([a-z_]+)`(?: \*\*new\*\*)? \|", text.split("### Commands")[1], re.M
    )
    pairs = re.findall(r"^\| `(pause_clock)` / `(resume_clock)`", text, re.M)
    named = set(commands) | {x for p in pairs for x in p}
    assert set(COMMANDS) == named == {r.command for r in TABLE}


def test_stages_and_terminals() -> None:
    """map.md: closed, redirected, not_taken_forward and withdrawn are terminal;
    redirected and not_taken_forward are left only by reopen_request (SAR-D-6)."""
    assert {"closed", "redirected", "not_taken_forward", "withdrawn"} == s.TERMINAL
    for stage in s.TERMINAL:  # besides the engine's erasure, which stays in the stage
        assert SAR.commands_from(stage) <= {"reopen_request", "erase_personal_data"}
        assert SAR.next_stage(stage, "erase_personal_data") == stage
    assert SAR.commands_from("redirected") == {"reopen_request", "erase_personal_data"}
    assert SAR.initial == "requested" and SAR.open_stages == s.OPEN


def test_stage_codes_are_plain_strings_shared_with_the_scr_where_meaning_is_the_same() -> None:
    """Stage codes are public vocabulary: SAR rows hold plain str codes."""
    from scr_engine.states.stages import Stage

    shared = {"requested", "screened", "evidence_received", "ratified", "closed"}
    assert shared <= {st.value for st in Stage} & set(SAR.stage_codes)
    assert all(type(src) is str for r in TABLE for src in r.sources)


def test_withdraw_only_before_sign_off() -> None:
    """map.md: `withdraw` from any stage before `ratified`."""
    assert row("withdraw").sources == s.BEFORE_RATIFIED
    assert "ratified" not in row("withdraw").sources


def test_roles_are_the_sars_and_decision_roles_are_a_setting_sar_d_1_sar_g_6() -> None:
    """SAR-D-1, SAR-G-6: the decision and waiver rows follow the Board's settings."""
    assert SAR.roles == tuple(r.value for r in SAR_ROLES)
    assert all(role in SAR_ROLES for r in TABLE for role in r.roles)
    custom = SarSettings(decision_roles=(Role.SUBGROUP_CHAIR,), waiver_roles=(Role.BOARD,))
    assert roles_for("decline", custom) == {Role.SUBGROUP_CHAIR}
    assert roles_for("record_waiver", custom) == {Role.BOARD}
    assert roles_for("decide_finding", custom) == {Role.SUBGROUP_CHAIR, Role.BOARD}


def test_the_scr_keeps_its_nine_roles_in_order() -> None:
    """SCR_ROLES: the SAR's roles came after the SCR's nine, which keep their order."""
    assert list(Role)[:9] == list(SCR_ROLES)
    assert len(SCR_ROLES) == 9


def test_every_command_has_an_effect_and_commands_with_rules_a_guard() -> None:
    """Every command but submit_request has an effect; every row citing a guard rule
    has a guard."""
    assert set(EFFECTS) == set(COMMANDS) - {"submit_request"}
    assert set(GUARDS) <= set(COMMANDS)
    unguarded = {r.command for r in TABLE if r.command not in GUARDS}
    assert unguarded <= {
        "record_chair_notified",
        "record_writer_meeting",
        "start_monitoring",
        "ratify",
        "accept_evidence",
        "commission_review",
        "close_review",
    } - set(GUARDS)


def test_the_sar_is_registered_beside_the_scr() -> None:
    """Every installation runs both: ``scr protocols`` lists the SAR, and a review
    recording ``sar`` version 1 finds its definition."""
    assert SAR.key == ("sar", "1")
    assert SAR in available()
    assert get("sar") is SAR and get("sar", "1") is SAR
    assert set(SAR.rules) >= {"SAR-C-1", "MAP", "INPUT"}
