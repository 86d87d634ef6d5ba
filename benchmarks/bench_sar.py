"""What a Safeguarding Adults Review command costs against an SCR command of the same
shape (issue 23: within 1.2x, in memory and on SQLite, in the same run).

A script, not a test: run it, read the numbers. For each store, fresh reviews of both
protocols are brought to the point before the timed command outside the timing; then
the two protocols' commands are timed in turn, interleaved, so that a busy machine
moves both sides alike. Two shapes:

- a record made inside a stage: ``record_chair_notified`` on a review just received
  (the SCR's chair, the SAR's chairs, told of it);
- a stage change with a reason: ``withdraw`` on a screened review (screened ->
  withdrawn; its pending tasks are cancelled);
- the decision: ``confirm_review`` on an assessed review (requested -> screened). Not
  quite the same shape: the SAR's records the per-adult assessment in its decision and
  emits nine outputs (the referrer and each agency told, each agency's records to
  secure, the involvement plan to open) where the SCR's emits six.

Usage::

    .venv/bin/python benchmarks/bench_sar.py            # 300 commands a side a store
    .venv/bin/python benchmarks/bench_sar.py --quick    # 60
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from scr_engine import FixedClock, MemoryStore, ReviewEngine
from scr_engine import commands as scr
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.demo_sar import BOARD_CHAIR as SAR_CHAIR
from scr_engine.demo_sar import BUSINESS_MANAGER as SAR_MANAGER
from scr_engine.demo_sar import SUBGROUP_CHAIR, demo_referral
from scr_engine.protocols.sar import commands as sar
from scr_engine.protocols.sar.records import (
    AbuseType,
    AdultAssessment,
    Conjunct,
    Mandate,
    MandateKind,
    Outcome,
    TestValue,
    WithdrawReason,
)

DAY = date(2026, 2, 2)
GOAL = 1.2


def _assessment() -> AdultAssessment:
    met = Conjunct(TestValue.MET, "the Board finds it met")
    return AdultAssessment(
        "a1",
        in_area=met,
        care_and_support_needs=met,
        working_together_concern=met,
        condition_1=met,
        condition_2=Conjunct(TestValue.NOT_MET, "the Board finds it not met"),
        abuse_types=frozenset({AbuseType.NEGLECT}),
        died_on=DAY - timedelta(days=28),
        knowledge_basis="post-mortem findings",
    )


Prepared = tuple[str, Any, Any]
"""A review id, the command to time on it, and who issues it."""


def _scr_notified(engine: ReviewEngine) -> Prepared:
    review = engine.submit(demo_request(), REQUESTER)
    return review.id, scr.RecordChairNotified(DAY), BUSINESS_MANAGER


def _sar_notified(engine: ReviewEngine) -> Prepared:
    review: Any = engine.submit(
        demo_referral(DAY - timedelta(days=21)), SAR_MANAGER, protocol="sar"
    )
    return review.id, sar.RecordChairNotified(DAY), SAR_MANAGER


def _scr_confirm(engine: ReviewEngine) -> Prepared:
    review_id, notified, who = _scr_notified(engine)
    engine.execute(review_id, notified, who)
    engine.execute(review_id, scr.AssessCriteria(), BOARD_CHAIR)
    return review_id, scr.ConfirmReview("A criterion is met."), BOARD_CHAIR


def _sar_confirm(engine: ReviewEngine) -> Prepared:
    review_id, _, _ = _sar_notified(engine)
    engine.execute(review_id, sar.AssessCriteria((_assessment(),)), SUBGROUP_CHAIR)
    mandate = Mandate(MandateKind.MANDATORY, 1)
    command = sar.ConfirmReview(Outcome.SAR_MANDATORY, "The mandatory test is met.", mandate)
    return review_id, command, SAR_CHAIR


def _scr_withdraw(engine: ReviewEngine) -> Prepared:
    review_id, confirm, who = _scr_confirm(engine)
    engine.execute(review_id, confirm, who)
    return review_id, scr.Withdraw("The family asked for a single-agency review."), BOARD_CHAIR


def _sar_withdraw(engine: ReviewEngine) -> Prepared:
    review_id, confirm, who = _sar_confirm(engine)
    engine.execute(review_id, confirm, who)
    reason = WithdrawReason.MERGED_INTO_OTHER_REVIEW
    return review_id, sar.Withdraw(reason, "Merged into the DHR.", "DHR-7"), SAR_CHAIR


SHAPES: dict[str, tuple[Callable[[ReviewEngine], Prepared], Callable[[ReviewEngine], Prepared]]] = {
    "record_chair_notified": (_scr_notified, _sar_notified),
    "withdraw": (_scr_withdraw, _sar_withdraw),
    "confirm_review": (_scr_confirm, _sar_confirm),
}


def _stores(folder: Path) -> dict[str, Callable[[], Any]]:
    def sqlite() -> Any:
        from scr_engine.storage.sql import SqlStore

        path = folder / f"bench-{time.monotonic_ns()}.db"
        return SqlStore(f"sqlite:///{path}", migrate="create", durable=False)

    return {"memory": MemoryStore, "sqlite": sqlite}


def _time(engine: ReviewEngine, prepared: Prepared) -> int:
    review_id, command, actor = prepared
    began = time.perf_counter_ns()
    engine.execute(review_id, command, actor)
    return time.perf_counter_ns() - began


def measure(make_store: Callable[[], Any], n: int) -> dict[str, tuple[float, float]]:
    """Median microseconds of each shape's SCR and SAR command."""
    store = make_store()
    clock = FixedClock(datetime.combine(DAY, clock_time(9), UTC))
    engine = ReviewEngine(store, clock)
    out: dict[str, tuple[float, float]] = {}
    for shape, (scr_side, sar_side) in SHAPES.items():
        pairs = [(scr_side(engine), sar_side(engine)) for _ in range(n)]
        # The preparation's garbage is not the timed commands' to collect.
        gc.collect()
        gc.freeze()
        scr_ns: list[int] = []
        sar_ns: list[int] = []
        for index, (a, b) in enumerate(pairs):
            if index % 2:  # interleaved, each side first half the time
                sar_ns.append(_time(engine, b))
                scr_ns.append(_time(engine, a))
            else:
                scr_ns.append(_time(engine, a))
                sar_ns.append(_time(engine, b))
        gc.unfreeze()
        out[shape] = (statistics.median(scr_ns) / 1000, statistics.median(sar_ns) / 1000)
    close = getattr(store, "close", None)
    if callable(close):
        close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 commands a side, not 300")
    args = parser.parse_args()
    n = 60 if args.quick else 300
    met = 0
    total = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, make in _stores(Path(folder)).items():
            for shape, (scr_us, sar_us) in measure(make, n).items():
                ratio = sar_us / scr_us
                total += 1
                met += ratio <= GOAL
                verdict = "ok" if ratio <= GOAL else "MISS"
                print(
                    f"{name:7} {shape:22} SCR {scr_us:8.1f} us  SAR {sar_us:8.1f} us  "
                    f"SAR/SCR {ratio:4.2f}x (goal <= {GOAL}x) {verdict}"
                )
    print(f"{met}/{total} within {GOAL}x")


if __name__ == "__main__":
    main()
