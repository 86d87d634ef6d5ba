"""Shared test set-up: hypothesis profiles and common fixtures.

Profiles (choose with ``HYPOTHESIS_PROFILE``): ``ci`` (the default, keeps the suite
within a few minutes), ``dev`` (fewer examples, for quick runs), ``thorough`` (many
more examples, for long runs on demand) and ``mutation`` (for ``scripts/mutation.py``:
few examples, the same ones on every run and no example database, so that a mutant's
verdict does not depend on the run or on the mutants run before it).
"""

from __future__ import annotations

import compileall
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import scr_engine
from scr_engine import FixedClock, MemoryStore, Review, ReviewEngine, protocols
from scr_engine.protocols.sar.rules import SAR_RULES
from scr_engine.rules.reasons import Refusal
from scr_engine.rules.registry import RULES
from support.builders import EVERYONE_READS, START, screen, submit

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "mutation",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Every refusal any test makes the engine produce must cite a rule of a registry (the
# SCR's; the SAR's for ``SAR-…`` IDs; a registered protocol's, for a Board's variant
# may add its own): an unknown ID fails the test that produced it (see
# tests/test_rule_registry.py).
_made = Refusal.__init__


def _registered(self: Refusal, rule: str, *args: object, **kwargs: object) -> None:
    registry = SAR_RULES if rule.startswith("SAR-") else RULES
    known = rule in registry or any(rule in p.rules for p in protocols.available())
    assert known, f"a refusal cites {rule!r}, which the rule registry lacks"
    _made(self, rule, *args, **kwargs)  # type: ignore[arg-type]


Refusal.__init__ = _registered  # type: ignore[method-assign]


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 2 February 2026, 09:00 UTC."""
    return FixedClock(START)


@pytest.fixture
def engine(clock: FixedClock) -> ReviewEngine:
    """An engine over a fresh in-memory store."""
    return ReviewEngine(MemoryStore(), clock, read_policy=EVERYONE_READS)


@pytest.fixture
def screened(engine: ReviewEngine) -> Review:
    """A review of the demo request, screened (an SCR confirmed) on ``engine``."""
    review = submit(engine)
    return screen(engine, review.id)


@pytest.fixture(params=["memory", "sqlite"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewEngine]:
    """An engine over a MemoryStore, or over a SqlStore on a SQLite file."""
    if request.param == "memory":
        yield ReviewEngine(MemoryStore(), FixedClock(START), read_policy=EVERYONE_READS)
        return
    from scr_engine.storage.sql import SqlStore

    store = SqlStore(f"sqlite:///{tmp_path / 'board.db'}", migrate="create")
    try:
        yield ReviewEngine(store, FixedClock(START), read_policy=EVERYONE_READS)
    finally:
        store.close()


def pytest_sessionstart(session: pytest.Session) -> None:
    """The library compiled to bytecode before any test starts an ``scr`` process:
    where the environment sets ``PYTHONDONTWRITEBYTECODE`` no process writes it, and
    each of the hundreds the tests start would compile the library again (a quarter
    of its time). Reading bytecode is not affected by that setting."""
    compileall.compile_dir(Path(scr_engine.__file__).parent, quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``long`` run first, in their order, then the others in theirs: with
    ``-n auto`` one worker takes the long ones on while the others run the short ones,
    so the run does not end on one worker waiting for a long test collected last."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
