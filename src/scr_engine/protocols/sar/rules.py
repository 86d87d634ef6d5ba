"""The SAR rule registry: every rule of ``sar/requirements.md`` (IDs ``SAR-…``), with
its text, kind, force and source.

The rules are data, not code: ``rules.md`` beside this module holds the requirements'
table rows under their sections, and :func:`parse` reads it once, at import. Each
:class:`SarRule` is a :class:`~scr_engine.rules.registry.Rule` (so the shared
machinery reads it as any other) with the SAR's two additions: its **force** (Act,
statutory guidance, Quality Marker, local) and its **source**. :data:`SAR_RULES`
also holds the engine's own IDs (``MAP``, ``INPUT``, ``DATE``) that a SAR refusal may
cite.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from importlib import resources
from types import MappingProxyType

from attrs import frozen

from scr_engine.rules.registry import RULES, Rule, RuleKind

__all__ = [
    "ENGINE_IDS",
    "FIXED",
    "SAR_RULES",
    "WAIVABLE",
    "Force",
    "SarRule",
    "parse",
    "sar_rule",
]


class Force(StrEnum):
    """Where a SAR rule's authority comes from (``sar/requirements.md``)."""

    ACT = "Act"
    """The Care Act's own words: a hard rule, never configurable."""
    SG = "SG"
    """The statutory guidance ("should"): encoded by default; waivable guards pass
    only through a recorded waiver (SAR-G-6)."""
    QM = "QM"
    """A SCIE Quality Marker: data or output; any guard is a setting."""
    LGA = "LGA"
    """The LGA/ADASS national analyses."""
    LOCAL = "Local"
    """Local SAB protocols: always a setting, never a hard rule."""


_FORCE_WORD = re.compile(r"\b(Act|SG|QM\d*|LGA|Local)\b")


@frozen
class SarRule(Rule):
    """One SAR rule: the shared :class:`Rule` (ID, section, text, first kind) plus
    every kind it states, its force as written and its source."""

    kinds: tuple[RuleKind, ...]
    force_text: str
    source: str

    @property
    def forces(self) -> frozenset[Force]:
        """The forces the rule's force column names (``Act + SG`` is both). "Act
        silent" (SAR-I-5) names no Act force: the Act says nothing there."""
        text = self.force_text.replace("Act silent", "")
        found = set()
        for word in _FORCE_WORD.findall(text):
            found.add(Force.QM if word.startswith("QM") else Force(word))
        return frozenset(found)


_ROW = re.compile(r"^\|\s*(SAR-[A-Z]-\d+)\s*\|(.*)\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$")
_KIND_WORD = re.compile(r"guard|deadline|data|role|output")


def parse(text: str) -> dict[str, SarRule]:
    """The rules of a requirements text (``rules.md``'s form: ``## `` section headings
    and ``| ID | Rule | Kind | Force | Source |`` rows), in order."""
    found: dict[str, SarRule] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        row = _ROW.match(line)
        if row is None:
            continue
        rid, body, kind, force, source = (g.strip() for g in row.groups())
        kinds = tuple(RuleKind(k) for k in _KIND_WORD.findall(kind))
        if not kinds or rid in found:
            raise ValueError(f"rules.md: bad or repeated row for {rid}")
        found[rid] = SarRule(rid, section, body, kinds[0], kinds, force, source)
    return found


ENGINE_IDS: tuple[str, ...] = ("MAP", "INPUT", "DATE")
"""The engine's own IDs a SAR refusal may cite (the stage or role, malformed input,
an impossible date), shared with the SCR."""

_PARSED = parse(resources.files(__package__).joinpath("rules.md").read_text("utf-8"))

SAR_RULES: Mapping[str, Rule] = MappingProxyType(
    {**_PARSED, **{rid: RULES[rid] for rid in ENGINE_IDS}}
)
"""Every SAR rule by ID, in the requirements' order, then the engine's own IDs."""

FIXED: tuple[str, ...] = (
    "SAR-C-1",
    "SAR-C-6",
    "SAR-D-2",
    "SAR-F-3",
    "SAR-I-2",
    "SAR-I-6",
    "SAR-A-6",
    "SAR-A-8",
)
"""The rules ``map.md`` says the Act fixes: never settings, never waived. SAR-A-7 (what
"concluded" means) is left out: ``map.md`` makes its event a setting
(``concluded_event``), while the financial-year window is the Act's. SAR-A-8's
recipients are fixed; only the timing target for sending is a setting
(``docs/decisions.md``)."""

WAIVABLE: frozenset[str] = frozenset(
    {"SAR-M-3", "SAR-M-4", "SAR-M-5", "SAR-M-11", "SAR-P-1", "SAR-R-6"}
)
"""The guards a recorded waiver (SAR-G-6) may pass: those of the guidance ("should")
and of local practice. No guard of the Act is waivable (``docs/decisions.md``)."""


def sar_rule(rule_id: str) -> SarRule:
    """The SAR rule ``rule_id`` (``KeyError`` naming it when there is none)."""
    found = _PARSED.get(rule_id)
    if found is None:
        raise KeyError(f"no SAR rule {rule_id!r}")
    return found
