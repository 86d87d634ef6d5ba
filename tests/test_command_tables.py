"""Every command is in every table, and a command missing from one is named before it
runs: by mypy strict for the tables written over the commands' classes (the guards,
the preconditions, the effects), by the import itself for the union of the classes
and for the rows of the table of stages and roles (which sits below the commands).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import scr_engine
from scr_engine import commands as c
from scr_engine.rules.guards import CHECKS, PRECONDITIONS, table_problems
from scr_engine.states.effects import EFFECTS
from scr_engine.states.table import TABLE, Row

ROOT = Path(scr_engine.__file__).resolve().parent
TABLES = ("rules/guards.py", "rules/preconditions.py", "states/effects.py")


def _without(source: str, cls: str) -> str:
    """``source`` with the branch of one command class cut out."""
    branch = re.compile(rf"    if issubclass\(cls, c\.{cls}\):\n        return [^\n]+\n")
    cut, found = branch.subn("", source)
    assert found == 1, f"no branch for {cls}"
    return cut


def test_every_command_has_a_guard_an_effect_and_a_row() -> None:
    every = set(c.COMMANDS)
    assert set(CHECKS) == set(EFFECTS) == every - {"submit_request"}
    assert set(PRECONDITIONS) < every
    assert {r.command for r in TABLE} == every
    assert table_problems(TABLE) == []


def test_mypy_names_a_command_missing_from_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs mypy strict (about 5-15 s cold) on copies of the three tables: as they
    are (no error: the control), each with ``Decline``'s branch cut out, and the guards
    with ``Decline`` given ``confirm_review``'s guard. mypy is the proof here: no
    runtime test can show what the type checker reports."""
    api = pytest.importorskip("mypy.api")
    files = []
    for i, table in enumerate(TABLES):
        source = (ROOT / table).read_text(encoding="utf-8")
        intact = tmp_path / f"intact_{i}.py"
        intact.write_text(source, encoding="utf-8")
        cut = tmp_path / f"cut_{i}.py"
        cut.write_text(_without(source, "Decline"), encoding="utf-8")
        files += [intact, cut]
    crossed = tmp_path / "crossed.py"
    guards = (ROOT / "rules/guards.py").read_text(encoding="utf-8")
    swapped = guards.replace("_for(cls, referral.decline)", "_for(cls, referral.confirm_review)")
    assert swapped != guards
    crossed.write_text(swapped, encoding="utf-8")
    files.append(crossed)
    monkeypatch.setenv("MYPYPATH", str(ROOT.parent))  # this checkout's scr_engine
    out, err, status = api.run(
        [
            "--strict",
            "--python-version=3.11",
            "--follow-imports=silent",
            "--no-error-summary",
            f"--cache-dir={tmp_path / 'cache'}",
            *map(str, files),
        ]
    )
    assert status == 1, err
    errors = [line for line in out.splitlines() if ": error:" in line]
    by_file = {f.name: [e for e in errors if e.startswith(str(f))] for f in files}
    for i, _ in enumerate(TABLES):
        assert by_file[f"intact_{i}.py"] == []
        (missing,) = by_file[f"cut_{i}.py"]
        assert '"assert_never" has incompatible type "type[Decline]"' in missing
    (wrong,) = by_file["crossed.py"]
    assert '"_for" has incompatible type' in wrong and "ConfirmReview" in wrong
    assert len(errors) == 4


def test_a_command_class_left_out_of_the_union_stops_the_import(tmp_path: Path) -> None:
    source = (ROOT / "commands.py").read_text(encoding="utf-8")
    extra = '@frozen\nclass Extra(Command):\n    name: ClassVar[str] = "extra"\n\n\n'
    copy = tmp_path / "commands_with_extra.py"
    copy.write_text(source.replace("AnyCommand: TypeAlias", extra + "AnyCommand: TypeAlias", 1))
    spec = importlib.util.spec_from_file_location("commands_with_extra", copy)
    assert spec is not None and spec.loader is not None
    with pytest.raises(TypeError, match="Extra subclasses Command but is not in AnyCommand"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_a_command_without_its_row_is_named() -> None:
    without = tuple(r for r in TABLE if r.command != "decline")
    assert table_problems(without) == ["no row for decline (Decline): add one to TABLE"]
    stray = Row("adjourn", (), None, frozenset(), ())
    assert table_problems((*TABLE, stray, TABLE[0])) == [
        "a row for adjourn, which is no command",
        "2 rows for submit_request",
    ]
