"""What ``scr`` reads: request forms (the SCR's template, and any protocol's request
form), TOML and JSON documents, ``--set`` assignments, and input that does not fit a
command as a usage error."""

from __future__ import annotations

import json
import sys
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import EXIT_USAGE, CliError, Session, usage

if TYPE_CHECKING:
    from scr_engine.errors import InvalidRequest
    from scr_engine.protocols import Protocol

__all__ = [
    "FORM_TEMPLATE",
    "definition_named",
    "form_values",
    "malformed",
    "parse_set",
    "print_form_template",
    "read_document",
]

FORM_TEMPLATE = """\
# An Appendix 1 request for a Serious Case Review: fill it in, then `scr submit FORM.toml`.
# Every field is required but other_information (RF-2). Dates are YYYY-MM-DD.

how_meets_criteria = "The adult died and neglect is suspected to be a factor (§3)."
signed_name = "Ada Requester"
signed_date = 2026-01-05
other_information = ""

[requester]
name = "Dr Ada Requester"
job_title = "General Practitioner"
organisation = "Riverside GP Practice"
workplace = "Riverside Surgery"
address = "1 River Lane, Hereford"
contact_number = "01432 000000"
email = "ada.requester@example.org"
# partner_agency, member_of_public, family_member, carer, the_adult or other
category = "partner_agency"

[other_contact]
name = "Fay Contact"
job_title = "Practice Manager"
contact_number = "01432 000001"
email = "fay.contact@example.org"

# What the request says happened; one [[incidents]] table per incident.
[[incidents]]
date = 2026-01-05
details = "Mr X was found dead at home; neglect suspected."

# The criteria of §3 as facts (true or false), so the Chair can assess them (CR-1...CR-4).
[facts]
adult_died = true
abuse_or_neglect_factor = true
life_threatening_injury = false
serious_sexual_abuse = false
serious_permanent_impairment = false
inter_agency_concern = true
serious_abuse_in_institution = false
multiple_abusers = false

# Every agency known to be involved; one [[agencies]] table each.
[[agencies]]
code = "asc"
name = "Adult Social Care"
local_authority = true

[[agencies]]
code = "gp"
name = "Riverside GP Practice"
local_authority = false

[[agencies]]
code = "police"
name = "County Police"
local_authority = false
"""
"""A request form to fill in (``scr submit --template``): the demo's request."""


# --------------------------------------------------------------------------- input


