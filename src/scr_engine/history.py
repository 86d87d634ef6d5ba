"""The review's history: append-only, hash-chained events, and their replay.

Every accepted command appends one :class:`Event`: its sequence number, the time
from the injected clock, the actor and the role they acted in, the command and its
payload, the stage before and after, the previous event's hash and its own SHA-256
over a canonical serialization. :func:`verify_history` finds any change, deletion,
insertion or reordering; :func:`replay` rebuilds the review exactly (PR-d).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import evolve, field, frozen

from scr_engine.clock import local_date
from scr_engine.commands import COMMANDS, Command, SubmitRequest
from scr_engine.errors import ScrEngineError
from scr_engine.records import Review, Role, Task
from scr_engine.serialization import canonical_json, freeze, structure
from scr_engine.states.effects import EFFECTS
from scr_engine.states.machine import next_stage
from scr_engine.states.stages import Stage

__all__ = [
    "GENESIS",
    "CorruptHistory",
    "Event",
    "HistoryProblem",
    "advance",
    "event_from_dict",
    "event_hash",
    "event_to_dict",
    "replay",
    "start",
    "verify_history",
]

GENESIS = "0" * 64
"""The ``prev_hash`` of a review's first event."""


@frozen
class Event:
    """One accepted command on one review."""

    review_id: str
    sequence: int
    at: datetime
    actor_id: str
    role: Role
    command: str
    payload: dict[str, Any] = field(converter=freeze)
    """The command as JSON primitives, read-only (a :class:`FrozenDict`)."""
    stage_before: Stage | None
    stage_after: Stage
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """What the hash covers: every field but ``hash``, as primitives."""
        return {
            "review_id": self.review_id,
            "sequence": self.sequence,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "role": self.role.value,
            "command": self.command,
            "payload": self.payload,
            "stage_before": self.stage_before.value if self.stage_before else None,
            "stage_after": self.stage_after.value,
            "prev_hash": self.prev_hash,
        }


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as JSON-ready primitives (its body and its hash)."""
    return {**event.body(), "hash": event.hash}


def event_from_dict(data: Any) -> Event:
    """Rebuild an event from :func:`event_to_dict`'s form (``InvalidRequest`` if it
    does not fit). The hash is not checked here: :func:`verify_history` does that."""
    return structure(data, Event, what="event")


def event_hash(body: dict[str, Any]) -> str:
    """SHA-256 (hex) of an event body's canonical JSON."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _event(
    review_id: str,
    sequence: int,
    at: datetime,
    actor_id: str,
    role: Role,
    command: str,
    payload: dict[str, Any],
    before: Stage | None,
    after: Stage,
    prev_hash: str,
) -> Event:
    body = {
        "review_id": review_id,
        "sequence": sequence,
        "at": at.isoformat(),
        "actor_id": actor_id,
        "role": role.value,
        "command": command,
        "payload": payload,
        "stage_before": before.value if before is not None else None,
        "stage_after": after.value,
        "prev_hash": prev_hash,
    }
    return Event(
        review_id,
        sequence,
        at,
        actor_id,
        role,
        command,
        payload,
        before,
        after,
        prev_hash,
        event_hash(body),
    )


def start(
    review_id: str,
    command: SubmitRequest,
    payload: dict[str, Any],
    actor_id: str,
    role: Role,
    at: datetime,
) -> tuple[Review, Event]:
    """A new review in ``requested`` and its first event (``submit_request``)."""
    event = _event(
        review_id, 1, at, actor_id, role, command.name, payload, None, Stage.REQUESTED, GENESIS
    )
    review = Review(
        id=review_id,
        reference=command.reference,
        stage=Stage.REQUESTED,
        version=1,
        head=event.hash,
        settings_version=command.settings_version,
        request=command.request,
        requested_by=actor_id,
        received_on=local_date(at),
    )
    return review, event


def advance(
    review: Review,
    command: Command,
    payload: dict[str, Any],
    actor_id: str,
    role: Role,
    at: datetime,
) -> tuple[Review, Event, tuple[Task, ...]]:
    """Apply an accepted command: its record, its stage change, its event, its tasks.

    Call only once every guard has passed (:func:`scr_engine.rules.judge.judge`).
    """
    after = next_stage(review.stage, command.name)
    changes, tasks = EFFECTS[command.name](review, command, actor_id, local_date(at), at)
    event = _event(
        review.id,
        review.version + 1,
        at,
        actor_id,
        role,
        command.name,
        payload,
        review.stage,
        after,
        review.head,
    )
    updated = evolve(review, **changes, stage=after, version=event.sequence, head=event.hash)
    return updated, event, tasks


@frozen
class HistoryProblem:
    """Something wrong with a history: at which sequence number, and what."""

    sequence: int
    message: str


class CorruptHistory(ScrEngineError, ValueError):
    """A history does not verify, or cannot be replayed."""

    def __init__(self, problems: Sequence[HistoryProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"#{p.sequence}: {p.message}" for p in self.problems))


def verify_history(events: Sequence[Event]) -> list[HistoryProblem]:
    """Every problem with a review's history; empty when it is intact.

    Detects an edited event (its hash no longer matches), a deleted, inserted or
    reordered one (sequence numbers or the hash chain break), and events of another
    review mixed in.
    """
    problems: list[HistoryProblem] = []
    prev = GENESIS
    review_id = events[0].review_id if events else None
    for position, event in enumerate(events, start=1):
        if event.review_id != review_id:
            problems.append(HistoryProblem(position, f"belongs to review {event.review_id!r}"))
        if event.sequence != position:
            problems.append(
                HistoryProblem(position, f"sequence {event.sequence} where {position} was expected")
            )
        if event.prev_hash != prev:
            problems.append(
                HistoryProblem(position, "does not follow the event before it (hash chain broken)")
            )
        if event_hash(event.body()) != event.hash:
            problems.append(HistoryProblem(position, "has been altered (hash mismatch)"))
        prev = event.hash
    return problems


def replay(events: Sequence[Event]) -> Review:
    """Rebuild a review from its history by applying every command again.

    Raises :class:`CorruptHistory` when the history does not verify or a command
    cannot be rebuilt.
    """
    problems = verify_history(events)
    if not events:
        problems.append(HistoryProblem(0, "a history has at least one event"))
    if problems:
        raise CorruptHistory(problems)
    first = events[0]
    submit = _command(first)
    if not isinstance(submit, SubmitRequest):
        raise CorruptHistory([HistoryProblem(1, "a history starts with submit_request")])
    review, _ = start(first.review_id, submit, first.payload, first.actor_id, first.role, first.at)
    for event in events[1:]:
        try:
            review, rebuilt, _ = advance(
                review, _command(event), event.payload, event.actor_id, event.role, event.at
            )
        except ValueError as exc:
            raise CorruptHistory([HistoryProblem(event.sequence, str(exc))]) from exc
        if rebuilt.stage_after != event.stage_after:
            raise CorruptHistory(
                [
                    HistoryProblem(
                        event.sequence,
                        "replay leads to "
                        f"{rebuilt.stage_after.value}, history says "
                        f"{event.stage_after.value}",
                    )
                ]
            )
    return review


def _command(event: Event) -> Command:
    cls = COMMANDS.get(event.command)
    if cls is None:
        raise CorruptHistory([HistoryProblem(event.sequence, f"unknown command {event.command!r}")])
    fields = {k: v for k, v in event.payload.items() if k != "command"}
    try:
        return structure(fields, cls, what=event.command)
    except ScrEngineError as exc:
        raise CorruptHistory([HistoryProblem(event.sequence, str(exc))]) from exc
