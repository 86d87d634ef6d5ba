"""The Board's identity through ``scr``: set by ``scr init`` or ``scr board set``, shown
by ``scr board show``, printed with its protective marking on every exported document
and register row (issue 21, item 6)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from scr_engine.cli import EXIT_USAGE
from scr_engine.cli.actors import TEMPLATE
from support.clitools import Scr, scr

__all__ = ["scr"]  # the fixture, for pytest

NAME = 'Northshire <b>"Safeguarding"</b> Adults Board & Partners'


def _export(scr: Scr, reference: str, fmt: str, out: Path) -> dict[str, str]:
    written = scr.json("export", reference, "--format", fmt, "--out", str(out), actor="u-bm")
    return {
        Path(f).name.removeprefix(f"{reference}-"): Path(f).read_text("utf-8")
        for f in written["files"]
    }


def test_init_sets_the_board_and_every_exported_document_prints_it(
    scr: Scr, tmp_path: Path
) -> None:
    made = scr.json(
        "init",
        "--board-name",
        NAME,
        "--area",
        "Northshire",
        "--logo-text",
        "NSAB",
        "--marking",
        "OFFICIAL-SENSITIVE PERSONAL",
    )
    assert made["board"] == {
        "name": NAME,
        "area": "Northshire",
        "marking": "OFFICIAL-SENSITIVE PERSONAL",
        "public_marking": "OFFICIAL",
        "logo_text": "NSAB",
    }
    scr.write("scr-actors.toml", TEMPLATE)
    reference = scr.submit()["reference"]

    html = _export(scr, reference, "html", tmp_path / "html")
    escaped = "Northshire &lt;b&gt;&#34;Safeguarding&#34;&lt;/b&gt; Adults Board &amp; Partners"
    for name, text in html.items():
        if name == "register.csv":
            continue
        assert "<b>" not in text and text.count(escaped) == 2, name  # top and bottom
        marking = "OFFICIAL" if name == "public-report.html" else "OFFICIAL-SENSITIVE PERSONAL"
        assert text.count(f'aria-label="Protective marking">{marking}</p>') == 2, name
        assert ">NSAB</span>" in text
    markdown = _export(scr, reference, "md", tmp_path / "md")
    for name, text in markdown.items():
        if name == "register.csv":
            continue
        lines = [line for line in text.splitlines() if line.strip()]
        marking = "OFFICIAL" if name == "public-report.md" else "OFFICIAL-SENSITIVE PERSONAL"
        assert lines[0] == f"**{marking}**" and lines[-1].endswith(f"**{marking}**"), name
        assert "\\<b\\>" in text and "<b>" not in text
    [row] = csv.DictReader(io.StringIO(markdown["register.csv"]))
    assert row["board"] == NAME and row["protective_marking"] == "OFFICIAL"
    said = scr("export", reference, "--out", str(tmp_path / "again"), actor="u-bm")
    assert f"for {NAME}" in " ".join(said.stdout.split())


def test_board_set_changes_only_the_parts_given_and_show_prints_them(scr: Scr) -> None:
    scr.ready()
    assert scr.json("board", "show") == {"board": None}
    assert "No Board identity is set" in scr("board", "show").stdout
    first = scr("board", "set", "--area", "Northshire")  # the first time needs a name
    assert first.exit_code == EXIT_USAGE and "--name" in first.stderr
    assert scr.json("board", "show") == {"board": None}
    scr.json("board", "set", "--name", "Northshire SAB", "--area", "Northshire")
    changed = scr.json("board", "set", "--public-marking", "OFFICIAL (PUBLIC)")
    assert changed["board"] == {
        "name": "Northshire SAB",
        "area": "Northshire",
        "marking": "OFFICIAL-SENSITIVE",
        "public_marking": "OFFICIAL (PUBLIC)",
        "logo_text": "",
    }
    assert scr.json("board", "show") == changed
    shown = scr("board", "show").stdout
    assert "Board: Northshire SAB" in shown and "OFFICIAL (PUBLIC)" in shown
    nothing = scr("board", "set")
    assert nothing.exit_code == EXIT_USAGE


def test_a_malformed_part_is_a_usage_error_naming_its_option_and_stores_nothing(
    scr: Scr,
) -> None:
    scr.json("init", "--board-name", "Northshire SAB")
    bad = scr.json("board", "set", "--name", "Two\nlines", "--marking", " ", code=EXIT_USAGE)
    message = bad["error"]["message"]
    assert bad["error"]["kind"] == "usage"
    assert (
        "--name: name must be one line" in message
        and "--marking: marking cannot be empty" in message
    )
    too_long = scr("init", "--logo-text", "x" * 201)
    assert too_long.exit_code == EXIT_USAGE and "--logo-text" in too_long.stderr
    assert scr.json("board", "show")["board"]["name"] == "Northshire SAB"
    assert scr.json("board", "show")["board"]["logo_text"] == ""


def test_a_database_with_no_board_set_exports_the_neutral_default(scr: Scr, tmp_path: Path) -> None:
    made = scr.json("init")
    assert made["board"] is None
    assert "scr board set" in scr("init").stdout  # the next step is said
    scr.write("scr-actors.toml", TEMPLATE)
    reference = scr.submit()["reference"]
    documents = _export(scr, reference, "md", tmp_path / "md")
    assert all("Herefordshire" not in text for text in documents.values())
    assert "Safeguarding Adults Board · **OFFICIAL-SENSITIVE**" in documents["request.md"]
