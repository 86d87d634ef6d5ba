"""The SAB's annual report held by the engine beside its SARs (issue 24, ``sar/map.md``
§3): opened once per financial year (SAR-A-5), written and computed (SAR-A-6,
SAR-A-7), approved, published with its URL (SAR-A-9), sent to every recipient
(SAR-A-8), and letting the reviews it lists close (SAR-A-4); stored, replayed and
verified like any review on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from scr_engine import MemoryStore, ReviewEngine
from scr_engine import annual_reports as ar
from scr_engine.errors import InvalidRequest, PermissionDenied, ScrEngineError, TransitionRefused
from scr_engine.history import replay
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.annual import commands as ac
from scr_engine.protocols.sar.annual.records import AnnualReport, Member, SectionCode
from scr_engine.protocols.sar.records import PublicationChoice, SarReview
from scr_engine.records import Actor
from scr_engine.storage.port import ReviewStore
from support import sar as s
from support.annual import AFTER_YEAR, RECIPIENTS, URL, YEAR, approved, drafted, form, published
from support.sar_engine import EngineRun
from support.stores import KINDS, fresh_store


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    """A fresh store of each kind."""
    with fresh_store(request.param, tmp_path) as made:
        yield made


def _board(store: ReviewStore) -> EngineRun:
    """Two SARs of the year 2026 in ``store``: one taken to monitoring (concluded at
    sign-off in January 2027, F2 declined), one screened and still open."""
    run = s.monitored(EngineRun(store))
    other = EngineRun(store, run.today)
    s.screened(other)
    return run


def _refused(engine: ReviewEngine, review_id: str, command: object, actor: Actor) -> set[str]:
    """The rule IDs of ``command``'s refusal; nothing is stored."""
    before = engine.store.load(review_id).version
    with pytest.raises((InvalidRequest, PermissionDenied, TransitionRefused)) as refused:
        engine.execute(review_id, command, actor)  # type: ignore[arg-type]
    assert all(r.rule and r.message for r in refused.value.refusals)
    assert engine.store.load(review_id).version == before
    return {r.rule for r in refused.value.refusals}


def test_an_annual_report_runs_from_drafting_to_distributed(store: ReviewStore) -> None:
    """SAR-A-5 to SAR-A-9 through the engine: the report of 2026 (1 April 2026 to 31
    March 2027) opened, its sections (a)–(c) written, (d)–(g) computed from the store as
    at 31 March, approved, published with its URL after the year, sent to each of the
    four recipients with the date, then ``distributed``. Its history replays to it and
    the store verifies."""
    run = _board(store)
    engine = run.engine
    run.today = AFTER_YEAR
    report = published(engine)
    assert report.reference.startswith("SAR-AR-") and report.year == YEAR
    assert (report.stage, report.published_on, report.url) == ("published", AFTER_YEAR, URL)
    assert report.computed is not None
    (concluded,) = report.computed.concluded
    assert concluded.review_id == run.r.id and concluded.concluded_on == run.r.concluded_on
    assert [f.id for f in concluded.findings] == ["F1", "F2"]
    assert [o.stage for o in report.computed.ongoing] == ["screened"]
    assert [(g.finding, g.reasons) for g in report.computed.not_implemented] == [
        ("F2", "national policy already covers it")
    ]
    assert [(i.action, i.what) for i in report.computed.implementation] == [("A1", "added")]
    for n, recipient in enumerate(RECIPIENTS):
        report = ar.send(engine, report.id, recipient.id, s.MANAGER, occurred_on=AFTER_YEAR)
        assert report.stage == ("distributed" if n == len(RECIPIENTS) - 1 else "published")
    assert [x.recipient for x in report.sendings] == [r.id for r in RECIPIENTS]
    assert report.sendings[0].on == AFTER_YEAR
    assert replay(engine.history(report.id)) == report
    assert engine.store.load(report.id) == report
    assert engine.verify().ok
    assert ar.stale(engine, report.id) == []
    assert ar.reports(engine) == [report]


