"""Domain records: the review and everything recorded on it.

All records are frozen attrs classes: a command never mutates a review, it makes a
new one (``attrs.evolve``). Collections are tuples (ordered) or frozensets, so two
reviews built from the same history compare equal.

Each record names the protocol rules it carries (``requirements.md``). They live by
protocol section, and every one is imported from here:

- :mod:`~scr_engine.records.request` — the people and the request (§3–§4, Appendix 1),
  the criteria assessment, the tasks (RF-5);
- :mod:`~scr_engine.records.setup` — setting up (§5): appointments, the initial meeting,
  the terms of reference;
- :mod:`~scr_engine.records.evidence` — evidence (§6): the IMRs and the writer's meetings;
- :mod:`~scr_engine.records.report` — the overview report and the action plan (§7);
- :mod:`~scr_engine.records.changes` — pauses, extensions, replacements, revisions,
  joinings and erasure's rewrites;
- :mod:`~scr_engine.records.review` — the review itself;
- :mod:`~scr_engine.records.envelope` — what every protocol's review record has (the
  fields a store keeps beside it).
"""

from scr_engine.records.changes import (
    Extension,
    Joining,
    Pause,
    Replacement,
    TermsRevision,
    TextRewrite,
)
from scr_engine.records.envelope import Envelope
from scr_engine.records.evidence import (
    ChronologyEntry,
    Imr,
    ImrJudgement,
    WriterMeeting,
    WriterMeetingPurpose,
)
from scr_engine.records.report import (
    Action,
    ActionStatus,
    Analysis,
    Conclusions,
    Dissemination,
    ExecutiveSummary,
    Facts,
    Introduction,
    LearningLogEntry,
    OverviewReport,
    ProgressNote,
    Recommendation,
)
from scr_engine.records.request import (
    Actor,
    Agency,
    AlternativeReview,
    CriteriaAssessment,
    CriteriaFacts,
    Incident,
    OtherContact,
    Requester,
    RequesterCategory,
    RequestForm,
    Task,
    TaskKind,
    TaskState,
    TaskStatus,
)
from scr_engine.records.review import Review
from scr_engine.records.setup import (
    Appointment,
    Budget,
    FamilyDecision,
    FamilyInvolvement,
    FamilyRepresentation,
    ImrWriter,
    LegalService,
    Meeting,
    MemberCapacity,
    TermsOfReference,
    TorAnswer,
    TorItem,
)
from scr_engine.states.roles import Role

__all__ = [
    "Action",
    "ActionStatus",
    "Actor",
    "Agency",
    "AlternativeReview",
    "Analysis",
    "Appointment",
    "Budget",
    "ChronologyEntry",
    "Conclusions",
    "CriteriaAssessment",
    "CriteriaFacts",
    "Dissemination",
    "Envelope",
    "ExecutiveSummary",
    "Extension",
    "Facts",
    "FamilyDecision",
    "FamilyInvolvement",
    "FamilyRepresentation",
    "Imr",
    "ImrJudgement",
    "ImrWriter",
    "Incident",
    "Introduction",
    "Joining",
    "LearningLogEntry",
    "LegalService",
    "Meeting",
    "MemberCapacity",
    "OtherContact",
    "OverviewReport",
    "Pause",
    "ProgressNote",
    "Recommendation",
    "Replacement",
    "RequestForm",
    "Requester",
    "RequesterCategory",
    "Review",
    "Role",
    "Task",
    "TaskKind",
    "TaskState",
    "TaskStatus",
    "TermsOfReference",
    "TermsRevision",
    "TextRewrite",
    "TorAnswer",
    "TorItem",
    "WriterMeeting",
    "WriterMeetingPurpose",
]
