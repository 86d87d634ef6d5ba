"""The annual report's guards and effects refusal by refusal (SAR-A-4 to SAR-A-9).

Each case calls the guard itself on a crafted report and pins every refusal it gives,
in order: the rule ID, the field and the kind, which a caller acts on (the wording is
free). The effects are pinned by the values they record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from attrs import evolve

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.definition import Step
from scr_engine.protocols.sar.annual import commands as ac
from scr_engine.protocols.sar.annual import guards as g
from scr_engine.protocols.sar.annual.records import (
    DISTRIBUTED,
    DRAFTING,
    PUBLISHED,
    AnnualReport,
    Approval,
    ConcludedReview,
    DeclinedFinding,
    ImplementationEntry,
    Member,
    OngoingReview,
    Recipient,
    RecipientKind,
    RecordedSection,
    ReviewSections,
    SectionCode,
    Sending,
    Source,
    year_end,
    year_start,
)
from scr_engine.records import Role
from support.annual import MEMBERS, RECIPIENTS, URL, YEAR, form
from support.sar import CHAIR, MANAGER, ctx, ratified

IN, G = RefusalKind.INPUT, RefusalKind.GUARD
FIRST, LAST = year_start(YEAR), year_end(YEAR)  # 1 April 2026, 31 March 2027
DAY = timedelta(days=1)
SOURCE = (Source("r1", 3, "h3"),)


def refused(refusals: list[Refusal]) -> list[tuple[str, str | None, RefusalKind]]:
    """Rule, field and kind of each refusal, in order."""
    return [(x.rule, x.field, x.kind) for x in refusals]


def _report(**changes: Any) -> AnnualReport:
    """An opened report of :data:`YEAR` with the tests' members and recipients."""
    made = AnnualReport("SAR-AR-2026-001", FIRST, YEAR, MEMBERS, RECIPIENTS, id="ar1")
    return evolve(made, **changes)


def _written(**changes: Any) -> AnnualReport:
    """The report with sections (a), (b), (c) for each member, (d)–(g) computed on 2
    April 2027 and approved by the chair: publishable."""
    sections = (
        RecordedSection(SectionCode.OBJECTIVE, "objective", "", FIRST),
        RecordedSection(SectionCode.STRATEGY, "strategy", "", FIRST),
        *(RecordedSection(SectionCode.MEMBER, m.name, m.id, FIRST) for m in MEMBERS),
    )
    done = _report(
        sections=sections,
        computed=ReviewSections(YEAR, LAST),
        compiled_on=LAST + DAY,
        approval=Approval(CHAIR.id, Role.BOARD_CHAIR, LAST + DAY),
    )
    return evolve(done, **changes)


def _open(**changes: Any) -> list[Refusal]:
    return g.check_open(None, ac.OpenAnnualReport(form(**changes)), ctx(MANAGER))


# --- SAR-A-5, SAR-A-8: opening a report ----------------------------------------------


def test_a_complete_form_opens_the_report_sar_a_5_sar_a_8() -> None:
    """SAR-A-5: a year from 2014 to 2200 and the members; SAR-A-8: the four recipients."""
    assert _open() == []
    assert _open(year=g.FIRST_YEAR) == []
    assert _open(year=g.LAST_YEAR) == []


@pytest.mark.parametrize("year", [g.FIRST_YEAR - 1, g.LAST_YEAR + 1, "2026", True, None, 2026.0])
def test_the_year_is_a_whole_number_from_2014_to_2200_sar_a_5(year: object) -> None:
    """SAR-A-5: the financial year is the whole number of its 1 April (not a text, a
    boolean or a float), within the Act's years."""
    assert refused(_open(year=year)) == [("SAR-A-5", "form.year", IN)]


def test_a_form_with_nothing_names_each_missing_part_sar_a_5_sar_a_8() -> None:
    """SAR-A-5, SAR-A-8: a form without year, members or recipients (as a host may send)
    is refused field by field, never a crash."""
    found = g.check_open(None, ac.OpenAnnualReport(SimpleNamespace()), ctx(MANAGER))  # type: ignore[arg-type]
    assert refused(found) == [
        ("SAR-A-5", "form.year", IN),
        ("SAR-A-5", "form.members", IN),
        ("SAR-A-8", "form.recipients", IN),
    ]


