"""Hypothesis strategies for the protocol: actors, request forms, commands with good
and bad payloads, and the protocol's "next right command".

Everything is built from :mod:`scr_engine.demo` (its builders and fictional actors), so
what a strategy calls *right* is what the protocol (``map.md``) asks for next, and what
it calls *spoiled* is a command the protocol must refuse, together with the rule IDs
the refusal must cite. Strategies that depend on a review take the review (and the
Board's local date) as arguments: call them afresh at each step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from attrs import evolve
from hypothesis import strategies as st

from scr_engine import commands as c
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
from scr_engine.records import (
    Actor,
    Agency,
    AlternativeReview,
    Appointment,
    CriteriaFacts,
    Dissemination,
    ExecutiveSummary,
    FamilyRepresentation,
    ImrJudgement,
    MemberCapacity,
    OverviewReport,
    RequesterCategory,
    RequestForm,
    Review,
    Role,
    TermsOfReference,
    TorItem,
    WriterMeetingPurpose,
)
from scr_engine.rules.criteria import meets_cr1, meets_cr2, meets_cr3
from scr_engine.rules.setup import advocacy_seated
from scr_engine.states.machine import commands_from
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.stages import Stage

__all__ = [
    "AGENCY_POOL",
    "COMMAND_NAMES",
    "POSTPONABLE",
    "PROTOCOL_ACTORS",
    "TWO_AUTHORITIES",
    "UNKNOWN_AGENCY",
    "Spoiled",
    "Step",
    "actors",
    "any_command",
    "bad_request_forms",
    "bad_text",
    "chair_actor",
    "clock_steps",
    "command_inputs",
    "cr1_facts",
    "cr2_or_cr3_facts",
    "criteria_facts",
    "good_text",
    "headline_spoil",
    "impostors",
    "member_actor",
    "needed_steps",
    "next_right",
    "request_forms",
    "right_command",
    "right_steps",
    "spoiled_command",
    "spoiled_steps",
    "texts",
    "unmet_facts",
    "writer_actor",
]

Step = tuple[c.Command, Actor]
"""A command and the actor who issues it."""

Spoiled = tuple[c.Command, frozenset[str]]
"""A command the protocol must refuse, and the rule IDs (any of) its refusal cites."""

UNKNOWN_AGENCY = "nowhere"
"""An agency code no request ever names."""

TWO_AUTHORITIES: tuple[Agency, ...] = (
    Agency("asc", "Adult Social Care", local_authority=True),
    Agency("nbc", "Neighbouring Borough Council", local_authority=True),
    Agency("gp", "Riverside GP Practice"),
)
"""A case involving two local authorities: the lead authority must be agreed (RF-6)."""

AGENCY_POOL: tuple[Agency, ...] = (
    *AGENCIES,
    Agency("nbc", "Neighbouring Borough Council", local_authority=True),
    Agency("nhs", "County Hospital Trust"),
    Agency("amb", "Ambulance Service"),
)
"""Agencies a request may name: two of them are local authorities."""

PROTOCOL_ACTORS: tuple[Actor, ...] = (
    REQUESTER,
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    OVERVIEW_WRITER,
)
"""The fictional people of :mod:`scr_engine.demo`, one per role."""

# ----------------------------------------------------------------------------- text

_GOOD_WORDS = (
    "Reasons recorded at the panel meeting.",
    "Further detail on the chronology is needed.",
    "The inquest is adjourned.",
    "Relatives consulted through an advocate — see minutes.",
    "Zoë’s case notes, 2ª entrada.",
)
_BAD_WORDS = ("", " ", "\t\n", "\u3000")


@cache
def good_text() -> st.SearchStrategy[str]:
    """Non-blank text every store can keep: UTF-8 encodable, without NUL (the engine
    refuses both; see ``test_text_with_a_lone_surrogate_is_refused_alike``)."""
    return st.one_of(
        st.sampled_from(_GOOD_WORDS),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
        .filter(lambda s: bool(s.strip()))
        .map(lambda s: s.replace("\x00", "\ufffd")),
    )


@cache
def bad_text() -> st.SearchStrategy[str]:
    """Missing text: empty or blank."""
    return st.sampled_from(_BAD_WORDS)


@cache
def texts() -> st.SearchStrategy[str]:
    """Mostly good, sometimes missing text."""
    return st.one_of(good_text(), good_text(), bad_text())


# ----------------------------------------------------------------------------- actors


def member_actor(review: Review, agency: str) -> Actor:
    """The panel member appointed for ``agency`` (the demo's one if none is yet)."""
    for member in review.panel_members:
        if member.agency == agency:
            return Actor(member.person_id, member.name, {Role.PANEL_MEMBER}, agency)
    return panel_member(agency)


def chair_actor(review: Review) -> Actor:
    """The appointed panel chair (the demo's one if none is yet)."""
    if review.panel_chair is None:
        return PANEL_CHAIR
    a = review.panel_chair
    return Actor(a.person_id, a.name, {Role.PANEL_CHAIR})


def writer_actor(review: Review) -> Actor:
    """The appointed overview writer (the demo's one if none is yet)."""
    if review.overview_writer is None:
        return OVERVIEW_WRITER
    w = review.overview_writer
    return Actor(w.person_id, w.name, {Role.OVERVIEW_WRITER})


@cache
def actors(agencies: tuple[str, ...] = ()) -> st.SearchStrategy[Actor]:
    """Anyone: the protocol's people, panel members of any agency, and strangers
    holding random roles (none, one or several) and maybe an agency."""
    codes = (*agencies, UNKNOWN_AGENCY)
    known = st.sampled_from(
        (
            *PROTOCOL_ACTORS,
            *(panel_member(a) for a in codes),
            Actor("u-ow2", "Imposter", {Role.OVERVIEW_WRITER}),
        )
    )
    strangers = st.builds(
        Actor,
        id=st.sampled_from(("u-x", "u-y", "u-pc", "u-chair", "u-bm")),
        name=st.just("A stranger"),
        roles=st.frozensets(st.sampled_from(SCR_ROLES), max_size=3),
        agency=st.one_of(st.none(), st.sampled_from(codes)),
    )
    return st.one_of(known, strangers)


# ----------------------------------------------------------------------------- requests


def _facts() -> st.SearchStrategy[CriteriaFacts]:
    b = st.booleans()
    return st.builds(
        CriteriaFacts,
        adult_died=b,
        abuse_or_neglect_factor=b,
        life_threatening_injury=b,
        serious_sexual_abuse=b,
        serious_permanent_impairment=b,
        inter_agency_concern=b,
        serious_abuse_in_institution=b,
        multiple_abusers=b,
    )


def cr1_facts() -> st.SearchStrategy[CriteriaFacts]:
    """CR-1 cases: the adult died and abuse or neglect is known or suspected."""
    return _facts().map(lambda f: evolve(f, adult_died=True, abuse_or_neglect_factor=True))


def cr2_or_cr3_facts() -> st.SearchStrategy[CriteriaFacts]:
    """Cases meeting CR-2 or CR-3 but not CR-1."""
    return _facts().filter(lambda f: not meets_cr1(f) and (meets_cr2(f) or meets_cr3(f)))


def unmet_facts() -> st.SearchStrategy[CriteriaFacts]:
    """Cases meeting no criterion (CR-4)."""
    return (
        _facts()
        .map(lambda f: evolve(f, serious_abuse_in_institution=False, multiple_abusers=False))
        .filter(lambda f: not (meets_cr1(f) or meets_cr2(f)))
    )


@cache
def criteria_facts() -> st.SearchStrategy[CriteriaFacts]:
    """CR-1 cases, CR-2/CR-3 cases and cases meeting no criterion."""
    return st.one_of(cr1_facts(), cr2_or_cr3_facts(), unmet_facts())


def agency_sets() -> st.SearchStrategy[tuple[Agency, ...]]:
    """The agencies a request names: the demo's three, two local authorities (RF-6), or
    one to four from the pool."""
    return st.one_of(
        st.just(AGENCIES),
        st.just(TWO_AUTHORITIES),
        st.lists(
            st.sampled_from(AGENCY_POOL), min_size=1, max_size=4, unique_by=lambda a: a.code
        ).map(tuple),
    )


def request_forms(
    facts: st.SearchStrategy[CriteriaFacts] | None = None,
) -> st.SearchStrategy[RequestForm]:
    """Complete Appendix 1 requests (RF-1, RF-2) with varied facts and agencies."""
    form = st.builds(
        demo_request,
        facts=facts if facts is not None else criteria_facts(),
        agencies=agency_sets(),
        incident_on=st.dates(date(2025, 1, 1), date(2026, 2, 1)),
    )
    return st.tuples(form, st.sampled_from(RequesterCategory)).map(
        lambda fc: evolve(fc[0], requester=evolve(fc[0].requester, category=fc[1]))
    )


_FORM_SPOILERS: tuple[Callable[[RequestForm], RequestForm], ...] = (
    lambda f: evolve(f, requester=evolve(f.requester, name="")),
    lambda f: evolve(f, requester=evolve(f.requester, email=" ")),
    lambda f: evolve(f, other_contact=evolve(f.other_contact, job_title="")),
    lambda f: evolve(f, incidents=()),
    lambda f: evolve(f, incidents=(evolve(f.incidents[0], details="\t"),)),
    lambda f: evolve(f, incidents=(evolve(f.incidents[0], date=date(2100, 1, 1)),)),
    lambda f: evolve(f, how_meets_criteria=""),
    lambda f: evolve(f, agencies=()),
    lambda f: evolve(f, agencies=(*f.agencies, f.agencies[0])),
    lambda f: evolve(f, signed_name=" "),
    lambda f: evolve(f, signed_date=date(2100, 1, 1)),
)


def bad_request_forms() -> st.SearchStrategy[RequestForm]:
    """Requests missing a required Appendix 1 field or with an impossible one (RF-2)."""
    return st.tuples(request_forms(), st.sampled_from(_FORM_SPOILERS)).map(lambda p: p[1](p[0]))


# ----------------------------------------------------------------------------- clock


def clock_steps() -> st.SearchStrategy[timedelta]:
    """How far the clock moves: hours, days or weeks."""
    return st.one_of(
        st.integers(1, 48).map(lambda h: timedelta(hours=h)),
        st.integers(1, 13).map(lambda d: timedelta(days=d)),
        st.integers(2, 8).map(lambda w: timedelta(weeks=w)),
    )


# ----------------------------------------------------------------------------- right commands


def _taken_ids(review: Review) -> set[str]:
    appointees = [a for a in (review.panel_chair, review.overview_writer) if a is not None]
    return {
        review.requested_by,
        *(a.person_id for a in (*appointees, *review.panel_members)),
        *(w.person_id for w in review.imr_writers),
    }


def _free_id(review: Review, base: str) -> str:
    """``base``, or a variant of it, that nobody on the review uses yet (so that the
    protocol's own appointment cannot clash with earlier random ones, PR-b)."""
    taken = _taken_ids(review)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _free_action_id(review: Review, base: str) -> str:
    candidate, n = base, 1
    while review.action(candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _appointment(review: Review, actor: Actor, agency: str | None = None) -> Appointment:
    person = _free_id(review, actor.id)
    return Appointment(person, actor.name, agency)


def _local_authorities(review: Review) -> list[str]:
    return [a.code for a in review.request.agencies if a.local_authority]


def _requested(review: Review) -> tuple[list[Step], list[Step]]:
    need: list[Step] = []
    optional: list[Step] = []
    if review.chair_received_on is None:
        need.append((c.RecordChairNotified(review.received_on), BUSINESS_MANAGER))
    if review.assessment is None:
        need.append((c.AssessCriteria(), BOARD_CHAIR))
    elif review.assessment.met:
        need.append((c.ConfirmReview("The criteria are met."), BOARD_CHAIR))
    else:
        need.append(
            (
                c.RecommendAlternative(
                    AlternativeReview.INDIVIDUAL_PRACTICE_REVIEW, "One agency's practice only."
                ),
                BOARD_CHAIR,
            )
        )
        optional.append(
            (
                c.RecommendAlternative(AlternativeReview.NEAR_MISS_REVIEW, "A near miss."),
                BOARD_CHAIR,
            )
        )
        optional.append((c.Decline("No criterion of §3 is met."), BOARD_CHAIR))
    return need, optional


def _rf5(review: Review) -> list[Step]:
    """Records secured and an IMR writer for every involved agency (RF-5)."""
    need: list[Step] = []
    for agency in review.agencies:
        if agency not in review.records_secured:
            need.append((c.RecordRecordsSecured(agency), BUSINESS_MANAGER))
    with_writer = {w.agency for w in review.imr_writers}
    for agency in review.agencies:
        if agency not in with_writer:
            person = _free_id(review, f"u-imr-{agency}")
            need.append(
                (c.RecordImrWriter(agency, person, f"IMR writer for {agency}"), BUSINESS_MANAGER)
            )
    return need


def _unrepresented(review: Review) -> list[Step]:
    """A panel member for every involved agency that has none (SU-2, RP-4)."""
    represented = {m.agency for m in review.panel_members}
    return [
        (c.AppointPanelMember(_appointment(review, panel_member(agency), agency)), BOARD_CHAIR)
        for agency in review.agencies
        if agency not in represented
    ]


def _advocate(review: Review) -> list[Step]:
    """SU-2: an advocate on the panel when the family is (or, with the demo's terms,
    will be) represented via advocacy and nobody sits for advocacy or the family."""
    terms = review.terms_of_reference
    family = terms.family if terms is not None else None
    via_advocacy = family is None or family.representation is FamilyRepresentation.ADVOCACY
    if not via_advocacy or advocacy_seated(review):
        return []
    person = _free_id(review, FAMILY_ADVOCATE.person_id)
    return [(c.AppointPanelMember(evolve(FAMILY_ADVOCATE, person_id=person)), BOARD_CHAIR)]


LATE_AGENCY = Agency("prb", "Probation Service")
"""An agency that joins after the panel is convened (SU-7, docs/decisions.md)."""


def _screened(review: Review, today: date) -> tuple[list[Step], list[Step]]:
    need: list[Step] = _rf5(review)
    optional: list[Step] = []
    authorities = _local_authorities(review)
    if len(authorities) > 1 and review.lead_authority is None:
        need.append((c.AgreeLeadAuthority(authorities[0]), BOARD_CHAIR))
        optional.append((c.AgreeLeadAuthority(authorities[-1]), BOARD_CHAIR))
    if review.panel_chair is None:
        need.append((c.AppointPanelChair(_appointment(review, PANEL_CHAIR)), BOARD_CHAIR))
    chair = chair_actor(review)
    need.extend(_unrepresented(review))
    need.extend(_advocate(review))
    if review.overview_writer is None:
        need.append((c.AppointOverviewWriter(_appointment(review, OVERVIEW_WRITER)), BOARD_CHAIR))
    if review.budget is None:
        optional.append((c.RecordBudget(5000, "Overview writer and venue costs."), BOARD_CHAIR))
    if review.panel_chair is not None and review.initial_meeting_on is None:
        terms = full_terms(review, today)
        need.append((c.HoldInitialMeeting(terms), chair))
    if not need:
        need.append((c.ConvenePanel(), chair))
    return need, optional


def _panel_convened(review: Review) -> tuple[list[Step], list[Step]]:
    chair = chair_actor(review)
    # A late agency needs RF-5 before the evidence is accepted; its panel member may
    # wait until the report is drafted (RP-4).
    need: list[Step] = _rf5(review)
    optional: list[Step] = _unrepresented(review)
    if LATE_AGENCY.code not in review.agencies:
        optional.append((c.AddAgency(LATE_AGENCY, "Its probation officer saw the adult."), chair))
    for agency in review.imr_agencies:
        imr = review.imr(agency)
        if imr is None or imr.judgement is ImrJudgement.FURTHER_INFORMATION_REQUESTED:
            need.append(
                (
                    c.ReceiveImr(agency, f"{agency}'s IMR.", (f"{agency} to review procedures.",)),
                    chair,
                )
            )
            optional.append(
                (c.ReceiveImr(agency, f"{agency}'s IMR, no changes."), BUSINESS_MANAGER)
            )
        elif imr.judgement is None:
            need.append((c.JudgeImr(agency, ImrJudgement.SUFFICIENT), chair))
            # EV-2: the panel may ask the IMR writer for more, and the review waits.
            optional.append(
                (
                    c.JudgeImr(
                        agency,
                        ImrJudgement.FURTHER_INFORMATION_REQUESTED,
                        "Please add the out-of-hours contacts.",
                    ),
                    chair,
                )
            )
    if not review.overview_brief:
        need.append((c.ConfirmOverviewBrief("Focus on information sharing."), chair))
    if not need:
        need.append((c.AcceptEvidence(), chair))
    optional.append(_writer_meeting(review))
    return need, optional


def _writer_meeting(review: Review) -> Step:
    purposes = frozenset({WriterMeetingPurpose.MONITOR_PROGRESS})
    return c.RecordWriterMeeting(purposes, "Progress reviewed."), writer_actor(review)


def _evidence_received(review: Review) -> tuple[list[Step], list[Step]]:
    writer = writer_actor(review)
    need: list[Step] = [(c.SubmitOverviewReport(full_report(review)), writer)]
    optional: list[Step] = [
        (c.SubmitOverviewReport(full_report(review, recommendations=0)), writer),
        (c.SubmitOverviewReport(full_report(review, recommendations=3)), writer),
        _writer_meeting(review),
    ]
    return need, optional


def _overview_drafted(review: Review) -> tuple[list[Step], list[Step]]:
    chair = chair_actor(review)
    need: list[Step] = _unrepresented(review)
    represented = {m.agency for m in review.panel_members}
    for agency in review.agencies:
        if agency not in review.signoffs and agency in represented:
            need.append((c.RecordAgencySignoff(agency), member_actor(review, agency)))
    assert review.overview_report is not None
    acted = {a.recommendation_id for a in review.actions}
    for rec in review.overview_report.conclusions.recommendations:
        if rec.id not in acted:
            action = c.AddAction(
                _free_action_id(review, f"A-{rec.id}"),
                rec.id,
                "Head of Service",
                3,
                "Practice changes.",
                "Learning log reviewed quarterly by the sub group.",
            )
            need.append((action, chair))
    if review.dissemination is None:
        dissemination = Dissemination(
            ("Board members", "Agencies"), "Secure e-mail", "Debriefs to staff and family."
        )
        need.append((c.RecordDissemination(dissemination), chair))
    if not need:
        need.append((c.Ratify(), BOARD_CHAIR))
    return need, [_writer_meeting(review)]


def _monitored(review: Review) -> tuple[list[Step], list[Step]]:
    need: list[Step] = []
    optional: list[Step] = []
    for action in review.actions:
        if action.completed_on is None:
            need.append((c.CompleteAction(action.id, "Done; staff briefed."), BUSINESS_MANAGER))
            optional.append((c.RecordActionProgress(action.id, "Under way."), BUSINESS_MANAGER))
    if not need:
        need.append((c.CloseReview(), BOARD_CHAIR))
    return need, optional


def _plan(review: Review, today: date) -> tuple[list[Step], list[Step]]:
    stage = review.stage
    if stage is Stage.REQUESTED:
        return _requested(review)
    if stage is Stage.SCREENED:
        return _screened(review, today)
    if stage is Stage.PANEL_CONVENED:
        return _panel_convened(review)
    if stage is Stage.EVIDENCE_RECEIVED:
        return _evidence_received(review)
    if stage is Stage.OVERVIEW_DRAFTED:
        return _overview_drafted(review)
    if stage is Stage.RATIFIED:
        return [(c.StartMonitoring(), BUSINESS_MANAGER)], []
    if stage is Stage.ACTION_PLAN_MONITORED:
        return _monitored(review)
    return [], []


def needed_steps(review: Review, today: date) -> list[Step]:
    """The commands the protocol needs next to move ``review`` on, in any order (the
    command leaving the stage comes alone, once nothing else is needed)."""
    need, _ = _plan(review, today)
    return need


POSTPONABLE: tuple[str, ...] = (
    "record_records_secured",
    "record_imr_writer",
    "agree_lead_authority",
    "appoint_panel_chair",
    "appoint_panel_member",
    "appoint_overview_writer",
    "hold_initial_meeting",
    "receive_imr",
    "judge_imr",
    "confirm_overview_brief",
    "record_agency_signoff",
    "add_action",
    "record_dissemination",
    "complete_action",
)
"""Needed steps a run may leave until last, so that the stage's exit is tried with
exactly that piece of work missing."""


def impostors(review: Review, step: Step) -> list[Actor]:
    """People who hold the role a step needs but are not the person it needs: another
    agency's panel member or an unappointed one (RP-4), someone else calling
    themselves the overview writer (SU-9) or the panel chair (SU-1)."""
    command, actor = step
    out: list[Actor] = []
    if isinstance(command, c.RecordAgencySignoff):
        out.append(
            Actor(
                f"u-unappointed-{command.agency}",
                "Unappointed",
                {Role.PANEL_MEMBER},
                command.agency,
            )
        )
        out.extend(
            member_actor(review, m.agency)
            for m in review.panel_members
            if m.agency is not None and m.agency != command.agency
        )
    if Role.OVERVIEW_WRITER in actor.roles and review.overview_writer is not None:
        out.append(Actor("u-ow-imposter", "Imposter writer", {Role.OVERVIEW_WRITER}))
    if Role.PANEL_CHAIR in actor.roles and review.panel_chair is not None:
        out.append(Actor("u-pc-imposter", "Imposter chair", {Role.PANEL_CHAIR}))
    return out


def right_steps(review: Review, today: date) -> list[Step]:
    """Every command the protocol accepts next on ``review``, issued by the right
    person: first those it needs to move the review on (the first is the canonical
    next step), then those it allows but does not need (a further-information request,
    a writer meeting, another alternative, a narrower set of IMR agencies, a budget, a
    progress note). Empty for a terminal review."""
    need, optional = _plan(review, today)
    return need + optional


def next_right(review: Review, today: date) -> Step | None:
    """The canonical next step of the protocol for ``review`` (None once terminal)."""
    need, _ = _plan(review, today)
    return need[0] if need else None


def right_command(review: Review, today: date) -> st.SearchStrategy[Step]:
    """One of the steps the protocol accepts next: the canonical one, another needed
    one, or an optional one, in about equal measure."""
    need, optional = _plan(review, today)
    if not need:
        return st.nothing()
    options = [st.just(need[0]), st.sampled_from(need)]
    if optional:
        options.append(st.sampled_from(optional))
    return st.one_of(options)


# ----------------------------------------------------------------------------- spoiled commands


def _spoil_text(cmd: c.Command, field: str, rules: str) -> st.SearchStrategy[Spoiled]:
    return bad_text().map(lambda t: (evolve(cmd, **{field: t}), frozenset(rules.split())))  # type: ignore[misc]


def _fixed(cmd: c.Command, rules: str) -> st.SearchStrategy[Spoiled]:
    return st.just((cmd, frozenset(rules.split())))


def _spoil_appointment(
    review: Review, cmd: c.AppointPanelChair | c.AppointPanelMember | c.AppointOverviewWriter
) -> list[st.SearchStrategy[Spoiled]]:
    a = cmd.appointment
    out = [
        # SU-1, PR-b: an appointee who declares involvement is refused.
        good_text().map(
            lambda why: (
                evolve(cmd, appointment=evolve(a, declared_involvement=True, involvement=why)),
                frozenset({"SU-1", "PR-b"}),
            )
        ),
        _fixed(evolve(cmd, appointment=evolve(a, declared_involvement=True)), "SU-1 PR-b"),
        bad_text().map(lambda t: (evolve(cmd, appointment=evolve(a, name=t)), frozenset({"SU-1"}))),
        _fixed(evolve(cmd, appointment=evolve(a, person_id=review.requested_by)), "SU-1"),
    ]
    if review.imr_writers:
        writers = [w.person_id for w in review.imr_writers]
        out.append(
            st.sampled_from(writers).map(
                lambda p: (evolve(cmd, appointment=evolve(a, person_id=p)), frozenset({"PR-b"}))
            )
        )
    if isinstance(cmd, c.AppointPanelMember) and a.represents in (None, MemberCapacity.AGENCY):
        out.append(_fixed(evolve(cmd, appointment=evolve(a, agency=None)), "SU-2"))
        out.append(_fixed(evolve(cmd, appointment=evolve(a, agency=UNKNOWN_AGENCY)), "INPUT"))
    elif isinstance(cmd, c.AppointPanelMember) and review.agencies:
        # SU-2: a member in another capacity (the advocate) cannot claim an involved agency.
        claim = evolve(a, agency=review.agencies[0])
        out.append(_fixed(evolve(cmd, appointment=claim), "SU-2"))
    return out


def _spoil_terms(review: Review, today: date, cmd: c.HoldInitialMeeting) -> list[Spoiled]:
    t = cmd.terms
    items = dict(t.items)
    dropped = next(iter(TorItem))
    del items[dropped]
    out: list[Spoiled] = [
        (c.HoldInitialMeeting(evolve(t, items=items)), frozenset({"SU-6"})),
        (c.HoldInitialMeeting(evolve(t, family=None)), frozenset({"SU-8"})),
        (c.HoldInitialMeeting(evolve(t, imr_due=today, overview_due=today)), frozenset({"SU-7"})),
        (
            c.HoldInitialMeeting(evolve(t, overview_due=t.imr_due - timedelta(days=1))),
            frozenset({"RP-1"}),
        ),
        (c.HoldInitialMeeting(evolve(t, review_months=0)), frozenset({"SU-4"})),
        (c.HoldInitialMeeting(evolve(t, imr_agencies=())), frozenset({"SU-7"})),
        (
            c.HoldInitialMeeting(evolve(t, imr_agencies=(*t.imr_agencies, UNKNOWN_AGENCY))),
            frozenset({"INPUT"}),
        ),
        (
            c.HoldInitialMeeting(evolve(t, imr_agencies=(*t.imr_agencies, t.imr_agencies[0]))),
            frozenset({"SU-7"}),
        ),
        (c.HoldInitialMeeting(evolve(t, support=" ")), frozenset({"SU-10"})),
        # PR-c: every involved agency contributes an IMR.
        (
            c.HoldInitialMeeting(evolve(t, imr_agencies=t.imr_agencies[1:])),
            frozenset({"PR-c", "SU-7"}),
        ),
        (c.HoldInitialMeeting(evolve(t, meetings=())), frozenset({"SU-10"})),
    ]
    if review.complex:
        out.append((c.HoldInitialMeeting(evolve(t, case_specific_scope="")), frozenset({"CR-3"})))
    return out


def _spoil_report(review: Review, cmd: c.SubmitOverviewReport) -> list[Spoiled]:
    r: OverviewReport = cmd.report
    out: list[Spoiled] = [
        (
            c.SubmitOverviewReport(evolve(r, analysis=evolve(r.analysis, hindsight=""))),
            frozenset({"RP-2"}),
        ),
        (
            c.SubmitOverviewReport(evolve(r, facts=evolve(r.facts, chronology=()))),
            frozenset({"RP-2"}),
        ),
        (c.SubmitOverviewReport(evolve(r, executive_summary=None)), frozenset({"RP-3"})),
        (
            c.SubmitOverviewReport(
                evolve(r, executive_summary=ExecutiveSummary("Mr X of 1 River Lane.", True))
            ),
            frozenset({"PR-e"}),
        ),
    ]
    recs = r.conclusions.recommendations
    if recs:
        twice = evolve(r.conclusions, recommendations=(*recs, recs[0]))
        out.append((c.SubmitOverviewReport(evolve(r, conclusions=twice)), frozenset({"INPUT"})))
    if any(imr.recommendations for imr in review.imrs):
        only_overview = tuple(x for x in recs if x.source == "overview")
        dropped = evolve(r.conclusions, recommendations=only_overview)
        out.append((c.SubmitOverviewReport(evolve(r, conclusions=dropped)), frozenset({"RP-2"})))
    return out


def spoiled_command(
    review: Review, today: date, cmd: c.Command
) -> st.SearchStrategy[Spoiled] | None:
    """A variant of the right command ``cmd`` that the protocol must refuse (missing
    text, an unknown agency, a declared-involvement appointee, an action for an
    unknown recommendation …), with the rule IDs the refusal must cite; None when the
    command takes no input to spoil."""
    options: list[st.SearchStrategy[Spoiled]] = []
    if isinstance(cmd, c.RecordChairNotified):
        options.append(
            _fixed(evolve(cmd, received_on=review.received_on - timedelta(days=1)), "RF-3")
        )
        options.append(_fixed(evolve(cmd, received_on=today + timedelta(days=1)), "RF-3"))
    elif isinstance(cmd, (c.RecommendAlternative, c.Decline)):
        options.append(_spoil_text(cmd, "reasons", "CR-4"))
    elif isinstance(cmd, c.RecordRecordsSecured):
        options.append(_fixed(c.RecordRecordsSecured(UNKNOWN_AGENCY), "INPUT"))
    elif isinstance(cmd, c.RecordImrWriter):
        options.append(_fixed(evolve(cmd, agency=UNKNOWN_AGENCY), "INPUT"))
        options.append(_spoil_text(cmd, "person_id", "RF-5"))
        options.append(_spoil_text(cmd, "writer_name", "RF-5"))
        involved = evolve(cmd, declared_involvement=True, involvement="Knew the family.")
        options.append(_fixed(involved, "PR-b"))
        appointees = [
            a.person_id
            for a in (review.panel_chair, review.overview_writer, *review.panel_members)
            if a is not None
        ]
        if appointees:
            options.append(
                st.sampled_from(appointees).map(
                    lambda p: (evolve(cmd, person_id=p), frozenset({"PR-b"}))
                )
            )
    elif isinstance(cmd, c.AgreeLeadAuthority):
        options.append(_fixed(c.AgreeLeadAuthority(UNKNOWN_AGENCY), "INPUT"))
        others = [a.code for a in review.request.agencies if not a.local_authority]
        if others:
            options.append(
                st.sampled_from(others).map(
                    lambda a: (c.AgreeLeadAuthority(a), frozenset({"RF-6"}))
                )
            )
    elif isinstance(cmd, (c.AppointPanelChair, c.AppointPanelMember, c.AppointOverviewWriter)):
        options.extend(_spoil_appointment(review, cmd))
    elif isinstance(cmd, c.RecordBudget):
        options.append(_fixed(evolve(cmd, amount_pounds=-1), "SU-3"))
        options.append(_spoil_text(cmd, "notes", "SU-3"))
    elif isinstance(cmd, c.HoldInitialMeeting):
        options.append(st.sampled_from(_spoil_terms(review, today, cmd)))
    elif isinstance(cmd, c.ReceiveImr):
        options.append(_spoil_text(cmd, "summary", "EV-1"))
        options.append(_fixed(evolve(cmd, agency=UNKNOWN_AGENCY), "INPUT"))
        outside = [a for a in review.agencies if a not in review.imr_agencies]
        if outside:
            options.append(
                st.sampled_from(outside).map(lambda a: (evolve(cmd, agency=a), frozenset({"SU-7"})))
            )
    elif isinstance(cmd, c.ConfirmReview):
        # CR-1: a review the Board must conduct cannot be redirected or declined.
        assessment = review.assessment
        if meets_cr1(review.request.facts) or (assessment is not None and assessment.mandatory):
            options.append(_fixed(c.Decline("Not needed."), "CR-1"))
            options.append(
                st.sampled_from(AlternativeReview).map(
                    lambda k: (c.RecommendAlternative(k, "Smaller review."), frozenset({"CR-1"}))
                )
            )
    elif isinstance(cmd, c.JudgeImr):
        further = evolve(cmd, judgement=ImrJudgement.FURTHER_INFORMATION_REQUESTED)
        options.append(_spoil_text(further, "further_information", "EV-2"))
        # EV-1: an IMR is received once, again only when further information is asked.
        options.append(_fixed(c.ReceiveImr(cmd.agency, "A second IMR."), "EV-1"))
        options.append(_fixed(evolve(cmd, agency=UNKNOWN_AGENCY), "INPUT"))
    elif isinstance(cmd, c.ConfirmOverviewBrief):
        options.append(_spoil_text(cmd, "brief", "EV-3"))
    elif isinstance(cmd, c.RecordWriterMeeting):
        options.append(_fixed(evolve(cmd, purposes=frozenset()), "OW-1"))
    elif isinstance(cmd, c.SubmitOverviewReport):
        options.append(st.sampled_from(_spoil_report(review, cmd)))
    elif isinstance(cmd, c.RecordAgencySignoff):
        # Signing off for another agency is a permission refusal, judged before the
        # input: the agency's own member only (RP-4, hardening 7).
        options.append(_fixed(c.RecordAgencySignoff(UNKNOWN_AGENCY), "RP-4"))
    elif isinstance(cmd, c.AddAction):
        options.append(_fixed(evolve(cmd, recommendation_id="R-unknown"), "RP-5"))
        options.append(_spoil_text(cmd, "owner", "AP-1"))
        options.append(_spoil_text(cmd, "outcome", "AP-1"))
        options.append(_spoil_text(cmd, "monitoring", "AP-1"))
        options.append(_fixed(evolve(cmd, timescale_months=0), "AP-1"))
        if review.actions:
            options.append(_fixed(evolve(cmd, action_id=review.actions[0].id), "INPUT"))
    elif isinstance(cmd, c.RecordDissemination):
        d = cmd.dissemination
        options.append(_fixed(c.RecordDissemination(evolve(d, recipients=())), "RP-6"))
        options.append(_fixed(c.RecordDissemination(evolve(d, means="")), "RP-6"))
    elif isinstance(cmd, c.RecordActionProgress):
        options.append(_fixed(evolve(cmd, action_id="A-unknown"), "INPUT"))
        options.append(_spoil_text(cmd, "note", "AP-2"))
    elif isinstance(cmd, c.CompleteAction):
        options.append(_fixed(evolve(cmd, action_id="A-unknown"), "INPUT"))
        options.append(_spoil_text(cmd, "outcome", "AP-3"))
    if not options:
        return None
    return st.one_of(options)


def headline_spoil(review: Review, today: date, cmd: c.Command) -> Spoiled | None:
    """The one spoiled variant of ``cmd`` that matters most for the protocol, or None:
    an appointee who declared involvement (SU-1, PR-b), terms of reference leaving an
    item unaddressed (SU-6), an action for an unknown recommendation (RP-5), a report
    missing a section (RP-2), an IMR writer who conducts the review (PR-b), a CR-1
    request declined (CR-1), an IMR judged insufficient without saying what is
    missing (EV-2), a second IMR while one is awaiting judgement (EV-1)."""
    if isinstance(cmd, (c.AppointPanelChair, c.AppointPanelMember, c.AppointOverviewWriter)):
        a = evolve(cmd.appointment, declared_involvement=True, involvement="Knew the family.")
        return evolve(cmd, appointment=a), frozenset({"SU-1", "PR-b"})
    if isinstance(cmd, c.HoldInitialMeeting):
        items = dict(cmd.terms.items)
        del items[TorItem.RISK_ASSESSMENTS]
        return c.HoldInitialMeeting(evolve(cmd.terms, items=items)), frozenset({"SU-6"})
    if isinstance(cmd, c.AddAction):
        return evolve(cmd, recommendation_id="R-unknown"), frozenset({"RP-5"})
    if isinstance(cmd, c.SubmitOverviewReport):
        r = cmd.report
        return (
            c.SubmitOverviewReport(evolve(r, analysis=evolve(r.analysis, good_practice=""))),
            frozenset({"RP-2"}),
        )
    if isinstance(cmd, c.RecordImrWriter):
        appointees = [
            a.person_id
            for a in (review.panel_chair, review.overview_writer, *review.panel_members)
            if a is not None
        ]
        if appointees:
            return evolve(cmd, person_id=appointees[-1]), frozenset({"PR-b"})
    if isinstance(cmd, c.ConfirmReview) and meets_cr1(review.request.facts):
        return c.Decline("Not needed."), frozenset({"CR-1"})
    if isinstance(cmd, c.JudgeImr):
        further = evolve(cmd, judgement=ImrJudgement.FURTHER_INFORMATION_REQUESTED)
        return evolve(further, further_information=""), frozenset({"EV-2"})
    return None


def spoiled_steps(review: Review, today: date) -> st.SearchStrategy[tuple[Step, Spoiled]] | None:
    """One of the steps the protocol accepts next, with a spoiled variant of it that it
    must refuse (see :func:`spoiled_command`); None when no step can be spoiled."""
    options: list[st.SearchStrategy[tuple[Step, Spoiled]]] = []
    for step in right_steps(review, today):
        spoiled = spoiled_command(review, today, step[0])
        if spoiled is not None:
            options.append(st.tuples(st.just(step), spoiled))
    return st.one_of(options) if options else None


# ----------------------------------------------------------------------------- any command


def _people(review: Review) -> st.SearchStrategy[str]:
    ids = sorted(_taken_ids(review) | {"u-new", "u-pc", "u-ow", "u-imr-gp"})
    return st.sampled_from(ids)


def _agency(review: Review) -> st.SearchStrategy[str]:
    return st.sampled_from((*review.agencies, UNKNOWN_AGENCY))


def _dates(today: date) -> st.SearchStrategy[date]:
    return st.integers(-60, 400).map(lambda d: today + timedelta(days=d))


def _recommendation_ids(review: Review) -> st.SearchStrategy[str]:
    report = review.overview_report
    ids = [r.id for r in report.conclusions.recommendations] if report is not None else []
    return st.sampled_from((*ids, "R-unknown"))


def _action_ids(review: Review) -> st.SearchStrategy[str]:
    return st.sampled_from((*(a.id for a in review.actions), "A-unknown", ""))


def _deadline_keys(review: Review) -> st.SearchStrategy[str]:
    keys = [
        "chair_notified",
        "initial_meeting",
        "review_complete",
        "overview_report",
        "nonsense",
        *(f"imr:{a}" for a in review.agencies),
        *(f"action:{a.id}" for a in review.actions),
    ]
    return st.sampled_from(keys)


def _terms(review: Review, today: date) -> st.SearchStrategy[TermsOfReference]:
    right = full_terms(review, today)
    spoiled = [
        cmd.terms
        for cmd, _ in _spoil_terms(review, today, c.HoldInitialMeeting(right))
        if isinstance(cmd, c.HoldInitialMeeting)
    ]
    return st.sampled_from([right, *spoiled])


def _reports(review: Review) -> st.SearchStrategy[OverviewReport]:
    right = full_report(review)
    spoiled = [
        cmd.report
        for cmd, _ in _spoil_report(review, c.SubmitOverviewReport(right))
        if isinstance(cmd, c.SubmitOverviewReport)
    ]
    return st.sampled_from([right, full_report(review, recommendations=0), *spoiled])


def _appointments(review: Review) -> st.SearchStrategy[Appointment]:
    return st.builds(
        Appointment,
        person_id=_people(review),
        name=texts(),
        agency=st.one_of(st.none(), _agency(review)),
        declared_involvement=st.booleans(),
        involvement=texts(),
    )


_Builder = Callable[[Review, date], st.SearchStrategy[c.Command]]

_ANY: dict[str, _Builder] = {
    "record_chair_notified": lambda r, d: st.builds(c.RecordChairNotified, _dates(d)),
    "assess_criteria": lambda r, d: st.builds(
        c.AssessCriteria, st.one_of(st.none(), criteria_facts()), texts()
    ),
    "confirm_review": lambda r, d: st.builds(c.ConfirmReview, texts()),
    "recommend_alternative": lambda r, d: st.builds(
        c.RecommendAlternative, st.sampled_from(AlternativeReview), texts()
    ),
    "decline": lambda r, d: st.builds(c.Decline, texts()),
    "record_records_secured": lambda r, d: st.builds(c.RecordRecordsSecured, _agency(r)),
    "record_imr_writer": lambda r, d: st.builds(
        c.RecordImrWriter,
        _agency(r),
        _people(r),
        texts(),
        st.sampled_from((None, False, True)),
        texts(),
    ),
    "agree_lead_authority": lambda r, d: st.builds(c.AgreeLeadAuthority, _agency(r)),
    "appoint_panel_chair": lambda r, d: st.builds(c.AppointPanelChair, _appointments(r)),
    "appoint_panel_member": lambda r, d: st.builds(c.AppointPanelMember, _appointments(r)),
    "appoint_overview_writer": lambda r, d: st.builds(c.AppointOverviewWriter, _appointments(r)),
    "record_budget": lambda r, d: st.builds(
        c.RecordBudget,
        # now and then a wrongly typed amount: refused as malformed input
        st.one_of(st.integers(-100, 10**6), st.sampled_from(["5000", True, 2.5])),
        texts(),
    ),
    "hold_initial_meeting": lambda r, d: st.builds(c.HoldInitialMeeting, _terms(r, d)),
    "convene_panel": lambda r, d: st.just(c.ConvenePanel()),
    "receive_imr": lambda r, d: st.builds(
        c.ReceiveImr, _agency(r), texts(), st.lists(texts(), max_size=2).map(tuple)
    ),
    "judge_imr": lambda r, d: st.builds(
        c.JudgeImr, _agency(r), st.sampled_from(ImrJudgement), texts()
    ),
    "confirm_overview_brief": lambda r, d: st.builds(c.ConfirmOverviewBrief, texts()),
    "accept_evidence": lambda r, d: st.just(c.AcceptEvidence()),
    "record_writer_meeting": lambda r, d: st.builds(
        c.RecordWriterMeeting, st.frozensets(st.sampled_from(WriterMeetingPurpose)), texts()
    ),
    "submit_overview_report": lambda r, d: st.builds(c.SubmitOverviewReport, _reports(r)),
    "request_revision": lambda r, d: st.builds(c.RequestRevision, texts()),
    "record_agency_signoff": lambda r, d: st.builds(c.RecordAgencySignoff, _agency(r)),
    "add_action": lambda r, d: st.builds(
        c.AddAction,
        st.sampled_from(("A-1", "A-2", "")),
        _recommendation_ids(r),
        texts(),
        st.integers(-1, 24),
        texts(),
        texts(),
    ),
    "record_dissemination": lambda r, d: st.builds(
        c.RecordDissemination,
        st.builds(Dissemination, st.lists(texts(), max_size=2).map(tuple), texts(), texts()),
    ),
    "ratify": lambda r, d: st.builds(c.Ratify, st.one_of(st.none(), _dates(d))),
    "start_monitoring": lambda r, d: st.just(c.StartMonitoring()),
    "record_action_progress": lambda r, d: st.builds(
        c.RecordActionProgress, _action_ids(r), texts()
    ),
    "complete_action": lambda r, d: st.builds(c.CompleteAction, _action_ids(r), texts()),
    "close_review": lambda r, d: st.just(c.CloseReview()),
    "withdraw": lambda r, d: st.builds(c.Withdraw, texts()),
    "pause_clock": lambda r, d: st.builds(c.PauseClock, texts(), texts()),
    "resume_clock": lambda r, d: st.builds(c.ResumeClock, texts()),
    "extend_deadline": lambda r, d: st.builds(
        c.ExtendDeadline, _deadline_keys(r), _dates(d), texts()
    ),
}

COMMAND_NAMES: tuple[str, ...] = tuple(sorted(_ANY))
"""Every command a review can be sent (all but ``submit_request``)."""


def any_command(review: Review, today: date) -> st.SearchStrategy[c.Command]:
    """Any command of the protocol but ``submit_request``, most often one the table
    allows from the review's stage, with payloads that are sometimes right and sometimes
    wrong: blank text, unknown agencies, people already on the review, appointees
    declaring involvement, unknown recommendations or actions, dates before or after
    today, and now and then a wrongly typed field."""
    valid = sorted(commands_from(review.stage) & set(_ANY))
    names = st.sampled_from(COMMAND_NAMES)
    if valid:
        names = st.one_of(st.sampled_from(valid), st.sampled_from(valid), names)
    return names.flatmap(lambda n: _ANY[n](review, today))


_MORE: dict[str, _Builder] = {
    "replace_panel_chair": lambda r, d: st.builds(c.ReplacePanelChair, _appointments(r), texts()),
    "replace_overview_writer": lambda r, d: st.builds(
        c.ReplaceOverviewWriter, _appointments(r), texts()
    ),
    "stand_down_panel_member": lambda r, d: st.builds(
        c.StandDownPanelMember, _people(r), texts(), st.one_of(st.none(), _appointments(r))
    ),
    "revise_terms_of_reference": lambda r, d: st.builds(
        c.ReviseTermsOfReference, _terms(r, d), texts()
    ),
}


def command_inputs(name: str, review: Review, today: date) -> st.SearchStrategy[c.Command]:
    """Inputs of one command for ``review``, right and wrong alike (as
    :func:`any_command` makes them), and the corrections; nothing for a command with
    no strategy here."""
    builder = _ANY.get(name) or _MORE.get(name)
    return builder(review, today) if builder is not None else st.nothing()
