"""A command of another protocol is refused as input, naming the class to use: a
command's name alone does not say which protocol's it is (the SCR and the SAR both
have a ``record_chair_notified``, with other fields), and the review's protocol
decides."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scr_engine import FixedClock, InvalidRequest, MemoryStore, ReviewEngine
from scr_engine import commands as c
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.demo_sar import BUSINESS_MANAGER, demo_referral
from scr_engine.protocols.sar import commands as sar


@pytest.fixture
def engine() -> ReviewEngine:
    return ReviewEngine(MemoryStore(), FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))


def test_an_scr_command_named_as_a_sar_one_is_refused_on_a_sar(engine: ReviewEngine) -> None:
    review = engine.submit(demo_referral(date(2026, 3, 2)), BUSINESS_MANAGER, protocol="sar")
    command = c.RecordChairNotified(date(2026, 3, 2))
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, command, BUSINESS_MANAGER)
    (refusal,) = refused.value.refusals
    assert refusal.rule == "INPUT"
    assert "scr_engine.commands.RecordChairNotified is not a command of the sar" in refusal.message
    assert "scr_engine.protocols.sar.commands.RecordChairNotified" in refusal.message
    assert engine.explain(review.id, command, BUSINESS_MANAGER) == [refusal]
    assert engine.get(review.id) == review


def test_a_sar_command_is_refused_on_an_scr_naming_the_protocol(engine: ReviewEngine) -> None:
    review = engine.submit(demo_request(), REQUESTER)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, sar.AcknowledgeRequest(), BUSINESS_MANAGER)
    message = refused.value.refusals[0].message
    assert message == (
        "scr_engine.protocols.sar.commands.AcknowledgeRequest is not a command of the scr "
        f"protocol, which review {review.reference} runs under"
    )
