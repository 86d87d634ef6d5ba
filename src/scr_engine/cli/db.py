"""``scr init`` and ``scr db upgrade``: the database's schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from scr_engine.cli.app import Session, cli, database_url, scr_command, shown_url, sqlite_path

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["db", "init", "upgrade"]


def _revision(session: Session) -> tuple[str, ...]:
    from scr_engine.storage.sql import schema_revision

    return schema_revision(session.url)


@scr_command(cli, "init")
@click.option(
    "--example-actors",
    is_flag=True,
    help="also write an example actors file beside the database, if there is none.",
)
def init(session: Session, example_actors: bool) -> None:
    """Create the database (./scr.sqlite3 by default), or upgrade an older one to this
    version's schema. A database from a newer scr_engine is refused, never downgraded."""
    from scr_engine.cli.actors import TEMPLATE, actors_path

    path = sqlite_path(session.url)
    existed = path is None or path.exists()
    session.open_store(migrate="upgrade")
    revision = _revision(session)
    actors = actors_path(session.actors_option, path)
    wrote = False
    if example_actors and not actors.exists():
        actors.write_text(TEMPLATE, encoding="utf-8")
        wrote = True
    data = {
        "database": session.where,
        "created": not existed,
        "revision": list(revision),
        "actors_file": str(actors),
        "actors_file_written": wrote,
        "actors_file_exists": actors.exists(),
    }

    def render(console: Console) -> None:
        said = "created" if not existed else "ready"
        console.print(
            f"Database {session.where} {said}: scr_engine schema revision {', '.join(revision)}."
        )
        if wrote:
            console.print(f"Example actors written to {actors}: edit it to name your people.")
        elif not actors.exists():
            console.print(
                f"Next: name the people who act in {actors} "
                f"(`scr actors --template > {actors}`), then `scr submit --template`."
            )

    session.emit(data, render)


@cli.group("db")
def db() -> None:
    """Manage the SQL store's database."""


@scr_command(db, "upgrade")
@click.option("--url", "url", metavar="URL", help="the database (the same as --database).")
@click.option("--revision", default="head", show_default=True, help="the revision to reach.")
def upgrade(session: Session, url: str | None, revision: str) -> None:
    """Create or upgrade the scr_engine schema to this version's revision (as `scr
    init` does; --revision for another)."""
    from scr_engine.storage.sql import upgrade as run_upgrade

    if url:
        session.url = database_url(url)
    revisions = run_upgrade(session.url, revision)
    shown = shown_url(session.url)
    data = {"database": shown, "revision": list(revisions)}

    def render(console: Console) -> None:
        console.print(
            f"{shown} is at scr_engine schema revision {', '.join(revisions) or '(none)'}"
        )

    session.emit(data, render)