def test_the_report_is_the_same_whatever_order_its_reviews_were_written_in(
    store: ReviewStore,
) -> None:
    """The computed sections (SAR-A-6, SAR-A-7) do not depend on the order the store
    lists its reviews in, nor on the store: they are the pure computation's."""
    run = _board(store)
    run.today = AFTER_YEAR
    histories = ar.sar_histories(run.engine)
    forwards = ar.computed_now(run.engine, YEAR)
    from scr_engine.protocols.sar.annual.compute import compute

    assert compute(list(reversed(histories)), YEAR) == forwards
    assert len(forwards.read) == 2


def test_publication_waits_for_the_year_every_section_approval_and_a_url() -> None:
    """SAR-A-5: published only after 31 March; SAR-A-6: every section present
    ((a), (b), (c) per member, (d)–(g) computed after the year ended), approved;
    SAR-A-9: a public URL. Each refusal stores nothing."""
    run = _board(MemoryStore())
    engine = run.engine
    report = ar.open_report(engine, form(), s.MANAGER)
    publish = ac.PublishAnnualReport("not a url")
    assert _refused(engine, report.id, publish, s.MANAGER) == {"SAR-A-5", "SAR-A-6", "SAR-A-9"}
    found = engine.explain(report.id, publish, s.MANAGER)
    lacks = next(r.message for r in found if r.rule == "SAR-A-6" and "lacks" in r.message)
    assert "section (a)" in lacks and "section (c) for nhs" in lacks and "(d)-(g)" in lacks
    # Sections written and compiled before the year ended: compiled again after it.
    report = drafted(engine, YEAR + 1)
    ar.compile_sections(engine, report.id, s.MANAGER)
    engine.execute(report.id, ac.ApproveAnnualReport(), s.CHAIR)
    run.today = date(2028, 4, 3)
    rules = _refused(engine, report.id, ac.PublishAnnualReport(URL), s.MANAGER)
    assert rules == {"SAR-A-6"}
    ar.compile_sections(engine, report.id, s.MANAGER)
    assert _refused(engine, report.id, ac.PublishAnnualReport(URL), s.MANAGER) == {"SAR-A-6"}
    engine.execute(report.id, ac.ApproveAnnualReport(), s.BOARD)
    done = engine.execute(report.id, ac.PublishAnnualReport(URL), s.MANAGER)
    assert done.stage == "published"


def test_a_section_recorded_after_approval_withdraws_it() -> None:
    """SAR-A-6: the Board approves what is there; a section written afterwards needs
    approving again, and only the Board or its chair approves (``MAP``)."""
    run = _board(MemoryStore())
    run.today = AFTER_YEAR
    report = approved(run.engine)
    assert report.approval is not None and report.approval.by == s.CHAIR.id
    changed: AnnualReport = run.engine.execute(  # type: ignore[assignment]
        report.id, ac.RecordAnnualReportSection(SectionCode.OBJECTIVE, "rewritten"), s.MANAGER
    )
    assert changed.approval is None
    assert _refused(run.engine, report.id, ac.ApproveAnnualReport(), s.MANAGER) == {"MAP"}


def test_sections_a_to_c_are_checked() -> None:
    """SAR-A-6(c): one entry per member of the SAB, naming a member; (a) and (b) name
    none; every section has its text."""
    engine = ReviewEngine(MemoryStore())
    report = ar.open_report(engine, form(), s.MANAGER)
    member = ac.RecordAnnualReportSection(SectionCode.MEMBER, "did things", "police")
    assert _refused(engine, report.id, member, s.MANAGER) == {"SAR-A-6"}
    blank = ac.RecordAnnualReportSection(SectionCode.OBJECTIVE, " ", "asc")
    assert _refused(engine, report.id, blank, s.MANAGER) == {"SAR-A-6"}


