"""The structural digest that a review's state digest is made of (PR-d): equal values
digest the same however they were built, different values differently, a digest of a
few changes is the digest of the changed record, and a field added later with a
default leaves existing digests as they were (so old histories keep verifying)."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import FixedClock, MemoryStore, ReviewEngine
from scr_engine import digest as d
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.history import replay_steps
from support.builders import START

pytestmark = pytest.mark.rule("PR-d")

Old = attrs.make_class("Rec", {"a": attrs.field(), "b": attrs.field(default="")}, frozen=True)
New = attrs.make_class(
    "Rec",
    {
        "a": attrs.field(),
        "b": attrs.field(default=""),
        "c": attrs.field(factory=tuple),
        "e": attrs.field(default=None),
    },
    frozen=True,
)


def _fresh(record: object, skip: str | None = None) -> bytes:
    d._MEMO.clear()
    return d.record_digest(record, skip=skip).digest


def test_a_field_added_with_a_default_leaves_old_digests_as_they_were() -> None:
    assert _fresh(Old(1, "x")) == _fresh(New(1, "x"))
    assert _fresh(Old(1)) == _fresh(New(1, "", (), None))
    assert _fresh(New(1, "x", (2,))) != _fresh(Old(1, "x"))
    assert _fresh(New(1, "x", (), 0)) != _fresh(Old(1, "x"))  # 0 is not the default None


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4) | st.dates(),
    lambda inner: st.lists(inner, max_size=3).map(tuple) | st.frozensets(st.integers(), max_size=3),
    max_leaves=6,
)


@given(_values, _values, _values, _values)
def test_records_digest_equal_exactly_when_they_are_equal(
    a1: object, b1: object, a2: object, b2: object
) -> None:
    first, second = New(a1, b1), New(a2, b2)
    same = first == second and type(a1) is type(a2) and type(b1) is type(b2)
    if same:
        assert _fresh(first) == _fresh(second)
    elif first != second:
        assert _fresh(first) != _fresh(second)


def test_sets_and_mappings_digest_the_same_whatever_their_order() -> None:
    assert _fresh(New(frozenset({3, 1, 2}))) == _fresh(New(frozenset([2, 3, 1])))
    Mapped = attrs.make_class("Mapped", {"m": attrs.field()}, frozen=True)
    assert _fresh(Mapped({"x": 1, "y": 2})) == _fresh(Mapped({"y": 2, "x": 1}))
    assert _fresh(New(date(2026, 1, 2))) != _fresh(New("2026-01-02"))


def test_each_step_s_digest_from_its_changes_is_the_changed_review_s() -> None:
    clock = FixedClock(START)
    store = MemoryStore()
    engine = ReviewEngine(store, clock)
    review = engine.submit(demo_request(), REQUESTER)
    run_to_closure(engine, review.id, lambda: clock.advance(hours=5))
    events = store.history(review.id)
    kept = [
        (step, d.record_digest(step, skip="head").digest)
        for _, step, _ in replay_steps(events, digests=True)
    ]
    assert len(kept) == len(events)
    for step, digest in kept:
        assert _fresh(step, skip="head") == digest
    # A change back to a field's default empties its part again.
    last = kept[-1][0]
    made = d.record_digest(last, skip="head", changes={"restricted": False})
    assert made.digest == _fresh(attrs.evolve(last, restricted=False), skip="head")
