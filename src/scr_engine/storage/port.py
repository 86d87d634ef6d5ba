"""The store port: what any store of reviews must do.

The engine talks to storage only through :class:`ReviewStore`. Adapters (the
in-memory store here, the SQL store) satisfy one contract, proven by the shared
contract tests in :mod:`scr_engine.testing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from attrs import frozen

from scr_engine.access import AccessEntry
from scr_engine.board import BoardIdentity
from scr_engine.checkpoints import Checkpoint
from scr_engine.errors import InvalidRequest, StorageError
from scr_engine.errors.refusals import Refusal
from scr_engine.history import Event
from scr_engine.records import Task, TaskState
from scr_engine.records.envelope import Envelope
from scr_engine.rules.deadlines import Deadline, DeadlineStatus
from scr_engine.webhooks import Delivery, DeliveryStatus, Webhook

__all__ = [
    "DeadlineRow",
    "ReviewStore",
    "StoredReview",
    "check_board",
    "check_page",
    "check_rows",
    "check_webhook",
]

_RUNNING = frozenset({DeadlineStatus.DUE, DeadlineStatus.OVERDUE})


@frozen
class DeadlineRow:
    """One deadline of one review as a store indexes it.

    A store keeps the rows as they stood at the review's last change of a clock, so
    a running row's ``status`` (due or overdue) may be stale there;
    :meth:`ReviewEngine.overdue <scr_engine.ReviewEngine.overdue>` reports it as of the
    date asked (:meth:`as_of`).

    A *running* deadline (not met, not paused, not cancelled) keeps its due date until
    the review changes again, so a store can answer "what is overdue on date D" from
    an index on due date alone.
    """

    review_id: str
    reference: str
    key: str
    rule: str
    title: str
    due_on: date
    met_on: date | None
    status: DeadlineStatus

    @property
    def running(self) -> bool:
        """Open and its clock running: it can become overdue."""
        return self.status in _RUNNING

    def as_of(self, day: date) -> DeadlineRow:
        """The row with a running deadline's status as it stands on ``day``."""
        if not self.running:
            return self
        status = DeadlineStatus.OVERDUE if self.due_on < day else DeadlineStatus.DUE
        if status is self.status:
            return self
        return DeadlineRow(
            self.review_id,
            self.reference,
            self.key,
            self.rule,
            self.title,
            self.due_on,
            self.met_on,
            status,
        )

    @property
    def sort_key(self) -> tuple[date, str, str]:
        """The order of :meth:`ReviewStore.overdue`, and its pagination cursor."""
        return (self.due_on, self.review_id, self.key)

    @classmethod
    def of(cls, review: Envelope, deadline: Deadline) -> DeadlineRow:
        """The row of one of ``review``'s deadlines."""
        return cls(
            review.id,
            review.reference,
            deadline.key,
            deadline.rule,
            deadline.title,
            deadline.due_on,
            deadline.met_on,
            deadline.status,
        )


@frozen
class StoredReview:
    """Everything a store holds of one review, as it holds it, unchecked: what
    :meth:`ReviewEngine.verify <scr_engine.ReviewEngine.verify>` checks.

    ``review`` is None when the stored review cannot be read (``problem`` says why);
    ``stage``, ``version`` and ``head`` are the copies a store keeps beside the
    review (None where it keeps none)."""

    review_id: str
    review: Envelope | None
    problem: str | None
    events: tuple[Event, ...]
    events_problem: str | None
    deadlines: tuple[DeadlineRow, ...]
    tasks: tuple[Task, ...]
    stage: str | None = None
    version: int | None = None
    head: str | None = None
    disagreements: tuple[str, ...] = ()
    """What else the store found disagreeing among its own copies (columns beside the
    JSON, flags beside statuses, completion records), one sentence each."""
    accesses: tuple[AccessEntry, ...] = ()
    """The review's access log, in sequence order."""


def check_page(limit: int, offset: int = 0) -> None:
    """Refuse a negative page size or offset with :class:`~scr_engine.InvalidRequest`
    (every store pages the same way)."""
    if limit < 0 or offset < 0:
        raise InvalidRequest(
            "page",
            [Refusal.input("limit and offset cannot be negative", "limit")],
        )


def check_board(identity: object) -> BoardIdentity:
    """Refuse anything but a :class:`~scr_engine.board.BoardIdentity` with
    :class:`~scr_engine.InvalidRequest` (every store refuses it the same way)."""
    if not isinstance(identity, BoardIdentity):
        message = f"a Board's identity must be a BoardIdentity, not {type(identity).__name__}"
        raise InvalidRequest("board_identity", [Refusal.input(message, "identity")])
    return identity


