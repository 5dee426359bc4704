"""`mlwf-lint merge`: one page for many repositories from their JSON reports — each made
by its own CI job, the CI system being the distributed engine — per repository its
coverage, counts and worst findings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from mlwf_lint.errors import UsageError
from mlwf_lint.report.html import STYLE
from mlwf_lint.report.json import REPORT_VERSION

WORST = 5  # findings shown per repository
ORDER = {"error": 0, "warning": 1, "notice": 2}


@dataclass(frozen=True)
class Repository:
    source: str  # the report file
    name: str
    remote: str | None
    summary: dict[str, int]
    coverage: dict[str, dict[str, int]]
    findings: list[dict[str, Any]]

    @property
    def worst(self) -> list[dict[str, Any]]:
        return sorted(self.findings, key=lambda f: ORDER.get(str(f.get("severity")), 3))[:WORST]


def load(path: Path) -> Repository:
    """One JSON report; anything but a report of this format is a UsageError naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{path} is not a JSON report (not JSON)") from None
    tool = data.get("tool") if isinstance(data, dict) else None
    if not isinstance(tool, dict) or tool.get("name") != "mlwf-lint":
        raise UsageError(f"{path} is not an mlwf-lint JSON report")
    if data.get("report_version") != REPORT_VERSION:
        raise UsageError(
            f"{path} is a report of another format (mlwf-lint {tool.get('version')}, "
            f"report_version {data.get('report_version')!r}; this merge reads "
            f"{REPORT_VERSION}): lint again with this version"
        )
    repository, summary = data.get("repository") or {}, data.get("summary") or {}
    coverage, findings = data.get("coverage") or {}, data.get("findings") or []
    well_formed = (
        isinstance(repository, dict)
        and isinstance(summary, dict)
        and all(isinstance(v, int) for v in summary.values())
        and isinstance(coverage, dict)
        and all(isinstance(v, dict) for v in coverage.values())
        and isinstance(findings, list)
        and all(isinstance(f, dict) for f in findings)
    )
    if not well_formed:
        raise UsageError(f"{path}: a report whose summary, coverage or findings are malformed")
    return Repository(
        str(path),
        str(repository.get("name") or path.stem),
        repository.get("remote"),
        summary,
        coverage,
        findings,
    )


def _coverage(repo: Repository, kind: str) -> str:
    numbers = repo.coverage.get(kind) or {}
    done, total = numbers.get("documented", 0), numbers.get("total", 0)
    return f"{done}/{total}" + (f" ({100 * done // total} %)" if total else "")


def _where(finding: dict[str, Any]) -> str:
    parts = [str(finding.get(k)) for k in ("path", "line", "column") if finding.get(k)]
    return ":".join(parts) or "(repository)"


def to_json(repositories: list[Repository]) -> str:
    return (
        json.dumps(
            {
                "tool": {"name": "mlwf-lint"},
                "report_version": REPORT_VERSION,
                "repositories": [
                    {
                        "name": r.name,
                        "remote": r.remote,
                        "report": r.source,
                        "summary": r.summary,
                        "coverage": r.coverage,
                        "worst": r.worst,
                    }
                    for r in repositories
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def to_markdown(repositories: list[Repository]) -> str:
    lines = [
        f"### mlwf-lint: {len(repositories)} repositories",
        "",
        "| Repository | Errors | Warnings | Models documented | Datasets documented | Worst |",
        "|---|---|---|---|---|---|",
    ]
    for r in repositories:
        worst = r.worst[0] if r.worst else None
        first = f"{worst['code']} `{_where(worst)}`" if worst else "—"
        lines.append(
            f"| {r.name} | {r.summary.get('errors', 0)} | {r.summary.get('warnings', 0)} | "
            f"{_coverage(r, 'models')} | {_coverage(r, 'datasets')} | {first} |"
        )
    return "\n".join(lines) + "\n"


def to_html(repositories: list[Repository]) -> str:
    rows = []
    for r in repositories:
        worst = "".join(
            f'<li><span class="sev-{escape(str(f.get("severity")))}">'
            f"{escape(str(f.get('severity')))}</span> <code>{escape(_where(f))}</code> "
            f"<b>{escape(str(f.get('code')))}</b> {escape(str(f.get('message')))}</li>"
            for f in r.worst
        )
        rows.append(
            f'<tr><td><b>{escape(r.name)}</b><br><span class="muted">{escape(r.remote or "")}'
            f'</span></td><td class="sev-error">{r.summary.get("errors", 0)}</td>'
            f'<td class="sev-warning">{r.summary.get("warnings", 0)}</td>'
            f"<td>{_coverage(r, 'models')}</td><td>{_coverage(r, 'datasets')}</td>"
            f'<td><ul class="findings">{worst or "none"}</ul></td></tr>'
        )
    errors = sum(r.summary.get("errors", 0) for r in repositories)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>mlwf-lint: {len(repositories)} repositories</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>mlwf-lint: {len(repositories)} repositories</h1>",
            f'<p class="muted">{errors} errors in all; worst findings first.</p>',
            "<table><thead><tr><th>Repository</th><th>Errors</th><th>Warnings</th>"
            "<th>Models documented</th><th>Datasets documented</th><th>Worst findings</th>"
            "</tr></thead><tbody>",
            *rows,
            "</tbody></table></body></html>",
            "",
        ]
    )
