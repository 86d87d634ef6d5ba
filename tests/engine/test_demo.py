"""The main job: the demo review runs through every stage."""

from __future__ import annotations

from scr_engine import FixedClock, ReviewEngine, Stage, replay, verify_history
from scr_engine.cli import main
from scr_engine.demo import run_demo


def test_demo_reaches_closed_with_a_verified_history(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    lines: list[str] = []
    review = run_demo(engine, lines.append, step=lambda: clock.advance(hours=20))
    assert review.stage is Stage.CLOSED
    events = engine.history(review.id)
    assert verify_history(events) == []
    assert replay(events) == review
    stages = {e.stage_after for e in events}
    assert stages >= {
        Stage.REQUESTED,
        Stage.SCREENED,
        Stage.PANEL_CONVENED,
        Stage.EVIDENCE_RECEIVED,
        Stage.OVERVIEW_DRAFTED,
        Stage.RATIFIED,
        Stage.ACTION_PLAN_MONITORED,
        Stage.CLOSED,
    }
    text = "\n".join(lines)
    assert "CR-1" in text  # the refusal is explained with its rule ID
    assert "Deadlines:" in text and "SU-5" in text


def test_cli_demo_prints_the_review(capsys: object) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "is closed." in out
    assert "History:" in out
