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
import threading
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
    ConcurrencyConflict,
    FaultKind,
    FixedClock,
    MemoryStore,
    PermissionDenied,
    ReviewEngine,
    ReviewStore,
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
from scr_engine.records import RequestForm, Review
from scr_engine.serialization import structure, unstructure
from scr_engine.storage.sql import SqlStore, upgrade
from support.builders import START
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
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def run(command: c.Command) -> None:
            barrier.wait()
            try:
                engine.execute(review_id, command, BOARD_CHAIR, version)
                outcomes.append(command.name)
            except ConcurrencyConflict:
                outcomes.append("conflict")

        threads = [
            threading.Thread(target=run, args=(c.ErasePersonalData(REASONS, BASIS),)),
            threading.Thread(target=run, args=(c.RestrictAccess("Press interest."),)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2
        winner = next(o for o in outcomes if o != "conflict")
        history = engine.history(review_id)
        assert [e.command for e in history[version:]] == [winner]
        assert engine.verify().ok
