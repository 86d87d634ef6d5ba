"""The error tree, refusals that list every reason, optimistic concurrency, the
hash-chained history (PR-d) and the engine's questions (explain, allowed)."""

from __future__ import annotations

import attrs
import pytest

from scr_engine import (
    Actor,
    Appointment,
    ConcurrencyConflict,
    CorruptHistory,
    Event,
    FixedClock,
    InvalidRequest,
    PermissionDenied,
    RefusalKind,
    ReviewEngine,
    ReviewNotFound,
    ScrEngineError,
    Stage,
    StorageError,
    TransitionRefused,
    replay,
    verify_history,
)
from scr_engine import commands as c
from scr_engine.history import event_hash
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    plan_actions,
    prepare_panel,
    screen,
    submit,
    to_stage,
)

# --------------------------------------------------------------------------- error tree


@pytest.mark.parametrize(
    ("error", "builtins"),
    [
        (TransitionRefused, (ValueError,)),
        (PermissionDenied, (PermissionError, TransitionRefused, ValueError)),
        (InvalidRequest, (TransitionRefused, ValueError)),
        (ReviewNotFound, (LookupError,)),
        (ConcurrencyConflict, (RuntimeError,)),
        (StorageError, (RuntimeError,)),
        (CorruptHistory, (ValueError,)),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_error_tree(error: type[Exception], builtins: tuple[type[Exception], ...]) -> None:
    """Every error derives from ScrEngineError and the built-in a host would catch."""
    assert issubclass(error, ScrEngineError)
    for builtin in builtins:
        assert issubclass(error, builtin)


def test_errors_raised_are_the_documented_ones(engine: ReviewEngine) -> None:
    """An unknown review is a LookupError; a wrong role a PermissionError; a guard a
    ValueError; each also caught as ScrEngineError."""
    with pytest.raises(LookupError):
        engine.get("no-such-review")
    with pytest.raises(ReviewNotFound) as missing:
        engine.execute("no-such-review", c.ConvenePanel(), PANEL_CHAIR)
    assert missing.value.review_id == "no-such-review"
    with pytest.raises(ReviewNotFound):
        engine.history("no-such-review")
    review = submit(engine)
    with pytest.raises(PermissionError):
        engine.execute(review.id, c.AssessCriteria(), REQUESTER)
    with pytest.raises(ValueError) as refused:
        engine.execute(review.id, c.CloseReview(), BOARD_CHAIR)
    assert isinstance(refused.value, ScrEngineError)
    assert refused.value.rules == ("MAP",)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- every reason


@pytest.mark.rule("SU-1")
@pytest.mark.rule("SU-9")
def test_refusal_lists_every_failing_rule_at_once(engine: ReviewEngine) -> None:
    """RF-5, SU-2, SU-6, SU-9: convening a panel straight after screening (and the
    panel chair's appointment, SU-1) is refused with every unmet condition in one
    refusal, each citing its rule."""
    review = submit(engine)
    screen(engine, review.id)
    _appoint_panel_chair(engine, review.id)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert set(refused.value.rules) >= {"RF-5", "SU-2", "SU-6", "SU-9"}
    assert refused.value.command == "convene_panel"
    for refusal in refused.value.refusals:
        assert f"{refusal.rule}: {refusal.message}" in str(refused.value)
    assert engine.get(review.id).stage is Stage.SCREENED


@pytest.mark.rule("SU-8")
def test_refusal_lists_su8_with_the_others(engine: ReviewEngine) -> None:
    """SU-8: convening too early also cites the missing family decision, with RF-5,
    SU-2, SU-6 and SU-9."""
    review = submit(engine)
    screen(engine, review.id)
    _appoint_panel_chair(engine, review.id)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert set(refused.value.rules) == {"RF-5", "SU-2", "SU-6", "SU-8", "SU-9"}


@pytest.mark.rule("RF-5")
def test_permission_refusal_carries_only_the_permission_reasons(engine: ReviewEngine) -> None:
    """RF-5: PermissionDenied is judged first and carries the permission reasons alone:
    whoever may not issue a command learns nothing about its guards (hardening 7)."""
    review = submit(engine)
    screen(engine, review.id)
    with pytest.raises(PermissionDenied) as refused:
        engine.execute(review.id, c.ConvenePanel(), BUSINESS_MANAGER)
    assert refused.value.rules == ("MAP",)
    assert {r.kind for r in refused.value.refusals} == {RefusalKind.PERMISSION}
    assert engine.explain(review.id, c.ConvenePanel(), BUSINESS_MANAGER) == list(
        refused.value.refusals
    )


def _appoint_panel_chair(engine: ReviewEngine, review_id: str) -> None:
    appointment = Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)
    engine.execute(review_id, c.AppointPanelChair(appointment), BOARD_CHAIR)


# --------------------------------------------------------------------------- concurrency


@pytest.mark.rule("PR-d")
def test_stale_expected_version_is_a_conflict(engine: ReviewEngine) -> None:
    """PR-d: A command made against an older version is refused with ConcurrencyConflict
    naming both versions, and nothing changes; the current version goes through."""
    review = submit(engine)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    with pytest.raises(ConcurrencyConflict) as conflict:
        engine.execute(review.id, c.ConfirmReview(), BOARD_CHAIR, expected_version=1)
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert engine.get(review.id).stage is Stage.REQUESTED
    confirmed = engine.execute(review.id, c.ConfirmReview(), BOARD_CHAIR, expected_version=2)
    assert confirmed.version == 3


# --------------------------------------------------------------------------- history


@pytest.fixture
def events(engine: ReviewEngine, clock: FixedClock) -> tuple[Event, ...]:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    return engine.history(review.id)


@pytest.mark.rule("PR-d")
def test_prd_history_is_intact_and_replays(engine: ReviewEngine, clock: FixedClock) -> None:
    """PR-d: the history verifies and replaying it rebuilds the review exactly, at every
    stage of the main line."""
    for stage in (Stage.REQUESTED, Stage.SCREENED, Stage.OVERVIEW_DRAFTED, Stage.CLOSED):
        review = to_stage(engine, clock, stage)
        history = engine.history(review.id)
        assert verify_history(history) == []
        assert replay(history) == engine.get(review.id)
        assert [e.sequence for e in history] == list(range(1, review.version + 1))
        assert history[-1].hash == review.head
        assert history[0].prev_hash == "0" * 64


@pytest.mark.rule("PR-d")
def test_prd_edited_event_is_detected(events: tuple[Event, ...]) -> None:
    """PR-d: changing one event's payload breaks its hash."""
    edited = attrs.evolve(events[3], payload={**events[3].payload, "reasons": "Edited."})
    tampered = (*events[:3], edited, *events[4:])
    problems = verify_history(tampered)
    assert [(p.sequence, p.message) for p in problems] == [(4, "has been altered (hash mismatch)")]
    with pytest.raises(CorruptHistory):
        replay(tampered)


@pytest.mark.rule("PR-d")
def test_prd_edit_with_recomputed_hash_breaks_the_chain(events: tuple[Event, ...]) -> None:
    """PR-d: re-hashing an edited event does not hide it: the next event no longer
    follows it."""
    draft = attrs.evolve(events[2], actor_id="u-someone-else")
    edited = attrs.evolve(draft, hash=event_hash(draft.body()))
    problems = verify_history((*events[:2], edited, *events[3:]))
    assert [p.sequence for p in problems] == [4]
    assert "hash chain broken" in problems[0].message


@pytest.mark.rule("PR-d")
def test_prd_deleted_event_is_detected(events: tuple[Event, ...]) -> None:
    """PR-d: removing an event breaks the sequence and the chain from there on."""
    problems = verify_history((*events[:5], *events[6:]))
    assert problems and problems[0].sequence == 6
    assert {p.sequence for p in problems} == set(range(6, len(events)))


@pytest.mark.rule("PR-d")
def test_prd_deleted_last_event_is_a_shorter_valid_prefix(
    engine: ReviewEngine, events: tuple[Event, ...]
) -> None:
    """PR-d: a truncated history still verifies, but its head no longer matches the
    review's head: the stored review names its last event's hash."""
    review = engine.get(events[0].review_id)
    assert verify_history(events[:-1]) == []
    assert events[:-1][-1].hash != review.head


@pytest.mark.rule("PR-d")
def test_prd_inserted_event_is_detected(events: tuple[Event, ...]) -> None:
    """PR-d: an event inserted (here a copy of an earlier one) is found."""
    problems = verify_history((*events[:4], events[2], *events[4:]))
    assert problems and problems[0].sequence == 5


@pytest.mark.rule("PR-d")
def test_prd_reordered_events_are_detected(events: tuple[Event, ...]) -> None:
    """PR-d: swapping two events is found at both places."""
    swapped = (*events[:3], events[4], events[3], *events[5:])
    problems = verify_history(swapped)
    assert {p.sequence for p in problems} >= {4, 5}


@pytest.mark.rule("PR-d")
def test_prd_event_of_another_review_is_detected(
    engine: ReviewEngine, events: tuple[Event, ...]
) -> None:
    """PR-d: an event of another review mixed into the history is named as such."""
    other = submit(engine)
    engine.execute(other.id, c.AssessCriteria(), BOARD_CHAIR)
    foreign = engine.history(other.id)[1]
    mixed = (*events, attrs.evolve(foreign, sequence=len(events) + 1))
    problems = verify_history(mixed)
    assert any(
        p.sequence == len(mixed) and f"belongs to review {other.id!r}" in p.message
        for p in problems
    )


@pytest.mark.rule("PR-d")
def test_replay_of_nothing_is_refused() -> None:
    """PR-d: a history has at least one event."""
    with pytest.raises(CorruptHistory):
        replay(())


# --------------------------------------------------------------------------- questions


def _explain_matches_execute(
    engine: ReviewEngine, review_id: str, command: c.Command, actor: Actor
) -> None:
    before = (engine.get(review_id), engine.history(review_id), engine.store.pending_tasks())
    reasons = engine.explain(review_id, command, actor)
    assert (engine.get(review_id), engine.history(review_id), engine.store.pending_tasks()) == (
        before
    )
    if reasons:
        with pytest.raises(TransitionRefused) as refused:
            engine.execute(review_id, command, actor)
        assert list(refused.value.refusals) == reasons
        assert engine.get(review_id) == before[0]
    else:
        assert engine.execute(review_id, command, actor).version == before[0].version + 1


def test_explain_is_side_effect_free_and_empty_iff_execute_succeeds(
    engine: ReviewEngine,
) -> None:
    """explain() changes nothing and returns exactly the refusals execute() raises;
    it is empty exactly when execute() succeeds."""
    review = submit(engine)
    rid = review.id
    steps: list[tuple[c.Command, Actor]] = [
        (c.ConfirmReview(), BOARD_CHAIR),  # refused: no assessment (RF-4)
        (c.AssessCriteria(), BUSINESS_MANAGER),  # refused: role
        (c.AssessCriteria(), BOARD_CHAIR),  # accepted
        (c.Decline("No."), BOARD_CHAIR),  # refused: CR-1
        (c.ConfirmReview("CR-1."), BOARD_CHAIR),  # accepted
        (c.ConvenePanel(), PANEL_CHAIR),  # refused: many
        (c.RecordRecordsSecured("fire"), BUSINESS_MANAGER),  # refused: input
        (c.RecordRecordsSecured("gp"), BUSINESS_MANAGER),  # accepted
        (c.AppointOverviewWriter(Appointment(OVERVIEW_WRITER.id, "Eve")), BOARD_CHAIR),
    ]
    for command, actor in steps:
        _explain_matches_execute(engine, rid, command, actor)
    assert engine.get(rid).version == 5
    assert engine.explain(rid, c.SubmitRequest(engine.get(rid).request), REQUESTER)[0].rule == (
        "MAP"
    )


def test_allowed_lists_input_free_commands_only_when_their_guards_hold(
    engine: ReviewEngine,
) -> None:
    """allowed() lists what the actor's role may do from the stage; commands whose
    every field has a default (convene_panel, confirm_review, ratify …) appear only
    once every guard holds; roles see only their commands."""
    review = submit(engine)
    assert engine.allowed(review.id, REQUESTER) == []
    # A CR-1 request can be neither redirected nor declined, whatever the reasons given.
    assert "assess_criteria" in engine.allowed(review.id, BOARD_CHAIR)
    assert not {"recommend_alternative", "decline"} & set(engine.allowed(review.id, BOARD_CHAIR))
    # confirm_review takes only optional reasons: listed once the criteria are assessed.
    assert "confirm_review" not in engine.allowed(review.id, BOARD_CHAIR)
    assert [r.rule for r in engine.explain(review.id, c.ConfirmReview(), BOARD_CHAIR)] == ["RF-4"]
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert "confirm_review" in engine.allowed(review.id, BOARD_CHAIR)
    screen(engine, review.id)
    prepare_panel(engine, review.id, overview_writer=False)
    assert "convene_panel" not in engine.allowed(review.id, PANEL_CHAIR)
    assert "confirm_review" not in engine.allowed(review.id, BOARD_CHAIR)
    engine.execute(
        review.id, c.AppointOverviewWriter(Appointment(OVERVIEW_WRITER.id, "Eve")), BOARD_CHAIR
    )
    allowed = engine.allowed(review.id, PANEL_CHAIR)
    assert "convene_panel" in allowed
    assert "ratify" not in allowed and "record_records_secured" not in allowed
    engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert "convene_panel" not in engine.allowed(review.id, PANEL_CHAIR)


@pytest.mark.rule("RP-7")
def test_allowed_lists_ratify_only_when_its_guards_hold(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-7: ratify's agreement date is optional, so allowed() evaluates its guards:
    it is listed for the board chair once the report is signed off and planned."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert "ratify" not in engine.allowed(review.id, BOARD_CHAIR)
    plan_actions(engine, review.id)
    assert "ratify" in engine.allowed(review.id, BOARD_CHAIR)
    assert "ratify" not in engine.allowed(review.id, PANEL_CHAIR)
