"""The lineage graph as plain data, for the reports that draw it: source datasets →
stages → models, each dataset and model marked with its document's state, rollback plans
and decision records hanging off their models. Built from the facts and the findings by
`check.lineage`; drawn by `report.graphs` and `report.html`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

STATES = ("documented", "stale", "invalid", "missing")  # best to worst
STATE_SIGNS = {"documented": "✔", "stale": "⟳", "invalid": "✖", "missing": "?"}
DOCUMENTED_KINDS = ("dataset", "model")


class Node(NamedTuple):
    id: str  # stable: "<kind>:<path or name>"
    kind: str  # dataset | stage | model | rollback-plan | decision-record
    label: str
    path: str | None = None  # the DVC path, stage file or document
    document: str | None = None  # the document that describes it (datasets, models)
    state: str | None = None  # documented | stale | invalid | missing (datasets, models)
    details: Mapping[str, str] = MappingProxyType({})  # status, version, licence…

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "path": self.path,
            "document": self.document,
            "state": self.state,
            "details": dict(self.details),
        }


class Edge(NamedTuple):
    source: str
    target: str


class Graph(NamedTuple):
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()

    def coverage(self, kind: str) -> tuple[int, int]:
        """(nodes of the kind with a valid, current document, nodes of the kind)."""
        of_kind = [n for n in self.nodes if n.kind == kind]
        return sum(1 for n in of_kind if n.state == "documented"), len(of_kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [{"source": e.source, "target": e.target} for e in self.edges],
        }

    def around(self, keep: Iterable[str]) -> Graph:
        """The nodes in `keep` and their neighbours, with the edges among them."""
        wanted = set(keep)
        for edge in self.edges:
            if edge.source in keep or edge.target in keep:
                wanted.update((edge.source, edge.target))
        return Graph(
            tuple(n for n in self.nodes if n.id in wanted),
            tuple(e for e in self.edges if e.source in wanted and e.target in wanted),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Graph:
        nodes = tuple(
            Node(
                str(n["id"]),
                str(n["kind"]),
                str(n.get("label") or n["id"]),
                n.get("path"),
                n.get("document"),
                n.get("state"),
                {str(k): str(v) for k, v in (n.get("details") or {}).items()},
            )
            for n in data.get("nodes", [])
        )
        edges = tuple(Edge(str(e["source"]), str(e["target"])) for e in data.get("edges", []))
        return cls(nodes, edges)
