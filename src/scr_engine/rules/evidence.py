"""Evidence (§6): EV-1 … EV-3.

Each involved agency presents its Individual Management Review to the panel (EV-1,
``receive_imr``). The panel judges whether each IMR gives enough for a robust overview
report; where it does not, further information is requested from its writer and the
review waits for a new IMR (EV-2, ``judge_imr``). The panel confirms the brief for the
overview report and instructs the writer (EV-3, ``confirm_overview_brief``). The
evidence is accepted (``accept_evidence``) once every agency's IMR is in and judged
sufficient and the brief is confirmed.
"""

from __future__ import annotations

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import ImrJudgement, Review
from scr_engine.rules.common import Context, known_agency, need_text

__all__ = ["accept_evidence", "confirm_overview_brief", "judge_imr", "receive_imr"]


def receive_imr(review: Review, cmd: c.ReceiveImr, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if known_agency(out, review, cmd.agency):
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
    need_text(out, cmd.summary, "EV-1", "summary", "the IMR's content")
    for i, entry in enumerate(cmd.chronology):
        where = f"chronology[{i}]"
        if entry.agency != cmd.agency:
            out.append(
                Refusal(
                    "RP-2",
                    f"{where} names agency {entry.agency!r}: an IMR's chronology records "
                    f"its own agency's involvement ({cmd.agency!r})",
                    RefusalKind.INPUT,
                    f"{where}.agency",
                )
            )
        if entry.date > ctx.today:
            out.append(
                Refusal(
                    "RP-2",
                    f"{where} is dated {entry.date.isoformat()}, after today",
                    RefusalKind.INPUT,
                    f"{where}.date",
                )
            )
        need_text(out, entry.event, "RP-2", f"{where}.event", f"what happened ({where})")
    return out


def judge_imr(review: Review, cmd: c.JudgeImr, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    if known_agency(out, review, cmd.agency):
        imr = review.imr(cmd.agency)
        if imr is None:
            out.append(Refusal("EV-1", f"no IMR has been received from {cmd.agency}"))
        elif imr.judgement is not None:
            out.append(
                Refusal("EV-2", f"{cmd.agency}'s IMR is already judged ({imr.judgement.value})")
            )
    if cmd.judgement is ImrJudgement.FURTHER_INFORMATION_REQUESTED:
        need_text(
            out,
            cmd.further_information,
            "EV-2",
            "further_information",
            "what further information is requested",
        )
    return out


def confirm_overview_brief(
    review: Review, cmd: c.ConfirmOverviewBrief, ctx: Context
) -> list[Refusal]:
    out: list[Refusal] = []
    need_text(out, cmd.brief, "EV-3", "brief", "the brief for the overview report")
    if review.overview_writer is None:
        out.append(Refusal("SU-9", "there is no overview writer to instruct"))
    return out


def accept_evidence(review: Review, cmd: c.AcceptEvidence, ctx: Context) -> list[Refusal]:
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
    # RF-5 binds every involved agency, those added late too (docs/decisions.md).
    unsecured = [a for a in review.agencies if a not in review.records_secured]
    if unsecured:
        out.append(Refusal("RF-5", f"records not yet secured by: {', '.join(unsecured)}"))
    with_writer = {w.agency for w in review.imr_writers}
    no_writer = [a for a in review.agencies if a not in with_writer]
    if no_writer:
        out.append(Refusal("RF-5", f"no IMR writer identified by: {', '.join(no_writer)}"))
    if not review.overview_brief:
        out.append(Refusal("EV-3", "the brief for the overview report is not confirmed"))
    return out
