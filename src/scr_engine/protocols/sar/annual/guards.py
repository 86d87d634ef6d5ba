"""The annual report's guards and effects (``sar/map.md`` §3; SAR-A-4 to SAR-A-9).

A guard is a pure function ``(report, command, context) -> list[Refusal]`` naming
every failing rule; an effect ``(report, command, day, step) -> changes`` runs only
after every guard has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.definition import Step
from scr_engine.protocols.sar.annual import commands as c
from scr_engine.protocols.sar.annual.records import (
    DISTRIBUTED,
    DRAFTING,
    PUBLISHED,
    AnnualReport,
    Approval,
    Member,
    Recipient,
    RecipientKind,
    RecordedSection,
    ReviewSections,
    SectionCode,
    Sending,
    year_end,
    year_start,
)

__all__ = [
    "EFFECTS",
    "GUARDS",
    "check_inclusion",
    "include_effect",
    "incomplete",
    "one_a_year",
]

FIRST_YEAR = 2014
"""The Care Act 2014's first financial year with SABs (2015 onwards in practice)."""
LAST_YEAR = 2200


def _refuse(out: list[Refusal], rule: str, message: str, field: str | None = None) -> None:
    out.append(Refusal(rule, message, RefusalKind.GUARD, field))


def _input(out: list[Refusal], rule: str, message: str, field: str) -> None:
    out.append(Refusal(rule, message, RefusalKind.INPUT, field))


def _blank(value: Any) -> bool:
    return not (isinstance(value, str) and value.strip())


def _items(value: Any, kind: type) -> tuple[Any, ...] | None:
    """``value``'s items when it is a tuple or list of ``kind``, else None."""
    if isinstance(value, tuple | list) and all(isinstance(v, kind) for v in value):
        return tuple(value)
    return None


_PAGE = 500


def one_a_year(request: Any, store: Any) -> list[Refusal]:
    """SAR-A-5: one report per financial year: refused when ``store`` holds a report
    of the request's year already (read at every stage a report can be at)."""
    year = getattr(request, "year", None)
    for stage in (DRAFTING, PUBLISHED, DISTRIBUTED):
        offset = 0
        while True:
            found = store.list_by_stage(stage, limit=_PAGE, offset=offset)
            for held in found:
                if isinstance(held, AnnualReport) and held.year == year:
                    message = (
                        f"the store holds the annual report of {year} already "
                        f"({held.reference}): one per year"
                    )
                    return [Refusal("SAR-A-5", message, RefusalKind.GUARD, "form.year")]
            if len(found) < _PAGE:
                break
            offset += _PAGE
    return []


def check_open(report: Any, cmd: c.OpenAnnualReport, ctx: Any) -> list[Refusal]:
    """SAR-A-5: the financial year; the SAB's members, each once. SAR-A-8: every kind
    of statutory recipient named, each recipient once. (Judged before the form's
    shape: every value is checked for its type here.)"""
    out: list[Refusal] = []
    form = cmd.form
    year = getattr(form, "year", None)
    if type(year) is not int or not FIRST_YEAR <= year <= LAST_YEAR:
        _input(
            out,
            "SAR-A-5",
            f"the financial year is the year (a whole number from {FIRST_YEAR} to "
            f"{LAST_YEAR}) of the 1 April it starts on, not {year!r}",
            "form.year",
        )
    members = _items(getattr(form, "members", None), Member)
    if members is None:
        _input(out, "SAR-A-5", "the SAB's members are a list of members", "form.members")
        members = ()
    elif not members:
        _input(out, "SAR-A-5", "the SAB's members must be listed", "form.members")
    ids = [m.id for m in members]
    if any(_blank(i) for i in ids) or any(_blank(m.name) for m in members):
        _input(out, "SAR-A-5", "every member has an id and a name", "form.members")
    elif len(set(ids)) != len(ids):
        _input(out, "SAR-A-5", "a member is listed twice", "form.members")
    recipients = _items(getattr(form, "recipients", None), Recipient)
    if recipients is None:
        _input(out, "SAR-A-8", "the recipients are a list of recipients", "form.recipients")
        return out
    kinds = {r.kind for r in recipients}
    missing = [k.value for k in RecipientKind if k not in kinds]
    if missing:
        _input(
            out,
            "SAR-A-8",
            f"copies must go to every statutory recipient; none is named of: {', '.join(missing)}",
            "form.recipients",
        )
    sent_to = [r.id for r in recipients]
    if any(_blank(i) for i in sent_to) or any(_blank(r.name) for r in recipients):
        _input(out, "SAR-A-8", "every recipient has an id and a name", "form.recipients")
    elif len(set(sent_to)) != len(sent_to):
        _input(out, "SAR-A-8", "a recipient is listed twice", "form.recipients")
    return out


