"""Webhooks (issue 22, item 5): every task a command emits is queued in the command's
own transaction and pushed, signed, to a real receiver; retried with backoff until it
is taken (the same delivery id each time, so the receiver can de-duplicate); and a
forged, re-keyed or stale signature is refused by :func:`verify_signature`. On
SQLite and PostgreSQL; clocks are moved, never waited on."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import commands as c
from scr_engine.clock import FixedClock
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.engine import ReviewEngine
from scr_engine.errors import InvalidRequest, ScrEngineError
from scr_engine.service.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    Dispatcher,
    sign,
    signature_headers,
    verify_signature,
)
from scr_engine.storage.sql import SqlStore
from scr_engine.testing import START
from scr_engine.webhooks import (
    MIN_SECRET_BYTES,
    DeliveryReport,
    DeliveryStatus,
    Webhook,
    backoff,
    deliver_due,
    delivery_id,
)
from support.clitools import Scr, scr
from support.postgres import postgres_schema
from support.receiver import Receiver, receiving

__all__ = ["scr"]  # the fixture, for pytest

SECRET = "whsec-" + "k3y" * 12


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A new, empty SQL store for each test."""
    if request.param == "sqlite":
        with SqlStore(f"sqlite:///{tmp_path / 'scr.db'}", migrate="create") as found:
            yield found
    else:
        with postgres_schema() as url, SqlStore(url, migrate="create") as found:
            yield found


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "webhook-secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def _confirmed(engine: ReviewEngine) -> str:
    """A review confirmed: the command that emits the RF-5 letters, one per agency."""
    review = engine.submit(demo_request(), REQUESTER)
    engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
    return review.id


def _check(received: Receiver, now: datetime) -> list[dict[str, object]]:
    """Every request the receiver got, verified as a receiver would, parsed."""
    bodies = []
    for got in received.received:
        verify_signature(SECRET, got.headers, got.body, now=now.timestamp())
        bodies.append(json.loads(got.body))
    return bodies


def test_a_command_s_tasks_reach_the_receiver_signed(store: SqlStore, secret_file: Path) -> None:
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    with receiving() as receiver:
        store.set_webhook(Webhook.create(receiver.url, secret_file))
        review_id = _confirmed(engine)
        tasks = {state.task.id: state.task for state in engine.tasks(review_id)}
        assert tasks
        queued = store.deliveries()
        assert {d.task_id for d in queued} == set(tasks)
        report = deliver_due(store, now=clock.now)
        assert sorted(report.delivered) == sorted(d.id for d in queued)
        bodies = _check(receiver, clock.now())
    assert {b["task"]["id"] for b in bodies} == set(tasks)  # type: ignore[index]
    for body, got in zip(bodies, receiver.received, strict=True):
        task = tasks[body["task"]["id"]]  # type: ignore[index]
        assert body["type"] == "task.created"
        assert body["delivery_id"] == got.headers[DELIVERY_HEADER.lower()]
        assert body["review"]["id"] == review_id  # type: ignore[index]
        assert body["task"]["agency"] == task.agency  # type: ignore[index]
        assert body["task"]["kind"] == task.kind.value  # type: ignore[index]
        assert got.path == "/hooks/scr"
    # Nothing personal: not the requester's name, nor the request's narrative.
    request = demo_request()
    text = b"".join(got.body for got in receiver.received).decode()
    assert request.signed_name not in text
    assert request.how_meets_criteria[:40] not in text
    assert all(d.status is DeliveryStatus.DELIVERED for d in store.deliveries())
    assert deliver_due(store, now=clock.now).delivered == ()  # delivered once, not again


