"""The Board's identity and protective marking on every document and register row,
words instead of codes, dates kept on one line, and the timeline's axis ending with
the review (issue 21, item 6)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from scr_engine import DEFAULT_BOARD, BoardIdentity, InvalidRequest
from scr_engine.documents import (
    DOCUMENTS,
    PUBLIC_DOCUMENTS,
    md_inline,
    register_csv,
    render,
    review_timeline,
)
from scr_engine.documents.timeline import svg_layout
from scr_engine.words import STAGE_WORDS
from support.documents import Case, closed_demo, corrected_demo, late_demo, requested_demo

BOARD = BoardIdentity(
    "Northshire Safeguarding Adults Board",
    area="Northshire County",
    marking="OFFICIAL-SENSITIVE PERSONAL",
    public_marking="OFFICIAL",
    logo_text="NSAB",
)
HOSTILE = BoardIdentity(
    '<script>alert("b")</script> *Board* | # [x](http://e.invalid)',
    area="<img src=x onerror=alert(1)>",
    logo_text="<b>L</b>",
)
CASES = {"closed": closed_demo(), "late": late_demo(), "new": requested_demo()}
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _render(case: Case, name: str, fmt: str, board: BoardIdentity = BOARD) -> str:
    return render(
        name,
        case.review,
        fmt=fmt,  # type: ignore[arg-type]
        as_of=case.as_of,
        settings=case.settings,
        history=case.history,
        board=board,
    ).text


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_names_the_board_and_carries_its_marking_top_and_bottom(
    name: str, fmt: str
) -> None:
    text = _render(CASES["closed"], name, fmt)
    marking = BOARD.public_marking if name in PUBLIC_DOCUMENTS else BOARD.marking
    if fmt == "md":
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[0] == f"**{marking}**"
        assert lines[-1].endswith(f"**{marking}**") and BOARD.name in lines[-1]
        assert f"{BOARD.name} · {BOARD.area}" in text
    else:
        body = text.split("<body>", 1)[1]
        markings = re.findall(r'<p class="marking"[^>]*>([^<]*)</p>', body)
        assert markings == [marking, marking]
        assert body.lstrip().startswith('<p class="marking"')
        assert body.rstrip().endswith("</footer>\n</body>\n</html>".strip())
        assert body.count(f'<span class="board-name">{BOARD.name}</span>') == 2
        assert '<span class="logo" aria-hidden="true">NSAB</span>' in body
    if name in PUBLIC_DOCUMENTS:
        assert BOARD.marking not in text  # no personal data: not marked as if it had


def test_documents_with_personal_data_are_official_sensitive_by_default() -> None:
    for name in DOCUMENTS:
        document = render(name, CASES["new"].review, fmt="html", as_of=CASES["new"].as_of)
        expected = "OFFICIAL" if name in PUBLIC_DOCUMENTS else "OFFICIAL-SENSITIVE"
        assert document.marking == expected
        assert DEFAULT_BOARD.name in document.text
    assert "Herefordshire" not in render("request", CASES["new"].review, as_of=date.today()).text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_hostile_board_name_is_text_in_html(name: str) -> None:
    text = _render(CASES["closed"], name, "html", HOSTILE)
    assert "<script" not in text and "<img" not in text and "<b>L" not in text
    assert "&lt;script&gt;alert(&#34;b&#34;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_hostile_board_name_is_text_in_markdown(name: str) -> None:
    text = _render(CASES["closed"], name, "md", HOSTILE)
    assert md_inline(HOSTILE.name) in text
    named = [line for line in text.splitlines() if "alert(" in line]
    assert len(named) == 2  # at the top and at the bottom
    for line in named:  # every character that means markup is backslash-escaped
        assert not re.search(r"(?<!\\)[<>\[\]*|]", line.replace("**", "")), line


def test_the_register_row_names_the_board_and_its_public_marking() -> None:
    case = CASES["closed"]
    [row] = csv.DictReader(
        io.StringIO(register_csv([case.review], case.settings, case.as_of, BOARD))
    )
    assert row["board"] == BOARD.name
    assert row["protective_marking"] == "OFFICIAL"
    [plain] = csv.DictReader(io.StringIO(register_csv([case.review], case.settings, case.as_of)))
    assert plain["board"] == DEFAULT_BOARD.name and plain["protective_marking"] == "OFFICIAL"


def test_a_board_identity_refuses_every_bad_part_at_once() -> None:
    with pytest.raises(InvalidRequest) as raised:
        BoardIdentity(" ", area="a\nb", marking="", logo_text="x" * 201)
    assert [r.field for r in raised.value.refusals] == ["name", "area", "marking", "logo_text"]
    assert BoardIdentity.from_json(BOARD.to_json()) == BOARD
    with pytest.raises(InvalidRequest):
        BoardIdentity.from_json('{"name": "x", "colour": "red"}')


# --------------------------------------------------------------------------- words


@pytest.mark.rule("SU-8")
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_su8_the_family_decision_and_representation_are_in_words(fmt: str) -> None:
    text = _render(CASES["closed"], "overview", fmt)
    assert "consult, represented" not in text
    assert "Decided to consult the adult or their family, represented through advocacy" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_stages_are_in_words_in_every_document(fmt: str) -> None:
    for case in CASES.values():
        for name in DOCUMENTS:
            text = _render(case, name, fmt)
            codes = [code for code in STAGE_WORDS if "_" in code]
            assert not [code for code in codes if re.search(rf"\b{code}\b", text)], name
    timeline = _render(CASES["closed"], "timeline", fmt)
    for words in ("Panel convened: IMRs being gathered", "Action plan being monitored", "Closed"):
        assert words in timeline
    assert "Review SCR-2026-001 · Closed · as of" in _render(CASES["closed"], "request", fmt)
    request = _render(CASES["new"], "request", fmt)
    assert "a partner agency" in request and "partner\\_agency" not in request


# --------------------------------------------------------------------------- dates


class _Dates(HTMLParser):
    """Every text with an ISO date in the body, outside the SVG picture, and whether an
    element around it is of class ``date`` (kept on one line)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.loose: list[str] = []
        self.kept = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("meta", "br", "line", "rect", "circle"):
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, "date" in classes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _ in self.stack]
        if "body" not in tags or "svg" in tags or not ISO_DAY.search(data):
            return
        if any(kept for _, kept in self.stack):
            self.kept += 1
        else:
            self.loose.append(data)


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize("case", ["closed", "late", "new", "corrected"])
def test_every_date_in_an_html_document_is_kept_on_one_line(case: str, name: str) -> None:
    made = corrected_demo() if case == "corrected" else CASES[case]
    parser = _Dates()
    parser.feed(_render(made, name, "html"))
    assert parser.loose == []
    assert parser.kept >= 1
    css = _render(made, name, "html").split("<style>", 1)[1].split("</style>", 1)[0]
    assert ".date { white-space: nowrap; }" in css


