"""A reference projection of an rdflib graph into networkx, written independently of the engine.

The tests compare ``LineageGraph.nx`` (derived from the traversal engine) with this plain
rdflib-to-networkx projection: two implementations of the same rules must agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import networkx as nx
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from llmgraph.vocab import BACKING, LLM, MIRRORED, ORGANIZATION_KINDS, WEIGHT_LINEAGE, relation_name

__all__ = ["node_attributes", "project", "sync_nodes", "sync_pairs"]

_KINDS: dict[URIRef, str] = {
    LLM.Model: "model",
    LLM.ModelFamily: "family",
    LLM.Organization: "organization",
    LLM.Platform: "platform",
    **{k: "organization" for k in ORGANIZATION_KINDS},
    LLM.License: "licence",
}
_SUPER: dict[URIRef, tuple[URIRef, ...]] = {
    LLM.derivedFrom: WEIGHT_LINEAGE,
    LLM.backs: BACKING,
}


def project(graph: Graph) -> nx.MultiDiGraph[str]:
    """Return the networkx projection of ``graph``.

    Args:
        graph: an RDF graph using the ``llm:`` vocabulary, with ``llm:derivedFrom`` and
            ``llm:backs`` materialized.

    Returns:
        A new multigraph: nodes are the models, organizations and platforms, and every IRI at
        an end of a mirrored relation; edges are keyed by relation name.

    >>> from llmgraph.store import parse_text
    >>> g = parse_text('''@prefix llm: <https://w3id.org/llmgraph#> .
    ...   <http://e/b> a llm:Model . <http://e/a> llm:fineTunedFrom <http://e/b> .''')
    >>> sorted(project(g).edges(keys=True))
    [('http://e/a', 'http://e/b', 'fineTunedFrom')]
    """
    mirror: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    nodes: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for cls in (LLM.Model, LLM.ModelFamily, LLM.Organization, LLM.Platform, *ORGANIZATION_KINDS):
        nodes.update(str(s) for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))
    for p in MIRRORED:
        for subj, obj in graph.subject_objects(p):
            if isinstance(subj, URIRef) and isinstance(obj, URIRef):
                pairs.add((str(subj), str(obj)))
    for a, b in pairs:
        nodes.update((a, b))
    sync_nodes(mirror, graph, nodes)
    sync_pairs(mirror, graph, pairs)
    return mirror


def node_attributes(graph: Graph, node: URIRef) -> dict[str, object]:
    """Return the mirror's attributes of ``node``, read from ``graph``.

    >>> from llmgraph.store import parse_text
    >>> g = parse_text('''@prefix llm: <https://w3id.org/llmgraph#> .
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...   <http://e/a> a llm:Model ; rdfs:label "A" ; llm:parameterCount 7 .''')
    >>> node_attributes(g, URIRef("http://e/a"))["parameter_count"]
    7

    ``release_date_precision`` is ``"day"``, ``"month"`` or ``"public-by"`` for a dated model
    (see ``llm:releaseDatePrecision``), ``None`` without a date.
    """
    types = set(graph.objects(node, RDF.type))
    order = ("model", "family", "organization", "platform", "licence")
    kinds = {name for cls, name in _KINDS.items() if cls in types}
    kind = next((name for name in order if name in kinds), None)
    released = _first_date(graph.objects(node, LLM.releaseDate))
    precision = _first_text(graph.objects(node, LLM.releaseDatePrecision)) or "day"
    return {
        "label": _first_text(graph.objects(node, RDFS.label)) or _fallback_label(node),
        "kind": kind,
        "release_date": released,
        "release_date_precision": precision if released is not None else None,
        "parameter_count": _first_int(graph.objects(node, LLM.parameterCount)),
        "huggingface_id": _first_text(graph.objects(node, LLM.huggingFaceId)),
        **_named(graph, "developer", graph.objects(node, LLM.developedBy)),
        **_named(graph, "licence", graph.objects(node, LLM.license)),
        **_named(graph, "family", graph.objects(node, LLM.family)),
    }


def _named(graph: Graph, key: str, values: Iterable[Node]) -> dict[str, str | None]:
    """``{key: label, key_id: IRI}`` of the first entity among ``values`` by label, then IRI."""
    entities = [v for v in values if isinstance(v, URIRef)]
    if not entities:
        return {key: None, f"{key}_id": None}

    def shown(entity: URIRef) -> str:
        return _first_text(graph.objects(entity, RDFS.label)) or _fallback_label(entity)

    first = min(entities, key=lambda e: (shown(e).casefold(), str(e)))
    return {key: shown(first), f"{key}_id": str(first)}


def sync_nodes(mirror: nx.MultiDiGraph[str], graph: Graph, nodes: Iterable[str]) -> None:
    """Make the attributes of ``nodes`` in ``mirror`` equal to what ``graph`` says.

    A node that is neither typed as a model, organization or platform nor at an end of a
    mirrored edge is removed from the mirror.
    """
    for name in nodes:
        iri = URIRef(name)
        attrs = node_attributes(graph, iri)
        keep = attrs["kind"] is not None or (mirror.has_node(name) and (mirror.degree(name) > 0))
        if keep:
            if mirror.has_node(name):
                mirror.nodes[name].clear()
                mirror.nodes[name].update(attrs)
            else:
                mirror.add_node(name, **attrs)
        elif mirror.has_node(name):
            mirror.remove_node(name)


def sync_pairs(
    mirror: nx.MultiDiGraph[str], graph: Graph, pairs: Iterable[tuple[str, str]]
) -> set[str]:
    """Make the edges between each ``(subject, object)`` pair equal to what ``graph`` says.

    Returns:
        The nodes whose degree changed (callers pass them to :func:`sync_nodes`).
    """
    touched: set[str] = set()
    for s, o in pairs:
        want = _relations_between(graph, URIRef(s), URIRef(o))
        have: set[str] = set()
        if mirror.has_node(s) and mirror.has_node(o):
            have = set(mirror[s].get(o, {}))
        for key in have - want:
            mirror.remove_edge(s, o, key=key)
            touched.update((s, o))
        for key in sorted(want - have):
            for end in (s, o):
                if not mirror.has_node(end):
                    mirror.add_node(end, **node_attributes(graph, URIRef(end)))
            mirror.add_edge(s, o, key=key, relation=key)
            touched.update((s, o))
    return touched


def _relations_between(graph: Graph, s: URIRef, o: URIRef) -> set[str]:
    present = {p for p in graph.predicates(s, o) if p in MIRRORED}
    for sup, subs in _SUPER.items():
        if sup in present and any(sub in present for sub in subs):
            present.discard(sup)
    return {relation_name(p) for p in present if isinstance(p, URIRef)}


def _fallback_label(node: URIRef) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text.rstrip(sep):
            return text.rstrip(sep).rsplit(sep, 1)[1]
    return text


def _first_text(values: Iterable[Node]) -> str | None:
    texts = sorted(str(v) for v in values if isinstance(v, Literal))
    return texts[0] if texts else None


def _first_date(values: Iterable[Node]) -> dt.date | None:
    dates = sorted(
        v.toPython() for v in values if isinstance(v, Literal) and isinstance(v.toPython(), dt.date)
    )
    return dates[0] if dates else None


def _first_int(values: Iterable[Node]) -> int | None:
    ints = sorted(
        int(v.toPython())
        for v in values
        if isinstance(v, Literal)
        and isinstance(v.toPython(), int)
        and not isinstance(v.toPython(), bool)
    )
    return ints[0] if ints else None


def reference_walk(
    mirror: nx.MultiDiGraph[str],
    starts: list[str],
    direction: str,
    allowed: frozenset[str],
    depth: int | None,
) -> list[tuple[str, str, tuple[str, ...], int, str, tuple[str, ...]]]:
    """Breadth-first walk over a networkx projection, as llmgraph 0.1 walked its mirror.

    Returns ``(id, relation, relations, depth, via, path)`` per entity reached, sorted by depth,
    label (case-folded) and IRI: the answer the traversal engine must reproduce.
    """
    from collections import deque

    def label(node: str) -> str:
        return str(mirror.nodes[node].get("label") or node)

    best: dict[str, tuple[str, str, tuple[str, ...], int, str, tuple[str, ...]]] = {}
    for root in starts:
        if root not in mirror:
            continue
        seen = {root}
        queue: deque[tuple[str, tuple[str, ...]]] = deque([(root, (root,))])
        while queue:
            node, trail = queue.popleft()
            if depth is not None and len(trail) - 1 >= depth:
                continue
            steps = (
                mirror.out_edges(node, keys=True)
                if direction == "out"
                else mirror.in_edges(node, keys=True)
            )
            nexts: dict[str, set[str]] = {}
            for u, v, key in steps:
                if key in allowed:
                    nexts.setdefault(v if direction == "out" else u, set()).add(key)
            for other in sorted(nexts, key=lambda n: (label(n).casefold(), n)):
                if other in seen:
                    continue
                seen.add(other)
                rels = tuple(sorted(nexts[other]))
                row = (other, rels[0], rels, len(trail), node, (*trail, other))
                queue.append((other, row[5]))
                old = best.get(other)
                if old is None or row[3] < old[3]:
                    best[other] = row
    return sorted(best.values(), key=lambda r: (r[3], label(r[0]).casefold(), r[0]))
