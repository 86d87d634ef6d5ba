"""Bad input: the library's own error naming every problem, and nothing stored.

Also: every command survives the trip through JSON (``commands.to_dict`` /
``commands.from_dict``), as host systems send them over the wire.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from scr_engine import (
    Actor,
    Agency,
    AlternativeReview,
    Appointment,
    CriteriaFacts,
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    PermissionDenied,
    RefusalKind,
    Review,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.history import event_day
from scr_engine.rules.dates import is_dated
from scr_engine.rules.judge import check_shape
from scr_engine.rules.reasons import Refusal
from support.asserts import invalid
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    REQUESTER,
    TWO_AUTHORITIES,
    CommandLog,
    demo_request,
    full_terms,
    screen,
    submit,
    to_stage,
    today,
)

# --------------------------------------------------------------------------- commands


def _anyone(engine: ReviewEngine, review_id: str) -> Actor:
    """An actor who may issue every command of the table on the review (every role,
    and the appointed panel chair), so that only the input is judged: permission
    comes first (hardening 7)."""
    if engine.get(review_id).panel_chair is None:
        appointment = Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)
        engine.execute(review_id, c.AppointPanelChair(appointment), BOARD_CHAIR)
    return Actor(PANEL_CHAIR.id, "Anyone", set(Role))


@pytest.mark.rule("SU-3")
@pytest.mark.rule("EV-2")
@pytest.mark.parametrize(
    ("command", "fields"),
    [
        (c.RecordBudget("lots", "Venue."), {"amount_pounds"}),  # type: ignore[arg-type]
        (c.JudgeImr("gp", "so-so"), {"judgement"}),  # type: ignore[arg-type]
    ],
    ids=["str-for-int", "str-for-enum"],
)
def test_wrong_types_in_commands_are_named(
    engine: ReviewEngine, screened: Review, command: c.Command, fields: set[str]
) -> None:
    """SU-3/EV-2: a value of the wrong type is refused as InvalidRequest naming the
    field, before any guard reads it; nothing is stored."""
    refused = invalid(engine, screened.id, command, _anyone(engine, screened.id))
    assert {r.field for r in refused.refusals} == fields
    assert set(refused.rules) == {"INPUT"}


@pytest.mark.rule("PR-e")
def test_one_text_where_a_list_is_wanted_is_refused_not_split_into_characters(
    engine: ReviewEngine, screened: Review
) -> None:
    """A command built in Python with one text where a list is wanted (readers, paths,
    a record's list of agencies) would become the text's characters as JSON, one
    item each: it is refused naming the field (nested too), and nothing is stored."""
    restrict = c.RestrictAccess("Sensitive.", readers="u-auditor")  # type: ignore[arg-type]
    refused = invalid(engine, screened.id, restrict, BOARD_CHAIR)
    assert [(r.rule, r.field, r.message) for r in refused.refusals] == [
        ("INPUT", "readers", "expected a list, got text 'u-auditor'")
    ]
    terms = attrs.evolve(full_terms(screened, today(engine)), imr_agencies="GP")
    revise = c.ReviseTermsOfReference(terms, "The GP's IMR only.")
    _, _, problems = check_shape(revise)  # as judged for its panel chair
    assert [r.field for r in problems] == ["terms.imr_agencies"]
    assert engine.execute(screened.id, c.RestrictAccess("Sensitive.", ["u-auditor"]), BOARD_CHAIR)


@pytest.mark.rule("RF-2")
def test_a_request_form_with_one_text_for_its_list_of_agencies_is_refused(
    engine: ReviewEngine,
) -> None:
    """RF-2: a form built in Python with one agency's code where the list of agencies
    goes is refused naming ``agencies``, not read as one agency a letter; no
    reference is used up."""
    form = attrs.evolve(demo_request(), agencies="LA1")
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(form, REQUESTER)
    assert [(r.field, r.message) for r in refused.value.refusals] == [
        ("agencies", "expected a list, got text 'LA1'")
    ]
    assert engine.reviews() == [] and engine.store.next_reference(2026) == "SCR-2026-001"


@pytest.mark.parametrize(
    "command",
    [
        c.RecordChairNotified("2026-02-02"),  # type: ignore[arg-type]
        c.AppointPanelChair("u-pc"),  # type: ignore[arg-type]
        c.HoldInitialMeeting(None),  # type: ignore[arg-type]
        c.ExtendDeadline(5, "2026-03-01", None),  # type: ignore[arg-type]
        {"command": "convene_panel"},
        "convene_panel",
    ],
    ids=["str-for-date", "str-for-record", "none-for-record", "three-wrong", "dict", "str"],
)
def test_malformed_commands_are_invalid_requests(
    engine: ReviewEngine, screened: Review, command: Any
) -> None:
    """A malformed command, or something that is not a command, gets InvalidRequest
    (a ValueError), never a bare TypeError, KeyError or AttributeError; nothing is
    stored."""
    refused = invalid(engine, screened.id, command, _anyone(engine, screened.id))
    assert set(refused.rules) == {"INPUT"}
    assert isinstance(refused, ValueError)


def test_every_wrongly_typed_field_is_named(engine: ReviewEngine, screened: Review) -> None:
    """INPUT: three wrong fields (an int for text, a string for a date, None for text)
    are all named, field by field."""
    command = c.ExtendDeadline(5, "2026-03-01", None)  # type: ignore[arg-type]
    refused = invalid(engine, screened.id, command, _anyone(engine, screened.id))
    assert {r.field for r in refused.refusals} == {"deadline", "new_due", "reasons"}


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("data", [[1, 2], "record_budget", None, 5, 2.5, True], ids=repr)
def test_json_that_is_not_an_object(data: Any) -> None:
    """A command must be a JSON object."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(data)
    assert refused.value.refusals[0].message == "a command must be a JSON object"


@pytest.mark.parametrize(
    "data",
    [{"command": "nope"}, {}, {"command": 5}, {"command": ["convene_panel"]}, {"name": "ratify"}],
    ids=repr,
)
def test_json_unknown_or_missing_command_name(data: dict[str, Any]) -> None:
    """An unknown or missing ``command`` names the field and lists the known ones."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(data)
    [problem] = refused.value.refusals
    assert problem.field == "command"
    assert "command" in problem.message and "convene_panel" in problem.message
    named = data.get("command")
    assert refused.value.command == (named if isinstance(named, str) else "command")
    assert str(refused.value).startswith(f"{refused.value.command} refused:")
    assert "None" not in str(refused.value)


def test_a_refusal_without_a_command_reads_refused() -> None:
    refusal = Refusal.input("the form is empty", "form")
    assert str(TransitionRefused("", [refusal])).startswith("refused:")


def test_json_extra_keys_are_all_named() -> None:
    """Unknown keys are refused, each named."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(
            {"command": "record_budget", "amount_pounds": 5, "notes": "x", "vat": 1, "by": "me"}
        )
    text = str(refused.value)
    assert "vat" in text and "by" in text


