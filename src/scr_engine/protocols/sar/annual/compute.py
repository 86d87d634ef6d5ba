"""Sections (d)–(g) of an annual report, computed from the SAR reviews' histories as
at 31 March (SAR-A-6, SAR-A-7): a pure function of the events, the year and the
Board's settings, the same whatever order the histories are given in.

- *concluded* in the year: the day of a review's first ``concluded_event`` (its
  settings'; ``ratify`` by default) falls in the year (SAR-A-7);
- *ongoing* at the year's end: screened on or before 31 March, and neither concluded
  nor withdrawn by then (SAR-A-7);
- (f): every action added, progressed, completed or discontinued on a day of the year;
- (g): every ``not_implement`` finding decision dated in the year, with its reasons.

A day is the day the command says it happened (``occurred_on``), else the Board's
local day it was recorded. The report is published (SAR-A-9), so the text it copies
from a review (a finding, the reasons for not implementing one) has every personal
value of that review's events and every item supplied under its information requests
and not cleared for publication struck out (SAR-P-6, SAR-I-6). Every figure names the
events it came from (:class:`~.records.Source`), and the sections name every history
read (its last event), so that a changed event shows (:func:`source_problems`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from scr_engine.clock import local_date
from scr_engine.personal import ERASED, Striker, publication_striker, value_at
from scr_engine.protocols.sar.annual.records import (
    ConcludedReview,
    DeclinedFinding,
    FindingEntry,
    ImplementationEntry,
    OngoingReview,
    OtherReview,
    ReviewSections,
    Source,
    year_end,
    year_start,
)
from scr_engine.protocols.sar.information_records import PUBLIC
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS, SarSettings
from scr_engine.states.stages import TERMINAL_STAGES

_SCR_ENDS = frozenset(str(s) for s in TERMINAL_STAGES)

__all__ = [
    "ACTION_COMMANDS",
    "EventLike",
    "compute",
    "day_of",
    "source_of",
    "source_problems",
    "withheld",
]

ACTION_COMMANDS: tuple[str, ...] = ("add_action", "record_action_progress", "complete_action")
"""The commands that record what was done to implement findings (SAR-A-6(f))."""


class EventLike(Protocol):
    """What :func:`compute` reads of an event (:class:`scr_engine.history.Event`)."""

    @property
    def review_id(self) -> str: ...
    @property
    def sequence(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def command(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def stage_after(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def commitments(self) -> Mapping[str, str]: ...


def day_of(event: EventLike) -> date:
    """The day ``event``'s command happened: its ``occurred_on``, else the Board's
    local day it was recorded."""
    given = event.payload.get("occurred_on")
    if isinstance(given, str):
        try:
            return date.fromisoformat(given)
        except ValueError:
            pass
    return local_date(event.at)


def source_of(event: EventLike) -> Source:
    """The :class:`Source` naming ``event``."""
    return Source(event.review_id, event.sequence, event.hash)


def _date(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _first(events: Sequence[EventLike], test: Any) -> EventLike | None:
    return next((e for e in events if test(e)), None)


def _last(events: Iterable[EventLike], test: Any) -> EventLike | None:
    found = None
    for event in events:
        if test(event):
            found = event
    return found


def withheld(events: Iterable[EventLike]) -> Striker:
    """What a published report strikes out of one review's text (SAR-P-6): every
    personal value its events hold (each path an event commits to), and every item
    supplied under one of its information requests that no disclosure to
    :data:`~scr_engine.protocols.sar.information_records.PUBLIC` cleared (SAR-I-6)."""
    values: set[str] = set()
    supplied: dict[str, set[str]] = {}
    cleared: dict[str, set[str]] = {}
    for event in events:
        for path in event.commitments:
            try:
                value = value_at(event.payload, path)
            except (KeyError, IndexError, ValueError, TypeError):
                continue
            if isinstance(value, str) and value and value != ERASED:
                values.add(value)
        if event.command == "record_information_response":
            into = supplied
        elif event.command == "record_disclosure" and event.payload.get("to") == PUBLIC:
            into = cleared
        else:
            continue
        request = str(event.payload.get("request", ""))
        into.setdefault(request, set()).update(str(i) for i in event.payload.get("items") or ())
    for request, items in supplied.items():
        values |= items - cleared.get(request, set())
    return publication_striker(values)


def _lazily(events: Sequence[EventLike]) -> Callable[[str], str]:
    """:func:`withheld`'s striker of ``events``, made the first time a text of theirs is
    copied: most reviews give a year's report no text, and need not be read for it."""
    made: list[Striker] = []

    def strike(text: str) -> str:
        if not made:
            made.append(withheld(events))
        return made[0](text)

    return strike


