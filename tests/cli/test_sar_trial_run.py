"""A SAR driven from ``scr`` the way a Board's business manager runs one: the
mistakes met on the way each end in the documented exit status and one line that
says what to do, and nothing is stored after a refusal."""

from __future__ import annotations

from datetime import date

from scr_engine.cli import EXIT_NOT_FOUND
from support.clitools import Scr, scr

__all__ = ["scr"]  # the fixture, for pytest


def test_a_sar_command_on_an_unknown_review_is_not_found(scr: Scr) -> None:
    """A SAR's own command (``acknowledge_request``, ``record_information_response``)
    on a reference no review has is "no review" (exit 3), not an unknown command (exit
    2) nor the SCR's fields for a command of the same name."""
    scr.ready()
    for command, fields in (
        ("acknowledge_request", ()),
        ("record_chair_notified", ("--set", "notified_on=2026-10-02")),
        ("record_information_response", ("--set", "request=IR-1")),
    ):
        for extra in ((), ("--dry-run",), ("--template",)):
            result = scr("run", "SAR-2026-009", command, *fields, *extra, actor="u-bm")
            assert result.exit_code == EXIT_NOT_FOUND, (command, extra, result.output)
            assert "no review 'SAR-2026-009'" in result.stderr
        error = scr.json("run", "SAR-2026-009", command, *fields, actor="u-bm", code=3)
        assert error["error"]["kind"] == "not_found"


ASSESSED = """
[[assessments]]
adult = "a1"
abuse_types = ["neglect"]
died_on = 2026-01-05
knowledge_basis = "The coroner's note."
in_area = {value = "met", reasons = "Lived in Riverside."}
care_and_support_needs = {value = "met", reasons = "Assessed in 2025."}
working_together_concern = {value = "met", reasons = "Agencies did not share."}
condition_1 = {value = "met", reasons = "Died; neglect suspected."}
"""

ANNUAL = """
year = {year}
members = [{{id = "asc", name = "Adult Social Care"}}]
recipients = [
  {{id = "la", kind = "local_authority", name = "Chief executive and leader"}},
  {{id = "pcc", kind = "policing_body", name = "Police and Crime Commissioner"}},
  {{id = "hw", kind = "healthwatch", name = "Healthwatch"}},
  {{id = "hwb", kind = "health_and_wellbeing_board", name = "Chair of the HWB"}},
]
"""


def _screened_sar(scr: Scr) -> str:
    """A SAR referral from the template, confirmed as a mandatory SAR: its reference."""
    form = scr.write("referral.toml", scr("submit", "--protocol", "sar", "--template").stdout)
    reference: str = scr.json("submit", "--protocol", "sar", form, actor="u-bm")["reference"]
    assessed = scr.write("assessed.toml", ASSESSED)
    scr.json("run", reference, "assess_criteria", "--from", assessed, actor="u-chair")
    confirm = ("--set", "outcome=sar_mandatory", "--set", "reasons=Condition 1 is met.")
    mandate = ("--set", "mandate.kind=mandatory", "--set", "mandate.condition:=1")
    scr.json("run", reference, "confirm_review", *confirm, *mandate, actor="u-chair")
    return reference


