"""An in-memory store: fast, thread-safe, gone when the process ends."""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from attrs import evolve

from scr_engine.access import GENESIS, AccessEntry, access_entry
from scr_engine.binding import review_problems
from scr_engine.board import BoardIdentity
from scr_engine.checkpoints import Checkpoint
from scr_engine.errors import ConcurrencyConflict, IntegrityError, ReviewNotFound, StorageError
from scr_engine.history import Event
from scr_engine.records import Task, TaskState, TaskStatus
from scr_engine.records.envelope import Envelope
from scr_engine.states.stages import TERMINAL_STAGES
from scr_engine.storage.port import (
    DeadlineRow,
    StoredReview,
    check_board,
    check_page,
    check_rows,
    check_webhook,
)
from scr_engine.webhooks import (
    Delivery,
    DeliveryStatus,
    Webhook,
    check_delivery,
    deliveries_of,
)

__all__ = ["MemoryStore"]


class MemoryStore:
    """Keeps reviews, histories and tasks in dictionaries behind one lock.

    Holds one review record and its list of events per review: nothing per review
    grows with the number of reviews.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reviews: dict[str, Envelope] = {}
        self._saved: dict[str, Envelope] = {}  # the review object each save stored
        self._events: dict[str, list[Event]] = {}
        # By stage code (an SCR's Stage is its code): every protocol's reviews.
        self._by_stage: defaultdict[str, dict[str, None]] = defaultdict(dict)
        self._tasks: dict[str, Task] = {}
        self._tasks_of: dict[str, dict[str, None]] = {}  # task ids by review
        self._done: set[str] = set()
        self._references: dict[int, int] = {}
        self._references_used: set[str] = set()
        # Running deadlines of every review, in buckets per due date: the distinct
        # dates are kept sorted, and each bucket holds (review, key) sorted. The first
        # page of overdue() is a binary search, and a change touches one small bucket
        # (never a list of every deadline).
        self._dates: list[date] = []
        self._buckets: dict[date, list[tuple[str, str]]] = {}
        self._review_rows: dict[str, dict[str, DeadlineRow]] = {}
        self._checkpoints: list[Checkpoint] = []
        self._accesses: dict[str, list[AccessEntry]] = {}
        self._keys: dict[tuple[str | None, str], Event] = {}
        self._board: BoardIdentity | None = None
        self._webhook: Webhook | None = None
        self._deliveries: dict[str, Delivery] = {}

    def load(self, review_id: str) -> Envelope:
        """The review at its latest version, checked against its history: the last
        event on every load, the whole chain when the review held is not the object
        the store saved (:class:`~scr_engine.IntegrityError` if they disagree)."""
        try:
            review = self._reviews[review_id]
            events = self._events[review_id]
        except KeyError:
            raise ReviewNotFound(review_id) from None
        if (
            self._saved.get(review_id) is review
            and len(events) == review.version
            and events[-1].hash == review.head
        ):
            return review
        problems = review_problems(review, events)
        if problems:
            raise IntegrityError(review_id, problems)
        self._saved[review_id] = review
        return review

    def save(
        self,
        review: Envelope,
        event: Event,
        tasks: Sequence[Task] = (),
        deadlines: Sequence[DeadlineRow] | None = None,
        *,
        expected_version: int,
        scrub: Sequence[Event] = (),
        close: Sequence[str] = (),
    ) -> None:
        """Store the review, its event, tasks and deadlines at once, if nobody changed
        it first (and replace the events an erasure ``scrub`` s, and mark the tasks
        it fulfils, ``close``, completed)."""
        with self._lock:
            current = self._reviews.get(review.id)
            actual = current.version if current is not None else 0
            if actual != expected_version:
                raise ConcurrencyConflict(review.id, expected_version, actual)
            if (
                event.review_id != review.id
                or event.sequence != expected_version + 1
                or review.version != event.sequence
            ):
                raise StorageError(
                    f"event {event.sequence} does not follow version "
                    f"{expected_version} of review {review.id!r}"
                )
            if current is not None and event.prev_hash != current.head:
                raise IntegrityError(
                    review.id, ["the new event does not follow the stored review's head"]
                )
            if deadlines is not None:
                check_rows(review, deadlines)
            if event.key is not None and (
                (review.id, event.key) in self._keys
                or (event.sequence == 1 and (None, event.key) in self._keys)
            ):
                raise ConcurrencyConflict(review.id, expected_version, None)
            held = self._events.get(review.id, [])
            for scrubbed in scrub:
                index = scrubbed.sequence - 1
                if not (
                    scrubbed.review_id == review.id
                    and 0 <= index < len(held)
                    and held[index].hash == scrubbed.hash
                ):
                    raise IntegrityError(
                        review.id, [f"event {scrubbed.sequence} to scrub is not the one stored"]
                    )
            mine = self._tasks_of.get(review.id, {})
            for task_id in close:
                if task_id not in mine:
                    raise StorageError(f"no task {task_id!r} of review {review.id!r} to close")
            for scrubbed in scrub:
                held[scrubbed.sequence - 1] = scrubbed
            if current is None and review.reference in self._references_used:
                raise StorageError(f"reference {review.reference!r} is already in use")
            if current is not None:
                del self._by_stage[current.stage][review.id]
            else:
                self._references_used.add(review.reference)
            self._reviews[review.id] = review
            self._saved[review.id] = review
            self._by_stage[review.stage][review.id] = None
            self._events.setdefault(review.id, []).append(event)
            if event.key is not None:
                self._keys[review.id, event.key] = event
                if event.sequence == 1:
                    self._keys[None, event.key] = event
            for task in tasks:
                self._tasks[task.id] = task
                self._tasks_of.setdefault(task.review_id, {})[task.id] = None
            if tasks and self._webhook is not None:  # the outbox, while a webhook is set
                for delivery in deliveries_of(review, event, tasks):
                    self._deliveries.setdefault(delivery.id, delivery)
            self._done.update(close)
            if deadlines is not None:
                self._index(review.id, deadlines)

    def _index(self, review_id: str, rows: Sequence[DeadlineRow]) -> None:
        old = self._review_rows.get(review_id, {})
        new = {row.key: row for row in rows}
        for key, row in old.items():
            if row.running and new.get(key) != row:
                self._unrun(row)
        for key, row in new.items():
            if row.running and old.get(key) != row:
                self._run(row)
        self._review_rows[review_id] = new

    def _run(self, row: DeadlineRow) -> None:
        bucket = self._buckets.get(row.due_on)
        if bucket is None:
            bucket = self._buckets[row.due_on] = []
            bisect.insort(self._dates, row.due_on)
        bisect.insort(bucket, (row.review_id, row.key))

    def _unrun(self, row: DeadlineRow) -> None:
        bucket = self._buckets[row.due_on]
        del bucket[bisect.bisect_left(bucket, (row.review_id, row.key))]
        if not bucket:
            del self._buckets[row.due_on]
            del self._dates[bisect.bisect_left(self._dates, row.due_on)]

    def overdue(
        self,
        as_of: date,
        within_days: int = 0,
        *,
        limit: int = 100,
        after: tuple[date, str, str] | None = None,
    ) -> list[DeadlineRow]:
        """Running deadlines due before ``as_of + within_days``, by due date."""
        check_page(limit)
        cutoff = as_of + timedelta(days=within_days)
        out: list[DeadlineRow] = []
        with self._lock:
            at = bisect.bisect_left(self._dates, after[0]) if after is not None else 0
            for index in range(at, len(self._dates)):
                due = self._dates[index]
                if due >= cutoff or len(out) >= limit:
                    break
                bucket = self._buckets[due]
                first = 0
                if after is not None and due == after[0]:
                    first = bisect.bisect_right(bucket, (after[1], after[2]))
                for review_id, key in bucket[first : first + limit - len(out)]:
                    out.append(self._review_rows[review_id][key])
        return out

    def deadline_rows(self, review_id: str) -> list[DeadlineRow]:
        """The rows stored for one review (for tests and tooling)."""
        with self._lock:
            return list(self._review_rows.get(review_id, {}).values())

    def history(self, review_id: str) -> tuple[Event, ...]:
        """Every event of the review, in order."""
        try:
            return tuple(self._events[review_id])
        except KeyError:
            raise ReviewNotFound(review_id) from None

    def list_by_stage(self, stage: str, *, limit: int = 100, offset: int = 0) -> list[Envelope]:
        """Reviews at ``stage`` (of every protocol with that stage code), ordered by
        reference."""
        check_page(limit, offset)
        with self._lock:
            found = [self._reviews[i] for i in self._by_stage.get(stage, {})]
        found.sort(key=lambda r: r.reference)
        return found[offset : offset + limit]

    def next_reference(self, year: int) -> str:
        """``SCR-<year>-<n>``, numbered from 001 each year."""
        with self._lock:
            n = self._references.get(year, 0) + 1
            self._references[year] = n
        return f"SCR-{year}-{n:03d}"

    def pending_tasks(
        self, *, limit: int = 100, after: tuple[datetime, str] | None = None
    ) -> list[Task]:
        """Tasks not yet completed whose review is open, oldest first, after ``after``."""
        check_page(limit)
        with self._lock:
            pending = [
                t
                for t in self._tasks.values()
                if t.id not in self._done
                and self._open(t)
                and (after is None or t.sort_key > after)
            ]
        pending.sort(key=lambda t: t.sort_key)
        return pending[:limit]

    def _open(self, task: Task) -> bool:
        review = self._reviews.get(task.review_id)
        return review is None or review.stage not in TERMINAL_STAGES

    def tasks(self, review_id: str) -> list[TaskState]:
        """Every task of the review, oldest first, with its status."""
        with self._lock:
            review = self._reviews.get(review_id)
            if review is None:
                raise ReviewNotFound(review_id)
            found = [
                TaskState(self._tasks[i], TaskStatus.of(review.stage, i in self._done))
                for i in self._tasks_of.get(review_id, {})
            ]
        found.sort(key=lambda s: (s.task.created_at, s.task.id))
        return found

    def complete_task(self, task_id: str) -> None:
        """Mark a task delivered."""
        with self._lock:
            if task_id not in self._tasks:
                raise StorageError(f"no task {task_id!r}")
            self._done.add(task_id)

    def heads(self) -> list[tuple[str, int, str]]:
        """``(review id, version, head)`` of every review, by review id."""
        with self._lock:
            reviews = list(self._reviews.values())
        return sorted((r.id, r.version, r.head) for r in reviews)

    def stored(self, review_id: str) -> StoredReview:
        """Everything held of one review, unchecked."""
        with self._lock:
            review = self._reviews.get(review_id)
            events = tuple(self._events.get(review_id, ()))
            rows = tuple(self._review_rows.get(review_id, {}).values())
            tasks = tuple(t for t in self._tasks.values() if t.review_id == review_id)
        if review is None and not events:
            raise ReviewNotFound(review_id)
        return StoredReview(
            review_id,
            review,
            None if review is not None else "the review is missing",
            events,
            None,
            rows,
            tasks,
            accesses=tuple(self._accesses.get(review_id, ())),
        )

    def stored_many(self, review_ids: Sequence[str]) -> list[StoredReview]:
        """:meth:`stored` of each review held, in id order."""
        with self._lock:
            held = sorted(set(review_ids) & (set(self._reviews) | set(self._events)))
        return [self.stored(review_id) for review_id in held]

    def review_ids(self, *, after: str | None = None, limit: int = 1000) -> list[str]:
        """Review ids in order, ``limit`` at a time after ``after``."""
        check_page(limit)
        with self._lock:
            ids = sorted(set(self._reviews) | set(self._events))
        start = bisect.bisect_right(ids, after) if after is not None else 0
        return ids[start : start + limit]

    def review_id_of(self, reference: str) -> str | None:
        """The id of the review with this reference, if any."""
        with self._lock:
            reviews = list(self._reviews.values())
        return next((r.id for r in reviews if r.reference == reference), None)

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Keep a checkpoint."""
        with self._lock:
            self._checkpoints.append(checkpoint)

    def latest_checkpoint(self) -> Checkpoint | None:
        """The checkpoint saved last, if any."""
        with self._lock:
            return self._checkpoints[-1] if self._checkpoints else None

    def log_access(
        self, review_id: str, at: datetime, actor_id: str, what: str, granted: bool
    ) -> AccessEntry:
        """Append one read to the review's access log."""
        with self._lock:
            log = self._accesses.setdefault(review_id, [])
            prev = log[-1].hash if log else GENESIS
            entry = access_entry(review_id, len(log) + 1, at, actor_id, what, granted, prev)
            log.append(entry)
        return entry

    def access_log(
        self,
        *,
        review_id: str | None = None,
        actor_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AccessEntry]:
        """Entries of one review or one actor (or all), oldest first."""
        check_page(limit, offset)
        with self._lock:
            found = [
                e
                for rid, log in self._accesses.items()
                if review_id is None or rid == review_id
                for e in log
                if actor_id is None or e.actor_id == actor_id
            ]
        found.sort(key=lambda e: (e.at, e.review_id, e.sequence))
        return found[offset : offset + limit]

    def find_key(self, key: str, review_id: str | None = None) -> Event | None:
        """The event saved with this idempotency key (see the port)."""
        with self._lock:
            return self._keys.get((review_id, key))

    def board_identity(self) -> BoardIdentity | None:
        """The Board's identity set for this store, if any."""
        return self._board

    def set_board_identity(self, identity: BoardIdentity) -> None:
        """Keep the Board's identity (replacing the one before)."""
        checked = check_board(identity)
        with self._lock:
            self._board = checked

    def webhook(self) -> Webhook | None:
        """The store's webhook, if one is set."""
        return self._webhook

    def set_webhook(self, webhook: Webhook | None) -> None:
        """Keep the store's webhook (replacing the one before); None removes it."""
        checked = None if webhook is None else check_webhook(webhook)
        with self._lock:
            self._webhook = checked

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        due_by: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Delivery]:
        """The queued deliveries (see the port)."""
        check_page(limit, offset)
        with self._lock:
            found = list(self._deliveries.values())
        if due_by is not None:
            due = due_by.astimezone(UTC)
            found = [
                d
                for d in found
                if d.status is DeliveryStatus.PENDING
                and d.next_attempt_at is not None
                and d.next_attempt_at <= due
            ]
            found.sort(key=lambda d: (d.next_attempt_at, d.id))
        else:
            found.sort(key=lambda d: d.sort_key)
        if status is not None:
            found = [d for d in found if d.status is status]
        return found[offset : offset + limit]

    def delivery(self, delivery_id: str) -> Delivery | None:
        """The delivery queued with this id, if any."""
        with self._lock:
            return self._deliveries.get(delivery_id)

    def claim_delivery(self, delivery: Delivery, until: datetime) -> bool:
        """Lease a pending delivery until ``until`` if it is as read (see the port)."""
        checked = check_delivery(delivery)
        with self._lock:
            kept = self._deliveries.get(checked.id)
            if (
                kept is None
                or kept.status is not DeliveryStatus.PENDING
                or kept.attempts != checked.attempts
                or kept.next_attempt_at != checked.next_attempt_at
            ):
                return False
            self._deliveries[checked.id] = evolve(kept, next_attempt_at=until.astimezone(UTC))
            return True

    def record_attempt(self, delivery: Delivery) -> None:
        """Keep what an attempt changed of a queued delivery."""
        checked = check_delivery(delivery)
        with self._lock:
            kept = self._deliveries.get(checked.id)
            if kept is None:
                raise StorageError(f"no webhook delivery {checked.id!r} queued")
            self._deliveries[checked.id] = evolve(
                kept,
                status=checked.status,
                attempts=checked.attempts,
                next_attempt_at=checked.next_attempt_at,
                last_error=checked.last_error,
                delivered_at=checked.delivered_at,
            )
