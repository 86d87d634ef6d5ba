"""The public export (PR-e, RP-3): what a Board publishes holds no personal data."""

from __future__ import annotations

from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import given

from scr_engine import ReviewEngine, TransitionRefused
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.publication import REDACTED, PublicReport, public_export
from scr_engine.records import Review
from support.publication import CODES, RATIFIED, reviews_with_leaky_text

pytestmark = pytest.mark.rule("PR-e")


def _texts(report: PublicReport) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Enum):  # a code of the library's, not text anyone wrote
            return
        if isinstance(value, str):
            found.append(value)
        elif attrs.has(type(value)):
            for a in attrs.fields(type(value)):
                walk(getattr(value, a.name))
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(report)
    return found


@given(reviews_with_leaky_text())
def test_no_personal_value_reaches_the_public_export(case: tuple[Review, list[str]]) -> None:
    review, values = case
    texts = _texts(public_export(review))
    for value in values:
        assert value not in texts
        if len(value) >= 4 and value.lower() not in CODES:
            for text in texts:
                assert value.lower() not in text.lower(), (value, text)


def test_the_export_names_every_text_it_publishes() -> None:
    # The walk above sees every published text: the reference, summary, lessons,
    # recommendations and every text of every action.
    texts = _texts(public_export(RATIFIED))
    assert RATIFIED.reference in texts
    assert RATIFIED.overview_report is not None
    recommendations = len(RATIFIED.overview_report.conclusions.recommendations)
    assert len(texts) == 4 + 3 * recommendations + 5 * len(RATIFIED.actions)


def test_the_export_of_the_demo_review_keeps_what_is_public() -> None:
    report = public_export(RATIFIED)
    assert report.reference == RATIFIED.reference and report.agreed_on == RATIFIED.ratified_on
    assert RATIFIED.overview_report is not None
    summary = RATIFIED.overview_report.executive_summary
    assert summary is not None and report.executive_summary == summary.text
    assert [a.id for a in report.actions] == [a.id for a in RATIFIED.actions]
    assert [r.id for r in report.recommendations] == [
        r.id for r in RATIFIED.overview_report.conclusions.recommendations
    ]
    assert REDACTED not in " ".join(_texts(report))


def test_a_name_written_into_the_summary_is_struck_out() -> None:
    name = RATIFIED.request.requester.name
    assert RATIFIED.overview_report is not None
    summary = attrs.evolve(
        RATIFIED.overview_report.executive_summary, text=f"As {name.upper()} reported, ..."
    )
    report = attrs.evolve(RATIFIED.overview_report, executive_summary=summary)
    published = public_export(attrs.evolve(RATIFIED, overview_report=report))
    assert published.executive_summary == f"As {REDACTED} reported, ..."


def test_only_a_ratified_review_is_published(engine: ReviewEngine) -> None:
    review = engine.submit(demo_request(), REQUESTER)
    with pytest.raises(TransitionRefused) as caught:
        engine.public_export(review.id)
    assert caught.value.rules == ("RP-7",)
