"""A Safeguarding Adults Review's documents (issue 23, item 6), made the way the SCR's
are (:mod:`scr_engine.documents.render`): one context builder per document, plain data
from a :class:`~scr_engine.protocols.sar.records.SarReview`, rendered by the shared
Jinja2 environments (HTML autoescaped, Markdown escaped on output) with the Board's
identity and the protective marking at the top and bottom. A document the review
cannot complete yet lists what is missing, each item with the rule that asks for it.

The publishable summary is the public one (SAR-P-4, SAR-P-6, SAR-G-5): it reads no
field marked as personal data, strikes every personal value the review holds out of
the free text it prints (as :func:`scr_engine.publication.public_export` does for an
SCR: each becomes :data:`~scr_engine.personal.REDACTED`), and every item supplied
under an information request that no disclosure to
:data:`~scr_engine.protocols.sar.information_records.PUBLIC` has cleared (SAR-I-6), and
carries the Board's ``public_marking``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.documents.register import as_identity
from scr_engine.documents.render import (
    Document,
    Format,
    _check_format,
    _identity,
    _refused_input,
    _rendered,
)
from scr_engine.personal import Striker, personal_values, publication_striker
from scr_engine.protocols.sar import DOCUMENTS as _SAR_DOCUMENT_NAMES
from scr_engine.protocols.sar.guards_setup import PRINCIPLES, TOR_ITEMS
from scr_engine.protocols.sar.information_records import uncleared_items
from scr_engine.protocols.sar.records import (
    ActionStatus,
    AdultAssessment,
    Conjunct,
    Decision,
    Implementation,
    MandateKind,
    Outcome,
    PublicationStatus,
    SarReview,
    review_test,
)
from scr_engine.protocols.sar.stages import TERMINAL
from scr_engine.serialization import unstructure

__all__ = [
    "SAR_DOCUMENTS",
    "SAR_PUBLIC_DOCUMENTS",
    "SAR_TOR_TITLES",
    "action_plan_context",
    "decision_record_context",
    "publishable_summary_context",
    "referral_context",
    "render_all_sar",
    "render_sar",
    "report_context",
    "sar_context",
    "terms_of_reference_context",
    "timeline_context",
]

SAR_DOCUMENTS: tuple[str, ...] = _SAR_DOCUMENT_NAMES
"""Every document of a SAR, by its stable name: the SAR definition's list,
:data:`scr_engine.protocols.sar.DOCUMENTS`."""

SAR_PUBLIC_DOCUMENTS: frozenset[str] = frozenset({"publishable-summary"})
"""The SAR documents that hold no personal data (SAR-G-5, SAR-P-6): marked with the
Board's ``public_marking``; the others carry its ``marking``."""

SAR_TOR_TITLES: dict[str, str] = {
    "mandate": "The mandate (SAR-D-8)",
    "purpose": "The purpose: learning, not blame (SAR-G-1)",
    "adults": "The adult or adults",
    "period": "The period under review",
    "lines_of_enquiry": "Key lines of enquiry",
    "agencies": "Agencies, members and non-members",
    "methodology": "The methodology and evidence plan",
    "involvement": "Involvement of the adult, the family and any advocate",
    "parallel_processes": "Parallel processes and how they are coordinated",
    "timescale": "The timescale",
    "governance": "Governance and sign-off",
    "publication": "The intention to publish",
}
"""The SAR-M-5 items of the terms of reference (``TOR_ITEMS``), as the documents word
them."""

_TITLES: dict[str, str] = {
    "referral": "Referral for a Safeguarding Adults Review",
    "decision-record": "Decision record",
    "terms-of-reference": "Terms of reference",
    "report": "Safeguarding Adults Review report",
    "publishable-summary": "Safeguarding Adults Review: publishable summary",
    "action-plan": "Action plan",
    "timeline": "Timeline",
}

_CONJUNCTS: tuple[tuple[str, str], ...] = (
    ("in_area", "(a) in the Board's area (SAR-C-1)"),
    ("care_and_support_needs", "(b) needs for care and support (SAR-C-1)"),
    ("working_together_concern", "(c) concern about how agencies worked together (SAR-C-1)"),
    ("condition_1", "(d) condition 1: died, abuse or neglect known or suspected (SAR-C-2)"),
    ("condition_2", "(d) condition 2: alive, serious abuse or neglect (SAR-C-3)"),
)

