"""Tampering with a Safeguarding Adults Review in a real database (issue 23; PR-d as
for an SCR): a SAR driven to ``ratified`` beside a bystander SCR, a signed checkpoint
taken, then the database edited as an attacker with access to it would. Each edit is
reported by ``verify`` against the checkpoint, naming the SAR alone; each that can be
seen without the key makes ``get`` raise :class:`IntegrityError` and write nothing."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from scr_engine import Checkpoint, IntegrityError, ReviewEngine
from scr_engine.checkpoints import generate_key, load_private_key
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.history import Event, advance, replay
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS
from scr_engine.records import Role
from scr_engine.storage.sql import SqlStore
from support import sar as s
from support.sar_engine import EngineRun
from support.tamper import dump, rewrite, sql

pytestmark = pytest.mark.rule("PR-d")

KEY = load_private_key(generate_key())


@attrs.define
class Scene:
    url: str
    run: EngineRun
    target: str
    bystander: str
    checkpoint: Checkpoint
    events: tuple[Event, ...]


@pytest.fixture
def scene(url: str) -> Scene:
    with SqlStore(url, migrate="create", durable=False) as store:
        run = s.ratified(EngineRun(store))
        bystander = run.engine.submit(demo_request(), REQUESTER).id
        checkpoint = run.engine.checkpoint(KEY)
        events = store.history(run.r.id)
    return Scene(url, run, run.r.id, bystander, checkpoint, events)


def _engine(scene: Scene, store: SqlStore) -> ReviewEngine:
    return ReviewEngine(store, scene.run.clock)


# Naive edits: seen from the database alone.


def claim_the_findings_were_in_a_published_annual_report(sc: Scene) -> None:
    """SAR-A-4's condition for closure, faked in the stored row."""
    sql(
        sc.url,
        "UPDATE scr_reviews SET data = replace(data, :old, :new) WHERE id = :r",
        r=sc.target,
        old='"in_published_annual_report":false',
        new='"in_published_annual_report":true',
    )


def soften_a_declined_findings_reasons(sc: Scene) -> None:
    sql(
        sc.url,
        "UPDATE scr_events SET payload = replace(payload, 'national policy', 'local policy') "
        "WHERE review_id = :r AND command = 'decide_finding'",
        r=sc.target,
    )


def edit_the_stage_column(sc: Scene) -> None:
    sql(sc.url, "UPDATE scr_reviews SET stage = 'closed' WHERE id = :r", r=sc.target)


def edit_the_stage_in_the_json(sc: Scene) -> None:
    sql(
        sc.url,
        'UPDATE scr_reviews SET data = replace(data, \'"stage":"ratified"\', '
        '\'"stage":"closed"\') WHERE id = :r',
        r=sc.target,
    )


def delete_a_middle_event(sc: Scene) -> None:
    sql(sc.url, "DELETE FROM scr_events WHERE review_id = :r AND sequence = 4", r=sc.target)


def delete_the_newest_event(sc: Scene) -> None:
    sql(
        sc.url,
        "DELETE FROM scr_events WHERE review_id = :r AND sequence = :n",
        r=sc.target,
        n=len(sc.events),
    )


# Informed: the library's own hashing, with the Board's SAR settings, makes the
# database consistent by itself; only the checkpoint shows it (an append, as events
# it does not cover: a fault when verifying exactly).


def truncate_three_events_and_restore_the_row(sc: Scene) -> None:
    kept = list(sc.events[:-3])
    rewrite(sc.url, replay(kept), kept)


def append_monitoring_with_a_valid_hash(sc: Scene) -> None:
    review = replay(sc.events)
    command = c.StartMonitoring()
    review, forged, _ = advance(
        review,
        command,
        c.to_dict(command),
        s.MANAGER.id,
        Role.BUSINESS_MANAGER,
        sc.events[-1].at,
        settings=DEFAULT_SAR_SETTINGS,
    )
    rewrite(sc.url, review, [*sc.events, forged])


def reword_a_notice(sc: Scene) -> None:
    """A task's detail (what the notice asks) rewritten: the task row only."""
    sql(
        sc.url,
        "UPDATE scr_tasks SET detail = 'nothing to do' WHERE review_id = :r AND detail IS NOT NULL",
        r=sc.target,
    )


NAIVE = [
    claim_the_findings_were_in_a_published_annual_report,
    soften_a_declined_findings_reasons,
    edit_the_stage_column,
    edit_the_stage_in_the_json,
    delete_a_middle_event,
    delete_the_newest_event,
]
INFORMED = [truncate_three_events_and_restore_the_row, append_monitoring_with_a_valid_hash]


@pytest.mark.parametrize("attack", [*NAIVE, *INFORMED, reword_a_notice], ids=lambda f: f.__name__)
def test_verify_reports_the_tampered_sar_alone(
    scene: Scene, attack: Callable[[Scene], None]
) -> None:
    attack(scene)
    with SqlStore(scene.url, durable=False) as store:
        # exact: an append the checkpoint does not cover is a fault too
        report = _engine(scene, store).verify(
            scene.checkpoint, public_key=KEY.public_key(), exact=True
        )
    assert not report.ok
    assert report.faults_of(scene.target), report.faults
    assert all(f.review_id == scene.target for f in report.faults)


@pytest.mark.parametrize("attack", NAIVE, ids=lambda f: f.__name__)
def test_a_tampered_sar_is_refused_and_nothing_is_written(
    scene: Scene, attack: Callable[[Scene], None]
) -> None:
    attack(scene)
    before = dump(scene.url)
    with SqlStore(scene.url, durable=False) as store:
        engine = _engine(scene, store)
        with pytest.raises(IntegrityError):
            engine.get(scene.target)
        with pytest.raises(IntegrityError):
            engine.execute(scene.target, c.StartMonitoring(), s.MANAGER)
        assert engine.get(scene.bystander).id == scene.bystander
    assert dump(scene.url) == before


def test_an_untouched_store_of_both_protocols_verifies(scene: Scene) -> None:
    with SqlStore(scene.url, durable=False) as store:
        report = _engine(scene, store).verify(scene.checkpoint, public_key=KEY.public_key())
    assert report.ok, report.faults


def test_tasks_stored_before_tasks_kept_their_detail_verify(scene: Scene) -> None:
    """A store upgraded to 0008 holds its earlier tasks without a detail: verify judges
    them without it (a detail that is there must be the history's)."""
    with SqlStore(scene.url, durable=False) as store:
        assert any(t.detail for t in store.pending_tasks(limit=1000))
    sql(scene.url, "UPDATE scr_tasks SET detail = NULL")
    with SqlStore(scene.url, durable=False) as store:
        report = _engine(scene, store).verify(scene.checkpoint, public_key=KEY.public_key())
        assert report.ok, report.faults
        assert all(t.detail is None for t in store.pending_tasks(limit=1000))
