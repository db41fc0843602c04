"""Lineage and backing questions as plain functions over a :class:`~llmgraph.LineageGraph`.

Each takes the graph first and a name (label, alias, Hugging Face id, slug or IRI) second, and
works on every backend: the name is resolved once (:mod:`llmgraph.names`), the walk runs on
the traversal engine (:mod:`llmgraph.engine`), and the answer is a sorted :class:`Links`
(deterministic for the same graph). A name that is a model family (``"Llama 2"``) stands for
all its models; a model and a family of the same name: the model, unless ``family=True``.

Edges run child → parent and backer → backed, so ancestors and portfolios follow out-edges,
descendants and backers follow in-edges.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from llmgraph.errors import NoPathError, UsageError
from llmgraph.results import Link, Links, Step
from llmgraph.terms import (
    ALL_LINEAGE,
    BACKING_RELATIONS,
    IRI,
    LLM_NS,
    PATH_RELATIONS,
    RELATIONS,
    WEIGHT_RELATIONS,
)

if TYPE_CHECKING:
    import datetime as dt

    from llmgraph.base import BaseGraph

__all__ = [
    "ALL_LINEAGE",
    "BACKING_RELATIONS",
    "PATH_RELATIONS",
    "WEIGHT_RELATIONS",
    "Link",
    "Links",
    "Step",
    "ancestors",
    "backers",
    "descendants",
    "path",
    "portfolio",
    "reachable",
    "relation_names",
]


def relation_names(
    relations: Iterable[Any] | str | None, default: frozenset[str]
) -> frozenset[str]:
    """Return relation names from names, ``llm:`` names or IRIs.

    ``derivedFrom`` stands for all of weight lineage, ``backs`` for all of backing.

    Raises:
        UsageError: an unknown relation.

    >>> sorted(relation_names(["llm:successorOf"], WEIGHT_RELATIONS))
    ['successorOf']
    """
    if relations is None:
        return default
    if isinstance(relations, str):
        relations = [relations]
    names = set()
    for rel in relations:
        name = str(rel).removeprefix(LLM_NS).removeprefix("llm:")
        if name not in RELATIONS:
            raise UsageError(f"unknown relation {rel!r}; expected one of {', '.join(RELATIONS)}")
        names.add(name)
    if "derivedFrom" in names:
        names |= WEIGHT_RELATIONS
    if "backs" in names:
        names |= BACKING_RELATIONS
    return frozenset(names)


def _lineage(
    lg: BaseGraph,
    name: str,
    direction: Literal["in", "out"],
    depth: int | None,
    relations: Iterable[Any] | None,
    family: bool,
    as_of: str | dt.date | None = None,
) -> Links:
    allowed = relation_names(relations, WEIGHT_RELATIONS)
    if depth is not None and depth < 0:
        raise UsageError(f"depth must be 0 or more, got {depth}")
    found = lg.resolution(str(name), expect="model or family", prefer_family=family)
    starts = lg.members_of(found)
    engine = lg.engine_for(starts, allowed, direction=direction, depth=depth)
    nodes = [n for n in (engine.find(s) for s in starts) if n >= 0]
    notes = tuple(found.notes)
    if as_of is not None:
        from llmgraph.asof import as_of_mask

        cut = as_of_mask(engine, as_of)
        kept = [n for n in nodes if cut.keeps(n)]
        if nodes and not kept:
            raise UsageError(f"{lg.label(found.iri)!r} was not released by {cut.date.isoformat()}")
        nodes = kept
        walk = engine.walk(nodes, direction=direction, relations=allowed, depth=depth)
        keep = cut.mask[walk.nodes]
        walk = dataclasses.replace(
            walk,
            nodes=walk.nodes[keep],
            depth=walk.depth[keep],
            via=walk.via[keep],
            relation=walk.relation[keep],
            start=walk.start[keep],
        )
        return Links(walk, notes=(*notes, cut.note))
    walk = engine.walk(nodes, direction=direction, relations=allowed, depth=depth)
    return Links(walk, notes=notes)


def ancestors(
    lg: BaseGraph,
    name: str,
    *,
    depth: int | None = None,
    relations: Iterable[Any] | None = None,
    family: bool = False,
    as_of: str | dt.date | None = None,
) -> Links:
    """Return the models that ``name`` was built on, nearest first.

    Args:
        lg: the graph.
        name: a model or a model family.
        depth: stop after this many steps (``None``: go to the roots).
        relations: which relations to follow; default weight lineage
            (:data:`WEIGHT_RELATIONS`); :data:`ALL_LINEAGE` adds succession and teachers.
        family: ``name`` means the family when a model shares its name.
        as_of: only models released by this date (:mod:`llmgraph.asof`); the answer's notes
            say how many were left out.

    Returns:
        One :class:`~llmgraph.results.Link` per ancestor at its shortest distance, sorted by
        depth, label, IRI. The start itself is not included.

    Raises:
        UnknownEntityError: ``name`` matches nothing.
        WrongKindError: ``name`` is an organization, a platform or a licence.
        UsageError: an unknown relation name, a negative depth, a bad ``as_of`` date or a
            model released after it (a ValueError).

    Equals the SPARQL ``?m llm:derivedFrom+ ?ancestor`` for the default relations.

    See Also:
        descendants: the reverse question.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> [(a.label, a.relation, a.depth) for a in ancestors(lg, "Alpaca 7B", relations=ALL_LINEAGE)]
    [('LLaMA 7B', 'fineTunedFrom', 1), ('text-davinci-003', 'trainedOnOutputsOf', 1)]
    """
    return _lineage(lg, name, "out", depth, relations, family, as_of)


def descendants(
    lg: BaseGraph,
    name: str,
    *,
    depth: int | None = None,
    relations: Iterable[Any] | None = None,
    family: bool = False,
    as_of: str | dt.date | None = None,
) -> Links:
    """Return the models built on ``name``, nearest first.

    Args:
        lg: the graph.
        name: a model or a model family (a family stands for all its models; members that
            descend from other members are included).
        depth: stop after this many steps (``None``: all).
        relations: which relations to follow; default weight lineage.
        family: ``name`` means the family when a model shares its name.
        as_of: only models released by this date (a family: its members released by then).

    Returns:
        One :class:`~llmgraph.results.Link` per descendant, sorted by depth, label, IRI.

    Raises:
        UnknownEntityError: ``name`` matches nothing.
        WrongKindError: ``name`` is an organization, a platform or a licence.
        UsageError: an unknown relation name, or a negative depth (a ValueError).

    See Also:
        ancestors: the reverse question.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> "Vicuna 13B v1.5" in [d.label for d in descendants(lg, "Llama 2 13B")]
    True
    >>> "Vicuna 13B v1.5" in [d.label for d in descendants(lg, "Llama 2 13B", as_of="2023-07-31")]
    False
    """
    return _lineage(lg, name, "in", depth, relations, family, as_of)


def _backing(lg: BaseGraph, org: str, direction: Literal["in", "out"], transitive: bool) -> Links:
    found = lg.resolution(str(org), expect="organization")
    depth = None if transitive else 1
    engine = lg.engine_for([found.iri], BACKING_RELATIONS, direction=direction, depth=depth)
    nodes = [n for n in (engine.find(found.iri),) if n >= 0]
    walk = engine.walk(nodes, direction=direction, relations=BACKING_RELATIONS, depth=depth)
    return Links(walk, notes=found.notes)


def backers(lg: BaseGraph, org: str, *, transitive: bool = False) -> Links:
    """Return the organizations that back ``org`` (invest in it or own it).

    Args:
        lg: the graph.
        org: an organization.
        transitive: also the backers of its backers, and so on.

    Returns:
        Sorted :class:`~llmgraph.results.Link` rows; ``relation`` is ``investsIn`` or ``owns``.

    Raises:
        UnknownEntityError: ``org`` matches nothing.
        WrongKindError: ``org`` is a model, a family, a platform or a licence.

    See Also:
        portfolio: whom an organization backs.

    >>> from llmgraph import LineageGraph
    >>> "Microsoft" in [b.label for b in backers(LineageGraph.load(), "Mistral AI")]
    True
    """
    return _backing(lg, org, "in", transitive)


def portfolio(lg: BaseGraph, org: str, *, transitive: bool = False) -> Links:
    """Return the organizations that ``org`` backs (invests in or owns).

    Args:
        lg: the graph.
        org: an organization.
        transitive: also whom those organizations back, and so on.

    Returns:
        Sorted :class:`~llmgraph.results.Link` rows.

    Raises:
        UnknownEntityError: ``org`` matches nothing.
        WrongKindError: ``org`` is not an organization.

    See Also:
        backers: the reverse question.

    >>> from llmgraph import LineageGraph
    >>> "MosaicML" in [p.label for p in portfolio(LineageGraph.load(), "Databricks")]
    True
    """
    return _backing(lg, org, "out", transitive)


def path(
    lg: BaseGraph,
    source: str,
    target: str,
    *,
    relations: Iterable[Any] | None = None,
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
        WrongKindError: a name is not a model.
        NoPathError: the two are not connected through ``relations``.

    >>> from llmgraph import LineageGraph
    >>> steps = path(LineageGraph.load(), "Vicuna 13B v1.5", "Llama 2 13B Chat")
    >>> for s in steps:
    ...     print(s.subject_label, s.relation, s.object_label, s.forward)
    Vicuna 13B v1.5 fineTunedFrom Llama 2 13B True
    Llama 2 13B Chat fineTunedFrom Llama 2 13B False
    """
    allowed = relation_names(relations, PATH_RELATIONS)
    a = lg.resolution(str(source), expect="model").iri
    b = lg.resolution(str(target), expect="model").iri
    if a == b:
        return []
    engine = lg.engine_for([a], allowed, direction="out" if directed else "both", depth=None)
    na, nb = engine.find(a), engine.find(b)
    steps = None
    if na >= 0 and nb >= 0:
        steps = engine.shortest_path(na, nb, relations=allowed, directed=directed)
    if steps is None:
        raise NoPathError(
            f"no lineage path from {lg.label(a)!r} to {lg.label(b)!r}"
            + (" along child → parent edges" if directed else "")
        )
    return [
        Step(IRI(engine.iri(s)), engine.label(s), rel, IRI(engine.iri(o)), engine.label(o), forward)
        for s, o, rel, forward in steps
    ]


def reachable(
    lg: BaseGraph,
    name: str,
    *,
    direction: Literal["in", "out"],
    depth: int | None = None,
    relations: Iterable[Any] | None = None,
) -> Any:
    """Return the engine node numbers that a walk from ``name`` reaches (the fast form).

    On an endpoint the numbers belong to the fetched closure's engine, not to ``lg.engine``.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> len(reachable(lg, "Llama 2", direction="in")) > 20
    True
    """
    allowed = relation_names(relations, WEIGHT_RELATIONS)
    found = lg.resolution(str(name), expect="model or family")
    starts = lg.members_of(found)
    engine = lg.engine_for(starts, allowed, direction=direction, depth=depth)
    nodes = np.array([n for n in (engine.find(s) for s in starts) if n >= 0], dtype=np.int64)
    return engine.reachable(nodes, direction=direction, relations=allowed, depth=depth)
