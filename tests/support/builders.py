"""Helpers that bring a review to a given stage quickly, reusing :mod:`scr_engine.demo`.

Each step issues the same commands, in the same order, as
:func:`scr_engine.demo.run_to_closure`; the step functions take keyword flags to leave
one piece of the work undone, so a test can show the guard that notices it.

``log`` (when given) collects every command issued, for the JSON round-trip tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import cast

import attrs

from scr_engine import (
    Actor,
    Agency,
    Appointment,
    CriteriaFacts,
    Dissemination,
    FixedClock,
    ImrJudgement,
    MemoryStore,
    ProtocolSettings,
    RequestForm,
    Review,
    ReviewEngine,
    Stage,
    TermsOfReference,
    WriterMeetingPurpose,
    local_date,
)
from scr_engine import commands as c
from scr_engine.access import ReadPolicy, ReadScope
from scr_engine.demo import (
    AGENCIES,
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    FAMILY_ADVOCATE,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    full_report,
    full_terms,
    panel_member,
)
from scr_engine.rules.setup import advocacy_seated
from scr_engine.states.roles import SCR_ROLES

__all__ = [
    "AGENCIES",
    "BOARD_CHAIR",
    "BUSINESS_MANAGER",
    "EVERYONE_READS",
    "FAMILY_ADVOCATE",
    "MAIN_LINE",
    "OVERVIEW_WRITER",
    "PANEL_CHAIR",
    "REQUESTER",
    "START",
    "TWO_AUTHORITIES",
    "CommandLog",
    "at_noon",
    "command_class",
    "cr2_facts",
    "demo_request",
    "do",
    "draft_report",
    "full_report",
    "full_terms",
    "gather_evidence",
    "hold_meeting",
    "meeting",
    "panel_member",
    "plan_actions",
    "prepare_panel",
    "ratify",
    "ready_for_meeting",
    "screen",
    "submit",
    "to_stage",
    "today",
]

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
"""When every test's clock starts: Monday 2 February 2026, 09:00 UTC."""

CommandLog = list[c.Command]

EVERYONE_READS = ReadPolicy({role: ReadScope.ALL for role in SCR_ROLES})
"""A read policy under which every role reads every unrestricted review: for tests of
the other rules, so that who may *act* is judged on its own (PR-e is proved by the
tests of reads, under the default policy)."""

TWO_AUTHORITIES: tuple[Agency, ...] = (
    Agency("asc", "Adult Social Care", local_authority=True),
    Agency("nbc", "Neighbouring Borough Council", local_authority=True),
    Agency("gp", "Riverside GP Practice"),
)
"""Agencies of a case involving two local authorities (RF-6)."""


def at_noon(day: date) -> datetime:
    """Noon UTC of ``day`` (the same calendar day in Europe/London all year)."""
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def engine_on(
    day: date,
    settings: ProtocolSettings | None = None,
    known: tuple[ProtocolSettings, ...] = (),
    store: MemoryStore | None = None,
) -> tuple[ReviewEngine, FixedClock]:
    """An engine whose clock stands at noon of ``day``, over ``store`` (a fresh
    in-memory one by default), new reviews under ``settings`` (the protocol's
    defaults by default), earlier reviews under ``known`` too; and its clock."""
    clock = FixedClock(at_noon(day))
    engine = ReviewEngine(
        store if store is not None else MemoryStore(),
        clock,
        settings=settings if settings is not None else ProtocolSettings(),
        known_settings=known,
    )
    return engine, clock


def command_class(name: str) -> type[c.AnyCommand]:
    """The command class of ``name`` (:data:`~scr_engine.commands.COMMANDS`), typed as
    the tables written over :data:`~scr_engine.commands.AnyCommand` take it."""
    return cast("type[c.AnyCommand]", c.COMMANDS[name])


def cr2_facts(*, inter_agency_concern: bool = True) -> CriteriaFacts:
    """Facts of a CR-2 case: a life-threatening injury through neglect (the adult
    survived), with or without the inter-agency concern."""
    return CriteriaFacts(
        life_threatening_injury=True,
        abuse_or_neglect_factor=True,
        inter_agency_concern=inter_agency_concern,
    )


def today(engine: ReviewEngine) -> date:
    """The Board's local date on the engine's clock."""
    return local_date(engine.clock.now())


def do(
    engine: ReviewEngine,
    review_id: str,
    command: c.Command,
    actor: Actor,
    log: CommandLog | None = None,
) -> Review:
    """Execute ``command`` and note it in ``log``."""
    review = engine.execute(review_id, command, actor)
    if log is not None:
        log.append(command)
    return review


def submit(
    engine: ReviewEngine,
    request: RequestForm | None = None,
    actor: Actor = REQUESTER,
    log: CommandLog | None = None,
) -> Review:
    """A new review in ``requested`` (the demo's CR-1 request by default)."""
    form = request if request is not None else demo_request()
    review = engine.submit(form, actor)
    if log is not None:
        log.append(c.SubmitRequest(form, review.reference, review.settings_version))
    return review


