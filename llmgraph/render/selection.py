"""Stage 1, selection: which entities and relations a diagram is about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.term import Node

from llmgraph.errors import UsageError
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
from llmgraph.render.styles import (
    DRAWABLE,
)
from llmgraph.vocab import MIRRORED, relation_name

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph


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
    sel.description = f"family of {lg.label(named)} (roots: {names_text(lg, roots)})"
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
    sel.description = f"backing network of {names_text(lg, focus)}"
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
                    + ", ".join(f"llm:{r}" for r in sorted(DRAWABLE))
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
                if rel in DRAWABLE:
                    sel.edges.add((ends[0], ends[1], rel))
    if width == 1 or not sel.edges:  # entities only: draw what relates them
        sel.edges = _edges_among(lg, sel.nodes, DRAWABLE)
    return sel


def _relation(term: Node) -> str | None:
    if not isinstance(term, URIRef):
        return None
    try:
        name = relation_name(term)
    except ValueError:
        return None
    return name if term in MIRRORED and name in DRAWABLE else None


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


def names_text(lg: LineageGraph, iris: Iterable[str]) -> str:
    """Return the labels of ``iris``, sorted case-insensitively and joined by commas."""
    return ", ".join(sorted((lg.label(i) for i in iris), key=str.casefold))
