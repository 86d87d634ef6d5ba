"""The letters of a SAR's information requests (issue 24, item 1;
:mod:`scr_engine.documents.sar_letters`): what each request letter names (SAR-I-1),
the statutory basis of an ``s45`` one and nothing binding in a ``voluntary`` one
(SAR-I-2), the reminder of an overdue request (SAR-I-5), the purpose limitation
(SAR-I-6), the Board's marking, escaping, and the library's error for a letter the
review does not have. Requests are made through the engine, whose history holds what
each one asks for."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from scr_engine import MemoryStore
from scr_engine.board import BoardIdentity
from scr_engine.documents import (
    LETTERS,
    is_letter,
    letter_names,
    render_all_letters,
    render_letter,
)
from scr_engine.documents.escape import md_inline
from scr_engine.documents.render import Format
from scr_engine.errors import InvalidRequest, ScrEngineError
from scr_engine.history import Event
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.information import RecordInformationResponse
from scr_engine.protocols.sar.information_records import ResponseKind
from scr_engine.protocols.sar.records import SarReview
from scr_engine.service.openapi import _LETTER_PATTERN
from support import sar as s
from support.controls import controlled_lines, controlled_texts, raw_controls
from support.sar_engine import EngineRun

FORMATS: tuple[Format, ...] = ("md", "html")
DUE = s.START + timedelta(days=14)
LATE = DUE + timedelta(days=10)
"""A day after every request's due date."""
HOSTILE = "<script>alert(1)</script> *bold* [link](http://x) `code` | pipe & amp"
BOARD = BoardIdentity("Shire Safeguarding Adults Board", "Shire", "SECRET-ISH", "OPEN")

BINDING_WORDS = ("must", "comply", "binding", "s.45 requires", "required", "obliged", "duty")
"""What a voluntary letter never says (SAR-I-2)."""


def _voluntary(**changes: object) -> c.RequestInformation:
    fields: dict[str, object] = {
        "kind": c.InformationKind.VOLUNTARY,
        "addressee": "Shire GP Practice",
        "information": "The GP's records of the adult, 2025 to 2026.",
        "function": "deciding_on_a_sar",
    }
    fields.update(changes)
    return c.RequestInformation(**fields)  # type: ignore[arg-type]


def _s45(**changes: object) -> c.RequestInformation:
    fields: dict[str, object] = {
        "kind": c.InformationKind.S45,
        "addressee": "Shire Housing",
        "information": "The tenancy file of the adult's flat.",
        "function": "carrying_out_a_sar",
        "likely_reason": "Shire Housing was the adult's landlord",
        "relates_to_addressee": True,
    }
    fields.update(changes)
    return c.RequestInformation(**fields)  # type: ignore[arg-type]


def _run(*requests: c.RequestInformation) -> tuple[SarReview, tuple[Event, ...]]:
    """A SAR at ``requested`` with ``requests`` made by the board_chair, and its
    history."""
    run = s.requested(EngineRun(MemoryStore()))
    for request in requests:
        run.do(s.CHAIR, request)
    return run.r, run.engine.history(run.r.id)


def _text(name: str, review: SarReview, history: tuple[Event, ...], fmt: Format) -> str:
    return render_letter(name, review, history=history, fmt=fmt, as_of=LATE, board=BOARD).text


# --------------------------------------------------------------------------- names


def test_a_letter_is_named_by_its_kind_and_its_request() -> None:
    """One request letter per request, in the order sent, and a reminder beside each
    request overdue on the day (SAR-I-5); the service's OpenAPI pattern is the same."""
    review, _ = _run(_voluntary(), _s45(due_on=DUE), _voluntary(due_on=LATE))
    assert letter_names(review, s.START) == (
        "information-request-IR-1",
        "information-request-IR-2",
        "information-request-IR-3",
    )
    assert letter_names(review, LATE) == (
        "information-request-IR-1",
        "information-request-IR-2",
        "information-reminder-IR-2",
        "information-request-IR-3",
    )
    assert LETTERS == ("information-request", "information-reminder")
    assert all(is_letter(n) for n in letter_names(review, LATE))
    others = ("referral", "information-request", "letter-IR-1", "information-request-IR-")
    assert not any(is_letter(n) for n in others)
    for name in (*letter_names(review, LATE), *others):
        assert is_letter(name) is bool(re.match(_LETTER_PATTERN, name)), name


