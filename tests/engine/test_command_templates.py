"""The command templates of :mod:`scr_engine.templates`: what they say of each field,
and the TOML they are written in, which reads back exactly (hostile text included)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import commands as c
from scr_engine.cli.reviews import _json_ready
from scr_engine.rules.registry import RULES, RuleKind
from scr_engine.schema import load
from scr_engine.templates import FieldKind, dumps_toml, field_rules, template, to_toml
from support.templates import every_field

NAMES = sorted(c.COMMANDS)

# Text with everything TOML must escape: quotes, backslashes, newlines and other
# control characters, and characters beyond ASCII.
HOSTILE = st.text(
    st.one_of(
        st.sampled_from(['"', "'", "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f"]),
        st.sampled_from(["é", "ß", "—", "\u2028", "\u00a0", "😀", "[", "]", "=", "#", "."]),
        st.characters(),
    ),
    max_size=30,
)

_SCALARS = st.one_of(
    HOSTILE, st.integers(-(2**63), 2**63 - 1), st.booleans(), st.lists(HOSTILE, max_size=3)
)
TABLES = st.recursive(
    st.dictionaries(HOSTILE, _SCALARS, max_size=4),
    lambda inner: st.dictionaries(
        HOSTILE, st.one_of(_SCALARS, inner, st.lists(inner, min_size=1, max_size=2)), max_size=4
    ),
    max_leaves=12,
)


@given(TABLES)
def test_any_table_written_as_toml_reads_back_equal(data: dict[str, Any]) -> None:
    assert tomllib.loads(dumps_toml(data)) == data


@given(HOSTILE, HOSTILE)
def test_hostile_text_in_a_template_reads_back_unchanged(reasons: str, event: str) -> None:
    made = template("decline", values={"reasons": reasons})
    assert tomllib.loads(to_toml(made))["reasons"] == reasons
    entry = {"date": "2026-01-05", "agency": "gp", "event": event}
    made = template("receive_imr", values={"agency": event, "chronology": [entry]})
    read = _json_ready(tomllib.loads(to_toml(made)))
    assert read["agency"] == event
    assert read["chronology"] == [
        {**entry, "adult_seen": False, "views_sought_or_expressed": False}
    ]


def test_a_nothing_is_left_out() -> None:
    assert tomllib.loads(dumps_toml({"a": None, "b": {"c": None, "d": 1}})) == {"b": {"d": 1}}


@pytest.mark.parametrize("name", NAMES)
def test_a_templates_fields_are_its_schemas(name: str) -> None:
    """The fields, their required-ness and allowed values are the shipped schema's."""
    schema = load(name)
    made = template(name)
    fields = {f.name: f for f in made.fields}
    assert set(fields) == set(schema["properties"]) - {"command"}
    assert {n for n, f in fields.items() if f.required} == set(schema["required"]) - {"command"}
    for field_name, field in fields.items():
        prop = schema["properties"][field_name]
        if "enum" in prop:
            assert field.kind is FieldKind.CHOICE and list(field.allowed) == prop["enum"]
        if prop.get("format") == "date":
            assert field.kind is FieldKind.DATE and field.format == "YYYY-MM-DD"
    # As printed, with no review, it reads back as TOML into those fields only.
    assert set(tomllib.loads(to_toml(made))) <= set(fields)


def test_unknown_command_is_named() -> None:
    with pytest.raises(KeyError, match="judge_imrs"):
        template("judge_imrs")


@pytest.mark.rule("SU-10")
def test_the_rules_that_ask_for_a_field_come_from_the_guards() -> None:
    """SU-10 asks for the support and the meetings; SU-6 for every item; RF-3 for the
    day the Chair was notified."""
    rules = field_rules("hold_initial_meeting")
    assert rules["terms.support"] == ("SU-10",)
    assert rules["terms.meetings"] == ("SU-10",)
    assert rules["terms.items"] == ("SU-6",)
    assert field_rules("record_chair_notified") == {"received_on": ("RF-3",)}
    fields = {f.name: f for f in template("hold_initial_meeting").fields}
    terms = {f.name: f for f in fields["terms"].fields}
    assert terms["support"].rules == ("SU-10",)
    assert terms["items"].kind is FieldKind.KEYED and len(terms["items"].allowed) == 16
    for name in NAMES:
        for asked in field_rules(name).values():
            assert all(RULES[r].kind is not RuleKind.ENGINE for r in asked)


