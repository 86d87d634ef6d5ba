"""Commands open at any stage: the clocks (PR-a) and withdrawal (PR-d, CR-1).

Urgency (PR-a) means every step's date is recorded and every deadline reported; it
does not mean a review may ignore a parallel process. The chairs may pause every
running clock for an inquest, criminal proceedings or the like, with reasons
(``pause_clock``), and resume them (``resume_clock``); they may move one open deadline
later, with reasons (``extend_deadline``). A review may be withdrawn before
ratification, with reasons recorded in its history (PR-d, ``withdraw``) — but not a
CR-1 request before it is screened, which would decline it by another name.
"""

from __future__ import annotations

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import Review
from scr_engine.rules.common import Context, need_text
from scr_engine.rules.deadlines import find_deadline, too_far
from scr_engine.rules.referral import refuse_cr1
from scr_engine.states.stages import Stage

__all__ = [
    "extend_deadline",
    "pause_clock",
    "pause_preconditions",
    "resume_clock",
    "withdraw",
    "withdraw_preconditions",
]

_INPUT = RefusalKind.INPUT


def withdraw_preconditions(review: Review) -> list[Refusal]:
    """What refuses a withdrawal whatever its reasons: before screening, withdrawing a
    CR-1 request would decline it by another name."""
    if review.stage is Stage.REQUESTED:
        return refuse_cr1(review, "withdrawn before it is screened")
    return []


def withdraw(review: Review, cmd: c.Withdraw, ctx: Context) -> list[Refusal]:
    out = withdraw_preconditions(review)
    need_text(out, cmd.reasons, "PR-d", "reasons", "the reasons for withdrawing")
    return out


def pause_preconditions(review: Review) -> list[Refusal]:
    """What refuses a pause whatever its process and reasons: the clocks are paused."""
    if review.paused:
        since = review.pauses[-1].started_on.isoformat()
        return [Refusal("PR-a", f"the clocks are already paused (since {since})")]
    return []


def pause_clock(review: Review, cmd: c.PauseClock, ctx: Context) -> list[Refusal]:
    out = pause_preconditions(review)
    need_text(out, cmd.process, "PR-a", "process", "the parallel process")
    need_text(out, cmd.reasons, "PR-a", "reasons", "the reasons for the pause")
    return out


def resume_clock(review: Review, cmd: c.ResumeClock, ctx: Context) -> list[Refusal]:
    if not review.paused:
        return [Refusal("PR-a", "the clocks are not paused")]
    return []


def extend_deadline(review: Review, cmd: c.ExtendDeadline, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "PR-a", "reasons", "the reasons for the extension")
    deadline = find_deadline(review, ctx.settings, ctx.today, cmd.deadline)
    if deadline is None:
        out.append(Refusal.input(f"the review has no deadline {cmd.deadline!r}", "deadline"))
    elif not deadline.open:
        out.append(Refusal("PR-a", f"{cmd.deadline} is no longer open ({deadline.status.value})"))
    elif too_far(cmd.new_due, ctx.today):
        out.append(
            Refusal("PR-a", "an extension cannot be more than ten years away", _INPUT, "new_due")
        )
    elif cmd.new_due <= deadline.due_on:
        out.append(
            Refusal(
                "PR-a",
                f"an extension must move {cmd.deadline} later than {deadline.due_on.isoformat()}",
                _INPUT,
                "new_due",
            )
        )
    return out
