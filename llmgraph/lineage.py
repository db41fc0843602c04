"""Lineage and backing queries as plain functions over a :class:`~llmgraph.LineageGraph`.

Each takes the graph first and a name (label, alias, Hugging Face id, slug or IRI) second,
and returns a sorted list: deterministic for the same graph. A name that is a model family
(``"Llama 2"``) stands for all its models.

Edges run child → parent and backer → backed (see :mod:`llmgraph.mirror`), so ancestors and
portfolios follow out-edges, descendants and backers follow in-edges.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

import networkx as nx
from rdflib import URIRef

from llmgraph.errors import NoPathError, UsageError
from llmgraph.vocab import BACKING, OTHER_LINEAGE, WEIGHT_LINEAGE, relation_name

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph

__all__ = [
    "ALL_LINEAGE",
    "BACKING_RELATIONS",
    "PATH_RELATIONS",
    "WEIGHT_RELATIONS",
    "Link",
    "Step",
    "ancestors",
    "backers",
    "descendants",
    "path",
    "portfolio",
]

WEIGHT_RELATIONS: frozenset[str] = frozenset(
    [relation_name(p) for p in WEIGHT_LINEAGE] + ["derivedFrom"]
)
"""Weight lineage: the default relations of :func:`ancestors` and :func:`descendants`."""

ALL_LINEAGE: frozenset[str] = WEIGHT_RELATIONS | {relation_name(p) for p in OTHER_LINEAGE}
"""Weight lineage plus succession and training on a teacher's outputs."""

PATH_RELATIONS: frozenset[str] = WEIGHT_RELATIONS | {"successorOf"}
"""Weight lineage and succession: the default relations of :func:`path`."""

BACKING_RELATIONS: frozenset[str] = frozenset([relation_name(p) for p in BACKING] + ["backs"])
"""Investment and ownership: the relations of :func:`backers` and :func:`portfolio`."""

RelationArg = str | URIRef


