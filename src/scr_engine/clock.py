"""Clocks: the engine never reads the system time itself; it asks an injected clock.

Event times are timezone-aware; protocol dates (deadlines, the date of each step)
are ``datetime.date`` in the Board's local calendar, Europe/London.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

__all__ = ["BOARD_TIMEZONE", "Clock", "FixedClock", "SystemClock", "local_date"]

BOARD_TIMEZONE = ZoneInfo("Europe/London")
"""The Board's local calendar."""


@runtime_checkable
class Clock(Protocol):
    """Anything with a ``now()`` that returns a timezone-aware ``datetime``."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, demos and replays."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start

    def now(self) -> datetime:
        """The clock's current time."""
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock forward by ``delta`` (or ``timedelta(**kwargs)``)."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now = self._now + step
        return self._now

    def set(self, when: datetime) -> None:
        """Move the clock to ``when`` (not earlier than now)."""
        if when.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        if when < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = when


@functools.lru_cache(maxsize=64)
def local_date(at: datetime) -> date:
    """The Board's local calendar date of an aware time (a command asks for it several
    times of the same time: the answers are kept)."""
    return at.astimezone(BOARD_TIMEZONE).date()
