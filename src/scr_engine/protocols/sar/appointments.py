"""The SAR's lead reviewer (SAR-M-3): who leads the review, their declaration, and who
led it before and why they no longer do."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from scr_engine.marks import MARK

__all__ = ["LeadReviewer", "ReviewerReplacement"]


@frozen
class LeadReviewer:
    """The lead reviewer and their declaration (SAR-M-3)."""

    person_id: str
    name: str = field(metadata=MARK)
    employer: str = ""
    declared_involvement: bool = False
    involvement: str = field(default="", metadata=MARK)


@frozen
class ReviewerReplacement:
    """A lead reviewer replaced by another appointment (``appoint_lead_reviewer`` when
    one was appointed): who they were, who took their place, why, and the day. As an
    SCR keeps a replaced panel chair or overview writer (``Replacement``)."""

    reviewer: LeadReviewer
    replaced_by: str
    """The person id of the lead reviewer appointed in their place."""
    reasons: str = field(metadata=MARK)
    """Why: personal data, for it may say what someone knew or did (PR-e)."""
    day: date
