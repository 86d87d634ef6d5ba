"""Every SAR command's guard, by command name (the sections' guards: referral and
decision :mod:`.guards_decision`, set-up and evidence :mod:`.guards_setup`, report,
findings, publication and waivers :mod:`.guards_report`), each with its date inputs'
check (:mod:`.guards_dates`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from scr_engine.protocols.sar import guards_decision as d
from scr_engine.protocols.sar import guards_report as r
from scr_engine.protocols.sar import guards_setup as s
from scr_engine.protocols.sar.guards_common import SarCheck, SarContext
from scr_engine.protocols.sar.guards_dates import DATES
from scr_engine.protocols.sar.records import SarReview

__all__ = ["GUARDS"]

_GUARDS: dict[str, SarCheck[Any]] = {
    "submit_request": d.check_submit_request,
    "acknowledge_request": d.check_acknowledge,
    "record_chair_notified": d.check_chair_notified,
    "request_information": d.check_request_information,
    "record_involvement": d.check_record_involvement,
    "register_parallel_process": s.check_parallel_process,
    "assess_criteria": d.check_assess_criteria,
    "recommend_decision": d.check_recommend_decision,
    "confirm_review": d.check_confirm,
    "recommend_alternative": d.check_alternative,
    "decline": d.check_decline,
    "reopen_request": d.check_reopen,
    "agree_lead_authority": d.check_agree_lead_authority,
    "record_records_secured": s.check_agency,
    "choose_methodology": s.check_choose_methodology,
    "appoint_lead_reviewer": s.check_appoint_lead_reviewer,
    "appoint_panel_chair": s.check_appoint_panel_chair,
    "appoint_panel_member": s.check_appoint_panel_member,
    "record_budget": s.check_budget,
    "agree_terms_of_reference": s.check_terms,
    "assess_advocacy": s.check_assess_advocacy,
    "arrange_advocate": s.check_arrange_advocate,
    "record_consent": s.check_record_consent,
    "commission_review": s.check_commission,
    "receive_evidence": s.check_receive_evidence,
    "judge_evidence": s.check_judge_evidence,
    "record_practitioner_involvement": s.check_practitioners,
    "record_cooperation_issue": s.check_cooperation,
    "accept_evidence": s.check_accept_evidence,
    "submit_report": r.check_submit_report,
    "request_revision": r.check_revision,
    "record_agency_signoff": r.check_agency_signoff,
    "record_family_response": r.check_family_response,
    "decide_finding": r.check_decide_finding,
    "add_action": r.check_add_action,
    "record_dissemination": r.check_dissemination,
    "ratify": r.check_ratify,
    "decide_publication": r.check_decide_publication,
    "record_publication": r.check_record_publication,
    "record_action_progress": r.check_progress,
    "complete_action": r.check_complete_action,
    "close_review": r.check_close,
    "withdraw": r.check_withdraw,
    "pause_clock": s.check_pause,
    "resume_clock": s.check_resume,
    "extend_deadline": s.check_extend,
    "record_waiver": r.check_waiver,
}


def _none(review: SarReview, cmd: Any, ctx: SarContext) -> list[Any]:
    return []


def _dated(name: str) -> SarCheck[Any]:
    """The command's guard, then its date inputs' check."""
    check: Callable[[SarReview, Any, SarContext], list[Any]] = _GUARDS.get(name, _none)
    dates = DATES[name]

    @functools.wraps(check)  # its name and docstring: what reads the guards reads it
    def both(review: SarReview, cmd: Any, ctx: SarContext) -> list[Any]:
        return [*check(review, cmd, ctx), *dates(review, cmd, ctx)]

    return both


GUARDS: Mapping[str, SarCheck[Any]] = MappingProxyType(
    {**_GUARDS, **{name: _dated(name) for name in DATES}}
)
"""The guard of each command that has one (the rest answer only to the table)."""
