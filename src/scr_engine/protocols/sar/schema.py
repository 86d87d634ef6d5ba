"""JSON Schemas of the SAR commands and of the referral form, shipped in ``schemas/``
beside this module (made from the classes by :func:`generate`, read by :func:`load`),
as :mod:`scr_engine.schema` does for the SCR's. A test checks the shipped files are
fresh (regenerate with ``python -c "from scr_engine.protocols.sar.schema import write;
write()"``)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from scr_engine.protocols.sar import SAR
from scr_engine.protocols.sar.records import Referral
from scr_engine.schema import dumps, schema_of

__all__ = ["COMMANDS", "NAMES", "generate", "load", "sar_schema", "write"]

COMMANDS = dict(SAR.commands)
"""Every command of the SAR definition: ``map.md`` §1's, the information requests'
(§2), the erasure and the annual report inclusion."""
NAMES: tuple[str, ...] = (*sorted(COMMANDS), "request_form")
"""The shipped schemas: one per SAR command, and ``request_form`` (the referral)."""


def sar_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of a SAR command class (requiring its ``command`` code) or
    record, with a ``urn:scr-engine:schema:sar:`` id."""
    schema = schema_of(cls)
    name = getattr(cls, "name", None)
    title = name if isinstance(name, str) and COMMANDS.get(name) is cls else cls.__name__
    if title == name and "command" not in schema["properties"]:
        schema["properties"] = {"command": {"const": name}, **schema["properties"]}
        schema["required"] = ["command", *schema["required"]]
    schema["title"] = title
    schema["$id"] = f"urn:scr-engine:schema:sar:{title}"
    return schema


def generate() -> dict[str, dict[str, Any]]:
    """Every schema of :data:`NAMES`, made now."""
    made = {name: sar_schema(COMMANDS[name]) for name in sorted(COMMANDS)}
    made["request_form"] = sar_schema(Referral)
    return made


def load(name: str) -> dict[str, Any]:
    """The shipped schema ``name``; ``KeyError`` naming it when there is none."""
    if name not in NAMES:
        raise KeyError(f"no SAR schema {name!r}; known: {', '.join(NAMES)}")
    files = resources.files(__package__).joinpath("schemas", f"{name}.json")
    loaded: dict[str, Any] = json.loads(files.read_text("utf-8"))
    return loaded


def write(folder: str | None = None) -> list[str]:
    """Write every schema into ``folder`` (the package's ``schemas/`` by default)."""
    target = Path(folder) if folder is not None else Path(__file__).parent / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = target / f"{name}.json"
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(str(path))
    return written
