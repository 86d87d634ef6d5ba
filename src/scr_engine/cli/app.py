"""The root of ``scr``: the command group, the options every command shares, the
session a command works in (database, engine, actor), its output and its errors.

Exit statuses (:data:`EXIT_CODES`): 0 done; 1 refused by the protocol or failed;
2 usage (a bad option, file or value); 3 not found (review, task); 4 integrity fault;
130 interrupted (Ctrl-C); 141 output closed early (piped into ``head``).

Nothing heavy is imported here: SQLAlchemy, the engine and Rich are imported by the
session when a command first needs them.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scr_engine._collector import pause_gc, resume_gc
from scr_engine.cli.actors import ACTORS_FILE, Actors, actors_path, load_actors
from scr_engine.cli.errors import (
    EXIT_CODES,
    EXIT_FAILED,
    EXIT_INTEGRITY,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
    CliError,
    usage,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from scr_engine.engine import ReviewEngine
    from scr_engine.records import Actor
    from scr_engine.storage.sql import SqlStore

__all__ = [
    "ACTORS_FILE",
    "DEFAULT_DATABASE",
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_INTEGRITY",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "CliError",
    "Session",
    "cli",
    "database_url",
    "main",
    "person_table",
    "report",
    "scr_command",
    "shown_url",
    "sqlite_path",
    "usage",
    "write_json",
]

DEFAULT_DATABASE = "scr.sqlite3"
"""The SQLite file used when neither ``--database`` nor ``SCR_DATABASE_URL`` is given
(in the current directory)."""


def database_url(given: str | None) -> str:
    """The SQLAlchemy URL of the database: ``given`` (a URL, or a path to a SQLite
    file), else :data:`DEFAULT_DATABASE`."""
    value = given if given else DEFAULT_DATABASE
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory database or another backend)."""
    if not url.startswith("sqlite:"):
        return None
    rest = url[len("sqlite:") :]
    if not rest.startswith("///"):
        return None
    path = rest[3:].split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def shown_url(url: str) -> str:
    """The URL as it may be printed (no password)."""
    if "@" not in url:
        return url
    from sqlalchemy import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("://", 1)[0] + "://…"


