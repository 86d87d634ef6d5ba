"""A Safeguarding Adults Review driven through the engine and a store, command by
command: :class:`EngineRun` has the interface of :class:`tests.support.sar.Run` (the
pure runner's), so every scenario helper there (``screened``, ``ratified`` …) brings
a stored review to its stage too."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from scr_engine import ReviewEngine
from scr_engine.errors import InvalidRequest, PermissionDenied, TransitionRefused
from scr_engine.errors.refusals import Refusal
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import SarReview
from scr_engine.records import Actor
from scr_engine.storage.port import ReviewStore
from support.sar import START


class MovableClock:
    """A clock at nine in the morning of a day the run moves on."""

    def __init__(self, day: date) -> None:
        self.day = day

    def now(self) -> datetime:
        return datetime.combine(self.day, time(9), UTC)


class EngineRun:
    """A SAR driven through :class:`ReviewEngine` on ``store``."""

    def __init__(self, store: ReviewStore, today: date = START, **engine: Any) -> None:
        self.clock = MovableClock(today)
        self.engine = ReviewEngine(store, self.clock, **engine)
        self.review: SarReview | None = None
        self.tasks: list[Any] = []

    @property
    def today(self) -> date:
        return self.clock.day

    @today.setter
    def today(self, day: date) -> None:
        self.clock.day = day

    @property
    def r(self) -> SarReview:
        assert self.review is not None
        return self.review

    def do(self, actor: Actor, command: c.SarCommand, days: int = 0) -> SarReview:
        """Issue ``command`` as ``actor``, ``days`` after the run's day."""
        self.today += timedelta(days=days)
        if isinstance(command, c.SubmitRequest):
            made: Any = self.engine.submit(command.referral, actor, protocol="sar")
        else:
            made = self.engine.execute(self.r.id, command, actor)
        assert isinstance(made, SarReview)
        self.review = made
        return made

    def refusals(self, actor: Actor, command: c.SarCommand) -> list[Refusal]:
        """Every reason the engine gives for refusing ``command`` now (it changes
        nothing)."""
        if isinstance(command, c.SubmitRequest):
            try:
                self.engine.submit(command.referral, actor, protocol="sar")
            except (InvalidRequest, PermissionDenied, TransitionRefused) as exc:
                return list(exc.refusals)
            raise AssertionError("the referral was accepted")
        return self.engine.explain(self.r.id, command, actor)

    def rules(self, actor: Actor, command: c.SarCommand) -> set[str]:
        """The rule IDs of :meth:`refusals`."""
        return {p.rule for p in self.refusals(actor, command)}
