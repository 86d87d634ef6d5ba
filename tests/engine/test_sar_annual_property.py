"""The annual report's computed sections against what the stored SARs themselves
record, over random stores whose reviews span 31 March (SAR-A-6, SAR-A-7)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scr_engine import MemoryStore
from scr_engine import annual_reports as ar
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.annual.records import year_end, year_start
from scr_engine.protocols.sar.records import Implementation, SarReview, WithdrawReason
from support import sar as s
from support.sar_engine import EngineRun

STEPS = ("requested", "screened", "withdrawn", "ratified", "monitored")


@settings(deadline=None, max_examples=25)
@given(
    st.lists(
        st.tuples(st.sampled_from(STEPS), st.integers(0, 140), st.booleans()),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([2025, 2026, 2027]),
)
def test_computed_sections_agree_with_the_stored_reviews(
    plans: list[tuple[str, int, bool]], year: int
) -> None:
    """SAR-A-7: the reviews in section (d) are those whose recorded ``concluded_on``
    falls in the year; SAR-A-6(g): the ``not_implement`` decisions are those the
    reviews record, dated in the year; ongoing ones were decided by 31 March and had
    not concluded by then. Reviews start on random days either side of 31 March 2027;
    some change a decision later, with reasons."""
    store = MemoryStore()
    runs: list[EngineRun] = []
    for step, offset, redecide in plans:
        run = EngineRun(store, date(2027, 1, 11) + timedelta(days=offset))
        if step == "requested":
            s.requested(run)
        elif step == "screened":
            s.screened(run)
        elif step == "withdrawn":
            s.screened(run)
            run.do(
                s.CHAIR,
                c.Withdraw(WithdrawReason.TRANSFERRED_TO_OTHER_SAB, "to Shire", "Shire SAB"),
                days=3,
            )
        else:
            (s.ratified if step == "ratified" else s.monitored)(run)
            if redecide:
                run.do(
                    s.CHAIR,
                    c.DecideFinding("F1", Implementation.NOT_IMPLEMENT, "overtaken by events"),
                    days=40,
                )
        runs.append(run)
    reviews = [r.r for r in runs]
    sections = ar.computed_now(runs[0].engine, year)
    first, last = year_start(year), year_end(year)
    assert {d.review_id for d in sections.concluded} == {
        r.id for r in reviews if r.concluded_on is not None and first <= r.concluded_on <= last
    }
    for entry in sections.concluded:
        review = next(r for r in reviews if r.id == entry.review_id)
        assert entry.concluded_on == review.concluded_on
    assert sorted(
        (g.review_id, g.finding, g.decided_on) for g in sections.not_implemented
    ) == sorted(
        (r.id, d.finding, d.decided_on)
        for r in reviews
        for d in r.findings_decisions
        if d.decision is Implementation.NOT_IMPLEMENT and first <= d.decided_on <= last
    )
    for entry in sections.ongoing:
        review = next(r for r in reviews if r.id == entry.review_id)
        assert isinstance(review, SarReview) and review.decision is not None
        assert review.decision.decided_on <= last
        assert review.concluded_on is None or review.concluded_on > last
