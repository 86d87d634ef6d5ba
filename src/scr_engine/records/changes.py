"""What changes a review along the way: the clocks paused and deadlines extended (PR-a),
people replaced or stood down, the terms of reference revised, agencies joining
(SU-1, SU-2, SU-7, SU-9), and personal texts rewritten by an erasure (PR-e)."""

from datetime import date

from attrs import field, frozen

from scr_engine.marks import MARK
from scr_engine.records.setup import Appointment, TermsOfReference

__all__ = [
    "Extension",
    "Joining",
    "Pause",
    "Replacement",
    "TermsRevision",
    "TextRewrite",
]


@frozen
class Pause:
    """A pause of the review's clocks for a parallel process (inquest, criminal
    proceedings …); open while ``ended_on`` is None."""

    started_on: date
    process: str
    reasons: str
    ended_on: date | None = None


@frozen
class Extension:
    """A deadline moved, by whom and why."""

    deadline: str
    new_due: date
    reasons: str
    by: str
    on: date


@frozen
class Replacement:
    """Someone who no longer acts on the review: the panel chair or overview writer
    replaced, or a panel member stood down (``replace_panel_chair``,
    ``replace_overview_writer``, ``stand_down_panel_member``), as they were appointed,
    with who took their place (``None`` when nobody did), the reasons and the day."""

    role: str
    """``panel_chair``, ``overview_writer`` or ``panel_member``."""
    person: Appointment
    replaced_by: str | None
    reasons: str = field(metadata=MARK)
    """Why: personal data, for it may say what someone knew or did (PR-e)."""
    day: date


@frozen
class TextRewrite:
    """A personal text as an erasure leaves it (``erase_personal_data``): the text at
    ``path`` (a JSON pointer into the review) with the spans that named the person
    struck out, each replaced by the erasure's mark. Only strikes are allowed: every
    other character of the text stays as it was (PR-e)."""

    path: str
    text: str = field(metadata=MARK)


@frozen
class TermsRevision:
    """Terms of reference that a revision replaced (``revise_terms_of_reference``),
    with the reasons and the day of the revision."""

    previous: TermsOfReference
    reasons: str
    day: date


@frozen
class Joining:
    """The day an agency was brought into the review (``add_agency``, SU-7): the
    ``occurred_on`` of the command. An IMR asked of an agency that joined after the
    initial meeting is counted from this day (SU-7)."""

    agency: str
    on: date