def test_json_missing_keys_are_all_named() -> None:
    """Every missing field is named."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict({"command": "add_action", "owner": "Head of Service"})
    assert {r.field for r in refused.value.refusals} == {
        "action_id",
        "recommendation_id",
        "timescale_months",
        "outcome",
        "monitoring",
    }


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"command": "record_chair_notified", "received_on": "31/01/2026"}, {"received_on"}),
        ({"command": "record_chair_notified", "received_on": 20260131}, {"received_on"}),
        (
            {
                "command": "extend_deadline",
                "deadline": "x",
                "new_due": "2026-02-30",
                "reasons": "r",
            },
            {"new_due"},
        ),
        ({"command": "judge_imr", "agency": "gp", "judgement": "good"}, {"judgement"}),
        pytest.param(
            {"command": "record_writer_meeting", "purposes": ["gossip"]},
            {"purposes[0]"},
            id="set-enum",
        ),
        (
            {"command": "hold_initial_meeting", "terms": {"items": {"bogus": {}}}},
            {
                "terms.items['bogus']",
                "terms.imr_agencies",
                "terms.family",
                "terms.imr_due",
                "terms.overview_due",
                "terms.support",
                "terms.meetings",
            },
        ),
        (
            {
                "command": "appoint_panel_chair",
                "appointment": {"person_id": "a", "name": "b", "appointed_on": "yesterday"},
            },
            {"appointment.appointed_on"},
        ),
        ({"command": "ratify", "occurred_on": "yesterday"}, {"occurred_on"}),
        (
            {
                "command": "receive_imr",
                "agency": "gp",
                "summary": "IMR.",
                "recommendations": ["ok", 5],
            },
            {"recommendations[1]"},
        ),
    ],
    ids=[
        "date-format",
        "date-int",
        "no-such-day",
        "enum",
        "set-enum",
        "nested",
        "optional-date",
        "ratify-date",
        "tuple-item",
    ],
)
def test_json_wrong_values_are_named(data: dict[str, Any], fields: set[str]) -> None:
    """Values that do not fit are named by their path."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(data)
    assert {r.field for r in refused.value.refusals} == fields


