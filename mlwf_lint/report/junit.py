"""JUnit XML: one testcase per checked file; its findings are its failures."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from mlwf_lint.findings import Finding, Report, Severity
from mlwf_lint.report import RenderOptions

REPOSITORY = "(repository)"


def render(report: Report, options: RenderOptions) -> str:
    by_file: dict[str, list[Finding]] = {path: [] for path in report.files}
    for finding in report.findings:
        by_file.setdefault(finding.location.path or REPOSITORY, []).append(finding)
    # JUnit counts failed testcases: a file with two findings is one failing test
    failing = [p for p, fs in by_file.items() if any(f.severity is not Severity.NOTICE for f in fs)]
    suites = ET.Element(
        "testsuites", name="mlwf-lint", tests=str(len(by_file)), failures=str(len(failing))
    )
    suite = ET.SubElement(
        suites, "testsuite", name="mlwf-lint", tests=str(len(by_file)), failures=str(len(failing))
    )
    for path in sorted(by_file):
        case = ET.SubElement(suite, "testcase", classname="mlwf-lint", name=path)
        for finding in by_file[path]:
            tag = "failure" if finding.severity is not Severity.NOTICE else "system-out"
            element = ET.SubElement(case, tag)
            text = f"{finding.location.label()} {finding.code} {finding.message}"
            if tag == "failure":
                element.set("type", finding.code)
                element.set("message", finding.message)
            element.text = text + (f"\nhint: {finding.hint}" if finding.hint else "")
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
