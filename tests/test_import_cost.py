"""Importing the library stays light: the SQL stack loads only with the SQL store.

Each probe runs in a fresh interpreter, so that nothing this test process (or another
test) has already imported can hide or fake a heavy import.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import scr_engine

HEAVY = ("sqlalchemy", "alembic", "psycopg")
LIGHT_MODULES = ("scr_engine", "scr_engine.commands", "scr_engine.rules", "scr_engine.states")


def _loaded_after(*modules: str) -> list[str]:
    """The heavy modules in ``sys.modules`` of a fresh interpreter after importing
    ``modules`` (the same ``scr_engine`` as this test process imports)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
    env = dict(os.environ)
    src = str(Path(scr_engine.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_importing_the_core_leaves_the_sql_stack_out(module: str) -> None:
    assert _loaded_after(module) == []


def test_importing_every_core_package_together_leaves_the_sql_stack_out() -> None:
    assert _loaded_after(*LIGHT_MODULES) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """Control: the probe does report SQLAlchemy once something imports it."""
    if importlib.util.find_spec("sqlalchemy") is None:
        pytest.skip("SQLAlchemy is not installed, so the probe cannot be checked against it")
    assert "sqlalchemy" in _loaded_after("scr_engine", "sqlalchemy")
