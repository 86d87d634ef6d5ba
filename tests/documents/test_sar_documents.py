"""A Safeguarding Adults Review's documents (issue 23, item 6), rendered from a
:class:`~scr_engine.protocols.sar.records.SarReview` built with the SAR helpers at
several points of its life: every document in both formats, what each shows with the
rule it proves, what is missing until recorded, escaping, and the publishable summary
holding no personal data (SAR-G-5, SAR-P-6)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from markupsafe import escape

from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.documents.escape import md_inline
from scr_engine.documents.render import Format
from scr_engine.documents.sar import (
    SAR_DOCUMENTS,
    SAR_PUBLIC_DOCUMENTS,
    SAR_TOR_TITLES,
    render_all_sar,
    render_sar,
)
from scr_engine.errors import InvalidRequest
from scr_engine.marks import FREE_TEXT, PERSONAL
from scr_engine.protocols import sar
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.records import (
    AlternativeKind,
    LeadReviewer,
    PublicationChoice,
    PublicationEntry,
    ReviewerReplacement,
    SarReview,
)
from scr_engine.publication import REDACTED
from support.controls import controlled_texts, raw_controls
from support.sar import (
    CHAIR,
    MANAGER,
    START,
    SUBGROUP,
    Run,
    adult,
    assessment,
    commissioned,
    monitored,
    ratified,
    report_drafted,
    requested,
    screened,
)

AS_OF = START + timedelta(days=30)
LIFE: dict[str, Callable[[], Run]] = {
    "requested": requested,
    "screened": screened,
    "commissioned": commissioned,
    "report_drafted": report_drafted,
    "ratified": ratified,
    "monitored": monitored,
}
"""The points of a review's life the documents are rendered at."""

FORMATS: tuple[Format, ...] = ("md", "html")
HOSTILE = "<script>alert(1)</script> *bold* [link](http://x) `code` | pipe & amp"


def _reviews() -> dict[str, SarReview]:
    return {point: make().r for point, make in LIFE.items()}


REVIEWS = _reviews()


def _fill(value: Any, text: Callable[[str], str]) -> Any:
    """``value`` with every field marked as personal data or free text replaced by
    ``text(its name)``, through every record it holds."""
    if attrs.has(type(value)):
        changes: dict[str, Any] = {}
        for f in attrs.fields(type(value)):
            current = getattr(value, f.name)
            if isinstance(current, str) and (f.metadata.get(PERSONAL) or f.metadata.get(FREE_TEXT)):
                changes[f.name] = text(f.name)
            elif not isinstance(current, str):
                filled = _fill(current, text)
                if filled is not current:
                    changes[f.name] = filled
        return attrs.evolve(value, **changes) if changes else value
    if isinstance(value, tuple):
        return tuple(_fill(v, text) for v in value)
    if isinstance(value, dict):
        return {k: _fill(v, text) for k, v in value.items()}
    return value


def _personal_values(value: Any) -> set[str]:
    """Every non-empty value of a field marked as personal data, through every record."""
    found: set[str] = set()
    if attrs.has(type(value)):
        for f in attrs.fields(type(value)):
            current = getattr(value, f.name)
            if isinstance(current, str):
                if f.metadata.get(PERSONAL) and current:
                    found.add(current)
            else:
                found |= _personal_values(current)
    elif isinstance(value, (tuple, frozenset)):
        for v in value:
            found |= _personal_values(v)
    elif isinstance(value, dict):
        for v in value.values():
            found |= _personal_values(v)
    return found


# --------------------------------------------------------------------------- every document


def test_the_sar_documents_are_the_definition_s_list() -> None:
    assert SAR_DOCUMENTS == sar.DOCUMENTS
    assert set(SAR_DOCUMENTS) >= SAR_PUBLIC_DOCUMENTS


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("point", list(LIFE))
def test_every_sar_document_renders_with_the_board_and_its_marking(point: str, fmt: Format) -> None:
    """Every document names the Board and carries the protective marking at its top and
    bottom (the public one the Board's ``public_marking``, SAR-G-5); what it cannot
    show yet it lists as missing."""
    board = BoardIdentity(
        "Shire Safeguarding Adults Board", "Shire", "SECRET-ISH", "OPEN", logo_text="SSAB"
    )
    documents = render_all_sar(REVIEWS[point], fmt=fmt, as_of=AS_OF, board=board)
    assert [d.name for d in documents] == list(SAR_DOCUMENTS)
    for document in documents:
        assert document.fmt == fmt and document.filename == f"{document.name}.{fmt}"
        expected = "OPEN" if document.name in SAR_PUBLIC_DOCUMENTS else "SECRET-ISH"
        assert document.marking == expected
        text = document.text
        assert text.count(expected) >= 2
        assert board.name in text and REVIEWS[point].reference in text
        assert str(escape(document.title)) in text
        lines = [line for line in text.splitlines() if line.strip()]
        assert expected in lines[0] if fmt == "md" else expected in text.split("<header>")[0]
        assert expected in lines[-1] if fmt == "md" else expected in text.split("</main>")[1]
        for item in document.missing:
            assert (md_inline(item) if fmt == "md" else str(escape(item))) in text
        if fmt == "html":
            assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
        assert ("Not yet complete" in text) == bool(document.missing)


