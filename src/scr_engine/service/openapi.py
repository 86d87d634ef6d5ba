"""The service's OpenAPI 3.1 document, made from the commands' JSON Schemas
(:mod:`scr_engine.schema`) and the resources of :func:`~scr_engine.service.create_app`.

Served at ``/v1/openapi.json``; a copy is kept in ``docs/openapi.json`` and rendered as
``docs/service-api.md`` (``python scripts/openapi.py`` writes both; a test fails when
either is stale).
"""

from __future__ import annotations

import json
import re
from typing import Any

from scr_engine import protocols
from scr_engine.protocols.definition import Protocol
from scr_engine.protocols.sar import DOCUMENTS as SAR_DOCUMENTS
from scr_engine.protocols.scr import DOCUMENTS as SCR_DOCUMENTS
from scr_engine.publication import PublicReport
from scr_engine.rules.deadlines import Deadline
from scr_engine.schema import DIALECT, schema_of
from scr_engine.service.problems import STATUSES
from scr_engine.webhooks import DeliveryStatus

__all__ = ["markdown", "openapi_document", "openapi_json"]

_REF = "#/components/schemas/"


def _definitions() -> list[Protocol]:
    """The newest definition of every registered protocol, the SCR's first."""
    names = sorted({p.name for p in protocols.available()}, key=lambda n: (n != "scr", n))
    return [protocols.get(name) for name in names]


def _prefix(definition: Protocol) -> str:
    """What the names of a protocol's components start with: nothing for the SCR (its
    names came first), else its name in CamelCase (``Sar``, ``SarAnnualReport``)."""
    if definition.name == "scr":
        return ""
    return "".join(part.title() for part in re.split(r"[-_]", definition.name))


def _named(prefix: str, name: str) -> str:
    """``name`` under ``prefix``, the words they share said once: ``Sar`` and
    ``Withdraw`` give ``SarWithdraw``, ``Sar`` and ``SarReview`` ``SarReview``,
    ``SarAnnualReport`` and ``AnnualReportForm`` ``SarAnnualReportForm``."""
    for k in range(len(name), 0, -1):
        whole_words = k == len(name) or name[k].isupper()
        if whole_words and prefix.endswith(name[:k]):
            return prefix + name[k:]
    return prefix + name