def test_a_receiver_failing_twice_gets_the_same_delivery_again(
    store: SqlStore, secret_file: Path
) -> None:
    """At least once: the receiver answers 500, then 502; then no answer comes in
    time; then it answers 200. Each attempt carries the same delivery id and body,
    each signed at its own time; nothing is tried before its backoff is over."""
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    failures: list[int] = []

    with receiving([500, 502]) as receiver:
        store.set_webhook(Webhook.create(receiver.url, secret_file))
        review_id = _confirmed(engine)
        first = store.deliveries(limit=1)[0]
        for other in store.deliveries()[1:]:  # only the first one is followed here
            store.record_attempt(evolve(other, status=DeliveryStatus.DELIVERED))

        def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
            from scr_engine.webhooks import post_json

            if len(receiver.received) == 2 and not failures:
                failures.append(1)
                raise TimeoutError("no answer in time")
            return post_json(url, body, headers, timeout)

        rng = random.Random(7)
        times = []
        for _ in range(4):
            now = clock.now()
            report = deliver_due(store, now=clock.now, post=post, rng=rng)  # type: ignore[arg-type]
            times.append(now)
            assert deliver_due(store, now=clock.now, post=post).delivered == ()  # not yet due
            stored = next(d for d in store.deliveries() if d.id == first.id)
            if stored.status is DeliveryStatus.PENDING:
                assert stored.next_attempt_at is not None and stored.next_attempt_at > now
                clock.advance(seconds=(stored.next_attempt_at - now).total_seconds())
        assert report.delivered == (first.id,)
    assert len(receiver.received) == 3  # the one that timed out never reached it
    for got, at in zip(receiver.received, (times[0], times[1], times[3]), strict=True):
        verify_signature(SECRET, got.headers, got.body, now=at.timestamp())
        assert got.headers[DELIVERY_HEADER.lower()] == first.id
        assert got.body == first.body.encode()
    done = next(d for d in store.deliveries() if d.id == first.id)
    assert (done.status, done.attempts, done.last_error) == (DeliveryStatus.DELIVERED, 4, None)
    assert review_id == done.review_id


