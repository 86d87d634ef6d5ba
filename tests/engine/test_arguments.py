"""Hardening (issue 9): what a screen can offer (``options``), permission before
input, argument checks at every entry point, size limits, nothing burned on refusal,
the permission matrix as data."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

from scr_engine import (
    Actor,
    FixedClock,
    InvalidRequest,
    MemoryStore,
    ReviewEngine,
    ReviewNotFound,
    Role,
    Stage,
)
from scr_engine import commands as c
from scr_engine._arguments import MAX_ID_LENGTH
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    REQUESTER,
    START,
    demo_request,
    submit,
)

# --------------------------------------------------------------------------- arguments


def _shown(value: Any) -> str:
    """A test's id: ``repr`` with each escape written ``U+XXXX``, so that the id holds no
    backslash (pytest escapes one in a node id, and then cannot find the test by that
    id again: ``scripts/mutation.py`` runs tests by id)."""
    return re.sub(r"\\[xuU]([0-9a-f]+)", lambda m: f"U+{m.group(1).upper()}", repr(value))


_BAD_IDS = [["x"], 5, None, b"id", "a\ud800", "nul\x00", "", "x" * 1001]


@pytest.mark.parametrize("bad", _BAD_IDS, ids=_shown)
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


def test_an_actor_s_id_and_name_may_be_as_long_as_the_settings_allow(
    any_engine: ReviewEngine,
) -> None:
    """``max_actor_length`` characters of id or name are accepted, one more refused,
    naming the part that is too long."""
    longest = any_engine.settings.max_actor_length
    review = submit(any_engine)
    for id_, name in (("u" * longest, "Bea"), ("u-chair", "B" * longest)):
        actor = Actor(id_, name, {Role.BOARD_CHAIR})
        assert any_engine.get(review.id, actor) == review
    for id_, name, part in (
        ("u" * (longest + 1), "Bea", "actor.id"),
        ("u-chair", "B" * (longest + 1), "actor.name"),
    ):
        with pytest.raises(InvalidRequest) as refused:
            any_engine.get(review.id, Actor(id_, name, {Role.BOARD_CHAIR}))
        assert [r.field for r in refused.value.refusals] == [part]


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
    ids=_shown,
)
def test_overdue_arguments_are_checked(any_engine: ReviewEngine, kwargs: dict[str, Any]) -> None:
    """Hardening 8: overdue() refuses a page size, look-ahead, day or cursor it cannot
    use with InvalidRequest naming it, never an overflow or a driver error."""
    submit(any_engine)
    with pytest.raises(InvalidRequest) as refused:
        any_engine.overdue(**kwargs)
    assert {r.field for r in refused.value.refusals} <= {"limit", "within_days", "as_of", "after"}


@pytest.mark.parametrize("stages", ["requested", ["requestd"], [5], 7], ids=repr)
def test_reviews_stages_are_stage_codes(any_engine: ReviewEngine, stages: Any) -> None:
    """reviews(stages=...) takes stage codes of a registered protocol (or their enum
    members): one text, or a code no protocol has, is InvalidRequest naming ``stages``,
    never a list that is silently empty."""
    submit(any_engine)
    with pytest.raises(InvalidRequest) as refused:
        any_engine.reviews(stages=stages)
    assert [r.field for r in refused.value.refusals] == ["stages"]
    assert len(any_engine.reviews(stages=[Stage.REQUESTED, "withdrawn"])) == 1


class _NaiveClock:
    """A host's clock that forgets the time zone."""

    def now(self) -> datetime:
        return datetime(2026, 2, 2, 9)


