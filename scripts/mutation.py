"""Mutation testing of the judgement code (issue 14): not part of CI, run on demand.

    .venv/bin/python scripts/mutation.py                      # everything, 38 minutes at most
    .venv/bin/python scripts/mutation.py rules/setup.py rules/report.py --minutes 20
    .venv/bin/python scripts/mutation.py --report             # only print what is known

It runs mutmut (configured under ``[tool.mutmut]`` in ``pyproject.toml``: which files
are mutated, which fast tests judge them) with one worker by default, stops it after
``--minutes`` and prints, per file, the mutants killed and surviving and the score
``killed / (killed + surviving)``, leaving out the survivors that ``docs/mutation.md``
explains as equivalent or message-only. Results accumulate in ``mutants/`` between
runs: a run stopped by the time limit is continued by the next one, and only mutants
of changed functions are run again.

The fast tests are run with ``HYPOTHESIS_PROFILE=dev`` (fewer examples) so that a
surviving mutant, which runs every test that reaches its function, costs seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants" / "src" / "scr_engine"
EXPLAINED = ROOT / "docs" / "mutation.md"
KILLED = {1, 3, 36, 24, -24, 152, 255}  # a failing test, or a timeout (mutmut counts both)
SURVIVED = {0}
TARGETS = {  # the goal of issue 14, per file
    "rules/": 95.0,
    "history.py": 95.0,
    "engine.py": 90.0,
    "states/": 90.0,
}


def explained() -> dict[str, str]:
    """Mutant name -> why it is judged equivalent or message-only (docs/mutation.md:
    lines of the form ``- `scr_engine.x.y__mutmut_3` — reason``)."""
    if not EXPLAINED.exists():
        return {}
    found = {}
    for line in EXPLAINED.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*[-*] `(scr_engine\.[\w.]+__mutmut_\d+)`\s*[—:-]?\s*(.*)", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def pattern(path: str) -> str:
    """``rules/setup.py`` -> ``scr_engine.rules.setup.*`` (mutmut's mutant names)."""
    module = path.removesuffix(".py").replace("/", ".").strip(".")
    return f"scr_engine.{module}.*" if module else "*"


def run(paths: list[str], minutes: float, children: int) -> None:
    cmd = [str(ROOT / ".venv" / "bin" / "mutmut"), "run", "--max-children", str(children)]
    cmd += [pattern(p) for p in paths]
    env = {**os.environ, "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "dev")}
    print("$", " ".join(cmd), f"(stopped after {minutes:g} min)", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        proc.wait(timeout=minutes * 60)
    except subprocess.TimeoutExpired:
        print(f"\ntime limit reached: stopping mutmut (pid {proc.pid})", flush=True)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"\nran {(time.monotonic() - started) / 60:.1f} min", flush=True)


def report(paths: list[str]) -> int:
    """Print the score per file and the unexplained survivors; 1 if a goal is missed."""
    why = explained()
    rows = []
    survivors: dict[str, list[str]] = defaultdict(list)
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        rel = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        if paths and not any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in paths):
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        count: Counter[str] = Counter()
        for name, code in codes.items():
            if code is None:
                count["not checked"] += 1
            elif code in KILLED:
                count["killed"] += 1
            elif code in SURVIVED:
                if name in why:
                    count["explained"] += 1
                else:
                    count["survived"] += 1
                    survivors[rel].append(name)
            else:
                count["other"] += 1  # no tests reach it, skipped, suspicious
        rows.append((rel, count))
    missed = False
    print(f"\n{'file':28} {'killed':>7} {'surv.':>6} {'expl.':>6} {'other':>6} {'unrun':>6} score")
    for rel, n in rows:
        judged = n["killed"] + n["survived"]
        score = 100.0 * n["killed"] / judged if judged else float("nan")
        goal = next((g for prefix, g in TARGETS.items() if rel.startswith(prefix)), None)
        flag = ""
        if goal is not None and judged and n["not checked"] == 0 and score < goal:
            flag, missed = f"  < {goal:g} %", True
        elif n["not checked"]:
            flag = "  (partial)"
        print(
            f"{rel:28} {n['killed']:7} {n['survived']:6} {n['explained']:6} {n['other']:6} "
            f"{n['not checked']:6} {score:5.1f} %{flag}"
        )
    for rel, names in survivors.items():
        print(f"\nsurviving in {rel} ({len(names)}):  (see: .venv/bin/mutmut show NAME)")
        for name in names:
            print("  ", name)
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="files under src/scr_engine, e.g. rules/setup.py")
    parser.add_argument("--minutes", type=float, default=38.0, help="stop mutmut after this")
    parser.add_argument("--children", type=int, default=1, help="mutants run at once")
    parser.add_argument("--report", action="store_true", help="do not run, only report")
    args = parser.parse_args(argv)
    if not args.report:
        run(args.paths, args.minutes, args.children)
    return report(args.paths)


if __name__ == "__main__":
    sys.exit(main())
