"""Information requests under a SAR (``sar/map.md`` §2; SAR-I-1 to SAR-I-6): each
request keeps its own state (``sent``, ``answered``, ``refused``, ``withdrawn``; overdue
derived), responses with grounds, escalation recorded, withdrawal with reasons, and
disclosure only for a function of the SAB; through the engine and its stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from scr_engine import MemoryStore, information_requests
from scr_engine.errors import InvalidRequest, PermissionDenied, TransitionRefused
from scr_engine.history import replay
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.information import (
    EscalateInformationRequest,
    RecordDisclosure,
    RecordInformationResponse,
    ReportOverdueInformationRequest,
    WithdrawInformationRequest,
)
from scr_engine.protocols.sar.information_records import RequestStatus, ResponseKind
from scr_engine.protocols.sar.records import SarReview
from scr_engine.protocols.sar.settings import Duration, SarSettings
from scr_engine.records import Actor
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.states.roles import Role
from scr_engine.storage.port import ReviewStore
from support import sar as s
from support.sar_engine import EngineRun
from support.stores import KINDS, fresh_store


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    """A fresh store of each kind."""
    with fresh_store(request.param, tmp_path) as made:
        yield made


def _voluntary(addressee: str = "gp", **changes: object) -> c.RequestInformation:
    fields: dict[str, object] = {
        "kind": c.InformationKind.VOLUNTARY,
        "addressee": addressee,
        "information": "the GP's records of the adult",
        "function": "deciding_on_a_sar",
    }
    fields.update(changes)
    return c.RequestInformation(**fields)  # type: ignore[arg-type]


def _s45(addressee: str = "housing", **changes: object) -> c.RequestInformation:
    return _voluntary(
        addressee,
        kind=c.InformationKind.S45,
        likely_reason="the adult's landlord",
        relates_to_addressee=True,
        **changes,
    )


def _refused(run: EngineRun, actor: Actor, command: c.SarCommand) -> set[str]:
    """The rule IDs of ``command``'s refusal (every one with its message); nothing is
    stored."""
    before = run.engine.store.load(run.r.id).version
    with pytest.raises((InvalidRequest, PermissionDenied, TransitionRefused)) as refused:
        run.engine.execute(run.r.id, command, actor)
    assert all(r.rule and r.message for r in refused.value.refusals)
    assert run.engine.store.load(run.r.id).version == before
    return {r.rule for r in refused.value.refusals}


def test_each_request_keeps_its_own_state(store: ReviewStore) -> None:
    """SAR-I-1, SAR-I-4: requests made before the decision are recorded one by one
    (``IR-1``, ``IR-2``), each ``sent``; one answered with its items tagged (SAR-I-6),
    one withdrawn with reasons; information is complete once none is awaited (SAR-R-4).
    The history replays to the stored review on every store."""
    run = s.requested(EngineRun(store))
    run.do(s.MANAGER, _voluntary())
    run.do(s.CHAIR, _s45())
    assert [(r.id, r.kind, r.status) for r in run.r.information_requests] == [
        ("IR-1", "voluntary", RequestStatus.SENT),
        ("IR-2", "s45", RequestStatus.SENT),
    ]
    assert run.r.information_outstanding == 2
    run.do(
        s.MANAGER,
        RecordInformationResponse("IR-1", ResponseKind.PARTIAL, ("gp-notes-2026",)),
        days=3,
    )
    answered = run.r.information_request("IR-1")
    assert answered is not None
    assert (answered.status, answered.response, answered.supplied) == (
        RequestStatus.ANSWERED,
        ResponseKind.PARTIAL,
        ("gp-notes-2026",),
    )
    assert run.r.information_complete_on is None
    run.do(s.CHAIR, WithdrawInformationRequest("IR-2", "the landlord's records came via ASC"))
    withdrawn = run.r.information_request("IR-2")
    assert withdrawn is not None and withdrawn.status is RequestStatus.WITHDRAWN
    assert (run.r.information_outstanding, run.r.information_complete_on) == (0, run.today)
    stored = run.engine.store.load(run.r.id)
    assert stored == run.r
    assert replay(run.engine.history(run.r.id), settings=run.engine.settings_for) == run.r
    assert run.engine.verify().ok


def test_a_response_is_supplied_with_items_or_refused_with_grounds() -> None:
    """SAR-I-5: a refusal records its stated grounds; SAR-I-6: what was supplied is
    named item by item. A request answered already takes no second response, and a
    request that does not exist is named."""
    run = s.requested(EngineRun(MemoryStore()))
    run.do(s.MANAGER, _voluntary())
    bare = RecordInformationResponse("IR-1", ResponseKind.REFUSED)
    assert _refused(run, s.MANAGER, bare) == {"SAR-I-5"}
    nothing = RecordInformationResponse("IR-1", ResponseKind.SUPPLIED)
    assert _refused(run, s.MANAGER, nothing) == {"SAR-I-6"}
    unknown = RecordInformationResponse("IR-9", ResponseKind.SUPPLIED, ("x",))
    assert _refused(run, s.MANAGER, unknown) == {"SAR-I-5"}
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.REFUSED, grounds="no consent"))
    request = run.r.information_request("IR-1")
    assert request is not None and request.status is RequestStatus.REFUSED
    assert request.grounds == "no consent"
    again = RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("x",))
    assert _refused(run, s.MANAGER, again) == {"SAR-I-5"}


def test_a_late_or_refused_request_is_escalated_by_the_chair() -> None:
    """SAR-I-5: a refused s.45 request is reported to the board_chair (a task); what
    follows (escalation, legal advice) is recorded by the chair, not automated; a
    withdrawn request is not escalated."""
    run = s.requested(EngineRun(MemoryStore()))
    run.do(s.CHAIR, _s45())
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.REFUSED, grounds="none"))
    escalate = EscalateInformationRequest("IR-1", "wrote to the landlord's chief executive")
    assert _refused(run, s.MANAGER, escalate) == {"MAP"}
    assert _refused(run, s.CHAIR, EscalateInformationRequest("IR-1", " ")) == {"SAR-I-5"}
    run.do(s.CHAIR, escalate)
    request = run.r.information_request("IR-1")
    assert request is not None and [e.by for e in request.escalations] == [s.CHAIR.id]
    told = [t.task for t in run.engine.tasks(run.r.id) if t.task.rule == "SAR-I-5"]
    assert [t.agency for t in told] == ["board_chair"]
    # The chair's task says which request, and nothing of the review's free text.
    assert [t.detail for t in told] == ["s.45 request IR-1 refused: escalation is the chair's"]
    run.do(s.MANAGER, _voluntary())
    run.do(s.MANAGER, WithdrawInformationRequest("IR-2", "no longer needed"))
    assert _refused(run, s.CHAIR, EscalateInformationRequest("IR-2", "chase")) == {"SAR-I-5"}


def test_only_the_boards_s45_roles_withdraw_a_request() -> None:
    """SAR-I-3: requests are the Board's power; withdrawing one is its ``s45_roles``'
    (a subgroup chair may not), with reasons."""
    run = s.requested(EngineRun(MemoryStore()))
    run.do(s.MANAGER, _voluntary())
    assert _refused(run, s.SUBGROUP, WithdrawInformationRequest("IR-1", "x")) == {"SAR-I-3"}
    assert _refused(run, s.MANAGER, WithdrawInformationRequest("IR-1", "")) == {"SAR-I-5"}


def test_supplied_information_is_disclosed_only_for_a_function_of_the_sab() -> None:
    """SAR-I-6: every use or disclosure of supplied information records its purpose; a
    purpose that is not an SAB function is refused, as are items the request did not
    supply and a request not answered."""
    run = s.requested(EngineRun(MemoryStore()))
    run.do(s.MANAGER, _voluntary())
    early = RecordDisclosure("IR-1", "carrying_out_a_sar", "u-lead", ("gp-notes",))
    assert _refused(run, s.MANAGER, early) == {"SAR-I-6"}
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("gp-notes",)))
    press = RecordDisclosure("IR-1", "press_briefing", "a newspaper", ("gp-notes",))
    assert _refused(run, s.MANAGER, press) == {"SAR-I-6"}
    other = RecordDisclosure("IR-1", "carrying_out_a_sar", "u-lead", ("police-file",))
    assert _refused(run, s.MANAGER, other) == {"SAR-I-6"}
    run.do(s.MANAGER, early)
    request = run.r.information_request("IR-1")
    assert request is not None
    assert [(d.purpose, d.to, d.items) for d in request.disclosures] == [
        ("carrying_out_a_sar", "u-lead", ("gp-notes",))
    ]


def test_the_s45_response_clock_and_overdue_requests() -> None:
    """SAR-I-5: the Act sets no time limit; with ``s45_response_target`` set, a s.45
    request is due that long after it was sent (or on its own due date), is overdue
    while unanswered after it (derived, not a state), and met by the response. A
    scoping request's return runs on ``scoping_return_target`` (SAR-R-4)."""
    settings = SarSettings(
        version="with-s45", s45_response_target=Duration(10), scoping_return_target=Duration(5)
    )
    run = s.requested(EngineRun(MemoryStore(), protocol_settings=(settings,)))
    run.do(s.CHAIR, _s45())
    run.do(s.MANAGER, _voluntary(scoping=True))
    run.do(s.MANAGER, _voluntary("dentist"))
    sent = run.today
    found = {d.key: d for d in run.engine.deadlines(run.r.id)}
    assert found["s45:IR-1"].due_on == sent + timedelta(days=10)
    assert found["s45:IR-1"].rule == "SAR-I-5"
    assert found["scoping:IR-2"].due_on == sent + timedelta(days=5)
    assert not any(k.endswith("IR-3") for k in found)
    later = sent + timedelta(days=12)
    assert run.engine.deadlines(run.r.id, as_of=later)[1].status is DeadlineStatus.OVERDUE
    request = run.r.information_request("IR-1")
    assert request is not None and request.overdue(later) and not request.overdue(sent)
    due = sent + timedelta(days=10)
    assert not request.overdue(due) and request.overdue(due + timedelta(days=1))
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("tenancy",)), 2)
    met = {d.key: d for d in run.engine.deadlines(run.r.id)}["s45:IR-1"]
    assert met.status is DeadlineStatus.MET
    dated = _s45("police", due_on=date(2027, 2, 1))
    run.do(s.CHAIR, dated)
    assert {d.key: d for d in run.engine.deadlines(run.r.id)}["s45:IR-4"].due_on == date(2027, 2, 1)


