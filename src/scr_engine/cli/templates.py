"""``scr run REVIEW COMMAND --template``: a command's fields to fill in, as a commented
TOML file (or JSON with ``--json``), filled in from the review where it can be."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scr_engine.cli.app import Session

if TYPE_CHECKING:
    from scr_engine.protocols import Protocol

__all__ = ["fields_json", "print_template"]


def print_template(
    session: Session, review_id: str, command: str, values: dict[str, Any] | None = None
) -> None:
    """Print the template of ``command`` filled in from the review ``review_id`` (read
    as the session's actor: who may not read the review gets no template of it), then
    from ``values``."""
    from scr_engine.templates import template, template_json, to_toml

    found = session.engine.get(review_id, session.actor)
    made = template(command, found, values)
    if session.json:
        session.emit(template_json(made))
    else:
        sys.stdout.write(to_toml(made))


def fields_json(command: str, definition: Protocol | None = None) -> list[dict[str, object]]:
    """A command's fields in short (``scr show --json``): each one's name, type in
    words and whether it is required (``definition``: the protocol whose command it
    is, the SCR's by default)."""
    from scr_engine.templates import template

    made = template(command, definition=definition)
    return [{"name": f.name, "type": f.words, "required": f.required} for f in made.fields]
