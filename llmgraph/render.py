"""Lineage and backing diagrams: a selection of the mirror → :class:`pydot.Dot` → Graphviz.

Building the DOT is pure and deterministic (same graph and options, byte-identical DOT);
only :func:`run_graphviz` calls the ``dot`` program.

Drawing conventions: lineage edges are drawn parent → child (the direction in which models
were built), backing edges backer → backed, hosting edges model → platform. Node colour is
the developer's (a fixed palette indexed by a hash of the organization's IRI, so an
organization keeps its colour across diagrams), node shape is the kind of entity, and edge
style is the relation; the legend lists the relations drawn.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pydot
from rdflib import URIRef

from llmgraph.errors import RenderError
from llmgraph.lineage import (
    ALL_LINEAGE,
    BACKING_RELATIONS,
    WEIGHT_RELATIONS,
    ancestors,
    backers,
    descendants,
    portfolio,
)

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph

__all__ = [
    "Format",
    "Selection",
    "render",
    "run_graphviz",
    "select_backing",
    "select_lineage",
    "to_dot",
]

Format = Literal["dot", "svg", "png", "pdf"]

# Okabe-Ito and Tableau colours that stay apart for colour-blind readers, light enough to put
# black text on.
PALETTE: tuple[str, ...] = (
    "#8ecae6", "#ffb703", "#95d5b2", "#f4a261", "#cdb4db", "#e9c46a",
    "#a8dadc", "#f28482", "#b5e48c", "#ffafcc", "#90a955", "#bde0fe",
    "#ffd6a5", "#caffbf", "#d0b3ff", "#fdffb6",
)  # fmt: skip
NO_DEVELOPER = "#e0e0e0"

EDGE_STYLES: dict[str, dict[str, str]] = {
    "fineTunedFrom": {"style": "solid", "color": "#333333"},
    "continuedPretrainingFrom": {"style": "bold", "color": "#1d3557"},
    "adapterOf": {"style": "dashed", "color": "#6a4c93"},
    "quantizedFrom": {"style": "dotted", "color": "#555555"},
    "mergedFrom": {"style": "solid", "color": "#e76f51", "arrowhead": "diamond"},
    "derivedFrom": {"style": "solid", "color": "#999999"},
    "successorOf": {"style": "dashed", "color": "#2a9d8f", "arrowhead": "empty"},
    "trainedOnOutputsOf": {"style": "dotted", "color": "#d62828", "arrowhead": "open"},
    "investsIn": {"style": "solid", "color": "#2d6a4f"},
    "owns": {"style": "bold", "color": "#264653", "arrowhead": "odiamond"},
    "backs": {"style": "solid", "color": "#74c69d"},
    "hostedOn": {"style": "dashed", "color": "#457b9d"},
    "operatedBy": {"style": "dashed", "color": "#8d99ae"},
    "developedBy": {"style": "dotted", "color": "#8d99ae"},
}
RELATION_TEXT: dict[str, str] = {
    "fineTunedFrom": "fine-tuned",
    "continuedPretrainingFrom": "continued pre-training",
    "adapterOf": "adapter",
    "quantizedFrom": "quantized",
    "mergedFrom": "merged",
    "derivedFrom": "derived (untyped)",
    "successorOf": "next generation",
    "trainedOnOutputsOf": "trained on outputs of",
    "investsIn": "invests in",
    "owns": "owns",
    "backs": "backs",
    "hostedOn": "hosts",
    "operatedBy": "operates",
    "developedBy": "develops",
}
# Relations stored child → parent (or model → platform …) that read better drawn the other way.
_DRAWN_REVERSED = ALL_LINEAGE | {"hostedOn", "operatedBy", "developedBy"}
_SHAPES = {"model": "box", "organization": "ellipse", "platform": "hexagon", None: "box"}


@dataclass
class Selection:
    """The nodes and edges to draw: IRIs, and ``(subject, object, relation)`` triples.

    >>> Selection({"http://e/a"}).nodes
    {'http://e/a'}
    """

    nodes: set[str] = field(default_factory=set)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    focus: set[str] = field(default_factory=set)


def select_lineage(
    lg: LineageGraph,
    name: str | URIRef,
    *,
    up: bool = True,
    down: bool = True,
    depth: int | None = None,
    relations: Iterable[str] | None = None,
) -> Selection:
    """Select a model's (or family's) ancestry and/or descendants and the edges among them.

    Args:
        lg: the graph.
        name: a model or family.
        up: include ancestors.
        down: include descendants.
        depth: limit both directions to this many steps.
        relations: relations to follow (default :data:`~llmgraph.lineage.ALL_LINEAGE`).

    >>> from llmgraph import LineageGraph
    >>> sel = select_lineage(LineageGraph.load(), "Alpaca 7B", down=False)
    >>> sorted(r for _, _, r in sel.edges)
    ['fineTunedFrom', 'trainedOnOutputsOf']
    """
    rels = frozenset(relations) if relations is not None else ALL_LINEAGE
    start = {str(m) for m in lg.members(name)}
    nodes = set(start)
    if up:
        nodes |= {a.id for a in ancestors(lg, name, depth=depth, relations=rels)}
    if down:
        nodes |= {d.id for d in descendants(lg, name, depth=depth, relations=rels)}
    nodes &= set(lg.nx)
    return Selection(nodes, _edges_among(lg, nodes, rels), start & nodes)


def select_backing(
    lg: LineageGraph, orgs: Iterable[str | URIRef], *, transitive: bool = False
) -> Selection:
    """Select the backers and portfolios of organizations and the backing edges among them.

    >>> from llmgraph import LineageGraph
    >>> sel = select_backing(LineageGraph.load(), ["Databricks"])
    >>> any(r == "owns" for _, _, r in sel.edges)
    True
    """
    nodes: set[str] = set()
    focus: set[str] = set()
    for org in orgs:
        iri = str(lg.resolve(org, kind="organization"))
        focus.add(iri)
        nodes.add(iri)
        nodes |= {b.id for b in backers(lg, iri, transitive=transitive)}
        nodes |= {p.id for p in portfolio(lg, iri, transitive=transitive)}
    return Selection(nodes, _edges_among(lg, nodes, BACKING_RELATIONS), focus)


def _edges_among(
    lg: LineageGraph, nodes: set[str], rels: Iterable[str]
) -> set[tuple[str, str, str]]:
    allowed = set(rels)
    if allowed & WEIGHT_RELATIONS:
        allowed |= WEIGHT_RELATIONS
    sub = lg.nx.subgraph(nodes)
    return {(u, v, k) for u, v, k in sub.edges(keys=True) if k in allowed}


def to_dot(
    lg: LineageGraph,
    selection: Selection,
    *,
    rankdir: Literal["LR", "TB", "RL", "BT"] = "LR",
    title: str | None = None,
    legend: bool = True,
) -> pydot.Dot:
    """Build the DOT graph for ``selection``; pure and deterministic.

    Raises:
        RenderError: the selection is empty.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> dot = to_dot(lg, select_lineage(lg, "Alpaca 7B", down=False))
    >>> dot.to_string() == to_dot(lg, select_lineage(lg, "Alpaca 7B", down=False)).to_string()
    True
    """
    if not selection.nodes:
        raise RenderError("nothing to draw: the selection is empty")
    dot = pydot.Dot("lineage", graph_type="digraph", strict=False)
    dot.set("rankdir", rankdir)
    dot.set("fontname", "Helvetica")
    dot.set("nodesep", "0.25")
    dot.set("ranksep", "0.45")
    if title:
        dot.set("label", _quote(title))
        dot.set("labelloc", "t")
        dot.set("fontsize", "18")
    dot.set_node_defaults(fontname="Helvetica", fontsize="11", style='"filled,rounded"')
    dot.set_edge_defaults(fontname="Helvetica", fontsize="9", arrowsize="0.7")
    mirror = lg.nx
    for node in sorted(selection.nodes):
        data = mirror.nodes[node]
        label = str(data.get("label") or node)
        extra = []
        if data.get("release_date") is not None:
            extra.append(str(data["release_date"].year))
        if data.get("parameter_count"):
            extra.append(_params(int(data["parameter_count"])))
        text = label + ("\n" + " · ".join(extra) if extra else "")
        kind = data.get("kind")
        attrs = {
            "label": _quote(text),
            "shape": _SHAPES.get(kind if isinstance(kind, str) else None, "box"),
            "fillcolor": _quote(_node_colour(lg, node)),
            "tooltip": _quote(label),
        }
        if kind != "model":
            attrs["style"] = '"filled"'
        if node in selection.focus:
            attrs["penwidth"] = "2.5"
        dot.add_node(_node(_quote(node), attrs))
    used: set[str] = set()
    for s, o, rel in sorted(selection.edges):
        used.add(rel)
        tail, head = (o, s) if rel in _DRAWN_REVERSED else (s, o)
        dot.add_edge(_edge(_quote(tail), _quote(head), EDGE_STYLES.get(rel, {})))
    if legend and used:
        _add_legend(dot, sorted(used, key=list(EDGE_STYLES).index))
    return dot


def _add_legend(dot: pydot.Dot, relations: list[str]) -> None:
    legend = pydot.Subgraph("cluster_legend")
    for key, value in (("label", '"Legend"'), ("fontsize", "11"), ("color", '"#bbbbbb"')):
        legend.set(key, value)
    previous = None
    for i, rel in enumerate(relations):
        a, b = f'"legend_{i}_a"', f'"legend_{i}_b"'
        legend.add_node(_node(a, {"label": '""', "shape": "point", "width": "0.05"}))
        text = _quote(RELATION_TEXT.get(rel, rel))
        legend.add_node(_node(b, {"label": text, "shape": "plaintext", "style": '""'}))
        legend.add_edge(_edge(a, b, EDGE_STYLES.get(rel, {})))
        if previous is not None:
            legend.add_edge(_edge(previous, a, {"style": "invis"}))
        previous = a
    dot.add_subgraph(legend)


def _node(name: str, attrs: dict[str, str]) -> pydot.Node:
    node = pydot.Node(name)
    for key, value in attrs.items():
        node.set(key, value)
    return node


def _edge(tail: str, head: str, attrs: dict[str, str]) -> pydot.Edge:
    edge = pydot.Edge(tail, head)
    for key, value in attrs.items():
        edge.set(key, value)
    return edge


def _node_colour(lg: LineageGraph, node: str) -> str:
    mirror = lg.nx
    kind = mirror.nodes[node].get("kind")
    if kind == "organization":
        owner = node
    else:
        developers = sorted(
            v for _, v, k in mirror.out_edges(node, keys=True) if k in {"developedBy", "operatedBy"}
        )
        if not developers:
            return NO_DEVELOPER
        owner = developers[0]
    digest = hashlib.sha256(owner.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def _params(count: int) -> str:
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if count >= size:
            value = count / size
            return (
                f"{value:.0f}{suffix}"
                if value >= 10
                else f"{value:.1f}".rstrip("0").rstrip(".") + suffix
            )
    return str(count)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def run_graphviz(dot_source: str, fmt: Format, *, program: str = "dot") -> bytes:
    """Run Graphviz on DOT text and return the output file's bytes.

    Raises:
        RenderError: the program is not installed, or it failed (its stderr is included).

    >>> run_graphviz("digraph { a -> b }", "svg").startswith(b"<?xml")
    True
    """
    if fmt == "dot":
        return dot_source.encode("utf-8")
    exe = shutil.which(program)
    if exe is None:
        raise RenderError(
            f"Graphviz program {program!r} not found on PATH; install Graphviz "
            "(apt-get install graphviz, brew install graphviz, conda install graphviz) "
            "or write DOT with format='dot'"
        )
    proc = subprocess.run(
        [exe, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True, check=False
    )
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{program} -T{fmt} failed (exit {proc.returncode}): {stderr}")
    return proc.stdout


def render(
    lg: LineageGraph,
    selection: Selection,
    *,
    fmt: Format = "svg",
    out: Path | str | None = None,
    rankdir: Literal["LR", "TB", "RL", "BT"] = "LR",
    title: str | None = None,
) -> bytes:
    """Draw ``selection`` as DOT, SVG, PNG or PDF; write it to ``out`` if given.

    Returns:
        The rendered bytes.

    Raises:
        RenderError: empty selection, Graphviz missing or failing. Nothing is written then.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> b"Vicuna 13B v1.5" in render(lg, select_lineage(lg, "Vicuna 13B v1.5"))
    True
    """
    data = run_graphviz(to_dot(lg, selection, rankdir=rankdir, title=title).to_string(), fmt)
    if out is not None:
        Path(out).write_bytes(data)
    return data
