"""The lineage graph as text: JSON (the stable form), Mermaid (GitHub and GitLab draw it
in job summaries and comments) and Graphviz DOT."""

from __future__ import annotations

import json

from mlwf_lint.graph import STATE_SIGNS, Graph, Node

MERMAID_LIMIT = 50  # above this many nodes, only those findings touch and their neighbours
SHAPES = {  # Mermaid node shapes per kind: (open, close)
    "dataset": ("[(", ")]"),
    "stage": ("[", "]"),
    "model": ("[[", "]]"),
    "rollback-plan": ("([", "])"),
    "decision-record": ("{{", "}}"),
}
COLOURS = {  # fill / stroke; the state is also written in the label, never colour alone
    "documented": ("#dcfce7", "#15803d"),
    "stale": ("#fef3c7", "#b45309"),
    "invalid": ("#fee2e2", "#b91c1c"),
    "missing": ("#fee2e2", "#b91c1c"),
}


def label(node: Node) -> str:
    """What a node shows: its name, and for a dataset or model the state of its
    document, as a sign and a word."""
    if node.state is None:
        return node.label
    return f"{STATE_SIGNS[node.state]} {node.label} ({node.state})"


def to_json(graph: Graph) -> str:
    return json.dumps(graph.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: quotes, angle brackets, and the
    characters Mermaid reads as markup become entity codes."""
    out = []
    for char in text:
        if char in '"#<>[]{}()|`\\':
            out.append(f"#{ord(char)};")
        elif char in "\r\n":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def trimmed(graph: Graph, touched: set[str], limit: int = MERMAID_LIMIT) -> tuple[Graph, int]:
    """The graph, or above `limit` nodes the part findings touch (documents with a
    state other than documented) and their neighbours; and how many nodes were left
    out."""
    if len(graph.nodes) <= limit:
        return graph, 0
    keep = {n.id for n in graph.nodes if n.state not in (None, "documented") or n.path in touched}
    small = graph.around(keep) if keep else _first_components(graph, limit)
    return small, len(graph.nodes) - len(small.nodes)


def _first_components(graph: Graph, limit: int) -> Graph:
    """Whole connected components, in node order, as many as fit in `limit` nodes (what a
    clean large repository shows); if none fits, the first `limit` nodes reached from
    the first one."""
    neighbours: dict[str, set[str]] = {n.id: set() for n in graph.nodes}
    for edge in graph.edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    kept: set[str] = set()
    seen: set[str] = set()
    first: list[str] = []
    for node in graph.nodes:
        if node.id in seen:
            continue
        order, todo = [node.id], [node.id]
        component = {node.id}
        while todo:
            for other in sorted(neighbours[todo.pop(0)] - component):
                component.add(other)
                order.append(other)
                todo.append(other)
        seen |= component
        first = first or order
        if len(kept) + len(component) <= limit:
            kept |= component
    if not kept:
        kept = set(first[:limit])
    return Graph(
        tuple(n for n in graph.nodes if n.id in kept),
        tuple(e for e in graph.edges if e.source in kept and e.target in kept),
    )


def to_mermaid(graph: Graph) -> str:
    ids = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for node in graph.nodes:
        opening, closing = SHAPES.get(node.kind, ("[", "]"))
        lines.append(f'  {ids[node.id]}{opening}"{_mermaid_text(label(node))}"{closing}')
    for edge in graph.edges:
        lines.append(f"  {ids[edge.source]} --> {ids[edge.target]}")
    for state, (fill, stroke) in COLOURS.items():
        lines.append(f"  classDef {state} fill:{fill},stroke:{stroke},color:#111")
        members = [ids[n.id] for n in graph.nodes if n.state == state]
        if members:
            lines.append(f"  class {','.join(members)} {state}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


DOT_SHAPES = {
    "dataset": "cylinder",
    "stage": "box",
    "model": "box3d",
    "rollback-plan": "note",
    "decision-record": "folder",
}


def to_dot(graph: Graph) -> str:
    lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="sans-serif"];']
    for node in graph.nodes:
        attributes = [
            f'label="{_dot_text(label(node))}"',
            f"shape={DOT_SHAPES.get(node.kind, 'box')}",
        ]
        if node.state in COLOURS:
            fill, stroke = COLOURS[node.state]
            attributes += ["style=filled", f'fillcolor="{fill}"', f'color="{stroke}"']
        lines.append(f'  "{_dot_text(node.id)}" [{", ".join(attributes)}];')
    for edge in graph.edges:
        lines.append(f'  "{_dot_text(edge.source)}" -> "{_dot_text(edge.target)}";')
    return "\n".join(lines) + "\n}\n"
