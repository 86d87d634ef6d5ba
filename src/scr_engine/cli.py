"""The ``scr`` command line: a thin entry point over the engine.

``scr demo`` runs the fictional review through every stage and prints its stages,
history and deadlines. ``scr diagram`` prints the protocol's stage diagram (Mermaid).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from scr_engine.clock import FixedClock
    from scr_engine.demo import run_demo
    from scr_engine.engine import ReviewEngine
    from scr_engine.storage.memory import MemoryStore

    clock = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    engine = ReviewEngine(MemoryStore(), clock)
    run_demo(engine, step=lambda: clock.advance(hours=20))
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from scr_engine.states.machine import mermaid

    print(mermaid())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="scr", description="Run a Safeguarding Adults Board's Serious Case Review protocol."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a fictional review through every stage")
    demo.set_defaults(run=_demo)
    diagram = sub.add_parser("diagram", help="print the stage diagram (Mermaid)")
    diagram.set_defaults(run=_diagram)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
