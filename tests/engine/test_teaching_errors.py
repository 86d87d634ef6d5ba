"""Errors that teach: a value that does not fit its field says which field and what
it accepts (issue 21, item 2), in the library (``from_dict``, ``structure``) as at
the command line."""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine.commands import COMMANDS, from_dict
from scr_engine.errors import ConcurrencyConflict, InvalidRequest

TEACHING = ("expected ", "unknown field ", "required field missing")
"""How every message about a malformed value begins: what was expected, which field
is not there (and the nearest that is), or which one is missing."""

JUNK: list[Any] = [{"zz_junk": 1}, 3.5, True, None, [1, "x"], "zz-not-a-value"]


def _fields() -> list[tuple[str, str]]:
    return [
        (name, field.name) for name, cls in sorted(COMMANDS.items()) for field in attrs.fields(cls)
    ]


def test_every_malformed_field_is_named_with_what_it_accepts() -> None:
    """For every command and every field, each value of a wrong kind (a table, a
    number, true, null, a list, a word) is refused naming that field (or a field
    inside it) with a message saying what it accepts. Every pair is tried."""
    for (command, field), junk in itertools.product(_fields(), JUNK):
        _check(command, field, junk)


@given(
    where=st.sampled_from(_fields()),
    junk=st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=6,
    ),
)
def test_any_value_that_does_not_fit_teaches(where: tuple[str, str], junk: Any) -> None:
    """The same, for any JSON value at all."""
    _check(*where, junk)


def _check(command: str, field: str, junk: Any) -> None:
    try:
        from_dict({"command": command, field: junk})
    except InvalidRequest as exc:
        refusals = list(exc.refusals)
    else:
        return  # the junk fits this field (text for a text field, null for an optional)
    mine = [
        r
        for r in refusals
        if r.field is not None
        and (r.field == field or r.field.startswith((f"{field}.", f"{field}[")))
    ]
    others = [r for r in refusals if r not in mine and r.rule == "INPUT"]
    assert all(r.message == "required field missing" for r in others), others
    if not mine:
        return  # this field took the junk; only other fields were missing
    for refusal in mine:
        # A rule's own refusal (RP-2: a report section missing) says what it needs in
        # the rule's words; every refusal of the value's shape says what is accepted.
        assert refusal.rule != "INPUT" or refusal.message.startswith(TEACHING), refusal


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (
            {"command": "judge_imr", "agency": "gp", "judgement": "insufficient"},
            "judgement",
            "expected one of: sufficient, further_information_requested; got 'insufficient'",
        ),
        ({"command": "record_budget", "amount_pounds": "12000"}, "amount_pounds", "a whole number"),
        ({"command": "pause_clock", "occurred_on": "05/12/2026"}, "occurred_on", "YYYY-MM-DD"),
        ({"command": "pause_clock", "occurred_on": "2026-02-30"}, "occurred_on", "a real date"),
        ({"command": "withdraw", "reason": "x"}, None, "did you mean 'reasons'?"),
    ],
)
def test_the_messages_the_issue_names(data: dict[str, Any], field: str | None, words: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        from_dict(data)
    assert any(r.field == field and words in r.message for r in refused.value.refusals), (
        refused.value.refusals
    )


def test_a_conflict_says_what_happened_and_what_to_do() -> None:
    """A stale ``expected_version`` names both versions; a lost race, whose winner's
    version the store does not know, says another writer changed the review (never
    "version None"); each says to reload the review and try again."""
    stale = str(ConcurrencyConflict("r-1", 1, 2))
    assert stale == "review 'r-1' is at version 2, not the expected 1: reload it and try again"
    raced = str(ConcurrencyConflict("r-1", 3, None))
    assert raced == (
        "review 'r-1' was changed by another writer since version 3: reload it and try again"
    )
    assert "None" not in str(ConcurrencyConflict("r-1", None, None))
