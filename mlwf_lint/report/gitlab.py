"""GitLab code quality report (the `codequality` artifact of a merge request)."""

from __future__ import annotations

import hashlib
import json

from mlwf_lint.findings import Finding, Report, Severity
from mlwf_lint.report import RenderOptions

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTICE: "info"}


def fingerprint(finding: Finding) -> str:
    """Stable across runs and across line moves: the code, the file and the message."""
    key = "\0".join((finding.code, finding.location.path or "", finding.message))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def render(report: Report, options: RenderOptions) -> str:
    issues = [
        {
            "description": f"{f.code}: {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint(f),
            "severity": SEVERITIES[f.severity],
            "location": {
                "path": f.location.path or ".",
                "lines": {"begin": f.location.line or 1},
            },
        }
        for f in report.findings
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
