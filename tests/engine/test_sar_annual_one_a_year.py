"""SAR-A-5, one annual report per financial year, holds against two submissions at
the same moment: a report's reference names its year (``SAR-AR-2026-27``), every store
holds a reference once, and a submission the store refuses for its reference is judged
again and refused with SAR-A-5's reasons; nothing of it is stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from scr_engine import FixedClock, MemoryStore, ReviewEngine
from scr_engine import annual_reports as ar
from scr_engine.demo_sar import demo_referral
from scr_engine.errors import TransitionRefused
from scr_engine.protocols.sar.annual import DISTRIBUTED, DRAFTING, PUBLISHED, report_reference
from scr_engine.protocols.sar.annual.records import AnnualReport
from scr_engine.storage.port import ReviewStore
from support import sar as s
from support.annual import YEAR, form
from support.concurrency import at_once
from support.stores import KINDS, fresh_store

ANNUAL = "sar-annual-report"
_REPORT_STAGES = {DRAFTING, PUBLISHED, DISTRIBUTED}


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    """A fresh store of each kind."""
    with fresh_store(request.param, tmp_path) as made:
        yield made


def _engine(store: ReviewStore) -> ReviewEngine:
    return ReviewEngine(store, FixedClock(datetime(2027, 4, 20, 9, tzinfo=UTC)))


def _blind_once(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store lists no annual report for the next judgement of SAR-A-5 (its three
    stages), as a submission sees the store while another one is being saved."""
    listed = store.list_by_stage
    hidden = {"left": len(_REPORT_STAGES)}

    def list_by_stage(stage: Any, *, limit: int = 100, offset: int = 0) -> list[Any]:
        found = listed(stage, limit=limit, offset=offset)
        if str(stage) in _REPORT_STAGES and hidden["left"] > 0:
            hidden["left"] -= 1
            return [r for r in found if not isinstance(r, AnnualReport)]
        return found

    monkeypatch.setattr(store, "list_by_stage", list_by_stage)


def test_a_report_s_reference_names_its_financial_year() -> None:
    """SAR-A-5: the report of the year from 1 April 2026 is ``SAR-AR-2026-27`` (the
    year 2099's ``SAR-AR-2099-00``); opening one takes no number of the yearly
    sequence, so the year's first SAR is still ``SAR-2027-001``."""
    engine = _engine(MemoryStore())
    report = ar.open_report(engine, form(), s.MANAGER)
    assert report.reference == "SAR-AR-2026-27" == report_reference(form())
    assert report_reference(form(2099)) == "SAR-AR-2099-00"
    sar = engine.submit(demo_referral(date(2027, 4, 20)), s.MANAGER, protocol="sar")
    assert sar.reference == "SAR-2027-001"


def test_a_second_report_the_first_judgement_missed_is_refused_with_sar_a_5(
    store: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SAR-A-5: a second report of a year that passed the judgement of what the store
    holds (the first was stored meanwhile) is refused by the store for its reference,
    then judged again: a :class:`TransitionRefused` naming the first report, not a
    storage error; the store is as it was."""
    engine = _engine(store)
    first = ar.open_report(engine, form(), s.MANAGER)
    before = store.review_ids()
    _blind_once(store, monkeypatch)
    with pytest.raises(TransitionRefused) as refused:
        engine.submit(form(), s.MANAGER, protocol=ANNUAL)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("SAR-A-5", "form.year")]
    assert first.reference in refused.value.refusals[0].message
    assert store.review_ids() == before
    assert [r.reference for r in ar.reports(engine)] == [first.reference]


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "memory"])
def test_reports_of_one_year_opened_at_the_same_moment_store_one(kind: str, tmp_path: Path) -> None:
    """SAR-A-5 under a race: six submissions of the same year at once, each from its
    own thread, store exactly one report; every other one is refused with SAR-A-5."""
    with fresh_store(kind, tmp_path) as shared:
        engine = _engine(shared)
        outcomes = at_once(*[lambda: engine.submit(form(), s.MANAGER, protocol=ANNUAL)] * 6)
        stored = [o for o in outcomes if isinstance(o, AnnualReport)]
        refused = [o for o in outcomes if isinstance(o, TransitionRefused)]
        assert len(stored) == 1 and len(refused) == 5, outcomes
        assert all(r.rules == ("SAR-A-5",) for r in refused)
        assert [r.year for r in ar.reports(engine)] == [YEAR]
