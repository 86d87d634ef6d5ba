"""The annual report's commands (``sar/map.md`` §3), and the SAR review's
``record_annual_report_inclusion`` (SAR-A-4), which cites a published report.

``map.md``'s ``open_annual_report`` is the definition's ``submit_request``
(:class:`OpenAnnualReport`): the command that creates a record is named so for every
protocol the engine runs (its history starts with it). Its request form is
:class:`~.records.AnnualReportForm`.

The last copy sent does not move the report to ``distributed`` by itself (a command
leads to one stage): ``record_distributed`` does, refused until every recipient has
been sent a copy (SAR-A-8); :func:`scr_engine.annual_reports.send` issues it after the
last sending.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import ClassVar

from attrs import field, frozen

from scr_engine.commands import Command
from scr_engine.marks import TEXT
from scr_engine.protocols.sar.annual.records import AnnualReportForm, ReviewSections, SectionCode
from scr_engine.protocols.sar.commands import SarCommand

__all__ = [
    "COMMANDS",
    "AnnualReportCommand",
    "ApproveAnnualReport",
    "CompileReviewSections",
    "OpenAnnualReport",
    "PublishAnnualReport",
    "RecordAnnualReportInclusion",
    "RecordAnnualReportSection",
    "RecordDistributed",
    "SendAnnualReport",
]


class AnnualReportCommand(Command):
    """Base of every annual report command."""

    __slots__ = ()


@frozen
class OpenAnnualReport(AnnualReportCommand):
    """Open the annual report of a financial year (``map.md``'s ``open_annual_report``,
    SAR-A-5): the year, the SAB's members and the statutory recipients (SAR-A-8).
    ``reference`` and ``settings_version`` are filled in by the engine."""

    name: ClassVar[str] = "submit_request"
    form: AnnualReportForm
    reference: str = ""
    settings_version: str = ""
    occurred_on: date | None = None
    protocol: str = "sar-annual-report"
    protocol_version: str = "1"


@frozen
class RecordAnnualReportSection(AnnualReportCommand):
    """Record section (a), (b) or, for one member, (c) (SAR-A-6); recording one again
    replaces it."""

    name: ClassVar[str] = "record_annual_report_section"
    section: SectionCode
    text: str = field(metadata=TEXT)
    member: str = ""
    occurred_on: date | None = None


@frozen
class CompileReviewSections(AnnualReportCommand):
    """Record sections (d)–(g) as computed from the SAR reviews' histories as at 31
    March (SAR-A-6, SAR-A-7; :func:`scr_engine.annual_reports.compile_sections` computes
    and issues it). May be issued again: the latest replaces the last."""

    name: ClassVar[str] = "compile_review_sections"
    sections: ReviewSections


@frozen
class ApproveAnnualReport(AnnualReportCommand):
    """The Board approves the report's content (SAR-A-6). A section recorded or
    compiled afterwards withdraws the approval."""

    name: ClassVar[str] = "approve_annual_report"
    occurred_on: date | None = None


@frozen
class PublishAnnualReport(AnnualReportCommand):
    """The report is published at ``url`` (SAR-A-9), complete (SAR-A-6), after its
    year ended (SAR-A-5)."""

    name: ClassVar[str] = "publish_annual_report"
    url: str
    occurred_on: date | None = None


@frozen
class SendAnnualReport(AnnualReportCommand):
    """A copy is sent to ``recipient``, on the day given (SAR-A-8)."""

    name: ClassVar[str] = "send_annual_report"
    recipient: str
    occurred_on: date | None = None


@frozen
class RecordDistributed(AnnualReportCommand):
    """Every recipient has been sent a copy: the report is ``distributed`` (SAR-A-8)."""

    name: ClassVar[str] = "record_distributed"


@frozen
class RecordAnnualReportInclusion(SarCommand):
    """On a SAR review: its findings appear in section (d) of the published annual
    report ``report_id`` (SAR-A-4), as :func:`scr_engine.annual_reports.record_inclusions`
    finds it in the store (its reference, year, publication day and URL)."""

    name: ClassVar[str] = "record_annual_report_inclusion"
    report_id: str
    report_reference: str
    year: int
    published_on: date
    url: str


COMMANDS: MappingProxyType[str, type[Command]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (
            OpenAnnualReport,
            RecordAnnualReportSection,
            CompileReviewSections,
            ApproveAnnualReport,
            PublishAnnualReport,
            SendAnnualReport,
            RecordDistributed,
        )
    }
)
"""The annual report's commands, by name."""
