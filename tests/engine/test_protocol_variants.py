"""A Board's variant of a protocol is what the engine runs for its reviews (issue 23):
judged by the variant's guards, table and permission, advanced and replayed by its
moves and effects; a history whose definition is not installed does not replay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from scr_engine import (
    FixedClock,
    InvalidRequest,
    MemoryStore,
    PermissionDenied,
    ReviewEngine,
    TransitionRefused,
    UnknownProtocol,
    protocols,
)
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.history import CorruptHistory, replay
from scr_engine.protocols import StageDef
from scr_engine.protocols.scr import SCR
from scr_engine.records import AlternativeReview, Review, Role
from scr_engine.records.envelope import ENVELOPE_FIELDS
from scr_engine.rules.guards import Context
from scr_engine.rules.judge import SCR_RULES, judge
from scr_engine.rules.registry import Rule, RuleKind
from scr_engine.states.machine import Moves
from scr_engine.states.stages import Stage
from scr_engine.states.table import Row
from support.templates import every_field

KIND = AlternativeReview.NEAR_MISS_REVIEW
LOCAL = Rule(
    "LOCAL-1", "Local", "The Board assesses requests at its monthly meeting.", RuleKind.GUARD
)


def _monthly(review: Review, command: Any, context: Context) -> list[Refusal]:
    local = Refusal("LOCAL-1", "this Board assesses at its monthly meeting only", RefusalKind.GUARD)
    return [*SCR.guards["assess_criteria"](review, command, context), local]


def _without(name: str) -> dict[str, Any]:
    return {
        "table": tuple(r for r in SCR.table if r.command != name),
        "commands": {k: v for k, v in SCR.commands.items() if k != name},
        "guards": {k: v for k, v in SCR.guards.items() if k != name},
        "effects": {k: v for k, v in SCR.effects.items() if k != name},
        "preconditions": {k: v for k, v in SCR.preconditions.items() if k != name},
    }


def _chair_only(r: Row) -> Row:
    if r.command != "record_chair_notified":
        return r
    return attrs.evolve(r, roles=frozenset({Role.BOARD_CHAIR}))


@pytest.fixture
def variant() -> Iterator[protocols.Protocol]:
    """A Board's variant of the SCR: a local guard on assessment, no alternative
    recommended, the chair alone records being notified."""
    base = _without("recommend_alternative")
    made = SCR.derive(
        "scr-local",
        "1",
        guards={**base["guards"], "assess_criteria": _monthly},
        table=tuple(_chair_only(r) for r in base["table"]),
        rules={**SCR.rules, LOCAL.id: LOCAL},
        **{k: v for k, v in base.items() if k not in ("guards", "table")},
    )
    protocols.register(made)
    try:
        yield made
    finally:
        protocols.unregister(made.name, made.version)


def _engine() -> ReviewEngine:
    return ReviewEngine(MemoryStore(), FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC)))


def test_a_variants_guard_is_the_one_judged(variant: protocols.Protocol) -> None:
    """MAP: a review under a variant answers to the variant's guard; one under the SCR
    does not."""
    engine = _engine()
    local = engine.submit(demo_request(), REQUESTER, protocol="scr-local")
    plain = engine.submit(demo_request(), REQUESTER)
    refusals = engine.explain(local.id, c.AssessCriteria(), BOARD_CHAIR)
    assert "LOCAL-1" in [r.rule for r in refusals]
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(local.id, c.AssessCriteria(), BOARD_CHAIR)
    assert "LOCAL-1" in [r.rule for r in caught.value.refusals]
    assert engine.get(local.id).version == 1
    assert "LOCAL-1" not in [
        r.rule for r in engine.explain(plain.id, c.AssessCriteria(), BOARD_CHAIR)
    ]
    engine.execute(plain.id, c.AssessCriteria(), BOARD_CHAIR)


def test_a_command_the_variant_lacks_is_not_a_command_of_its_reviews(
    variant: protocols.Protocol,
) -> None:
    engine = _engine()
    review = engine.submit(demo_request(), REQUESTER, protocol="scr-local")
    assert "recommend_alternative" not in [
        o.command for o in engine.options(review.id, BOARD_CHAIR)
    ]
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(review.id, c.RecommendAlternative(KIND, "a local pathway"), BOARD_CHAIR)
    assert [r.rule for r in caught.value.refusals] == ["INPUT"]
    assert engine.get(review.id).version == 1


def test_a_variants_table_says_who_may_issue_a_command(variant: protocols.Protocol) -> None:
    """RF-3 under the variant: the business manager may no longer record that the chair
    was notified; under the SCR they may."""
    engine = _engine()
    local = engine.submit(demo_request(), REQUESTER, protocol="scr-local")
    plain = engine.submit(demo_request(), REQUESTER)
    day = datetime(2026, 2, 2, tzinfo=UTC).date()
    with pytest.raises(PermissionDenied):
        engine.execute(local.id, c.RecordChairNotified(day), BUSINESS_MANAGER)
    engine.execute(plain.id, c.RecordChairNotified(day), BUSINESS_MANAGER)
    engine.execute(local.id, c.RecordChairNotified(day), BOARD_CHAIR)


def test_a_variant_review_replays_and_verifies_only_where_its_definition_is_installed(
    variant: protocols.Protocol,
) -> None:
    engine = _engine()
    review = engine.submit(demo_request(), REQUESTER, protocol="scr-local")
    day = datetime(2026, 2, 2, tzinfo=UTC).date()
    review = engine.execute(review.id, c.RecordChairNotified(day), BOARD_CHAIR)
    events = engine.store.history(review.id)
    assert replay(events) == review
    assert engine.verify().ok
    protocols.unregister("scr-local", "1")
    try:
        with pytest.raises(CorruptHistory, match="scr-local"):
            replay(events)
        assert not engine.verify().ok
    finally:
        protocols.register(variant)


def test_judging_by_the_scr_definition_is_judging_by_default() -> None:
    engine = _engine()
    review = engine.submit(demo_request(), REQUESTER)
    today = datetime(2026, 2, 2, tzinfo=UTC).date()
    settings = engine.settings
    for command in (c.AssessCriteria(), c.ConfirmReview(), c.Withdraw("no longer needed")):
        for actor in (REQUESTER, BOARD_CHAIR, BUSINESS_MANAGER):
            by_default = judge(review, command, actor, today, settings).refusals
            assert judge(review, command, actor, today, settings, SCR).refusals == by_default
            assert judge(review, command, actor, today, settings, SCR_RULES).refusals == by_default


def test_a_definition_that_contradicts_itself_is_refused() -> None:
    """A table row with no guard, a guard of no command, moves of another table."""
    with pytest.raises(ValueError, match="withdraw has no guard"):
        SCR.derive("broken", "1", guards={k: v for k, v in SCR.guards.items() if k != "withdraw"})
    with pytest.raises(ValueError, match="which the table lacks"):
        SCR.derive("broken", "1", table=_without("withdraw")["table"])
    with pytest.raises(ValueError, match="another table"):
        attrs.evolve(SCR, name="broken", table=SCR.table[:-1])


def test_a_table_naming_a_stage_the_protocol_has_not_is_refused() -> None:
    row = Row("leap", (Stage.REQUESTED,), "nowhere", frozenset({Role.BOARD_CHAIR}), ("MAP",))
    with pytest.raises(ValueError, match="nowhere"):
        Moves((*SCR.table, row), SCR.stage_codes, SCR.initial)
    with pytest.raises(ValueError, match="initial"):
        Moves(SCR.table, SCR.stage_codes, "limbo")


def test_derive_compiles_the_moves_of_a_new_table() -> None:
    made = SCR.derive("scr-local", "9", **_without("withdraw"))
    assert "withdraw" not in made.commands_from(Stage.REQUESTED)
    assert "withdraw" in SCR.commands_from(Stage.REQUESTED)
    assert made.next_stage(Stage.REQUESTED, "confirm_review") == Stage.SCREENED.value
    assert made.moves.mermaid().count("-->") < SCR.moves.mermaid().count("-->")


def test_a_definition_whose_record_cannot_hold_its_stages_is_refused() -> None:
    """A definition brings its own record: an SCR variant keeps the SCR's, whose stage
    is an SCR ``Stage``, so a variant with another stage is refused when it is built,
    not at its first review."""
    paused = StageDef("paused_for_inquest", "Waiting for the inquest", False)
    with pytest.raises(ValueError, match="cannot hold stage 'paused_for_inquest'"):
        SCR.derive("scr-inquest", "1", stages=(*SCR.stages, paused))
    with pytest.raises(UnknownProtocol):
        protocols.get("scr-inquest")


def test_a_definition_whose_record_lacks_the_envelope_is_refused() -> None:
    """Every record has the envelope a store keeps beside it (``Envelope``): a
    definition whose record class lacks a field of it, or is no attrs class a store
    could keep, is refused when it is built, naming each missing field."""
    bare = attrs.make_class("Bare", ["id", "reference", "stage", "version"])
    with pytest.raises(ValueError) as refused:
        SCR.derive("scr-bare", "1", record=bare)
    message = str(refused.value)
    assert "its record (Bare) lacks the envelope every record has" in message
    missing = [
        name for name in ENVELOPE_FIELDS if name not in ("id", "reference", "stage", "version")
    ]
    assert message.endswith(", ".join(missing))
    with pytest.raises(ValueError, match=r"\(dict\) lacks the envelope every record has: id,"):
        SCR.derive("scr-dict", "1", record=dict)


def test_every_shipped_record_has_the_envelope() -> None:
    """The SCR's, the SAR's and the annual report's record classes each have every
    envelope field (what a store reads of a review, whatever its protocol)."""
    for definition in protocols.available():
        fields = attrs.fields_dict(definition.record)
        assert [n for n in ENVELOPE_FIELDS if n not in fields] == [], definition.key
    assert ENVELOPE_FIELDS[:4] == ("id", "reference", "stage", "version")


def test_a_variants_templates_name_the_rules_its_guards_ask_for(
    variant: protocols.Protocol,
) -> None:
    """A variant ships no file of the rules that ask for its fields: they are read from
    its guards' source (the SCR's guards it keeps give the SCR's, SU-6 on the terms)."""
    from scr_engine.templates import template
    from scr_engine.templates.rules import field_rules

    def rules(made: Any) -> dict[str, tuple[str, ...]]:
        return {f.path: f.rules for f in every_field(made.fields)}

    ours = rules(template("hold_initial_meeting", definition=variant))
    assert ours == rules(template("hold_initial_meeting"))
    assert "SU-6" in ours["terms.items"]
    assert field_rules("hold_initial_meeting", variant) == field_rules("hold_initial_meeting")


