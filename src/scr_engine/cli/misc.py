"""``scr demo``, ``scr diagram``, ``scr export`` and ``scr actors``."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import Session, cli, scr_command

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.storage.port import ReviewStore

__all__ = ["actors", "demo", "diagram", "export"]


@scr_command(cli, "demo")
@click.option("--db", "db", metavar="FILE", help="keep the review in this SQLite file.")
@click.option("--memory", is_flag=True, help="keep the review in memory only.")
def demo(session: Session, db: str | None, memory: bool) -> None:
    """Run a fictional review through every stage and print what happens (on a new
    SQLite file, removed afterwards unless --db keeps it)."""
    from scr_engine.cli.shapes import review_json
    from scr_engine.clock import FixedClock
    from scr_engine.demo import run_demo
    from scr_engine.engine import ReviewEngine
    from scr_engine.storage.memory import MemoryStore

    clock = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    lines: list[str] = []
    echo = lines.append if session.json else print
    with tempfile.TemporaryDirectory(prefix="scr-demo-") as scratch:
        store: ReviewStore
        if memory:
            store = MemoryStore()
            where = "memory"
        else:
            from scr_engine.storage.sql import SqlStore

            path = Path(db) if db else Path(scratch) / "demo.sqlite3"
            store = SqlStore(f"sqlite:///{path}", migrate="create", clock=clock)
            where = f"SQLite database {path}" if db else "SQLite database (a temporary file)"
        echo(f"Running the demo review on the {where}.")
        try:
            closed = run_demo(
                ReviewEngine(store, clock), echo, step=lambda: clock.advance(hours=20)
            )
        finally:
            close = getattr(store, "close", None)
            if close is not None:
                close()
    if session.json:
        session.emit({"database": where, "review": review_json(closed), "lines": lines})


@scr_command(cli, "diagram")
def diagram(session: Session) -> None:
    """Print the protocol's stage diagram (Mermaid)."""
    from scr_engine.states.machine import mermaid

    text = mermaid()
    if session.json:
        session.emit({"mermaid": text})
    else:
        sys.stdout.write(text + "\n")


@scr_command(cli, "export")
@click.argument("review")
def export(session: Session, review: str) -> None:
    """The public report of a ratified REVIEW: executive summary, recommendations and
    action plan, with no personal data (PR-e, RP-3)."""
    from scr_engine.cli.reviews import resolve_review
    from scr_engine.serialization import unstructure

    review_id = resolve_review(session, review)
    actor = session.actor
    report = session.engine.public_export(review_id, actor)
    data: dict[str, Any] = unstructure(report)

    def render(console: Console) -> None:
        from rich.markup import escape

        out = [f"# {report.reference}: public report", ""]
        if report.agreed_on is not None:
            out += [f"Agreed by the Board on {report.agreed_on.isoformat()}.", ""]
        out += ["## Executive summary", "", report.executive_summary, ""]
        out += ["## Recommendations", ""]
        out += [f"- {r.id}: {r.text}" for r in report.recommendations] + [""]
        out += ["## Action plan", ""]
        for a in report.actions:
            done = f", completed {a.completed_on.isoformat()}" if a.completed_on else ""
            out.append(
                f"- {a.id} ({a.recommendation_id}): {a.intended_outcome} — {a.responsible}, "
                f"{a.timescale_months} months; {a.status.value}{done}"
            )
        if report.lessons:
            out += ["", "## Lessons", "", report.lessons]
        if report.national_lessons:
            out += ["", "## National lessons", "", report.national_lessons]
        console.print(escape("\n".join(out)))

    session.emit(data, render)


@scr_command(cli, "actors")
@click.option("--template", is_flag=True, help="print an example actors file, and stop.")
def actors(session: Session, template: bool) -> None:
    """Check the actors file and list its people (--template prints one to start from)."""
    from scr_engine.cli.actors import TEMPLATE

    if template:
        sys.stdout.write(TEMPLATE)
        return
    found = session.actors
    rows: list[dict[str, Any]] = [
        {
            "id": a.id,
            "name": a.name,
            "roles": sorted(r.value for r in a.roles),
            "agency": a.agency,
        }
        for a in found.people.values()
    ]

    def render(console: Console) -> None:
        from rich.table import Table

        table = Table(title=f"Actors in {found.path}", title_justify="left")
        for column in ("Id", "Name", "Roles", "Agency"):
            table.add_column(column)
        for row in rows:
            table.add_row(row["id"], row["name"], ", ".join(row["roles"]), row["agency"] or "")
        console.print(table)

    session.emit({"file": str(found.path), "actors": rows}, render)
