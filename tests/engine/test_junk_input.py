"""Hardening 8: every public entry point checks its arguments and raises only the
library's errors (``ScrEngineError`` subclasses), and a refusal changes nothing in the
store, on MemoryStore and on SqlStore (SQLite).

The property test runs ten times the profile's examples: 600 under ``ci``, 10,000
under ``thorough`` (``HYPOTHESIS_PROFILE=thorough``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    FixedClock,
    MemoryStore,
    ReviewEngine,
    ScrEngineError,
)
from scr_engine import commands as c
from scr_engine.demo import BUSINESS_MANAGER, PANEL_CHAIR, REQUESTER, demo_request
from scr_engine.states.roles import SCR_ROLES
from scr_engine.storage.sql import SqlStore
from support.builders import BOARD_CHAIR, START, screen, submit

EXAMPLES = settings.default.max_examples * 10

# --------------------------------------------------------------------------- junk

_TEXT = st.one_of(
    st.text(st.characters(codec=None, categories=None), max_size=40),
    st.sampled_from(["", " ", "\x00", "a\ud800b", "\udfff", "x" * 100_001, "é" * 2000]),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(10**30), 2**63, -1, 0]),
    st.floats(),
    _TEXT,
    st.binary(max_size=10),
    st.dates(),
    st.datetimes(),
    st.just(object()),
)
_JUNK = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(_TEXT, st.integers(), st.none()), inner, max_size=4),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=10,
)
_ROLES = st.frozensets(
    st.one_of(st.sampled_from(list(SCR_ROLES)), st.sampled_from(["board_chair", "x", 5, None])),
    max_size=3,
)


def _actor(ident: Any, name: Any, roles: Any, agency: Any) -> Any:
    try:
        return Actor(ident, name, roles, agency)
    except Exception:
        return ident


_ACTORS = st.one_of(
    st.sampled_from([BOARD_CHAIR, BUSINESS_MANAGER, PANEL_CHAIR, REQUESTER]),
    st.builds(
        _actor,
        st.one_of(st.sampled_from(["u-chair", "u-pc", "u-bm"]), _TEXT, _JUNK),
        st.one_of(_TEXT, _JUNK),
        st.one_of(_ROLES, _JUNK),
        st.one_of(st.none(), st.sampled_from(["gp", "asc"]), _TEXT, _JUNK),
    ),
    _JUNK,
)


def _command(cls: type[c.Command], args: tuple[Any, ...]) -> Any:
    try:
        return cls(*args)
    except Exception:
        return args


_CLASSES = st.sampled_from(list(c.COMMANDS.values()))
_COMMANDS = st.one_of(
    _CLASSES.flatmap(
        lambda cls: st.tuples(*[st.one_of(_JUNK) for _ in attrs.fields(cls)]).map(
            lambda args: _command(cls, args)
        )
    ),
    st.sampled_from(
        [
            c.AssessCriteria(),
            c.ConfirmReview(),
            c.Decline("x"),
            c.ConvenePanel(),
            c.PauseClock("inquest", "reasons"),
            c.ResumeClock(),
        ]
    ),
    _JUNK,
)
_JSON = st.one_of(
    st.builds(
        lambda name, extra: {"command": name, **extra},
        st.one_of(st.sampled_from(sorted(c.COMMANDS)), _JUNK),
        st.dictionaries(st.one_of(_TEXT, st.integers()), _JUNK, max_size=4),
    ),
    st.text(max_size=60).map(lambda t: _loads(t)),
    _JUNK,
)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------- calls


def _calls(ids: list[str]) -> st.SearchStrategy[tuple[str, Callable[[ReviewEngine], Any]]]:
    """One call of a public entry point with junk, named."""
    review_ids = st.one_of(st.sampled_from([*ids, "no-such-review"]), _TEXT, _JUNK)
    days = st.one_of(st.none(), st.dates(), _JUNK)
    counts = st.one_of(st.integers(min_value=-5, max_value=200), _JUNK)

    def go(name: str, *strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        method = {
            "submit": lambda e, *a: e.submit(*a),
            "execute": lambda e, *a: e.execute(*a),
            "explain": lambda e, *a: e.explain(*a),
            "allowed": lambda e, *a: e.allowed(*a),
            "options": lambda e, *a: e.options(*a),
            "get": lambda e, *a: e.get(*a),
            "history": lambda e, *a: e.history(*a),
            "deadlines": lambda e, *a: e.deadlines(*a),
            "overdue": lambda e, a, w, limit, after: e.overdue(a, w, limit=limit, after=after),
            "pending_tasks": lambda e, limit: e.pending_tasks(limit=limit),
            "complete_task": lambda e, *a: e.complete_task(*a),
            "from_dict": lambda e, data: c.from_dict(data),
            "from_dict_execute": lambda e, rid, data, actor: e.execute(
                rid, c.from_dict(data), actor
            ),
            "submit_key": lambda e, form, actor, key: e.submit(form, actor, idempotency_key=key),
            "execute_key": lambda e, rid, cmd, actor, key: e.execute(
                rid, cmd, actor, idempotency_key=key
            ),
            "get_as": lambda e, rid, actor: e.get(rid, actor),
            "history_as": lambda e, rid, actor: e.history(rid, actor),
            "deadlines_as": lambda e, rid, day, actor: e.deadlines(rid, day, actor),
            "public_export": lambda e, rid, actor: e.public_export(rid, actor),
            "access_log": lambda e, rid, aid, limit, offset: e.access_log(
                review_id=rid, actor_id=aid, limit=limit, offset=offset
            ),
            "erase": lambda e, rid, actor, why, basis: e.erase(
                rid, actor, reasons=why, legal_basis=basis
            ),
            "erase_person": lambda e, value, actor, why, basis: e.erase_person(
                value, actor, reasons=why, legal_basis=basis
            ),
            "verify": lambda e, cp, key, progress: e.verify(cp, public_key=key, progress=progress),
            "checkpoint": lambda e, key: e.checkpoint(key),
        }[name]
        return st.tuples(*strategies).map(lambda args: (name, lambda e: method(e, *args)))

    forms = st.one_of(st.just(demo_request()), _JUNK)
    return st.one_of(
        go("submit", forms, _ACTORS),
        go("execute", review_ids, _COMMANDS, _ACTORS, st.one_of(st.none(), counts)),
        go("explain", review_ids, _COMMANDS, _ACTORS),
        go("allowed", review_ids, _ACTORS),
        go("options", review_ids, _ACTORS),
        go("get", review_ids),
        go("history", review_ids),
        go("deadlines", review_ids, days),
        go("overdue", days, counts, counts, st.one_of(st.none(), _JUNK)),
        go("pending_tasks", counts),
        go("complete_task", st.one_of(st.just("no-such-task"), _TEXT, _JUNK)),
        go("from_dict", _JSON),
        go("from_dict_execute", review_ids, _JSON, _ACTORS),
        go("submit_key", forms, _ACTORS, st.one_of(_TEXT, _JUNK)),
        go("execute_key", review_ids, _COMMANDS, _ACTORS, st.one_of(_TEXT, _JUNK)),
        go("get_as", review_ids, _ACTORS),
        go("history_as", review_ids, _ACTORS),
        go("deadlines_as", review_ids, days, _ACTORS),
        go("public_export", review_ids, st.one_of(st.none(), _ACTORS)),
        go(
            "access_log",
            st.one_of(st.none(), review_ids),
            st.one_of(st.none(), _TEXT, _JUNK),
            counts,
            counts,
        ),
        go("erase", review_ids, _ACTORS, st.one_of(_TEXT, _JUNK), st.one_of(_TEXT, _JUNK)),
        go(
            "erase_person",
            st.one_of(_TEXT, _JUNK),
            _ACTORS,
            st.one_of(_TEXT, _JUNK),
            st.one_of(_TEXT, _JUNK),
        ),
        go(
            "verify",
            st.one_of(st.none(), _JUNK),
            st.one_of(st.none(), _JUNK),
            st.one_of(st.none(), _JUNK),
        ),
        go("checkpoint", _JUNK),
    )


# --------------------------------------------------------------------------- stores


def _memory_dump(engine: ReviewEngine) -> Any:
    store = engine.store
    heads = store.heads()
    return (
        heads,
        [store.history(rid) for rid, _, _ in heads],
        store.pending_tasks(limit=10_000),
    )


def _sqlite_dump(path: Path) -> Callable[[ReviewEngine], Any]:
    def dump(engine: ReviewEngine) -> Any:
        with sqlite3.connect(path) as conn:
            tables = [
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'scr%'"
                    " ORDER BY name"
                )
            ]
            assert "scr_reviews" in tables
            # A refused read by an actor is logged by design (PR-e): the access log
            # is the one table a refusal writes to.
            return {
                t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()
                for t in tables
                if t != "scr_access_log"
            }

    return dump


def _drive(engine: ReviewEngine, dump: Callable[[ReviewEngine], Any]) -> None:
    review = submit(engine)
    screened = screen(engine, submit(engine).id)
    ids = [review.id, screened.id]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(call=_calls(ids))
    def only_library_errors(call: tuple[str, Callable[[ReviewEngine], Any]]) -> None:
        _, run = call
        before = dump(engine)
        try:
            run(engine)
        except ScrEngineError:
            assert dump(engine) == before, "a refusal changed the store"

    only_library_errors()


def test_junk_at_every_entry_point_memory() -> None:
    """Hardening 8 (MemoryStore): junk arguments to every public entry point raise
    only ScrEngineError subclasses, and a refusal leaves the store as it was."""
    engine = ReviewEngine(MemoryStore(), FixedClock(START))
    _drive(engine, _memory_dump)


def test_junk_at_every_entry_point_sqlite(tmp_path: Path) -> None:
    """Hardening 8 (SqlStore on SQLite): the same, comparing every scr_ table."""
    path = tmp_path / "board.db"
    store = SqlStore(f"sqlite:///{path}", migrate="create")
    try:
        _drive(ReviewEngine(store, FixedClock(START)), _sqlite_dump(path))
    finally:
        store.close()
