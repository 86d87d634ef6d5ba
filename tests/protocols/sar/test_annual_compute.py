"""Sections (d)–(g) of the annual report computed from SAR histories as at 31 March
(SAR-A-6, SAR-A-7): against a naive recount over random histories, whatever the order
the reviews come in, across 31 March, and with each figure naming its events."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from scr_engine.protocols.sar.annual.compute import compute, source_problems
from scr_engine.protocols.sar.annual.records import year_end, year_start
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS, ConcludedEvent
from support.annual import FakeEvent, history

FIRST_DAY = date(2025, 6, 1)
LAST_DAY = date(2028, 6, 30)

days = st.integers(0, (LAST_DAY - FIRST_DAY).days).map(lambda n: FIRST_DAY + timedelta(days=n))

_FINDINGS = {"report": {"findings": [{"id": "F1", "text": "finding one"}]}}


@st.composite
def steps(draw: st.DrawFn) -> tuple[str, date, str, dict[str, Any]]:
    """One command of a SAR's history, on any day (days need not rise: some are
    recorded after the fact)."""
    day = draw(days)
    kind = draw(
        st.sampled_from(
            [
                "confirm_review",
                "submit_report",
                "ratify",
                "record_publication",
                "withdraw",
                "decide_finding",
                "add_action",
                "record_action_progress",
                "complete_action",
                "decline",
                "reopen_request",
                "pause_clock",
            ]
        )
    )
    stage = {
        "confirm_review": "screened",
        "ratify": "ratified",
        "withdraw": "withdrawn",
        "decline": "not_taken_forward",
        "reopen_request": "requested",
    }.get(kind, "commissioned")
    payload: dict[str, Any] = {}
    if kind == "submit_report":
        payload = _FINDINGS
    elif kind == "decide_finding":
        payload = {
            "finding": draw(st.sampled_from(["F1", "F2"])),
            "decision": draw(st.sampled_from(["implement", "not_implement"])),
            "reasons": draw(st.sampled_from(["", "covered nationally"])),
        }
    elif kind == "add_action":
        payload = {"action": {"id": draw(st.sampled_from(["A1", "A2"])), "findings": ["F1"]}}
    elif kind in ("record_action_progress", "complete_action"):
        payload = {
            "action": draw(st.sampled_from(["A1", "A2"])),
            "discontinued": draw(st.booleans()),
        }
    return kind, day, stage, payload


stores = st.lists(st.lists(steps(), max_size=12), max_size=6).map(
    lambda reviews: [history(f"r{n:02d}", s) for n, s in enumerate(reviews)]
)


def _day(e: FakeEvent) -> date:
    return (
        date.fromisoformat(e.payload["occurred_on"]) if "occurred_on" in e.payload else e.at.date()
    )


def _naive(histories: list[list[FakeEvent]], year: int, concluded_by: str) -> dict[str, Any]:
    """The sections recounted from the requirements' words, one review at a time."""
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    concluded, ongoing, declined, done = set(), set(), set(), set()
    for events in histories:
        rid = events[0].review_id
        concluding = [e for e in events if e.command == concluded_by]
        concluded_on = _day(concluding[0]) if concluding else None
        if concluded_on is not None and start <= concluded_on <= end:
            concluded.add((rid, concluded_on))
        screenings = [e for e in events if e.stage_after == "screened"]
        withdrawals = [e for e in events if e.stage_after == "withdrawn"]
        if (
            screenings
            and _day(screenings[0]) <= end
            and not (concluded_on is not None and concluded_on <= end)
            and not (withdrawals and _day(withdrawals[0]) <= end)
        ):
            ongoing.add(rid)
        for e in events:
            within = start <= _day(e) <= end
            if (
                within
                and e.command == "decide_finding"
                and e.payload["decision"] == "not_implement"
            ):
                declined.add((rid, e.payload["finding"], _day(e), e.payload["reasons"], e.sequence))
            if within and e.command in ("add_action", "record_action_progress", "complete_action"):
                action = e.payload["action"]
                done.add((rid, action["id"] if isinstance(action, dict) else action, e.sequence))
    return {"concluded": concluded, "ongoing": ongoing, "declined": declined, "done": done}