def _concluded(
    events: Sequence[EventLike],
    reference: str,
    settings: SarSettings,
    year: int,
    strike: Callable[[str], str],
) -> ConcludedReview | None:
    event_name = settings.concluded_event.value
    concluding = _first(events, lambda e: e.command == event_name)
    if concluding is None:
        return None
    on = day_of(concluding)
    if not year_start(year) <= on <= year_end(year):
        return None
    upto = [e for e in events if e.sequence <= concluding.sequence]
    screening = _first(upto, lambda e: e.stage_after == "screened")
    report = _last(upto, lambda e: e.command == "submit_report")
    terms = _last(upto, lambda e: e.command == "agree_terms_of_reference")
    screened_on = day_of(screening) if screening is not None else None
    found = report.payload.get("report", {}) if report is not None else {}
    findings = tuple(
        FindingEntry(str(f.get("id", "")), strike(str(f.get("text", ""))))
        for f in (found.get("findings") or ())
    )
    period = terms.payload.get("terms", {}) if terms is not None else {}
    used = [e for e in (screening, terms, report, concluding) if e is not None]
    return ConcludedReview(
        concluding.review_id,
        reference,
        on,
        screened_on,
        (on - screened_on).days if screened_on is not None else None,
        _date(period.get("period_start")),
        _date(period.get("period_end")),
        findings,
        tuple(source_of(e) for _, e in sorted({e.sequence: e for e in used}.items())),
    )


def _ongoing(
    events: Sequence[EventLike], reference: str, settings: SarSettings, year: int
) -> OngoingReview | None:
    end = year_end(year)
    screening = _first(events, lambda e: e.stage_after == "screened")
    if screening is None or day_of(screening) > end:
        return None
    concluding = _first(events, lambda e: e.command == settings.concluded_event.value)
    if concluding is not None and day_of(concluding) <= end:
        return None
    withdrawal = _first(events, lambda e: e.stage_after == "withdrawn")
    if withdrawal is not None and day_of(withdrawal) <= end:
        return None
    then = _last(events, lambda e: day_of(e) <= end)
    stage = then.stage_after if then is not None else "screened"
    return OngoingReview(
        screening.review_id, reference, day_of(screening), stage, (source_of(screening),)
    )


def _implementation(
    events: Sequence[EventLike], reference: str, year: int
) -> list[ImplementationEntry]:
    out: list[ImplementationEntry] = []
    served: dict[str, tuple[str, ...]] = {}
    for event in events:
        if event.command not in ACTION_COMMANDS:
            continue
        if event.command == "add_action":
            action = event.payload.get("action", {})
            action_id = str(action.get("id", ""))
            served[action_id] = tuple(str(f) for f in action.get("findings") or ())
            what = "added"
        else:
            action_id = str(event.payload.get("action", ""))
            if event.command == "record_action_progress":
                what = "progressed"
            else:
                what = "discontinued" if event.payload.get("discontinued") else "completed"
        on = day_of(event)
        if year_start(year) <= on <= year_end(year):
            out.append(
                ImplementationEntry(
                    event.review_id,
                    reference,
                    action_id,
                    what,
                    on,
                    served.get(action_id, ()),
                    source_of(event),
                )
            )
    return out


def _declined(
    events: Sequence[EventLike], reference: str, year: int, strike: Callable[[str], str]
) -> list[DeclinedFinding]:
    out: list[DeclinedFinding] = []
    for event in events:
        if event.command != "decide_finding" or event.payload.get("decision") != "not_implement":
            continue
        on = day_of(event)
        if year_start(year) <= on <= year_end(year):
            out.append(
                DeclinedFinding(
                    event.review_id,
                    reference,
                    str(event.payload.get("finding", "")),
                    on,
                    strike(str(event.payload.get("reasons", ""))),
                    source_of(event),
                )
            )
    return out


