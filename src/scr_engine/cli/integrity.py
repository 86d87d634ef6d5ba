"""``scr verify``, ``scr checkpoint`` and ``scr keygen``: proving the store (PR-d).

``keygen`` makes the Board's Ed25519 signing key (kept outside the database);
``checkpoint`` signs every review's head with it and writes the checkpoint to a file
kept elsewhere too; ``verify`` checks the whole store, and that it extends a
checkpoint (the latest stored one, or ``--checkpoint FILE``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import (
    EXIT_INTEGRITY,
    CliError,
    Session,
    cli,
    person_table,
    scr_command,
    usage,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["checkpoint", "keygen", "verify"]


def _read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise usage(f"no {what} at {path}") from None
    except OSError as exc:
        raise usage(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


def _crypto_needed() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        raise CliError(
            "signed checkpoints need the cryptography package: pip install 'scr_engine[cli]'"
        ) from None


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a new file (never over an existing one) with ``mode``."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise usage(f"{path} exists already: choose another file") from None
    except OSError as exc:
        raise usage(f"cannot write {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as file:
        file.write(data)


@scr_command(cli, "keygen")
@click.option("--out", "out", required=True, metavar="FILE", help="the new private key (PEM).")
@click.option("--public", "public", metavar="FILE", help="also write the public key here.")
def keygen(session: Session, out: str, public: str | None) -> None:
    """Make the Board's signing key for checkpoints. Keep FILE outside the database,
    readable by whoever takes checkpoints only; give the public key to auditors."""
    _crypto_needed()
    from scr_engine.checkpoints import generate_key, key_id, load_private_key, public_key_pem

    pem = generate_key()
    key = load_private_key(pem)
    _write_new(Path(out), pem, 0o600)
    if public is not None:
        _write_new(Path(public), public_key_pem(key), 0o644)
    data = {"key_id": key_id(key), "private_key": out, "public_key": public}

    def render(console: Console) -> None:
        console.print(f"Signing key {data['key_id']} written to {out} (readable by you only).")
        if public is not None:
            console.print(f"Its public key is in {public}.")

    session.emit(data, render)


@scr_command(cli, "checkpoint")
@click.option("--key", "key", required=True, metavar="FILE", help="the signing key (PEM).")
@click.option("--out", "out", required=True, metavar="FILE", help="where to write the checkpoint.")
def checkpoint(session: Session, key: str, out: str) -> None:
    """Sign a checkpoint of the whole store with the Board's key; keep it in the store
    and in FILE (keep a copy elsewhere too)."""
    _crypto_needed()
    from scr_engine.checkpoints import load_private_key

    signing = load_private_key(_read_bytes(key, "signing key"))
    target = Path(out)
    if target.exists():
        raise usage(f"{out} exists already: choose another file")
    session.require_officer("checkpoints")
    made = session.engine.checkpoint(signing)
    _write_new(target, (made.to_json() + "\n").encode("utf-8"), 0o644)
    data = {
        "created_at": made.created_at.isoformat(),
        "reviews": len(made.entries),
        "events": made.events,
        "root": made.root,
        "key_id": made.key_id,
        "out": out,
    }

    def render(console: Console) -> None:
        console.print(
            f"Checkpoint of {data['reviews']} reviews ({data['events']} events) signed with key "
            f"{made.key_id}, root {made.root[:16]}…, written to {out}."
        )

    session.emit(data, render)


@scr_command(cli, "verify")
@click.option(
    "--checkpoint", "checkpoint_file", metavar="FILE", help="a checkpoint kept outside the store."
)
@click.option(
    "--public-key", "public_key", metavar="FILE", help="check the checkpoint's signature (PEM)."
)
@click.option("--exact", is_flag=True, help="events after the checkpoint are faults too.")
def verify(
    session: Session, checkpoint_file: str | None, public_key: str | None, exact: bool
) -> int | None:
    """Check the whole store: every review against its history, and against the
    checkpoint (exit 4 on any fault)."""
    from scr_engine.cli.shapes import verify_json

    chosen = None
    if checkpoint_file is not None:
        from scr_engine.checkpoints import Checkpoint

        chosen = Checkpoint.from_json(_read_bytes(checkpoint_file, "checkpoint"))
    public = None
    if public_key is not None:
        _crypto_needed()
        from scr_engine.checkpoints import load_public_key

        public = load_public_key(_read_bytes(public_key, "public key"))
    engine = session.engine
    console = None if session.json else session.console()
    if console is not None and console.is_terminal:
        from rich.progress import Progress

        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("Verifying reviews", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = engine.verify(chosen, public_key=public, progress=progress, exact=exact)
    else:
        report = engine.verify(chosen, public_key=public, exact=exact)
    data: dict[str, Any] = verify_json(report)

    def render(console: Console) -> None:
        if report.ok:
            console.print(
                f"[green]OK[/green]: {report.reviews} reviews, {report.events} events verified."
            )
        else:
            console.print(
                f"[bold red]{len(report.faults)} fault(s)[/bold red] in {report.reviews} reviews, "
                f"{report.events} events:"
            )
            table = person_table(None, "Review", "Event", "Kind", "What")
            for f in report.faults:
                table.add_row(
                    f.review_id or "(store)",
                    str(f.sequence) if f.sequence is not None else "",
                    f.kind.value,
                    f.message,
                )
            console.print(table)
        if report.checkpoint is not None:
            console.print(
                f"Checkpoint of {report.checkpoint.created_at:%Y-%m-%d %H:%M} "
                f"({len(report.checkpoint.entries)} reviews)."
            )
        uncovered = sum(n for _, n in report.uncovered)
        if uncovered:
            console.print(
                f"{uncovered} event(s) in {len(report.uncovered)} review(s) came after it."
            )
        for note in report.notes:
            console.print(f"Note: {note}")

    session.emit(data, render)
    return None if report.ok else EXIT_INTEGRITY
