"""The rule catalogue: every rule of the registry with where the library checks it
(apart from where a table only lists it, and where a docstring says the code does
what it asks) and which test functions are for it. Used by ``gen_pages.py`` (the
site's ``rules.md``) and by ``tests/test_rule_registry.py`` (the same scan decides
that every rule is checked and tested)."""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from scr_engine.rules.registry import RULES, Rule

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "scr_engine"
TESTS = ROOT / "tests"
T = TypeVar("T")
_ID = re.compile(r"^(?:SAR-[A-Z]-[0-9]+|[A-Z]{2}-(?:[0-9]+[a-z]?|[a-z]))$")


def anchor(rid: str) -> str:
    """The anchor of a rule's entry in its catalogue: its ID in lower case (``rf-5``,
    ``sar-d-5``, ``map``), the same whatever the rule's text says."""
    return rid.lower()


def link(rid: str, catalogue: str) -> str:
    """A rule's ID as a link to its entry; ``catalogue`` is the path of its catalogue
    page from the page the link is written on (``rules.md``, ``../rules.md`` …)."""
    return f"[{rid}]({catalogue}#{anchor(rid)})"


ABOUT = ("test_rule_registry.py", "test_protocol_pages.py")
"""The tests of the registry and of the catalogue: they name rules to check the
catalogue, not to prove them, so neither counts as a rule's test."""


def _newest(folder: Path) -> tuple[str, int, int]:
    """What a folder of sources is now: its path, how many files, the newest change."""
    stamps = [p.stat().st_mtime_ns for p in folder.rglob("*.py")]
    return (str(folder), len(stamps), max(stamps, default=0))


