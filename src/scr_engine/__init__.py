"""scr_engine: a Safeguarding Adults Board's case review protocols (the Serious Case
Review and the Care Act 2014's Safeguarding Adults Review) as explicit, guarded,
audited state machines with pluggable storage.

Start with :class:`ReviewEngine` over a :class:`MemoryStore` (or the SQL store of
:mod:`scr_engine.storage.sql`), submit a :class:`RequestForm`, then ``execute``
commands from :mod:`scr_engine.commands`. Every refusal says why, citing the rules
of ``requirements.md``; every accepted command is in the review's hash-chained
history.

The names below are imported when first used (``scr_engine.ReviewEngine``, ``from
scr_engine import Review``), so that ``import scr_engine`` alone costs almost nothing
and the ``scr`` program decides how its own start-up runs.

The public names are listed once, as the imports under ``if TYPE_CHECKING:`` (each
``X as X``: a name the package exports), where type checkers and editors read them;
the lazy imports and ``__all__`` are read from that list when the package loads.
"""

from __future__ import annotations

import importlib
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the one list of public names (see the module's docstring)
    from scr_engine import commands as commands, protocols as protocols  # noqa: I001 (as X: exported)
    from scr_engine.access import (
        DEFAULT_READ_POLICY as DEFAULT_READ_POLICY,
        AccessEntry as AccessEntry,
        ReadPolicy as ReadPolicy,
        ReadScope as ReadScope,
    )
    from scr_engine.board import (
        DEFAULT_BOARD as DEFAULT_BOARD,
        BoardIdentity as BoardIdentity,
    )
    from scr_engine.checkpoints import Checkpoint as Checkpoint, CheckpointEntry as CheckpointEntry
    from scr_engine.clock import (
        BOARD_TIMEZONE as BOARD_TIMEZONE,
        Clock as Clock,
        FixedClock as FixedClock,
        SystemClock as SystemClock,
        local_date as local_date,
    )
    from scr_engine.engine import CommandOption as CommandOption, ReviewEngine as ReviewEngine
    from scr_engine.errors import (
        ConcurrencyConflict as ConcurrencyConflict,
        IntegrityError as IntegrityError,
        InvalidRequest as InvalidRequest,
        PermissionDenied as PermissionDenied,
        ReviewNotFound as ReviewNotFound,
        SchemaMismatch as SchemaMismatch,
        ScrEngineError as ScrEngineError,
        StorageError as StorageError,
        TransitionRefused as TransitionRefused,
        UnknownProtocol as UnknownProtocol,
    )
    from scr_engine.errors.refusals import Refusal as Refusal, RefusalKind as RefusalKind
    from scr_engine.history import (
        CorruptHistory as CorruptHistory,
        Event as Event,
        HistoryProblem as HistoryProblem,
        replay as replay,
        verify_history as verify_history,
    )
    from scr_engine.integrity import (
        Fault as Fault,
        FaultKind as FaultKind,
        VerifyReport as VerifyReport,
    )
    from scr_engine.publication import PublicReport as PublicReport
    from scr_engine.records import (
        Action as Action,
        Actor as Actor,
        Agency as Agency,
        AlternativeReview as AlternativeReview,
        Analysis as Analysis,
        Appointment as Appointment,
        ChronologyEntry as ChronologyEntry,
        Conclusions as Conclusions,
        CriteriaAssessment as CriteriaAssessment,
        CriteriaFacts as CriteriaFacts,
        Dissemination as Dissemination,
        Envelope as Envelope,
        ExecutiveSummary as ExecutiveSummary,
        Facts as Facts,
        FamilyDecision as FamilyDecision,
        FamilyInvolvement as FamilyInvolvement,
        FamilyRepresentation as FamilyRepresentation,
        ImrJudgement as ImrJudgement,
        Incident as Incident,
        Introduction as Introduction,
        LegalService as LegalService,
        Meeting as Meeting,
        MemberCapacity as MemberCapacity,
        OtherContact as OtherContact,
        OverviewReport as OverviewReport,
        Recommendation as Recommendation,
        Requester as Requester,
        RequesterCategory as RequesterCategory,
        RequestForm as RequestForm,
        Review as Review,
        Role as Role,
        Task as Task,
        TaskKind as TaskKind,
        TaskState as TaskState,
        TaskStatus as TaskStatus,
        TermsOfReference as TermsOfReference,
        TorAnswer as TorAnswer,
        TorItem as TorItem,
        WriterMeetingPurpose as WriterMeetingPurpose,
    )
    from scr_engine.rules.criteria import assess as assess
    from scr_engine.rules.deadlines import Deadline as Deadline, DeadlineStatus as DeadlineStatus
    from scr_engine.rules.settings import (
        DEFAULT_SETTINGS as DEFAULT_SETTINGS,
        ProtocolSettings as ProtocolSettings,
    )
    from scr_engine.states.stages import Stage as Stage
    from scr_engine.storage.memory import MemoryStore as MemoryStore
    from scr_engine.storage.port import ReviewStore as ReviewStore

__version__ = "0.1.0"


def _public_names() -> dict[str, str]:
    """Each public name and the module it is imported from on first use (a name that
    is itself a module, such as ``commands``, maps to that module), read from the
    ``if TYPE_CHECKING:`` imports of this file's source."""
    try:
        with open(__file__, encoding="utf-8") as file:
            source = file.read()
    except OSError:  # pragma: no cover - an install that keeps no source files
        source = __spec__.loader.get_source(__name__)  # type: ignore[union-attr]
    block = source.split("\nif TYPE_CHECKING:", 1)[1].split("\n\n", 1)[0]
    where: dict[str, str] = {}
    for home, names in re.findall(r"from (scr_engine[\w.]*) import (\([^)]*\)|[^\n]*)", block):
        for name in re.findall(r"\b(\w+) as \1\b", names):
            where[name] = f"{home}.{name}" if home == "scr_engine" else home
    return where


_WHERE: dict[str, str] = _public_names()
"""Where each public name lives: the module a name is imported from on first use (a
name that is itself a module, such as ``commands``, is that module)."""

__all__ = [*_WHERE, "__version__"]


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
