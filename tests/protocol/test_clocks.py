"""Properties of the protocol's clocks (``map.md``, Clocks): statutory deadlines, pauses,
extensions and the overdue report.

Rules proved here, each named in the test that proves it:

- every deadline's due date is on or after its start: RF-3, SU-4, SU-5, SU-7, RP-1, AP-2;
- SU-4, SU-5 and AP-2 count calendar months clamped to the month's end (``add_months``);
- PR-a: a pause moves exactly that review's open due dates by the days paused, a resume
  without a pause and a second pause are refused with reasons, an extension never moves a
  date earlier;
- AP-2 ("overdue actions are reported") and the map's rule that a missed deadline never
  blocks the review: ``engine.overdue`` is exactly the running deadlines due before the
  cut-off, in (due date, review ID, key) order, page by page.

Scenarios are built through the engine only: several reviews on one engine and one
:class:`FixedClock`, driven along the demo's main line (``scr_engine.demo``) a burst of
commands at a time, with random gaps of days between bursts (so some deadlines are met,
some missed), random pauses, resumes and extensions, random withdrawals, random protocol
settings (months or working days) and random times of day (so the Board's local date
sometimes differs from the UTC date).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from attrs import evolve
from hypothesis import assume, event, given
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    Appointment,
    DeadlineStatus,
    Dissemination,
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    MemoryStore,
    ProtocolSettings,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
    WriterMeetingPurpose,
    local_date,
)
from scr_engine import commands as c
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    FAMILY_ADVOCATE,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    full_report,
    full_terms,
    panel_member,
)
from scr_engine.rules import clocks
from scr_engine.rules.common import Context
from scr_engine.rules.deadlines import (
    FURTHEST_DAYS,
    Deadline,
    add_months,
    add_working_days,
    deadlines,
)
from scr_engine.rules.settings import DEFAULT_SETTINGS
from scr_engine.states.stages import TERMINAL_STAGES
from scr_engine.storage.port import DeadlineRow
from support.asserts import accepted, assert_refused
from support.builders import START, prepare_panel, submit, to_stage

RUNNING = frozenset({DeadlineStatus.DUE, DeadlineStatus.OVERDUE})


"""The statuses of a deadline whose clock runs (``DeadlineRow.running``)."""


Step = tuple[c.Command, Actor]


def today(engine: ReviewEngine) -> date:
    """The Board's local date on the engine's clock."""
    return local_date(engine.clock.now())


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Plan:
    """The timescales one review's initial meeting and action plan set."""

    imr_days: int
    """SU-7: the IMRs fall due this many days after the initial meeting."""
    overview_days: int
    """RP-1: the overview report falls due this many days after the IMRs."""
    review_months: int
    """SU-4: the terms of reference's timescale."""
    action_months: int
    """AP-2: each action's timescale."""
    withdraw_after: int | None
    """Withdraw the review after this many main-line commands (if still allowed)."""


@dataclass(frozen=True)
class Op:
    """One move of a scenario: ``gap_days`` pass, then ``kind`` happens to a review."""

    review: int
    gap_days: int
    kind: str
    """``run`` (the next ``burst`` main-line commands), ``pause``, ``resume`` or
    ``extend`` (open deadline ``amount % n`` by ``1 + amount`` days)."""
    amount: int
    burst: int


@dataclass(frozen=True)
class Spec:
    start: datetime
    settings: ProtocolSettings
    plans: tuple[Plan, ...]
    ops: tuple[Op, ...]


