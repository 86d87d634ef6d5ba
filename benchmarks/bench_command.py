"""What one audited command costs, what a review holds in memory, what importing weighs.

A script, not a test: run it, read the numbers. Every ratio is against a baseline
measured in the same process, in the same run, interleaved with the engine's own
measurements, so that a busy or slow machine moves both sides alike.

1. The median (and p90) cost of one audited command on ``MemoryStore`` (load, judge role
   and guards, apply through the shared ``transitions`` machine, append the hashed event,
   save), for repeatable internal commands and for the stage-changing screening commands;
   against three baselines: (a) a bare trigger on one shared ``transitions`` machine,
   (b) a ``transitions.Machine(model=obj)`` built per review plus one trigger, (c) a
   ``python-statemachine`` ``StateMachine`` built per review plus one event.
2. The memory a ``MemoryStore`` holds per review at 1,000, 10,000 and 100,000 reviews,
   each size measured in a fresh child process.
3. That ``import scr_engine`` does not import SQLAlchemy.

Usage::

    .venv/bin/python benchmarks/bench_command.py            # full run (~2-3 min, 2 cores)
    .venv/bin/python benchmarks/bench_command.py --quick    # smaller sizes (~30 s)
    .venv/bin/python benchmarks/bench_command.py --profile  # cProfile one command, then exit

See ``benchmarks/README.md`` for how to read the output.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import ctypes
import gc
import itertools
import json
import os
import platform
import pstats
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from transitions import Machine

import scr_engine
from scr_engine import FixedClock, MemoryStore, RequestForm, ReviewEngine, Stage
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request, run_to_closure
from scr_engine.states.table import TABLE

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
HEAVY_MODULES = ("sqlalchemy", "alembic", "psycopg")

# The protocol's shape, for the baselines: its 11 stages and its table of commands.
STATE_NAMES: list[str] = [s.value for s in Stage]
TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": r.command,
        "source": [s.value for s in r.sources],
        "dest": r.dest.value if r.dest is not None else None,
    }
    for r in TABLE
    if r.sources
]
STAGE_EVENT = "confirm_review"  # the event every baseline fires: requested -> screened


# --------------------------------------------------------------------------- statistics


@dataclass
class Series:
    """Timings of one measurement, in nanoseconds per operation."""

    label: str
    samples: list[int] = field(default_factory=list)

    def _sorted(self) -> list[int]:
        return sorted(self.samples)

    def median_us(self) -> float:
        """The median, in microseconds."""
        return _quantile(self._sorted(), 0.5) / 1000

    def p90_us(self) -> float:
        """The 90th percentile, in microseconds."""
        return _quantile(self._sorted(), 0.9) / 1000


def _quantile(ordered: Sequence[int], q: float) -> float:
    """Linear interpolation between closest ranks."""
    if not ordered:
        return float("nan")
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


# --------------------------------------------------------------------------- baselines


class _Token:
    """What a shared machine moves: a stage and nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class _ReviewModel:
    """A plain review object, as most users of ``transitions`` bind to their machine."""


def shared_machine() -> Machine:
    """One ``transitions`` machine for every review (``model=None``)."""
    return Machine(
        model=None,
        states=STATE_NAMES,
        transitions=TRANSITIONS,
        initial=Stage.REQUESTED.value,
        auto_transitions=False,
        send_event=False,
    )


def per_review_transitions(auto_transitions: bool) -> _ReviewModel:
    """Baseline (b): a machine built around a new review object, then one trigger."""
    model = _ReviewModel()
    Machine(
        model=model,
        states=STATE_NAMES,
        transitions=TRANSITIONS,
        initial=Stage.REQUESTED.value,
        auto_transitions=auto_transitions,
    )
    model.trigger(STAGE_EVENT)  # type: ignore[attr-defined]
    return model


