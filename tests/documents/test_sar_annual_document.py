"""The annual report's SAR chapter as a document (issue 24, item 3): sections (a)–(g)
in Markdown and HTML, what is missing at the top, the figures as CSV with their
sources (SAR-A-6, SAR-A-9, SAR-A-8)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from scr_engine import MemoryStore, ReviewEngine
from scr_engine import annual_reports as ar
from scr_engine.documents.annual import figures_csv, render_annual_report
from scr_engine.errors import InvalidRequest
from scr_engine.protocols.sar.annual import commands as ac
from scr_engine.protocols.sar.annual.records import AnnualReport, SectionCode
from support import sar as s
from support.annual import AFTER_YEAR, RECIPIENTS, URL, drafted, form, published
from support.controls import raw_controls
from support.sar_engine import EngineRun


def _report() -> AnnualReport:
    run = s.monitored(EngineRun(MemoryStore()))
    run.today = AFTER_YEAR
    report = published(run.engine)
    return ar.send(run.engine, report.id, RECIPIENTS[0].id, s.MANAGER)


def test_the_chapter_holds_every_section_in_markdown_and_html() -> None:
    """SAR-A-6 (a)–(g), each under its own heading, the concluded SAR's findings, time
    to complete and period under review, the decision not to implement F2 with its
    reasons; the URL (SAR-A-9) and the copies sent (SAR-A-8); nothing missing."""
    report = _report()
    md = render_annual_report(report, fmt="md", as_of=AFTER_YEAR, board="Shire SAB")
    assert md.missing == ()
    for heading in ("## (a)", "## (b)", "## (c)", "## (d)", "## (e)", "## (f)", "## (g)"):
        assert heading in md.text
    assert "F2: finding F2" in md.text and "national policy already covers it" in md.text
    assert "2026-01-01 to 2027-01-02" in md.text
    assert URL in md.text and RECIPIENTS[0].name in md.text
    assert md.title == "Annual report 2026/27: SARs"
    html = render_annual_report(report, fmt="html", as_of=AFTER_YEAR, board="Shire SAB")
    assert html.text.startswith("<!DOCTYPE html>") and f'href="{URL}"' in html.text
    assert "national policy already covers it" in html.text


def test_a_draft_says_what_it_lacks() -> None:
    """SAR-A-6: a report opened but not written lists what it still lacks."""
    engine = ReviewEngine(MemoryStore())
    report = ar.open_report(engine, form(), s.MANAGER)
    doc = render_annual_report(report, as_of=report.received_on)
    assert "section (a)" in doc.missing and "Not yet complete" in doc.text
    assert "*Not yet computed.*" in doc.text
    assert figures_csv(report).splitlines() == ["section,review,reference,what,date,detail,sources"]


def test_a_format_other_than_md_or_html_is_refused_on_fmt() -> None:
    engine = ReviewEngine(MemoryStore())
    report = drafted(engine)
    with pytest.raises(InvalidRequest, match="md or html") as refused:
        render_annual_report(report, fmt="docx", as_of=AFTER_YEAR)  # type: ignore[arg-type]
    assert [r.field for r in refused.value.refusals] == ["fmt"]


def test_the_figures_as_csv_name_their_events() -> None:
    """Every computed figure is a CSV row naming the events it came from."""
    report = _report()
    rows = list(csv.DictReader(io.StringIO(figures_csv(report))))
    assert [r["section"] for r in rows] == ["d", "f", "g"]
    assert all(r["sources"] for r in rows)
    assert rows[2]["detail"] == "national policy already covers it"


def test_time_to_complete_is_charted_in_the_html_chapter() -> None:
    """Issue 24, "a chart per figure where a chart says it better": section (d)'s time
    to complete (SAR-A-7) as a bar per concluded SAR, the longest at full length, each
    labelled with its days; the Markdown chapter keeps the figure in its table."""
    import attrs

    from scr_engine.documents.annual import CHART_WIDTH, time_to_complete_chart

    report = _report()
    assert report.computed is not None
    (concluded,) = report.computed.concluded
    assert concluded.days_to_complete is not None
    bars = time_to_complete_chart(report)
    assert bars == [
        {
            "reference": concluded.reference,
            "days": concluded.days_to_complete,
            "length": CHART_WIDTH,
        }
    ]
    html = render_annual_report(report, fmt="html", as_of=AFTER_YEAR).text
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html
    assert f'width="{CHART_WIDTH}"' in html and f"{concluded.days_to_complete} days" in html
    # A second SAR twice as long halves the first bar; one with no decision day is left out.
    longer = attrs.evolve(
        concluded, reference="SAR-X<1>", days_to_complete=2 * concluded.days_to_complete
    )
    untimed = attrs.evolve(concluded, reference="SAR-Y", days_to_complete=None)
    computed = attrs.evolve(report.computed, concluded=(concluded, longer, untimed))
    both = attrs.evolve(report, computed=computed)
    assert [(b["reference"], b["length"]) for b in time_to_complete_chart(both)] == [
        (concluded.reference, CHART_WIDTH // 2),
        ("SAR-X<1>", CHART_WIDTH),
    ]
    html = render_annual_report(both, fmt="html", as_of=AFTER_YEAR).text
    assert "SAR-X&lt;1&gt;" in html and "SAR-X<1>" not in html
    md = render_annual_report(both, fmt="md", as_of=AFTER_YEAR).text
    assert "<svg" not in md


def test_the_sars_open_at_the_years_end_are_charted_by_days_open() -> None:
    """SAR-A-6(e), SAR-A-7: each SAR ongoing on 31 March is a bar of its days from the
    decision to 31 March, the longest at full length; none when none is ongoing."""
    import attrs

    from scr_engine.documents.annual import CHART_WIDTH, open_at_year_end_chart

    store = MemoryStore()
    first = EngineRun(store, date(2026, 12, 1))
    s.screened(first)
    second = EngineRun(store, date(2027, 2, 15))
    s.screened(second)
    second.today = AFTER_YEAR
    report = ar.compile_sections(second.engine, drafted(second.engine).id, s.MANAGER)
    assert report.computed is not None
    days = {
        o.reference: (report.computed.as_at - o.screened_on).days for o in report.computed.ongoing
    }
    assert sorted(days.values()) == [
        (date(2027, 3, 31) - date(2027, 2, 16)).days,
        (date(2027, 3, 31) - date(2026, 12, 2)).days,
    ]
    bars = {b["reference"]: (b["days"], b["length"]) for b in open_at_year_end_chart(report)}
    longest = max(days.values())
    assert bars == {
        reference: (n, max(1, round(CHART_WIDTH * n / longest))) for reference, n in days.items()
    }
    assert CHART_WIDTH in {length for _, length in bars.values()}
    html = render_annual_report(report, fmt="html", as_of=AFTER_YEAR).text
    assert 'aria-labelledby="open-at-year-end"' in html
    assert all(f"{n} days" in html for n in days.values())
    none = attrs.evolve(report, computed=attrs.evolve(report.computed, ongoing=()))
    assert open_at_year_end_chart(none) == []
    assert (
        'aria-labelledby="open-at-year-end"'
        not in render_annual_report(none, fmt="html", as_of=AFTER_YEAR).text
    )


def test_no_control_or_bidi_character_reaches_the_chapter_raw() -> None:
    """A section written with an escape sequence and a right-to-left override shows
    them as their code points, in Markdown and in HTML."""
    run = s.monitored(EngineRun(MemoryStore()))
    run.today = AFTER_YEAR
    report = ar.open_report(run.engine, form(), s.MANAGER)
    spoof = "what was done \x1b[2J\u202eevil\u202c\x85\u2066x\u2069 (a)"
    made: Any = run.engine.execute(
        report.id, ac.RecordAnnualReportSection(SectionCode("a"), spoof, ""), s.MANAGER
    )
    for fmt in ("md", "html"):
        text = render_annual_report(made, fmt=fmt, as_of=AFTER_YEAR).text  # type: ignore[arg-type]
        assert not raw_controls(text), fmt
        assert "U+001B" in text and "U+202E" in text and "U+2066" in text, fmt
