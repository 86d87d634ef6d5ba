"""The review's history: append-only, hash-chained events, and their replay.

Every accepted command appends one :class:`Event`: its sequence number, the time
from the injected clock, the actor and the role they acted in, the command and its
payload, the stage before and after, the previous event's hash and its own SHA-256
over a canonical serialization. :func:`verify_history` finds any change, deletion,
insertion or reordering; :func:`replay` rebuilds the review exactly (PR-d).

A review under any protocol keeps the same history: for a SAR, it is the append-only
record of who did what, in which role, when, why and with what payload (SAR-G-3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from attrs import evolve, field, frozen

from scr_engine.clock import local_date
from scr_engine.commands import Command
from scr_engine.digest import RecordDigest, record_digest
from scr_engine.errors import ScrEngineError, UnknownProtocol
from scr_engine.personal import (
    ERASED,
    SaltSource,
    commit,
    mentions,
    new_salt,
    personal_paths,
    replace_at,
    seal,
    value_at,
)
from scr_engine.protocols import Protocol, named, of
from scr_engine.protocols.definition import Step
from scr_engine.records import Review, Role, Task
from scr_engine.records.envelope import Envelope
from scr_engine.serialization import canonical_json, freeze, structure
from scr_engine.states.effects import occurred_day

__all__ = [
    "FORMAT",
    "GENESIS",
    "CorruptHistory",
    "Event",
    "HistoryProblem",
    "advance",
    "event_day",
    "event_from_dict",
    "event_hash",
    "event_to_dict",
    "head_problems",
    "replay",
    "replay_steps",
    "scrub",
    "start",
    "state_digest",
    "state_problem",
    "verify_history",
]

GENESIS = "0" * 64
"""The ``prev_hash`` of a review's first event."""


FORMAT = 2
"""The event format new events are written in.

1. the hash covers the payload as it is (events written before 0.2);
2. the hash also covers ``state``, the digest of the review the command produced, and
   ``commitments``; personal texts of the payload are left out of it (see
   :mod:`scr_engine.personal`).
"""

_STATE_TAG = b"scr-state:1\x00"


@frozen
class Event:
    """One accepted command on one review.

    ``hash`` covers every field but itself and the two salt fields: the salts are
    what lets a personal value be erased later (see :mod:`scr_engine.personal`)."""

    review_id: str
    sequence: int
    at: datetime
    actor_id: str
    role: Role
    command: str
    payload: dict[str, Any] = field(converter=freeze)
    """The command as JSON primitives, read-only (a :class:`FrozenDict`)."""
    stage_before: str | None
    """The stage code the review was in (None for the first event)."""
    stage_after: str
    """The stage code the command led to (a :class:`~scr_engine.states.Stage` of the
    SCR, or another protocol's code)."""
    prev_hash: str
    hash: str
    state: str | None = None
    """The digest of the review this event produced (:func:`state_digest`, format 2)."""
    commitments: dict[str, str] = field(converter=freeze, factory=dict)
    """Per personal text of the payload (by JSON pointer): its commitment."""
    salts: dict[str, str] = field(converter=freeze, factory=dict)
    """Per personal text still held: the salt of its commitment (not hashed)."""
    state_salt: str | None = None
    """The salt of ``state`` (not hashed; dropped when the review's data is erased)."""
    format: int = 1
    key: str | None = None
    """The host's idempotency key for the command, if it gave one (format 2, hashed)."""

    def body(self) -> dict[str, Any]:
        """What the hash covers, as primitives."""
        body = {
            "review_id": self.review_id,
            "sequence": self.sequence,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "role": self.role.value,
            "command": self.command,
            "payload": self.payload,
            "stage_before": str(self.stage_before) if self.stage_before else None,
            "stage_after": str(self.stage_after),
            "prev_hash": self.prev_hash,
        }
        if self.format != 1:
            body["payload"] = seal(self.payload, self.commitments)
            body["commitments"] = self.commitments
            body["state"] = self.state
            body["format"] = self.format
            if self.key is not None:
                body["key"] = self.key
        return body


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as JSON-ready primitives (every field)."""
    data = {
        "review_id": event.review_id,
        "sequence": event.sequence,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "role": event.role.value,
        "command": event.command,
        "payload": event.payload,
        "stage_before": str(event.stage_before) if event.stage_before else None,
        "stage_after": str(event.stage_after),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
    if event.format != 1:
        data.update(
            state=event.state,
            commitments=event.commitments,
            salts=event.salts,
            state_salt=event.state_salt,
            format=event.format,
        )
        if event.key is not None:
            data["key"] = event.key
    return data


def event_from_dict(data: Any) -> Event:
    """Rebuild an event from :func:`event_to_dict`'s form (``InvalidRequest`` if it
    does not fit). The hash is not checked here: :func:`verify_history` does that."""
    return structure(data, Event, what="event")


def event_hash(body: dict[str, Any]) -> str:
    """SHA-256 (hex) of an event body's canonical JSON."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def state_digest(review: Envelope, salt: str, changes: dict[str, Any] | None = None) -> str:
    """The digest an event commits to: hex SHA-256 of a tag, ``salt`` and the
    structural digest of the review (:mod:`scr_engine.digest`), every field but
    ``head`` (the hash of the very event that commits to the state); with
    ``changes``, of the review those changes make. The salt (one per event) is
    dropped when the review's personal data is erased, so an old digest cannot
    confirm a guessed value."""
    return _state(review, salt, changes)[0]