@pytest.mark.parametrize(
    "members",
    [
        "asc",
        None,
        [{"id": "asc", "name": "Adult Social Care"}],
        (MEMBERS[0], RECIPIENTS[0]),
        (),
        [Member("", "Adult Social Care")],
        [Member(" ", "Adult Social Care")],
        [Member("asc", "")],
        [Member("asc", "Adult Social Care"), Member("nhs", " ")],
        [Member("asc", "one"), Member("asc", "two")],
        [Member("", "one"), Member("", "two")],
    ],
)
def test_the_members_are_listed_each_once_with_an_id_and_a_name_sar_a_5(members: object) -> None:
    """SAR-A-5: the SAB's members are a list of members, not empty, each with an id and
    a name, none twice: one refusal on ``form.members`` whatever is wrong."""
    assert refused(_open(members=members)) == [("SAR-A-5", "form.members", IN)]


def test_the_members_may_be_a_list_sar_a_5() -> None:
    """SAR-A-5: a list of members is as good as a tuple (a JSON form gives a list)."""
    assert _open(members=list(MEMBERS), recipients=list(RECIPIENTS)) == []


@pytest.mark.parametrize("recipients", ["la", None, [{"id": "la"}], (RECIPIENTS[0], MEMBERS[0])])
def test_recipients_that_are_not_a_list_of_recipients_are_refused_once_sar_a_8(
    recipients: object,
) -> None:
    """SAR-A-8: recipients of the wrong type give one refusal, nothing more about them."""
    assert refused(_open(recipients=recipients)) == [("SAR-A-8", "form.recipients", IN)]


@pytest.mark.parametrize("kind", list(RecipientKind))
def test_every_kind_of_statutory_recipient_is_named_sar_a_8(kind: RecipientKind) -> None:
    """SAR-A-8: copies go to the local authority, the policing body, the Healthwatch and
    the Health and Wellbeing Board: a form naming none of one kind is refused, naming it."""
    found = _open(recipients=tuple(r for r in RECIPIENTS if r.kind is not kind))
    assert refused(found) == [("SAR-A-8", "form.recipients", IN)]
    assert kind.value in found[0].message
    others = [k.value for k in RecipientKind if k is not kind]
    assert not any(o in found[0].message for o in others)


def test_no_recipient_at_all_names_every_kind_sar_a_8() -> None:
    """SAR-A-8: an empty list is refused once, naming the four kinds."""
    (found,) = _open(recipients=())
    assert (found.rule, found.field, found.kind) == ("SAR-A-8", "form.recipients", IN)
    assert all(k.value in found.message for k in RecipientKind)


@pytest.mark.parametrize(
    "changed",
    [
        Recipient("", RecipientKind.HEALTHWATCH, "Healthwatch Shire"),
        Recipient(" ", RecipientKind.HEALTHWATCH, "Healthwatch Shire"),
        Recipient("hw", RecipientKind.HEALTHWATCH, ""),
        Recipient("la", RecipientKind.HEALTHWATCH, "Healthwatch Shire"),
    ],
)
def test_each_recipient_has_an_id_and_a_name_and_is_named_once_sar_a_8(
    changed: Recipient,
) -> None:
    """SAR-A-8: every recipient has an id and a name; no id twice."""
    recipients = tuple(changed if r.id == "hw" else r for r in RECIPIENTS)
    assert refused(_open(recipients=recipients)) == [("SAR-A-8", "form.recipients", IN)]


def test_blank_and_repeated_recipients_are_one_refusal_sar_a_8() -> None:
    """SAR-A-8: blank ids that repeat are refused as blank, once."""
    blank = tuple(evolve(r, id="") for r in RECIPIENTS)
    assert refused(_open(recipients=blank)) == [("SAR-A-8", "form.recipients", IN)]


def test_every_fault_of_a_form_is_named_in_order_sar_a_5_sar_a_8() -> None:
    """SAR-A-5, SAR-A-8: the year, the members and the recipients are each judged."""
    found = _open(year=1990, members=(), recipients=RECIPIENTS[:2])
    assert refused(found) == [
        ("SAR-A-5", "form.year", IN),
        ("SAR-A-5", "form.members", IN),
        ("SAR-A-8", "form.recipients", IN),
    ]