class Session:
    """What one command works with, each part made when first asked for: the store,
    the engine over it, the actors file and the acting person, the output."""

    def __init__(
        self,
        name: str,
        *,
        database: str | None = None,
        actors: str | None = None,
        actor_id: str | None = None,
        json_output: bool = False,
    ) -> None:
        self.name = name
        self.url = database_url(database)
        self.actors_option = actors
        self.actor_id = actor_id
        self.json = json_output
        self._store: SqlStore | None = None
        self.store_options: dict[str, Any] = {}
        """More keyword arguments for the :class:`~scr_engine.storage.sql.SqlStore`
        (``scr serve``'s pool size), set before the store is opened."""
        self._engine: ReviewEngine | None = None
        self._actors: Actors | None = None
        self._console: Console | None = None

    # ------------------------------------------------------------- database

    @property
    def where(self) -> str:
        """The database as it may be printed."""
        path = sqlite_path(self.url)
        return str(path) if path is not None else shown_url(self.url)

    def open_store(self, *, migrate: str = "check") -> SqlStore:
        """The SQL store (``migrate`` as for :class:`~scr_engine.storage.sql.SqlStore`).
        A SQLite file that does not exist is created only when migrating."""
        if self._store is not None:
            return self._store
        try:
            from scr_engine.storage.sql import SqlStore
        except ImportError as exc:
            raise CliError(
                f"the SQL store needs SQLAlchemy and Alembic: pip install 'scr_engine[cli]' ({exc})"
            ) from exc
        from scr_engine.errors import SchemaMismatch

        path = sqlite_path(self.url)
        if path is None and self.url.split("?", 1)[0] in ("sqlite://", "sqlite:///:memory:"):
            raise usage("an in-memory database lasts one command: give a SQLite file or a URL")
        if path is not None and migrate == "check" and not path.exists():
            raise CliError(
                f"no database at {path}: create it with `scr init` "
                "(or name another with --database or SCR_DATABASE_URL)",
                kind="no_database",
            )
        try:
            self._store = SqlStore(
                self.url,
                migrate=migrate,  # type: ignore[arg-type]
                **self.store_options,
            )
            resume_gc()  # the start-up is over: the store is open
        except SchemaMismatch as exc:
            found = ", ".join(exc.current) or "no scr_engine schema"
            wanted = ", ".join(exc.expected)
            data = {"current": list(exc.current), "expected": list(exc.expected)}
            if exc.ahead:
                raise CliError(
                    f"the database at {self.where} is at schema revision {found}, newer than "
                    f"this scr_engine knows ({wanted}): upgrade scr_engine "
                    "(pip install -U 'scr_engine[cli]'); a database is never downgraded",
                    kind="schema_newer",
                    data=data,
                ) from None
            option = "" if self.url == database_url(None) else f" --database '{self.where}'"
            raise CliError(
                f"the database at {self.where} has {found}; this scr_engine needs revision "
                f"{wanted}: run `scr init{option}` to upgrade it",
                kind="schema_older",
                data=data,
            ) from None
        return self._store

    @property
    def store(self) -> SqlStore:
        """The store, its schema checked (never created or upgraded)."""
        return self.open_store()

    @property
    def engine(self) -> ReviewEngine:
        """The engine over :attr:`store`, on the system clock."""
        if self._engine is None:
            from scr_engine.engine import ReviewEngine

            self._engine = ReviewEngine(self.store)
        return self._engine

    def close(self) -> None:
        """Release the database."""
        if self._store is not None:
            self._store.close()
            self._store = None

    # ------------------------------------------------------------- people

    @property
    def actors(self) -> Actors:
        """The actors file, read and checked."""
        if self._actors is None:
            self._actors = load_actors(actors_path(self.actors_option, sqlite_path(self.url)))
        return self._actors

    @property
    def actor(self) -> Actor:
        """The person acting (``--as`` / ``SCR_ACTOR``), from the actors file."""
        if not self.actor_id:
            known = ", ".join(self.actors.people) or "none"
            raise usage(
                f"say who is acting with --as ID or SCR_ACTOR (actors in {self.actors.path}: "
                f"{known})"
            )
        return self.actors.get(self.actor_id)

    def name_of(self, person_id: str) -> str:
        """A person's name from the actors file ('' when it does not list them)."""
        if self._actors is None:
            try:
                self.actors  # noqa: B018 - read it if there is one
            except CliError:
                return ""
        assert self._actors is not None
        person = self._actors.people.get(person_id)
        return person.name if person is not None else ""

    def require_officer(self, what: str) -> Actor:
        """The actor, who must read every review (the Board's officers, by the read
        policy) to see store-wide lists; else :class:`~scr_engine.PermissionDenied`."""
        from scr_engine.access import ReadScope
        from scr_engine.errors import PermissionDenied
        from scr_engine.errors.refusals import Refusal, RefusalKind

        engine = self.engine
        actor = self.actor
        if engine.read_policy.scope(actor) is not ReadScope.ALL:
            raise PermissionDenied(
                what,
                [
                    Refusal(
                        "PR-e",
                        f"{actor.id} may not see {what} across every review: it is for "
                        "those who read every review (the Board's officers)",
                        RefusalKind.PERMISSION,
                    )
                ],
            )
        return actor

    # ------------------------------------------------------------- output

    def console(self) -> Console:
        """A Rich console on standard output: colour only on a terminal (and never
        with ``NO_COLOR``)."""
        if self._console is None:
            from rich.console import Console

            plain = bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"
            console = Console(highlight=False)
            if plain or not console.is_terminal:
                # No escape codes at all: no colour, no bold, no cursor movement.
                console = Console(
                    highlight=False,
                    color_system=None,
                    width=console.width if console.is_terminal else max(console.width, 120),
                )
            self._console = console
        return self._console

    def emit(self, data: Any, render: Callable[[Console], None] | None = None) -> None:
        """Print ``data`` as JSON with ``--json``, else through ``render``."""
        if self.json or render is None:
            write_json(data)
        else:
            render(self.console())


