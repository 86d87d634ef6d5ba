"""The SAB's annual report over a store (``sar/map.md`` §3): what needs more than one
review at a time, on top of :class:`~scr_engine.engine.ReviewEngine`.

- :func:`open_report` opens the report of a financial year, once per year (SAR-A-5);
- :func:`compile_sections` reads every SAR's history from the store, computes
  sections (d)–(g) as at 31 March (:func:`~scr_engine.protocols.sar.annual.compute.compute`)
  and records them with ``compile_review_sections`` (SAR-A-6, SAR-A-7);
- :func:`stale` says which figures of a compiled report no longer match the store
  (a source event changed, or the sections computed now differ);
- :func:`send` records a copy sent, and the report ``distributed`` after the last one
  (SAR-A-8);
- :func:`inclusion_problems` checks every recorded inclusion against the report it
  cites;
- :func:`record_inclusions` records, on every SAR section (d) of a published report
  lists, that its findings are in a published annual report (SAR-A-4), which
  ``close_review`` needs.

Each step is an engine command on one record: judged, refused with every reason and
stored as any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from attrs import frozen

from scr_engine._arguments import check_id, raise_for
from scr_engine.engine import ReviewEngine
from scr_engine.errors import ScrEngineError
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.history import Event
from scr_engine.protocols.sar.annual import DISTRIBUTED, NAME, PUBLISHED
from scr_engine.protocols.sar.annual import commands as c
from scr_engine.protocols.sar.annual.compute import compute, source_problems
from scr_engine.protocols.sar.annual.records import AnnualReport, AnnualReportForm, ReviewSections
from scr_engine.protocols.sar.records import SarReview
from scr_engine.protocols.sar.settings import SarSettings
from scr_engine.records import Actor

__all__ = [
    "compile_sections",
    "computed_now",
    "inclusion_problems",
    "open_report",
    "record_inclusions",
    "reports",
    "sar_histories",
    "send",
    "stale",
]


@frozen
class _Envelope:
    """What the engine's settings book reads of a review."""

    id: str
    protocol: str
    protocol_version: str
    settings_version: str


def _histories(engine: ReviewEngine) -> Iterator[tuple[Event, ...]]:
    after: str | None = None
    while True:
        ids = engine.store.review_ids(after=after, limit=1000)
        if not ids:
            return
        for review_id in ids:
            yield engine.store.history(review_id)
        after = ids[-1]


def sar_histories(engine: ReviewEngine) -> list[tuple[Event, ...]]:
    """The history of every SAR in the engine's store."""
    return [h for h in _histories(engine) if h and h[0].payload.get("protocol") == "sar"]


def reports(engine: ReviewEngine) -> list[AnnualReport]:
    """Every annual report in the engine's store, by year."""
    found: list[AnnualReport] = []
    for history in _histories(engine):
        if history and history[0].payload.get("protocol") == NAME:
            report = engine.store.load(history[0].review_id)
            assert isinstance(report, AnnualReport)
            found.append(report)
    return sorted(found, key=lambda r: (r.year, r.reference))


def open_report(
    engine: ReviewEngine, form: AnnualReportForm, actor: Actor, *, received_on: date | None = None
) -> AnnualReport:
    """Open the annual report of the financial year ``form.year`` (``open_annual_report``):
    refused (SAR-A-5) when the store holds one for that year already, as
    ``engine.submit(form, actor, protocol="sar-annual-report")`` is."""
    made: Any = engine.submit(form, actor, protocol=NAME, received_on=received_on)
    assert isinstance(made, AnnualReport)
    return made


def _report(engine: ReviewEngine, report_id: str, command: str) -> AnnualReport:
    check_id(command, report_id)
    report: Any = engine.store.load(report_id)
    if not isinstance(report, AnnualReport):
        message = f"{report_id} is not an annual report"
        raise_for(command, [Refusal.input(message, "report_id")])
    return report  # type: ignore[no-any-return]


def _settings(engine: ReviewEngine, histories: list[tuple[Event, ...]]) -> dict[str, SarSettings]:
    found: dict[str, SarSettings] = {}
    for history in histories:
        first = history[0]
        envelope = _Envelope(
            first.review_id,
            str(first.payload.get("protocol", "")),
            str(first.payload.get("protocol_version", "")),
            str(first.payload.get("settings_version", "")),
        )
        found[first.review_id] = engine.settings_for(envelope)
    return found


def _reviews(engine: ReviewEngine) -> list[tuple[Event, ...]]:
    """The histories of the store's SARs and SCRs (not its annual reports)."""
    return [h for h in _histories(engine) if h and h[0].payload.get("protocol") != NAME]


