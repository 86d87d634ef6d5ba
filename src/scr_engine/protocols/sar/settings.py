"""A Board's settings for its SARs (``sar/map.md``, Settings), with their defaults.

A setting is per Board, recorded whenever it changes, and a review keeps the
``version`` it started under. The Act's own rules are never settings: the mandatory
test and its effect (SAR-C-1, SAR-D-2), the care-and-support precondition of a
discretionary SAR (SAR-C-6), the s.45 conditions and purpose limit (SAR-I-2, SAR-I-6),
the s.68 duty (SAR-F-3), and the annual report's contents, windows and recipients
(SAR-A-6 to SAR-A-8) have no field here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from attrs import frozen

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal
from scr_engine.states.roles import SAR_ROLES, Role

__all__ = [
    "CALENDARS",
    "DEFAULT_SAR_SETTINGS",
    "REFERRAL_FIELDS",
    "SETTING_RULES",
    "CompletionStart",
    "ConcludedEvent",
    "DecisionStart",
    "Duration",
    "DurationUnit",
    "InformFamily",
    "SarSettings",
]


class DurationUnit(StrEnum):
    """How a target is counted."""

    DAYS = "days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


@frozen
class Duration:
    """A target's length: calendar days, working days (on the Board's bank-holiday
    calendar) or calendar months."""

    amount: int
    unit: DurationUnit = DurationUnit.DAYS


class InformFamily(StrEnum):
    """When the adult or family are told of a referral (SAR-R-5)."""

    ALWAYS = "always"
    EXCEPTIONAL = "exceptional"
    NEVER = "never"


class ConcludedEvent(StrEnum):
    """The event that makes a SAR *concluded* (SAR-A-7, SAR-M-12)."""

    RATIFY = "ratify"
    SUBMIT_REPORT = "submit_report"
    RECORD_PUBLICATION = "record_publication"


class CompletionStart(StrEnum):
    """When the completion clock starts (SAR-M-12: "initiating" is undefined)."""

    DECISION = "decision"
    COMMISSIONED = "commissioned"


class DecisionStart(StrEnum):
    """When the decision clock starts (SAR-D-4)."""

    RECEIVED = "received"
    INFORMATION_COMPLETE = "information_complete"


CALENDARS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "england_and_wales": ("GB", "ENG"),
        "scotland": ("GB", "SCT"),
        "northern_ireland": ("GB", "NIR"),
    }
)
"""The bank-holiday calendars a Board may configure, by id: (country, subdivision)
of the ``holidays`` package. England's calendar is England and Wales's."""

REFERRAL_FIELDS: tuple[str, ...] = (
    "referrer",
    "referrer_contact",
    "adults",
    "events",
    "rationale",
    "agencies",
    "other_processes",
    "adult_or_family_aware",
)
"""SAR-R-2's default required fields of a referral (the referrer's category is always
required, SAR-R-1)."""

_TARGETS = (
    "acknowledge_target",
    "scoping_return_target",
    "s45_response_target",
    "decision_target",
    "decision_notice_target",
    "commissioning_target",
    "accuracy_window_days",
    "family_sight_days",
    "annual_report_target",
    "annual_report_send_target",
    "record_retention",
)


@frozen
class SarSettings:
    """A Board's SAR settings (``map.md``); every default is ``map.md``'s."""

    version: str = "sar-default"
    decision_roles: tuple[Role, ...] = (Role.BOARD_CHAIR,)
    """SAR-D-1: who may confirm, redirect, decline or reopen."""
    s45_roles: tuple[Role, ...] = (Role.BOARD_CHAIR, Role.BUSINESS_MANAGER)
    """SAR-I-3: who may issue a binding s.45 request."""
    waiver_roles: tuple[Role, ...] = (Role.BOARD_CHAIR,)
    """SAR-G-6: who may record a waiver."""
    referral_required_fields: tuple[str, ...] = REFERRAL_FIELDS
    """SAR-R-2."""
    inform_family_at_referral: InformFamily = InformFamily.EXCEPTIONAL
    """SAR-R-5."""
    local_discretionary_grounds: tuple[str, ...] = ()
    """SAR-C-9: labelled local grounds, discretionary only."""
    secure_records_on_decision: bool = True
    """SAR-D-9."""
    agency_accuracy_check: bool = True
    """SAR-P-3."""
    family_sight_required: bool = True
    """SAR-F-6."""
    defer_publication_during_criminal_proceedings: bool = True
    """SAR-P-5."""
    concluded_event: ConcludedEvent = ConcludedEvent.RATIFY
    """SAR-A-7, SAR-M-12."""
    completion_clock_start: CompletionStart = CompletionStart.DECISION
    """SAR-M-12."""
    completion_months: int = 6
    """SAR-M-12: the guidance's six months."""
    decision_clock_start: DecisionStart = DecisionStart.RECEIVED
    """SAR-D-4."""
    acknowledge_target: Duration | None = None
    """SAR-R-3."""
    scoping_return_target: Duration | None = None
    """SAR-R-4."""
    s45_response_target: Duration | None = None
    """SAR-I-5."""
    decision_target: Duration | None = None
    """SAR-D-4."""
    decision_notice_target: Duration | None = None
    """SAR-D-5."""
    commissioning_target: Duration | None = None
    """SAR-M-7."""
    accuracy_window_days: Duration | None = None
    """SAR-P-3."""
    family_sight_days: Duration | None = None
    """SAR-F-6."""
    annual_report_target: Duration | None = None
    """SAR-A-5."""
    annual_report_send_target: Duration | None = None
    """SAR-A-8."""
    bank_holiday_calendar: str = "england_and_wales"
    """The working-day calendar (``map.md``, Clocks)."""
    record_retention: Duration | None = None
    """SAR-P-7."""

    def __attrs_post_init__(self) -> None:
        problems: list[Refusal] = []
        if not self.version.strip():
            problems.append(Refusal.input("settings need a version name", "version"))
        for name in ("decision_roles", "s45_roles", "waiver_roles"):
            roles = getattr(self, name)
            if not roles or any(r not in SAR_ROLES for r in roles):
                problems.append(Refusal.input(f"{name} must name SAR roles", name))
        if not 1 <= self.completion_months <= 120:
            problems.append(
                Refusal.input("completion_months must be from 1 to 120", "completion_months")
            )
        unknown = set(self.referral_required_fields) - set(REFERRAL_FIELDS)
        if unknown:
            problems.append(
                Refusal.input(
                    f"unknown referral fields: {', '.join(sorted(unknown))}",
                    "referral_required_fields",
                )
            )
        for name in _TARGETS:
            value = getattr(self, name)
            if value is not None and not 1 <= value.amount <= 3660:
                problems.append(Refusal.input(f"{name} must be from 1 to 3660 when set", name))
        if self.bank_holiday_calendar not in CALENDARS:
            problems.append(
                Refusal.input(
                    f"unknown calendar {self.bank_holiday_calendar!r}"
                    f" (known: {', '.join(sorted(CALENDARS))})",
                    "bank_holiday_calendar",
                )
            )
        if problems:
            raise InvalidRequest("settings", problems)


