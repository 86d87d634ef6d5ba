"""A store that checked a review at an earlier version checks only the events since
when it loads a later one (another process's commands, a second worker of a service).

Each test holds a long-lived store ``A`` that loaded a review at version ``v``; the
stored review then moves on (the tables as another store left them), and ``A``'s next
load is compared with a fresh store's. Whatever is stored, edited or not, a store
that checked an earlier version judges it as a fresh store does, except for an edit
of an event it checked before, which is the whole store's ``verify``'s to find (as it
is for a review loaded unchanged).
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import assume, given
from hypothesis import strategies as st

from scr_engine import FixedClock, ReviewEngine, ScrEngineError
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.storage.sql import SqlStore
from support.builders import START

CHECKED_AT = 12
"""The number of commands after which ``A`` loads the review."""
TABLES = ("scr_reviews", "scr_events")


def _backup(url_path: Path, to: Path) -> None:
    """A consistent copy of a SQLite store that is open elsewhere."""
    with sqlite3.connect(url_path) as source, sqlite3.connect(to) as target:
        source.backup(target)


class Stores:
    """``submitted``: one review, just submitted; ``at_v``: that review after
    :data:`CHECKED_AT` commands; ``full``: the same run to closure; ``other``: another
    run to closure from ``submitted`` (its history leaves ``full``'s after the submit:
    a store restored from a backup and written since)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.submitted = folder / "submitted.db"
        self.at_v = folder / "at_v.db"
        self.full = folder / "full.db"
        self.other = folder / "other.db"
        clock = FixedClock(START)
        with SqlStore(self._url(self.submitted), migrate="create", durable=False) as store:
            self.review_id = ReviewEngine(store, clock).submit(demo_request(), REQUESTER).id
        self._run(self.full, backup_at=self.at_v)
        self._run(self.other)

    @staticmethod
    def _url(path: Path) -> str:
        return f"sqlite:///{path}"

    def _run(self, path: Path, backup_at: Path | None = None) -> None:
        shutil.copyfile(self.submitted, path)
        clock = FixedClock(START)
        count = 0

        def step() -> None:
            nonlocal count
            count += 1
            clock.advance(hours=1)
            if count == CHECKED_AT + 1 and backup_at is not None:
                _backup(path, backup_at)

        with SqlStore(self._url(path), durable=False) as store:
            run_to_closure(ReviewEngine(store, clock), self.review_id, step)

    def working_copy(self) -> str:
        """A fresh copy of ``at_v``: its URL."""
        copy = self.folder / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.at_v, copy)
        return self._url(copy)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    return Stores(tmp_path_factory.mktemp("since"))