def computed_now(engine: ReviewEngine, year: int) -> ReviewSections:
    """Sections (d)–(g) of ``year`` as the store's SAR histories give them now (and the
    SCRs open in the year, listed apart)."""
    histories = _reviews(engine)
    sars = [h for h in histories if h[0].payload.get("protocol") == "sar"]
    return compute(histories, year, _settings(engine, sars))


def compile_sections(
    engine: ReviewEngine, report_id: str, actor: Actor, *, idempotency_key: str | None = None
) -> AnnualReport:
    """Compute sections (d)–(g) of the report ``report_id`` from the store and record
    them (``compile_review_sections``, by ``actor``; SAR-A-6, SAR-A-7)."""
    report = _report(engine, report_id, "compile_review_sections")
    sections = computed_now(engine, report.year)
    return engine.execute(
        report_id, c.CompileReviewSections(sections), actor, idempotency_key=idempotency_key
    )


def stale(engine: ReviewEngine, report_id: str) -> list[str]:
    """Why the report's computed sections no longer hold (empty when they do): every
    source event that changed or is gone, and whether computing them now gives other
    figures (a review concluded or a decision recorded since, dated in the year)."""
    report = _report(engine, report_id, "compile_review_sections")
    if report.computed is None:
        return []
    histories = _reviews(engine)
    sars = [h for h in histories if h[0].payload.get("protocol") == "sar"]
    problems = source_problems(report.computed, histories)
    now = compute(histories, report.year, _settings(engine, sars))
    if _figures(now) != _figures(report.computed):
        problems.append("the sections computed from the store now differ from those recorded")
    return problems


def _figures(sections: ReviewSections) -> tuple[Any, ...]:
    return (
        sections.concluded,
        sections.ongoing,
        sections.implementation,
        sections.not_implemented,
        sections.other,
    )


def send(
    engine: ReviewEngine,
    report_id: str,
    recipient: str,
    actor: Actor,
    *,
    occurred_on: date | None = None,
) -> AnnualReport:
    """Record a copy sent to ``recipient`` (``send_annual_report``, SAR-A-8); after the
    last recipient's, the report is ``distributed`` (``record_distributed``)."""
    made = engine.execute(report_id, c.SendAnnualReport(recipient, occurred_on), actor)
    if not made.unsent():
        made = engine.execute(report_id, c.RecordDistributed(), actor)
    return made


def record_inclusions(engine: ReviewEngine, report_id: str, actor: Actor) -> list[SarReview]:
    """On every SAR the published report ``report_id`` lists in section (d), record
    that its findings are in a published annual report (SAR-A-4); reviews recorded
    so already are left as they are. Refused (SAR-A-4), storing nothing, while the
    report is not published."""
    report = _report(engine, report_id, "record_annual_report_inclusion")
    if report.stage not in (PUBLISHED, DISTRIBUTED) or (
        report.published_on is None or report.computed is None
    ):
        message = f"the annual report {report.reference} is not published"
        raise_for(
            "record_annual_report_inclusion",
            [Refusal("SAR-A-4", message, RefusalKind.GUARD, "report_id")],
        )
    assert report.published_on is not None and report.computed is not None
    done: list[SarReview] = []
    for entry in report.computed.concluded:
        review: Any = engine.store.load(entry.review_id)
        if not isinstance(review, SarReview) or review.in_published_annual_report:
            continue
        command = c.RecordAnnualReportInclusion(
            report.id, report.reference, report.year, report.published_on, report.url
        )
        done.append(engine.execute(entry.review_id, command, actor))
    return done


def inclusion_problems(engine: ReviewEngine) -> list[str]:
    """Every ``record_annual_report_inclusion`` of the store's SARs whose cited report
    is not as it says (SAR-A-4): not in the store, not an annual report, not published,
    of another reference, year, publication day or URL, or not listing the review in
    section (d). Empty when every inclusion holds."""
    problems: list[str] = []
    for history in sar_histories(engine):
        for event in history:
            if event.command != "record_annual_report_inclusion":
                continue
            cited = event.payload
            where = f"review {event.review_id}, event {event.sequence}"
            try:
                report: Any = engine.store.load(str(cited.get("report_id", "")))
            except ScrEngineError:
                problems.append(f"{where}: the annual report it cites is not in the store")
                continue
            if not isinstance(report, AnnualReport) or report.published_on is None:
                problems.append(f"{where}: it cites no published annual report")
                continue
            claimed = (
                cited.get("report_reference"),
                cited.get("year"),
                cited.get("published_on"),
                cited.get("url"),
            )
            actual = (report.reference, report.year, report.published_on.isoformat(), report.url)
            if claimed != actual:
                problems.append(f"{where}: the report it cites is not as it says")
            if not report.listed(event.review_id):
                problems.append(f"{where}: the report it cites does not list the review")
    return problems
