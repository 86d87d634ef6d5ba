"""Stores as scr_engine 0.1 wrote them: schema revision 0001, format-1 events.

Used to prove that an upgrade brings existing stores along: their chains keep
verifying, and new events follow them in format 2.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import sqlalchemy as sa
from attrs import evolve

from scr_engine import FixedClock, MemoryStore, ReviewEngine
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.history import Event, event_hash
from scr_engine.serialization import canonical_json, unstructure
from scr_engine.storage.sql import upgrade


def format_1(events: tuple[Event, ...]) -> list[Event]:
    """The same history as 0.1 hashed it: no state, no commitments."""
    out: list[Event] = []
    prev = "0" * 64
    for event in events:
        old = Event(
            event.review_id,
            event.sequence,
            event.at,
            event.actor_id,
            event.role,
            event.command,
            event.payload,
            event.stage_before,
            event.stage_after,
            prev,
            "",
        )
        old = evolve(old, hash=event_hash(old.body()))
        out.append(old)
        prev = old.hash
    return out


def legacy_store(url: str, clock: FixedClock, *, closed: bool = True) -> list[str]:
    """A database at revision 0001 with three reviews written in format 1 (the first
    one run to closure, unless not ``closed``: then all three are only submitted);
    their ids."""
    upgrade(url, "0001")
    memory = MemoryStore()
    engine = ReviewEngine(memory, clock)
    ids = [engine.submit(demo_request(), REQUESTER).id for _ in range(3)]
    if closed:
        run_to_closure(engine, ids[0], lambda: clock.advance(hours=7))
    db = sa.create_engine(url)
    try:
        with db.begin() as conn:
            for review_id in ids:
                events = format_1(memory.history(review_id))
                review = evolve(memory.load(review_id), head=events[-1].hash)
                conn.execute(
                    sa.text(
                        "INSERT INTO scr_reviews (id, reference, stage, version, "
                        "settings_version, received_on, data) VALUES "
                        "(:id, :reference, :stage, :version, :sv, :received, :data)"
                    ),
                    {
                        "id": review.id,
                        "reference": review.reference,
                        "stage": review.stage.value,
                        "version": review.version,
                        "sv": review.settings_version,
                        "received": review.received_on.isoformat(),
                        "data": _json(unstructure(review)),
                    },
                )
                for event in events:
                    row = event.body()
                    row["payload"] = canonical_json(event.payload)
                    row["hash"] = event.hash
                    conn.execute(
                        sa.text(
                            "INSERT INTO scr_events (review_id, sequence, at, actor_id, role, "
                            "command, payload, stage_before, stage_after, prev_hash, hash) "
                            "VALUES (:review_id, :sequence, :at, :actor_id, :role, :command, "
                            ":payload, :stage_before, :stage_after, :prev_hash, :hash)"
                        ),
                        row,
                    )
                for d in memory.deadline_rows(review_id):
                    conn.execute(
                        sa.text(
                            "INSERT INTO scr_deadlines (review_id, key, reference, rule, title, "
                            "due_on, met_on, status, running) VALUES (:r, :k, :ref, :rule, "
                            ":title, :due, :met, :status, :running)"
                        ),
                        {
                            "r": d.review_id,
                            "k": d.key,
                            "ref": d.reference,
                            "rule": d.rule,
                            "title": d.title,
                            "due": d.due_on.isoformat(),
                            "met": d.met_on.isoformat() if d.met_on else None,
                            "status": d.status.value,
                            "running": d.running,
                        },
                    )
            for task in (state.task for rid in ids for state in memory.tasks(rid)):
                conn.execute(
                    sa.text(
                        "INSERT INTO scr_tasks (id, review_id, kind, agency, created_at, rule) "
                        "VALUES (:id, :r, :kind, :agency, :at, :rule)"
                    ),
                    {
                        "id": task.id,
                        "r": task.review_id,
                        "kind": task.kind.value,
                        "agency": task.agency,
                        "at": task.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
                        "rule": task.rule,
                    },
                )
    finally:
        db.dispose()
    return ids


def _json(data: Any) -> str:
    import json

    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
