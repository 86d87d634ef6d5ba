"""Evidence (§6): the IMRs, how the panel judged them, their chronologies, and the
overview writer's meetings with the panel (EV-1 … EV-3, OW-1)."""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import MARK

__all__ = [
    "ChronologyEntry",
    "Imr",
    "ImrJudgement",
    "WriterMeeting",
    "WriterMeetingPurpose",
]


class ImrJudgement(StrEnum):
    """The panel's judgement of an IMR (EV-2)."""

    SUFFICIENT = "sufficient"
    FURTHER_INFORMATION_REQUESTED = "further_information_requested"


@frozen
class ChronologyEntry:
    """One entry of a chronology: of an agency's IMR, or of the integrated chronology
    (Appendix 3, The Facts (a); RP-2)."""

    date: date
    agency: str
    event: str = field(metadata=MARK)
    adult_seen: bool = False
    views_sought_or_expressed: bool = False


@frozen
class Imr:
    """An agency's Individual Management Review (EV-1, EV-2)."""

    agency: str
    received_on: date
    summary: str = field(metadata=MARK)
    recommendations: tuple[str, ...] = ()
    judgement: ImrJudgement | None = None
    further_information: str = field(default="", metadata=MARK)
    first_received_on: date | None = None
    chronology: tuple[ChronologyEntry, ...] = ()
    """The agency's dated chronology of its involvement with the adult (RP-2): what
    happened, whether the adult was seen, whether their views and wishes were sought
    or expressed. The integrated chronology merges every agency's
    (:func:`scr_engine.documents.integrated_chronology`)."""


class WriterMeetingPurpose(StrEnum):
    """The objectives of meetings between the overview writer and the panel (App. 2)."""

    REVIEW_SCOPE = "review_scope"
    MONITOR_PROGRESS = "monitor_progress"
    NEW_ISSUES = "new_issues"
    FACTUAL_ACCURACY = "factual_accuracy"
    IMMEDIATE_ACTION = "immediate_action"
    LIKELY_RECOMMENDATIONS = "likely_recommendations"
    FINAL_FORMAT = "final_format"


def _purposes(value: Iterable[WriterMeetingPurpose]) -> frozenset[WriterMeetingPurpose]:
    return frozenset(value)


@frozen
class WriterMeeting:
    """A meeting between the overview writer and the panel, with its purpose (OW-1)."""

    held_on: date
    purposes: frozenset[WriterMeetingPurpose] = field(converter=_purposes)
    notes: str = ""
