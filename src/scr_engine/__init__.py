"""scr_engine: a Safeguarding Adults Board's Serious Case Review protocol as an
explicit, guarded, audited state machine with pluggable storage.

Start with :class:`ReviewEngine` over a :class:`MemoryStore` (or the SQL store of
:mod:`scr_engine.storage.sql`), submit a :class:`RequestForm`, then ``execute``
commands from :mod:`scr_engine.commands`. Every refusal says why, citing the rules
of ``requirements.md``; every accepted command is in the review's hash-chained
history.
"""

from scr_engine import commands
from scr_engine.access import DEFAULT_READ_POLICY, AccessEntry, ReadPolicy, ReadScope
from scr_engine.checkpoints import Checkpoint, CheckpointEntry
from scr_engine.clock import BOARD_TIMEZONE, Clock, FixedClock, SystemClock, local_date
from scr_engine.engine import CommandOption, ReviewEngine
from scr_engine.errors import (
    ConcurrencyConflict,
    IntegrityError,
    InvalidRequest,
    PermissionDenied,
    ReviewNotFound,
    SchemaMismatch,
    ScrEngineError,
    StorageError,
    TransitionRefused,
)
from scr_engine.history import CorruptHistory, Event, HistoryProblem, replay, verify_history
from scr_engine.integrity import Fault, FaultKind, VerifyReport
from scr_engine.publication import PublicReport
from scr_engine.records import (
    Action,
    Actor,
    Agency,
    AlternativeReview,
    Analysis,
    Appointment,
    ChronologyEntry,
    Conclusions,
    CriteriaAssessment,
    CriteriaFacts,
    Dissemination,
    ExecutiveSummary,
    Facts,
    FamilyDecision,
    FamilyInvolvement,
    FamilyRepresentation,
    ImrJudgement,
    Incident,
    Introduction,
    LegalService,
    Meeting,
    MemberCapacity,
    OtherContact,
    OverviewReport,
    Recommendation,
    Requester,
    RequesterCategory,
    RequestForm,
    Review,
    Role,
    Task,
    TaskKind,
    TermsOfReference,
    TorAnswer,
    TorItem,
    WriterMeetingPurpose,
)
from scr_engine.rules.criteria import assess
from scr_engine.rules.deadlines import Deadline, DeadlineStatus
from scr_engine.rules.reasons import Refusal, RefusalKind
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings
from scr_engine.states.stages import Stage
from scr_engine.storage.memory import MemoryStore
from scr_engine.storage.port import ReviewStore

__version__ = "0.1.0"

__all__ = [
    "BOARD_TIMEZONE",
    "DEFAULT_READ_POLICY",
    "DEFAULT_SETTINGS",
    "AccessEntry",
    "Action",
    "Actor",
    "Agency",
    "AlternativeReview",
    "Analysis",
    "Appointment",
    "Checkpoint",
    "CheckpointEntry",
    "ChronologyEntry",
    "Clock",
    "CommandOption",
    "Conclusions",
    "ConcurrencyConflict",
    "CorruptHistory",
    "CriteriaAssessment",
    "CriteriaFacts",
    "Deadline",
    "DeadlineStatus",
    "Dissemination",
    "Event",
    "ExecutiveSummary",
    "Facts",
    "FamilyDecision",
    "FamilyInvolvement",
    "FamilyRepresentation",
    "Fault",
    "FaultKind",
    "FixedClock",
    "HistoryProblem",
    "ImrJudgement",
    "Incident",
    "IntegrityError",
    "Introduction",
    "InvalidRequest",
    "LegalService",
    "Meeting",
    "MemberCapacity",
    "MemoryStore",
    "OtherContact",
    "OverviewReport",
    "PermissionDenied",
    "ProtocolSettings",
    "PublicReport",
    "ReadPolicy",
    "ReadScope",
    "Recommendation",
    "Refusal",
    "RefusalKind",
    "RequestForm",
    "Requester",
    "RequesterCategory",
    "Review",
    "ReviewEngine",
    "ReviewNotFound",
    "ReviewStore",
    "Role",
    "SchemaMismatch",
    "ScrEngineError",
    "Stage",
    "StorageError",
    "SystemClock",
    "Task",
    "TaskKind",
    "TermsOfReference",
    "TorAnswer",
    "TorItem",
    "TransitionRefused",
    "VerifyReport",
    "WriterMeetingPurpose",
    "__version__",
    "assess",
    "commands",
    "local_date",
    "replay",
    "verify_history",
]
