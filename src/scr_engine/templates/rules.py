"""The rules that ask for a field, found in the guards themselves (:mod:`scr_engine.rules`):
a refusal naming a rule of the registry and the field, in the guard of the command or
a helper it calls. A field no guard names has none.

Reading the guards' source takes a tenth of a second, which every ``scr show`` paid:
the package ships what the reading finds (``field_rules.json``, written by
:func:`write`; a test reads the guards again and checks the file is fresh), and
:func:`field_rules` looks it up."""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from attrs import evolve

from scr_engine.rules.registry import RULES, RuleKind
from scr_engine.templates.fields import TemplateField


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


SHIPPED = Path(__file__).with_name("field_rules.json")
"""Where the package keeps :func:`scanned` for every command of the SCR."""


@cache
def _shipped() -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return found


@cache
def field_rules(command: str) -> Mapping[str, tuple[str, ...]]:
    """The rule IDs whose checks refuse ``command`` naming a field, by the field's
    dotted path (``terms.support`` → ``("SU-10",)``): read from the command's guard,
    the helpers it calls, and (for the overview report) its sections. Only rules of
    the registry's protocol count (not ``INPUT`` or ``MAP``). What the package ships
    for the SCR's commands (see the module); any other name is read from the source."""
    shipped = _shipped().get(command)
    if shipped is None:
        return scanned(command)
    return {path: tuple(rules) for path, rules in shipped.items()}


def generate() -> dict[str, dict[str, list[str]]]:
    """:func:`scanned` for every command of the SCR, as ``field_rules.json`` holds it."""
    from scr_engine.commands import COMMANDS

    return {
        name: {path: list(rules) for path, rules in scanned(name).items()}
        for name in sorted(COMMANDS)
    }


def write(path: Path | None = None) -> Path:
    """Write :func:`generate` to ``path`` (the package's ``field_rules.json``)."""
    target = path if path is not None else SHIPPED
    text = json.dumps(generate(), indent=1, sort_keys=True) + "\n"
    target.write_text(text, encoding="utf-8")
    return target


def scanned(command: str) -> Mapping[str, tuple[str, ...]]:
    """:func:`field_rules` read from the guards' source (slow: every rules module is
    parsed once a process)."""
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


def with_rules(
    fields: Sequence[TemplateField], rules: Mapping[str, tuple[str, ...]]
) -> tuple[TemplateField, ...]:
    return tuple(
        evolve(f, rules=rules.get(f.path, ()), fields=with_rules(f.fields, rules)) for f in fields
    )
