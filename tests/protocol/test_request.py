"""The Appendix 1 request form (RF-1, RF-2): who submits, what the form must hold, every
missing or invalid field named at once (``scr_engine.rules.request``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs
import pytest

from scr_engine import (
    Actor,
    Agency,
    Incident,
    InvalidRequest,
    PermissionDenied,
    RefusalKind,
    RequesterCategory,
    RequestForm,
    ReviewEngine,
    Role,
    ScrEngineError,
    Stage,
    TransitionRefused,
)
from scr_engine.demo import (
    BUSINESS_MANAGER,
    REQUESTER,
)
from scr_engine.rules.reasons import Refusal
from scr_engine.rules.request import validate_request
from support.builders import START, demo_request, submit


def _with_category(category: RequesterCategory) -> RequestForm:
    form = demo_request()
    return attrs.evolve(form, requester=attrs.evolve(form.requester, category=category))


# --------------------------------------------------------------------------- RF-1


@pytest.mark.rule("RF-1")
@pytest.mark.parametrize("category", list(RequesterCategory))
def test_rf1_each_requester_category_is_recorded(
    engine: ReviewEngine, category: RequesterCategory
) -> None:
    """RF-1: a request from a partner agency, the coroner, an MP, an Elected Member or
    another interested party is received, and the requester's category is recorded
    (on the review and in its first event)."""
    review = submit(engine, _with_category(category))
    assert review.stage is Stage.REQUESTED
    assert engine.get(review.id).request.requester.category is category
    first = engine.history(review.id)[0]
    assert first.command == "submit_request"
    assert first.payload["request"]["requester"]["category"] == category.value


@pytest.mark.rule("RF-1")
def test_rf1_requester_category_must_be_one_of_the_five(engine: ReviewEngine) -> None:
    """RF-1: a category outside the five is refused, naming the field."""
    form = demo_request()
    requester = attrs.evolve(form.requester, category="journalist")  # type: ignore[arg-type]
    bad = attrs.evolve(form, requester=requester)
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("RF-1", "requester.category")]


@pytest.mark.rule("RF-1")
def test_rf1_only_requesters_and_the_business_manager_submit(engine: ReviewEngine) -> None:
    """RF-1: the business manager may log a request on someone's behalf; an actor who
    holds neither role is refused, citing RF-1, and nothing is stored."""
    on_behalf = engine.submit(demo_request(), BUSINESS_MANAGER)
    assert engine.history(on_behalf.id)[0].role is Role.BUSINESS_MANAGER
    assert on_behalf.requested_by == BUSINESS_MANAGER.id

    outsider = Actor("u-x", "Someone", {Role.PANEL_MEMBER}, "gp")
    with pytest.raises(PermissionDenied) as refused:
        engine.submit(demo_request(), outsider)
    assert refused.value.rules == ("RF-1",)
    assert [r.id for r in engine.store.list_by_stage(Stage.REQUESTED)] == [on_behalf.id]


# --------------------------------------------------------------------------- RF-2


@pytest.mark.rule("RF-2")
def test_rf2_complete_form_is_stored_whole(engine: ReviewEngine) -> None:
    """RF-2: every Appendix 1 field is kept as given."""
    form = attrs.evolve(demo_request(), other_information="The family live abroad.")
    review = submit(engine, form)
    assert engine.get(review.id).request == form
    assert review.reference.startswith("SCR-2026-")


@pytest.mark.rule("RF-2")
def test_rf2_missing_fields_are_all_named(engine: ReviewEngine) -> None:
    """RF-2: a form missing required fields is rejected with a message naming every
    missing field, and no review is created."""
    form = demo_request()
    bad = attrs.evolve(
        form,
        requester=attrs.evolve(form.requester, job_title="", email=" "),
        other_contact=attrs.evolve(form.other_contact, contact_number=""),
        incidents=(),
        how_meets_criteria="",
        agencies=(),
        signed_name="",
    )
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert {r.field for r in refused.value.refusals} == {
        "requester.job_title",
        "requester.email",
        "other_contact.contact_number",
        "incidents",
        "how_meets_criteria",
        "agencies",
        "signed_name",
    }
    assert set(refused.value.rules) == {"RF-2"}
    for refusal in refused.value.refusals:
        assert refusal.field is not None and refusal.field.split(".")[0] in str(refused.value)
    assert engine.store.list_by_stage(Stage.REQUESTED) == []


@pytest.mark.rule("RF-2")
def test_rf2_incident_needs_date_and_details(engine: ReviewEngine) -> None:
    """RF-2: each incident needs its date and details; dates cannot be in the future."""
    form = demo_request()
    incident = form.incidents[0]
    bad = attrs.evolve(
        form,
        incidents=(
            attrs.evolve(incident, details=""),
            attrs.evolve(incident, date=date(2030, 1, 1)),
        ),
        signed_date=date(2030, 1, 1),
    )
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert {r.field for r in refused.value.refusals} == {
        "incidents[0].details",
        "incidents[1].date",
        "signed_date",
    }


@pytest.mark.rule("RF-2")
def test_rf2_other_information_is_optional(engine: ReviewEngine) -> None:
    """RF-2: "any other information" may be left blank."""
    review = submit(engine, attrs.evolve(demo_request(), other_information=""))
    assert review.stage is Stage.REQUESTED


# --------------------------------------------------------------------------- request form


@pytest.mark.rule("RF-2")
def test_rf2_request_missing_several_fields_names_each(engine: ReviewEngine) -> None:
    """RF-2: every missing field of the Appendix 1 form is named at once; no review,
    no reference and no event are created."""
    form = demo_request()
    bad = attrs.evolve(
        form,
        requester=attrs.evolve(form.requester, name="", workplace="", address=" "),
        other_contact=attrs.evolve(form.other_contact, name="", email=""),
        incidents=(Incident(date(2026, 1, 5), ""),),
        signed_name="",
        signed_date=None,  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert {r.field for r in refused.value.refusals} == {
        "requester.name",
        "requester.workplace",
        "requester.address",
        "other_contact.name",
        "other_contact.email",
        "incidents[0].details",
        "signed_name",
        "signed_date",
    }
    assert engine.store.list_by_stage(Stage.REQUESTED) == []
    assert submit(engine).reference == "SCR-2026-001"  # no number was used up


@pytest.mark.rule("RF-2")
def test_rf2_request_with_wrong_types_names_each(engine: ReviewEngine) -> None:
    """RF-2: an int where text is expected, a string where a date is, lists of the
    wrong things: each is named, with InvalidRequest, never a TypeError."""
    form = demo_request()
    wrong: Any = attrs.evolve  # deliberately mistyped input
    bad = wrong(
        form,
        requester=wrong(form.requester, name=5, contact_number=1432000000),
        incidents=(Incident("2026-01-05", "Found at home."), "an incident"),  # type: ignore[arg-type]
        agencies=(Agency(7, "Police"), "asc"),  # type: ignore[arg-type]
        signed_date="2026-01-05",
        other_information=None,
    )
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert {r.field for r in refused.value.refusals} == {
        "requester.name",
        "requester.contact_number",
        "incidents[0].date",
        "incidents[1]",
        "agencies[0].code",
        "agencies[1]",
        "signed_date",
        "other_information",
    }
    assert engine.store.list_by_stage(Stage.REQUESTED) == []


@pytest.mark.rule("RF-2")
@pytest.mark.parametrize("form", [None, {"requester": "me"}, "a request"], ids=repr)
def test_rf2_not_a_request_form_at_all(engine: ReviewEngine, form: Any) -> None:
    """RF-2: something other than a request form is refused as such."""
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(form, REQUESTER)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("RF-2", "request")]


@pytest.mark.rule("RF-2")
def test_rf2_same_agency_listed_twice(engine: ReviewEngine) -> None:
    """RF-2: an agency may not appear twice among those involved."""
    bad = demo_request(agencies=(Agency("gp", "GP"), Agency("gp", "GP again")))
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(bad, REQUESTER)
    assert [r.field for r in refused.value.refusals] == ["agencies[1].code"]


@pytest.mark.rule("RF-1")
def test_rf1_submit_names_permission_and_form_problems_together(engine: ReviewEngine) -> None:
    """RF-1/RF-2: permission comes first: an actor without the role gets
    PermissionDenied citing RF-1 alone, whether the form is bad or good, and learns
    nothing about the form; the form's problems are named to those who may submit.
    Nothing is stored either way."""
    outsider = Actor("u-x", "Someone", set())
    bad = attrs.evolve(demo_request(), signed_name="")
    with pytest.raises(PermissionDenied) as refused:
        engine.submit(bad, outsider)
    assert {(r.rule, r.kind) for r in refused.value.refusals} == {("RF-1", RefusalKind.PERMISSION)}
    with pytest.raises(InvalidRequest) as invalid:
        engine.submit(bad, REQUESTER)
    assert invalid.value.rules == ("RF-2",)
    with pytest.raises(PermissionDenied) as denied:
        engine.submit(demo_request(), outsider)
    assert denied.value.rules == ("RF-1",)
    assert engine.store.list_by_stage(Stage.REQUESTED) == []


# --------------------------------------------------------------------------- the form (RF-2)


@pytest.mark.rule("RF-2")
@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"requester": None}, {"requester"}),
        ({"other_contact": None}, {"other_contact"}),
        ({"facts": None}, {"facts"}),
        ({"how_meets_criteria": " "}, {"how_meets_criteria"}),
        ({"signed_name": ""}, {"signed_name"}),
        ({"signed_date": None}, {"signed_date"}),
        ({"other_information": None}, {"other_information"}),
        ({"incidents": ()}, {"incidents"}),
        ({"agencies": ()}, {"agencies"}),
    ],
)
def test_rf2_a_form_missing_a_part_names_it(change: dict[str, object], fields: set[str]) -> None:
    form = attrs.evolve(demo_request(), **change)
    problems = validate_request(form, date(2026, 2, 2))
    assert {(p.rule, p.field, p.kind) for p in problems} == {
        ("RF-2", f, RefusalKind.INPUT) for f in fields
    }


@pytest.mark.rule("RF-2")
def test_rf2_every_bad_incident_is_named_not_only_the_first() -> None:
    """A bad incident entry followed by more entries: each entry is still checked."""
    form = attrs.evolve(
        demo_request(),
        incidents=("not an incident", Incident(date(2026, 1, 1), " "), "again"),
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field) for p in problems] == [
        ("RF-2", "incidents[0]"),
        ("RF-2", "incidents[1].details"),
        ("RF-2", "incidents[2]"),
    ]


@pytest.mark.rule("RF-2")
def test_rf2_every_bad_agency_is_named_not_only_the_first() -> None:
    from scr_engine import Agency

    form = attrs.evolve(
        demo_request(), agencies=("not an agency", Agency("gp", " "), Agency("gp", "GP again"))
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field) for p in problems] == [
        ("RF-2", "agencies[0]"),
        ("RF-2", "agencies[1].name"),
        ("RF-2", "agencies[2].code"),
    ]


@pytest.mark.rule("RF-2")
def test_rf2_wrong_types_are_named_with_the_type() -> None:
    form = attrs.evolve(
        demo_request(),
        incidents=(Incident("2026-01-01", "Details."),),
        signed_date="yesterday",
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field, p.message) for p in problems] == [
        ("RF-2", "incidents[0].date", "incidents[0].date must be a date, not str"),
        ("RF-2", "signed_date", "signed_date must be a date, not str"),
    ]
    assert validate_request("a form") == [
        Refusal(
            "RF-2",
            "the request must be an Appendix 1 RequestForm",
            RefusalKind.INPUT,
            "request",
        )
    ]


@pytest.mark.rule("RF-2")
def test_rf2_requester_and_contact_texts_are_each_named() -> None:
    form = demo_request()
    form = attrs.evolve(
        form,
        requester=attrs.evolve(form.requester, email=" ", workplace=7),
        other_contact=attrs.evolve(form.other_contact, job_title=""),
    )
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field, p.message) for p in problems] == [
        ("RF-2", "requester.workplace", "requester.workplace must be text"),
        ("RF-2", "requester.email", "missing field requester.email"),
        ("RF-2", "other_contact.job_title", "missing field other_contact.job_title"),
    ]


@pytest.mark.rule("RF-1")
def test_rf1_a_requester_needs_a_category() -> None:
    form = demo_request()
    form = attrs.evolve(form, requester=attrs.evolve(form.requester, category="mp?"))
    problems = validate_request(form, date(2026, 2, 2))
    assert [(p.rule, p.field, p.kind) for p in problems] == [
        ("RF-1", "requester.category", RefusalKind.INPUT)
    ]


@pytest.mark.rule("RF-2")
def test_rf2_the_engine_refuses_a_bad_form_as_invalid_request(engine: ReviewEngine) -> None:
    form = attrs.evolve(demo_request(), how_meets_criteria=" ")
    with pytest.raises(TransitionRefused) as caught:
        engine.submit(form, REQUESTER)
    assert type(caught.value) is InvalidRequest
    assert [(r.rule, r.field) for r in caught.value.refusals] == [("RF-2", "how_meets_criteria")]


# --------------------------------------------------------------------------- nothing burned


@pytest.mark.rule("RF-2")
def test_rf2_a_refused_submit_uses_up_no_reference(any_engine: ReviewEngine) -> None:
    """Hardening 10 (RF-2): a submit refused for any reason — the actor may not
    submit, the actor is malformed, the form misses a field, is not a form, or is over
    the size limit — stores nothing and uses up no reference number, on MemoryStore and
    on SqlStore: the next good request is SCR-2026-001, the one after SCR-2026-002."""
    engine = any_engine
    form = demo_request()
    refused: list[tuple[Any, Any]] = [
        (form, Actor("u-x", "Someone", {Role.PANEL_MEMBER})),
        (form, Actor("u-x", "Someone", {"requester"})),  # type: ignore[arg-type]
        (form, "u-req"),
        (attrs.evolve(form, signed_name=""), REQUESTER),
        ("not a form", REQUESTER),
        (attrs.evolve(form, other_information="z" * 100_001), REQUESTER),
        (attrs.evolve(form, signed_name="nul\x00"), REQUESTER),
    ]
    for request, actor in refused:
        with pytest.raises(ScrEngineError):
            engine.submit(request, actor)
    assert engine.store.heads() == []
    assert engine.submit(form, REQUESTER).reference == "SCR-2026-001"
    for request, actor in refused:
        with pytest.raises(ScrEngineError):
            engine.submit(request, actor)
    assert engine.submit(form, REQUESTER).reference == "SCR-2026-002"


DAY = timedelta(days=1)


TODAY = START.date()


# --------------------------------------------------------------------------- RF-2 dates


@pytest.mark.rule("RF-2")
def test_rf2_incident_and_signature_may_be_today_not_tomorrow() -> None:
    on_the_day = attrs.evolve(
        demo_request(), incidents=(Incident(TODAY, "Found today."),), signed_date=TODAY
    )
    assert validate_request(on_the_day, TODAY) == []
    tomorrow = attrs.evolve(
        demo_request(), incidents=(Incident(TODAY + DAY, "Tomorrow?"),), signed_date=TODAY + DAY
    )
    problems = validate_request(tomorrow, TODAY)
    assert [(p.rule, p.field) for p in problems] == [
        ("RF-2", "incidents[0].date"),
        ("RF-2", "signed_date"),
    ]
    assert validate_request(tomorrow) == []  # no date to compare with: not judged
