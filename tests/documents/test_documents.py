"""The review's documents (issue 12): the integrated chronology, the public report,
golden copies of every document of the demo review, what a document says while the
review cannot complete it, escaping, and the register CSV.

Golden files live in ``tests/documents/golden/``. After a deliberate change to a document,
regenerate them with ``SCR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/documents/test_documents.py`` and review the diff.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

import scr_engine
from scr_engine import ChronologyEntry, InvalidRequest, RefusalKind, Stage
from scr_engine.documents import (
    DOCUMENTS,
    REGISTER_FIELDS,
    export_all,
    integrated_chronology,
    md_block,
    md_inline,
    merge_chronologies,
    register_csv,
    register_row,
    render,
)
from scr_engine.publication import REDACTED, public_export
from scr_engine.records import Review
from support.controls import controlled_lines, controlled_texts, raw_controls
from support.documents import (
    MEMBER_REASONS,
    TERMS_REASONS,
    Case,
    closed_demo,
    corrected_demo,
    late_demo,
    requested_demo,
)
from support.publication import RATIFIED, reviews_with_leaky_text

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SCR_UPDATE_GOLDEN", "") == "1"
DOCS = Path(__file__).parents[2] / "docs" / "documents.md"

CLOSED = closed_demo()
LATE = late_demo()


def _render(case: Case, name: str, fmt: str) -> str:
    return render(
        name,
        case.review,
        fmt=fmt,  # type: ignore[arg-type]
        as_of=case.as_of,
        settings=case.settings,
        history=case.history,
    ).text


# --------------------------------------------------------------------------- chronology


@st.composite
def chronologies(draw: st.DrawFn) -> list[list[ChronologyEntry]]:
    """A few agencies' chronologies, each entry uniquely named, dates drawn from a few
    days so that many fall on the same day, each agency's in any order."""
    days = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 1, 6))
    sizes = draw(st.lists(st.integers(0, 6), max_size=5))
    out: list[list[ChronologyEntry]] = []
    for agency, size in enumerate(sizes):
        out.append(
            [
                ChronologyEntry(
                    draw(days),
                    f"a{agency}",
                    f"{agency}.{i}",
                    draw(st.booleans()),
                    draw(st.booleans()),
                )
                for i in range(size)
            ]
        )
    return out


@pytest.mark.rule("RP-2")
@given(chronologies())
def test_the_chronology_keeps_every_entry_once_in_time_order_stably(
    sources: list[list[ChronologyEntry]],
) -> None:
    merged = merge_chronologies(sources)
    given_order = [e for source in sources for e in source]
    # Every entry exactly once (entries are uniquely named).
    assert sorted(e.event for e in merged) == sorted(e.event for e in given_order)
    assert len(merged) == len(given_order)
    # In time order.
    assert all(a.date <= b.date for a, b in itertools.pairwise(merged))
    # Stable: entries of the same day keep the order they were given in.
    for day in {e.date for e in merged}:
        assert [e for e in merged if e.date == day] == [e for e in given_order if e.date == day]


@pytest.mark.rule("RP-2")
def test_the_demo_chronology_merges_every_imr() -> None:
    chronology = integrated_chronology(CLOSED.review)
    assert chronology.source == "imrs" and chronology.missing == ()
    every = [e for imr in CLOSED.review.imrs for e in imr.chronology]
    assert sorted(chronology.entries, key=repr) == sorted(every, key=repr)
    assert chronology.seen == sum(e.adult_seen for e in every) > 0
    assert chronology.views == sum(e.views_sought_or_expressed for e in every) > 0


@pytest.mark.rule("RP-2")
def test_without_imr_entries_the_report_s_chronology_stands_in() -> None:
    review = attrs.evolve(
        CLOSED.review, imrs=tuple(attrs.evolve(i, chronology=()) for i in CLOSED.review.imrs)
    )
    chronology = integrated_chronology(review)
    assert chronology.source == "report"
    assert len(chronology.missing) == len(review.imrs)
    assert review.overview_report is not None
    assert len(chronology.entries) == len(review.overview_report.facts.chronology)


# --------------------------------------------------------------------------- public report