def _hoist(schema: dict[str, Any], into: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``schema`` with its ``$defs`` moved into ``into`` (the components), each named
    under ``prefix``, its references pointing there; a name defined twice must be the
    same record."""
    text = re.sub(
        r'"#/\$defs/([^"]+)"',
        lambda m: json.dumps(_REF + _named(prefix, m.group(1))),
        json.dumps(schema),
    )
    moved: dict[str, Any] = json.loads(text)
    moved.pop("$schema", None)
    moved.pop("$id", None)
    for name, definition in moved.pop("$defs", {}).items():
        named = _named(prefix, name)
        if into.setdefault(named, definition) != definition:
            raise ValueError(f"two records named {named} with different schemas")
    return moved


def _command_schema(name: str, cls: type) -> dict[str, Any]:
    """A command's JSON Schema, its ``command`` code required."""
    schema = schema_of(cls)
    if "command" not in schema["properties"]:
        schema["properties"] = {"command": {"const": name}, **schema["properties"]}
        schema["required"] = ["command", *schema["required"]]
    return schema


def _issued(definition: Protocol) -> list[str]:
    """The commands run on a review of ``definition`` (not the one that opens it)."""
    return sorted(row.command for row in definition.table if row.sources)


def _commands(into: dict[str, Any]) -> dict[str, list[str]]:
    """Every protocol's commands as components, each protocol's under one
    ``<Prefix>CommandBody`` (a ``oneOf`` told apart by ``command``), and ``Command``,
    any of them: the review's protocol says which. The commands' names by protocol."""
    bodies: list[dict[str, str]] = []
    names: dict[str, list[str]] = {}
    for definition in _definitions():
        prefix = _prefix(definition)
        mapping: dict[str, str] = {}
        for command in _issued(definition):
            cls = definition.commands[command]
            component = _named(prefix, cls.__name__)
            into[component] = _hoist(_command_schema(command, cls), into, prefix)
            mapping[command] = _REF + component
        union = f"{prefix or 'Scr'}CommandBody"
        into[union] = {
            "description": f"A command of {definition.title} ({definition.name}): "
            '{"command": name, ...fields}.',
            "oneOf": [{"$ref": ref} for ref in sorted(set(mapping.values()))],
            "discriminator": {"propertyName": "command", "mapping": mapping},
        }
        bodies.append(_ref(union))
        names[definition.name] = sorted(mapping)
    into["Command"] = {
        "description": 'A command as its JSON Schema shapes it: {"command": name, '
        "...fields}, one of the commands of the review's protocol.",
        "anyOf": bodies,
    }
    return names


_DOCUMENT_NAMES = [*SCR_DOCUMENTS, *(d for d in SAR_DOCUMENTS if d not in SCR_DOCUMENTS)]
"""Every document's name: the SCR's, then the SAR's others."""

_LETTER_PATTERN = "^information-(request|reminder)-IR-[0-9]+$"
"""The names of a SAR's letters (:data:`scr_engine.documents.LETTERS`), one per
information request and letter."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required or properties)}


_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_DAY = {"type": "string", "format": "date"}
_TIME = {"type": "string", "format": "date-time"}
_NULL_TEXT = {"type": ["string", "null"]}
_NULL_TIME = {"type": ["string", "null"], "format": "date-time"}


def _resources(into: dict[str, Any]) -> None:
    """The schemas of the service's own shapes."""
    refusal = _object(
        {
            "rule": {**_TEXT, "description": "The rule ID (requirements.md), e.g. CR-1."},
            "message": _TEXT,
            "kind": {"enum": ["permission", "stage", "guard", "input"]},
            "field": _NULL_TEXT,
        }
    )
    into["Refusal"] = refusal
    into["Problem"] = {
        "type": "object",
        "description": "A problem document (RFC 9457).",
        "properties": {
            "type": _TEXT,
            "title": _TEXT,
            "status": _INT,
            "detail": _TEXT,
            "instance": _TEXT,
            "command": _TEXT,
            "rules": {"type": "array", "items": _TEXT},
            "refusals": {"type": "array", "items": _ref("Refusal")},
            "expected_version": {"type": ["integer", "null"]},
            "current_version": {"type": ["integer", "null"]},
        },
        "required": ["type", "title", "status", "detail", "instance"],
    }
    records: list[dict[str, str]] = []
    forms: list[dict[str, str]] = []
    stages: list[str] = []
    for definition in _definitions():
        prefix = _prefix(definition)
        record = _named(prefix, definition.record.__name__)
        into[record] = _hoist(schema_of(definition.record), into, prefix)
        records.append(_ref(record))
        form = _named(prefix, definition.request_form.__name__)
        into[form] = _hoist(schema_of(definition.request_form), into, prefix)
        forms.append(_ref(form))
        stages.extend(s.code for s in definition.stages if s.code not in stages)
    into["AnyReview"] = {
        "description": "A review as its protocol records it (its `protocol` says which).",
        "anyOf": records,
    }
    into["Deadline"] = _hoist(schema_of(Deadline), into)
    into["PublicReport"] = _hoist(schema_of(PublicReport), into)
    into["Submission"] = {
        **_object(
            {
                "request": {
                    "description": "The protocol's request form: the SCR's Appendix 1 "
                    "request, a SAR's referral, or another protocol's.",
                    "anyOf": forms,
                },
                "received_on": _DAY,
                "protocol": {
                    "type": "string",
                    "description": "The protocol the review runs under (scr by default; "
                    "sar for a Safeguarding Adults Review).",
                },
            },
            ("request",),
        ),
        "additionalProperties": False,
    }
    into["ReviewSummary"] = _object(
        {
            "id": _TEXT,
            "reference": _TEXT,
            "stage": {"enum": stages},
            "version": _INT,
            "received_on": _DAY,
            "agencies": {"type": "array", "items": _TEXT},
            "restricted": _BOOL,
        }
    )
    into["Event"] = _object(
        {
            "review_id": _TEXT,
            "sequence": _INT,
            "at": _TIME,
            "actor_id": _TEXT,
            "role": _TEXT,
            "command": _TEXT,
            "payload": {"type": "object"},
            "stage_before": _NULL_TEXT,
            "stage_after": _TEXT,
            "prev_hash": _TEXT,
            "hash": _TEXT,
        },
        ("review_id", "sequence", "at", "actor_id", "role", "command", "hash"),
    )
    into["CommandResult"] = _object(
        {
            "review": _ref("AnyReview"),
            "event": _object({"sequence": _INT, "hash": _TEXT}),
        }
    )
    into["CommandReceipt"] = {
        **_object(
            {
                "id": _TEXT,
                "reference": _TEXT,
                "stage": {"enum": stages},
                "version": _INT,
                "event": _object({"sequence": _INT, "hash": _TEXT}),
            }
        ),
        "additionalProperties": False,
    }
    into["Explanation"] = _object(
        {
            "command": _TEXT,
            "accepted": _BOOL,
            "refusals": {"type": "array", "items": _ref("Refusal")},
        }
    )
    into["Option"] = _object(
        {
            "command": _TEXT,
            "takes_input": _BOOL,
            "allowed": _BOOL,
            "refusals": {"type": "array", "items": _ref("Refusal")},
        }
    )
    into["Task"] = _object(
        {
            "id": _TEXT,
            "review_id": _TEXT,
            "kind": _TEXT,
            "agency": _TEXT,
            "created_at": _TIME,
            "rule": _TEXT,
            "detail": {
                **_NULL_TEXT,
                "description": "What the task asks, in the protocol's words (a SAR's "
                "notices); null for the SCR's tasks.",
            },
            "status": {"enum": ["pending", "done", "cancelled"]},
        },
        ("id", "review_id", "kind", "agency", "created_at", "rule"),
    )
    into["OverdueRow"] = _object(
        {
            "review_id": _TEXT,
            "reference": _TEXT,
            "key": _TEXT,
            "rule": _TEXT,
            "title": _TEXT,
            "due_on": _DAY,
            "status": _TEXT,
            "days_late": _INT,
        }
    )
    into["Delivery"] = _object(
        {
            "id": {**_TEXT, "description": "The delivery's id: the same on every attempt."},
            "task_id": _TEXT,
            "review_id": _TEXT,
            "status": {"enum": [s.value for s in DeliveryStatus]},
            "attempts": _INT,
            "last_error": _NULL_TEXT,
            "next_attempt_at": _NULL_TIME,
            "created_at": _TIME,
            "delivered_at": _NULL_TIME,
        }
    )
    into["VerifyReport"] = {
        "type": "object",
        "properties": {
            "ok": _BOOL,
            "reviews": _INT,
            "events": _INT,
            "faults": {"type": "array", "items": {"type": "object"}},
            "checkpoint": {"type": ["object", "null"]},
            "uncovered": {"type": "array", "items": {"type": "object"}},
            "notes": {"type": "array", "items": _TEXT},
        },
        "required": ["ok", "reviews", "events", "faults"],
    }


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}}
    }