def statemachine_class() -> type[Any] | None:
    """Baseline (c): the same 11 stages and table as a ``python-statemachine`` class
    (built once; instances are what is measured). None if the package is missing."""
    try:
        from statemachine import State, StateMachine
    except ImportError:
        return None
    states: dict[Stage, Any] = {
        s: State(value=s.value, initial=s is Stage.REQUESTED, final=s.terminal) for s in Stage
    }
    namespace: dict[str, Any] = {"__module__": __name__}
    namespace.update({s.value: state for s, state in states.items()})
    for r in TABLE:
        # python-statemachine allows no transition from a final state, not even an
        # internal one (the records kept once a review has ended: PR-e).
        sources = [s for s in r.sources if not s.terminal]
        if not sources:
            continue
        event: Any = None
        for source in sources:
            move = (
                states[source].to(states[r.dest])
                if r.dest is not None
                else states[source].to.itself(internal=True)
            )
            event = move if event is None else event | move
        namespace[r.command] = event
    metaclass: Any = type(StateMachine)  # declares the class as a ``class`` statement would
    built: type[Any] = metaclass("ReviewStateMachine", (StateMachine,), namespace)
    return built


def per_review_statemachine(cls: type[Any]) -> Any:
    """Baseline (c): a new state machine instance per review, then one event."""
    machine = cls()
    machine.send(STAGE_EVENT)
    return machine


def _statemachine_stage(machine: Any) -> str:
    value = getattr(machine, "current_state_value", None)
    if value is None:  # python-statemachine 3.x: the active configuration
        value = next(iter(machine.configuration)).value
    return str(value)


# --------------------------------------------------------------------------- samplers

Sampler = Callable[[int], None]
"""Takes ``k`` more samples into its series."""

ns = time.perf_counter_ns


def repeat(series: Series, operation: Callable[[], object]) -> Sampler:
    """Time ``operation`` once per sample."""

    def take(k: int) -> None:
        out = series.samples
        for _ in range(k):
            t0 = ns()
            operation()
            out.append(ns() - t0)

    return take


def _engine(clock: FixedClock) -> ReviewEngine:
    return ReviewEngine(MemoryStore(), clock)


class _Stop(Exception):
    pass


def monitored_reviews(engine: ReviewEngine, clock: FixedClock, n: int) -> list[str]:
    """``n`` demo reviews driven to ``action_plan_monitored`` (the demo's own path,
    stopped before its first ``record_action_progress``)."""
    ids: list[str] = []
    for _ in range(n):
        review_id = engine.submit(demo_request(), REQUESTER).id

        def step(review_id: str = review_id) -> None:
            clock.advance(hours=1)
            if engine.get(review_id).stage is Stage.ACTION_PLAN_MONITORED:
                raise _Stop

        with contextlib.suppress(_Stop):
            run_to_closure(engine, review_id, step)
        if engine.get(review_id).stage is not Stage.ACTION_PLAN_MONITORED:
            raise RuntimeError(f"review {review_id} did not reach action_plan_monitored")
        ids.append(review_id)
    return ids


def screened_reviews(engine: ReviewEngine, request: RequestForm, n: int) -> list[str]:
    """``n`` reviews submitted and screened (``requested`` -> ``screened``)."""
    ids: list[str] = []
    for _ in range(n):
        review = engine.submit(request, REQUESTER)
        screen(engine, review.id, review.received_on)
        ids.append(review.id)
    return ids