def test_a_clock_without_a_time_zone_is_refused_before_anything_is_stored(
    any_engine: ReviewEngine,
) -> None:
    """A Clock's now() must be timezone-aware: a naive time is InvalidRequest naming
    ``clock`` and saying what to return, and nothing is written (a SQL store wrote such
    an event and could then never load the review again)."""
    review = submit(any_engine)
    trusted = any_engine.clock
    any_engine.clock = _NaiveClock()
    for attempt in (
        lambda: any_engine.submit(demo_request(), REQUESTER),
        lambda: any_engine.execute(
            review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER
        ),
        lambda: any_engine.get(review.id, BOARD_CHAIR),
    ):
        with pytest.raises(InvalidRequest) as refused:
            attempt()
        (refusal,) = refused.value.refusals
        assert refusal.field == "clock" and "timezone-aware" in refusal.message
        assert refused.value.command == ""  # the engine's clock, not the command, is at fault
    any_engine.clock = trusted
    assert [r.id for r in any_engine.reviews()] == [review.id]
    assert any_engine.get(review.id) == review and any_engine.access_log() == []
    assert any_engine.verify().ok


# Named, not ids=repr: the repr of "a\x00b" makes a test id that pytest escapes again
# on a second collection in one process, which then cannot be run by its id.
@pytest.mark.parametrize(
    "made",
    [5, "", "a\x00b", "x" * 1001, "r-taken"],
    ids=["not-text", "empty", "nul-byte", "too-long", "taken"],
)
def test_an_id_new_id_gives_that_no_read_could_use_is_refused(made: Any) -> None:
    """The engine's ``new_id`` must give ids a store can look up, one per review: an id
    ``get`` would refuse, or the id of a stored review, is InvalidRequest naming
    ``new_id``, and nothing is stored (such a review could never be read again, and a
    taken id read as a conflict to reload)."""
    ids = iter(["r-taken", made])
    engine = ReviewEngine(MemoryStore(), FixedClock(START), new_id=lambda: next(ids))
    first = engine.submit(demo_request(), REQUESTER)
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(demo_request(), REQUESTER)
    assert [r.field for r in refused.value.refusals] == ["new_id"]
    assert refused.value.command == "submit_request"
    assert [r.id for r in engine.reviews()] == [first.id]
    assert engine.verify().ok


def _settings_cases() -> list[tuple[dict[str, Any], str]]:
    from scr_engine import DEFAULT_SETTINGS
    from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS

    other = attrs.evolve(DEFAULT_SAR_SETTINGS, version="ours")
    return [
        ({"settings": DEFAULT_SAR_SETTINGS}, "settings"),
        ({"protocol_settings": [attrs.evolve(DEFAULT_SETTINGS, version="x")]}, "protocol_settings"),
        ({"protocol_settings": [DEFAULT_SAR_SETTINGS, other]}, "protocol_settings"),
        ({"protocol_settings": [object()]}, "protocol_settings"),
        ({"protocol_settings": DEFAULT_SAR_SETTINGS}, "protocol_settings"),
        ({"known_settings": DEFAULT_SETTINGS}, "known_settings"),
        ({"known_settings": [object()]}, "known_settings"),
    ]


@pytest.mark.parametrize(("kwargs", "field"), _settings_cases())
def test_settings_an_engine_would_misread_or_ignore_are_refused(
    kwargs: dict[str, Any], field: str
) -> None:
    """An engine's settings are the SCR's, and each of ``protocol_settings`` another
    protocol's, one per protocol, ``known_settings`` a list of any protocol's: a SAR's
    given as ``settings`` raised AttributeError at the first command, the SCR's in
    ``protocol_settings`` (or a second SAR's) was silently ignored, and one settings
    object where a list is wanted raised TypeError. Each is InvalidRequest naming the
    argument, as the engine is made."""
    with pytest.raises(InvalidRequest) as refused:
        ReviewEngine(MemoryStore(), FixedClock(START), **kwargs)
    assert [r.field for r in refused.value.refusals] == [field]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"store": "sqlite:///board.db"}, "store"),
        ({"store": object()}, "store"),
        ({"store": SimpleNamespace(load=1, save=2, history=3)}, "store"),
        ({"clock": START}, "clock"),
        ({"clock": "now"}, "clock"),
        ({"read_policy": {Role.BOARD_CHAIR: "all"}}, "read_policy"),
        ({"new_id": "case-1"}, "new_id"),
        ({"salt": b"salt"}, "salt"),
    ],
    ids=[
        "store-url",
        "store-object",
        "store-without-methods",
        "clock-datetime",
        "clock-text",
        "read-policy-dict",
        "new-id-text",
        "salt-bytes",
    ],
)
def test_an_engine_made_of_parts_it_cannot_use_is_refused(
    kwargs: dict[str, Any], field: str
) -> None:
    """A URL for a store, a datetime for a clock, a dict for a read policy, a value for
    a function: InvalidRequest naming the argument as the engine is made, not an
    AttributeError at the first call that needs it (a datetime "clock" even had a
    ``now``, the naive local time)."""
    parts: dict[str, Any] = {"store": MemoryStore(), "clock": FixedClock(START), **kwargs}
    with pytest.raises(InvalidRequest) as refused:
        ReviewEngine(**parts)
    assert [r.field for r in refused.value.refusals] == [field]
    assert refused.value.command == ""  # no command: the engine itself is refused