def test_requests_work_at_any_open_stage() -> None:
    """SAR-I-4: requests, responses and disclosures at any open stage, after the
    decision too (for evidence)."""
    run = s.commissioned(EngineRun(MemoryStore()))
    run.do(s.LEAD, _voluntary())
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("notes",)))
    run.do(s.LEAD, RecordDisclosure("IR-1", "carrying_out_a_sar", "panel", ("notes",)))
    assert isinstance(run.r, SarReview) and run.r.stage == "commissioned"


def test_an_overdue_s45_request_is_reported_to_the_chair_once(store: ReviewStore) -> None:
    """SAR-I-5: an s.45 request still awaited after its due date is reported to the
    board_chair: ``information_requests.report_overdue`` records it on the review with
    a task for the chair, once per request; not before it is overdue, never for a
    voluntary or answered request, and only by the business manager. Replays and
    verifies on every store."""
    settings = SarSettings(version="with-s45", s45_response_target=Duration(10))
    run = s.requested(EngineRun(store, protocol_settings=(settings,)))
    sent = run.today
    run.do(s.CHAIR, _s45())
    run.do(s.CHAIR, _s45("police"))
    run.do(s.MANAGER, _voluntary("dentist", due_on=sent + timedelta(days=3)))
    run.do(s.MANAGER, RecordInformationResponse("IR-2", ResponseKind.SUPPLIED, ("log",)))
    report = ReportOverdueInformationRequest("IR-1")
    assert _refused(run, s.MANAGER, report) == {"SAR-I-5"}
    assert information_requests.report_overdue(run.engine, s.MANAGER) == []
    run.today = sent + timedelta(days=11)
    assert information_requests.overdue_s45(run.engine) == [(run.r.id, "IR-1")]
    with pytest.raises(PermissionDenied) as chair:
        run.engine.execute(run.r.id, report, s.CHAIR)
    assert [r.rule for r in chair.value.refusals] == ["SAR-I-5"]
    assert _refused(run, s.MANAGER, ReportOverdueInformationRequest("IR-3")) == {"SAR-I-5"}
    assert _refused(run, s.MANAGER, ReportOverdueInformationRequest("IR-2")) == {"SAR-I-5"}
    (done,) = information_requests.report_overdue(run.engine, s.MANAGER)
    reported = done.review
    assert done.request == "IR-1"
    request = reported.information_request("IR-1")
    assert request is not None and request.reported_overdue_on == run.today
    told = [t.task for t in run.engine.tasks(run.r.id) if t.task.rule == "SAR-I-5"]
    assert [t.agency for t in told] == ["board_chair"]
    due = (sent + timedelta(days=10)).isoformat()
    assert [t.detail for t in told] == [
        f"s.45 request IR-1 overdue since {due}: escalation is the chair's"
    ]
    assert told == [t for t in run.engine.pending_tasks() if t.rule == "SAR-I-5"]
    assert information_requests.report_overdue(run.engine, s.MANAGER) == []
    assert information_requests.overdue_s45(run.engine) == []
    assert _refused(run, s.MANAGER, report) == {"SAR-I-5"}
    stored = run.engine.store.load(run.r.id)
    assert stored == reported
    assert replay(run.engine.history(stored.id), settings=run.engine.settings_for) == stored
    assert run.engine.verify().ok


