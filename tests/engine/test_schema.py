"""The JSON Schemas of the commands and the request form (``scr_engine.schema``):
shipped fresh, valid, and in agreement with :func:`~scr_engine.commands.from_dict` —
a document validates against its command's schema exactly when ``from_dict``
accepts it.

Documents are drawn from the schemas themselves (a small generator for the part of
JSON Schema they use, so the schemas are not checked against what made them), then
altered one place at a time: a key dropped, an unknown key added, a value replaced
by any JSON value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

import scr_engine
from scr_engine.commands import COMMANDS, from_dict, to_dict
from scr_engine.demo import demo_request
from scr_engine.errors import InvalidRequest
from scr_engine.personal import personal_fields
from scr_engine.records import RequestForm
from scr_engine.schema import NAMES, dumps, generate, load, schema_of
from scr_engine.serialization import structure, unstructure
from support.jsondocs import drop_at, get_at, paths, set_at

SHIPPED = Path(scr_engine.__file__).parent / "schemas"

# Besides any JSON, the values where a schema and a parser most often part ways.
_edges = st.sampled_from(
    [5.0, -0.0, 1e300, 2.5, "20260202", "2026-W05-1", "2026-02-30", "2026-2-3", "", "x"]
)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | _edges,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _strategy(node: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Documents valid against ``node`` (the keywords our schemas use)."""
    if "$ref" in node:
        return st.deferred(lambda: _strategy(defs[node["$ref"].rsplit("/", 1)[-1]], defs))
    if "anyOf" in node:
        return st.one_of([_strategy(option, defs) for option in node["anyOf"]])
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node["type"]
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(-(2**40), 2**40)
    if kind == "string":
        if node.get("format") == "date":
            return st.dates().map(lambda d: d.isoformat())
        return st.text(max_size=12)
    if kind == "array":
        return st.lists(_strategy(node["items"], defs), max_size=3)
    assert kind == "object", node
    if "properties" not in node:  # a mapping
        keys = (
            st.sampled_from(node["propertyNames"]["enum"]) if "propertyNames" in node else st.text()
        )
        return st.dictionaries(keys, _strategy(node["additionalProperties"], defs), max_size=3)
    required = set(node["required"])
    fields = {k: _strategy(v, defs) for k, v in node["properties"].items()}
    optional = [k for k in fields if k not in required]
    return st.fixed_dictionaries(
        {k: fields[k] for k in node["required"]},
        optional={k: fields[k] for k in optional},
    )


def _documents(name: str) -> st.SearchStrategy[Any]:
    schema = load(name)
    return _strategy(schema, schema.get("$defs", {}))


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load(name), format_checker=FormatChecker())


def _accepted(document: Any, cls: type) -> bool:
    try:
        if cls is RequestForm:
            structure(document, RequestForm, what="request form")
        else:
            from_dict(document)
    except InvalidRequest:
        return False
    return True


def _cls(name: str) -> type:
    return RequestForm if name == "request_form" else COMMANDS[name]


def test_the_shipped_schemas_are_fresh() -> None:
    made = generate()
    assert sorted(made) == sorted(NAMES)
    assert sorted(p.stem for p in SHIPPED.glob("*.json")) == sorted(NAMES)
    for name, schema in made.items():
        assert (SHIPPED / f"{name}.json").read_text(encoding="utf-8") == dumps(schema), (
            f"schemas/{name}.json is stale: regenerate it with "
            "python -c 'from scr_engine.schema import write; write()'"
        )
        assert load(name) == json.loads(dumps(schema))


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_valid_json_schema(name: str) -> None:
    Draft202012Validator.check_schema(load(name))


def test_personal_fields_are_marked_in_the_schemas() -> None:
    marked, described = set(), set()
    for name in NAMES:
        schema = load(name)
        for title, node in [(schema["title"], schema), *schema.get("$defs", {}).items()]:
            cls = _cls(title).__name__ if title in NAMES else title
            described.add(cls)
            for field, prop in node.get("properties", {}).items():
                if prop.get("x-personal"):
                    marked.add((cls, field))
    assert marked == {(cls, field) for cls, field in personal_fields() if cls in described}
    assert ("Requester", "name") in marked


def test_an_unknown_schema_is_named() -> None:
    with pytest.raises(KeyError, match="no_such"):
        load("no_such")


@pytest.mark.parametrize("name", NAMES)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_document_validates_exactly_when_from_dict_accepts_it(
    name: str, data: st.DataObject
) -> None:
    document = data.draw(_documents(name), label="valid")
    validator, cls = _validator(name), _cls(name)
    assert validator.is_valid(document)
    assert _accepted(document, cls), document
    # An altered document: both judge it the same way.
    where = data.draw(st.sampled_from(paths(document)), label="where")
    how = data.draw(st.sampled_from(["drop", "replace", "add"]), label="how")
    if how == "drop" and where:
        altered = drop_at(document, where)
    elif how == "add":
        target = [p for p in paths(document) if isinstance(get_at(document, p), dict)]
        place = data.draw(st.sampled_from(target), label="object")
        key = data.draw(st.text(min_size=1, max_size=6), label="key")
        inner = {**get_at(document, place), key: data.draw(_json, label="value")}
        altered = set_at(document, place, inner)
    else:
        altered = set_at(document, where, data.draw(_json, label="value"))
    assert validator.is_valid(altered) == _accepted(altered, cls), altered


def test_the_demo_request_and_its_command_validate() -> None:
    form = unstructure(demo_request())
    assert _validator("request_form").is_valid(form)
    submit = to_dict(COMMANDS["submit_request"](demo_request()))
    assert _validator("submit_request").is_valid(submit)
    assert not _validator("submit_request").is_valid(
        {**submit, "request": {**form, "incidents": "x"}}
    )


def test_a_command_schema_requires_its_code() -> None:
    schema = schema_of(COMMANDS["confirm_review"])
    assert schema["properties"]["command"] == {"const": "confirm_review"}
    assert schema["required"][0] == "command"
    assert not _validator("confirm_review").is_valid({"command": "decline"})
