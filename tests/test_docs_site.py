"""The documentation site in a real browser: the site is built once (``mkdocs build
--strict``), then one headless Chromium with the network off opens every page of it,
checks that the page rendered (a title, text in its main content; the stage diagram
drawn on the protocol page) and takes a screenshot of it into the test's temporary
folder. Every request any page made is to a file of the site: none leaves the machine.

Chromium follows the rule of the other browser tests (skipped without it, failed when
``CI=true``); see ``support.chromium``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.chromium import DevTools, require_chromium

ROOT = Path(__file__).resolve().parent.parent

_LOCAL = ("file:", "data:", "blob:", "about:")
"""The schemes of requests that stay on the machine."""

_RENDERED = """(() => {
  const main = document.querySelector("article") || document.querySelector("main");
  const diagram = document.querySelector('article img[src$="stages.svg"]');
  const box = diagram ? diagram.getBoundingClientRect() : null;
  return {
    title: document.title,
    heading: (document.querySelector("article h1") || {}).textContent || "",
    text: main ? main.innerText.trim().length : 0,
    diagram: diagram ? {
      loaded: diagram.complete && diagram.naturalWidth > 0,
      width: box.width,
      height: box.height,
    } : null,
  };
})()"""
"""What the page shows: its title, its main heading, how much text its main content
has, and the stage diagram (loaded, and its size on screen) where there is one."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built once for this module (warnings are errors)."""
    require_chromium()
    out = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "DISABLE_MKDOCS_2_WARNING": "true",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return out


@pytest.mark.long
def test_every_page_of_the_site_renders_offline_with_a_screenshot(
    site: Path, tmp_path: Path
) -> None:
    browser = require_chromium()
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20  # the guides, the protocol pages, one page per command
    shots = tmp_path / "shots"
    shots.mkdir()
    seen: dict[str, dict[str, object]] = {}
    with DevTools(browser, tmp_path / "chromium") as tab:
        for page in pages:
            name = page.relative_to(site).as_posix()
            tab.load(page.as_uri())
            shown = tab.evaluate(_RENDERED)
            seen[name] = shown
            assert shown["title"].strip(), name
            assert shown["heading"].strip(), (name, shown)
            if name != "404.html":  # the one page that is only its heading
                assert shown["text"] > len(shown["heading"]), (name, shown)
            shot = shots / (name.replace("/", "__").removesuffix(".html") + ".png")
            tab.screenshot(shot)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
            assert shot.stat().st_size > 10_000, name  # a page was drawn, not an empty frame
        requests = list(tab.requests)
    diagram = seen["protocol/index.html"]["diagram"]
    assert diagram is not None and diagram["loaded"], diagram
    assert diagram["width"] > 300 and diagram["height"] > 100, diagram
    assert requests, "no request was seen: the observer is not working"
    assert [url for url in requests if not url.startswith(_LOCAL)] == []
    assert len(list(shots.glob("*.png"))) == len(pages)


def test_the_check_sees_a_request_that_would_leave_the_machine(tmp_path: Path) -> None:
    """The control: a page asking for a remote image shows its request among those
    seen, so an empty list above means that no page asked for anything remote."""
    browser = require_chromium()
    page = tmp_path / "remote.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>t</title></head><body><p>text</p>"
        '<img src="https://example.org/diagram.svg"></body></html>',
        encoding="utf-8",
    )
    with DevTools(browser, tmp_path / "chromium") as tab:
        tab.load(page.as_uri())
        requests = list(tab.requests)
    assert "https://example.org/diagram.svg" in requests


_NOT_IN_THE_REPOSITORY = {
    "scr-actors.toml",
    "scr-tokens.json",
    "terms.toml",
    "body.json",
    "/v1/openapi.json",
    "map.md",
    "sar/map.md",
    "protocol/sar/map.md",
    "protocol/sar/requirements.md",
}
"""Files the docs name that are not the project's: a reader's own (the actors file,
the tokens file, a body to send), an address of the service, and the protocol's
source texts kept beside the project (``shared/protocol/``). (The migration the SQL
store's worked example adds, ``…_task_note.py``, is the next test's.)"""


def test_every_file_of_the_project_the_docs_name_is_there() -> None:
    """A path in backticks (``rules/registry.py``, ``tests/test_rule_registry.py``)
    leads to a file of the repository (by its path or the end of it): a newcomer
    following the docs finds what they name."""
    import re

    files = [
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("*")
        if p.is_file() and not {".git", ".venv", "site"} & set(p.relative_to(ROOT).parts)
    ]
    named = re.compile(r"`([A-Za-z0-9_./-]+\.(?:py|md|toml|json))`")
    missing = {
        (document.relative_to(ROOT).as_posix(), name)
        for document in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
        for name in named.findall(document.read_text(encoding="utf-8"))
        if name not in _NOT_IN_THE_REPOSITORY
        and not name.endswith("_task_note.py")
        and not any(f == name or f.endswith(f"/{name}") for f in files)
    }
    assert missing == set()


def test_the_worked_migration_of_the_sql_store_is_the_next_one() -> None:
    """``docs/sql-store.md`` adds a column with a migration numbered after the last."""
    versions = ROOT / "src" / "scr_engine" / "storage" / "migrations" / "versions"
    last = max(int(p.name[:4]) for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))
    page = (ROOT / "docs" / "sql-store.md").read_text(encoding="utf-8")
    assert f"versions/{last + 1:04d}_task_note.py" in page
    assert f'+revision: str = "{last + 1:04d}"' in page
    assert f'+down_revision: str | Sequence[str] | None = "{last:04d}"' in page