@given(
    stores,
    st.sampled_from([2025, 2026, 2027]),
    st.sampled_from(list(ConcludedEvent)),
    st.randoms(use_true_random=False),
)
def test_computed_sections_equal_a_naive_recount(
    histories: list[list[FakeEvent]], year: int, event: ConcludedEvent, rng: random.Random
) -> None:
    """SAR-A-6 (d)–(g) and SAR-A-7 computed from random histories (reviews spanning 31
    March, withdrawn, declined and reopened, decisions recorded after the fact) are what
    a naive recount finds; and the same whatever order the reviews come in."""
    settings = evolve(DEFAULT_SAR_SETTINGS, concluded_event=event)
    sections = compute(histories, year, settings)
    naive = _naive(histories, year, event.value)
    assert {(d.review_id, d.concluded_on) for d in sections.concluded} == naive["concluded"]
    assert {o.review_id for o in sections.ongoing} == naive["ongoing"]
    assert {
        (g.review_id, g.finding, g.decided_on, g.reasons, g.source.sequence)
        for g in sections.not_implemented
    } == naive["declined"]
    assert len(sections.not_implemented) == len(naive["declined"])
    assert {(i.review_id, i.action, i.source.sequence) for i in sections.implementation} == naive[
        "done"
    ]
    shuffled = list(histories)
    rng.shuffle(shuffled)
    assert compute(shuffled, year, settings) == sections
    assert source_problems(sections, histories) == []


def test_a_review_concluded_on_31_march_is_in_that_year_and_not_ongoing() -> None:
    """SAR-A-7: concluded on the ``concluded_event`` date (sign-off by default): on 31
    March it is in that year's section (d); on 1 April in the next year's, and ongoing
    at the first year's end."""
    on_31 = history(
        "a",
        [
            ("confirm_review", date(2026, 5, 1), "screened", {}),
            ("submit_report", date(2027, 2, 1), "report_drafted", _FINDINGS),
            ("ratify", date(2027, 3, 31), "ratified", {}),
        ],
    )
    on_1 = history(
        "b",
        [
            ("confirm_review", date(2026, 5, 1), "screened", {}),
            ("ratify", date(2027, 4, 1), "ratified", {}),
        ],
    )
    year = compute([on_31, on_1], 2026)
    assert [d.review_id for d in year.concluded] == ["a"]
    assert [o.review_id for o in year.ongoing] == ["b"]
    (done,) = year.concluded
    assert done.screened_on == date(2026, 5, 1) and done.days_to_complete == 334
    assert [f.id for f in done.findings] == ["F1"]
    assert [s.sequence for s in done.sources] == [2, 3, 4]
    following = compute([on_31, on_1], 2027)
    assert [d.review_id for d in following.concluded] == ["b"]
    assert following.ongoing == ()


def test_the_concluded_event_setting_decides_what_concluded() -> None:
    """SAR-A-7, SAR-M-12: with ``concluded_event`` = ``submit_report`` a review whose
    report came in on 30 March concluded in the year though it is signed off in April."""
    events = history(
        "a",
        [
            ("confirm_review", date(2026, 5, 1), "screened", {}),
            ("submit_report", date(2027, 3, 30), "report_drafted", _FINDINGS),
            ("ratify", date(2027, 4, 2), "ratified", {}),
        ],
    )
    by_report = evolve(DEFAULT_SAR_SETTINGS, concluded_event=ConcludedEvent.SUBMIT_REPORT)
    assert [d.concluded_on for d in compute([events], 2026, by_report).concluded] == [
        date(2027, 3, 30)
    ]
    assert compute([events], 2026).concluded == ()
    assert compute([events], 2026, {"a": by_report}).concluded != ()


def test_withdrawn_and_unscreened_reviews_are_not_ongoing() -> None:
    """SAR-A-7: ongoing means screened on or before 31 March, and neither concluded nor
    withdrawn by then; a review screened after 31 March, or withdrawn by then, is not."""
    withdrawn = history(
        "w",
        [
            ("confirm_review", date(2026, 5, 1), "screened", {}),
            ("withdraw", date(2027, 3, 1), "withdrawn", {}),
        ],
    )
    late = history("l", [("confirm_review", date(2027, 4, 1), "screened", {})])
    requested = history("q", [])
    withdrawn_after = history(
        "x",
        [
            ("confirm_review", date(2026, 5, 1), "screened", {}),
            ("withdraw", date(2027, 4, 3), "withdrawn", {}),
        ],
    )
    year = compute([withdrawn, late, requested, withdrawn_after], 2026)
    assert [(o.review_id, o.stage) for o in year.ongoing] == [("x", "screened")]


