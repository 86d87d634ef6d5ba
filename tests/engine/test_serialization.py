"""Building records from primitives: the fast converter that builds all data first and
the reporting converter that names every problem accept exactly the same data, and
:func:`~scr_engine.serialization.structure` refuses what either refuses, in full.

A stored review is built many times a second by a service and once by each ``scr``
process, so it is built first by a converter that stops at its first problem; only
data that converter refuses is built again by the one that reports every problem.
These tests hold the two to one judgement."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_engine.clock import FixedClock
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.engine import ReviewEngine
from scr_engine.errors import InvalidRequest
from scr_engine.records import Review
from scr_engine.serialization import _CONVERTER, _FAST, structure, unstructure
from scr_engine.states.stages import Stage
from scr_engine.storage.memory import MemoryStore
from support.jsondocs import drop_at, paths, set_at


def _closed_review() -> Review:
    clock = FixedClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    engine = ReviewEngine(MemoryStore(), clock)
    review = engine.submit(demo_request(), REQUESTER)
    return run_to_closure(engine, review.id, until=Stage.ACTION_PLAN_MONITORED)


REVIEW = _closed_review()
DATA = json.loads(json.dumps(unstructure(REVIEW)))

_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=3)
    | st.floats(allow_nan=False, min_value=-2, max_value=2)
    | st.sampled_from(["", "x", "2026-02-30", "2026-02-03", "closed", "A-R1", "u-bm"]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=4,
)


def _altered(document: Any, path: tuple[Any, ...], value: Any, drop: bool) -> Any:
    return drop_at(document, path) if drop else set_at(document, path, value)


def _builds(converter: Any, data: Any) -> Review | None:
    try:
        built: Review = converter.structure(data, Review)
    except Exception:
        return None
    return built


def test_a_stored_review_builds_the_same_review_either_way() -> None:
    assert _FAST.structure(DATA, Review) == REVIEW
    assert _CONVERTER.structure(DATA, Review) == REVIEW
    assert structure(DATA, Review, from_json=True) == REVIEW


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    where=st.sampled_from(paths(DATA)[1:]),
    value=_junk,
    drop=st.booleans(),
)
def test_both_converters_judge_an_altered_review_alike(
    where: tuple[Any, ...], value: Any, drop: bool
) -> None:
    altered = _altered(DATA, where, value, drop)
    fast, reporting = _builds(_FAST, altered), _builds(_CONVERTER, altered)
    assert (fast is None) == (reporting is None), altered
    assert fast == reporting
    if reporting is None:
        with pytest.raises(InvalidRequest) as refused:
            structure(altered, Review, what="stored review", from_json=True)
        # The full report, not the fast converter's first complaint alone.
        assert refused.value.refusals
        assert all(r.rule == "INPUT" for r in refused.value.refusals)
    else:
        assert structure(altered, Review, from_json=True) == reporting


def test_every_problem_is_reported_though_the_fast_converter_stops_at_one() -> None:
    broken = dict(DATA, version="seven", stage="nowhere")
    with pytest.raises(InvalidRequest) as refused:
        structure(broken, Review, what="stored review")
    fields = {r.field for r in refused.value.refusals}
    assert {"version", "stage"} <= fields


def test_keys_that_are_not_text_are_refused_unless_the_data_is_json() -> None:
    items = DATA["terms_of_reference"]["items"]
    bad = _altered(DATA, ("terms_of_reference", "items"), {**items, 7: "yes"}, drop=False)
    with pytest.raises(InvalidRequest) as refused:
        structure(bad, Review)
    assert any("keys must be text" in r.message for r in refused.value.refusals)
    # What json.loads returns has no such key: the walk looking for one is skipped.
    assert structure(json.loads(json.dumps(DATA)), Review, from_json=True) == REVIEW


# Texts no store can keep, and texts too long: found by a walk that names nothing,
# then named by path only when there is something to name.

_TEXTS = st.text(st.characters(codec=None), max_size=12) | st.sampled_from(
    ["", "a\x00b", "\ud800", "lone \udfff", "é" * 30, "x" * 40]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXTS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXTS, inner, max_size=4),
    max_leaves=20,
)


def _texts(data: Any, path: str = "") -> list[tuple[str, str, bool]]:
    """Every text of ``data`` (a key or a value) with its path, and whether a key."""
    if isinstance(data, str):
        return [(path, data, False)]
    found: list[tuple[str, str, bool]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            found += [(where, key, True), *_texts(value, where)]
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _texts(value, f"{path}[{index}]")
    return found


def _unkeepable(text: str) -> bool:
    return "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


@given(_JSON)
def test_every_text_no_store_can_keep_is_named_by_its_path(data: Any) -> None:
    from scr_engine.serialization import text_problems

    expected = [path or None for path, text, _ in _texts(data) if _unkeepable(text)]
    assert [p.field for p in text_problems(data)] == expected


@given(_JSON, st.integers(min_value=0, max_value=35))
def test_every_text_too_long_is_named_by_its_path(data: Any, limit: int) -> None:
    from scr_engine.serialization import size_problems

    long = sorted(path or None for path, text, key in _texts(data) if not key and len(text) > limit)
    named = size_problems(data, limit, 10**9)
    assert sorted(p.field for p in named) == long  # type: ignore[type-var]
