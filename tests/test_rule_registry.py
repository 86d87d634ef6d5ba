"""The rule registry (``scr_engine.rules.registry``) is the one list of rules: every
ID the engine cites is in it, every rule with something to enforce is checked in the
code and named by a test, and it says what the protocol's requirements say.

(``tests/conftest.py`` also makes every refusal produced anywhere in the suite cite a
registered rule.)
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import scr_engine
from scr_engine.protocols.sar.rules import SAR_RULES
from scr_engine.rules.reasons import Refusal
from scr_engine.rules.registry import RULES, Rule, RuleKind, rule

SOURCE = Path(scr_engine.__file__).parent
TESTS = Path(__file__).parent
REQUIREMENTS = TESTS.parent.parent / "shared" / "protocol" / "requirements.md"

sys.path.insert(0, str(TESTS.parent / "docs"))
from _catalogue import cited_in_code, named_in_tests, rule_tests  # noqa: E402


def _refusal_ids_in_code() -> set[str]:
    """The first argument of every ``Refusal(...)`` written with a constant rule."""
    ids = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Refusal"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                ids.add(node.args[0].value)
    return ids


_SAR_ID = re.compile(r"^SAR-[A-Z]-[0-9]+$")


def _sar_ids_in_code() -> set[str]:
    """Every SAR rule ID written as a string constant in the library."""
    ids = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _SAR_ID.match(node.value)
            ):
                ids.add(node.value)
    return ids


def test_every_rule_id_the_code_cites_is_registered() -> None:
    """Per protocol: an SCR ID in the SCR registry, a ``SAR-…`` ID in the SAR's."""
    cited = set(cited_in_code(SOURCE)) | _refusal_ids_in_code() | _sar_ids_in_code()
    sar = {rid for rid in cited if rid.startswith("SAR-")}
    assert cited - sar - set(RULES) == set()
    assert sar - set(SAR_RULES) == set()
    assert {"MAP", "INPUT"} <= cited
    assert len(sar) > 50


def test_every_rule_to_enforce_is_checked_in_the_code() -> None:
    cited = cited_in_code(SOURCE)
    unchecked = [r.id for r in RULES.values() if r.enforced and r.id not in cited]
    assert unchecked == []


def test_every_rule_to_enforce_is_named_by_a_test() -> None:
    named = named_in_tests(TESTS, skip=Path(__file__).name)
    unnamed = [r.id for r in RULES.values() if r.enforced and r.protocol and not named[r.id]]
    assert unnamed == []


def test_every_rule_to_enforce_has_a_test_function_for_it() -> None:
    """Not only a file naming it: a test marked ``@pytest.mark.rule("ID")``, or naming
    the ID in its name or its docstring, that the catalogue names (SCR and SAR)."""
    scr = rule_tests(TESTS, RULES)
    assert [r.id for r in RULES.values() if r.enforced and r.protocol and not scr[r.id]] == []
    own = {rid: r for rid, r in SAR_RULES.items() if rid not in RULES}
    sar = rule_tests(TESTS, own)
    assert [rid for rid in own if not sar[rid]] == []
    assert "protocol/test_evidence.py::test_ev2_further_information_holds_the_review" in scr["EV-2"]
    assert scr["RF-5"] and all("::test" in name for name in scr["RF-5"])
    assert "sar_m_3" in sar["SAR-M-3"][0].rpartition("::")[2]  # named tests first


def test_a_refusal_citing_an_unregistered_rule_fails_the_suite() -> None:
    with pytest.raises(AssertionError, match="XX-9"):
        Refusal("XX-9", "no such rule")
    assert str(Refusal("CR-1", "ok")) == "CR-1: ok"


def test_rule_lookup_names_what_is_missing() -> None:
    assert rule("SU-6").kind is RuleKind.GUARD
    assert rule("PR-f").enforced is False
    assert rule("MAP").protocol is False
    with pytest.raises(KeyError, match="XX-1"):
        rule("XX-1")