DEFAULT_SAR_SETTINGS = SarSettings()
"""``map.md``'s defaults."""

SETTING_RULES: dict[str, tuple[str, ...]] = {
    "version": (),
    "decision_roles": ("SAR-D-1",),
    "s45_roles": ("SAR-I-3",),
    "waiver_roles": ("SAR-G-6",),
    "referral_required_fields": ("SAR-R-2",),
    "inform_family_at_referral": ("SAR-R-5",),
    "local_discretionary_grounds": ("SAR-C-9",),
    "secure_records_on_decision": ("SAR-D-9",),
    "agency_accuracy_check": ("SAR-P-3",),
    "family_sight_required": ("SAR-F-6",),
    "defer_publication_during_criminal_proceedings": ("SAR-P-5",),
    "concluded_event": ("SAR-A-7", "SAR-M-12"),
    "completion_clock_start": ("SAR-M-12",),
    "completion_months": ("SAR-M-12",),
    "decision_clock_start": ("SAR-D-4",),
    "acknowledge_target": ("SAR-R-3",),
    "scoping_return_target": ("SAR-R-4",),
    "s45_response_target": ("SAR-I-5",),
    "decision_target": ("SAR-D-4",),
    "decision_notice_target": ("SAR-D-5",),
    "commissioning_target": ("SAR-M-7",),
    "accuracy_window_days": ("SAR-P-3",),
    "family_sight_days": ("SAR-F-6",),
    "annual_report_target": ("SAR-A-5",),
    "annual_report_send_target": ("SAR-A-8",),
    "bank_holiday_calendar": (),
    "record_retention": ("SAR-P-7",),
}
"""The rules each setting serves (``map.md``'s Rule column)."""