def main_line(engine: ReviewEngine, rid: str, plan: Plan) -> Iterator[Step]:
    """The commands of :func:`scr_engine.demo.run_to_closure`, one at a time, with the
    plan's timescales. Each command is made when the previous one has been executed,
    so dates read from the clock are those of the command's own day."""
    yield c.RecordChairNotified(today(engine)), BUSINESS_MANAGER
    yield c.AssessCriteria(), BOARD_CHAIR
    yield c.ConfirmReview("CR-1 is met."), BOARD_CHAIR
    review = engine.get(rid)
    for agency in review.agencies:
        yield c.RecordRecordsSecured(agency), BUSINESS_MANAGER
        writer = c.RecordImrWriter(agency, f"u-imr-{agency}", f"IMR writer for {agency}")
        yield writer, BUSINESS_MANAGER
    yield c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)), BOARD_CHAIR
    for agency in review.agencies:
        member = panel_member(agency)
        yield c.AppointPanelMember(Appointment(member.id, member.name, agency)), BOARD_CHAIR
    yield c.AppointPanelMember(FAMILY_ADVOCATE), BOARD_CHAIR  # SU-2: via advocacy
    writer_appointment = Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)
    yield c.AppointOverviewWriter(writer_appointment), BOARD_CHAIR
    yield c.RecordBudget(5000, "Independent overview writer and venue costs."), BOARD_CHAIR
    day = today(engine)
    imr_due = day + timedelta(days=plan.imr_days)
    terms = evolve(
        full_terms(engine.get(rid), day),
        imr_due=imr_due,
        overview_due=imr_due + timedelta(days=plan.overview_days),
        review_months=plan.review_months,
    )
    yield c.HoldInitialMeeting(terms), PANEL_CHAIR
    yield c.ConvenePanel(), PANEL_CHAIR
    for agency in terms.imr_agencies:
        yield c.ReceiveImr(agency, f"{agency}'s IMR.", (f"{agency} to review.",)), PANEL_CHAIR
        yield c.JudgeImr(agency, ImrJudgement.SUFFICIENT), PANEL_CHAIR
    yield c.ConfirmOverviewBrief("Bring the IMRs together."), PANEL_CHAIR
    yield c.AcceptEvidence(), PANEL_CHAIR
    purposes = frozenset({WriterMeetingPurpose.FINAL_FORMAT})
    yield c.RecordWriterMeeting(purposes, "Format agreed."), OVERVIEW_WRITER
    yield c.SubmitOverviewReport(full_report(engine.get(rid))), OVERVIEW_WRITER
    review = engine.get(rid)
    for agency in review.agencies:
        yield c.RecordAgencySignoff(agency), panel_member(agency)
    assert review.overview_report is not None
    for rec in review.overview_report.conclusions.recommendations:
        yield (
            c.AddAction(
                f"A-{rec.id}",
                rec.id,
                "Head of Service",
                plan.action_months,
                "Practice changes.",
                "Learning log reviewed quarterly.",
            ),
            PANEL_CHAIR,
        )
    dissemination = Dissemination(("Board members",), "Secure e-mail", "Debriefs to staff.")
    yield c.RecordDissemination(dissemination), PANEL_CHAIR
    yield c.Ratify(), BOARD_CHAIR
    yield c.StartMonitoring(), BUSINESS_MANAGER
    for action in engine.get(rid).actions:
        yield c.RecordActionProgress(action.id, "Under way."), BUSINESS_MANAGER
        yield c.CompleteAction(action.id, "Done."), BUSINESS_MANAGER
    yield c.CloseReview(), BOARD_CHAIR


@dataclass
class Driver:
    """One review of a scenario; submitted by its first ``run``."""

    engine: ReviewEngine
    plan: Plan
    review_id: str | None = None
    done: int = 0
    _line: Iterator[Step] | None = field(default=None, repr=False)

    def run(self, commands: int) -> None:
        """Issue up to ``commands`` more main-line commands; every one is accepted,
        however late the review is (a missed deadline never blocks it)."""
        for _ in range(commands):
            if self.review_id is None:
                self.submit()
                continue
            stage = self.engine.get(self.review_id).stage
            if stage in TERMINAL_STAGES:
                return
            if self.plan.withdraw_after is not None and self.done >= self.plan.withdraw_after:
                withdraw = c.Withdraw("No longer needed.")
                # only where the protocol allows it (before ratification; a CR-1 case
                # not before screening): otherwise carry on along the main line
                if not self.engine.explain(self.review_id, withdraw, BOARD_CHAIR):
                    self.engine.execute(self.review_id, withdraw, BOARD_CHAIR)
                    return
            assert self._line is not None
            step = next(self._line, None)
            if step is None:
                return
            self.engine.execute(self.review_id, *step)
            self.done += 1

    def submit(self) -> None:
        incident_on = today(self.engine) - timedelta(days=10)
        review = self.engine.submit(demo_request(incident_on=incident_on), REQUESTER)
        self.review_id = review.id
        self._line = main_line(self.engine, review.id, self.plan)

    def is_open(self) -> bool:
        if self.review_id is None:
            return False
        return self.engine.get(self.review_id).stage not in TERMINAL_STAGES

    def pause(self) -> None:
        rid = self.review_id
        if rid is not None and self.is_open() and not self.engine.get(rid).paused:
            self.engine.execute(rid, PAUSE, BOARD_CHAIR)

    def resume(self) -> None:
        rid = self.review_id
        if rid is not None and self.is_open() and self.engine.get(rid).paused:
            self.engine.execute(rid, RESUME, BOARD_CHAIR)

    def extend(self, amount: int) -> None:
        """Extend an open deadline (``amount % n``-th) by ``1 + amount`` days."""
        if not self.is_open() or self.review_id is None:
            return
        open_ = [d for d in self.engine.deadlines(self.review_id) if d.open]
        if open_:
            d = open_[amount % len(open_)]
            new_due = d.due_on + timedelta(days=1 + amount)
            command = c.ExtendDeadline(d.key, new_due, "The IMR writer is on leave.")
            self.engine.execute(self.review_id, command, BOARD_CHAIR)


PAUSE = c.PauseClock("inquest", "The coroner's inquest must finish first.")


RESUME = c.ResumeClock("The inquest has concluded.")