def _json_ready(value: Any) -> Any:
    """TOML's dates and times as ISO text, as the JSON form of commands has them."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


def read_document(path: str) -> dict[str, Any]:
    """A TOML (``.toml``) or JSON file as a table, ``-`` for JSON on standard input;
    a usage error naming the file and what is wrong with it."""
    try:
        if path == "-":
            if sys.stdin.isatty():
                click.echo("Reading JSON from standard input (end with Ctrl-D).", err=True)
            text = sys.stdin.read()
            name = "standard input"
        else:
            text = Path(path).read_text(encoding="utf-8")
            name = path
    except FileNotFoundError:
        raise usage(f"no file {path}") from None
    except IsADirectoryError:
        raise usage(f"{path} is a directory, not a file") from None
    except UnicodeDecodeError:
        raise usage(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise usage(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.lower().endswith(".toml"):
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise usage(f"{name} is not valid TOML: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = " (name a TOML file FILE.toml)" if path != "-" else ""
            raise usage(f"{name} is not valid JSON: {exc}{hint}") from None
    if not isinstance(data, dict):
        raise usage(f"{name} must hold a table of fields (a JSON object), not a list or value")
    ready: dict[str, Any] = _json_ready(data)
    return ready


def parse_set(data: dict[str, Any], assignments: tuple[str, ...]) -> dict[str, Any]:
    """``data`` with each ``field=value`` (text) or ``field:=JSON`` (a number, true,
    a list …) set; a dotted field sets inside a table (``report.facts.summary=…``)."""
    result = json.loads(json.dumps(data))
    for item in assignments:
        if ":=" in item and item.index(":=") < item.index("=") + 1:
            path, raw = item.split(":=", 1)
            try:
                value: Any = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise usage(f"--set {path}:= needs a JSON value ({exc.msg}): {raw!r}") from None
        elif "=" in item:
            path, value = item.split("=", 1)
        else:
            raise usage(f"--set takes field=value (or field:=JSON), not {item!r}")
        keys = path.strip().split(".")
        if not all(keys):
            raise usage(f"--set: {path!r} is not a field name")
        target = result
        for key in keys[:-1]:
            inner = target.setdefault(key, {})
            if not isinstance(inner, dict):
                raise usage(f"--set {path}: {key} is not a table")
            target = inner
        target[keys[-1]] = value
    return dict(result)


_NOT_TEXT = ("expected a whole number", "expected true or false", "expected a list")


def malformed(
    exc: InvalidRequest, assignments: tuple[str, ...] = (), hint: str | None = None
) -> CliError:
    """A value that does not fit its field, as a usage error (exit 2): every field at
    fault with what it accepts; for a number, true/false or a list given as text with
    ``--set field=value``, how to give it (``--set field:=value``); then ``hint``, what
    to do instead, when there is one (also ``hint`` in ``--json``)."""
    from scr_engine.cli.shapes import refusal_json

    as_text = {
        item.split("=", 1)[0].strip()
        for item in assignments
        if "=" in item and not (":=" in item and item.index(":=") < item.index("=") + 1)
    }
    lines = []
    for refusal in exc.refusals:
        line = f"{refusal.field}: {refusal.message}" if refusal.field else refusal.message
        if refusal.field in as_text and refusal.message.startswith(_NOT_TEXT):
            line += f" (give it as --set {refusal.field}:=VALUE)"
        lines.append(line)
    message = f"{exc.command}: invalid input: " + "; ".join(lines)
    data: dict[str, Any] = {
        "command": exc.command,
        "rules": list(exc.rules),
        "refusals": [refusal_json(r) for r in exc.refusals],
    }
    if hint is not None:
        message = f"{hint}\n{message}"
        data["hint"] = hint
    return CliError(message, EXIT_USAGE, kind="invalid", data=data)


def other_form(data: Any, definition: Protocol, path: str) -> str | None:
    """When a request form refused under ``definition`` is another protocol's (its
    fields are all of that protocol's form, and not all of this one's): how to submit it
    under that protocol."""
    import attrs

    from scr_engine.protocols import available

    if not isinstance(data, dict) or not data:
        return None

    def fits(candidate: Protocol) -> bool:
        names = {a.name for a in attrs.fields(candidate.request_form)}
        return set(data) <= names

    if fits(definition):
        return None  # its own form, with values to mend
    for candidate in available():
        if candidate.name != definition.name and fits(candidate):
            return (
                f"{path} is a {candidate.name} request form ({candidate.title}): "
                f"scr submit --protocol {candidate.name} {path}"
            )
    return None


def definition_named(name: str, *, strict: bool = True) -> Protocol:
    """The newest definition of the protocol ``name``. When there is none: a usage
    error naming those available (``strict``), else the SCR's (the engine then refuses
    the submission, naming the field ``protocol``)."""
    from scr_engine.errors import UnknownProtocol
    from scr_engine.protocols import DEFAULT, available, get

    try:
        return get(name)
    except UnknownProtocol:
        if not strict:
            return DEFAULT
        known = ", ".join(sorted({p.name for p in available()}))
        raise usage(f"unknown protocol {name!r} (protocols: {known})") from None


def form_values(definition: Protocol) -> dict[str, Any]:
    """The request form of ``definition`` filled in with its demo's (fictional)
    values (:data:`~scr_engine.demo_sar.EXAMPLE_FORMS`), JSON-ready; empty for a
    protocol without one."""
    from scr_engine.demo_sar import EXAMPLE_FORMS
    from scr_engine.serialization import unstructure

    example = EXAMPLE_FORMS.get(definition.name)
    values: dict[str, Any] = unstructure(example()) if example is not None else {}
    return values


def print_form_template(session: Session, definition: Protocol) -> None:
    """``scr submit --protocol NAME --template``: the protocol's request form to fill
    in, as a commented TOML file (JSON with ``--json``), filled in with its demo's
    fictional values."""
    from scr_engine.templates import form_template, to_toml

    values = form_values(definition)
    if session.json:
        session.emit(values)
        return
    text = to_toml(form_template(definition, values))
    text = text.replace(
        "# Fill it in, then: scr run REVIEW submit_request --from FILE.toml",
        f"# Fill it in, then: scr submit --protocol {definition.name} FORM.toml",
    )
    sys.stdout.write(text)
