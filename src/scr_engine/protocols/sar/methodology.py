"""Methodologies as data (SAR-M-1, SAR-M-2): each profile with its evidence plan.

A profile says whether the methodology has a review panel (SAR-M-4 applies only
then), which evidence item types its plan holds by default, and whether its report
also needs the SCR's Appendix 3 sections (``imr_overview``, SAR-P-1). A Board's own
variant adds profiles; the engine reads only this data.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from attrs import frozen

__all__ = ["PROFILES", "EvidenceType", "MethodologyCode", "Profile", "profile"]


class MethodologyCode(StrEnum):
    """The methodologies SAR-M-1 names."""

    IMR_OVERVIEW = "imr_overview"
    SYSTEMS_LEARNING_TOGETHER = "systems_learning_together"
    SILP = "silp"
    LEARNING_EVENT = "learning_event"
    RAPID_TIME = "rapid_time"
    THEMATIC = "thematic"
    HYBRID = "hybrid"
    OTHER = "other"


class EvidenceType(StrEnum):
    """The types of evidence item of a plan (SAR-M-2)."""

    CHRONOLOGY = "chronology"
    IMR = "imr"
    AGENCY_REPORT = "agency_report"
    PRACTITIONER_EVENT = "practitioner_event"
    INTERVIEW = "interview"
    FAMILY_CONVERSATION = "family_conversation"
    RECORDS_REVIEW = "records_review"


@frozen
class Profile:
    """One methodology: whether it has a panel, its default evidence plan (one item of
    each type per involved agency where ``per_agency``), and its report format."""

    code: MethodologyCode
    title: str
    has_panel: bool
    evidence: tuple[EvidenceType, ...]
    per_agency: frozenset[EvidenceType] = frozenset()
    appendix3: bool = False
    """Whether the report also needs the SCR Appendix 3 sections (SAR-P-1)."""


_E = EvidenceType
_M = MethodologyCode

PROFILES: Mapping[MethodologyCode, Profile] = MappingProxyType(
    {
        p.code: p
        for p in (
            Profile(
                _M.IMR_OVERVIEW,
                "IMRs and an overview report (the SCR's method)",
                True,
                (_E.CHRONOLOGY, _E.IMR),
                frozenset({_E.CHRONOLOGY, _E.IMR}),
                appendix3=True,
            ),
            Profile(
                _M.SYSTEMS_LEARNING_TOGETHER,
                "Systems: learning together",
                False,
                (_E.CHRONOLOGY, _E.INTERVIEW, _E.PRACTITIONER_EVENT, _E.FAMILY_CONVERSATION),
                frozenset({_E.CHRONOLOGY}),
            ),
            Profile(
                _M.SILP,
                "Significant incident learning process",
                False,
                (_E.AGENCY_REPORT, _E.PRACTITIONER_EVENT, _E.FAMILY_CONVERSATION),
                frozenset({_E.AGENCY_REPORT}),
            ),
            Profile(
                _M.LEARNING_EVENT,
                "Learning event",
                False,
                (_E.CHRONOLOGY, _E.PRACTITIONER_EVENT),
                frozenset({_E.CHRONOLOGY}),
            ),
            Profile(
                _M.RAPID_TIME,
                "Rapid time review",
                False,
                (_E.AGENCY_REPORT, _E.PRACTITIONER_EVENT),
                frozenset({_E.AGENCY_REPORT}),
            ),
            Profile(
                _M.THEMATIC,
                "Thematic review (several adults, one setting or theme)",
                True,
                (_E.RECORDS_REVIEW, _E.AGENCY_REPORT, _E.PRACTITIONER_EVENT),
                frozenset({_E.AGENCY_REPORT}),
            ),
            Profile(_M.HYBRID, "Hybrid (described)", False, ()),
            Profile(_M.OTHER, "Other (described)", False, ()),
        )
    }
)
"""Every profile by its code."""


def profile(code: MethodologyCode) -> Profile:
    """The profile of ``code``."""
    return PROFILES[code]