def _frame(fmt: str) -> str:
    """The public report of the ratified demo review with every published text
    emptied: what the template itself writes."""
    report = RATIFIED.overview_report
    assert report is not None and report.executive_summary is not None
    conclusions = report.conclusions
    blank = attrs.evolve(
        report,
        executive_summary=attrs.evolve(report.executive_summary, text=""),
        conclusions=attrs.evolve(
            conclusions,
            lessons="",
            national_lessons="",
            recommendations=tuple(attrs.evolve(r, text="") for r in conclusions.recommendations),
        ),
    )
    actions = tuple(attrs.evolve(a, owner="", outcome="", monitoring="") for a in RATIFIED.actions)
    return _public_text(attrs.evolve(RATIFIED, overview_report=blank, actions=actions), fmt)


def _public_text(review: Review, fmt: str) -> str:
    return render("public-report", review, fmt=fmt, as_of=date(2026, 6, 1)).text  # type: ignore[arg-type]


_TEMPLATES = Path(__file__).parents[2] / "src" / "scr_engine" / "documents" / "templates"
FRAMES = {
    fmt: (_frame(fmt) + (_TEMPLATES / f"public-report.{fmt}.j2").read_text("utf-8")).lower()
    for fmt in ("md", "html")
}
"""The public report's own words: those of a rendered frame and of its template (a
section shown only for some reviews, such as the lessons for national policy)."""


@pytest.mark.rule("PR-e")
@pytest.mark.rule("RP-3")
@given(reviews_with_leaky_text())
def test_no_personal_value_reaches_the_rendered_public_report(
    case: tuple[Review, list[str]],
) -> None:
    """The export's own property, on the rendered Markdown and HTML: no personal value
    of four characters or more appears, as written or as escaped (the shorter ones
    are struck only where they are a whole text, as the export does)."""
    review, values = case
    for fmt in ("md", "html"):
        text = _public_text(review, fmt).lower()
        for value in values:
            if len(value.strip()) < 4:
                continue
            forms = {value.lower(), str(escape(value)).lower(), md_inline(value).lower()}
            for form in forms:
                if not form or form in FRAMES[fmt]:
                    continue  # the template's own words: nothing to tell
                assert form not in text, (fmt, value)


@pytest.mark.rule("PR-e")
def test_the_public_report_shows_only_the_public_export() -> None:
    for fmt in ("md", "html"):
        text = _public_text(RATIFIED, fmt)
        summary = public_export(RATIFIED).executive_summary
        assert summary in text and REDACTED not in text
        for _, value in [
            ("requester", RATIFIED.request.requester.name),
            ("contact", RATIFIED.request.other_contact.email),
            ("incident", RATIFIED.request.incidents[0].details),
        ]:
            assert value not in text


@pytest.mark.rule("RP-7")
def test_a_review_not_ratified_publishes_nothing_and_says_why() -> None:
    case = requested_demo()
    for fmt in ("md", "html"):
        document = render("public-report", case.review, fmt=fmt, as_of=case.as_of)  # type: ignore[arg-type]
        assert document.missing and "RP-7" in document.missing[0]
        assert case.review.request.requester.name not in document.text
        assert "Nothing is published" in document.text


# --------------------------------------------------------------------------- golden


CASES = {"demo": CLOSED, "late": LATE}
GOLDEN_DOCUMENTS = [
    (case, name, fmt)
    for case in ("demo", "late")
    for name in DOCUMENTS
    for fmt in ("md", "html")
    if case == "demo" or name in ("action-plan", "timeline")
]


def _compare(text: str, path: Path) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path.name} is missing: SCR_UPDATE_GOLDEN=1 writes it"
    expected = path.read_bytes().decode("utf-8")  # as written: CRLF stays CRLF
    assert text == expected, f"{path.name} differs: SCR_UPDATE_GOLDEN=1 rewrites it"


@pytest.mark.parametrize(("case", "name", "fmt"), GOLDEN_DOCUMENTS)
def test_documents_match_their_golden_copies(case: str, name: str, fmt: str) -> None:
    _compare(_render(CASES[case], name, fmt), GOLDEN / f"{case}-{name}.{fmt}")


