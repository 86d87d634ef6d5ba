"""``scr demo``, ``scr diagram``, ``scr export`` and ``scr actors``."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from scr_engine._collector import resume_gc
from scr_engine.cli.app import Session, cli, person_table, scr_command

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.board import BoardIdentity
    from scr_engine.storage.port import ReviewStore

__all__ = ["actors", "demo", "diagram", "export"]


@scr_command(cli, "demo")
@click.option("--db", "db", metavar="FILE", help="keep the review in this SQLite file.")
@click.option("--memory", is_flag=True, help="keep the review in memory only.")
@click.option(
    "--protocol",
    type=click.Choice(["scr", "sar"]),
    default="scr",
    show_default=True,
    help="the protocol of the fictional review: sar for a mandatory Safeguarding Adults Review.",
)
def demo(session: Session, db: str | None, memory: bool, protocol: str) -> None:
    """Run a fictional review through every stage and print what happens (on a new
    SQLite file, removed afterwards unless --db keeps it). With --protocol sar, a
    mandatory Safeguarding Adults Review, as far as the SAR allows (SAR-A-4)."""
    from scr_engine.cli.shapes import review_json
    from scr_engine.clock import FixedClock
    from scr_engine.demo import run_demo
    from scr_engine.demo_sar import run_sar_demo
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
        resume_gc()  # the start-up is over: the store is made
        echo(f"Running the demo review on the {where}.")
        runner = run_sar_demo if protocol == "sar" else run_demo
        try:
            closed = runner(ReviewEngine(store, clock), echo, step=lambda: clock.advance(hours=20))
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    default="html",
    show_default=True,
    help="the documents' format.",
)
@click.option(
    "--out",
    metavar="DIR",
    default=".",
    show_default=True,
    help="the folder to write them into (created if need be).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="the day the documents speak as of (YYYY-MM-DD; default today).",
)
@click.option(
    "--public",
    is_flag=True,
    help="print the public report of a ratified review instead (no personal data).",
)
@click.option(
    "--document",
    metavar="NAME",
    help="write this one document only (for a SAR, also a letter: information-request-IR-1).",
)
def export(
    session: Session,
    review: str,
    fmt: str,
    out: str,
    as_of: str | None,
    public: bool,
    document: str | None,
) -> None:
    """Write the review's documents into DIR: the request, the integrated chronology,
    the overview report skeleton, the action plan, the public report and the
    timeline, in Markdown or HTML, and the register row as CSV (a SAR's own
    documents, and the letter of each information request with the reminder of each
    overdue one). A document the review cannot complete yet says what is missing.
    With --document, write that one only. With --public, print the public report of
    a ratified REVIEW (executive summary, recommendations and action plan, no
    personal data: PR-e, RP-3)."""
    from scr_engine.cli.reviews import resolve_review

    review_id = resolve_review(session, review)
    _refuse_annual_report(session, review_id)
    if public:
        _print_public(session, review_id)
        return
    from scr_engine.board import DEFAULT_BOARD
    from scr_engine.cli.app import EXIT_USAGE, CliError
    from scr_engine.clock import local_date
    from scr_engine.documents import export_all

    engine = session.engine
    actor = session.actor
    if as_of is None:
        day = local_date(engine.clock.now())
    else:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise CliError(
                f"--as-of: expected a date as YYYY-MM-DD, got {as_of!r}", EXIT_USAGE, kind="usage"
            ) from None
    found = engine.get(review_id, actor)
    board = engine.store.board_identity() or DEFAULT_BOARD
    try:
        from scr_engine.cli.exports import write_document, write_letters
        from scr_engine.records import Review as Scr

        if document is not None:
            kind: Literal["md", "html"] = "md" if fmt == "md" else "html"
            made = write_document(engine, actor, found, document, day, kind, Path(out), board)
            written = [made]
        elif not isinstance(found, Scr):
            settings = engine.settings_for(found)
            written = _write_sar_documents(
                found, settings, day, "md" if fmt == "md" else "html", out, board
            )
            history = engine.history(review_id, actor)
            kind = "md" if fmt == "md" else "html"
            written += write_letters(found, history, day, kind, Path(out), board)
        else:
            written = export_all(
                found,
                engine.settings_for(found),
                day,
                "md" if fmt == "md" else "html",
                Path(out),
                history=engine.history(review_id, actor),
                board=board,
            )
    except OSError as exc:
        raise CliError(f"cannot write into {out}: {exc.strerror or exc}") from exc
    data: dict[str, Any] = {
        "reference": found.reference,
        "format": fmt,
        "as_of": day.isoformat(),
        "board": board.name,
        "files": [str(path) for path in written],
    }

    def render(console: Console) -> None:
        from rich.markup import escape

        console.print(
            f"Documents of {escape(found.reference)} for {escape(board.name)} "
            f"as of {day.isoformat()}:"
        )
        for path in written:
            console.print(f"  {escape(str(path))}")

    session.emit(data, render)


def _write_sar_documents(
    review: Any,
    settings: Any,
    day: date,
    fmt: Literal["md", "html"],
    out: str,
    board: BoardIdentity,
) -> list[Path]:
    """Write every document of a Safeguarding Adults Review into ``out``:
    ``<reference>-<name>.<fmt>``, as the SCR's are written."""
    from scr_engine.cli.exports import file_stem
    from scr_engine.documents import register_csv_of, render_all_sar

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(review.reference)
    written = []
    for document in render_all_sar(review, fmt=fmt, as_of=day, board=board):
        path = folder / f"{stem}-{document.filename}"
        path.write_text(document.text, encoding="utf-8", newline="")
        written.append(path)
    path = folder / f"{stem}-register.csv"  # the tracker's row, as for an SCR
    text = register_csv_of([review], lambda _: settings, day, board)
    path.write_text(text, encoding="utf-8", newline="")
    written.append(path)
    return written