def write_json(data: Any) -> None:
    """Print one JSON document on standard output."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- errors


def _failure(exc: BaseException) -> tuple[int, dict[str, Any], list[str]] | None:
    """The exit status, the JSON error and the lines for a person, for an error a user
    can cause; None for a fault of the program."""
    from scr_engine import errors
    from scr_engine.cli.shapes import refusal_json

    if isinstance(exc, CliError):
        return exc.code, {"kind": exc.kind, "message": exc.message, **exc.data}, [exc.message]
    if isinstance(exc, errors.ReviewNotFound):
        message = f"no review {exc.review_id!r} (give its id or its reference)"
        return EXIT_NOT_FOUND, {"kind": "not_found", "message": message}, [message]
    if isinstance(exc, errors.TransitionRefused):
        if isinstance(exc, errors.PermissionDenied):
            kind, said = "permission_denied", "not permitted"
        elif isinstance(exc, errors.InvalidRequest):
            kind, said = "invalid", "invalid input"
        else:
            kind, said = "refused", "refused by the protocol"
        rules = ", ".join(exc.rules)
        head = f"{exc.command}: {said} ({rules})"
        data = {
            "kind": kind,
            "message": head,
            "command": exc.command,
            "rules": list(exc.rules),
            "refusals": [refusal_json(r) for r in exc.refusals],
        }
        return EXIT_FAILED, data, [head] + [f"  {r}" for r in exc.refusals]
    if isinstance(exc, errors.IntegrityError):
        message = str(exc)
        data = {
            "kind": "integrity",
            "message": message,
            "review_id": exc.review_id,
            "problems": list(exc.problems),
        }
        return EXIT_INTEGRITY, data, [message + " (run `scr verify`)"]
    if isinstance(exc, errors.ConcurrencyConflict):
        message = f"{exc}: someone changed it meanwhile; look again and retry"
        return EXIT_FAILED, {"kind": "conflict", "message": message}, [message]
    if isinstance(exc, errors.ScrEngineError):
        kind = "storage" if isinstance(exc, errors.StorageError) else "failed"
        message = " ".join(str(exc).split())
        return EXIT_FAILED, {"kind": kind, "message": message}, [message]
    return None


def report(session: Session | None, name: str, exc: BaseException) -> int:
    """Print an error for a person (standard error) and, with ``--json``, as JSON on
    standard output; returns the exit status. An error of the program itself is one
    line too, asking for a report (``SCR_DEBUG=1`` re-raises it, with its traceback)."""
    found = _failure(exc)
    if found is None:
        if os.environ.get("SCR_DEBUG"):
            raise exc
        detail = " ".join(str(exc).split()) or type(exc).__name__
        message = (
            f"unexpected error, please report it: {type(exc).__name__}: {detail} "
            "(SCR_DEBUG=1 shows where)"
        )
        found = EXIT_FAILED, {"kind": "failed", "message": message}, [message]
    code, data, lines = found
    if session is not None and session.json:
        write_json({"error": {**data, "exit_code": code}})
    click.echo(f"scr {name}: {lines[0]}", err=True)
    for line in lines[1:]:
        click.echo(line, err=True)
    return code


# --------------------------------------------------------------------------- commands

F = TypeVar("F", bound=Callable[..., Any])

_COMMON: tuple[Callable[[F], F], ...] = (
    click.option(
        "--database",
        "database",
        envvar="SCR_DATABASE_URL",
        metavar="URL",
        help=f"SQLAlchemy URL or SQLite file (default: ./{DEFAULT_DATABASE}; $SCR_DATABASE_URL).",
    ),
    click.option(
        "--actors",
        "actors",
        envvar="SCR_ACTORS",
        metavar="FILE",
        help=f"the actors file (default: {ACTORS_FILE} beside the database; $SCR_ACTORS).",
    ),
    click.option(
        "--as",
        "actor_id",
        envvar="SCR_ACTOR",
        metavar="ID",
        help="who is acting: an id from the actors file ($SCR_ACTOR).",
    ),
    click.option(
        "--json", "json_output", is_flag=True, help="print JSON for scripts (see docs/cli.md)."
    ),
)


def _command_path(context: click.Context, name: str) -> str:
    """The command as typed after ``scr``, its groups first (``token issue``, ``db
    upgrade``): what its messages are prefixed with (``scr token issue: …``)."""
    names: list[str] = []
    while context.parent is not None:
        names.append(context.info_name or "")
        context = context.parent
    return " ".join(reversed([n for n in names if n])) or name


def scr_command(
    group: click.Group, name: str, **settings: Any
) -> Callable[[Callable[..., int | None]], click.Command]:
    """Register ``function(session, **arguments)`` as the command ``name`` of
    ``group``, with the common options (``--database``, ``--actors``, ``--as``,
    ``--json``), its session, and its errors reported as one line and an exit status.
    The function may return an exit status (None is :data:`EXIT_OK`)."""

    def decorate(function: Callable[..., int | None]) -> click.Command:
        @functools.wraps(function)
        def callback(
            database: str | None,
            actors: str | None,
            actor_id: str | None,
            json_output: bool,
            **arguments: Any,
        ) -> None:
            full = _command_path(click.get_current_context(), name)
            session = Session(
                full, database=database, actors=actors, actor_id=actor_id, json_output=json_output
            )
            code = EXIT_OK
            try:
                code = function(session, **arguments) or EXIT_OK
            except KeyboardInterrupt:
                click.echo(f"scr {full}: interrupted", err=True)
                code = EXIT_INTERRUPTED
            except BrokenPipeError:
                _pacify_stdout()
                code = EXIT_PIPE
            except Exception as exc:
                code = report(session, full, exc)
            finally:
                session.close()
            if code != EXIT_OK:
                raise click.exceptions.Exit(code)

        for option in reversed(_COMMON):
            callback = option(callback)
        return group.command(name, **settings)(callback)

    return decorate


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="scr_engine", prog_name="scr", message="%(prog)s %(version)s")
def cli() -> None:
    """Run a Safeguarding Adults Board's Serious Case Reviews.

    Reviews live in ./scr.sqlite3 (--database URL or $SCR_DATABASE_URL for another
    SQLite file or PostgreSQL); `scr init` creates it. You act as a person of the
    actors file (--as ID or $SCR_ACTOR). Every command takes --json; exit status 0
    done, 1 refused or failed, 2 usage, 3 not found, 4 integrity fault.
    """


def _pacify_stdout() -> None:
    """After a broken pipe: send what is left of the output nowhere, so that the
    interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass


