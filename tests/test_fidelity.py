"""Protocol fidelity (issue 9): panel membership beyond the involved agencies (SU-2),
panel-chair commands before a panel chair is appointed (SU-1), RP-2 refusals whatever
the input, and who ratifies (RP-7)."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from scr_engine import (
    Actor,
    Appointment,
    FixedClock,
    InvalidRequest,
    MemberCapacity,
    PermissionDenied,
    Review,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.history import replay, verify_history
from scr_engine.serialization import structure, unstructure
from scr_engine.states.table import row
from support.builders import (
    BOARD_CHAIR,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    do,
    draft_report,
    full_report,
    full_terms,
    gather_evidence,
    panel_member,
    plan_actions,
    prepare_panel,
    screen,
    submit,
    to_stage,
    today,
)


def _screened(engine: ReviewEngine) -> Review:
    return screen(engine, submit(engine).id)


def _others() -> list[Appointment]:
    """Members the Membership guidance names who are not an involved agency."""
    return [
        Appointment("u-adv", "Ash Advocate", "advocacy", represents=MemberCapacity.ADVOCACY),
        Appointment("u-fam", "Fen Family", represents=MemberCapacity.SUBJECT_OR_FAMILY),
        Appointment("u-cqc", "Cy Inspector", "cqc", represents=MemberCapacity.CQC_INSPECTOR),
        Appointment("u-cor", "Cole Coroner", represents=MemberCapacity.CORONER),
        Appointment(
            "u-isp", "Iva Provider", "care-home", represents=MemberCapacity.INDEPENDENT_PROVIDER
        ),
        Appointment("u-oth", "Otto Pharmacist", represents=MemberCapacity.OTHER_PROFESSIONAL),
    ]


# --------------------------------------------------------------------------- SU-2


@pytest.mark.rule("SU-2")
def test_su2_panel_may_seat_members_who_are_not_an_involved_agency(
    engine: ReviewEngine,
) -> None:
    """SU-2 is a floor, not a fence: besides a member for every involved agency, the
    panel may seat a representative of the subject or family, advocacy services, the
    CQC inspector, the coroner, an independent provider and other professionals —
    with or without an organisation code of their own — and is then convened."""
    review = _screened(engine)
    for member in _others():
        do(engine, review.id, c.AppointPanelMember(member), BOARD_CHAIR)
    prepare_panel(engine, review.id)
    convened = do(engine, review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert convened.stage is Stage.PANEL_CONVENED
    seated = {m.person_id: m.represents for m in convened.panel_members}
    assert seated["u-adv"] is MemberCapacity.ADVOCACY
    assert seated["u-cor"] is MemberCapacity.CORONER
    assert seated["u-pm-gp"] is None  # an agency's member, as before
    assert len(convened.panel_members) == len(_others()) + len(convened.agencies)


@pytest.mark.rule("SU-2")
def test_su2_other_members_do_not_stand_for_an_involved_agency(engine: ReviewEngine) -> None:
    """SU-2: the floor still holds — a panel of advocates, inspectors and coroners does
    not represent the involved agencies, so it is not convened until each has its own
    member; and no member in another capacity may claim an involved agency."""
    review = _screened(engine)
    for member in _others():
        do(engine, review.id, c.AppointPanelMember(member), BOARD_CHAIR)
    prepare_panel(engine, review.id, members=False)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert [(r.rule, r.message) for r in refused.value.refusals] == [
        ("SU-2", "the panel has no member from: asc, gp, police")
    ]
    claim = Appointment("u-x", "Xi Advocate", "gp", represents=MemberCapacity.ADVOCACY)
    with pytest.raises(InvalidRequest) as claimed:
        engine.execute(review.id, c.AppointPanelMember(claim), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in claimed.value.refusals] == [
        ("SU-2", "appointment.represents")
    ]
    assert "gp is involved in this review" in str(claimed.value)


@pytest.mark.rule("SU-2")
def test_su2_agency_member_names_an_involved_agency(engine: ReviewEngine) -> None:
    """SU-2: a member sitting for an agency (``represents`` agency, or not given as in
    records made before it existed) must name an involved agency."""
    review = _screened(engine)
    nameless = Appointment("u-m", "Mo Member", represents=MemberCapacity.AGENCY)
    with pytest.raises(InvalidRequest) as none:
        engine.execute(review.id, c.AppointPanelMember(nameless), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in none.value.refusals] == [("SU-2", "appointment.agency")]
    outsider = Appointment("u-m", "Mo Member", "advocacy", represents=MemberCapacity.AGENCY)
    with pytest.raises(InvalidRequest) as unknown:
        engine.execute(review.id, c.AppointPanelMember(outsider), BOARD_CHAIR)
    assert "'advocacy' is not involved in this review" in str(unknown.value)
    explicit = Appointment("u-m", "Mo Member", "gp", represents=MemberCapacity.AGENCY)
    after = do(engine, review.id, c.AppointPanelMember(explicit), BOARD_CHAIR)
    assert after.panel_members[-1].represents is MemberCapacity.AGENCY


@pytest.mark.rule("SU-2")
@pytest.mark.rule("SU-1")
@pytest.mark.rule("PR-b")
@pytest.mark.parametrize("member", _others(), ids=lambda m: str(m.represents))
def test_su2_every_member_is_impartial(engine: ReviewEngine, member: Appointment) -> None:
    """SU-1, PR-b: impartiality binds every member, whatever they represent: one who
    declares previous involvement with the adult, the family or the case is refused."""
    review = _screened(engine)
    involved = Appointment(
        member.person_id,
        member.name,
        member.agency,
        declared_involvement=True,
        involvement="Knew the adult.",
        represents=member.represents,
    )
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.AppointPanelMember(involved), BOARD_CHAIR)
    assert set(refused.value.rules) == {"SU-1", "PR-b"}
    assert engine.get(review.id).panel_members == ()


@pytest.mark.rule("SU-2")
@pytest.mark.rule("RP-4")
def test_su2_other_members_cannot_sign_off_for_an_agency(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: only an agency's own member confirms its information is fairly
    represented; an advocate seated on the panel cannot, even acting for that agency."""
    review = submit(engine)
    screen(engine, review.id)
    advocate = Appointment("u-adv", "Ash Advocate", represents=MemberCapacity.ADVOCACY)
    do(engine, review.id, c.AppointPanelMember(advocate), BOARD_CHAIR)
    prepare_panel(engine, review.id)
    do(engine, review.id, c.ConvenePanel(), PANEL_CHAIR)
    gather_evidence(engine, review.id)
    draft_report(engine, review.id)
    actor = Actor("u-adv", "Ash Advocate", {Role.PANEL_MEMBER}, "gp")
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.RecordAgencySignoff("gp"), actor)
    assert denied.value.rules == ("RP-4",)
    signed = do(engine, review.id, c.RecordAgencySignoff("gp"), panel_member("gp"))
    assert "gp" in signed.signoffs