def _other(events: Sequence[EventLike], year: int) -> OtherReview | None:
    """An SCR open at some time in the year: received by 31 March, and not ended
    before 1 April; with its stage at the year's end."""
    first = events[0]
    received = day_of(first)
    if received > year_end(year):
        return None
    ended = _first(events, lambda e: e.stage_after in _SCR_ENDS)
    if ended is not None and day_of(ended) < year_start(year):
        return None
    then = _last(events, lambda e: day_of(e) <= year_end(year))
    return OtherReview(
        first.review_id,
        str(first.payload.get("reference", "")),
        str(first.payload.get("protocol") or "scr"),
        received,
        then.stage_after if then is not None else first.stage_after,
        tuple({e.sequence: source_of(e) for e in (first, then) if e is not None}.values()),
    )


def _settings(settings: SarSettings | Mapping[str, SarSettings], review_id: str) -> SarSettings:
    if isinstance(settings, SarSettings):
        return settings
    return settings.get(review_id, DEFAULT_SAR_SETTINGS)


def compute(
    histories: Iterable[Sequence[EventLike]],
    year: int,
    settings: SarSettings | Mapping[str, SarSettings] = DEFAULT_SAR_SETTINGS,
) -> ReviewSections:
    """Sections (d)–(g) of the financial year ``year`` (1 April ``year`` to 31 March
    ``year + 1``) from the SAR reviews' ``histories`` (each in sequence order; an SCR's
    is listed apart when it was open in the year, :class:`~.records.OtherReview`; any
    other protocol's is left out), under ``settings`` (one for every review, or each
    review's by its id: its ``concluded_event``). Deterministic: the sections are the
    same whatever order the histories come in."""
    concluded: list[ConcludedReview] = []
    ongoing: list[OngoingReview] = []
    implementation: list[ImplementationEntry] = []
    declined: list[DeclinedFinding] = []
    read: list[Source] = []
    other: list[OtherReview] = []
    ordered = sorted(
        (tuple(h) for h in histories if h),
        key=lambda h: (str(h[0].payload.get("reference", "")), h[0].review_id),
    )
    for events in ordered:
        first = events[0]
        protocol = first.payload.get("protocol") or "scr"
        if protocol == "scr":
            read.append(source_of(events[-1]))
            found = _other(events, year)
            if found is not None:
                other.append(found)
            continue
        if protocol != "sar":
            continue
        reference = str(first.payload.get("reference", ""))
        own = _settings(settings, first.review_id)
        read.append(source_of(events[-1]))
        strike = _lazily(events)
        done = _concluded(events, reference, own, year, strike)
        if done is not None:
            concluded.append(done)
        still = _ongoing(events, reference, own, year)
        if still is not None:
            ongoing.append(still)
        implementation.extend(_implementation(events, reference, year))
        declined.extend(_declined(events, reference, year, strike))
    return ReviewSections(
        year,
        year_end(year),
        tuple(concluded),
        tuple(ongoing),
        tuple(sorted(implementation, key=lambda i: (i.on, i.reference, i.source.sequence))),
        tuple(sorted(declined, key=lambda d: (d.decided_on, d.reference, d.source.sequence))),
        tuple(read),
        tuple(other),
    )


def source_problems(
    sections: ReviewSections, histories: Iterable[Sequence[EventLike]]
) -> list[str]:
    """Every figure of ``sections`` whose source event is no longer what it was (its
    hash changed, or it is gone) in ``histories``: what a check of a compiled report
    against the store finds."""
    hashes = {(e.review_id, e.sequence): e.hash for h in histories for e in h}
    cited: list[Source] = list(sections.read)
    for c in sections.concluded:
        cited.extend(c.sources)
    for o in sections.ongoing:
        cited.extend(o.sources)
    for x in sections.other:
        cited.extend(x.sources)
    cited.extend(i.source for i in sections.implementation)
    cited.extend(d.source for d in sections.not_implemented)
    out = []
    for s in cited:
        now = hashes.get((s.review_id, s.sequence))
        if now != s.hash:
            what = "is gone" if now is None else "has changed"
            out.append(f"event {s.sequence} of review {s.review_id} {what}")
    return sorted(set(out))
