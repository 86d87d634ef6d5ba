"""The SAR commands: attrs classes that round-trip through JSON, each with a shipped
JSON Schema that accepts a document exactly when :func:`from_dict` does."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

import scr_engine.protocols.sar as sar_package
from scr_engine.errors import InvalidRequest
from scr_engine.protocols.sar import SAR
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    Implementation,
    Mandate,
    MandateKind,
    Outcome,
    WithdrawReason,
)
from scr_engine.protocols.sar.schema import NAMES, generate, load
from scr_engine.schema import dumps
from support.sar import assessment, referral

SHIPPED = Path(sar_package.__file__).parent / "schemas"

SAMPLES: list[c.SarCommand] = [
    c.SubmitRequest(referral()),
    c.AssessCriteria((assessment(),)),
    c.ConfirmReview(Outcome.SAR_MANDATORY, "met", Mandate(MandateKind.MANDATORY, 1)),
    c.Withdraw(WithdrawReason.OTHER, "x"),
    c.ExtendDeadline("review_complete", date(2027, 9, 1), "trial"),
    c.DecideFinding("F1", Implementation.NOT_IMPLEMENT, "covered"),
]


def test_the_shipped_schemas_are_fresh() -> None:
    """Regenerate with ``python -c "from scr_engine.protocols.sar.schema import write;
    write()"``."""
    made = generate()
    assert sorted(p.stem for p in SHIPPED.glob("*.json")) == sorted(NAMES) == sorted(made)
    for name, schema in made.items():
        assert (SHIPPED / f"{name}.json").read_text(encoding="utf-8") == dumps(schema), name
        assert load(name) == json.loads(dumps(schema))
    with pytest.raises(KeyError, match="nope"):
        load("nope")
    assert set(NAMES) == {*SAR.commands, "request_form"}


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_valid_and_names_its_command(name: str) -> None:
    """Draft 2020-12; a command's schema requires its ``command`` code."""
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    if name != "request_form":
        assert schema["properties"]["command"] == {"const": name}
        assert schema["$id"] == f"urn:scr-engine:schema:sar:{name}"


@pytest.mark.parametrize("command", SAMPLES, ids=lambda x: x.name)
def test_commands_round_trip_and_validate(command: c.SarCommand) -> None:
    """to_dict / from_dict round-trip; the document validates against its schema."""
    doc = json.loads(json.dumps(c.to_dict(command)))
    assert c.from_dict(doc) == command
    Draft202012Validator(load(command.name), format_checker=FormatChecker()).validate(doc)


def _schema_accepts(doc: dict[str, Any]) -> bool:
    v = Draft202012Validator(load(doc["command"]), format_checker=FormatChecker())
    return bool(v.is_valid(doc))


def _from_dict_accepts(doc: dict[str, Any]) -> bool:
    try:
        c.from_dict(doc)
    except InvalidRequest:
        return False
    return True


@given(
    st.sampled_from(["decline", "recommend_decision", "record_waiver", "pause_clock"]),
    st.dictionaries(
        st.sampled_from(["reasons", "outcome", "rule", "process", "occurred_on", "extra"]),
        st.one_of(
            st.text(max_size=5),
            st.integers(),
            st.none(),
            st.just("2027-01-02"),
            st.just("no_review"),
        ),
        max_size=4,
    ),
)
def test_schema_accepts_exactly_what_from_dict_accepts(name: str, fields: dict[str, Any]) -> None:
    """A document is accepted by from_dict exactly when it validates."""
    doc = {"command": name, **fields}
    assert _schema_accepts(doc) == _from_dict_accepts(doc)


def test_unknown_command_and_non_object_are_refused_naming_them() -> None:
    """Every problem named (INPUT)."""
    with pytest.raises(InvalidRequest, match="unknown SAR command"):
        c.from_dict({"command": "receive_imr"})
    with pytest.raises(InvalidRequest):
        c.from_dict([])
