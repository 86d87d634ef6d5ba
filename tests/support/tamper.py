"""Editing a store's database behind its back, as an attacker with access to it would
(the tamper tests of both protocols): a statement, a dump of every table, a history and
row replaced wholesale."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from scr_engine.history import Event
from scr_engine.records import Review
from scr_engine.serialization import unstructure
from scr_engine.storage.sql import _event_values

__all__ = ["dump", "rewrite", "sql"]


def sql(url: str, statement: str, **params: Any) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement), params)
    finally:
        engine.dispose()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, sorted."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = [n for n in sa.inspect(conn).get_table_names() if n.startswith("scr_")]
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(sa.text(f"SELECT * FROM {name}"))),
                    key=repr,
                )
                for name in names
            }
    finally:
        engine.dispose()


def rewrite(url: str, review: Review, events: list[Event]) -> None:
    """Replace a review's history and row, as an attacker who knows the schema."""
    engine = sa.create_engine(url)
    columns = (
        "review_id, sequence, at, actor_id, role, command, payload, stage_before, "
        "stage_after, prev_hash, hash, state, commitments, salts, state_salt, format, "
        "idempotency_key"
    )
    marks = ", ".join(f":p{i}" for i in range(17))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM scr_events WHERE review_id = :r"), {"r": review.id})
            for event in events:
                values = dict(zip((f"p{i}" for i in range(17)), _event_values(event), strict=True))
                conn.execute(
                    sa.text(f"INSERT INTO scr_events ({columns}) VALUES ({marks})"), values
                )
            conn.execute(
                sa.text(
                    "UPDATE scr_reviews SET data = :d, stage = :s, version = :v, head = :h "
                    "WHERE id = :r"
                ),
                {
                    "d": _json(unstructure(review)),
                    "s": str(review.stage),
                    "v": review.version,
                    "h": review.head,
                    "r": review.id,
                },
            )
    finally:
        engine.dispose()


def _json(data: Any) -> str:
    import json

    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
