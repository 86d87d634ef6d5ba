"""What each accepted SAR command records, and the pure runner that judges and
applies one (:func:`execute`).

An effect is a pure function ``(review, command, context) -> (changes, tasks)``:
``changes`` are the review's fields that change (one ``evolve`` applies them; the stage
is the table's), ``tasks`` the outputs it emits (SAR-R-3, SAR-D-5, SAR-D-9, SAR-F-2,
SAR-M-6, SAR-M-12). They run only after every guard has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, TypeAlias, cast

from attrs import evolve, frozen

from scr_engine.errors import InvalidRequest, PermissionDenied, TransitionRefused
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.clocks import add_duration
from scr_engine.protocols.sar.guards import GUARDS
from scr_engine.protocols.sar.guards_common import SarContext, acting_role, standing
from scr_engine.protocols.sar.information_records import InformationRequest
from scr_engine.protocols.sar.records import (
    ActionStatus,
    AdvocacyAssessment,
    ClockPause,
    Decision,
    EvidenceStatus,
    Extension,
    FindingDecision,
    Outcome,
    PublicationChoice,
    PublicationEntry,
    PublicationStatus,
    ReviewerReplacement,
    SarReview,
    Waiver,
)
from scr_engine.protocols.sar.settings import ConcludedEvent
from scr_engine.protocols.sar.table import row
from scr_engine.states.roles import Role

__all__ = [
    "EFFECTS",
    "SECURE_RECORDS",
    "EffectOutcome",
    "SarEffect",
    "SarTask",
    "execute",
    "governance",
    "judge",
]


@frozen
class SarTask:
    """An output the engine emits: to whom, what, and the rule it serves."""

    rule: str
    to: str
    what: str


EffectOutcome = tuple[dict[str, Any], tuple[SarTask, ...]]
"""The fields a command changes, and the tasks it emits."""
SarEffect: TypeAlias = Callable[[SarReview, Any, SarContext], EffectOutcome]
_NONE: tuple[SarTask, ...] = ()
SECURE_RECORDS = "secure records"
"""What the output asking an agency to secure its records says (SAR-D-9)."""


def _day(cmd: Any, ctx: SarContext) -> date:
    day = getattr(cmd, "occurred_on", None)
    return day if isinstance(day, date) else ctx.today


def _decision(
    review: SarReview, cmd: Any, ctx: SarContext, outcome: Outcome, **extra: Any
) -> Decision:
    return Decision(
        outcome,
        cmd.reasons,
        ctx.actor.id,
        _day(cmd, ctx),
        review.assessments,
        tuple(cmd.information_considered),
        tuple(cmd.agencies_consulted),
        **extra,
    )


def _told(review: SarReview, outcome: str) -> tuple[SarTask, ...]:
    return (SarTask("SAR-D-5", "referrer", f"the decision ({outcome}) and its rationale"),)


def _confirm(review: SarReview, cmd: c.ConfirmReview, ctx: SarContext) -> EffectOutcome:
    tasks = list(_told(review, cmd.outcome.value))
    for agency in review.referral.agencies:
        duty = "the s.44(5) duty to co-operate" if agency.sab_member else "a request to contribute"
        tasks.append(SarTask("SAR-D-5", agency.code, f"the SAR is arranged ({duty}, SAR-D-9)"))
        if ctx.settings.secure_records_on_decision:
            tasks.append(SarTask("SAR-D-9", agency.code, SECURE_RECORDS))
    for p in review.parallel_processes:
        # To the process's kind, never its contact: a task's recipient and id leave the
        # review (the outbox, webhook bodies) and erasure does not reach them (PR-e).
        what = f"tell the SIO or coroner of the SAR (parallel process {p.id})"
        tasks.append(SarTask("SAR-D-9", p.type.value, what))
    tasks.append(SarTask("SAR-D-9", "business_manager", "open the involvement plan (SAR-F-1)"))
    decision = _decision(
        review, cmd, ctx, cmd.outcome, mandate=cmd.mandate, joint_with=cmd.joint_with
    )
    return {"decision": decision, "mandate": cmd.mandate}, tuple(tasks)


def _alternative(review: SarReview, cmd: c.RecommendAlternative, ctx: SarContext) -> EffectOutcome:
    d = _decision(review, cmd, ctx, Outcome.OTHER_LEARNING_REVIEW, alternative=cmd.kind)
    return {"decision": d}, _told(review, cmd.kind.value)


def _decline(review: SarReview, cmd: c.Decline, ctx: SarContext) -> EffectOutcome:
    return {"decision": _decision(review, cmd, ctx, Outcome.NO_REVIEW)}, _told(review, "no_review")


def _replace(items: tuple[Any, ...], key: str, new: Any) -> tuple[Any, ...]:
    return (*(i for i in items if getattr(i, key) != getattr(new, key)), new)


def _plan_item(review: SarReview, item: str, **changes: Any) -> dict[str, Any]:
    m = review.methodology
    assert m is not None
    plan = tuple(evolve(i, **changes) if i.id == item else i for i in m.plan)
    return {"methodology": evolve(m, plan=plan)}


def _conclude(
    review: SarReview, event: ConcludedEvent, ctx: SarContext, day: date
) -> dict[str, Any]:
    if ctx.settings.concluded_event is event and review.concluded_on is None:
        return {"concluded_on": day}
    return {}


def _ratify(review: SarReview, cmd: c.Ratify, ctx: SarContext) -> EffectOutcome:
    day = _day(cmd, ctx)
    return {"ratified_on": day, **_conclude(review, ConcludedEvent.RATIFY, ctx, day)}, _NONE


def _submit_report(review: SarReview, cmd: c.SubmitReport, ctx: SarContext) -> EffectOutcome:
    day = _day(cmd, ctx)
    changes = {"report": evolve(cmd.report, submitted_on=day)}
    return {**changes, **_conclude(review, ConcludedEvent.SUBMIT_REPORT, ctx, day)}, _NONE


def _decide_publication(
    review: SarReview, cmd: c.DecidePublication, ctx: SarContext
) -> EffectOutcome:
    status = {
        PublicationChoice.DEFER: PublicationStatus.DEFERRED,
        PublicationChoice.DO_NOT_PUBLISH: PublicationStatus.NOT_PUBLISHED,
    }.get(cmd.choice, PublicationStatus.TO_PUBLISH)
    pub = evolve(
        review.publication,
        status=status,
        choice=cmd.choice,
        reasons=cmd.reasons,
        defer_until_event=cmd.defer_until_event,
        review_on=cmd.review_on,
    )
    return {"publication": pub}, _NONE


def _record_publication(
    review: SarReview, cmd: c.RecordPublication, ctx: SarContext
) -> EffectOutcome:
    day = _day(cmd, ctx)
    entry = PublicationEntry(day, cmd.url, cmd.version, cmd.what.value)
    pub = evolve(review.publication, entries=(*review.publication.entries, entry))
    if cmd.what is c.PublishedWhat.TERMS_OF_REFERENCE:
        return {"publication": evolve(pub, tor_published_on=day)}, _NONE
    pub = evolve(pub, status=PublicationStatus.PUBLISHED)
    return {
        "publication": pub,
        **_conclude(review, ConcludedEvent.RECORD_PUBLICATION, ctx, day),
    }, _NONE


def _complete(review: SarReview, cmd: c.CompleteAction, ctx: SarContext) -> EffectOutcome:
    status = ActionStatus.DISCONTINUED if cmd.discontinued else ActionStatus.COMPLETED
    actions = tuple(
        evolve(a, status=status, outcome=cmd.outcome, closed_on=_day(cmd, ctx))
        if a.id == cmd.action
        else a
        for a in review.actions
    )
    return {"actions": actions}, _NONE


def _fam(review: SarReview, cmd: c.RecordFamilyResponse, ctx: SarContext) -> EffectOutcome:
    def update(p: Any) -> Any:
        if p.person_id != cmd.person_id:
            return p
        return evolve(
            p,
            sight_sent_on=cmd.sent_on or p.sight_sent_on,
            responded_on=cmd.responded_on or p.responded_on,
            response=cmd.response or p.response,
            handling=cmd.handling or p.handling,
        )

    return {"involvement": tuple(update(p) for p in review.involvement)}, _NONE


def _request(review: SarReview, cmd: c.RequestInformation, ctx: SarContext) -> dict[str, Any]:
    """The request recorded with its own state, ``IR-<n>`` in the order sent (``map.md``
    §2), due on its own date or, for a s.45 or scoping request, after the Board's target
    (SAR-I-5, SAR-R-4), and counted outstanding (SAR-R-4)."""
    day, settings = _day(cmd, ctx), ctx.settings
    target = (
        settings.scoping_return_target
        if cmd.scoping
        else settings.s45_response_target
        if cmd.kind is c.InformationKind.S45
        else None
    )
    due = cmd.due_on
    if due is None and target is not None:
        due = add_duration(day, target, settings.bank_holiday_calendar)
    made = InformationRequest(
        f"IR-{len(review.information_requests) + 1}",
        cmd.kind.value,
        cmd.addressee,
        cmd.function,
        day,
        due,
        cmd.scoping,
    )
    return {
        "information_outstanding": review.information_outstanding + 1,
        "information_requests": (*review.information_requests, made),
    }


def _lead_reviewer(review: SarReview, cmd: c.AppointLeadReviewer, ctx: SarContext) -> Any:
    """SAR-M-3: the lead reviewer; the one appointed before is kept, with the reasons."""
    before = review.lead_reviewer
    if before is None:
        return {"lead_reviewer": cmd.reviewer}
    gone = ReviewerReplacement(before, cmd.reviewer.person_id, cmd.reasons, _day(cmd, ctx))
    return {
        "lead_reviewer": cmd.reviewer,
        "replaced_reviewers": (*review.replaced_reviewers, gone),
    }


def _pass(review: SarReview, cmd: Any, ctx: SarContext) -> EffectOutcome:
    return {}, _NONE


def _e(fn: Callable[[SarReview, Any, SarContext], dict[str, Any]]) -> SarEffect:
    def effect(review: SarReview, cmd: Any, ctx: SarContext) -> EffectOutcome:
        return fn(review, cmd, ctx), _NONE

    return effect


def _t(
    fn: Callable[[SarReview, Any, SarContext], dict[str, Any]], rule: str, to: str, what: str
) -> SarEffect:
    def effect(review: SarReview, cmd: Any, ctx: SarContext) -> EffectOutcome:
        return fn(review, cmd, ctx), (SarTask(rule, to, what),)

    return effect


EFFECTS: Mapping[str, SarEffect] = MappingProxyType(
    {
        "acknowledge_request": _t(
            lambda r, x, k: {"acknowledged_on": _day(x, k)},
            "SAR-R-3",
            "referrer",
            "receipt acknowledged",
        ),
        "record_chair_notified": _e(lambda r, x, k: {"chairs_notified_on": x.notified_on}),
        "request_information": _e(_request),
        "record_involvement": _e(
            lambda r, x, k: {"involvement": _replace(r.involvement, "person_id", x.entry)}
        ),
        "register_parallel_process": _e(
            lambda r, x, k: {
                "parallel_processes": (*r.parallel_processes, x.process),
                "criminal_proceedings_pending": r.criminal_proceedings_pending or x.criminal,
            }
        ),
        "assess_criteria": _e(
            lambda r, x, k: {
                "assessments": tuple(
                    [a for a in r.assessments if a.adult not in {b.adult for b in x.assessments}]
                    + list(x.assessments)
                )
            }
        ),
        "recommend_decision": _e(
            lambda r, x, k: {
                "recommendation": Decision(
                    x.outcome, x.reasons, k.actor.id, _day(x, k), r.assessments
                )
            }
        ),
        "confirm_review": _confirm,
        "recommend_alternative": _alternative,
        "decline": _decline,
        "reopen_request": _e(lambda r, x, k: {"decision": None, "mandate": None}),
        "agree_lead_authority": _e(
            lambda r, x, k: {"lead_sab": x.lead_sab, "contributing_sabs": tuple(x.contributing)}
        ),
        "record_records_secured": _e(
            lambda r, x, k: {"records_secured": (*r.records_secured, x.agency)}
        ),
        "choose_methodology": _e(lambda r, x, k: {"methodology": x.methodology}),
        "appoint_lead_reviewer": _e(_lead_reviewer),
        "appoint_panel_chair": _e(lambda r, x, k: {"panel_chair": x.person_id}),
        "appoint_panel_member": _e(lambda r, x, k: {"panel_members": (*r.panel_members, x.agency)}),
        "record_budget": _pass,
        "agree_terms_of_reference": _e(lambda r, x, k: {"terms": x.terms}),
        "assess_advocacy": _e(
            lambda r, x, k: {
                "advocacy": _replace(
                    r.advocacy,
                    "adult",
                    AdvocacyAssessment(
                        x.adult, x.substantial_difficulty, x.appropriate_person, _day(x, k)
                    ),
                )
            }
        ),
        "arrange_advocate": _e(
            lambda r, x, k: {
                "advocacy": tuple(
                    evolve(a, advocate=x.advocate, advocate_arranged_on=_day(x, k))
                    if a.adult == x.adult
                    else a
                    for a in r.advocacy
                )
            }
        ),
        "record_consent": _e(
            lambda r, x, k: {"consents": _replace(r.consents, "adult", x.consent)}
        ),
        "commission_review": _e(lambda r, x, k: {"commissioned_on": _day(x, k)}),
        "receive_evidence": _e(
            lambda r, x, k: _plan_item(
                r, x.item, status=EvidenceStatus.RECEIVED, received_on=_day(x, k)
            )
        ),
        "judge_evidence": _e(
            lambda r, x, k: _plan_item(
                r,
                x.item,
                status=EvidenceStatus.SUFFICIENT
                if x.sufficient
                else EvidenceStatus.FURTHER_INFORMATION_REQUESTED,
                judged_on=_day(x, k),
            )
        ),
        "record_practitioner_involvement": _e(
            lambda r, x, k: {"practitioner_involvement": x.how or x.why_not}
        ),
        "record_cooperation_issue": _t(
            lambda r, x, k: {}, "SAR-M-6", "board_chair", "a member's refusal or silence, escalated"
        ),
        "accept_evidence": _pass,
        "record_writer_meeting": _pass,
        "submit_report": _submit_report,
        "request_revision": _pass,
        "record_agency_signoff": _e(
            lambda r, x, k: {
                "signoffs": {**r.signoffs, x.agency: "confirmed" if x.confirmed else x.dissent}
            }
        ),
        "record_family_response": _fam,
        "decide_finding": _e(
            lambda r, x, k: {
                "findings_decisions": (
                    *r.findings_decisions,
                    FindingDecision(x.finding, x.decision, _day(x, k), x.reasons),
                )
            }
        ),
        "add_action": _e(
            lambda r, x, k: {"actions": (*r.actions, evolve(x.action, created_on=_day(x, k)))}
        ),
        "record_dissemination": _pass,
        "ratify": _ratify,
        "decide_publication": _decide_publication,
        "record_publication": _record_publication,
        "start_monitoring": _pass,
        "record_action_progress": _pass,
        "complete_action": _complete,
        "close_review": _pass,
        "withdraw": _e(lambda r, x, k: {"withdrawal": x.reason}),
        "pause_clock": _e(
            lambda r, x, k: {"pauses": (*r.pauses, ClockPause(_day(x, k), x.process, x.reasons))}
        ),
        "resume_clock": _e(
            lambda r, x, k: {"pauses": (*r.pauses[:-1], evolve(r.pauses[-1], ended_on=_day(x, k)))}
        ),
        "extend_deadline": _t(
            lambda r, x, k: {
                "extensions": (
                    *r.extensions,
                    Extension(x.deadline, x.new_due, x.reasons, _day(x, k)),
                )
            },
            "SAR-M-12",
            "board_chair",
            "a deadline extended, with reasons",
        ),
        "record_waiver": _e(
            lambda r, x, k: {
                "waivers": (
                    *r.waivers,
                    Waiver(
                        x.rule,
                        x.reasons,
                        k.actor.id,
                        k.role or Role.BOARD_CHAIR,
                        _day(x, k),
                        x.subject,
                    ),
                )
            }
        ),
    }
)
"""Every command's effect but ``submit_request`` (which makes the review)."""