@dataclass(frozen=True)
class Link:
    """An entity reached from the start of a query, and how.

    Attributes:
        id: the entity's IRI.
        label: its canonical label.
        relation: the relation of the last step (``"fineTunedFrom"``, ``"investsIn"`` …); where
            the last step has several relations, the first in alphabetical order.
        relations: all relations of the last step, sorted.
        depth: number of steps from the start (1 = direct).
        via: the IRI of the entity the last step came from.
        path: the IRIs from the start to this entity, both included (one shortest path).

    >>> from llmgraph import LineageGraph
    >>> link = LineageGraph.load().ancestors("Code Llama 7B Instruct")[-1]
    >>> link.label, link.relation, link.depth, len(link.path)
    ('Llama 2 7B', 'continuedPretrainingFrom', 2, 3)
    """

    id: str
    label: str
    relation: str
    relations: tuple[str, ...]
    depth: int
    via: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One step of a lineage path, read as the triple ``subject relation object``.

    Attributes:
        subject: IRI of the step's subject (for weight lineage, the child).
        subject_label: its label.
        relation: the relation's local name.
        object: IRI of the step's object (the parent).
        object_label: its label.
        forward: ``True`` if the path walks from subject to object (towards the parent).

    >>> from llmgraph import LineageGraph
    >>> step = LineageGraph.load().path("Alpaca 7B", "LLaMA 7B")[0]
    >>> step.subject_label, step.relation, step.object_label, step.forward
    ('Alpaca 7B', 'fineTunedFrom', 'LLaMA 7B', True)
    """

    subject: str
    subject_label: str
    relation: str
    object: str
    object_label: str
    forward: bool


def ancestors(
    lg: LineageGraph,
    name: str | URIRef,
    *,
    depth: int | None = None,
    relations: Iterable[RelationArg] | None = None,
) -> list[Link]:
    """Return the models that ``name`` was built on, nearest first.

    Args:
        lg: the graph.
        name: a model or a model family.
        depth: stop after this many steps (``None``: go to the roots).
        relations: which relations to follow; default weight lineage
            (:data:`WEIGHT_RELATIONS`); :data:`ALL_LINEAGE` adds succession and teachers.

    Returns:
        One :class:`Link` per ancestor at its shortest distance, sorted by depth, label, IRI.
        The start itself is not included.

    Raises:
        UnknownEntityError: ``name`` matches nothing.
        UsageError: an unknown relation name, or a negative depth (a ValueError).

    Equals the SPARQL ``?m llm:derivedFrom+ ?ancestor`` for the default relations.

    See Also:
        descendants: the reverse question.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> [(a.label, a.relation, a.depth) for a in ancestors(lg, "Alpaca 7B", relations=ALL_LINEAGE)]
    [('LLaMA 7B', 'fineTunedFrom', 1), ('text-davinci-003', 'trainedOnOutputsOf', 1)]
    """
    return _walk(lg, lg.members(name), "out", _relations(relations, WEIGHT_RELATIONS), depth)


def descendants(
    lg: LineageGraph,
    name: str | URIRef,
    *,
    depth: int | None = None,
    relations: Iterable[RelationArg] | None = None,
) -> list[Link]:
    """Return the models built on ``name``, nearest first.

    Args:
        lg: the graph.
        name: a model or a model family (a family stands for all its models; members that
            descend from other members are included).
        depth: stop after this many steps (``None``: all).
        relations: which relations to follow; default weight lineage.

    Returns:
        One :class:`Link` per descendant, sorted by depth, label, IRI.

    Raises:
        UnknownEntityError: ``name`` matches nothing.
        UsageError: an unknown relation name, or a negative depth (a ValueError).

    See Also:
        ancestors: the reverse question.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> "Vicuna 13B v1.5" in [d.label for d in descendants(lg, "Llama 2 13B")]
    True
    """
    return _walk(lg, lg.members(name), "in", _relations(relations, WEIGHT_RELATIONS), depth)


def backers(lg: LineageGraph, org: str | URIRef, *, transitive: bool = False) -> list[Link]:
    """Return the organizations that back ``org`` (invest in it or own it).

    Args:
        lg: the graph.
        org: an organization.
        transitive: also the backers of its backers, and so on.

    Returns:
        Sorted :class:`Link` items; ``relation`` is ``investsIn`` or ``owns``.

    Raises:
        UnknownEntityError: ``org`` matches nothing.

    See Also:
        portfolio: whom an organization backs.

    >>> from llmgraph import LineageGraph
    >>> "Microsoft" in [b.label for b in backers(LineageGraph.load(), "Mistral AI")]
    True
    """
    start = [lg.resolve(org, kind="organization")]
    return _walk(lg, start, "in", BACKING_RELATIONS, None if transitive else 1)


def portfolio(lg: LineageGraph, org: str | URIRef, *, transitive: bool = False) -> list[Link]:
    """Return the organizations that ``org`` backs (invests in or owns).

    Args:
        lg: the graph.
        org: an organization.
        transitive: also whom those organizations back, and so on.

    Returns:
        Sorted :class:`Link` items.

    Raises:
        UnknownEntityError: ``org`` matches nothing.

    See Also:
        backers: the reverse question.

    >>> from llmgraph import LineageGraph
    >>> "MosaicML" in [p.label for p in portfolio(LineageGraph.load(), "Databricks")]
    True
    """
    start = [lg.resolve(org, kind="organization")]
    return _walk(lg, start, "out", BACKING_RELATIONS, None if transitive else 1)


def path(
    lg: LineageGraph,
    source: str | URIRef,
    target: str | URIRef,
    *,
    relations: Iterable[RelationArg] | None = None,
    directed: bool = False,
) -> list[Step]:
    """Return a shortest lineage path between two models.

    Args:
        lg: the graph.
        source: the model to start from.
        target: the model to reach.
        relations: which relations may be walked; default :data:`PATH_RELATIONS`, weight
            lineage and succession (two students of one teacher are not related by it).
        directed: only walk from child to parent (``target`` must be an ancestor of
            ``source``); by default the path may go up to a common ancestor and down again.

    Returns:
        The steps in walking order; empty when ``source`` and ``target`` are the same. Among
        several shortest paths, the one whose labels sort first.

    Raises:
        UnknownEntityError: a name matches nothing.
        NoPathError: the two are not connected through ``relations``.

    >>> from llmgraph import LineageGraph
    >>> steps = path(LineageGraph.load(), "Vicuna 13B v1.5", "Llama 2 13B Chat")
    >>> for s in steps:
    ...     print(s.subject_label, s.relation, s.object_label, s.forward)
    Vicuna 13B v1.5 fineTunedFrom Llama 2 13B True
    Llama 2 13B Chat fineTunedFrom Llama 2 13B False
    """
    allowed = _relations(relations, PATH_RELATIONS)
    a = str(lg.resolve(source, kind="model"))
    b = str(lg.resolve(target, kind="model"))
    view = _view(lg.nx, allowed)
    graph: nx.Graph[str] = view if directed else nx.Graph(view.to_undirected(as_view=True))
    if a not in graph or b not in graph:
        raise NoPathError(f"no lineage path from {lg.label(a)!r} to {lg.label(b)!r}")
    try:
        candidates = list(nx.all_shortest_paths(graph, a, b))
    except nx.NetworkXNoPath:
        raise NoPathError(
            f"no lineage path from {lg.label(a)!r} to {lg.label(b)!r}"
            + (" along child → parent edges" if directed else "")
        ) from None
    best = min(candidates, key=lambda nodes: [lg.label(n).casefold() for n in nodes] + nodes)
    steps: list[Step] = []
    for u, v in pairwise(best):
        forward = lg.nx.has_edge(u, v) and bool(set(lg.nx[u][v]) & allowed)
        s, o = (u, v) if forward else (v, u)
        rel = sorted(set(lg.nx[s][o]) & allowed)[0]
        steps.append(Step(s, lg.label(s), rel, o, lg.label(o), forward))
    return steps


def _relations(relations: Iterable[RelationArg] | None, default: frozenset[str]) -> frozenset[str]:
    if relations is None:
        return default
    if isinstance(relations, str):
        relations = [relations]
    known = ALL_LINEAGE | BACKING_RELATIONS | {"developedBy", "hostedOn", "operatedBy"}
    names = set()
    for rel in relations:
        name = relation_name(rel) if isinstance(rel, URIRef) else str(rel)
        name = name.removeprefix("llm:")
        if name not in known:
            raise UsageError(
                f"unknown relation {rel!r}; expected one of {', '.join(sorted(known))}"
            )
        names.add(name)
    if "derivedFrom" in names:  # derivedFrom stands for all of weight lineage
        names |= WEIGHT_RELATIONS
    return frozenset(names)


def _view(mirror: nx.MultiDiGraph[str], allowed: Collection[str]) -> nx.MultiDiGraph[str]:
    def keep(u: str, v: str, key: object) -> bool:
        return key in allowed

    view: nx.MultiDiGraph[str] = nx.subgraph_view(mirror, filter_edge=keep)
    return view


def _walk(
    lg: LineageGraph,
    starts: Iterable[URIRef],
    direction: Literal["in", "out"],
    allowed: frozenset[str],
    depth: int | None,
) -> list[Link]:
    if depth is not None and depth < 0:
        raise UsageError(f"depth must be 0 or more, got {depth}")
    mirror = lg.nx

    def label(node: str) -> str:
        return str(mirror.nodes[node].get("label") or node)

    best: dict[str, Link] = {}
    for start in starts:
        root = str(start)
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
                link = Link(other, label(other), rels[0], rels, len(trail), node, (*trail, other))
                queue.append((other, link.path))
                old = best.get(other)
                if old is None or link.depth < old.depth:
                    best[other] = link
    return sorted(best.values(), key=lambda x: (x.depth, x.label.casefold(), x.id))