def _why(run: EngineRun, actor: Actor, command: c.SarCommand) -> set[tuple[str, str, str]]:
    """Every refusal of ``command`` as (rule, kind, field); nothing is stored."""
    before = run.engine.store.load(run.r.id).version
    with pytest.raises((InvalidRequest, PermissionDenied, TransitionRefused)) as refused:
        run.engine.execute(run.r.id, command, actor)
    assert run.engine.store.load(run.r.id).version == before
    return {(r.rule, str(r.kind), str(r.field)) for r in refused.value.refusals}


def test_every_refusal_names_its_rule_kind_and_field() -> None:
    """SAR-I-3, SAR-I-5, SAR-I-6: each refusal of the request machine names the rule,
    whether it is the input, the request's state or the role, and the field to fix, so
    that a screen can show it beside that field."""
    settings = SarSettings(version="with-s45", s45_response_target=Duration(10))
    run = s.requested(EngineRun(MemoryStore(), protocol_settings=(settings,)))
    run.do(s.MANAGER, _voluntary())
    run.do(s.CHAIR, _s45())
    unknown = RecordInformationResponse("IR-9", ResponseKind.SUPPLIED, ("x",))
    assert _why(run, s.MANAGER, unknown) == {("SAR-I-5", "input", "request")}
    refused = RecordInformationResponse("IR-1", ResponseKind.REFUSED, ("x",), " ")
    assert _why(run, s.MANAGER, refused) == {
        ("SAR-I-5", "input", "grounds"),
        ("SAR-I-5", "input", "items"),
    }
    blank = RecordInformationResponse("IR-1", ResponseKind.PARTIAL, ("notes", " "))
    assert _why(run, s.MANAGER, blank) == {("SAR-I-6", "input", "items")}
    early = RecordDisclosure("IR-1", "fundraising", " ", ())
    assert _why(run, s.MANAGER, early) == {
        ("SAR-I-6", "guard", "request"),
        ("SAR-I-6", "guard", "purpose"),
        ("SAR-I-6", "input", "to"),
        ("SAR-I-6", "input", "items"),
    }
    assert _why(run, s.CHAIR, EscalateInformationRequest("IR-1", "")) == {
        ("SAR-I-5", "input", "action")
    }
    assert _why(run, s.CHAIR, WithdrawInformationRequest("IR-2", " ")) == {
        ("SAR-I-5", "input", "reasons")
    }
    assert _why(run, s.MANAGER, ReportOverdueInformationRequest("IR-1")) == {
        ("SAR-I-5", "guard", "request")
    }
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("notes",)))
    again = RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("notes",))
    assert _why(run, s.MANAGER, again) == {("SAR-I-5", "guard", "request")}
    assert _why(run, s.CHAIR, EscalateInformationRequest("IR-1", "chase")) == {
        ("SAR-I-5", "guard", "request")
    }
    assert _why(run, s.CHAIR, WithdrawInformationRequest("IR-1", "done")) == {
        ("SAR-I-5", "guard", "request")
    }
    other = RecordDisclosure("IR-1", "annual_report", "public", ("police-file",))
    assert _why(run, s.MANAGER, other) == {("SAR-I-6", "input", "items")}
    run.today += timedelta(days=11)
    assert _why(run, s.MANAGER, ReportOverdueInformationRequest("IR-1")) == {
        ("SAR-I-5", "guard", "request")
    }
    strict = SarSettings(version="chair-only", s45_roles=(Role.BOARD_CHAIR,))
    own = s.requested(EngineRun(MemoryStore(), protocol_settings=(strict,)))
    own.do(s.CHAIR, _s45())
    assert _why(own, s.MANAGER, WithdrawInformationRequest("IR-1", "no longer needed")) == {
        ("SAR-I-3", "permission", "role")
    }


