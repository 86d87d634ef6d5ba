"""Erasure of personal data when retention ends (PR-e), with the history still
verifying, on every store.

After ``engine.erase``: every personal field of the review reads ``[erased]``; the
history verifies, replays to the stored review and still matches a checkpoint taken
before; and no erased value remains anywhere in the store: in any column of any table
(SQLite and PostgreSQL), nor, on SQLite, in the database's files after the store's
vacuum.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    ConcurrencyConflict,
    FaultKind,
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    MemoryStore,
    PermissionDenied,
    RefusalKind,
    Review,
    ReviewEngine,
    ReviewStore,
    Role,
    Stage,
    TransitionRefused,
    replay,
    verify_history,
)
from scr_engine import commands as c
from scr_engine.checkpoints import generate_key, load_private_key
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    run_to_closure,
)
from scr_engine.personal import ERASED, personal_paths, replace_at, value_at
from scr_engine.records import RequestForm
from scr_engine.serialization import structure, unstructure
from scr_engine.storage.sql import SqlStore, upgrade
from support.asserts import assert_refused
from support.builders import START, submit, to_stage
from support.concurrency import at_once
from support.legacy import legacy_store
from support.postgres import postgres_schema

pytestmark = pytest.mark.rule("PR-e")

KEY = load_private_key(generate_key())


REASONS = "Retention period of six years after closure has ended."


BASIS = "UK GDPR Art. 5(1)(e) storage limitation; Board retention schedule 4.2"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    if request.param == "memory":
        yield "memory", None
    elif request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'scr.db'}"
    else:
        with postgres_schema() as url:
            yield "postgres", url


def _store(backend: tuple[str, str | None]) -> ReviewStore:
    _, url = backend
    if url is None:
        return MemoryStore()
    return SqlStore(url, migrate="create", durable=False)


def _values(engine: ReviewEngine, review_id: str) -> set[str]:
    """Every personal value of a review and of its history (of 4 characters or more)."""
    review = engine.get(review_id)
    found = {v for _, v in personal_paths(Review, unstructure(review))}
    for event in engine.history(review_id):
        found |= {value_at(event.payload, path) for path in event.commitments}
    return {v for v in found if isinstance(v, str) and len(v) >= 4 and v != ERASED}


def _columns(url: str) -> list[str]:
    """The text of every column of every row of every table of the store."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = [n for n in sa.inspect(conn).get_table_names() if n.startswith("scr_")]
            return [
                str(value)
                for name in names
                for row in conn.execute(sa.text(f"SELECT * FROM {name}"))
                for value in row
                if value is not None
            ]
    finally:
        engine.dispose()


def _other_request() -> RequestForm:
    """The demo request with every personal value changed (another person's)."""
    data = unstructure(demo_request())
    for path, value in personal_paths(RequestForm, data):
        data = replace_at(data, path, "Z" + value[::-1])
    return structure(data, RequestForm)


def _closed(engine: ReviewEngine, clock: FixedClock) -> str:
    review = engine.submit(demo_request(), REQUESTER)
    run_to_closure(engine, review.id, lambda: clock.advance(hours=7))
    return review.id