@pytest.mark.parametrize(
    "data",
    [
        {"command": "hold_initial_meeting", "terms": []},
        {"command": "hold_initial_meeting", "terms": "all of it"},
        {"command": "submit_request", "request": {"requester": 5}},
        {"command": "record_writer_meeting", "purposes": [["x"]]},
        {"command": "record_dissemination", "dissemination": None},
        {"command": "pause_clock", "process": "p", "reasons": "r", "at": {"nested": [1]}},
    ],
    ids=repr,
)
def test_json_garbage_never_escapes_as_a_builtin_error(data: dict[str, Any]) -> None:
    """Whatever shape the JSON has, the error is InvalidRequest."""
    with pytest.raises(InvalidRequest):
        c.from_dict(data)


@pytest.mark.rule("CR-1")
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"command": "record_budget", "amount_pounds": True, "notes": "Venue."}, "amount_pounds"),
        ({"command": "record_budget", "amount_pounds": 5000, "notes": 5}, "notes"),
        ({"command": "withdraw", "reasons": None}, "reasons"),
        (
            {
                "command": "add_action",
                "action_id": "A1",
                "recommendation_id": "R1",
                "owner": "Head",
                "timescale_months": "3",
                "outcome": "x",
                "monitoring": "y",
            },
            "timescale_months",
        ),
        ({"command": "assess_criteria", "facts": {"adult_died": "no"}}, "facts.adult_died"),
    ],
    ids=["bool-for-int", "int-for-str", "null-for-str", "str-for-int", "str-for-bool"],
)
def test_json_values_are_not_coerced(data: dict[str, Any], field: str) -> None:
    """INPUT: no silent coercion: a JSON ``"no"`` must never become ``True`` (that would
    turn a case into a mandatory CR-1 review), ``null`` never the text ``"None"``; the
    refusal names the field."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(data)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("INPUT", field)]


@pytest.mark.rule("EV-1")
@pytest.mark.rule("RP-6")
@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {
                "command": "receive_imr",
                "agency": "gp",
                "summary": "IMR.",
                "recommendations": "Review procedures.",
            },
            "recommendations",
        ),
        (
            {
                "command": "record_dissemination",
                "dissemination": {
                    "recipients": "Board",
                    "means": "e-mail",
                    "processes": "Debriefs.",
                },
            },
            "dissemination.recipients",
        ),
        ({"command": "record_writer_meeting", "purposes": "final_format"}, "purposes"),
    ],
    ids=["imr-recommendations", "recipients", "purposes"],
)
def test_json_string_is_not_split_into_a_list(data: dict[str, Any], field: str) -> None:
    """EV-1/RP-6: INPUT: a string is not a list of one-letter strings (nor a set of
    them); the refusal names the field."""
    with pytest.raises(InvalidRequest) as refused:
        c.from_dict(data)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("INPUT", field)]


# --------------------------------------------------------------------------- round trip


def _round_trip(command: c.Command) -> c.Command:
    return c.from_dict(json.loads(json.dumps(c.to_dict(command))))


@pytest.mark.rule("PR-d")
def test_every_command_of_a_full_run_round_trips_through_json(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """PR-d: every command built in a full run to closure, plus every command off the
    main line, comes back equal from JSON; together they cover every command name."""
    log: CommandLog = []
    to_stage(engine, clock, Stage.CLOSED, log=log)
    # Off the main line.
    two = to_stage(engine, clock, Stage.SCREENED, request=demo_request(agencies=TWO_AUTHORITIES))
    extras: list[c.Command] = [
        c.Decline("No criterion of §3 is met."),
        c.RecommendAlternative(AlternativeReview.INDIVIDUAL_PRACTICE_REVIEW, "One agency."),
        c.RecommendAlternative(AlternativeReview.NEAR_MISS_REVIEW, "Harm averted."),
        c.AssessCriteria(CriteriaFacts(multiple_abusers=True), "Found at screening."),
        c.AgreeLeadAuthority("asc"),
        c.JudgeImr("gp", ImrJudgement.FURTHER_INFORMATION_REQUESTED, "Visit records."),
        c.RequestRevision("The chronology is thin."),
        c.Withdraw("The family objected."),
        c.PauseClock("inquest", "The Coroner's inquest."),
        c.ResumeClock("Inquest over."),
        c.ExtendDeadline("initial_meeting", date(2026, 4, 1), "Chair ill."),
        c.Ratify(date(2026, 2, 2)),
        c.ErasePersonalData("Retention ended.", "UK GDPR Art. 5(1)(e)"),
        c.ErasePersonalData("One person.", "Art. 17", ("/request/requester/name",), "A"),
        c.RestrictAccess("A family member works for the council.", ("u-dpo",)),
        c.RestrictAccess("No longer needed.", (), False),
        c.AddAgency(Agency("fire", "County Fire and Rescue", False), "Attended the fire."),
        c.ReplacePanelChair(Appointment("u-pc2", "New chair"), "Chair ill.", date(2026, 3, 1)),
        c.ReplaceOverviewWriter(Appointment("u-ow2", "New writer"), "Writer left."),
        c.StandDownPanelMember("u-pm-gp", "Knew the family.", Appointment("u-pm2", "N", "gp")),
        c.StandDownPanelMember("u-pm-gp", "Knew the family."),
        c.ReviseTermsOfReference(full_terms(two, date(2026, 3, 1)), "Scope widened."),
    ]
    engine.execute(two.id, c.AgreeLeadAuthority("nbc"), BOARD_CHAIR)  # the extras are real
    for command in (*log, *extras):
        assert _round_trip(command) == command, command.name
    assert {cmd.name for cmd in (*log, *extras)} == set(c.COMMANDS)


@pytest.mark.rule("PR-d")
def test_history_payloads_rebuild_the_commands(engine: ReviewEngine, clock: FixedClock) -> None:
    """PR-d: each event's payload is the command's JSON form, so it rebuilds it."""
    log: CommandLog = []
    review = to_stage(engine, clock, Stage.RATIFIED, log=log)
    events = engine.history(review.id)
    assert len(events) == len(log)
    for event, command in zip(events[1:], log[1:], strict=True):
        if is_dated(type(command)) and getattr(command, "occurred_on", None) is None:
            # The engine keeps the day it happened (DATE): the day it was recorded.
            command = attrs.evolve(command, occurred_on=event_day(event))  # type: ignore[misc]
        assert json.loads(json.dumps(event.payload)) == c.to_dict(command)
        assert c.from_dict(event.payload) == command


@pytest.mark.rule("CR-1")
@pytest.mark.rule("PR-d")
def test_engine_refuses_coerced_values(engine: ReviewEngine) -> None:
    """CR-1/PR-d: the strings "no" are not facts, and None is not a reason: both are
    refused as bad input naming the fields, and nothing is recorded."""
    review = submit(engine, demo_request(facts=CriteriaFacts()))
    facts = CriteriaFacts(adult_died="no", abuse_or_neglect_factor="no")  # type: ignore[arg-type]
    refused = invalid(engine, review.id, c.AssessCriteria(facts), BOARD_CHAIR)
    assert {(r.rule, r.field) for r in refused.refusals} == {
        ("INPUT", "facts.adult_died"),
        ("INPUT", "facts.abuse_or_neglect_factor"),
    }
    refused = invalid(engine, review.id, c.Withdraw(None), BOARD_CHAIR)  # type: ignore[arg-type]
    assert [(r.rule, r.field) for r in refused.refusals] == [("INPUT", "reasons")]


# --------------------------------------------------------------------------- engine services


def test_overdue_pages_and_refuses_each_bad_argument(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine import DeadlineStatus

    for _ in range(3):
        screen(engine, submit(engine).id)
    day = today(engine)
    rows = engine.overdue(day, within_days=400, limit=100)
    assert len(rows) == 6 and rows == sorted(rows, key=lambda r: r.sort_key)
    assert {r.status for r in rows} == {DeadlineStatus.DUE}
    late = engine.overdue(day + timedelta(days=400))
    assert len(late) == 6 and {r.status for r in late} == {DeadlineStatus.OVERDUE}
    assert engine.overdue(day) == engine.overdue() == []
    first, rest = (
        engine.overdue(day, 400, limit=2),
        engine.overdue(day, 400, after=rows[1].sort_key),
    )
    assert first + rest == rows
    engine.overdue(day, 36_600, limit=2**31 - 1)
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"as_of": "2026-02-02"}, "as_of"),
        ({"as_of": datetime(2026, 2, 2, tzinfo=UTC)}, "as_of"),
        ({"within_days": -1}, "within_days"),
        ({"within_days": 36_601}, "within_days"),
        ({"within_days": True}, "within_days"),
        ({"limit": 2**31}, "limit"),
        ({"as_of": date.max, "within_days": 1}, "within_days"),
        ({"after": "x"}, "after"),
        ({"after": (day, "r")}, "after"),
        ({"after": (datetime(2026, 2, 2, tzinfo=UTC), "r", "k")}, "after"),
        ({"after": ("2026-02-02", "r", "k")}, "after"),
        ({"after": (day, 5, "k")}, "after"),
        ({"after": (day, "r", None)}, "after"),
        ({"after": (day, "r" * 1001, "k")}, "after"),
        ({"after": (day, "r", "k\x00")}, "after"),
    ]
    for kwargs, field in wrong:
        with pytest.raises(InvalidRequest) as caught:
            engine.overdue(**kwargs)
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("INPUT", field, RefusalKind.INPUT)
        ]
        assert caught.value.command == "overdue", kwargs
    engine.overdue(after=(day, "r" * 1000, "k"))


def test_tasks_are_listed_oldest_first_until_completed(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine import StorageError

    rid = to_stage(engine, clock, Stage.SCREENED).id
    tasks = engine.pending_tasks()
    assert tasks and {t.review_id for t in tasks} == {rid}
    assert tasks == sorted(tasks, key=lambda t: (t.created_at, t.id))
    assert engine.pending_tasks(limit=1) == tasks[:1] and engine.pending_tasks(limit=0) == []
    engine.complete_task(tasks[0].id)
    assert engine.pending_tasks() == tasks[1:]
    with pytest.raises(StorageError):
        engine.complete_task("no-such-task")
    for bad in ("", 5):
        with pytest.raises(InvalidRequest) as caught:
            engine.complete_task(bad)  # type: ignore[arg-type]
        assert [r.field for r in caught.value.refusals] == ["task_id"]
    with pytest.raises(InvalidRequest) as caught:
        engine.pending_tasks(limit=-1)
    assert [r.field for r in caught.value.refusals] == ["limit"]
    assert caught.value.command == "pending_tasks"


def test_a_retry_with_its_key_gets_the_first_result_and_another_command_is_refused(
    engine: ReviewEngine,
) -> None:
    """Idempotency keys on the in-memory store, every outcome pinned: a retried
    submission or command returns what the first one made (even after later commands);
    the key with another command, another input or another actor is refused as input
    naming ``idempotency_key``, and nothing is stored."""
    first = engine.submit(demo_request(), REQUESTER, idempotency_key="req-1")
    assert engine.submit(demo_request(), REQUESTER, idempotency_key="req-1") == first
    # The retry uses up no reference number.
    assert engine.submit(demo_request(), REQUESTER).reference == "SCR-2026-002"
    rid = first.id
    notify = c.RecordChairNotified(first.received_on)
    notified = engine.execute(rid, notify, BUSINESS_MANAGER, 1, idempotency_key="k1")
    assert engine.execute(rid, notify, BUSINESS_MANAGER, 1, idempotency_key="k1") == notified
    assessed = engine.execute(rid, c.AssessCriteria(), BOARD_CHAIR, idempotency_key="k2")
    assert engine.execute(rid, notify, BUSINESS_MANAGER, idempotency_key="k1") == notified
    assert engine.execute(rid, c.AssessCriteria(), BOARD_CHAIR, idempotency_key="k2") == assessed
    refused = [
        (c.RecordChairNotified(first.received_on + timedelta(days=1)), BUSINESS_MANAGER),
        (notify, BOARD_CHAIR),
        (c.AssessCriteria(), BOARD_CHAIR),
        (c.RecordChairNotified("not a day"), BUSINESS_MANAGER),  # type: ignore[arg-type]
    ]
    for command, actor in refused:
        with pytest.raises(InvalidRequest) as caught:
            engine.execute(rid, command, actor, idempotency_key="k1")
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("INPUT", "idempotency_key", RefusalKind.INPUT)
        ]
        assert caught.value.command == "record_chair_notified"
    with pytest.raises(InvalidRequest) as caught:
        engine.submit(
            demo_request(incident_on=date(2026, 1, 6)), REQUESTER, idempotency_key="req-1"
        )
    assert [(r.field, r.kind) for r in caught.value.refusals] == [
        ("idempotency_key", RefusalKind.INPUT)
    ]
    assert caught.value.command == "submit_request"
    assert [e.key for e in engine.history(rid)] == ["req-1", "k1", "k2"]
    assert engine.get(rid) == assessed


def test_a_checkpoint_covers_every_review_s_head_and_verify_checks_it(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.checkpoints import generate_key, load_private_key, signature_ok

    first = to_stage(engine, clock, Stage.SCREENED)
    second = submit(engine)
    key = load_private_key(generate_key())
    checkpoint = engine.checkpoint(key)
    assert checkpoint.created_at == clock.now()
    assert list(checkpoint.entries) == sorted((r.id, r.version, r.head) for r in (first, second))
    assert signature_ok(checkpoint, key.public_key())
    assert engine.store.latest_checkpoint() == checkpoint
    done: list[tuple[int, int]] = []
    report = engine.verify(public_key=key.public_key(), progress=lambda *a: done.append(a))
    assert report.ok and report.checkpoint == checkpoint and report.notes == ()
    assert (report.reviews, report.events) == (2, first.version + second.version)
    assert done == [(1, 2), (2, 2)]
    assert engine.verify(checkpoint, exact=True).ok
    engine.execute(second.id, c.RecordChairNotified(second.received_on), BUSINESS_MANAGER)
    assert not engine.verify(checkpoint, exact=True).ok
    assert engine.verify(checkpoint).uncovered == ((second.id, 1),)
    assert engine.verify(checkpoint).ok  # events after a checkpoint are not faults by default
    later = engine.checkpoint(key)
    assert engine.verify().checkpoint == later and engine.verify().uncovered == ()
    assert engine.verify(checkpoint).checkpoint == checkpoint
    for kwargs, field in [({"checkpoint": "x"}, "checkpoint"), ({"progress": 5}, "progress")]:
        with pytest.raises(InvalidRequest) as caught:
            engine.verify(**kwargs)  # type: ignore[arg-type]
        assert [(r.field, r.kind) for r in caught.value.refusals] == [(field, RefusalKind.INPUT)]
        assert caught.value.command == "verify"


def test_explain_and_options_name_themselves_when_refusing_their_arguments(
    engine: ReviewEngine,
) -> None:
    from scr_engine.commands import SubmitRequest

    rid = submit(engine).id
    notify = c.RecordChairNotified(date(2026, 2, 2))
    calls = [
        (lambda: engine.explain(rid, notify, "u-bm"), "record_chair_notified", "actor"),
        (
            lambda: engine.explain("", notify, BUSINESS_MANAGER),
            "record_chair_notified",
            "review_id",
        ),
        (lambda: engine.options(rid, "u-bm"), "options", "actor"),
        (lambda: engine.options("", BUSINESS_MANAGER), "options", "review_id"),
    ]
    for call, command, field in calls:
        with pytest.raises(InvalidRequest) as caught:
            call()  # type: ignore[no-untyped-call]
        assert caught.value.command == command
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("INPUT", field, RefusalKind.INPUT)
        ]
    found = engine.explain(rid, SubmitRequest(demo_request()), REQUESTER)
    assert [(r.rule, r.field, r.kind) for r in found] == [("MAP", None, RefusalKind.STAGE)]


def test_every_read_and_service_names_itself_refusing_a_bad_id(engine: ReviewEngine) -> None:
    """A malformed id is input, refused by the method that got it, naming the field."""
    why = {"reasons": "Retention ended.", "legal_basis": "UK GDPR Art. 17"}
    calls = {
        "get": lambda bad: engine.get(bad),
        "history": lambda bad: engine.history(bad),
        "deadlines": lambda bad: engine.deadlines(bad),
        "public_export": lambda bad: engine.public_export(bad),
        "erase_personal_data": lambda bad: engine.erase(bad, BOARD_CHAIR, **why),
        "complete_task": lambda bad: engine.complete_task(bad),
    }
    for name, call in calls.items():
        for bad in ("", 5, "x" * 1001, "a\x00b"):
            with pytest.raises(InvalidRequest) as caught:
                call(bad)
            field = "task_id" if name == "complete_task" else "review_id"
            assert caught.value.command == name
            assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
                ("INPUT", field, RefusalKind.INPUT)
            ], (name, bad)
    from scr_engine import ReviewNotFound

    with pytest.raises(ReviewNotFound):  # the longest id is well formed, and not stored
        engine.get("x" * 1000)
    rid = submit(engine).id
    with pytest.raises(InvalidRequest) as caught:
        engine.deadlines(rid, as_of="2026-02-02")  # type: ignore[arg-type]
    assert caught.value.command == "deadlines"
    assert [(r.rule, r.field) for r in caught.value.refusals] == [("INPUT", "as_of")]


def test_execute_refuses_a_bad_version_or_key_naming_the_command(engine: ReviewEngine) -> None:
    from scr_engine import ConcurrencyConflict

    rid = submit(engine).id
    notify = c.RecordChairNotified(date(2026, 2, 2))
    for kwargs, field in [
        ({"expected_version": -1}, "expected_version"),
        ({"expected_version": "1"}, "expected_version"),
        ({"expected_version": 2**63}, "expected_version"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": 5}, "idempotency_key"),
    ]:
        with pytest.raises(InvalidRequest) as caught:
            engine.execute(rid, notify, BUSINESS_MANAGER, **kwargs)  # type: ignore[arg-type]
        assert caught.value.command == "record_chair_notified"
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("INPUT", field, RefusalKind.INPUT)
        ]
    with pytest.raises(InvalidRequest) as caught:
        engine.execute("", notify, BUSINESS_MANAGER)
    assert caught.value.command == "record_chair_notified"
    with pytest.raises(ConcurrencyConflict) as conflict:
        engine.execute(rid, notify, BUSINESS_MANAGER, expected_version=2**63 - 1)
    assert (conflict.value.review_id, conflict.value.expected, conflict.value.actual) == (
        rid,
        2**63 - 1,
        1,
    )
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(rid, "not a command", BUSINESS_MANAGER)  # type: ignore[arg-type]
    assert caught.value.command == "command"
    options = {o.command: o for o in engine.options(rid, BUSINESS_MANAGER)}
    assert options["record_chair_notified"].takes_input is True
    assert options["assess_criteria"].takes_input is False


@pytest.mark.parametrize(
    ("actor", "fields"),
    [
        ("u-bm", ["actor"]),
        (None, ["actor"]),
        (Actor(5, "Five", {Role.BUSINESS_MANAGER}), ["actor.id"]),  # type: ignore[arg-type]
        (Actor("  ", "Blank", {Role.BUSINESS_MANAGER}), ["actor.id"]),
        (Actor("u\x00x", "Nul", {Role.BUSINESS_MANAGER}), ["actor.id"]),
        (Actor("u-x", "Text roles", {"business_manager"}), ["actor.roles"]),  # type: ignore[arg-type]
        (Actor("u-x", "Agency", {Role.BUSINESS_MANAGER}, 5), ["actor.agency"]),  # type: ignore[arg-type]
        (Actor("u-x", "Agency", {Role.BUSINESS_MANAGER}, "g\x00p"), ["actor.agency"]),
        (
            Actor("u\x00x", "All", {"x"}, 5),  # type: ignore[arg-type]
            ["actor.id", "actor.roles", "actor.agency"],
        ),
        (Actor("u-x", "", {Role.BUSINESS_MANAGER}), ["actor.name"]),
        (Actor("u-x", None, {Role.BUSINESS_MANAGER}), ["actor.name"]),  # type: ignore[arg-type]
        (Actor("u-x", "N\x00l", {Role.BUSINESS_MANAGER}), ["actor.name"]),
        (Actor("u" * 257, "Long id", {Role.BUSINESS_MANAGER}), ["actor.id"]),
        (Actor("u-x", "n" * 257, {Role.BUSINESS_MANAGER}), ["actor.name"]),
        (Actor("u" * 10**7, "n" * 10**7, {Role.BUSINESS_MANAGER}), ["actor.id", "actor.name"]),
    ],
)
def test_a_malformed_actor_is_refused_naming_each_part(
    engine: ReviewEngine, actor: Any, fields: list[str]
) -> None:
    rid = submit(engine).id
    notify = c.RecordChairNotified(date(2026, 2, 2))
    for command, call in [
        ("record_chair_notified", lambda: engine.execute(rid, notify, actor)),
        ("submit_request", lambda: engine.submit(demo_request(), actor)),
    ]:
        with pytest.raises(InvalidRequest) as caught:
            call()
        assert caught.value.command == command
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("INPUT", f, RefusalKind.INPUT) for f in fields
        ]
    assert len(engine.history(rid)) == 1


def test_a_permission_refusal_names_the_command(engine: ReviewEngine) -> None:
    rid = submit(engine).id
    with pytest.raises(PermissionDenied) as caught:
        engine.execute(rid, c.RecordChairNotified(date(2026, 2, 2)), REQUESTER)
    assert caught.value.command == "record_chair_notified"
    assert [r.kind for r in caught.value.refusals] == [RefusalKind.PERMISSION]


def test_submit_refuses_each_way_naming_itself(clock: FixedClock) -> None:
    from scr_engine import MemoryStore, ProtocolSettings
    from scr_engine.commands import SubmitRequest

    engine = ReviewEngine(
        MemoryStore(), clock, settings=ProtocolSettings("s", max_text_length=1000)
    )
    with pytest.raises(PermissionDenied) as denied:
        engine.submit(demo_request(), PANEL_CHAIR)
    assert denied.value.command == "submit_request"
    assert [(r.rule, r.kind) for r in denied.value.refusals] == [("RF-1", RefusalKind.PERMISSION)]
    long = attrs.evolve(demo_request(), other_information="y" * 1001)
    for call, field in [
        (lambda: engine.submit(demo_request(), REQUESTER, idempotency_key=""), "idempotency_key"),
        (lambda: engine.submit(long, REQUESTER), "request.other_information"),
    ]:
        with pytest.raises(InvalidRequest) as caught:
            call()
        assert caught.value.command == "submit_request"
        assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
            ("INPUT", field, RefusalKind.INPUT)
        ]
    rid = engine.submit(demo_request(), REQUESTER).id
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(rid, SubmitRequest(demo_request()), REQUESTER)
    assert type(caught.value) is TransitionRefused and caught.value.command == "submit_request"
    assert [(r.rule, r.kind) for r in caught.value.refusals] == [("MAP", RefusalKind.STAGE)]
    assert len(engine.history(rid)) == 1


def test_listings_give_a_hundred_rows_by_default(engine: ReviewEngine) -> None:
    """``overdue``, ``pending_tasks`` and ``access_log`` page 100 rows at a time unless
    told otherwise; ``overdue`` looks ahead no days by default."""
    rids = [submit(engine).id for _ in range(51)]
    for rid in rids:
        screen(engine, rid)
    day = today(engine)
    assert len(engine.overdue(day, 400, limit=1000)) == 102
    assert len(engine.overdue(day, 400)) == 100
    assert len(engine.pending_tasks(limit=1000)) > 100 and len(engine.pending_tasks()) == 100
    for _ in range(101):
        engine.get(rids[0], BOARD_CHAIR)
    assert len(engine.access_log(limit=1000)) == 101 and len(engine.access_log()) == 100
    due = min(r.due_on for r in engine.overdue(day, 400))
    assert engine.overdue(due) == [] and engine.overdue(due, 0) == []
    assert len(engine.overdue(due, 1)) == 51


def test_a_command_look_alike_is_refused_as_a_command(engine: ReviewEngine) -> None:
    class LookAlike:
        name = "record_chair_notified"

    rid = submit(engine).id
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(rid, LookAlike(), BUSINESS_MANAGER)  # type: ignore[arg-type]
    assert caught.value.command == "command"


def test_a_retry_that_loses_the_race_gets_the_winner_s_result(clock: FixedClock) -> None:
    """Two sends of one command with one key at once: the store saves one and refuses
    the other (ConcurrencyConflict); the loser gets the winner's result, and without a
    key the conflict is raised. Simulated by a store that lets "the other" send win
    just before each save."""
    from scr_engine import ConcurrencyConflict, MemoryStore

    class Racing(MemoryStore):
        race = False

        def save(self, review, event, tasks=(), deadlines=None, *, expected_version, scrub=()):  # type: ignore[no-untyped-def]
            if self.race:
                self.race = False
                super().save(review, event, tasks, deadlines, expected_version=expected_version)
                raise ConcurrencyConflict(review.id, expected_version, review.version)
            super().save(
                review, event, tasks, deadlines, expected_version=expected_version, scrub=scrub
            )

    store = Racing()
    engine = ReviewEngine(store, clock)
    store.race = True
    first = engine.submit(demo_request(), REQUESTER, idempotency_key="req")
    assert store.review_ids() == [first.id] and engine.get(first.id) == first
    store.race = True
    with pytest.raises(ConcurrencyConflict):
        engine.submit(demo_request(), REQUESTER)
    notify = c.RecordChairNotified(first.received_on)
    store.race = True
    won = engine.execute(first.id, notify, BUSINESS_MANAGER, idempotency_key="k")
    assert won == engine.get(first.id) and won.version == 2
    assert [e.key for e in engine.history(first.id)] == ["req", "k"]
    store.race = True
    with pytest.raises(ConcurrencyConflict):
        engine.execute(first.id, c.AssessCriteria(), BOARD_CHAIR)


# --------------------------------------------------------------------------- defences
# Guards re-check what earlier commands or the permission check already ensure; called
# here on reviews the engine never builds, so that a defence that stopped working, or
# started to fail, would be seen.


def test_an_input_refusal_is_malformed_data_naming_its_field() -> None:
    """``Refusal.input`` is the one spelling of an ``INPUT`` refusal: it becomes
    :class:`~scr_engine.InvalidRequest`, never a guard or a permission."""
    assert Refusal.input("no such action", "action_id") == Refusal(
        "INPUT", "no such action", RefusalKind.INPUT, "action_id"
    )
    assert Refusal.input("a command must be a JSON object").field is None
    assert str(Refusal.input("bad", "when")) == "INPUT [when]: bad"
