"""`make audit`: pip-audit over the installed dependencies, tolerant of no network.

Fails (status 1) only when pip-audit reports a known vulnerability. When the advisory
database cannot be reached, or answers for none of the packages (an offline mirror), it says
so and succeeds: the audit did not happen, and the output tells.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    try:
        run = subprocess.run(  # noqa: S603 (fixed argument list, our own venv's pip-audit)
            [str(PIP_AUDIT), "--format", "json", "--progress-spinner", "off", "--skip-editable"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"pip-audit skipped: {error}")
        return 0
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        reason = (run.stderr.strip().splitlines() or ["no answer"])[-1]
        print(f"pip-audit skipped: the advisory database is not reachable ({reason}).")
        return 0
    dependencies = report.get("dependencies", [])
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    vulnerable = [dep for dep in audited if dep.get("vulns")]
    if not audited:
        print(
            "pip-audit skipped: the advisory database answered for none of the "
            f"{len(dependencies)} packages (offline or a mirror without advisories)."
        )
        return 0
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    print(
        f"pip-audit: {len(audited)} packages audited, {len(vulnerable)} with known "
        f"vulnerabilities, {len(dependencies) - len(audited)} not found in the database."
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
