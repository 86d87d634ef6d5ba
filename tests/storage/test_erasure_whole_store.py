"""Erasure reaches every table (PR-e, SAR-P-7): after a SAR is erased, no personal
value of it is anywhere in the database, not only in its record and history: not in
the outbox's tasks, their webhook deliveries, its deadline rows or the access log.
A value copied out of the review into another row is beyond erasure's reach, so none
may be copied."""

from __future__ import annotations

from pathlib import Path

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    ParallelProcess,
    ParallelProcessType,
    WithdrawReason,
)
from scr_engine.storage.sql import SqlStore
from scr_engine.webhooks import Webhook
from support import sar as s
from support.sar_engine import EngineRun
from support.tamper import dump

PERSONAL = ("Adult a1", "Dr Reed", "reed@example.org", "DI Jane Smith")
"""The referral's names and contact (support.sar), and a parallel process's contact."""


def test_an_erased_sar_leaves_no_personal_value_in_any_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    secret = tmp_path / "secret"
    secret.write_text("s" * 40, encoding="utf-8")
    with SqlStore(url, migrate="create", durable=False) as store:
        store.set_webhook(Webhook.create("https://board.example/hooks", str(secret)))
        process = ParallelProcess("pp-1", ParallelProcessType.POLICE, "OP-9", "DI Jane Smith")
        run = s.screened(EngineRun(store), processes=(process,))
        run.engine.get(run.r.id, s.CHAIR)  # a read, logged
        run.do(s.CHAIR, c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "merged", "DHR-7"))
        before = repr(dump(url))
        assert all(value in before for value in PERSONAL)
        run.engine.erase(run.r.id, s.CHAIR, reasons="retention over", legal_basis="Art. 17")
        assert run.engine.verify().ok
    everything = dump(url)
    assert everything["scr_tasks"] and everything["scr_webhook_deliveries"]
    for table, rows in everything.items():
        text = repr(rows)
        assert not [value for value in PERSONAL if value in text], table
    # Nor in the database's files: erasure vacuums what the rows held.
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("store.db"))
    assert not [value for value in PERSONAL if value.encode() in raw]