def test_decisions_not_to_implement_of_the_year_are_listed_with_their_reasons() -> None:
    """SAR-A-6(g), SAR-A-1: every ``not_implement`` decision dated in the year, with its
    reasons; one dated outside the year, or to implement, is not."""
    events = history(
        "a",
        [
            (
                "decide_finding",
                date(2026, 4, 1),
                "report_drafted",
                _decision("F1", "not_implement"),
            ),
            ("decide_finding", date(2027, 4, 1), "ratified", _decision("F2", "not_implement")),
            ("decide_finding", date(2026, 9, 1), "ratified", _decision("F3", "implement")),
            (
                "add_action",
                date(2026, 9, 1),
                "ratified",
                {"action": {"id": "A1", "findings": ["F3"]}},
            ),
            (
                "complete_action",
                date(2027, 1, 5),
                "ratified",
                {"action": "A1", "discontinued": True},
            ),
        ],
    )
    year = compute([events], 2026)
    assert [(g.finding, g.reasons) for g in year.not_implemented] == [("F1", "reasons for F1")]
    assert [(i.action, i.what, i.findings) for i in year.implementation] == [
        ("A1", "added", ("F3",)),
        ("A1", "discontinued", ("F3",)),
    ]
    assert year.as_at == year_end(2026) == date(2027, 3, 31)
    assert year_start(2026) == date(2026, 4, 1)


def test_a_changed_source_event_is_named() -> None:
    """Every figure links to the events it counts: a source event whose hash changed,
    or that is gone, is named rather than the figure changing silently."""
    events = history(
        "a",
        [
            ("confirm_review", date(2026, 5, 1), "screened", {}),
            ("decide_finding", date(2026, 6, 1), "screened", _decision("F1", "not_implement")),
        ],
    )
    sections = compute([events], 2026)
    forged = [*events[:2], evolve(events[2], hash="forged")]
    assert source_problems(sections, [forged]) == ["event 3 of review a has changed"]
    assert source_problems(sections, [events[:2]]) == ["event 3 of review a is gone"]


def test_reviews_of_other_protocols_are_listed_apart_as_what_they_are() -> None:
    """Only SARs (s.44) are in sections (d)–(g) (SAR-A-6); an SCR open in the year is
    listed apart, with its stage at the year's end; one ended before the year, or
    received after it, is not; another protocol's history is left out."""
    events = history("a", [("confirm_review", date(2026, 5, 1), "screened", {})])
    scr = [evolve(events[0], payload={"reference": "SCR-2026-001"}), *events[1:]]
    sections = compute([scr], 2026)
    assert sections.ongoing == () and sections.concluded == ()
    assert [(o.reference, o.protocol, o.stage) for o in sections.other] == [
        ("SCR-2026-001", "scr", "screened")
    ]
    assert [x.sequence for x in sections.other[0].sources] == [1, 2]
    ended = [*scr, evolve(scr[1], sequence=3, stage_after="closed", payload={})]
    assert compute([ended], 2027).other == ()
    assert compute([scr], 2023).other == ()  # received on 1 January 2025
    foreign = [evolve(events[0], payload={"protocol": "other"}), *events[1:]]
    assert compute([foreign], 2026) == compute([], 2026)
    assert compute([events], 2026).read[0].sequence == 2


def _decision(finding: str, decision: str) -> dict[str, Any]:
    return {"finding": finding, "decision": decision, "reasons": f"reasons for {finding}"}


LAST = date(2027, 3, 31)
"""The last day of the financial year 2026."""
FIRST = date(2026, 4, 1)
"""Its first day."""


def test_the_years_first_and_last_days_are_in_it() -> None:
    """SAR-A-6(e)–(g), SAR-A-7 at the edges: what happened on 1 April or on 31 March is
    in the year, what happened on 31 March 2026 or 1 April 2027 is not; each action
    entry says what was done; an ongoing SAR's stage is its stage at the end of 31
    March; a review decided or withdrawn on 31 March is (or is not) ongoing."""
    acted = history(
        "a",
        [
            ("confirm_review", date(2026, 3, 31), "screened", {}),
            ("add_action", FIRST, "screened", {"action": {"id": "A1", "findings": ["F1"]}}),
            ("add_action", date(2026, 3, 31), "screened", {"action": {"id": "A0"}}),
            ("record_action_progress", LAST, "commissioned", {"action": "A1"}),
            ("complete_action", LAST, "commissioned", {"action": "A1", "discontinued": False}),
            ("complete_action", date(2027, 4, 1), "report_drafted", {"action": "A0"}),
            ("decide_finding", LAST, "commissioned", _decision("F1", "not_implement")),
            ("decide_finding", date(2027, 4, 1), "ratified", _decision("F2", "not_implement")),
        ],
    )
    sections = compute([acted], 2026)
    assert [(i.action, i.what, i.on, i.findings) for i in sections.implementation] == [
        ("A1", "added", FIRST, ("F1",)),
        ("A1", "progressed", LAST, ("F1",)),
        ("A1", "completed", LAST, ("F1",)),
    ]
    assert [(d.finding, d.decided_on, d.reasons) for d in sections.not_implemented] == [
        ("F1", LAST, "reasons for F1")
    ]
    (ongoing,) = sections.ongoing
    assert (ongoing.reference, ongoing.stage) == ("SAR-a", "commissioned")
    decided_last = history("b", [("confirm_review", LAST, "screened", {})])
    withdrawn_last = history(
        "c",
        [
            ("confirm_review", FIRST, "screened", {}),
            ("withdraw", LAST, "withdrawn", {}),
        ],
    )
    found = compute([decided_last, withdrawn_last], 2026)
    assert [(o.reference, o.stage) for o in found.ongoing] == [("SAR-b", "screened")]