@dataclass
class World:
    """An engine, its clock and the reviews a scenario drove."""

    engine: ReviewEngine
    store: MemoryStore
    clock: FixedClock
    drivers: list[Driver]

    @property
    def ids(self) -> list[str]:
        return [d.review_id for d in self.drivers if d.review_id is not None]

    def driver(self, review_id: str) -> Driver:
        return next(d for d in self.drivers if d.review_id == review_id)


def build(spec: Spec) -> World:
    """Run a scenario; every review is submitted by the end."""
    clock = FixedClock(spec.start)
    store = MemoryStore()
    engine = ReviewEngine(store, clock, settings=spec.settings)
    drivers = [Driver(engine, plan) for plan in spec.plans]
    for op in spec.ops:
        clock.advance(days=op.gap_days)
        driver = drivers[op.review]
        if op.kind == "run":
            driver.run(op.burst)
        elif op.kind == "pause":
            driver.pause()
        elif op.kind == "resume":
            driver.resume()
        else:
            driver.extend(op.amount)
    for driver in drivers:
        if driver.review_id is None:
            driver.submit()
    return World(engine, store, clock, drivers)


settings_strategy = st.builds(
    ProtocolSettings,
    version=st.just("board-2027"),
    initial_meeting_months=st.integers(1, 3),
    review_months=st.integers(1, 12),
    chair_notification_days=st.none() | st.integers(1, 30),
    chair_notification_working_days=st.none() | st.integers(1, 15),
    initial_meeting_working_days=st.none() | st.integers(1, 30),
)


def plans(withdrawals: bool = True) -> st.SearchStrategy[Plan]:
    return st.builds(
        Plan,
        imr_days=st.integers(1, 120),
        overview_days=st.integers(0, 120),
        review_months=st.integers(1, 12),
        action_months=st.integers(1, 12),
        withdraw_after=st.none() | st.integers(0, 40) if withdrawals else st.none(),
    )


gaps = st.just(0) | st.integers(0, 3) | st.integers(0, 60)


@st.composite
def specs(
    draw: st.DrawFn,
    reviews: st.SearchStrategy[int] | None = None,
    random_settings: bool = True,
    withdrawals: bool = True,
) -> Spec:
    n = draw(reviews if reviews is not None else st.integers(1, 4))
    start = draw(st.dates(date(2026, 1, 10), date(2032, 12, 31)))
    hour = draw(st.sampled_from((0, 12, 23)))
    ops = st.builds(
        Op,
        review=st.integers(0, n - 1),
        gap_days=gaps,
        kind=st.sampled_from(("run",) * 4 + ("pause", "resume", "extend", "extend")),
        amount=st.integers(0, 3) | st.integers(0, 120),
        burst=st.integers(1, 3) | st.integers(1, 30),
    )
    return Spec(
        start=datetime(start.year, start.month, start.day, hour, 30, tzinfo=UTC),
        settings=draw(settings_strategy) if random_settings else ProtocolSettings(),
        plans=tuple(draw(st.lists(plans(withdrawals), min_size=n, max_size=n))),
        ops=tuple(draw(st.lists(ops, min_size=4 * n, max_size=16 * n))),
    )


def last_changed_on(engine: ReviewEngine, review_id: str) -> date:
    """The Board's local date of the review's last command: what its stored deadline
    rows were computed for."""
    return local_date(engine.history(review_id)[-1].at)


def by_key(found: tuple[Deadline, ...]) -> dict[str, Deadline]:
    return {d.key: d for d in found}


# ------------------------------------------------------------------ due after start


@pytest.mark.rule("RF-3")
@pytest.mark.rule("SU-4")
@pytest.mark.rule("SU-5")
@pytest.mark.rule("SU-7")
@pytest.mark.rule("RP-1")
@pytest.mark.rule("AP-2")
@pytest.mark.rule("PR-a")
@given(specs())
def test_due_dates_never_before_their_start_rf3_su4_su5_su7_rp1_ap2(spec: Spec) -> None:
    """RF-3, SU-4, SU-5, SU-7, RP-1, AP-2: whatever the stage, dates, settings, pauses
    and extensions, no deadline falls due before it starts, on any date it is asked
    about, nor (PR-a) before the date it would have without its extensions; and every
    main-line command was accepted however late (``build`` fails otherwise)."""
    world = build(spec)
    engine = world.engine
    now = today(engine)
    for rid in world.ids:
        review = engine.get(rid)
        unextended = evolve(review, extensions=())
        for as_of in (last_changed_on(engine, rid), now, now + timedelta(days=400)):
            found = engine.deadlines(rid, as_of=as_of)
            for d in found:
                assert d.due_on >= d.starts_on, (d, as_of)
                assert d.days_late >= 0
            # PR-a: the extensions, whenever made, never left a date earlier than the
            # protocol's own (the same review without them)
            protocol = by_key(deadlines(unextended, engine.settings_for(review), as_of))
            for d in found:
                assert d.due_on >= protocol[d.key].due_on, (d, protocol[d.key])


