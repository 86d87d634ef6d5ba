"""The rules that ask for a field, found in the guards themselves (:mod:`scr_engine.rules`
for the SCR; the package of its guards for another protocol): a refusal naming a rule
of the protocol's registry and the field, in the guard of the command or a helper it
calls. A field no guard names has none.

Reading the guards' source takes a tenth of a second, which every ``scr show`` paid:
the package ships what the reading finds (``field_rules.json``, beside the guards of
each protocol, written by :func:`write`; a test reads the guards again and checks each
file is fresh), and :func:`field_rules` looks it up."""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from attrs import evolve

from scr_engine.protocols import DEFAULT, Protocol
from scr_engine.rules.registry import RULES, RuleKind
from scr_engine.templates.fields import TemplateField

_HELPERS: Mapping[str, tuple[int, int]] = {
    "Refusal": (0, 3),  # Refusal(RULE, message, kind, FIELD)
    "need_text": (2, 3),  # need_text(out, value, RULE, FIELD, what)
    "guard": (2, 4),  # guard(out, holds, RULE, message, FIELD): a SAR's
    "waivable": (3, 5),  # waivable(out, review, holds, RULE, message, FIELD): a SAR's
    "_refuse": (1, 3),  # _refuse(out, RULE, message, FIELD): the annual report's
    "_input": (1, 3),  # _input(out, RULE, message, FIELD): the annual report's
}
"""The calls that make a refusal (the class and the helpers around it), and where
their rule and field are (the field may be given by keyword)."""


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
    """(rule, field) of a call of :data:`_HELPERS` when both are written out."""
    name = _called(node)
    if name is None or name not in _HELPERS:
        return None
    at_rule, at_field = _HELPERS[name]
    if len(node.args) <= at_rule:
        return None
    keywords = {k.arg: k.value for k in node.keywords}
    field = keywords.get("field", node.args[at_field] if len(node.args) > at_field else None)
    rule, where = _literal(node.args[at_rule], constants), _literal(field, constants)
    return (rule, where) if rule and where else None


def _packages(definition: Protocol) -> tuple[str, ...]:
    """The packages whose modules hold ``definition``'s guards and their helpers, the
    one holding most first (a guard or two may come from another protocol's package)."""
    if definition is DEFAULT:
        return ("scr_engine.rules",)
    import sys
    from collections import Counter

    def home(name: str) -> str:
        module = sys.modules.get(name)
        package = module is not None and hasattr(module, "__path__")
        return name if package else name.rpartition(".")[0]

    found = Counter(home(getattr(g, "__module__", "")) for g in definition.guards.values())
    return tuple(name for name, _ in found.most_common() if name)


@cache
def _scanned(package_name: str) -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[str]]]:
    """For every function of the package's modules (and, for the SCR's rules, the
    report's sections): the (rule, field) pairs its refusals name, and the functions it
    calls."""
    import importlib
    import pkgutil
    import types

    from scr_engine import sections

    try:
        package = importlib.import_module(package_name)
        modules: list[types.ModuleType] = [sections] if package_name == "scr_engine.rules" else []
        modules.append(package)  # its __init__ may hold guards too
        modules += [
            importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(getattr(package, "__path__", []))
            if not info.ispkg
        ]
    except ImportError:  # a host's guards where no import reaches them: nothing to read
        return {}, {}
    pairs: dict[str, set[tuple[str, str]]] = {}
    calls: dict[str, set[str]] = {}
    for module in modules:
        try:
            tree = ast.parse(inspect.getsource(module))
        except (OSError, TypeError):  # a host's protocol shipped without its source
            continue
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


def shipped_path(definition: Protocol = DEFAULT) -> Path:
    """Where the package keeps :func:`scanned` for every command of ``definition``: for
    the SCR :data:`SHIPPED`, for another protocol ``field_rules.json`` in the folder of
    its guards (the SCR's folder for a protocol without guards: it has no such file)."""
    if definition is DEFAULT:
        return SHIPPED
    import importlib

    packages = _packages(definition)
    try:
        package = importlib.import_module(packages[0]) if packages else None
    except ImportError:
        package = None
    if package is None:
        return SHIPPED.with_name("no_guards.json")
    return Path(str(package.__file__)).with_name("field_rules.json")


@cache
def _shipped(definition: Protocol) -> dict[str, dict[str, list[str]]]:
    path = shipped_path(definition)
    if not path.is_file():
        return {}
    found: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return found


@cache
def field_rules(command: str, definition: Protocol = DEFAULT) -> Mapping[str, tuple[str, ...]]:
    """The rule IDs whose checks refuse ``command`` of ``definition`` (the SCR by
    default) naming a field, by the field's dotted path (``terms.support`` →
    ``("SU-10",)``): read from the command's guard, the helpers it calls, and (for the
    SCR's overview report) its sections. Only rules of the protocol's registry count
    (not the engine's ``INPUT``, ``MAP`` or ``DATE``). What the package ships for a
    shipped protocol's commands (see the module); anything else is read from the
    source."""
    shipped = _shipped(definition).get(command)
    if shipped is None:
        return scanned(command, definition)
    return {path: tuple(rules) for path, rules in shipped.items()}


def generate(definition: Protocol = DEFAULT) -> dict[str, dict[str, list[str]]]:
    """:func:`scanned` for every command of ``definition`` (the SCR by default) but its
    request, as its ``field_rules.json`` holds it."""
    from scr_engine.commands import COMMANDS

    names = COMMANDS if definition is DEFAULT else definition.commands
    return {
        name: {path: list(rules) for path, rules in scanned(name, definition).items()}
        for name in sorted(names)
        if name != "submit_request" or definition is DEFAULT
    }


def write(path: Path | None = None, definition: Protocol = DEFAULT) -> Path:
    """Write :func:`generate` to ``path`` (the protocol's shipped ``field_rules.json``)."""
    target = path if path is not None else shipped_path(definition)
    text = json.dumps(generate(definition), indent=1, sort_keys=True) + "\n"
    target.write_text(text, encoding="utf-8")
    return target


def scanned(command: str, definition: Protocol = DEFAULT) -> Mapping[str, tuple[str, ...]]:
    """:func:`field_rules` read from the guards' source (slow: every module of the
    guards' package is parsed once a process)."""
    from scr_engine.rules.guards import CHECKS

    pairs: dict[str, set[tuple[str, str]]] = {}
    calls: dict[str, set[str]] = {}
    for package in _packages(definition):
        found_pairs, found_calls = _scanned(package)
        for name, made in found_pairs.items():
            pairs.setdefault(name, set()).update(made)
        for name, called in found_calls.items():
            calls.setdefault(name, set()).update(called)
    checks: Mapping[str, object] = CHECKS if definition is DEFAULT else definition.guards
    guard = checks.get(command)
    roots = [getattr(guard, "__name__", command) if guard is not None else command]
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
            engine = rule in RULES and RULES[rule].kind is RuleKind.ENGINE
            if rule in definition.rules and not engine:
                found.setdefault(where, set()).add(rule)
        todo.extend(c for c in calls.get(name, ()) if c in pairs)
    return {k: tuple(sorted(v)) for k, v in sorted(found.items())}


def with_rules(
    fields: Sequence[TemplateField], rules: Mapping[str, tuple[str, ...]]
) -> tuple[TemplateField, ...]:
    return tuple(
        evolve(f, rules=rules.get(f.path, ()), fields=with_rules(f.fields, rules)) for f in fields
    )