class _Store:
    """A store's ``list_by_stage`` over records by stage, recording each call."""

    def __init__(self, by_stage: dict[str, list[object]]) -> None:
        self.by_stage = by_stage
        self.calls: list[tuple[str, int, int]] = []

    def list_by_stage(self, stage: str, *, limit: int, offset: int) -> list[object]:
        self.calls.append((stage, limit, offset))
        return self.by_stage.get(stage, [])[offset : offset + limit]


def _held(year: int, n: int) -> AnnualReport:
    return AnnualReport(f"SAR-AR-{year}-{n:03}", FIRST, year, id=f"ar-{year}-{n}")


def test_a_second_report_of_a_year_is_refused_at_any_stage_sar_a_5() -> None:
    """SAR-A-5: one report per financial year: a report of the year at ``drafting``,
    ``published`` or ``distributed`` refuses the request (on ``form.year``, naming the
    report held); a report of another year, or a record of the year that is not an
    annual report, does not."""
    request = SimpleNamespace(year=YEAR)
    for stage in (DRAFTING, PUBLISHED, DISTRIBUTED):
        store = _Store({stage: [_held(YEAR - 1, 1), _held(YEAR, 2)]})
        (found,) = g.one_a_year(request, store)
        assert (found.rule, found.field, found.kind) == ("SAR-A-5", "form.year", G)
        assert "SAR-AR-2026-002" in found.message
    other = _Store({DRAFTING: [_held(YEAR - 1, 1), SimpleNamespace(year=YEAR, reference="x")]})
    assert g.one_a_year(request, other) == []
    assert other.calls == [(DRAFTING, 500, 0), (PUBLISHED, 500, 0), (DISTRIBUTED, 500, 0)]


def test_every_page_of_the_store_is_read_for_the_years_report_sar_a_5() -> None:
    """SAR-A-5: the store is read page by page (500 records each) until a short page,
    so a report of the year behind a thousand others is found."""
    many: list[object] = [_held(YEAR - 1, n) for n in range(1000)]
    store = _Store({PUBLISHED: [*many, _held(YEAR, 7)]})
    (found,) = g.one_a_year(SimpleNamespace(year=YEAR), store)
    assert (found.rule, found.field) == ("SAR-A-5", "form.year")
    assert store.calls == [
        (DRAFTING, 500, 0),
        (PUBLISHED, 500, 0),
        (PUBLISHED, 500, 500),
        (PUBLISHED, 500, 1000),
    ]
    none = _Store({DRAFTING: many})
    assert g.one_a_year(SimpleNamespace(year=YEAR), none) == []
    assert [c for c in none.calls if c[0] == DRAFTING] == [
        (DRAFTING, 500, 0),
        (DRAFTING, 500, 500),
        (DRAFTING, 500, 1000),
    ]


def test_a_request_without_a_year_finds_no_report_sar_a_5() -> None:
    """SAR-A-5: a request without a year is judged by ``check_open``; the store's check
    finds nothing to compare it with."""
    store = _Store({DRAFTING: [_held(YEAR, 1)]})
    assert g.one_a_year(SimpleNamespace(), store) == []


# --- SAR-A-6(a)–(c): the sections the Board writes -----------------------------------


def _section(section: SectionCode, text: str = "what was done", member: str = "") -> Any:
    return ac.RecordAnnualReportSection(section, text, member)


def test_sections_a_and_b_have_a_text_and_name_no_member_sar_a_6() -> None:
    """SAR-A-6(a), (b): the text is given; no member is named."""
    report = _report()
    for code in (SectionCode.OBJECTIVE, SectionCode.STRATEGY):
        assert g.check_section(report, _section(code), ctx(MANAGER)) == []
        found = g.check_section(report, _section(code, " ", "asc"), ctx(MANAGER))
        assert refused(found) == [("SAR-A-6", "text", IN), ("SAR-A-6", "member", IN)]


def test_section_c_names_one_of_the_members_sar_a_6() -> None:
    """SAR-A-6(c): one entry per member: the member is one of the SAB's."""
    report = _report()
    assert g.check_section(report, _section(SectionCode.MEMBER, member="nhs"), ctx(MANAGER)) == []
    for member in ("police", ""):
        found = g.check_section(report, _section(SectionCode.MEMBER, "", member), ctx(MANAGER))
        assert refused(found) == [("SAR-A-6", "text", IN), ("SAR-A-6", "member", IN)]


