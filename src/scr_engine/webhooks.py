"""Webhooks: the tasks a command emits, pushed to the Board's own system.

A store holds at most one webhook (:class:`Webhook`: a URL and where its shared
secret is kept), set with ``scr webhook set`` or
:meth:`ReviewStore.set_webhook <scr_engine.ReviewStore.set_webhook>`. While one is
set, every task a command emits (an RF-5 letter to an agency, a request for an IMR
writer …) is queued as a :class:`Delivery` in the same transaction as the command's
event: the *transactional outbox*. A command refused, or a save that fails, queues
nothing; a command recorded while a webhook is set always queues its deliveries. A
save made while none is set queues nothing (the store reads the webhook in the
save's own transaction), and a webhook set later gets the tasks emitted after it,
not those before (``/v1/tasks`` and ``pending_tasks`` list every task).

:func:`deliver_due` (run in the background by ``scr serve``, or once from cron by
``scr webhook deliver``) POSTs each due delivery's body, signed with HMAC-SHA256
(:func:`signature_headers`), and retries failures with exponential backoff and
jitter until :data:`MAX_ATTEMPTS` attempts, when the delivery is marked
:attr:`DeliveryStatus.FAILED`. Delivery is *at least once*: a receiver may see one
delivery more than once (its answer lost, two dispatchers racing) and de-duplicates
by the delivery's id, which never changes across attempts. A receiver checks every
request with :func:`verify_signature`; ``docs/service.md`` describes the scheme for
receivers in any language.

The secret is never kept in the database: the webhook names the file that holds it
(kept, like the tokens file, outside the store) and a fingerprint of it, so that one
who reads the database alone cannot sign a request the receiver would take
(``docs/decisions.md``).

>>> body = b'{"type":"task.created"}'
>>> headers = signature_headers("s" * 32, "dlv-1", 1_700_000_000, body)
>>> verify_signature("s" * 32, headers, body, now=1_700_000_010)
>>> try:
...     verify_signature("t" * 32, headers, body, now=1_700_000_010)
... except InvalidRequest as refused:
...     print(refused.refusals[0].message)
the signature does not match
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from attrs import evolve, frozen

from scr_engine.errors import InvalidRequest, StorageError
from scr_engine.errors.refusals import Refusal
from scr_engine.history import Event
from scr_engine.records import Task
from scr_engine.records.envelope import Envelope

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_TYPE",
    "MAX_ATTEMPTS",
    "MIN_SECRET_BYTES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE_SECONDS",
    "Delivery",
    "DeliveryReport",
    "DeliveryStatus",
    "Poster",
    "Webhook",
    "backoff",
    "check_delivery",
    "deliver_due",
    "deliveries_of",
    "delivery_id",
    "delivery_json",
    "lease_for",
    "post_json",
    "read_secret",
    "retry_delivery",
    "retry_failed",
    "sign",
    "signature_headers",
    "verify_signature",
]

DELIVERY_HEADER = "X-SCR-Delivery"
"""The header naming the delivery (the same on every attempt: de-duplicate by it)."""
TIMESTAMP_HEADER = "X-SCR-Timestamp"
"""The header with the attempt's time, Unix seconds (also inside the signature)."""
SIGNATURE_HEADER = "X-SCR-Signature"
"""The header ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``."""
EVENT_TYPE = "task.created"
"""The ``type`` of every delivery's body (the one kind of delivery there is)."""
MAX_ATTEMPTS = 15
"""Attempts before a delivery is given up as failed: with the defaults of
:func:`backoff`, between about 19 and 38 hours after the first."""
TOLERANCE_SECONDS = 300
"""How far a request's timestamp may be from the receiver's clock (five minutes)."""
MIN_SECRET_BYTES = 32
"""The shortest secret taken: 32 bytes (a fingerprint of a shorter one could be
guessed back)."""

_NAMESPACE = uuid.UUID("6f1b3f2e-2f4d-5b8e-9a51-7c1d0e3a9b42")
_MAX_URL = 2000


