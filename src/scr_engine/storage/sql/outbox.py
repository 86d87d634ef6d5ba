"""The SQL store's webhook: its setting (``scr_store_settings``, key ``webhook``) and
its outbox (``scr_webhook_deliveries``): the rows a save queues, in the save's own
transaction and only while a webhook is set, and what the dispatcher reads and
records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scr_engine.errors import InvalidRequest, StorageError
from scr_engine.storage import schema
from scr_engine.storage.port import check_page, check_webhook
from scr_engine.storage.sql.connections import Connections
from scr_engine.storage.sql.errors import _translated
from scr_engine.storage.sql.rows import DELIVERY_COLUMNS, WEBHOOK_KEY, _time, _utc_text
from scr_engine.webhooks import Delivery, DeliveryStatus, Webhook, check_delivery

__all__ = [
    "WEBHOOK_KEY",
    "claim_delivery",
    "find_delivery",
    "list_deliveries",
    "read_webhook",
    "record_attempt",
    "write_webhook",
]


def _decode(row: Any) -> Delivery:
    v = dict(zip(DELIVERY_COLUMNS, row, strict=True))
    try:
        return Delivery(
            v["id"],
            v["task_id"],
            v["review_id"],
            int(v["sequence"]),
            v["body"],
            datetime.fromisoformat(v["created_at"]),
            DeliveryStatus(v["status"]),
            int(v["attempts"]),
            None if v["next_attempt_at"] is None else datetime.fromisoformat(v["next_attempt_at"]),
            v["last_error"],
            None if v["delivered_at"] is None else datetime.fromisoformat(v["delivered_at"]),
        )
    except (TypeError, ValueError) as exc:
        raise StorageError(f"a stored webhook delivery cannot be read: {exc}") from exc


def read_webhook(db: Connections) -> Webhook | None:
    """The webhook kept, None if none."""
    t = schema.store_settings
    query = sa.select(t.c.value).where(t.c.key == WEBHOOK_KEY)
    with _translated("reading the webhook"), db.reading(core=True) as session:
        text = session.connection.execute(query).scalar()
    if text is None:
        return None
    try:
        return Webhook.from_json(text)
    except InvalidRequest as exc:
        raise StorageError(f"the stored webhook cannot be read: {exc}") from exc


def write_webhook(db: Connections, webhook: Webhook | None) -> None:
    """Keep ``webhook`` (replacing the one kept), or remove it (None)."""
    from scr_engine.storage.sql.statements import _upsert

    t = schema.store_settings
    with _translated("saving the webhook"), db.writing(core=True) as session:
        conn = session.connection
        if webhook is None:
            conn.execute(sa.delete(t).where(t.c.key == WEBHOOK_KEY))
            return
        value = check_webhook(webhook).to_json()
        insert = _upsert(conn, t).values(key=WEBHOOK_KEY, value=value)
        conn.execute(insert.on_conflict_do_update(index_elements=[t.c.key], set_={"value": value}))


def list_deliveries(
    db: Connections,
    *,
    status: DeliveryStatus | None,
    due_by: datetime | None,
    limit: int,
    offset: int,
) -> list[Delivery]:
    """The deliveries queued (see :meth:`ReviewStore.deliveries
    <scr_engine.ReviewStore.deliveries>`)."""
    check_page(limit, offset)
    t = schema.webhook_deliveries
    query = sa.select(*(t.c[name] for name in DELIVERY_COLUMNS))
    if due_by is not None:
        query = query.where(
            t.c.status == DeliveryStatus.PENDING.value,
            t.c.next_attempt_at <= _utc_text(due_by),
        ).order_by(t.c.next_attempt_at, t.c.id)
    else:
        query = query.order_by(t.c.created_at, t.c.id)
    if status is not None:
        query = query.where(t.c.status == status.value)
    query = query.limit(limit).offset(offset)
    with _translated("listing webhook deliveries"), db.reading(core=True) as session:
        rows = session.connection.execute(query).fetchall()
    return [_decode(row) for row in rows]


def find_delivery(db: Connections, delivery_id: str) -> Delivery | None:
    """The delivery queued with this id, None if none."""
    t = schema.webhook_deliveries
    query = sa.select(*(t.c[name] for name in DELIVERY_COLUMNS)).where(t.c.id == delivery_id)
    with _translated("reading a webhook delivery"), db.reading(core=True) as session:
        row = session.connection.execute(query).fetchone()
    return None if row is None else _decode(row)


def claim_delivery(db: Connections, delivery: Delivery, until: datetime) -> bool:
    """Lease a pending delivery until ``until`` if it is still as read: one
    compare-and-set ``UPDATE`` (its status, attempts and next attempt time are the
    version), so of two senders exactly one gets it."""
    d = check_delivery(delivery)
    t = schema.webhook_deliveries
    seen = _time(d.next_attempt_at)
    update = (
        sa.update(t)
        .where(
            t.c.id == d.id,
            t.c.status == DeliveryStatus.PENDING.value,
            t.c.attempts == d.attempts,
            t.c.next_attempt_at.is_(None) if seen is None else t.c.next_attempt_at == seen,
        )
        .values(next_attempt_at=_time(until))
    )
    with _translated(f"leasing webhook delivery {d.id!r}"), db.writing(core=True) as session:
        found = session.connection.execute(update).rowcount
    return bool(found == 1)


def record_attempt(db: Connections, delivery: Delivery) -> None:
    """Keep what an attempt changed of a queued delivery."""
    d = check_delivery(delivery)
    t = schema.webhook_deliveries
    update = (
        sa.update(t)
        .where(t.c.id == d.id)
        .values(
            status=d.status.value,
            attempts=d.attempts,
            next_attempt_at=_time(d.next_attempt_at),
            last_error=d.last_error,
            delivered_at=_time(d.delivered_at),
        )
    )
    with _translated(f"recording webhook delivery {d.id!r}"), db.writing(core=True) as session:
        found = session.connection.execute(update).rowcount
    if found != 1:
        raise StorageError(f"no webhook delivery {d.id!r} queued")
