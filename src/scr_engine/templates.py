"""Command templates: every field a command takes, in words, ready to fill in.

:func:`template` describes one command — each field's type in words, its allowed
values, its format, whether it is required and its default, the tables and lists it
holds, the rules that ask for it — and, given a review, fills in what the review
already knows (its agencies, its people, the IMRs' merged chronology for the overview
report, the terms of reference to revise). :func:`to_toml` writes it as a commented
TOML file that reads back, unchanged, into the command (``scr run REVIEW COMMAND
--template``, then ``--from FILE``); :func:`template_json` gives the same as JSON;
:func:`dumps_toml` writes any JSON-ready table as TOML.

The rules that ask for a field are found in the guards themselves (:mod:`scr_engine.rules`):
a refusal naming a rule of the registry and the field, in the guard of the command or
a helper it calls. A field no guard names has none.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum, StrEnum
from functools import cache
from typing import Any

import attrs
from attrs import evolve, frozen

from scr_engine.commands import COMMANDS
from scr_engine.personal import PERSONAL
from scr_engine.records import Review
from scr_engine.rules.registry import RULES, RuleKind
from scr_engine.serialization import unstructure
from scr_engine.states.table import row

__all__ = [
    "CommandTemplate",
    "FieldKind",
    "TemplateField",
    "dumps_toml",
    "field_rules",
    "fields_summary",
    "template",
    "template_json",
    "to_toml",
]

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


# --------------------------------------------------------------------------- fields


def _plain(text: str) -> str:
    """Docstring text without its reStructuredText roles and literals."""

    def role(match: re.Match[str]) -> str:
        inner = match.group(1)
        if "<" in inner:
            return inner.split("<", 1)[0].strip()
        return inner.lstrip("~").rsplit(".", 1)[-1] if inner.startswith("~") else inner

    return re.sub(r":[a-z]+:`([^`]*)`", role, text).replace("``", "")


def _cls_doc(cls: type) -> str:
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
    return _typed(base, kind)


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
                description=base.description or _cls_doc(item),
                kind=FieldKind.TABLES,
                words=f"a list of tables ({_cls_words(item)}), one [[{base.path}]] each",
                fields=_record_fields(item, base.path),
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
        return evolve(
            base,
            description=base.description or _cls_doc(value),
            kind=FieldKind.KEYED,
            words=f"a table for each key, each {_cls_words(value)}",
            allowed=_enum_values(key),
            fields=_record_fields(value, f"{base.path}.KEY"),
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
                description=base.description or _cls_doc(kind),
                kind=FieldKind.TABLE,
                words=f"a table ({_cls_words(kind)})",
                fields=_record_fields(kind, base.path),
            )
    raise TypeError(f"no template for {kind!r}")  # pragma: no cover - a test covers every command


def _cls_words(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()


def _record_fields(cls: type, prefix: str = "") -> tuple[TemplateField, ...]:
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


# --------------------------------------------------------------------------- rules


def _literal(node: ast.AST | None, constants: Mapping[str, str]) -> str | None:
    """A string the node always is, or the fixed start of an f-string (to its first
    placeholder, without a trailing ``.`` or ``[``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rstrip(".[") or None
    return None


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _refusal_pair(node: ast.Call, constants: Mapping[str, str]) -> tuple[str, str] | None:
    """(rule, field) of ``Refusal(RULE, message, kind, FIELD)`` or ``need_text(out,
    value, RULE, FIELD, what)`` when both are written out."""
    name = _called(node)
    keywords = {k.arg: k.value for k in node.keywords}
    if name == "Refusal" and node.args:
        field = keywords.get("field", node.args[3] if len(node.args) > 3 else None)
        rule, where = _literal(node.args[0], constants), _literal(field, constants)
    elif name == "need_text" and len(node.args) >= 4:
        rule, where = _literal(node.args[2], constants), _literal(node.args[3], constants)
    else:
        return None
    return (rule, where) if rule and where else None


@cache
def _scanned() -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[str]]]:
    """For every function of the rules (and the report's sections): the (rule, field)
    pairs its refusals name, and the functions it calls."""
    import importlib
    import pkgutil

    import scr_engine.rules as package
    from scr_engine import sections

    modules = [sections] + [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]
    pairs: dict[str, set[tuple[str, str]]] = {}
    calls: dict[str, set[str]] = {}
    for module in modules:
        tree = ast.parse(inspect.getsource(module))
        constants = {
            t.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            found = pairs.setdefault(node.name, set())
            called = calls.setdefault(node.name, set())
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    pair = _refusal_pair(inner, constants)
                    if pair is not None:
                        found.add(pair)
                    callee = _called(inner)
                    if callee is not None:
                        called.add(callee)
    return pairs, calls


@cache
def field_rules(command: str) -> Mapping[str, tuple[str, ...]]:
    """The rule IDs whose checks refuse ``command`` naming a field, by the field's
    dotted path (``terms.support`` → ``("SU-10",)``): read from the command's guard,
    the helpers it calls, and (for the overview report) its sections. Only rules of
    the registry's protocol count (not ``INPUT`` or ``MAP``)."""
    from scr_engine.rules.guards import CHECKS

    pairs, calls = _scanned()
    guard = CHECKS.get(command)
    roots = [guard.__name__ if guard is not None else command]
    if command == "submit_overview_report":
        roots.append("missing_sections")  # read before the guard (RP-2, RP-3)
    seen: set[str] = set()
    todo = list(roots)
    found: dict[str, set[str]] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for rule, where in pairs.get(name, ()):
            known = RULES.get(rule)
            if known is not None and known.kind is not RuleKind.ENGINE:
                found.setdefault(where, set()).add(rule)
        todo.extend(c for c in calls.get(name, ()) if c in pairs)
    return {k: tuple(sorted(v)) for k, v in sorted(found.items())}


def _with_rules(
    fields: Sequence[TemplateField], rules: Mapping[str, tuple[str, ...]]
) -> tuple[TemplateField, ...]:
    return tuple(
        evolve(f, rules=rules.get(f.path, ()), fields=_with_rules(f.fields, rules)) for f in fields
    )


# --------------------------------------------------------------------------- filling in


def _first(candidates: Sequence[str], done: Any) -> str | None:
    for value in candidates:
        if value not in done:
            return value
    return candidates[0] if candidates else None


def _prefill(command: str, review: Review) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """What the review knows of ``command``'s fields (JSON-ready, nested), and the
    values a field naming an agency, a person, an action or a recommendation of the
    review may take (by dotted path)."""
    from scr_engine.rules.report import imr_chronology

    agencies = review.agencies
    values: dict[str, Any] = {}
    allowed: dict[str, tuple[str, ...]] = {}
    pending: dict[str, tuple[Sequence[str], Any]] = {
        "record_records_secured": (agencies, review.records_secured),
        "record_imr_writer": (agencies, {w.agency for w in review.imr_writers}),
        "receive_imr": (review.imr_agencies, {i.agency for i in review.imrs}),
        "judge_imr": (
            tuple(i.agency for i in review.imrs),
            {i.agency for i in review.imrs if i.judgement is not None},
        ),
        "record_agency_signoff": (agencies, review.signoffs),
        "agree_lead_authority": (
            tuple(a.code for a in review.involved_agencies if a.local_authority),
            (),
        ),
    }
    if command in pending:
        candidates, done = pending[command]
        allowed["agency"] = tuple(candidates)
        first = _first(candidates, done)
        if first is not None:
            values["agency"] = first
    if command == "appoint_panel_member":
        allowed["appointment.agency"] = agencies
    if command == "record_chair_notified":
        values["received_on"] = review.received_on.isoformat()
    if command == "stand_down_panel_member":
        members = tuple(m.person_id for m in review.panel_members)
        allowed["person_id"] = members
        if members:
            values["person_id"] = members[0]
    if command in ("record_action_progress", "complete_action"):
        open_ids = tuple(a.id for a in review.actions if a.completed_on is None)
        allowed["action_id"] = open_ids
        if open_ids:
            values["action_id"] = open_ids[0]
    if command == "add_action" and review.overview_report is not None:
        ids = tuple(r.id for r in review.overview_report.conclusions.recommendations)
        allowed["recommendation_id"] = ids
        first = _first(ids, {a.recommendation_id for a in review.actions})
        if first is not None:
            values["recommendation_id"] = first
    if command in ("hold_initial_meeting", "revise_terms_of_reference"):
        allowed["terms.imr_agencies"] = agencies
        if command == "revise_terms_of_reference" and review.terms_of_reference is not None:
            values["terms"] = unstructure(review.terms_of_reference)
        else:
            values["terms"] = {"imr_agencies": list(agencies)}
    if command == "submit_overview_report":
        chronology = unstructure(imr_chronology(review))
        if chronology:
            values["report"] = {"facts": {"chronology": chronology}}
    return values, allowed


def _merge(base: Any, over: Any) -> Any:
    """``over`` laid on ``base``: tables merged key by key, anything else replaced."""
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    return over


def _fill(fields: Sequence[TemplateField], given: Mapping[str, Any]) -> dict[str, Any]:
    """The table of ``fields``: given values first, then defaults that TOML can hold,
    then a blank for a required field; an optional field with nothing is left out."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.name in given:
            value = given[f.name]
            if value is None:
                continue
            if f.kind is FieldKind.TABLE and isinstance(value, Mapping):
                value = _fill(f.fields, value)
            elif f.kind is FieldKind.TABLES and isinstance(value, list | tuple):
                value = [_fill(f.fields, v) if isinstance(v, Mapping) else v for v in value]
            elif f.kind is FieldKind.KEYED and isinstance(value, Mapping):
                value = {
                    k: _fill(f.fields, v) if isinstance(v, Mapping) else v for k, v in value.items()
                }
            out[f.name] = value
        elif f.kind is FieldKind.TABLE and f.required:
            out[f.name] = _fill(f.fields, {})
        elif f.kind is FieldKind.KEYED and f.required:
            out[f.name] = {key: _fill(f.fields, {}) for key in f.allowed}
        elif f.default is not None and f.kind not in (FieldKind.TABLE, FieldKind.TABLES):
            out[f.name] = f.default
        elif f.required:
            out[f.name] = [] if f.kind in (FieldKind.LIST, FieldKind.TABLES) else ""
    return out


def _allowed_from(
    fields: Sequence[TemplateField], allowed: Mapping[str, tuple[str, ...]]
) -> tuple[TemplateField, ...]:
    return tuple(
        evolve(
            f,
            allowed=allowed.get(f.path, f.allowed),
            fields=_allowed_from(f.fields, allowed),
        )
        for f in fields
    )


def template(
    command: str, review: Review | None = None, values: Mapping[str, Any] | None = None
) -> CommandTemplate:
    """The template of ``command`` (a command code): its fields, filled in from
    ``review`` where the review knows them, then from ``values`` (JSON-ready, as
    :func:`~scr_engine.commands.to_dict` gives them, without ``command``).

    ``KeyError`` naming the command when there is none by that code."""
    cls = COMMANDS.get(command)
    if cls is None:
        raise KeyError(f"no command {command!r}; known: {', '.join(sorted(COMMANDS))}")
    table_row = row(command)
    fields = _command_fields(command)
    given: dict[str, Any] = {}
    if review is not None:
        known, allowed = _prefill(command, review)
        fields = _allowed_from(fields, allowed)
        given = known
    if values is not None:
        given = _merge(given, {k: v for k, v in values.items() if k != "command"})
    return CommandTemplate(
        command=command,
        summary=_cls_doc(cls),
        roles=tuple(sorted(r.value for r in table_row.roles)),
        stages=tuple(s.value for s in table_row.sources),
        leads_to=table_row.dest.value if table_row.dest is not None else None,
        rules=table_row.rules,
        fields=fields,
        values=_fill(fields, given),
    )


@cache
def _command_fields(command: str) -> tuple[TemplateField, ...]:
    """A command's fields with the rules that ask for them (made once)."""
    return _with_rules(_record_fields(COMMANDS[command]), field_rules(command))


def fields_summary(command: str) -> str:
    """A command's fields in one line: the required ones, then the optional ones
    (``agency; optional: occurred_on``); ``"none"`` for a command without fields."""
    fields = _record_fields(COMMANDS[command])
    required = ", ".join(f.name for f in fields if f.required)
    optional = ", ".join(f.name for f in fields if not f.required)
    if optional:
        optional = f"optional: {optional}"
    return "; ".join(part for part in (required, optional) if part) or "none"


# --------------------------------------------------------------------------- JSON


def _field_json(f: TemplateField) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": f.path.replace(".KEY", ".*"),
        "type": f.words,
        "kind": f.kind.value,
        "required": f.required,
    }
    if f.default is not None:
        out["default"] = f.default
    if f.allowed:
        out["allowed"] = list(f.allowed)
    if f.format:
        out["format"] = f.format
    if f.personal:
        out["personal"] = True
    if f.description:
        out["description"] = f.description
    out["rules"] = [{"id": r, "title": RULES[r].title} for r in f.rules]
    if f.fields:
        out["fields"] = [_field_json(inner) for inner in f.fields]
    return out


