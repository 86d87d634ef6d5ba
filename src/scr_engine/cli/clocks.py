"""``scr overdue``, ``scr report-overdue`` and ``scr tasks``: what is late, the
chair told of overdue s.45 requests, and the letters to send, across every review (for
those who read every review: the Board's officers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import (
    EXIT_NOT_FOUND,
    CliError,
    Session,
    cli,
    person_table,
    scr_command,
    usage,
)

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.records import Task

__all__ = ["overdue", "report_overdue", "tasks"]


@scr_command(cli, "overdue")
@click.option("--as-of", "as_of", metavar="DATE", help="as of DATE (YYYY-MM-DD; default today).")
@click.option(
    "--within",
    "within",
    default=0,
    show_default=True,
    type=click.IntRange(0, 36_600),
    metavar="DAYS",
    help="also what falls due in DAYS more days.",
)
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 2**31 - 1))
def overdue(session: Session, as_of: str | None, within: int, limit: int) -> None:
    """Deadlines overdue across every review (and, with --within, due soon)."""
    from scr_engine.cli.shapes import deadline_row_json
    from scr_engine.clock import local_date

    day: date | None = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise usage(f"--as-of takes a date as YYYY-MM-DD, not {as_of!r}") from None
    actor = session.require_officer("overdue deadlines")
    engine = session.engine
    today = day if day is not None else local_date(engine.clock.now())
    rows = engine.overdue(today, within, limit=limit, actor=actor)
    data: dict[str, Any] = {
        "as_of": today.isoformat(),
        "within_days": within,
        "deadlines": [deadline_row_json(r, today) for r in rows],
    }

    def render(console: Console) -> None:
        if not rows:
            more = f" or due within {within} days" if within else ""
            console.print(f"Nothing is overdue{more} as of {today.isoformat()}.")
            return
        table = person_table(
            f"Deadlines as of {today.isoformat()}",
            "Review",
            "Rule",
            "Deadline",
            "Due",
            "Status",
            "Days late",
        )
        for row in data["deadlines"]:
            status = row["status"]
            table.add_row(
                row["reference"],
                row["rule"],
                row["title"],
                row["due_on"],
                f"[bold red]{status}[/bold red]" if status == "overdue" else status,
                str(row["days_late"]) if row["days_late"] else "",
            )
        console.print(table)

    session.emit(data, render)


@scr_command(cli, "report-overdue")
def report_overdue(session: Session) -> None:
    """Tell the board chair of every s.45 information request gone overdue and not
    yet reported (SAR-I-5): recorded on its review, with a task for the chair. Run it
    daily; a request is reported once."""
    from scr_engine import information_requests

    actor = session.require_officer("overdue s.45 requests")
    done = information_requests.report_overdue(session.engine, actor)
    rows = [
        {"review_id": r.review.id, "reference": r.review.reference, "request": r.request}
        for r in done
    ]

    def render(console: Console) -> None:
        if not rows:
            console.print("No s.45 request is overdue and unreported.")
            return
        for row in rows:
            console.print(
                f"{row['reference']}: s.45 request {row['request']} reported overdue to the "
                "board chair."
            )

    session.emit({"reported": rows}, render)


def _short_ids(review_id: str, tasks: list[Task]) -> dict[str, str]:
    """The short id of each of ``tasks``, every task of the review ``review_id``."""
    from scr_engine.cli.shapes import short_ids

    return short_ids(review_id, ((t.id, f"{t.kind.value}:{t.agency}") for t in tasks))


def _task_row(session: Session, task_id: str) -> Any:
    """The stored task's creation and completion times (None if it is unknown)."""
    import sqlalchemy as sa

    from scr_engine.storage import schema

    engine = session.store.engine
    assert engine is not None
    t = schema.tasks
    with engine.connect() as conn:
        query = sa.select(t.c.created_at, t.c.completed_at).where(t.c.id == task_id)
        return conn.execute(query).first()


def _task_place(session: Session, task_id: str) -> tuple[datetime, str]:
    """The sort key of the task ``--after`` names: where the next page starts."""
    row = _task_row(session, task_id)
    if row is None:
        raise CliError(
            f"no task {task_id!r}: --after takes the id of the last task of a page "
            "(`scr tasks --json` gives it as next_after)",
            EXIT_NOT_FOUND,
            kind="not_found",
        )
    return datetime.fromisoformat(row.created_at), task_id


