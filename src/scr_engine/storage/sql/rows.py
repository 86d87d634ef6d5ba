"""Row codecs of the SQL store: records to rows and back, by column name.

Each codec is made from a table of :mod:`scr_engine.storage.schema`: its columns are
the table's (``schema.<table>.c``), in the table's order, and each column's value is
the record's attribute of the same name unless the codec names a conversion for it
(one line per column that needs one). Dates are converted by the column's type. The
statements of :mod:`.statements` take their column lists from the same codecs, so a
column added to a table is written, read and cast without anything else counting
columns. See the storage guide (``docs/sql-store.md``) for a worked example.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any, Generic, TypeAlias, TypeVar

import sqlalchemy as sa

from scr_engine.access import AccessEntry
from scr_engine.errors import StorageError
from scr_engine.history import Event
from scr_engine.records import Role, Task, TaskKind
from scr_engine.records.envelope import Envelope
from scr_engine.serialization import canonical_json
from scr_engine.states.stages import Stage
from scr_engine.storage import schema
from scr_engine.storage.port import DeadlineRow, StoredReview
from scr_engine.storage.sql.review_json import _decode_review
from scr_engine.webhooks import Delivery

T = TypeVar("T")

REVIEW_COLUMNS = tuple(c.name for c in schema.reviews.c)
"""The columns of ``scr_reviews``, in the order :attr:`_Sql.insert_review` takes them."""
_DEADLINE_KEY = ("review_id", "key")
DEADLINE_COLUMNS = tuple(c.name for c in schema.deadlines.c if c.name not in _DEADLINE_KEY)
"""The columns of ``scr_deadlines`` besides its key (review_id, key), in the order of
the tuples :meth:`_Sql.deadline_values` makes."""
DEADLINE_ROW_COLUMNS = tuple(c.name for c in schema.deadlines.c if c.name != "running")
"""The columns a :class:`DeadlineRow` is read from (``running`` is its property)."""


def _utc_text(at: datetime) -> str:
    """Fixed-width UTC ISO text: sorts in time order."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise StorageError(f"a stored time must carry a time zone, not {at.isoformat()}")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _iso_date(value: date) -> str:
    """A date as SQLAlchemy's SQLite ``Date`` stores it (``YYYY-MM-DD``)."""
    if type(value) is date:
        return value.isoformat()
    if not isinstance(value, date):
        raise StorageError(f"a stored date must be a date, not {type(value).__name__}")
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _unchanged(value: Any) -> Any:
    """The value as it is: the conversion of a column the driver stores as given."""
    return value


