"""``scr annual-report YEAR --out DIR`` (issue 24): the SAB's annual report of a
financial year written out as its SAR chapter (Markdown and HTML) and its figures as
CSV, each figure naming the events it came from (SAR-A-6, SAR-A-7)."""

from __future__ import annotations

import csv
import io

from scr_engine.cli.app import EXIT_NOT_FOUND
from support.clitools import Scr, scr

__all__ = ["scr"]  # the fixture, for pytest

DB = ("--database", "sqlite:///demo.sqlite3")


def test_the_annual_report_of_a_year_is_written_with_its_sources(scr: Scr) -> None:
    """SAR-A-6, SAR-A-7: the demo's SAR concluded in 2025-26 and its year's report was
    published (SAR-A-9) and sent; the chapter lists it, and every CSV row names the
    SAR's events it came from."""
    scr.ready()
    shown = scr.json("demo", "--protocol", "sar", "--db", "demo.sqlite3")
    sar = shown["review"]
    out = scr.folder / "report"
    written = scr.json("annual-report", "2025", "--out", str(out), *DB, actor="u-bm")
    assert written["year"] == 2025 and written["reference"].startswith("SAR-AR-")
    assert written["stage"] == "distributed" and written["url"].startswith("https://")
    assert written["stale"] == []
    names = sorted(p.rsplit("/", 1)[-1] for p in written["files"])
    assert names == [
        "annual-report-2025-26-figures.csv",
        "annual-report-2025-26.html",
        "annual-report-2025-26.md",
    ]
    chapter = (out / "annual-report-2025-26.md").read_text(encoding="utf-8")
    assert sar["reference"] in chapter and "## (g)" in chapter
    html = (out / "annual-report-2025-26.html").read_text(encoding="utf-8")
    assert sar["reference"] in html and "<script" not in html
    figures = (out / "annual-report-2025-26-figures.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(figures)))
    assert rows and all(r["reference"] == sar["reference"] for r in rows)
    assert {r["section"] for r in rows} >= {"d", "f", "g"}
    assert all(r["sources"].startswith(sar["id"] + "#") for r in rows)


def test_a_year_with_no_report_is_not_found(scr: Scr) -> None:
    scr.ready()
    scr.json("demo", "--protocol", "sar", "--db", "demo.sqlite3")
    refused = scr.json("annual-report", "2030", *DB, actor="u-bm", code=EXIT_NOT_FOUND)
    assert refused["error"]["kind"] == "not_found"
    assert "2030-31" in refused["error"]["message"]


def test_export_of_an_annual_report_points_to_scr_annual_report(scr: Scr) -> None:
    scr.ready()
    scr.json("demo", "--protocol", "sar", "--db", "demo.sqlite3")
    listed = scr.json("list", *DB, actor="u-bm")
    report = next(r for r in listed["reviews"] if r["reference"].startswith("SAR-AR-"))
    for extra in ((), ("--public",)):
        refused = scr.json("export", report["reference"], *extra, *DB, actor="u-bm", code=2)
        assert refused["error"]["kind"] == "usage"
        assert "scr annual-report 2025" in refused["error"]["message"]


def test_an_annual_report_is_opened_from_its_printed_form(scr: Scr) -> None:
    """SAR-A-5, SAR-A-8: ``scr submit --protocol sar-annual-report --template`` prints
    a form filled in with fictional members and the four kinds of recipient, which
    submitted as printed opens the report of its year, named by that year; a second
    one of the same year is refused with SAR-A-5."""
    scr.ready()
    printed = scr("submit", "--protocol", "sar-annual-report", "--template").stdout
    assert "year = 2025" in printed and "healthwatch" in printed
    form = scr.write("annual.toml", printed)
    opened = scr.json("submit", "--protocol", "sar-annual-report", str(form), actor="u-bm")
    assert opened["reference"] == "SAR-AR-2025-26" and opened["stage"] == "drafting"
    again = scr.json("submit", "--protocol", "sar-annual-report", str(form), actor="u-bm", code=1)
    assert [r["rule"] for r in again["error"]["refusals"]] == ["SAR-A-5"]
