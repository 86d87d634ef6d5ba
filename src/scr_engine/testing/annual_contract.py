"""The part of the store contract about the SAB's annual report (``sar/map.md`` §3,
the ``sar-annual-report`` definition): a report of a financial year, opened, written,
compiled from the store's SARs, approved, published and sent by the real engine beside
a SAR and an SCR, is stored, loaded, listed, replayed and verified as its own record;
its computed sections (d)–(g) come back exactly as recorded; a second report of the
same year is refused; a stale save of it conflicts. Part of
:class:`~scr_engine.testing.StoreContract`, which every store's tests subclass.

Most tests replay saves recorded once from the engine on a
:class:`~scr_engine.testing.RecordingStore` (:func:`annual_saves`); those about what
the engine reads from the store (opening a report once a year, compiling) run the
engine on the store under test.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from attrs import evolve

from scr_engine import annual_reports as ar
from scr_engine.clock import FixedClock
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.demo_sar import (
    AGENCIES,
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    close_through_annual_report,
    run_sar_main_line,
)
from scr_engine.engine import ReviewEngine
from scr_engine.errors import ConcurrencyConflict, StorageError, TransitionRefused
from scr_engine.history import Event, replay, verify_history
from scr_engine.protocols.sar.annual import DISTRIBUTED, DRAFTING, NAME, PUBLISHED
from scr_engine.protocols.sar.annual import commands as ac
from scr_engine.protocols.sar.annual.records import (
    AnnualReport,
    AnnualReportForm,
    Member,
    Recipient,
    RecipientKind,
    ReviewSections,
    SectionCode,
    Source,
)
from scr_engine.protocols.sar.records import SarReview
from scr_engine.records import Review
from scr_engine.records.envelope import Envelope
from scr_engine.storage.port import ReviewStore
from scr_engine.testing.scenarios import RecordingStore, Save

__all__ = ["AnnualReportContract", "annual_saves"]

_DAY = date(2026, 3, 2)
_YEAR = 2025
"""The financial year the demo SAR concludes in (1 April 2025 to 31 March 2026)."""
_TEXT = (
    "Robert'); DROP TABLE scr_reviews; -- placeholders %s %(name)s {0} ? :name $1 "
    "double \" single ' back \\ slash; Zoë Ångström — 東京 — עברית \u202e — 🚑🧑🏽\u200d⚕️"
)
"""Section text a store must keep exactly (SQL, quotes, placeholders, Unicode)."""


def _clock() -> FixedClock:
    return FixedClock(datetime.combine(_DAY, time(9), UTC))


def _form(year: int) -> AnnualReportForm:
    members = tuple(Member(a.code, a.name) for a in AGENCIES)
    recipients = (
        Recipient("la", RecipientKind.LOCAL_AUTHORITY, "The council's chief executive"),
        Recipient("pcc", RecipientKind.POLICING_BODY, "The Police and Crime Commissioner"),
        Recipient("hw", RecipientKind.HEALTHWATCH, "Healthwatch"),
        Recipient("hwb", RecipientKind.HEALTH_AND_WELLBEING_BOARD, "The Wellbeing Board"),
    )
    return AnnualReportForm(year, members, recipients)


@functools.cache
def annual_saves() -> tuple[Save, ...]:
    """Every save of a board's year, recorded once from the engine: the demo SAR run
    along its main line (concluding in March 2026) with an SCR submitted beside it,
    then the annual report of 2025-26 opened (after the year), written, compiled,
    approved, published, recorded on the SAR, the SAR closed, and the report sent to
    its four recipients (``distributed``)."""
    store = RecordingStore()
    clock = _clock()
    engine = ReviewEngine(store, clock)
    sar = run_sar_main_line(engine, lambda: clock.advance(hours=6))
    engine.submit(demo_request(), REQUESTER)
    close_through_annual_report(engine, sar, lambda _line: None)
    return tuple(store.saves)


def _report_saves(saves: tuple[Save, ...]) -> list[Save]:
    return [s for s in saves if isinstance(s.review, AnnualReport)]


def _as_report(review: object) -> AnnualReport:
    assert isinstance(review, AnnualReport), review
    return review


def _sources(sections: ReviewSections) -> list[Source]:
    found: list[Source] = [*sections.read]
    for concluded in sections.concluded:
        found += concluded.sources
    for ongoing in sections.ongoing:
        found += ongoing.sources
    for other in sections.other:
        found += other.sources
    found += [entry.source for entry in sections.implementation]
    found += [entry.source for entry in sections.not_implemented]
    return found


def _dates(value: Any) -> Iterator[tuple[str, Any]]:
    """Every attribute of the sections (recursively) whose name says it is a day."""
    for name in getattr(type(value), "__attrs_attrs__", ()):
        item = getattr(value, name.name)
        if isinstance(item, tuple):
            for part in item:
                yield from _dates(part)
        elif hasattr(type(item), "__attrs_attrs__"):
            yield from _dates(item)
        elif name.name.endswith(("_on", "_at", "_start", "_end")) or name.name == "on":
            yield name.name, item


class AnnualReportContract:
    """Tests of the SAB's annual report in a store (mixed into the store contract)."""

    def test_an_annual_report_is_stored_as_its_own_record_beside_reviews(
        self, store: ReviewStore
    ) -> None:
        saves = annual_saves()
        for save in saves:
            save.apply(store)
        report = _report_saves(saves)[-1].review
        assert isinstance(report, AnnualReport) and report.stage == DISTRIBUTED
        loaded = store.load(report.id)
        assert isinstance(loaded, AnnualReport) and loaded == report
        kinds = {type(store.load(i)) for i in store.review_ids()}
        assert kinds == {SarReview, Review, AnnualReport}
        events = store.history(report.id)
        assert events == tuple(s.event for s in saves if s.review.id == report.id)
        assert [e.sequence for e in events] == list(range(1, report.version + 1))
        assert events[-1].hash == report.head and events[-1].stage_after == report.stage
        assert verify_history(events) == []
        replayed: Envelope = replay(events)
        assert replayed == report
        assert store.review_id_of(report.reference) == report.id
        assert report.reference.startswith("SAR-AR-")
        assert (report.id, report.version, report.head) in store.heads()
        stored = store.stored(report.id)
        assert stored.review == report and not stored.disagreements
        assert stored.problem is None and stored.events_problem is None
        assert stored.events == events and stored.tasks == () and stored.deadlines == ()
        assert store.tasks(report.id) == []

    def test_the_engine_verifies_and_lists_a_store_with_an_annual_report(
        self, store: ReviewStore
    ) -> None:
        saves = annual_saves()
        for save in saves:
            save.apply(store)
        engine = ReviewEngine(store, _clock())
        report = _as_report(_report_saves(saves)[-1].review)
        verified = engine.verify()
        assert verified.ok, verified.faults
        assert verified.reviews == 3 and verified.events == len(saves)
        assert ar.reports(engine) == [report]
        assert report.id not in {h[0].review_id for h in ar.sar_histories(engine)}
        assert ar.stale(engine, report.id) == []
        assert ar.inclusion_problems(engine) == []
        assert [r.id for r in engine.reviews(stages=[DISTRIBUTED])] == [report.id]
        assert [r.id for r in engine.reviews(text=report.reference)] == [report.id]
        listed = engine.reviews()
        assert [r.reference for r in listed] == sorted(r.reference for r in listed)
        assert {r.protocol for r in listed} == {"scr", "sar", NAME}

    def test_an_annual_reports_stage_codes_list_it(self, store: ReviewStore) -> None:
        saves = annual_saves()
        seen: set[str] = set()
        for save in saves:
            save.apply(store)
            review = save.review
            if not isinstance(review, AnnualReport):
                continue
            assert store.list_by_stage(review.stage) == [review]
            seen.add(review.stage)
            for other in {DRAFTING, PUBLISHED, DISTRIBUTED} - {review.stage}:
                assert store.list_by_stage(other) == []
        assert seen == {DRAFTING, PUBLISHED, DISTRIBUTED}

    def test_the_compiled_sections_round_trip_exactly(self, store: ReviewStore) -> None:
        saves = annual_saves()
        for save in saves:
            save.apply(store)
        compiled = next(
            s for s in _report_saves(saves) if s.event.command == "compile_review_sections"
        )
        report = _as_report(_report_saves(saves)[-1].review)
        sections = report.computed
        assert sections is not None and sections == _as_report(compiled.review).computed
        assert sections.concluded and sections.not_implemented and sections.implementation
        assert sections.other and sections.read
        for held in (store.stored(report.id).review, replay(store.history(report.id))):
            assert isinstance(held, AnnualReport)
            assert held.computed == sections and held.compiled_on == report.compiled_on
            assert list(_dates(held.computed)) == list(_dates(sections))
            for name, day in _dates(held.computed):
                assert day is None or type(day) is date, (name, day)
        # Every figure names an event the store holds, by its sequence and hash.
        for source in _sources(sections):
            event = store.history(source.review_id)[source.sequence - 1]
            assert (event.sequence, event.hash) == (source.sequence, source.hash)
        event = store.history(report.id)[compiled.event.sequence - 1]
        assert event == compiled.event

    def test_a_stale_expected_version_of_an_annual_report_conflicts(
        self, store: ReviewStore
    ) -> None:
        saves = annual_saves()
        mine = _report_saves(saves)
        at = saves.index(mine[3])
        for save in saves[:at]:
            save.apply(store)
        report_id = mine[0].review.id
        mine[3].apply(store)
        before = (store.load(report_id), store.history(report_id), store.heads())
        with pytest.raises(ConcurrencyConflict) as caught:
            mine[3].apply(store)  # again: the store has moved on
        assert (caught.value.review_id, caught.value.expected, caught.value.actual) == (
            report_id,
            3,
            4,
        )
        with pytest.raises(ConcurrencyConflict) as ahead:
            mine[5].apply(store)  # skips a version
        assert (ahead.value.expected, ahead.value.actual) == (5, 4)
        broken = evolve(mine[4], event=evolve(mine[4].event, sequence=9))
        with pytest.raises(StorageError):
            broken.apply(store)
        assert (store.load(report_id), store.history(report_id), store.heads()) == before
        mine[4].apply(store)
        assert store.load(report_id) == mine[4].review

    def test_a_second_report_of_the_same_year_is_refused(self, store: ReviewStore) -> None:
        clock = _clock()
        engine = ReviewEngine(store, clock)
        first = ar.open_report(engine, _form(_YEAR), BUSINESS_MANAGER)
        before = (store.review_ids(), store.heads(), store.history(first.id))
        for year in (_YEAR, _YEAR):
            with pytest.raises(TransitionRefused) as refused:
                ar.open_report(engine, _form(year), BUSINESS_MANAGER)
            assert [(r.rule, r.field) for r in refused.value.refusals] == [("SAR-A-5", "form.year")]
        assert (store.review_ids(), store.heads(), store.history(first.id)) == before
        later = ar.open_report(engine, _form(_YEAR + 1), BUSINESS_MANAGER)
        assert ar.reports(engine) == [first, later]
        assert later.reference != first.reference
        assert store.review_id_of(later.reference) == later.id

    def test_the_engine_compiles_and_publishes_a_report_on_the_store(
        self, store: ReviewStore
    ) -> None:
        clock = _clock()
        engine = ReviewEngine(store, clock)
        sar = run_sar_main_line(engine, lambda: clock.advance(hours=6))
        scr = engine.submit(demo_request(), REQUESTER)
        clock.set(datetime(_YEAR + 1, 4, 20, 9, tzinfo=UTC))
        report = ar.open_report(engine, _form(_YEAR), BUSINESS_MANAGER)
        parts = [("a", ""), ("b", ""), *(("c", a.code) for a in AGENCIES)]
        for section, member in parts:
            command = ac.RecordAnnualReportSection(SectionCode(section), _TEXT, member)
            engine.execute(report.id, command, BUSINESS_MANAGER)
        compiled = ar.compile_sections(engine, report.id, BUSINESS_MANAGER)
        assert compiled.computed == ar.computed_now(engine, _YEAR)
        assert compiled.computed is not None
        assert [d.review_id for d in compiled.computed.concluded] == [sar.id]
        assert [o.review_id for o in compiled.computed.other] == [scr.id]
        engine.execute(report.id, ac.ApproveAnnualReport(), BOARD_CHAIR)
        url = "https://example.org/sab/annual-report-2025-26?a=1&b='2'"
        published: Any = engine.execute(report.id, ac.PublishAnnualReport(url), BUSINESS_MANAGER)
        (included,) = ar.record_inclusions(engine, report.id, BUSINESS_MANAGER)
        assert included.id == sar.id and included.in_published_annual_report
        held = store.stored(report.id).review
        assert isinstance(held, AnnualReport) and held == published == store.load(report.id)
        assert [s.text for s in held.sections] == [_TEXT] * len(parts)
        assert held.url == url and held.published_on == date(_YEAR + 1, 4, 20)
        assert store.list_by_stage(PUBLISHED) == [held]
        assert ar.stale(engine, report.id) == [] and ar.inclusion_problems(engine) == []
        verified = engine.verify()
        assert verified.ok, verified.faults
        history: tuple[Event, ...] = store.history(report.id)
        replayed: Envelope = replay(history)
        assert replayed == held
