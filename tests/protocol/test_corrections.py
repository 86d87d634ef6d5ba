"""Corrections (SU-1, SU-2, SU-9, PR-b, SU-6; Appendix 2): the panel chair and the
overview writer are replaced, a panel member stood down, the terms of reference
revised — each with reasons, each newcomer impartial, what was replaced kept."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from scr_engine import (
    Actor,
    Appointment,
    FixedClock,
    InvalidRequest,
    PermissionDenied,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
    replay,
)
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, OVERVIEW_WRITER, panel_member
from support.builders import PANEL_CHAIR, to_stage, today

NEW_CHAIR = Actor("u-pc2", "Fay Newchair", {Role.PANEL_CHAIR})


def _rules(error: TransitionRefused | InvalidRequest) -> set[str]:
    return {r.rule for r in error.refusals}


@pytest.mark.rule("SU-1")
def test_su1_replace_panel_chair_keeps_the_old_chair_in_history(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    command = c.ReplacePanelChair(Appointment(NEW_CHAIR.id, NEW_CHAIR.name), "Chair fell ill.")
    with pytest.raises(PermissionDenied):
        engine.execute(review.id, command, PANEL_CHAIR)
    done = engine.execute(review.id, command, BOARD_CHAIR)
    assert done.panel_chair is not None and done.panel_chair.person_id == NEW_CHAIR.id
    gone = done.replaced[-1]
    assert (gone.role, gone.person.person_id, gone.replaced_by) == (
        "panel_chair",
        PANEL_CHAIR.id,
        NEW_CHAIR.id,
    )
    assert gone.reasons == "Chair fell ill." and gone.day == today(engine)
    assert PANEL_CHAIR.id not in done.named()
    assert replay(engine.history(review.id)) == engine.get(review.id)


@pytest.mark.rule("PR-b")
def test_prb_a_new_chair_with_involvement_is_refused_with_every_reason(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    biased = Appointment(NEW_CHAIR.id, "", declared_involvement=True, involvement="GP")
    with pytest.raises((TransitionRefused, InvalidRequest)) as caught:
        engine.execute(review.id, c.ReplacePanelChair(biased, " "), BOARD_CHAIR)
    assert {"SU-1", "PR-b"} <= _rules(caught.value)
    fields = {r.field for r in caught.value.refusals}
    assert {"reasons", "appointment.name"} <= fields


@pytest.mark.rule("SU-1")
def test_su1_appointing_over_a_chair_is_refused_naming_the_replace_command(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    appointment = Appointment(NEW_CHAIR.id, NEW_CHAIR.name)
    with pytest.raises((TransitionRefused, PermissionDenied)):
        engine.execute(review.id, c.AppointPanelChair(appointment), BOARD_CHAIR)
    screened = to_stage(engine, clock, Stage.SCREENED)
    first = Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)
    engine.execute(screened.id, c.AppointPanelChair(first), BOARD_CHAIR)
    with pytest.raises((TransitionRefused, InvalidRequest)) as caught:
        engine.execute(screened.id, c.AppointPanelChair(appointment), BOARD_CHAIR)
    assert any("replace_panel_chair" in r.message for r in caught.value.refusals)


@pytest.mark.rule("SU-9")
def test_su9_replace_overview_writer_after_evidence_accepted(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    newcomer = Appointment("u-ow2", "Gil Writer")
    done = engine.execute(
        review.id, c.ReplaceOverviewWriter(newcomer, "Writer left the area."), BOARD_CHAIR
    )
    assert done.overview_writer is not None and done.overview_writer.person_id == "u-ow2"
    assert done.replaced[-1].person.person_id == OVERVIEW_WRITER.id
    with pytest.raises((TransitionRefused, InvalidRequest)) as caught:
        engine.execute(review.id, c.ReplaceOverviewWriter(newcomer, "again"), BOARD_CHAIR)
    assert "SU-9" in _rules(caught.value)
    assert replay(engine.history(review.id)) == engine.get(review.id)


@pytest.mark.rule("SU-2")
def test_su2_stand_down_panel_member_whose_conflict_surfaces(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    agency = review.agencies[0]
    old = panel_member(agency)
    new = Appointment("u-pm-new", "New member", agency)
    done = engine.execute(
        review.id,
        c.StandDownPanelMember(old.id, "Knew the family.", new),
        BOARD_CHAIR,
    )
    ids = [m.person_id for m in done.panel_members]
    assert old.id not in ids and "u-pm-new" in ids
    assert done.replaced[-1].role == "panel_member"
    assert done.replaced[-1].replaced_by == "u-pm-new"
    with pytest.raises((TransitionRefused, InvalidRequest)) as caught:
        engine.execute(review.id, c.StandDownPanelMember("nobody", ""), BOARD_CHAIR)
    assert {r.field for r in caught.value.refusals} >= {"person_id", "reasons"}
    assert replay(engine.history(review.id)) == engine.get(review.id)


@pytest.mark.rule("PR-b")
def test_prb_a_replacement_member_is_judged_impartial(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    agency = review.agencies[0]
    biased = Appointment("u-pm-new", "New", agency, declared_involvement=True)
    with pytest.raises((TransitionRefused, InvalidRequest)) as caught:
        engine.execute(
            review.id,
            c.StandDownPanelMember(panel_member(agency).id, "Conflict.", biased),
            BOARD_CHAIR,
        )
    assert "PR-b" in _rules(caught.value)


@pytest.mark.rule("SU-6")
def test_su6_revise_terms_of_reference_recomputes_deadlines_and_keeps_the_old(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    terms = review.terms_of_reference
    assert terms is not None
    later = attrs.evolve(
        terms,
        imr_due=terms.imr_due + timedelta(days=30),
        overview_due=terms.overview_due + timedelta(days=30),
    )
    command = c.ReviseTermsOfReference(later, "The scope widens to the care home.")
    with pytest.raises(PermissionDenied):
        engine.execute(review.id, command, BOARD_CHAIR)
    done = engine.execute(review.id, command, PANEL_CHAIR)
    assert done.terms_of_reference == later
    assert done.terms_revisions[-1].previous == terms
    due = {d.key: d.due_on for d in engine.deadlines(review.id)}
    assert due["overview_report"] == later.overview_due
    assert due[f"imr:{review.agencies[0]}"] == later.imr_due
    bad = attrs.evolve(later, imr_agencies=(), overview_due=later.imr_due - timedelta(days=1))
    with pytest.raises((TransitionRefused, InvalidRequest)) as caught:
        engine.execute(review.id, c.ReviseTermsOfReference(bad, ""), PANEL_CHAIR)
    assert {"SU-6", "SU-7", "RP-1"} <= _rules(caught.value)
    assert replay(engine.history(review.id)) == engine.get(review.id)


@pytest.mark.rule("SU-6")
def test_su6_terms_cannot_be_revised_before_the_initial_meeting(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    assert engine.get(review.id).terms_of_reference is None
    assert "revise_terms_of_reference" not in engine.allowed(review.id, PANEL_CHAIR)


@pytest.mark.rule("SU-2")
def test_su2_a_member_stood_down_after_the_evidence_is_replaced_for_the_same_agency(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    agency = review.agencies[0]
    new = Appointment("u-pm-new", "New member", agency)
    command = c.StandDownPanelMember(panel_member(agency).id, "Conflict surfaced.", new)
    done = engine.execute(review.id, command, BOARD_CHAIR)
    assert "u-pm-new" in [m.person_id for m in done.panel_members]