def _restore(
    url: str, source: Path, edit: Callable[[sa.Connection], None] = lambda _: None
) -> None:
    """Replace the review's rows with ``source``'s, as another store left them, then
    ``edit`` them."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"ATTACH DATABASE '{source}' AS source")
            for table in TABLES:
                conn.exec_driver_sql(f"DELETE FROM {table}")
                conn.exec_driver_sql(f"INSERT INTO {table} SELECT * FROM source.{table}")
            edit(conn)
        with engine.connect() as conn:
            conn.exec_driver_sql("DETACH DATABASE source")
    finally:
        engine.dispose()


def _outcome(store: SqlStore, review_id: str) -> Any:
    try:
        return store.load(review_id)
    except ScrEngineError as exc:
        return (type(exc).__name__, str(exc))


def _fresh(url: str, review_id: str) -> Any:
    with SqlStore(url, durable=False) as store:
        return _outcome(store, review_id)


def _checked_at_v(url: str, review_id: str) -> SqlStore:
    store = SqlStore(url, durable=False)
    assert store.load(review_id).version == CHECKED_AT + 1
    return store


def test_a_store_that_checked_an_earlier_version_loads_the_later_one(stores: Stores) -> None:
    url = stores.working_copy()
    with _checked_at_v(url, stores.review_id) as store:
        checked = store.load(stores.review_id)
        _restore(url, stores.full)
        loaded = store.load(stores.review_id)
        assert loaded == _fresh(url, stores.review_id)
        assert loaded.version > CHECKED_AT + 1
        assert loaded == store.load(stores.review_id)  # and again, unchanged
        # Only what changed was decoded: the request is the one decoded before.
        assert loaded.request == checked.request and loaded.request is checked.request
        assert loaded.stage != checked.stage


def test_a_history_that_left_the_one_checked_before_is_loaded_whole(stores: Stores) -> None:
    """A store restored from a backup and written since: its history is not the one
    ``A`` checked; ``A`` judges it whole, and finds nothing wrong."""
    url = stores.working_copy()
    with _checked_at_v(url, stores.review_id) as store:
        _restore(url, stores.other)
        loaded = store.load(stores.review_id)
        assert loaded == _fresh(url, stores.review_id)
        assert loaded.version > CHECKED_AT + 1


def test_an_edit_of_an_event_checked_before_is_verifys_to_find(stores: Stores) -> None:
    """What the store does not read again: an event it checked before. The load
    trusts it, as it would for a review loaded unchanged; the whole store's
    ``verify`` reports it."""

    def edit(conn: sa.Connection) -> None:
        conn.exec_driver_sql(
            "UPDATE scr_events SET at = '2020-01-01T00:00:00+00:00' WHERE sequence = 2"
        )

    url = stores.working_copy()
    with _checked_at_v(url, stores.review_id) as store:
        _restore(url, stores.full, edit)
        assert store.load(stores.review_id).version > CHECKED_AT + 1
        fresh = _fresh(url, stores.review_id)
        assert fresh[0] == "IntegrityError"
        report = ReviewEngine(store, FixedClock(START)).verify()
        assert not report.ok


def _later_cells(path: Path, review_id: str) -> list[tuple[str, int, str, Any]]:
    """Every cell of the review's row and of its events after the one checked."""
    engine = sa.create_engine(f"sqlite:///{path}")
    cells = []
    try:
        with engine.connect() as conn:
            for table, where in (
                ("scr_reviews", "id = :r"),
                ("scr_events", f"review_id = :r AND sequence > {CHECKED_AT + 1}"),
            ):
                rows = conn.execute(
                    sa.text(f"SELECT rowid AS _rowid, * FROM {table} WHERE {where}"),
                    {"r": review_id},
                )
                for row in rows:
                    values = dict(row._mapping)
                    rowid = values.pop("_rowid")
                    cells += [(table, rowid, column, value) for column, value in values.items()]
    finally:
        engine.dispose()
    return cells


def _changed(draw: st.DrawFn, value: Any) -> Any:
    if value is None:
        return draw(st.sampled_from(["", "x", "1"]))
    if isinstance(value, int):
        return draw(st.sampled_from([value + 1, value - 1, 0]))
    text = str(value)
    if not text:
        return "x"
    at = draw(st.integers(0, len(text) - 1))
    kind = draw(st.sampled_from(["flip", "cut"]))
    if kind == "cut":
        return text[:at] + text[at + 1 :]
    old = text[at]
    return (
        text[:at] + (chr(ord(old) + 1) if old not in "9zZ" else chr(ord(old) - 1)) + text[at + 1 :]
    )


def test_a_later_version_edited_anywhere_since_is_judged_as_a_fresh_store_judges_it(
    stores: Stores,
) -> None:
    """Any single-cell edit of the review's row or of an event after the version
    ``A`` checked (or none): ``A``'s load and a fresh store's agree, the review or
    the same :class:`~scr_engine.IntegrityError`."""
    cells = _later_cells(stores.full, stores.review_id)

    @st.composite
    def edits(draw: st.DrawFn) -> tuple[str, int, str, Any] | None:
        if draw(st.booleans()) and draw(st.booleans()):
            return None
        table, rowid, column, value = draw(st.sampled_from(cells))
        return table, rowid, column, _changed(draw, value)

    @given(edit=edits())
    def check(edit: tuple[str, int, str, Any] | None) -> None:
        def apply(conn: sa.Connection) -> None:
            if edit is not None:
                table, rowid, column, value = edit
                conn.execute(
                    sa.text(f'UPDATE {table} SET "{column}" = :v WHERE rowid = :r'),
                    {"v": value, "r": rowid},
                )

        url = stores.working_copy()
        try:
            with _checked_at_v(url, stores.review_id) as store:
                try:
                    _restore(url, stores.full, apply)
                except sa.exc.IntegrityError:
                    assume(False)  # the database itself refuses it (NOT NULL, unique …)
                assert _outcome(store, stores.review_id) == _fresh(url, stores.review_id)
        finally:
            path = Path(url.removeprefix("sqlite:///"))
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()

    check()


