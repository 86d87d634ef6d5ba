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

This module assembles them into :data:`CHECKS` (command name → guard). Each guard is a
pure function ``(review, command, context) -> list[Refusal]``
(:mod:`~scr_engine.rules.common`); an empty list means the command may go ahead.
Stage and role are judged elsewhere (:mod:`scr_engine.rules.judge`).
"""

from __future__ import annotations

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

__all__ = ["CHECKS", "PRECONDITIONS", "Check", "Context", "Precondition"]


CHECKS: dict[str, Check] = {
    "record_chair_notified": referral.record_chair_notified,
    "assess_criteria": referral.assess_criteria,
    "confirm_review": referral.confirm_review,
    "recommend_alternative": referral.recommend_alternative,
    "decline": referral.decline,
    "record_records_secured": referral.record_records_secured,
    "record_imr_writer": referral.record_imr_writer,
    "agree_lead_authority": referral.agree_lead_authority,
    "appoint_panel_chair": setup.appoint_panel_chair,
    "appoint_panel_member": setup.appoint_panel_member,
    "appoint_overview_writer": setup.appoint_overview_writer,
    "record_budget": setup.record_budget,
    "hold_initial_meeting": setup.hold_initial_meeting,
    "convene_panel": setup.convene_panel,
    "receive_imr": evidence.receive_imr,
    "judge_imr": evidence.judge_imr,
    "confirm_overview_brief": evidence.confirm_overview_brief,
    "accept_evidence": evidence.accept_evidence,
    "record_writer_meeting": report.record_writer_meeting,
    "submit_overview_report": report.submit_overview_report,
    "request_revision": report.request_revision,
    "record_agency_signoff": report.record_agency_signoff,
    "add_action": report.add_action,
    "record_dissemination": report.record_dissemination,
    "ratify": report.ratify,
    "start_monitoring": monitoring.start_monitoring,
    "record_action_progress": monitoring.record_action_progress,
    "complete_action": monitoring.complete_action,
    "close_review": monitoring.close_review,
    "withdraw": clocks.withdraw,
    "pause_clock": clocks.pause_clock,
    "resume_clock": clocks.resume_clock,
    "extend_deadline": clocks.extend_deadline,
    "erase_personal_data": retention.erase_personal_data,
    "restrict_access": retention.restrict_access,
    "add_agency": setup.add_agency,
    "replace_panel_chair": corrections.replace_panel_chair,
    "replace_overview_writer": corrections.replace_overview_writer,
    "stand_down_panel_member": corrections.stand_down_panel_member,
    "revise_terms_of_reference": corrections.revise_terms_of_reference,
}
"""The check of every command except ``submit_request`` (see
:func:`scr_engine.rules.request.validate_request`)."""


PRECONDITIONS: dict[str, Precondition] = _PRECONDITIONS
"""For commands that take input, the part of their guard that refuses them whatever
the input: what a screen need not offer (:meth:`ReviewEngine.options
<scr_engine.ReviewEngine.options>`). See :mod:`scr_engine.rules.preconditions`."""