# --- SAR-A-6(d)–(g), SAR-A-7: the computed sections ----------------------------------


def _concluded(on: date, sources: tuple[Source, ...] = SOURCE) -> ConcludedReview:
    return ConcludedReview("r1", "SAR-1", on, None, None, None, None, (), sources)


def _ongoing(screened: date, sources: tuple[Source, ...] = SOURCE) -> OngoingReview:
    return OngoingReview("r2", "SAR-2", screened, "screened", sources)


def _done(on: date) -> ImplementationEntry:
    return ImplementationEntry("r1", "SAR-1", "A1", "added", on, ("F1",), SOURCE[0])


def _declined(on: date) -> DeclinedFinding:
    return DeclinedFinding("r1", "SAR-1", "F2", on, "covered", SOURCE[0])


def _compile(sections: ReviewSections) -> list[tuple[str, str | None, RefusalKind]]:
    return refused(g.check_compile(_report(), ac.CompileReviewSections(sections), ctx(MANAGER)))


def test_sections_within_the_year_as_at_31_march_are_accepted_sar_a_7() -> None:
    """SAR-A-7: entries on the year's first and last days are in the year; a SAR
    screened on 31 March is ongoing."""
    sections = ReviewSections(
        YEAR,
        LAST,
        concluded=(_concluded(FIRST), _concluded(LAST)),
        ongoing=(_ongoing(LAST), _ongoing(FIRST - 400 * DAY)),
        implementation=(_done(FIRST), _done(LAST)),
        not_implemented=(_declined(FIRST), _declined(LAST)),
    )
    assert _compile(sections) == []


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"year": YEAR + 1}, "of the year 2027, not 2026"),
        ({"as_at": LAST - DAY}, "as at 2027-03-30, not 31 March"),
        ({"concluded": (_concluded(FIRST - DAY),)}, "section (d)"),
        ({"concluded": (_concluded(LAST + DAY),)}, "section (d)"),
        ({"ongoing": (_ongoing(LAST + DAY),)}, "section (e)"),
        ({"implementation": (_done(FIRST - DAY),)}, "section (f)"),
        ({"implementation": (_done(LAST + DAY),)}, "section (f)"),
        ({"not_implemented": (_declined(FIRST - DAY),)}, "section (g)"),
        ({"not_implemented": (_declined(LAST + DAY),)}, "section (g)"),
        ({"concluded": (_concluded(LAST), _concluded(LAST, ()))}, "names the events"),
        ({"ongoing": (_ongoing(LAST), _ongoing(LAST, ()))}, "names the events"),
    ],
)
def test_sections_that_do_not_fit_the_report_are_refused_sar_a_7(
    changes: dict[str, Any], names: str
) -> None:
    """SAR-A-7: the year, the day they are as at, each entry's day and each figure's
    events: each fault is one refusal on ``sections``, its text naming what is wrong
    (the rule and field are the same for every fault: the text tells them apart)."""
    sections = evolve(ReviewSections(YEAR, LAST), **changes)
    found = g.check_compile(_report(), ac.CompileReviewSections(sections), ctx(MANAGER))
    assert refused(found) == [("SAR-A-7", "sections", IN)]
    assert names in found[0].message


def test_each_fault_of_the_sections_is_its_own_refusal_sar_a_7() -> None:
    """SAR-A-7: every fault found is named, one refusal each."""
    sections = ReviewSections(
        YEAR - 1,
        LAST + DAY,
        concluded=(_concluded(LAST + DAY, ()),),
        ongoing=(_ongoing(LAST + DAY),),
        implementation=(_done(LAST + DAY),),
        not_implemented=(_declined(LAST + DAY),),
    )
    assert _compile(sections) == [("SAR-A-7", "sections", IN)] * 7


# --- SAR-A-6: approval and what the report lacks ------------------------------------


