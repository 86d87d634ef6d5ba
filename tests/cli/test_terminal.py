"""``scr`` as a person meets it, in real processes: on a pseudo-terminal the tables
render (with colour); piped, the output carries no escape codes; Ctrl-C and a reader
that stops early (``| head``) end it quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from scr_engine.cli import EXIT_INTERRUPTED, EXIT_PIPE
from support.clitools import ENVIRONMENT, Scr, scr

__all__ = ["scr"]


def environment(**extra: str) -> dict[str, str]:
    """The test's environment without the ``SCR_*`` settings, and without ``COLUMNS``
    and ``LINES`` (set by some runners, such as pytest-xdist's workers: Rich would
    take them over the terminal's own size)."""
    dropped = {*ENVIRONMENT, "COLUMNS", "LINES"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scr_engine", *args]


@pytest.fixture
def reference(scr: Scr) -> str:
    scr.ready()
    found: str = scr.submit()["reference"]
    return found


def on_terminal(folder: Path, *args: str, columns: int = 160, **env: str) -> tuple[str, int]:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scr_engine", *args],
        cwd=str(folder),
        env=environment(TERM="xterm-256color", **env),
        encoding="utf-8",
        dimensions=(50, columns),
        timeout=60,
    )
    text = child.read()
    child.close()
    return text, child.exitstatus


def test_show_renders_a_table_on_a_terminal(scr: Scr, reference: str) -> None:
    text, status = on_terminal(scr.folder, "show", reference, "--as", "u-chair")
    assert status == 0, text
    assert "What Bea Chair (u-chair) may do now" in text
    for header in ("Command", "In words", "Rule", "Why", "Deadline", "Due", "Status"):
        assert header in text
    assert "┃" in text or "|" in text  # a table with its borders
    assert "\x1b[" in text  # styled for a person


def test_a_narrow_terminal_folds_long_words_instead_of_cutting_them(
    scr: Scr, reference: str
) -> None:
    """On a terminal too narrow for a table, an id, a command code or a hash goes on
    over the next line: nothing is shown in part ("…"), and the table fits."""
    for args in (["show", reference], ["history", reference], ["list"]):
        text, status = on_terminal(scr.folder, *args, "--as", "u-chair", columns=64, NO_COLOR="1")
        assert status == 0, text
        assert "…" not in text, text
        assert max(len(line) for line in text.splitlines()) <= 64, text


def test_no_color_on_a_terminal_has_no_escape_codes(scr: Scr, reference: str) -> None:
    text, status = on_terminal(scr.folder, "show", reference, "--as", "u-chair", NO_COLOR="1")
    assert status == 0, text
    assert "Refused now, and why" in text
    assert "\x1b[" not in text


def test_piped_output_has_no_escape_codes(scr: Scr, reference: str) -> None:
    for args in (["show", reference], ["history", reference], ["list"], ["verify"]):
        done = subprocess.run(
            command(*args, "--as", "u-chair"),
            cwd=scr.folder,
            env=environment(TERM="xterm-256color"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip()
        assert "\x1b" not in done.stdout and "\x1b" not in done.stderr


def test_output_closed_early_ends_quietly(scr: Scr, reference: str) -> None:
    process = subprocess.Popen(
        command("diagram"),
        cwd=scr.folder,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has read enough
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == EXIT_PIPE
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_ctrl_c_ends_quietly(scr: Scr, reference: str) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scr_engine", "submit", "-", "--as", "u-req"],
        cwd=str(scr.folder),
        env=environment(TERM="dumb"),
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Reading JSON from standard input")
    child.sendintr()
    rest = child.read()
    child.close()
    assert child.exitstatus == EXIT_INTERRUPTED, rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert scr.json("list", actor="u-bm")["reviews"][0]["reference"] == reference
