"""A SAR's row of the register (issue 24: "the register row for SARs with the national
tracker's fields"): the SCR register's columns (the NHS Safeguarding Case Review
Tracker's fields) filled from a Safeguarding Adults Review, with no personal value."""

from __future__ import annotations

import csv
import io
from datetime import date

import attrs

from scr_engine.demo import REQUESTER, demo_request
from scr_engine.documents import REGISTER_FIELDS, register_csv_of, sar_register_row
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import AlternativeKind, Recommendation, TestValue
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS
from support import sar as s
from support.sar_engine import EngineRun

AS_OF = date(2027, 6, 1)
COLUMNS = [f.column for f in REGISTER_FIELDS]


def _row(review: object) -> dict[str, str]:
    return sar_register_row(review, DEFAULT_SAR_SETTINGS, AS_OF, "Shire SAB")  # type: ignore[arg-type]


def test_an_open_sar_s_row_names_its_mandate_and_nothing_reported_yet() -> None:
    """SAR-D-8: the type of review is the mandate; before ratification (SAR-P-3) no
    recommendation or action is reported."""
    row = _row(s.screened().r)
    assert list(row) == COLUMNS
    assert row["status"] == "Open" and row["stage"] == "screened"
    assert row["type_of_review"] == "Safeguarding Adults Review (mandatory, s.44(1), condition 1)"
    assert row["incident_date"] == "2027-01-02"  # the referral's earliest event
    assert row["board"] == "Shire SAB" and row["protective_marking"] == "OFFICIAL"
    assert row["recommendation_themes"] == row["actions"] == row["publication_date"] == ""


def test_a_ratified_sar_s_row_reports_its_recommendations_without_personal_values() -> None:
    """SAR-P-6: a recommendation naming the adult is struck as the publishable summary
    strikes it; SAR-A-2, SAR-A-3: the actions counted by status."""
    review = s.ratified().r
    assert review.report is not None
    named = Recommendation("R9", "Tell Adult a1's family what changed", ("F1",))
    review = attrs.evolve(review, report=attrs.evolve(review.report, recommendations=(named,)))
    row = _row(review)
    assert row["status"] == "Closed"  # signed off, as the tracker counts it
    assert row["report_signed_off_date"] == review.ratified_on.isoformat()  # type: ignore[union-attr]
    assert row["recommendation_themes"].startswith("R9: Tell ")
    assert "Adult a1" not in row["recommendation_themes"]
    assert row["actions"].startswith("1 actions: 0 completed, 0 discontinued, 0 overdue, 1 open")


def test_a_redirected_referral_is_the_other_learning_review_it_became() -> None:
    """SAR-D-2: a referral whose test is not met, redirected to a learning event."""
    run = s.requested()
    not_met = s.assessment("a1", TestValue.MET, TestValue.MET, TestValue.NOT_MET)
    run.do(s.SUBGROUP, c.AssessCriteria((not_met,)))
    run.do(s.CHAIR, c.RecommendAlternative(AlternativeKind.LEARNING_EVENT, "a lighter review"))
    row = _row(run.r)
    assert row["type_of_review"] == "Other learning review (learning event)"
    assert row["status"] == "Closed" and row["stage"] == "redirected"


def test_one_register_holds_scrs_and_sars() -> None:
    """The register CSV of a store of both protocols: one row each, the same columns."""
    from scr_engine import MemoryStore

    run = s.screened(EngineRun(MemoryStore()))
    scr = run.engine.submit(demo_request(), REQUESTER)
    text = register_csv_of([scr, run.r], run.engine.settings_for, AS_OF, "Shire SAB")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["local_reference"] for r in rows] == [scr.reference, run.r.reference]
    assert rows[0]["type_of_review"] == "Serious Case Review (adult)"
    assert rows[1]["type_of_review"].startswith("Safeguarding Adults Review (mandatory")
    assert text.endswith("\r\n")
