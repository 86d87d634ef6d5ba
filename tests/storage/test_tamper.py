"""Tampering with a real database, as an attacker with database access would (PR-d).

Each case runs on SQLite and PostgreSQL, on a review driven to ``ratified`` beside a
bystander review, with a signed checkpoint taken before the tampering. Some attacks
are naive (an edit, a deletion, a forged row); the others use this library's own
hashing, as an informed attacker would, to leave a history that is consistent by
itself. Every one is reported by ``verify`` against the checkpoint, naming the
review; every one that can be detected without the key makes ``get`` and
``execute`` raise :class:`IntegrityError` and write nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from scr_engine import (
    Checkpoint,
    FaultKind,
    FixedClock,
    IntegrityError,
    ReviewEngine,
    Role,
    Stage,
    replay,
)
from scr_engine import commands as c
from scr_engine.checkpoints import generate_key, load_private_key, public_key_pem
from scr_engine.demo import BUSINESS_MANAGER, REQUESTER, demo_request, run_to_closure
from scr_engine.history import Event, advance
from scr_engine.storage.sql import SqlStore
from support.builders import START
from support.tamper import dump, rewrite, sql

pytestmark = pytest.mark.rule("PR-d")

KEY = load_private_key(generate_key())
OTHER_KEY = load_private_key(generate_key())


@attrs.define
class Scene:
    url: str
    clock: FixedClock
    target: str
    bystander: str
    checkpoint: Checkpoint
    events: tuple[Event, ...]

    def engine(self, store: SqlStore) -> ReviewEngine:
        return ReviewEngine(store, self.clock)


@pytest.fixture
def scene(url: str) -> Scene:
    clock = FixedClock(START)
    with SqlStore(url, migrate="create", durable=False, clock=clock) as store:
        engine = ReviewEngine(store, clock)
        target = engine.submit(demo_request(), REQUESTER).id
        bystander = engine.submit(demo_request(), REQUESTER).id
        engine.execute(bystander, c.RecordChairNotified(START.date()), BUSINESS_MANAGER)
        run_to_closure(engine, target, lambda: clock.advance(hours=5), until=Stage.RATIFIED)
        checkpoint = engine.checkpoint(KEY)
        events = store.history(target)
    return Scene(url, clock, target, bystander, checkpoint, events)


# --------------------------------------------------------------------------- the database


def _sequence_of(scene: Scene, command: str) -> int:
    return next(e.sequence for e in scene.events if e.command == command)


# --------------------------------------------------------------------------- attacks

# Naive: detectable from the database alone.


def change_one_byte_of_a_payload(s: Scene) -> None:
    sql(
        s.url,
        "UPDATE scr_events SET payload = replace(payload, '5000', '5001') "
        "WHERE review_id = :r AND command = 'record_budget'",
        r=s.target,
    )


def delete_a_middle_event(s: Scene) -> None:
    sql(s.url, "DELETE FROM scr_events WHERE review_id = :r AND sequence = 5", r=s.target)


def swap_two_events(s: Scene) -> None:
    for old, new in ((5, -1), (6, 5), (-1, 6)):
        sql(
            s.url,
            "UPDATE scr_events SET sequence = :new WHERE review_id = :r AND sequence = :old",
            r=s.target,
            old=old,
            new=new,
        )


def append_a_forged_event(s: Scene) -> None:
    last = len(s.events)
    sql(
        s.url,
        "INSERT INTO scr_events (review_id, sequence, at, actor_id, role, command, payload, "
        "stage_before, stage_after, prev_hash, hash, state, commitments, salts, state_salt, "
        "format) SELECT review_id, sequence + 1, at, actor_id, role, 'start_monitoring', "
        "'{}', stage_after, 'action_plan_monitored', hash, :fake, state, commitments, salts, "
        "state_salt, format FROM scr_events WHERE review_id = :r AND sequence = :last",
        r=s.target,
        last=last,
        fake="f" * 64,
    )


def edit_the_stage_in_the_json(s: Scene) -> None:
    sql(
        s.url,
        'UPDATE scr_reviews SET data = replace(data, \'"stage":"ratified"\', '
        '\'"stage":"action_plan_monitored"\') WHERE id = :r',
        r=s.target,
    )


def edit_another_field_of_the_row(s: Scene) -> None:
    # Not the stage: only the state digest of the last event covers it.
    sql(
        s.url,
        "UPDATE scr_reviews SET data = replace(data, :old, :new) WHERE id = :r",
        r=s.target,
        old='"amount_pounds":5000',
        new='"amount_pounds":5',
    )


def edit_the_stage_column(s: Scene) -> None:
    sql(s.url, "UPDATE scr_reviews SET stage = 'action_plan_monitored' WHERE id = :r", r=s.target)


def edit_the_stage_in_both(s: Scene) -> None:
    edit_the_stage_in_the_json(s)
    edit_the_stage_column(s)


def delete_the_newest_event(s: Scene) -> None:
    sql(
        s.url,
        "DELETE FROM scr_events WHERE review_id = :r AND sequence > :n",
        r=s.target,
        n=len(s.events) - 1,
    )


def delete_the_newest_three_events(s: Scene) -> None:
    sql(
        s.url,
        "DELETE FROM scr_events WHERE review_id = :r AND sequence > :n",
        r=s.target,
        n=len(s.events) - 3,
    )


# Informed: the library's own hashing makes the database consistent by itself.


def edit_a_payload_and_recompute_every_later_hash(s: Scene) -> None:
    k = _sequence_of(s, "record_budget")
    prefix = list(s.events[: k - 1])
    review = replay(prefix)
    events = prefix
    for event in s.events[k - 1 :]:
        command = c.from_dict(dict(event.payload))
        if event.sequence == k:
            command = c.RecordBudget(50, "Nothing much.")
        review, forged, _ = advance(
            review, command, c.to_dict(command), event.actor_id, event.role, event.at
        )
        events.append(forged)
    rewrite(s.url, review, events)


def append_a_forged_event_with_a_valid_hash(s: Scene) -> None:
    review = replay(s.events)
    command = c.StartMonitoring()
    review, forged, _ = advance(
        review,
        command,
        c.to_dict(command),
        BUSINESS_MANAGER.id,
        Role.BUSINESS_MANAGER,
        s.events[-1].at,
    )
    rewrite(s.url, review, [*s.events, forged])


def truncate_three_events_and_restore_the_row(s: Scene) -> None:
    kept = list(s.events[:-3])
    rewrite(s.url, replay(kept), kept)


NAIVE = [
    change_one_byte_of_a_payload,
    delete_a_middle_event,
    swap_two_events,
    append_a_forged_event,
    edit_the_stage_in_the_json,
    edit_another_field_of_the_row,
    edit_the_stage_column,
    edit_the_stage_in_both,
    delete_the_newest_event,
    delete_the_newest_three_events,
]
INFORMED = [
    edit_a_payload_and_recompute_every_later_hash,
    truncate_three_events_and_restore_the_row,
]


@pytest.mark.parametrize("attack", NAIVE + INFORMED, ids=lambda f: f.__name__)
def test_verify_against_the_checkpoint_reports_the_tampered_review(
    scene: Scene, attack: Callable[[Scene], None]
) -> None:
    attack(scene)
    with SqlStore(scene.url, durable=False) as store:
        engine = scene.engine(store)
        for report in (
            engine.verify(scene.checkpoint, public_key=KEY.public_key()),
            engine.verify(public_key=KEY.public_key()),  # the stored copy, signature checked
        ):
            assert not report.ok
            assert report.faults_of(scene.target), report.faults
            assert report.faults_of(scene.bystander) == ()
            assert all(f.review_id == scene.target for f in report.faults)


@pytest.mark.parametrize("attack", NAIVE, ids=lambda f: f.__name__)
def test_a_review_tampered_with_is_refused_and_nothing_is_written(
    scene: Scene, attack: Callable[[Scene], None]
) -> None:
    attack(scene)
    before = dump(scene.url)
    with SqlStore(scene.url, durable=False) as store:  # a process that never saw it
        engine = scene.engine(store)
        with pytest.raises(IntegrityError) as caught:
            engine.get(scene.target)
        assert caught.value.review_id == scene.target and caught.value.problems
        with pytest.raises(IntegrityError):
            engine.execute(scene.target, c.StartMonitoring(), BUSINESS_MANAGER)
        with pytest.raises(IntegrityError):
            engine.deadlines(scene.target)
        assert engine.get(scene.bystander).id == scene.bystander
    assert dump(scene.url) == before


@pytest.mark.parametrize(
    "attack",
    [
        append_a_forged_event,
        edit_the_stage_in_the_json,
        edit_another_field_of_the_row,
        edit_the_stage_column,
        delete_the_newest_event,
    ],
    ids=lambda f: f.__name__,
)
def test_a_store_that_read_the_review_before_the_tampering_refuses_it_too(
    scene: Scene, attack: Callable[[Scene], None]
) -> None:
    # The row and the last event are checked on every load, cached or not.
    with SqlStore(scene.url, durable=False) as store:
        engine = scene.engine(store)
        engine.get(scene.target)
        attack(scene)
        before = dump(scene.url)
        with pytest.raises(IntegrityError):
            engine.execute(scene.target, c.StartMonitoring(), BUSINESS_MANAGER)
    assert dump(scene.url) == before


def test_an_informed_append_is_listed_as_uncovered_and_is_a_fault_when_exact(
    scene: Scene,
) -> None:
    append_a_forged_event_with_a_valid_hash(scene)
    with SqlStore(scene.url, durable=False) as store:
        engine = scene.engine(store)
        report = engine.verify(scene.checkpoint, public_key=KEY.public_key())
        assert dict(report.uncovered) == {scene.target: 1}
        exact = engine.verify(scene.checkpoint, public_key=KEY.public_key(), exact=True)
        assert [(f.review_id, f.kind) for f in exact.faults] == [
            (scene.target, FaultKind.UNCOVERED)
        ]


def test_the_informed_attacks_fail_only_the_checkpoint_check(scene: Scene) -> None:
    # What needs the key: without a checkpoint the rewritten store is consistent.
    edit_a_payload_and_recompute_every_later_hash(scene)
    with SqlStore(scene.url, durable=False) as store:
        engine = scene.engine(store)
        assert engine.get(scene.target).budget is not None
        kinds = {f.kind for f in engine.verify(scene.checkpoint).faults}
        assert kinds == {FaultKind.CHECKPOINT_DIVERGED}


def test_a_hidden_overdue_deadline_is_reported(scene: Scene) -> None:
    sql(
        scene.url,
        "UPDATE scr_deadlines SET due_on = '2099-01-01' WHERE review_id = :r AND running = :t",
        r=scene.target,
        t=True,
    )
    with SqlStore(scene.url, durable=False) as store:
        report = scene.engine(store).verify(scene.checkpoint)
    assert {f.kind for f in report.faults} == {FaultKind.DEADLINES}
    assert {f.review_id for f in report.faults} == {scene.target}


def test_a_deleted_task_is_reported(scene: Scene) -> None:
    with SqlStore(scene.url, durable=False) as store:
        task = store.tasks(scene.target)[0].task  # done: its agency answered (RF-5)
    sql(scene.url, "DELETE FROM scr_tasks WHERE id = :i", i=task.id)
    with SqlStore(scene.url, durable=False) as store:
        report = scene.engine(store).verify(scene.checkpoint)
    assert [(f.review_id, f.kind) for f in report.faults] == [(scene.target, FaultKind.TASKS)]
    assert task.id in report.faults[0].message


def test_a_deleted_review_is_reported_against_the_checkpoint(scene: Scene) -> None:
    for table, column in (
        ("scr_events", "review_id"),
        ("scr_deadlines", "review_id"),
        ("scr_reviews", "id"),
    ):
        sql(scene.url, f"DELETE FROM {table} WHERE {column} = :r", r=scene.bystander)
    with SqlStore(scene.url, durable=False) as store:
        report = scene.engine(store).verify(scene.checkpoint)
    assert [(f.review_id, f.kind) for f in report.faults] == [
        (scene.bystander, FaultKind.CHECKPOINT_MISSING_REVIEW)
    ]


def test_a_clean_store_verifies_with_progress(scene: Scene) -> None:
    seen: list[tuple[int, int]] = []
    with SqlStore(scene.url, durable=False) as store:
        report = scene.engine(store).verify(
            scene.checkpoint, public_key=KEY.public_key(), progress=lambda d, t: seen.append((d, t))
        )
    assert report.ok and report.faults == () and report.uncovered == ()
    assert report.reviews == 2 and report.events == len(scene.events) + 2
    assert seen == [(1, 2), (2, 2)]


def test_a_stored_checkpoint_replaced_by_the_attacker_fails_its_signature(scene: Scene) -> None:
    # The attacker rewrites history and stores a checkpoint of their own making,
    # signed with a key that is not the Board's.
    edit_a_payload_and_recompute_every_later_hash(scene)
    with SqlStore(scene.url, durable=False) as store:
        engine = scene.engine(store)
        engine.checkpoint(OTHER_KEY)
        report = engine.verify(public_key=KEY.public_key())
        assert [f.kind for f in report.faults] == [FaultKind.CHECKPOINT_SIGNATURE]
        unsigned = engine.verify()
        assert unsigned.ok and "signature" in unsigned.notes[0]


def test_a_checkpoint_round_trips_through_json_and_an_auditor_checks_it(scene: Scene) -> None:
    copy = Checkpoint.from_json(scene.checkpoint.to_json())
    assert copy == scene.checkpoint
    from scr_engine.checkpoints import load_public_key, signature_ok

    auditor = load_public_key(public_key_pem(KEY))
    assert signature_ok(copy, auditor)
    forged = attrs.evolve(copy, entries=copy.entries[:1])
    assert not signature_ok(forged, auditor)
