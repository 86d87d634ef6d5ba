"""Finding reviews across the store for :class:`~scr_engine.ReviewEngine`: by
reference, and by the filters of :meth:`~scr_engine.ReviewEngine.reviews` (the read
policy is the engine's to apply)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from enum import Enum
from typing import Any, cast

from scr_engine._arguments import check_task_cursor, refuse
from scr_engine.protocols import available
from scr_engine.protocols import of as protocol_of
from scr_engine.records import Review, Task, TaskStatus
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.rules.settings import ProtocolSettings
from scr_engine.states.effects import fulfils
from scr_engine.storage.port import DeadlineRow, ReviewStore

__all__ = [
    "every_review",
    "fulfilled",
    "load",
    "matching",
    "pending_page",
    "readable_overdue",
    "scan_for",
    "wanted_stages",
]


def load(store: ReviewStore, review_id: str) -> Review:
    """The review ``store`` holds as ``review_id`` (:meth:`ReviewStore.load
    <scr_engine.storage.port.ReviewStore.load>`), as the engine's generic code takes
    it. The port promises only the :class:`~scr_engine.records.envelope.Envelope`
    every protocol's record has; the engine judges, advances and reads each record
    through its protocol's definition, and names it as the SCR's record throughout."""
    return cast(Review, store.load(review_id))


def every_review(store: ReviewStore) -> Iterator[Review]:
    """Every review of the store, in id order, a page of ids at a time."""
    cursor: str | None = None
    while page := store.review_ids(after=cursor, limit=500):
        cursor = page[-1]
        for review_id in page:
            yield load(store, review_id)


def fulfilled(store: ReviewStore, review_id: str, command: object) -> tuple[str, ...]:
    """The ids of the review's pending tasks that ``command`` fulfils
    (:func:`~scr_engine.states.effects.fulfils`), for the save that records it to close."""
    wanted = fulfils(command)
    if wanted is None:
        return ()
    kind, agency = wanted
    return tuple(
        state.task.id
        for state in store.tasks(review_id)
        if state.task.kind is kind
        and state.task.agency == agency
        and state.status is TaskStatus.PENDING
    )


def scan_for(store: ReviewStore, reference: str) -> str | None:
    """The id of the review with ``reference``, looking at each review (for a store
    without :meth:`~scr_engine.storage.port.ReviewStore.review_id_of`)."""
    return next((r.id for r in every_review(store) if r.reference == reference), None)


def _agency_words(review: Review) -> Iterator[str]:
    """The codes and names of the agencies a review involves, whatever its protocol:
    the code and name of each of its ``involved_agencies`` (an SCR's, a SAR's), else
    the codes every record has (``agencies``; an annual report's are none)."""
    involved: Any = getattr(review, "involved_agencies", None)
    if involved is None:
        yield from review.agencies
        return
    for agency in involved:
        yield agency.code
        yield agency.name


def wanted_stages(stages: Any) -> frozenset[str] | None:
    """The stage codes ``reviews(stages=...)`` asks for, each the code of a stage of a
    registered protocol; :class:`~scr_engine.errors.InvalidRequest` on ``stages`` for
    one text (not a list of them) or a code no protocol has (a typo would otherwise
    match nothing, silently)."""
    if stages is None:
        return None
    if isinstance(stages, str) or not isinstance(stages, Iterable):
        raise refuse("reviews", "stages must be a list of stage codes, not one", "stages")
    wanted = frozenset(s.value if isinstance(s, Enum) else s for s in stages)
    known = {code for definition in available() for code in definition.stage_codes}
    unknown = sorted(repr(s) for s in wanted if not isinstance(s, str) or s not in known)
    if unknown:
        message = f"no protocol has the stage {', '.join(unknown)}; the stages are: "
        raise refuse("reviews", message + ", ".join(sorted(known)), "stages")
    return wanted


def matching(
    store: ReviewStore,
    stages: Iterable[str] | None,
    agency: str | None,
    text: str | None,
    overdue_on: date | None,
    after: str | None,
    settings_of: Callable[[Review], ProtocolSettings],
) -> list[Review]:
    """The reviews matching every filter given (their reference after ``after``),
    ordered by reference."""
    wanted = wanted_stages(stages)
    needle = text.casefold() if text else None
    found = []
    for review in every_review(store):
        if after is not None and review.reference <= after:
            continue
        if wanted is not None and review.stage not in wanted:
            continue
        if agency is not None and agency not in review.agencies:
            continue
        if needle is not None and not any(
            needle in words.casefold() for words in (review.reference, *_agency_words(review))
        ):
            continue
        if overdue_on is not None and not any(
            d.status is DeadlineStatus.OVERDUE
            for d in protocol_of(review).deadlines(review, settings_of(review), overdue_on)
        ):
            continue
        found.append(review)
    return sorted(found, key=lambda r: r.reference)


Readable = Callable[[str], bool]
"""Whether the actor may read a review (by id), a granted read logged."""


def readable_overdue(
    store: ReviewStore,
    day: date,
    within_days: int,
    limit: int,
    after: tuple[date, str, str] | None,
    readable: Readable,
) -> list[DeadlineRow]:
    """The rows of :meth:`~scr_engine.ReviewEngine.overdue` of readable reviews,
    ``limit`` of them: pages of the store's rows filtered, each review judged once."""
    judged: dict[str, bool] = {}
    out: list[DeadlineRow] = []
    while len(out) < limit:
        rows = store.overdue(day, within_days, limit=limit, after=after)
        for found in rows:
            if found.review_id not in judged:
                judged[found.review_id] = readable(found.review_id)
            if judged[found.review_id] and len(out) < limit:
                out.append(found.as_of(day))
        if len(rows) < limit:
            break
        after = rows[-1].sort_key
    return out


def pending_page(
    store: ReviewStore, limit: int, after: Any, readable: Readable | None
) -> list[Task]:
    """A page of :meth:`~scr_engine.ReviewEngine.pending_tasks`: ``limit`` pending
    tasks after the cursor ``after`` (checked here), of readable reviews only when
    ``readable`` is given: the store's pages are then read and filtered until enough
    are found or none are left, each review judged once. A store written before
    ``pending_tasks`` took ``after`` is passed it only for a page after the first."""
    if after is not None:
        check_task_cursor(after)

    def page(after: Any) -> list[Task]:
        return store.pending_tasks(limit=limit, **({} if after is None else {"after": after}))

    if readable is None:
        return page(after)
    judged: dict[str, bool] = {}
    out: list[Task] = []
    while len(out) < limit:
        tasks = page(after)
        for task in tasks:
            if task.review_id not in judged:
                judged[task.review_id] = readable(task.review_id)
            if judged[task.review_id] and len(out) < limit:
                out.append(task)
        if len(tasks) < limit:
            break
        after = tasks[-1].sort_key
    return out
