"""A Board's SAR settings (``sar/map.md``, Settings): map.md's defaults, versioned per
review; the Act's own rules are never settings."""

from __future__ import annotations

import attrs
import pytest

from scr_engine.errors import InvalidRequest
from scr_engine.protocols.sar import SAR
from scr_engine.protocols.sar.rules import FIXED
from scr_engine.protocols.sar.settings import (
    DEFAULT_SAR_SETTINGS,
    REFERRAL_FIELDS,
    SETTING_RULES,
    CompletionStart,
    ConcludedEvent,
    DecisionStart,
    Duration,
    InformFamily,
    SarSettings,
)
from scr_engine.states.roles import Role
from support.sar import Run, requested


def test_defaults_are_map_mds() -> None:
    """map.md's Settings table: decision_roles (SAR-D-1), s45_roles (SAR-I-3),
    waiver_roles (SAR-G-6), the R-2 list (SAR-R-2), inform_family_at_referral
    (SAR-R-5), local grounds (SAR-C-9), records secured (SAR-D-9), accuracy check
    (SAR-P-3), family sight (SAR-F-6), deferral (SAR-P-5), concluded_event (SAR-A-7),
    completion (SAR-M-12), decision clock (SAR-D-4), retention (SAR-P-7)."""
    d = DEFAULT_SAR_SETTINGS
    assert d.decision_roles == (Role.BOARD_CHAIR,)
    assert d.s45_roles == (Role.BOARD_CHAIR, Role.BUSINESS_MANAGER)
    assert d.waiver_roles == (Role.BOARD_CHAIR,)
    assert d.referral_required_fields == REFERRAL_FIELDS
    assert d.inform_family_at_referral is InformFamily.EXCEPTIONAL
    assert d.local_discretionary_grounds == ()
    assert d.secure_records_on_decision and d.agency_accuracy_check
    assert d.family_sight_required and d.defer_publication_during_criminal_proceedings
    assert d.concluded_event is ConcludedEvent.RATIFY
    assert d.completion_clock_start is CompletionStart.DECISION and d.completion_months == 6
    assert d.decision_clock_start is DecisionStart.RECEIVED
    assert d.bank_holiday_calendar == "england_and_wales" and d.record_retention is None
    targets = [f.name for f in attrs.fields(SarSettings) if f.name.endswith(("_target", "_days"))]
    assert len(targets) == 10 and all(getattr(d, t) is None for t in targets)


def test_every_setting_names_its_rules_and_none_is_the_acts() -> None:
    """map.md: "Not settings (fixed by the Act): the mandatory test and its effect
    (SAR-C-1, SAR-D-2); the care-and-support precondition (SAR-C-6); the s.45
    conditions and purpose limit (SAR-I-2, SAR-I-6); the s.68 duty (SAR-F-3); the
    annual report's contents, windows and recipients (SAR-A-6 to SAR-A-8)"."""
    assert set(SETTING_RULES) == {f.name for f in attrs.fields(SarSettings)}
    served = {
        rid
        for name, rules in SETTING_RULES.items()
        for rid in rules
        if name != "annual_report_send_target"
    }
    assert served & set(FIXED) == set()  # SAR-A-8's recipients are fixed; only its timing is not
    assert {"SAR-C-1", "SAR-D-2", "SAR-C-6", "SAR-I-2", "SAR-I-6", "SAR-F-3"} <= set(FIXED)
    assert {"SAR-A-6", "SAR-A-8"} <= set(FIXED) and "SAR-A-7" not in FIXED
    assert SAR.fixed == FIXED
    assert [s.name for s in SAR.setting_defs] == [f.name for f in attrs.fields(SarSettings)]


def test_annual_report_targets_are_settings_but_its_year_is_not_sar_a_5_sar_a_8() -> None:
    """SAR-A-5: published "as soon as is feasible" — the target is a setting, off;
    SAR-A-8: sending likewise. The financial year itself is the Act's."""
    assert SETTING_RULES["annual_report_target"] == ("SAR-A-5",)
    assert SETTING_RULES["annual_report_send_target"] == ("SAR-A-8",)
    assert not any("year" in name for name in SETTING_RULES)


def test_a_review_keeps_the_settings_version_it_started_under() -> None:
    """map.md: "A review keeps the settings it started under, unless migrated"."""
    run = Run(SarSettings(version="shire-2027"))
    requested(run)
    assert run.r.settings_version == "shire-2027"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": " "}, "version"),
        ({"decision_roles": ()}, "decision_roles"),
        ({"s45_roles": (Role.IMR_WRITER,)}, "s45_roles"),
        ({"completion_months": 0}, "completion_months"),
        ({"referral_required_fields": ("shoe_size",)}, "referral_required_fields"),
        ({"decision_target": Duration(0)}, "decision_target"),
        ({"bank_holiday_calendar": "mars"}, "bank_holiday_calendar"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(change: dict[str, object], field: str) -> None:
    """Settings are checked when made; every problem names its setting."""
    with pytest.raises(InvalidRequest) as caught:
        SarSettings(**change)  # type: ignore[arg-type]
    assert [r.field for r in caught.value.refusals] == [field]
