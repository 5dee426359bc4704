"""A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from mlwf_lint.findings import Finding, Report, Severity, counted
from mlwf_lint.report import RenderOptions
from mlwf_lint.report.graphs import to_mermaid, trimmed

ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTICE: "ℹ️"}


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").splitlines())


def _where(finding: Finding) -> str:
    return f"`{_cell(finding.location.label())}`"


def render(report: Report, options: RenderOptions) -> str:
    counts = ", ".join(
        counted(report.tally(s), s.label)
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
    )
    head = f"### mlwf-lint: {counts} ({counted(report.files_checked, 'file')} checked)\n"
    lineage = _lineage(report)
    if not report.findings:
        return head + "\nAll checks passed.\n" + lineage
    rows = [
        f"| {ICONS[f.severity]} | {f.code} | {_where(f)} | {_cell(f.message)} |"
        for f in report.findings
    ]
    table = "\n| | Code | Location | Message |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"
    return head + table + lineage


def _lineage(report: Report) -> str:
    """The lineage as a Mermaid block (GitHub and GitLab draw it), trimmed above 50 nodes
    to what findings touch; nothing when there is no DVC lineage."""
    if report.graph is None or not report.graph.nodes:
        return ""
    touched = {f.location.path for f in report.findings if f.location.path}
    graph, left_out = trimmed(report.graph, touched)
    note = f" ({left_out} of {len(report.graph.nodes)} nodes left out)" if left_out else ""
    block = f"```mermaid\n{to_mermaid(graph)}```"
    return f"\n<details><summary>Lineage{note}</summary>\n\n{block}\n\n</details>\n"