SUPPORT = Rule("LOCAL-2", "Support", "The Board names the review's support.", RuleKind.GUARD)


def _support_named(review: Review, command: Any, context: Context) -> list[Refusal]:
    local = Refusal("LOCAL-2", "name the support", RefusalKind.GUARD, "terms.support")
    return [*SCR.guards["hold_initial_meeting"](review, command, context), local]


def test_a_variants_own_guard_puts_its_rule_under_the_field_it_refuses() -> None:
    """A Board's own guard, in its own module: its rule is named under the field it
    refuses (read from the module's source; nothing is shipped for it)."""
    from scr_engine.templates import template, template_json, to_toml
    from scr_engine.templates.rules import field_rules

    made = SCR.derive(
        "scr-support",
        "1",
        guards={**SCR.guards, "hold_initial_meeting": _support_named},
        rules={**SCR.rules, SUPPORT.id: SUPPORT},
    )
    assert "LOCAL-2" in field_rules("hold_initial_meeting", made)["terms.support"]
    made_template = template("hold_initial_meeting", definition=made)
    fields = {f.path: f for f in made_template.fields}
    assert "LOCAL-2" in {r for f in fields["terms"].fields for r in f.rules}
    # titled from the variant's own registry (it need not be registered)
    printed = " ".join(line.lstrip("# ") for line in to_toml(made_template).splitlines())
    assert f"LOCAL-2 {SUPPORT.title}" in printed
    terms = next(f for f in template_json(made_template)["fields"] if f["name"] == "terms")
    support = next(f for f in terms["fields"] if f["name"] == "terms.support")
    assert {"id": "LOCAL-2", "title": SUPPORT.title} in support["rules"]