def check_webhook(webhook: object) -> Webhook:
    """Refuse anything but a :class:`~scr_engine.webhooks.Webhook` with
    :class:`~scr_engine.InvalidRequest` (every store refuses it the same way)."""
    if not isinstance(webhook, Webhook):
        message = f"a webhook must be a Webhook, not {type(webhook).__name__}"
        raise InvalidRequest("webhook", [Refusal.input(message, "webhook")])
    return webhook


def check_rows(review: Envelope, rows: Sequence[DeadlineRow]) -> None:
    """Refuse deadline rows of another review, or two rows with one key, with
    :class:`~scr_engine.StorageError` (every store refuses them the same way)."""
    keys: set[str] = set()
    for row in rows:
        if row.review_id != review.id:
            raise StorageError(
                f"deadline {row.key!r} of review {row.review_id!r} saved with review {review.id!r}"
            )
        if row.key in keys:
            raise StorageError(f"two deadline rows with key {row.key!r} for review {review.id!r}")
        keys.add(row.key)


@runtime_checkable
class ReviewStore(Protocol):
    """Persistence for reviews, their histories and the tasks commands emit."""

    def load(self, review_id: str) -> Envelope:
        """The review at its latest version; :class:`~scr_engine.ReviewNotFound` if none."""
        ...

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
        """Store ``review`` with its new ``event``, the ``tasks`` it emitted and its
        ``deadlines`` atomically: all or nothing. While a webhook is set
        (:meth:`set_webhook`, as this transaction sees it), each task's webhook
        delivery is queued in the same transaction (:meth:`deliveries`).

        ``close`` are ids of the review's earlier tasks that the event fulfils (the
        agency secured its records, named its IMR writer): each is marked completed
        in the same transaction, as :meth:`complete_task` would mark it (one already
        completed keeps its completion). An id that is not a task of the review
        raises :class:`~scr_engine.errors.StorageError` and nothing is written.

        ``scrub`` are earlier events of the review as an erasure leaves them (personal
        values erased, salts dropped: :func:`scr_engine.history.scrub`): each replaces
        the stored event of its sequence, which must have the same hash, else
        :class:`~scr_engine.IntegrityError` and nothing is written.

        ``deadlines`` replaces every row stored for the review; ``None`` means the
        command changed none of its clocks and the stored rows stand.

        ``expected_version`` is the version the change was made from (0 for a new
        review). If the stored version differs, nothing is written and
        :class:`~scr_engine.ConcurrencyConflict` is raised: of two writers racing
        on one review, exactly one succeeds.
        """
        ...

    def history(self, review_id: str) -> tuple[Event, ...]:
        """Every event of the review, in sequence order."""
        ...

    def overdue(
        self,
        as_of: date,
        within_days: int = 0,
        *,
        limit: int = 100,
        after: tuple[date, str, str] | None = None,
    ) -> list[DeadlineRow]:
        """Running deadlines of every review due before ``as_of`` plus ``within_days``
        days, ordered by (due date, review ID, key); ``after`` is the ``sort_key`` of
        the last row of the previous page."""
        ...

    def list_by_stage(self, stage: str, *, limit: int = 100, offset: int = 0) -> list[Envelope]:
        """Reviews at ``stage`` (a stage code: an SCR's :class:`Stage`, or another
        protocol's code; reviews of every protocol with that code), ordered by
        reference."""
        ...

    def next_reference(self, year: int) -> str:
        """A new, unique human reference for a review received in ``year``,
        such as ``SCR-2026-001``."""
        ...

    def pending_tasks(
        self, *, limit: int = 100, after: tuple[datetime, str] | None = None
    ) -> list[Task]:
        """Tasks emitted and not yet completed whose review is still open, oldest
        first (by creation time, then id: :attr:`Task.sort_key
        <scr_engine.records.Task.sort_key>`), those after ``after`` (the last task's
        ``sort_key`` of the previous page) when given. A store written for an earlier
        release, without ``after``, is passed it only when a page after the first is
        asked for. A task of a review that has ended (a stage
        of :data:`~scr_engine.states.TERMINAL_STAGES`: withdrawn, closed …) is
        cancelled, not pending (RF-5, PR-d): decided from the review's stage as stored
        now, so it leaves this list the moment its review ends."""
        ...

    def tasks(self, review_id: str) -> list[TaskState]:
        """Every task the review emitted, oldest first, each with its
        :class:`~scr_engine.records.TaskStatus` (:meth:`TaskStatus.of
        <scr_engine.records.TaskStatus.of>` of the review's stored stage and whether
        it was completed); :class:`~scr_engine.ReviewNotFound` if there is no such
        review."""
        ...

    def complete_task(self, task_id: str) -> None:
        """Mark a task delivered. Completing it twice is harmless; an unknown ID raises
        :class:`~scr_engine.errors.StorageError`."""
        ...

    def heads(self) -> list[tuple[str, int, str]]:
        """``(review id, version, head)`` of every review, by review id, as the store
        keeps them beside each review (what a checkpoint signs)."""
        ...

    def stored(self, review_id: str) -> StoredReview:
        """Everything held of one review, unchecked (:class:`StoredReview`);
        :class:`~scr_engine.ReviewNotFound` if there is none."""
        ...

    def stored_many(self, review_ids: Sequence[str]) -> list[StoredReview]:
        """:meth:`stored` of each review, in id order, those the store holds nothing
        of left out (how ``verify`` reads a store a page at a time)."""
        ...

    def review_ids(self, *, after: str | None = None, limit: int = 1000) -> list[str]:
        """Review ids in order, ``limit`` at a time after ``after`` (reviews whose
        row is gone but whose events remain included)."""
        ...

    def review_id_of(self, reference: str) -> str | None:
        """The id of the review with this human reference (``SCR-2026-001``), if the
        store holds one (references are unique)."""
        ...

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Keep a checkpoint (a copy: the Board keeps its own elsewhere)."""
        ...

    def latest_checkpoint(self) -> Checkpoint | None:
        """The checkpoint saved last, if any."""
        ...

    def find_key(self, key: str, review_id: str | None = None) -> Event | None:
        """The event saved with this idempotency key: of ``review_id``, or with no
        review given, the first event (``submit_request``) of any review. A store
        refuses a second event with the same key for one review (and a second review
        whose first event has a key already used so) with
        :class:`~scr_engine.ConcurrencyConflict`, writing nothing."""
        ...

    def log_access(
        self, review_id: str, at: datetime, actor_id: str, what: str, granted: bool
    ) -> AccessEntry:
        """Append one read to the review's access log (next sequence, chained to the
        entry before it: :func:`scr_engine.access.access_entry`) and return it."""
        ...

    def access_log(
        self,
        *,
        review_id: str | None = None,
        actor_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AccessEntry]:
        """Access-log entries of one review or one actor (or all), oldest first (by
        time, review, sequence), ``limit`` at a time."""
        ...

    def board_identity(self) -> BoardIdentity | None:
        """The Board's identity as set for this store (:meth:`set_board_identity`), or
        None when none has been set (documents then print
        :data:`~scr_engine.board.DEFAULT_BOARD`)."""
        ...

    def set_board_identity(self, identity: BoardIdentity) -> None:
        """Keep ``identity`` as the store's one Board identity, replacing any set
        before (a store holds the reviews of one Board)."""
        ...

    def webhook(self) -> Webhook | None:
        """The store's webhook (:meth:`set_webhook`), or None when none is set."""
        ...

    def set_webhook(self, webhook: Webhook | None) -> None:
        """Keep ``webhook`` as the store's one webhook, replacing any set before; None
        removes it (deliveries already queued stay queued, sent once one is set again;
        no new ones are queued while none is set)."""
        ...

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        due_by: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Delivery]:
        """The webhook deliveries queued by :meth:`save` (one per task, in the save's
        transaction: :func:`scr_engine.webhooks.deliveries_of`; only while a webhook is
        set, as the save's transaction sees it: a save made while none is set queues
        nothing, and setting one later does not queue the tasks saved before), of
        ``status`` if given, oldest first (by queue time, then id); with ``due_by``,
        only pending ones whose next attempt is due by then, by next attempt time,
        then id."""
        ...

    def delivery(self, delivery_id: str) -> Delivery | None:
        """The delivery queued with this id, whatever its status; None if none was
        (what ``scr webhook retry`` looks up)."""
        ...

    def record_attempt(self, delivery: Delivery) -> None:
        """Keep ``delivery``'s status, attempts, next attempt time, last error and
        delivery time (what an attempt changed); an id not queued raises
        :class:`~scr_engine.errors.StorageError`."""
        ...

    def claim_delivery(self, delivery: Delivery, until: datetime) -> bool:
        """Lease a pending delivery to the caller until ``until``, atomically: its
        next attempt moves to ``until`` only if it is still pending, with the attempts
        and next attempt time ``delivery`` was read with. True when this caller got
        it; False when another did first (or it changed since): the caller must not
        send it. A sender that dies holding it leaves it due again at ``until``, so a
        delivery is still sent at least once. (Optional: :func:`deliver_due` sends
        without leasing through a store that lacks it.)"""
        ...
