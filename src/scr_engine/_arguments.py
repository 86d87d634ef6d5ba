"""The engine's checks of what it is given, before anything is read or stored: actors,
ids, counts, days, cursors; and how a list of refusals becomes the error it raises.

Each refuses with :class:`~scr_engine.InvalidRequest`, naming the argument."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from attrs import evolve

from scr_engine.access import ReadPolicy
from scr_engine.commands import Command
from scr_engine.errors import (
    IntegrityError,
    InvalidRequest,
    PermissionDenied,
    ReviewNotFound,
    TransitionRefused,
)
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.history import Event
from scr_engine.protocols.scr import NAME as DEFAULT_PROTOCOL
from scr_engine.protocols.scr import VERSION as DEFAULT_PROTOCOL_VERSION
from scr_engine.records import Actor, Role
from scr_engine.rules.dates import DATE_RULE
from scr_engine.rules.judge import check_shape
from scr_engine.rules.settings import DEFAULT_SETTINGS
from scr_engine.serialization import canonical_json, text_problems
from scr_engine.storage.port import ReviewStore

__all__ = [
    "MAX_ID_LENGTH",
    "MAX_PAGE",
    "MAX_WITHIN_DAYS",
    "brief",
    "check_actor",
    "check_count",
    "check_cursor",
    "check_day",
    "check_id",
    "check_now",
    "check_overdue",
    "check_parts",
    "check_retry",
    "check_task_cursor",
    "command_name",
    "new_id",
    "raise_for",
    "received_problems",
    "recorded_protocol",
    "refuse",
    "without_numbering",
]

MAX_PAGE = 2**31 - 1
"""The largest page (``limit``) any listing accepts: what every store can bind."""

MAX_ID_LENGTH = 1000
"""The longest review or task id accepted (ids are text the host or the engine made)."""

MAX_WITHIN_DAYS = 36_600
"""The furthest look-ahead of :meth:`ReviewEngine.overdue`, in days (about a century)."""

_ROLES = frozenset(Role)


def refuse(command: str, message: str, field: str | None = None) -> InvalidRequest:
    return InvalidRequest(command, [Refusal.input(message, field)])


def check_now(now: Any) -> datetime:
    """What the engine's clock gave, if it is a timezone-aware ``datetime``; else
    :class:`InvalidRequest` on ``clock``, before anything is read or stored (a naive
    time would be stored in a history no store could read back as a time)."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        message = (
            f"the engine's clock gave {now!r}: a Clock's now() must return a timezone-aware "
            "datetime (as SystemClock and FixedClock do), such as datetime.now(UTC)"
        )
        raise refuse("", message, "clock")
    return now


def check_parts(store: Any, clock: Any, read_policy: Any, new_id: Any, salt: Any) -> None:
    """Refuse, as an engine is made, a part it could not use (a URL for a store, a
    ``datetime`` for a clock, a dict for a read policy): :class:`InvalidRequest` naming
    each, rather than an ``AttributeError`` at the first call that needs it."""
    problems = []
    if isinstance(store, str) or not all(
        callable(getattr(store, method, None)) for method in ("load", "save", "history")
    ):
        message = f"store must be a ReviewStore (MemoryStore(), SqlStore(url) …), not {store!r:.80}"
        problems.append(Refusal.input(message, "store"))
    if clock is not None and (
        isinstance(clock, datetime) or not callable(getattr(clock, "now", None))
    ):
        message = f"clock must be a Clock (SystemClock(), FixedClock(start) …), not {clock!r:.80}"
        problems.append(Refusal.input(message, "clock"))
    if not isinstance(read_policy, ReadPolicy):
        message = f"read_policy must be a ReadPolicy, not {type(read_policy).__name__}"
        problems.append(Refusal.input(message, "read_policy"))
    for name, given in (("new_id", new_id), ("salt", salt)):
        if given is not None and not callable(given):
            message = f"{name} must be a function taking no argument, not {type(given).__name__}"
            problems.append(Refusal.input(message, name))
    if problems:
        raise InvalidRequest("", problems)