def test_registry_is_ordered_and_sectioned() -> None:
    assert list(RULES)[:2] == ["CR-1", "CR-2"] and list(RULES)[-3:] == ["MAP", "INPUT", "DATE"]
    assert all(isinstance(r, Rule) and r.section and r.text for r in RULES.values())
    assert RULES["RF-4a"].section == RULES["RF-4"].section


_ROW = re.compile(r"^\|\s*([A-Z]{2}-[0-9a-z]+)\s*\|(.*)\|\s*([^|]*?)\s*\|\s*$")


@pytest.mark.skipif(
    not REQUIREMENTS.exists(), reason=f"the protocol's requirements are not at {REQUIREMENTS}"
)
def test_registry_says_what_the_requirements_say() -> None:
    section = ""
    seen = []
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:]
        found = _ROW.match(line)
        if found:
            rid, text, kind = found.group(1), found.group(2).strip(), found.group(3)
            seen.append(rid)
            held = RULES[rid]
            assert (held.section, held.text) == (section, text), rid
            assert held.kind is (RuleKind.NONE if kind == "—" else RuleKind(kind)), rid
    assert [r for r in RULES if RULES[r].protocol and r not in ("RF-4a", "RF-4b")] == seen


def test_every_rule_has_a_title_in_the_catalogue() -> None:
    """The rule catalogue heads each rule with its ID and a short title taken from its
    text (issue 21): never empty, at most about 80 characters, the same words the
    rule begins with, and no two alike."""
    from _catalogue import markdown

    page = markdown()
    titles = [r.title for r in RULES.values()]
    assert len(set(titles)) == len(titles)
    for r in RULES.values():
        assert 3 <= len(r.title) <= 82, r
        plain = r.text.replace("**", "").replace("`", "")
        assert plain.startswith(r.title.removesuffix(" …")), r
        assert f"### {r.id} — {r.title}" in page


def test_a_rule_with_its_own_heading_is_titled_by_it() -> None:
    """The SAR's requirements open most rules with a bold heading ("**Publication
    record.** Recorded: …"): that heading is the rule's title, not "Publication
    record. Recorded". A title never holds a table cell's line break."""
    assert SAR_RULES["SAR-P-7"].title == "Publication record"
    assert SAR_RULES["SAR-M-3"].title == "Lead reviewer"
    assert SAR_RULES["SAR-D-5"].title.startswith("The referrer is told the decision")
    assert SAR_RULES["SAR-D-9"].title.startswith("On confirmation the engine emits these tasks")
    for r in SAR_RULES.values():
        assert "<br>" not in r.title and "**" not in r.title and "•" not in r.title, r.id
        lead = re.match(r"\*\*([^*]+?)\.\*\*", r.text)
        if lead:
            assert r.title == lead.group(1), r.id


def test_the_registry_s_docstring_names_every_rule_the_engine_adds() -> None:
    """A newcomer reading ``rules/registry.py`` learns every ID that is not the text's."""
    import scr_engine.rules.registry as registry

    added = [rid for rid, r in RULES.items() if r.kind is RuleKind.ENGINE]
    assert added == ["MAP", "INPUT", "DATE"]
    assert all(f"``{rid}``" in (registry.__doc__ or "") for rid in added)


def test_every_sar_rule_to_enforce_leads_to_a_module() -> None:
    """Each SAR rule's catalogue entry names a module of the library: one whose code
    cites it or whose docstring says it does what the rule asks."""
    from _catalogue import described_in_code

    own = {rid: r for rid, r in SAR_RULES.items() if rid not in RULES}
    cited, described = cited_in_code(SOURCE), described_in_code(own, SOURCE)
    nowhere = [rid for rid in own if not cited.get(rid) and not described[rid]]
    assert nowhere == []
    assert "history.py" in described["SAR-G-3"]
