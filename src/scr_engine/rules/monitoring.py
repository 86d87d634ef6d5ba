"""Monitoring the action plan (§7, Review principle): AP-1 … AP-3, PR-h.

After ratification the Business Manager starts monitoring (``start_monitoring``),
records progress on each open action (AP-2, ``record_action_progress``; each action's
timescale is a deadline, reported when overdue) and completes each with its outcome
for the learning log (AP-1, AP-3, ``complete_action``). The Board Chair closes the
review only when every action is completed and logged (AP-3, PR-h,
``close_review``).
"""

from __future__ import annotations

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import Review
from scr_engine.rules.common import Context, need_text

__all__ = ["close_review", "complete_action", "record_action_progress", "start_monitoring"]

_INPUT = RefusalKind.INPUT


def _open_action(out: list[Refusal], review: Review, action_id: str) -> None:
    action = review.action(action_id)
    if action is None:
        out.append(Refusal.input(f"no action {action_id!r}", "action_id"))
    elif action.completed_on is not None:
        out.append(Refusal("AP-1", f"action {action_id} is already completed"))


def start_monitoring(review: Review, cmd: c.StartMonitoring, ctx: Context) -> list[Refusal]:
    return []


def record_action_progress(
    review: Review, cmd: c.RecordActionProgress, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    _open_action(out, review, cmd.action_id)
    need_text(out, cmd.note, "AP-2", "note", "the progress note")
    return out


def complete_action(review: Review, cmd: c.CompleteAction, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    _open_action(out, review, cmd.action_id)
    need_text(out, cmd.outcome, "AP-3", "outcome", "the outcome for the learning log")
    return out


def close_review(review: Review, cmd: c.CloseReview, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    open_ids = [a.id for a in review.actions if a.completed_on is None]
    if open_ids:
        out.append(Refusal("AP-3", f"actions not completed: {', '.join(open_ids)}"))
        out.append(Refusal("PR-h", "recommendations must be shown implemented before closure"))
    logged = {e.action_id for e in review.learning_log}
    unlogged = [a.id for a in review.actions if a.completed_on is not None and a.id not in logged]
    if unlogged:
        out.append(
            Refusal("AP-3", f"completed actions with no learning-log entry: {', '.join(unlogged)}")
        )
    return out
