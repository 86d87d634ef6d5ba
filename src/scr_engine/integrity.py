"""Integrity: a stored review bound to its history, checked on load (PR-d).

Every format-2 event commits to the review it produced (its ``state`` digest), and a
store keeps the review's head (version and hash) with its row. A store checks, when
it loads a review:

- on every load, that the row (its JSON and the columns beside it) agrees with the
  last event of the history: version and sequence, head and hash, stage, and the
  state digest the event committed to (:func:`head_problems`);
- when it decodes a review it has not checked before (the first load in a process,
  or after another process changed it), the whole chain as well
  (:func:`review_problems`).

A review that fails raises :class:`~scr_engine.IntegrityError`, and the engine
applies nothing on top of it. Checks that need a key held outside the database
(signed checkpoints, :mod:`scr_engine.checkpoints`) are what stops an attacker who
recomputes the chain with this library's own hashing.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from scr_engine.access import access_log_problems
from scr_engine.binding import column_problems, review_problems
from scr_engine.checkpoints import Checkpoint, CheckpointEntry, merkle_root, signature_ok
from scr_engine.clock import local_date
from scr_engine.errors import ScrEngineError
from scr_engine.history import (
    CorruptHistory,
    Event,
    HistoryProblem,
    head_problems,
    replay_steps,
    state_problem,
    verify_history,
)
from scr_engine.protocols import of as protocol_of
from scr_engine.records import Review, Task
from scr_engine.storage.port import DeadlineRow, ReviewStore, StoredReview

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


__all__ = [
    "Fault",
    "FaultKind",
    "Progress",
    "VerifyReport",
    "column_problems",
    "head_problems",
    "review_problems",
    "verify_store",
]


# --------------------------------------------------------------------------- verify


class FaultKind(StrEnum):
    """What kind of fault :func:`verify_store` found (stable codes)."""

    UNREADABLE = "unreadable"
    """A stored review, event or task cannot be read."""
    MISSING_REVIEW = "missing_review"
    """Events are stored for a review whose row is gone."""
    CHAIN = "chain"
    """The history does not verify: an event edited, deleted, inserted or reordered,
    or a personal value that no longer matches its commitment."""
    HEAD = "head"
    """The review row disagrees with the last event of its history."""
    COLUMNS = "columns"
    """A column beside the review's JSON (stage, version, head) disagrees with it."""
    REPLAY = "replay"
    """The replay of the history is not the stored review, or cannot be made."""
    DEADLINES = "deadlines"
    """The stored deadline rows are not those the history implies."""
    TASKS = "tasks"
    """The stored tasks are not those the history emitted."""
    CHECKPOINT_SIGNATURE = "checkpoint_signature"
    """The checkpoint's signature or root does not check with the public key."""
    CHECKPOINT_MISSING_REVIEW = "checkpoint_missing_review"
    """A review the checkpoint covers is not in the store."""
    CHECKPOINT_TRUNCATED = "checkpoint_truncated"
    """A review holds fewer events than the checkpoint covers."""
    CHECKPOINT_DIVERGED = "checkpoint_diverged"
    """A review's history differs from the one the checkpoint covers."""
    ACCESS_LOG = "access_log"
    """The access log was edited, truncated in the middle or reordered."""
    UNCOVERED = "uncovered"
    """Events the checkpoint does not cover (a fault only with ``exact=True``)."""


@frozen
class Fault:
    """One fault: the review (when it is about one), the event's sequence where known,
    a :class:`FaultKind` code and a sentence."""

    review_id: str | None
    sequence: int | None
    kind: FaultKind
    message: str

    def __str__(self) -> str:
        where = f"review {self.review_id}" if self.review_id is not None else "store"
        at = f" event {self.sequence}" if self.sequence is not None else ""
        return f"{where}{at} [{self.kind.value}]: {self.message}"