def _state(
    review: Envelope, salt: str, changes: dict[str, Any] | None = None
) -> tuple[str, RecordDigest]:
    inner = record_digest(review, skip="head", changes=changes)
    return hashlib.sha256(_STATE_TAG + bytes.fromhex(salt) + inner.digest).hexdigest(), inner


def _event(
    review: Review,
    changes: dict[str, Any],
    at: datetime,
    actor_id: str,
    role: Role,
    command: Command,
    payload: dict[str, Any],
    before: str | None,
    prev_hash: str,
    salt: SaltSource,
    key: str | None = None,
) -> tuple[Event, RecordDigest]:
    """The event of an accepted command whose ``changes`` make the next review from
    ``review``, with its commitments and state digest."""
    salts: dict[str, str] = {}
    commitments: dict[str, str] = {}
    for path, value in personal_paths(type(command), payload):
        salts[path] = s = salt()
        commitments[path] = commit(s, value)
    state_salt = salt()
    state, made = _state(review, state_salt, changes)
    sequence: int = changes["version"]
    after: str = changes["stage"]
    body = {
        "review_id": review.id,
        "sequence": sequence,
        "at": at.isoformat(),
        "actor_id": actor_id,
        "role": role.value,
        "command": command.name,
        "payload": seal(payload, commitments),
        "stage_before": str(before) if before is not None else None,
        "stage_after": str(after),
        "prev_hash": prev_hash,
        "commitments": commitments,
        "state": state,
        "format": FORMAT,
    }
    if key is not None:
        body["key"] = key
    event = Event(
        review.id,
        sequence,
        at,
        actor_id,
        role,
        command.name,
        payload,
        before,
        after,
        prev_hash,
        event_hash(body),
        state,
        commitments,
        salts,
        state_salt,
        FORMAT,
        key,
    )
    return event, made


def start(
    review_id: str,
    command: Command,
    payload: dict[str, Any],
    actor_id: str,
    role: Role,
    at: datetime,
    *,
    salt: SaltSource = new_salt,
    key: str | None = None,
) -> tuple[Review, Event]:
    """A new review in its protocol's first stage (``requested``) and its first event
    (``submit_request``): the record its definition opens (:attr:`Protocol.open
    <scr_engine.protocols.Protocol.open>`)."""
    definition = of(command)
    draft = definition.open(definition, review_id, command, actor_id, occurred_day(command, at))
    initial = draft.stage
    changes: dict[str, Any] = {"stage": initial, "version": 1}
    event, made = _event(
        draft, changes, at, actor_id, role, command, payload, None, GENESIS, salt, key
    )
    review = evolve(draft, head=event.hash)
    made.keep(review)
    return review, event


def advance(
    review: Review,
    command: Command,
    payload: dict[str, Any],
    actor_id: str,
    role: Role,
    at: datetime,
    *,
    salt: SaltSource = new_salt,
    key: str | None = None,
    settings: Any = None,
) -> tuple[Review, Event, tuple[Task, ...]]:
    """Apply an accepted command: its record, its stage change, its event, its tasks.

    Call only once every guard has passed (:func:`scr_engine.rules.judge.judge`). The
    stage change and the effect are those of the definition the review records;
    ``settings`` are the review's (a protocol whose effects read them needs them).
    """
    definition = of(review)
    after = definition.stage(definition.next_stage(review.stage, command.name))
    step = Step(actor_id, role, at, after, "occurred_on" in payload, settings)
    changes, tasks = definition.apply(definition, review, command, step)
    changes = {**changes, "stage": after, "version": review.version + 1}
    event, made = _event(
        review, changes, at, actor_id, role, command, payload, review.stage, review.head, salt, key
    )
    updated = evolve(review, **changes, head=event.hash)
    made.keep(updated)
    return updated, event, tasks


