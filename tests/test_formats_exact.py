"""Every format on exact output, for a report that holds what the real ones hold at
their edges: each severity, a finding with no line, one with no file, text that must be
escaped (| % CR LF), non-ASCII, a hint and none — and for a clean report. The expected
texts are in tests/golden/, read and checked by a person when written; a change to a
format shows here as a diff to review."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlwf_lint.findings import Edit, Finding, Location, Report, RuleInfo, Severity
from mlwf_lint.report import FORMATS, RenderOptions

GOLDEN = Path(__file__).resolve().parent / "golden"

RULES = (
    RuleInfo("MLW002", "file skipped", Severity.WARNING, "A file was not read.\n\nMore."),
    RuleInfo("MLW101", "ML code but no model card", Severity.ERROR, "ML code.\n\nMore."),
    RuleInfo("MLW301", "recorded md5 differs from DVC", Severity.ERROR, "Stale md5.\n\nMore."),
    RuleInfo("MLW302", "dvc.yaml stage missing from dvc.lock", Severity.ERROR, "Stage."),
)

EDGES = Report(
    findings=(
        Finding(
            "MLW301",
            Severity.ERROR,
            "recorded md5 22a1a293… differs | 100% from dvc.lock (café)",
            Location("docs/ml/data/raw.yaml", 6, 8, "/dataset/md5"),
            hint="re-review the record",
            edit=Edit("docs/ml/data/raw.yaml", "/dataset/md5", 5, 7, "22a1", "9f3c", False),
        ),
        Finding(
            "MLW301",
            Severity.ERROR,
            "a second finding in the same file",
            Location("docs/ml/data/raw.yaml", 9, 3),
        ),
        Finding(
            "MLW002",
            Severity.WARNING,
            "not checked: binary file",
            Location("docs/ml/data/blob.yaml"),
            hint="exclude it",
        ),
        Finding(
            "MLW302",
            Severity.NOTICE,
            "stage 'train' loops over ${...}\r\nonly dvc.lock checked",
            Location("dvc.yaml", 3, 3),
        ),
        Finding("MLW101", Severity.ERROR, "ML code but no model card", Location()),
    ),
    files=("docs/ml/data/raw.yaml", "dvc.yaml", "dvc.lock"),
    tool_version="0.1.0",
    rules=RULES,
)
CLEAN = Report(findings=(), files=("dvc.yaml",), tool_version="0.1.0", rules=RULES)

CASES = [
    (name, report, options)
    for name in ("text", "json", "sarif", "github", "gitlab", "junit", "markdown", "html")
    for report in (EDGES, CLEAN)
    for options in (
        [RenderOptions(), RenderOptions(color=True), RenderOptions(quiet=True)]
        if name == "text"
        else [RenderOptions()]
    )
]


def _golden(name: str, report: Report, options: RenderOptions) -> Path:
    which = "edges" if report is EDGES else "clean"
    flags = "".join(f"-{k}" for k in ("color", "quiet") if getattr(options, k))
    return GOLDEN / f"{name}-{which}{flags}.txt"


@pytest.mark.parametrize(
    ("name", "report", "options"),
    CASES,
    ids=[_golden(n, r, o).stem for n, r, o in CASES],
)
def test_exact_output(name: str, report: Report, options: RenderOptions) -> None:
    expected = _golden(name, report, options).read_bytes().decode("utf-8")  # CR kept
    assert FORMATS[name](report, options) == expected
