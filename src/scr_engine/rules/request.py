"""Checks of the Appendix 1 request form (RF-1, RF-2): every missing or invalid
field is named at once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import (
    Agency,
    CriteriaFacts,
    Incident,
    OtherContact,
    Requester,
    RequesterCategory,
    RequestForm,
)

__all__ = ["is_text", "validate_request"]

_REQUESTER_TEXT = (
    "name",
    "job_title",
    "organisation",
    "workplace",
    "address",
    "contact_number",
    "email",
)
_CONTACT_TEXT = ("name", "job_title", "contact_number", "email")


def is_text(value: Any) -> bool:
    """A non-blank string."""
    return isinstance(value, str) and bool(value.strip())


def _problem(problems: list[Refusal], rule: str, path: str, message: str) -> None:
    problems.append(Refusal(rule, message, RefusalKind.INPUT, path))


def _missing_or_wrong(problems: list[Refusal], path: str, value: Any, wanted: str) -> None:
    if value is None:
        _problem(problems, "RF-2", path, f"missing field {path}")
    else:
        _problem(problems, "RF-2", path, f"{path} must be {wanted}, not {type(value).__name__}")


def _texts(problems: list[Refusal], obj: Any, prefix: str, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(obj, name, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            _problem(problems, "RF-2", f"{prefix}.{name}", f"missing field {prefix}.{name}")
        elif not isinstance(value, str):
            _problem(problems, "RF-2", f"{prefix}.{name}", f"{prefix}.{name} must be text")


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def validate_request(form: Any, today: date | None = None) -> list[Refusal]:
    """Every problem with an Appendix 1 request form; empty when it may be received."""
    problems: list[Refusal] = []
    if not isinstance(form, RequestForm):
        _problem(problems, "RF-2", "request", "the request must be an Appendix 1 RequestForm")
        return problems

    if not isinstance(form.requester, Requester):
        _problem(problems, "RF-2", "requester", "missing field requester")
    else:
        _texts(problems, form.requester, "requester", _REQUESTER_TEXT)
        if not isinstance(form.requester.category, RequesterCategory):
            _problem(
                problems,
                "RF-1",
                "requester.category",
                "requester.category must be one of: "
                + ", ".join(c.value for c in RequesterCategory),
            )

    if not isinstance(form.other_contact, OtherContact):
        _problem(problems, "RF-2", "other_contact", "missing field other_contact")
    else:
        _texts(problems, form.other_contact, "other_contact", _CONTACT_TEXT)

    incidents = form.incidents
    if not isinstance(incidents, tuple | list) or not incidents:
        _problem(
            problems, "RF-2", "incidents", "at least one incident (date and details) is needed"
        )
    else:
        for i, incident in enumerate(incidents):
            where = f"incidents[{i}]"
            if not isinstance(incident, Incident):
                _problem(problems, "RF-2", where, f"{where} must be an Incident")
                continue
            if not _is_date(incident.date):
                _missing_or_wrong(problems, f"{where}.date", incident.date, "a date")
            elif today is not None and incident.date > today:
                _problem(problems, "RF-2", f"{where}.date", f"{where}.date is in the future")
            if not is_text(incident.details):
                _problem(problems, "RF-2", f"{where}.details", f"missing field {where}.details")

    if not is_text(form.how_meets_criteria):
        _problem(problems, "RF-2", "how_meets_criteria", "missing field how_meets_criteria")
    if not isinstance(form.facts, CriteriaFacts):
        _problem(problems, "RF-2", "facts", "missing field facts (the criteria facts)")

    agencies = form.agencies
    if not isinstance(agencies, tuple | list) or not agencies:
        _problem(problems, "RF-2", "agencies", "at least one agency known to be involved is needed")
    else:
        seen: set[str] = set()
        for i, agency in enumerate(agencies):
            where = f"agencies[{i}]"
            if not isinstance(agency, Agency):
                _problem(problems, "RF-2", where, f"{where} must be an Agency")
                continue
            _texts(problems, agency, where, ("code", "name"))
            if isinstance(agency.code, str) and agency.code in seen:
                _problem(
                    problems, "RF-2", f"{where}.code", f"agency {agency.code!r} is listed twice"
                )
            if isinstance(agency.code, str):
                seen.add(agency.code)

    if not is_text(form.signed_name):
        _problem(problems, "RF-2", "signed_name", "missing field signed_name")
    if not _is_date(form.signed_date):
        _missing_or_wrong(problems, "signed_date", form.signed_date, "a date")
    elif today is not None and form.signed_date > today:
        _problem(problems, "RF-2", "signed_date", "signed_date is in the future")
    if not isinstance(form.other_information, str):
        _problem(problems, "RF-2", "other_information", "other_information must be text")
    return problems