def scrub(event: Event, value: str | None = None) -> Event:
    """The event with its personal values erased (those equal to ``value`` or
    mentioning it as a whole word, or every one): each becomes
    :data:`~scr_engine.personal.ERASED` and its salt is dropped, and so is the salt of
    the event's state digest. Its hash is unchanged: it covered the commitments, never
    the values. A format-1 event is returned as it is (its hash covers its values: it
    cannot be scrubbed without breaking the chain)."""
    if event.format == 1:
        return event
    payload: Any = event.payload
    salts = dict(event.salts)
    for path in event.commitments:
        current = value_at(payload, path) if path in salts else None
        if path in salts and (
            value is None
            or current == value
            or (isinstance(current, str) and mentions(current, value))
        ):
            payload = replace_at(payload, path, ERASED)
            del salts[path]
    if payload is event.payload and event.state_salt is None:
        return event
    return evolve(event, payload=payload, salts=salts, state_salt=None)


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


def verify_history(
    events: Sequence[Event], *, after: tuple[int, str] | None = None
) -> list[HistoryProblem]:
    """Every problem with a review's history; empty when it is intact.

    Detects an edited event (its hash no longer matches), a deleted, inserted or
    reordered one (sequence numbers or the hash chain break), events of another
    review mixed in, and a personal value that no longer matches its commitment
    (an erased one, :data:`~scr_engine.personal.ERASED` with no salt, is fine).

    With ``after=(sequence, hash)``, ``events`` are the rest of a history checked
    before up to its event ``sequence``, whose hash was ``hash``: they must follow
    that event (the first is ``sequence + 1`` and chains to ``hash``).
    """
    problems: list[HistoryProblem] = []
    done, prev = after if after is not None else (0, GENESIS)
    review_id = events[0].review_id if events else None
    for position, event in enumerate(events, start=done + 1):
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
        if event.format not in (1, FORMAT):
            problems.append(HistoryProblem(position, f"unknown event format {event.format!r}"))
        elif event_hash(event.body()) != event.hash:
            problems.append(HistoryProblem(position, "has been altered (hash mismatch)"))
        if event.format != 1:
            problems.extend(HistoryProblem(position, m) for m in _value_problems(event))
        prev = event.hash
    return problems


def _value_problems(event: Event) -> list[str]:
    """The personal values of a format-2 event that do not match their commitments."""
    problems = []
    for path in event.salts:
        if path not in event.commitments:
            problems.append(f"a salt for {path}, which has no commitment")
    for path, commitment in event.commitments.items():
        try:
            value = value_at(event.payload, path)
        except KeyError:
            problems.append(f"the personal value at {path} is missing")
            continue
        salt = event.salts.get(path)
        if salt is None:
            if value != ERASED:
                problems.append(f"the personal value at {path} has no salt to check it by")
        elif not isinstance(value, str) or not _commits(salt, value, commitment):
            problems.append(f"the personal value at {path} has been altered")
    return problems


def _commits(salt: str, value: str, commitment: str) -> bool:
    try:
        return commit(salt, value) == commitment
    except (ValueError, UnicodeEncodeError):
        return False


def head_problems(review: Envelope, event: Event | None) -> list[str]:
    """What disagrees between a stored review and the last event of its history
    (empty when they agree): the version and sequence, the head and the hash, the
    stage, and (format 2) the state digest the event committed to."""
    if event is None:
        return [f"the review is at version {review.version} but its history has no events"]
    problems = []
    if event.review_id != review.id:
        problems.append(f"its last event belongs to review {event.review_id!r}")
    if event.sequence != review.version:
        side = "ahead of" if review.version > event.sequence else "behind"
        problems.append(
            f"the review row is at version {review.version}, {side} its history, which ends "
            f"at event {event.sequence}"
        )
    if event.hash != review.head:
        problems.append("the review row's head is not the hash of its last event")
    if event.stage_after != review.stage:
        problems.append(
            f"the review row says stage {review.stage}, its last event {event.stage_after}"
        )
    if event.format != 1:
        if event.state_salt is None:
            problems.append("the last event has lost the salt its state digest needs")
        elif _state_of(review, event.state_salt) != event.state:
            problems.append("the review row is not the state its last event committed to")
    return problems


def state_problem(review: Envelope, event: Event) -> str | None:
    """Whether a format-2 event's state digest is ``review`` (the review its command
    produced, as replayed): None when it is, or for format 1, else what is wrong."""
    if event.format == 1:
        return None
    if event.state_salt is None:
        return "has lost the salt its state digest needs"
    if _state_of(review, event.state_salt) != event.state:
        return "committed to another state than its replay produces"
    return None


def _state_of(review: Envelope, salt: str) -> str | None:
    try:
        digest, made = _state(review, salt)
    except (ValueError, TypeError):
        return None
    made.keep(review)  # the next command's digest then costs what it changes
    return digest


def replay(events: Sequence[Event], *, settings: SettingsOf | None = None) -> Review:
    """Rebuild a review from its history by applying every command again.

    Raises :class:`CorruptHistory` when the history does not verify or a command
    cannot be rebuilt. Erased personal values replay as
    :data:`~scr_engine.personal.ERASED`. ``settings`` as for :func:`replay_steps`.
    """
    last: Review | None = None
    for _, last, _ in replay_steps(events, settings=settings):  # noqa: B007 - the last step's review
        pass
    assert last is not None
    return last


