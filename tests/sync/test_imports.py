"""The sync core imports only the domain, clock and errors: never httpx, SQLAlchemy or adapters."""

from __future__ import annotations

import ast
from pathlib import Path

import chargebook.sync

ALLOWED_PREFIXES = ("chargebook.domain", "chargebook.clock", "chargebook.errors", "chargebook.sync")
FORBIDDEN_TOP_LEVEL = {"httpx", "sqlalchemy", "fastapi", "websockets", "typer", "rich"}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_sync_imports_only_the_core() -> None:
    package_dir = Path(chargebook.sync.__file__).parent
    files = sorted(package_dir.glob("*.py"))
    assert files, "sync package has no modules?"
    offenders = []
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN_TOP_LEVEL or (
                top == "chargebook" and not name.startswith(ALLOWED_PREFIXES)
            ):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []
