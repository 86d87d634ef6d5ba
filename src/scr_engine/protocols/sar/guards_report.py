"""Guards of the report, findings, actions, publication, closure, withdrawal and
waivers (``sar/map.md`` §1; SAR-P, SAR-A-1 to SAR-A-4, SAR-F-6, SAR-G-1, SAR-G-6).
"""

from __future__ import annotations

from datetime import date

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.clocks import add_duration
from scr_engine.protocols.sar.guards_common import SarContext, guard, is_text, need_text, waivable
from scr_engine.protocols.sar.methodology import profile
from scr_engine.protocols.sar.records import (
    ActionStatus,
    Implementation,
    InvolvementLevel,
    MandateKind,
    PublicationChoice,
    PublicationStatus,
    SarReview,
    TestResult,
    WithdrawReason,
)
from scr_engine.protocols.sar.rules import WAIVABLE
from scr_engine.protocols.sar.settings import Duration

__all__ = [
    "REPORT_PARTS",
    "check_add_action",
    "check_agency_signoff",
    "check_close",
    "check_complete_action",
    "check_decide_finding",
    "check_decide_publication",
    "check_dissemination",
    "check_family_response",
    "check_progress",
    "check_ratify",
    "check_record_publication",
    "check_revision",
    "check_submit_report",
    "check_waiver",
    "check_withdraw",
    "family_sight_problems",
]

REPORT_PARTS: tuple[tuple[str, str], ...] = (
    ("mandate_and_tor", "the mandate and the terms of reference"),
    ("methodology", "the methodology, and why it was chosen"),
    ("involvement", "how the adult, the family and practitioners were involved, or why not"),
    ("period", "the period under review"),
    ("analysis", "an analysis of what happened and why"),
    ("summary", "a publishable summary or learning briefing"),
)
"""The report's required parts (SAR-P-1), besides findings and recommendations."""


def check_submit_report(review: SarReview, cmd: c.SubmitReport, ctx: SarContext) -> list[Refusal]:
    """SAR-P-1 (every part, numbered findings, recommendations linked to findings;
    Appendix 3 under ``imr_overview``; waivable), SAR-P-2 (findings as records),
    SAR-G-1 (the purpose: learning, not blame)."""
    out: list[Refusal] = []
    r = cmd.report
    missing = [what for name, what in REPORT_PARTS if not is_text(getattr(r, name))]
    if not r.findings:
        missing.append("numbered findings")
    if not r.recommendations:
        missing.append("recommendations linked to findings")
    m = review.methodology
    if m is not None and profile(m.code).appendix3 and not r.appendix3:
        missing.append("the Appendix 3 sections (imr_overview)")
    waivable(
        out, review, not missing, "SAR-P-1", f"the report lacks: {'; '.join(missing)}", "report"
    )
    ids = [f.id for f in r.findings]
    for n, f in enumerate(r.findings):
        need_text(out, f.id, "SAR-P-2", f"report.findings[{n}].id", "the finding's number")
        need_text(out, f.text, "SAR-P-2", f"report.findings[{n}].text", "the finding's text")
    guard(out, len(set(ids)) == len(ids), "SAR-P-2", "finding ids must differ", "report.findings")
    for n, rec in enumerate(r.recommendations):
        unknown = [f for f in rec.findings if f not in ids]
        guard(
            out,
            bool(rec.findings) and not unknown,
            "SAR-P-2",
            f"recommendation {rec.id} must reference findings of the report",
            f"report.recommendations[{n}]",
        )
    need_text(out, r.purpose, "SAR-G-1", "report.purpose", "the purpose: learning, not blame")
    return out


def check_revision(review: SarReview, cmd: c.RequestRevision, ctx: SarContext) -> list[Refusal]:
    """Reasons given (``map.md``)."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "INPUT", "reasons", "the reasons for revision")
    return out


def _after_report(
    out: list[Refusal], review: SarReview, day: date | None, rule: str, what: str
) -> None:
    """``what`` recorded after the fact (``occurred_on``) cannot precede the day the
    report was submitted."""
    submitted = review.report.submitted_on if review.report is not None else None
    if day is not None and submitted is not None and day < submitted:
        message = (
            f"{what} cannot have happened on {day.isoformat()}, before the report was "
            f"submitted ({submitted.isoformat()})"
        )
        out.append(Refusal(rule, message, RefusalKind.INPUT, "occurred_on"))


def _not_before(
    out: list[Refusal], day: date | None, floor: date | None, rule: str, what: str
) -> None:
    """A happening recorded after the fact (``occurred_on``) cannot precede ``floor``,
    the day ``what``."""
    if day is not None and floor is not None and day < floor:
        message = f"it cannot have happened on {day.isoformat()}, before {what} ({floor})"
        out.append(Refusal(rule, message, RefusalKind.INPUT, "occurred_on"))


def check_agency_signoff(
    review: SarReview, cmd: c.RecordAgencySignoff, ctx: SarContext
) -> list[Refusal]:
    """SAR-P-3: an involved agency, by its own contributor; a dissent is stated."""
    out: list[Refusal] = []
    if cmd.agency not in review.agency_codes:
        out.append(Refusal.input(f"agency {cmd.agency!r} is not involved", "agency"))
    guard(
        out,
        ctx.actor.agency == cmd.agency,
        "SAR-P-3",
        "an agency's accuracy is confirmed by its own contributor",
        "agency",
    )
    if not cmd.confirmed:
        need_text(out, cmd.dissent, "SAR-P-3", "dissent", "the agency's dissent")
    _after_report(out, review, cmd.occurred_on, "SAR-P-3", "the agency's accuracy check")
    return out


def check_family_response(
    review: SarReview, cmd: c.RecordFamilyResponse, ctx: SarContext
) -> list[Refusal]:
    """SAR-F-6: a person of the plan at level ``see_report``; a response says how it
    was handled."""
    out: list[Refusal] = []
    person = next((p for p in review.involvement if p.person_id == cmd.person_id), None)
    guard(
        out,
        person is not None and person.level is InvolvementLevel.SEE_REPORT,
        "SAR-F-6",
        f"{cmd.person_id} is not in the plan at level see_report",
        "person_id",
    )
    if cmd.responded_on is not None:
        need_text(out, cmd.handling, "SAR-F-6", "handling", "how the comments were handled")
    return out


def check_decide_finding(review: SarReview, cmd: c.DecideFinding, ctx: SarContext) -> list[Refusal]:
    """SAR-A-1: a finding of the report; ``not_implement`` with reasons; a change of
    decision with reasons."""
    out: list[Refusal] = []
    ids = [f.id for f in review.report.findings] if review.report is not None else []
    if cmd.finding not in ids:
        out.append(Refusal.input(f"{cmd.finding!r} is not a finding of the report", "finding"))
    if cmd.decision is Implementation.NOT_IMPLEMENT:
        need_text(
            out, cmd.reasons, "SAR-A-1", "reasons", "the reasons for not implementing the finding"
        )
    if review.decision_on(cmd.finding) is not None:
        need_text(out, cmd.reasons, "SAR-A-1", "reasons", "the reasons for changing the decision")
    _after_report(out, review, cmd.occurred_on, "SAR-A-1", "the finding's decision")
    return out


def check_add_action(review: SarReview, cmd: c.AddAction, ctx: SarContext) -> list[Refusal]:
    """SAR-A-2 (owner, timescale, outcome, impact measure, findings served),
    SAR-M-13 (before the report, only interim actions)."""
    out: list[Refusal] = []
    a = cmd.action
    need_text(out, a.id, "SAR-A-2", "action.id", "the action's id")
    need_text(out, a.owner, "SAR-A-2", "action.owner", "the action's owner")
    need_text(out, a.intended_outcome, "SAR-A-2", "action.intended_outcome", "the intended outcome")
    need_text(out, a.impact_measure, "SAR-A-2", "action.impact_measure", "a measure of impact")
    if a.due_on <= ctx.today:
        out.append(
            Refusal(
                "SAR-A-2", "the timescale must end after today", RefusalKind.INPUT, "action.due_on"
            )
        )
    guard(
        out,
        all(x.id != a.id for x in review.actions),
        "SAR-A-2",
        f"action {a.id} exists already",
        "action.id",
    )
    early = review.stage in ("screened", "commissioned", "evidence_received")
    if early:
        guard(
            out, a.interim, "SAR-M-13", "before the report, actions are interim", "action.interim"
        )
    else:
        ids = [f.id for f in review.report.findings] if review.report is not None else []
        guard(
            out,
            bool(a.findings) and all(f in ids for f in a.findings),
            "SAR-A-2",
            "an action serves findings of the report",
            "action.findings",
        )
    return out


def check_dissemination(
    review: SarReview, cmd: c.RecordDissemination, ctx: SarContext
) -> list[Refusal]:
    """SAR-P-8: to whom and by what means."""
    out: list[Refusal] = []
    need_text(out, cmd.to_whom, "SAR-P-8", "to_whom", "to whom")
    need_text(out, cmd.means, "SAR-P-8", "means", "by what means")
    return out


def _window_closed(
    start: date | None, review: SarReview, ctx: SarContext, length: Duration | None
) -> bool:
    if start is None or length is None:
        return False
    return add_duration(start, length, ctx.settings.bank_holiday_calendar) <= ctx.today


def check_ratify(review: SarReview, cmd: c.Ratify, ctx: SarContext) -> list[Refusal]:
    """SAR-A-1 (every finding decided), SAR-A-2 (each finding to implement has an
    action), SAR-P-3 (each agency's accuracy check, when set; a dissent stops blocking
    once ``accuracy_window_days`` has passed)."""
    out: list[Refusal] = []
    findings = review.report.findings if review.report is not None else ()
    undecided = [f.id for f in findings if review.decision_on(f.id) is None]
    guard(out, not undecided, "SAR-A-1", f"findings without a decision: {', '.join(undecided)}")
    for f in findings:
        d = review.decision_on(f.id)
        if d is not None and d.decision is Implementation.IMPLEMENT:
            guard(
                out,
                any(f.id in a.findings for a in review.actions),
                "SAR-A-2",
                f"finding {f.id} is to be implemented but no action serves it",
            )
    if ctx.settings.agency_accuracy_check:
        submitted = review.report.submitted_on if review.report is not None else None
        closed = _window_closed(submitted, review, ctx, ctx.settings.accuracy_window_days)
        for agency in review.agency_codes:
            said = review.signoffs.get(agency)
            guard(
                out,
                said is not None,
                "SAR-P-3",
                f"agency {agency} has not checked the report's accuracy",
            )
            if said is not None and said != "confirmed":
                guard(out, closed, "SAR-P-3", f"agency {agency} dissents and its window is open")
    _after_report(out, review, cmd.occurred_on, "SAR-P-9", "the SAB's sign-off")
    return out


def check_decide_publication(
    review: SarReview, cmd: c.DecidePublication, ctx: SarContext
) -> list[Refusal]:
    """SAR-P-5: ``defer`` names the event and a review date; ``do_not_publish`` gives
    reasons; while criminal proceedings are pending the default is to defer (a
    different choice gives reasons)."""
    out: list[Refusal] = []
    if cmd.choice is PublicationChoice.DEFER:
        need_text(
            out, cmd.defer_until_event, "SAR-P-5", "defer_until_event", "the event deferred to"
        )
        if cmd.review_on is None or cmd.review_on <= ctx.today:
            out.append(
                Refusal(
                    "SAR-P-5",
                    "a deferral needs a review date after today",
                    RefusalKind.INPUT,
                    "review_on",
                )
            )
    if cmd.choice is PublicationChoice.DO_NOT_PUBLISH:
        need_text(out, cmd.reasons, "SAR-P-5", "reasons", "the reasons for not publishing")
    pending = (
        review.criminal_proceedings_pending
        and ctx.settings.defer_publication_during_criminal_proceedings
    )
    if pending and cmd.choice is not PublicationChoice.DEFER:
        need_text(
            out,
            cmd.reasons,
            "SAR-P-5",
            "reasons",
            "criminal proceedings are pending: reasons for not deferring",
        )
    guard(
        out,
        review.publication.status is not PublicationStatus.PUBLISHED,
        "SAR-P-5",
        "the report is published already",
    )
    return out


def family_sight_problems(review: SarReview, ctx: SarContext) -> list[Refusal]:
    """SAR-F-6: each person at ``see_report`` was sent the draft and responded, or
    their window (``family_sight_days``) has closed."""
    out: list[Refusal] = []
    if not ctx.settings.family_sight_required:
        return out
    for p in review.involvement:
        if p.level is not InvolvementLevel.SEE_REPORT:
            continue
        done = p.responded_on is not None or _window_closed(
            p.sight_sent_on, review, ctx, ctx.settings.family_sight_days
        )
        guard(
            out,
            p.sight_sent_on is not None and done,
            "SAR-F-6",
            f"{p.person_id} has not had sight of the report, or their window is open",
        )
    return out


def check_record_publication(
    review: SarReview, cmd: c.RecordPublication, ctx: SarContext
) -> list[Refusal]:
    """SAR-P-4 (the terms of reference, from commissioning), SAR-P-5 (the report only
    as decided), SAR-P-6 (cleared: redacted, anonymised or with consent), SAR-P-7
    (date, URL, version), SAR-F-6 (family sight first)."""
    out: list[Refusal] = []
    need_text(out, cmd.url, "SAR-P-7", "url", "where it is published (URL)")
    need_text(out, cmd.version, "SAR-P-7", "version", "the version published")
    guard(
        out,
        cmd.cleared,
        "SAR-P-6",
        "published documents are redacted, anonymised or published with consent",
        "cleared",
    )
    if cmd.what is c.PublishedWhat.TERMS_OF_REFERENCE:
        guard(out, review.terms is not None, "SAR-P-4", "no terms of reference are agreed", "what")
        return out
    pub = review.publication
    if pub.status is PublicationStatus.PUBLISHED:
        then = f" on {pub.entries[-1].on.isoformat()}" if pub.entries else ""
        message = f"it is published already{then}, as decided"
    else:
        message = f"publication is {pub.status.value}: decide to publish first"
    guard(out, pub.status is PublicationStatus.TO_PUBLISH, "SAR-P-5", message, "what")
    if cmd.what is c.PublishedWhat.REPORT:
        guard(
            out,
            pub.choice is not PublicationChoice.PUBLISH_SUMMARY,
            "SAR-P-5",
            "the decision was to publish a summary, not the full report",
            "what",
        )
    out += family_sight_problems(review, ctx)
    return out


def check_progress(
    review: SarReview, cmd: c.RecordActionProgress, ctx: SarContext
) -> list[Refusal]:
    """SAR-A-3: an open action."""
    out: list[Refusal] = []
    found = next((a for a in review.actions if a.id == cmd.action), None)
    if found is None:
        out.append(Refusal.input(f"no action {cmd.action!r}", "action"))
    else:
        _not_before(out, cmd.occurred_on, found.created_on, "SAR-A-3", f"{found.id} was added")
    need_text(out, cmd.note, "SAR-A-3", "note", "the progress")
    return out


def check_complete_action(
    review: SarReview, cmd: c.CompleteAction, ctx: SarContext
) -> list[Refusal]:
    """SAR-A-2: an open action, with its outcome (or the reasons it is discontinued)."""
    out: list[Refusal] = []
    found = next((a for a in review.actions if a.id == cmd.action), None)
    if found is None:
        out.append(Refusal.input(f"no action {cmd.action!r}", "action"))
    else:
        guard(
            out,
            found.status is ActionStatus.OPEN,
            "SAR-A-2",
            f"action {cmd.action} is closed",
            "action",
        )
        _not_before(out, cmd.occurred_on, found.created_on, "SAR-A-2", f"{found.id} was added")
    need_text(
        out, cmd.outcome, "SAR-A-2", "outcome", "the outcome and impact (or why discontinued)"
    )
    return out


def check_close(review: SarReview, cmd: c.CloseReview, ctx: SarContext) -> list[Refusal]:
    """SAR-A-4: every action done or discontinued; publication carried out; findings in
    a published annual report."""
    out: list[Refusal] = []
    open_ = [a.id for a in review.actions if a.status is ActionStatus.OPEN]
    guard(out, not open_, "SAR-A-4", f"actions still open: {', '.join(open_)}")
    done = (PublicationStatus.PUBLISHED, PublicationStatus.NOT_PUBLISHED)
    guard(
        out,
        review.publication.status in done,
        "SAR-A-4",
        f"publication is {review.publication.status.value}, not carried out",
    )
    guard(
        out,
        review.in_published_annual_report,
        "SAR-A-4",
        "the findings are not yet in a published annual report (Sch. 2 para 4(1)(d))",
    )
    ended = [a.closed_on for a in review.actions if a.closed_on is not None]
    if ended:
        _not_before(out, cmd.occurred_on, max(ended), "SAR-A-4", "the last action ended")
    return out


def check_withdraw(review: SarReview, cmd: c.Withdraw, ctx: SarContext) -> list[Refusal]:
    """The reason categories of ``withdraw``: criteria not met on new information (the
    latest assessment leaves the test not met), merged (SAR-D-7, the joint review
    linked), transferred (SAR-R-6, the other SAB linked), or ``other`` only for a
    discretionary SAR: a mandatory SAR cannot be withdrawn for ``other`` (SAR-D-2)."""
    out: list[Refusal] = []
    need_text(out, cmd.details, "INPUT", "details", "the details of the reason")
    reason = cmd.reason
    if reason is WithdrawReason.CRITERIA_NOT_MET_ON_NEW_INFORMATION:
        guard(
            out,
            review.test is TestResult.NOT_MET,
            "SAR-D-2",
            "the latest assessment does not leave the mandatory test not met",
            "reason",
        )
    elif reason is WithdrawReason.MERGED_INTO_OTHER_REVIEW:
        need_text(out, cmd.linked, "SAR-D-7", "linked", "the joint review it is merged into")
    elif reason is WithdrawReason.TRANSFERRED_TO_OTHER_SAB:
        need_text(out, cmd.linked, "SAR-R-6", "linked", "the SAB it is transferred to")
    else:
        mandate = review.mandate
        guard(
            out,
            mandate is not None and mandate.kind is MandateKind.DISCRETIONARY,
            "SAR-D-2",
            "a mandatory (or undetermined) SAR cannot be withdrawn for 'other' (s.44(1): the SAB"
            " must arrange it)",
            "reason",
        )
    return out


def check_waiver(review: SarReview, cmd: c.RecordWaiver, ctx: SarContext) -> list[Refusal]:
    """SAR-G-6: only a waivable guard, with reasons; by ``waiver_roles`` (the table)."""
    out: list[Refusal] = []
    guard(
        out,
        cmd.rule in WAIVABLE,
        "SAR-G-6",
        f"{cmd.rule} is not waivable (waivable: {', '.join(sorted(WAIVABLE))})",
        "rule",
    )
    need_text(out, cmd.reasons, "SAR-G-6", "reasons", "the reasons for the waiver")
    return out
