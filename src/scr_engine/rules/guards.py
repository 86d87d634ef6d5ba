"""The guards of ``map.md``: for each command, every reason it would be refused.

Each check is a pure function ``(review, command, context) -> list[Refusal]``; an
empty list means the command may go ahead. Checks never stop at the first problem:
a refusal names every failing rule at once. Stage and role are judged elsewhere
(:func:`scr_engine.rules.judge`); these are the protocol's own conditions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from attrs import frozen

from scr_engine import commands as c
from scr_engine.records import Actor, Appointment, ImrJudgement, Review, Role, TorItem
from scr_engine.rules.conflict import conflict_of_interest
from scr_engine.rules.criteria import meets_cr1
from scr_engine.rules.deadlines import FURTHEST_DAYS, LONGEST_MONTHS, find_deadline
from scr_engine.rules.reasons import Refusal, RefusalKind
from scr_engine.rules.request import is_text
from scr_engine.rules.settings import ProtocolSettings
from scr_engine.states.stages import Stage

__all__ = ["CHECKS", "Check", "Context"]


@frozen
class Context:
    """Who is acting, as which role, on which date, under which settings."""

    actor: Actor
    role: Role | None
    today: date
    settings: ProtocolSettings


Check = Callable[[Review, Any, Context], list[Refusal]]

_INPUT = RefusalKind.INPUT
_PERMISSION = RefusalKind.PERMISSION


def _need_text(out: list[Refusal], value: Any, rule: str, field: str, what: str) -> None:
    if not is_text(value):
        out.append(Refusal(rule, f"{what} must be given", _INPUT, field))


def _known_agency(out: list[Refusal], review: Review, agency: Any, field: str = "agency") -> bool:
    if agency in review.agencies:
        return True
    out.append(
        Refusal(
            "INPUT",
            f"agency {agency!r} is not involved in this review "
            f"(involved: {', '.join(review.agencies)})",
            _INPUT,
            field,
        )
    )
    return False


def _cr1(review: Review) -> bool:
    return meets_cr1(review.request.facts) or (
        review.assessment is not None and review.assessment.mandatory
    )


# ------------------------------------------------------------------ screening (§3, §4)


def _record_chair_notified(
    review: Review, cmd: c.RecordChairNotified, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if review.chair_received_on is not None:
        out.append(
            Refusal(
                "RF-3",
                f"the Chair's receipt is already recorded ({review.chair_received_on.isoformat()})",
            )
        )
    if cmd.received_on < review.received_on:
        out.append(
            Refusal(
                "RF-3",
                "the Chair cannot receive the request before it was made",
                _INPUT,
                "received_on",
            )
        )
    if cmd.received_on > ctx.today:
        out.append(
            Refusal("RF-3", "the Chair's receipt cannot be in the future", _INPUT, "received_on")
        )
    return out


def _assess_criteria(review: Review, cmd: c.AssessCriteria, ctx: Context) -> list[Refusal]:
    return []


def _need_assessment(review: Review) -> list[Refusal]:
    if review.assessment is None:
        return [
            Refusal(
                "RF-4",
                "the Chair must first assess the request against the criteria (assess_criteria)",
            )
        ]
    return []


def _confirm_review(review: Review, cmd: c.ConfirmReview, ctx: Context) -> list[Refusal]:
    out = _need_assessment(review)
    if review.assessment is not None and not review.assessment.met:
        out.append(
            Refusal(
                "CR-4",
                "no criterion of §3 is met (CR-1, CR-2, CR-3): the Chair may "
                "recommend an alternative review or no review instead",
            )
        )
    return out


def _refuse_cr1(review: Review, what: str) -> list[Refusal]:
    if _cr1(review):
        return [
            Refusal(
                "CR-1",
                f"the adult died and abuse or neglect is known or suspected: the "
                f"Board must always conduct a review, so it cannot be {what}",
            )
        ]
    return []


def _recommend_alternative(
    review: Review, cmd: c.RecommendAlternative, ctx: Context
) -> list[Refusal]:
    out = _need_assessment(review) + _refuse_cr1(review, "redirected")
    _need_text(out, cmd.reasons, "CR-4", "reasons", "the reasons for the recommendation")
    return out


def _decline(review: Review, cmd: c.Decline, ctx: Context) -> list[Refusal]:
    out = _need_assessment(review) + _refuse_cr1(review, "declined")
    _need_text(out, cmd.reasons, "CR-4", "reasons", "the reasons for no review")
    return out


# ------------------------------------------------------------------ set-up (§4, §5)


def _record_records_secured(
    review: Review, cmd: c.RecordRecordsSecured, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if _known_agency(out, review, cmd.agency) and cmd.agency in review.records_secured:
        out.append(Refusal("RF-5", f"{cmd.agency}'s records are already recorded as secured"))
    return out


def _record_imr_writer(review: Review, cmd: c.RecordImrWriter, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    _known_agency(out, review, cmd.agency)
    _need_text(out, cmd.person_id, "RF-5", "person_id", "the IMR writer's ID")
    _need_text(out, cmd.writer_name, "RF-5", "writer_name", "the IMR writer's name")
    if any(w.agency == cmd.agency and w.person_id == cmd.person_id for w in review.imr_writers):
        out.append(Refusal("RF-5", f"{cmd.person_id} is already {cmd.agency}'s IMR writer"))
    appointees = [a for a in (review.panel_chair, review.overview_writer) if a is not None]
    if any(a.person_id == cmd.person_id for a in (*appointees, *review.panel_members)):
        out.append(
            Refusal(
                "PR-b",
                f"{cmd.person_id} is appointed to conduct the review and "
                "cannot also write an agency's IMR",
            )
        )
    return out


def _agree_lead_authority(review: Review, cmd: c.AgreeLeadAuthority, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if _known_agency(out, review, cmd.agency):
        agency = next(a for a in review.request.agencies if a.code == cmd.agency)
        if not agency.local_authority:
            out.append(Refusal("RF-6", f"{cmd.agency} is not a local authority"))
    return out


def _appointment(out: list[Refusal], review: Review, appointment: Appointment) -> None:
    _need_text(out, appointment.person_id, "SU-1", "appointment.person_id", "the appointee's ID")
    _need_text(out, appointment.name, "SU-1", "appointment.name", "the appointee's name")
    out.extend(conflict_of_interest(review, appointment))


def _appoint_panel_chair(review: Review, cmd: c.AppointPanelChair, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    _appointment(out, review, cmd.appointment)
    return out


def _appoint_panel_member(review: Review, cmd: c.AppointPanelMember, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    _appointment(out, review, cmd.appointment)
    if cmd.appointment.agency is None:
        out.append(
            Refusal(
                "SU-2",
                "a panel member represents an agency: give its code",
                _INPUT,
                "appointment.agency",
            )
        )
    else:
        _known_agency(out, review, cmd.appointment.agency, "appointment.agency")
    if any(m.person_id == cmd.appointment.person_id for m in review.panel_members):
        out.append(Refusal("SU-2", f"{cmd.appointment.person_id} is already a panel member"))
    return out


def _appoint_overview_writer(
    review: Review, cmd: c.AppointOverviewWriter, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    _appointment(out, review, cmd.appointment)
    return out


def _record_budget(review: Review, cmd: c.RecordBudget, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if cmd.amount_pounds < 0:
        out.append(Refusal("SU-3", "the budget cannot be negative", _INPUT, "amount_pounds"))
    _need_text(out, cmd.notes, "SU-3", "notes", "what the budget covers")
    return out


def _hold_initial_meeting(review: Review, cmd: c.HoldInitialMeeting, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    terms = cmd.terms
    if review.initial_meeting_on is not None:
        out.append(
            Refusal(
                "SU-6",
                f"the initial meeting was already held on {review.initial_meeting_on.isoformat()}",
            )
        )
    if review.panel_chair is None:
        out.append(
            Refusal(
                "SU-1", "the panel chair, who sets the terms of reference, is not appointed yet"
            )
        )
    for item in TorItem:
        answer = terms.items.get(item)
        if answer is None:
            out.append(
                Refusal(
                    "SU-6",
                    f"the terms of reference do not address {item.value}",
                    field=f"terms.items.{item.value}",
                )
            )
        elif answer.not_applicable:
            if not is_text(answer.reason):
                out.append(
                    Refusal(
                        "SU-6",
                        f"{item.value} is marked not applicable without a reason",
                        field=f"terms.items.{item.value}",
                    )
                )
        elif not is_text(answer.text):
            out.append(
                Refusal(
                    "SU-6",
                    f"the terms of reference leave {item.value} blank",
                    field=f"terms.items.{item.value}",
                )
            )
    if not terms.imr_agencies:
        out.append(
            Refusal(
                "SU-7",
                "the terms of reference must say which agencies provide IMRs",
                field="terms.imr_agencies",
            )
        )
    for agency in terms.imr_agencies:
        _known_agency(out, review, agency, "terms.imr_agencies")
    left_out = [a for a in review.agencies if a not in terms.imr_agencies]
    if terms.imr_agencies and left_out:
        out.append(
            Refusal(
                "PR-c",
                f"every involved agency contributes an IMR; the terms leave out: "
                f"{', '.join(left_out)}",
                field="terms.imr_agencies",
            )
        )
    if len(set(terms.imr_agencies)) != len(terms.imr_agencies):
        out.append(
            Refusal(
                "SU-7",
                "an agency is listed twice among the IMR agencies",
                _INPUT,
                "terms.imr_agencies",
            )
        )
    if terms.imr_due <= ctx.today:
        out.append(
            Refusal(
                "SU-7", "the IMRs must fall due after the initial meeting", _INPUT, "terms.imr_due"
            )
        )
    if terms.overview_due < terms.imr_due:
        out.append(
            Refusal(
                "RP-1",
                "the overview report cannot fall due before the IMRs",
                _INPUT,
                "terms.overview_due",
            )
        )
    if terms.review_months < 1:
        out.append(
            Refusal(
                "SU-4",
                "the review's timescale must be at least one month",
                _INPUT,
                "terms.review_months",
            )
        )
    if terms.family is None:
        out.append(
            Refusal(
                "SU-8",
                "whether to consult or involve the victim or relatives is not decided",
                field="terms.family",
            )
        )
    elif not is_text(terms.family.reasons):
        out.append(
            Refusal(
                "SU-8",
                "the decision on involving the victim or relatives needs its reasons",
                field="terms.family.reasons",
            )
        )
    _need_text(out, terms.support, "SU-10", "terms.support", "the support and resources")
    if not terms.meetings:
        out.append(
            Refusal(
                "SU-10", "the dates and venues of meetings must be recorded", field="terms.meetings"
            )
        )
    if review.complex and not is_text(terms.case_specific_scope):
        out.append(
            Refusal(
                "CR-3",
                "a complex review (institutional abuse or multiple abusers) "
                "needs terms of reference specific to the case",
                field="terms.case_specific_scope",
            )
        )
    if terms.review_months > LONGEST_MONTHS:
        out.append(
            Refusal(
                "SU-4",
                f"the review's timescale cannot exceed {LONGEST_MONTHS} months",
                _INPUT,
                "terms.review_months",
            )
        )
    for name in ("imr_due", "overview_due"):
        if getattr(terms, name) > ctx.today + timedelta(days=FURTHEST_DAYS):
            out.append(
                Refusal(
                    "SU-7" if name == "imr_due" else "RP-1",
                    f"{name} is more than ten years away",
                    _INPUT,
                    f"terms.{name}",
                )
            )
    return out


def _convene_panel(review: Review, cmd: c.ConvenePanel, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    unsecured = [a for a in review.agencies if a not in review.records_secured]
    if unsecured:
        out.append(Refusal("RF-5", f"records not yet secured by: {', '.join(unsecured)}"))
    with_writer = {w.agency for w in review.imr_writers}
    no_writer = [a for a in review.agencies if a not in with_writer]
    if no_writer:
        out.append(Refusal("RF-5", f"no IMR writer identified by: {', '.join(no_writer)}"))
    authorities = [a.code for a in review.request.agencies if a.local_authority]
    if len(authorities) > 1 and review.lead_authority is None:
        out.append(
            Refusal(
                "RF-6",
                f"{len(authorities)} local authorities are involved "
                f"({', '.join(authorities)}): agree the lead authority first",
            )
        )
    if review.panel_chair is None:
        out.append(Refusal("SU-1", "no panel chair is appointed"))
    represented = {m.agency for m in review.panel_members}
    missing = [a for a in review.agencies if a not in represented]
    if missing:
        out.append(Refusal("SU-2", f"the panel has no member from: {', '.join(missing)}"))
    if review.terms_of_reference is None:
        out.append(Refusal("SU-6", "the initial meeting has not agreed the terms of reference"))
    if review.terms_of_reference is None or review.terms_of_reference.family is None:
        out.append(
            Refusal("SU-8", "the decision on involving the victim or relatives is not recorded")
        )
    if review.overview_writer is None:
        out.append(Refusal("SU-9", "the overview report writer is not appointed"))
    return out


# ------------------------------------------------------------------ evidence (§6)


def _receive_imr(review: Review, cmd: c.ReceiveImr, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if _known_agency(out, review, cmd.agency):
        # Every involved agency provides an IMR (PR-c, checked at the initial meeting).
        existing = review.imr(cmd.agency)
        if (
            existing is not None
            and existing.judgement is not ImrJudgement.FURTHER_INFORMATION_REQUESTED
        ):
            out.append(
                Refusal(
                    "EV-1",
                    f"{cmd.agency}'s IMR is already received; a new one is "
                    "accepted only when further information is requested",
                )
            )
    _need_text(out, cmd.summary, "EV-1", "summary", "the IMR's content")
    return out


def _judge_imr(review: Review, cmd: c.JudgeImr, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if _known_agency(out, review, cmd.agency):
        imr = review.imr(cmd.agency)
        if imr is None:
            out.append(Refusal("EV-1", f"no IMR has been received from {cmd.agency}"))
        elif imr.judgement is not None:
            out.append(
                Refusal("EV-2", f"{cmd.agency}'s IMR is already judged ({imr.judgement.value})")
            )
    if cmd.judgement is ImrJudgement.FURTHER_INFORMATION_REQUESTED:
        _need_text(
            out,
            cmd.further_information,
            "EV-2",
            "further_information",
            "what further information is requested",
        )
    return out


def _confirm_overview_brief(
    review: Review, cmd: c.ConfirmOverviewBrief, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    _need_text(out, cmd.brief, "EV-3", "brief", "the brief for the overview report")
    if review.overview_writer is None:
        out.append(Refusal("SU-9", "there is no overview writer to instruct"))
    return out


def _accept_evidence(review: Review, cmd: c.AcceptEvidence, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    missing = [a for a in review.imr_agencies if review.imr(a) is None]
    if missing:
        out.append(Refusal("EV-1", f"no IMR yet from: {', '.join(missing)}"))
    unjudged = [
        a
        for a in review.imr_agencies
        if (imr := review.imr(a)) is not None and imr.judgement is not ImrJudgement.SUFFICIENT
    ]
    if unjudged:
        out.append(Refusal("EV-2", f"IMRs not judged sufficient: {', '.join(unjudged)}"))
    if not review.overview_brief:
        out.append(Refusal("EV-3", "the brief for the overview report is not confirmed"))
    return out


def _is_writer(review: Review, ctx: Context) -> bool:
    return review.overview_writer is not None and review.overview_writer.person_id == ctx.actor.id


def _record_writer_meeting(
    review: Review, cmd: c.RecordWriterMeeting, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if not cmd.purposes:
        out.append(Refusal("OW-1", "a writer meeting must record its purpose", _INPUT, "purposes"))
    if review.overview_writer is None:
        out.append(Refusal("SU-9", "the overview writer is not appointed"))
    elif ctx.role is Role.OVERVIEW_WRITER and not _is_writer(review, ctx):
        out.append(
            Refusal("SU-9", f"{ctx.actor.id} is not this review's overview writer", _PERMISSION)
        )
    return out


# ------------------------------------------------------------------ report (§7)


def _submit_overview_report(
    review: Review, cmd: c.SubmitOverviewReport, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if not _is_writer(review, ctx):
        out.append(
            Refusal("SU-9", f"{ctx.actor.id} is not this review's overview writer", _PERMISSION)
        )
    report = cmd.report
    sections: dict[str, Any] = {
        "introduction.circumstances": report.introduction.circumstances,
        "introduction.terms_of_reference": report.introduction.terms_of_reference,
        "introduction.contributors": report.introduction.contributors,
        "introduction.panel_and_writer": report.introduction.panel_and_writer,
        "facts.overview_of_known": report.facts.overview_of_known,
        "analysis.how_and_why": report.analysis.how_and_why,
        "analysis.hindsight": report.analysis.hindsight,
        "analysis.good_practice": report.analysis.good_practice,
        "conclusions.lessons": report.conclusions.lessons,
    }
    for path, text in sections.items():
        if not is_text(text):
            out.append(
                Refusal(
                    "RP-2",
                    f"the report lacks the Appendix 3 section {path}",
                    field=f"report.{path}",
                )
            )
    if not report.facts.chronology:
        out.append(
            Refusal(
                "RP-2",
                "the report lacks the integrated chronology",
                field="report.facts.chronology",
            )
        )
    else:
        covered = {e.agency for e in report.facts.chronology}
        absent = [a for a in review.imr_agencies if a not in covered]
        if absent:
            out.append(
                Refusal(
                    "RP-2",
                    f"the chronology has no entry from: {', '.join(absent)}",
                    field="report.facts.chronology",
                )
            )
    rec_ids = [r.id for r in report.conclusions.recommendations]
    if len(set(rec_ids)) != len(rec_ids):
        out.append(
            Refusal(
                "INPUT",
                "two recommendations share an ID",
                _INPUT,
                "report.conclusions.recommendations",
            )
        )
    sources = {r.source for r in report.conclusions.recommendations}
    for imr in review.imrs:
        if imr.recommendations and imr.agency not in sources:
            out.append(
                Refusal(
                    "RP-2",
                    f"the recommendations do not include those of {imr.agency}'s IMR",
                    field="report.conclusions.recommendations",
                )
            )
    summary = report.executive_summary
    if summary is None or not is_text(summary.text):
        out.append(
            Refusal(
                "RP-3",
                "the report has no executive summary that can be made public",
                field="report.executive_summary",
            )
        )
    elif summary.contains_personal_data:
        out.append(
            Refusal(
                "PR-e",
                "the executive summary contains personal data and cannot be made public",
                field="report.executive_summary",
            )
        )
    return out


def _request_revision(review: Review, cmd: c.RequestRevision, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    _need_text(out, cmd.reasons, "RP-2", "reasons", "the reasons for the revision")
    return out


def _record_agency_signoff(
    review: Review, cmd: c.RecordAgencySignoff, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if not _known_agency(out, review, cmd.agency):
        return out
    member = any(
        m.person_id == ctx.actor.id and m.agency == cmd.agency for m in review.panel_members
    )
    if ctx.actor.agency != cmd.agency or not member:
        out.append(
            Refusal(
                "RP-4",
                f"only {cmd.agency}'s own panel member may confirm its "
                "information is fairly represented",
                _PERMISSION,
            )
        )
    if cmd.agency in review.signoffs:
        out.append(Refusal("RP-4", f"{cmd.agency} has already signed off"))
    return out


def _add_action(review: Review, cmd: c.AddAction, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    report = review.overview_report
    recs = {r.id for r in report.conclusions.recommendations} if report is not None else set()
    if cmd.recommendation_id not in recs:
        out.append(
            Refusal(
                "RP-5",
                f"no recommendation {cmd.recommendation_id!r} in the report",
                _INPUT,
                "recommendation_id",
            )
        )
    _need_text(out, cmd.action_id, "AP-1", "action_id", "the action's ID")
    if review.action(cmd.action_id) is not None:
        out.append(
            Refusal("INPUT", f"action {cmd.action_id!r} already exists", _INPUT, "action_id")
        )
    _need_text(out, cmd.owner, "AP-1", "owner", "who is responsible")
    if cmd.timescale_months < 1:
        out.append(
            Refusal("AP-1", "the timescale must be at least one month", _INPUT, "timescale_months")
        )
    if cmd.timescale_months > LONGEST_MONTHS:
        out.append(
            Refusal(
                "AP-1",
                f"the timescale cannot exceed {LONGEST_MONTHS} months",
                _INPUT,
                "timescale_months",
            )
        )
    _need_text(out, cmd.outcome, "AP-1", "outcome", "the intended outcome")
    _need_text(out, cmd.monitoring, "AP-1", "monitoring", "the monitoring mechanism")
    return out


def _record_dissemination(
    review: Review, cmd: c.RecordDissemination, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    d = cmd.dissemination
    if not d.recipients or not all(is_text(r) for r in d.recipients):
        out.append(
            Refusal(
                "RP-6",
                "say to whom the report is made available",
                _INPUT,
                "dissemination.recipients",
            )
        )
    _need_text(out, d.means, "RP-6", "dissemination.means", "the means of making it available")
    _need_text(
        out,
        d.processes,
        "RP-6",
        "dissemination.processes",
        "the processes for dissemination, feedback and debriefing",
    )
    return out


def _ratify(review: Review, cmd: c.Ratify, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if cmd.agreed_on is not None:
        submitted = review.overview_report.submitted_on if review.overview_report else None
        if cmd.agreed_on > ctx.today:
            out.append(
                Refusal(
                    "RP-7",
                    "the Board cannot agree the report in the future",
                    RefusalKind.INPUT,
                    "agreed_on",
                )
            )
        elif submitted is not None and cmd.agreed_on < submitted:
            out.append(
                Refusal(
                    "RP-7",
                    "the Board cannot agree the report before it was "
                    f"submitted ({submitted.isoformat()})",
                    RefusalKind.INPUT,
                    "agreed_on",
                )
            )
    unsigned = [a for a in review.agencies if a not in review.signoffs]
    if unsigned:
        out.append(
            Refusal("RP-4", f"not yet confirmed as fairly represented by: {', '.join(unsigned)}")
        )
    report = review.overview_report
    if report is not None:
        acted = {a.recommendation_id for a in review.actions}
        bare = [r.id for r in report.conclusions.recommendations if r.id not in acted]
        if bare:
            out.append(Refusal("RP-5", f"recommendations with no action: {', '.join(bare)}"))
            out.append(Refusal("PR-g", "every recommendation must become an action"))
    if review.dissemination is None:
        out.append(
            Refusal("RP-6", "who receives the report and how it is disseminated is not decided")
        )
    incomplete = [
        a.id
        for a in review.actions
        if not (
            is_text(a.owner)
            and is_text(a.outcome)
            and is_text(a.monitoring)
            and a.timescale_months >= 1
        )
    ]
    if incomplete:
        out.append(
            Refusal(
                "AP-1",
                f"actions lacking owner, timescale, outcome or monitoring: {', '.join(incomplete)}",
            )
        )
    return out


# ------------------------------------------------------------------ action plan


def _open_action(out: list[Refusal], review: Review, action_id: str) -> None:
    action = review.action(action_id)
    if action is None:
        out.append(Refusal("INPUT", f"no action {action_id!r}", _INPUT, "action_id"))
    elif action.completed_on is not None:
        out.append(Refusal("AP-1", f"action {action_id} is already completed"))


def _start_monitoring(review: Review, cmd: c.StartMonitoring, ctx: Context) -> list[Refusal]:
    return []


def _record_action_progress(
    review: Review, cmd: c.RecordActionProgress, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    _open_action(out, review, cmd.action_id)
    _need_text(out, cmd.note, "AP-2", "note", "the progress note")
    return out


def _complete_action(review: Review, cmd: c.CompleteAction, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    _open_action(out, review, cmd.action_id)
    _need_text(out, cmd.outcome, "AP-3", "outcome", "the outcome for the learning log")
    return out


def _close_review(review: Review, cmd: c.CloseReview, ctx: Context) -> list[Refusal]:
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


# ------------------------------------------------------------------ any stage


def _withdraw(review: Review, cmd: c.Withdraw, ctx: Context) -> list[Refusal]:
    # Before screening, withdrawing a CR-1 request would decline it by another name.
    out = (
        _refuse_cr1(review, "withdrawn before it is screened")
        if review.stage is Stage.REQUESTED
        else []
    )
    _need_text(out, cmd.reasons, "PR-d", "reasons", "the reasons for withdrawing")
    return out


def _pause_clock(review: Review, cmd: c.PauseClock, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if review.paused:
        out.append(
            Refusal(
                "PR-a",
                f"the clocks are already paused (since {review.pauses[-1].started_on.isoformat()})",
            )
        )
    _need_text(out, cmd.process, "PR-a", "process", "the parallel process")
    _need_text(out, cmd.reasons, "PR-a", "reasons", "the reasons for the pause")
    return out


def _resume_clock(review: Review, cmd: c.ResumeClock, ctx: Context) -> list[Refusal]:
    if not review.paused:
        return [Refusal("PR-a", "the clocks are not paused")]
    return []


def _extend_deadline(review: Review, cmd: c.ExtendDeadline, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    _need_text(out, cmd.reasons, "PR-a", "reasons", "the reasons for the extension")
    deadline = find_deadline(review, ctx.settings, ctx.today, cmd.deadline)
    if deadline is None:
        out.append(
            Refusal("INPUT", f"the review has no deadline {cmd.deadline!r}", _INPUT, "deadline")
        )
    elif not deadline.open:
        out.append(Refusal("PR-a", f"{cmd.deadline} is no longer open ({deadline.status.value})"))
    elif cmd.new_due > ctx.today + timedelta(days=FURTHEST_DAYS):
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


CHECKS: dict[str, Check] = {
    "record_chair_notified": _record_chair_notified,
    "assess_criteria": _assess_criteria,
    "confirm_review": _confirm_review,
    "recommend_alternative": _recommend_alternative,
    "decline": _decline,
    "record_records_secured": _record_records_secured,
    "record_imr_writer": _record_imr_writer,
    "agree_lead_authority": _agree_lead_authority,
    "appoint_panel_chair": _appoint_panel_chair,
    "appoint_panel_member": _appoint_panel_member,
    "appoint_overview_writer": _appoint_overview_writer,
    "record_budget": _record_budget,
    "hold_initial_meeting": _hold_initial_meeting,
    "convene_panel": _convene_panel,
    "receive_imr": _receive_imr,
    "judge_imr": _judge_imr,
    "confirm_overview_brief": _confirm_overview_brief,
    "accept_evidence": _accept_evidence,
    "record_writer_meeting": _record_writer_meeting,
    "submit_overview_report": _submit_overview_report,
    "request_revision": _request_revision,
    "record_agency_signoff": _record_agency_signoff,
    "add_action": _add_action,
    "record_dissemination": _record_dissemination,
    "ratify": _ratify,
    "start_monitoring": _start_monitoring,
    "record_action_progress": _record_action_progress,
    "complete_action": _complete_action,
    "close_review": _close_review,
    "withdraw": _withdraw,
    "pause_clock": _pause_clock,
    "resume_clock": _resume_clock,
    "extend_deadline": _extend_deadline,
}
"""The check of every command except ``submit_request`` (see
:func:`scr_engine.rules.request.validate_request`)."""
