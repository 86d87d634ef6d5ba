"""Importing the library stays light: the SQL stack loads only with the SQL store.

Each probe runs in a fresh interpreter, so that nothing this test process (or another
test) has already imported can hide or fake a heavy import.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import scr_engine

HEAVY = ("sqlalchemy", "alembic", "psycopg")
LIGHT_MODULES = (
    "scr_engine",
    "scr_engine.commands",
    "scr_engine.rules",
    "scr_engine.states",
    "scr_engine.protocols",
)


def _fresh(code: str) -> Any:
    """The JSON that ``code`` prints last, run in a fresh interpreter (on the same
    ``scr_engine`` as this test process imports)."""
    env = dict(os.environ)
    src = str(Path(scr_engine.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded_after(*modules: str) -> list[str]:
    """The heavy modules in ``sys.modules`` of a fresh interpreter after importing
    ``modules``."""
    loaded: list[str] = _fresh(
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
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


def test_import_scr_engine_alone_builds_nothing_until_a_name_is_used() -> None:
    """``import scr_engine`` imports none of its modules (nor attrs): the ``scr``
    program pauses the garbage collector before the core is built, and a host that
    needs only ``scr_engine.schema`` pays for no more."""
    loaded = _fresh(
        "import json, sys, scr_engine\n"
        "before = sorted(m for m in sys.modules if m.startswith(('scr_engine.', 'attr')))\n"
        "scr_engine.ReviewEngine\n"
        "after = 'scr_engine.engine' in sys.modules\n"
        "print(json.dumps([before, after]))"
    )
    assert loaded == [[], True]


def _declared_imports() -> dict[str, str]:
    """The names ``scr_engine/__init__.py`` imports for type checkers, with their
    modules (a submodule imported by name maps to itself)."""
    tree = ast.parse(Path(scr_engine.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("scr_engine")
        ):
            for alias in node.names:
                home = node.module
                if home == "scr_engine":
                    home = f"scr_engine.{alias.name}"
                found[alias.asname or alias.name] = home
    return found


def test_every_public_name_comes_from_where_the_type_checker_is_told() -> None:
    where = scr_engine._WHERE
    assert where == _declared_imports()
    assert set(where) == set(scr_engine.__all__) - {"__version__"}
    for name, module in where.items():
        home = importlib.import_module(module)
        expected = home if module == f"scr_engine.{name}" else getattr(home, name)
        assert getattr(scr_engine, name) is expected, name
    assert set(scr_engine.__all__) <= set(dir(scr_engine))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        scr_engine.Nothing  # noqa: B018
    assert not hasattr(scr_engine, "Nothing")


def test_importing_the_errors_loads_nothing_of_the_domain() -> None:
    """The error tree (and the refusals it carries) sits below the domain: a host that
    catches :class:`~scr_engine.ScrEngineError` pays for no record, rule or machine."""
    loaded = _fresh(
        "import json, sys, scr_engine.errors\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.startswith(('scr_engine', 'transitions', 'sqlalchemy')))))"
    )
    assert loaded == ["scr_engine", "scr_engine.errors", "scr_engine.errors.refusals"]


def test_the_refusals_keep_their_first_address() -> None:
    from scr_engine.errors import refusals
    from scr_engine.rules import reasons

    assert reasons.Refusal is refusals.Refusal is scr_engine.Refusal
    assert reasons.RefusalKind is refusals.RefusalKind is scr_engine.RefusalKind


def test_an_engine_of_the_scr_alone_loads_no_other_protocol() -> None:
    """Every ``scr`` command makes an engine: with the SCR's settings alone it does not
    import the SAR's definition (a tenth of a second of each command's start), which
    loads when a review, a command or settings of the SAR need it."""
    loaded = _fresh(
        "import json, sys\n"
        "from scr_engine import MemoryStore, ReviewEngine\n"
        "ReviewEngine(MemoryStore())\n"
        "print(json.dumps('scr_engine.protocols.sar' in sys.modules))\n"
    )
    assert loaded is False
    with_sar = _fresh(
        "import json, sys\n"
        "from scr_engine import MemoryStore, ReviewEngine\n"
        "from scr_engine.protocols.sar.settings import SarSettings\n"
        "ReviewEngine(MemoryStore(), protocol_settings=[SarSettings(version='b')])\n"
        "print(json.dumps('scr_engine.protocols.sar' in sys.modules))\n"
    )
    assert with_sar is True