def _memo(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` computed once a process for the same arguments while the folders it
    reads are unchanged (a folder by its files' newest change, a registry by its rule
    IDs, all the answers depend on): the catalogues and their tests ask the same
    questions many times, of registries made afresh (a protocol's own rules)."""
    memo: dict[Any, T] = {}

    def key(value: Any) -> Any:
        if isinstance(value, Path):
            return _newest(value)
        if isinstance(value, Mapping):
            return tuple(value)
        return value

    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()  # f() and f(SOURCE) are the same question
        found = tuple((name, key(value)) for name, value in bound.arguments.items())
        if found not in memo:
            memo[found] = fn(*args, **kwargs)
        return copy.deepcopy(memo[found])

    return wrapper


def _tree(path: Path) -> ast.Module:
    """The syntax tree of ``path``, parsed once a process while the file is unchanged
    (every catalogue and its tests read the same files many times)."""
    return _parsed(path, path.stat().st_mtime_ns)


@functools.cache
def _parsed(path: Path, stamp: int) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def _docstring_ids(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants of a module, its classes and functions."""
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def cited_in_code(source: Path = SOURCE) -> dict[str, set[str]]:
    """Rule IDs written as string constants in the library (docstrings left out), by
    module (``rules/setup.py`` …): where each rule is enforced or cited (the modules of
    :func:`checked_in_functions`)."""
    return {rid: set(modules) for rid, modules in checked_in_functions(source).items()}


@_memo
def named_in_tests(
    tests: Path = TESTS, skip: str | tuple[str, ...] = ABOUT, rules: Mapping[str, Rule] = RULES
) -> dict[str, list[str]]:
    """Per rule ID, the test files (``test_*.py`` in ``tests`` and its folders, by their
    path under ``tests``) that name it as a whole word."""
    texts = {
        p.relative_to(tests).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(tests.rglob("test_*.py"))
        if p.name not in ((skip,) if isinstance(skip, str) else skip)
    }
    found: dict[str, list[str]] = {}
    for rid in rules:
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(rid)}(?![0-9A-Za-z])")
        found[rid] = [name for name, text in texts.items() if rid in text and pattern.search(text)]
    return found


LISTS = frozenset(
    {
        "states/table.py",
        "protocols/sar/table.py",
        "protocols/sar/settings.py",
        "protocols/sar/rules.py",
    }
)
"""Modules that only list rule IDs (the tables of commands, the settings' rules, the
registry's sets of waivable and fixed rules): where a rule is declared, not checked."""


@_memo
def checked_in_functions(source: Path = SOURCE) -> dict[str, dict[str, set[str]]]:
    """Per rule ID, per module, the functions whose code cites it (``Class.method``
    for a method; ``(module)`` for a constant outside any function): where in a long
    module to read. Docstrings are left out, as in :func:`cited_in_code`."""
    found: dict[str, dict[str, set[str]]] = {}

    def visit(node: ast.AST, where: str, module: str, docstrings: set[int]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{where}.{child.name}" if where != "(module)" else child.name
                visit(child, inner, module, docstrings)
                continue
            if (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and id(child) not in docstrings
                and (_ID.match(child.value) or child.value in ("MAP", "INPUT", "DATE"))
            ):
                found.setdefault(child.value, {}).setdefault(module, set()).add(where)
            visit(child, where, module, docstrings)

    for path in sorted(source.rglob("*.py")):
        if path.name == "registry.py":
            continue
        tree = _tree(path)
        docstrings = _docstring_ids(tree)
        visit(tree, "(module)", path.relative_to(source).as_posix(), docstrings)
    return found


@functools.cache
def _docstrings(tree: ast.AST) -> list[str]:
    return [
        node.body[0].value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
        and isinstance(node.body[0].value.value, str)
    ]


def _word(rid: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9-]){re.escape(rid)}(?![0-9A-Za-z])")


@_memo
def described_in_code(
    rules: Mapping[str, Rule] = RULES, source: Path = SOURCE
) -> dict[str, set[str]]:
    """Per rule ID, the modules of the library whose docstrings name it: where the
    code that does what the rule asks says so (a redaction, a task, a clock) even when
    it cites no ID in its code."""
    texts = {
        path.relative_to(source).as_posix(): "\n".join(_docstrings(_tree(path)))
        for path in sorted(source.rglob("*.py"))
        if path.name != "registry.py"
    }
    return {
        rid: {name for name, text in texts.items() if rid in text and _word(rid).search(text)}
        for rid in rules
    }


def _marked(node: ast.AST) -> set[str]:
    """The rule IDs of the ``pytest.mark.rule(...)`` calls in ``node``."""
    return {
        arg.value
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "rule"
        for arg in call.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }


@_memo
def _test_functions(tests: Path = TESTS) -> list[tuple[str, str, set[str], set[str]]]:
    """Every test function of ``tests`` (the catalogue's own tests left out), as
    (``file::test_name``, its docstring, the rule IDs it is marked for, those its
    module is marked for): one read of the tests for every registry."""
    found: list[tuple[str, str, set[str], set[str]]] = []
    for path in sorted(tests.rglob("test_*.py")):
        if path.name in ABOUT:
            continue
        tree = _tree(path)
        module = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
            ):
                module |= _marked(node.value)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("test")
            ):
                continue
            own = {m for d in node.decorator_list for m in _marked(d)}
            name = f"{path.relative_to(tests).as_posix()}::{node.name}"
            found.append((name, ast.get_docstring(node) or "", own, module))
    return found


@_memo
def rule_tests(tests: Path = TESTS, rules: Mapping[str, Rule] = RULES) -> dict[str, list[str]]:
    """Per rule ID, the test functions (``file::test_name``, the file by its path under
    ``tests``) that are for it: marked ``@pytest.mark.rule("ID")`` (or in a module
    marked so), or naming it in their name (``…_sar_d_5``, ``…_rf5``) or their
    docstring. Those naming it in their name come first, then those marked for it,
    then those whose docstring names it, then those of a module marked for it."""
    ranked: dict[str, list[tuple[int, str]]] = {rid: [] for rid in rules}
    words = {rid: _word(rid) for rid in rules}
    snakes = {rid: re.compile(rf"(?<![a-z0-9]){_snake(rid)}(?![0-9a-z])") for rid in rules}
    for name, doc, own, module in _test_functions(tests):
        function = name.rsplit("::", 1)[1]
        for rid in rules:
            if snakes[rid].search(function):
                ranked[rid].append((0, name))
            elif rid in own:
                ranked[rid].append((1, name))
            elif rid in doc and words[rid].search(doc):
                ranked[rid].append((2, name))
            elif rid in module:
                ranked[rid].append((3, name))
    return {
        rid: [name for _, name in sorted(found, key=lambda f: f[0])]
        for rid, found in ranked.items()
    }


def _snake(rid: str) -> str:
    """A rule ID as a test's name writes it: ``sar_d_5``, ``rf_?5`` (``rf5`` too),
    ``pr_e``."""
    return re.sub(r"-(?=[0-9])", "_?", rid.lower()).replace("-", "_")


def _rule_markdown(
    rule: Rule,
    code: set[str],
    described: set[str],
    tests: list[str],
    files: list[str],
    functions: Mapping[str, set[str]],
) -> list[str]:
    def paths(names: Iterable[str], root: str) -> str:
        return ", ".join(f"`{root}{n}`" for n in names) or "—"

    checked = ", ".join(
        f"`src/scr_engine/{m}` ({_names(functions.get(m, set()))})" for m in sorted(code - LISTS)
    )
    listed = sorted(code & LISTS)
    said = sorted(described - code)
    shown = tests[:_SHOWN]
    more = f" and {len(tests) - _SHOWN} more" if len(tests) > _SHOWN else ""
    others = [f for f in files if not any(t.startswith(f"{f}::") for t in tests)]
    force, source = getattr(rule, "force_text", ""), getattr(rule, "source", "")
    # Every kind the rule states ("data + guard", SAR-P-5), not only its first.
    kinds = " + ".join(k.value for k in getattr(rule, "kinds", ())) or rule.kind.value
    origin = f" · force: {force} · source: {source}" if force or source else ""
    lines = [
        f"### {rule.id} — {rule.title} {{#{anchor(rule.id)}}}",
        "",
        f"*{kinds}* · {rule.section}{origin}",
        "",
        rule.text,
        "",
        "For developers:",
        "",
        f"- Checked in: {checked or '—'}",
    ]
    if listed:
        lines.append(f"- Listed in: {paths(listed, 'src/scr_engine/')}")
    if said:
        lines.append(f"- Named in the docstrings of: {paths(said, 'src/scr_engine/')}")
    lines.append(f"- Tests for it: {paths(shown, 'tests/')}{more}")
    if others:
        lines.append(f"- Also named in: {paths(others, 'tests/')}")
    return [*lines, ""]


_SHOWN = 6
"""How many of a rule's tests its entry names (it counts the rest)."""


def _names(functions: set[str]) -> str:
    """A module's functions citing a rule, functions first, at most four."""
    ordered = sorted(functions, key=lambda f: (f == "(module)", f))
    shown = ["at module level" if f == "(module)" else f"`{f}`" for f in ordered[:4]]
    return ", ".join(shown) + (f" and {len(ordered) - 4} more" if len(ordered) > 4 else "")


def _by_section(rules: Mapping[str, Rule]) -> list[str]:
    """Each rule's entry, under a heading for each section as it starts."""
    code, files = cited_in_code(), named_in_tests(rules=rules)
    functions = checked_in_functions()
    described, tests = described_in_code(rules), rule_tests(rules=rules)
    lines: list[str] = []
    section = None
    for rule in rules.values():
        if rule.section != section:
            section = rule.section
            lines += [f"## {section}", ""]
        lines += _rule_markdown(
            rule,
            code.get(rule.id, set()),
            described[rule.id],
            tests[rule.id],
            files[rule.id],
            functions.get(rule.id, {}),
        )
    return lines


def markdown() -> str:
    """The catalogue page."""
    lines = [
        "# Rule catalogue",
        "",
        "Every rule of the Serious Case Review protocol: its ID, the section of the source",
        "text it comes from, its kind and its text, and the engine's own rules (`MAP`,",
        "`INPUT`, `DATE`). Every refusal of an SCR cites one of these IDs; a Safeguarding",
        "Adults Review's rules are in [its own catalogue](sar/rules.md). This page is",
        "generated when the site is built.",
        "",
        '!!! note "For developers"',
        f"    The rules are the registry in code ({_api('scr_engine.rules.registry.RULES')}).",
        "    Under each rule: the modules that check it (they cite its ID in their code),",
        "    those that only list it (the table of commands), those whose docstrings say",
        '    they do what it asks, the tests for it (marked `@pytest.mark.rule("ID")`, or',
        "    naming it in their name or docstring) and the other test files that name it.",
        "",
    ]
    return "\n".join(lines + _by_section(RULES))


def _api(name: str, up: str = "") -> str:
    """``name`` as a link to its entry in the Python API reference."""
    return f"[`{name}`]({up}reference/api.md#{name})"


def protocol_markdown(title: str, rules: Mapping[str, Rule], registry: str) -> str:
    """The catalogue page of another protocol's rules (its own IDs only; the engine's
    ``MAP``, ``INPUT`` and ``DATE`` are the SCR catalogue's)."""
    own = {rid: rule for rid, rule in rules.items() if rid not in RULES}
    engine = ", ".join(link(rid, "../rules.md") for rid in rules if rid in RULES)
    lines = [
        f"# {title}: rule catalogue",
        "",
        "Every rule of the protocol: its ID, its section, its kind, its force (the Act,",
        "the statutory guidance, a Quality Marker, local practice) and its source, and",
        "its text. Every refusal of a review under this protocol cites one of these IDs",
        f"(or the engine's own {engine}). This page is generated when the site is built.",
        "",
        '!!! note "For developers"',
        f"    The rules are the registry in code ({_api(registry, '../')}, its text in",
        "    `src/scr_engine/protocols/sar/rules.md`). Under each rule: the modules that",
        "    check it (they cite its ID in their code), those that only list it (the table",
        "    of commands, the settings), those whose docstrings say they do what it asks,",
        "    the tests for it (naming it in their name or docstring, or marked",
        '    `@pytest.mark.rule("ID")`) and the other test files that name it.',
        "",
    ]
    return "\n".join(lines + _by_section(own))
