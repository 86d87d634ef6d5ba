"""The state machine of ``support.machine`` over the SQL store: SQLite and PostgreSQL.

:class:`ReviewProtocolMachine` proves the protocol over a :class:`MemoryStore`; here the
very same machine (its rules, invariants and checks, untouched: the subclasses only
override :meth:`~ReviewProtocolMachine.make_store` and ``teardown``) drives a
:class:`SqlStore`, so every review, history and task list it compares comes back through
SQL. Each example gets a database of its own: a new SQLite file in a new temporary
directory, or a new PostgreSQL schema (``conftest_pg``: skipped with the reason when the
server is unreachable, failed when ``CI=true``). ``teardown`` removes it, after reading a
passing run back through a second, fresh store: the store keeps decoded reviews, so
only a store that has decoded nothing yet shows what the database really holds.

The SQL store is several times slower per command than memory, so these runs take a
sixth of the active hypothesis profile's examples (at least five): ten under ``ci``,
many more under ``thorough``. ``test_fixed_seed_sql_run_matches_memory`` shows, for a
fixed seed, that the SQLite runs reach ``closed`` (past screening, through every stage
of the main path) and accept and refuse exactly what the same runs over memory do.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import Phase, seed, settings
from hypothesis.stateful import run_state_machine_as_test

from scr_engine import ReviewStore, Stage
from scr_engine import commands as c
from scr_engine.records import Actor
from scr_engine.storage.sql import SqlStore
from support.machine import PROVED_RULES, ReviewProtocolMachine, proves, without_source_constants
from support.postgres import postgres_schema, require_postgres

STEPS = 80
"""Steps per example: as many as the in-memory run takes."""

MAIN_PATH = frozenset(
    {
        Stage.REQUESTED,
        Stage.SCREENED,
        Stage.PANEL_CONVENED,
        Stage.EVIDENCE_RECEIVED,
        Stage.OVERVIEW_DRAFTED,
        Stage.RATIFIED,
        Stage.ACTION_PLAN_MONITORED,
        Stage.CLOSED,
    }
)


def sql_settings() -> settings:
    """A sixth of the active profile's examples (at least five), ``STEPS`` steps each."""
    return settings(
        max_examples=max(5, settings.default.max_examples // 6), stateful_step_count=STEPS
    )


# ----------------------------------------------------------------------------- the machines


class SqlMachine(ReviewProtocolMachine):
    """The protocol machine over a :class:`SqlStore` in the fresh database that
    :meth:`open_database` makes for each example. Everything opened for the example is
    closed and removed in ``teardown``, after a passing run is read back afresh."""

    reached: ClassVar[set[Stage]] = set()
    accepted: ClassVar[set[str]] = set()

    def __init__(self) -> None:
        self.resources = ExitStack()
        self.url = ""
        try:
            super().__init__()
        except BaseException:
            self.resources.close()  # hypothesis tears down only a machine it has
            raise

    def open_database(self, resources: ExitStack) -> str:
        """The URL of a fresh, empty database; what must be closed or removed
        afterwards goes on ``resources``."""
        raise NotImplementedError

    def make_store(self) -> ReviewStore:
        self.url = self.open_database(self.resources)
        # durable=False (SQLite only): the machine proves behaviour, not fsync.
        store = SqlStore(self.url, migrate="create", durable=False)
        return self.resources.enter_context(store)

    def teardown(self) -> None:
        try:
            if sys.exc_info()[1] is None:  # never hide why a run failed
                self.check_persisted()
        finally:
            self.resources.close()

    def check_persisted(self) -> None:
        """What the run left in the database, read back by a store of its own (nothing
        decoded or cached yet): every review as last seen, its history, the tasks."""
        with SqlStore(self.url, durable=False) as fresh:
            for review_id, review in self.known.items():
                assert fresh.load(review_id) == review, f"{review_id} read back differs"
                assert fresh.history(review_id) == self.engine.history(review_id)
            listed = {r.id: r for st_ in Stage for r in fresh.list_by_stage(st_, limit=10**6)}
            assert listed == self.known
            assert fresh.pending_tasks(limit=10**6) == self.store.pending_tasks(limit=10**6)


class SqliteMachine(SqlMachine):
    """The protocol machine over SQLite: a new database file in a new directory."""

    reached: ClassVar[set[Stage]] = set()
    accepted: ClassVar[set[str]] = set()

    def open_database(self, resources: ExitStack) -> str:
        directory = Path(tempfile.mkdtemp(prefix="scr-machine-"))
        resources.callback(shutil.rmtree, directory, ignore_errors=True)
        return f"sqlite:///{directory / 'scr.db'}"


class PostgresMachine(SqlMachine):
    """The protocol machine over PostgreSQL: a new schema, dropped afterwards."""

    reached: ClassVar[set[Stage]] = set()
    accepted: ClassVar[set[str]] = set()

    def open_database(self, resources: ExitStack) -> str:
        return resources.enter_context(postgres_schema())


# ----------------------------------------------------------------------------- random runs


@pytest.mark.long
@proves(*PROVED_RULES)
def test_engine_on_sqlite_obeys_the_protocol() -> None:
    """``PROVED_RULES``, as in ``protocol/test_machine.py``, with the reviews kept in SQLite."""
    run_state_machine_as_test(SqliteMachine, settings=sql_settings())


@pytest.mark.long
@proves(*PROVED_RULES)
@pytest.mark.postgres
def test_engine_on_postgres_obeys_the_protocol() -> None:
    """``PROVED_RULES``, as in ``protocol/test_machine.py``, with the reviews kept in PostgreSQL."""
    require_postgres()
    run_state_machine_as_test(PostgresMachine, settings=sql_settings())


# ----------------------------------------------------------------------------- a fixed seed

Entry = tuple[str, str, str, bool]
"""One command of a run: the review, the command, the actor, whether it was accepted."""


class TranscribingMachine(ReviewProtocolMachine):
    """Writes down every command issued and whether it was accepted."""

    transcript: ClassVar[list[Entry]] = []

    def apply(self, review_id: str, command: c.Command, actor: Actor) -> bool:
        accepted = super().apply(review_id, command, actor)
        type(self).transcript.append((review_id, command.name, actor.id, accepted))
        return accepted


SEED = 14


@seed(SEED)
class SeededMemoryMachine(TranscribingMachine):
    reached: ClassVar[set[Stage]] = set()
    accepted: ClassVar[set[str]] = set()
    transcript: ClassVar[list[Entry]] = []


@seed(SEED)
class SeededSqliteMachine(TranscribingMachine, SqliteMachine):
    reached: ClassVar[set[Stage]] = set()
    accepted: ClassVar[set[str]] = set()
    transcript: ClassVar[list[Entry]] = []


SEEDED = settings(
    max_examples=5,
    stateful_step_count=STEPS,
    database=None,
    phases=[Phase.generate],
    deadline=None,
)


@proves("AP-3", "PR-h", "PR-d")
def test_fixed_seed_sql_run_matches_memory() -> None:
    """For a fixed seed the SQLite runs get past screening to ``closed`` (AP-3, PR-h)
    through every stage of the main path, and issue, accept and refuse command for
    command exactly what the same runs over memory do (PR-d): the SQL store changes
    nothing the machine can see. Deterministic: the same seed always makes the same runs,
    whatever else the suite has imported (:func:`without_source_constants`)."""
    for machine in (SeededMemoryMachine, SeededSqliteMachine):
        machine.reached.clear()
        machine.accepted.clear()
        machine.transcript.clear()
        with without_source_constants():
            run_state_machine_as_test(machine, settings=SEEDED)
    unreached = {x.value for x in MAIN_PATH - SeededSqliteMachine.reached}
    assert not unreached, f"stages never reached on SQLite: {sorted(unreached)}"
    memory, sql = SeededMemoryMachine.transcript, SeededSqliteMachine.transcript
    assert memory, "the seeded runs issued no command"
    pairs = enumerate(zip(memory, sql, strict=False))
    parted = next((i for i, (mine, theirs) in pairs if mine != theirs), None)
    if parted is not None:
        raise AssertionError(
            f"at command {parted} memory and SQLite parted: {memory[parted]} / {sql[parted]}"
        )
    assert len(sql) == len(memory), f"{len(sql)} commands on SQLite, {len(memory)} in memory"
    assert SeededSqliteMachine.reached == SeededMemoryMachine.reached
    assert SeededSqliteMachine.accepted == SeededMemoryMachine.accepted