def test_a_board_given_by_name_is_printed_on_every_document() -> None:
    for document in render_all_sar(REVIEWS["ratified"], as_of=AS_OF, board="Wolds SAB"):
        assert "Wolds SAB" in document.text
        assert document.marking in (DEFAULT_BOARD.marking, DEFAULT_BOARD.public_marking)


def test_an_unknown_sar_document_or_format_is_refused_naming_every_document() -> None:
    with pytest.raises(InvalidRequest) as raised:
        render_sar("overview", REVIEWS["requested"], as_of=AS_OF)
    assert [r.field for r in raised.value.refusals] == ["name"]
    for name in SAR_DOCUMENTS:
        assert name in str(raised.value)
    with pytest.raises(InvalidRequest, match="md or html") as pdf:
        render_sar("referral", REVIEWS["requested"], fmt="pdf", as_of=AS_OF)  # type: ignore[arg-type]
    assert [r.field for r in pdf.value.refusals] == ["fmt"]


def test_sar_rendering_is_deterministic() -> None:
    review = REVIEWS["monitored"]
    for fmt in FORMATS:
        first = render_all_sar(review, fmt=fmt, as_of=AS_OF)
        assert first == render_all_sar(review, fmt=fmt, as_of=AS_OF)


# --------------------------------------------------------------------------- referral


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_r_1_sar_r_2_the_referral_shows_the_form_as_received(fmt: Format) -> None:
    review = REVIEWS["requested"]
    text = render_sar("referral", review, fmt=fmt, as_of=AS_OF).text
    form = review.referral
    show = md_inline if fmt == "md" else (lambda t: str(escape(t)))
    for value in (form.referrer, form.referrer_contact, form.rationale, *form.other_processes):
        assert show(value) in text
    for a in form.adults:
        assert show(a.name) in text
    for event in form.events:
        assert event.on.isoformat() in text and show(event.what) in text
    for agency in form.agencies:
        assert show(agency.name) in text
    assert "member agency" in text


def test_sar_r_3_the_acknowledgement_is_missing_until_recorded() -> None:
    run = requested()
    before = render_sar("referral", run.r, as_of=AS_OF)
    assert any("SAR-R-3" in item for item in before.missing)
    run.do(MANAGER, c.AcknowledgeRequest(), days=1)
    after = render_sar("referral", run.r, as_of=AS_OF)
    assert not any("SAR-R-3" in item for item in after.missing)
    assert run.r.acknowledged_on is not None
    assert run.r.acknowledged_on.isoformat() in after.text
    assert "Referral acknowledged" in render_sar("timeline", run.r, as_of=AS_OF).text


def test_sar_r_4_the_referral_is_information_incomplete_while_a_request_is_open() -> None:
    run = requested()
    ask = c.RequestInformation(
        c.InformationKind.VOLUNTARY, "referrer", "more detail", "sar_decision", scoping=True
    )
    run.do(SUBGROUP, ask)
    missing = render_sar("referral", run.r, as_of=AS_OF).missing
    assert any("information incomplete" in m and "SAR-R-4" in m for m in missing)
    assert not any(
        "SAR-R-4" in m for m in render_sar("referral", REVIEWS["requested"], as_of=AS_OF).missing
    )


# --------------------------------------------------------------------------- decision