def test_opening_needs_the_year_the_members_and_every_recipient_once_a_year() -> None:
    """SAR-A-5: one report per SAB per financial year, with the SAB's members; SAR-A-8:
    every kind of statutory recipient named. A refused form stores nothing."""
    engine = ReviewEngine(MemoryStore())
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(
            form(1990, members=(), recipients=RECIPIENTS[:2]),
            s.MANAGER,
            protocol="sar-annual-report",
        )
    assert {(r.rule, r.field) for r in refused.value.refusals} == {
        ("SAR-A-5", "form.year"),
        ("SAR-A-5", "form.members"),
        ("SAR-A-8", "form.recipients"),
    }
    twice = (Member("asc", "one"), Member("asc", "two"))
    with pytest.raises(InvalidRequest):
        ar.open_report(engine, form(members=twice), s.MANAGER)
    assert ar.reports(engine) == []
    ar.open_report(engine, form(), s.MANAGER)
    with pytest.raises(TransitionRefused) as again:
        ar.open_report(engine, form(), s.MANAGER)
    assert [r.rule for r in again.value.refusals] == ["SAR-A-5"]
    with pytest.raises(PermissionDenied):
        ar.open_report(engine, form(YEAR + 1), s.CHAIR)
    assert len(ar.reports(engine)) == 1


def test_a_second_report_of_a_year_is_refused_however_it_is_submitted(
    store: ReviewStore,
) -> None:
    """SAR-A-5: ``engine.submit`` of the annual report's form (what ``scr submit`` and
    the service call) refuses a second report of a year the store holds, at whatever
    stage the first one is, naming it; nothing is stored; another year is taken."""
    engine = EngineRun(store, AFTER_YEAR).engine
    first = published(engine)
    assert first.stage == "published"
    before = store.review_ids()
    with pytest.raises(TransitionRefused) as refused:
        engine.submit(form(), s.MANAGER, protocol="sar-annual-report")
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("SAR-A-5", "form.year")]
    assert first.reference in refused.value.refusals[0].message
    assert store.review_ids() == before
    engine.submit(form(YEAR - 1), s.MANAGER, protocol="sar-annual-report")
    assert [r.year for r in ar.reports(engine)] == [YEAR - 1, YEAR]


def test_each_recipient_is_sent_one_copy_before_the_report_is_distributed() -> None:
    """SAR-A-8: a copy per recipient with its date, only to the report's recipients,
    once each, not before publication; ``distributed`` only when every copy is sent."""
    run = _board(MemoryStore())
    engine = run.engine
    run.today = date(2027, 4, 2)
    report = drafted(engine)
    run.today = AFTER_YEAR
    ar.compile_sections(engine, report.id, s.MANAGER)
    engine.execute(report.id, ac.ApproveAnnualReport(), s.CHAIR)
    engine.execute(report.id, ac.PublishAnnualReport(URL), s.MANAGER)
    assert _refused(engine, report.id, ac.SendAnnualReport("mayor"), s.MANAGER) == {"SAR-A-8"}
    early = ac.SendAnnualReport("la", date(2027, 4, 19))
    assert _refused(engine, report.id, early, s.MANAGER) == {"SAR-A-8"}
    assert _refused(engine, report.id, ac.RecordDistributed(), s.MANAGER) == {"SAR-A-8"}
    ar.send(engine, report.id, "la", s.MANAGER)
    assert _refused(engine, report.id, ac.SendAnnualReport("la"), s.MANAGER) == {"SAR-A-8"}
    assert engine.store.load(report.id).unsent() == ("pcc", "hw", "hwb")  # type: ignore[attr-defined]


