"""Shortest lineage paths over the index, chosen exactly as the in-memory graph chooses them.

The index finds the nodes that lie on some shortest path (distance from the source plus
distance to the target equals the shortest distance); :func:`llmgraph.lineage.path` then runs
on that small subgraph, so ties are broken by labels just as in
:class:`~llmgraph.LineageGraph`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np
from rdflib import URIRef

from llmgraph.errors import NoPathError
from llmgraph.lineage import Step, path
from llmgraph.stores.index import RELATIONS, LineageIndex

if TYPE_CHECKING:
    from llmgraph.stores.oxigraph import StoredGraph

__all__ = ["shortest_path"]


class _Subgraph:
    """Just enough of a LineageGraph for :func:`llmgraph.lineage.path`."""

    def __init__(self, owner: StoredGraph, mirror: nx.MultiDiGraph[str]):
        self._owner = owner
        self.nx = mirror

    def resolve(self, name: str | URIRef, *, kind: str = "entity") -> URIRef:
        return URIRef(str(name))

    def label(self, entity: str | URIRef) -> str:
        return self._owner.label(entity)


def _distances(
    idx: LineageIndex,
    start: int,
    goal: int,
    directions: tuple[Literal["in", "out"], ...],
    mask: Any,
) -> Any:
    dist = np.full(len(idx), -1, dtype=np.int64)
    dist[start] = 0
    frontier = np.array([start], dtype=np.int64)
    level = 0
    while frontier.size and dist[goal] < 0:
        level += 1
        found = [idx._expand(frontier, d, mask)[1] for d in directions]
        nb = np.unique(np.concatenate(found))
        nb = nb[dist[nb] < 0]
        dist[nb] = level
        frontier = nb
    return dist


def shortest_path(
    sg: StoredGraph,
    source: str | URIRef,
    target: str | URIRef,
    *,
    allowed: frozenset[str],
    directed: bool,
) -> list[Step]:
    """Return the path :func:`llmgraph.lineage.path` would return, using the index.

    Raises:
        UnknownEntityError: a name matches nothing.
        NoPathError: the two are not connected through ``allowed`` relations.
    """
    a = str(sg.resolve(source, kind="model"))
    b = str(sg.resolve(target, kind="model"))
    idx = sg.index
    if a == b:
        return []
    if not (idx.has(a) and idx.has(b)):
        raise NoPathError(f"no lineage path from {sg.label(a)!r} to {sg.label(b)!r}")
    mask = np.array([r in allowed for r in RELATIONS])
    na, nb = idx.node(a), idx.node(b)
    forward: tuple[Literal["in", "out"], ...] = ("out",) if directed else ("out", "in")
    backward: tuple[Literal["in", "out"], ...] = ("in",) if directed else ("out", "in")
    da = _distances(idx, na, nb, forward, mask)
    if da[nb] < 0:
        raise NoPathError(
            f"no lineage path from {sg.label(a)!r} to {sg.label(b)!r}"
            + (" along child → parent edges" if directed else "")
        )
    db = _distances(idx, nb, na, backward, mask)
    total = da[nb]
    on_path = np.flatnonzero((da >= 0) & (db >= 0) & (da + db == total))
    inside = set(on_path.tolist())
    mirror: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node in inside:
        mirror.add_node(idx.iri(node), label=idx.label(node))
    for node in inside:
        _, parents, codes = idx._expand(np.array([node]), "out", mask)
        for parent, code in zip(parents.tolist(), codes.tolist(), strict=True):
            if parent in inside:
                name = RELATIONS[code]
                mirror.add_edge(idx.iri(node), idx.iri(parent), key=name, relation=name)
    return path(_Subgraph(sg, mirror), a, b, relations=allowed, directed=directed)  # type: ignore[arg-type]
