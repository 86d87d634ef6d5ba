"""Protocols as definitions (issue 23): the registry, and the SCR definition being
exactly what the engine runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import (
    FixedClock,
    InvalidRequest,
    MemoryStore,
    ReviewEngine,
    UnknownProtocol,
    protocols,
)
from scr_engine.commands import COMMANDS
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.documents.render import DOCUMENTS
from scr_engine.protocols.scr import SCR
from scr_engine.rules.guards import CHECKS, PRECONDITIONS
from scr_engine.rules.registry import RULES
from scr_engine.states.effects import EFFECTS
from scr_engine.states.machine import commands_from, next_stage
from scr_engine.states.roles import SCR_ROLES
from scr_engine.states.stages import OPEN_STAGES, TERMINAL_STAGES, Stage
from scr_engine.states.table import TABLE


@pytest.fixture
def variant() -> Iterator[protocols.Protocol]:
    """A Board's variant of the SCR, registered for the test only."""
    made = attrs.evolve(SCR, name="scr-variant", version="2", title="A Board's variant")
    protocols.register(made)
    try:
        yield made
    finally:
        protocols.unregister(made.name, made.version)


def test_the_scr_is_registered_and_the_default() -> None:
    assert protocols.get("scr") is SCR
    assert protocols.get("scr", "1") is SCR
    assert protocols.DEFAULT is SCR
    assert SCR in protocols.available()


@given(st.text(max_size=12).filter(lambda name: name != "scr"))
def test_an_unknown_protocol_is_an_error_of_the_tree_naming_what_there_is(name: str) -> None:
    with pytest.raises(UnknownProtocol) as caught:
        protocols.get(name)
    assert isinstance(caught.value, LookupError)
    assert caught.value.name == name and ("scr", "1") in caught.value.available
    assert "scr 1" in str(caught.value)


def test_an_unknown_version_of_a_known_protocol_is_refused() -> None:
    with pytest.raises(UnknownProtocol, match="version '9'"):
        protocols.get("scr", "9")


def test_a_registered_variant_is_found_and_the_newest_version_is_the_default(
    variant: protocols.Protocol,
) -> None:
    older = attrs.evolve(variant, version="1")
    protocols.register(older)
    try:
        assert protocols.get("scr-variant") is variant
        assert protocols.get("scr-variant", "1") is older
        with pytest.raises(ValueError, match="registered already"):
            protocols.register(older)
    finally:
        protocols.unregister("scr-variant", "1")
    with pytest.raises(ValueError, match="cannot be removed"):
        protocols.unregister("scr", "1")


def test_the_scr_definitions_stages_are_the_engines() -> None:
    assert SCR.stage_codes == tuple(s.value for s in Stage)
    assert SCR.open_stages == tuple(s.value for s in OPEN_STAGES)
    assert SCR.terminal_stages == frozenset(s.value for s in TERMINAL_STAGES)
    assert SCR.initial == Stage.REQUESTED.value
    assert SCR.roles == tuple(r.value for r in SCR_ROLES)
    assert "lead_reviewer" not in SCR.roles  # a SAR role, not the SCR's


def test_every_command_of_the_definition_is_in_the_table_and_vice_versa() -> None:
    assert set(SCR.commands) == {r.command for r in TABLE} == set(COMMANDS)
    assert SCR.command_names == tuple(r.command for r in TABLE)
    assert SCR.table is TABLE
    for name, cls in SCR.commands.items():
        assert cls is COMMANDS[name] and cls.name == name
        assert SCR.row(name).command == name
        assert SCR.schema(name)["title"] == name
    with pytest.raises(KeyError):
        SCR.row("no_such_command")
    with pytest.raises(KeyError):
        SCR.schema("no_such_command")


@given(st.sampled_from(list(Stage)), st.sampled_from(sorted(COMMANDS)))
def test_the_definitions_moves_are_the_machines(stage: Stage, command: str) -> None:
    allowed = command in SCR.commands_from(stage.value)
    assert allowed == (command in commands_from(stage))
    if allowed:
        assert next_stage(stage, command).value in SCR.stage_codes


def test_the_definitions_checks_effects_and_rules_are_the_engines() -> None:
    assert dict(SCR.guards) == CHECKS
    assert dict(SCR.preconditions) == PRECONDITIONS
    assert dict(SCR.effects) == EFFECTS
    assert SCR.rules is RULES
    for row in SCR.table:
        assert set(row.rules) <= set(SCR.rules)
    for clock in SCR.clocks:
        assert clock.rule in SCR.rules
    assert SCR.documents == DOCUMENTS
    assert {s.name for s in SCR.setting_defs} == {f.name for f in attrs.fields(SCR.settings)}
    assert SCR.fixed == ()


def _engine() -> ReviewEngine:
    return ReviewEngine(MemoryStore(), FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC)))


def test_a_review_records_the_scr_by_default_and_its_event_stays_as_it_was() -> None:
    engine = _engine()
    review = engine.submit(demo_request(), REQUESTER)
    assert (review.protocol, review.protocol_version) == ("scr", "1")
    assert engine.definition(review) is SCR
    (event,) = engine.store.history(review.id)
    assert "protocol" not in event.payload and "protocol_version" not in event.payload


def test_a_review_under_another_protocol_records_it_in_its_history(
    variant: protocols.Protocol,
) -> None:
    engine = _engine()
    review = engine.submit(demo_request(), REQUESTER, protocol="scr-variant")
    assert (review.protocol, review.protocol_version) == ("scr-variant", "2")
    assert engine.definition(review) is variant
    (event,) = engine.store.history(review.id)
    assert event.payload["protocol"] == "scr-variant"
    assert event.payload["protocol_version"] == "2"
    assert engine.verify().ok
    assert [o.command for o in engine.options(review.id, REQUESTER)] == [
        r.command for r in TABLE if Stage.REQUESTED in r.sources
    ]


@pytest.mark.parametrize("name", ["sar-of-another-board", "", 7])
def test_submitting_under_an_unknown_protocol_is_invalid_and_stores_nothing(name: object) -> None:
    engine = _engine()
    with pytest.raises(InvalidRequest) as caught:
        engine.submit(demo_request(), REQUESTER, protocol=name)  # type: ignore[arg-type]
    assert [(r.field, r.rule) for r in caught.value.refusals] == [("protocol", "INPUT")]
    assert engine.store.review_ids() == []
