"""What a SAR already knows, for the templates of its commands (``scr run REVIEW
COMMAND --template``; :attr:`Protocol.prefill
<scr_engine.protocols.definition.Protocol.prefill>`): the adults to assess, the next
finding to decide, action to report on, request awaited, agency to hear from. Values
only a person can give are left for them; a value filled in here is a suggestion the
person may change, and the command's guard judges it as any other."""

from __future__ import annotations

from typing import Any

from scr_engine.protocols.sar.information_records import RequestStatus
from scr_engine.protocols.sar.records import ActionStatus, SarReview

__all__ = ["prefill"]

_REQUEST_COMMANDS = frozenset(
    {
        "record_information_response",
        "escalate_information_request",
        "withdraw_information_request",
        "report_overdue_information_request",
    }
)
_ACTION_COMMANDS = frozenset({"record_action_progress", "complete_action"})


def _first(candidates: Any, done: Any) -> str | None:
    """The first of ``candidates`` not in ``done``."""
    return next((c for c in candidates if c not in done), None)


def prefill(command: str, review: Any) -> dict[str, Any]:
    """The JSON-ready values the template of ``command`` starts from on ``review``
    (empty for a command, or a review, it has nothing to suggest for)."""
    if not isinstance(review, SarReview):
        return {}
    found: dict[str, Any] = {}
    if command == "assess_criteria":  # SAR-C-1, SAR-C-8: one assessment per adult
        found["assessments"] = [
            {"adult": a.id, **({"died_on": a.died_on.isoformat()} if a.died_on else {})}
            for a in review.referral.adults
        ]
    elif command == "decide_finding":  # SAR-A-1: the next finding without a decision
        findings = review.report.findings if review.report is not None else ()
        decided = {d.finding for d in review.findings_decisions}
        found["finding"] = _first((f.id for f in findings), decided)
    elif command in _ACTION_COMMANDS:  # SAR-A-2, SAR-A-3: the next open action
        found["action"] = next(
            (a.id for a in review.actions if a.status is ActionStatus.OPEN), None
        )
    elif command in _REQUEST_COMMANDS:  # SAR-I-5: the next request still awaited
        found["request"] = next(
            (r.id for r in review.information_requests if r.status is RequestStatus.SENT), None
        )
    elif command == "record_records_secured":  # SAR-D-9: the next agency to secure them
        found["agency"] = _first(review.agencies, review.records_secured)
    elif command == "record_agency_signoff":  # SAR-P-3: the next agency to confirm
        found["agency"] = _first(review.agencies, review.signoffs)
    return {k: v for k, v in found.items() if v is not None}
