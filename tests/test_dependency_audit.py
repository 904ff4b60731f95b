"""tools/audit_deps.py: a found advisory fails, an unreachable service only warns.

No network: PyPI is played by a loopback HTTP server and pip-audit by a small script.
"""

from __future__ import annotations

import importlib.util
import json
import stat
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "tools" / "audit_deps.py")
assert _spec is not None
assert _spec.loader is not None
audit_deps: Any = importlib.util.module_from_spec(_spec)
sys.modules["audit_deps"] = audit_deps  # dataclasses look their module up there
_spec.loader.exec_module(audit_deps)

ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fixed_in": ["2.0"],
            "withdrawn": None}  # fmt: skip


def project(latest: str, vulns: list[dict[str, object]], *, yanked: str = "") -> dict[str, Any]:
    files = [{"yanked": bool(yanked), "yanked_reason": yanked or None}]
    return {"info": {"version": latest}, "vulnerabilities": vulns, "releases": {"1.0": files}}


@pytest.fixture
def fake_pypi(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Projects served as PyPI's project JSON on loopback; a name not in the dict is a 404."""
    projects: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.split("/")[2]
            if name not in projects:
                self.send_error(404)
                return
            body = json.dumps(projects[name]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(
        audit_deps, "PYPI_JSON", f"http://127.0.0.1:{server.server_port}/pypi/{{name}}/json"
    )
    yield projects
    server.shutdown()
    server.server_close()


def lock_file(tmp_path: Path, pins: str) -> Path:
    lock = tmp_path / "requirements.lock"
    lock.write_text(f"# comment\n{pins}\n")
    return lock


def test_clean_lock_passes_and_says_what_it_checked(
    fake_pypi: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_pypi["good"] = project("1.0", [])
    fake_pypi["older"] = project("3.0", [])
    code = audit_deps.main(["--lock", str(lock_file(tmp_path, "good==1.0\nolder==1.0"))])
    out = capsys.readouterr().out
    assert code == audit_deps.EXIT_CLEAN
    assert "fully checked: 1" in out
    assert "PARTLY checked: 1" in out
    assert "older==1.0 (latest 3.0)" in out


def test_an_advisory_on_the_locked_release_fails(
    fake_pypi: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_pypi["bad"] = project("1.0", [ADVISORY, {**ADVISORY, "id": "OLD", "withdrawn": "x"}])
    code = audit_deps.main(["--lock", str(lock_file(tmp_path, "bad==1.0"))])
    out = capsys.readouterr().out
    assert code == audit_deps.EXIT_FOUND
    assert "bad==1.0: PYSEC-2099-1 CVE-2099-1 (fixed in 2.0)" in out
    assert "OLD" not in out  # withdrawn advisories are not findings


def test_an_advisory_on_a_newer_latest_is_assumed_to_reach_back(tmp_path: Path) -> None:
    audit = audit_deps.Audit("test")
    audit_deps.judge_project("pkg", "1.0", project("1.5", [ADVISORY], yanked="broken"), audit)
    assert audit.findings == [
        "pkg==1.0: PYSEC-2099-1 CVE-2099-1 (fixed in 2.0) (reported for the latest 1.5, "
        "assumed ours)"
    ]
    assert audit.partly_checked == ["pkg==1.0 (latest 1.5)"]
    assert audit.warnings == ["pkg==1.0 is yanked on PyPI: broken"]


def test_unreachable_service_warns_loudly_but_does_not_fail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A loopback port nobody listens on: connection refused, as when PyPI is down.
    monkeypatch.setattr(audit_deps, "PYPI_JSON", "http://127.0.0.1:9/pypi/{name}/json")
    lock = str(lock_file(tmp_path, "a==1.0\nb==2.0"))
    assert audit_deps.main(["--lock", lock]) == audit_deps.EXIT_CLEAN
    err = capsys.readouterr().err
    assert "DEPENDENCY AUDIT NOT DONE" in err
    assert audit_deps.main(["--lock", lock, "--strict"]) == audit_deps.EXIT_UNREACHABLE


def fake_pip_audit(tmp_path: Path, report: dict[str, Any] | None) -> Path:
    """An executable that prints `report` as pip-audit's JSON (None: a connection traceback)."""
    script = tmp_path / "pip-audit"
    if report is None:
        body = "import sys; sys.stderr.write('ConnectionError: api.osv.dev\\n'); sys.exit(1)"
    else:
        body = f"import sys; print({json.dumps(json.dumps(report))}); sys.exit(0)"
    script.write_text(f"#!{sys.executable}\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_pip_audit_that_skipped_packages_is_not_taken_as_clean(tmp_path: Path) -> None:
    lock = lock_file(tmp_path, "aenum==3.1.17")
    skipped = {"dependencies": [{"name": "aenum", "skip_reason": "Dependency not found on PyPI"}]}
    with pytest.raises(audit_deps.Unreachable, match="audited 0 of 1"):
        audit_deps.audit_with_pip_audit(fake_pip_audit(tmp_path, skipped), lock, "pypi", 1)
    with pytest.raises(audit_deps.Unreachable, match="gave no report"):
        audit_deps.audit_with_pip_audit(fake_pip_audit(tmp_path, None), lock, "osv", 1)


def test_pip_audit_findings_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = {"dependencies": [{"name": "jinja2", "version": "3.1.2", "vulns": [
        {"id": "GHSA-xxxx", "fix_versions": ["3.1.3"]}]}]}  # fmt: skip
    lock = lock_file(tmp_path, "jinja2==3.1.2")
    code = audit_deps.main(
        ["--lock", str(lock), "--pip-audit", str(fake_pip_audit(tmp_path, report))]
    )
    assert code == audit_deps.EXIT_FOUND
    assert "jinja2==3.1.2: GHSA-xxxx (fixed in 3.1.3)" in capsys.readouterr().out
