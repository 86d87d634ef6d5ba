"""The HTML documents in a real browser: headless Chromium loads each one with no
console message (no script error, no blocked request, no CSP violation) and takes a
screenshot into the test's temporary folder.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when it is absent).
Without it the tests are skipped with the reason, except when ``CI=true``, where they
fail: CI must not pass without them (the rule the PostgreSQL tests follow).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from scr_engine.documents import DOCUMENTS, render
from support.documents import closed_demo, requested_demo

_BROWSERS = ("chromium", "chromium-browser")


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


def _open(browser: str, page: Path, shot: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """Load ``page`` in headless Chromium, screenshot it to ``shot``; its own profile
    and home under ``work``, so nothing is left anywhere else."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    command = [
        browser,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        f"--user-data-dir={work / 'profile'}",
        "--window-size=1200,1600",
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


CASES = [("demo", name) for name in DOCUMENTS] + [("new", "overview"), ("new", "timeline")]


@pytest.mark.parametrize(("case", "name"), CASES)
def test_each_html_document_loads_in_chromium_without_console_messages(
    case: str, name: str, tmp_path: Path
) -> None:
    browser = require_chromium()
    made = closed_demo() if case == "demo" else requested_demo()
    document = render(
        name,
        made.review,
        fmt="html",
        as_of=made.as_of,
        settings=made.settings,
        history=made.history,
    )
    page = tmp_path / document.filename
    page.write_text(document.text, encoding="utf-8")
    shot = tmp_path / f"{case}-{name}.png"
    done = _open(browser, page, shot, tmp_path / "chromium")
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a page was drawn, not an empty frame


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
