"""The SAB annual report's SAR chapter as a document (issue 24, item 3): sections
(a)–(g) of Sch. 2 para 4 from an :class:`~scr_engine.protocols.sar.annual.records.AnnualReport`,
in Markdown or HTML with the Board's identity and public marking. The computed figures
are also available as CSV, one row per figure, each naming the events it came from.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.documents.register import as_identity
from scr_engine.documents.render import (
    Document,
    Format,
    _check_format,
    _identity,
    _rendered,
)
from scr_engine.protocols.sar.annual.guards import incomplete
from scr_engine.protocols.sar.annual.records import AnnualReport, SectionCode, Source

__all__ = [
    "ANNUAL_REPORT_DOCUMENT",
    "CHART_WIDTH",
    "annual_report_context",
    "figures_csv",
    "open_at_year_end_chart",
    "render_annual_report",
    "time_to_complete_chart",
]

ANNUAL_REPORT_DOCUMENT = "annual-report"
"""The document's name."""

_CSV_HEADER = ("section", "review", "reference", "what", "date", "detail", "sources")


def _sources(sources: tuple[Source, ...]) -> str:
    return " ".join(f"{s.review_id}#{s.sequence}:{s.hash[:12]}" for s in sources)


def annual_report_context(report: AnnualReport, as_of: date) -> dict[str, Any]:
    """What the templates read: the header, sections (a)–(c) as written, (d)–(g) as
    computed, SCRs listed apart, publication and sendings, and what is missing."""
    members = []
    for m in report.members:
        entry = report.section(SectionCode.MEMBER, m.id)
        members.append({"id": m.id, "name": m.name, "text": entry.text if entry else ""})
    computed = report.computed
    period = f"1 April {report.year} to 31 March {report.year + 1}"
    # The title's year as Boards write it: 2026/27.

    def text(code: SectionCode) -> str:
        entry = report.section(code)
        return entry.text if entry is not None else ""

    return {
        "title": f"Annual report {report.year}/{(report.year + 1) % 100:02d}: SARs",
        "reference": report.reference,
        "stage": report.stage,
        "as_of": as_of.isoformat(),
        "period": period,
        "missing": incomplete(report),
        "objective": text(SectionCode.OBJECTIVE),
        "strategy": text(SectionCode.STRATEGY),
        "members": members,
        "computed": computed is not None,
        "compiled_on": report.compiled_on.isoformat() if report.compiled_on else "",
        "concluded": [
            {
                "reference": d.reference,
                "concluded_on": d.concluded_on.isoformat(),
                "days": "" if d.days_to_complete is None else str(d.days_to_complete),
                "period": (
                    f"{d.period_start} to {d.period_end}"
                    if d.period_start and d.period_end
                    else "not recorded"
                ),
                "findings": [f"{f.id}: {f.text}" for f in d.findings],
            }
            for d in (computed.concluded if computed else ())
        ],
        "ongoing": [
            {"reference": o.reference, "screened_on": o.screened_on.isoformat(), "stage": o.stage}
            for o in (computed.ongoing if computed else ())
        ],
        "implementation": [
            {
                "reference": i.reference,
                "action": i.action,
                "what": i.what,
                "on": i.on.isoformat(),
                "findings": ", ".join(i.findings),
            }
            for i in (computed.implementation if computed else ())
        ],
        "declined": [
            {
                "reference": g.reference,
                "finding": g.finding,
                "decided_on": g.decided_on.isoformat(),
                "reasons": g.reasons,
            }
            for g in (computed.not_implemented if computed else ())
        ],
        "other": [
            {"reference": x.reference, "protocol": x.protocol.upper(), "stage": x.stage}
            for x in (computed.other if computed else ())
        ],
        "chart": time_to_complete_chart(report),
        "open_chart": open_at_year_end_chart(report),
        "url": report.url,
        "published_on": report.published_on.isoformat() if report.published_on else "",
        "sendings": [
            {
                "recipient": next((r.name for r in report.recipients if r.id == s.recipient), ""),
                "on": s.on.isoformat(),
            }
            for s in report.sendings
        ],
    }


