"""The annual report's records (``sar/map.md`` §3): the request form that opens one,
the sections (a)–(c) the Board writes, the sections (d)–(g) the engine computes from the
SAR reviews' histories, each figure with the events it came from, and the report
itself with its approval, publication and sendings.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import TEXT
from scr_engine.states.roles import Role

__all__ = [
    "DISTRIBUTED",
    "DRAFTING",
    "PUBLISHED",
    "AnnualReport",
    "AnnualReportForm",
    "Approval",
    "ConcludedReview",
    "DeclinedFinding",
    "FindingEntry",
    "ImplementationEntry",
    "Member",
    "OngoingReview",
    "OtherReview",
    "Recipient",
    "RecipientKind",
    "RecordedSection",
    "ReviewSections",
    "SectionCode",
    "Sending",
    "Source",
    "year_end",
    "year_start",
]

DRAFTING = "drafting"
PUBLISHED = "published"
DISTRIBUTED = "distributed"


def year_start(year: int) -> date:
    """The first day of the financial year ``year`` (1 April ``year``, SAR-A-5)."""
    return date(year, 4, 1)


def year_end(year: int) -> date:
    """The last day of the financial year ``year`` (31 March ``year + 1``, SAR-A-5)."""
    return date(year + 1, 3, 31)


class RecipientKind(StrEnum):
    """Who must receive a copy (SAR-A-8, Sch. 2 para 4(2)–(3))."""

    LOCAL_AUTHORITY = "local_authority"
    """(a) the chief executive and the leader of the local authority."""
    POLICING_BODY = "policing_body"
    """(b) the local policing body for the area."""
    HEALTHWATCH = "healthwatch"
    """(c) the Local Healthwatch."""
    HEALTH_AND_WELLBEING_BOARD = "health_and_wellbeing_board"
    """(d) the chair of the Health and Wellbeing Board."""


class SectionCode(StrEnum):
    """The sections the Board writes itself (SAR-A-6(a)–(c))."""

    OBJECTIVE = "a"
    """(a) what the SAB did in the year to achieve its objective."""
    STRATEGY = "b"
    """(b) what it did to implement its strategy."""
    MEMBER = "c"
    """(c) what each member did to implement the strategy: one entry per member."""


@frozen
class Member:
    """A member of the SAB (SAR-A-6(c) wants one entry each)."""

    id: str
    name: str


@frozen
class Recipient:
    """A statutory recipient of the report (SAR-A-8)."""

    id: str
    kind: RecipientKind
    name: str


@frozen
class AnnualReportForm:
    """What opens an annual report (SAR-A-5): the financial year (starting on 1 April
    ``year``), the SAB's members and the statutory recipients (SAR-A-8)."""

    year: int
    members: tuple[Member, ...]
    recipients: tuple[Recipient, ...]


@frozen
class RecordedSection:
    """A section the Board wrote (SAR-A-6(a)–(c)); ``member`` for (c)."""

    section: SectionCode
    text: str = field(metadata=TEXT)
    member: str = ""
    recorded_on: date | None = None


@frozen
class Source:
    """The event a figure came from: its review, sequence and hash."""

    review_id: str
    sequence: int
    hash: str


@frozen
class FindingEntry:
    """One finding of a concluded SAR's report."""

    id: str
    text: str = field(metadata=TEXT)


@frozen
class ConcludedReview:
    """A SAR concluded in the year (SAR-A-6(d), SAR-A-7), with its findings, the period
    it reviewed and how long it took (days from the decision to its conclusion)."""

    review_id: str
    reference: str
    concluded_on: date
    screened_on: date | None
    days_to_complete: int | None
    period_start: date | None
    period_end: date | None
    findings: tuple[FindingEntry, ...]
    sources: tuple[Source, ...]


@frozen
class OngoingReview:
    """A SAR ongoing at the year's end (SAR-A-6(e), SAR-A-7): its stage then."""

    review_id: str
    reference: str
    screened_on: date
    stage: str
    sources: tuple[Source, ...]


