"""What a command that emits tasks costs a SQL store without a webhook, fsync aside.

A script, not a test (issue 22). ``bench_sql.py`` times durable commits, and on a
shared machine its SQLite and PostgreSQL figures are whole multiples of the disk's
flush (about 4 ms): a change of a few hundred microseconds in what a save writes does
not show there. This script times ``engine.execute(confirm_review)`` (six RF-5 tasks,
no webhook set) on a SQLite store with ``durable=False`` and on a scratch PostgreSQL
schema with ``synchronous_commit=off``, so that what is timed is the Python and the
SQL of the save. Run it with the code before and after a change, alternately, and
compare the medians::

    .venv/bin/python benchmarks/bench_outbox.py [--samples 150] [--no-postgres]

PostgreSQL is ``SCR_BENCH_POSTGRES_URL``, else ``SCR_TEST_POSTGRES_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/test``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from scr_engine import commands as c
from scr_engine.clock import FixedClock
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.engine import ReviewEngine
from scr_engine.storage.sql import SqlStore

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
WARM_UP = 10


def confirm_review_median(store: SqlStore, samples: int) -> float:
    """The median microseconds of ``confirm_review`` on assessed reviews of ``store``."""
    engine = ReviewEngine(store, FixedClock(START))
    ids = []
    for _ in range(samples + WARM_UP):
        review = engine.submit(demo_request(), REQUESTER)
        engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
        engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
        ids.append(review.id)
    times = []
    for index, review_id in enumerate(ids):
        started = time.perf_counter_ns()
        engine.execute(review_id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        if index >= WARM_UP:
            times.append(time.perf_counter_ns() - started)
    return statistics.median(times) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=150)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        with SqlStore(url, migrate="create", durable=False) as store:
            print(f"sqlite (durable=False): {confirm_review_median(store, options.samples):.0f} µs")
    if options.no_postgres:
        return
    server = os.environ.get("SCR_BENCH_POSTGRES_URL") or os.environ.get(
        "SCR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"scr_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        options_text = f"-csearch_path={schema} -csynchronous_commit=off"
        url = sa.make_url(server).update_query_dict({"options": options_text})
        with SqlStore(url.render_as_string(hide_password=False), migrate="create") as store:
            median = confirm_review_median(store, options.samples)
            print(f"postgresql (synchronous_commit=off): {median:.0f} µs")
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


if __name__ == "__main__":
    main()
