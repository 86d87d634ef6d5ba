"""A Board's SAR settings (``sar/map.md``, Settings): map.md's defaults, versioned per
review; the Act's own rules are never settings."""

from __future__ import annotations

import attrs
import pytest

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import RefusalKind
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
    DurationUnit,
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


def _problems(**change: object) -> list[tuple[str, str | None, object]]:
    """Rule, field and kind of each problem ``SarSettings(**change)`` is refused with,
    in order (an :class:`InvalidRequest` of the ``settings``, exactly)."""
    with pytest.raises(InvalidRequest) as caught:
        SarSettings(**change)  # type: ignore[arg-type]
    assert type(caught.value) is InvalidRequest
    assert caught.value.command == "settings"
    return [(r.rule, r.field, r.kind) for r in caught.value.refusals]


@pytest.mark.parametrize("name", ["decision_roles", "s45_roles", "waiver_roles"])
def test_role_settings_name_sar_roles_only_sar_d_1_sar_i_3_sar_g_6(name: str) -> None:
    """SAR-D-1, SAR-I-3, SAR-G-6: who decides, who issues a s.45 request, who waives
    is one or more of the SAR's roles: none, or a role of the SCR only, is refused on
    that setting (``INPUT``); any SAR role is accepted."""
    wanted = [("INPUT", name, RefusalKind.INPUT)]
    assert _problems(**{name: ()}) == wanted
    assert _problems(**{name: (Role.BOARD_CHAIR, Role.IMR_WRITER)}) == wanted
    made = SarSettings(**{name: (Role.BOARD, Role.LA_ADVOCACY_LEAD)})  # type: ignore[arg-type]
    assert getattr(made, name) == (Role.BOARD, Role.LA_ADVOCACY_LEAD)


def test_completion_months_are_from_1_to_120_sar_m_12() -> None:
    """SAR-M-12: the months a review should take are from 1 to 120."""
    assert SarSettings(completion_months=1).completion_months == 1
    assert SarSettings(completion_months=120).completion_months == 120
    for months in (0, 121, -6):
        wanted = [("INPUT", "completion_months", RefusalKind.INPUT)]
        assert _problems(completion_months=months) == wanted


def test_required_referral_fields_are_fields_of_the_referral_sar_r_2() -> None:
    """SAR-R-2: any subset of the referral's fields may be required (none too); a name
    that is not one is refused, once however many there are."""
    assert SarSettings(referral_required_fields=()).referral_required_fields == ()
    assert SarSettings(referral_required_fields=("events",)).referral_required_fields == ("events",)
    found = _problems(referral_required_fields=("events", "shoe_size", "hat"))
    assert found == [("INPUT", "referral_required_fields", RefusalKind.INPUT)]


@pytest.mark.parametrize(
    "name",
    [
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
    ],
)
def test_every_target_is_off_or_from_1_to_3660_sar_r_3_to_sar_p_7(name: str) -> None:
    """SAR-R-3, SAR-R-4, SAR-I-5, SAR-D-4, SAR-D-5, SAR-M-7, SAR-P-3, SAR-F-6, SAR-A-5,
    SAR-A-8, SAR-P-7: each target is off (``None``) or from 1 to 3660 (days, working
    days or months); 0, less or more than 3660 is refused on that setting."""
    for amount in (1, 3660):
        made = SarSettings(**{name: Duration(amount, DurationUnit.MONTHS)})  # type: ignore[arg-type]
        assert getattr(made, name) == Duration(amount, DurationUnit.MONTHS)
    for amount in (0, 3661, -1):
        assert _problems(**{name: Duration(amount)}) == [("INPUT", name, RefusalKind.INPUT)]


@pytest.mark.parametrize("calendar", ["england_and_wales", "scotland", "northern_ireland"])
def test_the_bank_holiday_calendar_is_one_of_the_three(calendar: str) -> None:
    """The working-day calendar is England and Wales's, Scotland's or Northern
    Ireland's; another is refused (``test_bad_settings_are_refused_naming_the_setting``)."""
    assert SarSettings(bank_holiday_calendar=calendar).bank_holiday_calendar == calendar


def test_every_problem_of_the_settings_is_named_at_once_in_order_sar_d_1_sar_m_12() -> None:
    """Every bad setting is refused at once, one problem each, in the order of the
    settings (SAR-D-1, SAR-I-3, SAR-G-6, SAR-M-12, SAR-R-2, the targets)."""
    found = _problems(
        version="",
        decision_roles=(),
        s45_roles=(),
        waiver_roles=(),
        completion_months=0,
        referral_required_fields=("hat",),
        acknowledge_target=Duration(0),
        record_retention=Duration(4000),
        bank_holiday_calendar="mars",
    )
    fields = [
        "version",
        "decision_roles",
        "s45_roles",
        "waiver_roles",
        "completion_months",
        "referral_required_fields",
        "acknowledge_target",
        "record_retention",
        "bank_holiday_calendar",
    ]
    assert found == [("INPUT", f, RefusalKind.INPUT) for f in fields]
