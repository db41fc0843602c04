"""The whole-graph research table: every model's root models, depth and licence chain.

One call computes, for every model of a graph, with vectorized passes over the lineage index
(one per generation):

- ``depth``: its generation along weight lineage (a root is 0; a model is one deeper than its
  deepest parent);
- ``roots``: the root models it descends from (itself, for a root); merges have several;
- ``licence``: its own licence; ``licence_chain``: the licences met walking down from its root
  to it through each model's first parent (by label), repeats collapsed;
  ``licence_changed``: whether its licence differs from its root's.

>>> from llmgraph.engine import LineageIndex, MODEL
>>> idx = LineageIndex.build(classes={"http://e/a": MODEL, "http://e/b": MODEL},
...     labels={"http://e/a": "A", "http://e/b": "B"},
...     edges=[("http://e/b", "fineTunedFrom", "http://e/a")])
>>> [(r["label"], r["depth"], r["roots"]) for r in lineage_table(idx).rows()]
[('A', 0, 'A'), ('B', 1, 'A')]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from llmgraph.engine import LineageIndex
from llmgraph.terms import MODEL, RELATIONS, WEIGHT_RELATIONS

__all__ = ["COLUMNS", "LineageTable", "lineage_table"]

COLUMNS = ("id", "label", "depth", "roots", "licence", "licence_chain", "licence_changed")
"""The columns of :meth:`LineageTable.rows`, :meth:`LineageTable.to_csv` and ``to_pandas``."""

_WEIGHT = np.array([r in WEIGHT_RELATIONS for r in RELATIONS])
IntArray = npt.NDArray[np.int64]


@dataclass
class LineageTable:
    """The table, as arrays over the index's model nodes (strings are decoded on output).

    Attributes:
        index: the lineage index the table was computed from.
        nodes: the model nodes, in label order.
        depth: generation of each row.
        root: the single root node of each row, or ``-1 - k`` for ``multi_roots[k]``.
        multi_roots: the root sets of rows with several roots.
        chain: id of each row's licence chain in ``chains``.
        chains: licence chains as tuples of licence nodes.
    """

    index: LineageIndex
    nodes: IntArray
    depth: IntArray
    root: IntArray
    multi_roots: list[tuple[int, ...]]
    chain: IntArray
    chains: list[tuple[int, ...]]

    def __len__(self) -> int:
        """Return the number of rows (models)."""
        return len(self.nodes)

    def roots_of(self, row: int) -> tuple[int, ...]:
        """Return the root nodes of table row ``row``."""
        code = int(self.root[row])
        return (code,) if code >= 0 else self.multi_roots[-1 - code]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Yield one dict per model with the :data:`COLUMNS` (roots and chains ``|``-joined)."""
        for values in self.tuples():
            yield dict(zip(COLUMNS, values, strict=True))

    def tuples(self) -> Iterator[tuple[Any, ...]]:
        """Yield one tuple per model, in the order of :data:`COLUMNS` (the fast form)."""
        idx = self.index
        licence = np.asarray(idx.arrays["license"])
        extra = sorted(
            {r for roots in self.multi_roots for r in roots}
            | set(self.root[self.root >= 0].tolist())
            | {x for chain in self.chains for x in chain}
        )
        names = dict(zip(extra, idx.labels(extra), strict=True))
        chain_text = [" > ".join(names[x] for x in c) for c in self.chains]
        multi_text = ["|".join(sorted(names[r] for r in roots)) for roots in self.multi_roots]
        own = licence[self.nodes]
        changed = np.zeros(len(self.nodes), dtype=bool)
        single = self.root >= 0
        changed[single] = (own[single] >= 0) & (licence[self.root[single]] != own[single])
        for row in np.flatnonzero(~single & (own >= 0)).tolist():
            roots = self.multi_roots[-1 - int(self.root[row])]
            changed[row] = {int(licence[r]) for r in roots} != {int(own[row])}
        for iri, label, depth, root, lic, chain, flag in zip(
            idx.iris(self.nodes),
            idx.labels(self.nodes),
            self.depth.tolist(),
            self.root.tolist(),
            own.tolist(),
            self.chain.tolist(),
            changed.tolist(),
            strict=True,
        ):
            yield (
                iri,
                label,
                depth,
                names[root] if root >= 0 else multi_text[-1 - root],
                names.get(lic, "") if lic >= 0 else "",
                chain_text[chain],
                flag,
            )

    def to_csv(self, out: Path | str | IO[str] | None = None) -> str | None:
        """Write the table as CSV to a path or text file, or return it when ``out`` is None.

        >>> from llmgraph.engine import LineageIndex, MODEL
        >>> idx = LineageIndex.build(classes={"http://e/a": MODEL})
        >>> print(lineage_table(idx).to_csv(), end="")
        id,label,depth,roots,licence,licence_chain,licence_changed
        http://e/a,a,0,a,,,False
        """
        if out is None:
            buffer = io.StringIO()
            self._write(buffer)
            return buffer.getvalue()
        if isinstance(out, (str, Path)):
            with Path(out).open("w", encoding="utf-8", newline="") as handle:
                self._write(handle)
            return None
        self._write(out)
        return None

    def _write(self, handle: IO[str]) -> None:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(self.tuples())

    def to_pandas(self) -> Any:
        """Return the table as a pandas DataFrame (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame.from_records(list(self.tuples()), columns=list(COLUMNS))


def lineage_table(idx: LineageIndex) -> LineageTable:
    """Compute the roots / depth / licence-chain table of every model in ``idx``.

    Raises:
        LineageCycleError: weight lineage has a cycle.
    """
    a = idx.arrays
    n = len(idx)
    level = idx.topological_levels()
    ptr, dst, rel = a["out_ptr"], a["out_dst"], a["out_rel"]
    weight = _WEIGHT[np.asarray(rel, dtype=np.int64)]
    child = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))[weight]
    parent = np.asarray(dst, dtype=np.int64)[weight]
    rank = np.asarray(a["rank"], dtype=np.int64)
    licence = np.asarray(a["license"], dtype=np.int64)
    # each child's first parent by label: the one its licence chain follows
    order = np.lexsort((rank[parent], child))
    child, parent = child[order], parent[order]
    first = np.ones(len(child), dtype=bool)
    first[1:] = child[1:] != child[:-1]
    primary = np.full(n, -1, dtype=np.int64)
    primary[child[first]] = parent[first]
    n_parents = np.bincount(child, minlength=n)
    root = np.where(n_parents == 0, np.arange(n, dtype=np.int64), -1)
    multi: list[tuple[int, ...]] = []
    chains: list[tuple[int, ...]] = [()]
    chain_ids: dict[tuple[int, ...], int] = {(): 0}

    def chain_id(chain: tuple[int, ...]) -> int:
        found = chain_ids.get(chain)
        if found is None:
            found = chain_ids[chain] = len(chains)
            chains.append(chain)
        return found

    chain = np.zeros(n, dtype=np.int64)
    roots0 = np.flatnonzero(n_parents == 0)
    own0 = licence[roots0]
    for lic in np.unique(own0[own0 >= 0]).tolist():
        chain[roots0[own0 == lic]] = chain_id((lic,))
    by_level = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[by_level], np.arange(int(level.max(initial=0)) + 2))
    starts_at = np.searchsorted(child, np.arange(n + 1))
    for gen in range(1, len(bounds) - 1):
        members = by_level[bounds[gen] : bounds[gen + 1]]
        if not members.size:
            continue
        single = members[n_parents[members] == 1]
        root[single] = root[primary[single]]
        for node in members[n_parents[members] > 1].tolist():
            found: set[int] = set()
            for p in parent[starts_at[node] : starts_at[node + 1]].tolist():
                code = int(root[p])
                found.update((code,) if code >= 0 else multi[-1 - code])
            if len(found) == 1:
                root[node] = next(iter(found))
            else:
                multi.append(tuple(sorted(found)))
                root[node] = -len(multi)
        # licence chains: the parent's chain, plus this model's licence if it differs
        inherited = chain[primary[members]]
        own = licence[members]
        keys = inherited * (n + 1) + (own + 1)
        unique, inverse = np.unique(keys, return_inverse=True)
        new_ids = np.empty(len(unique), dtype=np.int64)
        for i, key in enumerate(unique.tolist()):
            base, lic = divmod(key, n + 1)
            lic -= 1
            prefix = chains[base]
            extended = prefix if lic < 0 or (prefix and prefix[-1] == lic) else (*prefix, lic)
            new_ids[i] = chain_id(extended)
        chain[members] = new_ids[inverse.reshape(-1)]
    models = np.flatnonzero(np.asarray(a["classes"]) & MODEL)
    models = models[np.argsort(rank[models], kind="stable")]
    return LineageTable(
        index=idx,
        nodes=models,
        depth=level[models],
        root=root[models],
        multi_roots=multi,
        chain=chain[models],
        chains=chains,
    )
