"""``scr protocols``: the protocols this installation runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scr_engine.cli.app import Session, cli, scr_command

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.protocols import Protocol

__all__ = ["protocols", "protocols_json"]


def protocols_json(definition: Protocol) -> dict[str, Any]:
    """One protocol as ``scr protocols --json`` prints it."""
    return {
        "name": definition.name,
        "version": definition.version,
        "title": definition.title,
        "initial": definition.initial,
        "stages": [
            {"code": s.code, "meaning": s.meaning, "terminal": s.terminal}
            for s in definition.stages
        ],
        "roles": list(definition.roles),
        "commands": list(definition.command_names),
        "rules": [i for i, r in definition.rules.items() if r.protocol],
        "engine_rules": [i for i, r in definition.rules.items() if not r.protocol],
        "documents": list(definition.documents),
    }


@scr_command(cli, "protocols")
def protocols(session: Session) -> None:
    """List the protocols reviews can run under: each one's name, version, stages,
    commands and rule IDs."""
    from scr_engine.protocols import available

    found = available()
    data = {"protocols": [protocols_json(p) for p in found]}

    def render(console: Console) -> None:
        for definition in found:
            console.print(f"[bold]{definition.name}[/bold] version {definition.version}")
            console.print(f"  {definition.title}")
            stages = ", ".join(
                f"{s.code} (ends)" if s.terminal else s.code for s in definition.stages
            )
            console.print(f"  stages ({len(definition.stages)}): {stages}")
            console.print(
                f"  commands ({len(definition.table)}): {', '.join(definition.command_names)}"
            )
            ids = [i for i, r in definition.rules.items() if r.protocol]
            console.print(f"  rules ({len(ids)}): {', '.join(ids)}")

    session.emit(data, render)
