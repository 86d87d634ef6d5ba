"""A stored review bound to its history (PR-d): the checks a store runs when it loads one.

On every load a store compares the row (its JSON and the columns beside it) with the
last event of the history (:func:`column_problems`,
:func:`~scr_engine.history.head_problems`); when it decodes a review it has not
checked before, the whole chain as well (:func:`review_problems`). They sit beside the
history, below the stores that call them; :mod:`scr_engine.integrity`, which verifies
a whole store, names them too.
"""

from __future__ import annotations

from collections.abc import Sequence

from scr_engine.history import CorruptHistory, Event, head_problems, replay, verify_history
from scr_engine.records.envelope import Envelope

__all__ = ["column_problems", "review_problems"]


def review_problems(
    review: Envelope,
    events: Sequence[Event],
    *,
    stage: str | None = None,
    version: int | None = None,
    head: str | None = None,
    after: tuple[int, str] | None = None,
) -> list[str]:
    """Every way a stored review disagrees with its history (empty when it is bound
    to it): the stored columns (``stage``, ``version``, ``head``, when the store keeps
    them beside the JSON) against the JSON, the chain, and the last event against the
    review. A review whose last event is format 1 (written before events committed to
    their state) is compared with the replay of its history instead.

    With ``after=(sequence, hash)``, ``events`` are only the events after the event
    ``sequence`` of a history checked before (see
    :func:`~scr_engine.history.verify_history`); its last must be format 2, whose
    state digest binds the review without a replay (:class:`ValueError` otherwise)."""
    problems = column_problems(review, stage=stage, version=version, head=head)
    chain = verify_history(events, after=after)
    problems.extend(f"event {p.sequence}: {p.message}" for p in chain)
    last = events[-1] if events else None
    if after is not None and last is not None and last.format == 1:
        raise ValueError("a format-1 review is bound by the replay of its whole history")
    problems.extend(head_problems(review, last))
    if not problems and last is not None and last.format == 1:
        try:
            rebuilt = replay(events)
        except CorruptHistory as exc:
            problems.append(f"its history cannot be replayed: {exc}")
        else:
            if rebuilt != review:
                problems.append("the review row is not the replay of its history")
    return problems


def column_problems(
    review: Envelope,
    *,
    stage: str | None = None,
    version: int | None = None,
    head: str | None = None,
) -> list[str]:
    """The stored columns beside a review's JSON that disagree with it."""
    problems = []
    if stage is not None and stage != str(review.stage):
        problems.append(f"the stage column says {stage}, the stored review {review.stage}")
    if version is not None and version != review.version:
        problems.append(f"the version column says {version}, the stored review {review.version}")
    if head is not None and head != review.head:
        problems.append("the head column is not the stored review's head")
    return problems