CHART_WIDTH = 360
"""The length, in the chart's units, of the longest bar."""


def _bars(timed: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Bars of ``(reference, days)``: the longest is :data:`CHART_WIDTH`, every one at
    least 1 long, so that a bar of a day or less still shows."""
    longest = max((days for _, days in timed), default=0)
    return [
        {
            "reference": reference,
            "days": days,
            "length": max(1, round(CHART_WIDTH * days / longest)) if longest else 1,
        }
        for reference, days in timed
    ]


def time_to_complete_chart(report: AnnualReport) -> list[dict[str, Any]]:
    """The bars of section (d)'s chart, a figure a chart says better than a column:
    each concluded SAR's days from its decision to its conclusion (the national
    analysis of SARs found times to complete missing from most annual reports), as
    ``reference``, ``days`` and ``length`` (the longest is :data:`CHART_WIDTH`; at
    least 1, so that a SAR of a day or less still shows). SARs with no decision day
    recorded are left out: their row says so."""
    computed = report.computed
    return _bars(
        [
            (d.reference, d.days_to_complete)
            for d in (computed.concluded if computed is not None else ())
            if d.days_to_complete is not None
        ]
    )


def open_at_year_end_chart(report: AnnualReport) -> list[dict[str, Any]]:
    """The bars of section (e)'s chart: each SAR ongoing at the year's end, with its
    days from the decision to 31 March, so that a review that has been open long shows
    at a glance (bars as :func:`time_to_complete_chart`'s)."""
    computed = report.computed
    if computed is None:
        return []
    return _bars([(o.reference, (computed.as_at - o.screened_on).days) for o in computed.ongoing])


def render_annual_report(
    report: AnnualReport,
    *,
    fmt: Format = "md",
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> Document:
    """The report's SAR chapter as it stands on ``as_of``, in Markdown or HTML, naming
    the Board (``board``) with its public marking; what the report still lacks
    (SAR-A-6) is listed at its top."""
    _check_format(fmt)
    context = annual_report_context(report, as_of)
    identity = as_identity(board)
    context["board"] = {
        **_identity(identity, ANNUAL_REPORT_DOCUMENT),
        "marking": identity.public_marking,
    }
    return _rendered(ANNUAL_REPORT_DOCUMENT, fmt, "sar/annual-report", context)


def figures_csv(report: AnnualReport) -> str:
    """Every computed figure as a CSV row: its section, review, what, date, detail and
    the events it came from (``review#sequence:hash``). Empty but for the header before
    the sections are compiled."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_HEADER)
    computed = report.computed
    if computed is not None:
        for d in computed.concluded:
            detail = "; ".join(f"{f.id}: {f.text}" for f in d.findings)
            writer.writerow(
                (
                    "d",
                    d.review_id,
                    d.reference,
                    "concluded",
                    d.concluded_on,
                    detail,
                    _sources(d.sources),
                )
            )
        for o in computed.ongoing:
            writer.writerow(
                (
                    "e",
                    o.review_id,
                    o.reference,
                    "ongoing",
                    o.screened_on,
                    o.stage,
                    _sources(o.sources),
                )
            )
        for i in computed.implementation:
            writer.writerow(
                (
                    "f",
                    i.review_id,
                    i.reference,
                    f"action {i.action} {i.what}",
                    i.on,
                    ", ".join(i.findings),
                    _sources((i.source,)),
                )
            )
        for g in computed.not_implemented:
            writer.writerow(
                (
                    "g",
                    g.review_id,
                    g.reference,
                    f"finding {g.finding} not implemented",
                    g.decided_on,
                    g.reasons,
                    _sources((g.source,)),
                )
            )
    return out.getvalue()
