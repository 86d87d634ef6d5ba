"""The documentation runs: every Python and shell block of the README and of
``docs/`` is executed, in order, each document in its own temporary folder (Sybil).

Python blocks of one document share a namespace, as a reader's session would; shell
blocks run with ``bash -euo pipefail`` with this environment's ``scr`` on the PATH.
A block preceded by ``<!-- skip: next "why" -->`` is not run: the README's two set-up
commands (they make a virtual environment, and the second runs this very suite) —
``.ci/run`` runs both, word for word — and installation commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import SkipTest

import pytest
from sybil import Example, Sybil
from sybil.example import NotEvaluated
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])


def _run_shell(example: Example) -> str | None:
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment.pop("SCR_DATABASE_URL", None)
    environment.pop("SCR_ACTOR", None)
    environment["NO_COLOR"] = "1"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", example.parsed],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    if done.returncode != 0:
        return (
            f"the shell block exited {done.returncode}\n--- output\n{done.stdout}"
            f"\n--- errors\n{done.stderr}"
        )
    return None


_SYBIL = Sybil(
    parsers=[
        PythonCodeBlockParser(),
        CodeBlockParser(language="sh", evaluator=_run_shell),
        CodeBlockParser(language="bash", evaluator=_run_shell),
        SkipParser(),
    ]
)


_LONG = {"docs/tutorial.md", "docs/cli.md"}
"""The documents whose blocks run for ten seconds or more (dozens of ``scr`` processes)."""


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            path,
            id=str(path.relative_to(ROOT)),
            marks=[pytest.mark.long] if str(path.relative_to(ROOT)) in _LONG else [],
        )
        for path in DOCUMENTS
    ],
)
def test_every_block_of_the_document_runs(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SCR_DATABASE_URL", "SCR_ACTOR", "SCR_ACTORS"):
        monkeypatch.delenv(name, raising=False)
    document = _SYBIL.parse(path)
    ran = 0
    for example in document.examples():
        try:
            example.evaluate()
        except (SkipTest, NotEvaluated):
            continue  # a block marked <!-- skip: next "why" -->
        except Exception as exc:
            raise AssertionError(f"{path.name}, line {example.line}: {exc}") from exc
        ran += 1
    assert ran or not any(
        line.startswith(("```python", "```sh", "```bash"))
        for line in path.read_text(encoding="utf-8").splitlines()
    )
