"""Facts and findings → the lineage graph (`mlwf_lint.graph`): what DVC says feeds what,
and the state of each dataset's and model's document, from the same findings the check
reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from mlwf_lint.facts.documents import Document, described_path
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.findings import Finding, Severity
from mlwf_lint.graph import Edge, Graph, Node

# a document that disagrees with what it describes (an error or warning of these) is stale
STALE = ("MLW301", "MLW305", "MLW306", "MLW402", "MLW403", "MLW404", "MLW407")


def document_state(doc: Document | None, codes: Iterable[tuple[str, Severity]]) -> str:
    if doc is None:
        return "missing"
    found = [(c, s) for c, s in codes if s >= Severity.WARNING]
    if doc.parsed is None or any(c.startswith("MLW2") for c, _s in found):
        return "invalid"
    if any(c in STALE for c, _s in found):
        return "stale"
    return "documented"


def build_graph(facts: RepoFacts, findings: Iterable[Finding]) -> Graph:
    on: dict[str, list[tuple[str, Severity]]] = defaultdict(list)
    for finding in findings:
        on[finding.location.path or ""].append((finding.code, finding.severity))
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], Edge] = {}

    def link(source: str, target: str) -> None:
        if source != target and source in nodes and target in nodes:
            edges.setdefault((source, target), Edge(source, target))

    records = {p: d for d in facts.documents_of("data-lineage") if (p := described_path(d))}
    for output in facts.dvc.source_datasets:
        record = records.get(output.path)
        source = record.get("source") if record else None
        details = {"declared in": output.declared_in}
        if isinstance(source, dict):
            details.update(
                {k: str(source[k]) for k in ("license", "contains_pii", "origin") if k in source}
            )
        if output.imported_from:
            details["imported from"] = output.imported_from
        nodes[f"dataset:{output.path}"] = Node(
            f"dataset:{output.path}",
            "dataset",
            output.path,
            output.path,
            record.path if record else None,
            document_state(record, on[record.path] if record else ()),
            details,
        )
    for stage in facts.dvc.stages:
        nodes[f"stage:{stage.name}"] = Node(
            f"stage:{stage.name}", "stage", stage.name, stage.dvc_yaml
        )
    cards = {p: c for c in facts.model_cards if (p := described_path(c))}
    by_id = {c.id: c for c in facts.model_cards if c.id}
    decisions = {d.id: d for d in facts.documents_of("decision-record") if d.id}
    for model in facts.dvc.models:
        card = cards.get(model.path) or (by_id.get(model.name) if model.name else None)
        node_id = f"model:{model.path}"
        nodes[node_id] = Node(
            node_id,
            "model",
            model.name or model.path,
            model.path,
            card.path if card else None,
            document_state(card, on[card.path] if card else ()),
            _model_details(facts, card),
        )
        if model.output and model.output.stage:
            link(f"stage:{model.output.stage}", node_id)
        if card is None:
            continue
        for plan in facts.plans_for(card):
            plan_id = f"rollback-plan:{plan.path}"
            nodes[plan_id] = Node(plan_id, "rollback-plan", plan.id or plan.path, plan.path)
            link(node_id, plan_id)
        for ref in card.get("decisions") or []:
            record = decisions.get(ref) if isinstance(ref, str) else None
            if record is not None:
                record_id = f"decision-record:{record.path}"
                nodes[record_id] = Node(record_id, "decision-record", ref, record.path)
                link(node_id, record_id)
    for stage in facts.dvc.stages:
        for dep in stage.deps:
            feeding = facts.dvc.output_for(dep)
            if feeding is None:
                continue
            if feeding.is_model or f"model:{feeding.path}" in nodes:
                link(f"model:{feeding.path}", f"stage:{stage.name}")
            elif feeding.stage is None:
                link(f"dataset:{feeding.path}", f"stage:{stage.name}")
            elif feeding.stage != stage.name:
                link(f"stage:{feeding.stage}", f"stage:{stage.name}")
    return Graph(tuple(nodes.values()), tuple(edges.values()))


def _model_details(facts: RepoFacts, card: Document | None) -> dict[str, str]:
    if card is None:
        return {}
    details = {k: str(card.get(k)) for k in ("status", "version") if isinstance(card.get(k), str)}
    registry = facts.history.registry if facts.history is not None else {}
    artifact = registry.get(card.id or "")
    version = card.get("version")
    if artifact is not None and isinstance(version, str):
        held = [
            s for s, h in artifact.stages.items() if h.version == f"v{version.removeprefix('v')}"
        ]
        if held:
            details["registry stage"] = ", ".join(sorted(held))
    plans = facts.plans_for(card)
    if plans:
        details["rollback plan"] = plans[0].id or plans[0].path
        tested = plans[0].get("last_tested")
        details["last drill"] = str(tested) if tested else "never"
    return details
