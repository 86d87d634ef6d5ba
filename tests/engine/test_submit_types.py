"""What type checkers are told ``ReviewEngine.submit`` returns is what it returns: each
overload naming a protocol by its literal name promises the record that protocol's
submission makes (an SCR's ``Review``, a SAR's ``SarReview``, an annual report's
``AnnualReport``), and every shipped protocol has one."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime
from typing import Any, Literal, get_args, get_origin

from scr_engine import FixedClock, MemoryStore, ReviewEngine, protocols
from scr_engine import engine as engine_module
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.demo_sar import BUSINESS_MANAGER, demo_referral
from scr_engine.protocols.sar.annual.records import AnnualReport, AnnualReportForm
from scr_engine.protocols.sar.records import Referral, SarReview
from scr_engine.records import Actor, RequestForm, Review
from support.annual import form

_NAMES = {
    **vars(engine_module),
    "AnnualReport": AnnualReport,
    "AnnualReportForm": AnnualReportForm,
    "Referral": Referral,
    "SarReview": SarReview,
    "AnyReview": Review | SarReview | AnnualReport,
    "Literal": Literal,
}


def _promised() -> dict[str, tuple[type, type]]:
    """``{protocol name: (request form, record)}`` from the overloads of ``submit``."""
    found = {}
    for overload in typing.get_overloads(ReviewEngine.submit):
        hints = typing.get_type_hints(overload, globalns=_NAMES)
        protocol = hints["protocol"]
        if get_origin(protocol) is Literal:
            (name,) = get_args(protocol)
            found[name] = (hints["request"], hints["return"])
    return found


def test_each_protocol_s_submission_returns_the_record_its_overload_names() -> None:
    engine = ReviewEngine(MemoryStore(), FixedClock(datetime(2027, 4, 20, 9, tzinfo=UTC)))
    requests: dict[str, tuple[Any, Actor]] = {
        "scr": (demo_request(), REQUESTER),
        "sar": (demo_referral(date(2027, 4, 20)), BUSINESS_MANAGER),
        "sar-annual-report": (form(), BUSINESS_MANAGER),
    }
    promised = _promised()
    assert set(promised) == {p.name for p in protocols.available()} == set(requests)
    assert promised["scr"] == (RequestForm, Review)
    for name, (request_form, record) in promised.items():
        request, actor = requests[name]
        assert isinstance(request, request_form)
        made = engine.submit(request, actor, protocol=name)
        assert type(made) is record, (name, type(made))
