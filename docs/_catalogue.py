"""The rule catalogue: every rule of the registry with where the library enforces it
and which tests prove it. Used by ``gen_pages.py`` (the site's ``rules.md``) and by
``tests/test_rule_registry.py`` (the same scan decides that every rule is checked and
tested)."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path

from scr_engine.rules.registry import RULES, Rule

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "scr_engine"
TESTS = ROOT / "tests"
_ID = re.compile(r"^(?:SAR-[A-Z]-[0-9]+|[A-Z]{2}-(?:[0-9]+[a-z]?|[a-z]))$")


def anchor(rid: str) -> str:
    """The anchor of a rule's entry in its catalogue: its ID in lower case (``rf-5``,
    ``sar-d-5``, ``map``), the same whatever the rule's text says."""
    return rid.lower()


def link(rid: str, catalogue: str) -> str:
    """A rule's ID as a link to its entry; ``catalogue`` is the path of its catalogue
    page from the page the link is written on (``rules.md``, ``../rules.md`` …)."""
    return f"[{rid}]({catalogue}#{anchor(rid)})"


def cited_in_code(source: Path = SOURCE) -> dict[str, set[str]]:
    """Rule IDs written as string constants in the library (docstrings left out), by
    module (``rules/setup.py`` …): where each rule is enforced or cited."""
    found: dict[str, set[str]] = {}
    for path in sorted(source.rglob("*.py")):
        if path.name == "registry.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and (_ID.match(node.value) or node.value in ("MAP", "INPUT", "DATE"))
            ):
                found.setdefault(node.value, set()).add(path.relative_to(source).as_posix())
    return found


def named_in_tests(
    tests: Path = TESTS, skip: str = "test_rule_registry.py", rules: Mapping[str, Rule] = RULES
) -> dict[str, list[str]]:
    """Per rule ID, the test files (``test_*.py`` in ``tests`` and its folders, by their
    path under ``tests``) that name it as a whole word."""
    texts = {
        p.relative_to(tests).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(tests.rglob("test_*.py"))
        if p.name != skip
    }
    found: dict[str, list[str]] = {}
    for rid in rules:
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(rid)}(?![0-9A-Za-z])")
        found[rid] = [name for name, text in texts.items() if pattern.search(text)]
    return found


def _rule_markdown(rule: Rule, code: set[str], tests: list[str]) -> list[str]:
    where = ", ".join(f"`{m}`" for m in sorted(code)) or "—"
    proved = ", ".join(f"`{t}`" for t in tests) or "—"
    force, source = getattr(rule, "force_text", ""), getattr(rule, "source", "")
    origin = f" · force: {force} · source: {source}" if force or source else ""
    return [
        f"### {rule.id} — {rule.title} {{#{anchor(rule.id)}}}",
        "",
        f"*{rule.kind.value}* · {rule.section}{origin}",
        "",
        rule.text,
        "",
        f"- For developers — enforced in: {where}; proved by: {proved}",
        "",
    ]


def _by_section(
    rules: Mapping[str, Rule], code: dict[str, set[str]], tests: dict[str, list[str]]
) -> list[str]:
    """Each rule's entry, under a heading for each section as it starts."""
    lines: list[str] = []
    section = None
    for rule in rules.values():
        if rule.section != section:
            section = rule.section
            lines += [f"## {section}", ""]
        lines += _rule_markdown(rule, code.get(rule.id, set()), tests.get(rule.id, []))
    return lines


def markdown() -> str:
    """The catalogue page."""
    code, tests = cited_in_code(), named_in_tests()
    lines = [
        "# Rule catalogue",
        "",
        "Every rule of the protocol: its ID, the section of the source text it comes",
        "from, its kind and its text. Every refusal cites one of these IDs. This page is",
        "generated when the site is built.",
        "",
        '!!! note "For developers"',
        "    The rules are the registry in code (`scr_engine.rules.RULES`). Under each",
        "    rule, the modules of the library that cite it (where it is enforced) and the",
        "    test files that name it (what proves it).",
        "",
    ]
    return "\n".join(lines + _by_section(RULES, code, tests))


def protocol_markdown(title: str, rules: Mapping[str, Rule], registry: str) -> str:
    """The catalogue page of another protocol's rules (its own IDs only; the engine's
    ``MAP``, ``INPUT`` and ``DATE`` are the SCR catalogue's)."""
    own = {rid: rule for rid, rule in rules.items() if rid not in RULES}
    code, tests = cited_in_code(), named_in_tests(rules=own)
    lines = [
        f"# {title}: rule catalogue",
        "",
        "Every rule of the protocol: its ID, its section, its kind, its force (the Act,",
        "the statutory guidance, a Quality Marker, local practice) and its source, and",
        "its text. Every refusal of a review under this protocol cites one of these IDs",
        "(or the engine's own `MAP`, `INPUT` and `DATE`). This page is generated when the",
        "site is built.",
        "",
        '!!! note "For developers"',
        f"    The rules are the registry in code (`{registry}`). Under each rule, the",
        "    modules of the library that cite it and the test files that name it.",
        "",
    ]
    return "\n".join(lines + _by_section(own, code, tests))