@frozen
class ImplementationEntry:
    """One thing done in the year to implement a SAR's findings (SAR-A-6(f)): an action
    added, progressed, completed or discontinued."""

    review_id: str
    reference: str
    action: str
    what: str
    on: date
    findings: tuple[str, ...]
    source: Source


@frozen
class DeclinedFinding:
    """A decision made in the year not to implement a finding, with its reasons
    (SAR-A-6(g), SAR-A-1)."""

    review_id: str
    reference: str
    finding: str
    decided_on: date
    reasons: str = field(metadata=TEXT)
    source: Source = Source("", 0, "")


@frozen
class OtherReview:
    """A review of another protocol (an SCR, not under s.44) open in the year: an
    optional extra of the report, shown as what it is (SAR-A-6), with its stage at the
    year's end."""

    review_id: str
    reference: str
    protocol: str
    received_on: date
    stage: str
    sources: tuple[Source, ...]


@frozen
class ReviewSections:
    """Sections (d)–(g), computed from the SAR reviews' histories as at 31 March
    (:func:`scr_engine.protocols.sar.annual.compute.compute`). ``read`` names every
    history read: its review, and the sequence and hash of its last event."""

    year: int
    as_at: date
    concluded: tuple[ConcludedReview, ...] = ()
    ongoing: tuple[OngoingReview, ...] = ()
    implementation: tuple[ImplementationEntry, ...] = ()
    not_implemented: tuple[DeclinedFinding, ...] = ()
    read: tuple[Source, ...] = ()
    other: tuple[OtherReview, ...] = ()
    """SCRs open in the year (not SARs: not in sections (d)-(g))."""


@frozen
class Approval:
    """Who approved the report's content, when (SAR-A-6)."""

    by: str
    role: Role
    on: date


@frozen
class Sending:
    """A copy sent to a recipient, with the date (SAR-A-8)."""

    recipient: str
    on: date


@frozen
class AnnualReport:
    """A SAB's annual report for one financial year (Sch. 2 para 4; ``map.md`` §3).

    Its envelope is every review's (:attr:`scr_engine.protocols.Protocol.record`)."""

    reference: str
    received_on: date
    year: int
    members: tuple[Member, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    stage: str = DRAFTING
    settings_version: str = ""
    protocol: str = "sar-annual-report"
    protocol_version: str = "1"
    id: str = ""
    version: int = 1
    head: str = ""
    requested_by: str = ""
    sections: tuple[RecordedSection, ...] = ()
    computed: ReviewSections | None = None
    compiled_on: date | None = None
    approval: Approval | None = None
    published_on: date | None = None
    url: str = ""
    sendings: tuple[Sending, ...] = ()

    @property
    def starts_on(self) -> date:
        """The year's first day (1 April)."""
        return year_start(self.year)

    @property
    def ends_on(self) -> date:
        """The year's last day (31 March): what sections (d)–(g) are as at."""
        return year_end(self.year)

    def section(self, code: SectionCode, member: str = "") -> RecordedSection | None:
        """The latest text of section ``code`` (for ``member``, under (c))."""
        found = [s for s in self.sections if s.section is code and s.member == member]
        return found[-1] if found else None

    def listed(self, review_id: str) -> bool:
        """Whether section (d) lists the SAR ``review_id``."""
        return self.computed is not None and any(
            c.review_id == review_id for c in self.computed.concluded
        )

    def unsent(self) -> tuple[str, ...]:
        """The recipients no copy has been sent to yet (SAR-A-8)."""
        sent = {s.recipient for s in self.sendings}
        return tuple(r.id for r in self.recipients if r.id not in sent)

    @property
    def agencies(self) -> tuple[str, ...]:
        """No agency is involved in it (the read policy's agency scope)."""
        return ()

    @property
    def pauses(self) -> tuple[()]:
        """Its clocks never pause."""
        return ()

    @property
    def extensions(self) -> tuple[()]:
        """No deadline of it is extended."""
        return ()

    @property
    def restricted(self) -> bool:
        """Never restricted: the read policy's scopes apply."""
        return False

    @property
    def paused(self) -> bool:
        """Its clocks never pause."""
        return False

    def named(self) -> frozenset[str]:
        """The people named on it: who opened it."""
        return frozenset({self.requested_by} - {""})