def test_the_shipped_field_rules_are_what_the_guards_say(tmp_path: Path) -> None:
    """The package ships the rules each field is asked for (read from the guards once,
    not in every ``scr show``): the file must be what reading the guards gives now.
    When this fails, run ``python -c "from scr_engine.templates.rules import write;
    write()"``."""
    from scr_engine.templates import rules

    assert rules.SHIPPED.read_text(encoding="utf-8") == rules.write(
        tmp_path / "fresh.json"
    ).read_text(encoding="utf-8")
    assert set(rules.generate()) == set(NAMES)
    for name in NAMES:
        assert field_rules(name) == rules.scanned(name)
    assert field_rules("no_such_command") == {}


def test_the_field_rules_of_the_scr_are_not_read_from_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What made every ``scr show`` slow: the guards' source parsed in every process."""
    from scr_engine.templates import rules

    def slow(command: str) -> Any:
        raise AssertionError(f"{command}'s field rules were read from the source")

    monkeypatch.setattr(rules, "scanned", slow)
    rules.field_rules.cache_clear()
    try:
        assert field_rules("hold_initial_meeting")["terms.support"] == ("SU-10",)
        for name in NAMES:
            field_rules(name)
    finally:
        rules.field_rules.cache_clear()


def test_the_toml_comments_say_type_allowed_values_requirement_and_rule() -> None:
    printed = to_toml(template("judge_imr"))
    assert "\n# EV-2: The panel judges whether each IMR" in printed
    assert "\n# a date (YYYY-MM-DD); optional\n# occurred_on = YYYY-MM-DD\n" in printed
    assert "\n# one of: sufficient, further_information_requested; required\n" in printed
    assert '\njudgement = ""\n' in printed  # required: a blank to fill in
    legal = to_toml(template("hold_initial_meeting")).replace("\n# ", " ")
    assert "a list, each one of: data_protection, freedom_of_information" in legal


def test_every_table_by_key_of_every_protocol_names_its_keys() -> None:
    """A person is never left to guess the keys of a table by key (the SCR's SU-6
    items, a SAR's SAR-M-5 items and SAR-G-2 principles, its Appendix 3 sections): each
    template of each protocol lists them."""
    from scr_engine.protocols import available

    missing = [
        (definition.name, row.command, f.path)
        for definition in available()
        for row in definition.table
        for f in every_field(template(row.command, definition=definition).fields)
        if f.kind is FieldKind.KEYED and not f.allowed
    ]
    assert missing == []


@pytest.mark.parametrize("protocol", ["sar", "sar-annual-report"])
def test_another_protocols_shipped_field_rules_are_what_its_guards_say(
    protocol: str, tmp_path: Path
) -> None:
    """A SAR's and an annual report's fields say which rules ask for them, as the SCR's
    do, from a file read from their guards once (fresh: when this fails, run
    ``write(definition=get("sar"))`` as the SCR's test says)."""
    from scr_engine.protocols import get
    from scr_engine.templates import rules

    definition = get(protocol)
    shipped = rules.shipped_path(definition)
    fresh = rules.write(tmp_path / "fresh.json", definition)
    assert shipped.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")
    for name in rules.generate(definition):
        assert field_rules(name, definition) == rules.scanned(name, definition)
        for found in field_rules(name, definition).values():
            assert all(rid in definition.rules for rid in found)


def test_a_sar_template_names_the_rules_that_ask_for_its_fields() -> None:
    """The rules a SAR's guards refuse a field under are on the field (its template's
    TOML comments, its page): the lead reviewer's declaration (SAR-M-3), the
    methodology's rationale (SAR-M-1), an annual report's address (SAR-A-9); and the
    engine's own rules are not among them."""
    from scr_engine.protocols import get

    sar, annual = get("sar"), get("sar-annual-report")

    def rules_of(command: str, path: str, definition: Any) -> tuple[str, ...]:
        fields = every_field(template(command, definition=definition).fields)
        found = [f.rules for f in fields if f.path == path]
        assert found, f"{command} has no field {path}"
        return found[0]

    assert "SAR-M-3" in rules_of("appoint_lead_reviewer", "reviewer.declared_involvement", sar)
    assert "SAR-M-1" in rules_of("choose_methodology", "methodology.rationale", sar)
    assert "SAR-A-9" in rules_of("publish_annual_report", "url", annual)
    printed = to_toml(template("choose_methodology", definition=sar))
    assert "SAR-M-1" in printed.split("\nrationale = ", 1)[0].rsplit("\n\n", 1)[-1]
    every = [
        rid
        for definition in (sar, annual)
        for name in definition.commands
        if name != "submit_request"
        for found in field_rules(name, definition).values()
        for rid in found
    ]
    assert every and not {"INPUT", "MAP", "DATE"} & set(every)