def test_what_the_report_lacks_is_named_part_by_part_sar_a_6() -> None:
    """SAR-A-6: (a), (b), (c) for each member, and (d)–(g) computed, in that order; a
    section (c) of someone else or a section (a) naming a member counts for nothing."""
    assert g.incomplete(_report()) == [
        "section (a)",
        "section (b)",
        "section (c) for asc",
        "section (c) for nhs",
        "sections (d)-(g), computed (compile_review_sections)",
    ]
    odd = _report(
        sections=(
            RecordedSection(SectionCode.OBJECTIVE, "objective", "asc"),
            RecordedSection(SectionCode.MEMBER, "police", "police"),
            RecordedSection(SectionCode.MEMBER, "nhs", "nhs"),
            RecordedSection(SectionCode.STRATEGY, "strategy"),
        )
    )
    assert g.incomplete(odd) == [
        "section (a)",
        "section (c) for asc",
        "sections (d)-(g), computed (compile_review_sections)",
    ]
    assert g.incomplete(_written()) == []


def test_the_board_approves_only_a_complete_report_sar_a_6() -> None:
    """SAR-A-6: approval is refused (a guard, on no field) while a section is missing."""
    approve = ac.ApproveAnnualReport()
    assert refused(g.check_approve(_report(), approve, ctx(CHAIR))) == [("SAR-A-6", None, G)]
    assert g.check_approve(_written(approval=None), approve, ctx(CHAIR)) == []
    no_member = _written(sections=_written().sections[:-1])
    assert refused(g.check_approve(no_member, approve, ctx(CHAIR))) == [("SAR-A-6", None, G)]


# --- SAR-A-5, SAR-A-6, SAR-A-9: publication -----------------------------------------


def _publish(report: AnnualReport, today: date, url: object = URL) -> list[Any]:
    found = g.check_publish(report, ac.PublishAnnualReport(url), ctx(MANAGER, today))  # type: ignore[arg-type]
    return refused(found)


def test_a_complete_approved_report_is_published_after_its_year_sar_a_5() -> None:
    """SAR-A-5: published from 1 April after the year; not on 31 March."""
    assert _publish(_written(), LAST + DAY) == []
    assert _publish(_written(), LAST) == [("SAR-A-5", None, G)]
    assert _publish(_written(), FIRST) == [("SAR-A-5", None, G)]


@pytest.mark.parametrize(
    "url",
    ["https://x", "http://x", "https://sab.example.org/a?b=c", "http://a//b"],
)
def test_a_public_url_is_accepted_sar_a_9(url: str) -> None:
    """SAR-A-9: an http or https URL with something after the scheme."""
    assert _publish(_written(), LAST + DAY, url) == []


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://",
        "http://",
        "ftp://sab.example.org",
        "sab.example.org",
        "https://a b",
        "https://a\tb",
        " https://a",
        None,
        7,
    ],
)
def test_a_url_that_is_not_public_is_refused_sar_a_9(url: object) -> None:
    """SAR-A-9: the published report's public URL: http or https, with a host, no
    spaces; anything else (or no text) is refused on ``url``."""
    assert _publish(_written(), LAST + DAY, url) == [("SAR-A-9", "url", IN)]


def test_publication_wants_every_section_computed_after_the_year_and_approval_sar_a_6() -> None:
    """SAR-A-6: every section present (else one refusal naming what lacks); (d)–(g)
    computed after 31 March (on ``sections``); the Board's approval."""
    after = LAST + DAY
    assert _publish(_written(approval=None), after) == [("SAR-A-6", None, G)]
    assert _publish(_written(compiled_on=LAST), after) == [("SAR-A-6", "sections", G)]
    assert _publish(_written(compiled_on=FIRST), after) == [("SAR-A-6", "sections", G)]
    unrecorded = _written(compiled_on=None)
    assert _publish(unrecorded, after) == [("SAR-A-6", "sections", G)]
    nothing = _report()
    assert _publish(nothing, LAST, "") == [
        ("SAR-A-9", "url", IN),
        ("SAR-A-5", None, G),
        ("SAR-A-6", None, G),
        ("SAR-A-6", None, G),
    ]


def test_a_report_lacking_a_section_is_not_also_refused_for_its_compilation_sar_a_6() -> None:
    """SAR-A-6: a missing section is named; the day of compilation is judged only once
    every section is there."""
    lacking = _written(sections=_written().sections[1:], compiled_on=LAST)
    assert _publish(lacking, LAST + DAY) == [("SAR-A-6", None, G)]


# --- SAR-A-8: sending copies and distribution ----------------------------------------


def _send(report: AnnualReport, recipient: str, today: date) -> list[Any]:
    found = g.check_send(report, ac.SendAnnualReport(recipient), ctx(MANAGER, today))
    return refused(found)