def _list_of(key: str, item: str, **more: Any) -> dict[str, Any]:
    return _object({key: {"type": "array", "items": _ref(item)}, **more})


def _param(
    name: str, where: str, schema: dict[str, Any], about: str, **more: Any
) -> dict[str, Any]:
    return {"name": name, "in": where, "schema": schema, "description": about, **more}


_REVIEW_ID = _param("review_id", "path", _TEXT, "The review's id.", required=True)
_IDEMPOTENCY = _param(
    "Idempotency-Key",
    "header",
    _TEXT,
    "A retry with the same key gets the first response, byte for byte, and stores nothing.",
)
_PREFER = _param(
    "Prefer",
    "header",
    _TEXT,
    "return=minimal (RFC 7240): answer with the review's id, reference, stage and version "
    "and the event, not the whole review (Preference-Applied says so).",
)
_IF_MATCH = _param(
    "If-Match", "header", _TEXT, 'The ETag of the review the command expects ("7"): 412 if stale.'
)


def _operation(
    summary: str,
    responses: dict[str, Any],
    *,
    parameters: tuple[dict[str, Any], ...] = (),
    body: dict[str, Any] | None = None,
    errors: tuple[int, ...] = (401, 403, 404, 422, 503),
    public: bool = False,
    body_required: bool = True,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary}
    if parameters:
        operation["parameters"] = list(parameters)
    if body is not None:
        operation["requestBody"] = {**_json_body(body), "required": body_required}
    problem = {"application/problem+json": {"schema": _ref("Problem")}}
    words: dict[int, str] = {}
    for status, _, when in STATUSES:
        words[status] = f"{words[status]}; {when}" if status in words else when
    all_responses = dict(responses)
    if body is not None:  # a body sent as another media type than JSON
        errors = (*errors, 415)
    for status in sorted(errors):
        all_responses[str(status)] = {"description": words[status], "content": problem}
    operation["responses"] = all_responses
    if public:
        operation["security"] = []
    return operation