def test_the_register_matches_its_golden_copy() -> None:
    text = register_csv(
        [CLOSED.review, LATE.review, requested_demo().review], CLOSED.settings, date(2026, 12, 1)
    )
    _compare(text, GOLDEN / "register.csv")


def test_rendering_is_deterministic() -> None:
    again = closed_demo()
    for name in DOCUMENTS:
        assert _render(again, name, "html") == _render(CLOSED, name, "html")


# --------------------------------------------------------------------------- missing


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_new_review_s_documents_say_what_is_missing(fmt: str) -> None:
    case = requested_demo()
    documents = {
        name: render(
            name,
            case.review,
            fmt=fmt,
            as_of=case.as_of,
            settings=case.settings,  # type: ignore[arg-type]
        )
        for name in DOCUMENTS
    }
    for name in ("chronology", "overview", "action-plan", "public-report", "timeline"):
        document = documents[name]
        assert document.missing, name
        assert "Not yet complete" in document.text, name
        for item in document.missing:
            shown = md_inline(item) if fmt == "md" else str(escape(item))
            assert shown in document.text, (name, item)
    overview = documents["overview"].missing
    assert any("RP-7" in m for m in overview) and any("SU-6" in m for m in overview)
    # The request is complete once the Chair has received it (RF-3).
    assert documents["request"].missing == (
        "the date the Chair of the Board received the request (RF-3)",
    )


def test_an_ended_review_renders_every_document() -> None:
    case = requested_demo()
    declined = attrs.evolve(case.review, stage=Stage.WITHDRAWN, outcome_reasons="Stopped.")
    for name in DOCUMENTS:
        for fmt in ("md", "html"):
            assert render(name, declined, fmt=fmt, as_of=case.as_of).text  # type: ignore[arg-type]


def test_an_unknown_document_or_format_is_refused() -> None:
    """An error of the library's tree (an ``InvalidRequest``, so a ``ValueError``)
    naming the field and what it may be."""
    with pytest.raises(InvalidRequest) as unknown:
        render("letters", CLOSED.review, as_of=CLOSED.as_of)
    with pytest.raises(InvalidRequest) as pdf:
        render("request", CLOSED.review, fmt="pdf", as_of=CLOSED.as_of)  # type: ignore[arg-type]
    for refused, field, said in ((unknown, "name", "no document 'letters'"), (pdf, "fmt", "pdf")):
        assert isinstance(refused.value, ValueError)
        (refusal,) = refused.value.refusals
        assert (refusal.field, refusal.kind) == (field, RefusalKind.INPUT)
        assert said in refusal.message
    assert "timeline" in unknown.value.refusals[0].message  # the names it may be


# --------------------------------------------------------------------------- corrections


@pytest.mark.rule("SU-1")
@pytest.mark.rule("SU-9")
@pytest.mark.rule("SU-2")
@pytest.mark.rule("SU-6")
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_su1_su9_su6_the_overview_shows_former_appointees_and_revised_terms(fmt: str) -> None:
    """SU-1, SU-9, SU-2, SU-6: the overview report names, beside the panel and the
    writer, each person replaced or stood down (role, who, by whom, why, when), and
    beside the terms of reference each revision (when, why, the deadlines it replaced);
    every reason escaped as the text it is."""
    case = corrected_demo()
    text = _render(case, "overview", fmt)
    show = md_inline if fmt == "md" else (lambda value: str(escape(value)))
    assert "Changes to the panel" in text
    assert "Revisions of the terms of reference" in text
    replaced = case.review.replaced
    assert [gone.role for gone in replaced] == ["panel_member", "overview_writer", "panel_chair"]
    for gone in replaced:
        assert show(gone.reasons) in text
        assert show(gone.person.name) in text
        assert gone.day.isoformat() in text
    for words in (
        "Chair of the panel (SU-1)",
        "Overview report writer (SU-9)",
        "Panel member (SU-2)",
        "Dee Panelchair",
        "Fay Newchair",
        "Gil Newwriter",
        "Hal Newmember",
    ):
        assert show(words) in text, words
    [revision] = case.review.terms_revisions
    assert revision.reasons == TERMS_REASONS
    assert show(TERMS_REASONS) in text and revision.day.isoformat() in text
    due = revision.previous.imr_due.isoformat()
    if fmt == "html":  # a date is kept on one line
        due = f'<span class="date">{due}</span>'
    assert f"IMRs due {due}" in text
    # No reason is read as markup.
    assert case.review.replaced[0].reasons == MEMBER_REASONS
    assert "<well>" not in text
    if fmt == "md":
        assert "*all*" not in text and "\\| \\*all\\*" in text


