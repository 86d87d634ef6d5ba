"""The fields of a command, read from its classes: each field's type in words, its
allowed values, format, default and docstring, and the tables and lists it holds."""

from __future__ import annotations

import ast
import inspect
import re
import types
import typing
from collections.abc import Mapping
from datetime import date
from enum import Enum, StrEnum
from functools import cache
from typing import Any

import attrs
from attrs import evolve, frozen

from scr_engine.marks import KEYS
from scr_engine.personal import PERSONAL
from scr_engine.serialization import unstructure

DATE_FORMAT = "YYYY-MM-DD"


class FieldKind(StrEnum):
    """What a field holds."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"
    """One of the allowed values."""
    LIST = "list"
    """A list of text, dates or allowed values."""
    TABLE = "table"
    """A record: a table of fields of its own."""
    TABLES = "tables"
    """A list of records: one table each."""
    KEYED = "keyed"
    """A table for each of the allowed keys, each a record."""


@frozen
class TemplateField:
    """One field of a command (or of a record a command holds)."""

    name: str
    """The field's name in its table."""
    path: str
    """Where it is in the command, dotted (``terms.support``)."""
    kind: FieldKind
    words: str
    """Its type in words (``"a date (YYYY-MM-DD)"``)."""
    required: bool
    """Whether the command must give it (no default)."""
    default: Any = None
    """Its default, JSON-ready (``None`` for none, or when the default is nothing)."""
    allowed: tuple[str, ...] = ()
    """The values it may take (a choice, a list of choices), or the keys of a keyed table;
    for a field naming an agency or a person of a review, those of the review."""
    format: str | None = None
    """How it is written: ``YYYY-MM-DD`` for a date."""
    item: FieldKind | None = None
    """What a list holds."""
    fields: tuple[TemplateField, ...] = ()
    """The fields of a table, of each table of a list, or of each keyed table."""
    personal: bool = False
    """Whether it holds personal data (:mod:`scr_engine.personal`)."""
    description: str = ""
    rules: tuple[str, ...] = ()
    """The rule IDs whose guards ask for it; empty when none is known."""


@frozen
class CommandTemplate:
    """A command's fields and the values filled in for one review (or none)."""

    command: str
    summary: str
    """What the command does (the first paragraph of its class's docstring)."""
    roles: tuple[str, ...]
    """Who may issue it."""
    stages: tuple[str, ...]
    """The stages it may be issued from."""
    leads_to: str | None
    """The stage it leads to; ``None`` for a record made inside a stage."""
    rules: tuple[str, ...]
    """The rules it answers to (the protocol's table)."""
    fields: tuple[TemplateField, ...]
    values: Mapping[str, Any]
    """The command's fields as far as they can be filled in, JSON-ready (no
    ``command`` key): given values, what the review knows, defaults; a required field
    nothing fills is ``""`` (or ``[]`` for a list), which the command refuses naming
    it; an optional field with no value is absent."""
    titles: Mapping[str, str] = attrs.field(factory=dict)
    """The titles of the rules it shows (``rules`` and its fields') that are another
    protocol's, from that protocol's registry; the SCR's are the registry's."""


def _plain(text: str) -> str:
    """Docstring text without its reStructuredText roles and literals."""

    def role(match: re.Match[str]) -> str:
        inner = match.group(1)
        if "<" in inner:
            return inner.split("<", 1)[0].strip()
        return inner.lstrip("~").rsplit(".", 1)[-1] if inner.startswith("~") else inner

    return re.sub(r":[a-z]+:`([^`]*)`", role, text).replace("``", "")


def cls_doc(cls: type) -> str:
    doc = cls.__doc__
    if not doc or doc.startswith(f"{cls.__name__}("):
        return ""
    return _plain(" ".join(doc.strip().split("\n\n", 1)[0].split()))


@cache
def _module_docs(module: str) -> dict[str, dict[str, str]]:
    """The docstrings written under the fields of a module's classes (``x: int`` then
    a string), by class name and field name."""
    import sys

    try:
        source = inspect.getsource(sys.modules[module])
    except (KeyError, OSError, TypeError):
        return {}
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs = found.setdefault(node.name, {})
        for first, second in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(first, ast.AnnAssign)
                and isinstance(first.target, ast.Name)
                and isinstance(second, ast.Expr)
                and isinstance(second.value, ast.Constant)
                and isinstance(second.value.value, str)
            ):
                text = second.value.value.strip().split("\n\n", 1)[0]
                docs[first.target.id] = _plain(" ".join(text.split()))
    return found


