"""The human report: findings grouped by file as `path:line:col CODE severity: message`
with a hint under each, then a one-line summary. Colour comes from rich, imported only
when colour is on (a hook's captured output never pays for it)."""

from __future__ import annotations

import io
from itertools import groupby

from mlwf_lint.findings import Finding, Report, Severity, counted
from mlwf_lint.report import RenderOptions

Segment = tuple[str, str]  # (text, rich style)
Line = list[Segment]

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.NOTICE: "cyan"}


def _finding_lines(finding: Finding, quiet: bool) -> list[Line]:
    style = _STYLE[finding.severity]
    lines: list[Line] = [
        [
            (finding.location.label(), "bold"),
            (" ", ""),
            (finding.code, style),
            (" ", ""),
            (f"{finding.severity.label}:", style),
            (f" {finding.message}", ""),
        ]
    ]
    if finding.hint and not quiet:
        lines.append([(f"  hint: {finding.hint}", "dim")])
    return lines


def _summary(report: Report) -> Line:
    files = counted(report.files_checked, "file")
    if not report.findings:
        return [("All checks passed", "bold green"), (f" ({files} checked).", "")]
    counts = ", ".join(
        counted(report.tally(s), s.label)
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
    )
    return [("Found ", ""), (counts, "bold"), (f" in {files} checked.", "")]


def build_lines(report: Report, quiet: bool = False) -> list[Line]:
    lines: list[Line] = []
    for _path, group in groupby(report.findings, key=lambda f: f.location.path):
        for finding in group:
            lines.extend(_finding_lines(finding, quiet))
        if not quiet:
            lines.append([])
    if not quiet:
        lines.append(_summary(report))
    return lines


def render(report: Report, options: RenderOptions) -> str:
    lines = build_lines(report, options.quiet)
    if not options.color:
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=10_000)
    for line in lines:
        console.print(Text.assemble(*line), soft_wrap=True, highlight=False)
    return buffer.getvalue()
