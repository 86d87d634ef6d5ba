"""How long a business manager waits for ``scr``: whole processes, timed against plain
Python scripts doing the same database work, in the same run.

A script, not a test. It builds a SQLite store of 1,000 reviews in a temporary
directory (removed afterwards), then times, as new processes, in interleaved rounds:

- ``scr show REVIEW --json`` against a plain script that imports SQLAlchemy and does the
  same reads with Core (the review's row, its events, its pending tasks), decodes the
  review's JSON and prints JSON;
- ``scr run REVIEW record_action_progress --set ...`` against a plain script that does
  those reads, then the versioned ``UPDATE`` of the review and the event ``INSERT`` in
  one transaction;
- each also against the same script using only ``sqlite3`` (for information);
- for information too, what the imports alone cost (``import sqlalchemy``, ``import
  scr_engine`` whose names load on first use, ``import scr_engine.engine``, the core,
  and everything ``scr show`` imports), to say where the time goes.

Every process may cache its bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped for
them), as a user's Python does: the warm-up round writes it.

Goals (issue 11, on medians): ``scr show`` ≤ 1.3× and ``scr run`` ≤ 1.5× the
SQLAlchemy script. Prints the medians, the ratios and PASS/MISS per goal; ``--strict``
exits 1 on a miss. ``--importtime`` also prints the slowest imports of ``scr show``.

    .venv/bin/python benchmarks/bench_cli.py [--rounds 15] [--reviews 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scr_engine.cli.actors import TEMPLATE
from scr_engine.clock import FixedClock
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.engine import ReviewEngine
from scr_engine.states.stages import Stage
from scr_engine.storage.sql import SqlStore

SHOW_SQLALCHEMY = """
import json, sys
import sqlalchemy as sa
engine = sa.create_engine("sqlite:///" + sys.argv[1])
with engine.connect() as conn:
    row = conn.execute(sa.text("SELECT id, data FROM scr_reviews WHERE reference = :r"),
                       {"r": sys.argv[2]}).one()
    events = conn.execute(sa.text("SELECT * FROM scr_events WHERE review_id = :i "
                                  "ORDER BY sequence"), {"i": row.id}).all()
    tasks = conn.execute(sa.text("SELECT id, kind, agency FROM scr_tasks WHERE review_id = :i "
                                 "AND completed_at IS NULL"), {"i": row.id}).all()
review = json.loads(row.data)
print(json.dumps({"review": review, "events": len(events), "tasks": [list(t) for t in tasks]}))
"""

SHOW_SQLITE3 = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
review_id, data = conn.execute("SELECT id, data FROM scr_reviews WHERE reference = ?",
                               (sys.argv[2],)).fetchone()
events = conn.execute("SELECT * FROM scr_events WHERE review_id = ? ORDER BY sequence",
                      (review_id,)).fetchall()
tasks = conn.execute("SELECT id, kind, agency FROM scr_tasks WHERE review_id = ? "
                     "AND completed_at IS NULL", (review_id,)).fetchall()
review = json.loads(data)
print(json.dumps({"review": review, "events": len(events), "tasks": [list(t) for t in tasks]}))
"""

_RUN_BODY = """
review_id, data, version = {read_review}
events = {read_events}
review = json.loads(data)
last = events[-1]
sequence = version + 1
review["version"] = sequence
text = json.dumps(review)
{begin}
changed = {update}
assert changed == 1
{insert}
{commit}
print(json.dumps({{"sequence": sequence}}))
"""