def test_a_receiver_de_duplicates_a_delivery_sent_twice_by_its_id(
    store: SqlStore, secret_file: Path
) -> None:
    """At least once: the receiver takes every delivery but its answers are lost, so
    every one is sent again. Each copy carries the same ``X-SCR-Delivery`` (the UUID 5
    of its task's id, :func:`delivery_id`) and the same body, so a receiver that keeps
    the ids it has seen acts on each task once."""
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    with receiving() as receiver:
        store.set_webhook(Webhook.create(receiver.url, secret_file))
        review_id = _confirmed(engine)

        def lost(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
            from scr_engine.webhooks import post_json

            post_json(url, body, headers, timeout)  # taken: the answer never comes back
            raise TimeoutError("no answer in time")

        first = deliver_due(store, now=clock.now, post=lost)  # type: ignore[arg-type]
        clock.advance(days=1)
        second = deliver_due(store, now=clock.now)
    assert sorted(first.retrying) == sorted(second.delivered)
    tasks = {state.task.id for state in engine.tasks(review_id)}
    assert len(receiver.received) == 2 * len(tasks)
    kept: dict[str, bytes] = {}
    for got in receiver.received:
        ident = got.headers[DELIVERY_HEADER.lower()]
        body = json.loads(got.body)
        assert ident == body["delivery_id"] == delivery_id(body["task"]["id"])
        assert kept.setdefault(ident, got.body) == got.body  # a copy: the same bytes
    assert {json.loads(body)["task"]["id"] for body in kept.values()} == tasks


def test_two_senders_at_once_send_each_delivery_once(store: SqlStore, secret_file: Path) -> None:
    """Two ``scr serve`` processes share one outbox: while the first is sending a
    delivery, the second runs through everything due. Each delivery is leased to the
    one that claims it first, so the receiver gets each once, and both senders' reports
    together name each once."""
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    with receiving() as receiver:
        store.set_webhook(Webhook.create(receiver.url, secret_file))
        _confirmed(engine)
        queued = {d.id for d in store.deliveries()}
        assert len(queued) >= 2
        from scr_engine.webhooks import post_json

        second: list[DeliveryReport] = []

        def slow(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
            if not second:  # the other sender runs while this one waits for its answer
                second.append(deliver_due(store, now=clock.now, secret_file=secret_file))
            return post_json(url, body, headers, timeout)

        first = deliver_due(store, now=clock.now, post=slow, secret_file=secret_file)
    sent = [got.headers[DELIVERY_HEADER.lower()] for got in receiver.received]
    assert sorted(sent) == sorted(queued)  # each once
    both = [*first.delivered, *second[0].delivered]
    assert sorted(both) == sorted(queued)
    assert all(d.status is DeliveryStatus.DELIVERED for d in store.deliveries())


def test_a_delivery_never_taken_is_given_up_as_failed(store: SqlStore, secret_file: Path) -> None:
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    with receiving([503] * 100) as receiver:
        store.set_webhook(Webhook.create(receiver.url, secret_file))
        _confirmed(engine)
        count = len(store.deliveries())
        for _ in range(3):
            deliver_due(store, now=clock.now, max_attempts=3)
            clock.advance(days=2)
    failed = store.deliveries(status=DeliveryStatus.FAILED)
    assert len(failed) == count
    assert all(d.attempts == 3 and d.last_error == "HTTP 503" for d in failed)
    assert len(receiver.received) == 3 * count
    assert deliver_due(store, now=clock.now).failed == ()


def test_the_outbox_is_written_with_the_command_or_not_at_all(
    store: SqlStore, secret_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused command queues nothing; a save whose deliveries cannot be written
    records neither the event nor its tasks (one transaction)."""
    clock = FixedClock(START)
    engine = ReviewEngine(store, clock)
    store.set_webhook(Webhook.create("https://cases.council.example/hooks", secret_file))
    review = engine.submit(demo_request(), REQUESTER)
    with pytest.raises(ScrEngineError):
        engine.execute(review.id, c.ConfirmReview("too early"), BOARD_CHAIR)
    engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    assert store.deliveries() == []

    import scr_engine.storage.sql.store as sql_store
    from scr_engine.webhooks import deliveries_of

    def broken(*args: object) -> list[object]:
        return [evolve(d, body=None) for d in deliveries_of(*args)]  # type: ignore[arg-type]

    monkeypatch.setattr(sql_store, "deliveries_of", broken)
    version = store.load(review.id).version
    with pytest.raises(ScrEngineError):
        engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
    assert store.load(review.id).version == version
    assert store.tasks(review.id) == []
    assert store.deliveries() == []
    monkeypatch.undo()
    engine.execute(review.id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
    assert {d.task_id for d in store.deliveries()} == {s.task.id for s in store.tasks(review.id)}


def test_the_dispatcher_of_scr_serve_delivers_in_the_background(
    store: SqlStore, secret_file: Path
) -> None:
    engine = ReviewEngine(store, FixedClock(START))
    with receiving() as receiver:
        store.set_webhook(Webhook.create(receiver.url, secret_file))
        _confirmed(engine)
        dispatcher = Dispatcher(store, interval=0.05)
        dispatcher.start()
        try:
            assert receiver.arrived.wait(60)
        finally:
            dispatcher.stop()
        verify_signature(SECRET, receiver.received[0].headers, receiver.received[0].body)


# Security (issue 22, proof): a forged webhook signature is refused.

NOW = 1_800_000_000
BODY = b'{"delivery_id":"dlv-1","type":"task.created"}'


def _headers(secret: str = SECRET, at: int = NOW, body: bytes = BODY) -> dict[str, str]:
    return signature_headers(secret, "dlv-1", at, body)


def _refused(headers: dict[str, str], body: bytes = BODY, **kwargs: int) -> str | None:
    try:
        verify_signature(SECRET, headers, body, now=NOW, **kwargs)
    except InvalidRequest as exc:
        assert exc.refusals
        return exc.refusals[0].field
    return None


def test_a_forged_webhook_signature_is_refused() -> None:
    assert _refused(_headers()) is None
    assert _refused({k.lower(): v for k, v in _headers().items()}) is None  # any case
    assert _refused(_headers(secret="another secret of enough length....")) == "signature"
    assert _refused(_headers(), body=BODY + b" ") == "signature"
    forged = _headers()
    forged[SIGNATURE_HEADER] = f"t={NOW},v1={'0' * 64}"
    assert _refused(forged) == "signature"
    # The timestamp is signed: moving it to look fresh breaks the signature.
    moved = _headers(at=NOW - 3600)
    moved[SIGNATURE_HEADER] = moved[SIGNATURE_HEADER].replace(f"t={NOW - 3600}", f"t={NOW}")
    assert _refused(moved) == "signature"
    assert _refused(_headers(at=NOW - 301)) == "timestamp"  # stale: a replay
    assert _refused(_headers(at=NOW + 301)) == "timestamp"
    assert _refused(_headers(at=NOW - 3600), tolerance=7200) is None
    for bad in ("", "t=,v1=", f"t={NOW}", "v1=abc", f"t=-{NOW},v1=00", f"t={NOW};v1=00"):
        assert _refused({SIGNATURE_HEADER: bad}) == "signature"
    # Refused too, never a TypeError or ValueError: not ASCII, or too many digits.
    for bad in (f"t={NOW},v1=\u00e9\u00e9", f"t={NOW},v1=\ud800", f"t={'1' * 5000},v1=00"):
        assert _refused({SIGNATURE_HEADER: bad}) == "signature"
    assert _refused({}) == "signature"
    rotated = _headers()
    good = rotated[SIGNATURE_HEADER].split(",")[1]
    rotated[SIGNATURE_HEADER] = f"t={NOW},v1={'f' * 64},{good}"
    assert _refused(rotated) is None


@given(st.binary(max_size=200), st.binary(min_size=1, max_size=20))
def test_any_change_to_a_signed_body_is_refused(body: bytes, extra: bytes) -> None:
    headers = _headers(body=body)
    assert _refused(headers, body=body) is None
    assert _refused(headers, body=body + extra) == "signature"
    assert sign(SECRET, NOW, body) == headers[SIGNATURE_HEADER].split("v1=")[1]


def test_a_receiver_dribbling_its_answer_is_cut_off_at_the_timeout() -> None:
    """ "No answer in 10 seconds" holds for a receiver that sends its answer a byte at a
    time, too (each byte within the socket's timeout): the attempt ends at the
    timeout, and is retried."""
    from scr_engine.webhooks import post_json

    with receiving() as receiver:
        receiver.drip = 0.2
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            post_json(receiver.url, BODY, {"Content-Type": "application/json"}, 1.0)
        assert time.monotonic() - started < 3
        assert [r.body for r in receiver.received] == [BODY]
        receiver.drip = 0.0
        assert post_json(receiver.url, BODY, {"Content-Type": "application/json"}, 1.0) == 200


def test_backoff_grows_with_jitter_up_to_its_cap() -> None:
    rng = random.Random(1)
    for attempts in range(1, 30):
        wait = backoff(attempts, rng).total_seconds()
        ceiling = min(6 * 3600.0, 60.0 * 2 ** (attempts - 1))
        assert ceiling / 2 <= wait <= ceiling


def test_a_webhook_keeps_no_secret_and_refuses_a_changed_one(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(SECRET, encoding="utf-8")
    hook = Webhook.create("https://council.example/scr", path)
    assert SECRET not in hook.to_json()
    assert hook.secret() == SECRET
    path.write_text("x" * MIN_SECRET_BYTES, encoding="utf-8")
    with pytest.raises(InvalidRequest):
        hook.secret()
    path.write_text("short", encoding="utf-8")
    with pytest.raises(InvalidRequest):
        Webhook.create("https://council.example/scr", path)
    for url in ("ftp://council.example/", "https://council.example/a b", "council.example"):
        with pytest.raises(InvalidRequest):
            Webhook(url, str(path), "0" * 16)


def test_scr_webhook_sets_shows_delivers_and_removes(scr: Scr) -> None:
    scr.ready()
    secret = scr.write("hook-secret", SECRET)
    with receiving() as receiver:
        hook = scr.json("webhook", "set", "--url", receiver.url, "--secret-file", secret)
        assert hook["webhook"]["url"] == receiver.url
        shown = scr.json("webhook", "show")
        assert SECRET not in json.dumps(shown)
        assert shown["webhook"] == hook["webhook"] and shown["pending"] == []
        review = scr.submit()
        store = SqlStore(f"sqlite:///{scr.folder / 'scr.sqlite3'}")
        with store:
            engine = ReviewEngine(store)
            engine.execute(
                review["id"], c.RecordChairNotified(datetime.now(UTC).date()), BUSINESS_MANAGER
            )
            engine.execute(review["id"], c.AssessCriteria(), BOARD_CHAIR)
            engine.execute(review["id"], c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        pending = scr.json("webhook", "show")["pending"]
        assert pending and all(d["status"] == "pending" for d in pending)
        sent = scr.json("webhook", "deliver")
        assert sorted(sent["delivered"]) == sorted(d["id"] for d in pending)
        _check(receiver, datetime.now(UTC))
    assert scr.json("webhook", "show")["pending"] == []
    assert scr.json("webhook", "remove") == {"removed": True}
    assert scr.json("webhook", "show")["webhook"] is None
    short = scr.write("short-secret", "short")
    refused = scr.json(
        "webhook", "set", "--url", "https://x.example/", "--secret-file", short, code=2
    )
    assert "32 bytes" in refused["error"]["message"]