_REPORT_PARTS: tuple[tuple[str, str], ...] = (
    ("mandate_and_tor", "The mandate and the terms of reference"),
    ("methodology", "The methodology, and why it was chosen"),
    ("involvement", "How the adult, the family and practitioners were involved"),
    ("period", "The period under review"),
    ("analysis", "What happened and why"),
    ("purpose", "Purpose: learning, not blame (SAR-G-1)"),
)


_OUTCOMES: dict[Outcome, str] = {
    Outcome.SAR_MANDATORY: "a SAR, mandatory",
    Outcome.SAR_DISCRETIONARY: "a SAR, discretionary",
    Outcome.OTHER_LEARNING_REVIEW: "another learning review",
    Outcome.NO_REVIEW: "no review",
}


def _words(code: str) -> str:
    return code.replace("_", " ")


def _stage(code: str) -> str:
    return _words(code).capitalize()


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _header(review: SarReview, as_of: date, name: str) -> dict[str, Any]:
    return {
        "title": _TITLES[name],
        "reference": review.reference,
        "stage": _stage(review.stage),
        "as_of": as_of.isoformat(),
    }


def _agency(review: SarReview, code: str) -> str:
    name = next((a.name for a in review.referral.agencies if a.code == code), "")
    return f"{name} ({code})" if name else code


def _mandate(review: SarReview) -> str:
    mandate = review.mandate
    if mandate is None:
        return ""
    if mandate.kind is MandateKind.MANDATORY:
        return f"mandatory, condition {mandate.condition}"
    return mandate.kind.value


# --------------------------------------------------------------------------- referral