def screen(engine: ReviewEngine, review_id: str, log: CommandLog | None = None) -> Review:
    """Chair notified, criteria assessed, SCR confirmed: ``screened``."""
    review = engine.get(review_id)
    do(engine, review_id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER, log)
    do(engine, review_id, c.AssessCriteria(), BOARD_CHAIR, log)
    return do(engine, review_id, c.ConfirmReview("A criterion is met."), BOARD_CHAIR, log)


def prepare_panel(
    engine: ReviewEngine,
    review_id: str,
    *,
    secure_records: bool = True,
    imr_writers: bool = True,
    lead_authority: bool = True,
    panel_chair: bool = True,
    members: bool = True,
    advocate: bool = True,
    overview_writer: bool = True,
    budget: bool = True,
    meeting: bool = True,
    log: CommandLog | None = None,
) -> Review:
    """Everything ``convene_panel`` needs, on a ``screened`` review, except what the
    flags leave out. With ``members``, a member for every agency and, unless one sits
    already or not ``advocate``, the demo's advocate, since :func:`full_terms` has the
    family represented via advocacy (SU-2)."""
    review = engine.get(review_id)
    command: c.Command
    for agency in review.agencies:
        if secure_records:
            do(engine, review_id, c.RecordRecordsSecured(agency), BUSINESS_MANAGER, log)
        if imr_writers:
            command = c.RecordImrWriter(agency, f"u-imr-{agency}", f"IMR writer for {agency}")
            do(engine, review_id, command, BUSINESS_MANAGER, log)
    authorities = [a.code for a in review.request.agencies if a.local_authority]
    if lead_authority and len(authorities) > 1:
        do(engine, review_id, c.AgreeLeadAuthority(authorities[0]), BOARD_CHAIR, log)
    if panel_chair:
        appointment = Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)
        do(engine, review_id, c.AppointPanelChair(appointment), BOARD_CHAIR, log)
    if members:
        for agency in review.agencies:
            member = panel_member(agency)
            appointment = Appointment(member.id, member.name, agency)
            do(engine, review_id, c.AppointPanelMember(appointment), BOARD_CHAIR, log)
        if advocate and not advocacy_seated(engine.get(review_id)):
            # SU-2: full_terms has the family represented via advocacy.
            do(engine, review_id, c.AppointPanelMember(FAMILY_ADVOCATE), BOARD_CHAIR, log)
    if overview_writer:
        appointment = Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)
        do(engine, review_id, c.AppointOverviewWriter(appointment), BOARD_CHAIR, log)
    if budget:
        command = c.RecordBudget(5000, "Independent overview writer and venue costs.")
        do(engine, review_id, command, BOARD_CHAIR, log)
    if meeting and panel_chair:
        hold_meeting(engine, review_id, log)
    return engine.get(review_id)


def ready_for_meeting(engine: ReviewEngine, clock: FixedClock) -> tuple[str, TermsOfReference]:
    """A review screened and its panel prepared, short of the initial meeting; and the
    demo's full terms of reference for that meeting."""
    rid = to_stage(engine, clock, Stage.SCREENED).id
    review = prepare_panel(engine, rid, meeting=False)
    return rid, full_terms(review, today(engine))


def meeting(terms: TermsOfReference, **change: object) -> c.HoldInitialMeeting:
    """The initial meeting agreeing ``terms``, with ``change`` made to them."""
    return c.HoldInitialMeeting(attrs.evolve(terms, **change))


def hold_meeting(engine: ReviewEngine, review_id: str, log: CommandLog | None = None) -> Review:
    """The initial meeting agrees the demo's full terms of reference."""
    terms = full_terms(engine.get(review_id), today(engine))
    return do(engine, review_id, c.HoldInitialMeeting(terms), PANEL_CHAIR, log)


def gather_evidence(
    engine: ReviewEngine,
    review_id: str,
    *,
    accept: bool = True,
    brief: bool = True,
    skip: tuple[str, ...] = (),
    log: CommandLog | None = None,
) -> Review:
    """On a ``panel_convened`` review: every IMR (but those of the agencies in
    ``skip``) received and judged sufficient, the brief confirmed and (with
    ``accept``) the evidence accepted."""
    review = engine.get(review_id)
    command: c.Command
    for agency in review.imr_agencies:
        if agency in skip:
            continue
        command = c.ReceiveImr(agency, f"{agency}'s IMR.", (f"{agency} to review procedures.",))
        do(engine, review_id, command, PANEL_CHAIR, log)
        do(engine, review_id, c.JudgeImr(agency, ImrJudgement.SUFFICIENT), PANEL_CHAIR, log)
    if brief:
        command = c.ConfirmOverviewBrief("Bring the IMRs together; focus on information sharing.")
        do(engine, review_id, command, PANEL_CHAIR, log)
    if accept:
        do(engine, review_id, c.AcceptEvidence(), PANEL_CHAIR, log)
    return engine.get(review_id)