def _attribute_docs(cls: type) -> dict[str, str]:
    """The docstrings written under a class's fields, its bases' first."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        found.update(_module_docs(klass.__module__).get(klass.__qualname__, {}))
    return found


def _default(field: attrs.Attribute) -> tuple[bool, Any]:  # type: ignore[type-arg]
    """Whether the field is required, and its default JSON-ready."""
    default = field.default
    if default is attrs.NOTHING:
        return True, None
    factory = getattr(default, "factory", None)
    if isinstance(default, attrs.Factory) and callable(factory):  # type: ignore[arg-type]
        return False, unstructure(factory())
    return False, unstructure(default)


def _enum_values(kind: type[Enum]) -> tuple[str, ...]:
    return tuple(str(m.value) for m in kind)


def _describe_field(
    name: str,
    path: str,
    kind: Any,
    field: attrs.Attribute,  # type: ignore[type-arg]
    doc: str,
) -> TemplateField:
    required, default = _default(field)
    personal = bool(field.metadata.get(PERSONAL))
    base = TemplateField(
        name, path, FieldKind.TEXT, "text", required, default, personal=personal, description=doc
    )
    made = _typed(base, kind)
    keys = field.metadata.get(KEYS)
    if made.kind is FieldKind.KEYED and not made.allowed and keys:
        made = evolve(made, allowed=tuple(keys))  # text keys, from a fixed list
    return made


def _typed(base: TemplateField, kind: Any) -> TemplateField:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        given = [a for a in args if a is not type(None)]
        return _typed(base, given[0])
    if origin in (tuple, frozenset):
        item = args[0]
        if isinstance(item, type) and attrs.has(item):
            return evolve(
                base,
                description=base.description or cls_doc(item),
                kind=FieldKind.TABLES,
                words=f"a list of tables ({_cls_words(item)}), one [[{base.path}]] each",
                fields=record_fields(item, base.path),
            )
        inner = _typed(base, item)
        words = {
            FieldKind.TEXT: "a list of text",
            FieldKind.DATE: f"a list of dates ({DATE_FORMAT})",
            FieldKind.CHOICE: "a list of allowed values",
        }.get(inner.kind, f"a list of {inner.words}")
        return evolve(
            base,
            kind=FieldKind.LIST,
            words=words,
            item=inner.kind,
            allowed=inner.allowed,
            format=inner.format,
        )
    if origin is dict:
        key, value = args
        keys = _enum_values(key) if isinstance(key, type) and issubclass(key, Enum) else ()
        if not attrs.has(value):
            # Text by key (another protocol's records: a principle and how it is met).
            inner = _typed(base, value)
            return evolve(
                base, kind=FieldKind.KEYED, words=f"a table of {inner.words} by key", allowed=keys
            )
        return evolve(
            base,
            description=base.description or cls_doc(value),
            kind=FieldKind.KEYED,
            words=f"a table for each key, each {_cls_words(value)}",
            allowed=keys,
            fields=record_fields(value, f"{base.path}.KEY"),
        )
    if isinstance(kind, type):
        if issubclass(kind, Enum):
            return evolve(
                base,
                kind=FieldKind.CHOICE,
                words="one of the allowed values",
                allowed=_enum_values(kind),
            )
        if kind is bool:
            return evolve(base, kind=FieldKind.BOOLEAN, words="true or false")
        if kind is int:
            return evolve(base, kind=FieldKind.NUMBER, words="a whole number")
        if kind is str:
            return base
        if kind is date:
            return evolve(
                base, kind=FieldKind.DATE, words=f"a date ({DATE_FORMAT})", format=DATE_FORMAT
            )
        if attrs.has(kind):
            return evolve(
                base,
                description=base.description or cls_doc(kind),
                kind=FieldKind.TABLE,
                words=f"a table ({_cls_words(kind)})",
                fields=record_fields(kind, base.path),
            )
    raise TypeError(f"no template for {kind!r}")  # pragma: no cover - a test covers every command


def _cls_words(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()


def record_fields(cls: type, prefix: str = "") -> tuple[TemplateField, ...]:
    attrs.resolve_types(cls)
    hints = typing.get_type_hints(cls)
    docs = _attribute_docs(cls)
    out = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        path = f"{prefix}.{field.name}" if prefix else field.name
        kind = hints.get(field.name, field.type)
        out.append(_describe_field(field.name, path, kind, field, docs.get(field.name, "")))
    return tuple(out)