@pytest.mark.rule("SU-6")
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_su6_su1_the_timeline_lists_every_correction_by_day(fmt: str) -> None:
    """SU-6, SU-1, SU-9, SU-2: the timeline, whose deadlines follow the revised terms,
    lists each correction on its day with its reasons."""
    case = corrected_demo()
    text = _render(case, "timeline", fmt)
    show = md_inline if fmt == "md" else (lambda value: str(escape(value)))
    assert "Corrections" in text
    reasons = [case.review.terms_revisions[0].reasons]
    reasons += [gone.reasons for gone in case.review.replaced]
    places = [text.index(show(r)) for r in reasons]
    assert places == sorted(places)  # by day: the revision came first
    assert show("Chair of the panel (SU-1): Dee Panelchair replaced by Fay Newchair") in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_review_without_corrections_shows_no_changes(fmt: str) -> None:
    """SU-1, SU-6: the sections on corrections appear only when there were any."""
    text = _render(CLOSED, "overview", fmt)
    assert "Changes to the panel" not in text
    assert "Revisions of the terms of reference" not in text
    assert "Corrections" not in _render(CLOSED, "timeline", fmt)


def test_the_public_report_shows_no_correction() -> None:
    """PR-e: the reasons for a replacement may name someone; the public report, built
    from the public export alone, shows none of them."""
    case = corrected_demo()
    for fmt in ("md", "html"):
        text = _render(case, "public-report", fmt)
        for gone in case.review.replaced:
            assert gone.person.name not in text
        assert "Newchair" not in text and "fell ill" not in text


# --------------------------------------------------------------------------- escaping

HOSTILE = '<script>alert("x")</script> *bold* _it_ [link](http://e.x) `code` | pipe & amp;'


def _hostile_review() -> Review:
    review = CLOSED.review
    request = attrs.evolve(
        review.request,
        other_information=HOSTILE + "\n# heading\n- item\n    indented",
        requester=attrs.evolve(review.request.requester, organisation=HOSTILE),
    )
    return attrs.evolve(review, request=request)


def test_html_escapes_user_text() -> None:
    text = render("request", _hostile_review(), fmt="html", as_of=CLOSED.as_of).text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert str(escape(HOSTILE)) in text


def test_markdown_escapes_user_text() -> None:
    text = render("request", _hostile_review(), fmt="md", as_of=CLOSED.as_of).text
    assert "<script>" not in text and "\\<script\\>" in text
    assert md_inline(HOSTILE) in text
    assert "\\*bold\\*" in text and "\\[link\\]" in text and "\\`code\\`" in text
    lines = text.splitlines()
    # Line starts that would make a heading, a list or a code block are escaped.
    assert "\\# heading" in lines and "\\- item" in lines and "indented" in lines
    assert not any(line.startswith("    ") for line in lines)


@given(st.one_of(st.text(max_size=40), controlled_texts()))
def test_markdown_escaping_leaves_no_markup_character_bare(text: str) -> None:
    """No markup character is left bare, and no control or bidirectional character
    raw: each is shown as its code point (``U+202E``); a tab is kept, and in a block
    the line breaks."""
    escaped = md_inline(text)
    bare = re.sub(r"\\.", "", escaped)
    assert not set(bare) & set("\\`*_[]<>|~&!")
    assert "\n" not in escaped
    assert not raw_controls(escaped) and not raw_controls(md_block(text))
    for ch in {ch for ch in text if raw_controls(ch) and not ch.isspace()}:
        assert f"U+{ord(ch):04X}" in escaped and f"U+{ord(ch):04X}" in md_block(text)
    assert md_block("a\tb\nc") == "a\tb\nc"