@pytest.mark.rule("RF-3")
@pytest.mark.rule("SU-4")
@pytest.mark.rule("SU-5")
@pytest.mark.parametrize(
    "lengths",
    [
        {"chair_notification_days": -1},
        {"chair_notification_working_days": -2},
        {"initial_meeting_months": 0},
        {"initial_meeting_working_days": -5},
        {"review_months": -6},
    ],
)
def test_settings_that_would_put_a_due_date_before_its_start_are_refused_rf3_su4_su5(
    lengths: dict[str, int],
) -> None:
    """RF-3, SU-4, SU-5: a Board's clock length that would put a due date before (or
    on) its start is refused when the settings are made, or else cannot make a
    deadline fall due before it starts. (Regression: at 8ed6a5d ``ProtocolSettings``
    took ``chair_notification_days=-1`` and RF-3 fell due the day before the request.)"""
    try:
        settings = ProtocolSettings(version="typo", **lengths)  # type: ignore[arg-type]
    except ValueError as refused:
        assert next(iter(lengths)) in str(refused)
        return
    clock = FixedClock(datetime(2027, 1, 4, 12, tzinfo=UTC))
    engine = ReviewEngine(MemoryStore(), clock, settings=settings)
    review = engine.submit(demo_request(incident_on=date(2027, 1, 1)), REQUESTER)
    for d in engine.deadlines(review.id):
        assert d.due_on > d.starts_on, d


# ------------------------------------------------------------------ calendar months


@pytest.mark.rule("SU-5")
@given(st.dates(max_value=date(9999, 11, 30)))
def test_one_month_lands_in_the_next_month_clamped_su5(start: date) -> None:
    """SU-5 (and every calendar-month clock): ``add_months(d, 1)`` is in the next
    calendar month (December wraps into January), on the same day clamped to that
    month's last day."""
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    assert add_months(start, 1) == date(year, month, min(start.day, last_day))