class DeliveryStatus(StrEnum):
    """Where a delivery stands. The string values are stable and never renamed."""

    PENDING = "pending"
    """Not delivered yet: it is tried at its next attempt time."""
    DELIVERED = "delivered"
    """The receiver answered 2xx."""
    FAILED = "failed"
    """Given up after :data:`MAX_ATTEMPTS` attempts (``scr webhook show`` lists it)."""


def _fingerprint(secret: str) -> str:
    digest = hashlib.sha256(b"scr-webhook-secret\x00" + secret.encode("utf-8"))
    return digest.hexdigest()[:16]


def read_secret(path: Path) -> str:
    """The secret kept in the file at ``path`` (its text, surrounding white space
    removed); :class:`~scr_engine.InvalidRequest` if it cannot be read or is shorter
    than :data:`MIN_SECRET_BYTES` bytes."""
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot read the secret file {path}: {exc}"
        raise InvalidRequest("webhook", [Refusal.input(message, "secret_file")]) from None
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        message = f"the secret in {path} must hold at least {MIN_SECRET_BYTES} bytes"
        raise InvalidRequest("webhook", [Refusal.input(message, "secret_file")])
    return secret


@frozen
class Webhook:
    """The store's webhook: where deliveries go and where the secret that signs them
    is kept (never the secret itself).

    A ``url`` that is not ``http(s)://`` or holds white space, or an empty
    ``secret_file`` or ``fingerprint``, raises :class:`~scr_engine.InvalidRequest`.
    """

    url: str
    """Where every delivery is POSTed (``https://`` outside a test)."""
    secret_file: str
    """The absolute path of the file holding the shared secret."""
    fingerprint: str
    """16 hex digits derived from the secret (it cannot be reversed into it): tells
    which secret was set, and a dispatcher refuses to sign with another one."""

    def __attrs_post_init__(self) -> None:
        problems: list[Refusal] = []
        url = self.url
        if type(url) is not str or not url.startswith(("https://", "http://")):
            problems.append(Refusal.input("the URL must start with https:// or http://", "url"))
        elif len(url) > _MAX_URL or any(ch <= " " or ch == "\x7f" for ch in url):
            problems.append(Refusal.input("the URL must be one short line, no spaces", "url"))
        for name in ("secret_file", "fingerprint"):
            value = getattr(self, name)
            if type(value) is not str or not value:
                problems.append(Refusal.input(f"{name} cannot be empty", name))
        if problems:
            raise InvalidRequest("webhook", problems)

    @classmethod
    def create(cls, url: str, secret_file: Path | str) -> Webhook:
        """The webhook for ``url`` with the secret kept in ``secret_file``, read now
        (:func:`read_secret`) to take its fingerprint."""
        path = Path(secret_file).absolute()
        return cls(url, str(path), _fingerprint(read_secret(path)))

    def secret(self, path: Path | str | None = None) -> str:
        """The secret, read from ``path`` (default: :attr:`secret_file`);
        :class:`~scr_engine.InvalidRequest` if the file holds another secret than the
        one set (its fingerprint differs)."""
        where = Path(path if path is not None else self.secret_file)
        secret = read_secret(where)
        if not hmac.compare_digest(_fingerprint(secret), self.fingerprint):
            message = f"the secret in {where} is not the one set for the webhook"
            raise InvalidRequest("webhook", [Refusal.input(message, "secret_file")])
        return secret

    def to_json(self) -> str:
        """The webhook as compact JSON (how a store keeps it)."""
        data = {"url": self.url, "secret_file": self.secret_file, "fingerprint": self.fingerprint}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Webhook:
        """The webhook :meth:`to_json` wrote; :class:`~scr_engine.InvalidRequest` for
        anything else."""
        try:
            data = json.loads(text)
            return cls(data["url"], data["secret_file"], data["fingerprint"])
        except (TypeError, ValueError, KeyError) as exc:
            message = f"not a webhook's JSON: {exc}"
            raise InvalidRequest("webhook", [Refusal.input(message, None)]) from None


