"""scr_engine: a Safeguarding Adults Board's Serious Case Review protocol as an
explicit, guarded, audited state machine with pluggable storage.

Start with :class:`ReviewEngine` over a :class:`MemoryStore` (or the SQL store of
:mod:`scr_engine.storage.sql`), submit a :class:`RequestForm`, then ``execute``
commands from :mod:`scr_engine.commands`. Every refusal says why, citing the rules
of ``requirements.md``; every accepted command is in the review's hash-chained
history.

The names below are imported when first used (``scr_engine.ReviewEngine``, ``from
scr_engine import Review``), so that ``import scr_engine`` alone costs almost nothing
and the ``scr`` program decides how its own start-up runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from scr_engine.errors.refusals import Refusal, RefusalKind
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
        TaskState,
        TaskStatus,
        TermsOfReference,
        TorAnswer,
        TorItem,
        WriterMeetingPurpose,
    )
    from scr_engine.rules.criteria import assess
    from scr_engine.rules.deadlines import Deadline, DeadlineStatus
    from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings
    from scr_engine.states.stages import Stage
    from scr_engine.storage.memory import MemoryStore
    from scr_engine.storage.port import ReviewStore

__version__ = "0.1.0"

_WHERE: dict[str, str] = {
    "AccessEntry": "scr_engine.access",
    "DEFAULT_READ_POLICY": "scr_engine.access",
    "ReadPolicy": "scr_engine.access",
    "ReadScope": "scr_engine.access",
    "Checkpoint": "scr_engine.checkpoints",
    "CheckpointEntry": "scr_engine.checkpoints",
    "BOARD_TIMEZONE": "scr_engine.clock",
    "Clock": "scr_engine.clock",
    "FixedClock": "scr_engine.clock",
    "SystemClock": "scr_engine.clock",
    "local_date": "scr_engine.clock",
    "commands": "scr_engine.commands",
    "CommandOption": "scr_engine.engine",
    "ReviewEngine": "scr_engine.engine",
    "ConcurrencyConflict": "scr_engine.errors",
    "IntegrityError": "scr_engine.errors",
    "InvalidRequest": "scr_engine.errors",
    "PermissionDenied": "scr_engine.errors",
    "ReviewNotFound": "scr_engine.errors",
    "SchemaMismatch": "scr_engine.errors",
    "ScrEngineError": "scr_engine.errors",
    "StorageError": "scr_engine.errors",
    "TransitionRefused": "scr_engine.errors",
    "CorruptHistory": "scr_engine.history",
    "Event": "scr_engine.history",
    "HistoryProblem": "scr_engine.history",
    "replay": "scr_engine.history",
    "verify_history": "scr_engine.history",
    "Fault": "scr_engine.integrity",
    "FaultKind": "scr_engine.integrity",
    "VerifyReport": "scr_engine.integrity",
    "PublicReport": "scr_engine.publication",
    "Action": "scr_engine.records",
    "Actor": "scr_engine.records",
    "Agency": "scr_engine.records",
    "AlternativeReview": "scr_engine.records",
    "Analysis": "scr_engine.records",
    "Appointment": "scr_engine.records",
    "ChronologyEntry": "scr_engine.records",
    "Conclusions": "scr_engine.records",
    "CriteriaAssessment": "scr_engine.records",
    "CriteriaFacts": "scr_engine.records",
    "Dissemination": "scr_engine.records",
    "ExecutiveSummary": "scr_engine.records",
    "Facts": "scr_engine.records",
    "FamilyDecision": "scr_engine.records",
    "FamilyInvolvement": "scr_engine.records",
    "FamilyRepresentation": "scr_engine.records",
    "ImrJudgement": "scr_engine.records",
    "Incident": "scr_engine.records",
    "Introduction": "scr_engine.records",
    "LegalService": "scr_engine.records",
    "Meeting": "scr_engine.records",
    "MemberCapacity": "scr_engine.records",
    "OtherContact": "scr_engine.records",
    "OverviewReport": "scr_engine.records",
    "Recommendation": "scr_engine.records",
    "RequestForm": "scr_engine.records",
    "Requester": "scr_engine.records",
    "RequesterCategory": "scr_engine.records",
    "Review": "scr_engine.records",
    "Role": "scr_engine.records",
    "Task": "scr_engine.records",
    "TaskKind": "scr_engine.records",
    "TaskState": "scr_engine.records",
    "TaskStatus": "scr_engine.records",
    "TermsOfReference": "scr_engine.records",
    "TorAnswer": "scr_engine.records",
    "TorItem": "scr_engine.records",
    "WriterMeetingPurpose": "scr_engine.records",
    "assess": "scr_engine.rules.criteria",
    "Deadline": "scr_engine.rules.deadlines",
    "DeadlineStatus": "scr_engine.rules.deadlines",
    "Refusal": "scr_engine.errors.refusals",
    "RefusalKind": "scr_engine.errors.refusals",
    "DEFAULT_SETTINGS": "scr_engine.rules.settings",
    "ProtocolSettings": "scr_engine.rules.settings",
    "Stage": "scr_engine.states.stages",
    "MemoryStore": "scr_engine.storage.memory",
    "ReviewStore": "scr_engine.storage.port",
}
"""Where each public name lives: the module a name is imported from on first use (a
name that is itself a module, such as ``commands``, is that module)."""


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'scr_engine' has no attribute {name!r}")
    found = importlib.import_module(module)
    value = found if module == f"scr_engine.{name}" else getattr(found, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    "TaskState",
    "TaskStatus",
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