@pytest.mark.rule("SU-4")
@pytest.mark.rule("AP-2")
@given(st.dates(max_value=date(9000, 12, 31)), st.integers(0, 1200))
def test_calendar_months_clamp_to_the_month_end_su4_ap2(start: date, months: int) -> None:
    """SU-4 (6 months) and AP-2 (an action's timescale): ``months`` calendar months on,
    clamped to the month's end; never before the start."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    result = add_months(start, months)
    assert result == date(year, month + 1, min(start.day, last_day))
    assert result >= start


@pytest.mark.rule("RF-3")
@pytest.mark.rule("SU-5")
@given(st.dates(date(2026, 1, 1), date(2030, 12, 31)), st.integers(0, 40))
def test_working_days_skip_weekends_and_bank_holidays_rf3(start: date, days: int) -> None:
    """RF-3 / SU-5 working-day targets: the result is ``days`` working days on, each day
    counted a weekday that is not an England-and-Wales bank holiday."""
    import holidays

    off = holidays.country_holidays("GB", subdiv="ENG")

    def working(d: date) -> bool:
        return d.weekday() < 5 and d not in off

    result = add_working_days(start, days)
    span = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(working(d) for d in span) == days
    assert (days == 0 and result == start) or working(result)


# --------------------------------------------------------------------------- pauses


@pytest.mark.rule("PR-a")
@given(specs(reviews=st.just(2), withdrawals=False), st.integers(0, 400), st.integers(0, 1))
def test_a_pause_moves_that_reviews_open_due_dates_by_the_days_paused_pr_a(
    spec: Spec, days: int, which: int
) -> None:
    """PR-a: pausing one review for N days moves each of its open due dates by exactly N
    days, leaves its met ones alone and changes nothing of the other review; while the
    pause lasts its open deadlines are ``paused`` and none of them is reported overdue."""
    world = build(spec)
    engine, clock = world.engine, world.clock
    paused_id, other_id = world.ids[which], world.ids[1 - which]
    driver = world.driver(paused_id)
    assume(driver.is_open())
    driver.resume()  # a pause of its own, still running, would hide the shift
    first = today(engine)
    before = by_key(engine.deadlines(paused_id))
    other_before = engine.deadlines(other_id, as_of=first)
    other_rows = world.store.deadline_rows(other_id)

    engine.execute(paused_id, PAUSE, BOARD_CHAIR)
    clock.advance(days=days)
    during = engine.deadlines(paused_id)
    assert all(d.status is DeadlineStatus.PAUSED for d in during if d.open)
    reported = engine.overdue(today(engine), 400, limit=10**6)
    assert paused_id not in {row.review_id for row in reported}
    engine.execute(paused_id, RESUME, BOARD_CHAIR)

    # N is counted in the Board's local days: across a change of summer time a clock
    # standing at 23:30 UTC moves its local date one day more or less than ``days``
    shift = (today(engine) - first).days
    assert abs(shift - days) <= 1
    after = by_key(engine.deadlines(paused_id))
    assert after.keys() == before.keys()
    for key, was in before.items():
        now = after[key]
        if was.open:
            assert now.open and now.met_on is None
            assert now.due_on == was.due_on + timedelta(days=shift), key
            assert now.status in RUNNING
        else:
            assert now == was, key
    # the other review: its stored rows are untouched, its due dates the same
    assert world.store.deadline_rows(other_id) == other_rows
    if not engine.get(other_id).paused:
        other_after = engine.deadlines(other_id, as_of=today(engine))
        assert [d.due_on for d in other_after] == [d.due_on for d in other_before]
    # the stored rows of the paused review moved too
    rows = {r.key: r for r in world.store.deadline_rows(paused_id)}
    for key, was in before.items():
        if was.open:
            assert rows[key].running
            assert rows[key].due_on == was.due_on + timedelta(days=shift)


@pytest.mark.rule("PR-a")
@given(specs(reviews=st.just(1), random_settings=False, withdrawals=False))
def test_resume_without_pause_and_pause_twice_are_refused_pr_a(spec: Spec) -> None:
    """PR-a: ``resume_clock`` on clocks that run and ``pause_clock`` on clocks already
    paused are refused, with a reason citing PR-a, and change nothing (on a closed or
    withdrawn review both are refused for its stage)."""
    world = build(spec)
    engine = world.engine
    (rid,) = world.ids

    def refused(command: c.Command, words: str, rule: str = "PR-a") -> None:
        version = engine.get(rid).version
        with pytest.raises(TransitionRefused) as caught:
            engine.execute(rid, command, BOARD_CHAIR)
        assert rule in caught.value.rules
        assert any(r.rule == rule and words in r.message for r in caught.value.refusals)
        assert engine.get(rid).version == version
        assert len(engine.history(rid)) == version

    if not world.drivers[0].is_open():  # a closed or withdrawn review has no clocks to move
        refused(PAUSE, "", "MAP")
        refused(RESUME, "", "MAP")
        return
    world.drivers[0].resume()

    refused(RESUME, "not paused")
    engine.execute(rid, PAUSE, BOARD_CHAIR)
    refused(PAUSE, "already paused")
    refused(c.PauseClock("criminal proceedings", "A trial is listed."), "already paused")
    engine.execute(rid, RESUME, BOARD_CHAIR)
    refused(RESUME, "not paused")


# ----------------------------------------------------------------------- extensions


@pytest.mark.rule("PR-a")
@given(
    specs(reviews=st.just(1), withdrawals=False),
    st.integers(0, 50),
    st.integers(-400, 400),
    st.integers(0, 200),
    st.integers(0, 60),
)
def test_an_extension_never_moves_a_date_earlier_pr_a(
    spec: Spec, pick: int, delta: int, later: int, paused_days: int
) -> None:
    """PR-a: extending a deadline to a date on or before its due date is refused (citing
    PR-a, on ``new_due``) and changes nothing; extending it later makes the due date
    exactly the new date, which stays so as time passes, plus the days of any later
    pause. No other deadline moves."""
    world = build(spec)
    engine, clock = world.engine, world.clock
    (rid,) = world.ids
    assume(world.drivers[0].is_open())
    world.drivers[0].resume()
    open_ = [d for d in engine.deadlines(rid) if d.open]
    assume(open_)
    target = open_[pick % len(open_)]
    new_due = target.due_on + timedelta(days=delta)
    command = c.ExtendDeadline(target.key, new_due, "The police asked for more time.")
    before = engine.deadlines(rid)
    version = engine.get(rid).version

    if delta <= 0:
        with pytest.raises(TransitionRefused) as caught:
            engine.execute(rid, command, BOARD_CHAIR)
        assert any(r.rule == "PR-a" and r.field == "new_due" for r in caught.value.refusals)
        assert engine.get(rid).version == version
        assert engine.deadlines(rid) == before
        return

    engine.execute(rid, command, BOARD_CHAIR)
    after = by_key(engine.deadlines(rid))
    assert after[target.key].due_on == new_due
    for d in before:
        assert after[d.key].due_on >= d.due_on  # never earlier
        if d.key != target.key:
            assert after[d.key].due_on == d.due_on
    clock.advance(days=later)
    assert by_key(engine.deadlines(rid))[target.key].due_on == new_due
    engine.execute(rid, PAUSE, BOARD_CHAIR)
    paused_on = today(engine)
    clock.advance(days=paused_days)
    engine.execute(rid, RESUME, BOARD_CHAIR)
    moved = by_key(engine.deadlines(rid))[target.key]
    assert moved.due_on == new_due + (today(engine) - paused_on)


# Regressions: at 8ed6a5d an extension's absolute ``new_due`` replaced the deadline's
# base due date for good, so when the base moved later (SU-5: the Chair's receipt
# recorded after the extension; SU-4: the terms of reference's ``review_months``) the
# extended date stayed, earlier than the protocol's own date, even before the start.


@pytest.mark.rule("SU-5")
@pytest.mark.rule("PR-a")
def test_extension_before_the_chairs_receipt_never_leaves_su5_due_before_its_start_pr_a() -> None:
    """SU-5, PR-a: the initial meeting's clock extended to 10 February while the request
    waits for the Chair, who receives it on 1 March: the meeting is due a month after
    1 March, not on 10 February (19 days before its own start, overdue at once)."""
    clock = FixedClock(datetime(2027, 1, 4, 12, tzinfo=UTC))
    engine = ReviewEngine(MemoryStore(), clock)
    driver = Driver(engine, Plan(42, 30, 6, 3, None))
    driver.run(1)  # submitted on 4 January 2027: initial meeting due 4 February
    rid = driver.review_id
    assert rid is not None
    extend = c.ExtendDeadline("initial_meeting", date(2027, 2, 10), "The Chair is away.")
    engine.execute(rid, extend, BOARD_CHAIR)
    clock.set(datetime(2027, 3, 1, 12, tzinfo=UTC))
    driver.run(1)  # record_chair_notified(1 March 2027)
    meeting = by_key(engine.deadlines(rid))["initial_meeting"]
    assert meeting.starts_on == date(2027, 3, 1)
    assert meeting.due_on >= meeting.starts_on  # at 8ed6a5d: due 2027-02-10
    assert meeting.due_on == add_months(date(2027, 3, 1), 1) == date(2027, 4, 1)


@pytest.mark.rule("SU-4")
@pytest.mark.rule("PR-a")
def test_extension_before_the_terms_of_reference_never_shortens_su4_pr_a() -> None:
    """SU-4, PR-a: the review's 6 months (due 4 July 2027) extended to 20 July before the
    initial meeting, whose terms of reference then give the review 12 months: it is due
    on 4 January 2028, not on 20 July 2027 (the extension must not cost it 5 months)."""
    clock = FixedClock(datetime(2027, 1, 4, 12, tzinfo=UTC))
    engine = ReviewEngine(MemoryStore(), clock)
    driver = Driver(engine, Plan(42, 30, 12, 3, None))
    driver.run(1 + 16)  # submitted, screened, panel prepared: everything but the meeting
    rid = driver.review_id
    assert rid is not None
    assert by_key(engine.deadlines(rid))["review_complete"].due_on == date(2027, 7, 4)
    extend = c.ExtendDeadline("review_complete", date(2027, 7, 20), "Inquest pending.")
    engine.execute(rid, extend, BOARD_CHAIR)
    driver.run(1)  # hold_initial_meeting: terms of reference with review_months=12
    assert engine.get(rid).initial_meeting_on == date(2027, 1, 4)
    complete = by_key(engine.deadlines(rid))["review_complete"]
    assert complete.due_on == date(2028, 1, 4)  # at 8ed6a5d: due 2027-07-20


# --------------------------------------------------------------------------- overdue


Listed = tuple[tuple[date, str, str], str, str, str, date | None]


def listed(row: DeadlineRow) -> Listed:
    """What the overdue report says of a deadline, beyond that it runs.

    A stored row is the deadline as of the last command that changed the review's
    clocks (``clocks_changed``); a running deadline's status there is ``due`` or
    ``overdue`` as of that day, which later commands that leave the clocks alone do not
    refresh. Its due date, though, holds until the clocks change again, so everything
    but the due/overdue flavour of its status is compared exactly."""
    return (row.sort_key, row.reference, row.rule, row.title, row.met_on)


def brute_force(
    engine: ReviewEngine, ids: list[str], as_of: date, within_days: int
) -> list[Listed]:
    """The overdue report by definition: every review's deadlines as of its last
    command (for a running deadline the due date is then what the store holds, and it
    runs on that day exactly when it runs on the day the clocks last changed), the
    running ones due before the cut-off, sorted."""
    cutoff = as_of + timedelta(days=within_days)
    rows = []
    for rid in ids:
        review = engine.get(rid)
        for d in engine.deadlines(rid, as_of=last_changed_on(engine, rid)):
            if d.status in RUNNING and d.due_on < cutoff:
                rows.append(listed(DeadlineRow.of(review, d)))
    return sorted(rows)


@pytest.mark.rule("AP-2")
@given(
    specs(),
    st.integers(-60, 30) | st.integers(0, 600),
    st.integers(0, 1) | st.integers(0, 90),
    st.integers(1, 5),
)
def test_overdue_is_exactly_the_running_deadlines_due_before_the_cutoff_ap2(
    spec: Spec, offset: int, within_days: int, page: int
) -> None:
    """AP-2 (overdue actions are reported) and every other clock: ``engine.overdue`` is
    exactly the running deadlines (not met, paused or cancelled) due before ``as_of``
    plus ``within_days``, ordered by (due date, review ID, key); pages joined with
    ``after=rows[-1].sort_key`` make the whole list."""
    world = build(spec)
    engine = world.engine
    now = today(engine)
    as_of = now + timedelta(days=offset)

    found = engine.overdue(as_of, within_days, limit=10**9)
    event(f"overdue rows: {min(len(found), 5)}{'+' if len(found) >= 5 else ''}")
    assert [listed(r) for r in found] == brute_force(engine, world.ids, as_of, within_days)
    assert all(r.status in RUNNING for r in found)
    keys = [r.sort_key for r in found]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(r.running and r.met_on is None for r in found)

    pages: list[DeadlineRow] = []
    after: tuple[date, str, str] | None = None
    while True:
        rows = engine.overdue(as_of, within_days, limit=page, after=after)
        assert len(rows) <= page
        pages.extend(rows)
        if len(rows) < page:
            break
        after = rows[-1].sort_key
    assert pages == found

    if offset >= 0:
        # asked about now or later, the report agrees with each deadline's status then
        # (a running deadline's due date does not move until its review changes again)
        cutoff = as_of + timedelta(days=within_days)
        expected = sorted(
            (d.due_on, rid, d.key)
            for rid in world.ids
            for d in engine.deadlines(rid, as_of=as_of)
            if d.status in RUNNING and d.due_on < cutoff
        )
        assert keys == expected
        if within_days == 0:
            late = sorted(
                (d.due_on, rid, d.key)
                for rid in world.ids
                for d in engine.deadlines(rid, as_of=as_of)
                if d.status is DeadlineStatus.OVERDUE
            )
            assert keys == late


# ------------------------------------------------------------ missed never blocks


@pytest.mark.rule("SU-5")
@given(st.integers(1, 400), st.sampled_from((0, 12, 23)))
def test_a_missed_initial_meeting_never_blocks_the_review_su5(late: int, hour: int) -> None:
    """SU-5 (and the map: a missed deadline never blocks the review): with the initial
    meeting overdue, the meeting can still be held and the panel convened; the deadline
    is then ``missed``, met on the meeting day, ``days_late`` days late, and no longer
    in the overdue report."""
    clock = FixedClock(datetime(2027, 3, 10, hour, 30, tzinfo=UTC))
    engine = ReviewEngine(MemoryStore(), clock)
    driver = Driver(engine, Plan(42, 30, 6, 3, None))
    driver.run(1 + 16)  # submitted; chair notified … budget recorded
    rid = driver.review_id
    assert rid is not None
    assert engine.get(rid).initial_meeting_on is None
    meeting = by_key(engine.deadlines(rid))["initial_meeting"]
    assert meeting.status is DeadlineStatus.DUE
    clock.advance(days=(meeting.due_on - today(engine)).days + late)

    days_late = (today(engine) - meeting.due_on).days  # local days: summer time may shift it
    assert abs(days_late - late) <= 1
    overdue = by_key(engine.deadlines(rid))["initial_meeting"]
    assert overdue.status is DeadlineStatus.OVERDUE and overdue.days_late == days_late > 0
    reported = engine.overdue(today(engine))
    assert (rid, "initial_meeting") in {(r.review_id, r.key) for r in reported}
    assert engine.get(rid).stage is Stage.SCREENED

    driver.run(2)  # hold_initial_meeting, convene_panel
    assert engine.get(rid).stage is Stage.PANEL_CONVENED
    missed = by_key(engine.deadlines(rid))["initial_meeting"]
    assert missed.status is DeadlineStatus.MISSED
    assert missed.met_on == today(engine) and missed.days_late == days_late
    reported = engine.overdue(today(engine))
    assert (rid, "initial_meeting") not in {(r.review_id, r.key) for r in reported}


@pytest.mark.rule("SU-4")
@pytest.mark.rule("SU-5")
@pytest.mark.rule("SU-7")
@pytest.mark.rule("RP-1")
@pytest.mark.rule("AP-2")
@given(st.lists(st.integers(0, 120), min_size=60, max_size=60))
def test_a_review_late_at_every_step_still_closes_su4_su5_su7_rp1_ap2(
    gaps_between: list[int],
) -> None:
    """SU-4, SU-5, SU-7, RP-1, AP-2 (the map's Clocks: a missed deadline never blocks
    the review): with any gaps between its commands the review reaches ``closed``, each
    deadline ``met`` or ``missed`` (with how late), none reported overdue."""
    clock = FixedClock(datetime(2026, 6, 1, 12, tzinfo=UTC))
    engine = ReviewEngine(MemoryStore(), clock)
    driver = Driver(engine, Plan(20, 20, 2, 1, None))
    for gap in gaps_between:
        clock.advance(days=gap)
        driver.run(1)
    assert driver.review_id is not None
    assert engine.get(driver.review_id).stage is Stage.CLOSED
    for d in engine.deadlines(driver.review_id):
        assert d.status in {DeadlineStatus.MET, DeadlineStatus.MISSED}
        assert d.met_on is not None
        assert d.days_late == max((d.met_on - d.due_on).days, 0)
    assert engine.overdue(today(engine), 10_000) == []


# --------------------------------------------------------------------------- clocks


@pytest.mark.rule("PR-a")
@pytest.mark.parametrize(
    ("command", "field"),
    [
        (c.PauseClock(" ", "Reasons."), "process"),
        (c.PauseClock("Inquest", " "), "reasons"),
        (c.ExtendDeadline("review_complete", date(2026, 12, 1), " "), "reasons"),
    ],
)
def test_pra_clock_changes_need_their_texts(
    engine: ReviewEngine, command: c.Command, field: str
) -> None:
    review = submit(engine)
    assert_refused(engine, review.id, command, BOARD_CHAIR, "PR-a", field, InvalidRequest)


@pytest.mark.rule("PR-a")
def test_pra_pause_twice_resume_unpaused(engine: ReviewEngine) -> None:
    review = submit(engine)
    resume = c.ResumeClock()
    assert_refused(engine, review.id, resume, BOARD_CHAIR, "PR-a", None, TransitionRefused)
    engine.execute(review.id, c.PauseClock("Inquest", "Awaiting the coroner."), BOARD_CHAIR)
    again = c.PauseClock("Inquest", "Again.")
    assert_refused(engine, review.id, again, BOARD_CHAIR, "PR-a", None, TransitionRefused)
    engine.execute(review.id, resume, BOARD_CHAIR)


@pytest.mark.rule("PR-a")
def test_pra_extend_an_unknown_or_closed_deadline(engine: ReviewEngine) -> None:
    review = submit(engine)
    later = today(engine) + timedelta(days=400)
    unknown = c.ExtendDeadline("nothing", later, "Reasons.")
    assert_refused(engine, review.id, unknown, BOARD_CHAIR, "INPUT", "deadline", InvalidRequest)
    engine.execute(review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(review.id, c.ConfirmReview("Met."), BOARD_CHAIR)
    rid = prepare_panel(engine, review.id).id  # the initial meeting is held: met
    met = c.ExtendDeadline("initial_meeting", later, "Reasons.")
    assert_refused(engine, rid, met, BOARD_CHAIR, "PR-a", None, TransitionRefused)


# --------------------------------------------------------------------------- principles


@pytest.mark.rule("PR-d")
def test_prd_withdrawal_needs_reasons(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = c.Withdraw(" ")
    assert_refused(engine, rid, command, BOARD_CHAIR, "PR-d", "reasons", InvalidRequest)


DAY = timedelta(days=1)


TODAY = START.date()


# --------------------------------------------------------------------------- PR-a extensions


@pytest.mark.rule("PR-a")
def test_pra_an_extension_one_day_later_up_to_ten_years(engine: ReviewEngine) -> None:
    review = submit(engine)
    deadline = next(d for d in engine.deadlines(review.id) if d.key == "review_complete")
    same = c.ExtendDeadline("review_complete", deadline.due_on, "Awaiting the trial.")
    assert_refused(engine, review.id, same, BOARD_CHAIR, "PR-a", "new_due", InvalidRequest)
    furthest = today(engine) + timedelta(days=FURTHEST_DAYS)
    far = c.ExtendDeadline("review_complete", furthest, "Awaiting the trial.")
    assert engine.explain(review.id, far, BOARD_CHAIR) == []
    later = c.ExtendDeadline("review_complete", deadline.due_on + DAY, "Awaiting the trial.")
    extended = accepted(engine, review.id, later, BOARD_CHAIR)
    moved = next(d for d in engine.deadlines(extended.id) if d.key == "review_complete")
    assert moved.due_on == deadline.due_on + DAY


@pytest.mark.rule("PR-a")
@given(st.integers(min_value=-30, max_value=FURTHEST_DAYS + 30))
def test_pra_any_extension_day_judged_against_both_limits(days: int) -> None:
    review = _SUBMITTED
    ctx = Context(BOARD_CHAIR, Role.BOARD_CHAIR, TODAY, DEFAULT_SETTINGS)
    due = next(d for d in _SUBMITTED_DEADLINES if d.key == "review_complete").due_on
    new_due = TODAY + timedelta(days=days)
    command = c.ExtendDeadline("review_complete", new_due, "Reasons.")
    found = {(r.rule, r.field) for r in clocks.extend_deadline(review, command, ctx)}
    inside = due < new_due <= TODAY + timedelta(days=FURTHEST_DAYS)
    assert found == (set() if inside else {("PR-a", "new_due")})


def _submitted() -> ReviewEngine:
    return ReviewEngine(MemoryStore(), FixedClock(START))


_ENGINE = _submitted()


_SUBMITTED = submit(_ENGINE)


_SUBMITTED_DEADLINES = _ENGINE.deadlines(_SUBMITTED.id)