def _refuse_annual_report(session: Session, review_id: str) -> None:
    """An annual report is not a review with documents: ``scr annual-report`` writes it."""
    from scr_engine.cli.app import EXIT_USAGE
    from scr_engine.cli.errors import CliError
    from scr_engine.protocols.sar.annual.records import AnnualReport

    found = session.engine.store.load(review_id)
    if isinstance(found, AnnualReport):
        raise CliError(
            f"{found.reference} is the annual report of {found.year}: write it with "
            f"scr annual-report {found.year} --out DIR",
            EXIT_USAGE,
            kind="usage",
        )


def _print_public(session: Session, review_id: str) -> None:
    from scr_engine.cli.reviews import _definition_of
    from scr_engine.protocols import DEFAULT
    from scr_engine.serialization import unstructure

    actor = session.actor
    if _definition_of(session, review_id) is not DEFAULT:
        _print_sar_summary(session, review_id)
        return
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


def _print_sar_summary(session: Session, review_id: str) -> None:
    """``scr export --public`` of a Safeguarding Adults Review: its publishable
    summary (no personal data: SAR-P-4, SAR-P-6, SAR-G-5), in Markdown."""
    from scr_engine.board import DEFAULT_BOARD
    from scr_engine.clock import local_date
    from scr_engine.documents import render_sar

    engine = session.engine
    found: Any = engine.get(review_id, session.actor)
    board = engine.store.board_identity() or DEFAULT_BOARD
    day = local_date(engine.clock.now())
    document = render_sar("publishable-summary", found, fmt="md", as_of=day, board=board)
    data = {
        "reference": found.reference,
        "document": document.name,
        "title": document.title,
        "missing": list(document.missing),
        "text": document.text,
    }

    def render(console: Console) -> None:
        sys.stdout.write(document.text)

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
        table = person_table(f"Actors in {found.path}", "Id", "Name", "Roles", "Agency")
        for row in rows:
            table.add_row(row["id"], row["name"], ", ".join(row["roles"]), row["agency"] or "")
        console.print(table)

    session.emit({"file": str(found.path), "actors": rows}, render)
