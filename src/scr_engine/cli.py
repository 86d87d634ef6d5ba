"""The ``scr`` command line: a thin entry point over the engine.

``scr demo`` runs the fictional review through every stage on the embedded SQLite
store (``--db FILE`` to keep it, ``--memory`` for none) and prints its stages,
history and deadlines. ``scr diagram`` prints the protocol's stage diagram (Mermaid).
``scr db upgrade --url URL`` (also ``python -m scr_engine db upgrade``) creates or
upgrades the SQL store's schema; it needs the ``sql`` extra.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from scr_engine.clock import FixedClock
    from scr_engine.demo import run_demo
    from scr_engine.engine import ReviewEngine
    from scr_engine.storage.memory import MemoryStore
    from scr_engine.storage.port import ReviewStore

    clock = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    store: ReviewStore
    if args.memory:
        store = MemoryStore()
        where = "memory"
    else:
        try:
            from scr_engine.storage.sql import SqlStore
        except ImportError:
            print(
                "scr demo: the SQLite store needs the sql extra "
                "(pip install 'scr_engine[sql]'), or run with --memory",
                file=sys.stderr,
            )
            return 1
        if args.db:
            path = Path(args.db)
        else:
            path = Path(tempfile.mkdtemp(prefix="scr-demo-")) / "demo.sqlite3"
        store = SqlStore(f"sqlite:///{path}", migrate="create", clock=clock)
        where = f"SQLite database {path}"
    print(f"Running the demo review on the {where}.")
    try:
        run_demo(ReviewEngine(store, clock), step=lambda: clock.advance(hours=20))
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from scr_engine.states.machine import mermaid

    print(mermaid())
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    url: str | None = args.url or os.environ.get("SCR_DATABASE_URL")
    if not url:
        print("scr db upgrade: give the database with --url or SCR_DATABASE_URL", file=sys.stderr)
        return 2
    try:
        from scr_engine.storage.sql import upgrade
    except ImportError as exc:
        print(f"scr db upgrade: {exc}", file=sys.stderr)
        return 1
    from scr_engine.errors import StorageError

    try:
        revisions = upgrade(url, args.revision)
    except StorageError as exc:
        print(f"scr db upgrade: {exc}", file=sys.stderr)
        return 1
    from sqlalchemy import make_url

    shown = make_url(url).render_as_string(hide_password=True)
    print(f"{shown} is at scr_engine schema revision {', '.join(revisions) or '(none)'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="scr", description="Run a Safeguarding Adults Board's Serious Case Review protocol."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a fictional review through every stage")
    demo.add_argument(
        "--db", help="the SQLite file to keep the review in (default: a new temporary file)"
    )
    demo.add_argument("--memory", action="store_true", help="keep the review in memory only")
    demo.set_defaults(run=_demo)
    diagram = sub.add_parser("diagram", help="print the stage diagram (Mermaid)")
    diagram.set_defaults(run=_diagram)
    db = sub.add_parser("db", help="manage the SQL store's database (needs the sql extra)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_sub.add_parser(
        "upgrade", help="create or upgrade the scr_engine schema to this version's revision"
    )
    db_upgrade.add_argument(
        "--url",
        help="SQLAlchemy database URL, e.g. sqlite:///board.db or "
        "postgresql+psycopg://user@host/db (default: $SCR_DATABASE_URL)",
    )
    db_upgrade.add_argument(
        "--revision", default="head", help="the revision to upgrade to (default: head)"
    )
    db_upgrade.set_defaults(run=_db_upgrade)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