def check_actor(command: str, actor: Any, longest: int = DEFAULT_SETTINGS.max_actor_length) -> None:
    """Refuse, before anything is read or stored, an actor that is not an
    :class:`Actor`, whose id or name is not non-empty text of at most ``longest``
    characters that every store can keep and every hash can cover (the history
    records the id as text), whose roles are not :class:`Role` members or whose
    agency is neither text nor None."""
    if not isinstance(actor, Actor):
        message = f"the actor must be an Actor, not {type(actor).__name__}"
        raise refuse(command, message, "actor")
    problems: list[Refusal] = []
    for what, value in (("actor.id", actor.id), ("actor.name", actor.name)):
        if type(value) is not str or not value.strip():
            message = f"an actor's {what[6:]} must be non-empty text, not {brief(value)}"
            problems.append(Refusal.input(message, what))
        elif len(value) > longest:
            message = (
                f"an actor's {what[6:]} holds {len(value):,} characters; at most "
                f"{longest:,} are accepted"
            )
            problems.append(Refusal.input(message, what))
        else:
            problems.extend(text_problems(value, what))
    roles = actor.roles
    if not isinstance(roles, frozenset) or not all(type(r) is Role and r in _ROLES for r in roles):
        problems.append(Refusal.input("an actor's roles must be Role members", "actor.roles"))
    agency = actor.agency
    if agency is not None:
        if type(agency) is not str:
            message = f"an actor's agency must be text or None, not {type(agency).__name__}"
            problems.append(Refusal.input(message, "actor.agency"))
        else:
            problems.extend(text_problems(agency, "actor.agency"))
    if problems:
        raise InvalidRequest(command, problems)


def brief(value: Any) -> str:
    """A short description of a value for a message: its type, and its repr if short."""
    try:
        text = repr(value)
    except Exception:
        text = ""
    if not text or len(text) > 60:
        return f"a {type(value).__name__}"
    return text


def without_numbering(payload: Any) -> dict[str, Any]:
    """A submission's payload without what the engine adds (reference, settings, the
    protocol's version) and without the protocol when it is the SCR (left out of the
    payload, as it always was)."""
    return {
        k: v
        for k, v in payload.items()
        if k not in ("reference", "settings_version", "protocol_version")
        and not (k == "protocol" and v == DEFAULT_PROTOCOL)
    }


def recorded_protocol(payload: dict[str, Any]) -> dict[str, Any]:
    """A submission's payload as stored: ``protocol`` and ``protocol_version`` only
    when they are not the SCR's, so that an SCR event's body (and its hash) is what
    it has always been."""
    if (payload.get("protocol"), payload.get("protocol_version")) == (
        DEFAULT_PROTOCOL,
        DEFAULT_PROTOCOL_VERSION,
    ):
        return {k: v for k, v in payload.items() if k not in ("protocol", "protocol_version")}
    return payload


def check_id(command: str, value: Any, what: str = "review_id") -> str:
    """Refuse an id that is not text a store can look up: not a string, empty, too
    long, with NUL or a lone surrogate. A well-formed id that is not stored is the
    store's :class:`~scr_engine.ReviewNotFound`."""
    if type(value) is not str:
        raise refuse(command, f"{what} must be text, not {type(value).__name__}", what)
    if not value or len(value) > MAX_ID_LENGTH:
        raise refuse(command, f"{what} must be 1 to {MAX_ID_LENGTH} characters", what)
    problems = text_problems(value, what)
    if problems:
        raise InvalidRequest(command, problems)
    return value


def new_id(store: ReviewStore, made: Any) -> str:
    """The id the engine's ``new_id`` ``made`` for a new review, if it is an id a read
    can take (:func:`check_id`) that no stored review has; else
    :class:`InvalidRequest` on ``new_id``, before anything is stored."""
    review_id = check_id("submit_request", made, "new_id")
    try:
        store.load(review_id)
    except ReviewNotFound:
        return review_id
    except IntegrityError:
        pass  # stored, if not as its history says
    message = (
        f"new_id gave {review_id!r}, the id of a review already stored: each review needs "
        "an id of its own (leave new_id out for random UUIDs)"
    )
    raise refuse("submit_request", message, "new_id")


def check_count(command: str, value: Any, what: str, most: int) -> int:
    """Refuse a count (page size, days) that is not an int from 0 to ``most``."""
    if type(value) is not int or not 0 <= value <= most:
        raise refuse(command, f"{what} must be a whole number from 0 to {most}", what)
    return value


