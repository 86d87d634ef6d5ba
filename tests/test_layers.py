"""The library's layers: every import runs down (or across) a layer, and no module
imports itself back through another.

The graph is read from the source (every ``import`` of every module, those inside
functions too; only ``if TYPE_CHECKING:`` blocks, which never run, are left out), so a
lazy import cannot hide an arrow that runs back up. Importing ``a.b.c`` from outside
``a.b`` runs ``a.b``'s ``__init__`` as well, and the graph counts that too.

The house's other two rules are checked here as well: no module of the library longer
than about 800 lines, and no test module importing another (helpers come from
``tests/support``).
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import scr_engine

ROOT = Path(scr_engine.__file__).resolve().parent

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundation",
        (
            "scr_engine.errors",
            "scr_engine.errors.*",
            "scr_engine.clock",
            "scr_engine.digest",
            "scr_engine.marks",
            "scr_engine._collector",
            "scr_engine._http",
            "scr_engine.states.stages",
            "scr_engine.states.roles",
        ),
    ),
    (
        "table",
        (
            "scr_engine.states",
            "scr_engine.states.table",
            "scr_engine.states.machine",
            "scr_engine.states.permissions",
        ),
    ),
    (
        "records",
        (
            "scr_engine.records",
            "scr_engine.records.*",
            "scr_engine.serialization",
            "scr_engine.sections",
            "scr_engine.board",
            "scr_engine.words",
        ),
    ),
    ("commands", ("scr_engine.commands", "scr_engine.personal", "scr_engine.schema")),
    ("rules", ("scr_engine.rules", "scr_engine.rules.*")),
    ("effects", ("scr_engine.states.effects",)),
    ("protocols", ("scr_engine.protocols", "scr_engine.protocols.*")),
    (
        "history",
        (
            "scr_engine.history",
            "scr_engine.binding",
            "scr_engine.access",
            "scr_engine.checkpoints",
            "scr_engine.publication",
            "scr_engine.webhooks",
        ),
    ),
    ("storage", ("scr_engine.storage", "scr_engine.storage.*")),
    ("integrity", ("scr_engine.integrity",)),
    (
        "engine",
        (
            "scr_engine.engine",
            "scr_engine.annual_reports",
            "scr_engine.information_requests",
            "scr_engine._arguments",
            "scr_engine._erasure",
            "scr_engine._listing",
            "scr_engine._options",
            "scr_engine._settings_book",
            "scr_engine.templates",
            "scr_engine.templates.*",
        ),
    ),
    ("documents", ("scr_engine.documents", "scr_engine.documents.*")),
    (
        "faces",
        (
            "scr_engine",
            "scr_engine.__main__",
            "scr_engine._program",
            "scr_engine.demo",
            "scr_engine.demo_sar",
            "scr_engine.testing",
            "scr_engine.testing.*",
            "scr_engine.cli",
            "scr_engine.cli.*",
            "scr_engine.service",
            "scr_engine.service.*",
        ),
    ),
]
"""The layers, lowest first: a module may import its own layer's modules and those
below, never one above. The errors and the refusals they carry are the floor; the
command line, the HTTP service, the demo and the test kit the top."""


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts.pop()
        found[".".join(parts)] = (path, package)
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


def _imported(module: str) -> set[str]:
    """The modules that importing ``module`` runs directly (``scr_engine`` itself,
    whose names load lazily, left out)."""
    path, package = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    named: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            named.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module if package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    here = here.rpartition(".")[0]
                base = f"{here}.{base}" if base else here
            for alias in node.names:
                full = f"{base}.{alias.name}"
                named.add(full if full in MODULES else base)
    found: set[str] = set()
    for name in named:
        target = _resolve(name) if name.startswith("scr_engine") else None
        if target is None:
            continue
        found.add(target)
        parent = target.rpartition(".")[0]
        while parent and parent != "scr_engine":  # a package's __init__ runs first
            if not (module == parent or module.startswith(parent + ".")):
                found.add(parent)
            parent = parent.rpartition(".")[0]
    found.discard(module)
    found.discard("scr_engine")
    return found


GRAPH = {module: _imported(module) for module in MODULES}


def _layer(module: str) -> int:
    matched = [
        i for i, (_, patterns) in enumerate(LAYERS) if any(fnmatchcase(module, p) for p in patterns)
    ]
    assert len(matched) == 1, f"{module} is in {len(matched)} layers: give it one"
    return matched[0]


def _cycles() -> list[list[str]]:
    """The strongly connected parts of the graph with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_the_library() -> None:
    """Control: the graph holds every module and the arrows known to exist (one at
    module level, one inside a function, one through a package's ``__init__``)."""
    assert {"scr_engine.engine", "scr_engine.errors.refusals", "scr_engine.cli.app"} <= set(GRAPH)
    assert "scr_engine.records" in GRAPH["scr_engine.commands"]
    assert "scr_engine.cli.app" in GRAPH["scr_engine._program"]  # imported in run()
    assert "scr_engine.states" in GRAPH["scr_engine.records"]  # via states.stages


def test_no_module_imports_itself_back() -> None:
    assert _cycles() == []


def test_every_module_has_one_layer() -> None:
    for module in GRAPH:
        _layer(module)


def test_no_import_runs_up_a_layer() -> None:
    upward = sorted(
        f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == []


LONGEST = 850
"""No module of the library longer than about 800 lines: past this, split it along its
seams (as ``storage/sql/`` and ``templates/`` were)."""


def test_no_module_is_longer_than_about_800_lines() -> None:
    long = sorted(
        f"{module}: {lines} lines"
        for module, (path, _) in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    )
    assert long == []


TESTS = Path(__file__).resolve().parent


def _test_imports(path: Path) -> list[str]:
    """What a test file imports from ``tests/`` other than ``support``: another test
    module, a section's folder, or anything relative."""
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and p.name != "support"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = ["." * node.level + (node.module or "")]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            relative = name.startswith(".")
            if relative or top.startswith("test_") or top in folders | {"tests", "conftest"}:
                found.append(name)
    return found


def test_the_check_of_test_imports_sees_one(tmp_path: Path) -> None:
    """Control: the check names an import of another test module, of a section's
    folder and a relative one, and leaves ``support`` and the library alone."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import test_layers\nfrom protocol.test_setup import x\nfrom . import y\n"
        "from support.builders import submit\nimport scr_engine\n",
        encoding="utf-8",
    )
    assert _test_imports(probe) == ["test_layers", "protocol.test_setup", "."]


def test_no_test_module_imports_another() -> None:
    found = sorted(
        f"{path.relative_to(TESTS)} imports {name}"
        for path in TESTS.rglob("*.py")
        for name in _test_imports(path)
    )
    assert found == []