@scr_command(cli, "tasks")
@click.option(
    "--done",
    "done",
    metavar="TASK",
    help="mark the task delivered: its id, or with --review its short id (secure_records:gp).",
)
@click.option(
    "--review",
    "review",
    metavar="REVIEW",
    help="every task of one review (id or reference), with its status and short id.",
)
@click.option(
    "--after",
    "after",
    metavar="TASK",
    help="the next page: the pending tasks after this one (the last task id listed).",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 2**31 - 1))
def tasks(
    session: Session, done: str | None, review: str | None, after: str | None, limit: int
) -> None:
    """The pending tasks (RF-5 letters to agencies), oldest first, --limit at a time
    (--after TASK for the next page); --review REVIEW every task of one review; --done
    TASK marks one delivered."""
    from scr_engine.cli.shapes import task_json
    from scr_engine.errors import ScrEngineError

    if after is not None and (review is not None or done is not None):
        raise usage("--after pages the pending tasks: not with --review or --done")
    actor = session.require_officer("tasks")
    engine = session.engine
    if review is not None:
        from scr_engine.cli.reviews import resolve_review

        review_id = resolve_review(session, review)
        states = engine.tasks(review_id, actor)
        shorts = _short_ids(review_id, [s.task for s in states])
        if done is not None:
            full = {short: task_id for task_id, short in shorts.items()}
            done = full.get(done, done)
            if done not in {s.task.id for s in states}:
                raise CliError(
                    f"review {review} has no task {done!r} (`scr tasks --review {review}` "
                    "lists them)",
                    EXIT_NOT_FOUND,
                    kind="not_found",
                )
        else:
            listed = [
                {**task_json(s.task, shorts[s.task.id]), "status": s.status.value} for s in states
            ]

            def render_review(console: Console) -> None:
                table = person_table(
                    f"Tasks of {review}", "What", "Agency", "Status", "Since", "Task"
                )
                for row in listed:
                    table.add_row(
                        row["detail"] or row["kind_words"],
                        row["agency"],
                        row["status"],
                        row["created_at"][:10],
                        row["short_id"],
                    )
                console.print(table)
                console.print(f"Mark one delivered with: scr tasks --review {review} --done TASK")

            session.emit({"review_id": review_id, "tasks": listed}, render_review)
            return
    if done is not None:
        state = _task_row(session, done)
        if state is None:
            raise CliError(
                f"no task {done!r} (`scr tasks` lists them)", EXIT_NOT_FOUND, kind="not_found"
            )
        already = state.completed_at is not None
        if not already:
            engine.complete_task(done)
        result: dict[str, Any] = {"completed": done, "already": already}

        def render_done(console: Console) -> None:
            said = "was already marked delivered" if already else "is marked delivered"
            console.print(f"Task {done} {said}.")

        session.emit(result, render_done)
        return
    place = _task_place(session, after) if after is not None else None
    pending = engine.pending_tasks(limit=limit, after=place, actor=actor)
    following = pending[-1].id if len(pending) == limit else None
    references: dict[str, str] = {}
    short_of: dict[str, str] = {}
    for task in pending:
        if task.review_id not in references:
            try:
                references[task.review_id] = engine.store.load(task.review_id).reference
            except ScrEngineError:
                references[task.review_id] = task.review_id
            every = [s.task for s in engine.store.tasks(task.review_id)]
            short_of.update(_short_ids(task.review_id, every))
    rows = [
        {**task_json(t, short_of.get(t.id)), "reference": references[t.review_id]} for t in pending
    ]

    def render(console: Console) -> None:
        if not rows:
            console.print("No pending tasks.")
            return
        table = person_table("Pending tasks", "Review", "What", "Agency", "Rule", "Since", "Task")
        for row in rows:
            table.add_row(
                row["reference"],
                row["detail"] or row["kind_words"],
                row["agency"],
                row["rule"],
                row["created_at"][:10],
                row["short_id"],
            )
        console.print(table)
        console.print("Mark one delivered with: scr tasks --review REVIEW --done TASK")
        if following is not None:
            console.print(f"More: scr tasks --after {following}")

    session.emit({"tasks": rows, "next_after": following}, render)
