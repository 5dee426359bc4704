"""One self-contained HTML page: counts and documentation coverage, the lineage graph as
inline SVG, the models and datasets tables, the findings grouped by document. Nothing is
loaded from anywhere (no script, font, image or style sheet by URL); it reads without
JavaScript, follows the light or dark colour scheme, and never says anything by colour
alone."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from mlwf_lint.findings import Finding, Report, Severity, counted
from mlwf_lint.graph import STATE_SIGNS, Graph
from mlwf_lint.report import RenderOptions
from mlwf_lint.report.graphs import trimmed
from mlwf_lint.report.svg import DRAWN_LIMIT, to_svg

SIGNS = {Severity.ERROR: "✖ error", Severity.WARNING: "⚠ warning", Severity.NOTICE: "ℹ notice"}

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e;
  --line: #d1d9e0; --card: #f6f8fa; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e;
  --ok-bg: #dafbe1; --warn-bg: #fff8c5; --bad-bg: #ffebe9; --node: #ffffff; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
    --card: #151b23; --ok: #3fb950; --warn: #d29922; --bad: #f85149;
    --ok-bg: #12261e; --warn-bg: #272115; --bad-bg: #2d1517; --node: #151b23; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; background: var(--bg);
  color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { margin-top: 32px; font-size: 1.25em; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 16px; min-width: 150px; }
.card b { display: block; font-size: 1.5em; }
.graph { overflow: auto; border: 1px solid var(--line); border-radius: 8px; padding: 8px;
  background: var(--card); }
svg.lineage text { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg.lineage .node rect { fill: var(--node); stroke: var(--muted); stroke-width: 1.2; }
svg.lineage .state-documented rect { fill: var(--ok-bg); stroke: var(--ok); }
svg.lineage .state-stale rect { fill: var(--warn-bg); stroke: var(--warn); }
svg.lineage .state-invalid rect, svg.lineage .state-missing rect {
  fill: var(--bad-bg); stroke: var(--bad); stroke-dasharray: 4 2; }
svg.lineage .kind-stage rect { stroke-dasharray: none; }
svg.lineage .edge { stroke: var(--muted); stroke-width: 1.2; }
svg.lineage .arrowhead { fill: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; } code { font-size: 0.92em; }
.state-documented { color: var(--ok); } .state-stale { color: var(--warn); }
.state-invalid, .state-missing, .sev-error { color: var(--bad); }
.sev-warning { color: var(--warn); }
ul.findings { list-style: none; padding-left: 0; } ul.findings li { margin: 6px 0; }
.legend span { margin-right: 16px; white-space: nowrap; }
"""


def _pct(done: int, total: int) -> str:
    return f"{done}/{total} ({100 * done // total} %)" if total else "none"


def _state(state: str | None) -> str:
    if state is None:
        return ""
    return f'<span class="state-{state}">{STATE_SIGNS[state]} {state}</span>'


def _cell(value: str | None) -> str:
    return escape(value) if value else '<span class="muted">—</span>'


def render(report: Report, options: RenderOptions) -> str:
    graph = report.graph or Graph()
    name = report.repository or "repository"
    models = [n for n in graph.nodes if n.kind == "model"]
    datasets = [n for n in graph.nodes if n.kind == "dataset"]
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>mlwf-lint: {escape(name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>mlwf-lint: {escape(name)}</h1>",
        '<p class="muted">'
        + " · ".join(
            [
                *([escape(report.remote)] if report.remote else []),
                f"mlwf-lint {escape(report.tool_version)}",
                f"{counted(report.files_checked, 'file')} checked",
            ]
        )
        + "</p>",
        '<div class="cards">',
        *(
            f'<div class="card"><b class="sev-{s.label}">{report.tally(s)}</b>'
            f"{SIGNS[s]}{'s' if report.tally(s) != 1 else ''}</div>"
            for s in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
        ),
        f'<div class="card"><b>{_pct(*graph.coverage("model"))}</b>models documented</div>',
        f'<div class="card"><b>{_pct(*graph.coverage("dataset"))}</b>datasets documented</div>',
        "</div>",
    ]
    return "\n".join(
        [*head, *_graph(report, graph), *_models(models), *_datasets(datasets),
         *_findings(report.findings), "</body></html>", ""]
    )  # fmt: skip


def _graph(report: Report, graph: Graph) -> list[str]:
    touched = {f.location.path for f in report.findings if f.location.path}
    drawn, left_out = trimmed(graph, touched, DRAWN_LIMIT)
    which = (
        "that findings touch and their neighbours"
        if any(n.state not in (None, "documented") or n.path in touched for n in graph.nodes)
        else "of the first lineage chains"
    )
    note = (
        f'<p class="muted">{len(graph.nodes)} nodes: drawn are the {len(drawn.nodes)} {which} '
        f"({left_out} left out); the tables list all.</p>"
        if left_out
        else ""
    )
    legend = " ".join(f'<span class="state-{s}">{STATE_SIGNS[s]} {s}</span>' for s in STATE_SIGNS)
    return [
        "<h2>Lineage</h2>",
        '<p class="legend">Datasets (rounded) → stages → models, each dataset and model marked '
        f"by the state of its document: {legend}</p>",
        note,
        f'<div class="graph">{to_svg(drawn)}</div>',
    ]


def _models(models: list) -> list[str]:  # type: ignore[type-arg]
    rows = [
        "<tr>"
        f"<td><code>{escape(m.path or m.label)}</code></td><td>{_cell(m.document)}</td>"
        f"<td>{_state(m.state)}</td>"
        + "".join(
            f"<td>{_cell(m.details.get(k))}</td>"
            for k in ("status", "version", "registry stage", "rollback plan", "last drill")
        )
        + "</tr>"
        for m in models
    ]
    return [
        f"<h2>Models ({len(models)})</h2>",
        "<table><thead><tr><th>Model</th><th>Card</th><th>State</th><th>Status</th>"
        "<th>Version</th><th>Registry stage</th><th>Rollback plan</th><th>Last drill</th>"
        "</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _datasets(datasets: list) -> list[str]:  # type: ignore[type-arg]
    def pii(value: str | None) -> str:
        return {"True": "yes", "False": "no"}.get(value or "", value or "")

    rows = [
        "<tr>"
        f"<td><code>{escape(d.path or d.label)}</code></td><td>{_cell(d.document)}</td>"
        f"<td>{_state(d.state)}</td><td>{_cell(d.details.get('license'))}</td>"
        f"<td>{_cell(pii(d.details.get('contains_pii')))}</td></tr>"
        for d in datasets
    ]
    return [
        f"<h2>Datasets ({len(datasets)})</h2>",
        "<table><thead><tr><th>Dataset</th><th>Lineage record</th><th>State</th>"
        "<th>Licence</th><th>Personal data</th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _findings(findings: tuple[Finding, ...]) -> list[str]:
    if not findings:
        return ["<h2>Findings</h2>", "<p>All checks passed.</p>"]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.location.path or "(repository)"].append(finding)
    out = [f"<h2>Findings ({len(findings)})</h2>"]
    for path, group in by_file.items():
        out.append(f'<h3><code>{escape(path)}</code></h3><ul class="findings">')
        for f in group:
            where = f.location.label()
            out.append(
                f'<li><span class="sev-{f.severity.label}">{SIGNS[f.severity]}</span> '
                f"<code>{escape(where)}</code> <b>{f.code}</b> {escape(f.message)}"
                + (f'<br><span class="muted">{escape(f.hint)}</span>' if f.hint else "")
                + "</li>"
            )
        out.append("</ul>")
    return out
