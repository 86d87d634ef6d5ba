"""What each document shows, as plain data: built from a review without Jinja2.

Each ``*_context`` function returns the mapping its template reads. Whatever the
review does not hold yet is listed under ``missing`` in words (with the rule that
asks for it), and the document shows that list instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from scr_engine.documents.chronology import integrated_chronology
from scr_engine.documents.timeline import review_timeline, svg_layout
from scr_engine.errors import TransitionRefused
from scr_engine.history import Event
from scr_engine.publication import public_export
from scr_engine.records import (
    ActionStatus,
    Appointment,
    MemberCapacity,
    Review,
    TorItem,
)
from scr_engine.rules.deadlines import DeadlineStatus, deadlines
from scr_engine.rules.settings import ProtocolSettings
from scr_engine.words import in_words, stage_words

__all__ = [
    "CHANGED_ROLES",
    "TOR_TITLES",
    "action_plan_context",
    "chronology_context",
    "corrections",
    "overview_context",
    "panel_changes",
    "public_report_context",
    "request_context",
    "terms_revisions",
    "timeline_context",
]

TOR_TITLES: dict[TorItem, str] = {
    TorItem.IMPORTANT_ISSUES: "The most important issues to address",
    TorItem.CONTRIBUTORS: "Agencies to contribute, and who else reports",
    TorItem.NON_PROFESSIONAL_CONTRIBUTION: "How non-professionals contribute",
    TorItem.TIME_PERIOD: "The time period covered and its cut-off",
    TorItem.HISTORY: "Helpful history",
    TorItem.EVIDENCE_REQUIRED: "Evidence required",
    TorItem.DECISIONS: "How decisions were made, when, by whom and why",
    TorItem.POLICIES_AND_PROCEDURES: "Policies and procedures, and whether they were followed",
    TorItem.TRAINING: "Training required and provided",
    TorItem.RISK_ASSESSMENTS: "Risk assessments",
    TorItem.ASSESSMENTS_AND_NEEDS: "Assessments, and how needs were met",
    TorItem.RESOURCE_ISSUES: "Resource issues",
    TorItem.DIVERSITY_ISSUES: "Racial, cultural, linguistic or religious issues",
    TorItem.SENIOR_MANAGEMENT: "Senior management knowledge and decisions",
    TorItem.INTER_AGENCY_WORKING: "Inter-agency working",
    TorItem.PARALLEL_ENQUIRIES: "Coordination with parallel enquiries",
}
"""The SU-6 items of the terms of reference, as the protocol words them."""

_CAPACITY: dict[MemberCapacity, str] = {
    MemberCapacity.AGENCY: "for the agency",
    MemberCapacity.SUBJECT_OR_FAMILY: "representing the subject or the family",
    MemberCapacity.ADVOCACY: "advocacy services",
    MemberCapacity.CQC_INSPECTOR: "CQC inspector",
    MemberCapacity.CORONER: "the coroner",
    MemberCapacity.INDEPENDENT_PROVIDER: "independent sector provider",
    MemberCapacity.OTHER_PROFESSIONAL: "other professional",
}


def _agency_names(review: Review) -> dict[str, str]:
    return {a.code: a.name for a in review.involved_agencies}


def _agency(review: Review, code: str | None) -> str:
    if not code:
        return ""
    name = _agency_names(review).get(code)
    return f"{name} ({code})" if name else code


def _header(review: Review, as_of: date, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "reference": review.reference,
        "stage": stage_words(review.stage.value),
        "as_of": as_of.isoformat(),
    }


# --------------------------------------------------------------------------- request


def request_context(review: Review, as_of: date) -> dict[str, Any]:
    """The Appendix 1 request as received (RF-1, RF-2, RF-3)."""
    form = review.request
    r, o = form.requester, form.other_contact
    ctx = _header(review, as_of, "Request for a Vulnerable Adult Serious Case Review")
    ctx.update(
        to="The Chair of the Safeguarding Adults Board",
        requester=[
            ("Person requesting SCR", r.name),
            ("Job title", r.job_title),
            ("Organisation", r.organisation),
            ("Workplace", r.workplace),
            ("Address", r.address),
            ("Contact No", r.contact_number),
            ("email", r.email),
            ("Requester category (RF-1)", in_words(r.category)),
        ],
        other_contact=[
            ("Other named contact", o.name),
            ("Job title", o.job_title),
            ("Contact no.", o.contact_number),
            ("email", o.email),
        ],
        incidents=[(i.date.isoformat(), i.details) for i in form.incidents],
        how_meets_criteria=form.how_meets_criteria,
        agencies=[_agency(review, a.code) for a in form.agencies],
        joined=[_agency(review, a.code) for a in review.joined_agencies],
        other_information=form.other_information,
        signed_name=form.signed_name,
        signed_date=form.signed_date.isoformat(),
        received_on=review.received_on.isoformat(),
        chair_received_on=(
            review.chair_received_on.isoformat() if review.chair_received_on else ""
        ),
        missing=(
            []
            if review.chair_received_on is not None
            else ["the date the Chair of the Board received the request (RF-3)"]
        ),
    )
    return ctx


# --------------------------------------------------------------------------- chronology


def chronology_context(review: Review, as_of: date) -> dict[str, Any]:
    """The integrated chronology (RP-2; Appendix 3, The Facts (a))."""
    chronology = integrated_chronology(review)
    ctx = _header(review, as_of, "Integrated chronology")
    ctx.update(
        entries=[
            {
                "date": e.date.isoformat(),
                "agency": _agency(review, e.agency),
                "event": e.event,
                "seen": e.adult_seen,
                "views": e.views_sought_or_expressed,
            }
            for e in chronology.entries
        ],
        source=chronology.source,
        seen=chronology.seen,
        views=chronology.views,
        missing=list(chronology.missing),
    )
    return ctx


# --------------------------------------------------------------------------- overview


def _person(appointment: Appointment | None, review: Review) -> str:
    if appointment is None:
        return ""
    text = appointment.name
    capacity = appointment.represents or MemberCapacity.AGENCY
    if appointment.agency and capacity is MemberCapacity.AGENCY:
        text += f", for {_agency(review, appointment.agency)}"
    elif capacity is not MemberCapacity.AGENCY:
        text += f", {_CAPACITY[capacity]}"
        if appointment.agency:
            text += f" ({appointment.agency})"
    return text


CHANGED_ROLES: dict[str, str] = {
    "panel_chair": "Chair of the panel (SU-1)",
    "overview_writer": "Overview report writer (SU-9)",
    "panel_member": "Panel member (SU-2)",
}
"""Each role of a :class:`~scr_engine.records.Replacement` as the documents word it,
with the rule of its correction."""


def _appointee(review: Review, person_id: str) -> Appointment | None:
    """Whom ``person_id`` names among the people appointed to the review, now or
    before a correction."""
    people = [review.panel_chair, review.overview_writer, *review.panel_members]
    people += [gone.person for gone in review.replaced]
    return next((p for p in people if p is not None and p.person_id == person_id), None)


def panel_changes(review: Review) -> list[dict[str, str]]:
    """The people who no longer act on the review, oldest first: the panel chair or
    overview writer replaced (SU-1, SU-9), the panel members stood down (SU-2), each
    with who took their place, the reasons and the day."""
    rows: list[dict[str, str]] = []
    for gone in review.replaced:
        newcomer = gone.replaced_by
        if newcomer is None:
            replaced_by = "nobody"
        else:
            appointed = _appointee(review, newcomer)
            replaced_by = _person(appointed, review) if appointed is not None else newcomer
        rows.append(
            {
                "day": gone.day.isoformat(),
                "role": CHANGED_ROLES.get(gone.role, gone.role),
                "person": _person(gone.person, review),
                "replaced_by": replaced_by,
                "reasons": gone.reasons,
            }
        )
    return rows


def terms_revisions(review: Review) -> list[dict[str, str]]:
    """The revisions of the terms of reference, oldest first (SU-6): the day, the
    reasons and the deadlines the terms replaced had set."""
    return [
        {
            "day": revision.day.isoformat(),
            "reasons": revision.reasons,
            "before": (
                f"IMRs due {revision.previous.imr_due.isoformat()}; overview report due "
                f"{revision.previous.overview_due.isoformat()}; "
                f"{revision.previous.review_months} months to complete"
            ),
        }
        for revision in review.terms_revisions
    ]


def corrections(review: Review) -> list[dict[str, str]]:
    """Every correction, by day: the terms of reference revised (SU-6; the deadlines
    follow the new terms) and the people replaced or stood down (SU-1, SU-9, SU-2)."""
    rows = [
        {
            "day": r["day"],
            "what": "Terms of reference revised (SU-6); before: " + r["before"],
            "reasons": r["reasons"],
        }
        for r in terms_revisions(review)
    ]
    for change in panel_changes(review):
        by = change["replaced_by"]
        done = "stood down" if by == "nobody" else f"replaced by {by}"
        rows.append(
            {
                "day": change["day"],
                "what": f"{change['role']}: {change['person']} {done}",
                "reasons": change["reasons"],
            }
        )
    return sorted(rows, key=lambda row: row["day"])


def overview_context(review: Review, as_of: date) -> dict[str, Any]:
    """The overview report in the Appendix 3 structure, pre-filled with what the
    review holds (RP-2, RP-3, RP-7)."""
    missing: list[str] = []
    report = review.overview_report
    ctx = _header(review, as_of, "Overview report")
    if report is None:
        missing.append("the overview report has not been submitted by the writer (RP-2)")
    if review.ratified_on is None:
        missing.append("the date the report was agreed at the Board: not ratified yet (RP-7)")

    # Introduction (a): circumstances.
    circumstances = report.introduction.circumstances if report is not None else ""
    incidents = [(i.date.isoformat(), i.details) for i in review.request.incidents]

    # Introduction (b): terms of reference.
    terms = review.terms_of_reference
    tor: list[dict[str, Any]] = []
    tor_facts: list[tuple[str, str]] = []
    if terms is None:
        missing.append("the terms of reference, agreed at the initial meeting (SU-6)")
    else:
        for item, title in TOR_TITLES.items():
            answer = terms.items.get(item)
            if answer is None:
                text = ""
            elif answer.not_applicable:
                text = f"Not applicable: {answer.reason}"
            else:
                text = answer.text
            tor.append({"title": title, "text": text})
        tor_facts = [
            (
                "Agencies providing IMRs (SU-7)",
                ", ".join(_agency(review, a) for a in terms.imr_agencies),
            ),
            ("IMRs due (SU-7)", terms.imr_due.isoformat()),
            ("Overview report due (RP-1)", terms.overview_due.isoformat()),
            ("Months to complete the review (SU-4)", str(terms.review_months)),
        ]
        if terms.case_specific_scope:
            tor_facts.append(("Specific to this case (CR-3)", terms.case_specific_scope))
        if terms.family is not None:
            tor_facts.append(
                (
                    "The adult and family (SU-8)",
                    f"Decided {in_words(terms.family.decision)}, "
                    f"{in_words(terms.family.representation)}: {terms.family.reasons}",
                )
            )
    tor_text = report.introduction.terms_of_reference if report is not None else ""

    # Introduction (c): contributors and their contributions.
    contributors: list[dict[str, Any]] = []
    writers = {w.agency: w.name for w in review.imr_writers}
    for code in review.imr_agencies:
        imr = review.imr(code)
        if imr is None:
            missing.append(f"the IMR of {code} (EV-1)")
        contributors.append(
            {
                "agency": _agency(review, code),
                "writer": writers.get(code, ""),
                "received_on": imr.received_on.isoformat() if imr is not None else "",
                "judgement": in_words(imr.judgement)
                if imr is not None and imr.judgement is not None
                else "",
                "summary": imr.summary if imr is not None else "",
                "entries": len(imr.chronology) if imr is not None else 0,
            }
        )
    contributors_text = report.introduction.contributors if report is not None else ""

    # Introduction (d): panel members and the writer.
    if review.panel_chair is None:
        missing.append("the panel chair (SU-1)")
    if review.overview_writer is None:
        missing.append("the overview report writer (SU-9)")
    panel = [_person(m, review) for m in review.panel_members]
    panel_text = report.introduction.panel_and_writer if report is not None else ""

    # The Facts.
    chronology = chronology_context(review, as_of)
    # Analysis and conclusions come from the report only.
    analysis = (
        {
            "how_and_why": report.analysis.how_and_why,
            "hindsight": report.analysis.hindsight,
            "good_practice": report.analysis.good_practice,
        }
        if report is not None
        else None
    )
    recommendations: list[dict[str, Any]] = []
    if report is not None:
        for rec in report.conclusions.recommendations:
            recommendations.append(
                {
                    "id": rec.id,
                    "text": rec.text,
                    "source": "overview report"
                    if rec.source == "overview"
                    else f"IMR of {_agency(review, rec.source)}",
                    "national": rec.national,
                }
            )
    imr_recommendations = [
        {"agency": _agency(review, imr.agency), "text": text}
        for imr in review.imrs
        for text in imr.recommendations
    ]
    summary = report.executive_summary if report is not None else None
    if report is not None and summary is None:
        missing.append("the executive summary that can be made public (RP-3)")
    ctx.update(
        agreed_on=review.ratified_on.isoformat() if review.ratified_on else "",
        submitted_on=report.submitted_on.isoformat()
        if report is not None and report.submitted_on
        else "",
        circumstances=circumstances,
        incidents=incidents,
        how_meets_criteria=review.request.how_meets_criteria,
        tor=tor,
        tor_facts=tor_facts,
        tor_text=tor_text,
        contributors=contributors,
        contributors_text=contributors_text,
        panel_chair=_person(review.panel_chair, review),
        panel=panel,
        writer=_person(review.overview_writer, review),
        panel_text=panel_text,
        panel_changes=panel_changes(review),
        terms_revisions=terms_revisions(review),
        chronology=chronology,
        overview_of_known=report.facts.overview_of_known if report is not None else "",
        analysis=analysis,
        lessons=report.conclusions.lessons if report is not None else "",
        national_lessons=report.conclusions.national_lessons if report is not None else "",
        recommendations=recommendations,
        imr_recommendations=imr_recommendations,
        executive_summary=summary.text if summary is not None else "",
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- action plan


def action_plan_context(review: Review, settings: ProtocolSettings, as_of: date) -> dict[str, Any]:
    """The action plan (RP-5, AP-1, AP-2) with overdue actions marked, and the
    learning log (AP-3)."""
    missing: list[str] = []
    ctx = _header(review, as_of, "Action plan")
    report = review.overview_report
    texts = {r.id: r.text for r in report.conclusions.recommendations} if report else {}
    due = {d.key: d for d in deadlines(review, settings, as_of) if d.key.startswith("action:")}
    if not review.actions:
        missing.append(
            "no action yet: recommendations become actions once the overview report is in (RP-5)"
        )
    elif review.ratified_on is None:
        missing.append("due dates: each action's timescale runs from ratification (AP-2)")
    covered = {a.recommendation_id for a in review.actions}
    for rec_id in texts:
        if rec_id not in covered:
            missing.append(f"an action for recommendation {rec_id} (RP-5)")
    actions: list[dict[str, Any]] = []
    for action in review.actions:
        deadline = due.get(f"action:{action.id}")
        if deadline is not None and deadline.status is DeadlineStatus.OVERDUE:
            status = "overdue"
        elif action.status is ActionStatus.COMPLETED:
            status = "completed"
        elif deadline is not None and deadline.status is DeadlineStatus.CANCELLED:
            status = "cancelled"
        else:
            status = "open"
        actions.append(
            {
                "id": action.id,
                "recommendation_id": action.recommendation_id,
                "recommendation": texts.get(action.recommendation_id, ""),
                "responsible": action.owner,
                "timescale": f"{action.timescale_months} months",
                "due_on": deadline.due_on.isoformat() if deadline is not None else "",
                "outcome": action.outcome,
                "monitoring": action.monitoring,
                "status": status,
                "overdue": status == "overdue",
                "days_late": deadline.days_late if deadline is not None else 0,
                "completed_on": action.completed_on.isoformat() if action.completed_on else "",
                "progress": [(n.on.isoformat(), n.note) for n in action.progress],
            }
        )
    ctx.update(
        ratified_on=review.ratified_on.isoformat() if review.ratified_on else "",
        actions=actions,
        overdue=sum(1 for a in actions if a["overdue"]),
        learning_log=[
            (e.recorded_on.isoformat(), e.action_id, e.outcome) for e in review.learning_log
        ],
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- public report


def public_report_context(review: Review, as_of: date) -> dict[str, Any]:
    """The public report (PR-e, RP-3): only what
    :func:`scr_engine.publication.public_export` gives, nothing else of the review."""
    ctx: dict[str, Any] = {
        "title": "Serious Case Review: public report",
        "as_of": as_of.isoformat(),
    }
    try:
        public = public_export(review)
    except TransitionRefused as refused:
        ctx.update(
            reference=review.reference,
            stage=stage_words(review.stage.value),
            report=None,
            missing=[f"{r.message} ({r.rule})" for r in refused.refusals],
        )
        return ctx
    ctx.update(
        reference=public.reference,
        stage=stage_words(public.stage.value),
        report={
            "agreed_on": public.agreed_on.isoformat() if public.agreed_on else "",
            "executive_summary": public.executive_summary,
            "lessons": public.lessons,
            "national_lessons": public.national_lessons,
            "recommendations": [
                {"id": r.id, "text": r.text, "national": r.national} for r in public.recommendations
            ],
            "actions": [
                {
                    "id": a.id,
                    "recommendation_id": a.recommendation_id,
                    "responsible": a.responsible,
                    "timescale": f"{a.timescale_months} months",
                    "outcome": a.intended_outcome,
                    "monitoring": a.monitoring,
                    "status": a.status.value,
                    "status_words": in_words(a.status),
                    "completed_on": a.completed_on.isoformat() if a.completed_on else "",
                }
                for a in public.actions
            ],
        },
        missing=[] if public.executive_summary else ["the executive summary (RP-3)"],
    )
    return ctx


# --------------------------------------------------------------------------- timeline


def timeline_context(
    review: Review,
    settings: ProtocolSettings,
    as_of: date,
    history: Sequence[Event] | None = None,
) -> dict[str, Any]:
    """The timeline: stages over time, every deadline met, missed or overdue, and the
    pauses (with the picture's coordinates for HTML)."""
    timeline = review_timeline(review, settings, as_of, history)
    ctx = _header(review, as_of, "Timeline")
    ctx.update(
        stages=[
            {
                "stage": stage_words(s.stage.value),
                "started_on": s.started_on.isoformat(),
                "ended_on": s.ended_on.isoformat() if s.ended_on else "",
                "days": s.days(as_of),
                "final": s.stage.terminal,
            }
            for s in timeline.stages
        ],
        deadlines=[
            {
                "rule": d.rule,
                "title": d.title,
                "starts_on": d.starts_on.isoformat(),
                "due_on": d.due_on.isoformat(),
                "met_on": d.met_on.isoformat() if d.met_on else "",
                "status": d.status.value,
                "days_late": d.days_late,
            }
            for d in timeline.deadlines
        ],
        pauses=[
            {
                "started_on": p.started_on.isoformat(),
                "ended_on": p.ended_on.isoformat() if p.ended_on else "",
                "process": p.process,
                "days": p.days(as_of),
            }
            for p in timeline.pauses
        ],
        paused_days=sum(p.days(as_of) for p in timeline.pauses),
        counts={
            status.value: sum(1 for d in timeline.deadlines if d.status is status)
            for status in DeadlineStatus
        },
        corrections=corrections(review),
        layout=svg_layout(timeline),
        ended=review.stage.terminal,
        open_stage=None if review.stage.terminal else stage_words(review.stage.value),
        ended_on=timeline.ended_on.isoformat() if timeline.ended_on else "",
        missing=list(timeline.missing),
    )
    return ctx
