"""A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from mlwf_lint.findings import Finding, Report, Severity, counted
from mlwf_lint.report import RenderOptions

ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTICE: "ℹ️"}


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").splitlines())


def _where(finding: Finding) -> str:
    return f"`{_cell(finding.location.label())}`"


def render(report: Report, options: RenderOptions) -> str:
    counts = ", ".join(
        counted(report.count(s), s.label)
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
    )
    head = f"### mlwf-lint: {counts} ({counted(report.files_checked, 'file')} checked)\n"
    if not report.findings:
        return head + "\nAll checks passed.\n"
    rows = [
        f"| {ICONS[f.severity]} | {f.code} | {_where(f)} | {_cell(f.message)} |"
        for f in report.findings
    ]
    return head + "\n| | Code | Location | Message |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"
