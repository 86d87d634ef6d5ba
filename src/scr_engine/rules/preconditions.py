"""What refuses a command whatever its input: the preconditions behind ``allowed()``.

For a command that takes input, a screen cannot try every input to learn whether one
would do. :data:`PRECONDITIONS` maps such a command's name to a function
``(review, context) -> list[Refusal]`` that gives the part of its guard no input can
satisfy, in the review as it stands: ``record_records_secured`` once every agency's
records are secured (RF-5), ``record_agency_signoff`` once the actor's agency has
signed (RP-4), ``complete_action`` once every action is completed (AP-1) … Each
refusal cites the rule the command's own guard (:data:`~scr_engine.rules.guards.CHECKS`)
would refuse it under, for every input.

:meth:`ReviewEngine.options <scr_engine.ReviewEngine.options>` lists these refusals
(after who the actor is and the stage), so ``allowed()`` never offers a command that
no input could make succeed. The converse is not promised for a command that takes
input: an empty list means no precondition stands in the way, not that some input is
sure to be accepted (a guard may still refuse every input this table does not know
of). A command that takes no input is judged whole instead
(:func:`scr_engine.rules.judge.obstacles`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from scr_engine import commands as c
from scr_engine.commands import AnyCommand, tabulate
from scr_engine.errors.refusals import Refusal
from scr_engine.records import ImrJudgement, Review
from scr_engine.rules import clocks, corrections, referral, setup
from scr_engine.rules.common import Context
from scr_engine.rules.deadlines import FURTHEST_DAYS, deadlines
from scr_engine.states.stages import Stage

__all__ = ["PRECONDITIONS", "Precondition", "precondition_of"]

Precondition = Callable[[Review, Context], list[Refusal]]
"""Every reason a command would be refused on a review whatever its input (empty when
none is known)."""


def _chair_notified(review: Review, ctx: Context) -> list[Refusal]:
    if review.chair_received_on is None:
        return []
    day = review.chair_received_on.isoformat()
    return [Refusal("RF-3", f"the Chair's receipt is already recorded ({day})")]


def _records_secured(review: Review, ctx: Context) -> list[Refusal]:
    if all(a in review.records_secured for a in review.agencies):
        return [Refusal("RF-5", "every involved agency's records are already recorded as secured")]
    return []


def _lead_authority(review: Review, ctx: Context) -> list[Refusal]:
    if any(a.local_authority for a in review.involved_agencies):
        return []
    return [Refusal("RF-6", "no involved agency is a local authority: add one (add_agency)")]


def _panel_member(review: Review, ctx: Context) -> list[Refusal]:
    if review.stage not in (Stage.EVIDENCE_RECEIVED, Stage.OVERVIEW_DRAFTED):
        return []
    represented = {m.agency for m in review.panel_members}
    if any(a not in represented for a in review.agencies):
        return []
    return [
        Refusal(
            "RP-4",
            "once the evidence is accepted, a panel member is appointed only for an "
            "involved agency that has none, and every involved agency has one",
        )
    ]


def _initial_meeting(review: Review, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if review.initial_meeting_on is not None:
        day = review.initial_meeting_on.isoformat()
        out.append(Refusal("SU-6", f"the initial meeting was already held on {day}"))
    if review.panel_chair is None:
        out.append(
            Refusal(
                "SU-1", "the panel chair, who sets the terms of reference, is not appointed yet"
            )
        )
    return out


def _receive_imr(review: Review, ctx: Context) -> list[Refusal]:
    awaited = [
        a
        for a in review.agencies
        if (imr := review.imr(a)) is None
        or imr.judgement is ImrJudgement.FURTHER_INFORMATION_REQUESTED
    ]
    if awaited:
        return []
    return [
        Refusal(
            "EV-1",
            "every involved agency's IMR is already received; a new one is accepted only "
            "when further information is requested (judge_imr)",
        )
    ]


def _judge_imr(review: Review, ctx: Context) -> list[Refusal]:
    received = [imr for a in review.agencies if (imr := review.imr(a)) is not None]
    if not received:
        return [Refusal("EV-1", "no IMR has been received yet")]
    if any(imr.judgement is None for imr in received):
        return []
    out = [Refusal("EV-2", "every IMR received is already judged")]
    awaited = [a for a in review.agencies if review.imr(a) is None]
    if awaited:
        out.append(Refusal("EV-1", f"no IMR has been received yet from: {', '.join(awaited)}"))
    return out


def _writer_appointed(review: Review, ctx: Context) -> list[Refusal]:
    if review.overview_writer is None:
        return [Refusal("SU-9", "the overview writer is not appointed")]
    return []


def _agency_signoff(review: Review, ctx: Context) -> list[Refusal]:
    # Only the actor's own agency may be signed off by them (RP-4, judged before the
    # input by scr_engine.rules.judge.agency_standing).
    agency = ctx.actor.agency
    if agency is not None and agency in review.signoffs:
        return [Refusal("RP-4", f"{agency} has already signed off")]
    return []


def _add_action(review: Review, ctx: Context) -> list[Refusal]:
    report = review.overview_report
    if report is not None and report.conclusions.recommendations:
        return []
    return [Refusal("RP-5", "the report has no recommendation to turn into an action")]


def _open_action(review: Review, ctx: Context) -> list[Refusal]:
    if any(a.completed_on is None for a in review.actions):
        return []
    if not review.actions:
        return [Refusal("AP-1", "the action plan has no action")]
    return [Refusal("AP-1", "every action is already completed")]


def _extend_deadline(review: Review, ctx: Context) -> list[Refusal]:
    for d in deadlines(review, ctx.settings, ctx.today):
        if d.open and (d.due_on - ctx.today).days < FURTHEST_DAYS:
            return []
    return [Refusal("PR-a", "no deadline is open that can be moved later")]


def _stand_down(review: Review, ctx: Context) -> list[Refusal]:
    if review.panel_members:
        return []
    return [Refusal("SU-2", "the panel has no member to stand down")]


def _redirect(review: Review, ctx: Context) -> list[Refusal]:
    return referral.screening_preconditions(review, "redirected")


def _decline(review: Review, ctx: Context) -> list[Refusal]:
    return referral.screening_preconditions(review, "declined")


def _without_context(check: Callable[[Review], list[Refusal]]) -> Precondition:
    def precondition(review: Review, ctx: Context) -> list[Refusal]:
        return check(review)

    precondition.__doc__ = check.__doc__
    return precondition


def precondition_of(cls: type[AnyCommand]) -> Precondition | None:
    """What refuses commands of ``cls`` whatever their input, or ``None``: for a
    command that takes no input (judged whole instead), and for one whose guard is not
    known to refuse every input in some state of the review.

    Written over every class of :data:`~scr_engine.commands.AnyCommand`: mypy strict
    names a command missing here (``assert_never``)."""
    if issubclass(cls, c.RecordChairNotified):
        return _chair_notified
    if issubclass(cls, c.RecommendAlternative):
        return _redirect
    if issubclass(cls, c.Decline):
        return _decline
    if issubclass(cls, c.RecordRecordsSecured):
        return _records_secured
    if issubclass(cls, c.AgreeLeadAuthority):
        return _lead_authority
    if issubclass(cls, c.AppointPanelChair):
        return setup.chair_taken
    if issubclass(cls, c.AppointPanelMember):
        return _panel_member
    if issubclass(cls, c.AppointOverviewWriter):
        return setup.writer_taken
    if issubclass(cls, c.HoldInitialMeeting):
        return _initial_meeting
    if issubclass(cls, c.ReceiveImr):
        return _receive_imr
    if issubclass(cls, c.JudgeImr):
        return _judge_imr
    if issubclass(cls, c.ConfirmOverviewBrief):
        return _writer_appointed
    if issubclass(cls, c.RecordWriterMeeting):
        return _writer_appointed
    if issubclass(cls, c.RecordAgencySignoff):
        return _agency_signoff
    if issubclass(cls, c.AddAction):
        return _add_action
    if issubclass(cls, c.RecordActionProgress):
        return _open_action
    if issubclass(cls, c.CompleteAction):
        return _open_action
    if issubclass(cls, c.Withdraw):
        return _without_context(clocks.withdraw_preconditions)
    if issubclass(cls, c.PauseClock):
        return _without_context(clocks.pause_preconditions)
    if issubclass(cls, c.ExtendDeadline):
        return _extend_deadline
    if issubclass(cls, c.ReplacePanelChair):
        return _without_context(corrections.chair_preconditions)
    if issubclass(cls, c.ReplaceOverviewWriter):
        return _without_context(corrections.writer_preconditions)
    if issubclass(cls, c.StandDownPanelMember):
        return _stand_down
    if issubclass(cls, c.ReviseTermsOfReference):
        return _without_context(corrections.terms_preconditions)
    if issubclass(
        cls,
        (
            c.SubmitRequest,
            c.RecordImrWriter,
            c.RecordBudget,
            c.SubmitOverviewReport,
            c.RequestRevision,
            c.RecordDissemination,
            c.ErasePersonalData,
            c.RestrictAccess,
            c.AddAgency,
        ),
    ):
        return None  # no precondition known (submit_request makes a review instead)
    if issubclass(
        cls,
        (
            c.AssessCriteria,
            c.ConfirmReview,
            c.ConvenePanel,
            c.AcceptEvidence,
            c.Ratify,
            c.StartMonitoring,
            c.CloseReview,
            c.ResumeClock,
        ),
    ):
        return None  # no input: judged whole (scr_engine.rules.judge.obstacles)
    assert_never(cls)


PRECONDITIONS: dict[str, Precondition] = tabulate(precondition_of)
"""For commands that take input, command name → the part of its guard that refuses it
whatever the input, citing that guard's rule. ``record_imr_writer`` has none: an
agency may name another writer at any time (RF-5 refuses only the same writer twice)."""
