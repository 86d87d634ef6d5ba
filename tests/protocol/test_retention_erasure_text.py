"""Erasure reaches the words of the report (PR-e).

The report names the panel and the writer (Appendix 3, Introduction (d)); those texts
are personal data. Erasing a review erases them whole; erasing one person strikes each
mention of them from every personal text and keeps the other words, in the review,
while the history holds the text no more; an erasure may strike spans and do nothing
else; a history written before a text was classed as personal is not erased behind
its hash.
"""

from __future__ import annotations

import json

import pytest
from attrs import evolve
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scr_engine import (
    FixedClock,
    InvalidRequest,
    MemoryStore,
    ReviewEngine,
    Stage,
    TransitionRefused,
    personal,
    replay,
)
from scr_engine import commands as c
from scr_engine.personal import ERASED, Striker, mentions, personal_paths, strikes_only
from scr_engine.publication import PublicReport
from scr_engine.records import Introduction, Review, Role, TextRewrite, WriterMeetingPurpose
from scr_engine.rules.common import Context
from scr_engine.rules.retention import erase_personal_data
from scr_engine.serialization import unstructure
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    START,
    full_report,
    plan_actions,
    to_stage,
)

pytestmark = pytest.mark.rule("PR-e")

WHY = {"reasons": "Retention period ended.", "legal_basis": "UK GDPR Art. 5(1)(e)"}
PANEL = "/overview_report/introduction/panel_and_writer"
RECOMMENDATION = "/overview_report/conclusions/recommendations/0/text"

words = st.text(alphabet="abcdefghij ,.;", max_size=30)
names = st.text(alphabet="ABCDEFGHIJ", min_size=1, max_size=6).map(lambda n: f"Dr {n}")


@given(
    parts=st.lists(words, min_size=1, max_size=5),
    name=names,
    mark=st.sampled_from([ERASED, "Person A"]),
)
def test_pre_a_strike_changes_only_the_mentions(parts: list[str], name: str, mark: str) -> None:
    """PR-e, property: striking a name from a text leaves every other character as it
    was (``strikes_only``), and the name is mentioned no more."""
    text = f" {name} ".join(parts)
    assume(mentions(text, name))
    struck = Striker([name], mark)(text)
    assert not mentions(struck, name)
    assert strikes_only(text, struck, mark)
    assert struck.replace(mark, "") == text.replace(name, "")


@given(
    text=st.text(alphabet="abc [erased]", min_size=1, max_size=30),
    where=st.integers(min_value=0),
    extra=st.sampled_from("xyz"),
)
def test_pre_a_rewrite_that_changes_another_character_is_no_strike(
    text: str, where: int, extra: str
) -> None:
    """PR-e, property: a text with any character added outside a struck span is not
    a strike of the original."""
    index = where % (len(text) + 1)
    changed = text[:index] + extra + text[index:]
    assert not strikes_only(text, changed, ERASED)


def _closed(engine: ReviewEngine, clock: FixedClock) -> str:
    return to_stage(engine, clock, Stage.CLOSED).id


def _history_text(engine: ReviewEngine, review_id: str) -> str:
    return json.dumps([e.payload for e in engine.history(review_id)])


def test_pre_erasing_a_person_strikes_them_from_the_report_text(clock: FixedClock) -> None:
    """PR-e: the report's list of the panel names the panel chair; erasing the chair
    strikes the name from it, keeps the other words, leaves no copy in the history,
    and the history verifies and replays to the review."""
    engine = ReviewEngine(MemoryStore(), clock)
    review_id = _closed(engine, clock)
    before = engine.get(review_id)
    assert before.panel_chair is not None and before.overview_report is not None
    chair = before.panel_chair.name
    text = before.overview_report.introduction.panel_and_writer
    assert mentions(text, chair)
    changed = engine.erase_person(chair, BOARD_CHAIR, pseudonym="Chair A", **WHY)
    assert changed == [review_id]
    after = engine.get(review_id)
    assert after.overview_report is not None
    assert after.overview_report.introduction.panel_and_writer == text.replace(chair, "Chair A")
    assert chair not in _history_text(engine, review_id)
    assert chair not in json.dumps(after.overview_report.introduction.panel_and_writer)
    erasure = engine.history(review_id)[-1]
    assert erasure.payload["rewrites"][0]["path"] == PANEL
    assert replay(engine.history(review_id)) == after
    assert engine.verify().ok


