"""The store port: what any store of reviews must do.

The engine talks to storage only through :class:`ReviewStore`. Adapters (the
in-memory store here, the SQL store) satisfy one contract, proven by the shared
contract tests in :mod:`scr_engine.testing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from scr_engine.history import Event
from scr_engine.records import Review, Task
from scr_engine.states.stages import Stage

__all__ = ["ReviewStore"]


@runtime_checkable
class ReviewStore(Protocol):
    """Persistence for reviews, their histories and the tasks commands emit."""

    def load(self, review_id: str) -> Review:
        """The review at its latest version; :class:`~scr_engine.ReviewNotFound` if none."""
        ...

    def save(
        self, review: Review, event: Event, tasks: Sequence[Task] = (), *, expected_version: int
    ) -> None:
        """Store ``review`` with its new ``event`` and emitted ``tasks`` atomically:
        all or nothing.

        ``expected_version`` is the version the change was made from (0 for a new
        review). If the stored version differs, nothing is written and
        :class:`~scr_engine.ConcurrencyConflict` is raised: of two writers racing
        on one review, exactly one succeeds.
        """
        ...

    def history(self, review_id: str) -> tuple[Event, ...]:
        """Every event of the review, in sequence order."""
        ...

    def list_by_stage(self, stage: Stage, *, limit: int = 100, offset: int = 0) -> list[Review]:
        """Reviews at ``stage``, ordered by reference."""
        ...

    def next_reference(self, year: int) -> str:
        """A new, unique human reference for a review received in ``year``,
        such as ``SCR-2026-001``."""
        ...

    def pending_tasks(self, *, limit: int = 100) -> list[Task]:
        """Tasks emitted and not yet completed, oldest first."""
        ...

    def complete_task(self, task_id: str) -> None:
        """Mark a task delivered. Completing it twice is harmless; an unknown ID raises
        :class:`~scr_engine.errors.StorageError`."""
        ...