def _two_adults() -> Run:
    """Two adults: the first meets the test (condition 1), the second's conjunct (c)
    is unknown and condition 2 not met."""
    run = requested(None, adult("a1"), adult("a2", alive=True))
    run.do(
        SUBGROUP,
        c.AssessCriteria(
            (assessment("a1"), assessment("a2", c_="unknown", cond1="not_met", cond2="not_met"))
        ),
    )
    return run


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_c_5_sar_c_8_the_decision_record_shows_each_adult_s_conjuncts(fmt: Format) -> None:
    """SAR-C-1 to SAR-C-5: each conjunct of each adult with its value and reasons; the
    result per adult; SAR-C-8: the review is mandatory if any adult meets the test."""
    run = _two_adults()
    document = render_sar("decision-record", run.r, fmt=fmt, as_of=AS_OF)
    text = document.text
    for a in run.r.assessments:
        name = run.r.adult(a.adult)
        assert name is not None and name.name in text
    # Adult a1: met, condition 1; adult a2: not met (condition 1 and 2 both not met).
    assert "met, condition 1" in text
    assert "unknown" in text
    assert text.count("the Board finds it met") >= 4
    assert re.search(r"result over its adults \(SAR-C-8\):(</strong>|\*\*) met", text)
    # No decision yet: the record says so (SAR-D-3).
    assert any("SAR-D-3" in item for item in document.missing)


def test_sar_c_5_an_undetermined_test_is_shown_undetermined() -> None:
    run = requested()
    run.do(SUBGROUP, c.AssessCriteria((assessment(c_="unknown"),)))
    text = render_sar("decision-record", run.r, as_of=AS_OF).text
    assert "undetermined" in text
    assert "(SAR-C-8):** undetermined" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_d_3_sar_d_8_the_decision_record_holds_the_outcome_and_the_mandate(fmt: Format) -> None:
    before = render_sar("decision-record", REVIEWS["requested"], fmt=fmt, as_of=AS_OF)
    assert {"SAR-C-5", "SAR-D-3"} <= {m.rsplit("(", 1)[1].rstrip(")") for m in before.missing}
    review = REVIEWS["screened"]
    after = render_sar("decision-record", review, fmt=fmt, as_of=AS_OF)
    assert after.missing == ()
    assert review.decision is not None
    assert "a SAR, mandatory" in after.text and "mandatory, condition 1" in after.text
    assert review.decision.reasons in after.text
    assert review.decision.decided_on.isoformat() in after.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_d_2_another_learning_review_is_recorded_with_its_kind_and_no_mandate(
    fmt: Format,
) -> None:
    run = requested()
    run.do(SUBGROUP, c.AssessCriteria((assessment(a="not_met"),)))
    run.do(CHAIR, c.RecommendAlternative(AlternativeKind.THEMATIC_REVIEW, "a thematic review fits"))
    document = render_sar("decision-record", run.r, fmt=fmt, as_of=AS_OF)
    assert document.missing == ()
    assert "another learning review (thematic review)" in document.text
    assert "a thematic review fits" in document.text
    assert "none: not a SAR" in document.text  # a mandate is a SAR's only (SAR-D-8)
    assert "Decided: another learning review" in render_sar("timeline", run.r, as_of=AS_OF).text


# --------------------------------------------------------------------------- terms


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_m_5_sar_g_2_the_terms_of_reference_cover_every_item_and_principle(fmt: Format) -> None:
    before = render_sar("terms-of-reference", REVIEWS["screened"], fmt=fmt, as_of=AS_OF)
    assert {"SAR-M-5", "SAR-M-1", "SAR-M-3"} <= {
        m.rsplit("(", 1)[1].rstrip(")") for m in before.missing
    }
    review = REVIEWS["commissioned"]
    after = render_sar("terms-of-reference", review, fmt=fmt, as_of=AS_OF)
    assert after.missing == ()
    for title in SAR_TOR_TITLES.values():
        assert str(escape(title)) in after.text or md_inline(title) in after.text
    assert review.terms is not None
    for key, how in review.terms.principles.items():
        assert key.capitalize() in after.text and how in after.text
    assert review.methodology is not None
    for item in review.methodology.plan:
        assert item.id in after.text