_ETAG = {
    "description": 'The review\'s version, quoted ("7"): send it back as If-Match.',
    "schema": _TEXT,
}
_LOCATION = {"description": "The new review: /v1/reviews/{id}.", "schema": _TEXT}
_APPLIED = {
    "description": "return=minimal when the answer is the receipt (Prefer honoured).",
    "schema": _TEXT,
}


def _headed(operation: dict[str, Any], status: str, **headers: dict[str, Any]) -> dict[str, Any]:
    """``operation`` with ``headers`` (``_`` for ``-``) on its ``status`` response."""
    named = {name.replace("_", "-"): header for name, header in headers.items()}
    response = operation["responses"][status]
    response["headers"] = {**response.get("headers", {}), **named}
    return operation


def _paths() -> dict[str, Any]:
    paths = _operations()
    review = "/v1/reviews/{review_id}"
    _headed(paths["/v1/reviews"]["post"], "201", ETag=_ETAG, Location=_LOCATION)
    _headed(paths[review]["get"], "200", ETag=_ETAG)
    _headed(paths["/v1/references/{reference}"]["get"], "200", ETag=_ETAG)
    _headed(paths[f"{review}/commands"]["post"], "200", ETag=_ETAG, Preference_Applied=_APPLIED)
    _headed(paths[f"{review}/commands"]["post"], "412", ETag=_ETAG)
    return paths


