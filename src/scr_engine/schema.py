"""JSON Schema for every command and for the request form.

Hosts that take commands as JSON (:func:`scr_engine.commands.from_dict`) can validate,
document or generate forms from these schemas. They are made from the attrs classes
themselves (:func:`generate`) and shipped in the package (``scr_engine/schemas/``,
read with :func:`load`); a test checks that the shipped files are fresh, and that a
document is accepted by :func:`~scr_engine.commands.from_dict` exactly when it
validates against its command's schema (JSON Schema draft 2020-12, with format
checking for ``date``).

What a schema says is the shape: which fields, of what types, which are required.
What the protocol asks of the content (a form missing a required answer, RF-2; a guard
that does not hold) is judged by the engine when the command is executed, with every
reason (:class:`~scr_engine.TransitionRefused`). Fields holding personal data carry
``"x-personal": true`` (see :mod:`scr_engine.personal`).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from importlib import resources
from typing import Any

import attrs

from scr_engine.commands import COMMANDS
from scr_engine.personal import PERSONAL
from scr_engine.records import RequestForm

__all__ = ["DATE_PATTERN", "DIALECT", "NAMES", "dumps", "generate", "load", "schema_of", "write"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect of every schema."""

DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
"""How a date is written: ISO 8601 ``YYYY-MM-DD`` (format ``date`` checks the day)."""

NAMES: tuple[str, ...] = (*sorted(COMMANDS), "request_form")
"""The shipped schemas: one per command (by its code), and ``request_form``."""


def schema_of(cls: type) -> dict[str, Any]:
    """The JSON Schema of an attrs record or command class: the object itself, and the
    records it holds under ``$defs``. A command's schema also requires its
    ``command`` code."""
    defs: dict[str, Any] = {}
    root = _record(cls, defs)
    name = getattr(cls, "name", None)
    if name in COMMANDS and COMMANDS[name] is cls:
        root["properties"] = {"command": {"const": name}, **root["properties"]}
        root["required"] = ["command", *root["required"]]
        title = name
    else:
        title = cls.__name__
    schema = {
        "$schema": DIALECT,
        "$id": f"urn:scr-engine:schema:{title}",
        "title": title,
        **root,
    }
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def generate() -> dict[str, dict[str, Any]]:
    """Every schema of :data:`NAMES`, made now from the classes."""
    made = {name: schema_of(COMMANDS[name]) for name in sorted(COMMANDS)}
    made["request_form"] = schema_of(RequestForm)
    return made


def load(name: str) -> dict[str, Any]:
    """The shipped schema ``name`` (a command code or ``request_form``);
    ``KeyError`` naming it when there is none."""
    if name not in NAMES:
        raise KeyError(f"no schema {name!r}; known: {', '.join(NAMES)}")
    text = resources.files("scr_engine").joinpath("schemas", f"{name}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def write(folder: str | None = None) -> list[str]:
    """Write every schema made now (:func:`generate`) into ``folder`` (the package's
    ``schemas`` folder by default, where :func:`load` reads them); the paths."""
    from pathlib import Path

    target = Path(folder) if folder is not None else Path(__file__).parent / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = target / f"{name}.json"
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(str(path))
    return written


def dumps(schema: Mapping[str, Any]) -> str:
    """A schema as the shipped files hold it (indented, sorted as made, final newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _description(cls: type) -> str | None:
    doc = cls.__doc__
    if not doc or doc.startswith(f"{cls.__name__}("):  # attrs' generated repr-like doc
        return None
    first = doc.strip().split("\n\n", 1)[0]
    return " ".join(first.split())


def _record(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    attrs.resolve_types(cls)
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        prop = _type(hints.get(field.name, field.type), defs)
        if field.metadata.get(PERSONAL):
            prop = {**prop, "x-personal": True}
        properties[field.name] = prop
        if field.default is attrs.NOTHING:
            required.append(field.name)
    out: dict[str, Any] = {"type": "object"}
    description = _description(cls)
    if description:
        out["description"] = description
    out.update(properties=properties, required=required, additionalProperties=False)
    return out


def _type(kind: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        options = [_type(a, defs) for a in args if a is not type(None)]
        if type(None) in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _type(args[0], defs)}
    if origin is frozenset:
        # Repeats are allowed (a set keeps one of each).
        return {"type": "array", "items": _type(args[0], defs)}
    if origin is dict:
        key, value = args
        out: dict[str, Any] = {"type": "object", "additionalProperties": _type(value, defs)}
        if isinstance(key, type) and issubclass(key, Enum):
            out["propertyNames"] = {"enum": [m.value for m in key]}
        return out
    if isinstance(kind, type):
        if issubclass(kind, Enum):
            return {"type": "string", "enum": [m.value for m in kind]}
        if kind is bool:
            return {"type": "boolean"}
        if kind is int:
            return {"type": "integer"}
        if kind is str:
            return {"type": "string"}
        if kind is datetime:  # pragma: no cover - no command holds one yet
            raise TypeError("a date-time field needs its own schema")
        if kind is date:
            return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        if attrs.has(kind):
            if kind.__name__ not in defs:
                defs[kind.__name__] = {}  # a placeholder first: records may nest
                defs[kind.__name__] = _record(kind, defs)
            return {"$ref": f"#/$defs/{kind.__name__}"}
    raise TypeError(f"no JSON Schema for {kind!r}")
