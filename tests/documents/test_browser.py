"""The HTML documents in a real browser: headless Chromium, with the network off,
loads each one with no console message (no script error, no blocked request, no CSP
violation) and takes a screenshot of it, wide and narrow, into the test's temporary
folder; at a phone's width no date in a document breaks across lines.

The network is off: Chromium runs in a network namespace of its own with no
interface but loopback (``unshare --net``, where the machine allows it), and is told
to resolve no host name and to send everything through a proxy that does not exist.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when it is absent).
Without it the tests are skipped with the reason, except when ``CI=true``, where they
fail: CI must not pass without them (the rule the PostgreSQL tests follow).
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scr_engine import BoardIdentity
from scr_engine.documents import DOCUMENTS, render
from support.documents import Case, closed_demo, late_demo, requested_demo

_BROWSERS = ("chromium", "chromium-browser")

BOARD = BoardIdentity(
    "Northshire Safeguarding Adults Board <&>",
    area="Northshire",
    logo_text="NSAB",
)
"""The Board the documents are made for (its name must print as text)."""

WIDE, NARROW = "1200,1600", "360,2400"
"""A desktop's window and a phone's."""


@functools.cache
def _offline_prefix() -> tuple[str, ...]:
    """``unshare --net`` when this machine lets a process leave the network (root, or
    user namespaces), else nothing (the flags of :func:`_open` still keep it off)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--user", "--map-root-user", "--net")):
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
        if done.returncode == 0:
            return prefix
    return ()


def require_chromium() -> str:
    """The Chromium executable; skip the calling test without one (fail when CI=true)."""
    for name in _BROWSERS:
        found = shutil.which(name)
        if found is not None:
            return found
    message = (
        "Chromium is not installed (Debian: apt-get install chromium), so the HTML "
        "documents are not opened in a browser"
    )
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message}. CI=true: the browser tests must run.", pytrace=False)
    pytest.skip(message)


def _open(
    browser: str,
    page: Path,
    shot: Path | None,
    work: Path,
    size: str = WIDE,
) -> subprocess.CompletedProcess[str]:
    """Load ``page`` in headless Chromium with the network off, and screenshot it to
    ``shot`` (or, with none, print its DOM once loaded); its own profile and home under
    ``work``, so nothing is left anywhere else."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    command = [
        *_offline_prefix(),
        browser,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        "--disable-background-networking",
        "--disable-component-update",
        f"--user-data-dir={work / 'profile'}",
        f"--window-size={size}",
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={shot}" if shot is not None else "--dump-dom",
        page.as_uri(),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(len(_offline_prefix()) + 1, "--no-sandbox")  # refused as root otherwise
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


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
    case: str, name: str, tmp_path: Path
) -> None:
    browser = require_chromium()
    page = tmp_path / f"{name}.html"
    page.write_text(_html(case, name), encoding="utf-8")
    for width, size in (("wide", WIDE), ("narrow", NARROW)):
        shot = tmp_path / f"{case}-{name}-{width}.png"
        done = _open(browser, page, shot, tmp_path / "chromium", size)
        assert done.returncode == 0, done.stderr[-2000:]
        # Chromium's own pages (chrome://…, "Slow network is detected" on a busy
        # machine) are not the document's: only the document's messages count.
        console = [
            line
            for line in done.stderr.splitlines()
            if ":CONSOLE" in line and "source: chrome://" not in line
        ]
        assert console == [], console
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 10_000  # a page was drawn, not an empty frame


_MEASURE = """<script>
addEventListener("load", () => {
  const broken = [];
  for (const element of document.querySelectorAll(".date")) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.bottom)));
    if (lines.size > 1) broken.push(element.textContent);
  }
  document.body.dataset.dates = document.querySelectorAll(".date").length;
  document.body.dataset.broken = JSON.stringify(broken);
});
</script>"""
"""Counts the lines each date of the page is laid out on (a script the documents'
own policy would block: the measured copy allows inline scripts, and nothing else)."""


def _dates_on_a_phone(browser: str, text: str, work: Path) -> tuple[int, list[str]]:
    """How many dates the page shows at a phone's width, and those broken across lines."""
    policy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    text = re.sub(r'content="default-src[^"]*"', f'content="{policy}"', text, count=1)
    page = work / "measured.html"
    page.write_text(text.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    done = _open(browser, page, None, work / "chromium", NARROW)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<body data-dates="(\d+)" data-broken="([^"]*)"', done.stdout)
    assert found is not None, done.stdout[:2000]
    return int(found.group(1)), json.loads(html.unescape(found.group(2)))


@pytest.mark.parametrize(("case", "name"), CASES)
def test_no_date_breaks_across_lines_at_a_phone_s_width(
    case: str, name: str, tmp_path: Path
) -> None:
    browser = require_chromium()
    dates, broken = _dates_on_a_phone(browser, _html(case, name), tmp_path)
    assert dates >= 1
    assert broken == []


def test_the_measure_sees_a_date_that_breaks(tmp_path: Path) -> None:
    """The control: without the rule that keeps dates on one line, the same measure
    finds dates broken at a phone's width, so a clean run above means unbroken dates."""
    browser = require_chromium()
    text = _html("late", "timeline").replace(".date { white-space: nowrap; }", "")
    text = text.replace("table { display: block; overflow-x: auto; }", "")
    _, broken = _dates_on_a_phone(browser, text, tmp_path)
    assert broken, "no date broke without white-space: nowrap"


def test_the_check_sees_a_console_message(tmp_path: Path) -> None:
    """The control: a page whose script is blocked by the documents' own policy is
    caught, so a silent run above means a clean page."""
    browser = require_chromium()
    page = tmp_path / "blocked.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'\"></head><body><script>1</script></body></html>",
        encoding="utf-8",
    )
    done = _open(browser, page, tmp_path / "blocked.png", tmp_path / "chromium")
    assert any(":CONSOLE" in line for line in done.stderr.splitlines()), done.stderr[-2000:]
