"""The guards of ``map.md``: for each command, every reason it would be refused.

The guards live by protocol section, one function per command named after it, each
module's docstring reading like its section and naming its rule IDs:

- :mod:`~scr_engine.rules.referral` — §3–§4, referral and screening (RF-3 … RF-6,
  CR-1 … CR-4);
- :mod:`~scr_engine.rules.setup` — §5, setting up (SU-1 … SU-10, PR-b, PR-c, CR-3);
- :mod:`~scr_engine.rules.evidence` — §6, evidence (EV-1 … EV-3);
- :mod:`~scr_engine.rules.report` — §7, the report and the action plan (RP-2 … RP-7,
  OW-1, AP-1, PR-e, PR-g);
- :mod:`~scr_engine.rules.monitoring` — the action plan carried out (AP-1 … AP-3, PR-h);
- :mod:`~scr_engine.rules.clocks` — at any stage: clocks and withdrawal (PR-a, PR-d);
- :mod:`~scr_engine.rules.retention` — confidentiality: access restricted, and personal
  data erased once a review has ended (PR-e).

This module assembles them, by command class, in :func:`guard_of`, and from it
:data:`CHECKS` (command name → guard). Each guard is a pure function
``(review, command, context) -> list[Refusal]``
(:mod:`~scr_engine.rules.common`); an empty list means the command may go ahead.
Stage and role are judged elsewhere (:mod:`scr_engine.rules.judge`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, TypeVar, assert_never

from scr_engine import commands as c
from scr_engine.commands import COMMANDS, AnyCommand, Command, tabulate
from scr_engine.rules import (
    clocks,
    corrections,
    evidence,
    monitoring,
    referral,
    report,
    retention,
    setup,
)
from scr_engine.rules.common import Check, Context
from scr_engine.rules.preconditions import PRECONDITIONS as _PRECONDITIONS
from scr_engine.rules.preconditions import Precondition
from scr_engine.states.table import TABLE, Row

__all__ = [
    "CHECKS",
    "PRECONDITIONS",
    "Check",
    "Context",
    "Precondition",
    "guard_of",
    "table_problems",
]

_C = TypeVar("_C", bound=Command)


def _for(cls: type[_C], guard: Check[_C]) -> Check[Any]:
    """``guard``, which mypy checks is a guard of commands of ``cls``."""
    return guard


def guard_of(cls: type[AnyCommand]) -> Check[Any] | None:
    """The guard of commands of ``cls`` (``None`` for ``submit_request``, whose request
    :func:`scr_engine.rules.request.validate_request` judges as the review is made).

    Written over every class of :data:`~scr_engine.commands.AnyCommand`: mypy strict
    names a command missing here (``assert_never``), and each guard is checked to take
    its own command class."""
    if issubclass(cls, c.SubmitRequest):
        return None
    if issubclass(cls, c.RecordChairNotified):
        return _for(cls, referral.record_chair_notified)
    if issubclass(cls, c.AssessCriteria):
        return _for(cls, referral.assess_criteria)
    if issubclass(cls, c.ConfirmReview):
        return _for(cls, referral.confirm_review)
    if issubclass(cls, c.RecommendAlternative):
        return _for(cls, referral.recommend_alternative)
    if issubclass(cls, c.Decline):
        return _for(cls, referral.decline)
    if issubclass(cls, c.RecordRecordsSecured):
        return _for(cls, referral.record_records_secured)
    if issubclass(cls, c.RecordImrWriter):
        return _for(cls, referral.record_imr_writer)
    if issubclass(cls, c.AgreeLeadAuthority):
        return _for(cls, referral.agree_lead_authority)
    if issubclass(cls, c.AppointPanelChair):
        return _for(cls, setup.appoint_panel_chair)
    if issubclass(cls, c.AppointPanelMember):
        return _for(cls, setup.appoint_panel_member)
    if issubclass(cls, c.AppointOverviewWriter):
        return _for(cls, setup.appoint_overview_writer)
    if issubclass(cls, c.RecordBudget):
        return _for(cls, setup.record_budget)
    if issubclass(cls, c.HoldInitialMeeting):
        return _for(cls, setup.hold_initial_meeting)
    if issubclass(cls, c.ConvenePanel):
        return _for(cls, setup.convene_panel)
    if issubclass(cls, c.ReceiveImr):
        return _for(cls, evidence.receive_imr)
    if issubclass(cls, c.JudgeImr):
        return _for(cls, evidence.judge_imr)
    if issubclass(cls, c.ConfirmOverviewBrief):
        return _for(cls, evidence.confirm_overview_brief)
    if issubclass(cls, c.AcceptEvidence):
        return _for(cls, evidence.accept_evidence)
    if issubclass(cls, c.RecordWriterMeeting):
        return _for(cls, report.record_writer_meeting)
    if issubclass(cls, c.SubmitOverviewReport):
        return _for(cls, report.submit_overview_report)
    if issubclass(cls, c.RequestRevision):
        return _for(cls, report.request_revision)
    if issubclass(cls, c.RecordAgencySignoff):
        return _for(cls, report.record_agency_signoff)
    if issubclass(cls, c.AddAction):
        return _for(cls, report.add_action)
    if issubclass(cls, c.RecordDissemination):
        return _for(cls, report.record_dissemination)
    if issubclass(cls, c.Ratify):
        return _for(cls, report.ratify)
    if issubclass(cls, c.StartMonitoring):
        return _for(cls, monitoring.start_monitoring)
    if issubclass(cls, c.RecordActionProgress):
        return _for(cls, monitoring.record_action_progress)
    if issubclass(cls, c.CompleteAction):
        return _for(cls, monitoring.complete_action)
    if issubclass(cls, c.CloseReview):
        return _for(cls, monitoring.close_review)
    if issubclass(cls, c.Withdraw):
        return _for(cls, clocks.withdraw)
    if issubclass(cls, c.PauseClock):
        return _for(cls, clocks.pause_clock)
    if issubclass(cls, c.ResumeClock):
        return _for(cls, clocks.resume_clock)
    if issubclass(cls, c.ExtendDeadline):
        return _for(cls, clocks.extend_deadline)
    if issubclass(cls, c.ErasePersonalData):
        return _for(cls, retention.erase_personal_data)
    if issubclass(cls, c.RestrictAccess):
        return _for(cls, retention.restrict_access)
    if issubclass(cls, c.AddAgency):
        return _for(cls, setup.add_agency)
    if issubclass(cls, c.ReplacePanelChair):
        return _for(cls, corrections.replace_panel_chair)
    if issubclass(cls, c.ReplaceOverviewWriter):
        return _for(cls, corrections.replace_overview_writer)
    if issubclass(cls, c.StandDownPanelMember):
        return _for(cls, corrections.stand_down_panel_member)
    if issubclass(cls, c.ReviseTermsOfReference):
        return _for(cls, corrections.revise_terms_of_reference)
    assert_never(cls)


CHECKS: dict[str, Check[Any]] = tabulate(guard_of)
"""The check of every command except ``submit_request`` (see
:func:`scr_engine.rules.request.validate_request`)."""


PRECONDITIONS: dict[str, Precondition] = _PRECONDITIONS
"""For commands that take input, the part of their guard that refuses them whatever
the input: what a screen need not offer (:meth:`ReviewEngine.options
<scr_engine.ReviewEngine.options>`). See :mod:`scr_engine.rules.preconditions`."""


def table_problems(rows: Iterable[Row]) -> list[str]:
    """What keeps ``rows`` from being the table of every command: a command with no
    row, a row for no command, a command with two rows (empty when none).

    The table (:data:`~scr_engine.states.table.TABLE`) sits below the commands, in
    the layers, so it names them by their stable names and mypy cannot see a row
    missing: importing this module checks it instead."""
    counted = Counter(r.command for r in rows)
    problems = [
        f"no row for {name} ({cls.__name__}): add one to TABLE"
        for name, cls in COMMANDS.items()
        if name not in counted
    ]
    problems += [
        f"a row for {name}, which is no command" for name in counted if name not in COMMANDS
    ]
    problems += [f"{count} rows for {name}" for name, count in counted.items() if count > 1]
    return problems


_UNMATCHED = table_problems(TABLE)
if _UNMATCHED:
    raise TypeError("scr_engine.states.table: " + "; ".join(_UNMATCHED))