def test_a_review_closes_once_a_published_report_lists_it(store: ReviewStore) -> None:
    """SAR-A-4: ``close_review`` is refused until the review's findings are in section
    (d) of a published annual report; publishing the report and recording its inclusion
    on each review it lists lets the review close."""
    run = _board(store)
    engine = run.engine
    run.do(s.CHAIR, c.DecidePublication(PublicationChoice.DO_NOT_PUBLISH, "family's wish"))
    run.do(s.MANAGER, c.CompleteAction("A1", "handovers audited"))
    assert run.rules(s.CHAIR, c.CloseReview()) == {"SAR-A-4"}
    run.today = AFTER_YEAR
    report = approved(engine)
    with pytest.raises(TransitionRefused) as early:
        ar.record_inclusions(engine, report.id, s.MANAGER)
    assert [r.rule for r in early.value.refusals] == ["SAR-A-4"]
    assert not engine.store.load(run.r.id).in_published_annual_report  # type: ignore[attr-defined]
    engine.execute(report.id, ac.PublishAnnualReport(URL), s.MANAGER)
    (included,) = ar.record_inclusions(engine, report.id, s.MANAGER)
    assert included.id == run.r.id and included.in_published_annual_report
    assert ar.record_inclusions(engine, report.id, s.MANAGER) == []
    assert ar.inclusion_problems(engine) == []
    run.review = included
    closed = run.do(s.CHAIR, c.CloseReview())
    assert closed.stage == "closed"
    assert replay(engine.history(closed.id), settings=engine.settings_for) == closed
    assert engine.verify().ok


def test_an_inclusion_must_fit_the_review() -> None:
    """SAR-A-4, SAR-A-6: the report cited is of the year the review concluded in, and
    published after that year, with its URL (SAR-A-9); a review not yet concluded is in
    no report; only the business manager records it."""
    run = _board(MemoryStore())
    engine = run.engine
    cite = ac.RecordAnnualReportInclusion("r1", "SAR-AR-2027-009", YEAR + 1, date(2028, 4, 2), "")
    run.today = date(2028, 4, 2)  # recorded on the day it was published
    assert _refused(engine, run.r.id, cite, s.MANAGER) == {"SAR-A-6", "SAR-A-9"}
    run.today = AFTER_YEAR  # a publication after the day recorded (SAR-A-4)
    assert _refused(engine, run.r.id, cite, s.MANAGER) == {"SAR-A-4", "SAR-A-6", "SAR-A-9"}
    early = ac.RecordAnnualReportInclusion("r1", "SAR-AR-2027-009", YEAR, date(2027, 3, 1), URL)
    assert _refused(engine, run.r.id, early, s.MANAGER) == {"SAR-A-5"}
    good = ac.RecordAnnualReportInclusion("r1", "SAR-AR-2027-009", YEAR, AFTER_YEAR, URL)
    assert _refused(engine, run.r.id, good, s.CHAIR) == {"MAP"}
    other = EngineRun(engine.store, run.today)
    s.report_drafted(other)
    assert _refused(engine, other.r.id, good, s.MANAGER) == {"SAR-A-4"}


def test_a_changed_event_fails_verify_and_shows_in_the_report(tmp_path: Path) -> None:
    """Each figure links to the events it counts: an event of a SAR changed behind the
    store's back makes ``verify`` fail, and the report's figures are seen to be stale,
    rather than changing silently."""
    from scr_engine.storage.sql import SqlStore
    from support.tamper import sql

    url = f"sqlite:///{tmp_path / 'board.db'}"
    store = SqlStore(url, migrate="create")
    try:
        run = _board(store)
        run.today = AFTER_YEAR
        report = published(run.engine)
        assert report.computed is not None
        declined = report.computed.not_implemented[0].source
        sql(
            url,
            "UPDATE scr_events SET payload = REPLACE(payload, 'national policy', 'nobody') "
            "WHERE review_id = :r AND sequence = :n",
            r=declined.review_id,
            n=declined.sequence,
        )
        assert not run.engine.verify().ok
        assert ar.stale(run.engine, report.id) == [
            "the sections computed from the store now differ from those recorded"
        ]
    finally:
        store.close()


