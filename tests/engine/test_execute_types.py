"""What type checkers are told ``ReviewEngine.execute`` returns is what it returns: each
overload names a protocol's base class of commands and the record that protocol's
reviews are (an SCR command gives a ``Review``, a SAR's a ``SarReview``, an annual
report's an ``AnnualReport``), so a host needs no cast; only a command every protocol
takes (erasure) gives any of them."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime
from typing import Any

from scr_engine import FixedClock, MemoryStore, ReviewEngine, protocols
from scr_engine import commands as c
from scr_engine import engine as engine_module
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request
from scr_engine.demo_sar import BUSINESS_MANAGER, demo_referral
from scr_engine.protocols.sar import commands as sar
from scr_engine.protocols.sar.annual.commands import AnnualReportCommand
from scr_engine.protocols.sar.annual.records import AnnualReport
from scr_engine.protocols.sar.records import SarReview
from scr_engine.records import Review

_ANY = Review | SarReview | AnnualReport
_NAMES = {
    **vars(engine_module),
    "AnnualReport": AnnualReport,
    "AnnualReportCommand": AnnualReportCommand,
    "SarCommand": sar.SarCommand,
    "SarReview": SarReview,
    "AnyReview": _ANY,
}
_RECORDS = {"scr": Review, "sar": SarReview, "sar-annual-report": AnnualReport}


def _promised(command: type) -> Any:
    """The return type of the first overload of ``execute`` taking ``command``."""
    for overload in typing.get_overloads(ReviewEngine.execute):
        hints = typing.get_type_hints(overload, globalns=_NAMES)
        if issubclass(command, hints["command"]):
            return hints["return"]
    raise AssertionError(f"no overload of execute takes {command.__name__}")


def test_every_command_of_a_protocol_returns_that_protocol_s_record() -> None:
    shared = {c.ErasePersonalData}
    assert {p.name for p in protocols.available()} == set(_RECORDS)
    for definition in protocols.available():
        for name, command in definition.commands.items():
            expected = _ANY if command in shared else _RECORDS[definition.name]
            assert _promised(command) == expected, (definition.name, name)


def test_what_execute_returns_is_the_record_promised() -> None:
    engine = ReviewEngine(MemoryStore(), FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    scr = engine.submit(demo_request(), REQUESTER)
    made: Review = engine.execute(scr.id, c.AssessCriteria(), BOARD_CHAIR)
    assert type(made) is _promised(c.AssessCriteria) is Review
    referral = engine.submit(demo_referral(date(2026, 3, 2)), BUSINESS_MANAGER, protocol="sar")
    acknowledged: SarReview = engine.execute(
        referral.id, sar.AcknowledgeRequest(), BUSINESS_MANAGER
    )
    assert type(acknowledged) is _promised(sar.AcknowledgeRequest) is SarReview


def test_the_sar_demo_s_helpers_promise_what_they_return() -> None:
    """A host starting from ``demo_sar`` (as the guides do) gets typed records, not
    ``Any``: the helpers' annotations name the SAR's record and the annual report's
    form, and what they return is that."""
    from scr_engine import demo_sar
    from scr_engine.protocols.sar.annual.records import AnnualReportForm

    names = {**vars(demo_sar), "AnnualReportForm": AnnualReportForm}
    for helper, promised in (
        (demo_sar.run_sar_main_line, SarReview),
        (demo_sar.close_through_annual_report, SarReview),
        (demo_sar.run_sar_demo, SarReview),
        (demo_sar.demo_annual_report_form, AnnualReportForm),
    ):
        assert typing.get_type_hints(helper, globalns=names)["return"] is promised
    assert type(demo_sar.demo_annual_report_form(2026)) is AnnualReportForm
    engine = ReviewEngine(MemoryStore(), FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    assert type(demo_sar.run_sar_main_line(engine)) is SarReview