def test_pre_erasing_a_review_erases_the_report_s_names(clock: FixedClock) -> None:
    """PR-e: erasing a whole review erases the report's list of the panel and its
    contributors, and no appointee's name remains in the review or its history."""
    engine = ReviewEngine(MemoryStore(), clock)
    review_id = _closed(engine, clock)
    before = engine.get(review_id)
    people = [a.name for a in (before.panel_chair, before.overview_writer) if a is not None]
    people += [m.name for m in before.panel_members]
    engine.erase(review_id, BOARD_CHAIR, **WHY)
    after = engine.get(review_id)
    assert after.overview_report is not None
    assert after.overview_report.introduction.panel_and_writer == ERASED
    assert after.overview_report.introduction.contributors == ERASED
    stored = json.dumps([_history_text(engine, review_id), repr(after)])
    for name in people:
        assert name not in stored
    assert engine.verify().ok


def test_pre_a_host_may_not_write_the_rewrites(clock: FixedClock) -> None:
    """PR-e: the struck texts are the engine's to work out; an erasure sent with
    rewrites of its own is refused (field ``rewrites``) and nothing changes."""
    engine = ReviewEngine(MemoryStore(), clock)
    review_id = _closed(engine, clock)
    before = engine.get(review_id)
    command = c.ErasePersonalData(rewrites=(TextRewrite(PANEL, "[erased]"),), **WHY)
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(review_id, command, BOARD_CHAIR)
    assert [r.field for r in caught.value.refusals] == ["rewrites"]
    assert caught.value.command == "erase_personal_data"
    assert engine.get(review_id) == before


@pytest.mark.parametrize(
    ("rewrite", "paths"),
    [
        (TextRewrite(PANEL, "Chaired by [erased], with everyone."), ()),
        (TextRewrite("/reference", "[erased]"), ()),
        (TextRewrite(PANEL, "[erased]"), None),
        (TextRewrite(RECOMMENDATION, "Recommendation [erased] changed."), ()),
    ],
    ids=["changes-other-words", "not-a-text", "erased-whole-too", "free-text-changed"],
)
def test_pre_a_rewrite_may_only_strike_a_text(
    clock: FixedClock, rewrite: TextRewrite, paths: tuple[str, ...] | None
) -> None:
    """PR-e: the guard on the rewrites of an erasure, which a history replayed must
    meet too: a rewrite that changes other words, of a field that is not a text that
    may name someone, or of a field the erasure erases whole, is refused, naming it."""
    engine = ReviewEngine(MemoryStore(), clock)
    review = engine.get(_closed(engine, clock))
    command = c.ErasePersonalData(paths=paths, rewrites=(rewrite,), **WHY)
    context = Context(BOARD_CHAIR, Role.BOARD_CHAIR, START.date(), engine.settings)
    refusals = erase_personal_data(review, command, context)
    assert [(r.rule, r.field) for r in refusals] == [("PR-e", "rewrites[0]")]
    struck = TextRewrite(RECOMMENDATION, "[erased] 1.")
    assert (
        erase_personal_data(
            review, c.ErasePersonalData(rewrites=(struck,), paths=(), **WHY), context
        )
        == []
    )


