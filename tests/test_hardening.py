"""Hardening (issue 9): what a screen can offer (``options``), permission before
input, argument checks at every entry point, size limits, nothing burned on refusal,
the permission matrix as data."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    CommandOption,
    FixedClock,
    InvalidRequest,
    MemoryStore,
    PermissionDenied,
    ProtocolSettings,
    RefusalKind,
    ReviewEngine,
    ReviewNotFound,
    Role,
    ScrEngineError,
    Stage,
)
from scr_engine import commands as c
from scr_engine.demo import (
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    panel_member,
    run_to_closure,
)
from scr_engine.rules.judge import takes_input
from scr_engine.states.machine import commands_from
from scr_engine.states.table import TABLE
from scr_engine.storage.sql import SqlStore
from support.builders import (
    BOARD_CHAIR,
    EVERYONE_READS,
    cr2_facts,
    demo_request,
    screen,
    submit,
    to_stage,
)

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)

# --------------------------------------------------------------------------- options


@pytest.mark.rule("CR-1")
def test_cr1_request_offers_neither_decline_nor_redirection(engine: ReviewEngine) -> None:
    """CR-1: for a request that meets CR-1 (even once assessed), the board chair's
    options hold decline and recommend_alternative with the CR-1 reason, and allowed()
    does not list them; assessing and confirming are offered."""
    review = submit(engine)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    options = {o.command: o for o in engine.options(review.id, BOARD_CHAIR)}
    for name in ("decline", "recommend_alternative"):
        assert not options[name].allowed
        assert options[name].takes_input
        assert [r.rule for r in options[name].refusals] == ["CR-1"]
        assert name not in engine.allowed(review.id, BOARD_CHAIR)
    assert options["confirm_review"].allowed and not options["confirm_review"].takes_input
    assert options["assess_criteria"].allowed
    assert [r.rule for r in options["withdraw"].refusals] == ["CR-1"]


@pytest.mark.rule("CR-4")
def test_options_offer_decline_when_no_criterion_forbids_it(engine: ReviewEngine) -> None:
    """CR-4: a CR-2 request may be declined or redirected once assessed; before the
    assessment those options say the assessment is missing (RF-4)."""
    review = submit(engine, demo_request(cr2_facts()))
    options = {o.command: o for o in engine.options(review.id, BOARD_CHAIR)}
    assert [r.rule for r in options["decline"].refusals] == ["RF-4"]
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert {"decline", "recommend_alternative"} <= set(engine.allowed(review.id, BOARD_CHAIR))


def test_options_cover_every_command_of_the_stage(engine: ReviewEngine) -> None:
    """options() lists every row valid from the stage, in the table's order, with the
    permission reason for a role that may not issue it; allowed() is exactly the
    options with no reason."""
    review = submit(engine)
    options = engine.options(review.id, REQUESTER)
    valid = commands_from(Stage.REQUESTED)
    assert [o.command for o in options] == [r.command for r in TABLE if r.command in valid]
    assert all(isinstance(o, CommandOption) and not o.allowed for o in options)
    assert all(o.refusals[0].kind == "permission" for o in options)
    for actor in (BOARD_CHAIR, BUSINESS_MANAGER, PANEL_CHAIR):
        options = engine.options(review.id, actor)
        assert engine.allowed(review.id, actor) == [o.command for o in options if o.allowed]


_AGENCY_MEMBERS = [panel_member(a) for a in ("asc", "gp", "police")]
_ACTORS = st.one_of(
    st.sampled_from(
        [BOARD_CHAIR, BUSINESS_MANAGER, PANEL_CHAIR, OVERVIEW_WRITER, REQUESTER, *_AGENCY_MEMBERS]
    ),
    st.builds(
        Actor,
        st.sampled_from(["u-chair", "u-bm", "u-pc", "u-ow", "u-pm-gp", "u-other"]),
        st.just("Someone"),
        st.frozensets(st.sampled_from(list(Role))),
        st.sampled_from([None, "asc", "gp", "police", "fire"]),
    ),
)


class _Stop(Exception):
    pass


def _engine_after(steps: int) -> tuple[ReviewEngine, str]:
    """An engine whose review has been driven ``steps`` commands along the demo path."""
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock, read_policy=EVERYONE_READS)
    review = engine.submit(demo_request(), REQUESTER)
    done = 0

    def step() -> None:
        nonlocal done
        if done == steps:
            raise _Stop
        done += 1
        clock.advance(timedelta(hours=1))

    with contextlib.suppress(_Stop):
        run_to_closure(engine, review.id, step)
    return engine, review.id


@given(steps=st.integers(min_value=0, max_value=55), actor=_ACTORS)
def test_what_allowed_lists_without_input_is_accepted(steps: int, actor: Actor) -> None:
    """Anywhere along the demo path, for any actor, every command allowed() lists that
    takes no input is accepted by execute (and options agree with allowed)."""
    engine, review_id = _engine_after(steps)
    if not actor.roles:  # reads nothing, so may be offered nothing (PR-e)
        with pytest.raises(PermissionDenied) as denied:
            engine.allowed(review_id, actor)
        assert denied.value.rules == ("PR-e",)
        return
    allowed = engine.allowed(review_id, actor)
    options = engine.options(review_id, actor)
    assert allowed == [o.command for o in options if o.allowed]
    for name in allowed:
        cls = c.COMMANDS[name]
        if takes_input(cls):
            continue
        fresh, rid = _engine_after(steps)
        fresh.execute(rid, cls(), actor)


# --------------------------------------------------------------------------- permission first


@pytest.mark.rule("RF-5")
@pytest.mark.parametrize(
    ("command", "actor"),
    [
        (c.RecordRecordsSecured(5), REQUESTER),  # type: ignore[arg-type]
        (c.RecordBudget("lots", None), BUSINESS_MANAGER),  # type: ignore[arg-type]
        (c.HoldInitialMeeting(None), BOARD_CHAIR),  # type: ignore[arg-type]
        (c.ExtendDeadline("nope", "2026-03-01", "\x00"), PANEL_CHAIR),  # type: ignore[arg-type]
        (c.ReceiveImr("fire", "x" * 10), OVERVIEW_WRITER),
    ],
    ids=["int-for-agency", "str-for-int", "none-for-terms", "unappointed-chair", "unknown"],
)
def test_permission_before_input(engine: ReviewEngine, command: c.Command, actor: Actor) -> None:
    """Hardening 7: a malformed command by an actor who may not issue it is
    PermissionDenied carrying the permission reasons alone, never InvalidRequest: such a
    caller learns nothing about its input. explain() says the same; nothing is stored."""
    review = submit(engine)
    screen(engine, review.id)
    before = (engine.get(review.id), engine.history(review.id))
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, command, actor)
    assert denied.value.refusals
    assert {r.kind for r in denied.value.refusals} == {RefusalKind.PERMISSION}
    assert engine.explain(review.id, command, actor) == list(denied.value.refusals)
    assert (engine.get(review.id), engine.history(review.id)) == before


@pytest.mark.rule("RF-1")
def test_submit_judges_permission_before_the_form(engine: ReviewEngine) -> None:
    """RF-1: a form of junk from someone who may not submit is PermissionDenied citing
    RF-1 alone, and uses up no reference number."""
    outsider = Actor("u-x", "Someone", {Role.PANEL_MEMBER})
    with pytest.raises(PermissionDenied) as denied:
        engine.submit("not a form", outsider)  # type: ignore[arg-type]
    assert denied.value.rules == ("RF-1",)
    assert {r.kind for r in denied.value.refusals} == {RefusalKind.PERMISSION}
    assert submit(engine).reference == "SCR-2026-001"


@pytest.mark.rule("RP-4")
def test_signoff_is_offered_only_to_an_agencys_panel_member(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: options() offers record_agency_signoff to a panel member sitting for an
    agency, and to nobody else holding the panel_member role; a member signing off
    for another agency is PermissionDenied whatever the agency named."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    stranger = Actor("u-pm-x", "Stranger", {Role.PANEL_MEMBER}, "gp")
    assert "record_agency_signoff" in engine.allowed(review.id, panel_member("gp"))
    option = {o.command: o for o in engine.options(review.id, stranger)}
    assert [r.rule for r in option["record_agency_signoff"].refusals] == ["RP-4"]
    for agency in ("police", "nowhere", 7):
        with pytest.raises(PermissionDenied) as denied:
            engine.execute(review.id, c.RecordAgencySignoff(agency), panel_member("gp"))  # type: ignore[arg-type]
        assert denied.value.rules == ("RP-4",)


# --------------------------------------------------------------------------- arguments


@pytest.fixture(params=["memory", "sqlite"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewEngine]:
    """An engine over a MemoryStore, or over a SqlStore on a SQLite file."""
    if request.param == "memory":
        yield ReviewEngine(MemoryStore(), FixedClock(START), read_policy=EVERYONE_READS)
        return
    store = SqlStore(f"sqlite:///{tmp_path / 'board.db'}", migrate="create")
    try:
        yield ReviewEngine(store, FixedClock(START), read_policy=EVERYONE_READS)
    finally:
        store.close()


_BAD_IDS = [["x"], 5, None, b"id", "a\ud800", "nul\x00", "", "x" * 1001]


@pytest.mark.parametrize("bad", _BAD_IDS, ids=repr)
def test_review_ids_that_are_not_text_are_invalid(any_engine: ReviewEngine, bad: Any) -> None:
    """Hardening 8: a review id that is not storable text is InvalidRequest at every
    entry point that takes one; a well-formed unknown id is ReviewNotFound."""
    engine = any_engine
    calls: list[Callable[[Any], Any]] = [
        lambda rid: engine.get(rid),
        lambda rid: engine.history(rid),
        lambda rid: engine.deadlines(rid),
        lambda rid: engine.allowed(rid, BOARD_CHAIR),
        lambda rid: engine.options(rid, BOARD_CHAIR),
        lambda rid: engine.explain(rid, c.AssessCriteria(), BOARD_CHAIR),
        lambda rid: engine.execute(rid, c.AssessCriteria(), BOARD_CHAIR),
    ]
    for call in calls:
        with pytest.raises(InvalidRequest):
            call(bad)
        with pytest.raises(ReviewNotFound):
            call("no-such-review")
    for bad_task in (bad, 7):
        with pytest.raises(InvalidRequest):
            engine.complete_task(bad_task)


@pytest.mark.parametrize(
    "actor",
    [
        "u-chair",
        Actor("u-chair", "Bea", {"board_chair"}),  # type: ignore[arg-type]
        Actor("u-chair", "Bea", {Role.BOARD_CHAIR, 5}),  # type: ignore[arg-type]
        Actor("u-chair", "Bea", {Role.BOARD_CHAIR}, 5),  # type: ignore[arg-type]
        Actor("u-chair", "Bea", {Role.BOARD_CHAIR}, "g\x00p"),
        Actor("u-\ud800", "Bea", {Role.BOARD_CHAIR}),
        Actor("", "Bea", {Role.BOARD_CHAIR}),
    ],
    ids=["str", "str-role", "int-role", "int-agency", "nul-agency", "surrogate-id", "empty-id"],
)
def test_actors_that_are_not_well_formed_are_invalid(any_engine: ReviewEngine, actor: Any) -> None:
    """Hardening 8: an actor that is not an Actor, or whose roles are not Role members
    or whose agency is neither text nor None, is InvalidRequest everywhere, and no
    reference number is used up."""
    engine = any_engine
    review = submit(engine)
    with pytest.raises(InvalidRequest):
        engine.submit(demo_request(), actor)
    for call in (
        lambda: engine.execute(review.id, c.AssessCriteria(), actor),
        lambda: engine.explain(review.id, c.AssessCriteria(), actor),
        lambda: engine.allowed(review.id, actor),
        lambda: engine.options(review.id, actor),
    ):
        with pytest.raises(InvalidRequest):
            call()
    assert engine.store.next_reference(2026) == "SCR-2026-002"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": None},
        {"limit": 10**30},
        {"limit": -1},
        {"limit": True},
        {"limit": 2.5},
        {"within_days": 10**30},
        {"within_days": 36_601},
        {"within_days": -1},
        {"within_days": "7"},
        {"as_of": "2026-02-02"},
        {"as_of": datetime(2026, 2, 2, tzinfo=UTC)},
        {"as_of": date.max, "within_days": 1},
        {"after": "x"},
        {"after": (date(2026, 1, 1), "r", 5)},
        {"after": (date(2026, 1, 1), "r\x00", "k")},
    ],
    ids=repr,
)
def test_overdue_arguments_are_checked(any_engine: ReviewEngine, kwargs: dict[str, Any]) -> None:
    """Hardening 8: overdue() refuses a page size, look-ahead, day or cursor it cannot
    use with InvalidRequest naming it, never an overflow or a driver error."""
    submit(any_engine)
    with pytest.raises(InvalidRequest) as refused:
        any_engine.overdue(**kwargs)
    assert {r.field for r in refused.value.refusals} <= {"limit", "within_days", "as_of", "after"}


@pytest.mark.parametrize("limit", [None, 10**30, -1, "5", True])
def test_pending_tasks_limit_is_checked(any_engine: ReviewEngine, limit: Any) -> None:
    """Hardening 8: pending_tasks() refuses a page size it cannot use."""
    with pytest.raises(InvalidRequest):
        any_engine.pending_tasks(limit=limit)


@pytest.mark.parametrize("as_of", ["2026-02-02", 5, datetime(2026, 2, 2, tzinfo=UTC)])
def test_deadlines_as_of_must_be_a_date(any_engine: ReviewEngine, as_of: Any) -> None:
    """Hardening 8: deadlines(as_of=...) takes a date, nothing else."""
    review = submit(any_engine)
    with pytest.raises(InvalidRequest):
        any_engine.deadlines(review.id, as_of)


@pytest.mark.parametrize("version", [-1, 2**63, "1", 1.0, True])
def test_expected_version_is_checked(any_engine: ReviewEngine, version: Any) -> None:
    """Hardening 8: an expected_version that is not a whole number a store can hold
    is InvalidRequest, not a conflict or an overflow."""
    review = submit(any_engine)
    with pytest.raises(InvalidRequest):
        any_engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR, version)


def _nested(depth: int) -> list[Any]:
    out: list[Any] = []
    for _ in range(depth):
        out = [out]
    return out


@pytest.mark.parametrize(
    "data",
    [
        {"command": "decline", "reasons": "x", 1: 2},
        {"command": "decline", "reasons": "x", (1,): 2},
        {"command": "appoint_panel_chair", "appointment": {None: "x"}},
        {"command": "decline", "reasons": _nested(10_000)},
    ],
    ids=["int-key", "tuple-key", "nested-none-key", "deep"],
)
def test_from_dict_refuses_what_json_cannot_hold(data: dict[Any, Any]) -> None:
    """Hardening 8: non-text keys and absurd nesting are InvalidRequest, never a
    TypeError or a RecursionError."""
    with pytest.raises(InvalidRequest):
        c.from_dict(data)


# --------------------------------------------------------------------------- size limits


def test_a_text_field_over_the_limit_is_refused_naming_it(engine: ReviewEngine) -> None:
    """Hardening 9: a text field longer than 100,000 characters (the default) is
    InvalidRequest naming the field, from execute and explain alike; at the limit it
    is accepted."""
    review = submit(engine)
    long = c.PauseClock("x" * 100_001, "Inquest.")
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, long, BOARD_CHAIR)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("INPUT", "process")]
    assert "100000" in str(refused.value)
    assert engine.explain(review.id, long, BOARD_CHAIR) == list(refused.value.refusals)
    assert engine.history(review.id)[-1].command == "submit_request"
    engine.execute(review.id, c.PauseClock("x" * 100_000, "Inquest."), BOARD_CHAIR)


@pytest.mark.rule("RF-2")
def test_a_request_over_the_limits_is_refused_and_burns_nothing(engine: ReviewEngine) -> None:
    """Hardening 9 and 10: a request form with a text field over the limit is
    InvalidRequest naming the field; nothing is stored and no reference is used up."""
    form = attrs.evolve(demo_request(), other_information="y" * 100_001)
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(form, REQUESTER)
    assert [r.field for r in refused.value.refusals] == ["request.other_information"]
    assert submit(engine).reference == "SCR-2026-001"


def test_limits_are_settings(clock: FixedClock) -> None:
    """Hardening 9: the limits are ProtocolSettings fields; a Board may lower them,
    and a whole command over max_command_length is refused naming the command."""
    strict = ProtocolSettings(version="strict", max_command_length=400)
    engine = ReviewEngine(MemoryStore(), clock, settings=strict)
    with pytest.raises(InvalidRequest) as form:
        engine.submit(demo_request(), REQUESTER)
    assert {r.field for r in form.value.refusals} == {"command"}
    loose = ProtocolSettings(version="loose", max_text_length=1000)
    engine = ReviewEngine(MemoryStore(), clock, settings=loose, known_settings=[strict])
    review = engine.submit(demo_request(), REQUESTER)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.Withdraw("z" * 1001), BOARD_CHAIR)
    assert [r.field for r in refused.value.refusals] == ["reasons"]
    assert ProtocolSettings().max_text_length == 100_000
    assert ProtocolSettings().max_command_length == 1_000_000
    with pytest.raises(InvalidRequest):
        ProtocolSettings(max_text_length=0)


# --------------------------------------------------------------------------- nothing burned


@pytest.mark.rule("RF-2")
def test_rf2_a_refused_submit_uses_up_no_reference(any_engine: ReviewEngine) -> None:
    """Hardening 10 (RF-2): a submit refused for any reason — the actor may not
    submit, the actor is malformed, the form misses a field, is not a form, or is over
    the size limit — stores nothing and uses up no reference number, on MemoryStore and
    on SqlStore: the next good request is SCR-2026-001, the one after SCR-2026-002."""
    engine = any_engine
    form = demo_request()
    refused: list[tuple[Any, Any]] = [
        (form, Actor("u-x", "Someone", {Role.PANEL_MEMBER})),
        (form, Actor("u-x", "Someone", {"requester"})),  # type: ignore[arg-type]
        (form, "u-req"),
        (attrs.evolve(form, signed_name=""), REQUESTER),
        ("not a form", REQUESTER),
        (attrs.evolve(form, other_information="z" * 100_001), REQUESTER),
        (attrs.evolve(form, signed_name="nul\x00"), REQUESTER),
    ]
    for request, actor in refused:
        with pytest.raises(ScrEngineError):
            engine.submit(request, actor)
    assert engine.store.heads() == []
    assert engine.submit(form, REQUESTER).reference == "SCR-2026-001"
    for request, actor in refused:
        with pytest.raises(ScrEngineError):
            engine.submit(request, actor)
    assert engine.submit(form, REQUESTER).reference == "SCR-2026-002"