def test_a_report_is_not_a_review_of_another_protocol() -> None:
    """The helpers refuse an id that is not an annual report (the library's errors)."""
    run = _board(MemoryStore())
    with pytest.raises(InvalidRequest):
        ar.compile_sections(run.engine, run.r.id, s.MANAGER)
    with pytest.raises(ScrEngineError):
        ar.stale(run.engine, "no-such-review")
    assert isinstance(run.r, SarReview)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"year": "2026"}, "form.year"),
        ({"year": True}, "form.year"),
        ({"members": "asc"}, "form.members"),
        ({"members": ({"id": "asc"},)}, "form.members"),
        ({"recipients": None}, "form.recipients"),
        ({"recipients": (Member("la", "not a recipient"),)}, "form.recipients"),
    ],
)
def test_a_malformed_form_is_refused_by_field(changes: dict[str, object], field: str) -> None:
    """Input of the wrong type is an :class:`InvalidRequest` naming the field (SAR-A-5,
    SAR-A-8), never a crash; nothing is stored."""
    engine = ReviewEngine(MemoryStore())
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(form(**changes), s.MANAGER, protocol="sar-annual-report")
    assert field in {r.field for r in refused.value.refusals}
    assert engine.store.review_ids() == []


def test_the_report_clocks_run_from_31_march_and_from_publication() -> None:
    """SAR-A-5: with ``annual_report_target`` set, publication is due that long after 31
    March (off by default: the Act says "as soon as is feasible"), and lateness shows in
    the overdue list; SAR-A-8: every copy is due ``annual_report_send_target`` after
    publication, met by the last one sent."""
    from scr_engine.protocols.sar.settings import Duration, DurationUnit, SarSettings
    from scr_engine.rules.deadlines import DeadlineStatus

    targets = SarSettings(
        version="with-targets",
        annual_report_target=Duration(3, DurationUnit.MONTHS),
        annual_report_send_target=Duration(14),
    )
    run = EngineRun(MemoryStore(), protocol_settings=(targets,))
    s.monitored(run)
    engine = run.engine
    run.today = AFTER_YEAR
    off = ReviewEngine(engine.store, run.clock)
    assert off.deadlines(ar.open_report(off, form(YEAR - 1), s.MANAGER).id) == ()
    report = drafted(engine)
    (due,) = engine.deadlines(report.id)
    assert (due.key, due.rule, due.due_on, due.status) == (
        "annual_report",
        "SAR-A-5",
        date(2027, 6, 30),
        DeadlineStatus.DUE,
    )
    assert engine.deadlines(report.id, as_of=date(2027, 7, 2))[0].status is DeadlineStatus.OVERDUE
    late = [r for r in engine.overdue(date(2027, 7, 2)) if r.review_id == report.id]
    assert [r.key for r in late] == ["annual_report"]
    ar.compile_sections(engine, report.id, s.MANAGER)
    engine.execute(report.id, ac.ApproveAnnualReport(), s.CHAIR)
    engine.execute(report.id, ac.PublishAnnualReport(URL), s.MANAGER)
    published_, sent = engine.deadlines(report.id)
    assert published_.status is DeadlineStatus.MET
    assert (sent.key, sent.rule, sent.due_on) == ("annual_report_sent", "SAR-A-8", date(2027, 5, 4))
    for recipient in RECIPIENTS:
        ar.send(engine, report.id, recipient.id, s.MANAGER)
    assert engine.deadlines(report.id)[1].status is DeadlineStatus.MET


def test_an_inclusion_citing_a_report_that_does_not_list_the_review_is_found() -> None:
    """SAR-A-4: an inclusion recorded by hand, citing a report that is not published or
    does not list the review, passes the review's own guard (it sees one record) but is
    found by :func:`annual_reports.inclusion_problems`."""
    run = _board(MemoryStore())
    engine = run.engine
    run.today = AFTER_YEAR
    report = published(engine, YEAR - 1)  # 2025's report lists none of the 2026 SARs
    forged = ac.RecordAnnualReportInclusion(report.id, report.reference, YEAR, AFTER_YEAR, URL)
    engine.execute(run.r.id, forged, s.MANAGER)
    at = f"review {run.r.id}, event {run.r.version + 1}"
    assert ar.inclusion_problems(engine) == [
        f"{at}: the report it cites is not as it says",
        f"{at}: the report it cites does not list the review",
    ]
    missing = ac.RecordAnnualReportInclusion("gone", "SAR-AR-1", YEAR, AFTER_YEAR, URL)
    other = EngineRun(engine.store)
    s.ratified(other)
    engine.execute(other.r.id, missing, s.MANAGER)
    assert any("not in the store" in p for p in ar.inclusion_problems(engine))


