"""Setting up the review (§5): appointments, IMR writers, the budget, the initial
meeting and the terms of reference (SU-1 … SU-10, PR-b, PR-c)."""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import MARK

__all__ = [
    "Appointment",
    "Budget",
    "FamilyDecision",
    "FamilyInvolvement",
    "FamilyRepresentation",
    "ImrWriter",
    "LegalService",
    "Meeting",
    "MemberCapacity",
    "TermsOfReference",
    "TorAnswer",
    "TorItem",
]


class MemberCapacity(StrEnum):
    """What a panel member represents (SU-2, Membership guidance): an involved agency,
    or one of the other members the guidance names."""

    AGENCY = "agency"
    SUBJECT_OR_FAMILY = "subject_or_family"
    ADVOCACY = "advocacy"
    CQC_INSPECTOR = "cqc_inspector"
    CORONER = "coroner"
    INDEPENDENT_PROVIDER = "independent_provider"
    OTHER_PROFESSIONAL = "other_professional"


@frozen
class Appointment:
    """Someone appointed to the review (panel chair, panel member, overview writer)
    with what they declared about previous involvement (SU-1, PR-b).

    ``represents`` says what a panel member sits for (SU-2); ``None`` reads as
    :attr:`MemberCapacity.AGENCY`, the ``agency`` named. It means nothing for the
    panel chair or the overview writer."""

    person_id: str
    name: str = field(metadata=MARK)
    agency: str | None = None
    declared_involvement: bool = False
    involvement: str = field(default="", metadata=MARK)
    appointed_on: date | None = None
    represents: MemberCapacity | None = None


@frozen
class ImrWriter:
    """An agency's Individual Management Review writer (RF-5), with what they declared
    about direct involvement with the adult or the family (PR-b): ``False`` for none
    declared, ``None`` when no declaration was recorded."""

    agency: str
    person_id: str
    name: str = field(metadata=MARK)
    declared_involvement: bool | None = None


@frozen
class Budget:
    """The panel's budgetary requirements as considered (SU-3)."""

    amount_pounds: int
    notes: str


class TorItem(StrEnum):
    """The sixteen matters the terms of reference must address (SU-6)."""

    IMPORTANT_ISSUES = "important_issues"
    CONTRIBUTORS = "contributors"
    NON_PROFESSIONAL_CONTRIBUTION = "non_professional_contribution"
    TIME_PERIOD = "time_period"
    HISTORY = "history"
    EVIDENCE_REQUIRED = "evidence_required"
    DECISIONS = "decisions"
    POLICIES_AND_PROCEDURES = "policies_and_procedures"
    TRAINING = "training"
    RISK_ASSESSMENTS = "risk_assessments"
    ASSESSMENTS_AND_NEEDS = "assessments_and_needs"
    RESOURCE_ISSUES = "resource_issues"
    DIVERSITY_ISSUES = "diversity_issues"
    SENIOR_MANAGEMENT = "senior_management"
    INTER_AGENCY_WORKING = "inter_agency_working"
    PARALLEL_ENQUIRIES = "parallel_enquiries"


@frozen
class TorAnswer:
    """How the terms of reference address one SU-6 item: text, or "not applicable"
    with a reason."""

    text: str = ""
    not_applicable: bool = False
    reason: str = ""


class FamilyDecision(StrEnum):
    """Whether the victim or relatives are consulted or involved (SU-8)."""

    CONSULT = "consult"
    INVOLVE = "involve"
    NOT_INVOLVED = "not_involved"


class FamilyRepresentation(StrEnum):
    """How the adult and family are represented (Membership guidance; SU-8)."""

    DIRECT = "direct"
    ADVOCACY = "advocacy"
    NONE = "none"


@frozen
class FamilyInvolvement:
    """The recorded decision on consulting or involving the victim or family (SU-8)."""

    decision: FamilyDecision
    representation: FamilyRepresentation
    reasons: str = field(metadata=MARK)


class LegalService(StrEnum):
    """Legal services the review may need (SU-10)."""

    DATA_PROTECTION = "data_protection"
    FREEDOM_OF_INFORMATION = "freedom_of_information"
    HUMAN_RIGHTS_ACT = "human_rights_act"


@frozen
class Meeting:
    """A planned panel meeting: date and venue (SU-10)."""

    date: date
    venue: str


def _legal(value: Iterable[LegalService]) -> frozenset[LegalService]:
    return frozenset(value)


def _frozen_items(value: dict[TorItem, TorAnswer]) -> dict[TorItem, TorAnswer]:
    from scr_engine.serialization import FrozenDict

    if isinstance(value, FrozenDict) or not isinstance(value, dict):
        return value
    return FrozenDict(value)


@frozen
class TermsOfReference:
    """What the initial meeting agrees (SU-4 … SU-8, SU-10; CR-3)."""

    items: dict[TorItem, TorAnswer] = field(converter=_frozen_items)
    """An answer for each SU-6 item (read-only once recorded)."""
    imr_agencies: tuple[str, ...]
    """The agencies that provide IMRs (SU-7)."""
    family: FamilyInvolvement | None
    """Whether and how the victim or family are consulted or involved (SU-8)."""
    imr_due: date
    """When IMRs are due (SU-7)."""
    overview_due: date
    """When the overview report is due (RP-1)."""
    support: str
    """Support and resources secured (SU-10)."""
    meetings: tuple[Meeting, ...]
    """Meeting dates and venues (SU-10)."""
    legal_services: frozenset[LegalService] = field(converter=_legal, factory=frozenset)
    """Legal services needed (SU-10); empty when none."""
    media_strategy: str = ""
    """The media and communication strategy, where one is needed (SU-10)."""
    review_months: int = 6
    """How many calendar months the review has (SU-4; 6 unless set otherwise)."""
    case_specific_scope: str = ""
    """For a complex review (CR-3): how the terms explore the issues of this case."""
