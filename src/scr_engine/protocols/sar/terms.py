"""A SAR's terms of reference (SAR-M-5, SAR-G-1, SAR-G-2): the items they must cover,
the six safeguarding principles, and the record the panel agrees
(:class:`~scr_engine.protocols.sar.commands.AgreeTermsOfReference`). Re-exported by
:mod:`.records`, and checked by :mod:`.guards_setup`."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from scr_engine.marks import KEYS, TEXT

__all__ = ["PRINCIPLES", "TOR_ITEMS", "TermsOfReference", "TorEntry"]

TOR_ITEMS: tuple[str, ...] = (
    "mandate",
    "purpose",
    "adults",
    "period",
    "lines_of_enquiry",
    "agencies",
    "methodology",
    "involvement",
    "parallel_processes",
    "timescale",
    "governance",
    "publication",
)
"""The items the terms of reference must cover (SAR-M-5)."""

PRINCIPLES: tuple[str, ...] = (
    "empowerment",
    "prevention",
    "proportionality",
    "protection",
    "partnership",
    "accountability",
)
"""The six safeguarding principles (SAR-G-2)."""


@frozen
class TorEntry:
    """One item of the terms of reference: its text, or "not applicable" with a
    reason (SAR-M-5)."""

    text: str = field(default="", metadata=TEXT)
    not_applicable: str = field(default="", metadata=TEXT)


@frozen
class TermsOfReference:
    """The terms of reference (SAR-M-5, SAR-G-1, SAR-G-2): an entry for each item they
    must cover (:data:`TOR_ITEMS`), the period, and the six principles."""

    items: dict[str, TorEntry] = field(metadata={KEYS: TOR_ITEMS})
    period_start: date | None = None
    period_end: date | None = None
    report_due: date | None = None
    """When the report is due (SAR-P-10)."""
    principles: dict[str, str] = field(factory=dict, metadata={KEYS: PRINCIPLES})
    """How the review reflects each of the six principles (SAR-G-2)."""