def test_a_sar_checked_at_earlier_versions_loads_as_a_fresh_store_loads_it(tmp_path: Path) -> None:
    """A Safeguarding Adults Review driven by one store and loaded now and then by
    another, which checks each time only what changed since it last did."""
    from support import sar as s
    from support.sar_engine import EngineRun

    url = f"sqlite:///{tmp_path / 'sar.db'}"
    with (
        SqlStore(url, migrate="create", durable=False) as driving,
        SqlStore(url, durable=False) as watching,
    ):
        run = EngineRun(driving)
        drive = run.do
        seen: list[int] = []

        def do(*args: Any, **kwargs: Any) -> Any:
            made = drive(*args, **kwargs)
            if len(seen) < 40 and made.version % 3 == 1:
                loaded = watching.load(made.id)
                assert loaded == made
                seen.append(loaded.version)
            return made

        run.do = do  # type: ignore[method-assign]
        s.monitored(run)
        assert len(seen) > 3
        assert watching.load(run.r.id) == run.r == _fresh(url, run.r.id)


def _texts(path: Path, review_id: str) -> str:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            text = conn.execute(
                sa.text("SELECT data FROM scr_reviews WHERE id = :r"), {"r": review_id}
            ).scalar_one()
            return str(text)
    finally:
        engine.dispose()


def test_a_review_decoded_against_an_earlier_version_is_the_review_decoded_whole(
    stores: Stores,
) -> None:
    """The stored JSON of a later version, edited anywhere (or not): decoded against
    the version checked before, it is what decoding it whole makes, or it is refused
    just the same; its unchanged parts are the earlier version's very objects."""
    from scr_engine.storage.sql.review_json import _Cached, _decode_entry, _decode_review

    earlier, later = _texts(stores.at_v, stores.review_id), _texts(stores.full, stores.review_id)
    other = _texts(stores.other, stores.review_id)

    def whole(text: str) -> Any:
        try:
            return _decode_review(text)
        except ScrEngineError as exc:
            return type(exc).__name__, str(exc)

    @given(
        text=st.sampled_from([later, other, earlier]).flatmap(
            lambda t: st.one_of(st.just(t), st.builds(_edited, st.just(t), st.data()))
        )
    )
    def check(text: str) -> None:
        prior = _Cached(earlier, _decode_review(earlier))
        try:
            decoded: Any = _decode_entry(text, prior).review
        except ScrEngineError as exc:
            decoded = type(exc).__name__, str(exc)
        assert decoded == whole(text)
        if text == later:
            assert decoded.request is prior.review.request

    check()


def _edited(text: str, data: st.DataObject) -> str:
    """``text`` with one character changed, cut or added, mostly inside a string
    (where the JSON stays JSON and a part of the review changes)."""
    quotes = [i for i, ch in enumerate(text) if ch == '"']
    at = data.draw(st.sampled_from(quotes)) + 1 if data.draw(st.booleans()) else 0
    at = min(data.draw(st.integers(at, min(at + 8, len(text) - 1))), len(text) - 1)
    kind = data.draw(st.sampled_from(["flip", "cut", "add"]))
    if kind == "cut":
        return text[:at] + text[at + 1 :]
    if kind == "add":
        return text[:at] + data.draw(st.sampled_from(["x", ",", "1", "]", "}", '"'])) + text[at:]
    old = text[at]
    return (
        text[:at] + (chr(ord(old) + 1) if old not in "9zZ" else chr(ord(old) - 1)) + text[at + 1 :]
    )
