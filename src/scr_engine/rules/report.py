"""The overview report and the action plan (§7, Appendices 2 and 3): RP-2 … RP-7, OW-1,
AP-1, PR-e, PR-g.

The overview writer meets the panel, each meeting recorded with its purpose (OW-1,
``record_writer_meeting``). The appointed writer submits the report (SU-9,
``submit_overview_report``): it must have every Appendix 3 section, an integrated
chronology covering every IMR agency and the IMRs' recommendations (RP-2), and an
executive summary that can be made public (RP-3) and holds no personal data (PR-e).
(RP-1, the report's due date, is a deadline: see :mod:`scr_engine.rules.deadlines`.)
The panel chair may send the report back with reasons (``request_revision``).

Each contributing agency's own panel member confirms that its information is fully
and fairly represented (RP-4, ``record_agency_signoff``); every recommendation becomes
at least one action with an owner, a timescale, an intended outcome and a monitoring
mechanism (RP-5, PR-g, AP-1, ``add_action``); who receives the report and how it is
disseminated is decided (RP-6, ``record_dissemination``). Only then does the Board
ratify, on a date no later than today and no earlier than the report and its last
sign-off (RP-7, ``ratify``; judged with every ``occurred_on`` in
:mod:`scr_engine.rules.dates`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import (
    Analysis,
    Conclusions,
    Facts,
    Introduction,
    OverviewReport,
    Review,
)
from scr_engine.rules.common import Context, known_agency, need_text
from scr_engine.rules.deadlines import LONGEST_MONTHS
from scr_engine.rules.request import is_text

__all__ = [
    "add_action",
    "future_entries",
    "missing_imr_recommendations",
    "missing_sections",
    "ratify",
    "record_agency_signoff",
    "record_dissemination",
    "record_writer_meeting",
    "request_revision",
    "submit_overview_report",
]

_INPUT = RefusalKind.INPUT
_PERMISSION = RefusalKind.PERMISSION


_APPENDIX_3: dict[str, tuple[type, tuple[str, ...]]] = {
    "introduction": (
        Introduction,
        ("circumstances", "terms_of_reference", "contributors", "panel_and_writer"),
    ),
    "facts": (Facts, ("chronology", "overview_of_known")),
    "analysis": (Analysis, ("how_and_why", "hindsight", "good_practice")),
    "conclusions": (Conclusions, ("lessons", "recommendations", "national_lessons")),
}
"""The sections of an overview report (Appendix 3) and the parts of each."""

_MAY_BE_OMITTED = frozenset({"conclusions.national_lessons"})
"""Parts that JSON may leave out (they have a default), though never give as null."""


def _part(whole: Any, name: str) -> tuple[bool, Any]:
    """Whether ``whole`` (a record, or its JSON form) has ``name``, and its value."""
    if isinstance(whole, Mapping):
        return name in whole, whole.get(name)
    return hasattr(whole, name), getattr(whole, name, None)


def missing_sections(report: Any) -> list[Refusal]:
    """Every Appendix 3 section or part absent from ``report`` — given as ``None`` in
    Python or ``null`` in JSON, or left out of JSON — each named (RP-2), and a JSON
    report without its ``executive_summary`` (RP-3).

    This runs before the report's shape is checked, so that a report missing a section
    is refused for that, naming the section, rather than for a value of the wrong type.
    A part holding something other than nothing is left to the shape check."""
    if report is None:
        return [Refusal("RP-2", "the overview report is missing", _INPUT, "report")]
    if not isinstance(report, Mapping | OverviewReport):
        return []
    out: list[Refusal] = []
    for section, (record, parts) in _APPENDIX_3.items():
        _, value = _part(report, section)
        if value is None:
            message = f"the report lacks the Appendix 3 section {section}"
            out.append(Refusal("RP-2", message, _INPUT, f"report.{section}"))
            continue
        if not isinstance(value, Mapping | record):
            continue
        for part in parts:
            path = f"{section}.{part}"
            given, text = _part(value, part)
            if text is None and (given or path not in _MAY_BE_OMITTED):
                message = f"the report lacks the Appendix 3 section {path}"
                out.append(Refusal("RP-2", message, _INPUT, f"report.{path}"))
    if not _part(report, "executive_summary")[0]:
        message = "the report has no executive summary that can be made public"
        out.append(Refusal("RP-3", message, _INPUT, "report.executive_summary"))
    return out


def _normalised(text: str) -> str:
    return " ".join(text.split())


def missing_imr_recommendations(review: Review, recommendations: Any) -> list[Refusal]:
    """One RP-2 refusal per recommendation of an IMR that the report's recommendations
    do not carry (Appendix 3: they "should include … the recommendations made in IMR
    reports"). A recommendation is carried when one of the report's recommendations
    has the same text once runs of white space are made single spaces; its ``source``
    does not matter (docs/decisions.md)."""
    carried = {
        _normalised(r.text) for r in recommendations if isinstance(getattr(r, "text", None), str)
    }
    out: list[Refusal] = []
    for imr in review.imrs:
        for text in imr.recommendations:
            if _normalised(text) and _normalised(text) not in carried:
                out.append(
                    Refusal(
                        "RP-2",
                        f"the recommendations do not include {imr.agency}'s IMR "
                        f"recommendation {text!r}",
                        field="report.conclusions.recommendations",
                    )
                )
    return out


def future_entries(chronology: Any, submitted_on: date) -> list[Refusal]:
    """One RP-2 refusal per entry of the report's integrated chronology dated after
    ``submitted_on`` (the day the report is submitted, its ``occurred_on``): the
    chronology records what happened, so nothing in it can be later than the report."""
    out: list[Refusal] = []
    for i, entry in enumerate(chronology):
        day = getattr(entry, "date", None)
        if isinstance(day, date) and day > submitted_on:
            where = f"report.facts.chronology[{i}]"
            out.append(
                Refusal(
                    "RP-2",
                    f"{where} is dated {day.isoformat()}, after the report was submitted "
                    f"({submitted_on.isoformat()}): correct its date",
                    _INPUT,
                    f"{where}.date",
                )
            )
    return out


def record_writer_meeting(
    review: Review, cmd: c.RecordWriterMeeting, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if not cmd.purposes:
        out.append(Refusal("OW-1", "a writer meeting must record its purpose", _INPUT, "purposes"))
    if review.overview_writer is None:
        out.append(Refusal("SU-9", "the overview writer is not appointed"))
    # Only the appointed writer meets the panel as overview_writer: judged before the
    # input, by scr_engine.rules.judge.permission.
    return out


def submit_overview_report(
    review: Review, cmd: c.SubmitOverviewReport, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    # Only the appointed writer submits (SU-9): judged before the input, by
    # scr_engine.rules.judge.permission.
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
    out.extend(future_entries(report.facts.chronology, ctx.today))
    rec_ids = [r.id for r in report.conclusions.recommendations]
    if len(set(rec_ids)) != len(rec_ids):
        out.append(
            Refusal.input("two recommendations share an ID", "report.conclusions.recommendations")
        )
    out.extend(missing_imr_recommendations(review, report.conclusions.recommendations))
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


def request_revision(review: Review, cmd: c.RequestRevision, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "RP-2", "reasons", "the reasons for the revision")
    return out


def record_agency_signoff(
    review: Review, cmd: c.RecordAgencySignoff, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    if not known_agency(out, review, cmd.agency):
        return out
    # Who may sign off (the agency's own panel member) is judged before the input, by
    # scr_engine.rules.judge.agency_standing.
    if cmd.agency in review.signoffs:
        out.append(Refusal("RP-4", f"{cmd.agency} has already signed off"))
    return out


def add_action(review: Review, cmd: c.AddAction, ctx: Context) -> list[Refusal]:
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
    need_text(out, cmd.action_id, "AP-1", "action_id", "the action's ID")
    if review.action(cmd.action_id) is not None:
        out.append(Refusal.input(f"action {cmd.action_id!r} already exists", "action_id"))
    need_text(out, cmd.owner, "AP-1", "owner", "who is responsible")
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
    need_text(out, cmd.outcome, "AP-1", "outcome", "the intended outcome")
    need_text(out, cmd.monitoring, "AP-1", "monitoring", "the monitoring mechanism")
    return out


def record_dissemination(review: Review, cmd: c.RecordDissemination, ctx: Context) -> list[Refusal]:
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
    need_text(out, d.means, "RP-6", "dissemination.means", "the means of making it available")
    need_text(
        out,
        d.processes,
        "RP-6",
        "dissemination.processes",
        "the processes for dissemination, feedback and debriefing",
    )
    terms = review.terms_of_reference
    if d.media and (terms is None or not is_text(terms.media_strategy)):
        out.append(
            Refusal(
                "SU-10",
                "the terms of reference have no media and communication strategy, so the "
                "report is not disseminated to the media",
                _INPUT,
                "dissemination.media",
            )
        )
    return out


def ratify(review: Review, cmd: c.Ratify, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    unsigned = [a for a in review.agencies if a not in review.signoffs]
    if unsigned:
        out.append(
            Refusal("RP-4", f"not yet confirmed as fairly represented by: {', '.join(unsigned)}")
        )
        represented = {m.agency for m in review.panel_members}
        for agency in unsigned:
            if agency not in represented:
                out.append(
                    Refusal(
                        "RP-4",
                        f"{agency} has no panel member: appoint a panel member for agency "
                        f"{agency} (appoint_panel_member), who then records its sign-off "
                        "(record_agency_signoff)",
                    )
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
