"""Finding reviews across a store (``_listing``): the filters of ``reviews``, the pages
of ``overdue`` and ``pending_tasks`` read for an actor, and the scan for a reference.

A store here is a stand-in holding plain records and rows, so that each test sees
exactly which pages were asked for and which reviews were judged readable: a read for
an actor is logged, so a page read past what was asked for judges (and logs) reviews
the caller never sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from types import SimpleNamespace
from typing import Any

import pytest

from scr_engine import FixedClock, MemoryStore, ReviewEngine
from scr_engine._listing import (
    _agency_words,
    matching,
    pending_page,
    readable_overdue,
    scan_for,
    wanted_stages,
)
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.errors import InvalidRequest
from scr_engine.records import Agency, Task, TaskKind
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.storage.port import DeadlineRow

DAY = date(2026, 6, 1)
START = datetime(2026, 2, 2, 9, tzinfo=UTC)


def _record(reference: str, stage: str = "requested", *agencies: Agency) -> Any:
    return SimpleNamespace(
        id=f"id-{reference}",
        reference=reference,
        stage=stage,
        involved_agencies=agencies,
        agencies=tuple(a.code for a in agencies),
    )


class _Store:
    """Records by id, deadline rows and tasks, and every page asked of them."""

    def __init__(
        self,
        records: Iterable[Any] = (),
        rows: Iterable[DeadlineRow] = (),
        tasks: Iterable[Task] = (),
    ) -> None:
        self.records = {r.id: r for r in records}
        self.rows = sorted(rows, key=lambda r: r.sort_key)
        self.tasks = sorted(tasks, key=lambda t: t.sort_key)
        self.asked: list[tuple[Any, ...]] = []

    def review_ids(self, *, after: str | None = None, limit: int = 1000) -> list[str]:
        return [i for i in sorted(self.records) if after is None or i > after][:limit]

    def load(self, review_id: str) -> Any:
        return self.records[review_id]

    def overdue(
        self,
        as_of: date,
        within_days: int = 0,
        *,
        limit: int = 100,
        after: tuple[date, str, str] | None = None,
    ) -> list[DeadlineRow]:
        self.asked.append(("overdue", within_days, limit, after))
        end = as_of + timedelta(days=within_days)
        due = [r for r in self.rows if r.due_on < end and (after is None or r.sort_key > after)]
        return due[:limit]

    def pending_tasks(
        self, *, limit: int = 100, after: tuple[datetime, str] | None = None
    ) -> list[Task]:
        self.asked.append(("pending", limit, after))
        return [t for t in self.tasks if after is None or t.sort_key > after][:limit]


class _OldStore(_Store):
    """A store written before ``pending_tasks`` took ``after``."""

    def pending_tasks(self, *, limit: int = 100) -> list[Task]:  # type: ignore[override]
        return super().pending_tasks(limit=limit)


def _row(review: str, due: date, key: str = "k") -> DeadlineRow:
    return DeadlineRow(
        review, f"ref-{review}", key, "SU-4", "Review due", due, None, DeadlineStatus.DUE
    )


def _task(review: str, n: int) -> Task:
    at = datetime(2026, 2, 2, 9, tzinfo=UTC) + timedelta(minutes=n)
    return Task(f"t-{n:02}", review, TaskKind.SECURE_RECORDS, "LA1", at)


class _Judge:
    """A read policy for the test: reviews in ``readable`` may be read; each review
    judged is remembered, in order."""

    def __init__(self, readable: Iterable[str]) -> None:
        self.readable = set(readable)
        self.judged: list[str] = []

    def __call__(self, review_id: str) -> bool:
        self.judged.append(review_id)
        return review_id in self.readable


def test_every_filter_passes_over_a_review_and_goes_on_to_the_next() -> None:
    """A review a filter leaves out is passed over, never the end of the search:
    reviews before the cursor, at another stage, or without the text, in any order."""
    la = Agency("LA1", "Hilltown Council", True)
    gp = Agency("GP", "Riverside Surgery", False)
    records = [
        _record("SCR-2026-001", "requested", la),
        _record("SCR-2026-002", "screened", gp),
        _record("SCR-2026-003", "requested", gp),
        _record("SCR-2026-004", "screened", la),
    ]
    store: Any = _Store(reversed(records))

    def refs(**filters: Any) -> list[str]:
        given = {"stages": None, "agency": None, "text": None, "overdue_on": None, "after": None}
        found = matching(store, **{**given, **filters}, settings_of=lambda r: None)
        return [r.reference for r in found]

    assert refs() == [r.reference for r in records]
    assert refs(after="SCR-2026-002") == ["SCR-2026-003", "SCR-2026-004"]
    assert refs(stages=["screened"]) == ["SCR-2026-002", "SCR-2026-004"]
    assert refs(text="riverside") == ["SCR-2026-002", "SCR-2026-003"]
    assert refs(text="la1") == ["SCR-2026-001", "SCR-2026-004"]
    assert refs(agency="GP") == ["SCR-2026-002", "SCR-2026-003"]


def test_an_agency_is_found_by_code_and_name_whatever_the_record() -> None:
    """A record with ``involved_agencies`` (an SCR, a SAR) is found by each agency's
    code and name; one without (an annual report, a protocol naming its agencies by
    code alone) by the codes every record has."""
    la = Agency("LA1", "Hilltown Council", True)
    assert list(_agency_words(_record("SCR-2026-001", "requested", la))) == [
        "LA1",
        "Hilltown Council",
    ]
    codes_only: Any = SimpleNamespace(agencies=("LA1", "PCT"))
    assert list(_agency_words(codes_only)) == ["LA1", "PCT"]
    report: Any = SimpleNamespace(
        id="id-report", reference="SAR-AR-2027-001", stage="drafting", agencies=()
    )
    assert list(_agency_words(report)) == []
    store: Any = _Store([_record("SCR-2026-001", "requested", la), report])
    found = matching(store, None, None, "hilltown", None, None, lambda r: None)
    assert [r.reference for r in found] == ["SCR-2026-001"]


def test_a_reference_no_review_has_is_none() -> None:
    store: Any = _Store([_record("SCR-2026-001"), _record("SCR-2026-002")])
    assert scan_for(store, "SCR-2026-002") == "id-SCR-2026-002"
    assert scan_for(store, "SCR-2026-009") is None


class _Code(Enum):
    """A host's own enum of stage codes (not text itself)."""

    REQUESTED = "requested"