def template_json(made: CommandTemplate) -> dict[str, Any]:
    """A template as JSON: what the command is, its fields described, and
    ``payload``, the command filled in as far as it can be (``--from`` reads the
    whole document back, or the payload alone)."""
    return {
        "command": made.command,
        "summary": made.summary,
        "roles": list(made.roles),
        "stages": list(made.stages),
        "leads_to": made.leads_to,
        "rules": [{"id": r, "title": RULES[r].title} for r in made.rules],
        "fields": [_field_json(f) for f in made.fields],
        "payload": dict(made.values),
    }


# --------------------------------------------------------------------------- TOML

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    return name if _BARE.fullmatch(name) else _string(name)


def _header(path: Sequence[str]) -> str:
    return ".".join(_key(p) for p in path)


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _value(value: Any, as_date: bool = False) -> str:
    """One TOML value: text (a date as a TOML date when ``as_date``), a number,
    true/false, or an inline list of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return value if as_date and _is_date(value) else _string(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v, as_date) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(str(k))} = {_value(v, as_date)}" for k, v in value.items())
        return "{" + inner + "}"
    raise TypeError(f"no TOML value for {value!r}")


def _is_tables(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def dumps_toml(data: Mapping[str, Any]) -> str:
    """A JSON-ready table as TOML that :mod:`tomllib` reads back equal (``None``
    values left out, as TOML has no null; tuples read back as lists)."""
    lines: list[str] = []
    _dump_table(lines, [], data)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(lines: list[str], path: list[str], data: Mapping[str, Any]) -> None:
    later: list[tuple[str, Any]] = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping) or _is_tables(value):
            later.append((key, value))
        else:
            lines.append(f"{_key(str(key))} = {_value(value)}")
    for key, value in later:
        inner = [*path, str(key)]
        if isinstance(value, Mapping):
            lines += ["", f"[{_header(inner)}]"]
            _dump_table(lines, inner, value)
        else:
            for item in value:
                lines += ["", f"[[{_header(inner)}]]"]
                _dump_table(lines, inner, item)


def _comment(f: TemplateField) -> list[str]:
    lines = _wrapped(f.description)
    parts = [f.words]
    if f.allowed and f.kind is FieldKind.CHOICE:
        parts = ["one of: " + ", ".join(f.allowed)]
    elif f.allowed and f.kind is FieldKind.LIST and f.item is FieldKind.CHOICE:
        parts = ["a list, each one of: " + ", ".join(f.allowed)]
    elif f.allowed and f.kind is not FieldKind.KEYED:
        parts.append("allowed: " + ", ".join(f.allowed))
    if f.required:
        parts.append("required")
    elif f.default is not None and f.default not in ("", [], {}):
        parts.append(f"optional (default {_value(f.default)})")
    else:
        parts.append("optional")
    if f.personal:
        parts.append("personal data")
    parts += [f"{r} {RULES[r].title}" for r in f.rules]
    return lines + _wrapped("; ".join(parts))


def _wrapped(text: str) -> list[str]:
    """``text`` as comment lines of at most 88 characters."""
    import textwrap

    return ["# " + line for line in textwrap.wrap(text, 86, break_on_hyphens=False)]


def to_toml(made: CommandTemplate) -> str:
    """The template as a commented TOML file: a heading saying what the command is,
    who may issue it and when; then each field, preceded by a comment giving its type,
    allowed values, whether it is required and the rules that ask for it. Optional
    fields with no value are commented out, so that the file as printed reads back
    (``scr run REVIEW COMMAND --from FILE``) into the command filled in, or one
    refused naming each blank it must have."""
    head = _wrapped(f"{made.command}: {made.summary}")
    head += _wrapped(
        f"Issued by: {', '.join(made.roles) or 'nobody'}; from the stages: "
        f"{', '.join(made.stages) or 'none'}"
        + (f"; leads to {made.leads_to}." if made.leads_to else "; the stage stays.")
    )
    for rule in made.rules:
        head.append(f"# {rule}: {RULES[rule].title}")
    head.append(f"# Fill it in, then: scr run REVIEW {made.command} --from FILE.toml")
    lines: list[str] = []
    _template_table(lines, [], made.fields, made.values)
    return "\n".join(head) + "\n" + "\n".join(lines) + "\n"


def _placeholder(f: TemplateField) -> str:
    if f.default is not None:
        return _value(f.default, as_date=f.kind is FieldKind.DATE)
    if f.kind is FieldKind.DATE:
        return DATE_FORMAT
    if f.kind is FieldKind.LIST:
        return "[]"
    if f.kind is FieldKind.NUMBER:
        return "0"
    if f.kind is FieldKind.BOOLEAN:
        return "false"
    return _string(f.allowed[0]) if f.allowed else '""'


def _template_table(
    lines: list[str],
    path: list[str],
    fields: Sequence[TemplateField],
    values: Mapping[str, Any],
    commented: bool = False,
    quiet: bool = False,
) -> None:
    hash_ = "# " if commented else ""
    tables: list[TemplateField] = []
    for f in fields:
        if f.kind in (FieldKind.TABLE, FieldKind.TABLES, FieldKind.KEYED):
            tables.append(f)
            continue
        if not (commented or quiet):
            lines.append("")
        if not quiet:
            lines += _comment(f)
        if f.name in values:
            shown = _value(
                values[f.name], as_date=f.kind is FieldKind.DATE or f.item is FieldKind.DATE
            )
            lines.append(f"{hash_}{_key(f.name)} = {shown}")
        else:
            lines.append(f"# {_key(f.name)} = {_placeholder(f)}")
    for f in tables:
        inner = [*path, f.name]
        given = values.get(f.name)
        off = commented or given is None
        mark = "# " if off else ""
        lines.append("")
        lines += _comment(f)
        if f.kind is FieldKind.TABLE:
            lines.append(f"{mark}[{_header(inner)}]")
            _template_table(lines, inner, f.fields, given or {}, off)
        elif f.kind is FieldKind.KEYED:
            keyed = given if isinstance(given, Mapping) else {}
            keys = (*f.allowed, *(k for k in keyed if k not in f.allowed))
            for n, key in enumerate(keys):
                entry = keyed.get(key)
                lines += ["", f"{'# ' if off or entry is None else ''}[{_header([*inner, key])}]"]
                _template_table(
                    lines, [*inner, key], f.fields, entry or {}, off or entry is None, n > 0
                )
        else:
            items = list(given) if isinstance(given, list | tuple) else []
            if not items:
                lines.append(f"# (none yet: one [[{_header(inner)}]] table each)")
                lines.append(f"# [[{_header(inner)}]]")
                _template_table(lines, inner, f.fields, {}, True)
            for n, item in enumerate(items):
                lines += ["", f"{mark}[[{_header(inner)}]]"]
                _template_table(lines, inner, f.fields, item, off, n > 0)
