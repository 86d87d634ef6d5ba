"""``scr`` starts quickly: a command imports only what it uses (no Alembic unless it
migrates, no Rich for ``--json``), and the core never imports the command line's
libraries. Each probe runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from scr_engine.storage.sql import _head_revisions, _shipped_head
from support.clitools import ENVIRONMENT, Scr, scr

__all__ = ["scr"]

PROBE = """
import json, sys
from scr_engine.cli import main
code = main(sys.argv[1:])
heavy = ("alembic", "rich", "typer", "cryptography", "psycopg")
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


def probe(scr: Scr, *args: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=scr.folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_shipped_head_is_alembic_s_head() -> None:
    assert _shipped_head() == _head_revisions()


def test_show_and_run_import_neither_alembic_nor_rich(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    shown = probe(scr, "show", reference, "--json", "--as", "u-chair")
    assert shown == {"code": 0, "loaded": []}
    ran = probe(scr, "run", reference, "assess_criteria", "--json", "--as", "u-chair")
    assert ran == {"code": 0, "loaded": []}
    # Only a person's tables bring in Rich.
    assert probe(scr, "show", reference, "--as", "u-chair")["loaded"] == ["rich"]


def test_the_core_never_imports_the_command_line_s_libraries() -> None:
    code = (
        "import json, sys, scr_engine, scr_engine.engine\n"
        "print(json.dumps(sorted(m for m in ('click', 'rich', 'typer') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_program_rests_the_collector_until_its_store_is_open(scr: Scr) -> None:
    """The garbage collector the program pauses for its start-up runs again, with the
    start-up's objects frozen out of its reach, once a command has opened its store;
    a collector the host disabled stays disabled."""
    import gc

    from scr_engine._program import pause_gc, resume_gc

    scr.ready()
    reference = scr.submit()["reference"]
    was_enabled = gc.isenabled()
    gc.enable()
    frozen = gc.get_freeze_count()
    try:
        pause_gc()
        assert not gc.isenabled()
        assert scr("show", reference, "--json", actor="u-chair").exit_code == 0
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
        # Resumed once: a second call (another store opened) changes nothing.
        gc.disable()
        resume_gc()
        assert not gc.isenabled()
        # Not paused by the program: nothing to resume.
        pause_gc()  # the collector is already off: the program did not pause it
        resume_gc()
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