SettingsOf = Callable[[Any], Any]
"""The settings a review runs under (:class:`~scr_engine.errors.ScrEngineError` when
they are not known)."""


def _settings(settings: SettingsOf | None, definition: Protocol, review: Any) -> Any:
    """The review's settings, or None when they are not known."""
    if settings is None:
        return definition.settings_named(review.settings_version)
    try:
        return settings(review)
    except ScrEngineError:
        return None


def replay_steps(
    events: Sequence[Event],
    *,
    verified: bool = False,
    digests: bool = False,
    settings: SettingsOf | None = None,
) -> Iterator[tuple[Event, Review, tuple[Task, ...]]]:
    """Replay a history step by step: each event with the review it produced and the
    tasks it emitted. Raises :class:`CorruptHistory` as :func:`replay` does
    (``verified=True``: the caller has just verified the history itself).

    With ``digests``, each review's state digest parts are kept with it
    (:mod:`scr_engine.digest`), so that checking every event's state afterwards costs
    what each command changed (``verify`` does; a plain replay need not).

    ``settings`` finds the review's settings, for a protocol whose effects read them
    (the definition's defaults, when the review runs under them, by default)."""
    problems = [] if verified else verify_history(events)
    if not events:
        problems.append(HistoryProblem(0, "a history has at least one event"))
    if problems:
        raise CorruptHistory(problems)
    first = events[0]
    definition = _definition(first)
    submit = _command(first, definition)
    if submit.name != "submit_request":
        raise CorruptHistory([HistoryProblem(1, "a history starts with submit_request")])
    try:
        review = definition.open(
            definition, first.review_id, submit, first.actor_id, occurred_day(submit, first.at)
        )
    except (ValueError, LookupError, TypeError, AttributeError) as exc:
        raise CorruptHistory([HistoryProblem(1, str(exc))]) from exc
    review = evolve(review, head=first.hash)
    yield first, review, ()
    known = _settings(settings, definition, review)
    for event in events[1:]:
        command = _command(event, definition)
        try:
            after = definition.stage(definition.next_stage(review.stage, command.name))
            step = Step(
                event.actor_id, event.role, event.at, after, "occurred_on" in event.payload, known
            )
            changes, tasks = definition.apply(definition, review, command, step)
        except (ValueError, LookupError, TypeError, AttributeError) as exc:
            raise CorruptHistory([HistoryProblem(event.sequence, str(exc))]) from exc
        if after != event.stage_after:
            raise CorruptHistory(
                [
                    HistoryProblem(
                        event.sequence,
                        f"replay leads to {after}, history says {event.stage_after}",
                    )
                ]
            )
        changes = {**changes, "stage": after, "version": event.sequence}
        made = record_digest(review, skip="head", changes=changes) if digests else None
        review = evolve(review, **changes, head=event.hash)
        if made is not None:
            made.keep(review)
        yield event, review, tasks


def _definition(first: Event) -> Protocol:
    """The definition a history's first command (``submit_request``) records, the
    SCR's when it records none; an unknown one makes the history unreadable here
    (:class:`CorruptHistory`, naming it)."""
    name = first.payload.get("protocol") or None
    version = first.payload.get("protocol_version") or None
    try:
        if not all(v is None or isinstance(v, str) for v in (name, version)):
            raise ValueError("its protocol and protocol_version are text")
        return named(name, version)
    except (UnknownProtocol, ValueError) as exc:
        raise CorruptHistory([HistoryProblem(1, str(exc))]) from exc


def _command(event: Event, definition: Protocol) -> Command:
    """The command ``event`` records, rebuilt as a command of ``definition``."""
    cls = definition.commands.get(event.command)
    if cls is None:
        raise CorruptHistory([HistoryProblem(event.sequence, f"unknown command {event.command!r}")])
    fields = {k: v for k, v in event.payload.items() if k != "command"}
    if "agreed_on" in fields and "occurred_on" not in fields:
        # ``ratify`` recorded before ``agreed_on`` became ``occurred_on``.
        fields["occurred_on"] = fields.pop("agreed_on")
    try:
        return structure(fields, cls, what=event.command)
    except ScrEngineError as exc:
        raise CorruptHistory([HistoryProblem(event.sequence, str(exc))]) from exc


def event_day(event: Event) -> date:
    """The day the event's command happened: its ``occurred_on`` (or, for a ``ratify``
    recorded before that field, its ``agreed_on``), else the day it was recorded."""
    for name in ("occurred_on", "agreed_on"):
        value = event.payload.get(name)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
    return local_date(event.at)