def test_sar_m_5_a_not_applicable_item_shows_its_reason() -> None:
    review = REVIEWS["commissioned"]
    assert review.terms is not None
    items = dict(review.terms.items)
    items["parallel_processes"] = attrs.evolve(
        items["parallel_processes"], text="", not_applicable="none under way"
    )
    changed = attrs.evolve(review, terms=attrs.evolve(review.terms, items=items))
    text = render_sar("terms-of-reference", changed, as_of=AS_OF).text
    assert "Not applicable: none under way" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_m_3_the_terms_of_reference_name_a_replaced_lead_reviewer(fmt: Format) -> None:
    """A lead reviewer replaced stays on the terms of reference, with the day they
    stopped and the reasons; hostile text in the reasons is shown, never obeyed."""
    review = REVIEWS["commissioned"]
    assert review.lead_reviewer is not None
    gone = ReviewerReplacement(review.lead_reviewer, "u-l2", HOSTILE, date(2027, 1, 20))
    newcomer = LeadReviewer("u-l2", "Nia Newlead", "Independent Reviews Ltd")
    changed = attrs.evolve(review, lead_reviewer=newcomer, replaced_reviewers=(gone,))
    text = render_sar("terms-of-reference", changed, fmt=fmt, as_of=AS_OF).text
    assert "Lead reviewer until 2027-01-20 (SAR-M-3)" in text
    assert review.lead_reviewer.name in text and "Nia Newlead" in text
    assert "<script>" not in text
    shown = str(escape(HOSTILE)) if fmt == "html" else md_inline(HOSTILE)
    assert shown in text
    plain = render_sar("terms-of-reference", review, fmt=fmt, as_of=AS_OF).text
    assert "until" not in plain


# --------------------------------------------------------------------------- report


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_p_1_sar_p_2_the_report_skeleton_lists_what_is_missing_until_written(
    fmt: Format,
) -> None:
    before = render_sar("report", REVIEWS["commissioned"], fmt=fmt, as_of=AS_OF)
    assert any("SAR-P-1" in m for m in before.missing)
    review = REVIEWS["report_drafted"]
    assert review.report is not None
    drafted = render_sar("report", review, fmt=fmt, as_of=AS_OF)
    assert [m for m in drafted.missing if "SAR-P-1" in m] == []
    assert any("SAR-P-9" in m for m in drafted.missing)
    for finding in review.report.findings:
        assert finding.id in drafted.text and finding.text in drafted.text
    for rec in review.report.recommendations:
        assert rec.id in drafted.text and rec.text in drafted.text
    partial = attrs.evolve(review, report=attrs.evolve(review.report, analysis="", summary=""))
    missing = render_sar("report", partial, fmt=fmt, as_of=AS_OF).missing
    assert any("what happened and why" in m for m in missing)
    assert any("publishable summary" in m for m in missing)
    assert render_sar("report", REVIEWS["ratified"], fmt=fmt, as_of=AS_OF).missing == ()


# --------------------------------------------------------------------------- action plan


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_a_1_sar_a_2_the_action_plan_shows_each_finding_s_decision(fmt: Format) -> None:
    """F1 ``implement`` with its action; F2 ``not_implement`` with its reasons."""
    drafted = render_sar("action-plan", REVIEWS["report_drafted"], fmt=fmt, as_of=AS_OF)
    assert sum("SAR-A-1" in m for m in drafted.missing) == 2
    review = REVIEWS["ratified"]
    plan = render_sar("action-plan", review, fmt=fmt, as_of=AS_OF)
    assert plan.missing == ()
    show = md_inline if fmt == "md" else (lambda t: str(escape(t)))
    assert show("implement") in plan.text and show("not_implement") in plan.text
    decided = review.decision_on("F2")
    assert decided is not None and decided.reasons in plan.text
    for action in review.actions:
        assert action.id in plan.text and action.intended_outcome in plan.text
        assert action.impact_measure in plan.text and action.due_on.isoformat() in plan.text


def test_sar_a_1_a_finding_to_implement_without_an_action_is_missing_one() -> None:
    review = REVIEWS["ratified"]
    missing = render_sar("action-plan", attrs.evolve(review, actions=()), as_of=AS_OF).missing
    assert any("an action for finding F1" in m for m in missing)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_a_3_an_action_past_its_due_date_is_overdue(fmt: Format) -> None:
    review = REVIEWS["monitored"]
    due = max(a.due_on for a in review.actions)
    late = render_sar("action-plan", review, fmt=fmt, as_of=due + timedelta(days=1))
    on_time = render_sar("action-plan", review, fmt=fmt, as_of=due)
    assert "OVERDUE" in late.text and "OVERDUE" not in on_time.text


def test_sar_a_2_a_completed_action_shows_its_outcome() -> None:
    run = monitored()
    run.do(MANAGER, c.CompleteAction("A1", "handovers audited"), days=2)
    text = render_sar("action-plan", run.r, as_of=date(2028, 1, 1)).text
    assert "completed" in text and "handovers audited" in text and "OVERDUE" not in text