def test_an_erased_review_keeps_verifying_and_no_value_remains(
    backend: tuple[str, str | None],
) -> None:
    clock = FixedClock(START)
    store = _store(backend)
    try:
        engine = ReviewEngine(store, clock)
        target = _closed(engine, clock)
        other = engine.submit(_other_request(), REQUESTER).id  # untouched bystander
        values = _values(engine, target)
        assert len(values) > 20
        checkpoint = engine.checkpoint(KEY)
        erased = engine.erase(target, BUSINESS_MANAGER, reasons=REASONS, legal_basis=BASIS)
        assert erased.stage is Stage.CLOSED
        assert {v for _, v in personal_paths(Review, unstructure(erased))} == {ERASED}
        history = engine.history(target)
        assert history[-1].command == "erase_personal_data"
        assert verify_history(history) == []
        assert replay(history) == erased == engine.get(target)
        for event in history[:-1]:
            assert event.salts == {} and event.state_salt is None
            assert all(value_at(event.payload, p) == ERASED for p in event.commitments)
        report = engine.verify(checkpoint, public_key=KEY.public_key())
        assert report.ok, report.faults
        assert dict(report.uncovered) == {target: 1}
        assert engine.get(other).request == _other_request()
        kind, url = backend
        if url is not None:
            cells = _columns(url)
            for value in values:
                assert not any(value in cell for cell in cells), value
        if kind == "sqlite":
            assert url is not None
            path = Path(sa.make_url(url).database or "")
            files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
            raw = b"".join(p.read_bytes() for p in files)
            for value in values:
                assert value.encode("utf-8") not in raw, value
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def test_one_person_is_erased_across_ended_reviews_only(backend: tuple[str, str | None]) -> None:
    clock = FixedClock(START)
    store = _store(backend)
    try:
        engine = ReviewEngine(store, clock)
        first, second = _closed(engine, clock), _closed(engine, clock)
        open_one = engine.submit(demo_request(), REQUESTER).id
        name = demo_request().requester.name
        contact = demo_request().other_contact.name
        changed = engine.erase_person(
            name, BOARD_CHAIR, reasons=REASONS, legal_basis=BASIS, pseudonym="Requester A"
        )
        assert sorted(changed) == sorted([first, second])
        for review_id in (first, second):
            review = engine.get(review_id)
            assert review.request.requester.name == "Requester A"
            assert review.request.other_contact.name == contact  # someone else's
            submitted = engine.history(review_id)[0]
            assert value_at(submitted.payload, "/request/requester/name") == ERASED
            assert value_at(submitted.payload, "/request/other_contact/name") == contact
            assert "/request/other_contact/name" in submitted.salts
            assert replay(engine.history(review_id)) == review
        assert engine.get(open_one).request.requester.name == name
        assert engine.verify().ok
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def test_erasure_is_for_ended_reviews_with_reasons_by_the_records_keepers(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    open_one = engine.submit(demo_request(), REQUESTER).id
    with pytest.raises(TransitionRefused) as caught:
        engine.erase(open_one, BUSINESS_MANAGER, reasons=REASONS, legal_basis=BASIS)
    assert "MAP" in caught.value.rules
    closed = _closed(engine, clock)
    with pytest.raises(PermissionDenied) as denied:
        engine.erase(closed, PANEL_CHAIR, reasons=REASONS, legal_basis=BASIS)
    assert "PR-e" in denied.value.rules
    with pytest.raises(TransitionRefused) as blank:
        engine.erase(closed, BOARD_CHAIR, reasons=" ", legal_basis="")
    assert {(r.rule, r.field) for r in blank.value.refusals} == {
        ("PR-e", "reasons"),
        ("PR-e", "legal_basis"),
    }
    bad_path = c.ErasePersonalData(REASONS, BASIS, ("/stage",))
    with pytest.raises(TransitionRefused) as wrong:
        engine.execute(closed, bad_path, BOARD_CHAIR)
    assert [(r.rule, r.field) for r in wrong.value.refusals] == [("PR-e", "paths[0]")]
    assert len(engine.history(closed)) == len(engine.history(closed))
    assert engine.history(closed)[-1].command == "close_review"


def test_a_stale_erasure_conflicts_and_writes_nothing(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    closed = _closed(engine, clock)
    version = engine.get(closed).version
    engine.execute(
        closed, c.ErasePersonalData(REASONS, BASIS, ("/request/requester/name",)), BOARD_CHAIR
    )
    before = engine.history(closed)
    with pytest.raises(ConcurrencyConflict):
        engine.execute(closed, c.ErasePersonalData(REASONS, BASIS), BOARD_CHAIR, version)
    assert engine.history(closed) == before
    assert engine.get(closed).request.other_contact.name != ERASED


def test_a_value_erased_behind_the_history_s_back_is_a_fault(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scr.db'}"
    clock = FixedClock(START)
    with SqlStore(url, migrate="create", durable=False) as store:
        engine = ReviewEngine(store, clock)
        review_id = _closed(engine, clock)
        first = engine.history(review_id)[0]
    payload = dict(first.payload)
    request = dict(payload["request"])
    requester = dict(request["requester"])
    requester["name"] = ERASED
    request["requester"] = requester
    payload["request"] = request
    salts = {k: v for k, v in first.salts.items() if k != "/request/requester/name"}
    db = sa.create_engine(url)
    with db.begin() as conn:
        conn.execute(
            sa.text("UPDATE scr_events SET payload = :p, salts = :s WHERE sequence = 1"),
            {"p": _json(payload), "s": _json(salts)},
        )
    db.dispose()
    with SqlStore(url, durable=False) as store:
        report = ReviewEngine(store, clock).verify()
    assert FaultKind.CHAIN in {f.kind for f in report.faults}


def _json(data: Any) -> str:
    from scr_engine.serialization import canonical_json

    return canonical_json(data)


def test_a_review_written_before_commitments_cannot_be_erased(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    clock = FixedClock(START)
    ids = legacy_store(url, clock)
    upgrade(url)
    with SqlStore(url, durable=False) as store:
        engine = ReviewEngine(store, clock)
        before = engine.history(ids[0])
        with pytest.raises(TransitionRefused) as caught:
            engine.erase(ids[0], BOARD_CHAIR, reasons=REASONS, legal_basis=BASIS)
        assert caught.value.rules == ("PR-e",)
        assert engine.history(ids[0]) == before
        assert engine.verify().ok


def test_a_history_begun_before_commitments_is_erased_after_them(tmp_path: Path) -> None:
    """A review submitted under 0.1 (a format-1 first event, whose hash covers the
    request's values) and carried on to closure after the upgrade (format-2 events):
    a person named only in the later events is erased from them, past the old event,
    which stays as it was; a person the old event names cannot be erased."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    clock = FixedClock(START)
    review_id = legacy_store(url, clock, closed=False)[0]  # submitted under 0.1
    upgrade(url)
    with SqlStore(url, durable=False) as store:
        engine = ReviewEngine(store, clock)
        run_to_closure(engine, review_id, lambda: clock.advance(hours=7))
        history = engine.history(review_id)
        assert [e.format for e in history[:2]] == [1, 2]
        old = {v for _, v in personal_paths(c.SubmitRequest, history[0].payload)}
        later = {
            v
            for e in history[1:]
            for _, v in personal_paths(c.COMMANDS[e.command], e.payload)
            if v not in old and v != ERASED
        }
        assert later, "the demo's later commands name people the request does not"
        value = min(later)
        assert engine.erase_person(value, BOARD_CHAIR, reasons=REASONS, legal_basis=BASIS) == [
            review_id
        ]
        after = engine.history(review_id)
        assert after[0] == history[0]
        assert not any(
            v == value
            for e in after[1:]
            for _, v in personal_paths(c.COMMANDS[e.command], e.payload)
        )
        assert replay(after) == engine.get(review_id)
        assert engine.verify().ok
        # A value the format-1 event holds: its hash covers it, so it stays.
        named = demo_request().requester.name
        assert named in old
        with pytest.raises(TransitionRefused) as caught:
            engine.erase_person(named, BOARD_CHAIR, reasons=REASONS, legal_basis=BASIS)
        assert caught.value.rules == ("PR-e",)
        assert engine.history(review_id) == after


def test_recorded_dates_survive_erasure(engine: ReviewEngine, clock: FixedClock) -> None:
    closed = _closed(engine, clock)
    before = engine.get(closed)
    after = engine.erase(closed, BOARD_CHAIR, reasons=REASONS, legal_basis=BASIS)
    assert after.closed_on == before.closed_on and after.ratified_on == before.ratified_on
    assert after.request.incidents[0].date == before.request.incidents[0].date
    assert after.reference == before.reference and after.closed_on is not None
    assert isinstance(after.received_on, date)


@st.composite
def requests(draw: st.DrawFn) -> RequestForm:
    """The demo request with every personal value drawn anew: printable text of 4 to
    20 characters after a mark no schema, hash or date holds, so that a leftover copy
    is recognisable and nothing else is taken for one."""
    data = unstructure(demo_request())
    for path, _ in personal_paths(RequestForm, data):
        text = st.text(
            st.characters(codec="utf-8", exclude_categories=["C"]), min_size=4, max_size=20
        ).filter(lambda v: v.strip() == v and v != ERASED)
        data = replace_at(data, path, "Ω" + draw(text))
    return structure(data, RequestForm)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_after_erasure_no_generated_value_remains_anywhere(kind: str, tmp_path: Path) -> None:
    @settings(max_examples=max(3, settings.default.max_examples // 12))
    @given(request=requests())
    def check(request: RequestForm) -> None:
        with contextlib.ExitStack() as stack:
            if kind == "sqlite":
                url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}"
            else:
                url = stack.enter_context(postgres_schema())
            clock = FixedClock(START)
            store = stack.enter_context(SqlStore(url, migrate="create", durable=False))
            engine = ReviewEngine(store, clock)
            review = engine.submit(request, REQUESTER)
            run_to_closure(engine, review.id, lambda: clock.advance(hours=9))
            values = {v for _, v in personal_paths(RequestForm, unstructure(request))}
            values = {v for v in values if v not in _values_of_demo_run()}
            erased = engine.erase(review.id, BOARD_CHAIR, reasons=REASONS, legal_basis=BASIS)
            assert engine.verify().ok
            assert replay(engine.history(review.id)) == erased
            cells = _columns(url)
            for value in values:
                assert not any(value in cell for cell in cells), value
            if kind == "sqlite":
                path = Path(sa.make_url(url).database or "")
                raw = b"".join(
                    p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)
                )
                for value in values:
                    assert value.encode("utf-8") not in raw, value
                for leftover in path.parent.glob(path.name + "*"):
                    leftover.unlink()

    check()


@functools.cache
def _values_of_demo_run() -> frozenset[str]:
    """Text the demo run writes itself (outside the request): a generated value equal
    to one of these is found in non-personal fields legitimately."""
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    review = engine.submit(demo_request(), REQUESTER)
    closed = run_to_closure(engine, review.id, lambda: clock.advance(hours=9))
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(unstructure(closed))
    return frozenset(found)


def test_an_erasure_racing_another_command_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scr.db'}"
    clock = FixedClock(START)
    with SqlStore(url, migrate="create", durable=False) as store:
        engine = ReviewEngine(store, clock)
        review_id = _closed(engine, clock)
        version = engine.get(review_id).version
        erase, restrict = c.ErasePersonalData(REASONS, BASIS), c.RestrictAccess("Press interest.")
        results = at_once(
            lambda: engine.execute(review_id, erase, BOARD_CHAIR, version),
            lambda: engine.execute(review_id, restrict, BOARD_CHAIR, version),
        )
        # Each either wins or loses the race: anything else (a false IntegrityError
        # from a load that read the row before the erasure and the history after it,
        # once) fails the test with what it was.
        assert [r for r in results if not isinstance(r, ConcurrencyConflict | Review)] == []
        outcomes = [
            "conflict" if isinstance(r, ConcurrencyConflict) else command.name
            for r, command in zip(results, (erase, restrict), strict=True)
        ]
        assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2
        winner = next(o for o in outcomes if o != "conflict")
        history = engine.history(review_id)
        assert [e.command for e in history[version:]] == [winner]
        assert engine.verify().ok


# --------------------------------------------------------------------------- engine services


def test_an_erasure_asks_a_store_that_can_to_reclaim_the_space(clock: FixedClock) -> None:
    """PR-e: after an erasure the store reclaims the space the erased values held, when
    it can (``vacuum``), unless told not to."""
    from scr_engine import MemoryStore

    class Reclaiming(MemoryStore):
        vacuumed = 0

        def vacuum(self) -> None:
            self.vacuumed += 1

    store = Reclaiming()
    engine = ReviewEngine(store, clock)
    first, second = (to_stage(engine, clock, Stage.CLOSED).id for _ in range(2))
    why = {"reasons": "Retention ended.", "legal_basis": "UK GDPR Art. 17"}
    engine.erase(first, BOARD_CHAIR, **why)
    assert store.vacuumed == 1
    engine.erase(second, BOARD_CHAIR, vacuum=False, **why)
    assert store.vacuumed == 1
    engine.erase_person("Nobody", BOARD_CHAIR, **why)
    assert store.vacuumed == 1  # nothing changed: nothing to reclaim
    third = to_stage(engine, clock, Stage.CLOSED).id
    assert engine.erase_person(demo_request().requester.name, BOARD_CHAIR, **why) == [third]
    assert store.vacuumed == 2
    # With no pseudonym given, the value reads as erased in the review too.
    assert engine.get(third).request.requester.name == "[erased]"


# --------------------------------------------------------------------------- confidentiality


ERASE_WHY = "Retention period ended."


ERASE_BASIS = "UK GDPR Art. 17(1)(a)"


@pytest.mark.rule("PR-e")
@pytest.mark.parametrize(
    ("reasons", "basis", "field"),
    [(" ", ERASE_BASIS, "reasons"), (ERASE_WHY, "", "legal_basis")],
)
def test_pre_an_erasure_gives_its_reasons_and_legal_basis(
    engine: ReviewEngine, clock: FixedClock, reasons: str, basis: str, field: str
) -> None:
    rid = to_stage(engine, clock, Stage.CLOSED).id
    command = c.ErasePersonalData(reasons, basis)
    assert_refused(engine, rid, command, BUSINESS_MANAGER, "PR-e", field, InvalidRequest)


@pytest.mark.rule("PR-e")
def test_pre_only_personal_fields_are_erased_each_wrong_one_named(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.CLOSED).id
    paths = ("/request/requester/name", "/reference", "/nowhere")
    refusals = assert_refused(
        engine, rid, c.ErasePersonalData(ERASE_WHY, ERASE_BASIS, paths), BOARD_CHAIR,
        "PR-e", "paths[1]", InvalidRequest, only=False,
    )  # fmt: skip
    assert [r.field for r in refusals] == ["paths[1]", "paths[2]"]
    erased = engine.execute(
        rid, c.ErasePersonalData(ERASE_WHY, ERASE_BASIS, ("/request/requester/name",)), BOARD_CHAIR
    )
    assert erased.request.requester.name == ERASED
    assert erased.request.incidents[0].details != ERASED


@pytest.mark.rule("PR-e")
def test_pre_a_restriction_gives_reasons_and_names_readers_by_id(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    blank = c.RestrictAccess(" ", ("u-1",))
    assert_refused(engine, rid, blank, BOARD_CHAIR, "PR-e", "reasons", InvalidRequest)
    readers = c.RestrictAccess(ERASE_WHY, ("u-1", " ", "u-2", ""))
    refusals = assert_refused(
        engine, rid, readers, BOARD_CHAIR, "PR-e", "readers[1]", InvalidRequest, only=False
    )
    assert [r.field for r in refusals] == ["readers[1]", "readers[3]"]
    restricted = engine.execute(rid, c.RestrictAccess(ERASE_WHY, ("u-1", "u-2")), BOARD_CHAIR)
    assert restricted.restricted is True
    assert restricted.readers == {"u-1", "u-2", BOARD_CHAIR.id}  # the chair issuing it too
    lifted = engine.execute(rid, c.RestrictAccess(ERASE_WHY, ("u-3",), False), BOARD_CHAIR)
    assert (lifted.restricted, lifted.readers) == (False, frozenset())


# --------------------------------------------------------------------------- defences
# Guards re-check what earlier commands or the permission check already ensure; called
# here on reviews the engine never builds, so that a defence that stopped working, or
# started to fail, would be seen.


@pytest.mark.rule("PR-e")
def test_pre_one_person_erased_from_ended_reviews_only(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.history import replay, verify_history
    from scr_engine.personal import value_at

    first = to_stage(engine, clock, Stage.CLOSED).id
    second = to_stage(engine, clock, Stage.CLOSED).id
    still_open = submit(engine).id
    name = demo_request().requester.name
    contact = demo_request().other_contact.name
    for blank in (" ", "", 5):
        with pytest.raises(InvalidRequest) as caught:
            engine.erase_person(blank, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS)  # type: ignore[arg-type]
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("PR-e", "value", RefusalKind.INPUT)
        ]
        assert caught.value.command == "erase_personal_data"
    with pytest.raises(InvalidRequest) as caught:
        engine.erase_person(name, "u-chair", reasons=ERASE_WHY, legal_basis=ERASE_BASIS)  # type: ignore[arg-type]
    assert caught.value.command == "erase_personal_data"
    assert (
        engine.erase_person(
            "Nobody at all", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS
        )
        == []
    )
    changed = engine.erase_person(
        name, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS, pseudonym="Requester A"
    )
    assert sorted(changed) == sorted([first, second])
    for rid in (first, second):
        review = engine.get(rid)
        assert review.request.requester.name == "Requester A"
        assert review.request.other_contact.name == contact
        events = engine.history(rid)
        assert events[-1].command == "erase_personal_data"
        assert events[-1].actor_id == BOARD_CHAIR.id
        assert value_at(events[0].payload, "/request/requester/name") == ERASED
        assert value_at(events[0].payload, "/request/other_contact/name") == contact
        assert verify_history(events) == [] and replay(events) == review
    assert engine.get(still_open).request.requester.name == name
    # Once erased, a person is found nowhere: nothing more to change.
    assert engine.erase_person(name, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS) == []
    assert engine.verify().ok


@pytest.mark.rule("PR-e")
def test_pre_erasing_a_review_erases_every_personal_value_of_its_history(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.history import replay, verify_history
    from scr_engine.personal import personal_paths
    from scr_engine.records import Review
    from scr_engine.serialization import unstructure

    rid = to_stage(engine, clock, Stage.CLOSED).id
    with pytest.raises(InvalidRequest):
        engine.erase("", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS)
    erased = engine.erase(rid, BUSINESS_MANAGER, reasons=ERASE_WHY, legal_basis=ERASE_BASIS)
    assert erased == engine.get(rid) and erased.stage is Stage.CLOSED
    assert {v for _, v in personal_paths(Review, unstructure(erased))} == {ERASED}
    events = engine.history(rid)
    assert (events[-1].command, events[-1].actor_id) == ("erase_personal_data", BUSINESS_MANAGER.id)
    assert events[-1].payload["reasons"] == ERASE_WHY
    for event in events[:-1]:
        assert event.state_salt is None and not event.salts
    assert verify_history(events) == [] and replay(events) == erased
    assert engine.verify().ok


@pytest.mark.rule("PR-e")
def test_pre_every_read_by_an_actor_is_logged_and_listed(clock: FixedClock) -> None:
    from scr_engine import MemoryStore

    engine = ReviewEngine(MemoryStore(), clock)  # the default read policy
    rid = to_stage(engine, clock, Stage.RATIFIED).id
    other = submit(engine).id
    stranger = Actor("u-x", "Someone Else", {Role.PANEL_MEMBER}, "police")
    engine.get(rid)  # the host's own read: not logged
    assert engine.get(rid, BOARD_CHAIR) == engine.get(rid)
    assert engine.history(rid, BOARD_CHAIR) == engine.history(rid)
    assert engine.deadlines(rid, actor=BOARD_CHAIR) == engine.deadlines(rid)
    assert engine.public_export(rid, BOARD_CHAIR) == engine.public_export(rid)
    with pytest.raises(PermissionDenied) as denied:
        engine.get(other, stranger)
    assert [(r.rule, r.kind) for r in denied.value.refusals] == [("PR-e", RefusalKind.PERMISSION)]
    assert denied.value.command == "get"
    with pytest.raises(InvalidRequest) as bad:
        engine.history(rid, "u-chair")  # type: ignore[arg-type]
    assert bad.value.command == "history"
    reads = engine.access_log(review_id=rid)
    assert [(e.review_id, e.actor_id, e.what, e.granted) for e in reads] == [
        (rid, BOARD_CHAIR.id, "get", True),
        (rid, BOARD_CHAIR.id, "history", True),
        (rid, BOARD_CHAIR.id, "deadlines", True),
        (rid, BOARD_CHAIR.id, "public_export", True),
    ]
    refused = engine.access_log(review_id=other)
    assert [(e.actor_id, e.what, e.granted) for e in refused] == [(stranger.id, "get", False)]
    assert {repr(e) for e in engine.access_log()} == {repr(e) for e in [*reads, *refused]}
    assert all(e.at == clock.now() for e in reads)
    assert engine.access_log(actor_id=stranger.id) == refused
    assert engine.access_log(review_id=rid, limit=2, offset=1) == reads[1:3]
    assert engine.access_log(limit=0) == []
    for kwargs, field in [
        ({"review_id": ""}, "review_id"),
        ({"actor_id": 7}, "actor_id"),
        ({"limit": -1}, "limit"),
        ({"limit": 2**31}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 2**63}, "offset"),
    ]:
        with pytest.raises(InvalidRequest) as caught:
            engine.access_log(**kwargs)  # type: ignore[arg-type]
        assert [(r.field, r.kind) for r in caught.value.refusals] == [(field, RefusalKind.INPUT)]
        assert caught.value.command == "access_log"
    engine.access_log(limit=2**31 - 1, offset=2**63 - 1)


@pytest.mark.rule("PR-e")
def test_pre_a_review_written_before_commitments_is_not_erased(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A format-1 event's hash covers its personal values: erasing them would break the
    history, so such a review is refused (PR-e), by ``erase`` and by ``erase_person``
    alike."""
    from scr_engine import MemoryStore
    from scr_engine.history import replay_steps
    from support.legacy import format_1

    old_events = format_1(engine.history(to_stage(engine, clock, Stage.CLOSED).id))
    store = MemoryStore()
    for event, review, tasks in replay_steps(old_events):
        store.save(review, event, tasks, [], expected_version=event.sequence - 1)
    old = ReviewEngine(store, clock)
    rid = old_events[0].review_id
    name = demo_request().requester.name
    for call in (
        lambda: old.erase(rid, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS),
        lambda: old.erase_person(name, BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS),
    ):
        with pytest.raises(TransitionRefused) as caught:
            call()
        assert type(caught.value) is TransitionRefused
        assert caught.value.command == "erase_personal_data"
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("PR-e", None, RefusalKind.GUARD)
        ]
        assert old.history(rid) == tuple(old_events)
    # A value the old events do not hold leaves them be: nothing to erase there.
    assert old.erase_person("Nobody", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS) == []


@pytest.mark.rule("PR-e")
def test_pre_a_value_left_only_in_the_history_is_erased_there(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """An IMR sent again replaces its summary in the review, but the history still
    holds the first one: erasing that text changes the history alone."""
    from scr_engine.history import verify_history
    from scr_engine.personal import value_at

    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    agency = engine.get(rid).imr_agencies[0]
    engine.execute(rid, c.ReceiveImr(agency, "First account."), PANEL_CHAIR)
    asked = c.JudgeImr(agency, ImrJudgement.FURTHER_INFORMATION_REQUESTED, "More, please.")
    engine.execute(rid, asked, PANEL_CHAIR)
    engine.execute(rid, c.ReceiveImr(agency, "Second account."), PANEL_CHAIR)
    engine.execute(rid, c.Withdraw("The family asked us to stop."), BOARD_CHAIR)
    before = engine.get(rid)
    first = next(e for e in engine.history(rid) if e.payload.get("summary") == "First account.")
    changed = engine.erase_person(
        "First account.", BOARD_CHAIR, reasons=ERASE_WHY, legal_basis=ERASE_BASIS
    )
    assert changed == [rid]
    events = engine.history(rid)
    assert value_at(events[first.sequence - 1].payload, "/summary") == ERASED
    imr = engine.get(rid).imr(agency)
    assert imr is not None and imr.summary == "Second account."
    assert engine.get(rid).stage is before.stage and verify_history(events) == []


@pytest.mark.rule("PR-e")
def test_erasing_a_person_passes_over_a_review_the_actor_may_not_read(clock: FixedClock) -> None:
    """PR-e: ``erase_person`` leaves out a review the read policy keeps from the actor
    and goes on to the next: a restricted review first in the store's order does not
    end the search."""
    ids = iter(["a-restricted", "b-open"])
    engine = ReviewEngine(MemoryStore(), clock, new_id=lambda: next(ids))
    restricted, other = (_closed(engine, clock) for _ in range(2))
    engine.execute(restricted, c.RestrictAccess("Press interest."), BOARD_CHAIR)
    second_chair = Actor("u-chair-2", "Second Chair", frozenset({Role.BOARD_CHAIR}))
    name = demo_request().requester.name
    changed = engine.erase_person(name, second_chair, reasons=REASONS, legal_basis=BASIS)
    assert changed == [other] == ["b-open"]
    assert engine.get(restricted).request.requester.name == name


@pytest.mark.rule("PR-e")
@pytest.mark.parametrize(
    "changes",
    [{"pseudonym": 5}, {"paths": "/request/requester/name"}],
    ids=["pseudonym-not-text", "paths-not-a-list"],
)
def test_a_malformed_erasure_is_refused_before_its_rewrites_are_made(
    clock: FixedClock, changes: dict[str, Any]
) -> None:
    """PR-e: an erasure whose paths are not a list or whose pseudonym is not text is
    refused naming the field, before the engine strikes any text with it; nothing
    changes."""
    engine = ReviewEngine(MemoryStore(), clock)
    review_id = _closed(engine, clock)
    before = engine.get(review_id)
    erase = c.ErasePersonalData(REASONS, BASIS, **changes)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review_id, erase, BOARD_CHAIR)
    assert [r.field for r in refused.value.refusals] == [next(iter(changes))]
    assert engine.get(review_id) == before
