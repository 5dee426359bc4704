"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import re
from typing import Any

from mlwf_lint.findings import Finding, Report, RuleInfo, Severity, fingerprints
from mlwf_lint.report import RenderOptions

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}


def _name(title: str) -> str:
    return "".join(word.capitalize() for word in re.findall(r"[A-Za-z0-9]+", title))


def _rule(info: RuleInfo) -> dict[str, Any]:
    summary = info.doc.split("\n\n", 1)[0].replace("\n", " ")
    return {
        "id": info.code,
        "name": _name(info.title),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": summary},
        "help": {"text": info.doc, "markdown": info.doc},
        "defaultConfiguration": {"level": LEVELS[info.severity]},
    }


def _result(finding: Finding, index: dict[str, int], fingerprint: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message + (f" ({finding.hint})" if finding.hint else "")},
        "partialFingerprints": {"mlwfLintFingerprint/v1": fingerprint},
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    loc = finding.location
    if loc.path is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"}}
        if loc.line is not None:
            region: dict[str, Any] = {"startLine": loc.line}
            if loc.column is not None:
                region["startColumn"] = loc.column
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    return result


def render(report: Report, options: RenderOptions) -> str:
    index = {info.code: i for i, info in enumerate(report.rules)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlwf-lint",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "rules": [_rule(info) for info in report.rules],
                    }
                },
                "results": [
                    _result(f, index, fp)
                    for f, fp in zip(report.findings, fingerprints(report.findings), strict=True)
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