@frozen
class VerifyReport:
    """What :meth:`ReviewEngine.verify <scr_engine.ReviewEngine.verify>` found.

    ``ok`` is True when there is no fault. ``uncovered`` lists, per review, how many
    of its events came after the checkpoint (those only the next checkpoint will
    cover); ``notes`` says what was not checked, and why."""

    faults: tuple[Fault, ...]
    reviews: int
    events: int
    checkpoint: Checkpoint | None = None
    uncovered: tuple[tuple[str, int], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No fault found."""
        return not self.faults

    def faults_of(self, review_id: str) -> tuple[Fault, ...]:
        """The faults about one review."""
        return tuple(f for f in self.faults if f.review_id == review_id)


_CHUNK = 100
"""Reviews :func:`verify_store` reads at a time (:meth:`ReviewStore.stored_many`)."""

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called as reviews are checked."""


def verify_store(
    store: ReviewStore,
    settings_of: Callable[[Review], Any],
    checkpoint: Checkpoint | None = None,
    *,
    public_key: Ed25519PublicKey | None = None,
    progress: Progress | None = None,
    exact: bool = False,
) -> VerifyReport:
    """Check a whole store (see :meth:`ReviewEngine.verify
    <scr_engine.ReviewEngine.verify>`)."""
    faults: list[Fault] = []
    notes: list[str] = []
    if checkpoint is None:
        try:
            checkpoint = store.latest_checkpoint()
        except ScrEngineError as exc:
            faults.append(Fault(None, None, FaultKind.UNREADABLE, str(exc)))
        if checkpoint is not None and public_key is None:
            notes.append(
                "the store's latest checkpoint was used without checking its signature "
                "(give the public key, or a checkpoint kept outside the database)"
            )
    if checkpoint is None:
        notes.append("no checkpoint: only what the store holds was checked")
    elif merkle_root(checkpoint.entries) != checkpoint.root:
        faults.append(
            Fault(
                None,
                None,
                FaultKind.CHECKPOINT_SIGNATURE,
                "the checkpoint's entries are not those its root commits to",
            )
        )
    elif public_key is not None and not signature_ok(checkpoint, public_key):
        faults.append(
            Fault(
                None,
                None,
                FaultKind.CHECKPOINT_SIGNATURE,
                "the checkpoint's signature does not check with the public key given",
            )
        )
    covered = {e.review_id: e for e in checkpoint.entries} if checkpoint is not None else {}
    ids: list[str] = []
    after: str | None = None
    while True:
        page = store.review_ids(after=after, limit=1000)
        if not page:
            break
        ids.extend(page)
        after = page[-1]
    uncovered: list[tuple[str, int]] = []
    events = 0
    done = 0
    many = getattr(store, "stored_many", None)
    for first in range(0, len(ids), _CHUNK):
        chunk = ids[first : first + _CHUNK]
        held: dict[str, StoredReview | ScrEngineError]
        try:
            held = (
                {stored.review_id: stored for stored in many(chunk)}
                if many is not None
                else _one_by_one(store, chunk)  # a store written before stored_many
            )
        except ScrEngineError:
            held = _one_by_one(store, chunk)  # to report only the reviews that fail
        for review_id in chunk:
            done += 1
            stored = held.get(review_id)
            if stored is None or isinstance(stored, ScrEngineError):
                message = str(stored) if stored is not None else "the review vanished while read"
                faults.append(Fault(review_id, None, FaultKind.UNREADABLE, message))
                if progress is not None:
                    progress(done, len(ids))
                continue
            events += len(stored.events)
            faults.extend(_review_faults(stored, settings_of))
            if checkpoint is not None:
                faults.extend(_checkpoint_faults(stored, covered.pop(review_id, None), uncovered))
            if progress is not None:
                progress(done, len(ids))
    for entry in covered.values():
        faults.append(
            Fault(
                entry.review_id,
                None,
                FaultKind.CHECKPOINT_MISSING_REVIEW,
                f"the checkpoint covers {entry.sequence} events of this review; the store "
                "holds none",
            )
        )
    if exact:
        faults.extend(
            Fault(rid, None, FaultKind.UNCOVERED, f"{n} events after the checkpoint")
            for rid, n in uncovered
        )
    return VerifyReport(tuple(faults), len(ids), events, checkpoint, tuple(uncovered), tuple(notes))


def _one_by_one(store: ReviewStore, review_ids: list[str]) -> dict[str, Any]:
    """Each review read alone: what it holds, or the error reading it raised."""
    held: dict[str, Any] = {}
    for review_id in review_ids:
        try:
            held[review_id] = store.stored(review_id)
        except ScrEngineError as exc:
            held[review_id] = exc
    return held


def _checkpoint_faults(
    stored: StoredReview, entry: CheckpointEntry | None, uncovered: list[tuple[str, int]]
) -> list[Fault]:
    held = len(stored.events)
    if entry is None:
        if held:
            uncovered.append((stored.review_id, held))
        return []
    if held < entry.sequence:
        return [
            Fault(
                stored.review_id,
                held + 1,
                FaultKind.CHECKPOINT_TRUNCATED,
                f"the checkpoint covers {entry.sequence} events; the store holds {held}",
            )
        ]
    event = stored.events[entry.sequence - 1]
    if event.sequence != entry.sequence or event.hash != entry.head:
        return [
            Fault(
                stored.review_id,
                entry.sequence,
                FaultKind.CHECKPOINT_DIVERGED,
                f"event {entry.sequence} is not the one the checkpoint covers: the history "
                "was changed",
            )
        ]
    if held > entry.sequence:
        uncovered.append((stored.review_id, held - entry.sequence))
    return []


def _review_faults(stored: StoredReview, settings_of: Callable[[Review], Any]) -> list[Fault]:
    rid = stored.review_id
    faults: list[Fault] = []

    def fault(kind: FaultKind, message: str, sequence: int | None = None) -> None:
        faults.append(Fault(rid, sequence, kind, message))

    if stored.events_problem is not None:
        fault(FaultKind.UNREADABLE, stored.events_problem)
    for message in stored.disagreements:
        fault(FaultKind.COLUMNS, message)
    for message in access_log_problems(stored.accesses):
        fault(FaultKind.ACCESS_LOG, message)
    review = stored.review
    if review is None:
        kind = FaultKind.MISSING_REVIEW if stored.events else FaultKind.UNREADABLE
        fault(kind, stored.problem or "the review cannot be read")
    events = stored.events
    chain = verify_history(events)
    for problem in chain:
        fault(FaultKind.CHAIN, problem.message, problem.sequence or None)
    steps: list[tuple[Event, Review, tuple[Task, ...]]] = []
    replay_problems: list[HistoryProblem] = []
    if not chain and events:
        try:
            steps = list(replay_steps(events, verified=True, digests=True, settings=settings_of))
        except CorruptHistory as exc:
            replay_problems = list(exc.problems)
    rebuilt = steps[-1][1] if steps else None
    replayed = rebuilt is not None and rebuilt == review
    if review is not None:
        for message in column_problems(
            review, stage=stored.stage, version=stored.version, head=stored.head
        ):
            fault(FaultKind.COLUMNS, message)
        # The replayed review, when equal, digests as the stored one, and its parts
        # are already known: check the head with it.
        same = rebuilt if replayed and rebuilt is not None else review
        for message in head_problems(same, events[-1] if events else None):
            fault(FaultKind.HEAD, message, events[-1].sequence if events else None)
    for problem in replay_problems:
        fault(FaultKind.REPLAY, problem.message, problem.sequence)
    if rebuilt is None:
        return faults
    # An erasure drops the salts of the states and values before it (PR-e); a value
    # or salt gone without one is data destroyed behind the history's back.
    erased_upto = max((e.sequence for e in events if e.command == "erase_personal_data"), default=0)
    for event, step, _ in steps:
        if event.sequence < erased_upto and event.state_salt is None:
            continue
        wrong = state_problem(step, event)
        if wrong is not None:
            fault(FaultKind.REPLAY, wrong, event.sequence)
        if event.sequence >= erased_upto and any(
            path not in event.salts for path in event.commitments
        ):
            fault(
                FaultKind.CHAIN,
                "a personal value was erased with no erasure recorded after it",
                event.sequence,
            )
    if review is not None and not replayed:
        differ = [
            a.name
            for a in attrs.fields(type(rebuilt))
            if getattr(rebuilt, a.name) != getattr(review, a.name)
        ]
        fault(
            FaultKind.REPLAY,
            "the stored review is not the replay of its history (differs in "
            + ", ".join(differ)
            + ")",
        )
    try:
        settings = settings_of(rebuilt)
    except ScrEngineError as exc:
        fault(FaultKind.REPLAY, str(exc))
        return faults
    faults.extend(_deadline_faults(stored, steps, settings))
    faults.extend(_task_faults(stored, steps))
    return faults


def _deadline_faults(
    stored: StoredReview,
    steps: list[tuple[Event, Review, tuple[Task, ...]]],
    settings: Any,
) -> list[Fault]:
    """The stored deadline rows against those written at the last command that
    changed a clock (the engine writes them then, as of that day)."""
    event, review, _ = steps[0]
    definition = protocol_of(review)
    for step in steps[1:]:
        if definition.clocks_changed(review, step[1]):
            event = step[0]
        review = step[1]
    # ``review`` is the latest; the clocks read as at ``event``, the last change.
    expected = {
        row.key: row
        for row in (
            DeadlineRow.of(review, d)
            for d in definition.deadlines(review, settings, local_date(event.at))
        )
    }
    held = {row.key: row for row in stored.deadlines}

    def differs(key: str, want: Any, have: Any) -> str:
        if have is None:
            return f"deadline {key} is missing"
        if want is None:
            return f"deadline {key} is stored but the history sets no such deadline"
        return f"deadline {key} is stored as {_row_text(have)}, not {_row_text(want)}"

    return _differences(stored.review_id, FaultKind.DEADLINES, expected, held, differs)


def _differences(
    review_id: str,
    kind: FaultKind,
    expected: dict[str, Any],
    held: dict[str, Any],
    differs: Callable[[str, Any, Any], str],
) -> list[Fault]:
    """A fault for each key whose stored value is not the expected one (or is missing,
    or unexpected), in key order, worded by ``differs(key, expected, stored)``."""
    return [
        Fault(review_id, None, kind, differs(key, expected.get(key), held.get(key)))
        for key in sorted(expected.keys() | held.keys())
        if expected.get(key) != held.get(key)
    ]


def _row_text(row: Any) -> str:
    met = f", met {row.met_on}" if row.met_on else ""
    return f"due {row.due_on}{met}, {row.status.value}"


def _task_faults(
    stored: StoredReview, steps: list[tuple[Event, Review, tuple[Task, ...]]]
) -> list[Fault]:
    expected = {task.id: task for _, _, tasks in steps for task in tasks}
    held = {task.id: task for task in stored.tasks}
    for task_id, task in held.items():
        # A task stored before tasks kept their detail has none: judged without it.
        want = expected.get(task_id)
        if task.detail is None and want is not None and want.detail is not None:
            expected[task_id] = attrs.evolve(want, detail=None)

    def differs(task_id: str, want: Any, have: Any) -> str:
        if have is None:
            return f"task {task_id} ({want.kind.value}) is missing"
        if want is None:
            return f"task {task_id} is stored but no command emitted it"
        return f"task {task_id} is stored altered"

    return _differences(stored.review_id, FaultKind.TASKS, expected, held, differs)
