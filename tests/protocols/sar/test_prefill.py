"""A SAR's command templates start from what the review knows (``scr run REVIEW
COMMAND --template``): the adults to assess, the next finding to decide, the next open
action, the request still awaited, the next agency to hear from."""

from __future__ import annotations

from datetime import date

from scr_engine import MemoryStore
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.prefill import prefill
from scr_engine.protocols.sar.records import Action, Implementation
from scr_engine.serialization import structure
from scr_engine.templates import template
from support import sar as s
from support.sar_engine import EngineRun


def _values(command: str, run: EngineRun) -> dict[str, object]:
    return dict(template(command, run.r).values)


def test_assess_criteria_starts_with_one_assessment_per_adult_sar_c_1_sar_c_8() -> None:
    """SAR-C-1, SAR-C-8: one assessment per adult of the referral, with the day a
    deceased adult died; read back, the template is a command the guard accepts."""
    dead = s.adult("a1")
    living = s.adult("a2", alive=True)
    run = s.requested(EngineRun(MemoryStore()), dead, living)
    values = _values("assess_criteria", run)
    assessments = values["assessments"]
    assert isinstance(assessments, list)
    assert [a["adult"] for a in assessments] == ["a1", "a2"]
    assert dead.died_on is not None
    assert assessments[0].get("died_on") == dead.died_on.isoformat()
    assert assessments[1].get("died_on") is None
    command = structure({**values}, c.AssessCriteria)
    assert run.engine.explain(run.r.id, command, s.SUBGROUP) == []


def test_decide_finding_starts_with_the_next_finding_without_a_decision_sar_a_1() -> None:
    run = s.report_drafted(EngineRun(MemoryStore()))
    assert _values("decide_finding", run)["finding"] == "F1"
    run.do(s.MANAGER, c.AddAction(Action("A1", "asc", date(2027, 12, 1), "o", "m", ("F1",))))
    run.do(s.CHAIR, c.DecideFinding("F1", Implementation.IMPLEMENT))
    assert _values("decide_finding", run)["finding"] == "F2"
    run.do(s.CHAIR, c.DecideFinding("F2", Implementation.NOT_IMPLEMENT, "covered already"))
    assert prefill("decide_finding", run.r) == {}


def test_agencies_and_actions_start_with_the_next_one_sar_p_3_sar_a_2() -> None:
    """SAR-P-3: the next agency to confirm the report's accuracy; SAR-A-2: the next
    open action; none once every one is done."""
    run = s.report_drafted(EngineRun(MemoryStore()))
    codes = [a.code for a in s.AGENCIES]
    assert _values("record_agency_signoff", run)["agency"] == codes[0]
    run.do(s.contributor(codes[0]), c.RecordAgencySignoff(codes[0], True))
    assert _values("record_agency_signoff", run)["agency"] == codes[1]
    run = s.monitored(EngineRun(MemoryStore()))
    assert prefill("record_agency_signoff", run.r) == {}
    assert _values("complete_action", run)["action"] == "A1"
    run.do(s.MANAGER, c.CompleteAction("A1", "handovers audited"))
    assert prefill("record_action_progress", run.r) == {}


def test_a_response_starts_with_the_request_still_awaited_sar_i_5() -> None:
    run = s.requested(EngineRun(MemoryStore()))
    assert prefill("record_information_response", run.r) == {}
    run.do(
        s.CHAIR,
        c.RequestInformation(
            kind=c.InformationKind.VOLUNTARY,
            addressee="Shire GP Practice",
            information="The GP's records of the adult.",
            function="deciding_on_a_sar",
        ),
    )
    for command in ("record_information_response", "withdraw_information_request"):
        assert _values(command, run)["request"] == "IR-1"


def test_an_unknown_command_or_a_record_not_a_sar_gets_nothing() -> None:
    run = s.requested(EngineRun(MemoryStore()))
    assert prefill("no_such_command", run.r) == {}
    assert prefill("assess_criteria", object()) == {}
