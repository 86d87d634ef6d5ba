"""``scr annual-report YEAR --out DIR``: the SAB's annual report of a financial year
(Care Act 2014 Sch. 2 para 4; ``sar/map.md`` §3) written out: its SAR chapter as
Markdown and HTML, and its figures as CSV naming the events each came from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import Session, cli, scr_command

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["annual_report", "computed_sections"]


@scr_command(cli, "annual-report")
@click.argument("year", type=click.IntRange(1900, 9998))
@click.option(
    "--out",
    metavar="DIR",
    default=".",
    show_default=True,
    help="the folder to write the files into (created if need be).",
)
def annual_report(session: Session, year: int, out: str) -> None:
    """Write the annual report of the financial year that starts on 1 April YEAR into
    DIR: its SAR chapter (sections (d)-(g), computed from the SAR histories as at 31
    March, and what it still lacks) as Markdown and HTML, and its figures as CSV, each
    row naming the events it came from (SAR-A-6, SAR-A-7). The report is the one the
    store holds for that year (one per year, SAR-A-5)."""
    from scr_engine import annual_reports
    from scr_engine.board import DEFAULT_BOARD
    from scr_engine.cli.app import EXIT_NOT_FOUND
    from scr_engine.cli.errors import CliError
    from scr_engine.clock import local_date
    from scr_engine.documents.annual import figures_csv, render_annual_report

    engine = session.engine
    actor = session.actor
    found = [r for r in annual_reports.reports(engine) if r.year == year]
    if not found:
        raise CliError(
            f"the store holds no annual report of {year}-{(year + 1) % 100:02d}: open one "
            "(scr submit --protocol sar-annual-report FORM)",
            EXIT_NOT_FOUND,
            kind="not_found",
        )
    report: Any = engine.get(found[0].id, actor)  # PR-e: read as the actor, logged
    day = local_date(engine.clock.now())
    board = engine.store.board_identity() or DEFAULT_BOARD
    folder = Path(out)
    stem = f"annual-report-{year}-{(year + 1) % 100:02d}"
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in ("md", "html"):
            document = render_annual_report(report, fmt=fmt, as_of=day, board=board)
            path = folder / f"{stem}.{fmt}"
            path.write_text(document.text, encoding="utf-8", newline="")
            written.append(path)
        path = folder / f"{stem}-figures.csv"
        path.write_text(figures_csv(report), encoding="utf-8", newline="")
        written.append(path)
    except OSError as exc:
        raise CliError(f"cannot write into {out}: {exc.strerror or exc}") from exc
    stale = annual_reports.stale(engine, report.id)
    data: dict[str, Any] = {
        "reference": report.reference,
        "year": year,
        "stage": str(report.stage),
        "url": report.url or None,
        "stale": stale,
        "files": [str(p) for p in written],
    }

    def render(console: Console) -> None:
        from rich.markup import escape

        console.print(
            f"Annual report {escape(report.reference)} of {year}-{(year + 1) % 100:02d} "
            f"({escape(str(report.stage))}):"
        )
        for path in written:
            console.print(f"  {escape(str(path))}")
        for problem in stale:
            console.print(f"[yellow]Stale:[/yellow] {escape(problem)}")

    session.emit(data, render)


def computed_sections(session: Session, review_id: str, command: str) -> dict[str, Any] | None:
    """What ``scr run REPORT compile_review_sections`` records when its file gives no
    ``sections`` (and what its ``--template`` is filled in with): sections (d)-(g) of
    the report's year as the store's SAR histories give them now, as
    :func:`scr_engine.annual_reports.compile_sections` computes them (SAR-A-6,
    SAR-A-7). None for any other command, or a review that is no annual report."""
    if command != "compile_review_sections":
        return None
    from scr_engine import annual_reports
    from scr_engine.errors import ScrEngineError
    from scr_engine.protocols.sar.annual.records import AnnualReport
    from scr_engine.serialization import unstructure

    try:
        report = session.store.load(review_id)
    except ScrEngineError:
        return None  # the command then says why, as any other
    if not isinstance(report, AnnualReport):
        return None
    made: dict[str, Any] = unstructure(annual_reports.computed_now(session.engine, report.year))
    return made