RUN_SQLALCHEMY = """
import json, sys
import sqlalchemy as sa
engine = sa.create_engine("sqlite:///" + sys.argv[1])
conn = engine.connect()
""" + _RUN_BODY.format(
    read_review='conn.execute(sa.text("SELECT id, data, version FROM scr_reviews '
    'WHERE reference = :r"), {"r": sys.argv[2]}).one()',
    read_events='conn.execute(sa.text("SELECT * FROM scr_events WHERE review_id = :i '
    'ORDER BY sequence"), {"i": review_id}).all()',
    begin="",
    update='conn.execute(sa.text("UPDATE scr_reviews SET data = :d, version = :v '
    'WHERE id = :i AND version = :old"), {"d": text, "v": sequence, "i": review_id, '
    '"old": version}).rowcount',
    insert='conn.execute(sa.text("INSERT INTO scr_events (review_id, sequence, at, actor_id, '
    "role, command, payload, stage_before, stage_after, prev_hash, hash, format) VALUES "
    '(:i, :s, :at, :a, :r, :c, :p, :b, :b, :prev, :h, 2)"), {"i": review_id, "s": sequence, '
    '"at": "2026-02-02T09:00:00+00:00", "a": "u-bm", "r": "business_manager", '
    '"c": "record_action_progress", "p": json.dumps({"note": sys.argv[3]}), '
    '"b": "action_plan_monitored", "prev": last.hash, "h": "%064d" % sequence})',
    commit="conn.commit()",
)