def _gather(engine: ReviewEngine, review_id: str, log: CommandLog | None) -> Review:
    return gather_evidence(engine, review_id, log=log)


def draft_report(engine: ReviewEngine, review_id: str, log: CommandLog | None = None) -> Review:
    """On an ``evidence_received`` review: a writer meeting, then the full report."""
    meeting = c.RecordWriterMeeting(frozenset({WriterMeetingPurpose.FINAL_FORMAT}), "Format.")
    do(engine, review_id, meeting, OVERVIEW_WRITER, log)
    report = full_report(engine.get(review_id))
    return do(engine, review_id, c.SubmitOverviewReport(report), OVERVIEW_WRITER, log)


def plan_actions(
    engine: ReviewEngine,
    review_id: str,
    *,
    signoffs: bool = True,
    actions: bool = True,
    dissemination: bool = True,
    timescale_months: int = 3,
    log: CommandLog | None = None,
) -> Review:
    """On an ``overview_drafted`` review: what ``ratify`` needs, except what the flags
    leave out."""
    review = engine.get(review_id)
    command: c.Command
    if signoffs:
        for agency in review.agencies:
            do(engine, review_id, c.RecordAgencySignoff(agency), panel_member(agency), log)
    if actions:
        assert review.overview_report is not None
        for rec in review.overview_report.conclusions.recommendations:
            command = c.AddAction(
                f"A-{rec.id}",
                rec.id,
                "Head of Service",
                timescale_months,
                "Practice changes.",
                "Learning log reviewed quarterly by the sub group.",
            )
            do(engine, review_id, command, PANEL_CHAIR, log)
    if dissemination:
        command = c.RecordDissemination(
            Dissemination(("Board members", "Agencies"), "Secure e-mail", "Debriefs to staff.")
        )
        do(engine, review_id, command, PANEL_CHAIR, log)
    return engine.get(review_id)


def ratify(engine: ReviewEngine, review_id: str, log: CommandLog | None = None) -> Review:
    """The Board Chair ratifies for the Board."""
    return do(engine, review_id, c.Ratify(), BOARD_CHAIR, log)


def _convene(engine: ReviewEngine, review_id: str, log: CommandLog | None) -> Review:
    prepare_panel(engine, review_id, log=log)
    return do(engine, review_id, c.ConvenePanel(), PANEL_CHAIR, log)


def _ratify(engine: ReviewEngine, review_id: str, log: CommandLog | None) -> Review:
    plan_actions(engine, review_id, log=log)
    return ratify(engine, review_id, log)


def _monitor(engine: ReviewEngine, review_id: str, log: CommandLog | None) -> Review:
    return do(engine, review_id, c.StartMonitoring(), BUSINESS_MANAGER, log)


def _close(engine: ReviewEngine, review_id: str, log: CommandLog | None) -> Review:
    for action in engine.get(review_id).actions:
        progress = c.RecordActionProgress(action.id, "Under way.")
        do(engine, review_id, progress, BUSINESS_MANAGER, log)
        do(engine, review_id, c.CompleteAction(action.id, "Done."), BUSINESS_MANAGER, log)
    return do(engine, review_id, c.CloseReview(), BOARD_CHAIR, log)


MAIN_LINE: tuple[Stage, ...] = (
    Stage.REQUESTED,
    Stage.SCREENED,
    Stage.PANEL_CONVENED,
    Stage.EVIDENCE_RECEIVED,
    Stage.OVERVIEW_DRAFTED,
    Stage.RATIFIED,
    Stage.ACTION_PLAN_MONITORED,
    Stage.CLOSED,
)
"""The stages of the main line, in order: what :func:`to_stage` reaches."""


def to_stage(
    engine: ReviewEngine,
    clock: FixedClock | None,
    stage: Stage,
    *,
    request: RequestForm | None = None,
    step: timedelta = timedelta(hours=1),
    log: CommandLog | None = None,
) -> Review:
    """Submit a request and drive it, the happy way, until it reaches ``stage``
    (one of the main line's stages). The clock moves ``step`` before each stage."""
    if stage not in MAIN_LINE:
        raise ValueError(f"to_stage reaches the main line only, not {stage.value}")
    target = MAIN_LINE.index(stage)

    def tick() -> None:
        if clock is not None and step:
            clock.advance(step)

    review = submit(engine, request, log=log)
    rid = review.id
    steps: tuple[Callable[[ReviewEngine, str, CommandLog | None], Review], ...] = (
        screen,
        _convene,
        _gather,
        draft_report,
        _ratify,
        _monitor,
        _close,
    )
    for run in steps[:target]:
        tick()
        review = run(engine, rid, log)
    assert review.stage is stage, (review.stage, stage)
    return review
