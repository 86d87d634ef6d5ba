"""``scr webhook deliveries`` and ``scr webhook retry`` (issue 22): the Board's officers
see every delivery with its task, review, status, attempts, last error and next
attempt, and make a failed one (or every failed one) due now; anyone else is refused,
and a delivery delivered is not sent again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from attrs import evolve

from scr_engine import commands as c
from scr_engine.cli import EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER
from scr_engine.engine import ReviewEngine
from scr_engine.storage.sql import SqlStore
from scr_engine.webhooks import DeliveryStatus, delivery_id
from support.clitools import Scr, scr

__all__ = ["scr"]  # the fixture, for pytest

SECRET = "whsec-" + "k3y" * 12


def _store(scr: Scr) -> SqlStore:
    return SqlStore(f"sqlite:///{scr.folder / 'scr.sqlite3'}")


def _confirmed(scr: Scr) -> dict[str, Any]:
    """A store with a webhook and a review confirmed: one delivery per RF-5 letter."""
    scr.ready()
    secret = scr.write("hook-secret", SECRET)
    scr.json(
        "webhook", "set", "--url", "https://cases.council.example/hooks", "--secret-file", secret
    )
    review = scr.submit()
    with _store(scr) as store:
        engine = ReviewEngine(store)
        today = datetime.now(UTC).date()
        engine.execute(review["id"], c.RecordChairNotified(today), BUSINESS_MANAGER)
        engine.execute(review["id"], c.AssessCriteria(), BOARD_CHAIR)
        engine.execute(review["id"], c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
    return review


def test_scr_webhook_deliveries_lists_each_delivery_for_officers(scr: Scr) -> None:
    review = _confirmed(scr)
    listed = scr.json("webhook", "deliveries", actor="u-bm")
    rows = listed["deliveries"]
    assert rows and listed["next_offset"] is None
    with _store(scr) as store:
        tasks = {state.task.id for state in store.tasks(review["id"])}
    assert {row["task_id"] for row in rows} == tasks
    for row in rows:
        assert row["id"] == delivery_id(row["task_id"])
        assert row["review_id"] == review["id"]
        assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 0, None)
        assert row["next_attempt_at"] is not None
    assert scr.json("webhook", "deliveries", "--status", "failed", actor="u-bm")["deliveries"] == []
    page = scr.json("webhook", "deliveries", "--limit", "2", actor="u-bm")
    assert [r["id"] for r in page["deliveries"]] == [r["id"] for r in rows[:2]]
    assert page["next_offset"] == 2
    rest = scr.json("webhook", "deliveries", "--offset", "2", actor="u-bm")["deliveries"]
    assert [r["id"] for r in rest] == [r["id"] for r in rows[2:]]
    shown = scr("webhook", "deliveries", actor="u-bm")
    assert shown.exit_code == 0
    assert all(row["id"] in shown.stdout for row in rows)


def test_scr_webhook_deliveries_and_retry_are_for_officers_pr_e(scr: Scr) -> None:
    """PR-e: only those who read every review (the Board's officers) see deliveries
    across the store or retry them; without --as the command says who may act."""
    _confirmed(scr)
    for argv in (("webhook", "deliveries"), ("webhook", "retry", "--all-failed")):
        refused = scr.json(*argv, actor="u-req", code=EXIT_FAILED)
        assert refused["error"]["kind"] == "permission_denied"
        assert "PR-e" in refused["error"]["rules"]
        assert scr.json(*argv, code=EXIT_USAGE)["error"]["kind"] == "usage"


def test_scr_webhook_retry_makes_a_failed_delivery_due_now(scr: Scr) -> None:
    _confirmed(scr)
    with _store(scr) as store:
        queued = store.deliveries()
        for delivery in queued[:3]:
            store.record_attempt(
                evolve(
                    delivery,
                    status=DeliveryStatus.FAILED,
                    attempts=15,
                    next_attempt_at=None,
                    last_error="HTTP 503",
                )
            )
        store.record_attempt(
            evolve(
                queued[3],
                status=DeliveryStatus.DELIVERED,
                attempts=1,
                delivered_at=queued[3].created_at,
            )
        )
    failed = scr.json("webhook", "deliveries", "--status", "failed", actor="u-bm")["deliveries"]
    assert [row["id"] for row in failed] == [d.id for d in queued[:3]]
    assert all(row["last_error"] == "HTTP 503" and row["attempts"] == 15 for row in failed)

    before = datetime.now(UTC)
    one = scr.json("webhook", "retry", queued[0].id, actor="u-bm")["retried"]
    assert [row["id"] for row in one] == [queued[0].id]
    assert one[0]["status"] == "pending" and one[0]["attempts"] == 15
    assert datetime.fromisoformat(one[0]["next_attempt_at"]) >= before.replace(microsecond=0)
    with _store(scr) as store:
        due = {d.id for d in store.deliveries(due_by=datetime.now(UTC), limit=100)}
    assert queued[0].id in due

    rest = scr.json("webhook", "retry", "--all-failed", actor="u-bm")["retried"]
    assert [row["id"] for row in rest] == [d.id for d in queued[1:3]]
    assert scr.json("webhook", "deliveries", "--status", "failed", actor="u-bm")["deliveries"] == []
    assert scr.json("webhook", "retry", "--all-failed", actor="u-bm")["retried"] == []

    delivered = scr.json("webhook", "retry", queued[3].id, actor="u-bm", code=EXIT_FAILED)
    assert delivered["error"]["refusals"][0]["field"] == "delivery_id"
    unknown = scr.json("webhook", "retry", "dlv-unknown", actor="u-bm", code=EXIT_NOT_FOUND)
    assert unknown["error"]["kind"] == "not_found"
    for argv in ((), (queued[0].id, "--all-failed")):
        assert scr.json("webhook", "retry", *argv, actor="u-bm", code=EXIT_USAGE)
    said = scr("webhook", "retry", queued[1].id, actor="u-bm")
    assert said.exit_code == 0 and queued[1].id in said.stdout
