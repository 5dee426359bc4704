"""GitLab code quality report (the `codequality` artifact of a merge request)."""

from __future__ import annotations

import json

from mlwf_lint.findings import Report, Severity, fingerprints
from mlwf_lint.report import RenderOptions

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTICE: "info"}


def render(report: Report, options: RenderOptions) -> str:
    issues = [
        {
            "description": f"{f.code}: {f.message}",
            "check_name": f.code,
            "fingerprint": fp,
            "severity": SEVERITIES[f.severity],
            "location": {
                "path": f.location.path or ".",
                "lines": {"begin": f.location.line or 1},
            },
        }
        for f, fp in zip(report.findings, fingerprints(report.findings), strict=True)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
