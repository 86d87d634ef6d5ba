"""A SAR's lead reviewer replaced mid-review (SAR-M-3, as an SCR's panel chair or
overview writer is, SU-1): ``appoint_lead_reviewer`` again, with the reasons; the
review keeps who led it before, and they no longer act. On every store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scr_engine.errors import InvalidRequest, PermissionDenied
from scr_engine.history import replay
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import LeadReviewer, WithdrawReason
from scr_engine.records import Actor, Role
from scr_engine.serialization import unstructure
from scr_engine.storage.port import ReviewStore
from support import sar as s
from support.sar_engine import EngineRun
from support.stores import KINDS, fresh_store

pytestmark = pytest.mark.rule("SAR-M-3")

NEW = LeadReviewer("u-lead2", "Nia Newlead", "Independent Reviews Ltd")
NEW_LEAD = Actor("u-lead2", "Nia Newlead", {Role.LEAD_REVIEWER})
REASONS = "Lee Reviewer fell ill and stood down"


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    with fresh_store(request.param, tmp_path) as made:
        yield made


def test_a_replaced_lead_reviewer_is_kept_with_the_reasons(store: ReviewStore) -> None:
    run = s.commissioned(EngineRun(store))
    first = run.r.lead_reviewer
    assert first is not None and run.r.replaced_reviewers == ()
    version = run.r.version
    with pytest.raises(InvalidRequest) as caught:
        run.engine.execute(run.r.id, c.AppointLeadReviewer(NEW, reasons=" "), s.CHAIR)
    assert [(r.rule, r.field) for r in caught.value.refusals] == [("SAR-M-3", "reasons")]
    assert "u-lead" in caught.value.refusals[0].message
    assert run.engine.get(run.r.id).version == version  # nothing stored
    run.do(s.CHAIR, c.AppointLeadReviewer(NEW, reasons=REASONS), days=1)
    assert run.r.lead_reviewer == NEW
    (gone,) = run.r.replaced_reviewers
    assert (gone.reviewer, gone.replaced_by, gone.reasons, gone.day) == (
        first,
        "u-lead2",
        REASONS,
        run.today,
    )
    # The former lead reviewer no longer acts; the new one does.
    item = run.r.methodology.plan[0].id if run.r.methodology else ""
    with pytest.raises(PermissionDenied):
        run.engine.execute(run.r.id, c.ReceiveEvidence(item), s.LEAD)
    run.do(NEW_LEAD, c.ReceiveEvidence(item))
    history = run.engine.history(run.r.id)
    assert replay(history, settings=run.engine.settings_for) == run.engine.get(run.r.id)
    assert run.engine.verify().ok


def test_the_reasons_for_a_replacement_are_erased_with_the_review() -> None:
    """PR-e: the reasons may say what someone knew or did; erasure takes them, and the
    replaced reviewer's name, from the review and its history."""
    from scr_engine import MemoryStore

    run = s.commissioned(EngineRun(MemoryStore()))
    run.do(s.CHAIR, c.AppointLeadReviewer(NEW, reasons=REASONS))
    run.do(s.CHAIR, c.Withdraw(WithdrawReason.MERGED_INTO_OTHER_REVIEW, "merged", "DHR-7"))
    run.engine.erase(run.r.id, s.CHAIR, reasons="retention over", legal_basis="Art. 17")
    held = json.dumps(unstructure(run.engine.store.load(run.r.id))) + json.dumps(
        [dict(e.payload) for e in run.engine.store.history(run.r.id)]
    )
    assert "fell ill" not in held and "Lee Reviewer" not in held and "Nia Newlead" not in held
    assert run.engine.verify().ok