def test_a_copy_goes_to_a_recipient_once_not_before_publication_sar_a_8() -> None:
    """SAR-A-8: to one of the report's recipients (else ``recipient``, input), once
    (else ``recipient``, guard), on or after the day it was published (else
    ``occurred_on``)."""
    out = LAST + 20 * DAY
    report = _written(published_on=out, url=URL, stage=PUBLISHED)
    assert _send(report, "la", out) == []
    assert _send(report, "mayor", out) == [("SAR-A-8", "recipient", IN)]
    assert _send(report, "la", out - DAY) == [("SAR-A-8", "occurred_on", IN)]
    sent = evolve(report, sendings=(Sending("la", out),))
    assert _send(sent, "la", out) == [("SAR-A-8", "recipient", G)]
    assert _send(sent, "pcc", out) == []
    assert _send(sent, "mayor", out - DAY) == [
        ("SAR-A-8", "recipient", IN),
        ("SAR-A-8", "occurred_on", IN),
    ]
    assert _send(_written(), "la", FIRST) == []  # no publication day to compare with


def test_the_report_is_distributed_once_every_copy_is_sent_sar_a_8() -> None:
    """SAR-A-8: ``record_distributed`` is refused (a guard, no field) while any
    recipient has no copy."""
    out = LAST + 20 * DAY
    report = _written(published_on=out, url=URL, stage=PUBLISHED)
    check = ac.RecordDistributed()
    assert refused(g.check_distributed(report, check, ctx(MANAGER))) == [("SAR-A-8", None, G)]
    most = evolve(report, sendings=tuple(Sending(r.id, out) for r in RECIPIENTS[:-1]))
    found = g.check_distributed(most, check, ctx(MANAGER))
    assert refused(found) == [("SAR-A-8", None, G)] and "hwb" in found[0].message
    every = evolve(report, sendings=tuple(Sending(r.id, out) for r in RECIPIENTS))
    assert g.check_distributed(every, check, ctx(MANAGER)) == []


# --- SAR-A-4: a review's inclusion in a published report -----------------------------


def _review(concluded: date | None, included: bool = False) -> Any:
    return evolve(ratified().r, concluded_on=concluded, in_published_annual_report=included)


def _include(review: Any, **changes: Any) -> list[Any]:
    fields: dict[str, Any] = {
        "report_id": "ar1",
        "report_reference": "SAR-AR-2026-001",
        "year": YEAR,
        "published_on": LAST + DAY,
        "url": URL,
    }
    fields.update(changes)
    cmd = ac.RecordAnnualReportInclusion(**fields)
    # Recorded a month after the year's end: after the publication it cites.
    return refused(g.check_inclusion(review, cmd, ctx(MANAGER, LAST + 30 * DAY)))


def test_a_review_concluded_in_the_year_is_included_in_its_report_sar_a_4() -> None:
    """SAR-A-4: a review concluded on the year's first or last day is in that year's
    report, published from 1 April after it."""
    assert _include(_review(FIRST)) == []
    assert _include(_review(LAST)) == []


def test_the_report_cited_is_named_with_a_public_url_sar_a_4_sar_a_9() -> None:
    """SAR-A-4: the report's id and reference (on ``report_id``); SAR-A-9: its URL."""
    review = _review(LAST)
    assert _include(review, report_id=" ") == [("SAR-A-4", "report_id", IN)]
    assert _include(review, report_reference="") == [("SAR-A-4", "report_id", IN)]
    assert _include(review, url="sab.example.org") == [("SAR-A-9", "url", IN)]


def test_a_review_not_concluded_or_concluded_in_another_year_is_refused_sar_a_4_sar_a_6() -> None:
    """SAR-A-4: a review not concluded is in no report (a guard, no field); SAR-A-6:
    one concluded outside the report's year is not in its section (d) (on ``year``)."""
    assert _include(_review(None)) == [("SAR-A-4", None, G)]
    assert _include(_review(FIRST - DAY)) == [("SAR-A-6", "year", G)]
    assert _include(_review(LAST + DAY)) == [("SAR-A-6", "year", G)]


