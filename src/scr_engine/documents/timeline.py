"""The timeline of a review (issue 12): where the time went, as data for a picture.

The stages come from the review's history (the day each stage was entered, in the
Board's calendar); without the history, only the days the review itself records
(received, initial meeting, report submitted, ratified, closed) are known, and the
timeline says so. Every deadline is drawn from its start to its due date, marked met,
missed, overdue, due, paused or cancelled; every pause is a band. :func:`svg_layout`
turns it into the coordinates the HTML template draws: inline SVG, no script.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from attrs import frozen

from scr_engine.history import Event, event_day
from scr_engine.records import Review
from scr_engine.rules.deadlines import Deadline, DeadlineStatus, deadlines
from scr_engine.rules.settings import ProtocolSettings
from scr_engine.states.stages import Stage
from scr_engine.words import stage_words

__all__ = [
    "Band",
    "Bar",
    "PauseSpan",
    "StageSpan",
    "SvgLayout",
    "Tick",
    "Timeline",
    "review_timeline",
    "svg_layout",
]


@frozen
class StageSpan:
    """A stage the review was in, from the day it was entered until the next one
    (``ended_on`` None: the review is still in it, or it is final)."""

    stage: Stage
    started_on: date
    ended_on: date | None

    def days(self, as_of: date) -> int:
        """How many days the review spent (or has spent by ``as_of``) in the stage."""
        if self.stage.terminal:
            return 0
        end = self.ended_on if self.ended_on is not None else as_of
        return max((end - self.started_on).days, 0)


@frozen
class PauseSpan:
    """A pause of the review's clocks (``ended_on`` None: still paused)."""

    started_on: date
    ended_on: date | None
    process: str

    def days(self, as_of: date) -> int:
        """How many days the pause lasted (or has lasted by ``as_of``)."""
        end = self.ended_on if self.ended_on is not None else as_of
        return max((end - self.started_on).days, 0)


@frozen
class Timeline:
    """The review's stages, deadlines and pauses on ``as_of``."""

    reference: str
    as_of: date
    stages: tuple[StageSpan, ...]
    deadlines: tuple[Deadline, ...]
    pauses: tuple[PauseSpan, ...]
    from_history: bool
    """The stages' dates come from the history (else from the review's own dates)."""
    missing: tuple[str, ...]
    ended_on: date | None = None
    """The day the review ended (entered its final stage: closed, withdrawn …); None
    while it is open. The picture's axis ends there, not on ``as_of``."""


def _stages_from_history(events: Sequence[Event]) -> list[tuple[Stage, date]]:
    entered: list[tuple[Stage, date]] = []
    for event in events:
        if event.stage_before is None or event.stage_before != event.stage_after:
            entered.append((Stage(event.stage_after), event_day(event)))
    return entered


def _stages_from_review(review: Review) -> list[tuple[Stage, date]]:
    entered: list[tuple[Stage, date]] = [(Stage.REQUESTED, review.received_on)]
    report = review.overview_report
    known = [
        (Stage.PANEL_CONVENED, review.initial_meeting_on),
        (Stage.OVERVIEW_DRAFTED, report.submitted_on if report is not None else None),
        (Stage.RATIFIED, review.ratified_on),
        (Stage.CLOSED, review.closed_on),
    ]
    for stage, on in known:
        if on is not None:
            entered.append((stage, on))
    if review.stage not in {stage for stage, _ in entered}:
        entered.append((review.stage, entered[-1][1]))
    return entered


def review_timeline(
    review: Review,
    settings: ProtocolSettings,
    as_of: date,
    history: Sequence[Event] | None = None,
) -> Timeline:
    """The timeline of ``review`` on ``as_of``; ``history`` (the review's events, as
    :meth:`scr_engine.ReviewEngine.history` gives them) dates every stage."""
    missing: list[str] = []
    events = [e for e in history or () if e.review_id == review.id and e.sequence <= review.version]
    if events:
        entered = _stages_from_history(events)
    else:
        entered = _stages_from_review(review)
        missing.append(
            "the review's history was not given: stages are dated only from the days "
            "the review records (received, initial meeting, report, ratified, closed)"
        )
    spans = tuple(
        StageSpan(stage, on, entered[i + 1][1] if i + 1 < len(entered) else None)
        for i, (stage, on) in enumerate(entered)
    )
    pauses = tuple(PauseSpan(p.started_on, p.ended_on, p.process) for p in review.pauses)
    last = spans[-1] if spans else None
    return Timeline(
        review.reference,
        as_of,
        spans,
        deadlines(review, settings, as_of),
        pauses,
        bool(events),
        tuple(missing),
        last.started_on if last is not None and last.stage.terminal else None,
    )


# --------------------------------------------------------------------------- picture