# --------------------------------------------------------------------------- SAR-I-1


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_i_1_the_request_letter_names_who_what_why_and_when(fmt: Format) -> None:
    """SAR-I-1: the addressee, the Board, what is asked for, the SAB function and the
    review it serves, the date sent and the due date, and to whom it is supplied."""
    review, history = _run(_voluntary(due_on=DUE, supply_to="Lee Reviewer"))
    letter = render_letter(
        "information-request-IR-1", review, history=history, fmt=fmt, as_of=LATE, board=BOARD
    )
    assert letter.title == "Request for information" and letter.missing == ()
    text = letter.text
    for part in (
        "Shire GP Practice",
        "Shire Safeguarding Adults Board",
        "records of the adult, 2025 to 2026.",
        "deciding whether to arrange a Safeguarding Adults Review",
        review.reference,
        "IR-1",
        s.START.isoformat(),
        DUE.isoformat(),
        "Lee Reviewer (for the Board)",
    ):
        assert part in text, part


def test_sar_i_1_a_letter_without_the_history_says_what_it_cannot_show() -> None:
    """What is asked for lives in the request's event: without the history the letter
    lists it as missing (SAR-I-1), and an s.45 one its conditions (SAR-I-2)."""
    review, _ = _run(_s45())
    letter = render_letter("information-request-IR-1", review, history=None, as_of=LATE)
    assert [m.split(" (")[0] for m in letter.missing] == [
        "what information is asked for",
        "the s.45 conditions the Board recorded",
    ]
    assert "SAR-I-1" in letter.missing[0] and "SAR-I-2" in letter.missing[1]
    assert "Not yet complete" in letter.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_i_1_a_settled_request_s_letter_is_the_letter_as_sent(fmt: Format) -> None:
    review, history = _run(_voluntary())
    run = s.requested(EngineRun(MemoryStore()))
    run.do(s.CHAIR, _voluntary())
    run.do(s.MANAGER, RecordInformationResponse("IR-1", ResponseKind.SUPPLIED, ("gp-notes",)))
    text = _text("information-request-IR-1", run.r, run.engine.history(run.r.id), fmt)
    assert "now answered" in text and "as it was sent" in text
    assert "is now" not in _text("information-request-IR-1", review, history, fmt)


# --------------------------------------------------------------------------- SAR-I-2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"due_on": DUE},
        {"scoping": True, "supply_to": "the subgroup chair"},
        {"function": "helping_and_protecting_adults", "likely_reason": "they know the adult"},
        {"relates_to_addressee": True, "due_on": DUE},
    ],
)
def test_sar_i_2_a_voluntary_letter_never_calls_itself_binding(
    fmt: Format, changes: dict[str, object]
) -> None:
    """SAR-I-2: whatever a voluntary request records (even what would be a condition of
    s.45), neither its letter nor its reminder says it must be complied with, that
    s.45 requires it, or that it is binding; it cites no section of the Act's power."""
    review, history = _run(_voluntary(**changes))
    names = letter_names(review, LATE)
    assert len(names) == (2 if "due_on" in changes else 1)
    for name in names:
        text = _text(name, review, history, fmt).lower()
        for word in BINDING_WORDS:
            assert word not in text, (name, word)
        assert "s.45(1)" not in text and "legal basis" not in text
        assert "voluntary" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_i_2_an_s45_letter_states_its_basis_and_the_recorded_conditions(fmt: Format) -> None:
    """SAR-I-2: an s45 letter cites Care Act 2014 s.45, states conditions 1 and 2 with
    the function and the recorded reason, condition 3 or 4 as recorded (4 naming the
    earlier request), and that the addressee must comply; so does its reminder."""
    review, history = _run(
        _s45(due_on=DUE),
        _s45(addressee="Shire Care Ltd", relates_to_addressee=False, earlier_request="IR-1"),
    )
    first = _text("information-request-IR-1", review, history, fmt)
    assert "section 45 of the Care Act 2014" in first
    assert "you must comply with this request (Care Act 2014 s.45(1))" in first
    assert "Condition 1." in first and "carrying out a Safeguarding Adults Review" in first
    assert "Condition 2." in first and "landlord." in first
    assert "Condition 3." in first and "Condition 4." not in first
    second = _text("information-request-IR-2", review, history, fmt)
    assert "Condition 4." in second and "earlier section 45 request IR-1" in second
    assert "Condition 3." not in second
    reminder = _text("information-reminder-IR-1", review, history, fmt)
    assert "You must comply with it (Care Act 2014 s.45(1))" in reminder
    assert "Condition 3." in reminder and "10" in reminder  # days overdue


