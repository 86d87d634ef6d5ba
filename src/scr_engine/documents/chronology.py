"""The integrated chronology (RP-2; Appendix 3, The Facts (a)).

Every agency's IMR carries its own dated chronology (:attr:`scr_engine.records.Imr.chronology`).
The integrated chronology merges them in time order: entries of the same day keep the
order of the agencies in the terms of reference (SU-7) and, within one agency, the
order its IMR gives them. Nothing is dropped, nothing is repeated.
"""

from __future__ import annotations

from attrs import frozen

from scr_engine.records import ChronologyEntry, Review
from scr_engine.rules.report import merge_chronologies

__all__ = ["Chronology", "integrated_chronology", "merge_chronologies"]


@frozen
class Chronology:
    """A review's integrated chronology, with where it came from and what it lacks."""

    entries: tuple[ChronologyEntry, ...]
    source: str
    """``"imrs"`` (merged from the IMRs), ``"report"`` (the overview report's own
    chronology, when no IMR has dated entries) or ``"none"``."""
    missing: tuple[str, ...]
    """What the chronology cannot cover yet, in words (an IMR not received, an IMR
    without dated entries)."""

    @property
    def seen(self) -> int:
        """How many occasions the adult was seen."""
        return sum(1 for entry in self.entries if entry.adult_seen)

    @property
    def views(self) -> int:
        """How many times the adult's views and wishes were sought or expressed."""
        return sum(1 for entry in self.entries if entry.views_sought_or_expressed)


def integrated_chronology(review: Review) -> Chronology:
    """The integrated chronology of a review: every IMR's dated entries merged
    (:func:`merge_chronologies`), the agencies taken in the order of the terms of
    reference. While no IMR has dated entries, the overview report's own chronology
    stands in for it, if there is a report."""
    missing: list[str] = []
    sources: list[tuple[ChronologyEntry, ...]] = []
    agencies = list(review.imr_agencies)
    agencies += [imr.agency for imr in review.imrs if imr.agency not in agencies]
    for agency in agencies:
        imr = review.imr(agency)
        if imr is None:
            missing.append(f"the IMR of {agency} has not been received (EV-1)")
        elif not imr.chronology:
            missing.append(f"the IMR of {agency} has no dated chronology entries (RP-2)")
        else:
            sources.append(imr.chronology)
    if sources:
        return Chronology(merge_chronologies(sources), "imrs", tuple(missing))
    report = review.overview_report
    if report is not None and report.facts.chronology:
        return Chronology(merge_chronologies([report.facts.chronology]), "report", tuple(missing))
    if not agencies:
        missing.append("no agency is yet asked for an IMR (SU-7)")
    return Chronology((), "none", tuple(missing))
