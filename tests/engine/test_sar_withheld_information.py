"""Information supplied under a request stays out of what the Board publishes until it
is cleared (SAR-I-6 with SAR-P-6): the publishable summary, the register row and the
annual report's SAR chapter strike every item not cleared, and every personal value,
out of the text they copy from the review; a disclosure to ``public`` for an SAB
function clears an item, and the report computed before it is then stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from attrs import evolve

from scr_engine import MemoryStore
from scr_engine import annual_reports as ar
from scr_engine.documents import render_sar
from scr_engine.documents.annual import figures_csv, render_annual_report
from scr_engine.documents.sar_register import sar_register_row
from scr_engine.personal import REDACTED
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.information import RecordDisclosure, RecordInformationResponse
from scr_engine.protocols.sar.information_records import PUBLIC, ResponseKind
from scr_engine.protocols.sar.records import Finding, Recommendation
from scr_engine.storage.port import ReviewStore
from support import sar as s
from support.annual import AFTER_YEAR, approved
from support.sar_engine import EngineRun
from support.stores import KINDS, fresh_store

NOTES = "Ward 7 discharge notes"
LETTER = "letter from the landlord of 3 May"
ADULT = "Adult a1"


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    """A fresh store of each kind."""
    with fresh_store(request.param, tmp_path) as made:
        yield made


def _reviewed(store: ReviewStore) -> EngineRun:
    """A SAR signed off and monitored whose report quotes two items supplied under an
    s.45 request and names the adult; the reasons for declining F2 quote one item."""
    made = evolve(
        s.report(),
        findings=(
            Finding("F1", f"the {NOTES} were never read by {ADULT}'s GP", "communication"),
            Finding("F2", f"the {LETTER} went unanswered", "housing"),
        ),
        recommendations=(
            Recommendation("RF1", f"share the {NOTES} on discharge", ("F1",)),
            Recommendation("RF2", "answer landlords", ("F2",)),
        ),
        summary=f"The review read the {NOTES} and the {LETTER}.",
    )
    run = s.monitored(EngineRun(store), made, declined=f"the {LETTER} is for the coroner")
    run.do(
        s.CHAIR,
        c.RequestInformation(
            kind=c.InformationKind.S45,
            addressee="housing",
            information="records of the adult's tenancy",
            function="carrying_out_a_sar",
            likely_reason="the adult's landlord",
            relates_to_addressee=True,
        ),
    )
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, (NOTES, LETTER)))
    return run


def _published_texts(run: EngineRun) -> dict[str, str]:
    review = run.r
    settings = run.engine.settings_for(review)
    row = sar_register_row(review, settings, run.today)
    return {
        "summary": render_sar("publishable-summary", review, as_of=run.today).text,
        "summary.html": render_sar("publishable-summary", review, fmt="html", as_of=run.today).text,
        "register": " ".join(row.values()),
    }


def test_published_outputs_strike_information_not_cleared(store: ReviewStore) -> None:
    """SAR-I-6, SAR-P-6: the publishable summary (Markdown and HTML) and the register
    row print neither item supplied under the s.45 request, nor the adult's name;
    once the Board records a disclosure of one item to ``public`` for an SAB function,
    that item is printed and the other is still struck."""
    run = _reviewed(store)
    for name, text in _published_texts(run).items():
        assert NOTES not in text and LETTER not in text, name
        assert ADULT not in text, name
    assert REDACTED in _published_texts(run)["summary.html"]
    # What is not published still holds it: the review's own record.
    assert run.r.report is not None and NOTES in run.r.report.summary
    run.do(s.MANAGER, RecordDisclosure("IR-1", "carrying_out_a_sar", PUBLIC, (NOTES,)))
    cleared = _published_texts(run)
    assert NOTES in cleared["summary"] and NOTES in cleared["register"]
    assert all(LETTER not in text for text in cleared.values())


def test_the_annual_report_strikes_information_not_cleared(store: ReviewStore) -> None:
    """SAR-I-6, SAR-P-6, SAR-A-6(d)(g): the annual report copies each concluded SAR's
    findings and the reasons a finding was not implemented with the uncleared items
    and every personal value struck, in its sections, its chapter and its figures;
    clearing an item after the report was compiled makes it stale, and compiled
    again it prints the cleared item."""
    run = _reviewed(store)
    run.today = AFTER_YEAR
    report = approved(run.engine)
    assert report.computed is not None
    (concluded,) = report.computed.concluded
    texts = [f.text for f in concluded.findings]
    texts.extend(d.reasons for d in report.computed.not_implemented)
    chapter = render_annual_report(report, as_of=AFTER_YEAR).text
    for text in (*texts, chapter, figures_csv(report)):
        assert NOTES not in text and LETTER not in text and ADULT not in text
    assert texts[0] == f"the {REDACTED} were never read by {REDACTED}'s GP"
    assert [d.reasons for d in report.computed.not_implemented] == [
        f"the {REDACTED} is for the coroner"
    ]
    assert ar.stale(run.engine, report.id) == []
    run.do(s.MANAGER, RecordDisclosure("IR-1", "annual_report", PUBLIC, (LETTER,)))
    assert ar.stale(run.engine, report.id) == [
        "the sections computed from the store now differ from those recorded"
    ]
    again = ar.compile_sections(run.engine, report.id, s.MANAGER)
    assert again.computed is not None
    assert [d.reasons for d in again.computed.not_implemented] == [
        f"the {LETTER} is for the coroner"
    ]
    assert NOTES not in render_annual_report(again, as_of=AFTER_YEAR).text
    assert run.engine.verify().ok


def test_a_disclosure_to_anyone_else_does_not_clear() -> None:
    """SAR-I-6: using an item for the Board's own work, or disclosing it to the lead
    reviewer, is a disclosure, not a clearance for publication."""
    run = _reviewed(MemoryStore())
    run.do(s.MANAGER, RecordDisclosure("IR-1", "carrying_out_a_sar", "u-lead", (NOTES,)))
    run.do(s.MANAGER, RecordDisclosure("IR-1", "carrying_out_a_sar", "sab", (NOTES, LETTER)))
    request = run.r.information_request("IR-1")
    assert request is not None and request.cleared == frozenset()
    assert request.uncleared == {NOTES, LETTER}
    assert all(NOTES not in t for t in _published_texts(run).values())