def test_a_day_is_the_day_the_command_says_it_happened() -> None:
    """SAR-A-7: an event recorded in April about 31 March counts in the year it
    happened, by its ``occurred_on``; without one, by the day it was recorded."""
    late = history("a", [("confirm_review", FIRST, "screened", {})])
    recorded = evolve(
        late[1],
        sequence=3,
        command="decide_finding",
        at=datetime.combine(date(2027, 4, 3), time(9), UTC),
        payload={**_decision("F1", "not_implement"), "occurred_on": LAST.isoformat()},
    )
    undated = evolve(
        recorded,
        sequence=4,
        payload=_decision("F2", "not_implement"),
    )
    found = compute([[*late, recorded, undated]], 2026)
    assert [(d.finding, d.decided_on) for d in found.not_implemented] == [("F1", LAST)]
    assert [
        (d.finding, d.decided_on) for d in compute([[*late, undated]], 2027).not_implemented
    ] == [("F2", date(2027, 4, 3))]


def test_an_scr_is_listed_from_the_years_last_day_to_its_first() -> None:
    """An SCR received on 31 March is open in the year; one that ended on 1 April was
    open in it too; its stage is the one it had at the end of 31 March."""
    events = history("s", [("confirm_review", LAST, "screened", {})])
    received_last = [
        evolve(events[0], at=datetime.combine(LAST, time(9), UTC), payload={"reference": "SCR-1"}),
        events[1],
    ]
    assert [(x.reference, x.stage) for x in compute([received_last], 2026).other] == [
        ("SCR-1", "screened")
    ]
    ended_first = [
        evolve(events[0], payload={"reference": "SCR-2"}),
        evolve(events[1], payload={"occurred_on": date(2026, 3, 1).isoformat()}),
        evolve(
            events[1],
            sequence=3,
            stage_after="closed",
            payload={"occurred_on": FIRST.isoformat()},
        ),
    ]
    assert [(x.reference, x.protocol, x.stage) for x in compute([ended_first], 2026).other] == [
        ("SCR-2", "scr", "closed")
    ]


def test_a_concluded_sar_brings_its_period_under_review_and_time_to_complete() -> None:
    """SAR-A-6(d), SAR-A-7: a concluded SAR's period under review is the one its
    latest terms of reference agreed before it concluded, its time to complete the days
    from its decision; reviews are listed by reference, whatever their ids, and an SCR
    or another protocol's history before a SAR leaves the SAR in."""
    terms = {"terms": {"period_start": "2025-01-01", "period_end": "2025-12-31"}}
    later = {"terms": {"period_start": "2024-06-01", "period_end": "2025-12-31"}}
    events = history(
        "z",
        [
            ("confirm_review", date(2026, 5, 1), "screened", {}),
            ("agree_terms_of_reference", date(2026, 5, 2), "screened", terms),
            ("agree_terms_of_reference", date(2026, 6, 2), "commissioned", later),
            ("ratify", date(2026, 11, 1), "ratified", {}),
            ("agree_terms_of_reference", date(2026, 12, 1), "ratified", terms),
        ],
    )
    first = [evolve(events[0], payload={"protocol": "sar", "reference": "SAR-2026-001"})]
    other = history("a", [("confirm_review", date(2026, 5, 1), "screened", {})])
    second = [evolve(other[0], payload={"protocol": "sar", "reference": "SAR-2026-002"})]
    scr = [evolve(other[0], review_id="s", payload={"reference": "AAA-SCR"})]
    foreign = [evolve(other[0], review_id="f", payload={"protocol": "x", "reference": "AA"})]
    found = compute([scr, foreign, [*second, *other[1:]], [*first, *events[1:]]], 2026)
    (done,) = found.concluded
    assert (done.reference, done.screened_on, done.days_to_complete) == (
        "SAR-2026-001",
        date(2026, 5, 1),
        (date(2026, 11, 1) - date(2026, 5, 1)).days,
    )
    assert (done.period_start, done.period_end) == (date(2024, 6, 1), date(2025, 12, 31))
    assert [o.reference for o in found.ongoing] == ["SAR-2026-002"]
    assert [x.reference for x in found.other] == ["AAA-SCR"]
    assert [s.review_id for s in found.read] == ["s", "z", "a"]