def _or_none(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def converted(value: Any) -> Any:
        return None if value is None else convert(value)

    return converted


def by_name(row: Any, columns: Sequence[str]) -> dict[str, Any]:
    """A row's values by column name: ``row`` is a SQLAlchemy row (read by name) or a
    sequence of values in ``columns`` order (a prebuilt statement's, which selects
    exactly those columns)."""
    if type(row) is not tuple:
        mapping = getattr(row, "_mapping", None)
        if mapping is not None:
            return {name: mapping[name] for name in columns}
    return dict(zip(columns, row, strict=True))


Conversion: TypeAlias = tuple[Callable[[Any], Any], Callable[[Any], Any]]
"""How an attribute's value becomes its column's and back: ``(to_column, from_column)``
(``None`` passes unconverted in a nullable column)."""


def enum(kind: Callable[[Any], Any]) -> Conversion:
    """An enumeration stored as its value."""
    return attrgetter("value"), kind


UTC_TIME: Conversion = (_utc_text, datetime.fromisoformat)
"""A time stored as fixed-width UTC text (:func:`_utc_text`)."""


class RowCodec(Generic[T]):
    """Records of type ``kind`` as rows of ``table``, by column name.

    :param columns: the columns the codec writes and reads (all the table's, in its
        order, by default).
    :param convert: per column whose attribute's value needs converting, how (one
        line per such column); date columns are converted by their type.
    :param encode: per column whose value depends on more than its attribute, how to
        get it from the record (the codec then reads the column unconverted).
    :param fields: per column, the record's attribute when its name differs.
    :param sqlite: dates as SQLite holds them (ISO text) rather than as ``date``.
    """

    def __init__(
        self,
        kind: Callable[..., T],
        table: sa.Table,
        *,
        columns: Iterable[str] | None = None,
        convert: Mapping[str, Conversion] | None = None,
        encode: Mapping[str, Callable[[T], Any]] | None = None,
        fields: Mapping[str, str] | None = None,
        sqlite: bool = True,
    ) -> None:
        convert, encode, fields = dict(convert or {}), dict(encode or {}), dict(fields or {})
        names = tuple(c.name for c in table.c) if columns is None else tuple(columns)
        named = set(convert) | set(encode) | set(fields)
        unknown = (set(names) | named) - set(table.c.keys())
        if unknown or not named <= set(names):
            raise ValueError(f"{table.name}: columns {sorted(named - set(names))} not in the codec")
        self.kind = kind
        self.table = table
        self.columns = names
        """The codec's columns, in the table's order (or as given)."""
        self.fields = {name: fields.get(name, name) for name in names}
        """Each column's attribute of the record."""
        parts: list[str] = []  # the row's values, as expressions of the record ``r``
        scope: dict[str, Any] = {}
        decoders: list[Callable[[Any], Any]] = []
        dates: Conversion = (_iso_date, date.fromisoformat) if sqlite else (_unchanged, _unchanged)
        for name in names:
            column = table.c[name]
            to_db, from_db = convert.get(
                name, dates if isinstance(column.type, sa.Date) else (_unchanged, _unchanged)
            )
            if column.nullable and to_db is not _unchanged:
                to_db, from_db = _or_none(to_db), _or_none(from_db)
            field = self.fields[name]
            if not field.isidentifier():
                raise ValueError(f"{field!r} is not an attribute name")
            getter = encode.get(name)
            if getter is not None:
                scope[f"_e{len(parts)}"] = getter
                parts.append(f"_e{len(parts)}(r)")
            elif to_db is _unchanged:
                parts.append(f"r.{field}")
            else:
                scope[f"_c{len(parts)}"] = to_db
                parts.append(f"_c{len(parts)}(r.{field})")
            decoders.append(from_db)
        # One function making the whole row, a tuple display as if written by hand
        # (a save encodes its event and tasks this way, on the hot path); its text is
        # made of attribute names checked above and the names in ``scope``.
        self.values: Callable[[T], tuple[Any, ...]] = eval(
            f"lambda r: ({', '.join(parts)},)", scope
        )
        """The record's row, in :attr:`columns` order."""
        self._decoders = tuple(zip(names, (self.fields[n] for n in names), decoders, strict=True))

    def named(self, record: T) -> dict[str, Any]:
        """The record's row by column name."""
        return dict(zip(self.columns, self.values(record), strict=True))

    def attributes(self, row: Any) -> dict[str, Any]:
        """A row's decoded values by the record's attribute names (``row`` as for
        :func:`by_name`)."""
        values = by_name(row, self.columns)
        return {field: convert(values[name]) for name, field, convert in self._decoders}

    def decode(self, row: Any) -> T:
        """The record of a row (``row`` as for :func:`by_name`)."""
        return self.kind(**self.attributes(row))


# --------------------------------------------------------------------------- events


def _v2_json(name: str) -> Callable[[Event], str | None]:
    """A mapping of a format-2 event as canonical JSON (None for format 1)."""
    get = attrgetter(name)

    def encode(event: Event) -> str | None:
        return canonical_json(get(event)) if event.format != 1 else None

    return encode


EVENTS: RowCodec[Event] = RowCodec(
    Event,
    schema.events,
    encode={
        "at": lambda e: e.at.isoformat(),
        "role": lambda e: e.role.value,
        "payload": lambda e: canonical_json(e.payload),
        "stage_before": lambda e: None if e.stage_before is None else str(e.stage_before),
        "stage_after": lambda e: str(e.stage_after),
        "commitments": _v2_json("commitments"),
        "salts": _v2_json("salts"),
    },
    fields={"idempotency_key": "key"},
)
"""Events as ``scr_events`` rows (decoded by :func:`_decode_event`, which checks
each value's type as the converter would)."""

EVENT_COLUMNS = EVENTS.columns
"""The columns of ``scr_events``, in the order of the store's event tuples."""

_ROLES = {role.value: role for role in Role}
_STAGES = {stage.value: stage for stage in Stage}
_TEXT = ("review_id", "at", "actor_id", "command", "payload", "prev_hash", "hash")
"""Event columns that must hold text (role and stages are looked up by their text)."""


def _stage(code: Any) -> str:
    """A stage column's value: the SCR's :class:`Stage` for its codes, another
    protocol's code as text (``TypeError`` for what is not text)."""
    if type(code) is not str:
        raise TypeError("a stage is text")
    return _STAGES.get(code, code)


def _text_or_none(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _event_values(event: Event) -> tuple[Any, ...]:
    """An event's row, in :data:`EVENT_COLUMNS` order."""
    return EVENTS.values(event)


def _decode_event(row: Any) -> Event:
    """An event from its row (a SQLAlchemy row, or a sequence in
    :data:`EVENT_COLUMNS` order), read by column name and built directly, one line per
    attribute (the row's types are checked here, as the converter would);
    :class:`StorageError` when the row cannot be read."""
    try:
        v = by_name(row, EVENT_COLUMNS)
        for name in _TEXT:
            if type(v[name]) is not str:
                raise TypeError(f"expected text, got {type(v[name]).__name__}")
        fmt = v["format"]
        if type(v["sequence"]) is not int or type(fmt) is not int:
            raise TypeError("sequence and format must be integers")
        when = datetime.fromisoformat(v["at"])
        if when.tzinfo is None:
            raise ValueError("an event time must carry a time zone")
        data = json.loads(v["payload"])
        if type(data) is not dict:
            raise TypeError("a payload must be a JSON object")
        state, state_salt = v["state"], v["state_salt"]
        if fmt == 1:
            state = state_salt = None
            kept: dict[str, Any] = {}
            committed: dict[str, Any] = {}
        else:
            committed = json.loads(_text_or_none(v["commitments"]) or "{}")
            kept = json.loads(_text_or_none(v["salts"]) or "{}")
            if (
                type(committed) is not dict
                or type(kept) is not dict
                or not all(
                    type(k) is str and type(value) is str
                    for mapping in (committed, kept)
                    for k, value in mapping.items()
                )
            ):
                raise TypeError("commitments and salts must map text to text")
            _text_or_none(state)
            _text_or_none(state_salt)
        before = v["stage_before"]
        return Event(  # each attribute from its column, by name
            review_id=v["review_id"],
            sequence=v["sequence"],
            at=when,
            actor_id=v["actor_id"],
            role=_ROLES[v["role"]],
            command=v["command"],
            payload=data,
            stage_before=None if before is None else _stage(before),
            stage_after=_stage(v["stage_after"]),
            prev_hash=v["prev_hash"],
            hash=v["hash"],
            state=state,
            commitments=committed,
            salts=kept,
            state_salt=state_salt,
            format=fmt,
            key=_text_or_none(v["idempotency_key"]),
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise StorageError(f"a stored event cannot be read: {exc!r}") from exc


# --------------------------------------------------------------------------- tasks

TASKS: RowCodec[Task] = RowCodec(
    Task,
    schema.tasks,
    columns=[c.name for c in schema.tasks.c if c.name not in ("completed_at", "completion")],
    convert={"kind": enum(TaskKind), "created_at": UTC_TIME},
)
"""Tasks as the ``scr_tasks`` rows a save writes (the completion columns are the
host's: :meth:`~scr_engine.storage.sql.SqlStore.complete_task` sets them)."""

TASK_COLUMNS = TASKS.columns
"""The columns of ``scr_tasks`` a save writes, in the order of :func:`_task_values`."""


def _task_values(tasks: Sequence[Task]) -> list[tuple[Any, ...]]:
    """The tasks' rows, in :data:`TASK_COLUMNS` order."""
    return [TASKS.values(task) for task in tasks]


def _decode_task(row: Any) -> Task:
    try:
        return TASKS.decode(row)
    except ValueError as exc:
        raise StorageError(f"a stored task cannot be read: {exc}") from exc


def completion_digest(task_id: str, completed_at: str) -> str:
    """What ``scr_tasks.completion`` holds beside a completion time: a digest of the
    task id and that time, so that a completion time set or changed alone is found
    by :meth:`~scr_engine.ReviewEngine.verify`."""
    text = f"scr-task-done:1\x00{task_id}\x00{completed_at}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _task_of(task_id: str, review_id: str) -> bool:
    """Whether a task id is one the engine makes for this review
    (``<review>:<version>:<kind>:<agency>``)."""
    rest = task_id[len(review_id) + 1 :] if task_id.startswith(review_id + ":") else ""
    return rest.split(":", 1)[0].isdigit()


# --------------------------------------------------------------------------- access

ACCESSES: RowCodec[AccessEntry] = RowCodec(
    AccessEntry,
    schema.access_log,
    convert={"at": UTC_TIME, "granted": (_unchanged, bool)},
)
"""Access-log entries as ``scr_access_log`` rows."""


def _decode_access(row: Any) -> AccessEntry:
    try:
        return ACCESSES.decode(row)
    except (ValueError, TypeError) as exc:
        raise StorageError(f"a stored access entry cannot be read: {exc}") from exc


# --------------------------------------------------------------------------- stored


def _stored_review(
    review_id: str,
    row: Any,
    event_rows: list[Any],
    task_rows: list[Any],
    deadline_rows: list[Any],
    access_rows: list[Any],
    decode_deadlines: Callable[[Sequence[Sequence[Any]]], list[DeadlineRow]],
) -> StoredReview:
    """Everything held of one review, from its rows (each read by column name),
    unchecked: what cannot be decoded is reported, not raised."""
    review: Envelope | None = None
    problem = None if row is not None else "the review row is missing"
    if row is not None:
        try:
            review = _decode_review(row.data)
        except StorageError as exc:
            problem = str(exc)
    events: tuple[Event, ...] = ()
    events_problem = None
    try:
        events = tuple(_decode_event(found) for found in event_rows)
    except StorageError as exc:
        events_problem = str(exc)
    tasks = []
    faults: list[str] = []
    for found in task_rows:
        try:
            task = _decode_task(found)
        except StorageError as exc:
            events_problem = events_problem or str(exc)
            continue
        tasks.append(task)
        if found.created_at != _utc_text(task.created_at):  # the order pages use
            faults.append(f"task {task.id}'s creation time is not in its stored form")
        done, proof = found.completed_at, found.completion
        if (done is None) != (proof is None) or (
            done is not None and proof != completion_digest(task.id, done)
        ):
            faults.append(f"task {task.id}'s completion record was altered")
    try:
        rows = decode_deadlines(
            [tuple(by_name(r, DEADLINE_ROW_COLUMNS).values()) for r in deadline_rows]
        )
    except StorageError as exc:
        rows = []
        faults.append(str(exc))
    flags: dict[str, Any] = {r._mapping["key"]: r._mapping["running"] for r in deadline_rows}
    for deadline in rows:
        if flags.get(deadline.key) != int(deadline.running):
            faults.append(f"deadline {deadline.key}'s running flag disagrees with its status")
    accesses: list[AccessEntry] = []
    access_problem = None
    try:
        accesses = [_decode_access(found) for found in access_rows]
    except StorageError as exc:
        access_problem = str(exc)
    if row is not None and review is not None:
        stored_copies = (row.reference, row.settings_version, str(row.received_on))
        expected = (review.reference, review.settings_version, review.received_on.isoformat())
        if stored_copies != expected:
            faults.append(
                "the reference, settings_version or received_on column disagrees with "
                "the stored review"
            )
    return StoredReview(
        review_id,
        review,
        problem,
        events,
        events_problem,
        tuple(rows),
        tuple(tasks),
        row.stage if row is not None else None,
        row.version if row is not None else None,
        (row.head or "") if row is not None else None,
        tuple(faults) + ((access_problem,) if access_problem else ()),
        tuple(accesses),
    )


WEBHOOK_KEY = "webhook"
"""The key of the store's webhook in ``scr_store_settings``: a save queues its
deliveries only while a row of this key exists (read in the save's transaction)."""

DELIVERY_COLUMNS = tuple(c.name for c in schema.webhook_deliveries.c)
"""The columns of ``scr_webhook_deliveries``, in the order of :func:`delivery_values`."""


def _time(at: datetime | None) -> str | None:
    return None if at is None else _utc_text(at)


def delivery_values(delivery: Delivery) -> tuple[Any, ...]:
    """A delivery's row, in :data:`DELIVERY_COLUMNS` order."""
    d = delivery
    return (
        d.id,
        d.task_id,
        d.review_id,
        d.sequence,
        d.body,
        _utc_text(d.created_at),
        d.status.value,
        d.attempts,
        _time(d.next_attempt_at),
        d.last_error,
        _time(d.delivered_at),
    )