def judge(review: SarReview | None, command: c.SarCommand, ctx: SarContext) -> list[Refusal]:
    """Every reason ``command`` would be refused on ``review`` (None before the
    referral): the table's stage and role (``MAP`` or the row's role rule) and the
    command's guard."""
    out = standing(review, command.name, ctx)
    check = GUARDS.get(command.name)
    if check is not None and (review is not None or isinstance(command, c.SubmitRequest)):
        out += check(cast(SarReview, review), command, ctx)
    return out


def execute(
    review: SarReview | None, command: c.SarCommand, ctx: SarContext, reference: str = "SAR-1"
) -> tuple[SarReview, tuple[SarTask, ...]]:
    """Judge ``command`` and, if nothing refuses it, the review after it and the tasks
    it emits. Raises :class:`~scr_engine.InvalidRequest`,
    :class:`~scr_engine.PermissionDenied` or :class:`~scr_engine.TransitionRefused`
    with every reason."""
    problems = judge(review, command, ctx)
    if problems:
        kinds = {p.kind for p in problems}
        error = (
            InvalidRequest
            if kinds == {RefusalKind.INPUT}
            else PermissionDenied
            if kinds == {RefusalKind.PERMISSION}
            else TransitionRefused
        )
        raise error(command.name, problems)
    ctx = evolve(ctx, role=acting_role(command.name, ctx.actor, ctx.settings))
    dest = row(command.name).dest
    if isinstance(command, c.SubmitRequest):
        made = SarReview(
            command.reference or reference,
            _day(command, ctx),
            command.referral,
            settings_version=ctx.settings.version,
        )
        return made, ()
    assert review is not None
    changes, tasks = EFFECTS[command.name](review, command, ctx)
    if dest is not None:
        changes["stage"] = str(dest)
    return evolve(review, **changes), tasks


def governance(review: SarReview) -> tuple[str, ...]:
    """The report's governance section on waivers (SAR-G-6): one line per recorded
    waiver, citing the guard waived, what it covers, when, by whom (in which role) and
    why."""
    lines = []
    for w in review.waivers:
        covers = f" for {w.subject}" if w.subject else ""
        lines.append(
            f"{w.rule}{covers} waived on {w.on.isoformat()} by {w.by} ({w.role.value}): {w.reasons}"
        )
    return tuple(lines)