def test_an_scr_open_in_the_year_appears_as_what_it_is(store: ReviewStore) -> None:
    """An SCR in the same store is no SAR (not in sections (d)–(g), SAR-A-6), but an
    SCR open in the year is listed apart, as an SCR, with its stage at 31 March."""
    from scr_engine.demo import REQUESTER, demo_request

    run = _board(store)
    scr = run.engine.submit(demo_request(), REQUESTER)
    run.today = AFTER_YEAR
    report = published(run.engine)
    assert report.computed is not None
    assert scr.id not in {d.review_id for d in report.computed.concluded}
    assert scr.id not in {o.review_id for o in report.computed.ongoing}
    assert [(o.review_id, o.protocol, o.stage) for o in report.computed.other] == [
        (scr.id, "scr", "requested")
    ]
    assert ar.stale(run.engine, report.id) == []


def test_sections_that_do_not_fit_the_report_are_refused() -> None:
    """SAR-A-7: the sections recorded are the report's year's, as at its 31 March, with
    every entry inside the year and every figure naming its events; anything else is
    refused, storing nothing."""
    from attrs import evolve

    run = _board(MemoryStore())
    engine = run.engine
    run.today = AFTER_YEAR
    report = drafted(engine)
    good = ar.computed_now(engine, YEAR)
    wrong_year = ar.computed_now(engine, YEAR + 1)
    assert _refused(engine, report.id, ac.CompileReviewSections(wrong_year), s.MANAGER) == {
        "SAR-A-7"
    }
    (done,) = good.concluded
    unsourced = evolve(good, concluded=(evolve(done, sources=()),))
    assert _refused(engine, report.id, ac.CompileReviewSections(unsourced), s.MANAGER) == {
        "SAR-A-7"
    }
    late = evolve(good, concluded=(evolve(done, concluded_on=date(2027, 4, 2)),))
    refused = engine.explain(report.id, ac.CompileReviewSections(late), s.MANAGER)
    assert [r.rule for r in refused] == ["SAR-A-7"] and "did not conclude" in refused[0].message
    assert _refused(engine, report.id, ac.CompileReviewSections(good), s.CHAIR) == {"MAP"}
    compiled: AnnualReport = engine.execute(  # type: ignore[assignment]
        report.id, ac.CompileReviewSections(good), s.MANAGER
    )
    assert compiled.computed == good and compiled.compiled_on == AFTER_YEAR


def test_the_engines_listing_reads_every_protocol() -> None:
    """``reviews`` searches a SAR by its agencies' codes and names, and its overdue
    filter judges each record by its own definition's clocks (the annual report's
    SAR-A-5 clock here), not the SCR's."""
    from scr_engine.protocols.sar.settings import Duration, SarSettings

    targets = SarSettings(version="with-target", annual_report_target=Duration(30))
    run = EngineRun(MemoryStore(), protocol_settings=(targets,))
    s.monitored(run)
    engine = run.engine
    assert [r.id for r in engine.reviews(text="Community Health")] == [run.r.id]
    assert [r.id for r in engine.reviews(text="housing")] == [run.r.id]
    run.today = AFTER_YEAR
    report = drafted(engine)
    assert engine.reviews(overdue=True) == []
    run.today = date(2027, 5, 3)
    assert [r.id for r in engine.reviews(overdue=True)] == [report.id]
