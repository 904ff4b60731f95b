"""requirements.lock is consistent with pyproject.toml (regenerate it with `make lock`)."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _load_tool(name: str) -> object:
    """A module of tools/ (a folder of scripts, not an installed package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock_deps = _load_tool("lock_deps")
LOCK_PATH: Path = lock_deps.LOCK_PATH  # type: ignore[attr-defined]
canonical_name = lock_deps.canonical_name  # type: ignore[attr-defined]
read_lock = lock_deps.read_lock  # type: ignore[attr-defined]
render = lock_deps.render  # type: ignore[attr-defined]


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(text) for text in declared]


def lock_problems(declared: list[Requirement], pins: dict[str, str]) -> list[str]:
    """Why `pins` does not satisfy `declared` (empty when it does)."""
    problems = []
    for requirement in declared:
        name = canonical_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement} is declared but not locked")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{requirement} is declared but {name}=={pins[name]} is locked")
    return problems


def test_every_declared_dependency_is_locked_at_a_version_it_accepts() -> None:
    problems = lock_problems(declared_requirements(), read_lock(LOCK_PATH))
    assert not problems, "requirements.lock is stale, run `make lock`:\n" + "\n".join(problems)


def test_extras_of_declared_dependencies_are_locked_too() -> None:
    pins = read_lock(LOCK_PATH)
    assert "psycopg-binary" in pins  # psycopg[binary]
    assert "chargebook" not in pins


def test_the_check_catches_a_missing_and_a_wrong_pin() -> None:
    declared = [Requirement("httpx>=0.28,<0.29"), Requirement("Foo_Bar>=1")]
    assert lock_problems(declared, {"httpx": "0.28.1", "foo-bar": "1.2"}) == []
    problems = lock_problems(declared, {"httpx": "0.29.0"})
    assert len(problems) == 2
    assert "httpx==0.29.0 is locked" in problems[0]
    assert "not locked" in problems[1]


def test_read_lock_round_trips_and_rejects_loose_or_duplicate_pins(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text(render({"b-pkg": "2.0", "a": "1.0"}, python="3.11", platform="linux"))
    assert read_lock(lock) == {"a": "1.0", "b-pkg": "2.0"}
    lock.write_text("a>=1.0\n")
    with pytest.raises(ValueError, match="not a `name==version` pin"):
        read_lock(lock)
    lock.write_text("A==1\na==1\n")
    with pytest.raises(ValueError, match="pinned twice"):
        read_lock(lock)
