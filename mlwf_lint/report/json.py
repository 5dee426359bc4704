"""The stable JSON report of design §5, with what `merge` needs (design §11): the
repository, the documentation coverage and the lineage graph. `report_version` changes
only when a key's meaning does."""

from __future__ import annotations

import json
from typing import Any

from mlwf_lint.findings import Finding, Report, Severity
from mlwf_lint.graph import DOCUMENTED_KINDS, Graph
from mlwf_lint.report import RenderOptions

REPORT_VERSION = 1


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
    graph = report.graph or Graph()
    document = {
        "tool": {"name": "mlwf-lint", "version": report.tool_version},
        "report_version": REPORT_VERSION,
        "repository": {"name": report.repository, "remote": report.remote},
        "findings": [finding_to_dict(f) for f in report.findings],
        "summary": {
            "errors": report.tally(Severity.ERROR),
            "warnings": report.tally(Severity.WARNING),
            "notices": report.tally(Severity.NOTICE),
            "files_checked": report.files_checked,
        },
        "coverage": {
            f"{kind}s": dict(zip(("documented", "total"), graph.coverage(kind), strict=True))
            for kind in DOCUMENTED_KINDS
        },
        "graph": graph.to_dict(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