@pytest.mark.rule("SU-2")
def test_su2_appointments_without_represents_still_load(engine: ReviewEngine) -> None:
    """SU-2, PR-d: JSON written before ``represents`` existed still loads (as an
    agency's member), and a history with the new field replays and verifies."""
    old = {"person_id": "u-pm-gp", "name": "Panel member for gp", "agency": "gp"}
    appointment = structure(old, Appointment)
    assert appointment.represents is None
    command = c.from_dict({"command": "appoint_panel_member", "appointment": old})
    review = _screened(engine)
    do(engine, review.id, command, BOARD_CHAIR)
    other = _others()[0]
    do(engine, review.id, c.AppointPanelMember(other), BOARD_CHAIR)
    assert unstructure(other)["represents"] == "advocacy"
    assert c.from_dict(c.to_dict(c.AppointPanelMember(other))) == c.AppointPanelMember(other)
    events = engine.history(review.id)
    assert verify_history(events) == []
    assert replay(events) == engine.get(review.id)


# --------------------------------------------------------------------------- SU-1


PAUSE = c.PauseClock("inquest", "The coroner's inquest must finish first.")
RESUME = c.ResumeClock("The inquest has concluded.")
CLOCK_COMMANDS = ("pause_clock", "resume_clock", "extend_deadline")


def _extension(engine: ReviewEngine, review_id: str) -> c.ExtendDeadline:
    deadline = next(d for d in engine.deadlines(review_id) if d.open)
    return c.ExtendDeadline(deadline.key, deadline.due_on + timedelta(days=14), "More time.")