def _operations() -> dict[str, Any]:
    review = "/v1/reviews/{review_id}"

    def day(name: str, about: str) -> dict[str, Any]:
        return _param(name, "query", _DAY, about)

    limit = _param("limit", "query", _INT, "At most this many.")
    writes = (400, 401, 403, 404, 409, 413, 422, 503)
    return {
        "/healthz": {
            "get": _operation(
                "The process is up.", _ok("Up.", {"type": "object"}), errors=(), public=True
            )
        },
        "/readyz": {
            "get": _operation(
                "The store can be reached.",
                _ok("Ready.", {"type": "object"}),
                errors=(503,),
                public=True,
            )
        },
        "/v1/openapi.json": {
            "get": _operation(
                "This document.", _ok("OpenAPI 3.1.", {"type": "object"}), errors=(), public=True
            )
        },
        "/v1/reviews": {
            "post": _operation(
                "Submit an Appendix 1 request: a new review (RF-1, RF-2).",
                _ok("The review, as received.", _ref("AnyReview"), "201"),
                parameters=(_IDEMPOTENCY,),
                body=_ref("Submission"),
                errors=(400, 401, 403, 413, 422, 503),
            ),
            "get": _operation(
                "The reviews the caller may read, by reference, filtered, a page at a time.",
                _ok("A page.", _list_of("reviews", "ReviewSummary", next_after=_NULL_TEXT)),
                parameters=(
                    _param(
                        "stage",
                        "query",
                        {"type": "array", "items": _TEXT},
                        "At one of these stages.",
                        explode=True,
                    ),
                    _param("agency", "query", _TEXT, "Involving this agency code."),
                    _param("text", "query", _TEXT, "Reference or agency holding this text."),
                    _param("overdue", "query", _BOOL, "With a deadline overdue today."),
                    limit,
                    _param("after", "query", _TEXT, "The next page: next_after of the last."),
                ),
                errors=(400, 401, 422, 503),
            ),
        },
        review: {
            "get": _operation(
                "A review (its ETag is its version).",
                _ok("The review.", _ref("AnyReview")),
                parameters=(_REVIEW_ID,),
            )
        },
        "/v1/references/{reference}": {
            "get": _operation(
                "A review by its reference (SCR-2026-001).",
                _ok("The review.", _ref("AnyReview")),
                parameters=(_param("reference", "path", _TEXT, "The reference.", required=True),),
            )
        },
        f"{review}/commands": {
            "post": _operation(
                'Run a command on the review: {"command": name, ...its fields}.',
                _ok(
                    "The review after it and its event; with Prefer: return=minimal, a receipt.",
                    {"anyOf": [_ref("CommandResult"), _ref("CommandReceipt")]},
                ),
                parameters=(_REVIEW_ID, _IDEMPOTENCY, _IF_MATCH, _PREFER),
                body=_ref("Command"),
                errors=(*writes, 412),
            )
        },
        f"{review}/explain": {
            "post": _operation(
                "Every reason a command would be refused now; changes nothing.",
                _ok("The explanation.", _ref("Explanation")),
                parameters=(_REVIEW_ID,),
                body=_ref("Command"),
                errors=(400, 401, 403, 404, 413, 422, 503),
            )
        },
        f"{review}/options": {
            "get": _operation(
                "Each command open at the review's stage, and why the caller may not issue it.",
                _ok("The options.", _list_of("options", "Option")),
                parameters=(_REVIEW_ID,),
            )
        },
        f"{review}/history": {
            "get": _operation(
                "Every event of the review, hash-chained.",
                _ok("The events.", _list_of("events", "Event")),
                parameters=(_REVIEW_ID,),
            )
        },
        f"{review}/deadlines": {
            "get": _operation(
                "The review's deadlines with their status.",
                _ok("The deadlines.", _list_of("deadlines", "Deadline", as_of=_DAY)),
                parameters=(_REVIEW_ID, day("as_of", "As of this day (today by default).")),
                errors=(400, 401, 403, 404, 422, 503),
            )
        },
        f"{review}/tasks": {
            "get": _operation(
                "Every task the review emitted, with its status.",
                _ok("The tasks.", _list_of("tasks", "Task")),
                parameters=(_REVIEW_ID,),
            )
        },
        f"{review}/tasks/{{task_id}}/complete": {
            "post": _operation(
                "Mark a task delivered (the Board's officers).",
                _ok("The task.", _ref("Task")),
                parameters=(
                    _REVIEW_ID,
                    _param("task_id", "path", _TEXT, "The task's id.", required=True),
                ),
            )
        },
        f"{review}/public-export": {
            "get": _operation(
                "The public report of a ratified review: no personal data (PR-e, RP-3).",
                _ok("The public report.", _ref("PublicReport")),
                parameters=(_REVIEW_ID,),
                errors=(401, 403, 404, 409, 422, 503),
            )
        },
        f"{review}/documents/{{name}}": {
            "get": _operation(
                "A document of the review, as the documents extra renders it.",
                {
                    "200": {
                        "description": "The document.",
                        "content": {
                            "text/markdown": {"schema": _TEXT},
                            "text/html": {"schema": _TEXT},
                        },
                    }
                },
                parameters=(
                    _REVIEW_ID,
                    _param(
                        "name",
                        "path",
                        {
                            "anyOf": [
                                {"enum": _DOCUMENT_NAMES},
                                {"type": "string", "pattern": _LETTER_PATTERN},
                            ]
                        },
                        "The document (of the review's protocol: an SCR's or a SAR's), or the "
                        "letter of a SAR's information request: information-request-IR-1, "
                        "or information-reminder-IR-1 of an overdue one.",
                        required=True,
                    ),
                    _param(
                        "format", "query", {"enum": ["md", "html"]}, "Markdown (default) or HTML."
                    ),
                    day("as_of", "As of this day (today by default)."),
                ),
                errors=(400, 401, 403, 404, 422, 503),
            )
        },
        "/v1/overdue": {
            "get": _operation(
                "Deadlines overdue (or due within some days) across the reviews the caller reads.",
                _ok(
                    "A page.",
                    _list_of("deadlines", "OverdueRow", as_of=_DAY, next_after=_NULL_TEXT),
                ),
                parameters=(
                    day("as_of", "As of this day (today by default)."),
                    _param("within_days", "query", _INT, "Also what falls due in this many days."),
                    limit,
                    _param("after", "query", _TEXT, "The next page: next_after of the last."),
                ),
                errors=(400, 401, 422, 503),
            )
        },
        "/v1/tasks": {
            "get": _operation(
                "Pending tasks (RF-5 letters) of the reviews the caller may read, oldest first.",
                _ok("A page of tasks.", _list_of("tasks", "Task", next_after=_NULL_TEXT)),
                parameters=(
                    limit,
                    _param("after", "query", _TEXT, "The next page: next_after of the last."),
                ),
                errors=(400, 401, 422, 503),
            )
        },
        "/v1/verify": {
            "post": _operation(
                "Verify the whole store (the Board's officers).",
                _ok("What verify found.", _ref("VerifyReport")),
                body={
                    "type": "object",
                    "properties": {
                        "exact": {
                            **_BOOL,
                            "description": "Events after the latest checkpoint are "
                            "faults, not only listed (false by default).",
                        }
                    },
                    "additionalProperties": False,
                },
                body_required=False,
                errors=(400, 401, 403, 413, 422, 503),
            )
        },
        "/v1/checkpoints": {
            "post": _operation(
                "Sign a checkpoint of the store with the service's key (the Board's officers).",
                _ok("The signed checkpoint.", {"type": "object"}, "201"),
                errors=(401, 403, 503),
            )
        },
        "/v1/webhook/deliveries": {
            "get": _operation(
                "The webhook's deliveries, oldest first, a page at a time (the Board's officers).",
                _ok(
                    "A page.",
                    _list_of("deliveries", "Delivery", next_offset={"type": ["integer", "null"]}),
                ),
                parameters=(
                    _param(
                        "status",
                        "query",
                        {"enum": [s.value for s in DeliveryStatus]},
                        "Only the deliveries of this status.",
                    ),
                    _param("limit", "query", _INT, "At most this many (1000 at most)."),
                    _param("offset", "query", _INT, "The next page: next_offset of the last."),
                ),
                errors=(400, 401, 403, 422, 503),
            )
        },
        "/v1/webhook/deliveries/{delivery_id}/retry": {
            "post": _operation(
                "Make a failed (or pending) delivery due now: one more attempt "
                "(the Board's officers).",
                _ok("The delivery, pending.", _ref("Delivery")),
                parameters=(
                    _param("delivery_id", "path", _TEXT, "The delivery's id.", required=True),
                ),
                errors=(401, 403, 404, 422, 503),
            )
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service, made now."""
    components: dict[str, Any] = {}
    _commands(components)
    _resources(components)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {
            "title": "scr_engine",
            "version": "1",
            "description": "A Safeguarding Adults Board's Serious Case Reviews over HTTP "
            "(docs/service.md).",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `scr token issue ACTOR`.",
                }
            },
        },
    }


def openapi_json() -> str:
    """The document as ``docs/openapi.json`` keeps it."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def markdown() -> str:
    """The document as a page of the docs site: each path, its operations and their
    statuses (``docs/service-api.md``)."""
    document = openapi_document()
    lines = [
        "# HTTP API reference",
        "",
        "<!-- Generated by scripts/openapi.py from the OpenAPI document: do not edit. -->",
        "",
        "The operations of `scr serve` ([the service](service.md)); the whole OpenAPI 3.1",
        "document is served at `/v1/openapi.json`. Every operation but the first three",
        "needs `Authorization: Bearer TOKEN`.",
        "",
        "| Method | Path | What | Statuses |",
        "| --- | --- | --- | --- |",
    ]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = ", ".join(operation["responses"])
            summary = operation["summary"].replace("|", "\\|")
            lines.append(f"| {method.upper()} | `{path}` | {summary} | {statuses} |")
    lines += ["", "## Commands", "", "The body of `POST /v1/reviews/{review_id}/commands`, by"]
    lines += ["the review's protocol:"]
    for definition in _definitions():
        lines += ["", f"### {definition.title} (`{definition.name}`)", ""]
        lines += [f"- `{name}`" for name in _issued(definition)]
    return "\n".join(lines) + "\n"
