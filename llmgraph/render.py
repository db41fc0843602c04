"""Lineage and backing diagrams: a selection of the mirror → :class:`pydot.Dot` → Graphviz.

Three steps, each usable on its own:

1. **Select** what to draw: :func:`select_lineage` (a model's ancestry and/or descendants),
   :func:`select_family` (everything sharing a root with a model or family),
   :func:`select_organization` (an organization's models), :func:`select_backing` (who backs
   whom around organizations), :func:`select_platform` (a platform and what it hosts) and
   :func:`select_sparql` (the edges a SPARQL query returns). Selections combine with ``|``.
2. **Build** the DOT with :func:`to_dot` (pure and deterministic: the same graph, selection and
   options give byte-identical DOT) or :func:`diagram` (a :class:`Diagram`, which also shows
   itself inline in Jupyter).
3. **Run** Graphviz with :func:`run_graphviz`, :meth:`Diagram.save` or :func:`render`.

Drawing conventions. Lineage edges are drawn parent → child (the direction in which models were
built), succession old → new, a teacher → its student, backing edges backer → backed (labelled
with the dates and amounts of the rounds, read from the ``rdf:Statement`` nodes that cite them),
a platform → the models it hosts, an operator → its platform. Release time runs along the
rank axis (columns for ``rankdir="LR"``, rows for ``"TB"``), one rank per year or quarter, with
every period from the first release to the last drawn as an equally spaced axis (a run of
empty periods of :data:`GAP_PERIODS` or more is compressed into a named "≈" break marker).
Node colour is the developer's, assigned per figure (:func:`assign_colours`) so that no two
developers of one figure share a fill; each keeps its
preferred colour (:func:`organization_colour`: the curated ``data/colours.csv`` for the
organizations of the bundled data, a hash of the IRI for the others) when it is free in that
figure. Node shape is the kind of entity; edge style and colour are the relation. The legend
lists only the developers, kinds and relations drawn.

Large selections stay readable without losing anything silently: leaves that are quantized
builds or adapters of one parent are collapsed into one counted node ("+312 quantized builds"),
a parent with more children than ``max_children`` shows the first ones and a "… +N more" node,
and depth limits of the selection end in "… +N more descendants" nodes. Every placeholder's
tooltip lists the models it stands for, and :attr:`Diagram.placeholders` returns them.
"""

from __future__ import annotations

import colorsys
import csv
import datetime as dt
import hashlib
import html
import itertools
import math
import re
import shutil
import subprocess
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack, cast, get_args

import pydot
from rdflib import DCTERMS, RDF, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from llmgraph.errors import DataLoadError, RenderError, UsageError
from llmgraph.limits import csv_error, csv_field_limit
from llmgraph.lineage import (
    ALL_LINEAGE,
    BACKING_RELATIONS,
    PATH_RELATIONS,
    WEIGHT_RELATIONS,
    ancestors,
    backers,
    descendants,
    portfolio,
)
from llmgraph.store import bundled_colours_file
from llmgraph.vocab import LLM, MIRRORED, RELATION_PHRASES, relation_name

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph

__all__ = [
    "EDGE_STYLES",
    "GAP_PERIODS",
    "MIN_TEXT_PT",
    "ORGANIZATION_COLOURS",
    "PALETTE",
    "RELATION_STYLES",
    "RELATION_TEXT",
    "WEIGHTS",
    "Clusters",
    "Diagram",
    "DrawOptions",
    "Format",
    "Layout",
    "Pattern",
    "RankDir",
    "RelationStyle",
    "Selection",
    "Timeline",
    "assign_colours",
    "diagram",
    "load_colours",
    "organization_colour",
    "parse_length",
    "render",
    "run_graphviz",
    "select_backing",
    "select_family",
    "select_lineage",
    "select_organization",
    "select_platform",
    "select_sparql",
    "to_dot",
]

Format = Literal["dot", "svg", "png", "pdf"]
"""Output formats: DOT text, or what Graphviz makes of it."""
RankDir = Literal["LR", "TB", "RL", "BT"]
"""Direction of the rank (time) axis: left to right, top to bottom, and their reverses."""
Timeline = Literal["auto", "none", "year", "quarter"]
"""One rank per release year or quarter; ``auto`` picks quarters for spans up to four years."""
Clusters = Literal["none", "developer", "family"]
"""Box the models of one developer (or one model family) together."""
Layout = Literal["auto", "dot", "neato"]
"""Graphviz engine: ``dot`` (ranked, with the time axis) or ``neato`` (force-directed hubs);
``auto`` uses neato for networks of organizations only (backing) and dot otherwise."""

# ---------------------------------------------------------------------- colours

PALETTE: tuple[str, ...] = (
    "#80b1d3", "#fdb462", "#b3de69", "#fb8072", "#bebada", "#8dd3c7", "#ffed6f",
    "#fccde5", "#ccebc5", "#d9d9d9", "#ffffb3", "#fbb4ae", "#b3cde3", "#decbe4",
    "#fed9a6", "#e5d8bd", "#fddaec", "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3",
    "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3", "#aec7e8", "#ffbb78", "#98df8a",
    "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    "#f4a582", "#92c5de", "#d9f0a3", "#c2a5cf", "#a6dba0", "#fdae61", "#abd9e9",
)  # fmt: skip
"""Light fills (ColorBrewer Set3, Pastel1, Set2, PRGn/RdBu tints, Tableau 20) that all keep
black text above the WCAG AAA contrast ratio of 7:1."""


class _CuratedColours(Mapping[str, str]):
    """The bundled colour table (``data/colours.csv``), read on first use."""

    _table: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._table is None:
            self._table = load_colours(bundled_colours_file())
        return self._table

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"ORGANIZATION_COLOURS({len(self)} organizations from {bundled_colours_file()})"


ORGANIZATION_COLOURS: Mapping[str, str] = _CuratedColours()
"""Curated fills for the organizations of the bundled data (IRI → colour), read from
``data/colours.csv`` the first time it is used.

A few developers wear their brand colour (Meta blue, Mistral orange, Hugging Face yellow,
Anthropic clay, OpenAI grey). It is an organization's *preferred* colour: each diagram assigns
colours with :func:`assign_colours`, which keeps the preferred colour when no developer drawn
before it in that figure holds a colour close to it. Any other organization prefers a
:data:`PALETTE` colour chosen by a hash of its IRI.
"""

NO_DEVELOPER = "#ffffff"
NEUTRAL = "#f2f2f2"
"""Fill of organizations that develop no model (investors) and of placeholder nodes."""
PLATFORM = "#dce6f0"
"""Fill of platforms."""

# ---------------------------------------------------------------------- relations

Pattern = Literal["solid", "dashed", "dotted", "double", "tapered"]
"""How an edge's line is drawn: ``double`` is two parallel lines, ``tapered`` a wedge."""

WEIGHTS: Mapping[str, float] = {"thin": 1.0, "medium": 2.0, "heavy": 3.6}
"""Line widths in points: each at least 1.8 times the one before, so that print keeps them apart."""

_ARROWS: Mapping[str, str] = {
    "solid": "normal",
    "dashed": "empty",
    "dotted": "dot",
    "double": "odiamond",
    "tapered": "none",
}
"""Arrowhead per pattern, so that a pattern shows on an edge too short to show its dashes
(a tapered edge needs none: its wedge narrows from the backer to the backed)."""


@dataclass(frozen=True)
class RelationStyle:
    """How a relation is drawn: line pattern, weight, colour, and the arrowhead that follows.

    No two relations share a (pattern, weight); the colour only adds to that, so a figure
    printed in greyscale keeps every relation apart. The arrowhead is the pattern's
    (solid ▶, dashed ▷, dotted ●, double ◇; a tapered wedge narrows towards its head) and
    shows even on a short edge.

    >>> RELATION_STYLES["quantizedFrom"].graphviz()["style"]
    'dotted'
    """

    pattern: Pattern
    weight: Literal["thin", "medium", "heavy"]
    colour: str

    @property
    def arrowhead(self) -> str:
        """The Graphviz arrowhead of the pattern."""
        return _ARROWS[self.pattern]

    def graphviz(self) -> dict[str, str]:
        """Return the Graphviz edge attributes: style, penwidth, color and arrowhead."""
        width = WEIGHTS[self.weight]
        attrs = {
            "style": "solid" if self.pattern == "double" else self.pattern,
            "color": self.colour,
            "penwidth": f"{width:g}",
            "arrowhead": self.arrowhead,
        }
        if self.pattern == "double":  # a colour list draws parallel lines, one per colour
            attrs["color"] = f"{self.colour}:invis:{self.colour}"
        if self.pattern == "tapered":  # the wedge starts at penwidth: twice the line weight
            attrs["penwidth"] = f"{2 * width:g}"
        return attrs


RELATION_STYLES: Mapping[str, RelationStyle] = {
    "fineTunedFrom": RelationStyle("solid", "medium", "#3a3a3a"),
    "continuedPretrainingFrom": RelationStyle("solid", "heavy", "#1d3557"),
    "adapterOf": RelationStyle("dashed", "medium", "#7b2cbf"),
    "quantizedFrom": RelationStyle("dotted", "medium", "#5c636a"),
    "mergedFrom": RelationStyle("double", "medium", "#e76f51"),
    "derivedFrom": RelationStyle("solid", "thin", "#8a8a8a"),
    "successorOf": RelationStyle("dashed", "heavy", "#2a9d8f"),
    "trainedOnOutputsOf": RelationStyle("dotted", "heavy", "#c1121f"),
    "investsIn": RelationStyle("tapered", "medium", "#2d6a4f"),
    "owns": RelationStyle("double", "heavy", "#264653"),
    "backs": RelationStyle("tapered", "thin", "#52b788"),
    "hostedOn": RelationStyle("double", "thin", "#457b9d"),
    "operatedBy": RelationStyle("dashed", "thin", "#6c757d"),
    "developedBy": RelationStyle("dotted", "thin", "#8d99ae"),
}
"""How each relation (the relation's local name) is drawn: the one table of relation styles."""

EDGE_STYLES: Mapping[str, Mapping[str, str]] = {
    rel: style.graphviz() for rel, style in RELATION_STYLES.items()
}
"""Graphviz edge attributes per relation (the relation's local name), from
:data:`RELATION_STYLES`."""