@pytest.mark.rule("SU-1")
@pytest.mark.parametrize("stage", [Stage.REQUESTED, Stage.SCREENED], ids=str)
def test_su1_no_one_acts_as_panel_chair_before_one_is_appointed(
    engine: ReviewEngine, clock: FixedClock, stage: Stage
) -> None:
    """SU-1: until the review has its panel chair, an actor holding the panel_chair
    role is refused the chairs' commands (pause, resume, extend) — they are the board
    chair's only — and allowed() does not list them; the board chair may issue them."""
    review = to_stage(engine, clock, stage)
    assert review.panel_chair is None
    someone = Actor("u-any-pc", "Any Panelchair", {Role.PANEL_CHAIR})
    for actor in (PANEL_CHAIR, someone):
        assert engine.allowed(review.id, actor) == []
        for command in (PAUSE, _extension(engine, review.id)):
            with pytest.raises(PermissionDenied) as denied:
                engine.execute(review.id, command, actor)
            assert denied.value.rules == ("SU-1",)
            assert "no panel chair is appointed yet" in str(denied.value)
            assert "the board chair's only" in str(denied.value)
    assert set(CLOCK_COMMANDS) - {"resume_clock"} <= set(engine.allowed(review.id, BOARD_CHAIR))
    do(engine, review.id, PAUSE, BOARD_CHAIR)
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, RESUME, PANEL_CHAIR)
    assert denied.value.rules == ("SU-1",)
    assert "resume_clock" not in engine.allowed(review.id, PANEL_CHAIR)
    assert "resume_clock" in engine.allowed(review.id, BOARD_CHAIR)
    do(engine, review.id, RESUME, BOARD_CHAIR)
    extended = do(engine, review.id, _extension(engine, review.id), BOARD_CHAIR)
    assert extended.extensions


@pytest.mark.rule("SU-1")
def test_su1_panel_chair_only_commands_wait_for_the_appointment(engine: ReviewEngine) -> None:
    """SU-1: a command only a panel chair may issue (the initial meeting) is refused
    as a matter of standing before a panel chair is appointed; once appointed, the
    appointee acts as panel chair, clocks included."""
    review = _screened(engine)
    ready = prepare_panel(engine, review.id, panel_chair=False, meeting=False)
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(
            ready.id, c.HoldInitialMeeting(full_terms(ready, today(engine))), PANEL_CHAIR
        )
    assert set(denied.value.rules) == {"SU-1"}
    assert "no panel chair is appointed yet: u-pc cannot act" in str(denied.value)
    appointment = Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)
    do(engine, review.id, c.AppointPanelChair(appointment), BOARD_CHAIR)
    allowed = engine.allowed(review.id, PANEL_CHAIR)
    assert {"hold_initial_meeting", "pause_clock", "extend_deadline"} <= set(allowed)
    paused = do(engine, review.id, PAUSE, PANEL_CHAIR)
    assert paused.paused


@pytest.mark.rule("SU-1")
def test_su1_board_chair_who_also_holds_panel_chair_acts_as_board_chair(
    engine: ReviewEngine,
) -> None:
    """SU-1: an actor holding both chairs' roles acts as the board chair (the first of
    their roles the command allows), so the absence of a panel chair does not stop
    them."""
    review = submit(engine)
    both = Actor("u-both", "Bo Both", {Role.BOARD_CHAIR, Role.PANEL_CHAIR})
    paused = do(engine, review.id, PAUSE, both)
    assert paused.paused
    assert engine.history(review.id)[-1].role is Role.BOARD_CHAIR


# --------------------------------------------------------------------------- RP-2


def _drafting(engine: ReviewEngine, clock: FixedClock) -> Review:
    return to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)


