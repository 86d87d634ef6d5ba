"""The HTML documents in a real browser: headless Chromium, with the network off,
loads each one with no console message (no script error, no blocked request, no CSP
violation) and takes a screenshot of it, wide and narrow, into the test's temporary
folder; at a phone's width no date in a document breaks across lines.

One Chromium serves the module, driven over its DevTools pipe (``support.chromium``):
it sees each page's console messages (the browser's log, a script's console and its
uncaught errors) as they come. The network is off: Chromium runs in a network
namespace of its own with no interface but loopback (``unshare --net``, where the
machine allows it), and is told to resolve no host name and to send everything
through a proxy that does not exist. Without Chromium the tests are skipped with the
reason, except when ``CI=true``, where they fail.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from scr_engine import BoardIdentity
from scr_engine.documents import DOCUMENTS, render
from support.chromium import DevTools, require_chromium
from support.documents import Case, closed_demo, late_demo, requested_demo

BOARD = BoardIdentity(
    "Northshire Safeguarding Adults Board <&>",
    area="Northshire",
    logo_text="NSAB",
)
"""The Board the documents are made for (its name must print as text)."""

WIDE, NARROW = (1200, 1600), (360, 2400)
"""A desktop's window and a phone's."""


@pytest.fixture(scope="module")
def tab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    """One headless Chromium, network off, for the module's pages."""
    browser = require_chromium()
    with DevTools(browser, tmp_path_factory.mktemp("chromium")) as opened:
        yield opened


def _shown(tab: DevTools, page: Path, size: tuple[int, int], shot: Path) -> list[str]:
    """Load ``page`` at ``size``, screenshot it to ``shot``; its console messages."""
    tab.resize(*size)
    tab.load(page.as_uri())
    tab.screenshot(shot)
    return list(tab.console)


CASES = (
    [("demo", name) for name in DOCUMENTS]
    + [("late", "timeline"), ("late", "action-plan")]
    + [("new", "overview"), ("new", "timeline")]
)


@functools.cache
def _case(case: str) -> Case:
    return {"demo": closed_demo, "late": late_demo, "new": requested_demo}[case]()


def _html(case: str, name: str) -> str:
    made = _case(case)
    return render(
        name,
        made.review,
        fmt="html",
        as_of=made.as_of,
        settings=made.settings,
        history=made.history,
        board=BOARD,
    ).text


@pytest.mark.parametrize(("case", "name"), CASES)
def test_each_html_document_loads_in_chromium_without_console_messages(
    case: str, name: str, tab: DevTools, tmp_path: Path
) -> None:
    page = tmp_path / f"{name}.html"
    page.write_text(_html(case, name), encoding="utf-8")
    for width, size in (("wide", WIDE), ("narrow", NARROW)):
        shot = tmp_path / f"{case}-{name}-{width}.png"
        console = _shown(tab, page, size, shot)
        assert console == [], console
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 10_000  # a page was drawn, not an empty frame


_MEASURE = """(() => {
  const broken = [];
  for (const element of document.querySelectorAll(".date")) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.bottom)));
    if (lines.size > 1) broken.push(element.textContent);
  }
  return {dates: document.querySelectorAll(".date").length, broken: broken};
})()"""
"""Counts the lines each date of the page is laid out on (run by the browser's
DevTools, so the document is measured as it ships, its policy forbidding scripts)."""


def _dates_on_a_phone(tab: DevTools, text: str, work: Path) -> tuple[int, list[str]]:
    """How many dates the page shows at a phone's width, and those broken across lines."""
    page = work / "measured.html"
    page.write_text(text, encoding="utf-8")
    tab.resize(*NARROW)
    tab.load(page.as_uri())
    found = tab.evaluate(_MEASURE)
    return int(found["dates"]), list(found["broken"])


@pytest.mark.parametrize(("case", "name"), CASES)
def test_no_date_breaks_across_lines_at_a_phone_s_width(
    case: str, name: str, tab: DevTools, tmp_path: Path
) -> None:
    dates, broken = _dates_on_a_phone(tab, _html(case, name), tmp_path)
    assert dates >= 1
    assert broken == []


def test_the_measure_sees_a_date_that_breaks(tab: DevTools, tmp_path: Path) -> None:
    """The control: without the rule that keeps dates on one line, the same measure
    finds dates broken at a phone's width, so a clean run above means unbroken dates."""
    text = _html("late", "timeline").replace(".date { white-space: nowrap; }", "")
    text = text.replace("table { display: block; overflow-x: auto; }", "")
    _, broken = _dates_on_a_phone(tab, text, tmp_path)
    assert broken, "no date broke without white-space: nowrap"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("<script>1</script>", "Content Security Policy"),  # blocked by the policy
        ('<img src="https://example.org/a.png">', "Content Security Policy"),
    ],
    ids=["inline-script", "remote-image"],
)
def test_the_check_sees_a_console_message(
    body: str, said: str, tab: DevTools, tmp_path: Path
) -> None:
    """The control: a page whose script or image is blocked by the documents' own
    policy is caught, so a silent run above means a clean page."""
    page = tmp_path / "blocked.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        f"content=\"default-src 'none'\"></head><body>{body}</body></html>",
        encoding="utf-8",
    )
    console = _shown(tab, page, WIDE, tmp_path / "blocked.png")
    assert any(said in message for message in console), console


def test_the_check_sees_a_script_s_console_and_its_error(tab: DevTools, tmp_path: Path) -> None:
    """The control of the other console messages: a script's ``console.error`` and an
    error it leaves uncaught (a page with no policy, so that its script runs)."""
    page = tmp_path / "noisy.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>t</title></head><body><p>text</p>"
        '<script>console.error("said aloud"); undefined_name();</script></body></html>',
        encoding="utf-8",
    )
    console = _shown(tab, page, WIDE, tmp_path / "noisy.png")
    assert any("console.error: said aloud" in m for m in console), console
    assert any("uncaught:" in m and "undefined_name" in m for m in console), console
