"""A SAR's date inputs, read by their meaning (``docs/decisions.md``, "The SAR's date
inputs"): through the engine and a store, every SAR command with a date field of its
own is refused a future day in a field that says when something happened (SAR-R-2,
SAR-R-3, SAR-C-2, SAR-F-1, SAR-F-2, SAR-F-4, SAR-F-6, SAR-M-2, SAR-M-5, SAR-A-2,
SAR-A-4, ``DATE``) and a day more than ten years ahead (``FURTHEST_DAYS``) in a field
that says when something is due or planned (SAR-I-1, SAR-M-2, SAR-P-10, SAR-A-2,
SAR-P-5, SAR-M-12): kind INPUT, naming the field, saying what is allowed, and nothing
is stored.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import MemoryStore
from scr_engine.errors import InvalidRequest, PermissionDenied, TransitionRefused
from scr_engine.errors.refusals import RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar import information
from scr_engine.protocols.sar.annual import commands as ac
from scr_engine.protocols.sar.records import (
    Action,
    Consent,
    ConsentStatus,
    DatedEvent,
    InvolvementEntry,
    InvolvementLevel,
    PublicationChoice,
)
from scr_engine.records import Actor
from scr_engine.rules.deadlines import FURTHEST_DAYS
from support import sar as s
from support.sar_engine import EngineRun

HAPPENED, PLANNED = "happened", "planned"

Make = Callable[[date], Any]


def _sister(**changes: Any) -> c.RecordInvolvement:
    return c.RecordInvolvement(
        InvolvementEntry("brother", "brother", InvolvementLevel.CONTRIBUTE, **changes)
    )


def _plan(**changes: Any) -> c.ChooseMethodology:
    first, *rest = s.plan()
    return c.ChooseMethodology(evolve(s.methodology(), plan=(evolve(first, **changes), *rest)))


def _action(due: date, **changes: Any) -> c.AddAction:
    return c.AddAction(
        Action("I1", "asc", due, "safer discharge", "audit", interim=True, **changes)
    )


def _defer(day: date) -> c.DecidePublication:
    return c.DecidePublication(PublicationChoice.DEFER, "", "the inquest", review_on=day)


CASES: tuple[tuple[str, str, str, Actor, str, str, Make], ...] = (
    # (stage, command, field, actor, reading, rule, the command dated so)
    (
        "none",
        "submit_request",
        "adults[0].died_on",
        s.MANAGER,
        HAPPENED,
        "SAR-R-2",
        lambda d: c.SubmitRequest(s.referral(evolve(s.adult(), died_on=d))),
    ),
    (
        "none",
        "submit_request",
        "events[0].on",
        s.MANAGER,
        HAPPENED,
        "SAR-R-2",
        lambda d: c.SubmitRequest(s.referral(events=(DatedEvent(d, "found at home"),))),
    ),
    (
        "requested",
        "record_chair_notified",
        "notified_on",
        s.MANAGER,
        HAPPENED,
        "SAR-R-3",
        c.RecordChairNotified,
    ),
    (
        "requested",
        "request_information",
        "due_on",
        s.MANAGER,
        PLANNED,
        "SAR-I-1",
        lambda d: c.RequestInformation(
            c.InformationKind.VOLUNTARY, "GP", "records", "sar", due_on=d
        ),
    ),
    (
        "requested",
        "assess_criteria",
        "assessments[0].died_on",
        s.SUBGROUP,
        HAPPENED,
        "SAR-C-2",
        lambda d: c.AssessCriteria((s.assessment(died_on=d),)),
    ),
    *(
        (
            "screened",
            "record_involvement",
            f"entry.{name}",
            s.MANAGER,
            HAPPENED,
            rule,
            functools.partial(lambda name, d: _sister(**{name: d}), name),
        )
        for name, rule in (
            ("contacted_on", "SAR-F-1"),
            ("informed_on", "SAR-F-2"),
            ("sight_sent_on", "SAR-F-6"),
            ("responded_on", "SAR-F-6"),
        )
    ),
    (
        "screened",
        "choose_methodology",
        "methodology.plan[0].due_on",
        s.SUBGROUP,
        PLANNED,
        "SAR-M-2",
        lambda d: _plan(due_on=d),
    ),
    *(
        (
            "screened",
            "choose_methodology",
            f"methodology.plan[0].{name}",
            s.SUBGROUP,
            HAPPENED,
            "SAR-M-2",
            functools.partial(lambda name, d: _plan(**{name: d}), name),
        )
        for name in ("received_on", "judged_on")
    ),
    *(
        (
            "screened",
            "agree_terms_of_reference",
            f"terms.{name}",
            s.SUBGROUP,
            reading,
            rule,
            functools.partial(
                lambda name, d: c.AgreeTermsOfReference(evolve(s.terms(), **{name: d})), name
            ),
        )
        for name, reading, rule in (
            ("period_start", HAPPENED, "SAR-M-5"),
            ("period_end", HAPPENED, "SAR-M-5"),
            ("report_due", PLANNED, "SAR-P-10"),
        )
    ),
    (
        "screened",
        "record_consent",
        "consent.on",
        s.MANAGER,
        HAPPENED,
        "SAR-F-4",
        lambda d: c.RecordConsent(Consent("a1", ConsentStatus.GIVEN, on=d)),
    ),
    (
        "screened",
        "add_action",
        "action.due_on",
        s.MANAGER,
        PLANNED,
        "SAR-A-2",
        _action,
    ),
    (
        "screened",
        "add_action",
        "action.closed_on",
        s.MANAGER,
        HAPPENED,
        "SAR-A-2",
        lambda d: _action(date(2027, 12, 1), closed_on=d),
    ),
    (
        "screened",
        "extend_deadline",
        "new_due",
        s.CHAIR,
        PLANNED,
        "SAR-M-12",
        lambda d: c.ExtendDeadline("review_complete", d, "the inquest"),
    ),
    (
        "commissioned",
        "record_writer_meeting",
        "held_on",
        s.LEAD,
        HAPPENED,
        "DATE",
        c.RecordWriterMeeting,
    ),
    *(
        (
            "report_drafted",
            "record_family_response",
            name,
            s.LEAD,
            HAPPENED,
            "SAR-F-6",
            functools.partial(
                lambda name, d: c.RecordFamilyResponse(
                    "sister", **{name: d}, response="fine", handling="noted"
                ),
                name,
            ),
        )
        for name in ("sent_on", "responded_on")
    ),
    (
        "report_drafted",
        "decide_publication",
        "review_on",
        s.CHAIR,
        PLANNED,
        "SAR-P-5",
        _defer,
    ),
    (
        "ratified",
        "record_annual_report_inclusion",
        "published_on",
        s.MANAGER,
        HAPPENED,
        "SAR-A-4",
        lambda d: ac.RecordAnnualReportInclusion(
            "ar1", "SAR-AR-2026-001", 2026, d, "https://sab.example.org/ar"
        ),
    ),
)

_STAGES: dict[str, Callable[[EngineRun], Any]] = {
    "none": lambda run: run,
    "requested": s.requested,
    "screened": s.screened,
    "commissioned": s.commissioned,
    "report_drafted": s.report_drafted,
    "ratified": s.ratified,
}


@functools.cache
def _at(stage: str) -> EngineRun:
    """A stored review at ``stage`` (built once: a refused command changes nothing)."""
    run = EngineRun(MemoryStore())
    _STAGES[stage](run)
    return run


def _refused(run: EngineRun, actor: Actor, command: Any) -> list[Any]:
    """``command``'s refusals through the engine; nothing is stored."""
    store = run.engine.store
    before = store.heads()
    with pytest.raises((InvalidRequest, PermissionDenied, TransitionRefused)) as refused:
        if isinstance(command, c.SubmitRequest):
            run.engine.submit(command.referral, actor, protocol="sar")
        else:
            run.engine.execute(run.r.id, command, actor)
    assert store.heads() == before
    return list(refused.value.refusals)