@pytest.mark.rule("RP-2")
def test_rp2_report_built_in_python_with_a_section_missing_names_it(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2: a report built in Python with whole sections (or parts of one) set to
    None is refused naming each missing section — not as a value of the wrong type —
    and nothing is recorded."""
    review = _drafting(engine, clock)
    report = full_report(review)
    spoiled = attrs.evolve(
        report,
        introduction=None,
        analysis=None,
        facts=attrs.evolve(report.facts, overview_of_known=None),
    )
    command = c.SubmitOverviewReport(spoiled)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, command, OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [
        ("RP-2", "report.introduction"),
        ("RP-2", "report.facts.overview_of_known"),
        ("RP-2", "report.analysis"),
    ]
    message = str(refused.value)
    assert "the report lacks the Appendix 3 section introduction" in message
    assert "the report lacks the Appendix 3 section facts.overview_of_known" in message
    assert "expected" not in message and "NoneType" not in message
    assert engine.explain(review.id, command, OVERVIEW_WRITER) == list(refused.value.refusals)
    assert engine.get(review.id).overview_report is None
    accepted = do(engine, review.id, c.SubmitOverviewReport(report), OVERVIEW_WRITER)
    assert accepted.stage is Stage.OVERVIEW_DRAFTED


@pytest.mark.rule("RP-2")
@pytest.mark.rule("RP-3")
def test_rp2_report_sent_as_json_with_a_null_or_absent_section_names_it(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-2: JSON whose report gives a section as ``null`` or leaves it out is refused
    by ``commands.from_dict`` naming each missing section; without its executive
    summary, naming RP-3. Optional parts (national lessons) may be left out."""
    review = _drafting(engine, clock)
    data = c.to_dict(c.SubmitOverviewReport(full_report(review)))
    spoiled = copy.deepcopy(data)
    spoiled["report"]["introduction"] = None
    spoiled["report"]["conclusions"]["lessons"] = None
    del spoiled["report"]["facts"]
    del spoiled["report"]["executive_summary"]
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(spoiled)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [
        ("RP-2", "report.introduction"),
        ("RP-2", "report.facts"),
        ("RP-2", "report.conclusions.lessons"),
        ("RP-3", "report.executive_summary"),
    ]
    assert "NoneType" not in str(refused.value)
    name = "submit_overview_report"
    for empty in ({"command": name}, {"command": name, "report": None}):
        with pytest.raises(InvalidRequest) as nothing:
            c.from_dict(empty)
        assert [(r.rule, r.field) for r in nothing.value.refusals] == [("RP-2", "report")]
    del data["report"]["conclusions"]["national_lessons"]
    command = c.from_dict(data)
    accepted = do(engine, review.id, command, OVERVIEW_WRITER)
    assert accepted.stage is Stage.OVERVIEW_DRAFTED


# --------------------------------------------------------------------------- RP-7


@pytest.mark.rule("RP-7")
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_rp7_the_board_ratifies_through_its_chair_or_as_the_board(
    engine: ReviewEngine, clock: FixedClock, role: Role
) -> None:
    """RP-7: the Board ratifies — the board chair records it on the Board's behalf, or
    an actor holding the ``board`` role; an actor in any other role (the appointed
    panel chair included) is refused citing RP-7, and allowed() does not offer it. The
    table and docs/protocol.md say the same."""
    table_row = row("ratify")
    assert table_row.roles == frozenset({Role.BOARD_CHAIR, Role.BOARD})
    assert table_row.role_rule == "RP-7" and "RP-7" in table_row.rules
    doc = (Path(__file__).parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert "| `ratify` | overview_drafted | ratified | board, board_chair |" in doc

    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id)
    person = PANEL_CHAIR.id if role is Role.PANEL_CHAIR else f"u-{role.value}"
    actor = Actor(person, f"Someone as {role.value}", {role}, "gp")
    if role in (Role.BOARD_CHAIR, Role.BOARD):
        assert "ratify" in engine.allowed(review.id, actor)
        ratified = do(engine, review.id, c.Ratify(), actor)
        assert ratified.stage is Stage.RATIFIED
        assert engine.history(review.id)[-1].role is role
    else:
        assert "ratify" not in engine.allowed(review.id, actor)
        with pytest.raises(PermissionDenied) as denied:
            engine.execute(review.id, c.Ratify(), actor)
        assert denied.value.rules == ("RP-7",)
        assert engine.get(review.id).stage is Stage.OVERVIEW_DRAFTED


# --------------------------------------------------------------------------- the table


def test_the_rulebook_built_from_the_table_has_exactly_its_moves() -> None:
    """Built again from the table (as at import), the machine allows from each stage
    exactly the table's commands, each leading to the table's stage (or staying)."""
    from scr_engine.states import machine
    from scr_engine.states.table import TABLE

    built = machine._build()
    for stage in Stage:
        want = {r.command for r in TABLE if stage in r.sources}
        assert set(built.get_triggers(stage.value)) == want, stage
        assert machine.commands_from(stage) == want
    for r in TABLE:
        for source in r.sources:
            token = machine._Token(source.value)
            built.events[r.command].trigger(token)
            assert token.state == (r.dest or source).value
    assert built.initial == Stage.REQUESTED.value


def test_permission_conditions_follow_the_command_and_roles() -> None:
    from scr_engine.records import Role
    from scr_engine.states.permissions import Condition, _conditions
    from scr_engine.states.table import Row, _r

    chair = frozenset({Role.PANEL_CHAIR, Role.BOARD_CHAIR})
    assert _conditions("convene_panel", chair) == {Condition.PANEL_CHAIR}
    assert _conditions("ratify", frozenset({Role.BOARD_CHAIR})) == frozenset()
    assert _conditions("record_agency_signoff", frozenset({Role.PANEL_MEMBER})) == {
        Condition.AGENCY
    }
    for name in ("submit_overview_report", "record_writer_meeting"):
        assert _conditions(name, frozenset({Role.OVERVIEW_WRITER})) == {Condition.OVERVIEW_WRITER}
    assert _conditions("record_writer_meeting", chair) == {
        Condition.PANEL_CHAIR,
        Condition.OVERVIEW_WRITER,
    }
    row = _r("x", (Stage.REQUESTED,), None, {Role.BOARD_CHAIR}, ("CR-1",))
    assert row == Row(
        "x", (Stage.REQUESTED,), None, frozenset({Role.BOARD_CHAIR}), ("CR-1",), "MAP"
    )
    closing = _r("x", (), Stage.CLOSED, set(), (), "AP-3")
    assert (closing.dest, closing.role_rule) == (Stage.CLOSED, "AP-3")


def test_the_documented_table_and_diagram_are_the_engine_s() -> None:
    """docs/protocol.md shows exactly the table the rulebook is compiled from, row by
    row, and its stage diagram."""
    from pathlib import Path

    from scr_engine.states.machine import mermaid
    from scr_engine.states.table import TABLE, markdown

    doc = (Path(__file__).parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
    table, diagram = markdown(), mermaid()
    assert table in doc and diagram in doc
    lines = table.splitlines()
    assert lines[:2] == ["| Command | From | To | Who | Rules |", "|---|---|---|---|---|"]
    assert len(lines) == 2 + len(TABLE)
    assert (
        lines[2]
        == "| `submit_request` | — | requested | business_manager, requester | RF-1, RF-2 |"
    )
    assert "| `record_chair_notified` | requested | (same stage) |" in table
    assert diagram.splitlines()[:2] == ["stateDiagram-v2", "    [*] --> requested"]
    assert "    requested --> screened: confirm_review" in diagram.splitlines()
    assert "    closed --> [*]" in diagram.splitlines()


def test_each_command_records_what_it_says(engine: ReviewEngine, clock: FixedClock) -> None:
    """The records the effects make: the day a member is appointed, an IMR received
    with no further information asked yet, a judgement of sufficient keeping none, a
    pause with its reasons, a completed action marked so, and the RF-5 letters of
    ``confirm_review`` numbered by the event that sent them."""
    from scr_engine import ImrJudgement
    from scr_engine.demo import BUSINESS_MANAGER
    from scr_engine.records import ActionStatus

    rid = to_stage(engine, clock, Stage.SCREENED).id
    confirmed = next(e for e in engine.history(rid) if e.command == "confirm_review")
    letters = [t for t in engine.pending_tasks() if t.review_id == rid]
    assert letters and all(t.id.startswith(f"{rid}:{confirmed.sequence}:") for t in letters)
    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    review = engine.get(rid)
    assert all(m.appointed_on is not None for m in review.panel_members)
    agency = review.imr_agencies[0]
    received = engine.execute(rid, c.ReceiveImr(agency, "What we did."), PANEL_CHAIR)
    imr = received.imr(agency)
    assert imr is not None and (imr.judgement, imr.further_information) == (None, "")
    judged = c.JudgeImr(agency, ImrJudgement.SUFFICIENT, "Nothing more needed.")
    imr = engine.execute(rid, judged, PANEL_CHAIR).imr(agency)
    assert imr is not None and (imr.judgement, imr.further_information) == (
        ImrJudgement.SUFFICIENT,
        "",
    )
    paused = engine.execute(rid, c.PauseClock("inquest", "The coroner asked."), PANEL_CHAIR)
    assert (paused.pauses[-1].process, paused.pauses[-1].reasons) == (
        "inquest",
        "The coroner asked.",
    )
    done = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = done.actions[0].id
    completed = engine.execute(done.id, c.CompleteAction(action, "Done."), BUSINESS_MANAGER)
    finished = completed.action(action)
    assert finished is not None and finished.status is ActionStatus.COMPLETED
    assert finished.completed_on == today(engine)
