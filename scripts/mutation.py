"""Mutation testing of the judgement code (issue 14): not part of CI, run on demand.

    .venv/bin/python scripts/mutation.py                      # everything, 38 minutes at most
    .venv/bin/python scripts/mutation.py rules/setup.py rules/report.py --minutes 20
    .venv/bin/python scripts/mutation.py --report             # only print what is known

It runs mutmut (configured under ``[tool.mutmut]`` in ``pyproject.toml``: which files
are mutated, which fast tests judge them) with one worker by default, stops it after
``--minutes`` and prints, per file, the mutants killed and surviving and the score
``killed / (killed + surviving)``, leaving out the survivors that ``docs/mutation.md``
explains as equivalent and the message-only mutants.

Which mutants a run checks: those not checked yet and the survivors not explained (so
that a test added since the last run gets its chance), never the killed ones again
(``--all`` checks everything again). Results accumulate in ``mutants/``: a run stopped
by the time limit is continued by the next one. mutmut itself runs again the mutants
of a function whose code changed.

Message-only mutants are recognised from the mutant's code, not run: a mutant whose
every difference from the original function lies inside the text of a refusal — the
argument of a call that is only words for a person (``MESSAGE_SLOTS``: the ``message``
of a ``Refusal``, the ``what`` of ``need_text`` …), or the value of a local variable
that holds only such text — changes only words a person reads; the rule ID, field, kind and error
class, which a caller acts on and the tests pin, stay as they were (docs/mutation.md
says why). The text of an ``assert_never`` is such words too, and so is, though not
text, an argument the called function of the module never reads (the command class
given to the ``_for`` helpers of ``rules/guards.py`` and ``states/effects.py``, only
for mypy): they are counted with the message-only mutants.

Which tests judge the mutants: the folders and files named in
``pytest_add_cli_args_test_selection`` (the fast tests: all of ``tests/protocol``,
``tests/engine``, ``tests/history`` and ``tests/protocols/sar`` but the ``--ignore``d
state machines, so that a test file added to a section's folder is selected without
listing it); a run stops
before it starts when one of them is missing (a folder or file moved or renamed), so
that no mutant survives only because its tests were never found.

The fast tests are run with ``HYPOTHESIS_PROFILE=mutation`` (few examples, the same
ones on every run) so that a surviving mutant, which runs every test that reaches its
function, costs seconds.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants" / "src" / "scr_engine"
EXPLAINED = ROOT / "docs" / "mutation.md"
KILLED = {1, 3, 36, 24, -24, 152, 255}  # a failing test, or a timeout (mutmut counts both)
SURVIVED = {0}
NO_TESTS = {33}  # no fast test reaches the function: counted as surviving
TARGETS = {  # the goal of issue 14, per file
    "rules/": 95.0,
    "history.py": 95.0,
    "engine.py": 90.0,
    "_arguments.py": 90.0,  # split out of engine.py
    "_erasure.py": 90.0,  # split out of engine.py
    "_listing.py": 90.0,  # split out of engine.py
    "sections.py": 95.0,  # split out of rules/report.py
    "states/": 90.0,
    "protocols/sar/": 95.0,  # the SAR's rule files (issue 23)
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


# Calls whose argument at this position (or keyword) is text for a person to read.
MESSAGE_SLOTS = {
    "Refusal": (1, "message"),
    "input": (0, "message"),  # Refusal.input(message, field)
    # _refuse(out, rule, message, field): the annual report's guards (its rule at 1)
    "_refuse": (2, "message"),
    "HistoryProblem": (1, "message"),
    "need_text": (4, "what"),
    "refuse_cr1": (1, "what"),
    "screening_preconditions": (1, "what"),
    "_problem": (3, "message"),
    "_input": (2, "message"),  # _input(out, rule, message, field): the SAR's sections
    "_missing_or_wrong": (3, "wanted"),
    "Deadline": (2, "title"),
    # refuse(command, message, field): the engine's argument checks (_arguments.py);
    # the command it names is the error's ``command``, which callers read
    "refuse": (1, "message"),
    # the SAR's guard helpers (protocols/sar/guards_common.py, guards_decision.py)
    "guard": (3, "message"),
    "waivable": (4, "message"),
    "_not_met_only": (2, "what"),
    # _after_report(out, review, day, rule, what), _not_before(out, day, floor, rule,
    # what): the SAR's report guards; ``what`` is only the words of the refusal
    "_after_report": (4, "what"),
    "_not_before": (4, "what"),
    "_make": (4, "title"),
    # a SAR output's words: the engine keeps its rule and recipient (and whether it is
    # the request to secure records, which no mutant of a text can make)
    "SarTask": (2, "what"),
    # the title of a SAR deadline (protocols/sar/clocks.py): its nested ``clock``, and
    # ``deadline_of`` (rules/deadlines.py), which both protocols' ``_make`` call
    "clock": (2, "title"),
    "deadline_of": (4, "title"),
    "ScrEngineError": (0, None),
    "ValueError": (0, None),
    # typing.assert_never: its argument is only shown in the AssertionError's text
    "assert_never": (0, None),
}


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


Step = tuple[ast.AST, str, int | None]


def _differences(a: object, b: object, trail: list[Step]) -> Iterator[list[Step]]:
    """The paths (from the function's root) to the smallest parts where ``a`` and ``b``
    differ; a list of another length counts as a difference of the node holding it."""
    if type(a) is not type(b):
        yield trail
        return
    if not isinstance(a, ast.AST):
        if a != b:
            yield trail
        return
    for name in a._fields:
        va, vb = getattr(a, name), getattr(b, name)
        if isinstance(va, list):
            if not isinstance(vb, list) or len(va) != len(vb):
                yield trail
                continue
            for i, (x, y) in enumerate(zip(va, vb, strict=True)):
                yield from _differences(x, y, [*trail, (a, name, i)])
        elif isinstance(va, ast.AST):
            yield from _differences(va, vb, [*trail, (a, name, None)])
        elif va != vb:
            yield trail


Unread = dict[str, tuple[frozenset[int], frozenset[str]]]
_EFFECTS = (ast.Call, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)


def _inert(node: ast.AST) -> bool:
    """Whether evaluating ``node`` does nothing but make a value (no call, no walrus)."""
    return not any(isinstance(n, _EFFECTS) for n in ast.walk(node))


def _in_message(
    trail: list[Step], text: frozenset[str] = frozenset(), unread: Unread | None = None
) -> bool:
    """Whether the node at the end of ``trail`` lies in a message slot, in the value
    given to one of the ``text`` variables, or in an argument the called function of
    the module never reads (``unread``: see :func:`_unread_parameters`)."""
    for parent, name, index in trail:
        if (
            isinstance(parent, ast.Assign)
            and name == "value"
            and all(isinstance(t, ast.Name) and t.id in text for t in parent.targets)
        ):
            return True
        if not isinstance(parent, ast.Call) or index is None:
            continue
        if unread and isinstance(parent.func, ast.Name) and parent.func.id in unread:
            positions, names = unread[parent.func.id]
            starred = any(isinstance(a, ast.Starred) for a in parent.args)
            given = parent.args[index] if name == "args" else parent.keywords[index].value
            if _inert(given) and (
                (name == "args" and index in positions and not starred)
                or (name == "keywords" and parent.keywords[index].arg in names)
            ):
                return True
        slot = MESSAGE_SLOTS.get(_callee(parent) or "")
        if slot is None:
            continue
        position, keyword = slot
        if name == "args" and index == position:
            return True
        if name == "keywords" and keyword and parent.keywords[index].arg == keyword:
            return True
    return False


def _walk(node: object, trail: list[Step]) -> Iterator[tuple[ast.AST, list[Step]]]:
    if not isinstance(node, ast.AST):
        return
    yield node, trail
    for name in node._fields:
        value = getattr(node, name)
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _walk(item, [*trail, (node, name, i)])
        else:
            yield from _walk(value, [*trail, (node, name, None)])


# Calls that a text variable's value may make: they read, and change nothing.
PURE_CALLS = {
    *("join", "isoformat", "isinstance", "sorted", "str", "repr", "len", "type", "_brief"),
    "roles_for",  # protocols/sar/table.py: who may issue a command, for the refusal's text
}


def _text_variables(function: ast.AST) -> frozenset[str]:
    """The local variables that hold only text for a person to read: bound only by
    plain assignments of expressions that change nothing, and read only inside message
    slots (or inside the value of another such variable)."""
    nodes = list(_walk(function, []))
    assigned: Counter[str] = Counter()
    pure: dict[str, bool] = {}
    bound_otherwise: set[str] = set()
    loads: dict[str, list[list[Step]]] = defaultdict(list)
    for node, trail in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                assigned[target.id] += 1
                pure[target.id] = (
                    pure.get(target.id, True)
                    and all(
                        not isinstance(n, ast.Call) or _callee(n) in PURE_CALLS
                        for n in ast.walk(node.value)
                    )
                    and not any(isinstance(n, ast.NamedExpr) for n in ast.walk(node.value))
                )
                continue
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads[node.id].append(trail)
            elif not (trail and isinstance(trail[-1][0], ast.Assign)):
                bound_otherwise.add(node.id)
        elif isinstance(node, ast.arg):
            bound_otherwise.add(node.arg)
    candidates = {v for v in assigned if pure[v] and loads[v]} - bound_otherwise
    text: frozenset[str] = frozenset()
    while True:
        more = {v for v in candidates - text if all(_in_message(t, text) for t in loads[v])}
        if not more:
            return text
        text |= more


def _unread_parameters(module: ast.Module) -> Unread:
    """Module function name -> the positions and names of its parameters that its
    (original) body never reads, such as the ``cls`` of the ``_for`` helpers of
    ``rules/guards.py`` and ``states/effects.py``, there only for mypy to check that a
    guard or an effect takes its own command class. A mutant that changes only what is
    passed there (an expression that calls nothing) calls the same code with the same
    values that are read: equivalent. A function mutmut mutates is read in its
    original (``x_NAME__mutmut_orig``); one it leaves alone is as written."""
    found: Unread = {}
    for node in module.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        m = re.fullmatch(r"x_(\w+)__mutmut_orig", node.name)
        if m is not None:
            name = m.group(1)
        elif node.name.startswith("x_") or "__mutmut_" in node.name:
            continue  # a mutant
        else:
            name = node.name  # not mutated, or mutmut's trampoline (no named parameter)
        params = [*node.args.posonlyargs, *node.args.args]
        read = {
            n.id
            for statement in node.body
            for n in ast.walk(statement)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        idle = [(i, p.arg) for i, p in enumerate(params) if p.arg not in read]
        if idle and (m is not None or name not in found):
            found[name] = (
                frozenset(i for i, _ in idle),
                frozenset(a for i, a in idle if i >= len(node.args.posonlyargs)),
            )
    return found


def message_only(rel: str, names: list[str]) -> set[str]:
    """The mutants of ``rel`` (a file under src/scr_engine) whose every difference
    from the original function lies inside the text of a refusal (MESSAGE_SLOTS), in
    the value of a variable holding only such text, or in an argument the called
    function never reads (:func:`_unread_parameters`)."""
    module = ast.parse((MUTANTS / rel).read_text(encoding="utf-8"))
    functions = {
        node.name: node
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    unread = _unread_parameters(module)
    found = set()
    texts: dict[str, frozenset[str]] = {}
    for name in names:
        short = name.rsplit(".", 1)[-1]
        mutant = functions.get(short)
        base = short.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
        orig = functions.get(base)
        if mutant is None or orig is None:
            continue
        if base not in texts:
            texts[base] = _text_variables(orig)
        orig.name = mutant.name
        trails = list(_differences(orig, mutant, []))
        if trails and all(_in_message(t, texts[base], unread) for t in trails):
            found.add(name)
    return found


def metas(paths: list[str]) -> list[tuple[str, dict[str, int | None]]]:
    """(file under src/scr_engine, mutant -> exit code) for the files asked for."""
    rows = []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        rel = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        if paths and not any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in paths):
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if codes:
            rows.append((rel, codes))
    return rows


def to_check(paths: list[str], everything: bool) -> list[str]:
    """The mutants a run checks: not message-only, and (unless ``everything``) not
    checked yet or surviving without an explanation."""
    why = explained()
    names = []
    for rel, codes in metas(paths):
        skip = message_only(rel, list(codes))
        for name, code in codes.items():
            if name in skip:
                continue
            if everything or code is None or (code in SURVIVED | NO_TESTS and name not in why):
                names.append(name)
    return names


def pattern(path: str) -> str:
    """``rules/setup.py`` -> ``scr_engine.rules.setup.*`` (mutmut's mutant names)."""
    module = path.removesuffix(".py").replace("/", ".").strip(".")
    return f"scr_engine.{module}.*" if module else "*"


def run(paths: list[str], minutes: float, children: int, everything: bool) -> None:
    cmd = [str(ROOT / ".venv" / "bin" / "mutmut"), "run", "--max-children", str(children)]
    if not metas(paths):  # no mutants made yet: mutmut makes them, and checks them all
        names = [pattern(p) for p in paths]
    else:
        names = to_check(paths, everything)
        if not names:
            print("nothing to check: every mutant is killed, explained or message-only")
            return
    env = {**os.environ, "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "mutation")}
    shown = " ".join(names) if len(names) <= 5 else f"<{len(names)} mutants>"
    print("$", " ".join(cmd), shown, f"(stopped after {minutes:g} min)", flush=True)
    cmd += names
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        proc.wait(timeout=minutes * 60)
    except subprocess.TimeoutExpired:
        print(f"\ntime limit reached: stopping mutmut (pid {proc.pid})", flush=True)
        os.killpg(proc.pid, signal.SIGTERM)  # mutmut ignores SIGINT while it runs tests
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
    for rel, codes in metas(paths):
        message = message_only(rel, list(codes))
        count: Counter[str] = Counter()
        for name, code in codes.items():
            if name in message and code not in KILLED:
                count["message"] += 1
            elif code is None:
                count["not checked"] += 1
            elif code in KILLED:
                count["killed"] += 1
            elif code in NO_TESTS and name not in why:
                count["untested"] += 1
                survivors[rel].append(name)
            elif code in SURVIVED | NO_TESTS:
                if name in why:
                    count["explained"] += 1
                else:
                    count["survived"] += 1
                    survivors[rel].append(name)
            else:
                count["other"] += 1  # skipped, suspicious, or caught by a type check
        rows.append((rel, count))
    missed = False
    print(
        f"\n{'file':28} {'killed':>7} {'surv.':>6} {'no t.':>6} {'expl.':>6} {'msg.':>6} "
        f"{'other':>6} "
        f"{'unrun':>6} score"
    )
    for rel, n in rows:
        judged = n["killed"] + n["survived"] + n["untested"]
        score = 100.0 * n["killed"] / judged if judged else float("nan")
        goal = next((g for prefix, g in TARGETS.items() if rel.startswith(prefix)), None)
        flag = ""
        if goal is not None and judged and n["not checked"] == 0 and score < goal:
            flag, missed = f"  < {goal:g} %", True
        elif n["not checked"]:
            flag = "  (partial)"
        print(
            f"{rel:28} {n['killed']:7} {n['survived']:6} {n['untested']:6} {n['explained']:6} "
            f"{n['message']:6} "
            f"{n['other']:6} "
            f"{n['not checked']:6} {score:5.1f} %{flag}"
        )
    for rel, names in survivors.items():
        print(f"\nsurviving in {rel} ({len(names)}):  (see: .venv/bin/mutmut show NAME)")
        for name in names:
            print("  ", name)
    return 1 if missed else 0


def selection() -> list[str]:
    """The test files that judge the mutants (``[tool.mutmut]`` in ``pyproject.toml``)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["mutmut"]["pytest_add_cli_args_test_selection"])


def missing_tests() -> list[str]:
    """The selected test folders and files, and those ``--ignore``d, that do not exist
    (moved or renamed since listed); other pytest options are not paths."""
    paths = [
        arg.removeprefix("--ignore=")
        for arg in selection()
        if not arg.startswith("-") or arg.startswith("--ignore=")
    ]
    return [path for path in paths if not (ROOT / path).exists()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="files under src/scr_engine, e.g. rules/setup.py")
    parser.add_argument("--minutes", type=float, default=38.0, help="stop mutmut after this")
    parser.add_argument("--children", type=int, default=1, help="mutants run at once")
    parser.add_argument("--report", action="store_true", help="do not run, only report")
    parser.add_argument("--all", action="store_true", help="check the killed mutants again too")
    args = parser.parse_args(argv)
    if not args.report:
        if missing := missing_tests():
            print("selected tests not found (pyproject.toml, [tool.mutmut]):", *missing)
            return 2
        run(args.paths, args.minutes, args.children, args.all)
    return report(args.paths)


if __name__ == "__main__":
    sys.exit(main())
