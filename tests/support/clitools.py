"""Helpers for the command-line tests: run ``scr`` in-process through click's runner
in a temporary directory, as a named actor, and record the demo's commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scr_engine import commands as c
from scr_engine.cli import cli
from scr_engine.cli.actors import TEMPLATE
from scr_engine.cli.reviews import FORM_TEMPLATE
from scr_engine.demo import demo_request, run_to_closure
from scr_engine.engine import ReviewEngine
from scr_engine.records import Actor
from scr_engine.states.stages import Stage
from scr_engine.storage.memory import MemoryStore

ENVIRONMENT = (
    "SCR_DATABASE_URL",
    "SCR_ACTORS",
    "SCR_ACTOR",
    "SCR_DEBUG",
    "NO_COLOR",
    "FORCE_COLOR",
)


class Scr:
    """``scr`` in one temporary directory: ``scr("show", "SCR-2026-001", actor="u-bm")``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runner = CliRunner()

    def __call__(self, *args: str, actor: str | None = None, input: str | None = None) -> Result:
        argv = list(args)
        if actor is not None:
            argv += ["--as", actor]
        return self.runner.invoke(cli, argv, input=input, catch_exceptions=False)

    def json(self, *args: str, actor: str | None = None, code: int = 0) -> Any:
        """Run with ``--json``, check the exit status, parse standard output."""
        result = self(*args, "--json", actor=actor)
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        return json.loads(result.stdout)

    def write(self, name: str, text: str) -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def ready(self) -> Scr:
        """A new database and the demo's actors file."""
        result = self("init")
        assert result.exit_code == 0, result.output
        self.write("scr-actors.toml", TEMPLATE)
        return self

    def submit(self, actor: str = "u-req") -> dict[str, Any]:
        form = self.write("form.toml", FORM_TEMPLATE)
        review: dict[str, Any] = self.json("submit", form, actor=actor)
        return review


@pytest.fixture
def scr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scr:
    """``scr`` run in ``tmp_path`` with none of the user's ``SCR_*`` settings."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return Scr(tmp_path)


def demo_commands(until: Stage = Stage.CLOSED) -> list[tuple[dict[str, Any], str]]:
    """The demo's commands, as JSON with the id of the actor who issues each, in the
    order :func:`~scr_engine.demo.run_to_closure` issues them (run today, on the
    system clock, as the command line runs them)."""
    issued: list[tuple[dict[str, Any], str]] = []

    class Recording(ReviewEngine):
        def execute(  # type: ignore[override]
            self, review_id: str, command: c.Command, actor: Actor, *args: Any, **kw: Any
        ) -> Any:
            issued.append((c.to_dict(command), actor.id))
            return super().execute(review_id, command, actor, *args, **kw)

    engine = Recording(MemoryStore())
    from scr_engine.demo import REQUESTER

    review = engine.submit(demo_request(), REQUESTER)
    run_to_closure(engine, review.id, until=until)
    return issued