def screen(engine: ReviewEngine, review_id: str, received_on: Any) -> None:
    """The three screening commands of a CR-1 request."""
    engine.execute(review_id, c.RecordChairNotified(received_on), BUSINESS_MANAGER)
    engine.execute(review_id, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(review_id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)


def progress_sampler(series: Series, engine: ReviewEngine, review_ids: Sequence[str]) -> Sampler:
    """``record_action_progress`` round-robin over every action of the given reviews."""
    slots = [(rid, a.id) for rid in review_ids for a in engine.get(rid).actions]
    cycle = itertools.cycle(slots)
    execute = engine.execute

    def take(k: int) -> None:
        out = series.samples
        for _ in range(k):
            review_id, action_id = next(cycle)
            command = c.RecordActionProgress(action_id, "Under way; next check in a month.")
            t0 = ns()
            execute(review_id, command, BUSINESS_MANAGER)
            out.append(ns() - t0)

    return take


def pause_resume_sampler(
    series: Series, engine: ReviewEngine, review_ids: Sequence[str]
) -> Sampler:
    """``pause_clock`` then ``resume_clock`` on the next review: two samples a visit."""
    cycle = itertools.cycle(review_ids)
    execute = engine.execute
    pause = c.PauseClock("Police investigation", "Awaiting the outcome of the investigation.")
    resume = c.ResumeClock("The investigation has concluded.")

    def take(k: int) -> None:
        out = series.samples
        for _ in range((k + 1) // 2):
            review_id = next(cycle)
            t0 = ns()
            execute(review_id, pause, BOARD_CHAIR)
            t1 = ns()
            execute(review_id, resume, BOARD_CHAIR)
            t2 = ns()
            out.append(t1 - t0)
            out.append(t2 - t1)

    return take


def screening_sampler(
    series: dict[str, Series], engine: ReviewEngine, request: RequestForm
) -> Sampler:
    """A new review through ``submit`` and the three screening commands, each timed;
    ``series["per_command"]`` gets the four commands' total divided by four."""
    execute = engine.execute
    chair_notified = series["record_chair_notified"].samples
    assess = series["assess_criteria"].samples
    confirm = series["confirm_review"].samples
    submit = series["submit"].samples
    per_command = series["per_command"].samples
    assess_cmd = c.AssessCriteria()
    confirm_cmd = c.ConfirmReview("CR-1 is met.")

    def take(k: int) -> None:
        for _ in range(k):
            t0 = ns()
            review = engine.submit(request, REQUESTER)
            t1 = ns()
            notified = c.RecordChairNotified(review.received_on)
            t2 = ns()
            execute(review.id, notified, BUSINESS_MANAGER)
            t3 = ns()
            execute(review.id, assess_cmd, BOARD_CHAIR)
            t4 = ns()
            execute(review.id, confirm_cmd, BOARD_CHAIR)
            t5 = ns()
            submit.append(t1 - t0)
            chair_notified.append(t3 - t2)
            assess.append(t4 - t3)
            confirm.append(t5 - t4)
            per_command.append(((t1 - t0) + (t5 - t2)) // 4)

    return take


# --------------------------------------------------------------------------- section 1


@dataclass
class Plan:
    """How many samples each measurement takes (split over ``rounds``)."""

    rounds: int
    shared: int
    per_review: int
    per_review_auto: int
    statemachine: int
    progress: int
    pause_resume: int
    screening: int
    monitored_pool: int
    screened_pool: int


FULL = Plan(
    rounds=5,
    shared=20_000,
    per_review=2_000,
    per_review_auto=1_000,
    statemachine=2_000,
    progress=20_000,
    pause_resume=10_000,
    screening=2_000,
    monitored_pool=40,
    screened_pool=1_000,
)
QUICK = Plan(
    rounds=3,
    shared=5_000,
    per_review=500,
    per_review_auto=250,
    statemachine=500,
    progress=4_000,
    pause_resume=2_000,
    screening=500,
    monitored_pool=10,
    screened_pool=250,
)


def _us(value: float) -> str:
    return f"{value:,.1f}"


def _ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}x" if b else "-"


def measure_commands(plan: Plan) -> tuple[dict[str, Series], list[tuple[str, bool]]]:
    """Section 1: take every series (interleaved in rounds), print the table and the
    goal lines; return the series and the goals (text, met)."""
    clock = FixedClock(START)
    engine = _engine(clock)
    request = demo_request()

    print("Preparing: reviews in action_plan_monitored and screened ...", flush=True)
    t = time.perf_counter()
    monitored = monitored_reviews(engine, clock, plan.monitored_pool)
    screened = screened_reviews(engine, request, plan.screened_pool)
    print(f"  {len(monitored)} + {len(screened)} reviews in {time.perf_counter() - t:.1f} s")

    rulebook = shared_machine()
    trigger = rulebook.events[STAGE_EVENT].trigger

    def shared_trigger() -> _Token:
        token = _Token(Stage.REQUESTED.value)
        trigger(token)
        return token

    sm_class = statemachine_class()

    # Sanity: every baseline really moves requested -> screened.
    screened_value = Stage.SCREENED.value
    assert shared_trigger().state == screened_value
    assert per_review_transitions(False).state == screened_value  # type: ignore[attr-defined]
    assert per_review_transitions(True).state == screened_value  # type: ignore[attr-defined]
    if sm_class is not None:
        assert _statemachine_stage(per_review_statemachine(sm_class)) == screened_value

    s: dict[str, Series] = {
        "a": Series("(a) transitions: shared Machine(model=None), 1 trigger"),
        "b": Series("(b) transitions: Machine(model=obj) per review + 1 trigger"),
        "b_auto": Series("(b') same, auto_transitions=True (the default)"),
        "c": Series("(c) python-statemachine: StateMachine per review + 1 event"),
        "progress": Series("audited record_action_progress (in-stage)"),
        "pause": Series("audited pause_clock / resume_clock (in-stage)"),
        "submit": Series("audited submit (creates the review)"),
        "record_chair_notified": Series("audited record_chair_notified (in-stage)"),
        "assess_criteria": Series("audited assess_criteria (in-stage)"),
        "confirm_review": Series("audited confirm_review (requested -> screened)"),
        "per_command": Series("audited screening: submit + 3 commands, per command"),
    }
    samplers: list[tuple[Sampler, int]] = [
        (repeat(s["a"], shared_trigger), plan.shared),
        (repeat(s["b"], lambda: per_review_transitions(False)), plan.per_review),
        (repeat(s["b_auto"], lambda: per_review_transitions(True)), plan.per_review_auto),
        (progress_sampler(s["progress"], engine, monitored), plan.progress),
        (pause_resume_sampler(s["pause"], engine, screened), plan.pause_resume),
        (screening_sampler(s, engine, request), plan.screening),
    ]
    if sm_class is not None:
        samplers.insert(
            3, (repeat(s["c"], lambda: per_review_statemachine(sm_class)), plan.statemachine)
        )

    # Warm up every path (first calls compile converters, fill caches), then measure
    # in rounds so that every series sees the same machine conditions.
    for take, _ in samplers:
        take(20)
    for series in s.values():
        series.samples.clear()
    print(f"Measuring in {plan.rounds} interleaved rounds ...", flush=True)
    t = time.perf_counter()
    for _ in range(plan.rounds):
        for take, total in samplers:
            gc.collect()
            take(max(1, total // plan.rounds))
    print(f"  done in {time.perf_counter() - t:.1f} s")

    a = s["a"].median_us()
    b = s["b"].median_us()
    cc = s["c"].median_us() if s["c"].samples else None

    print()
    header = f"{'':<60}{'n':>7}{'median µs':>11}{'p90 µs':>10}{'/(a)':>9}{'/(b)':>8}{'/(c)':>8}"
    print(header)
    print("-" * len(header))
    for key, series in s.items():
        if key == "progress":
            print()
        if not series.samples:
            print(f"{series.label:<60}  skipped: python-statemachine is not installed")
            continue
        m = series.median_us()
        print(
            f"{series.label:<60}{len(series.samples):>7}{_us(m):>11}{_us(series.p90_us()):>10}"
            f"{_ratio(m, a):>9}{_ratio(m, b):>8}{_ratio(m, cc):>8}"
        )

    goals: list[tuple[str, bool]] = []
    for key, name in (("progress", "record_action_progress"), ("confirm_review", STAGE_EVENT)):
        m = s[key].median_us()
        goals.append(
            (
                f"audited {name} < (b): {_us(m)} µs vs {_us(b)} µs ({_ratio(m, b)})",
                m < b,
            )
        )
        if cc is None:
            goals.append((f"audited {name} < (c)/3: python-statemachine not installed", False))
        else:
            goals.append(
                (
                    f"audited {name} < (c)/3: {_us(m)} µs vs {_us(cc / 3)} µs "
                    f"(= {_ratio(m, cc)} of (c))",
                    m < cc / 3,
                )
            )
    print()
    for text, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {text}")
    return s, goals


# --------------------------------------------------------------------------- section 2

MEMORY_COMMANDS = "submit + record_chair_notified + assess_criteria + confirm_review"


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo2() -> Callable[[], int] | None:
    """Bytes in use by glibc malloc (``uordblks + hblkhd``), or None off glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return None
    func.restype = _MallInfo2
    func.argtypes = []

    def in_use() -> int:
        info = func()
        return int(info.uordblks + info.hblkhd)

    return in_use


def memory_child(n: int, method: str) -> dict[str, Any]:
    """In a fresh process: build ``n`` reviews on one ``MemoryStore`` and report the
    bytes it holds per review (``method``: ``malloc`` or ``tracemalloc``)."""
    clock = FixedClock(START)
    request = demo_request()

    def build(engine: ReviewEngine, count: int) -> str:
        review_id = ""
        for _ in range(count):
            clock.advance(seconds=10)  # every review (and step) has its own time
            review = engine.submit(request, REQUESTER)
            review_id = review.id
            clock.advance(seconds=10)
            engine.execute(review_id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
            clock.advance(seconds=10)
            engine.execute(review_id, c.AssessCriteria(), BOARD_CHAIR)
            clock.advance(seconds=10)
            engine.execute(review_id, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        return review_id

    build(ReviewEngine(MemoryStore(), clock), 20)  # warm up converters and caches
    in_use: Callable[[], int]
    if method == "malloc":
        found = _mallinfo2()
        if found is None:
            raise SystemExit("mallinfo2 is not available here")
        in_use = found
    else:
        tracemalloc.start()

        def in_use() -> int:
            return tracemalloc.get_traced_memory()[0]

    gc.collect()
    before = in_use()
    t = time.perf_counter()
    engine = ReviewEngine(MemoryStore(), clock)
    last = build(engine, n)
    seconds = time.perf_counter() - t
    gc.collect()
    held = in_use() - before
    assert engine.get(last).stage is Stage.SCREENED
    return {"reviews": n, "method": method, "bytes": held, "seconds": seconds}


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: it imports the same ``scr_engine`` as this process."""
    env = dict(os.environ)
    src = str(Path(scr_engine.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    env.pop("PYTHONMALLOC", None)
    env.pop("PYTHONTRACEMALLOC", None)
    env.update(extra or {})
    return env


def _run_child(n: int, method: str) -> dict[str, Any]:
    env = _child_env({"PYTHONMALLOC": "malloc"} if method == "malloc" else None)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(n)]
    cmd += ["--method", method]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"memory child {n}/{method} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_memory(sizes: Sequence[int], traced: Sequence[int]) -> list[tuple[str, bool]]:
    """Section 2: bytes held per review at each size, each in a fresh process."""
    have_malloc = _mallinfo2() is not None
    jobs = [(n, "malloc") for n in sizes] if have_malloc else [(n, "tracemalloc") for n in sizes]
    if have_malloc:
        jobs += [(n, "tracemalloc") for n in traced]
    # Largest first, so that it starts at once and the others fill the second core.
    jobs.sort(key=lambda job: -job[0] * (1 if job[1] == "malloc" else 3))
    workers = max(1, min(2, os.cpu_count() or 1))
    print(
        f"Building stores of {', '.join(f'{n:,}' for n in sizes)} reviews "
        f"({MEMORY_COMMANDS} each), {workers} child process(es) at a time ...",
        flush=True,
    )
    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda job: _run_child(*job), jobs))
    print(f"  done in {time.perf_counter() - t:.1f} s")
    found = {(r["method"], r["reviews"]): r for r in results}
    primary = "malloc" if have_malloc else "tracemalloc"

    print()
    heap_head = "heap B/review" if have_malloc else "traced B/review"
    print(f"{'reviews':>9}{heap_head:>16}{'traced B/review':>17}{'build s':>9}{'µs/review':>11}")
    per_review: dict[int, float] = {}
    for n in sizes:
        main = found[(primary, n)]
        per_review[n] = main["bytes"] / n
        tr = found.get(("tracemalloc", n))
        traced_text = f"{tr['bytes'] / n:,.0f}" if tr else "-"
        print(
            f"{n:>9,}{per_review[n]:>16,.0f}{traced_text:>17}{main['seconds']:>9.1f}"
            f"{main['seconds'] / n * 1e6:>11,.0f}"
        )
    smallest, largest = min(sizes), max(sizes)
    ratio = per_review[largest] / per_review[smallest]
    traced_sizes = sorted(n for (m, n) in found if m == "tracemalloc")
    goals = [
        (
            f"bytes/review at {largest:,} vs {smallest:,} reviews: {ratio:.3f}x "
            f"({per_review[largest]:,.0f} vs {per_review[smallest]:,.0f} B; goal <= 1.2)",
            ratio <= 1.2,
        )
    ]
    if have_malloc and len(traced_sizes) >= 2 and primary == "malloc":
        lo, hi = traced_sizes[0], traced_sizes[-1]
        tr_ratio = (found[("tracemalloc", hi)]["bytes"] / hi) / (
            found[("tracemalloc", lo)]["bytes"] / lo
        )
        print(f"tracemalloc cross-check: {hi:,} vs {lo:,} reviews: {tr_ratio:.3f}x")
    print()
    for text, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {text}")
    return goals


# --------------------------------------------------------------------------- section 3

PROBE = "import scr_engine, sys; print('sqlalchemy' in sys.modules)"


def check_imports() -> list[tuple[str, bool]]:
    """Section 3: ``import scr_engine`` in a fresh interpreter leaves SQLAlchemy out."""
    env = _child_env()
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    answer = done.stdout.strip()
    print(f'$ python -c "{PROBE}"\n{answer or done.stderr.strip()}')

    def timed_import(statement: str) -> tuple[bool, str]:
        """``statement`` in a fresh interpreter: whether it left the heavy modules
        out, and its milliseconds, the heavy modules loaded and the modules in total."""
        code = (
            f"import sys, time; t = time.perf_counter(); {statement}; "
            "t = time.perf_counter() - t; "
            f"print(round(t * 1000, 1), [m for m in {HEAVY_MODULES!r} if m in sys.modules], "
            "len(sys.modules))"
        )
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        found = run.stdout.strip() or run.stderr.strip()
        print(f"{statement} (ms, heavy modules loaded, modules in total): {found}")
        return run.returncode == 0 and " [] " in run.stdout, found

    timed_import("import scr_engine")
    # The package's names load on first use: the same promise for the whole core.
    core_light, _ = timed_import("from scr_engine import MemoryStore, ReviewEngine, commands")
    print()
    goals = [
        ("import scr_engine does not import sqlalchemy", answer == "False"),
        (
            "the core (engine, memory store, commands) does not import sqlalchemy",
            core_light,
        ),
    ]
    for text, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {text}")
    return goals


# --------------------------------------------------------------------------- profile


def profile_command(n: int, top: int) -> None:
    """cProfile ``n`` audited ``record_action_progress`` commands; print the top
    functions by own time and by cumulative time."""
    clock = FixedClock(START)
    engine = _engine(clock)
    monitored = monitored_reviews(engine, clock, 20)
    take = progress_sampler(Series("profile"), engine, monitored)
    take(200)  # warm up
    profiler = cProfile.Profile()
    profiler.enable()
    take(n)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.strip_dirs()
    for order in ("tottime", "cumulative"):
        print(f"== {n:,} x record_action_progress, top {top} by {order} ==")
        stats.sort_stats(order).print_stats(top)


# --------------------------------------------------------------------------- main


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _section(title: str) -> None:
    print()
    print(f"== {title} ".ljust(100, "="))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer samples, smaller stores")
    parser.add_argument("--skip-memory", action="store_true", help="skip section 2")
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(x) for x in text.split(",")],
        help="store sizes for section 2 (default 1000,10000,100000; quick 1000,3000,10000)",
    )
    parser.add_argument(
        "--trace-all",
        action="store_true",
        help="also measure the largest store under tracemalloc (slow: ~3 ms per review)",
    )
    parser.add_argument(
        "--profile", type=int, nargs="?", const=5_000, metavar="N", help="profile and exit"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--method", default="malloc", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child is not None:
        print(json.dumps(memory_child(args.memory_child, args.method)))
        return 0
    if args.profile is not None:
        profile_command(args.profile, 30)
        return 0

    plan = QUICK if args.quick else FULL
    sizes: list[int] = args.sizes or (
        [1_000, 3_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    )
    traced = sorted(sizes) if args.trace_all else sorted(sizes)[:-1]
    if args.quick:
        traced = traced[:1]

    started = time.perf_counter()
    print(
        f"scr_engine {scr_engine.__version__} ({Path(scr_engine.__file__).parent}) | "
        f"Python {platform.python_version()} | transitions {_version('transitions')} | "
        f"python-statemachine {_version('python-statemachine')} | "
        f"{platform.machine()}, {os.cpu_count()} CPU(s) | {'quick' if args.quick else 'full'}"
    )
    goals: list[tuple[str, bool]] = []
    _section("1. Cost of one command (wall time per command, perf_counter_ns; gc enabled)")
    goals += measure_commands(plan)[1]
    if not args.skip_memory:
        _section("2. Memory held per review in MemoryStore")
        goals += measure_memory(sorted(sizes), traced)
    _section("3. Import weight")
    goals += check_imports()

    _section("Summary")
    for text, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {text}")
    met_count = sum(met for _, met in goals)
    print(f"{met_count}/{len(goals)} goals met; whole run {time.perf_counter() - started:.0f} s")
    return 1 if args.strict and met_count < len(goals) else 0


if __name__ == "__main__":
    sys.exit(main())