def check_section(
    report: AnnualReport, cmd: c.RecordAnnualReportSection, ctx: Any
) -> list[Refusal]:
    """SAR-A-6(a)–(c): the text is given; (c) names one of the SAB's members, (a) and
    (b) none."""
    out: list[Refusal] = []
    if _blank(cmd.text):
        _input(out, "SAR-A-6", "the section's text must be given", "text")
    members = {m.id for m in report.members}
    if cmd.section is SectionCode.MEMBER:
        if cmd.member not in members:
            _input(
                out,
                "SAR-A-6",
                f"section (c) is one entry per member of the SAB; {cmd.member!r} is not one",
                "member",
            )
    elif cmd.member:
        _input(out, "SAR-A-6", f"section ({cmd.section.value}) names no member", "member")
    return out


def _sections_problems(report: AnnualReport, sections: ReviewSections) -> list[str]:
    problems: list[str] = []
    if sections.year != report.year:
        problems.append(f"they are of the year {sections.year}, not {report.year}")
    if sections.as_at != report.ends_on:
        problems.append(f"they are as at {sections.as_at}, not 31 March ({report.ends_on})")
    first, last = report.starts_on, report.ends_on
    if any(not first <= d.concluded_on <= last for d in sections.concluded):
        problems.append("a review in section (d) did not conclude in the year")
    if any(o.screened_on > last for o in sections.ongoing):
        problems.append("a review in section (e) was screened after the year's end")
    if any(not first <= i.on <= last for i in sections.implementation):
        problems.append("an entry of section (f) is not of the year")
    if any(not first <= g.decided_on <= last for g in sections.not_implemented):
        problems.append("a decision in section (g) was not made in the year")
    if any(not d.sources for d in sections.concluded) or any(
        not o.sources for o in sections.ongoing
    ):
        problems.append("every figure names the events it came from")
    return problems


def check_compile(report: AnnualReport, cmd: c.CompileReviewSections, ctx: Any) -> list[Refusal]:
    """SAR-A-6(d)–(g), SAR-A-7: the sections are the report's year's, as at 31 March,
    every entry within the year and traceable to its events."""
    out: list[Refusal] = []
    for problem in _sections_problems(report, cmd.sections):
        _input(
            out, "SAR-A-7", f"the computed sections do not fit the report: {problem}", "sections"
        )
    return out


def incomplete(report: AnnualReport) -> list[str]:
    """What SAR-A-6 still wants of ``report``: sections (a), (b), (c) for every member,
    and (d)–(g) computed."""
    missing: list[str] = []
    for code in (SectionCode.OBJECTIVE, SectionCode.STRATEGY):
        if report.section(code) is None:
            missing.append(f"section ({code.value})")
    missing.extend(
        f"section (c) for {m.id}"
        for m in report.members
        if report.section(SectionCode.MEMBER, m.id) is None
    )
    if report.computed is None:
        missing.append("sections (d)-(g), computed (compile_review_sections)")
    return missing


def check_approve(report: AnnualReport, cmd: c.ApproveAnnualReport, ctx: Any) -> list[Refusal]:
    """SAR-A-6: every section is present before the Board approves the report."""
    out: list[Refusal] = []
    missing = incomplete(report)
    if missing:
        _refuse(out, "SAR-A-6", f"the report lacks {', '.join(missing)}")
    return out


def _valid_url(url: Any) -> bool:
    return (
        isinstance(url, str)
        and url.startswith(("https://", "http://"))
        and len(url.split("//", 1)[1]) > 0
        and not any(ch.isspace() for ch in url)
    )


def check_publish(report: AnnualReport, cmd: c.PublishAnnualReport, ctx: Any) -> list[Refusal]:
    """SAR-A-5: published after the year ends. SAR-A-6: every section present, approved,
    and (d)–(g) computed after 31 March (so that (g) lists every decision of the year).
    SAR-A-9: its public URL."""
    out: list[Refusal] = []
    if not _valid_url(cmd.url):
        _input(
            out, "SAR-A-9", "the published report's public URL (http or https) is recorded", "url"
        )
    day: date = ctx.today
    if day <= report.ends_on:
        _refuse(
            out,
            "SAR-A-5",
            f"the report of {report.year}/{report.year + 1} is published after its "
            f"year ends ({report.ends_on}), not on {day}",
        )
    missing = incomplete(report)
    if missing:
        _refuse(out, "SAR-A-6", f"the report lacks {', '.join(missing)}")
    elif report.compiled_on is None or report.compiled_on <= report.ends_on:
        _refuse(
            out,
            "SAR-A-6",
            "sections (d)-(g) were computed before the year ended: compile them again, so "
            "that they hold every review and decision of the year",
            "sections",
        )
    if report.approval is None:
        _refuse(out, "SAR-A-6", "the Board has not approved the report (approve_annual_report)")
    return out


def check_send(report: AnnualReport, cmd: c.SendAnnualReport, ctx: Any) -> list[Refusal]:
    """SAR-A-8: a copy to one of the report's recipients, once each, not before it was
    published."""
    out: list[Refusal] = []
    known = {r.id for r in report.recipients}
    if cmd.recipient not in known:
        _input(
            out,
            "SAR-A-8",
            f"{cmd.recipient!r} is not a recipient of the report ({', '.join(sorted(known))})",
            "recipient",
        )
    elif cmd.recipient not in report.unsent():
        _refuse(out, "SAR-A-8", f"a copy was sent to {cmd.recipient} already", "recipient")
    day: date = ctx.today
    if report.published_on is not None and day < report.published_on:
        _input(
            out,
            "SAR-A-8",
            f"a copy cannot have been sent on {day}, before the report was published "
            f"({report.published_on})",
            "occurred_on",
        )
    return out