RUN_SQLITE3 = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
""" + _RUN_BODY.format(
    read_review='conn.execute("SELECT id, data, version FROM scr_reviews WHERE reference = ?",'
    " (sys.argv[2],)).fetchone()",
    read_events='conn.execute("SELECT * FROM scr_events WHERE review_id = ? '
    'ORDER BY sequence", (review_id,)).fetchall()',
    begin="",
    update='conn.execute("UPDATE scr_reviews SET data = ?, version = ? WHERE id = ? '
    'AND version = ?", (text, sequence, review_id, version)).rowcount',
    insert='conn.execute("INSERT INTO scr_events (review_id, sequence, at, actor_id, role, '
    "command, payload, stage_before, stage_after, prev_hash, hash, format) VALUES "
    '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 2)", (review_id, sequence, '
    '"2026-02-02T09:00:00+00:00", "u-bm", "business_manager", "record_action_progress", '
    'json.dumps({"note": sys.argv[3]}), "action_plan_monitored", "action_plan_monitored", '
    'last[10], "%064d" % sequence))',
    commit="conn.commit()",
)


def build(folder: Path, reviews: int) -> tuple[Path, str, str, str, str]:
    """A store of ``reviews`` reviews: all submitted, two driven to monitoring (one for
    ``scr``, one for the baselines, so that each writes to a review of its own with the
    same history). Returns the database, the two references and the action id."""
    path = folder / "scr.sqlite3"
    clock = FixedClock(datetime.now(UTC) - timedelta(days=30))
    store = SqlStore(f"sqlite:///{path}", migrate="create", durable=False, clock=clock)
    engine = ReviewEngine(store, clock)
    monitored = []
    for _ in range(2):
        review = engine.submit(demo_request(), REQUESTER)
        run_to_closure(engine, review.id, until=Stage.ACTION_PLAN_MONITORED)
        monitored.append(engine.get(review.id))
    for _ in range(reviews - 2):
        engine.submit(demo_request(), REQUESTER)
    store.close()
    (folder / "scr-actors.toml").write_text(TEMPLATE, encoding="utf-8")
    first, second = monitored
    action = first.actions[0].id
    return path, first.reference, second.reference, action, first.id


_EXIT = "; import os; os._exit(0)"


def scr_command() -> list[str]:
    script = Path(sys.executable).with_name("scr")
    return [str(script)] if script.exists() else [sys.executable, "-m", "scr_engine"]


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} … failed ({done.returncode}): {done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="scr-bench-cli-") as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        database, mine, theirs, action, _ = build(folder, args.reviews)
        print(
            f"Store of {args.reviews} reviews built in {time.perf_counter() - started:.1f} s; "
            f"{args.rounds} interleaved rounds of whole processes (median ms).\n"
        )
        # A user's Python caches bytecode (a wheel install even compiles it up front):
        # the warm-up round writes it, so that no case pays for compiling its sources.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SCR_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        os.environ.clear()
        os.environ.update(env)
        scr = scr_command()
        python = [sys.executable]
        cases = {
            "python -c pass": [*python, "-c", "pass"],
            # Imports alone, ending as scr ends (no interpreter teardown).
            "import sqlalchemy": [*python, "-c", f"import sqlalchemy{_EXIT}"],
            # The package alone (its names load on first use), then the core itself.
            "import scr_engine": [*python, "-c", f"import scr_engine{_EXIT}"],
            "import scr_engine.engine": [*python, "-c", f"import scr_engine.engine{_EXIT}"],
            # As scr imports it: the garbage collector paused (scr_engine._program).
            "import what scr show imports": [
                *python,
                "-c",
                "from scr_engine._program import pause_gc; pause_gc(); "
                f"import scr_engine.cli, scr_engine.storage.sql, scr_engine.engine{_EXIT}",
            ],
            "scr show --json": [*scr, "show", mine, "--json", "--as", "u-bm"],
            "show: SQLAlchemy Core": [*python, "-c", SHOW_SQLALCHEMY, str(database), theirs],
            "show: sqlite3": [*python, "-c", SHOW_SQLITE3, str(database), theirs],
            "scr run record_action_progress": [
                *scr,
                "run",
                mine,
                "record_action_progress",
                "--set",
                f"action_id={action}",
                "--set",
                "note=Under way.",
                "--json",
                "--as",
                "u-bm",
            ],
            "run: SQLAlchemy Core": [
                *python,
                "-c",
                RUN_SQLALCHEMY,
                str(database),
                theirs,
                "Under way.",
            ],
            "run: sqlite3": [*python, "-c", RUN_SQLITE3, str(database), theirs, "Under way."],
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for argv in cases.values():  # warm up: bytecode, page cache
            timed(argv, folder)
        for _ in range(args.rounds):
            for name, argv in cases.items():
                samples[name].append(timed(argv, folder))
        median = {name: statistics.median(values) * 1000 for name, values in samples.items()}
        for name, value in median.items():
            print(f"  {name:<34} {value:8.1f} ms")
        print()
        imports = median["import what scr show imports"]
        print(
            "  where `scr show` goes: interpreter "
            f"{median['python -c pass']:.0f} ms, imports {imports - median['python -c pass']:.0f} "
            f"ms (SQLAlchemy {median['import sqlalchemy'] - median['python -c pass']:.0f}, "
            f"scr_engine's core {median['import scr_engine.engine'] - median['python -c pass']:.0f}"
            "), "
            f"the command itself {median['scr show --json'] - imports:.0f} ms\n"
        )
        show_ratio = median["scr show --json"] / median["show: SQLAlchemy Core"]
        run_ratio = median["scr run record_action_progress"] / median["run: SQLAlchemy Core"]
        show_sqlite = median["scr show --json"] / median["show: sqlite3"]
        run_sqlite = median["scr run record_action_progress"] / median["run: sqlite3"]
        verdicts = [
            ("scr show ≤ 1.3× the SQLAlchemy script", show_ratio, 1.3),
            ("scr run  ≤ 1.5× the SQLAlchemy script", run_ratio, 1.5),
        ]
        missed = False
        for label, ratio, goal in verdicts:
            verdict = "PASS" if ratio <= goal else "MISS"
            missed = missed or verdict == "MISS"
            print(f"  {label}: {ratio:.2f}×  {verdict}")
        print(f"  (for information) scr show / sqlite3 script: {show_sqlite:.2f}×")
        print(f"  (for information) scr run  / sqlite3 script: {run_sqlite:.2f}×")
        if args.importtime:
            done = subprocess.run(
                [
                    *python,
                    "-X",
                    "importtime",
                    *(scr[1:] if scr[0] == sys.executable else scr),
                    "show",
                    mine,
                    "--json",
                    "--as",
                    "u-bm",
                ],
                cwd=folder,
                capture_output=True,
                text=True,
            )
            rows = []
            for line in done.stderr.splitlines():
                parts = line.split("|")
                if len(parts) == 3 and parts[1].strip().isdigit():
                    rows.append((int(parts[1]), parts[2].rstrip()))
            print("\nSlowest imports of `scr show` (cumulative µs):")
            for micros, module in sorted(rows, reverse=True)[:25]:
                print(f"  {micros:>9}  {module}")
        print(json.dumps({"show_ratio": round(show_ratio, 3), "run_ratio": round(run_ratio, 3)}))
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
