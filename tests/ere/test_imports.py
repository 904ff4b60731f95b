"""The ERE core stays pure: stdlib, chargebook.domain, chargebook.errors and itself only; the
application service beside it (`chargebook.ere.service`, which uses the database) is never
imported by the core."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import chargebook.ere

ERE_DIR = Path(chargebook.ere.__file__).parent
ALLOWED_PREFIXES = ("chargebook.domain", "chargebook.errors", "chargebook.ere")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", sorted(ERE_DIR.glob("*.py")), ids=lambda p: p.name)
def test_module_imports_only_stdlib_domain_and_errors(path: Path) -> None:
    for name in _imports(path):
        root = name.split(".")[0]
        if root == "chargebook":
            assert name.startswith(ALLOWED_PREFIXES), f"{path.name} imports {name}"
            assert not name.startswith("chargebook.ere.service"), f"{path.name} imports {name}"
        else:
            assert root in sys.stdlib_module_names or root == "__future__", (
                f"{path.name} imports third-party {name}"
            )


def test_the_checker_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom httpx import AsyncClient\n")
    roots = [n.split(".")[0] for n in _imports(bad)]
    assert [r for r in roots if r not in sys.stdlib_module_names] == ["sqlalchemy", "httpx"]


def test_public_surface_is_pinned() -> None:
    exported = set(chargebook.ere.__all__)
    assert {
        "evaluate_sessions",
        "BatchBuilder",
        "build_manifest",
        "calculate_ere",
        "validate_ean",
        "assess_wallbox",
        "assess_ocpp_boot",
        "parse_meter_readings",
        "build_statements",
        "estimate_earnings",
    } <= exported
    assert all(hasattr(chargebook.ere, name) for name in exported)
    assert sorted(chargebook.ere.__all__) == sorted(exported)  # no duplicates
