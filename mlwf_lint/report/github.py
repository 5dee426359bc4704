"""GitHub Actions workflow commands: each finding becomes an annotation on the PR."""

from __future__ import annotations

from mlwf_lint.findings import Finding, Report, Severity, counted
from mlwf_lint.report import RenderOptions

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _line(finding: Finding) -> str:
    loc = finding.location
    props = []
    if loc.path is not None:
        props.append(f"file={_property(loc.path)}")
        if loc.line is not None:
            props.append(f"line={loc.line}")
            if loc.column is not None:
                props.append(f"col={loc.column}")
    props.append(f"title={_property(finding.code)}")
    message = finding.message + (f" (hint: {finding.hint})" if finding.hint else "")
    return f"::{COMMANDS[finding.severity]} {','.join(props)}::{_data(message)}"


def render(report: Report, options: RenderOptions) -> str:
    lines = [_line(f) for f in report.findings]
    errors, warnings = report.tally(Severity.ERROR), report.tally(Severity.WARNING)
    lines.append(
        f"mlwf-lint: {counted(errors, 'error')}, {counted(warnings, 'warning')} in "
        f"{counted(report.files_checked, 'file')} checked"
    )
    return "\n".join(lines) + "\n"