def test_the_report_cited_was_published_after_its_year_sar_a_5() -> None:
    """SAR-A-5: a report published on or before 31 March of its year is refused (on
    ``published_on``)."""
    assert _include(_review(LAST), published_on=LAST) == [("SAR-A-5", "published_on", IN)]
    assert _include(_review(LAST), published_on=LAST + 31 * DAY) == [
        ("SAR-A-4", "published_on", IN)
    ]


def test_a_review_is_included_once_sar_a_4() -> None:
    """SAR-A-4: a review already recorded in a published report is refused."""
    assert _include(_review(LAST, included=True)) == [("SAR-A-4", None, G)]


def test_every_fault_of_an_inclusion_is_named_in_order_sar_a_4() -> None:
    """SAR-A-4, SAR-A-5, SAR-A-6, SAR-A-9: each fault is one refusal."""
    assert _include(_review(None, included=True), report_id="", url="", published_on=LAST) == [
        ("SAR-A-4", "report_id", IN),
        ("SAR-A-9", "url", IN),
        ("SAR-A-4", None, G),
        ("SAR-A-5", "published_on", IN),
        ("SAR-A-4", None, G),
    ]


# --- the effects ---------------------------------------------------------------------


def _step(actor: str = MANAGER.id, role: Role = Role.BUSINESS_MANAGER) -> Step:
    return Step(actor, role, datetime(2027, 4, 5, 9, tzinfo=UTC), DRAFTING, True, None)


def test_a_section_recorded_again_replaces_its_last_text_and_withdraws_approval_sar_a_6() -> None:
    """SAR-A-6: a section is recorded with its day; one of the same section and member
    replaces it (the others kept, in order); the Board's approval is withdrawn."""
    report = _written()
    day = LAST + 3 * DAY
    new = _section(SectionCode.MEMBER, "again", "asc")
    changes = g.EFFECTS["record_annual_report_section"](report, new, day, _step())
    assert changes["approval"] is None
    assert changes["sections"] == (
        *(s for s in report.sections if s.member != "asc"),
        RecordedSection(SectionCode.MEMBER, "again", "asc", day),
    )
    first = g.EFFECTS["record_annual_report_section"](
        _report(), _section(SectionCode.STRATEGY, "b"), day, _step()
    )
    assert first == {
        "sections": (RecordedSection(SectionCode.STRATEGY, "b", "", day),),
        "approval": None,
    }


def test_compiled_sections_are_recorded_with_their_day_sar_a_6_sar_a_7() -> None:
    """SAR-A-6, SAR-A-7: the computed sections and the day, the approval withdrawn."""
    sections = ReviewSections(YEAR, LAST, concluded=(_concluded(LAST),))
    day = LAST + 2 * DAY
    changes = g.EFFECTS["compile_review_sections"](
        _written(), ac.CompileReviewSections(sections), day, _step()
    )
    assert changes == {"computed": sections, "compiled_on": day, "approval": None}


def test_approval_publication_and_sending_record_who_when_and_where_sar_a_6_to_a_9() -> None:
    """SAR-A-6: who approved, in which role, on which day; SAR-A-9: the day published
    and the URL; SAR-A-8: each copy sent with its day, after those sent before."""
    day = LAST + 4 * DAY
    approve = g.EFFECTS["approve_annual_report"]
    assert approve(_report(), ac.ApproveAnnualReport(), day, _step(CHAIR.id, Role.BOARD_CHAIR)) == {
        "approval": Approval(CHAIR.id, Role.BOARD_CHAIR, day)
    }
    publish = g.EFFECTS["publish_annual_report"]
    assert publish(_written(), ac.PublishAnnualReport(URL), day, _step()) == {
        "published_on": day,
        "url": URL,
    }
    sent = _written(sendings=(Sending("la", day),))
    send = g.EFFECTS["send_annual_report"]
    assert send(sent, ac.SendAnnualReport("hw"), day + DAY, _step()) == {
        "sendings": (Sending("la", day), Sending("hw", day + DAY))
    }
    assert g.EFFECTS["record_distributed"](sent, ac.RecordDistributed(), day, _step()) == {}


def test_an_inclusion_marks_the_review_as_in_a_published_report_sar_a_4() -> None:
    """SAR-A-4: recording the inclusion sets ``in_published_annual_report``, no task."""
    assert g.include_effect(_review(LAST), None, ctx(MANAGER)) == (
        {"in_published_annual_report": True},
        (),
    )
