"""Both protocols in one store, driven at random (issue 23): the SAR's state machine
(``tests/protocols/sar/test_machine.py``, every invariant of it) run through the
engine and a store, while SCRs are submitted, screened and withdrawn beside it in the
same store.

Whatever the interleaving, each review is judged, advanced and replayed by the
definition it records: a SAR's refusals cite only SAR rules (the SAR machine checks
it), an SCR's only SCR rules; neither protocol's command is accepted on the other's
review; the store lists each review as its own record; and the whole store verifies.
"""

from __future__ import annotations

import tempfile
from typing import Any, ClassVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

from scr_engine import MemoryStore
from scr_engine import commands as scr
from scr_engine.access import ReadPolicy, ReadScope
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request
from scr_engine.errors import ScrEngineError
from scr_engine.history import replay
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import SarReview
from scr_engine.records import Review, Role
from scr_engine.rules.registry import RULES
from scr_engine.storage.port import ReviewStore
from support.sar import MANAGER, adult, referral
from support.sar_engine import EngineRun
from support.sar_machine import SarMachine


class BothProtocolsMachine(SarMachine):
    """The SAR machine on an engine and a :class:`MemoryStore`, with SCRs beside it."""

    reached: ClassVar[set[tuple[str, str]]] = set()
    """Every (protocol, stage) a review of the store stood at, over all runs."""

    def __init__(self) -> None:
        super().__init__()
        # Who may *read* is proved elsewhere (PR-e): here every role reads everything.
        everyone = ReadPolicy({role: ReadScope.ALL for role in Role})
        self.run = EngineRun(self.make_store(), read_policy=everyone)
        self.run.do(MANAGER, c.SubmitRequest(referral(adult("a1"), adult("a2"))))
        self.scrs: dict[str, Review] = {}

    def make_store(self) -> ReviewStore:
        """The store of one run: in memory here; :class:`SqliteBothProtocolsMachine`
        runs the same machine on a SQLite file."""
        return MemoryStore()

    @property
    def engine(self) -> Any:
        return self.run.engine

    def scr_command(self, review_id: str, command: Any, actor: Any) -> None:
        """Issue an SCR command; a refusal cites SCR rules only and changes nothing."""
        before = self.engine.store.history(review_id)
        try:
            self.scrs[review_id] = self.engine.execute(review_id, command, actor)
        except ScrEngineError as exc:
            assert all(r.rule in RULES for r in getattr(exc, "refusals", ())), exc
            assert self.engine.store.history(review_id) == before

    @rule()
    def submit_scr(self) -> None:
        review = self.engine.submit(demo_request(), REQUESTER)
        assert isinstance(review, Review) and review.reference.startswith("SCR-")
        self.scrs[review.id] = review

    @rule(pick=st.integers(0, 5))
    def screen_scr(self, pick: int) -> None:
        if not self.scrs:
            return
        review_id = sorted(self.scrs)[pick % len(self.scrs)]
        day = self.scrs[review_id].received_on
        self.scr_command(review_id, scr.RecordChairNotified(day), BUSINESS_MANAGER)
        self.scr_command(review_id, scr.AssessCriteria(), BOARD_CHAIR)
        self.scr_command(review_id, scr.ConfirmReview("A criterion is met."), BOARD_CHAIR)

    @rule(pick=st.integers(0, 5))
    def withdraw_scr(self, pick: int) -> None:
        """CR-1: a review whose criterion is met is withdrawn only once screened."""
        if self.scrs:
            review_id = sorted(self.scrs)[pick % len(self.scrs)]
            if self.scrs[review_id].stage == "requested":
                self.screen_scr(pick)
            self.scr_command(review_id, scr.Withdraw("no longer needed"), BOARD_CHAIR)

    @rule(pick=st.integers(0, 5))
    def a_sar_command_on_an_scr_is_not_a_command(self, pick: int) -> None:
        """A SAR's command on an SCR (and an SCR's on the SAR) is refused as no
        command of that review's protocol, and changes nothing."""
        if self.scrs:
            review_id = sorted(self.scrs)[pick % len(self.scrs)]
            before = self.engine.store.history(review_id)
            refusals = self.engine.explain(review_id, c.ReopenRequest("new facts"), BOARD_CHAIR)
            assert [r.rule for r in refusals] == ["INPUT"]
            assert self.engine.store.history(review_id) == before
        sar = self.run.r
        refusals = self.engine.explain(sar.id, scr.ConvenePanel(), BOARD_CHAIR)
        assert [r.rule for r in refusals] == ["INPUT"]

    @invariant()
    def each_review_is_its_own_protocols_record(self) -> None:
        store = self.engine.store
        type(self).reached.add(("sar", str(self.run.r.stage)))
        type(self).reached.update(("scr", str(r.stage)) for r in self.scrs.values())
        assert store.load(self.run.r.id) == self.run.r
        assert isinstance(self.run.r, SarReview)
        for review_id, review in self.scrs.items():
            loaded = store.load(review_id)
            assert loaded == review and isinstance(loaded, Review)

    def teardown(self) -> None:
        if getattr(self, "run", None) is None or self.run.review is None:
            return
        store = self.engine.store
        try:
            assert replay(store.history(self.run.r.id)) == self.run.r
            assert self.engine.verify().ok
        finally:
            close = getattr(store, "close", None)
            if callable(close):
                close()


class SqliteBothProtocolsMachine(BothProtocolsMachine):
    """The same machine on a :class:`SqlStore` over a fresh SQLite file."""

    reached: ClassVar[set[tuple[str, str]]] = set()

    def make_store(self) -> ReviewStore:
        from scr_engine.storage.sql import SqlStore

        self.folder = tempfile.TemporaryDirectory()
        return SqlStore(f"sqlite:///{self.folder.name}/board.db", migrate="create", durable=False)

    def teardown(self) -> None:
        try:
            super().teardown()
        finally:
            self.folder.cleanup()


def test_both_protocols_in_one_store_obey_their_definitions() -> None:
    BothProtocolsMachine.reached.clear()
    run_state_machine_as_test(
        BothProtocolsMachine,
        # Derandomized: the same runs each time, so that how far they go (asserted
        # below) does not depend on luck; the thorough profile runs more of them.
        settings=settings(
            max_examples=max(20, settings.default.max_examples),
            stateful_step_count=50,
            derandomize=True,
            database=None,
        ),
    )
    reached = BothProtocolsMachine.reached
    # The runs went somewhere: SARs past the decision, SCRs screened and withdrawn.
    assert {("sar", "commissioned"), ("scr", "screened"), ("scr", "withdrawn")} <= reached, sorted(
        reached
    )


def test_both_protocols_in_one_sqlite_store_obey_their_definitions() -> None:
    run_state_machine_as_test(
        SqliteBothProtocolsMachine,
        settings=settings(
            max_examples=max(5, settings.default.max_examples // 6), stateful_step_count=40
        ),
    )