def test_what_happened_earlier_is_dated_as_it_happened() -> None:
    """SAR-I-5, SAR-I-6: a response, an escalation, a withdrawal, a disclosure and a
    report to the chair recorded after the fact carry the day they happened
    (``occurred_on``), and information is complete from the day the last awaited
    request was settled (SAR-R-4)."""
    settings = SarSettings(version="with-s45", s45_response_target=Duration(10))
    run = s.requested(EngineRun(MemoryStore(), protocol_settings=(settings,)))
    sent = run.today
    run.do(s.CHAIR, _s45())
    run.do(s.MANAGER, _voluntary())
    run.do(s.CHAIR, _s45("police"))
    run.today = sent + timedelta(days=30)
    day = [sent + timedelta(days=n) for n in (12, 13, 14, 15, 16, 17)]
    run.do(s.MANAGER, ReportOverdueInformationRequest("IR-1", occurred_on=day[0]))
    run.do(s.CHAIR, EscalateInformationRequest("IR-1", "wrote again", occurred_on=day[1]))
    run.do(
        s.MANAGER,
        RecordInformationResponse(
            "IR-1", ResponseKind.REFUSED, grounds="no consent", occurred_on=day[2]
        ),
    )
    run.do(
        s.MANAGER,
        RecordInformationResponse("IR-2", ResponseKind.SUPPLIED, ("n",), occurred_on=day[3]),
    )
    run.do(s.MANAGER, RecordDisclosure("IR-2", "carrying_out_a_sar", "sab", ("n",), day[4]))
    run.do(s.CHAIR, WithdrawInformationRequest("IR-3", "came via ASC", occurred_on=day[5]))
    first, second, third = run.r.information_requests
    assert first.reported_overdue_on == day[0]
    assert [(e.on, e.by, e.action) for e in first.escalations] == [
        (day[1], s.CHAIR.id, "wrote again")
    ]
    assert first.responded_on == day[2]
    assert second.responded_on == day[3]
    assert [d.on for d in second.disclosures] == [day[4]]
    assert (third.withdrawn_on, third.withdrawn_reasons) == (day[5], "came via ASC")
    assert _why(run, s.MANAGER, ReportOverdueInformationRequest("IR-1")) == {
        ("SAR-I-5", "guard", "request")
    }
    assert run.r.information_complete_on == day[5]
    refused = [t.task for t in run.engine.tasks(run.r.id) if t.task.rule == "SAR-I-5"]
    assert [t.agency for t in refused] == ["board_chair", "board_chair"]