def check_distributed(report: AnnualReport, cmd: c.RecordDistributed, ctx: Any) -> list[Refusal]:
    """SAR-A-8: not distributed until every recipient has been sent a copy."""
    out: list[Refusal] = []
    unsent = report.unsent()
    if unsent:
        _refuse(out, "SAR-A-8", f"no copy has been sent yet to: {', '.join(unsent)}")
    return out


def check_inclusion(review: Any, cmd: c.RecordAnnualReportInclusion, ctx: Any) -> list[Refusal]:
    """SAR-A-4 (on a SAR review): the review concluded in the cited report's year (so
    its section (d) lists it), the report was published after that year, with its URL
    (SAR-A-9); once. SAR-A-5: the year is one an annual report may be of."""
    out: list[Refusal] = []
    if _blank(cmd.report_id) or _blank(cmd.report_reference):
        _input(out, "SAR-A-4", "the annual report is named (its id and reference)", "report_id")
    if not _valid_url(cmd.url):
        _input(out, "SAR-A-9", "the published report's public URL is given", "url")
    known = type(cmd.year) is int and FIRST_YEAR <= cmd.year <= LAST_YEAR
    if not known:  # no day of such a year to compare with below
        _input(
            out,
            "SAR-A-5",
            f"the financial year is the year (a whole number from {FIRST_YEAR} to "
            f"{LAST_YEAR}) of the 1 April it starts on, not {cmd.year!r}",
            "year",
        )
    concluded: date | None = review.concluded_on
    if concluded is None:
        _refuse(out, "SAR-A-4", "the review has not concluded: no annual report lists it yet")
    elif known and not year_start(cmd.year) <= concluded <= year_end(cmd.year):
        _refuse(
            out,
            "SAR-A-6",
            f"the review concluded on {concluded}, not in the report's year "
            f"({year_start(cmd.year)} to {year_end(cmd.year)}): its section (d) does not list it",
            "year",
        )
    if isinstance(cmd.published_on, date) and cmd.published_on > ctx.today:
        _input(
            out,
            "SAR-A-4",
            f"the report cannot have been published on {cmd.published_on}, after today "
            f"({ctx.today}): give the day it was published",
            "published_on",
        )
    if known and cmd.published_on <= year_end(cmd.year):
        _input(
            out,
            "SAR-A-5",
            f"the report of the year {cmd.year} is published after 31 March {cmd.year + 1}",
            "published_on",
        )
    if review.in_published_annual_report:
        _refuse(out, "SAR-A-4", "the review's findings are recorded in a published report already")
    return out


GUARDS: Mapping[str, Callable[[Any, Any, Any], list[Refusal]]] = MappingProxyType(
    {
        "submit_request": check_open,
        "record_annual_report_section": check_section,
        "compile_review_sections": check_compile,
        "approve_annual_report": check_approve,
        "publish_annual_report": check_publish,
        "send_annual_report": check_send,
        "record_distributed": check_distributed,
    }
)
"""The guard of every annual report command."""

Effect = Callable[[AnnualReport, Any, date, Step], dict[str, Any]]


def _section(report: AnnualReport, cmd: c.RecordAnnualReportSection, day: date, step: Step) -> Any:
    entry = RecordedSection(cmd.section, cmd.text, cmd.member, day)
    kept = tuple(
        s for s in report.sections if (s.section, s.member) != (entry.section, entry.member)
    )
    return {"sections": (*kept, entry), "approval": None}


def _compile(report: AnnualReport, cmd: c.CompileReviewSections, day: date, step: Step) -> Any:
    return {"computed": cmd.sections, "compiled_on": day, "approval": None}


def _approve(report: AnnualReport, cmd: Any, day: date, step: Step) -> Any:
    return {"approval": Approval(step.actor_id, step.role, day)}


def _publish(report: AnnualReport, cmd: c.PublishAnnualReport, day: date, step: Step) -> Any:
    return {"published_on": day, "url": cmd.url}


def _send(report: AnnualReport, cmd: c.SendAnnualReport, day: date, step: Step) -> Any:
    return {"sendings": (*report.sendings, Sending(cmd.recipient, day))}


def _nothing(report: AnnualReport, cmd: Any, day: date, step: Step) -> Any:
    return {}


EFFECTS: Mapping[str, Effect] = MappingProxyType(
    {
        "record_annual_report_section": _section,
        "compile_review_sections": _compile,
        "approve_annual_report": _approve,
        "publish_annual_report": _publish,
        "send_annual_report": _send,
        "record_distributed": _nothing,
    }
)
"""What each annual report command records (``submit_request`` opens the report)."""


def include_effect(review: Any, cmd: Any, ctx: Any) -> tuple[dict[str, Any], tuple[()]]:
    """``record_annual_report_inclusion``'s effect on a SAR review (SAR-A-4)."""
    return {"in_published_annual_report": True}, ()
