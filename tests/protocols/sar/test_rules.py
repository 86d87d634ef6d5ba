"""The SAR rule registry: every rule of ``sar/requirements.md`` with its ID, text,
kind, force and source, parsed once from ``rules.md`` (data, not a generated module)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import scr_engine.protocols.sar as sar_package
from scr_engine.protocols.sar.rules import (
    ENGINE_IDS,
    SAR_RULES,
    Force,
    SarRule,
    parse,
    sar_rule,
)
from scr_engine.rules.registry import RuleKind

REQUIREMENTS = (
    Path(__file__).resolve().parents[4] / "shared" / "protocol" / "sar" / "requirements.md"
)
_ROW = re.compile(r"^\|\s*(SAR-[A-Z]-\d+)\s*\|(.*)\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$")


@pytest.mark.skipif(not REQUIREMENTS.exists(), reason=f"no requirements at {REQUIREMENTS}")
def test_registry_says_what_the_requirements_say() -> None:
    """Every SAR rule, in order, with its section, text, kinds, force and source."""
    section, seen = "", []
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        found = _ROW.match(line)
        if found:
            rid, text, kind, force, source = (g.strip() for g in found.groups())
            seen.append(rid)
            held = SAR_RULES[rid]
            assert isinstance(held, SarRule)
            assert (held.section, held.text, held.force_text, held.source) == (
                section,
                text,
                force,
                source,
            )
            assert held.kind is RuleKind(re.findall(r"guard|deadline|data|role|output", kind)[0])
    assert len(seen) == 75
    assert [r for r in SAR_RULES if r not in ENGINE_IDS] == seen
    assert list(SAR_RULES)[-3:] == list(ENGINE_IDS)


def test_rules_are_data_parsed_once_not_a_generated_module() -> None:
    """The registry module stays small; the rules live in ``rules.md``."""
    folder = Path(sar_package.__file__).parent
    assert (folder / "rules.md").exists()
    assert all(len(p.read_text().splitlines()) < 800 for p in folder.glob("*.py"))


def test_combined_kinds_and_forces_are_read() -> None:
    """ "data + guard" is both kinds (SAR-P-5); "Act + SG" both forces (SAR-C-3);
    "Act silent + Local" names no Act force (SAR-I-5)."""
    assert sar_rule("SAR-P-5").kinds == (RuleKind.DATA, RuleKind.GUARD)
    assert sar_rule("SAR-C-3").forces == {Force.ACT, Force.SG}
    assert sar_rule("SAR-I-5").forces == {Force.LOCAL}
    assert sar_rule("SAR-C-1").forces == {Force.ACT}
    assert sar_rule("SAR-M-1").forces == {Force.SG, Force.QM}


def test_every_rule_has_a_title_source_and_known_kind() -> None:
    """Titles are unique and short; every kind is one of the five."""
    rules = [r for r in SAR_RULES.values() if isinstance(r, SarRule)]
    titles = [r.title for r in rules]
    assert len(set(titles)) == len(titles)
    assert all(3 <= len(t) <= 82 for t in titles)
    assert all(r.kinds and r.force_text for r in rules)


def test_bad_data_and_unknown_ids_are_refused() -> None:
    """A repeated or kindless row stops the import; an unknown ID names itself."""
    row = "| SAR-X-1 | text | guard | Act | S1 |"
    with pytest.raises(ValueError, match="SAR-X-1"):
        parse(f"## S\n{row}\n{row}\n")
    with pytest.raises(ValueError, match="SAR-X-2"):
        parse("| SAR-X-2 | text | nothing | Act | S1 |\n")
    assert list(parse(f"## S\n{row}\n")) == ["SAR-X-1"]
    with pytest.raises(KeyError, match="SAR-Z-9"):
        sar_rule("SAR-Z-9")
