"""The package boundaries of issue 16 that this branch draws, checked on the source (every
import statement, function-level ones included):

- `serve` never reaches `web`, not even through another package (the circle web.context <->
  web.account_jobs / web.smart_runtime is gone);
- the simulators import only themselves, `clock` and `ocpp_common`; the product imports no
  simulator: only the demos' composition roots (`chargebook.demo`, the CLI's `demo` and
  `simulator` commands) put the two together;
- nothing subclasses `SyncEngine`: its per-account hook is the public `leases` parameter.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import chargebook

SRC = Path(chargebook.__file__).parent
DEMO_ROOTS = (
    "chargebook.demo",
    "chargebook.cli.demo",
    "chargebook.cli.simulator",
    "chargebook.cli.simulator_easee",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in SRC.rglob("*.py")}


@cache
def _imports(module: str) -> frozenset[str]:
    """The chargebook modules `module` imports (a `from package import name` counts the
    submodule when `name` is one)."""
    modules = _modules()
    found: set[str] = set()
    for node in ast.walk(ast.parse(modules[module].read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(name for name in found if name in modules)


def _reachable(start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for name in _imports(todo.pop()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_serve_never_reaches_the_web_app() -> None:
    serve = [m for m in _modules() if _in(m, "chargebook.serve")]
    assert len(serve) >= 5
    reached = {f"{m} -> {r}" for m in serve for r in _reachable(m) if _in(r, "chargebook.web")}
    assert reached == set()


def test_the_simulators_import_only_themselves_and_shared_helpers() -> None:
    allowed = ("chargebook.simulator", "chargebook.clock", "chargebook.ocpp_common")
    simulator = [m for m in _modules() if _in(m, "chargebook.simulator")]
    bad = {
        f"{m} -> {i}"
        for m in simulator
        for i in _imports(m)
        if not any(_in(i, a) for a in allowed) and i != "chargebook"
    }
    assert bad == set()


def test_the_product_imports_no_simulator() -> None:
    product = [
        m
        for m in _modules()
        if not _in(m, "chargebook.simulator") and not any(_in(m, r) for r in DEMO_ROOTS)
    ]
    bad = {f"{m} -> {i}" for m in product for i in _imports(m) if _in(i, "chargebook.simulator")}
    assert bad == set()


def test_the_shared_ocpp_helpers_import_nothing_of_chargebook() -> None:
    shared = [m for m in _modules() if _in(m, "chargebook.ocpp_common")]
    assert shared
    assert {i for m in shared for i in _imports(m)} == set()


def test_nothing_subclasses_the_sync_engine() -> None:
    subclasses = {
        f"{name}.{node.name}"
        for name, path in _modules().items()
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(
            (isinstance(base, ast.Name) and base.id == "SyncEngine")
            or (isinstance(base, ast.Attribute) and base.attr == "SyncEngine")
            for base in node.bases
        )
    }
    assert subclasses == set()
