"""The SAB's annual report in tests: its request form, a report brought to any stage
through the engine, and synthetic SAR histories for the pure computation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from attrs import Factory, frozen

from scr_engine import ReviewEngine
from scr_engine import annual_reports as ar
from scr_engine.protocols.sar.annual import commands as ac
from scr_engine.protocols.sar.annual.records import (
    AnnualReport,
    AnnualReportForm,
    Member,
    Recipient,
    RecipientKind,
    SectionCode,
)
from support.sar import CHAIR, MANAGER

YEAR = 2026
"""The financial year of the tests' SARs (1 April 2026 to 31 March 2027)."""
AFTER_YEAR = date(2027, 4, 20)
"""A day after that year ended, when its report can be published."""

MEMBERS = (Member("asc", "Adult Social Care"), Member("nhs", "Community Health Trust"))
RECIPIENTS = (
    Recipient("la", RecipientKind.LOCAL_AUTHORITY, "Chief executive and leader, Shire Council"),
    Recipient("pcc", RecipientKind.POLICING_BODY, "Police and Crime Commissioner"),
    Recipient("hw", RecipientKind.HEALTHWATCH, "Healthwatch Shire"),
    Recipient("hwb", RecipientKind.HEALTH_AND_WELLBEING_BOARD, "Chair, Health and Wellbeing Board"),
)
URL = "https://sab.example.org/annual-report-2026-27"


def form(year: int = YEAR, **changes: Any) -> AnnualReportForm:
    """The request form of ``year``'s report: two members, the four recipients."""
    fields: dict[str, Any] = {"year": year, "members": MEMBERS, "recipients": RECIPIENTS}
    fields.update(changes)
    return AnnualReportForm(**fields)


def drafted(engine: ReviewEngine, year: int = YEAR) -> AnnualReport:
    """``year``'s report opened, with sections (a), (b) and (c) for each member."""
    report = ar.open_report(engine, form(year), MANAGER)
    for section, member in (("a", ""), ("b", ""), *(("c", m.id) for m in MEMBERS)):
        made: Any = engine.execute(
            report.id,
            ac.RecordAnnualReportSection(
                SectionCode(section), f"what was done ({section})", member
            ),
            MANAGER,
        )
        report = made
    return report


def approved(engine: ReviewEngine, year: int = YEAR) -> AnnualReport:
    """``year``'s report drafted, compiled from the store and approved by the chair
    (call it on a day after the year ended)."""
    report = drafted(engine, year)
    ar.compile_sections(engine, report.id, MANAGER)
    made: Any = engine.execute(report.id, ac.ApproveAnnualReport(), CHAIR)
    return made  # type: ignore[no-any-return]


def published(engine: ReviewEngine, year: int = YEAR) -> AnnualReport:
    """``year``'s report approved and published at :data:`URL`."""
    report = approved(engine, year)
    made: Any = engine.execute(report.id, ac.PublishAnnualReport(URL), MANAGER)
    return made  # type: ignore[no-any-return]


@frozen
class FakeEvent:
    """An event as :func:`~scr_engine.protocols.sar.annual.compute.compute` reads it."""

    review_id: str
    sequence: int
    at: datetime
    command: str
    payload: dict[str, Any]
    stage_after: str
    hash: str
    commitments: dict[str, str] = Factory(dict)


def history(review_id: str, steps: list[tuple[str, date, str, dict[str, Any]]]) -> list[FakeEvent]:
    """A SAR history of ``steps`` (command, day, stage after, payload), opened by a
    ``submit_request`` with its reference; every day is the command's ``occurred_on``."""
    opened = FakeEvent(
        review_id,
        1,
        datetime.combine(date(2025, 1, 1), time(9), UTC),
        "submit_request",
        {"protocol": "sar", "reference": f"SAR-{review_id}"},
        "requested",
        f"{review_id}-1",
    )
    out = [opened]
    for n, (command, day, stage, payload) in enumerate(steps, start=2):
        out.append(
            FakeEvent(
                review_id,
                n,
                datetime.combine(day, time(9), UTC),
                command,
                {**payload, "occurred_on": day.isoformat()},
                stage,
                f"{review_id}-{n}",
            )
        )
    return out