def test_pre_a_text_stored_before_it_was_personal_is_not_erased_behind_its_hash(
    clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PR-e: a report stored by a release that did not yet class the panel's list as
    personal (its event's hash covers the text) cannot have a name struck from it:
    the erasure is refused, saying why, and the history is as it was."""
    engine = ReviewEngine(MemoryStore(), clock)
    plans = {Introduction: ("fields", (("circumstances", "leaf"),))}
    monkeypatch.setattr(personal, "_PLANS", plans)  # the earlier classification
    review_id = _closed(engine, clock)
    monkeypatch.setattr(personal, "_PLANS", {})
    report = next(e for e in engine.history(review_id) if e.command == "submit_overview_report")
    assert PANEL not in report.commitments
    chair = engine.get(review_id).panel_chair
    assert chair is not None
    before = engine.history(review_id)
    with pytest.raises(TransitionRefused) as caught:
        engine.erase_person(chair.name, BOARD_CHAIR, **WHY)
    assert caught.value.rules == ("PR-e",)
    assert "classed as personal" in str(caught.value)
    assert engine.history(review_id) == before
    assert engine.verify().ok


def _export_texts(report: PublicReport) -> list[str]:
    texts = [report.executive_summary, report.lessons, report.national_lessons]
    texts += [r.text for r in report.recommendations]
    for action in report.actions:
        texts += [action.responsible, action.intended_outcome, action.monitoring]
    return texts


def _closed_mentioning(
    engine: ReviewEngine, clock: FixedClock, data: st.DataObject
) -> tuple[str, list[str]]:
    """A closed review whose published texts mention some of the personal values it
    holds (drawn), among other words; and those values."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    held = sorted(
        {v for _, v in personal_paths(Review, unstructure(review)) if len(v.strip()) >= 4}
    )
    named = data.draw(st.lists(st.sampled_from(held), min_size=1, max_size=4), label="named")
    filler = st.sampled_from(["spoke to", "and", "the team", "met", "later,", "Mr X's GP"])

    def text() -> str:
        parts = data.draw(st.lists(st.one_of(filler, st.sampled_from(named)), max_size=4))
        return " ".join([*parts, data.draw(st.sampled_from(named))]) + "."

    meeting = c.RecordWriterMeeting(frozenset({WriterMeetingPurpose.FINAL_FORMAT}), "Format.")
    engine.execute(review.id, meeting, OVERVIEW_WRITER)
    report = full_report(engine.get(review.id))
    conclusions = report.conclusions
    recommendations = tuple(
        evolve(r, text=text()) if r.source == "overview" else r  # IMRs' own stay (RP-2)
        for r in conclusions.recommendations
    )
    report = evolve(
        report,
        executive_summary=evolve(report.executive_summary, text=text()),
        conclusions=evolve(
            conclusions, lessons=text(), national_lessons=text(), recommendations=recommendations
        ),
    )
    engine.execute(review.id, c.SubmitOverviewReport(report), OVERVIEW_WRITER)
    for rec in recommendations:
        action = c.AddAction(f"A-{rec.id}", rec.id, text(), 3, text(), text())
        engine.execute(review.id, action, PANEL_CHAIR)
    plan_actions(engine, review.id, actions=False)
    engine.execute(review.id, c.Ratify(), BOARD_CHAIR)
    engine.execute(review.id, c.StartMonitoring(), BUSINESS_MANAGER)
    for rec in recommendations:
        engine.execute(review.id, c.CompleteAction(f"A-{rec.id}", "Done."), BUSINESS_MANAGER)
    engine.execute(review.id, c.CloseReview(), BOARD_CHAIR)
    return review.id, named


@settings(max_examples=15, deadline=None)
@given(data=st.data(), whole=st.booleans(), pseudonym=st.sampled_from(["", "Person A"]))
def test_pre_erasure_never_reveals_what_the_export_hid(
    data: st.DataObject, whole: bool, pseudonym: str
) -> None:
    """PR-e, property: for reviews whose published texts name people the review holds,
    erasing the review (or one of those people) and then exporting it publicly reveals
    no value that the export before the erasure struck out."""
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    review_id, named = _closed_mentioning(engine, clock, data)
    before = engine.public_export(review_id)
    hidden = {
        v for v in named if any(Striker([v], "\x00").finds(t) for t in _texts(engine, review_id))
    }
    assert hidden
    assert not any(Striker(hidden, "\x00").finds(t) for t in _export_texts(before))
    if whole:
        engine.erase(review_id, BOARD_CHAIR, **WHY)
    else:
        engine.erase_person(
            data.draw(st.sampled_from(named)), BOARD_CHAIR, pseudonym=pseudonym, **WHY
        )
    after = engine.public_export(review_id)
    for text in _export_texts(after):
        assert not Striker(hidden, "\x00").finds(text), text
    assert engine.verify().ok


def _texts(engine: ReviewEngine, review_id: str) -> list[str]:
    """The texts the public export is made from, as the review holds them."""
    review = engine.get(review_id)
    report = review.overview_report
    assert report is not None and report.executive_summary is not None
    texts = [report.executive_summary.text, report.conclusions.lessons]
    texts += [report.conclusions.national_lessons]
    texts += [r.text for r in report.conclusions.recommendations]
    for action in review.actions:
        texts += [action.owner, action.outcome, action.monitoring]
    return texts


def test_pre_the_reasons_for_a_replacement_are_personal_and_erased(clock: FixedClock) -> None:
    """PR-e, SU-2: the reasons a panel member was stood down may say what someone
    knew or did; they are personal data, so erasing a person strikes them from the
    reasons, in the review and its history, which verifies and replays."""
    from scr_engine.demo import panel_member
    from scr_engine.records import Appointment

    assert ("Replacement", "reasons") in personal.personal_fields()
    assert ("StandDownPanelMember", "reasons") in personal.personal_fields()
    engine = ReviewEngine(MemoryStore(), clock)
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    agency = review.agencies[0]
    newcomer = Appointment("u-pm-new", "Hal Newmember", agency)
    reasons = "Knew Dr Jo Bloggs, the adult's neighbour."
    command = c.StandDownPanelMember(panel_member(agency).id, reasons, newcomer)
    engine.execute(review.id, command, BOARD_CHAIR)
    engine.execute(review.id, c.Withdraw("The review is stopped."), BOARD_CHAIR)
    event = next(e for e in engine.history(review.id) if e.command == command.name)
    assert "/reasons" in event.commitments
    assert engine.erase_person("Dr Jo Bloggs", BOARD_CHAIR, **WHY) == [review.id]
    after = engine.get(review.id)
    assert after.replaced[-1].reasons == f"Knew {ERASED}, the adult's neighbour."
    assert "Jo Bloggs" not in _history_text(engine, review.id)
    assert replay(engine.history(review.id)) == after
    assert engine.verify().ok