def test_stages_are_codes_or_their_enum_members_and_a_wrong_one_is_refused() -> None:
    assert wanted_stages(None) is None
    assert wanted_stages([_Code.REQUESTED, "screened"]) == frozenset({"requested", "screened"})
    with pytest.raises(InvalidRequest) as one:
        wanted_stages("requested")
    assert one.value.command == "reviews"
    assert [(r.rule, r.field, r.message) for r in one.value.refusals] == [
        ("INPUT", "stages", "stages must be a list of stage codes, not one")
    ]
    with pytest.raises(InvalidRequest) as unknown:
        wanted_stages(["requestd", 5])
    assert unknown.value.command == "reviews"
    [refusal] = unknown.value.refusals
    assert refusal.field == "stages"
    assert refusal.message.startswith("no protocol has the stage 'requestd', 5; the stages are: ")
    assert ", requested, " in refusal.message


def test_overdue_for_an_actor_reads_pages_only_until_the_page_is_full() -> None:
    """``limit`` rows of readable reviews, in order, the window ``within_days`` wide;
    pages of ``limit`` rows are read until enough are found, and no review beyond
    them is judged (each judgement is a logged read)."""
    rows = [_row(f"r{n}", DAY - timedelta(days=10 - n)) for n in range(8)]
    rows.append(_row("r8", DAY + timedelta(days=3)))  # due within three days
    store: Any = _Store(rows=rows)
    judge = _Judge({"r0", "r2", "r3", "r5", "r6", "r7", "r8"})
    found = readable_overdue(store, DAY, 0, 3, None, judge)
    assert [r.review_id for r in found] == ["r0", "r2", "r3"]
    assert [r.status for r in found] == [DeadlineStatus.OVERDUE] * 3  # as of the day
    assert judge.judged == ["r0", "r1", "r2", "r3", "r4", "r5"]  # two pages of three
    assert store.asked == [("overdue", 0, 3, None), ("overdue", 0, 3, rows[2].sort_key)]
    judge = _Judge({"r0", "r8"})
    found = readable_overdue(store, DAY, 5, 2, None, judge)
    assert [(r.review_id, r.status) for r in found] == [
        ("r0", DeadlineStatus.OVERDUE),
        ("r8", DeadlineStatus.DUE),
    ]
    assert readable_overdue(store, DAY, 0, 3, rows[5].sort_key, _Judge({"r7"})) == [
        rows[7].as_of(DAY)
    ]


def test_pending_tasks_for_an_actor_read_pages_only_until_the_page_is_full() -> None:
    """As for overdue: ``limit`` tasks of readable reviews after the cursor, pages read
    until enough are found, no review beyond them judged; without an actor, the
    store's own page after the cursor; a store without ``after`` is not passed one
    for the first page."""
    tasks = [_task(f"r{n // 2}", n) for n in range(8)]  # two tasks a review
    store: Any = _Store(tasks=tasks)
    judge = _Judge({"r0", "r2"})
    assert [t.id for t in pending_page(store, 3, None, judge)] == ["t-00", "t-01", "t-04"]
    assert judge.judged == ["r0", "r1", "r2"]
    assert store.asked == [("pending", 3, None), ("pending", 3, tasks[2].sort_key)]
    assert pending_page(store, 3, tasks[5].sort_key, None) == tasks[6:8]
    assert pending_page(store, 10, None, _Judge({"r3"})) == tasks[6:8]
    old: Any = _OldStore(tasks=tasks)
    assert pending_page(old, 2, None, _Judge({"r0", "r1"})) == tasks[:2]
    assert pending_page(old, 2, None, None) == tasks[:2]


def test_the_overdue_filter_passes_over_a_review_on_time() -> None:
    """``reviews(overdue=True)``: a review with nothing overdue, met first in the
    store's order, is passed over, and the late one after it is found."""
    ids = iter(["b-late", "a-on-time"])
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock, new_id=lambda: next(ids))
    late = engine.submit(demo_request(), REQUESTER)
    clock.advance(days=120)
    on_time = engine.submit(demo_request(), REQUESTER)
    assert on_time.id < late.id  # the store's order puts it first
    assert [r.id for r in engine.reviews(overdue=True)] == [late.id]
    assert {r.id for r in engine.reviews()} == {late.id, on_time.id}