def check_day(command: str, value: Any, what: str = "as_of") -> date:
    """Refuse a day that is not a :class:`datetime.date` (a datetime is not a day)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise refuse(command, f"{what} must be a date, not {type(value).__name__}", what)
    return value


def received_problems(received_on: Any, today: date) -> list[Refusal]:
    """Why ``received_on``, the day a request was received when it is recorded later,
    is refused: not a day, or after ``today``."""
    if received_on is None:
        return []
    if not isinstance(received_on, date) or isinstance(received_on, datetime):
        return [Refusal.input("received_on must be a date", "received_on")]
    if received_on > today:
        message = f"a request cannot have been received on {received_on}, after today"
        return [Refusal(DATE_RULE, message, RefusalKind.INPUT, "received_on")]
    return []


def command_name(command: Any) -> str:
    """The command's name for error messages, whatever ``command`` is."""
    name = getattr(type(command), "name", None) if isinstance(command, Command) else None
    return name if isinstance(name, str) else "command"


def check_cursor(after: Any) -> None:
    """Refuse an ``overdue`` cursor that is not a row's ``sort_key``: (date, text, text)."""
    ok = (
        isinstance(after, tuple)
        and len(after) == 3
        and isinstance(after[0], date)
        and not isinstance(after[0], datetime)
    )
    if ok:
        for index in (1, 2):
            value = after[index]
            if type(value) is not str or len(value) > MAX_ID_LENGTH or text_problems(value):
                ok = False
    if not ok:
        message = "after must be the sort_key of a row: (due date, review id, key)"
        raise refuse("overdue", message, "after")


def check_task_cursor(after: Any) -> None:
    """Refuse a ``pending_tasks`` cursor that is not a task's ``sort_key``: (an aware
    date and time, a task id)."""
    ok = (
        isinstance(after, tuple)
        and len(after) == 2
        and isinstance(after[0], datetime)
        and after[0].utcoffset() is not None
        and type(after[1]) is str
        and 0 < len(after[1]) <= MAX_ID_LENGTH
        and not text_problems(after[1])
    )
    if ok:
        try:
            after[0].astimezone(UTC)  # a time that is one in UTC (not past its end)
        except OverflowError:
            ok = False
    if not ok:
        message = "after must be the sort_key of a task: (created_at, task id)"
        raise refuse("pending_tasks", message, "after")


def check_overdue(as_of: Any, within_days: Any, limit: Any, after: Any, today: date) -> date:
    """Refuse the arguments of :meth:`ReviewEngine.overdue
    <scr_engine.ReviewEngine.overdue>` it cannot use (a day that is not a date, a
    look-ahead or page size out of range, a cursor that is not a row's ``sort_key``, a
    look-ahead past the calendar's end); the day asked about (``today`` by default)."""
    if as_of is not None:
        check_day("overdue", as_of)
    check_count("overdue", within_days, "within_days", MAX_WITHIN_DAYS)
    check_count("overdue", limit, "limit", MAX_PAGE)
    if after is not None:
        check_cursor(after)
    day: date = as_of if as_of is not None else today
    try:
        day + timedelta(days=within_days)
    except OverflowError:
        raise refuse(
            "overdue", "as_of plus within_days is beyond the calendar", "within_days"
        ) from None
    return day


def raise_for(command: str, refusals: list[Refusal]) -> None:
    if not refusals:
        return
    kinds = {r.kind for r in refusals}
    if RefusalKind.INPUT in kinds:
        raise InvalidRequest(command, refusals)
    if RefusalKind.PERMISSION in kinds:
        raise PermissionDenied(command, refusals)
    raise TransitionRefused(command, refusals)


def check_retry(found: Event, command: Command, actor: Actor) -> None:
    """Refuse a retry that is not the very command ``found`` (the event stored with its
    idempotency key) recorded, by the same actor: :class:`InvalidRequest` on
    ``idempotency_key``. The day the command was accepted on, when the retry leaves it
    out, and an erasure's rewrites (the engine fills both in) are not compared."""
    _, payload, problems = check_shape(command)
    if payload is not None and found.command == "erase_personal_data":
        found = evolve(found, payload={**found.payload, "rewrites": payload.get("rewrites")})
    if payload is not None and payload.get("occurred_on") is None:
        # The day filled in when it was accepted (or none, for a receipt that day).
        payload = {k: v for k, v in payload.items() if k != "occurred_on"}
        if "occurred_on" in found.payload:
            payload["occurred_on"] = found.payload["occurred_on"]
    same = (
        not problems
        and payload is not None
        and found.actor_id == actor.id
        and found.command == payload.get("command")
        and canonical_json(without_numbering(found.payload))
        == canonical_json(without_numbering(payload))
    )
    if not same:
        message = (
            "this idempotency key was used for another command: a retry must send the very "
            "same command, as the same actor"
        )
        raise InvalidRequest(found.command, [Refusal.input(message, "idempotency_key")])
