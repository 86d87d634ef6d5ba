"""Publication as a record, not a stage (SAR-P-4 to SAR-P-7, SAR-F-6).

`publication_status` is `undecided`, `deferred`, `to_publish`, `published` or
`not_published`; it may be deferred for months (during a criminal trial) while actions
proceed, and it gates `close_review` (SAR-A-4).
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    ParallelProcess,
    ParallelProcessType,
    PublicationChoice,
    PublicationStatus,
)
from scr_engine.protocols.sar.settings import ConcludedEvent, SarSettings
from support.sar import CHAIR, LEAD, MANAGER, Run, commissioned, monitored, ratified


def test_statuses_are_the_five_of_the_record() -> None:
    """SAR-P-5, SAR-P-7: the publication record's statuses."""
    assert [s.value for s in PublicationStatus] == [
        "undecided",
        "deferred",
        "to_publish",
        "published",
        "not_published",
    ]


def test_published_terms_of_reference_from_commissioning_sar_p_4_sar_p_6() -> None:
    """SAR-P-4: the ToR are published, openly available, without personal data
    (SAR-P-6: cleared)."""
    run = commissioned()
    tor = c.RecordPublication(c.PublishedWhat.TERMS_OF_REFERENCE, "https://sab.example/tor")
    assert run.rules(MANAGER, tor) == {"SAR-P-6"}
    run.do(MANAGER, attrs.evolve(tor, cleared=True))
    assert run.r.publication.tor_published_on == run.today
    assert run.r.publication.status is PublicationStatus.UNDECIDED


def test_defer_needs_an_event_and_a_review_date_sar_p_5() -> None:
    """SAR-P-5: "defer until an event such as the end of criminal proceedings or an
    inquest (with a review date)"; "do not publish (with reasons)"."""
    run = ratified()
    assert {
        (r.rule, r.field) for r in run.refusals(CHAIR, c.DecidePublication(PublicationChoice.DEFER))
    } == {
        ("SAR-P-5", "defer_until_event"),
        ("SAR-P-5", "review_on"),
    }
    assert run.rules(CHAIR, c.DecidePublication(PublicationChoice.DO_NOT_PUBLISH)) == {"SAR-P-5"}
    run.do(
        CHAIR,
        c.DecidePublication(
            PublicationChoice.DEFER,
            defer_until_event="the trial",
            review_on=run.today + timedelta(90),
        ),
    )
    assert run.r.publication.status is PublicationStatus.DEFERRED
    run.do(MANAGER, c.StartMonitoring())  # learning and actions continue during a deferral
    assert run.r.stage == "action_plan_monitored"


def test_criminal_proceedings_default_to_deferral_sar_p_5() -> None:
    """SAR-P-5: while criminal proceedings are pending the default is to defer
    (setting `defer_publication_during_criminal_proceedings`)."""
    run = ratified()
    run.do(
        MANAGER,
        c.RegisterParallelProcess(
            ParallelProcess("trial", ParallelProcessType.POLICE), criminal=True
        ),
    )
    assert run.rules(CHAIR, c.DecidePublication(PublicationChoice.PUBLISH_FULL)) == {"SAR-P-5"}
    run.do(CHAIR, c.DecidePublication(PublicationChoice.PUBLISH_FULL, "the CPS has no objection"))
    off = Run(SarSettings(defer_publication_during_criminal_proceedings=False))
    ratified(off)
    off.do(
        MANAGER,
        c.RegisterParallelProcess(
            ParallelProcess("trial", ParallelProcessType.POLICE), criminal=True
        ),
    )
    assert off.refusals(CHAIR, c.DecidePublication(PublicationChoice.PUBLISH_FULL)) == []


def test_report_published_as_decided_cleared_after_family_sight_sar_p_5_sar_f_6() -> None:
    """SAR-P-5 (only once decided, and only what was decided), SAR-P-6 (redacted or with
    consent), SAR-P-7 (URL and version), SAR-F-6 (publication waits for family sight)."""
    run = ratified()
    publish = c.RecordPublication(c.PublishedWhat.REPORT, "https://sab.example/sar-1", cleared=True)
    assert run.rules(MANAGER, publish) == {"SAR-P-5", "SAR-F-6"}
    run.do(CHAIR, c.DecidePublication(PublicationChoice.PUBLISH_SUMMARY))
    assert run.rules(MANAGER, publish) == {"SAR-P-5", "SAR-F-6"}
    run.do(LEAD, c.RecordFamilyResponse("sister", sent_on=run.today))
    run.do(LEAD, c.RecordFamilyResponse("sister", responded_on=run.today, handling="accepted"))
    summary = attrs.evolve(publish, what=c.PublishedWhat.SUMMARY)
    assert run.rules(MANAGER, attrs.evolve(summary, url="", cleared=False)) == {
        "SAR-P-6",
        "SAR-P-7",
    }
    run.do(MANAGER, summary)
    entry = run.r.publication.entries[-1]
    assert run.r.publication.status is PublicationStatus.PUBLISHED
    assert (entry.on, entry.url, entry.version, entry.what) == (
        run.today,
        publish.url,
        "1",
        "summary",
    )


def test_family_sight_off_lets_publication_proceed_sar_f_6() -> None:
    """SAR-F-6: setting `family_sight_required` (default on)."""
    run = Run(SarSettings(family_sight_required=False))
    monitored(run)
    run.do(CHAIR, c.DecidePublication(PublicationChoice.PUBLISH_FULL))
    run.do(MANAGER, c.RecordPublication(c.PublishedWhat.REPORT, "https://x.example", cleared=True))


def test_concluded_event_may_be_publication_sar_a_7_sar_p_7() -> None:
    """SAR-A-7: the `concluded_event` setting (ratify, submit_report or
    record_publication) decides when a SAR is concluded."""
    run = Run(
        SarSettings(concluded_event=ConcludedEvent.RECORD_PUBLICATION, family_sight_required=False)
    )
    monitored(run)
    assert run.r.concluded_on is None
    run.do(CHAIR, c.DecidePublication(PublicationChoice.PUBLISH_FULL))
    run.do(
        MANAGER,
        c.RecordPublication(c.PublishedWhat.REPORT, "https://x.example", cleared=True),
        days=3,
    )
    assert run.r.concluded_on == run.today
    early = Run(SarSettings(concluded_event=ConcludedEvent.SUBMIT_REPORT))
    ratified(early)
    assert early.r.concluded_on == early.r.report.submitted_on  # type: ignore[union-attr]
