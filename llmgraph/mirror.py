"""The networkx view of a graph, derived from the traversal engine (``LineageGraph.nx``).

A :class:`networkx.MultiDiGraph` for algorithms and tools that want networkx: nodes are IRI
strings, edges run from a triple's subject to its object keyed by the relation's local name
(see :mod:`llmgraph.engine` for the direction and for which super-relations are hidden). The
nodes are the models, families, organizations and platforms, and every other IRI at an end of
an edge. Literals are node attributes, never nodes:

``label`` (str), ``kind`` (``"model"``, ``"family"``, ``"organization"``, ``"platform"`` or
``None``), ``release_date`` (:class:`datetime.date` or ``None``), ``release_date_precision``
(``"day"``, ``"month"``, ``"public-by"``, ``None`` without a date), ``parameter_count`` (int or
``None``), ``huggingface_id`` (str or ``None``), and the labels and IRIs of what a researcher
filters on: ``developer`` / ``developer_id`` (the first developer by label), ``licence`` /
``licence_id`` and ``family`` / ``family_id`` (each ``None`` where the graph has none).

The view is rebuilt from the engine after every write; it is a projection, not a second copy
that could drift. At Hub scale prefer the engine's arrays (``lg.engine``): a networkx graph of
a million nodes costs gigabytes.

>>> from llmgraph.engine import LineageIndex, MODEL
>>> idx = LineageIndex.build(classes={"http://e/a": MODEL, "http://e/b": MODEL},
...     edges=[("http://e/b", "fineTunedFrom", "http://e/a")])
>>> sorted(to_networkx(idx).edges(keys=True))
[('http://e/b', 'http://e/a', 'fineTunedFrom')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from llmgraph.terms import FAMILY, MODEL, ORGANIZATION, PLATFORM, RELATIONS, kind_of_bits

if TYPE_CHECKING:
    import networkx as nx

    from llmgraph.engine import LineageIndex

__all__ = ["to_networkx"]

_DRAWN = MODEL | FAMILY | ORGANIZATION | PLATFORM


def to_networkx(engine: LineageIndex) -> nx.MultiDiGraph[str]:
    """Return the networkx view of ``engine`` (see the module docstring)."""
    import networkx as nx

    a = engine.arrays
    n = len(engine)
    ptr = np.asarray(a["out_ptr"])
    dst = np.asarray(a["out_dst"], dtype=np.int64)
    rel = np.asarray(a["out_rel"], dtype=np.int64)
    classes = np.asarray(a["classes"])
    keep = (classes & _DRAWN) > 0
    keep[np.flatnonzero(np.diff(ptr) > 0)] = True
    keep[dst] = True
    nodes = np.flatnonzero(keep)
    iris = engine.iris(nodes)
    labels = engine.labels(nodes)
    hub = engine.hub_ids(nodes)
    mirror: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    iri_of: dict[int, str] = {}

    def named(other: int) -> tuple[str | None, str | None]:
        return (engine.label(other), str(engine.iri(other))) if other >= 0 else (None, None)

    for node, iri, label, hub_id in zip(nodes.tolist(), iris, labels, hub, strict=True):
        iri_of[node] = iri
        released = engine.released(node)
        developer, developer_id = named(engine.developer(node))
        licence, licence_id = named(engine.licence(node))
        family, family_id = named(engine.family(node))
        mirror.add_node(
            iri,
            label=label,
            kind=kind_of_bits(int(classes[node])),
            release_date=released,
            release_date_precision=engine.precision(node) if released is not None else None,
            parameter_count=engine.parameters(node),
            huggingface_id=hub_id or None,
            developer=developer,
            developer_id=developer_id,
            licence=licence,
            licence_id=licence_id,
            family=family,
            family_id=family_id,
        )
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    for u, v, code in zip(src.tolist(), dst.tolist(), rel.tolist(), strict=True):
        name = RELATIONS[code]
        mirror.add_edge(iri_of[u], iri_of[v], key=name, relation=name)
    return mirror
