"""``seal``: what an event's hash covers of its payload (PR-e: erasure keeps the
history verifying). It copies each container once, so it must leave exactly what
replacing the paths one by one leaves, and never change the payload it was given."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scr_engine.personal import replace_at, seal

_keys = st.sampled_from(["a", "b", "c~d", "e/f", "0", "1"])
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=12,
)


def _pointer(parts: list[str]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


_paths = st.lists(
    st.lists(_keys | st.sampled_from(["2", "x"]), min_size=1, max_size=3).map(_pointer),
    max_size=5,
)


@given(_json, _paths)
def test_seal_is_replacing_each_path_in_turn(data: Any, paths: list[str]) -> None:
    before = copy.deepcopy(data)
    expected = data
    for path in paths:
        expected = replace_at(expected, path, None)
    assert seal(data, paths) == expected
    assert data == before  # the payload given is never changed


def test_seal_leaves_siblings_and_copies_only_along_the_paths() -> None:
    untouched = {"keep": [1, 2]}
    payload = {"person": {"name": "A", "address": "B", "age": 3}, "other": untouched}
    sealed = seal(payload, ["/person/name", "/person/address", "/missing"])
    assert sealed == {"person": {"name": None, "address": None, "age": 3}, "other": untouched}
    assert sealed["other"] is untouched
    assert payload["person"] == {"name": "A", "address": "B", "age": 3}