def test_information_is_complete_on_the_day_the_last_answer_came() -> None:
    """SAR-R-4, SAR-I-5: when the last awaited request is answered, the review records
    that day (the response's own, when recorded later) as the day its information
    became complete; an s.45 request reported overdue and then answered is settled
    too."""
    settings = SarSettings(version="with-s45", s45_response_target=Duration(10))
    run = s.requested(EngineRun(MemoryStore(), protocol_settings=(settings,)))
    sent = run.today
    run.do(s.CHAIR, _s45())
    run.today = sent + timedelta(days=20)
    run.do(s.MANAGER, ReportOverdueInformationRequest("IR-1"))
    assert _why(run, s.MANAGER, ReportOverdueInformationRequest("IR-1")) == {
        ("SAR-I-5", "guard", "request")
    }
    answered = sent + timedelta(days=15)
    run.do(
        s.MANAGER,
        RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("lease",), occurred_on=answered),
    )
    assert (run.r.information_outstanding, run.r.information_complete_on) == (0, answered)


def test_nothing_of_a_request_happened_before_it_was_sent() -> None:
    """SAR-I-5, SAR-I-6: a response, an escalation, a withdrawal or a report to the
    chair recorded after the fact cannot be dated before the request was sent, nor a
    disclosure before the response that supplied the items; each is refused naming
    ``occurred_on`` and nothing is stored."""
    settings = SarSettings(version="with-s45", s45_response_target=Duration(10))
    run = s.requested(EngineRun(MemoryStore(), protocol_settings=(settings,)))
    run.today += timedelta(days=5)
    sent = run.today
    run.do(s.CHAIR, _s45(occurred_on=sent))
    run.do(s.MANAGER, _voluntary())
    run.today = sent + timedelta(days=30)
    early = sent - timedelta(days=1)
    late = ("SAR-I-5", "input", "occurred_on")
    for actor, command in (
        (s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("n",), "", early)),
        (s.CHAIR, EscalateInformationRequest("IR-1", "wrote again", occurred_on=early)),
        (s.CHAIR, WithdrawInformationRequest("IR-1", "not needed", occurred_on=early)),
        (s.MANAGER, ReportOverdueInformationRequest("IR-1", occurred_on=early)),
    ):
        assert late in _why(run, actor, command), command
    answered = sent + timedelta(days=3)
    run.do(
        s.MANAGER, RecordInformationResponse("IR-2", ResponseKind.SUPPLIED, ("n",), "", answered)
    )
    disclosed = RecordDisclosure(
        "IR-2", "carrying_out_a_sar", "sab", ("n",), answered - timedelta(1)
    )
    assert _why(run, s.MANAGER, disclosed) == {("SAR-I-6", "input", "occurred_on")}
    run.do(s.MANAGER, RecordDisclosure("IR-2", "carrying_out_a_sar", "sab", ("n",), answered))
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("f",), "", sent))
    assert [r.responded_on for r in run.r.information_requests] == [sent, answered]
