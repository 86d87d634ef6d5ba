"""The judgement the machine consults, as pure functions: criteria, request checks,
conflict of interest, deadlines, guards. Each returns reasons, never a bare bool."""

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.rules.conflict import conflict_of_interest
from scr_engine.rules.criteria import assess, meets_cr1, meets_cr2, meets_cr3
from scr_engine.rules.deadlines import Deadline, DeadlineStatus, add_months, deadlines
from scr_engine.rules.registry import RULES, Rule, RuleKind, rule
from scr_engine.rules.request import validate_request
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings

__all__ = [
    "DEFAULT_SETTINGS",
    "RULES",
    "Deadline",
    "DeadlineStatus",
    "ProtocolSettings",
    "Refusal",
    "RefusalKind",
    "Rule",
    "RuleKind",
    "add_months",
    "assess",
    "conflict_of_interest",
    "deadlines",
    "meets_cr1",
    "meets_cr2",
    "meets_cr3",
    "rule",
    "validate_request",
]
