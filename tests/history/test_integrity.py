"""The history's commitments, the review's binding to it, checkpoints and actor ids
(PR-d, PR-e)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    FaultKind,
    FixedClock,
    IntegrityError,
    InvalidRequest,
    MemoryStore,
    ReviewEngine,
    Role,
    Stage,
    StorageError,
    replay,
    verify_history,
)
from scr_engine import commands as c
from scr_engine.checkpoints import (
    Checkpoint,
    CheckpointEntry,
    generate_key,
    load_private_key,
    load_public_key,
    merkle_root,
    sign_checkpoint,
    signature_ok,
)
from scr_engine.demo import BUSINESS_MANAGER, REQUESTER, demo_request, run_to_closure
from scr_engine.history import Event, state_digest
from scr_engine.personal import (
    ERASED,
    commit,
    personal_fields,
    personal_paths,
    personal_values,
    value_at,
)
from scr_engine.serialization import FrozenDict, canonical_json

# --------------------------------------------------------------------------- personal data


@pytest.fixture
def closed(engine: ReviewEngine, clock: FixedClock) -> str:
    review = engine.submit(demo_request(), REQUESTER)
    run_to_closure(engine, review.id, lambda: clock.advance(hours=6))
    return review.id


@pytest.mark.rule("PR-e")
def test_the_classification_marks_people_s_details_and_case_narrative() -> None:
    fields = set(personal_fields())
    for expected in [
        ("Requester", "name"),
        ("Requester", "email"),
        ("OtherContact", "contact_number"),
        ("Incident", "details"),
        ("RequestForm", "signed_name"),
        ("Appointment", "name"),
        ("ImrWriter", "name"),
        ("Imr", "summary"),
        ("ChronologyEntry", "event"),
        ("Introduction", "circumstances"),
        ("ReceiveImr", "summary"),
        ("RecordImrWriter", "writer_name"),
    ]:
        assert expected in fields
    assert ("Requester", "organisation") not in fields
    assert ("Incident", "date") not in fields


@pytest.mark.rule("PR-e")
def test_an_event_hash_commits_to_personal_values_without_containing_them(
    engine: ReviewEngine, closed: str
) -> None:
    events = engine.history(closed)
    submitted = events[0]
    name = demo_request().requester.name
    assert name in canonical_json(submitted.payload)
    assert name not in canonical_json(submitted.body())
    paths = dict(personal_paths(c.SubmitRequest, submitted.payload))
    assert paths["/request/requester/name"] == name
    assert set(submitted.commitments) == set(paths) == set(submitted.salts)
    for event in events:
        command = c.COMMANDS[event.command]
        assert set(event.commitments) == {p for p, _ in personal_paths(command, event.payload)}
        for path, commitment in event.commitments.items():
            assert commit(event.salts[path], value_at(event.payload, path)) == commitment


@pytest.mark.rule("PR-e")
def test_personal_values_are_the_held_texts_without_empty_or_erased_ones(
    engine: ReviewEngine, closed: str
) -> None:
    payload = engine.history(closed)[0].payload
    held = {v for _, v in personal_paths(c.SubmitRequest, payload)}
    assert personal_values(c.SubmitRequest, payload) == held - {"", ERASED}
    assert demo_request().requester.name in held
    erased = _with(payload, "/request/requester/name", ERASED)
    assert demo_request().requester.name not in personal_values(c.SubmitRequest, erased)
    blank = _with(payload, "/request/requester/name", "")
    assert "" not in personal_values(c.SubmitRequest, blank)


def _with(payload: Any, path: str, value: str) -> Any:
    """A deep copy of ``payload`` with the text at the JSON pointer ``path`` replaced."""
    copied = json.loads(json.dumps(payload))
    *parents, last = path.strip("/").split("/")
    node = copied
    for part in parents:
        node = node[part]
    node[last] = value
    return copied


def _erase(event: Event, path: str) -> Event:
    payload = _set(event.payload, path.split("/")[1:], ERASED)
    salts = FrozenDict({k: v for k, v in event.salts.items() if k != path})
    return attrs.evolve(event, payload=payload, salts=salts)


def _set(node: object, parts: list[str], value: object) -> object:
    if not parts:
        return value
    if isinstance(node, tuple | list):
        items = list(node)
        items[int(parts[0])] = _set(items[int(parts[0])], parts[1:], value)
        return items
    assert isinstance(node, dict)
    return {**node, parts[0]: _set(node[parts[0]], parts[1:], value)}


@pytest.mark.rule("PR-e")
def test_an_erased_value_leaves_the_history_verifying(engine: ReviewEngine, closed: str) -> None:
    events = list(engine.history(closed))
    events[0] = _erase(events[0], "/request/requester/name")
    events[0] = _erase(events[0], "/request/incidents/0/details")
    assert verify_history(events) == []
    rebuilt = replay(events)
    assert rebuilt.request.requester.name == ERASED
    assert rebuilt.request.incidents[0].details == ERASED
    assert rebuilt.stage is Stage.CLOSED


@pytest.mark.rule("PR-d")
def test_a_changed_personal_value_or_a_lost_salt_is_found(
    engine: ReviewEngine, closed: str
) -> None:
    events = list(engine.history(closed))
    path = "/request/requester/name"
    changed = attrs.evolve(
        events[0], payload=_set(events[0].payload, path.split("/")[1:], "Someone Else")
    )
    problems = verify_history([changed, *events[1:]])
    assert [(p.sequence, p.message) for p in problems] == [
        (1, f"the personal value at {path} has been altered")
    ]
    unsalted = attrs.evolve(
        events[0], salts=FrozenDict({k: v for k, v in events[0].salts.items() if k != path})
    )
    problems = verify_history([unsalted, *events[1:]])
    assert [p.message for p in problems] == [
        f"the personal value at {path} has no salt to check it by"
    ]


@pytest.mark.rule("PR-d")
def test_the_state_digest_covers_every_field_but_the_head(
    engine: ReviewEngine, closed: str
) -> None:
    review = engine.get(closed)
    salt = "00" * 16
    digest = state_digest(review, salt)
    assert state_digest(attrs.evolve(review, head="x"), salt) == digest
    assert state_digest(review, "11" * 16) != digest
    for name, value in [("outcome_reasons", "edited"), ("stage", Stage.RATIFIED), ("version", 1)]:
        assert state_digest(attrs.evolve(review, **{name: value}), salt) != digest
    # A review rebuilt from its history, built apart from the engine's, digests equal.
    rebuilt = replay(engine.history(closed))
    assert rebuilt is not review and state_digest(rebuilt, salt) == digest
    last = engine.history(closed)[-1]
    assert last.state == state_digest(review, last.state_salt or "")


# --------------------------------------------------------------------------- memory store


@pytest.mark.rule("PR-d")
def test_the_memory_store_refuses_a_review_replaced_behind_its_back(
    clock: FixedClock,
) -> None:
    store = MemoryStore()
    engine = ReviewEngine(store, clock)
    review = engine.submit(demo_request(), REQUESTER)
    store._reviews[review.id] = attrs.evolve(review, stage=Stage.ACTION_PLAN_MONITORED)
    with pytest.raises(IntegrityError, match="stage"):
        engine.get(review.id)
    with pytest.raises(IntegrityError):
        engine.execute(review.id, c.RecordChairNotified(date(2026, 2, 2)), BUSINESS_MANAGER)
    assert len(store.history(review.id)) == 1


# --------------------------------------------------------------------------- actor ids


@pytest.mark.rule("PR-d")
@pytest.mark.parametrize("bad", [7, "", "   ", None, "a\x00b", "\ud800", b"u1"])
def test_an_actor_id_that_is_not_text_is_refused_before_anything_is_stored(
    bad: object,
) -> None:
    store = MemoryStore()
    engine = ReviewEngine(store)
    actor = Actor(bad, "Someone", {Role.REQUESTER, Role.BUSINESS_MANAGER})  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest) as caught:
        engine.submit(demo_request(), actor)
    assert caught.value.refusals[0].field == "actor.id"
    assert store.review_ids() == []
    good = engine.submit(demo_request(), REQUESTER)
    assert good.reference.endswith("-001")  # the refusal used no number
    for attempt in (
        lambda: engine.execute(good.id, c.RecordChairNotified(date(2026, 2, 2)), actor),
        lambda: engine.explain(good.id, c.RecordChairNotified(date(2026, 2, 2)), actor),
        lambda: engine.allowed(good.id, actor),
    ):
        with pytest.raises(InvalidRequest):
            attempt()
    assert len(engine.history(good.id)) == 1


def test_something_that_is_not_an_actor_is_refused() -> None:
    engine = ReviewEngine(MemoryStore())
    with pytest.raises(InvalidRequest, match="must be an Actor"):
        engine.submit(demo_request(), "u1")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- checkpoints


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, as written: split at the largest power of two below n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + _reference_root(leaves[:k]) + _reference_root(leaves[k:])
    ).digest()


@given(st.lists(st.tuples(st.text(max_size=8), st.integers(1, 500)), max_size=40))
def test_the_merkle_root_is_rfc_6962_s(heads: list[tuple[str, int]]) -> None:
    entries = [CheckpointEntry(rid, seq, f"{seq:064x}") for rid, seq in heads]
    assert merkle_root(entries) == _reference_root([e.leaf() for e in entries]).hex()


@pytest.mark.rule("PR-d")
def test_a_checkpoint_signature_covers_its_entries_and_time(clock: FixedClock) -> None:
    key = load_private_key(generate_key())
    entries = [CheckpointEntry("b", 2, "2" * 64), CheckpointEntry("a", 1, "1" * 64)]
    checkpoint = sign_checkpoint(entries, clock.now(), key)
    assert [e.review_id for e in checkpoint.entries] == ["a", "b"]
    assert checkpoint.events == 3
    assert signature_ok(checkpoint, key.public_key())
    for forged in (
        attrs.evolve(checkpoint, entries=(entries[1], CheckpointEntry("b", 3, "3" * 64))),
        attrs.evolve(checkpoint, created_at=clock.now().replace(year=2030)),
        attrs.evolve(checkpoint, signature="00" * 64),
    ):
        assert not signature_ok(forged, key.public_key())
    other = load_private_key(generate_key())
    assert not signature_ok(checkpoint, other.public_key())


def test_unreadable_checkpoints_and_keys_are_refused_clearly() -> None:
    for text in ("", "{}", '{"format": "scr-checkpoint:1"}', "[1]"):
        with pytest.raises(InvalidRequest, match="not a readable checkpoint"):
            Checkpoint.from_json(text)
    with pytest.raises(InvalidRequest, match="private key"):
        load_private_key(b"not a key")
    with pytest.raises(InvalidRequest, match="public key"):
        load_public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


class _FlakyStore(MemoryStore):
    """A store whose page read fails, and which cannot read one review alone."""

    def __init__(self, broken: str) -> None:
        super().__init__()
        self.broken = broken

    def stored_many(self, review_ids):  # type: ignore[no-untyped-def]
        raise StorageError("the page read failed")

    def stored(self, review_id: str):  # type: ignore[no-untyped-def]
        if review_id == self.broken:
            raise StorageError(f"cannot read {review_id}")
        return super().stored(review_id)


@pytest.mark.rule("PR-d")
def test_verify_names_only_the_reviews_it_cannot_read(clock: FixedClock) -> None:
    store = _FlakyStore("")
    engine = ReviewEngine(store, clock)
    ids = [engine.submit(demo_request(), REQUESTER).id for _ in range(3)]
    store.broken = ids[1]
    seen: list[tuple[int, int]] = []
    report = engine.verify(progress=lambda done, total: seen.append((done, total)))
    assert [(f.review_id, f.kind) for f in report.faults] == [(ids[1], FaultKind.UNREADABLE)]
    assert "cannot read" in report.faults[0].message
    assert report.reviews == 3 and seen[-1] == (3, 3)


# --------------------------------------------------------------------------- the rest of a history


def test_the_rest_of_a_history_checked_before_is_checked_from_where_it_left_off(
    engine: ReviewEngine, closed: str
) -> None:
    """``verify_history(rest, after=(n, hash))``: the events after event ``n`` of a
    history checked before follow it, and are judged as in the whole history; an
    event that does not follow the one checked is found, by its sequence."""
    events = engine.history(closed)
    for done in range(1, len(events)):
        rest = events[done:]
        before = events[done - 1]
        assert verify_history(rest, after=(done, before.hash)) == []
        broken = verify_history(rest, after=(done, events[0].hash if done > 1 else "x"))
        assert [(p.sequence, p.message) for p in broken] == [
            (done + 1, "does not follow the event before it (hash chain broken)")
        ]
        skipped = verify_history(rest, after=(done - 1, before.hash))
        assert skipped and skipped[0].sequence == done
    edited = attrs.evolve(events[-1], at=events[-1].at.replace(year=2020))
    whole = verify_history([*events[:-1], edited])
    assert whole and verify_history([edited], after=(len(events) - 1, events[-2].hash)) == whole
