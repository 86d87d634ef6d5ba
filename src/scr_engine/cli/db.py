"""``scr init``, ``scr db upgrade`` and ``scr board``: the database's schema and what
is set once for the whole store (the Board's identity)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scr_engine.cli.app import (
    Session,
    cli,
    database_url,
    scr_command,
    shown_url,
    sqlite_path,
    usage,
)

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.board import BoardIdentity

__all__ = ["board", "board_set", "board_show", "db", "init", "upgrade"]

F = TypeVar("F", bound=Callable[..., Any])

_PARTS: tuple[tuple[str, str, str], ...] = (
    ("area", "--area", "the area the Board serves, printed beside its name."),
    (
        "marking",
        "--marking",
        "the protective marking of documents holding personal data (default OFFICIAL-SENSITIVE).",
    ),
    (
        "public_marking",
        "--public-marking",
        "the marking of the public report and the register (default OFFICIAL).",
    ),
    ("logo_text", "--logo-text", "text standing for the Board's logo on HTML pages (initials)."),
)


def _identity_options(name_option: str) -> Callable[[F], F]:
    """The options that set the Board's identity (the name's option is ``name_option``)."""

    def decorate(function: F) -> F:
        for part, option, text in reversed(_PARTS):
            function = click.option(option, part, metavar="TEXT", help=text)(function)
        return click.option(
            name_option,
            "board_name",
            metavar="TEXT",
            help="the Board's name, as on its letterhead.",
        )(function)

    return decorate


def _option_of(part: str | None, name_option: str) -> str:
    if part == "name":
        return name_option
    return next((option for p, option, _ in _PARTS if p == part), part or "the Board")


def _board_json(identity: BoardIdentity | None) -> dict[str, str] | None:
    if identity is None:
        return None
    return {
        "name": identity.name,
        "area": identity.area,
        "marking": identity.marking,
        "public_marking": identity.public_marking,
        "logo_text": identity.logo_text,
    }


def _set_identity(
    session: Session, name_option: str, board_name: str | None, **parts: str | None
) -> BoardIdentity | None:
    """Change the store's identity by the options given; None when none was given.
    The first identity of a store needs its name; a malformed part is a usage error
    (exit 2) naming its option, and nothing is stored."""
    from scr_engine.board import BoardIdentity
    from scr_engine.errors import InvalidRequest

    if board_name is None and all(value is None for value in parts.values()):
        return None
    store = session.store
    current = store.board_identity()
    try:
        if current is None:
            if board_name is None:
                raise usage(
                    f"the store has no Board identity yet: give the Board's name with {name_option}"
                )
            identity = BoardIdentity(board_name).updated(**parts)
        else:
            identity = current.updated(name=board_name, **parts)
    except InvalidRequest as exc:
        said = "; ".join(f"{_option_of(r.field, name_option)}: {r.message}" for r in exc.refusals)
        raise usage(said) from None
    store.set_board_identity(identity)
    return identity


def _board_lines(console: Console, identity: BoardIdentity | None) -> None:
    from rich.markup import escape

    from scr_engine.board import DEFAULT_BOARD

    if identity is None:
        console.print(
            "No Board identity is set: documents print "
            f"{escape(DEFAULT_BOARD.name)!r} (set it with `scr board set --name …`)."
        )
        return
    console.print(f"Board: {escape(identity.name)}")
    console.print(f"Area: {escape(identity.area) or '-'}")
    console.print(f"Marking (personal data): {escape(identity.marking)}")
    console.print(f"Marking (public report, register): {escape(identity.public_marking)}")
    console.print(f"Logo text: {escape(identity.logo_text) or '-'}")


def _revision(session: Session) -> tuple[str, ...]:
    from scr_engine.storage.sql import schema_revision

    return schema_revision(session.url)


@scr_command(cli, "init")
@click.option(
    "--example-actors",
    is_flag=True,
    help="also write an example actors file beside the database, if there is none.",
)
@_identity_options("--board-name")
def init(
    session: Session, example_actors: bool, board_name: str | None, **parts: str | None
) -> None:
    """Create the database (./scr.sqlite3 by default), or upgrade an older one to this
    version's schema. A database from a newer scr_engine is refused, never downgraded.
    --board-name and the options beside it set the Board's identity, printed on every
    document (`scr board set` changes it later)."""
    from scr_engine.cli.actors import TEMPLATE, actors_path

    path = sqlite_path(session.url)
    existed = path is None or path.exists()
    store = session.open_store(migrate="upgrade")
    revision = _revision(session)
    changed = _set_identity(session, "--board-name", board_name, **parts)
    identity = changed if changed is not None else store.board_identity()
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
        "board": _board_json(identity),
    }

    def render(console: Console) -> None:
        said = "created" if not existed else "ready"
        console.print(
            f"Database {session.where} {said}: scr_engine schema revision {', '.join(revision)}."
        )
        if changed is not None:
            _board_lines(console, changed)
        elif identity is None:
            console.print(
                "Name your Board, printed on every document: `scr board set --name '…' --area '…'`."
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


@cli.group("board")
def board() -> None:
    """The Board's identity: its name, area, protective markings and logo text,
    printed on every document and register row (set once per database)."""


@scr_command(board, "show")
def board_show(session: Session) -> None:
    """Print the Board's identity set for the database (or that none is set)."""
    identity = session.store.board_identity()
    session.emit({"board": _board_json(identity)}, lambda console: _board_lines(console, identity))


@scr_command(board, "set")
@_identity_options("--name")
def board_set(session: Session, board_name: str | None, **parts: str | None) -> None:
    """Set or change the Board's identity: only the parts given change (the first time,
    --name is needed). Every document exported from then on prints it."""
    identity = _set_identity(session, "--name", board_name, **parts)
    if identity is None:
        raise usage("give at least one of --name, --area, --marking, --public-marking, --logo-text")
    session.emit({"board": _board_json(identity)}, lambda console: _board_lines(console, identity))