# --------------------------------------------------------------------------- timeline


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_p_10_the_timeline_dates_every_recorded_event_and_deadline(fmt: Format) -> None:
    review = REVIEWS["ratified"]
    document = render_sar("timeline", review, fmt=fmt, as_of=AS_OF)
    days = re.findall(r"^\| ([0-9-]{10}) \|", document.text, re.M) if fmt == "md" else []
    assert days == sorted(days)
    assert review.ratified_on is not None and review.ratified_on.isoformat() in document.text
    assert review.terms is not None and review.terms.report_due is not None
    assert review.terms.report_due.isoformat() in document.text
    assert "SAR-P-10" in document.text and "SAR-A-3" in document.text
    assert any("still open" in m for m in document.missing)
    late = render_sar(
        "timeline", attrs.evolve(review, report=None), fmt=fmt, as_of=date(2027, 7, 1)
    )
    assert "overdue" in late.text.lower()


def test_the_timeline_of_an_ended_review_misses_nothing() -> None:
    run = requested()
    run.do(SUBGROUP, c.AssessCriteria((assessment(a="not_met"),)))
    run.do(CHAIR, c.Decline("not in the area"), days=1)
    assert run.r.stage in sar.stages.TERMINAL
    document = render_sar("timeline", run.r, as_of=AS_OF)
    assert document.missing == ()
    assert "Decided: no review" in document.text


# --------------------------------------------------------------------------- publishable summary


def _published() -> SarReview:
    run = monitored()
    run.do(CHAIR, c.DecidePublication(PublicationChoice.PUBLISH_SUMMARY))
    entry = PublicationEntry(run.today, "https://sab.example/sar", "1", "summary")
    return attrs.evolve(run.r, publication=attrs.evolve(run.r.publication, entries=(entry,)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_p_5_sar_p_7_the_publishable_summary_shows_decisions_and_publication(
    fmt: Format,
) -> None:
    before = render_sar("publishable-summary", REVIEWS["ratified"], fmt=fmt, as_of=AS_OF)
    assert [m for m in before.missing if "SAR-P-5" in m]
    review = _published()
    document = render_sar("publishable-summary", review, fmt=fmt, as_of=AS_OF)
    assert document.missing == ()
    assert document.marking == DEFAULT_BOARD.public_marking
    assert review.report is not None and review.report.summary in document.text
    decided = review.decision_on("F2")
    assert decided is not None and decided.reasons in document.text
    assert "https://sab.example/sar" in document.text


@pytest.mark.parametrize("point", list(LIFE))
def test_sar_g_5_sar_p_6_no_personal_value_reaches_the_publishable_summary(point: str) -> None:
    review = REVIEWS[point] if point != "monitored" else _published()
    personal = _personal_values(review)
    assert personal  # the referral names the adult, the referrer and a contact
    for fmt in FORMATS:
        text = render_sar("publishable-summary", review, fmt=fmt, as_of=AS_OF).text
        for value in personal:
            assert value not in text
            assert md_inline(value) not in text and str(escape(value)) not in text


_TOKEN = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=10, max_size=16)


@given(_TOKEN, st.sampled_from(["lower", "upper", "title"]))
def test_sar_g_5_sar_p_6_a_marked_value_reaches_the_referral_but_never_the_summary(
    token: str, case: str
) -> None:
    """Every personal field holds the value, and every free-text field names it (in
    any case): the referral shows it, the publishable summary strikes it out."""
    marked = "Pii" + token.lower()
    written = getattr(marked, case)()
    personal = _personal_field_names()
    review = _fill(
        _published(),
        lambda name: marked if name in personal else f"learning about {written} here",
    )
    assert marked in render_sar("referral", review, as_of=AS_OF).text
    for fmt in FORMATS:
        document = render_sar("publishable-summary", review, fmt=fmt, as_of=AS_OF)
        assert marked.casefold() not in document.text.casefold()
        struck = md_inline(REDACTED) if fmt == "md" else REDACTED
        assert "learning about" in document.text and struck in document.text


def test_sar_p_6_a_summary_naming_the_adult_or_the_referrer_is_redacted() -> None:
    review = _published()
    assert review.report is not None
    adult_name, referrer = review.referral.adults[0].name, review.referral.referrer
    summary = f"{adult_name} was referred by {referrer.upper()}; agencies should share."
    named = attrs.evolve(review, report=attrs.evolve(review.report, summary=summary))
    for fmt in FORMATS:
        text = render_sar("publishable-summary", named, fmt=fmt, as_of=AS_OF).text
        assert adult_name not in text and referrer.upper() not in text
        assert "agencies should share" in text
        assert "referred by" in text


def _personal_field_names() -> set[str]:
    from scr_engine.protocols.sar import records

    names: set[str] = set()
    for cls in vars(records).values():
        if isinstance(cls, type) and attrs.has(cls):
            names |= {f.name for f in attrs.fields(cls) if f.metadata.get(PERSONAL)}
    return names


# --------------------------------------------------------------------------- escaping


def _hostile() -> SarReview:
    """Every free-text field holds :data:`HOSTILE`; every personal field other markup
    (a personal value is struck whole from the publishable summary's texts)."""
    personal = _personal_field_names()
    hostile: SarReview = _fill(
        _published(), lambda name: "<i>someone</i> **x**" if name in personal else HOSTILE
    )
    return hostile


@pytest.mark.parametrize("name", SAR_DOCUMENTS)
def test_html_escapes_every_sar_free_text_field(name: str) -> None:
    text = render_sar(name, _hostile(), fmt="html", as_of=AS_OF).text
    assert "<script>" not in text
    assert "&lt;script&gt;" in text or name == "timeline"


@pytest.mark.parametrize("name", SAR_DOCUMENTS)
def test_markdown_escapes_every_sar_free_text_field(name: str) -> None:
    text = render_sar(name, _hostile(), fmt="md", as_of=AS_OF).text
    assert "<script>" not in text
    if name != "timeline":
        assert md_inline(HOSTILE) in text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)


