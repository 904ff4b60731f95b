"""Audit the locked dependencies (`requirements.lock`) for known vulnerabilities.

    python3 tools/audit_deps.py [--pip-audit PATH] [--lock requirements.lock] [--strict]
    make audit

Exit codes: 0 = no known vulnerability found (read the warnings: coverage may be partial or
none), 1 = a vulnerability was found, 2 = `--strict` and no vulnerability service answered.

Order of attempts, the first one that audits every locked package wins:

1. `pip-audit` against OSV (`-s osv`), then against PyPI's per-release JSON (`-s pypi`).
   Both see every release's advisories. A run that skipped a package (pip-audit answers
   "Dependency not found on PyPI" and still says "No known vulnerabilities found", exit 0,
   when PyPI's per-release endpoint is not served) counts as not done, never as clean.
2. PyPI's project JSON (`https://pypi.org/pypi/<name>/json`). Its `vulnerabilities` list is
   about the project's LATEST release only. So: a package locked at the latest release is
   checked fully; a package locked at an older release is checked only for advisories that
   still affect the latest release (reported as affecting ours too: an advisory unfixed in
   the newest release almost always reaches back), and advisories fixed between our version
   and the latest are INVISIBLE: those packages are listed as partially checked. A yanked
   locked release is reported as a warning.

A service that does not answer (DNS, timeout, HTTP 5xx) is never a finding: when nothing
answered, the audit prints a loud warning that it was NOT done and exits 0 (2 with --strict),
so a network outage does not turn CI red while a real advisory does.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK_PATH = ROOT / "requirements.lock"
PYPI_JSON = "https://pypi.org/pypi/{name}/json"
TIMEOUT_S = 20.0
EXIT_CLEAN, EXIT_FOUND, EXIT_UNREACHABLE = 0, 1, 2


class Unreachable(Exception):
    """A vulnerability service did not answer; says nothing about the dependencies."""


@dataclass
class Audit:
    """What one way of auditing found."""

    method: str
    findings: list[str] = field(default_factory=list)  # one line per advisory affecting us
    warnings: list[str] = field(default_factory=list)
    fully_checked: int = 0
    partly_checked: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[str, str]:
    """canonical name -> version of every `name==version` line (comments ignored)."""
    pins = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def audit_with_pip_audit(executable: Path, lock: Path, service: str, count: int) -> Audit:
    """Run pip-audit with `service` over the lock.

    Raises:
        Unreachable: pip-audit failed without a report, or skipped a locked package.
    """
    command = [str(executable), "-r", str(lock), "--no-deps", "--disable-pip",
               "--progress-spinner", "off", "-s", service, "-f", "json",
               "--timeout", str(int(TIMEOUT_S))]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unreachable(f"pip-audit -s {service}: {exc}") from exc
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unreachable(f"pip-audit -s {service} gave no report: {last[:300]}") from None
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if skipped or len(dependencies) < count:
        example = skipped[0]["skip_reason"] if skipped else "packages missing from the report"
        raise Unreachable(
            f"pip-audit -s {service} audited {len(dependencies) - len(skipped)} of {count} "
            f"packages (e.g. {example})"
        )
    audit = Audit(f"pip-audit -s {service}", fully_checked=len(dependencies))
    for dependency in dependencies:
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            audit.findings.append(
                f"{dependency['name']}=={dependency['version']}: {vuln['id']} (fixed in {fixes})"
            )
    return audit


def fetch_project(name: str) -> dict[str, object] | None:
    """PyPI's project JSON, or None when PyPI does not know the project.

    Raises:
        Unreachable: no answer, a timeout or a server error.
    """
    request = urllib.request.Request(
        PYPI_JSON.format(name=name), headers={"Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data: dict[str, object] = json.load(response)
            return data
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise Unreachable(f"{name}: HTTP {exc.code} from PyPI") from exc
    except (urllib.error.URLError, TimeoutError, OSError, json.JSONDecodeError) as exc:
        raise Unreachable(f"{name}: {exc}") from exc


def judge_project(name: str, version: str, project: dict[str, object] | None, audit: Audit) -> None:
    """Add what PyPI's project JSON says about `name==version` to `audit`."""
    if project is None:
        audit.warnings.append(f"{name}=={version}: not on PyPI, NOT checked")
        return
    info = project.get("info")
    latest = str(info.get("version")) if isinstance(info, dict) else "?"
    vulns = project.get("vulnerabilities")
    for vuln in vulns if isinstance(vulns, list) else []:
        if vuln.get("withdrawn"):
            continue
        fixed = ", ".join(vuln.get("fixed_in") or []) or "no fixed release"
        aliases = ", ".join(vuln.get("aliases") or [])
        note = "" if version == latest else f" (reported for the latest {latest}, assumed ours)"
        audit.findings.append(
            f"{name}=={version}: {vuln.get('id')} {aliases} (fixed in {fixed}){note}".strip()
        )
    releases = project.get("releases")
    files = releases.get(version, []) if isinstance(releases, dict) else []
    if any(isinstance(f, dict) and f.get("yanked") for f in files):
        reason = next((f.get("yanked_reason") for f in files if f.get("yanked")), None)
        audit.warnings.append(f"{name}=={version} is yanked on PyPI: {reason or 'no reason given'}")
    if version == latest:
        audit.fully_checked += 1
    else:
        audit.partly_checked.append(f"{name}=={version} (latest {latest})")