RELATION_TEXT: Mapping[str, str] = {
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
"""How the legend names each relation, read along the drawn arrow."""

# Relations stored child → parent (or model → platform …) that read better drawn the other way.
_DRAWN_REVERSED = ALL_LINEAGE | {"hostedOn", "operatedBy", "developedBy"}
_DRAWABLE = frozenset(EDGE_STYLES)
_COLLAPSIBLE = {"quantizedFrom": ("quantized build", "quantized builds", "quantized")}
_COLLAPSIBLE["adapterOf"] = ("adapter", "adapters", "adapter")
_SHAPES = {
    "model": "box",
    "organization": "ellipse",
    "platform": "hexagon",
    "family": "folder",
    None: "box",
}
_KIND_TEXT = {
    "model": "rounded box: model",
    "organization": "ellipse: organization",
    "platform": "hexagon: platform",
    "family": "folder: model family",
}
_FONT = "Arial,Helvetica,sans-serif"  # Arial first: Graphviz measures with its metrics
_CURRENCY = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_TOOLTIP_NAMES = 40


# ---------------------------------------------------------------------- selections


@dataclass
class Selection:
    """The entities and relations to draw.

    Attributes:
        nodes: IRIs of the entities.
        edges: ``(subject, object, relation)`` triples, relation as in the mirror
            (``"fineTunedFrom"`` …), in the stored direction (child → parent).
        focus: the entities the selection is about (drawn with a thick border).
        truncated_descendants: for a node at a depth limit, the descendants left out beyond
            it (drawn as a "… +N more descendants" node).
        truncated_ancestors: likewise for ancestors ("… +N earlier").
        description: what was selected, in words (used when the selection is empty).

    >>> Selection({"http://e/a"}).nodes
    {'http://e/a'}
    >>> (Selection({"http://e/a"}) | Selection({"http://e/b"})).nodes == {"http://e/a", "http://e/b"}
    True
    """

    nodes: set[str] = field(default_factory=set)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    focus: set[str] = field(default_factory=set)
    truncated_descendants: dict[str, frozenset[str]] = field(default_factory=dict)
    truncated_ancestors: dict[str, frozenset[str]] = field(default_factory=dict)
    description: str = ""

    def __or__(self, other: Selection) -> Selection:
        """Return the union of two selections (nodes, edges, focus and truncations)."""
        below = dict(self.truncated_descendants)
        for node, more in other.truncated_descendants.items():
            below[node] = below.get(node, frozenset()) | more
        above = dict(self.truncated_ancestors)
        for node, more in other.truncated_ancestors.items():
            above[node] = above.get(node, frozenset()) | more
        nodes = self.nodes | other.nodes
        # what one selection left out beyond a depth limit and the other drew is not left out
        below = {n: m - nodes for n, m in below.items() if m - nodes}
        above = {n: m - nodes for n, m in above.items() if m - nodes}
        words = " and ".join(d for d in (self.description, other.description) if d)
        return Selection(
            nodes, self.edges | other.edges, self.focus | other.focus, below, above, words
        )


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
        depth: limit both directions to this many steps; what lies beyond is recorded in
            :attr:`Selection.truncated_descendants` / ``truncated_ancestors`` and drawn as a
            counted "…" node.
        relations: relations to follow (default :data:`~llmgraph.lineage.ALL_LINEAGE`).

    Raises:
        UnknownEntityError: ``name`` matches nothing.
        UsageError: an unknown relation or a negative depth.

    >>> from llmgraph import LineageGraph
    >>> sel = select_lineage(LineageGraph.load(), "Alpaca 7B", down=False)
    >>> sorted(r for _, _, r in sel.edges)
    ['fineTunedFrom', 'trainedOnOutputsOf']
    """
    rels = frozenset(relations) if relations is not None else ALL_LINEAGE
    start = {str(m) for m in lg.members(name)}
    nodes = set(start)
    up_links = ancestors(lg, name, depth=depth, relations=rels) if up else []
    down_links = descendants(lg, name, depth=depth, relations=rels) if down else []
    nodes |= {a.id for a in up_links} | {d.id for d in down_links}
    nodes &= set(lg.nx)
    sel = Selection(nodes, _edges_among(lg, nodes, rels), start & nodes)
    sel.description = f"lineage of {lg.label(lg.resolve(name, kind='model or family'))}"
    if depth is not None:
        if up:
            frontier: list[str] = [a.id for a in up_links if a.depth == depth] or sorted(start)
            sel.truncated_ancestors = _beyond(lg, frontier, nodes, rels, up=True)
        if down:
            frontier = [d.id for d in down_links if d.depth == depth] or sorted(start)
            sel.truncated_descendants = _beyond(lg, frontier, nodes, rels, up=False)
    return sel


def select_family(
    lg: LineageGraph,
    name: str | URIRef,
    *,
    depth: int | None = None,
    relations: Iterable[str] | None = None,
) -> Selection:
    """Select a whole family tree: the roots of ``name`` and everything built on them.

    A root is an ancestor (or ``name`` itself) that was built on nothing, following weight
    lineage and succession; so the LLaMA family holds Llama 2 and 3 (next generations), Code
    Llama, and every fine-tune, adapter, merge and quantized build of any of them. Teacher
    edges (trained on outputs of) between members are drawn but not followed.

    Args:
        lg: the graph.
        name: a model or a model family (``"LLaMA"``, ``"Mistral 7B v0.1"``).
        depth: keep only this many steps below the roots; the rest is counted in "…" nodes.
        relations: relations to follow (default :data:`~llmgraph.lineage.PATH_RELATIONS`).

    Raises:
        UnknownEntityError: ``name`` matches nothing.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> sel = select_family(lg, "Vicuna 13B v1.5")
    >>> lg.resolve("LLaMA 13B") in sel.nodes  # via Llama 2 13B
    True
    """
    rels = frozenset(relations) if relations is not None else PATH_RELATIONS
    members = [str(m) for m in lg.members(name)]
    roots: set[str] = set()
    for member in members:
        if member not in lg.nx:
            continue
        for node in [member, *(a.id for a in ancestors(lg, member, relations=rels))]:
            if not any(k in rels for _, _, k in lg.nx.out_edges(node, keys=True)):
                roots.add(node)
    nodes = set(roots)
    steps = dict.fromkeys(roots, 0)  # fewest steps from a root
    for root in sorted(roots):
        for link in descendants(lg, root, depth=depth, relations=rels):
            nodes.add(link.id)
            steps[link.id] = min(steps.get(link.id, link.depth), link.depth)
    truncated: dict[str, frozenset[str]] = {}
    if depth is not None:
        frontier = [n for n in sorted(nodes) if steps[n] == depth]
        truncated = _beyond(lg, frontier, nodes, rels, up=False)
    named = lg.resolve(name, kind="model or family")
    focus = {str(named)} & nodes  # a named model is highlighted; a named family is not
    sel = Selection(nodes, _edges_among(lg, nodes, rels | ALL_LINEAGE), focus)
    sel.truncated_descendants = truncated
    sel.description = f"family of {lg.label(named)} (roots: {_names(lg, roots)})"
    return sel


def select_organization(lg: LineageGraph, org: str | URIRef, *, bases: bool = True) -> Selection:
    """Select the models an organization developed and the lineage among them.

    Args:
        lg: the graph.
        org: an organization.
        bases: also the models they were built on that other organizations made (one step:
            base models, merge parents, teachers).

    Raises:
        UnknownEntityError: ``org`` matches nothing.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> sel = select_organization(lg, "LMSYS")
    >>> str(lg.resolve("Llama 2 13B")) in sel.nodes
    True
    """
    iri = str(lg.resolve(org, kind="organization"))
    mirror = lg.nx
    own = {
        u
        for u, _, k in mirror.in_edges(iri, keys=True)
        if k == "developedBy" and mirror.nodes[u].get("kind") == "model"
    }
    nodes = set(own)
    if bases:
        for model in own:
            nodes |= {v for _, v, k in mirror.out_edges(model, keys=True) if k in ALL_LINEAGE}
    sel = Selection(nodes, _edges_among(lg, nodes, ALL_LINEAGE), set())
    sel.description = f"models developed by {lg.label(iri)}"
    return sel


def select_backing(
    lg: LineageGraph, orgs: Iterable[str | URIRef], *, transitive: bool = False
) -> Selection:
    """Select the backers and portfolios of organizations and the backing edges among them.

    When drawn, each backing edge is labelled with the dates and amounts of its rounds.

    Args:
        lg: the graph.
        orgs: the organizations at the centre.
        transitive: follow backing chains (the backers of backers, the portfolio's portfolio).

    Raises:
        UnknownEntityError: an organization matches nothing.

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
    sel = Selection(nodes, _edges_among(lg, nodes, BACKING_RELATIONS), focus)
    sel.description = f"backing network of {_names(lg, focus)}"
    return sel


def select_platform(lg: LineageGraph, platform: str | URIRef) -> Selection:
    """Select a platform, its operator, the models it hosts and the lineage among them.

    Raises:
        UnknownEntityError: ``platform`` matches nothing.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> sel = select_platform(lg, "Amazon Bedrock")
    >>> sorted({r for _, _, r in sel.edges} & {"hostedOn", "operatedBy"})
    ['hostedOn', 'operatedBy']
    """
    iri = str(lg.resolve(platform, kind="platform"))
    mirror = lg.nx
    hosted = {u for u, _, k in mirror.in_edges(iri, keys=True) if k == "hostedOn"}
    operators = {v for _, v, k in mirror.out_edges(iri, keys=True) if k == "operatedBy"}
    nodes = {iri} | hosted | operators
    edges = {(m, iri, "hostedOn") for m in hosted} | {(iri, o, "operatedBy") for o in operators}
    edges |= _edges_among(lg, hosted, PATH_RELATIONS)
    sel = Selection(nodes, edges, {iri})
    sel.description = f"models hosted on {lg.label(iri)}"
    return sel


def select_sparql(
    lg: LineageGraph, sparql: str, *, bindings: Mapping[str, object] | None = None
) -> Selection:
    """Select the entities and edges that a SPARQL query returns.

    * ``CONSTRUCT`` / ``DESCRIBE``: every returned triple whose predicate is a relation of the
      mirror (``llm:fineTunedFrom``, ``llm:investsIn``, ``llm:hostedOn`` …) becomes an edge;
      the subject of any other triple that is a model, organization or platform becomes a node.
    * ``SELECT`` with three or more columns: each row is ``subject, relation, object`` (the
      first three columns); with two: ``subject, object`` and every mirrored relation between
      them; with one: entities. When the rows name no edge, every drawable relation among
      the entities is drawn. Literal cells
      (labels, dates) and unbound cells are skipped; a row whose relation or object is
      unbound adds its entities without an edge.

    ``llm:derivedFrom`` and ``llm:backs`` are drawn as the specific relations that entail them.

    Args:
        lg: the graph.
        sparql: the query (llmgraph's prefixes are bound).
        bindings: values bound to variables before evaluation (see :func:`llmgraph.query`).

    Raises:
        QueryError: the query does not parse or fails.
        UsageError: an ASK query, or a row whose entity or relation cannot be drawn (the
            row and column are named).

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> sel = select_sparql(lg, "SELECT ?s ?p ?o WHERE { ?s ?p ?o . "
    ...     "VALUES ?p { llm:fineTunedFrom } ?s llm:developedBy llmid:lmsys }")
    >>> sorted({r for _, _, r in sel.edges})
    ['fineTunedFrom']
    """
    result = lg.query(sparql, bindings=dict(bindings or {}))
    mirror = lg.nx
    sel = Selection(description="the result of the SPARQL query")
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        triples = sorted(graph) if graph is not None else []
        for s, p, o in triples:
            if isinstance(s, URIRef) and str(s) in mirror:
                sel.nodes.add(str(s))
            rel = _relation(p)
            if rel is not None and isinstance(s, URIRef) and isinstance(o, URIRef):
                _add_edge(lg, sel, str(s), str(o), rel)
        return sel
    if result.type != "SELECT":
        raise UsageError(
            f"select_sparql needs a SELECT or CONSTRUCT query that returns entities or edges; "
            f"got a {result.type} query"
        )
    columns = [str(v) for v in result.vars or []]
    width = min(len(columns), 3)
    for index, row in enumerate(cast(Iterable[tuple[Node | None, ...]], result), start=1):
        cells = list(row)[:width]
        if width == 3 and all(c is not None for c in cells):
            rel = _relation(cast(Node, cells[1]))
            if rel is None:
                raise UsageError(
                    f"SPARQL row {index}, ?{columns[1]}: {_show(cells[1])} is not a relation "
                    f"llmgraph can draw; expected one of "
                    + ", ".join(f"llm:{r}" for r in sorted(_DRAWABLE))
                )
            subject = _entity(lg, cells[0], index, columns[0])
            obj = _entity(lg, cells[2], index, columns[2])
            _add_edge(lg, sel, subject, obj, rel)
            continue
        ends = [
            _entity(lg, c, index, columns[i])
            for i, c in enumerate(cells)
            if c is not None and not isinstance(c, RDFLiteral) and not (width == 3 and i == 1)
        ]
        sel.nodes.update(ends)
        if width == 2 and len(ends) == 2:
            for rel in sorted(mirror[ends[0]].get(ends[1], {})):
                if rel in _DRAWABLE:
                    sel.edges.add((ends[0], ends[1], rel))
    if width == 1 or not sel.edges:  # entities only: draw what relates them
        sel.edges = _edges_among(lg, sel.nodes, _DRAWABLE)
    return sel


def _relation(term: Node) -> str | None:
    if not isinstance(term, URIRef):
        return None
    try:
        name = relation_name(term)
    except ValueError:
        return None
    return name if term in MIRRORED and name in _DRAWABLE else None


def _add_edge(lg: LineageGraph, sel: Selection, s: str, o: str, rel: str) -> None:
    mirror = lg.nx
    if s not in mirror or o not in mirror:
        return
    sel.nodes.update((s, o))
    have = set(mirror[s].get(o, {}))
    if rel == "derivedFrom" and have & WEIGHT_RELATIONS:
        sel.edges.update((s, o, r) for r in sorted(have & WEIGHT_RELATIONS))
    elif rel == "backs" and have & BACKING_RELATIONS:
        sel.edges.update((s, o, r) for r in sorted(have & BACKING_RELATIONS))
    else:
        sel.edges.add((s, o, rel))


def _entity(lg: LineageGraph, term: Node | None, row: int, column: str) -> str:
    if not isinstance(term, URIRef) or str(term) not in lg.nx:
        raise UsageError(
            f"SPARQL row {row}, ?{column}: {_show(term)} is not a model, organization or "
            "platform of the graph"
        )
    return str(term)


def _show(term: Node | None) -> str:
    return "nothing" if term is None else term.n3()


def _edges_among(
    lg: LineageGraph, nodes: set[str], rels: Iterable[str]
) -> set[tuple[str, str, str]]:
    allowed = set(rels)
    if allowed & WEIGHT_RELATIONS:
        allowed |= WEIGHT_RELATIONS
    sub = lg.nx.subgraph(nodes)
    return {(u, v, k) for u, v, k in sub.edges(keys=True) if k in allowed}


def _beyond(
    lg: LineageGraph,
    frontier: Iterable[str],
    nodes: set[str],
    rels: frozenset[str],
    *,
    up: bool,
) -> dict[str, frozenset[str]]:
    walk = ancestors if up else descendants
    out: dict[str, frozenset[str]] = {}
    for node in frontier:
        more = frozenset(link.id for link in walk(lg, node, relations=rels)) - nodes
        if more:
            out[node] = more
    return out


def _names(lg: LineageGraph, iris: Iterable[str]) -> str:
    return ", ".join(sorted((lg.label(i) for i in iris), key=str.casefold))


# ---------------------------------------------------------------------- colours


_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_COLOUR_HEADER = ["organization", "colour"]
MIN_COLOUR_DISTANCE = 8.0
"""CIEDE2000 distance below which two fills of one figure count as taken by the same colour."""


def load_colours(path: Path | str) -> dict[str, str]:
    """Read an organization colour table: CSV with the header ``organization,colour``.

    Each row is an organization IRI and a ``#rrggbb`` fill; ``#`` lines and blank lines are
    skipped. The bundled table is ``data/colours.csv`` (:data:`ORGANIZATION_COLOURS`).

    Args:
        path: the CSV file.

    Returns:
        IRI → colour (lower-case hex), in file order.

    Raises:
        DataLoadError: the file cannot be read, the header is not ``organization,colour``, or a
            row has the wrong number of fields, an IRI that is not ``http(s)://…``, a colour
            that is not ``#rrggbb``, or an organization listed twice (file and line named).

    >>> table = load_colours(bundled_colours_file())
    >>> table["https://w3id.org/llmgraph/id/meta"]
    '#80b1d3'
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataLoadError(
            f"cannot read colours: not UTF-8 text ({exc.reason})", path=source
        ) from exc
    except OSError as exc:
        raise DataLoadError(f"cannot read colours: {exc.strerror or exc}", path=source) from exc
    table: dict[str, str] = {}
    first: dict[str, int] = {}
    header_seen = False
    with csv_field_limit():
        reader = csv.reader(text.splitlines())
        try:
            for row in reader:
                line = reader.line_num
                if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                    continue  # blank lines and comments
                cells = [c.strip() for c in row]
                if not header_seen:
                    if cells != _COLOUR_HEADER:
                        raise DataLoadError(
                            f"expected the header 'organization,colour', got {','.join(row)!r}",
                            path=source,
                            line=line,
                        )
                    header_seen = True
                    continue
                if len(cells) != 2:
                    raise DataLoadError(
                        f"expected 2 fields (organization,colour), got {len(cells)}: "
                        f"{','.join(row)!r}",
                        path=source,
                        line=line,
                    )
                org, colour = cells
                if not org.startswith(("http://", "https://")) or any(c.isspace() for c in org):
                    raise DataLoadError(
                        f"organization must be an http(s) IRI, got {org!r}", path=source, line=line
                    )
                if not _HEX.fullmatch(colour):
                    raise DataLoadError(
                        f"colour of {org} must be #rrggbb (six hex digits), got {colour!r}",
                        path=source,
                        line=line,
                    )
                if org in table:
                    raise DataLoadError(
                        f"{org} is listed twice (first on line {first[org]})",
                        path=source,
                        line=line,
                    )
                table[org] = colour.lower()
                first[org] = line
        except csv.Error as exc:
            raise DataLoadError(csv_error(exc), path=source, line=reader.line_num) from exc
    if not header_seen:
        raise DataLoadError(
            "empty colour table: expected the header 'organization,colour'", path=source
        )
    return table


def organization_colour(org: str) -> str:
    """Return the preferred fill colour of an organization (by IRI).

    Organizations of the bundled data have curated colours (:data:`ORGANIZATION_COLOURS`);
    any other IRI gets a :data:`PALETTE` colour chosen by a hash of the IRI. A figure draws an
    organization in this colour unless another developer of the same figure holds a colour
    too close to it (see :func:`assign_colours`).

    >>> organization_colour("https://w3id.org/llmgraph/id/meta")
    '#80b1d3'
    >>> organization_colour("https://example.org/lab") in PALETTE
    True
    """
    if org in ORGANIZATION_COLOURS:
        return ORGANIZATION_COLOURS[org]
    digest = hashlib.sha256(org.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def assign_colours(
    organizations: Iterable[str], *, weights: Mapping[str, int] | None = None
) -> dict[str, str]:
    """Give every organization of one figure its own fill colour.

    Organizations are served in order of weight (the number of nodes they fill, heaviest
    first; then by IRI). Each keeps its preferred colour (:func:`organization_colour`) when
    that colour is at least :data:`MIN_COLOUR_DISTANCE` (CIEDE2000) from every colour already
    given; otherwise it gets the free :data:`PALETTE` colour farthest from those given. Past the
    palette's size, further light colours are generated, so no two organizations of a figure
    ever share a fill. Deterministic: the same organizations and weights give the same colours.

    Args:
        organizations: the organizations (IRIs) drawn in one figure.
        weights: how many nodes each fills (missing: 0).

    Returns:
        IRI → colour.

    >>> picked = assign_colours(["https://w3id.org/llmgraph/id/meta", "https://example.org/x"])
    >>> picked["https://w3id.org/llmgraph/id/meta"]
    '#80b1d3'
    >>> len(set(picked.values()))
    2
    """
    weight = weights or {}
    order = sorted(set(organizations), key=lambda o: (-weight.get(o, 0), o))
    given: dict[str, str] = {}
    taken: list[str] = []
    for org in order:
        preferred = organization_colour(org)
        if preferred not in taken and all(
            _delta_e(preferred, c) >= MIN_COLOUR_DISTANCE for c in taken
        ):
            chosen = preferred
        else:
            free = [c for c in PALETTE if c not in taken]
            if not free:
                free = [c for c in _extra_colours(len(taken) + 1) if c not in taken]
            chosen = max(
                free,
                key=lambda c: min((_delta_e(c, t) for t in taken), default=math.inf),
            )
        given[org] = chosen
        taken.append(chosen)
    return given


def _extra_colours(count: int) -> list[str]:
    """Return ``count`` light colours beyond the palette (golden-angle hues), black text safe."""
    found: list[str] = []
    index = 0
    while len(found) < count:
        hue = (index * 0.618033988749895) % 1.0
        light = (0.86, 0.8, 0.9)[index % 3]
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.55)
        colour = "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))
        if colour not in PALETTE and colour not in found:
            found.append(colour)
        index += 1
    return found


def _lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a ``#rrggbb`` sRGB colour."""

    def linear(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e(first: str, second: str) -> float:
    """CIEDE2000 difference of two colours (about 2 is just noticeable, 10 clearly different)."""
    (l1, a1, b1), (l2, a2, b2) = _lab(first), _lab(second)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_bar = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_bar
    s_h = 1 + 0.015 * c_bar * t
    r_c = 2 * math.sqrt(c_bar**7 / (c_bar**7 + 25**7))
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return math.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def _tint(colour: str, amount: float) -> str:
    """Mix ``colour`` with white: 0 keeps it, 1 gives white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _darken(colour: str, factor: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    r2, g2, b2 = colorsys.hls_to_rgb(h, light * factor, s)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r2, g2, b2))


# ---------------------------------------------------------------------- facts for drawing


@dataclass(frozen=True)
class _Facts:
    label: str
    kind: str | None
    released: dt.date | None
    parameters: int | None
    huggingface_id: str | None
    developers: tuple[str, ...]
    licences: tuple[str, ...]
    families: tuple[str, ...]
    sources: tuple[str, ...]
    precision: str = "day"

    @property
    def developer(self) -> str | None:
        return self.developers[0] if self.developers else None


def _facts(lg: LineageGraph, node: str) -> _Facts:
    data = lg.nx.nodes[node]
    ref = URIRef(node)
    kind = data.get("kind")
    if kind is None and (ref, RDF.type, LLM.ModelFamily) in lg.rdf:
        kind = "family"
    rels = {"developedBy", "operatedBy"}
    developers = sorted(v for _, v, k in lg.nx.out_edges(node, keys=True) if k in rels)
    released = data.get("release_date")
    count = data.get("parameter_count")
    return _Facts(
        label=str(data.get("label") or node),
        kind=kind if isinstance(kind, str) else None,
        released=released if isinstance(released, dt.date) else None,
        parameters=int(count) if isinstance(count, int) else None,
        huggingface_id=str(data["huggingface_id"]) if data.get("huggingface_id") else None,
        developers=tuple(developers),
        licences=tuple(sorted(lg.label(str(x)) for x in lg.rdf.objects(ref, LLM.license))),
        families=tuple(sorted(str(f) for f in lg.rdf.objects(ref, LLM.family))),
        sources=tuple(sorted(str(s) for s in lg.rdf.objects(ref, DCTERMS.source))),
        precision=str(data.get("release_date_precision") or "day"),
    )


@dataclass(frozen=True)
class _Round:
    date: dt.date | None
    amount: int | None
    currency: str | None
    round: str | None
    sources: tuple[str, ...]


def _rounds(lg: LineageGraph, s: str, rel: str, o: str) -> list[_Round]:
    """Return the ``rdf:Statement`` nodes that cite ``s rel o``: dates, amounts, rounds, sources."""
    rows = lg.query(
        "SELECT ?st ?date ?amount ?currency ?round ?source WHERE { ?st rdf:subject ?s ; "
        "rdf:predicate ?p ; rdf:object ?o . OPTIONAL { ?st llm:date ?date } "
        "OPTIONAL { ?st llm:amount ?amount } OPTIONAL { ?st llm:currency ?currency } "
        "OPTIONAL { ?st llm:round ?round } OPTIONAL { ?st dcterms:source ?source } }",
        bindings={"s": URIRef(s), "p": URIRef(str(LLM._NS) + rel), "o": URIRef(o)},
    )
    grouped: dict[str, list[tuple[Node | None, ...]]] = {}
    for row in cast(Iterable[tuple[Node | None, ...]], rows):
        grouped.setdefault(str(row[0]), []).append(tuple(row[1:]))
    found = []
    for values in grouped.values():
        first = values[0]
        date = _literal(first[0])
        amount = _literal(first[1])
        found.append(
            _Round(
                date=date if isinstance(date, dt.date) else None,
                amount=amount if isinstance(amount, int) else None,
                currency=str(first[2]) if first[2] is not None else None,
                round=str(first[3]) if first[3] is not None else None,
                sources=tuple(sorted({str(v[4]) for v in values if v[4] is not None})),
            )
        )
    return sorted(found, key=lambda r: (r.date or dt.date.max, r.amount or 0, r.sources))


def _literal(term: Node | None) -> object:
    return term.toPython() if isinstance(term, RDFLiteral) else None


def _money(amount: int, currency: str | None) -> str:
    symbol = _CURRENCY.get(currency or "", "")
    prefix = symbol or (f"{currency} " if currency else "")
    return prefix + _params(amount)


def _params(count: int) -> str:
    """Show a count to three significant figures, as models are named (14.8B, 7.24B, 671B).

    >>> [_params(n) for n in (14_770_000_000, 72_710_000_000, 7_241_732_096, 999_600_000, 82)]
    ['14.8B', '72.7B', '7.24B', '1B', '82']
    """
    units = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"), (1, ""))
    for index, (size, suffix) in enumerate(units):
        if count >= size or size == 1:
            value = count / size
            digits = max(0, 3 - len(str(int(value))))
            text = f"{value:.{digits}f}"
            if float(text) >= 1000 and index > 0:  # 999.6M rounds to 1000M: one unit up
                size, suffix = units[index - 1]
                text = f"{count / size:.2f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return str(count)  # pragma: no cover - the loop always returns


def _period(day: dt.date, unit: Literal["year", "quarter"]) -> str:
    return str(day.year) if unit == "year" else f"{day.year} Q{(day.month - 1) // 3 + 1}"


GAP_PERIODS: Mapping[str, int] = {"quarter": 4, "year": 3}
"""A run of at least this many empty periods becomes one break marker on the time axis."""


def _periods_between(first: dt.date, last: dt.date, unit: Literal["year", "quarter"]) -> list[str]:
    """Every period from the one holding ``first`` to the one holding ``last``, in order."""
    if unit == "year":
        return [str(y) for y in range(first.year, last.year + 1)]
    start, stop = first.year * 4 + (first.month - 1) // 3, last.year * 4 + (last.month - 1) // 3
    return [f"{q // 4} Q{q % 4 + 1}" for q in range(start, stop + 1)]


def _axis(
    periods: list[str], filled: set[str], unit: Literal["year", "quarter"]
) -> list[str | tuple[str, str]]:
    """Return the stops of the axis: periods, and ``(first, last)`` for a run compressed.

    >>> _axis(["2019", "2020", "2021", "2022", "2023"], {"2019", "2023"}, "year")
    ['2019', ('2020', '2022'), '2023']
    >>> _axis(["2019", "2020", "2021"], {"2019", "2021"}, "year")
    ['2019', '2020', '2021']
    """
    stops: list[str | tuple[str, str]] = []
    run: list[str] = []
    for period in [*periods, None]:
        if period is not None and period not in filled:
            run.append(period)
            continue
        if len(run) >= GAP_PERIODS[unit]:
            stops.append((run[0], run[-1]))
        else:
            stops.extend(run)
        run = []
        if period is not None:
            stops.append(period)
    return stops


def _label_size(facts: _Facts, across: bool) -> float:
    """Estimate a node's width (``across``) or height in points, as Graphviz will draw it."""
    lines = _wrap(facts.label)
    if across:
        detail = _text_width("2024-01 · 13.0B", 9)
        return max([_text_width(x, 11) for x in lines] + [detail]) + 2 * 7.2 + 4
    return (len(lines) + 1) * 13.2 + 2 * 2.9 + 4


# ---------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Placeholder:
    """A drawn node that stands for models not drawn one by one."""

    id: str
    kind: Literal["group", "more", "below", "above"]
    anchor: str
    relation: str | None
    members: frozenset[str]


@dataclass
class _Plan:
    visible: set[str]
    placeholders: list[_Placeholder]
    edges: list[tuple[str, str, str]]  # (tail, head, relation) in drawn direction


def _plan(sel: Selection, lg: LineageGraph, collapse: int, max_children: int | None) -> _Plan:
    """Decide what is drawn one by one, collapsed into counted groups, or behind "…" nodes."""
    nodes = sel.nodes
    touching: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for edge in sorted(sel.edges):
        touching[edge[0]].append(edge)
        if edge[1] != edge[0]:
            touching[edge[1]].append(edge)
    children: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for s, o, rel in sel.edges:
        if rel in ALL_LINEAGE and s in nodes and o in nodes and s != o:
            children[o].add(s)
            parents[s].add(o)

    # 1. collapse quantized / adapter leaves of one parent into a counted node
    leaves: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in sorted(nodes):
        edges = touching.get(node, [])
        if node in sel.focus or node in sel.truncated_descendants or len(edges) != 1:
            continue
        s, o, rel = edges[0]
        if s == node and rel in _COLLAPSIBLE:
            leaves[(o, rel)].append(node)
    group_of: dict[str, str] = {}
    groups: dict[str, _Placeholder] = {}
    for (parent, rel), members in sorted(leaves.items()):
        if collapse and len(members) >= collapse:
            pid = f"group:{rel}:{parent}"
            groups[pid] = _Placeholder(pid, "group", parent, rel, frozenset(members))
            for member in members:
                group_of[member] = pid

    # 2. cap the number of children drawn per parent
    pinned = set(sel.focus)
    stack = list(sel.focus)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in pinned:
                pinned.add(parent)
                stack.append(parent)
    cut: dict[str, set[str]] = defaultdict(set)  # child → parents that left it out
    if max_children is not None:
        sizes: dict[str, int] = {}
        for parent in sorted(children):
            kids = [c for c in children[parent] if c not in group_of]
            if len(kids) <= max_children:
                continue
            for kid in kids:
                if kid not in sizes:
                    sizes[kid] = len(_reach(kid, children))
            ordered = sorted(kids, key=lambda k: _importance(k, pinned, sizes, lg))
            for kid in ordered[max_children:]:
                cut[kid].add(parent)

    # 3. hide what is only reachable through cut edges; attribute each to one "…" node
    hidden: dict[str, str] = {}  # node → parent whose "…" node counts it
    changed = True
    while changed:
        changed = False
        for node in sorted(nodes):
            if node in hidden or node in pinned or node in group_of or not parents.get(node):
                continue
            ways = parents[node]
            if all(p in cut.get(node, ()) or p in hidden for p in ways):
                direct = sorted(p for p in ways if p in cut.get(node, ()) and p not in hidden)
                hidden[node] = direct[0] if direct else sorted(ways)[0]
                changed = True
    for node in list(hidden):  # count each behind the "…" node of its nearest drawn ancestor
        anchor, seen = hidden[node], {node}
        while anchor in hidden and anchor not in seen:
            seen.add(anchor)
            anchor = hidden[anchor]
        hidden[node] = anchor
    for pid, group in list(groups.items()):
        if group.anchor in hidden:
            del groups[pid]
            for member in group.members:
                hidden[member] = hidden[group.anchor]
                del group_of[member]
    more_members: dict[str, set[str]] = defaultdict(set)
    for node, parent in hidden.items():
        more_members[parent].add(node)
        more_members[parent].update(sel.truncated_descendants.get(node, frozenset()))
    placeholders = list(groups.values())
    for parent, behind in sorted(more_members.items()):
        placeholders.append(_Placeholder(f"more:{parent}", "more", parent, None, frozenset(behind)))
    visible = nodes - set(hidden) - set(group_of)
    for node, more in sorted(sel.truncated_descendants.items()):
        if node in visible:
            placeholders.append(_Placeholder(f"below:{node}", "below", node, None, more))
    for node, more in sorted(sel.truncated_ancestors.items()):
        if node in visible:
            placeholders.append(_Placeholder(f"above:{node}", "above", node, None, more))

    # 4. the drawn edges: between visible nodes, or redirected to the placeholder of a hidden end
    stand_in = {n: group_of[n] for n in group_of} | {n: f"more:{p}" for n, p in hidden.items()}
    anchor_of = {ph.id: ph.anchor for ph in placeholders}
    drawn: set[tuple[str, str, str]] = set()
    for s, o, rel in sel.edges:
        if s not in nodes or o not in nodes:
            continue
        a, b = stand_in.get(s, s), stand_in.get(o, o)
        if a == b or (a != s and b != o):
            continue
        if (a != s and b == anchor_of.get(a)) or (b != o and a == anchor_of.get(b)):
            continue  # the placeholder's own edge already joins it to its anchor
        tail, head = (b, a) if rel in _DRAWN_REVERSED else (a, b)
        drawn.add((tail, head, rel))
    for ph in placeholders:
        if ph.kind == "above":
            drawn.add((ph.id, ph.anchor, "…"))
        elif ph.kind == "group":
            drawn.add((ph.anchor, ph.id, cast(str, ph.relation)))
        else:
            drawn.add((ph.anchor, ph.id, "…"))
    return _Plan(visible, placeholders, sorted(drawn))


def _reach(node: str, children: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [node]
    while stack:
        for kid in children.get(stack.pop(), ()):
            if kid not in seen:
                seen.add(kid)
                stack.append(kid)
    return seen


def _importance(
    node: str, pinned: set[str], sizes: Mapping[str, int], lg: LineageGraph
) -> tuple[bool, int, dt.date, str, str]:
    data = lg.nx.nodes[node]
    released = data.get("release_date")
    day = released if isinstance(released, dt.date) else dt.date.max
    label = str(data.get("label") or node)
    return (node not in pinned, -sizes.get(node, 0), day, label.casefold(), node)


# ---------------------------------------------------------------------- DOT


def to_dot(
    lg: LineageGraph,
    selection: Selection,
    *,
    rankdir: RankDir = "LR",
    title: str | None = None,
    legend: bool = True,
    timeline: Timeline = "auto",
    clusters: Clusters = "none",
    collapse: int = 3,
    max_children: int | None = 12,
    edge_labels: bool = True,
    layout: Layout = "auto",
    font: str = _FONT,
) -> pydot.Dot:
    """Build the DOT graph for ``selection``; pure and deterministic.

    Args:
        lg: the graph.
        selection: what to draw (see the ``select_*`` functions).
        rankdir: direction of the time axis: ``LR`` (left to right), ``TB``, ``RL``, ``BT``.
        title: a title over the diagram.
        legend: draw the legend (developers, kinds and relations that appear).
        timeline: one rank per release ``year`` or ``quarter`` with the periods drawn as an
            axis, ``none``, or ``auto`` (quarters for spans up to four years, years beyond,
            none when fewer than two models have a release date).
        clusters: box the models of each ``developer`` or model ``family`` (two or more drawn).
        collapse: collapse a parent's quantized or adapter leaves into one counted node when
            there are at least this many (0: never).
        max_children: draw at most this many children of one parent, the rest behind a
            "… +N more" node (``None``: no cap).
        edge_labels: label backing edges with the dates and amounts of their rounds.
        layout: the Graphviz engine (see :data:`Layout`); ``rankdir`` and ``timeline`` apply
            to ``dot`` only.
        font: the font family of every text (a Graphviz/fontconfig name, such as
            ``"Times New Roman"`` to match a paper's body text).

    Returns:
        A :class:`pydot.Dot`; ``to_string()`` gives the DOT text.

    Raises:
        RenderError: the selection is empty.
        UsageError: an option is out of range.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> dot = to_dot(lg, select_lineage(lg, "Alpaca 7B", down=False))
    >>> dot.to_string() == to_dot(lg, select_lineage(lg, "Alpaca 7B", down=False)).to_string()
    True
    """
    options = _Options(
        rankdir,
        title,
        legend,
        timeline,
        clusters,
        collapse,
        max_children,
        edge_labels,
        layout,
        font,
    )
    return _Builder(lg, selection, options).build()[0]


@dataclass(frozen=True)
class _Options:
    """Every drawing option with its default: the one declaration behind :class:`DrawOptions`."""

    rankdir: RankDir = "LR"
    title: str | None = None
    legend: bool = True
    timeline: Timeline = "auto"
    clusters: Clusters = "none"
    collapse: int = 3
    max_children: int | None = 12
    edge_labels: bool = True
    layout: Layout = "auto"
    font: str = _FONT
    legend_columns: int = 6
    width: float | str | None = None
    height: float | str | None = None
    dpi: float | None = None

    def check(self) -> None:
        for name, value, allowed in (
            ("rankdir", self.rankdir, get_args(RankDir)),
            ("timeline", self.timeline, get_args(Timeline)),
            ("clusters", self.clusters, get_args(Clusters)),
            ("layout", self.layout, get_args(Layout)),
        ):
            if value not in allowed:
                raise UsageError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        if self.collapse < 0:
            raise UsageError(f"collapse must be 0 (never) or more, got {self.collapse}")
        if self.max_children is not None and self.max_children < 1:
            raise UsageError(f"max_children must be 1 or more (or None), got {self.max_children}")
        if not self.font.strip() or any(c in self.font for c in '"\\\n'):
            raise UsageError(
                f"font must be a font name such as 'Times New Roman'; got {self.font!r}"
            )
        if self.legend_columns < 1:
            raise UsageError(f"legend_columns must be 1 or more, got {self.legend_columns}")
        if self.dpi is not None and not 10 <= self.dpi <= 2400:
            raise UsageError(f"dpi must be between 10 and 2400, got {self.dpi:g}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None:
                parse_length(value, what=name)


class _Builder:
    def __init__(self, lg: LineageGraph, selection: Selection, options: _Options):
        options.check()
        if not selection.nodes:
            what = f" ({selection.description})" if selection.description else ""
            raise RenderError(f"nothing to draw: the selection is empty{what}")
        missing = sorted(n for n in selection.nodes if n not in lg.nx)
        if missing:
            raise UsageError(f"the selection names entities not in the graph: {missing[:5]}")
        self.lg = lg
        self.sel = selection
        self.opt = options
        self.plan = _plan(selection, lg, options.collapse, options.max_children)
        self.facts = {n: _facts(lg, n) for n in sorted(self.plan.visible)}
        self.member_facts = {
            m: _facts(lg, m)
            for ph in self.plan.placeholders
            for m in sorted(ph.members)
            if m in lg.nx
        }
        self.layout = options.layout
        if self.layout == "auto":
            kinds = {f.kind for f in self.facts.values()}
            self.layout = (
                "neato" if kinds == {"organization"} and not self.plan.placeholders else "dot"
            )
        coloured, weights = self._coloured()
        self.colours = assign_colours(coloured, weights=weights)
        self.used_relations: set[str] = set()
        self.used_developers: set[str] = set()
        self.used_kinds: set[str] = set()
        self.used_neutral = False
        self.ranks: dict[str, list[str]] = {}
        self.texts: dict[str, str] = {}  # placeholder id → what it says

    def _coloured(self) -> tuple[list[str], dict[str, int]]:
        """Return the organizations this figure fills with their colour, and how many nodes each."""
        weights: dict[str, int] = defaultdict(int)
        for node, facts in self.facts.items():
            if facts.kind == "organization":
                if self._develops(node):
                    weights[node] += 1
            elif facts.kind in ("model", None) and facts.developer is not None:
                weights[facts.developer] += 1
        for ph in self.plan.placeholders:
            if ph.kind == "group":
                devs = {
                    self.member_facts[m].developer for m in ph.members if m in self.member_facts
                }
                devs.discard(None)
                if len(devs) == 1:
                    weights[cast(str, next(iter(devs)))] += len(ph.members)
        if self.opt.clusters == "family":
            for facts in self.facts.values():
                owner = self._family_developer(facts.families[0]) if facts.families else None
                if owner is not None and facts.kind == "model":
                    weights.setdefault(owner, 0)
        return sorted(weights), dict(weights)

    def _org_colour(self, org: str) -> str:
        return self.colours.get(org) or organization_colour(org)

    def _develops(self, org: str) -> bool:
        return any(
            k == "developedBy" and self.lg.nx.nodes[u].get("kind") == "model"
            for u, _, k in self.lg.nx.in_edges(org, keys=True)
        )

    # -- entry point

    def build(self) -> tuple[pydot.Dot, _Plan]:
        dot = pydot.Dot("lineage", graph_type="digraph", strict=False)
        opt = self.opt
        settings: list[tuple[str, str]] = [
            ("fontname", _q(opt.font)),
            ("bgcolor", _q("white")),
            ("pad", _q("0.3")),
            ("outputorder", "edgesfirst"),
        ]
        if self.layout == "neato":
            # a hub-and-spoke network: force-directed, labels beside their edges
            settings += [
                ("layout", "neato"),
                ("overlap", "false"),
                ("splines", "true"),
                ("sep", _q("+10")),
            ]
        else:
            settings += [
                ("rankdir", opt.rankdir),
                ("newrank", "true"),
                ("nodesep", _q("0.18")),
                ("ranksep", _q("0.5" if opt.rankdir in ("LR", "RL") else "0.4")),
            ]
        for key, value in settings:
            dot.set(key, value)
        dot.set_node_defaults(
            fontname=_q(opt.font), fontsize="11", style=_q("filled,rounded"), margin=_q("0.1,0.04")
        )
        dot.set_edge_defaults(fontname=_q(opt.font), fontsize="8", arrowsize="0.7")
        if self.layout == "dot":
            self._add_timeline(dot)
        self._add_nodes(dot)
        self._add_placeholders(dot)
        self._add_edges(dot)
        self._add_heading(dot)
        return dot, self.plan

    # -- time axis

    def _unit(self) -> Literal["year", "quarter"] | None:
        if self.opt.timeline == "none":
            return None
        days = sorted(
            f.released for f in self.facts.values() if f.released is not None and f.kind == "model"
        )
        if self.opt.timeline == "year":
            return "year" if days else None
        if self.opt.timeline == "quarter":
            return "quarter" if days else None
        if len(days) < 2:
            return None
        return "quarter" if days[-1].year - days[0].year <= 4 else "year"

    def _add_timeline(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        """Draw the time axis: one rank per period, each as wide as the widest node.

        Every period from the first release drawn to the last gets a rank, empty or not, so
        that equal steps are equal times. A run of at least :data:`GAP_PERIODS` empty periods
        is compressed into one break marker ("≈ 2020 to 2021"), drawn and named, never silent.
        """
        unit = self._unit()
        if unit is None:
            return
        for node, facts in sorted(self.facts.items()):
            if facts.kind == "model" and facts.released is not None:
                self.ranks.setdefault(_period(facts.released, unit), []).append(node)
        days = [f.released for f in self.facts.values() if f.kind == "model" and f.released]
        steps = _axis(_periods_between(min(days), max(days), unit), set(self.ranks), unit)
        across = self.opt.rankdir in ("LR", "RL")
        size = max((_label_size(f, across) for f in self.facts.values()), default=0.0)
        stops: list[str] = []
        for step in steps:
            if isinstance(step, str):
                name = f"time:{step}"
                attrs = {
                    "label": _q(step),
                    "shape": "plaintext",
                    "style": _q(""),
                    "fontsize": "13",
                    "fontcolor": _q("#555555"),
                    "tooltip": _q(f"released in {step}"),
                }
                if size:  # every period column (row) equally wide: equal steps, equal times
                    attrs["width" if across else "height"] = _q(f"{size / 72:.2f}")
                    attrs["fixedsize"] = "false"
            else:
                first, last = step
                span = first if first == last else f"{first} \N{EN DASH} {last}"
                name = f"time:gap:{first}..{last}"
                attrs = {
                    "label": f'<<FONT POINT-SIZE="18">≈</FONT><BR/>{_h(span)}<BR/>'
                    '<FONT POINT-SIZE="9">(axis broken: no model drawn)</FONT>>',
                    "shape": "plaintext",
                    "style": _q(""),
                    "fontsize": "11",
                    "fontcolor": _q("#777777"),
                    "tooltip": _q(
                        f"axis break: no model of this figure was released in {span}; "
                        "these periods are compressed into this marker"
                    ),
                }
            canvas.add_node(_node(name, attrs))
            stops.append(name)
        for a, b in itertools.pairwise(stops):
            broken = ":gap:" in a or ":gap:" in b
            attrs = {"color": _q("#b0b0b0"), "penwidth": "2", "arrowhead": "vee"}
            if broken:
                attrs = {"color": _q("#b0b0b0"), "penwidth": "2", "style": "dashed"}
                attrs["arrowhead"] = "vee" if ":gap:" in a else "none"
            canvas.add_edge(_edge(a, b, attrs))
        for index, name in enumerate(stops):
            rank = pydot.Subgraph(f"rank_{index}")
            rank.set("rank", "same")
            rank.add_node(pydot.Node(_q(name)))
            for node in self.ranks.get(name.removeprefix("time:"), []):
                rank.add_node(pydot.Node(_q(node)))
            canvas.add_subgraph(rank)

    # -- nodes

    def _cluster_key(self, node: str) -> str | None:
        facts = self.facts[node]
        if facts.kind != "model":
            return None
        if self.opt.clusters == "developer":
            return facts.developer
        if self.opt.clusters == "family":
            return facts.families[0] if facts.families else None
        return None

    def _add_nodes(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        members: dict[str, list[str]] = defaultdict(list)
        for node in sorted(self.facts):
            key = self._cluster_key(node)
            if key is not None:
                members[key].append(node)
        boxes = {key: nodes for key, nodes in members.items() if len(nodes) >= 2}
        for index, key in enumerate(sorted(boxes, key=lambda k: (self.lg.label(k).casefold(), k))):
            cluster = pydot.Subgraph(f"cluster_{index}")
            if self.opt.clusters == "developer":
                colour = self._org_colour(key)
            else:
                owner = self._family_developer(key)
                colour = self._org_colour(owner) if owner else NEUTRAL
            for attr, value in (
                ("label", _q(self.lg.label(key))),
                ("style", _q("rounded,filled")),
                ("color", _q(_darken(colour, 0.8))),
                ("fillcolor", _q(_tint(colour, 0.82))),
                ("fontsize", "12"),
                ("fontcolor", _q("#333333")),
                ("labeljust", "l"),
                ("penwidth", "1.2"),
            ):
                cluster.set(attr, value)
            for node in boxes[key]:
                cluster.add_node(self._node(node))
            canvas.add_subgraph(cluster)
        boxed = {n for nodes in boxes.values() for n in nodes}
        for node in sorted(self.facts):
            if node not in boxed:
                canvas.add_node(self._node(node))

    def _family_developer(self, family: str) -> str | None:
        found = sorted(
            v for _, v, k in self.lg.nx.out_edges(family, keys=True) if k == "developedBy"
        )
        return found[0] if found else None

    def _colour(self, node: str, facts: _Facts) -> str:
        if facts.kind == "platform":
            return PLATFORM
        if facts.kind == "organization":
            if self._develops(node):
                return self._org_colour(node)
            self.used_neutral = True
            return NEUTRAL
        if facts.developer is None:
            return NO_DEVELOPER
        self.used_developers.add(facts.developer)
        return self._org_colour(facts.developer)

    def _node(self, node: str) -> pydot.Node:
        facts = self.facts[node]
        self.used_kinds.add(facts.kind or "model")
        focus = node in self.sel.focus
        details = []
        if facts.released is not None:
            details.append(facts.released.strftime("%Y-%m"))
        if facts.parameters:
            details.append(_params(facts.parameters))
        label = _html_label(facts.label, " · ".join(details), bold=focus)
        attrs = {
            "label": label,
            "shape": _SHAPES.get(facts.kind, "box"),
            "fillcolor": _q(self._colour(node, facts)),
            "tooltip": _q(self._tooltip(facts)),
            "color": _q("#222222" if focus else "#555555"),
            "penwidth": "2.4" if focus else "1",
        }
        if facts.kind not in ("model", None):
            attrs["style"] = _q("filled")
        url = _url(facts)
        if url:
            attrs["URL"] = _q(url)
            attrs["target"] = _q("_blank")
        return _node(node, attrs)

    def _tooltip(self, facts: _Facts) -> str:
        lines = [facts.label]
        if facts.kind == "model":
            if facts.developers:
                lines.append("developer: " + _names(self.lg, facts.developers))
            lines.append("released: " + _released(facts))
            lines.append(
                "parameters: "
                + (
                    f"{_params(facts.parameters)} ({facts.parameters:,})"
                    if facts.parameters
                    else "unknown"
                )
            )
            lines.append("licence: " + (", ".join(facts.licences) or "unknown"))
            if facts.huggingface_id:
                lines.append(f"Hugging Face: {facts.huggingface_id}")
        elif facts.kind == "platform" and facts.developers:
            lines.append("operated by " + _names(self.lg, facts.developers))
        source = _preferred_source(facts.sources)
        if source:
            lines.append("source: " + source)
        return "\n".join(lines)

    # -- placeholders

    def _add_placeholders(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        for ph in sorted(self.plan.placeholders, key=lambda p: p.id):
            count = len(ph.members)
            names = sorted(
                (self.member_facts[m].label if m in self.member_facts else m) for m in ph.members
            )
            shown = names[:_TOOLTIP_NAMES]
            if len(names) > len(shown):
                shown.append(f"and {len(names) - len(shown)} more")
            anchor = self.lg.label(ph.anchor)
            attrs: dict[str, str] = {}
            if ph.kind == "group":
                one, many, _ = _COLLAPSIBLE[cast(str, ph.relation)]
                text = f"+{count} {one if count == 1 else many}"
                devs = sorted({self.member_facts[m].developer or "" for m in ph.members} - {""})
                sub = (
                    f"by {self.lg.label(devs[0])}"
                    if len(devs) == 1
                    else (f"by {len(devs)} developers" if devs else "")
                )
                colour = NEUTRAL
                if len(devs) == 1:
                    colour = self._org_colour(devs[0])
                    self.used_developers.add(devs[0])
                head = f"{count} {one if count == 1 else many} of {anchor}"
                attrs = {
                    "label": _html_label(text, sub),
                    "shape": "box3d" if count > 1 else "box",
                    "style": _q("filled"),
                    "fillcolor": _q(colour),
                    "color": _q("#777777"),
                }
                hf = self.facts[ph.anchor].huggingface_id if ph.anchor in self.facts else None
                if hf:
                    kind = "quantized" if ph.relation == "quantizedFrom" else "adapter"
                    attrs["URL"] = _q(f"https://huggingface.co/models?other=base_model:{kind}:{hf}")
                    attrs["target"] = _q("_blank")
            else:
                text = {
                    "more": f"… +{count} more",
                    "below": f"… +{count} more descendant{'s' if count != 1 else ''}",
                    "above": f"… +{count} earlier ancestor{'s' if count != 1 else ''}",
                }[ph.kind]
                head = {
                    "more": f"{count} more built on {anchor} (not drawn: max_children)",
                    "below": f"{count} more descendants of {anchor} beyond the depth limit",
                    "above": f"{count} more ancestors of {anchor} beyond the depth limit",
                }[ph.kind]
                attrs = {
                    "label": _q(text),
                    "shape": "box",
                    "style": _q("dashed,rounded"),
                    "color": _q("#888888"),
                    "fontcolor": _q("#444444"),
                }
            attrs["tooltip"] = _q("\n".join([head + ":", *shown]))
            self.texts[ph.id] = head.split(" (", 1)[0] + ":"
            canvas.add_node(_node(ph.id, attrs))

    # -- edges

    def _add_edges(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        def label(node: str) -> str:
            return self.lg.label(node) if node in self.lg.nx else self.texts.get(node, node)

        for tail, head, rel in self.plan.edges:
            if rel == "…":
                attrs = {"style": "dashed", "color": _q("#999999"), "arrowhead": "none"}
                canvas.add_edge(_edge(tail, head, attrs))
                continue
            self.used_relations.add(rel)
            attrs = {k: _q(v) for k, v in EDGE_STYLES.get(rel, {}).items()}
            subject, obj = (head, tail) if rel in _DRAWN_REVERSED else (tail, head)
            tip = f"{label(subject)} {RELATION_PHRASES[rel]} {label(obj)}"
            if rel in BACKING_RELATIONS | {"hostedOn"} and subject in self.lg.nx:
                rounds = _rounds(self.lg, subject, rel, obj)
                if rounds:
                    tip += "\n" + "\n".join(_round_text(r, rel) for r in rounds)
                    first = next((r.sources[0] for r in rounds if r.sources), None)
                    if first:
                        attrs["URL"] = _q(first)
                        attrs["target"] = _q("_blank")
                    text = _edge_label(rounds) if self.opt.edge_labels else ""
                    if text and rel in BACKING_RELATIONS:
                        attrs["label"] = _q(text)
                        attrs["fontcolor"] = _q(_darken(RELATION_STYLES[rel].colour, 0.9))
            if self._backwards(tail, head):
                attrs["constraint"] = "false"  # data says the child came first: do not fight it
            attrs["tooltip"] = _q(tip)
            attrs["class"] = _q(f"relation-{rel}")  # SVG: <g class="edge relation-…"> for CSS
            canvas.add_edge(_edge(tail, head, attrs))

    def _backwards(self, tail: str, head: str) -> bool:
        a = self.facts[tail].released if tail in self.facts else None
        b = self.facts[head].released if head in self.facts else None
        return a is not None and b is not None and b < a

    # -- legend

    def _add_heading(self, dot: pydot.Dot) -> None:
        sections = self._legend_sections() if self.opt.legend else []
        most = max((len(cells) for _, cells in sections), default=1)
        per_row = max(1, min(self.opt.legend_columns, most))
        width = 1 + 2 * per_row + 1  # header, (sample, text) pairs, and a filler column
        # Graphviz spreads a table's spare width over all its columns, which would pull the
        # legend apart under a long title: a filler column as wide as the difference absorbs it.
        texts = [0.0] * per_row
        heads = 0.0
        for name, cells in sections:
            heads = max(heads, _text_width(name, 10, bold=True))
            for index, (_, text) in enumerate(cells):
                column = index % per_row
                texts[column] = max(texts[column], _text_width(text, 10))
        legend_width = heads + sum(30 + w + 12 for w in texts) if sections else 0.0
        title_width = _text_width(self.opt.title, 20) if self.opt.title else 0.0
        filler = max(1, round(title_width - legend_width))
        rows: list[str] = []
        if self.opt.title:
            rows.append(
                f'<TR><TD COLSPAN="{width}" ALIGN="LEFT"><FONT POINT-SIZE="20">'
                f"{_h(self.opt.title)}</FONT></TD></TR>"
            )
        for name, cells in sections:
            lines = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
            for index, line in enumerate(lines):
                head = ""
                if index == 0:
                    head = (
                        f'<TD ROWSPAN="{len(lines)}" ALIGN="RIGHT" VALIGN="TOP">'
                        f"<B>{_h(name)}</B></TD>"
                    )
                pad = '<TD COLSPAN="2"></TD>' * (per_row - len(line))
                fill = f'<TD WIDTH="{filler}"></TD>' if index == 0 else "<TD></TD>"
                rows.append(f"<TR>{head}{''.join(c for c, _ in line)}{pad}{fill}</TR>")
        if not rows:
            return
        rows.append(f'<TR><TD COLSPAN="{width}" HEIGHT="6"></TD></TR>')
        table = (
            '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1">'
            + "".join(rows)
            + "</TABLE>>"
        )
        dot.set("label", table)
        dot.set("labelloc", "t")
        dot.set("labeljust", "l")
        dot.set("fontsize", "10")

    def _legend_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return the legend's sections: name, then (cells, text) per entry, only what is drawn."""
        sections: list[tuple[str, list[tuple[str, str]]]] = []
        developers = sorted(self.used_developers, key=lambda d: (self.lg.label(d).casefold(), d))
        if developers:
            cells = [
                (_swatch(self._org_colour(d)) + _legend_text(self.lg.label(d)), self.lg.label(d))
                for d in developers
            ]
            sections.append(("Developer", cells))
        relations = sorted(self.used_relations, key=list(EDGE_STYLES).index)
        if relations:
            entries = [(_relation_cell(rel), RELATION_TEXT.get(rel, rel)) for rel in relations]
            sections.append(("Relation", entries))
        nodes: list[tuple[str, str]] = []
        if len(self.used_kinds) > 1:
            for kind in (k for k in _KIND_TEXT if k in self.used_kinds):
                text = _KIND_TEXT[kind]
                nodes.append((f'<TD COLSPAN="2" ALIGN="LEFT">{_h(text)}</TD>', text[:-6]))
        if self.used_neutral:
            text = "organization without models"
            nodes.append((_swatch(NEUTRAL) + _legend_text(text), text))
        if nodes:
            sections.append(("Node", nodes))
        return sections


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimate the width in points of ``text`` in Arial (close enough to size a filler)."""
    narrow, wide = set("iljtfrI.,:;'!|() "), set("mwMWQGOCDHNU@%")
    ems = sum(
        0.28 if c in narrow else 0.8 if c in wide else 0.62 if c.isupper() else 0.54 for c in text
    )
    return ems * size * (1.08 if bold else 1.0)


def _legend_text(text: str) -> str:
    return f'<TD ALIGN="LEFT">{_h(text)}</TD>'


def _swatch(colour: str) -> str:
    return (
        f'<TD BGCOLOR="{colour}" BORDER="1" COLOR="#777777" WIDTH="30" HEIGHT="12" '
        'FIXEDSIZE="TRUE"></TD>'
    )


_GLYPHS = {"normal": "▶", "empty": "▷", "dot": "●", "odiamond": "◇"}


def _relation_cell(rel: str) -> str:
    """Return the legend's sample of a relation's line (pattern, weight, arrowhead) and its text."""
    style = RELATION_STYLES.get(rel, RelationStyle("solid", "thin", "#000000"))
    width = round(WEIGHTS[style.weight])
    colour = style.colour
    if style.pattern == "double":
        line = (
            f'<TD SIDES="TB" BORDER="{width}" COLOR="{colour}" WIDTH="30" '
            f'HEIGHT="{2 * width + 3}" FIXEDSIZE="TRUE"></TD>'
        )
    elif style.pattern == "tapered":
        line = "".join(  # a wedge of bars, each one point lower: the tapered line
            f'<TD WIDTH="4" HEIGHT="{2 * width + 2}" FIXEDSIZE="TRUE"><TABLE BORDER="0" '
            f'CELLSPACING="0" CELLPADDING="0"><TR><TD BGCOLOR="{colour}" WIDTH="4" HEIGHT="{h}" '
            'FIXEDSIZE="TRUE"></TD></TR></TABLE></TD>'
            for h in range(2 * width + 2, 0, -1)
        )
    else:
        pattern = {"dashed": ' STYLE="dashed"', "dotted": ' STYLE="dotted"'}.get(style.pattern, "")
        line = (
            f'<TD SIDES="B" BORDER="{width}" COLOR="{colour}"{pattern} WIDTH="30" HEIGHT="8" '
            'FIXEDSIZE="TRUE"></TD>'
        )
    glyph = _GLYPHS.get(style.arrowhead)
    if glyph:
        line += f'<TD><FONT COLOR="{colour}" POINT-SIZE="9">{glyph}</FONT></TD>'
    sample = (
        '<TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
        f"{line}</TR></TABLE></TD>"
    )
    return sample + _legend_text(RELATION_TEXT.get(rel, rel))


def _round_text(r: _Round, rel: str) -> str:
    parts = [r.date.isoformat() if r.date else "date n/a"]
    if r.amount is not None:
        parts.append(_money(r.amount, r.currency))
    elif rel == "investsIn":
        parts.append("amount undisclosed")
    if r.round:
        parts.append(r.round)
    parts.append("source: " + r.sources[0] if r.sources else "no source")
    return " · ".join(parts)


def _edge_label(rounds: list[_Round]) -> str:
    lines = []
    for r in rounds:
        bits = []
        if r.date:
            bits.append(r.date.strftime("%Y-%m"))
        if r.amount is not None:
            bits.append(_money(r.amount, r.currency))
        if bits:
            lines.append(" ".join(bits))
    if len(lines) > 3:
        lines = [*lines[:2], f"+{len(lines) - 2} more rounds"]
    return "\n".join(lines)


def _url(facts: _Facts) -> str | None:
    if facts.huggingface_id:
        return f"https://huggingface.co/{facts.huggingface_id}"
    return _preferred_source(facts.sources)


def _preferred_source(sources: Iterable[str]) -> str | None:
    """Pick the source to link: a Hugging Face page, then a paper, then the first URL."""
    found = list(sources)
    if not found:
        return None
    return sorted(found, key=lambda s: ("huggingface.co" not in s, "arxiv.org" not in s, s))[0]


def _html_label(name: str, detail: str, *, bold: bool = False) -> str:
    lines = _wrap(name)
    text = "<BR/>".join(_h(line) for line in lines)
    if bold:
        text = f"<B>{text}</B>"
    if detail:
        text += f'<BR/><FONT POINT-SIZE="9" COLOR="#333333">{_h(detail)}</FONT>'
    return f"<{text}>"


def _wrap(name: str, width: int = 24) -> list[str]:
    """Split a long name into balanced lines (no line much longer than ``width``)."""
    if len(name) <= width:
        return [name]
    count = -(-len(name) // width)
    for target in range(-(-len(name) // count), len(name) + 1):
        lines = textwrap.wrap(name, target, break_long_words=False, break_on_hyphens=False)
        if len(lines) <= count:
            return lines
    return [name]


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(name: str, attrs: Mapping[str, str]) -> pydot.Node:
    node = pydot.Node(_q(name))
    for key, value in attrs.items():
        node.set(key, value)
    return node


def _edge(tail: str, head: str, attrs: Mapping[str, str]) -> pydot.Edge:
    edge = pydot.Edge(_q(tail), _q(head))
    for key, value in attrs.items():
        edge.set(key, value)
    return edge


# ---------------------------------------------------------------------- Graphviz

_INSTALL = (
    "install Graphviz (apt-get install graphviz, dnf install graphviz, brew install graphviz, "
    "conda install graphviz, or https://graphviz.org/download/) or write DOT with format='dot'"
)


def run_graphviz(
    dot_source: str, fmt: Format, *, program: str = "dot", dpi: float | None = None
) -> bytes:
    """Run Graphviz on DOT text and return the output file's bytes.

    Args:
        dot_source: the DOT text.
        fmt: ``svg``, ``png``, ``pdf``, or ``dot`` (returns the text itself, no Graphviz).
        program: the Graphviz layout program.
        dpi: the resolution of bitmap output (Graphviz's ``-Gdpi``; PNG is 96 without it).

    Raises:
        RenderError: the program is not installed, or it failed (its stderr is included).
        UsageError: an unknown format.

    >>> run_graphviz("digraph { a -> b }", "svg").startswith(b"<?xml")
    True
    """
    if fmt not in get_args(Format):
        raise UsageError(f"image format must be one of {', '.join(get_args(Format))}; got {fmt!r}")
    if fmt == "dot":
        return dot_source.encode("utf-8")
    exe = shutil.which(program)
    if exe is None:
        raise RenderError(f"Graphviz program {program!r} not found on PATH; {_INSTALL}")
    try:
        proc = subprocess.run(
            [exe, f"-T{fmt}", *([f"-Gdpi={dpi:g}"] if dpi else [])],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise RenderError(f"could not run Graphviz program {exe}: {exc}; {_INSTALL}") from exc
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip() or "(no stderr)"
        raise RenderError(
            f"{program} -T{fmt} failed (exit {proc.returncode}): {stderr}\n"
            f"(if Graphviz itself is broken, re-install it: {_INSTALL})"
        )
    return proc.stdout


MIN_TEXT_PT = 6.0
"""The smallest text, in points, that a figure scaled with ``width`` / ``height`` may have."""

_UNITS = {"in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pt": 1.0}
_LENGTH = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(in|cm|mm|pt)?\s*")


def parse_length(value: float | str, *, what: str = "length") -> float:
    """Return a length in points: a number with ``in``, ``cm``, ``mm`` or ``pt``, or inches.

    Raises:
        UsageError: not a positive length (``what`` names the option in the message).

    >>> parse_length("3.5in"), round(parse_length("8.89cm"), 3), parse_length(2)
    (252.0, 252.0, 144.0)
    """
    if isinstance(value, bool):
        found = None
    elif isinstance(value, (int, float)):
        found = (float(value), 72.0)
    else:
        match = _LENGTH.fullmatch(value)
        found = (float(match[1]), _UNITS[match[2] or "in"]) if match else None
    if found is None or not found[0] > 0 or found[0] * found[1] > 72 * 200:
        raise UsageError(
            f"{what} must be a length such as 3.5in, 8.9cm, 89mm or 252pt (up to 200in); "
            f"got {value!r}"
        )
    return found[0] * found[1]


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')


def _fit(lg: LineageGraph, selection: Selection, opts: _Options) -> tuple[pydot.Dot, _Plan]:
    """Build the figure scaled to the requested width and/or height, its text at least 6 pt.

    Lays the figure out to learn its natural size and its smallest text; when that text would
    come out too small, tries a narrower legend (3, then 2 entries a row) and, when the
    timeline is ``auto``, one rank per year instead of per quarter, before giving up.
    The figure that fits gets Graphviz's ``size`` (with ``!``, so a small one is scaled up).

    Raises:
        RenderError: no layout keeps the smallest text at :data:`MIN_TEXT_PT` at the requested
            size; the message gives the size at which it would fit.
    """
    want_w = parse_length(opts.width, what="width") if opts.width is not None else None
    want_h = parse_length(opts.height, what="height") if opts.height is not None else None
    tries = [opts] + [
        replace(opts, legend_columns=n) for n in (3, 2) if n < opts.legend_columns and opts.legend
    ]
    if opts.timeline == "auto":  # coarser periods: fewer, taller columns, the axis still true
        tries.append(replace(tries[-1], timeline="year"))
    results: list[tuple[float, float]] = []  # (scale, smallest text) of each layout tried
    for attempt in tries:
        dot, plan = _Builder(lg, selection, attempt).build()
        svg = run_graphviz(dot.to_string(), "svg").decode("utf-8")
        size = _SVG_SIZE.search(svg)
        fonts = [float(f) for f in _FONT_SIZE.findall(svg)]
        if size is None or not fonts:  # pragma: no cover - Graphviz always writes both
            raise RenderError("cannot read the laid-out size of the figure from Graphviz's SVG")
        natural_w, natural_h = float(size[1]), float(size[2])
        smallest = min(fonts)
        scale = min(w / n for w, n in ((want_w, natural_w), (want_h, natural_h)) if w is not None)
        if scale * smallest >= MIN_TEXT_PT:
            box_w = want_w if want_w is not None else 1e5
            box_h = want_h if want_h is not None else 1e5
            dot.set("size", _q(f"{box_w / 72:.4f},{box_h / 72:.4f}!"))
            return dot, plan
        results.append((scale, smallest))
    scale, smallest = max(results)
    need = MIN_TEXT_PT / (smallest * scale)
    shown = _show_size(
        want_w * need if want_w is not None else None, want_h * need if want_h is not None else None
    )
    hint = " or --rankdir TB" if want_w is not None and opts.rankdir in ("LR", "RL") else ""
    raise RenderError(
        f"the figure does not fit {_show_size(want_w, want_h)} with readable text: its "
        f"{smallest:g} pt text would be {scale * smallest:.1f} pt (under {MIN_TEXT_PT:g} pt); "
        f"it needs {shown}; draw less (--depth, --max-children, --collapse){hint}, "
        "or ask for a larger size"
    )


def _show_size(width: float | None, height: float | None) -> str:
    parts = []
    if width is not None:
        parts.append(f"{width / 72:.3g}in ({width / (72 / 2.54):.3g}cm) wide")
    if height is not None:
        parts.append(f"{height / 72:.3g}in ({height / (72 / 2.54):.3g}cm) high")
    return " and ".join(parts)


class DrawOptions(TypedDict, total=False):
    """The drawing options of :func:`diagram` and :func:`render`.

    Those of :func:`to_dot` (``rankdir`` … ``font``); ``legend_columns``, the most legend
    entries in one row (6); and for the finished figure:
    ``width`` / ``height``, the size to scale it to (a length such as ``"3.5in"``, ``"8.9cm"``,
    ``"89mm"``, ``"252pt"``, or a number of inches; see :func:`parse_length`), refused when its
    smallest text would come out under :data:`MIN_TEXT_PT`; and ``dpi``, the resolution of PNG
    output (96 by default).
    """

    rankdir: RankDir
    title: str | None
    legend: bool
    timeline: Timeline
    clusters: Clusters
    collapse: int
    max_children: int | None
    edge_labels: bool
    layout: Layout
    font: str
    legend_columns: int
    width: float | str | None
    height: float | str | None
    dpi: float | None


class Diagram:
    """A built diagram: its DOT, what each placeholder stands for, and its renderings.

    Displays inline in Jupyter (``_repr_svg_``). Build one with :func:`diagram`.

    Attributes:
        dot: the :class:`pydot.Dot`.
        source: the DOT text (deterministic).
        drawn: IRIs of the entities drawn one by one.
        placeholders: id of each collapsed or "…" node → the IRIs it stands for.
    """

    def __init__(
        self,
        dot: pydot.Dot,
        drawn: Iterable[str],
        placeholders: Mapping[str, frozenset[str]],
        *,
        dpi: float | None = None,
    ):
        self.dot = dot
        self.dpi = dpi
        self.source: str = dot.to_string()
        self.drawn: frozenset[str] = frozenset(drawn)
        self.placeholders: dict[str, frozenset[str]] = dict(placeholders)
        self._svg: bytes | None = None

    def __repr__(self) -> str:
        return f"<Diagram: {len(self.drawn)} entities drawn, {len(self.placeholders)} placeholders>"

    def pipe(self, fmt: Format = "svg") -> bytes:
        """Return the diagram as ``svg``, ``png``, ``pdf`` or ``dot`` bytes.

        Raises:
            RenderError: Graphviz is missing or failed.
        """
        if fmt == "svg":
            if self._svg is None:
                self._svg = run_graphviz(self.source, "svg")
            return self._svg
        return run_graphviz(self.source, fmt, dpi=self.dpi if fmt == "png" else None)

    def save(self, path: Path | str, *, fmt: Format | None = None) -> Path:
        """Write the diagram to ``path``, in ``fmt`` or the format its suffix names.

        Nothing is written when Graphviz fails.

        Raises:
            UsageError: no ``fmt`` and the suffix is not .svg, .png, .pdf or .dot.
            RenderError: Graphviz is missing or failed, or the file cannot be written.
        """
        target = Path(path)
        chosen = fmt or target.suffix.lstrip(".").lower()
        if chosen not in get_args(Format):
            raise UsageError(f"cannot tell the image format from {target}; pass fmt=")
        data = self.pipe(cast(Format, chosen))
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return target

    def _repr_svg_(self) -> str:
        return self.pipe("svg").decode("utf-8")


def _released(facts: _Facts) -> str:
    """Return the release date as a tooltip shows it, with how exact it is."""
    if facts.released is None:
        return "unknown"
    if facts.precision == "month":
        return f"{facts.released:%Y-%m} (day not published)"
    if facts.precision == "public-by":
        return f"public by {facts.released.isoformat()} (first dated mention)"
    return facts.released.isoformat()


def diagram(lg: LineageGraph, selection: Selection, **options: Unpack[DrawOptions]) -> Diagram:
    """Build a :class:`Diagram` of ``selection`` (options as for :func:`to_dot`).

    Raises:
        RenderError: the selection is empty.
        UsageError: an option is out of range.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> d = diagram(lg, select_family(lg, "Llama 3.2"), collapse=2)
    >>> sorted(k for k in d.placeholders if k.startswith("group:quantizedFrom"))
    ... # doctest: +NORMALIZE_WHITESPACE
    ['group:quantizedFrom:https://w3id.org/llmgraph/id/llama-3-2-1b-instruct',
     'group:quantizedFrom:https://w3id.org/llmgraph/id/llama-3-2-3b-instruct']
    >>> d._repr_svg_().startswith("<?xml")
    True
    """
    opts = _Options(**options)
    if opts.width is not None or opts.height is not None:
        dot, plan = _fit(lg, selection, opts)
    else:
        dot, plan = _Builder(lg, selection, opts).build()
    return Diagram(dot, plan.visible, {p.id: p.members for p in plan.placeholders}, dpi=opts.dpi)


def render(
    lg: LineageGraph,
    selection: Selection,
    *,
    fmt: Format = "svg",
    out: Path | str | None = None,
    **options: Unpack[DrawOptions],
) -> bytes:
    """Draw ``selection`` as DOT, SVG, PNG or PDF; write it to ``out`` if given.

    Args:
        lg: the graph.
        selection: what to draw.
        fmt: the output format.
        out: a file to write.
        options: drawing options, as for :func:`to_dot`.

    Returns:
        The rendered bytes.

    Raises:
        RenderError: empty selection, Graphviz missing or failing. Nothing is written then.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> b"Vicuna 13B v1.5" in render(lg, select_lineage(lg, "Vicuna 13B v1.5"))
    True
    """
    made = diagram(lg, selection, **options)
    data = made.pipe(fmt)
    if out is not None:
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise RenderError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return data