def test_the_annual_reports_sections_d_to_g_compile_from_the_command_line(scr: Scr) -> None:
    """SAR-A-6, SAR-A-7: a business manager compiles sections (d)-(g) of the year's
    report with ``scr run REPORT compile_review_sections``: computed from the store's
    SAR histories, as ``annual_reports.compile_sections`` does (a SAR screened in the
    year and not concluded is ongoing, section (e)); ``--template`` shows them filled
    in, and the file it prints reads back."""
    scr.ready()
    sar = _screened_sar(scr)
    today = date.today()
    year = today.year if today.month >= 4 else today.year - 1
    form = scr.write("annual.toml", ANNUAL.format(year=year))
    report = scr.json("submit", "--protocol", "sar-annual-report", form, actor="u-bm")
    ref = report["reference"]
    template = scr.json("run", ref, "compile_review_sections", "--template", actor="u-bm")
    sections = template["payload"]["sections"]
    assert sections["year"] == year
    assert [o["reference"] for o in sections["ongoing"]] == [sar]
    printed = scr("run", ref, "compile_review_sections", "--template", actor="u-bm")
    assert printed.exit_code == 0 and sar in printed.stdout
    from_file = scr.write("compiled.toml", printed.stdout)
    dry = scr.json(
        "run", ref, "compile_review_sections", "--from", from_file, "--dry-run", actor="u-bm"
    )
    assert dry["accepted"] is True, dry
    done = scr.json("run", ref, "compile_review_sections", actor="u-bm")
    assert done["command"] == "compile_review_sections" and done["already"] is False
    written = scr.json("annual-report", str(year), "--out", "out", actor="u-bm")
    assert written["stale"] == []
    chapter = (scr.folder / "out" / f"annual-report-{year}-{(year + 1) % 100:02d}.md").read_text()
    assert sar in chapter


def test_each_task_of_a_sar_has_its_own_short_id(scr: Scr) -> None:
    """SAR-R-3, SAR-D-5: a SAR tells its referrer twice (the receipt acknowledged, then
    the decision), so two of its tasks are ``notice:referrer``. Every task's short id is
    unique within its review, in ``scr show``, ``scr tasks`` and ``scr tasks
    --review``, and ``--done`` marks the one it names, not another."""
    scr.ready()
    form = scr.write("referral.toml", scr("submit", "--protocol", "sar", "--template").stdout)
    sar = scr.json("submit", "--protocol", "sar", form, actor="u-bm")["reference"]
    scr.json("run", sar, "acknowledge_request", actor="u-bm")
    assessed = scr.write("assessed.toml", ASSESSED)
    scr.json("run", sar, "assess_criteria", "--from", assessed, actor="u-chair")
    confirm = ("--set", "outcome=sar_mandatory", "--set", "reasons=Condition 1 is met.")
    mandate = ("--set", "mandate.kind=mandatory", "--set", "mandate.condition:=1")
    scr.json("run", sar, "confirm_review", *confirm, *mandate, actor="u-chair")
    listed = scr.json("tasks", "--review", sar, actor="u-bm")["tasks"]
    shorts = [t["short_id"] for t in listed]
    assert len(shorts) == len(set(shorts)), shorts
    assert all(t["id"].endswith(t["short_id"]) for t in listed)
    told = [t for t in listed if t["kind"] == "notice" and t["agency"] == "referrer"]
    assert [t["rule"] for t in told] == ["SAR-R-3", "SAR-D-5"]
    assert {t["short_id"] for t in scr.json("tasks", actor="u-bm")["tasks"]} == set(shorts)
    shown = scr.json("show", sar, actor="u-bm")["tasks"]
    assert {t["short_id"] for t in shown} == set(shorts)
    first = told[0]["short_id"]
    done = scr.json("tasks", "--review", sar, "--done", first, actor="u-bm")
    assert done["completed"] == told[0]["id"]
    after = scr.json("tasks", "--review", sar, actor="u-bm")["tasks"]
    status = {t["id"]: t["status"] for t in after}
    assert (status[told[0]["id"]], status[told[1]["id"]]) == ("done", "pending")


def test_a_referrer_submits_a_sar_referral_sar_r_1(scr: Scr) -> None:
    """SAR-R-1: anyone may refer; ``scr submit --protocol sar`` takes a referral from a
    referrer (docs/cli.md: "a SAR: referrer, business_manager"), as from a business
    manager; a board chair is still refused."""
    scr.ready()
    form = scr.write("referral.toml", scr("submit", "--protocol", "sar", "--template").stdout)
    review = scr.json("submit", "--protocol", "sar", form, actor="u-ref")
    assert review["protocol"] == "sar" and review["requested_by"]["id"] == "u-ref"
    refused = scr.json("submit", "--protocol", "sar", form, actor="u-chair", code=1)
    assert refused["error"]["kind"] == "permission_denied"
    assert "referrer" in refused["error"]["refusals"][0]["message"]
