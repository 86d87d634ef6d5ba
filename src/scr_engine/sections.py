"""The sections of an overview report (Appendix 3), checked before its shape: RP-2, RP-3.

It sits beside the commands, which read a submitted report with it (a report missing
a section is refused naming the section, not for its JSON shape), and below the rules,
which judge the report (:mod:`scr_engine.rules.report` names it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import Analysis, Conclusions, Facts, Introduction, OverviewReport

__all__ = ["missing_sections"]

_INPUT = RefusalKind.INPUT

_APPENDIX_3: dict[str, tuple[type, tuple[str, ...]]] = {
    "introduction": (
        Introduction,
        ("circumstances", "terms_of_reference", "contributors", "panel_and_writer"),
    ),
    "facts": (Facts, ("chronology", "overview_of_known")),
    "analysis": (Analysis, ("how_and_why", "hindsight", "good_practice")),
    "conclusions": (Conclusions, ("lessons", "recommendations", "national_lessons")),
}
"""The sections of an overview report (Appendix 3) and the parts of each."""

_MAY_BE_OMITTED = frozenset({"conclusions.national_lessons"})
"""Parts that JSON may leave out (they have a default), though never give as null."""


def _part(whole: Any, name: str) -> tuple[bool, Any]:
    """Whether ``whole`` (a record, or its JSON form) has ``name``, and its value."""
    if isinstance(whole, Mapping):
        return name in whole, whole.get(name)
    return hasattr(whole, name), getattr(whole, name, None)


def missing_sections(report: Any) -> list[Refusal]:
    """Every Appendix 3 section or part absent from ``report`` — given as ``None`` in
    Python or ``null`` in JSON, or left out of JSON — each named (RP-2), and a JSON
    report without its ``executive_summary`` (RP-3).

    This runs before the report's shape is checked, so that a report missing a section
    is refused for that, naming the section, rather than for a value of the wrong type.
    A part holding something other than nothing is left to the shape check."""
    if report is None:
        return [Refusal("RP-2", "the overview report is missing", _INPUT, "report")]
    if not isinstance(report, Mapping | OverviewReport):
        return []
    out: list[Refusal] = []
    for section, (record, parts) in _APPENDIX_3.items():
        _, value = _part(report, section)
        if value is None:
            message = f"the report lacks the Appendix 3 section {section}"
            out.append(Refusal("RP-2", message, _INPUT, f"report.{section}"))
            continue
        if not isinstance(value, Mapping | record):
            continue
        for part in parts:
            path = f"{section}.{part}"
            given, text = _part(value, part)
            if text is None and (given or path not in _MAY_BE_OMITTED):
                message = f"the report lacks the Appendix 3 section {path}"
                out.append(Refusal("RP-2", message, _INPUT, f"report.{path}"))
    if not _part(report, "executive_summary")[0]:
        message = "the report has no executive summary that can be made public"
        out.append(Refusal("RP-3", message, _INPUT, "report.executive_summary"))
    return out