@pytest.mark.parametrize("limit", [None, 10**30, -1, "5", True])
def test_pending_tasks_limit_is_checked(any_engine: ReviewEngine, limit: Any) -> None:
    """Hardening 8: pending_tasks() refuses a page size it cannot use."""
    with pytest.raises(InvalidRequest):
        any_engine.pending_tasks(limit=limit)


@pytest.mark.parametrize(
    "after",
    [
        "x",
        (datetime(2026, 2, 2, tzinfo=UTC),),
        (datetime(2026, 2, 2), "t"),  # naive: no instant
        (date(2026, 2, 2), "t"),
        (datetime(2026, 2, 2, tzinfo=UTC), ""),
        (datetime(2026, 2, 2, tzinfo=UTC), 5),
        (datetime(2026, 2, 2, tzinfo=UTC), "t\x00"),
        (datetime(2026, 2, 2, tzinfo=UTC), "t" * 10_000),
        (datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))), "t"),  # past UTC's end
    ],
)
def test_pending_tasks_cursor_is_checked(any_engine: ReviewEngine, after: Any) -> None:
    """Hardening 8: pending_tasks(after=) takes a task's sort_key (an aware time, a
    task id), with or without an actor; anything else is InvalidRequest naming
    ``after``, before the store is asked."""
    for actor in (None, BOARD_CHAIR):
        with pytest.raises(InvalidRequest) as refused:
            any_engine.pending_tasks(after=after, actor=actor)
        assert [r.field for r in refused.value.refusals] == ["after"]
        assert refused.value.command == "pending_tasks"


@pytest.mark.parametrize("length", [1, MAX_ID_LENGTH])
def test_a_task_cursor_s_id_may_be_one_character_or_as_long_as_any_id(
    any_engine: ReviewEngine, length: int
) -> None:
    """The id in a task cursor is any id a task can have: from one character to
    ``MAX_ID_LENGTH``, both bounds included (an empty id or a far longer one is refused,
    above)."""
    after = (datetime(2026, 2, 2, tzinfo=UTC), "t" * length)
    for actor in (None, BOARD_CHAIR):
        assert any_engine.pending_tasks(after=after, actor=actor) == []


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


@pytest.mark.parametrize(
    "received_on",
    ["2026-02-01", datetime(2026, 2, 1, tzinfo=UTC), 20260201],
    ids=["text", "datetime", "int"],
)
def test_a_received_day_that_is_not_a_date_is_refused(
    any_engine: ReviewEngine, received_on: Any
) -> None:
    """``submit(received_on=...)`` takes a date (not a time, not its text): anything
    else is InvalidRequest naming ``received_on``, and nothing is stored."""
    with pytest.raises(InvalidRequest) as refused:
        any_engine.submit(demo_request(), REQUESTER, received_on=received_on)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("INPUT", "received_on")]
    assert any_engine.reviews() == []