@frozen
class Bar:
    """One row of the picture: a label, a bar from ``x`` for ``width``, a mark."""

    label: str
    x: float
    width: float
    y: float
    kind: str
    """``stage`` or the deadline's status (``met``, ``missed``, ``overdue`` …)."""
    note: str
    mark_x: float | None = None
    """Where the deadline was met (or, when overdue, today)."""
    due_x: float | None = None
    """Where the deadline falls due."""


@frozen
class Tick:
    """A date on the axis."""

    x: float
    label: str


@frozen
class Band:
    """A pause, across the whole height."""

    x: float
    width: float
    label: str


@frozen
class SvgLayout:
    """Everything the HTML template draws, in SVG user units."""

    width: int
    height: int
    left: int
    top: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    bands: tuple[Band, ...]
    today_x: float
    deadline_top: float
    """Where the deadlines' rows start (below the stages)."""
    end_label: str = ""
    """What the dashed line at ``today_x`` marks: ``as of <day>`` for an open review,
    ``ended <day>`` for one that has ended."""


_WIDTH = 1000
_LEFT = 320
_RIGHT = 40
_TOP = 40
_ROW = 22


def svg_layout(timeline: Timeline) -> SvgLayout:
    """The coordinates of the timeline's picture: one row per stage, then one per
    deadline, date on the horizontal axis, pauses as bands, a dashed line on the day
    the review ended or, while it is open, on ``as_of``.

    The axis runs from the first day shown to the review's end (:attr:`Timeline.ended_on`)
    — a review closed months before ``as_of`` fills the picture — or, for an open
    review, to ``as_of`` or the last due date after it; what lies beyond an ended
    review's end (a deadline that would have fallen due later) is cut at its end."""
    ended = timeline.ended_on
    marker = ended if ended is not None else timeline.as_of
    days: list[date] = [marker]
    for span in timeline.stages:
        days.append(span.started_on)
    for d in timeline.deadlines:
        days.extend([d.starts_on, d.due_on])
        if d.met_on is not None:
            days.append(d.met_on)
    for p in timeline.pauses:
        days.append(p.started_on)
    start, end = min(days), max(days)
    if ended is not None:
        end = ended
    if end <= start:
        end = start + timedelta(days=1)
    span_days = (end - start).days
    scale = (_WIDTH - _LEFT - _RIGHT) / span_days

    def x(day: date) -> float:
        return round(_LEFT + (min(max(day, start), end) - start).days * scale, 1)

    bars: list[Bar] = []
    y = float(_TOP)
    for stage in timeline.stages:
        until = stage.ended_on if stage.ended_on is not None else marker
        if stage.stage.terminal:
            until = stage.started_on
        width = max(x(until) - x(stage.started_on), 2.0)
        note = f"{stage.started_on.isoformat()}, {stage.days(timeline.as_of)} days"
        if stage.stage.terminal:
            note = f"{stage.started_on.isoformat()} (final)"
        label = stage_words(stage.stage.value)
        bars.append(Bar(label, x(stage.started_on), width, y, "stage", note))
        y += _ROW
    deadline_top = y + _ROW / 2
    y = deadline_top
    for d in timeline.deadlines:
        mark: float | None = None
        if d.met_on is not None:
            mark = x(d.met_on)
        elif d.status is DeadlineStatus.OVERDUE:
            mark = x(marker)
        width = max(x(d.due_on) - x(d.starts_on), 2.0)
        note = f"{d.status.value}, due {d.due_on.isoformat()}"
        if d.met_on is not None:
            note += f", met {d.met_on.isoformat()}"
        if d.days_late:
            note += f", {d.days_late} days late"
        bars.append(
            Bar(
                f"{d.rule} {d.title}",
                x(d.starts_on),
                width,
                y,
                d.status.value,
                note,
                mark,
                x(d.due_on),
            )
        )
        y += _ROW
    bands = tuple(
        Band(
            x(p.started_on),
            max(x(p.ended_on or marker) - x(p.started_on), 2.0),
            f"paused: {p.process}",
        )
        for p in timeline.pauses
    )
    ticks: list[Tick] = []
    month = date(start.year, start.month, 1)
    step = max(1, span_days // 300 + 1)  # at most about ten labels a picture
    while month <= end:
        if month >= start:
            ticks.append(Tick(x(month), month.strftime("%b %Y")))
        total = month.month - 1 + step
        month = date(month.year + total // 12, total % 12 + 1, 1)
    height = int(y + _ROW)
    said = f"ended {ended.isoformat()}" if ended is not None else f"as of {marker.isoformat()}"
    return SvgLayout(
        _WIDTH,
        height,
        _LEFT,
        _TOP,
        tuple(bars),
        tuple(ticks),
        bands,
        x(marker),
        deadline_top,
        said,
    )