# --------------------------------------------------------------------------- timeline


def test_a_closed_review_s_axis_ends_on_the_day_it_closed_not_the_export_day() -> None:
    case = CASES["closed"]
    ended = case.review.closed_on
    assert ended is not None
    for as_of in (case.as_of, date(2027, 6, 5)):
        timeline = review_timeline(case.review, case.settings, as_of, case.history)
        assert timeline.ended_on == ended
        layout = svg_layout(timeline)
        right = layout.width - 40
        assert layout.today_x == right  # the dashed line: the review's end, at the axis end
        assert layout.end_label == f"ended {ended.isoformat()}"
        assert all(bar.x + bar.width <= right + 2.0 for bar in layout.bars)  # a mark: 2 wide
        first_stage = layout.bars[0]
        assert first_stage.x == layout.left  # the review fills the picture from its start
    months_later = _render(CASES["closed"], "timeline", "html").replace("\n", " ")
    assert f"ended {ended.isoformat()}" in months_later


def test_an_open_review_s_axis_runs_to_the_day_it_is_looked_at() -> None:
    case = CASES["late"]
    timeline = review_timeline(case.review, case.settings, case.as_of, case.history)
    assert timeline.ended_on is None
    layout = svg_layout(timeline)
    assert layout.end_label == f"as of {case.as_of.isoformat()}"
    assert layout.today_x == layout.width - 40  # as_of is after every due date here