def _html_tags(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def _md_structure(text: str) -> list[str]:
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(text)
    found: list[str] = []
    for token in tokens:
        found.append(token.type)
        found += [child.type for child in token.children or ()]
    return found


_LINE = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
)


@given(_LINE)
def test_random_text_in_every_sar_free_text_field_never_breaks_out_of_escaping(text: str) -> None:
    """The documents' structure (HTML tags, Markdown blocks and inline markup) is the
    same whatever one line of text fills every free-text and personal field (the
    publishable summary included, SAR-P-6)."""
    assume(text.strip() and not re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text))
    personal = _personal_field_names()

    def fill(line: str) -> SarReview:
        # A personal value longer than the free text: the summary strikes it, not them.
        filled: SarReview = _fill(
            _published(), lambda name: f"{line} (person)" if name in personal else line
        )
        return filled

    plain, filled = fill("plain"), fill(text)
    for name in SAR_DOCUMENTS:
        html = render_sar(name, filled, fmt="html", as_of=AS_OF).text
        assert _html_tags(html) == _html_tags(render_sar(name, plain, fmt="html", as_of=AS_OF).text)
        md = render_sar(name, filled, fmt="md", as_of=AS_OF).text
        assert _md_structure(md) == _md_structure(render_sar(name, plain, as_of=AS_OF).text)


@given(controlled_texts(min_size=1))
def test_no_control_or_bidi_character_reaches_a_sar_document_raw(text: str) -> None:
    """Text with control or bidirectional characters in every free-text and personal
    field: no SAR document holds one raw, in Markdown or in HTML."""
    filled: SarReview = _fill(_published(), lambda name: text)
    for name in SAR_DOCUMENTS:
        for fmt in FORMATS:
            rendered = render_sar(name, filled, fmt=fmt, as_of=AS_OF).text
            assert not raw_controls(rendered), (name, fmt, raw_controls(rendered))


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Dates(HTMLParser):
    """Every text of the body with an ISO date in it, and whether an element around
    it is of class ``date`` (kept on one line)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.loose: list[str] = []
        self.kept = 0

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        if tag not in ("meta", "br"):
            classes = (dict(attributes).get("class") or "").split()
            self.stack.append((tag, "date" in classes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if "body" not in [tag for tag, _ in self.stack] or not _ISO_DAY.search(data):
            return
        if any(kept for _, kept in self.stack):
            self.kept += 1
        else:
            self.loose.append(data)


@pytest.mark.parametrize("name", SAR_DOCUMENTS)
def test_every_date_of_a_sar_html_document_is_kept_on_one_line(name: str) -> None:
    parser = _Dates()
    parser.feed(render_sar(name, _published(), fmt="html", as_of=AS_OF).text)
    assert parser.loose == []
    assert parser.kept >= 1