def _date_fields(cls: Any, at: str = "") -> list[str]:
    """The date fields of ``cls`` and of the records it holds, by path."""
    out: list[str] = []
    for name, hint in typing.get_type_hints(cls).items():
        if not attrs.has(cls) or name not in attrs.fields_dict(cls) or name == "occurred_on":
            continue
        kinds = [hint, *typing.get_args(hint)]
        for kind in [*kinds, *(a for k in kinds for a in typing.get_args(k))]:
            if kind is date:
                out.append(f"{at}{name}")
            elif attrs.has(kind):
                out.extend(_date_fields(kind, f"{at}{name}."))
    return sorted(set(out))


def test_every_sar_command_with_a_date_field_is_read() -> None:
    """The cases cover every SAR command with a date field of its own, besides
    ``occurred_on`` (the engine's ``DATE``): all but ``submit_report``, whose
    ``submitted_on`` the engine sets, and ``compile_review_sections``, whose days are
    bounded by its year (SAR-A-7)."""
    commands = [
        *c.COMMANDS.items(),
        *information.COMMANDS.items(),
        *ac.COMMANDS.items(),  # the annual report's own submit_request opens a report
        ("record_annual_report_inclusion", ac.RecordAnnualReportInclusion),
    ]
    with_dates = {name for name, cls in commands if _date_fields(cls)}
    covered = {case[1] for case in CASES}
    assert with_dates - covered == {"submit_report", "compile_review_sections"}
    assert covered <= with_dates


_IDS = [f"{case[1]}:{case[2]}" for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=_IDS)
@given(ahead=st.one_of(st.integers(1, FURTHEST_DAYS + 400), st.just(None)))
def test_a_date_input_outside_its_reading_is_refused_naming_its_field(
    case: tuple[str, str, str, Actor, str, str, Make], ahead: int | None
) -> None:
    """A future day where something happened, or a day more than ten years ahead
    where something is due or planned (9999-12-31 among them), is refused: the field's
    rule, kind INPUT, the field named, the message saying what is allowed; nothing is
    stored."""
    stage, name, field, actor, reading, rule, make = case
    run = _at(stage)
    if ahead is None:
        day = date.max
    elif reading == PLANNED:
        day = run.today + timedelta(days=FURTHEST_DAYS + ahead)
    else:
        day = run.today + timedelta(days=ahead)
    command = make(day)
    assert command.name == name
    refusals = _refused(run, actor, command)
    mine = [r for r in refusals if (r.rule, r.field, r.kind) == (rule, field, RefusalKind.INPUT)]
    assert mine, [(r.rule, r.field, r.message) for r in refusals]
    allowed = "ten years" if reading == PLANNED else "after"
    assert any(allowed in r.message for r in mine), [r.message for r in mine]


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_a_date_within_its_reading_is_not_refused_for_it(
    case: tuple[str, str, str, Actor, str, str, Make],
) -> None:
    """The day of the command itself (happened) or one FURTHEST_DAYS ahead (planned)
    is no reason to refuse the field."""
    stage, _, field, actor, reading, rule, make = case
    run = _at(stage)
    day = run.today + timedelta(days=FURTHEST_DAYS) if reading == PLANNED else run.today
    command = make(day)
    if isinstance(command, c.SubmitRequest):
        run.engine.submit(command.referral, actor, protocol="sar")  # accepted
        return
    problems = run.engine.explain(run.r.id, command, actor)
    assert not [
        p for p in problems if (p.rule, p.field, p.kind) == (rule, field, RefusalKind.INPUT)
    ]
