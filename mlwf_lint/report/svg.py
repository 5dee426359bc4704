"""The lineage graph as inline SVG. Layout: grandalf's Sugiyama layered layout — the
library `dvc dag` itself uses, pure Python, no system dependency (Graphviz would be one)
— per connected component, components placed in rows. Colours come from the page's CSS
classes; every node also says its state in words."""

from __future__ import annotations

import sys
from html import escape

from mlwf_lint.graph import Graph, Node
from mlwf_lint.report.graphs import label

CHAR_W, NODE_H, GAP, ROW_W = 7.2, 30.0, 40.0, 1400.0
DRAWN_LIMIT = 300  # above this, the page draws the part findings touch (see `trimmed`)


class _View:
    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


def _import_grandalf() -> None:
    """grandalf's modules, on its own pure-Python vectors. grandalf imports numpy when
    it can (70 ms; an ML team's environment has it) for what its fallback does alike:
    the drawings are the same to the byte (tested). numpy is hidden while grandalf is
    imported (None in sys.modules: `import numpy` raises ImportError), unless something
    has imported it already."""
    if "grandalf.layouts" in sys.modules or "numpy" in sys.modules:
        import grandalf.layouts  # noqa: F401

        return
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import grandalf.layouts  # noqa: F401
    finally:
        del sys.modules["numpy"]


def _layout(graph: Graph) -> dict[str, tuple[float, float, float, float]]:
    """node id → (x, y, w, h) of its box, components in rows."""
    _import_grandalf()
    from grandalf.graphs import Edge, Vertex
    from grandalf.graphs import Graph as GGraph
    from grandalf.layouts import SugiyamaLayout

    vertices = {n.id: Vertex(n.id) for n in graph.nodes}
    for node in graph.nodes:
        vertices[node.id].view = _View(len(label(node)) * CHAR_W + 20, NODE_H)
    edges = [Edge(vertices[e.source], vertices[e.target]) for e in graph.edges]
    boxes: dict[str, tuple[float, float, float, float]] = {}
    x0 = y0 = row_h = 0.0
    for component in GGraph(list(vertices.values()), edges).C:
        if len(component.sV) > 1:
            sugiyama = SugiyamaLayout(component)
            sugiyama.xspace, sugiyama.yspace = 24, 50
            sugiyama.init_all()
            sugiyama.draw()
        placed = {
            v.data: (v.view.xy[0] - v.view.w / 2, v.view.xy[1] - v.view.h / 2, v.view.w, v.view.h)
            for v in component.sV
        }
        left = min(b[0] for b in placed.values())
        top = min(b[1] for b in placed.values())
        width = max(b[0] + b[2] for b in placed.values()) - left
        height = max(b[1] + b[3] for b in placed.values()) - top
        if x0 > 0 and x0 + width > ROW_W:
            x0, y0, row_h = 0.0, y0 + row_h + GAP, 0.0
        for node_id, (x, y, w, h) in placed.items():
            boxes[node_id] = (x - left + x0 + 10, y - top + y0 + 10, w, h)
        x0 += width + GAP
        row_h = max(row_h, height)
    return boxes


def to_svg(graph: Graph) -> str:
    if not graph.nodes:
        return '<p class="empty">No DVC lineage in this repository.</p>'
    boxes = _layout(graph)
    width = max(x + w for x, _y, w, _h in boxes.values()) + 10
    height = max(y + h for _x, y, _w, h in boxes.values()) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        'aria-label="Lineage: source datasets, stages, models and their documents">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'class="arrowhead"/></marker></defs>',
    ]
    for edge in graph.edges:
        sx, sy, sw, sh = boxes[edge.source]
        tx, ty, tw, th = boxes[edge.target]
        start, end = (sx + sw / 2, sy + sh), (tx + tw / 2, ty)
        if ty + th <= sy:  # drawn upwards: leave from the top, arrive at the bottom
            start, end = (sx + sw / 2, sy), (tx + tw / 2, ty + th)
        parts.append(
            f'<line class="edge" x1="{start[0]:.1f}" y1="{start[1]:.1f}" '
            f'x2="{end[0]:.1f}" y2="{end[1]:.1f}" marker-end="url(#arrow)"/>'
        )
    for node in graph.nodes:
        parts.append(_node(node, boxes[node.id]))
    parts.append("</svg>")
    return "\n".join(parts)


def _node(node: Node, box: tuple[float, float, float, float]) -> str:
    x, y, w, h = box
    classes = f"node kind-{node.kind}" + (f" state-{node.state}" if node.state else "")
    title = " · ".join(
        [node.path or node.label, *(f"{k}: {v}" for k, v in node.details.items())]
        + ([f"document: {node.document}"] if node.document else [])
    )
    radius = 14 if node.kind == "dataset" else 3
    return (
        f'<g class="{classes}" data-id="{escape(node.id)}"><title>{escape(title)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{radius}"/>'
        f'<text x="{x + w / 2:.1f}" y="{y + h / 2 + 4:.1f}" text-anchor="middle">'
        f"{escape(label(node))}</text></g>"
    )
