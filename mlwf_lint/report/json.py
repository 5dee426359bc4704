"""The stable JSON report of design §5."""

from __future__ import annotations

import json
from typing import Any

from mlwf_lint.findings import Finding, Report, Severity
from mlwf_lint.report import RenderOptions


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "code": finding.code,
        "severity": finding.severity.label,
        "message": finding.message,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "pointer": loc.pointer,
        "hint": finding.hint,
        "fix": finding.fix,
    }


def render(report: Report, options: RenderOptions) -> str:
    document = {
        "tool": {"name": "mlwf-lint", "version": report.tool_version},
        "findings": [finding_to_dict(f) for f in report.findings],
        "summary": {
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "notices": report.count(Severity.NOTICE),
            "files_checked": report.files_checked,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