@frozen
class Delivery:
    """One task to push, as the outbox keeps it.

    ``body`` is fixed when the task is queued, so every attempt sends the same bytes.
    It holds what the read policy lets the Board's own system see of any review: the
    task's id, kind, agency, rule and time, the review's id and reference, and the
    event's sequence and command; never a name, a date of birth or a narrative."""

    id: str
    """The delivery's id (``dlv-`` and a UUID derived from the task's id): the same on
    every attempt, what a receiver de-duplicates by."""
    task_id: str
    review_id: str
    sequence: int
    """The sequence of the event that emitted the task."""
    body: str
    """The JSON body POSTed (compact, keys sorted)."""
    created_at: datetime
    """When it was queued (the event's time), in UTC."""
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    """Attempts made so far."""
    next_attempt_at: datetime | None = None
    """When it is due next (None once delivered or failed), in UTC."""
    last_error: str | None = None
    """Why the last attempt failed (a status code or the error's class and text)."""
    delivered_at: datetime | None = None
    """When the receiver took it, in UTC."""

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """The order of :meth:`ReviewStore.deliveries <scr_engine.ReviewStore.deliveries>`."""
        return (self.created_at, self.id)


def delivery_id(task_id: str) -> str:
    """The delivery id of a task: ``dlv-`` and a UUID derived from the task's id (a
    task queued twice is one delivery)."""
    return f"dlv-{uuid.uuid5(_NAMESPACE, task_id)}"


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def deliveries_of(review: Envelope, event: Event, tasks: Sequence[Task]) -> list[Delivery]:
    """The deliveries a save queues: one per task (by id), in the order given, each
    due at the event's time."""
    at = _utc(event.at)
    found: dict[str, Delivery] = {}
    for task in tasks:
        ident = delivery_id(task.id)
        data = {
            "type": EVENT_TYPE,
            "delivery_id": ident,
            "task": {
                "id": task.id,
                "kind": task.kind.value,
                "agency": task.agency,
                "rule": task.rule,
                "detail": task.detail,
                "created_at": _utc(task.created_at).isoformat(),
            },
            "review": {"id": review.id, "reference": review.reference},
            "event": {"sequence": event.sequence, "command": event.command},
        }
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        found[ident] = Delivery(
            ident, task.id, review.id, event.sequence, body, at, next_attempt_at=at
        )
    return list(found.values())


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 of ``"<timestamp>."`` followed by ``body``, keyed by ``secret``
    (UTF-8), in hex."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_headers(secret: str, ident: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt: the delivery id, the timestamp and the signature
    ``t=<timestamp>,v1=<hex>``."""
    return {
        "Content-Type": "application/json",
        DELIVERY_HEADER: ident,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"t={timestamp},v1={sign(secret, timestamp, body)}",
    }


def _refused(message: str, field: str) -> InvalidRequest:
    return InvalidRequest("webhook_signature", [Refusal.input(message, field)])


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Check a delivery as its receiver: ``headers`` (any case of names) must carry
    ``X-SCR-Signature: t=…,v1=…`` whose ``v1`` is :func:`sign` of ``t`` and the
    ``body`` exactly as received, compared in constant time, and ``t`` within
    ``tolerance`` seconds of ``now`` (default: the system clock). Anything else
    raises :class:`~scr_engine.InvalidRequest` (``webhook_signature``): answer 400
    and do not act on it. Several ``v1`` values (a secret being rotated) pass if
    one matches."""
    found = {name.lower(): value for name, value in headers.items()}
    header = found.get(SIGNATURE_HEADER.lower())
    if header is None:
        raise _refused(f"no {SIGNATURE_HEADER} header", "signature")
    stamp: str | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            stamp = value
        elif name == "v1":
            candidates.append(value)
    digits = stamp is not None and stamp.isascii() and stamp.isdigit() and len(stamp) <= 15
    if stamp is None or not digits or not candidates:
        raise _refused(f"{SIGNATURE_HEADER} must be t=<seconds>,v1=<hex>", "signature")
    timestamp = int(stamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise _refused(
            f"the timestamp is more than {tolerance} seconds from now (replayed or stale)",
            "timestamp",
        )
    expected = sign(secret, timestamp, body)
    matched = False
    for candidate in candidates:
        # As bytes: compare_digest refuses a text with other characters than ASCII.
        given = candidate.lower().encode("utf-8", "surrogatepass")
        matched |= hmac.compare_digest(expected.encode("ascii"), given)
    if not matched:
        raise _refused("the signature does not match", "signature")


Poster = Callable[[str, bytes, Mapping[str, str], float], int]
"""How a delivery is sent: ``(url, body, headers, timeout) -> HTTP status``; it
raises (any :class:`Exception`) when no answer came."""


def post_json(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """The :data:`Poster` used by default: one POST with the standard library, no
    redirects followed (a redirect is an answer other than 2xx: retried later); the
    status of the answer. It takes at most ``timeout`` seconds in all: a receiver that
    sends its answer a byte at a time is cut off then (``TimeoutError``), as one that
    sends nothing is (:func:`scr_engine._http.bounded`)."""
    import urllib.error
    import urllib.request  # here: importing the library never loads HTTP

    from scr_engine._http import bounded

    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with bounded(request, timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


def backoff(
    attempts: int,
    rng: random.Random,
    *,
    base: float = 60.0,
    cap: float = 6 * 3600.0,
) -> timedelta:
    """The wait after ``attempts`` failed attempts: ``base`` doubled each time up to
    ``cap`` seconds, with "full jitter" (a uniform draw from half of it to all of it)
    so that many deliveries failing at once do not retry at once."""
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


@frozen
class DeliveryReport:
    """What one run of :func:`deliver_due` did, by delivery id."""

    delivered: tuple[str, ...] = ()
    retrying: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


class _Outbox(Protocol):
    """What :func:`deliver_due` needs of a store (a :class:`~scr_engine.ReviewStore`)."""

    def webhook(self) -> Webhook | None: ...  # pragma: no cover

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        due_by: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Delivery]: ...  # pragma: no cover

    def record_attempt(self, delivery: Delivery) -> None: ...  # pragma: no cover


def lease_for(timeout: float) -> timedelta:
    """How long a sender holds a delivery it is sending: twice the request's timeout
    and a minute more, so that a slow answer is not sent twice while it is awaited."""
    return timedelta(seconds=2 * timeout + 60)


class _Retrying(_Outbox, Protocol):
    """What :func:`retry_delivery` needs of a store: also one delivery by its id."""

    def delivery(self, delivery_id: str) -> Delivery | None: ...  # pragma: no cover


def deliver_due(
    store: _Outbox,
    *,
    now: Callable[[], datetime] | None = None,
    post: Poster = post_json,
    secret_file: Path | str | None = None,
    rng: random.Random | None = None,
    limit: int = 100,
    max_attempts: int = MAX_ATTEMPTS,
    timeout: float = 10.0,
) -> DeliveryReport:
    """Send every pending delivery due by ``now()`` (at most ``limit``), once each,
    and record each attempt: delivered on a 2xx answer; otherwise retried after
    :func:`backoff`, or failed after ``max_attempts`` attempts. Nothing is sent while
    the store has no webhook. The secret is read from ``secret_file`` (default: the
    webhook's own) and must be the one set (:meth:`Webhook.secret`).

    ``now`` (the system clock by default) and ``rng`` (the jitter) are injectable:
    tests move a clock rather than wait."""
    webhook = store.webhook()
    if webhook is None:
        return DeliveryReport()
    secret = webhook.secret(secret_file)
    clock = now or (lambda: datetime.now(UTC))
    draw = rng or random.Random()
    delivered: list[str] = []
    retrying: list[str] = []
    failed: list[str] = []
    claim: Callable[[Delivery, datetime], bool] | None = getattr(store, "claim_delivery", None)
    for delivery in store.deliveries(status=DeliveryStatus.PENDING, due_by=clock(), limit=limit):
        body = delivery.body.encode("utf-8")
        at = _utc(clock())
        # Leased while it is sent, so that another sender (a second `scr serve`)
        # skips it; one that dies holding it leaves it due again when the lease ends.
        if claim is not None and not claim(delivery, at + lease_for(timeout)):
            continue
        headers = signature_headers(secret, delivery.id, int(at.timestamp()), body)
        try:
            status = post(webhook.url, body, headers, timeout)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except Exception as exc:  # any failure to get an answer is retried
            error = f"{type(exc).__name__}: {exc}"[:500]
        attempts = delivery.attempts + 1
        if error is None:
            done = evolve(
                delivery,
                status=DeliveryStatus.DELIVERED,
                attempts=attempts,
                next_attempt_at=None,
                last_error=None,
                delivered_at=at,
            )
            delivered.append(delivery.id)
        elif attempts >= max_attempts:
            done = evolve(
                delivery,
                status=DeliveryStatus.FAILED,
                attempts=attempts,
                next_attempt_at=None,
                last_error=error,
            )
            failed.append(delivery.id)
        else:
            done = evolve(
                delivery,
                attempts=attempts,
                next_attempt_at=at + backoff(attempts, draw),
                last_error=error,
            )
            retrying.append(delivery.id)
        store.record_attempt(done)
    return DeliveryReport(tuple(delivered), tuple(retrying), tuple(failed))


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """A delivery as operators see it (``scr webhook deliveries``, ``GET
    /v1/webhook/deliveries``): its id, task, review, status, attempts, last error and
    times (ISO 8601, UTC; None where unset). Never its body: read the task through the
    engine."""

    def at(value: datetime | None) -> str | None:
        return None if value is None else _utc(value).isoformat()

    return {
        "id": delivery.id,
        "task_id": delivery.task_id,
        "review_id": delivery.review_id,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "next_attempt_at": at(delivery.next_attempt_at),
        "created_at": at(delivery.created_at),
        "delivered_at": at(delivery.delivered_at),
    }


def retry_delivery(store: _Retrying, ident: str, *, now: datetime) -> Delivery | None:
    """Make the delivery ``ident`` due at ``now``: a failed one pending again (one more
    attempt: failing again, it is marked failed again, since its attempts are kept), a
    pending one due at once instead of after its backoff. Returns the delivery as
    stored now, or None if the store queued none with that id. A delivery already
    delivered is refused with :class:`~scr_engine.InvalidRequest` (its receiver would
    drop it as a duplicate)."""
    found = store.delivery(ident)
    if found is None:
        return None
    if found.status is DeliveryStatus.DELIVERED:
        message = f"delivery {ident!r} was delivered; its receiver would drop it as a duplicate"
        raise InvalidRequest("webhook_retry", [Refusal.input(message, "delivery_id")])
    due = evolve(found, status=DeliveryStatus.PENDING, next_attempt_at=_utc(now))
    store.record_attempt(due)
    return due


def retry_failed(store: _Retrying, *, now: datetime) -> list[Delivery]:
    """:func:`retry_delivery` of every failed delivery, oldest first; the deliveries
    made due."""
    done: list[Delivery] = []
    seen: set[str] = set()
    while True:
        page = [
            d for d in store.deliveries(status=DeliveryStatus.FAILED, limit=100) if d.id not in seen
        ]
        if not page:
            return done
        for delivery in page:
            seen.add(delivery.id)
            retried = retry_delivery(store, delivery.id, now=now)
            if retried is not None:
                done.append(retried)


def check_delivery(delivery: object) -> Delivery:
    """Refuse anything but a :class:`Delivery` with :class:`~scr_engine.StorageError`."""
    if not isinstance(delivery, Delivery):
        raise StorageError(f"a delivery must be a Delivery, not {type(delivery).__name__}")
    return delivery
