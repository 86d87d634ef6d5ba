"""The ratified demo review, and reviews whose published texts leak personal values:
what the publication and document tests check the public export against."""

from __future__ import annotations

from hypothesis import strategies as st

from scr_engine import FixedClock, MemoryStore, ReviewEngine, Stage
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.personal import ERASED, personal_paths, replace_at
from scr_engine.publication import PublicReport, public_export
from scr_engine.records import Review
from scr_engine.serialization import structure, unstructure
from support.builders import START

__all__ = ["CODES", "PATHS", "RATIFIED", "public_codes", "reviews_with_leaky_text"]


def _ratified() -> Review:
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    review = engine.submit(demo_request(), REQUESTER)
    return run_to_closure(engine, review.id, lambda: clock.advance(hours=5), until=Stage.RATIFIED)


RATIFIED = _ratified()
PATHS = [path for path, _ in personal_paths(Review, unstructure(RATIFIED))]


def public_codes(report: PublicReport) -> str:
    """The export's identifiers (reference, recommendation and action ids): public by
    design, never personal; a drawn value that happens to be part of one (``poli`` in
    ``R-police``) is not a leak."""
    ids = [report.reference]
    ids += [r.id for r in report.recommendations]
    ids += [part for a in report.actions for part in (a.id, a.recommendation_id)]
    return " ".join(ids).lower()


CODES = public_codes(public_export(RATIFIED))
"""The demo review's public codes, lower case, separated by spaces."""


@st.composite
def reviews_with_leaky_text(draw: st.DrawFn) -> tuple[Review, list[str]]:
    """The ratified demo review with every personal value drawn anew, and those values
    written into the texts that are published (a careless summary, an action …)."""
    data = unstructure(RATIFIED)
    values = []
    for path in PATHS:
        # Neither the erasure mark nor a public code (``R1``): a value equal to one
        # would be in the export by design, not by a leak.
        value = draw(
            st.text(min_size=1, max_size=12).filter(
                lambda v: v != ERASED and v.lower() not in CODES.split()
            )
        )
        values.append(value)
        data = replace_at(data, path, value)

    def leaky() -> str:
        parts = draw(st.lists(st.one_of(st.sampled_from(values), st.text(max_size=6)), max_size=5))
        mangle = draw(st.sampled_from([str, str.upper, str.lower, str.title]))
        return mangle("".join(parts))

    report = data["overview_report"]
    report["executive_summary"]["text"] = leaky()
    report["conclusions"]["lessons"] = leaky()
    report["conclusions"]["national_lessons"] = leaky()
    for rec in report["conclusions"]["recommendations"]:
        rec["text"] = leaky()
    for action in data["actions"]:
        action["owner"] = leaky()
        action["outcome"] = leaky()
        action["monitoring"] = leaky()
    return structure(data, Review), values
