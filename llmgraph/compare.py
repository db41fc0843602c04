"""Two models side by side: their nearest shared ancestors, and their facts in two columns.

:func:`common_ancestors` answers "what do these two have in common?": the nearest models
both descend from (a shared ancestor that is not itself an ancestor of another shared
ancestor), each with the path from either model and the lineage distance (the two depths
added). A model that is an ancestor of the other is their common ancestor, at depth 0 on its
own side. :func:`compare` puts developer, date, size, licence, family, parents and roots next
to each other, with how the two are related.

>>> from llmgraph import LineageGraph
>>> lg = LineageGraph.load()
>>> [(c.label, c.distance) for c in common_ancestors(lg, "Vicuna 13B v1.5", "Llama 2 13B Chat")]
[('Llama 2 13B', 2)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from llmgraph.asof import AsOf, as_of_mask
from llmgraph.errors import NoPathError, UsageError
from llmgraph.lineage import relation_names
from llmgraph.terms import ALL_LINEAGE, IRI, WEIGHT_RELATIONS

if TYPE_CHECKING:
    import datetime as dt

    from llmgraph.base import BaseGraph
    from llmgraph.engine import LineageIndex

__all__ = ["FIELDS", "CommonAncestor", "Comparison", "common_ancestors", "compare"]

FIELDS = (
    "label",
    "kind",
    "developer",
    "released",
    "parameters",
    "licence",
    "family",
    "hugging_face_id",
    "parents",
    "roots",
)
"""The rows of :attr:`Comparison.rows`, in order."""


@dataclass(frozen=True)
class CommonAncestor:
    """A nearest shared ancestor of two models.

    Attributes:
        id: its IRI.
        label: its label.
        distance: the steps from the first model plus the steps from the second.
        depth_a: steps from the first model (0: the first model itself).
        depth_b: steps from the second model.
        path_a: labels from the first model up to it, both included.
        path_b: labels from the second model up to it, both included.
    """

    id: IRI
    label: str
    distance: int
    depth_a: int
    depth_b: int
    path_a: tuple[str, ...]
    path_b: tuple[str, ...]

    def row(self) -> dict[str, Any]:
        """Return the ancestor as a dict (paths joined with ``" > "``)."""
        return {
            "label": self.label,
            "distance": self.distance,
            "depth_a": self.depth_a,
            "depth_b": self.depth_b,
            "path_a": " > ".join(self.path_a),
            "path_b": " > ".join(self.path_b),
            "id": str(self.id),
        }


def _cut(engine: LineageIndex, as_of: str | dt.date | None) -> AsOf | None:
    return None if as_of is None else as_of_mask(engine, as_of)


def _check_released(engine: LineageIndex, node: int, cut: AsOf | None) -> None:
    if cut is not None and not cut.keeps(node):
        when = engine.released(node)
        raise UsageError(
            f"{engine.label(node)!r} was not released by {cut.date.isoformat()} "
            f"(released {when.isoformat() if when else 'on an unknown date'})"
        )


def _ancestry(
    engine: LineageIndex, start: int, relations: frozenset[str], cut: AsOf | None
) -> dict[int, tuple[int, tuple[str, ...]]]:
    """Return node → (depth, path labels) of ``start`` and its ancestors (start at depth 0)."""
    found: dict[int, tuple[int, tuple[str, ...]]] = {start: (0, (engine.label(start),))}
    walk = engine.walk([start], direction="out", relations=relations)
    for row, node in enumerate(walk.nodes.tolist()):
        if cut is None or cut.keeps(node):
            found[node] = (int(walk.depth[row]), tuple(engine.labels(walk.path_of(row))))
    return found


def common_ancestors(
    lg: BaseGraph,
    a: str,
    b: str,
    *,
    relations: Iterable[Any] | None = None,
    everything: bool = False,
    as_of: str | dt.date | None = None,
) -> list[CommonAncestor]:
    """Return the nearest ancestors that models ``a`` and ``b`` share, nearest first.

    Args:
        lg: the graph.
        a: the first model.
        b: the second model.
        relations: the relations to follow (default weight lineage).
        everything: also follow succession and teacher edges (:data:`ALL_LINEAGE`).
        as_of: only models released by this date (see :mod:`llmgraph.asof`).

    Returns:
        One :class:`CommonAncestor` per nearest shared ancestor, sorted by distance, then
        label; empty when the two share none.

    Raises:
        UnknownEntityError: a name matches nothing (the message lists close matches).
        WrongKindError: a name is not a model.
        UsageError: an unknown relation, a bad date, or a model released after ``as_of``.

    See Also:
        llmgraph.lineage.path: one shortest path between two models.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> found = common_ancestors(lg, "Code Llama 7B Python", "Vicuna 7B v1.5")
    >>> [(c.label, c.distance) for c in found]
    [('Llama 2 7B', 3)]
    >>> found[0].path_a
    ('Code Llama 7B Python', 'Code Llama 7B', 'Llama 2 7B')
    """
    allowed = ALL_LINEAGE if everything else relation_names(relations, WEIGHT_RELATIONS)
    ia = lg.resolution(str(a), expect="model").iri
    ib = lg.resolution(str(b), expect="model").iri
    engine = lg.engine_for([ia, ib], allowed, direction="out", depth=None)
    na, nb = engine.find(ia), engine.find(ib)
    cut = _cut(engine, as_of)
    _check_released(engine, na, cut)
    _check_released(engine, nb, cut)
    up_a = _ancestry(engine, na, allowed, cut)
    up_b = _ancestry(engine, nb, allowed, cut)
    shared = sorted(set(up_a) & set(up_b))
    if not shared:
        return []
    _, parents, _ = engine.expand(np.array(shared), "out", engine.mask(allowed))
    above = set(parents.tolist())
    above |= set(engine.reachable(parents, direction="out", relations=allowed).tolist())
    nearest = [n for n in shared if n not in above]
    found = [
        CommonAncestor(
            id=engine.iri(n),
            label=engine.label(n),
            distance=up_a[n][0] + up_b[n][0],
            depth_a=up_a[n][0],
            depth_b=up_b[n][0],
            path_a=up_a[n][1],
            path_b=up_b[n][1],
        )
        for n in nearest
    ]
    return sorted(found, key=lambda c: (c.distance, c.label.casefold(), c.id))


@dataclass(frozen=True)
class Comparison:
    """Two entities' facts side by side (see :func:`compare`).

    Attributes:
        a: the first entity's IRI.
        b: the second entity's IRI.
        rows: ``(field, first value, second value)`` for each of :data:`FIELDS` (``""`` where
            the graph has no value).
        relation: one sentence on how the two are related.
        common: their nearest shared weight ancestors.
        path: a shortest lineage path between them, one ``"child relation parent"`` text per
            step in walking order (weight lineage and succession), empty if none.
    """

    a: IRI
    b: IRI
    rows: list[tuple[str, str, str]]
    relation: str
    common: list[CommonAncestor]
    path: list[str]

    def table(self) -> list[dict[str, str]]:
        """Return the rows as dicts ``{"field", "a", "b"}``, the relation last."""
        out = [{"field": f, "a": x, "b": y} for f, x, y in self.rows]
        out.append({"field": "related", "a": self.relation, "b": ""})
        return out


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _facts(engine: LineageIndex, node: int) -> dict[str, str]:
    def name(n: int) -> str:
        return engine.label(n) if n >= 0 else ""

    released = engine.released(node)
    precision = engine.precision(node)
    when = ""
    if released is not None:
        when = released.isoformat()
        if precision == "month":
            when = when[:7]
        elif precision == "public-by":
            when = f"by {when}"
    params = engine.parameters(node)
    parents_walk = engine.walk([node], direction="out", relations=WEIGHT_RELATIONS, depth=1)
    parents = [
        f"{label} ({parents_walk.relations_of(i)[0]})"
        for i, label in enumerate(engine.labels(parents_walk.nodes))
    ]
    up = engine.walk([node], direction="out", relations=WEIGHT_RELATIONS)
    weight = engine.mask(WEIGHT_RELATIONS)
    roots = [
        engine.label(n)
        for n in up.nodes.tolist()
        if engine.expand(np.array([n]), "out", weight)[1].size == 0
    ]
    return {
        "label": engine.label(node),
        "kind": engine.kind(node) or "",
        "developer": name(engine.developer(node)),
        "released": when,
        "parameters": f"{params / 1e9:,.2f}B" if params else "",
        "licence": name(engine.licence(node)),
        "family": name(engine.family(node)),
        "hugging_face_id": engine.hub_ids([node])[0],
        "parents": ", ".join(parents),
        "roots": ", ".join(sorted(roots, key=str.casefold)) if roots else "(itself)",
    }


def compare(lg: BaseGraph, a: str, b: str, *, as_of: str | dt.date | None = None) -> Comparison:
    """Return the facts of models ``a`` and ``b`` side by side, and how they are related.

    Args:
        lg: the graph.
        a: the first model.
        b: the second model.
        as_of: refuse models released after this date, and find common ancestors among the
            models released by then.

    Returns:
        A :class:`Comparison`.

    Raises:
        UnknownEntityError: a name matches nothing (the message lists close matches).
        WrongKindError: a name is not a model.
        UsageError: a bad date, or a model released after ``as_of``.

    See Also:
        common_ancestors: the nearest shared ancestors alone.

    >>> from llmgraph import LineageGraph
    >>> cmp = compare(LineageGraph.load(), "Llama 2 7B", "Mistral 7B v0.1")
    >>> [(f, x, y) for f, x, y in cmp.rows if f == "developer"]
    [('developer', 'Meta', 'Mistral AI')]
    >>> cmp.relation
    'not related by lineage in the data'
    """
    from llmgraph.lineage import path

    ia = lg.resolution(str(a), expect="model").iri
    ib = lg.resolution(str(b), expect="model").iri
    engine = lg.engine_for([ia, ib], ALL_LINEAGE, direction="out", depth=None)
    na, nb = engine.find(ia), engine.find(ib)
    cut = _cut(engine, as_of)
    _check_released(engine, na, cut)
    _check_released(engine, nb, cut)
    fa, fb = _facts(engine, na), _facts(engine, nb)
    rows = [(f, fa[f], fb[f]) for f in FIELDS]
    common = common_ancestors(lg, ia, ib, as_of=as_of)
    steps: list[str] = []
    if ia != ib:
        try:
            walked = path(lg, ia, ib)
        except NoPathError:
            walked = []
        steps = [f"{s.subject_label} {s.relation} {s.object_label}" for s in walked]
    la, lb = fa["label"], fb["label"]
    if ia == ib:
        relation = "the same model"
    elif common and common[0].depth_b == 0:
        relation = f"{la} descends from {lb} ({_steps(common[0].depth_a)})"
    elif common and common[0].depth_a == 0:
        relation = f"{lb} descends from {la} ({_steps(common[0].depth_b)})"
    elif common:
        names = ", ".join(c.label for c in common)
        relation = f"both descend from {names} (lineage distance {common[0].distance})"
    elif steps:
        relation = f"related through succession ({_steps(len(steps))})"
    else:
        relation = "not related by lineage in the data"
    return Comparison(a=ia, b=ib, rows=rows, relation=relation, common=common, path=steps)