# --------------------------------------------------------------------------- SAR-I-5


@pytest.mark.parametrize("fmt", FORMATS)
def test_sar_i_5_a_reminder_is_for_an_overdue_request_only(fmt: Format) -> None:
    """SAR-I-5: a request still awaited after its due date has a reminder saying how
    late it is; before the date, or once answered, asking for one is refused."""
    review, history = _run(_voluntary(due_on=DUE))
    reminder = render_letter(
        "information-reminder-IR-1", review, history=history, fmt=fmt, as_of=LATE
    )
    assert reminder.title == "Reminder: request for information"
    assert "Days overdue" in reminder.text and DUE.isoformat() in reminder.text
    with pytest.raises(InvalidRequest) as early:
        render_letter("information-reminder-IR-1", review, history=history, fmt=fmt, as_of=DUE)
    assert early.value.rules == ("SAR-I-5",)
    assert "not overdue on" in early.value.refusals[0].message


# --------------------------------------------------------------------------- SAR-I-6


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("make", [_voluntary, _s45])
def test_sar_i_6_every_letter_limits_the_use_to_the_sab_s_functions(
    fmt: Format, make: Callable[..., c.RequestInformation]
) -> None:
    """SAR-I-6: every letter says what is supplied will be used only to enable or assist
    the Board to exercise its functions, lists them, and says each use is recorded
    with its purpose; an s.45 letter cites s.45(6)."""
    review, history = _run(make(due_on=DUE))
    for name in letter_names(review, LATE):
        text = _text(name, review, history, fmt)
        assert "only to enable or assist" in text
        assert "helping and protecting adults in its area" in text
        assert "recorded with its purpose" in text
        assert ("s.45(6)" in text) is (make is _s45)


# --------------------------------------------------------------------------- marking, escaping


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_letter_holds_personal_data_and_carries_the_board_s_marking(fmt: Format) -> None:
    review, history = _run(_s45(due_on=DUE))
    letters = render_all_letters(review, history=history, fmt=fmt, as_of=LATE, board=BOARD)
    assert [d.name for d in letters] == list(letter_names(review, LATE))
    for letter in letters:
        assert letter.marking == "SECRET-ISH"
        assert letter.text.count("SECRET-ISH") >= 2 and "OPEN" not in letter.text
        assert letter.filename == f"{letter.name}.{fmt}"


def test_hostile_text_in_a_letter_is_escaped_in_html_and_markdown() -> None:
    """The addressee, what is asked for, the reason and where it goes are text, never
    markup: escaped in HTML (no script runs) and in Markdown (no link, no emphasis)."""
    review, history = _run(
        _s45(
            addressee=HOSTILE,
            information=HOSTILE,
            likely_reason=HOSTILE,
            supply_to=HOSTILE,
            due_on=DUE,
        )
    )
    for name in letter_names(review, LATE):
        html = _text(name, review, history, "html")
        assert "<script>" not in html and str(escape("<script>alert(1)</script>")) in html
        md = _text(name, review, history, "md")
        assert "<script>" not in md and "[link](http://x)" not in md
        assert md_inline(HOSTILE) in md


