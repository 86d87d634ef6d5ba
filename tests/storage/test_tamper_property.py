"""Any single-cell edit of any stored table either is reported by ``verify`` or
changes nothing the engine reads (PR-d).

One SQLite store is built once (reviews at several stages, tasks delivered and not,
a signed checkpoint); each example copies it, changes one cell of one row of one
table to a related or random value, and compares what the engine reads (every
review, history, deadline row, pending task, overdue row, stage listing and the
latest checkpoint) before and after. When anything read differs, ``verify`` with the
Board's public key must report a fault; and ``verify`` never raises.

Not edited: ``scr_alembic_version`` (the schema revision: a change is refused at
start-up, :class:`~scr_engine.SchemaMismatch`) and ``scr_reference_counters`` (the
next number to hand out, not evidence: a lowered counter makes the next ``submit``
collide and be refused by the unique reference, a raised one skips numbers).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import assume, given
from hypothesis import strategies as st

from scr_engine import FixedClock, ReviewEngine, ScrEngineError, Stage
from scr_engine import commands as c
from scr_engine.checkpoints import generate_key, load_private_key
from scr_engine.demo import BUSINESS_MANAGER, REQUESTER, demo_request, run_to_closure
from scr_engine.storage.sql import SqlStore
from support.builders import START

pytestmark = pytest.mark.rule("PR-d")

KEY = load_private_key(generate_key())
TABLES = ("scr_reviews", "scr_events", "scr_deadlines", "scr_tasks", "scr_checkpoints")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("tamper")
    path = folder / "base.db"
    clock = FixedClock(START)
    with SqlStore(f"sqlite:///{path}", migrate="create", durable=False, clock=clock) as store:
        engine = ReviewEngine(store, clock)
        ids = [engine.submit(demo_request(), REQUESTER).id for _ in range(3)]
        run_to_closure(engine, ids[0], lambda: clock.advance(hours=5), until=Stage.RATIFIED)
        engine.execute(ids[1], c.RecordChairNotified(START.date()), BUSINESS_MANAGER)
        for task in engine.pending_tasks(limit=3):
            engine.complete_task(task.id)
        engine.checkpoint(KEY)
    return path, ids


def _rows(path: Path) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return {
                table: [
                    (row[0], dict(row._mapping))
                    for row in conn.execute(sa.text(f"SELECT rowid AS _rowid, * FROM {table}"))
                ]
                for table in TABLES
            }
    finally:
        engine.dispose()


def _observe(url: str, ids: list[str]) -> list[Any]:
    """Everything the engine reads, with any error as its type and message."""
    out: list[Any] = []
    with SqlStore(url, durable=False) as store:

        def read(what: Any) -> Any:
            try:
                return what()
            except ScrEngineError as exc:
                return (type(exc).__name__, str(exc))

        for review_id in ids:
            out.append(read(lambda r=review_id: store.load(r)))
            out.append(read(lambda r=review_id: store.history(r)))
            out.append(read(lambda r=review_id: sorted(store.deadline_rows(r), key=repr)))
        out.append(read(lambda: store.pending_tasks(limit=1000)))
        out.append(read(lambda: store.overdue(START.date().replace(year=2099), limit=1000)))
        for stage in Stage:
            out.append(read(lambda s=stage: store.list_by_stage(s, limit=1000)))
        out.append(read(store.latest_checkpoint))
    return out


def _new_value(draw: st.DrawFn, value: Any) -> Any:
    if value is None:
        return draw(st.sampled_from(["", "x", "2026-02-02", "1", "true"]))
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return draw(st.sampled_from([value + 1, value - 1, 0, None]))
    text = str(value)
    choice = draw(st.sampled_from(["flip", "cut", "grow", "null", "other"]))
    if choice == "null":
        return None
    if choice == "other":
        return draw(st.text(max_size=12))
    if not text:
        return "x"
    at = draw(st.integers(0, len(text) - 1))
    if choice == "cut":
        return text[:at] + text[at + 1 :]
    if choice == "grow":
        return text[:at] + draw(st.characters(codec="utf-8")) + text[at:]
    old = text[at]
    new = chr(ord(old) + 1) if old not in "9zZ" else chr(ord(old) - 1)
    return text[:at] + new + text[at + 1 :]


@st.composite
def edits(draw: st.DrawFn, rows: dict[str, list[tuple[int, dict[str, Any]]]]) -> Any:
    table = draw(st.sampled_from([t for t in TABLES if rows[t]]))
    rowid, row = draw(st.sampled_from(rows[table]))
    column = draw(st.sampled_from([k for k in row if k != "_rowid"]))
    return table, rowid, column, _new_value(draw, row[column])


def test_a_single_cell_edit_is_reported_or_changes_nothing_read(
    base: tuple[Path, list[str]],
) -> None:
    path, ids = base
    rows = _rows(path)
    before = _observe(f"sqlite:///{path}", ids)

    @given(edit=edits(rows))
    def check(edit: tuple[str, int, str, Any]) -> None:
        table, rowid, column, value = edit
        copy = path.with_name(f"{uuid.uuid4().hex}.db")
        shutil.copyfile(path, copy)
        url = f"sqlite:///{copy}"
        try:
            engine = sa.create_engine(url)
            try:
                with engine.begin() as conn:
                    conn.execute(
                        sa.text(f'UPDATE {table} SET "{column}" = :v WHERE rowid = :r'),
                        {"v": value, "r": rowid},
                    )
            except sa.exc.IntegrityError:
                assume(False)  # the database itself refuses it (NOT NULL, unique …)
            finally:
                engine.dispose()
            after = _observe(url, ids)
            with SqlStore(url, durable=False) as store:
                report = ReviewEngine(store, FixedClock(START)).verify(public_key=KEY.public_key())
            if after != before:
                assert not report.ok, f"{table}.{column} of row {rowid} set to {value!r}"
        finally:
            for leftover in copy.parent.glob(copy.name + "*"):
                leftover.unlink()

    check()