def person_table(title: str | None, *columns: str) -> Table:
    """A table for a person: its title on the left, and cells that fold a word too
    long for the terminal onto the next line instead of cutting it short, so that no
    id, command code or hash is ever shown in part."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``scr`` with ``argv``; returns the exit status (:data:`EXIT_CODES`).

    Called without ``argv``, as the ``scr`` program and ``python -m scr_engine`` call
    it, it runs on the process's arguments and then ends the process itself, once its
    output is flushed and its database closed: the interpreter's teardown of every
    imported module (SQLAlchemy's hundreds) would add a sixth to a command's time,
    and a command line owns its process. For the same reason the garbage collector
    rests while the program starts (:mod:`scr_engine._program`)."""
    if argv is not None:
        return _main(argv)
    pause_gc()
    code = _main(argv)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        _pacify_stdout()
        code = EXIT_PIPE
    except (OSError, ValueError):  # pragma: no cover - closed streams
        pass
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    try:
        try:
            result = cli.main(
                args=list(argv) if argv is not None else None,
                prog_name="scr",
                standalone_mode=False,
            )
        except click.exceptions.Abort:
            click.echo("scr: interrupted", err=True)
            return EXIT_INTERRUPTED
        except click.ClickException as exc:
            args = list(argv) if argv is not None else sys.argv[1:]
            if "--json" in args:
                # As any usage error under --json: the error document on standard output.
                message = " ".join(exc.format_message().split())
                write_json(
                    {"error": {"kind": "usage", "message": message, "exit_code": exc.exit_code}}
                )
            exc.show()
            return exc.exit_code
        sys.stdout.flush()
    except BrokenPipeError:
        _pacify_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:
        click.echo("scr: interrupted", err=True)
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else EXIT_OK