@settings(deadline=None, max_examples=30)
@given(controlled_lines(), controlled_texts(min_size=1))
def test_no_control_or_bidi_character_reaches_a_letter_raw(addressee: str, text: str) -> None:
    """The addressee, what is asked for, the reason and where it goes holding control
    or bidirectional characters (a NUL is refused): no letter holds one raw, in
    Markdown or in HTML."""
    addressee, text = addressee.replace("\x00", ""), text.replace("\x00", "")
    assume(addressee.strip() and text.strip())
    assume(not re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", addressee + text))
    ask = _s45(addressee=addressee, information=text, likely_reason=text, supply_to=text)
    review, history = _run(attrs.evolve(ask, due_on=DUE))
    for name in letter_names(review, LATE):
        for fmt in FORMATS:
            rendered = _text(name, review, history, fmt)
            assert not raw_controls(rendered), (name, fmt, raw_controls(rendered))


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("information-request-IR-9", "has no information request 'IR-9' (requests: IR-1)"),
        ("information-reminder-IR-0", "has no information request 'IR-0' (requests: IR-1)"),
        ("information-letter-IR-1", "no letter 'information-letter-IR-1'"),
    ],
)
def test_sar_i_1_a_letter_the_review_does_not_have_is_the_library_s_error(
    name: str, said: str
) -> None:
    """An unknown request or letter is :class:`InvalidRequest` (a ``ScrEngineError`` and a
    ``ValueError``) naming the requests there are, citing SAR-I-1."""
    review, history = _run(_voluntary())
    with pytest.raises(InvalidRequest) as refused:
        render_letter(name, review, history=history, as_of=LATE)
    assert isinstance(refused.value, ScrEngineError) and isinstance(refused.value, ValueError)
    assert refused.value.rules == ("SAR-I-1",)
    assert said in refused.value.refusals[0].message


def test_a_letter_in_an_unknown_format_is_refused() -> None:
    review, history = _run(_voluntary())
    with pytest.raises(InvalidRequest, match="no format 'pdf'"):
        render_letter("information-request-IR-1", review, history=history, fmt="pdf", as_of=LATE)  # type: ignore[arg-type]


def test_the_letters_templates_print_no_date_outside_a_date_span() -> None:
    """In HTML every ISO date of a letter stays on one line (as in every document)."""
    review, history = _run(_s45(due_on=DUE))
    html = _text("information-reminder-IR-1", review, history, "html")
    body = html.split("<main>")[1]
    bare = re.sub(r'<span class="date">[0-9-]{10}</span>', "", body)
    assert not re.search(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b", bare)


def test_sar_i_1_a_letter_reads_only_its_own_request_s_event() -> None:
    """The history of another review (or a shorter one) gives no request's words."""
    review, _ = _run(_voluntary(), _s45())
    _, other = _run(_s45())
    letter = render_letter("information-request-IR-1", review, history=other, as_of=LATE)
    assert letter.missing and "SAR-I-1" in letter.missing[0]
    assert "tenancy file" not in letter.text
    short = render_letter("information-request-IR-2", review, history=other[:1], as_of=LATE)
    assert len(short.missing) == 2


_LINE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


def _tags(html: str) -> list[str]:
    return re.findall(r"<[A-Za-z/!][^>]*>", html)


@settings(deadline=None)
@given(addressee=_LINE, information=_LINE, reason=_LINE, scoping=st.booleans())
def test_sar_i_2_no_voluntary_letter_calls_itself_binding_whatever_it_records(
    addressee: str, information: str, reason: str, scoping: bool
) -> None:
    """SAR-I-2, as a property: whatever line of text a voluntary request records (none
    of it binding words), neither its letter nor its reminder says anything binding;
    and in HTML the text adds no tag to what a plain request's letter has."""
    assume(addressee.strip() and information.strip())
    assume(not any(w in (addressee + information + reason).lower() for w in BINDING_WORDS))
    assume(not re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", addressee + information))  # dated

    def made(who: str, what: str) -> tuple[SarReview, tuple[Event, ...]]:
        ask = _voluntary(
            addressee=who, information=what, likely_reason=reason, scoping=scoping, due_on=DUE
        )
        return _run(ask)

    review, history = made(addressee, information)
    plain, plain_history = made("Addressee", "Information")
    for name in letter_names(review, LATE):
        for fmt in FORMATS:
            text = _text(name, review, history, fmt).lower()
            assert not any(word in text for word in BINDING_WORDS), (name, fmt)
        html = _text(name, review, history, "html")
        assert _tags(html) == _tags(_text(name, plain, plain_history, "html"))