@given(organisation=controlled_lines(), other=controlled_texts(min_size=1))
def test_no_control_or_bidi_character_reaches_any_document_raw(
    organisation: str, other: str
) -> None:
    """Whatever control or bidirectional characters a review's free text holds, no
    document holds them raw, in Markdown or in HTML: they are shown as their code
    points (a terminal or a viewer showing the document is not spoofed)."""
    request = attrs.evolve(
        CLOSED.review.request,
        other_information=other,
        requester=attrs.evolve(CLOSED.review.request.requester, organisation=organisation),
    )
    review = attrs.evolve(CLOSED.review, request=request)
    shown = {f"U+{ord(ch):04X}" for ch in raw_controls(organisation) if not ch.isspace()}
    for name in ("request", "overview"):
        for fmt in ("md", "html"):
            text = render(
                name,
                review,
                fmt=fmt,  # type: ignore[arg-type]
                as_of=CLOSED.as_of,
                settings=CLOSED.settings,
                history=CLOSED.history,
            ).text
            assert not raw_controls(text), (name, fmt, raw_controls(text))
            if name == "request":
                assert all(code in text for code in shown), (name, fmt)


# --------------------------------------------------------------------------- register


def test_the_register_has_one_row_per_review_with_the_documented_fields() -> None:
    reviews = [CLOSED.review, LATE.review, requested_demo().review]
    rows = list(csv.DictReader(io.StringIO(register_csv(reviews, CLOSED.settings, LATE.as_of))))
    assert len(rows) == 3
    assert list(rows[0]) == [f.column for f in REGISTER_FIELDS]
    closed, late, new = rows
    assert (closed["status"], late["status"], new["status"]) == ("Closed", "Closed", "Open")
    assert closed["report_signed_off_date"] == CLOSED.review.ratified_on.isoformat()  # type: ignore[union-attr]
    assert closed["incident_date"] == "2026-01-05" and new["recommendation_themes"] == ""
    assert "5 overdue" in late["actions"] and "5 completed" in closed["actions"]
    doc = DOCS.read_text(encoding="utf-8")
    for field in REGISTER_FIELDS:
        assert f"`{field.column}`" in doc and field.tracker in doc, field.column


@pytest.mark.rule("PR-e")
def test_the_register_holds_no_personal_value() -> None:
    from scr_engine.personal import personal_paths
    from scr_engine.serialization import unstructure

    text = register_csv([CLOSED.review], CLOSED.settings, CLOSED.as_of)
    for _, value in personal_paths(Review, unstructure(CLOSED.review)):
        if len(value) >= 4:
            assert value not in text, value


def test_a_cell_a_spreadsheet_would_run_is_defused() -> None:
    review = attrs.evolve(CLOSED.review, reference="=HYPERLINK(1)")
    row = register_row(review, CLOSED.settings, CLOSED.as_of, board="+Board")
    assert row["local_reference"] == "'=HYPERLINK(1)" and row["board"] == "'+Board"


# --------------------------------------------------------------------------- export


def test_export_all_writes_every_document_and_the_register(tmp_path: Path) -> None:
    written = export_all(
        CLOSED.review,
        CLOSED.settings,
        CLOSED.as_of,
        "html",
        tmp_path / "out",
        history=CLOSED.history,
    )
    assert [p.name for p in written] == [
        *(f"SCR-2026-001-{name}.html" for name in DOCUMENTS),
        "SCR-2026-001-register.csv",
    ]
    for path in written:
        assert path.parent == tmp_path / "out" and path.stat().st_size > 0
    timeline = (tmp_path / "out" / "SCR-2026-001-timeline.html").read_text(encoding="utf-8")
    assert "<svg" in timeline and "<script" not in timeline


def test_the_core_does_not_import_jinja2() -> None:
    """Importing the library, and even the documents package, leaves Jinja2 out until a
    document is rendered."""
    code = (
        "import sys, scr_engine, scr_engine.documents\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported'\n"
    )
    src = str(Path(scr_engine.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