def referral_context(review: SarReview, as_of: date) -> dict[str, Any]:
    """The referral as received (SAR-R-1, SAR-R-2), and screening (SAR-R-4)."""
    form = review.referral
    missing: list[str] = []
    if review.acknowledged_on is None:
        missing.append("the date the referral was acknowledged (SAR-R-3)")
    if review.information_outstanding:
        missing.append(
            f"information incomplete: {review.information_outstanding} information "
            "request(s) outstanding (SAR-R-4)"
        )
    ctx = _header(review, as_of, "referral")
    ctx.update(
        received_on=_day(review.received_on),
        acknowledged_on=_day(review.acknowledged_on),
        referrer=[
            ("Referrer category (SAR-R-1)", _words(form.referrer_category or "")),
            ("Referrer", form.referrer),
            ("Contact", form.referrer_contact),
        ],
        adults=[
            {
                "id": a.id,
                "name": a.name,
                "area": a.area,
                "status": "alive" if a.alive else f"died {_day(a.died_on)}".strip(),
            }
            for a in form.adults
        ],
        events=[(e.on.isoformat(), e.what) for e in form.events],
        rationale=form.rationale,
        agencies=[
            {"agency": _agency(review, a.code), "member": "yes" if a.sab_member else "no"}
            for a in form.agencies
        ],
        other_processes=list(form.other_processes),
        aware={True: "yes", False: "no", None: ""}[form.adult_or_family_aware],
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- decision


def _conjunct(label: str, conjunct: Conjunct) -> dict[str, str]:
    return {"label": label, "value": _words(conjunct.value), "reasons": conjunct.reasons}


def _assessment(review: SarReview, a: AdultAssessment) -> dict[str, Any]:
    adult = review.adult(a.adult)
    conjuncts = [_conjunct(label, getattr(a, key)) for key, label in _CONJUNCTS]
    conjuncts.append(
        {"label": "(d) condition 1 or condition 2", "value": _words(a.conditions), "reasons": ""}
    )
    return {
        "adult": f"{adult.name} ({a.adult})" if adult is not None else a.adult,
        "conjuncts": conjuncts,
        "result": _words(a.result),
        "condition": str(a.condition) if a.condition is not None else "",
        "abuse_types": ", ".join(sorted(_words(t) for t in a.abuse_types)),
        "seriousness": ", ".join(sorted(_words(s) for s in a.seriousness)),
        "seriousness_other": a.seriousness_other,
        "knowledge_basis": a.knowledge_basis,
        "died_on": _day(a.died_on),
        "local_grounds": ", ".join(a.local_grounds),
        "discretionary_basis": a.discretionary_basis,
    }


def _decision(review: SarReview, d: Decision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "outcome": _OUTCOMES[d.outcome],
        "alternative": _words(d.alternative) if d.alternative is not None else "",
        "reasons": d.reasons,
        "decided_by": d.decided_by,
        "decided_on": d.decided_on.isoformat(),
        "information_considered": list(d.information_considered),
        "agencies_consulted": [_agency(review, a) for a in d.agencies_consulted],
        "joint_with": d.joint_with,
    }


def decision_record_context(review: SarReview, as_of: date) -> dict[str, Any]:
    """The decision record (SAR-D-3): the per-adult three-valued mandatory test, each
    conjunct with its reasons (SAR-C-1 to SAR-C-5), the review's result over its adults
    (SAR-C-8), the outcome (SAR-D-2) and the mandate (SAR-D-8)."""
    missing: list[str] = []
    decision = review.decision
    assessments = decision.assessment if decision and decision.assessment else review.assessments
    if not assessments:
        missing.append("the mandatory test, assessed for each adult (SAR-C-5)")
    if decision is None:
        missing.append("the decision, with reasons, who decided and when (SAR-D-3)")
    sar = decision is not None and decision.outcome in (
        Outcome.SAR_MANDATORY,
        Outcome.SAR_DISCRETIONARY,
    )
    if sar and (review.mandate is None or review.mandate.kind is MandateKind.UNDETERMINED):
        missing.append("the mandate, resolved before commissioning (SAR-D-8)")
    ctx = _header(review, as_of, "decision-record")
    ctx.update(
        assessments=[_assessment(review, a) for a in assessments],
        test=_words(review_test(assessments)),
        recommendation=_decision(review, review.recommendation),
        decision=_decision(review, decision),
        mandate=_mandate(review) if sar else "none: not a SAR" if decision else "",
        withdrawal=_words(review.withdrawal) if review.withdrawal is not None else "",
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- terms


def terms_of_reference_context(review: SarReview, as_of: date) -> dict[str, Any]:
    """The terms of reference (SAR-M-5) with the six principles (SAR-G-2), the
    methodology (SAR-M-1) and the lead reviewer (SAR-M-3)."""
    missing: list[str] = []
    terms = review.terms
    items: list[dict[str, str]] = []
    principles: list[tuple[str, str]] = []
    if terms is None:
        missing.append("the terms of reference (SAR-M-5)")
    else:
        for key in TOR_ITEMS:
            entry = terms.items.get(key)
            if entry is None:
                missing.append(f"the item {SAR_TOR_TITLES[key].lower()!r} (SAR-M-5)")
                text = ""
            elif entry.not_applicable:
                text = f"Not applicable: {entry.not_applicable}"
            else:
                text = entry.text
            items.append({"title": SAR_TOR_TITLES[key], "text": text})
        for key in PRINCIPLES:
            principle = terms.principles.get(key, "")
            if not principle:
                missing.append(f"how the review reflects {key} (SAR-G-2)")
            principles.append((key.capitalize(), principle))
    if review.methodology is None:
        missing.append("the methodology (SAR-M-1)")
    if review.lead_reviewer is None:
        missing.append("the lead reviewer (SAR-M-3)")
    m = review.methodology
    ctx = _header(review, as_of, "terms-of-reference")
    ctx.update(
        mandate=_mandate(review),
        period=(
            f"{_day(terms.period_start)} to {_day(terms.period_end)}"
            if terms is not None and terms.period_start and terms.period_end
            else ""
        ),
        report_due=_day(terms.report_due) if terms is not None else "",
        items=items,
        principles=principles,
        methodology=[
            ("Methodology (SAR-M-1)", _words(m.code) if m else ""),
            ("Why it was chosen", m.rationale if m else ""),
            ("Proportionality", m.proportionality if m else ""),
        ],
        plan=[
            {
                "id": i.id,
                "type": _words(i.type),
                "owner": _agency(review, i.owner),
                "due_on": _day(i.due_on),
                "status": _words(i.status),
            }
            for i in (m.plan if m else ())
        ],
        lead_reviewer=review.lead_reviewer.name if review.lead_reviewer else "",
        former_reviewers=[
            (
                f"Lead reviewer until {_day(gone.day)} (SAR-M-3)",
                f"{gone.reviewer.name}, replaced: {gone.reasons}",
            )
            for gone in review.replaced_reviewers
        ],
        commissioned_on=_day(review.commissioned_on),
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- report


def report_context(review: SarReview, as_of: date) -> dict[str, Any]:
    """The report skeleton (SAR-P-1): each required part, the numbered findings
    (SAR-P-2), the recommendations linked to them, and the summary; what is not
    written yet is listed as missing."""
    missing: list[str] = []
    report = review.report
    if report is None:
        missing.append("the report, submitted by the lead reviewer (SAR-P-1)")
    parts = []
    for key, title in _REPORT_PARTS:
        text = getattr(report, key) if report is not None else ""
        if report is not None and not text:
            missing.append(f"the part {title.lower()!r} (SAR-P-1)")
        parts.append({"title": title, "text": text})
    findings = list(report.findings) if report is not None else []
    recommendations = list(report.recommendations) if report is not None else []
    if report is not None:
        if not findings:
            missing.append("numbered findings (SAR-P-2)")
        if not recommendations:
            missing.append("recommendations linked to findings (SAR-P-1)")
        if not report.summary:
            missing.append("the publishable summary or learning briefing (SAR-P-1)")
    if review.ratified_on is None:
        missing.append("the SAB's sign-off (SAR-P-9)")
    ctx = _header(review, as_of, "report")
    ctx.update(
        mandate=_mandate(review),
        submitted_on=_day(report.submitted_on) if report is not None else "",
        ratified_on=_day(review.ratified_on),
        parts=parts,
        findings=[{"id": f.id, "text": f.text, "theme": f.theme} for f in findings],
        recommendations=[
            {"id": r.id, "text": r.text, "findings": ", ".join(r.findings)} for r in recommendations
        ],
        summary=report.summary if report is not None else "",
        signoffs=[(_agency(review, k), v) for k, v in sorted(review.signoffs.items())],
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- public


def _redactor(review: SarReview) -> Striker:
    """Strikes out of a text every personal value of ``review`` and every item
    supplied under its information requests and not cleared for publication
    (SAR-P-6, SAR-I-6)."""
    values = personal_values(SarReview, unstructure(review))
    return publication_striker(values | uncleared_items(review.information_requests))


def publishable_summary_context(review: SarReview, as_of: date) -> dict[str, Any]:
    """The publishable summary (SAR-P-4, SAR-P-5, SAR-P-6, SAR-G-5): the mandate, the
    summary or learning briefing, the findings with the SAB's decisions (SAR-A-1) and
    the recommendations, and what was published (SAR-P-7). No field marked as personal
    data is read, and every personal value of the review is struck out of the free text
    it prints (SAR-P-6): no adult, referrer, contact or person is named."""
    missing: list[str] = []
    report = review.report
    if report is None or not report.summary:
        missing.append("the publishable summary or learning briefing (SAR-P-1)")
    if review.ratified_on is None:
        missing.append("the SAB's sign-off (SAR-P-9)")
    publication = review.publication
    if publication.status is PublicationStatus.UNDECIDED:
        missing.append("the publication decision (SAR-P-5)")
    clean = _redactor(review)
    findings = []
    for f in report.findings if report is not None else ():
        decided = review.decision_on(f.id)
        findings.append(
            {
                "id": clean(f.id),
                "text": clean(f.text),
                "theme": clean(f.theme),
                "decision": _words(decided.decision) if decided else "",
                "reasons": clean(decided.reasons) if decided else "",
            }
        )
    ctx = _header(review, as_of, "publishable-summary")
    ctx.update(
        reference=clean(review.reference),
        mandate=_mandate(review),
        ratified_on=_day(review.ratified_on),
        summary=clean(report.summary) if report is not None else "",
        findings=findings,
        recommendations=[
            {"id": clean(r.id), "text": clean(r.text), "findings": clean(", ".join(r.findings))}
            for r in (report.recommendations if report is not None else ())
        ],
        publication=_words(publication.status),
        choice=_words(publication.choice) if publication.choice is not None else "",
        defer_until=clean(publication.defer_until_event),
        published=[
            {
                "on": e.on.isoformat(),
                "url": clean(e.url),
                "version": clean(e.version),
                "what": clean(e.what),
            }
            for e in publication.entries
        ],
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- action plan


def action_plan_context(review: SarReview, as_of: date) -> dict[str, Any]:
    """The action plan: each finding's decision (SAR-A-1), ``implement`` with its
    actions or ``not_implement`` with its published reasons, and every action with its
    owner, due date, intended outcome and impact measure (SAR-A-2), overdue ones
    marked (SAR-A-3)."""
    missing: list[str] = []
    report = review.report
    if report is None:
        missing.append("the findings: the report is not in yet (SAR-P-2)")
    rows: list[dict[str, Any]] = []
    for f in report.findings if report is not None else ():
        decided = review.decision_on(f.id)
        linked = [a.id for a in review.actions if f.id in a.findings]
        if decided is None:
            missing.append(f"the SAB's decision on finding {f.id} (SAR-A-1)")
        elif decided.decision is Implementation.IMPLEMENT and not linked:
            missing.append(f"an action for finding {f.id}, to be implemented (SAR-A-1)")
        rows.append(
            {
                "id": f.id,
                "text": f.text,
                "decision": decided.decision.value if decided else "",
                "decided_on": _day(decided.decided_on) if decided else "",
                "reasons": decided.reasons if decided else "",
                "actions": ", ".join(linked),
            }
        )
    actions = []
    for a in review.actions:
        overdue = a.status is ActionStatus.OPEN and a.due_on < as_of
        actions.append(
            {
                "id": a.id,
                "findings": ", ".join(a.findings),
                "owner": _agency(review, a.owner),
                "due_on": a.due_on.isoformat(),
                "outcome": a.intended_outcome,
                "measure": a.impact_measure,
                "interim": a.interim,
                "status": "overdue" if overdue else a.status.value,
                "overdue": overdue,
                "closed_on": _day(a.closed_on),
                "result": a.outcome,
            }
        )
    ctx = _header(review, as_of, "action-plan")
    ctx.update(
        findings=rows,
        actions=actions,
        overdue=sum(1 for a in actions if a["overdue"]),
        missing=missing,
    )
    return ctx


# --------------------------------------------------------------------------- timeline


def _events(review: SarReview) -> list[tuple[date, str, str]]:
    found: list[tuple[date | None, str, str]] = [
        (review.received_on, "Referral received", "SAR-R-1"),
        (review.acknowledged_on, "Referral acknowledged", "SAR-R-3"),
        (review.chairs_notified_on, "Chairs notified", "SAR-R-3"),
        (review.information_complete_on, "Information complete", "SAR-R-4"),
    ]
    if review.recommendation is not None:
        d = review.recommendation
        found.append((d.decided_on, f"Recommended: {_OUTCOMES[d.outcome]}", "SAR-D-1"))
    if review.decision is not None:
        d = review.decision
        found.append((d.decided_on, f"Decided: {_OUTCOMES[d.outcome]}", "SAR-D-3"))
    found.append((review.commissioned_on, "Review commissioned", "SAR-M-7"))
    for item in review.methodology.plan if review.methodology else ():
        found.append((item.received_on, f"Evidence {item.id} received", "SAR-M-11"))
        found.append(
            (item.judged_on, f"Evidence {item.id} judged {_words(item.status)}", "SAR-M-11")
        )
    for p in review.pauses:
        found.append((p.started_on, f"Clocks paused for {p.process}", "SAR-M-10"))
        found.append((p.ended_on, f"Clocks resumed after {p.process}", "SAR-M-10"))
    for e in review.extensions:
        found.append((e.on, f"{_words(e.deadline)} moved to {e.new_due.isoformat()}", "SAR-M-12"))
    for w in review.waivers:
        found.append((w.on, f"{w.rule} waived", "SAR-G-6"))
    if review.report is not None:
        found.append((review.report.submitted_on, "Report submitted", "SAR-P-1"))
    for fd in review.findings_decisions:
        found.append((fd.decided_on, f"Finding {fd.finding}: {_words(fd.decision)}", "SAR-A-1"))
    for a in review.actions:
        found.append((a.created_on, f"Action {a.id} added", "SAR-A-2"))
        found.append((a.closed_on, f"Action {a.id} {_words(a.status)}", "SAR-A-2"))
    found.append((review.ratified_on, "Signed off by the SAB", "SAR-P-9"))
    found.append((review.concluded_on, "Concluded", "SAR-A-7"))
    found.append((review.publication.tor_published_on, "Terms of reference published", "SAR-P-4"))
    for entry in review.publication.entries:
        found.append((entry.on, f"Published: {entry.what}", "SAR-P-7"))
    dated = [(day, what, rule) for day, what, rule in found if day is not None]
    return sorted(dated, key=lambda row: row[0])


def timeline_context(review: SarReview, as_of: date) -> dict[str, Any]:
    """The timeline: every dated event the review records, oldest first, and its
    deadlines: the report due (SAR-P-10) and each action's (SAR-A-3), met, open or
    overdue on ``as_of``."""
    deadlines: list[dict[str, str]] = []
    terms = review.terms
    if terms is not None and terms.report_due is not None:
        submitted = review.report.submitted_on if review.report is not None else None
        deadlines.append(_deadline("Report due", "SAR-P-10", terms.report_due, submitted, as_of))
    for a in review.actions:
        closed = a.closed_on if a.status is not ActionStatus.OPEN else None
        deadlines.append(_deadline(f"Action {a.id}", "SAR-A-3", a.due_on, closed, as_of))
    ended = review.stage in TERMINAL
    ctx = _header(review, as_of, "timeline")
    ctx.update(
        events=[(day.isoformat(), what, rule) for day, what, rule in _events(review)],
        deadlines=deadlines,
        ended=ended,
        missing=[] if ended else [f"the review is still open, at {_words(review.stage)}"],
    )
    return ctx


def _deadline(title: str, rule: str, due: date, met: date | None, as_of: date) -> dict[str, str]:
    if met is not None:
        status = "met" if met <= due else "missed"
    else:
        status = "overdue" if due < as_of else "open"
    return {
        "title": title,
        "rule": rule,
        "due_on": due.isoformat(),
        "met_on": _day(met),
        "status": status,
    }


# --------------------------------------------------------------------------- render


def sar_context(name: str, review: SarReview, as_of: date) -> dict[str, Any]:
    """The mapping the template of document ``name`` reads (one of
    :data:`SAR_DOCUMENTS`); ``ValueError`` naming every document otherwise."""
    builders = {
        "referral": referral_context,
        "decision-record": decision_record_context,
        "terms-of-reference": terms_of_reference_context,
        "report": report_context,
        "publishable-summary": publishable_summary_context,
        "action-plan": action_plan_context,
        "timeline": timeline_context,
    }
    builder = builders.get(name)
    if builder is None:
        message = f"no SAR document {name!r}: one of {', '.join(SAR_DOCUMENTS)}"
        raise _refused_input("name", message)
    return builder(review, as_of)


def _sar_identity(board: BoardIdentity, name: str) -> dict[str, str]:
    identity = _identity(board, name)
    identity["marking"] = board.public_marking if name in SAR_PUBLIC_DOCUMENTS else board.marking
    return identity


def render_sar(
    name: str,
    review: SarReview,
    *,
    fmt: Format = "md",
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> Document:
    """One document of the SAR ``review`` (``name`` one of :data:`SAR_DOCUMENTS`) as
    it stands on ``as_of``, in Markdown or HTML, naming the Board (``board``; a text
    is taken as its name) with the document's protective marking at its top and
    bottom. A document the review cannot complete yet says what is missing."""
    _check_format(fmt)
    context = sar_context(name, review, as_of)
    context["board"] = _sar_identity(as_identity(board), name)
    return _rendered(name, fmt, f"sar/{name}", context)


def render_all_sar(
    review: SarReview,
    *,
    fmt: Format = "md",
    as_of: date,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> list[Document]:
    """Every document of :data:`SAR_DOCUMENTS`, in that order."""
    return [render_sar(name, review, fmt=fmt, as_of=as_of, board=board) for name in SAR_DOCUMENTS]