def audit_with_pypi_json(pins: dict[str, str]) -> Audit:
    """Check every pin against PyPI's project JSON (see the module docstring for its limits).

    Raises:
        Unreachable: PyPI did not answer for any package.
    """
    audit = Audit("PyPI project JSON (advisories of each project's latest release)")
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {name: pool.submit(fetch_project, name) for name in pins}
    unreachable = []
    for name, future in futures.items():
        try:
            project = future.result()
        except Unreachable as exc:
            unreachable.append(str(exc))
            continue
        judge_project(name, pins[name], project, audit)
    if len(unreachable) == len(pins):
        raise Unreachable(f"PyPI JSON: {unreachable[0]}")
    for problem in unreachable:
        audit.warnings.append(f"NOT checked, PyPI did not answer: {problem}")
    return audit


def report(audit: Audit, total: int) -> None:
    print(f"dependency audit of {total} locked packages with {audit.method}")
    print(f"  fully checked: {audit.fully_checked}")
    if audit.partly_checked:
        print(
            f"  PARTLY checked: {len(audit.partly_checked)} locked below their latest release; "
            "advisories fixed in between are invisible to this data:"
        )
        for line in audit.partly_checked:
            print(f"    {line}")
    for line in audit.warnings:
        print(f"  WARNING: {line}")
    if audit.findings:
        print(f"VULNERABILITIES FOUND ({len(audit.findings)}):")
        for line in audit.findings:
            print(f"  {line}")
    else:
        print("no known vulnerabilities found in what was checked")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lock", type=Path, default=LOCK_PATH)
    parser.add_argument("--pip-audit", type=Path, default=None, help="pip-audit executable")
    parser.add_argument("--strict", action="store_true", help="exit 2 when nothing answered")
    args = parser.parse_args(argv)
    pins = read_lock(args.lock)
    reasons = []
    attempts = []
    if args.pip_audit is not None and args.pip_audit.exists():
        attempts = [lambda s=s: audit_with_pip_audit(args.pip_audit, args.lock, s, len(pins))
                    for s in ("osv", "pypi")]  # fmt: skip
    else:
        reasons.append(f"pip-audit not available ({args.pip_audit})")
    attempts.append(lambda: audit_with_pypi_json(pins))
    for attempt in attempts:
        try:
            audit = attempt()
        except Unreachable as exc:
            reasons.append(str(exc))
            continue
        for reason in reasons:
            print(f"note: not used: {reason}")
        report(audit, len(pins))
        return EXIT_FOUND if audit.findings else EXIT_CLEAN
    banner = "!" * 78
    print(banner, file=sys.stderr)
    print("WARNING: DEPENDENCY AUDIT NOT DONE: no vulnerability service answered.", file=sys.stderr)
    for reason in reasons:
        print(f"  {reason}", file=sys.stderr)
    print(banner, file=sys.stderr)
    return EXIT_UNREACHABLE if args.strict else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
