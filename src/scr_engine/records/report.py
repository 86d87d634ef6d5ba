"""The overview report and the action plan (§7, Appendices 2–3): the report's
sections, dissemination, and the actions with their progress and the learning log
(RP-2 … RP-7, AP-1 … AP-3)."""

from datetime import date
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import MARK, TEXT
from scr_engine.records.evidence import ChronologyEntry

__all__ = [
    "Action",
    "ActionStatus",
    "Analysis",
    "Conclusions",
    "Dissemination",
    "ExecutiveSummary",
    "Facts",
    "Introduction",
    "LearningLogEntry",
    "OverviewReport",
    "ProgressNote",
    "Recommendation",
]


@frozen
class Introduction:
    """Appendix 3, Introduction (a)–(d)."""

    circumstances: str = field(metadata=MARK)
    terms_of_reference: str = field(metadata=TEXT)
    contributors: str = field(metadata=MARK)
    """Who contributed: agencies, and the people who gave information (personal)."""
    panel_and_writer: str = field(metadata=MARK)
    """The panel's members and the overview writer, by name (personal)."""


@frozen
class Facts:
    """Appendix 3, The Facts (a)–(b)."""

    chronology: tuple[ChronologyEntry, ...]
    overview_of_known: str = field(metadata=MARK)


@frozen
class Analysis:
    """Appendix 3, Analysis (a)–(b)."""

    how_and_why: str = field(metadata=MARK)
    hindsight: str = field(metadata=MARK)
    good_practice: str = field(metadata=TEXT)


@frozen
class Recommendation:
    """A recommendation of the report; ``source`` is ``"overview"`` or the agency
    whose IMR made it (Appendix 3, Conclusions (b))."""

    id: str
    text: str = field(metadata=TEXT)
    source: str = "overview"
    national: bool = False


@frozen
class Conclusions:
    """Appendix 3, Conclusions and Recommendations (a)–(b)."""

    lessons: str = field(metadata=TEXT)
    recommendations: tuple[Recommendation, ...]
    national_lessons: str = field(default="", metadata=TEXT)


@frozen
class ExecutiveSummary:
    """The summary that can be made public (RP-3). It must hold no personal data
    (PR-e): ``contains_personal_data`` marks one that does, which cannot be accepted."""

    text: str = field(metadata=TEXT)
    contains_personal_data: bool = False


@frozen
class OverviewReport:
    """The overview report in the Appendix 3 outline, with its executive summary."""

    introduction: Introduction
    facts: Facts
    analysis: Analysis
    conclusions: Conclusions
    executive_summary: ExecutiveSummary | None
    submitted_on: date | None = None


@frozen
class Dissemination:
    """Who gets the report and how, and how it is disseminated (RP-6)."""

    recipients: tuple[str, ...]
    means: str
    processes: str
    media: bool = False


class ActionStatus(StrEnum):
    """Where an action of the action plan stands (AP-1 … AP-3)."""

    OPEN = "open"
    COMPLETED = "completed"


@frozen
class ProgressNote:
    """A progress note on an action (AP-1, AP-2)."""

    on: date
    note: str = field(metadata=TEXT)


@frozen
class Action:
    """One action of the action plan (RP-5, AP-1, AP-2)."""

    id: str
    recommendation_id: str
    owner: str = field(metadata=TEXT)
    """Who is responsible."""
    timescale_months: int
    """Calendar months from ratification (AP-2)."""
    outcome: str = field(metadata=TEXT)
    """The intended outcome."""
    monitoring: str = field(metadata=TEXT)
    """The mechanism for monitoring it (learning log)."""
    status: ActionStatus = ActionStatus.OPEN
    progress: tuple[ProgressNote, ...] = ()
    completed_on: date | None = None


@frozen
class LearningLogEntry:
    """What a completed action achieved, for the learning log (AP-3)."""

    action_id: str
    recorded_on: date
    outcome: str
