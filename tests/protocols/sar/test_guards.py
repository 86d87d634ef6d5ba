"""The SAR's guards by command (``protocols/sar/guards.py``): a command with date
inputs is judged by its own guard, then by its dates' check, every refusal of both
kept in that order; a command with date inputs and no guard of its own by its dates'
check alone.

``GUARDS`` is built when the module is imported, so these tests build each wrapped
guard again (``_dated``) to judge what it does, not only what it did at import.
"""

from __future__ import annotations

from typing import Any

import pytest

from scr_engine.errors.refusals import Refusal
from scr_engine.protocols.sar import guards
from scr_engine.protocols.sar.guards_dates import DATES

NOTHING: Any = None
"""A review, command or context the stand-in checks below never read."""


def _guard(review: Any, cmd: Any, ctx: Any) -> list[Refusal]:
    """A command's own guard, as a test sees it."""
    return [Refusal.input("the guard's first", "a"), Refusal.input("the guard's second", "b")]


def _dates(review: Any, cmd: Any, ctx: Any) -> list[Refusal]:
    return [Refusal.input("a date outside its reading", "on")]


def test_a_dated_command_is_refused_for_its_guard_then_for_its_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(guards, "_GUARDS", {"record_thing": _guard})
    monkeypatch.setattr(guards, "DATES", {"record_thing": _dates, "date_only": _dates})
    both = guards._dated("record_thing")
    assert both(NOTHING, NOTHING, NOTHING) == [
        *_guard(NOTHING, NOTHING, NOTHING),
        *_dates(NOTHING, NOTHING, NOTHING),
    ]
    assert both.__name__ == "_guard"  # what reads the guards by name reads its own
    assert both.__doc__ == _guard.__doc__
    alone = guards._dated("date_only")
    assert alone(NOTHING, NOTHING, NOTHING) == _dates(NOTHING, NOTHING, NOTHING)


def test_a_dated_command_with_nothing_wrong_is_not_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(guards, "_GUARDS", {"record_thing": lambda *_: []})
    monkeypatch.setattr(guards, "DATES", {"record_thing": lambda *_: []})
    assert guards._dated("record_thing")(NOTHING, NOTHING, NOTHING) == []


def test_every_shipped_guard_with_date_inputs_wraps_the_command_s_own() -> None:
    for name in DATES:
        shipped = guards.GUARDS[name]
        own = guards._GUARDS.get(name, guards._none)
        assert shipped.__wrapped__ is own, name  # type: ignore[attr-defined]
        assert shipped.__name__ == own.__name__, name
        assert guards._dated(name).__wrapped__ is own, name  # type: ignore[attr-defined]
    for name, own in guards._GUARDS.items():
        if name not in DATES:
            assert guards.GUARDS[name] is own, name
