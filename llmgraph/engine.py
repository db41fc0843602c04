"""The traversal engine: the graph's entities and edges as compact arrays, for every backend.

One projection of the RDF into what graph algorithms need, written once and used by every
backend (built from the in-memory graph, persisted beside an on-disk store, fetched from a
SPARQL endpoint). Edge direction is fixed here and everywhere else follows it: **an edge goes
from the subject of a triple to its object**, with the relation's local name. So weight
lineage runs child → parent (``vicuna-13b-v1-5 --fineTunedFrom--> llama-2-13b``), backing runs
backer → backed (``microsoft --investsIn--> openai``) and hosting model → platform: a model's
ancestors are reached along *out*-edges, its descendants along *in*-edges. The materialized
super-relations (``llm:derivedFrom``, ``llm:backs``) are kept only where no sub-relation joins
the same pair (:func:`llmgraph.rules.visible_relations`).

The arrays (one entry per node; a node is any typed entity or any IRI at an end of an edge):

- ``out_ptr`` / ``out_dst`` / ``out_rel`` and ``in_ptr`` / ``in_src`` / ``in_rel``: the edges in
  CSR form, by source and by target; ``rel`` is a position in :data:`llmgraph.terms.RELATIONS`;
- IRIs and labels as UTF-8 blobs with offsets, class bits (:data:`llmgraph.terms.MODEL` …), a
  label rank (the order of ``(label.casefold(), IRI)``);
- per node: its licence, developer and family (node numbers, ``-1`` for none), release date
  (days since 1970-01-01) and its precision, parameter count, Hugging Face id;
- every name of every typed entity (labels, aliases, Hugging Face ids, slugs, IRIs), hashed
  for exact and loose lookups and kept as text for "did you mean".

Traversals walk whole frontiers with numpy, so the 150 k descendants of a Hub family come
back as node numbers in milliseconds; labels and IRIs are decoded only when asked for.

>>> idx = LineageIndex.build(
...     classes={"http://e/a": MODEL, "http://e/b": MODEL},
...     edges=[("http://e/b", "fineTunedFrom", "http://e/a")],
... )
>>> idx.iris(idx.reachable([idx.node("http://e/a")], direction="in"))
['http://e/b']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import re
import shutil
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from llmgraph.errors import DataLoadError, LineageCycleError, UnknownEntityError, UsageError
from llmgraph.terms import (
    CLASS_BITS,
    FAMILY,
    IRI,
    LICENSE,
    LLMID_NS,
    MODEL,
    ORGANIZATION,
    PLATFORM,
    RDF_TYPE,
    RDFS_LABEL,
    RELATIONS,
    SKOS_ALT_LABEL,
    SUPER_RELATIONS,
    WEIGHT_RELATIONS,
    kind_of_bits,
    llm,
    local_name,
)
from llmgraph.triples import Lit

__all__ = [
    "FAMILY",
    "LICENSE",
    "MODEL",
    "ORGANIZATION",
    "PLATFORM",
    "PRECISIONS",
    "READ_PREDICATES",
    "LineageIndex",
    "Walk",
    "normalize",
]

IntArray = npt.NDArray[np.int64]
Direction = Literal["in", "out"]
Reader = Callable[[str], Iterable[tuple[str, Any]]]

PRECISIONS: Final = ("", "day", "month", "public-by")
"""Release-date precision codes of the ``precision`` array (0: no date)."""

READ_PREDICATES: Final = frozenset(
    (
        RDF_TYPE,
        RDFS_LABEL,
        SKOS_ALT_LABEL,
        *(llm(name) for name in RELATIONS),
        *(llm(name) for name in ("huggingFaceId", "license", "family", "releaseDate")),
        *(llm(name) for name in ("releaseDatePrecision", "parameterCount")),
    )
)
"""The predicates :meth:`LineageIndex.from_reader` reads: the facts an engine is built from."""

NO_DATE: Final = np.iinfo(np.int32).min
"""The ``released`` value of a node without a release date."""

_REL_CODE = {name: i for i, name in enumerate(RELATIONS)}
_SUB_CODES = {
    _REL_CODE[sup]: np.array([_REL_CODE[s] for s in subs]) for sup, subs in SUPER_RELATIONS.items()
}
_WEIGHT_MASK = np.array([r in WEIGHT_RELATIONS for r in RELATIONS])
_DEVELOPED_BY = _REL_CODE["developedBy"]
_EPOCH = dt.date(1970, 1, 1)
_FORMAT = "4"  # 4: CRC-32 checksum (3: BLAKE2b, 3x slower to verify on every open)
_NON_ALNUM: re.Pattern[str] | None = None  # compiled lazily by normalize()
_ARRAYS = (
    "iri_blob",
    "iri_off",
    "label_blob",
    "label_off",
    "has_label",
    "classes",
    "rank",
    "license",
    "developer",
    "family",
    "released",
    "precision",
    "parameters",
    "hfid_blob",
    "hfid_off",
    "out_ptr",
    "out_dst",
    "out_rel",
    "in_ptr",
    "in_src",
    "in_rel",
    "exact_hash",
    "exact_node",
    "loose_hash",
    "loose_node",
    "name_blob",
    "name_off",
    "name_node",
)


_SCRATCH_KEPT = 4
"""Walk buffers an index keeps for reuse (one per thread walking it at once)."""


def _edges_of(ptr: IntArray, frontier: IntArray) -> tuple[IntArray, IntArray]:
    """Return the adjacency positions of the edges of ``frontier``'s nodes, and each one's count.

    The edges of node ``i`` are ``ptr[i]`` to ``ptr[i + 1]``; those of one node are one slice.
    """
    if frontier.size == 1:
        first, end = int(ptr[frontier[0]]), int(ptr[frontier[0] + 1])
        return np.arange(first, end, dtype=np.int64), np.array([end - first], dtype=np.int64)
    begin = ptr[frontier]
    counts = ptr[frontier + 1] - begin
    edge = np.arange(int(counts.sum()), dtype=np.int64)
    edge -= np.repeat(np.cumsum(counts) - counts - begin, counts)
    return edge, counts


def normalize(name: str) -> str:
    """Return the loose form of a name: case-folded, punctuation and spaces dropped.

    A dot between digits is kept, so "1.3B" and "13B" stay apart.

    >>> normalize("Llama-2-7b-hf") == normalize("llama 2 7B HF")
    True
    >>> normalize("OPT-1.3B"), normalize("OPT 13B")
    ('opt1.3b', 'opt13b')
    """
    global _NON_ALNUM
    if _NON_ALNUM is None:
        _NON_ALNUM = re.compile(r"(?<![0-9])\.|\.(?![0-9])|[^\w.]+|_")
    return _NON_ALNUM.sub("", name.casefold())


def _hashes(texts: Sequence[str]) -> npt.NDArray[np.uint64]:
    blake = hashlib.blake2b
    digests = b"".join(
        [blake(t.encode("utf-8", "surrogatepass"), digest_size=8).digest() for t in texts]
    )
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def _hash(text: str) -> np.uint64:
    return np.uint64(_hashes([text])[0]) if text else np.uint64(0)


def _blob(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint8], IntArray]:
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def _texts(blob: Any, offsets: Any, nodes: IntArray) -> list[str]:
    """Decode the texts of ``nodes`` from a blob (an array or a byte view of one), in place."""
    view = blob if isinstance(blob, memoryview) else _byte_view(blob)
    starts = np.asarray(offsets)[nodes].tolist()
    ends = np.asarray(offsets)[nodes + 1].tolist()
    return [str(view[a:b], "utf-8", "surrogatepass") for a, b in zip(starts, ends, strict=True)]


def _byte_view(array: Any) -> memoryview:
    """Return a byte view of an array's memory (a mapped file is read only where sliced)."""
    return np.ascontiguousarray(array).data.cast("B")


def _checksum(name: str, array: Any, running: int) -> int:
    """Extend a CRC-32 over an array's name and bytes, read in place (no copy).

    Guards a saved index against damage (a torn or altered file), checked on every open:
    CRC-32 reads several times faster than a cryptographic hash, which this does not need.
    """
    running = zlib.crc32(name.encode(), running)
    data = np.ascontiguousarray(array)
    return zlib.crc32(data.data.cast("B") if data.size else b"", running)


def _csr(src: IntArray, dst: IntArray, rel: IntArray, n: int) -> tuple[IntArray, Any, Any]:
    order = np.lexsort((rel, dst, src))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, dst[order].astype(np.int32), rel[order].astype(np.uint8)


def _days(lexical: str) -> int | None:
    try:
        return (dt.date.fromisoformat(lexical[:10]) - _EPOCH).days
    except ValueError:
        return None


@dataclass(frozen=True)
class Walk:
    """The answer of a traversal, as arrays (see :meth:`LineageIndex.walk`).

    Attributes:
        index: the engine walked.
        nodes: the entities reached, each once, at its shortest distance.
        depth: the number of steps to each.
        via: the node each was reached from (the last step's start).
        relation: the relation code of the last step (the first, if several join the pair).
        start: the start each was reached from.
        multi: for nodes whose last step has several relations, all their codes.
        trails: for each start, node → via of that start's own walk (for paths).
    """

    index: LineageIndex
    nodes: IntArray
    depth: IntArray
    via: IntArray
    relation: IntArray
    start: IntArray
    multi: dict[int, tuple[int, ...]] = field(default_factory=dict)
    trails: dict[int, tuple[IntArray, IntArray]] = field(default_factory=dict)
    _parents: dict[int, dict[int, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __len__(self) -> int:
        return len(self.nodes)

    def relations_of(self, row: int) -> tuple[str, ...]:
        """Return the relation names of the last step of row ``row``."""
        node = int(self.nodes[row])
        codes = self.multi.get(node)
        if codes is None:
            return (RELATIONS[int(self.relation[row])],)
        return tuple(RELATIONS[c] for c in codes)

    def path_of(self, row: int) -> list[int]:
        """Return the nodes from the start to row ``row``'s node, both included."""
        start = int(self.start[row])
        parent = self._parents.get(start)
        if parent is None:  # built once per start: a path costs its length, not the walk's
            nodes, vias = self.trails[start]
            parent = self._parents[start] = dict(zip(nodes.tolist(), vias.tolist(), strict=True))
        trail = [int(self.nodes[row])]
        while trail[-1] != start:
            trail.append(parent[trail[-1]])
        trail.reverse()
        return trail


class LineageIndex:
    """The entities and edges of a graph as integer arrays (see the module docstring).

    Build one with :meth:`build` (from IRIs, edges and attributes), :meth:`from_reader` (from
    a backend's triples) or :meth:`load` (a saved one); save it with :meth:`save`. Node
    numbers are positions in one index.
    """

    def __init__(self, arrays: Mapping[str, Any]):
        self._a = dict(arrays)
        self._n = len(self._a["classes"])
        self._digest: str | None = None
        self._views: dict[str, memoryview] = {}
        self._scratch: list[tuple[npt.NDArray[np.bool_], npt.NDArray[np.int32]]] = []

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the arrays, not the byte views over them (rebuilt on first use)."""
        return {"_a": self._a, "_n": self._n, "_digest": self._digest}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._views = {}
        self._scratch = []

    def _blob_view(self, name: str) -> memoryview:
        """Return a byte view of a text blob, made once (never a copy of the blob)."""
        found = self._views.get(name)
        if found is None:
            found = self._views[name] = _byte_view(self._a[name])
        return found

    # ------------------------------------------------------------------ building

    @classmethod
    def from_reader(cls, read: Reader) -> LineageIndex:
        """Build the index from a reader of facts: ``read(predicate)`` yields ``(subject, object)``.

        Subjects are IRI strings; objects are IRI strings (``str``) for relations and types,
        :class:`~llmgraph.triples.Lit` for literals. This is how every backend builds its
        engine: the in-memory graph, an on-disk store and a remote endpoint each provide a
        reader over their own triples.

        Raises:
            LineageCycleError: weight lineage has a cycle (named with its labels).
        """
        classes: dict[str, int] = {}
        for s, o in read(RDF_TYPE):
            bit = CLASS_BITS.get(str(o), 0) if not isinstance(o, Lit) else 0
            if bit:
                classes[s] = classes.get(s, 0) | bit
        labels: dict[str, str] = {}
        names: list[tuple[str, str]] = []
        for s, o in read(RDFS_LABEL):
            if isinstance(o, Lit):
                old = labels.get(s)
                if old is None or o.lexical < old:
                    labels[s] = o.lexical
                names.append((s, o.lexical))
        for s, o in read(SKOS_ALT_LABEL):
            if isinstance(o, Lit):
                names.append((s, o.lexical))
        hub_ids: dict[str, str] = {}
        for s, o in read(llm("huggingFaceId")):
            if isinstance(o, Lit):
                names.append((s, o.lexical))
                if s not in hub_ids or o.lexical < hub_ids[s]:
                    hub_ids[s] = o.lexical
        edges: list[tuple[str, str, str]] = []
        for rel in RELATIONS:
            edges += [(s, rel, o) for s, o in read(llm(rel)) if not isinstance(o, Lit)]
        links = {
            name: [(s, o) for s, o in read(llm(name)) if not isinstance(o, Lit)]
            for name in ("license", "family")
        }
        released: dict[str, int] = {}
        for s, o in read(llm("releaseDate")):
            days = _days(o.lexical) if isinstance(o, Lit) else None
            if days is not None and (s not in released or days < released[s]):
                released[s] = days
        precision: dict[str, str] = {}
        for s, o in read(llm("releaseDatePrecision")):
            if isinstance(o, Lit) and (s not in precision or o.lexical < precision[s]):
                precision[s] = o.lexical
        parameters: dict[str, int] = {}
        for s, o in read(llm("parameterCount")):
            if isinstance(o, Lit):
                try:
                    count = int(o.lexical)
                except ValueError:
                    continue
                if s not in parameters or count < parameters[s]:
                    parameters[s] = count
        return cls.build(
            classes=classes,
            labels=labels,
            edges=edges,
            names=names,
            licences=links["license"],
            families=links["family"],
            released=released,
            precision=precision,
            parameters=parameters,
            hub_ids=hub_ids,
        )

    @classmethod
    def build(
        cls,
        *,
        classes: Mapping[str, int],
        labels: Mapping[str, str] | None = None,
        edges: Iterable[tuple[str, str, str]] = (),
        names: Iterable[tuple[str, str]] = (),
        licences: Iterable[tuple[str, str]] = (),
        families: Iterable[tuple[str, str]] = (),
        released: Mapping[str, int] | None = None,
        precision: Mapping[str, str] | None = None,
        parameters: Mapping[str, int] | None = None,
        hub_ids: Mapping[str, str] | None = None,
    ) -> LineageIndex:
        """Build an index from IRIs.

        Args:
            classes: IRI → class bits (:data:`MODEL` …) of every typed entity.
            labels: IRI → label.
            edges: ``(subject IRI, relation name, object IRI)``; relations outside
                :data:`~llmgraph.terms.RELATIONS` are ignored.
            names: ``(IRI, name)`` pairs (labels, aliases, Hugging Face ids) for resolving.
            licences: ``(entity, licence)`` pairs; the first licence by label wins.
            families: ``(model, family)`` pairs; the first family by label wins.
            released: IRI → release date as days since 1970-01-01.
            precision: IRI → ``"day"``, ``"month"`` or ``"public-by"``.
            parameters: IRI → parameter count.
            hub_ids: IRI → Hugging Face id.

        Raises:
            LineageCycleError: weight lineage has a cycle.
        """
        label_of = dict(labels or {})
        edge_list = [(s, _REL_CODE[r], o) for s, r, o in edges if r in _REL_CODE]
        licence_list, family_list = list(licences), list(families)
        everything = set(classes)
        for s, _, o in edge_list:
            everything.update((s, o))
        for s, o in (*licence_list, *family_list):
            everything.update((s, o))
        iris = sorted(everything)  # canonical numbering: equal graphs, equal engines
        ids = {iri: i for i, iri in enumerate(iris)}
        bits = [0] * len(iris)
        for iri, b in classes.items():
            bits[ids[iri]] |= b
        src = [ids[s] for s, _, _ in edge_list]
        dst = [ids[o] for _, _, o in edge_list]
        rel = [code for _, code, _ in edge_list]
        pairs = {
            "license": [(ids[s], ids[o]) for s, o in licence_list],
            "family": [(ids[s], ids[o]) for s, o in family_list],
        }
        n = len(iris)
        label_list = [label_of.get(iri) for iri in iris]
        numbered_names = [(ids[iri], name) for iri, name in names if iri in ids]

        def column(values: Mapping[str, Any] | None, empty: Any, dtype: Any) -> Any:
            out = np.full(n, empty, dtype=dtype)
            for iri, value in (values or {}).items():
                if iri in ids:
                    out[ids[iri]] = value
            return out

        codes = {name: i for i, name in enumerate(PRECISIONS)}
        precision_codes = {
            iri: codes.get(text, 1) for iri, text in (precision or {}).items() if iri in ids
        }
        days = column(released, NO_DATE, np.int32)
        prec = np.zeros(n, dtype=np.uint8)
        dated = days != NO_DATE
        prec[dated] = 1
        for iri, code in precision_codes.items():
            if dated[ids[iri]]:
                prec[ids[iri]] = code
        hub = [(hub_ids or {}).get(iri, "") for iri in iris]
        return cls.from_numbered(
            iris=iris,
            labels=label_list,
            classes=bits,
            src=np.array(src, dtype=np.int64),
            dst=np.array(dst, dtype=np.int64),
            rel=np.array(rel, dtype=np.int64),
            licences=np.array(pairs["license"], dtype=np.int64).reshape(-1, 2),
            families=np.array(pairs["family"], dtype=np.int64).reshape(-1, 2),
            names=numbered_names,
            released=days,
            precision=prec,
            parameters=column(parameters, -1, np.int64),
            hub_ids=hub,
        )

    @classmethod
    def from_numbered(
        cls,
        *,
        iris: Sequence[str],
        labels: Sequence[str | None],
        classes: Sequence[int],
        src: Any,
        dst: Any,
        rel: Any,
        licences: Any = (),
        families: Any = (),
        names: Iterable[tuple[int, str]] = (),
        released: Any = None,
        precision: Any = None,
        parameters: Any = None,
        hub_ids: Sequence[str] | None = None,
    ) -> LineageIndex:
        """Build an index from nodes already numbered (see :meth:`build` for the meaning).

        Raises:
            LineageCycleError: weight lineage has a cycle.
        """
        n = len(iris)
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        rel = np.asarray(rel, dtype=np.int64)
        if len(src):
            keep = np.ones(len(src), dtype=bool)
            key = src * (n + 1) + dst
            for sup, subs in _SUB_CODES.items():
                where = np.flatnonzero(rel == sup)
                explained = np.isin(rel, subs)
                if where.size and explained.any():
                    keep[where[np.isin(key[where], np.unique(key[explained]))]] = False
            triple = np.unique(np.stack([src[keep], dst[keep], rel[keep]]), axis=1)
            src, dst, rel = triple[0], triple[1], triple[2]
        shown = [lab if lab is not None else local_name(iris[i]) for i, lab in enumerate(labels)]
        order = sorted(range(n), key=lambda i: (shown[i].casefold(), iris[i]))
        rank = np.empty(n, dtype=np.int32)
        rank[order] = np.arange(n, dtype=np.int32)

        def first_by_rank(pairs: Any) -> npt.NDArray[np.int32]:
            out = np.full(n, -1, dtype=np.int32)
            pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            if len(pairs):
                pairs = pairs[np.lexsort((-rank[pairs[:, 1]], pairs[:, 0]))]
                out[pairs[:, 0]] = pairs[:, 1]  # the last write per node: the lowest rank
            return out

        developed = rel == _DEVELOPED_BY
        developer = first_by_rank(np.stack([src[developed], dst[developed]], axis=1))
        classes_arr = np.array(classes, dtype=np.uint8) if n else np.zeros(0, dtype=np.uint8)
        names_l: list[tuple[int, str]] = [(i, iris[i]) for i in range(n)]
        names_l += [(i, shown[i]) for i in range(n) if classes_arr[i] and labels[i] is not None]
        names_l += [
            (i, iris[i][len(LLMID_NS) :])
            for i in range(n)
            if classes_arr[i]
            and iris[i].startswith(LLMID_NS)
            and "/" not in iris[i][len(LLMID_NS) :]
        ]
        names_l += [(i, name) for i, name in names if classes_arr[i]]
        names_l = sorted(set(names_l))
        out_ptr, out_dst, out_rel = _csr(src, dst, rel, n)
        in_ptr, in_src, in_rel = _csr(dst, src, rel, n)
        iri_blob, iri_off = _blob(list(iris))
        label_blob, label_off = _blob([lab or "" for lab in labels])
        hfid_blob, hfid_off = _blob(list(hub_ids) if hub_ids is not None else [""] * n)
        typed_names = [(i, name) for i, name in names_l if classes_arr[i]]
        name_blob, name_off = _blob([name for _, name in typed_names])
        arrays: dict[str, Any] = {
            "iri_blob": iri_blob,
            "iri_off": iri_off,
            "label_blob": label_blob,
            "label_off": label_off,
            "has_label": np.array([lab is not None for lab in labels], dtype=np.uint8),
            "classes": classes_arr,
            "rank": rank,
            "license": first_by_rank(licences),
            "developer": developer,
            "family": first_by_rank(families),
            "released": (
                np.asarray(released, dtype=np.int32)
                if released is not None
                else np.full(n, NO_DATE, dtype=np.int32)
            ),
            "precision": (
                np.asarray(precision, dtype=np.uint8)
                if precision is not None
                else np.zeros(n, dtype=np.uint8)
            ),
            "parameters": (
                np.asarray(parameters, dtype=np.int64)
                if parameters is not None
                else np.full(n, -1, dtype=np.int64)
            ),
            "hfid_blob": hfid_blob,
            "hfid_off": hfid_off,
            "out_ptr": out_ptr,
            "out_dst": out_dst,
            "out_rel": out_rel,
            "in_ptr": in_ptr,
            "in_src": in_src,
            "in_rel": in_rel,
            "name_blob": name_blob,
            "name_off": name_off,
            "name_node": np.array([i for i, _ in typed_names], dtype=np.int32),
        }
        exact = [(name.casefold(), i) for i, name in names_l]
        loose = [(normalize(name), i) for i, name in typed_names]
        for table, rows in (("exact", exact), ("loose", [r for r in loose if r[0]])):
            hashes = _hashes([k for k, _ in rows])
            nodes_arr = np.array([i for _, i in rows], dtype=np.int64)
            order_ = np.lexsort((nodes_arr, hashes))
            hashes, nodes_arr = hashes[order_], nodes_arr[order_]
            if len(hashes):
                fresh = np.ones(len(hashes), dtype=bool)
                fresh[1:] = (hashes[1:] != hashes[:-1]) | (nodes_arr[1:] != nodes_arr[:-1])
                hashes, nodes_arr = hashes[fresh], nodes_arr[fresh]
            arrays[f"{table}_hash"] = hashes
            arrays[f"{table}_node"] = nodes_arr.astype(np.int32)
        index = cls(arrays)
        index.check_acyclic()
        return index

    # ------------------------------------------------------------------ saving

    def save(self, directory: Path | str, *, source: str = "") -> None:
        """Write the index as ``.npy`` files into ``directory`` (replaced atomically).

        Args:
            directory: the folder to write.
            source: what the index was built from (a store version); :meth:`load` refuses an
                index whose source or checksum does not match.

        >>> import tempfile
        >>> idx = LineageIndex.build(classes={"http://e/a": MODEL}, labels={"http://e/a": "A"})
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     idx.save(Path(tmp) / "index", source="v1")
        ...     LineageIndex.load(Path(tmp) / "index", source="v1").label(0)
        'A'
        """
        target = Path(directory)
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        check = 0
        for name in _ARRAYS:
            array = np.ascontiguousarray(self._a[name])
            np.save(partial / f"{name}.npy", array)
            check = _checksum(name, array, check)
        manifest = f"{_FORMAT}\n{source}\n{check:08x}\n"
        (partial / "FORMAT").write_text(manifest, encoding="utf-8")
        fd = os.open(partial, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)

    @classmethod
    def load(cls, directory: Path | str, *, source: str | None = None) -> LineageIndex:
        """Map a saved index (memory-mapped) after checking it is whole and unchanged.

        Args:
            directory: the folder :meth:`save` wrote.
            source: the store version it must have been built from (``None``: any).

        Raises:
            FileNotFoundError: no index of this format there, or built from another source.
            DataLoadError: the index is damaged (its checksum does not match its files).
        """
        folder = Path(directory)
        try:
            manifest = (folder / "FORMAT").read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise FileNotFoundError(f"no llmgraph index in {folder}") from None
        if len(manifest) != 3 or manifest[0] != _FORMAT:
            raise FileNotFoundError(f"no llmgraph index of format {_FORMAT} in {folder}")
        if source is not None and manifest[1] != source:
            raise FileNotFoundError(f"the index in {folder} was built from another version")
        check = 0
        arrays: dict[str, Any] = {}
        try:
            for name in _ARRAYS:
                arrays[name] = np.load(folder / f"{name}.npy", mmap_mode="r")
                check = _checksum(name, arrays[name], check)
        except (OSError, ValueError) as exc:
            raise DataLoadError(f"the lineage index is damaged: {exc}", path=folder) from exc
        if f"{check:08x}" != manifest[2]:
            raise DataLoadError(
                "the lineage index is damaged: its checksum does not match its files",
                path=folder,
            )
        return cls(arrays)

    # ------------------------------------------------------------------ nodes

    def __len__(self) -> int:
        """Return the number of nodes."""
        return self._n

    @property
    def arrays(self) -> Mapping[str, Any]:
        """The raw arrays (read-only views), for whole-graph computations."""
        return self._a

    @property
    def edge_count(self) -> int:
        """The number of edges (one per relation between a pair)."""
        return len(self._a["out_dst"])

    def iri(self, node: int) -> IRI:
        """Return the IRI of ``node``."""
        off = self._a["iri_off"]
        return IRI(
            bytes(self._a["iri_blob"][off[node] : off[node + 1]]).decode("utf-8", "surrogatepass")
        )

    def iris(self, nodes: Any) -> list[str]:
        """Return the IRIs of many nodes at once (vectorized)."""
        return _texts(
            self._blob_view("iri_blob"), self._a["iri_off"], np.asarray(nodes, dtype=np.int64)
        )

    def label(self, node: int) -> str:
        """Return the label of ``node`` (the IRI's last part when it has none)."""
        if not self._a["has_label"][node]:
            return local_name(self.iri(node))
        off = self._a["label_off"]
        return bytes(self._a["label_blob"][off[node] : off[node + 1]]).decode(
            "utf-8", "surrogatepass"
        )

    def labels(self, nodes: Any) -> list[str]:
        """Return the labels of many nodes at once (the IRI's last part when one has none)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        texts = _texts(self._blob_view("label_blob"), self._a["label_off"], nodes)
        missing = np.flatnonzero(np.asarray(self._a["has_label"])[nodes] == 0)
        if missing.size:
            for i, iri in zip(missing.tolist(), self.iris(nodes[missing]), strict=True):
                texts[i] = local_name(iri)
        return texts

    def hub_ids(self, nodes: Any) -> list[str]:
        """Return the Hugging Face id of each node (``""`` for none)."""
        return _texts(self._a["hfid_blob"], self._a["hfid_off"], np.asarray(nodes, dtype=np.int64))

    def classes(self, node: int) -> int:
        """Return the class bits of ``node`` (:data:`MODEL`, :data:`FAMILY` …)."""
        return int(self._a["classes"][node])

    def kind(self, node: int) -> str | None:
        """Return ``"model"``, ``"family"``, ``"organization"``, ``"platform"``, ``"licence"``."""
        return kind_of_bits(self.classes(node))

    def licence(self, node: int) -> int:
        """Return the node of the licence of ``node``, or -1."""
        return int(self._a["license"][node])

    def developer(self, node: int) -> int:
        """Return the node of the developer of ``node`` (the first by label), or -1."""
        return int(self._a["developer"][node])

    def family(self, node: int) -> int:
        """Return the node of the family of ``node`` (the first by label), or -1."""
        return int(self._a["family"][node])

    def released(self, node: int) -> dt.date | None:
        """Return the release date of ``node``, or ``None``."""
        days = int(self._a["released"][node])
        return None if days == NO_DATE else _EPOCH + dt.timedelta(days=days)

    def precision(self, node: int) -> str | None:
        """Return how exact the release date is (``"day"``, ``"month"``, ``"public-by"``)."""
        return PRECISIONS[int(self._a["precision"][node])] or None

    def parameters(self, node: int) -> int | None:
        """Return the parameter count of ``node``, or ``None``."""
        count = int(self._a["parameters"][node])
        return None if count < 0 else count

    def node(self, iri: str) -> int:
        """Return the node number of ``iri``.

        Raises:
            UnknownEntityError: ``iri`` is not a node.
        """
        found = self.find(iri)
        if found < 0:
            raise UnknownEntityError(iri)
        return found

    def find(self, iri: str) -> int:
        """Return the node number of ``iri``, or -1."""
        for hit in self.lookup("exact", iri.casefold()):
            if self.iri(hit) == iri:
                return hit
        return -1

    def has(self, iri: str) -> bool:
        """Return whether ``iri`` is a node."""
        return self.find(iri) >= 0

    def lookup(self, table: Literal["exact", "loose"], key: str) -> list[int]:
        """Return the nodes that have a name with this exact (case-folded) or loose key."""
        if not key:
            return []
        hashes = self._a[f"{table}_hash"]
        h = _hash(key)
        lo = int(np.searchsorted(hashes, h, side="left"))
        hi = int(np.searchsorted(hashes, h, side="right"))
        return sorted({int(x) for x in self._a[f"{table}_node"][lo:hi]})

    def names(self) -> tuple[list[str], IntArray]:
        """Return every name of every typed entity and the node each belongs to."""
        off = np.asarray(self._a["name_off"])
        texts = _texts(self._a["name_blob"], off, np.arange(len(off) - 1, dtype=np.int64))
        return texts, np.asarray(self._a["name_node"], dtype=np.int64)

    @property
    def digest(self) -> str:
        """A short checksum of the arrays: equal for equal graphs, whatever built them."""
        if self._digest is None:
            hasher = hashlib.blake2b(digest_size=8)
            for name in _ARRAYS:
                hasher.update(np.ascontiguousarray(self._a[name]).tobytes())
            self._digest = hasher.hexdigest()
        return self._digest

    # ------------------------------------------------------------------ traversals

    @staticmethod
    def mask(relations: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Return the relation mask (one bool per relation code) of relation names."""
        wanted = set(relations)
        return np.array([r in wanted for r in RELATIONS])

    def _sides(self, direction: Direction) -> tuple[Any, Any, Any]:
        names = (
            ("out_ptr", "out_dst", "out_rel")
            if direction == "out"
            else ("in_ptr", "in_src", "in_rel")
        )
        return tuple(np.asarray(self._a[name]) for name in names)  # type: ignore[return-value]

    def expand(
        self, frontier: IntArray, direction: Direction, mask: npt.NDArray[np.bool_]
    ) -> tuple[IntArray, IntArray, IntArray]:
        """Return (position in frontier, neighbour, relation code) of the allowed edges."""
        ptr, adj, rel = self._sides(direction)
        edge, counts = _edges_of(ptr, frontier)
        if not edge.size:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        pos = np.repeat(np.arange(len(frontier), dtype=np.int64), counts)
        codes = rel[edge].astype(np.int64)
        if not mask.all():
            keep = mask[codes]
            pos, edge, codes = pos[keep], edge[keep], codes[keep]
        return pos, adj[edge].astype(np.int64), codes

    def reachable(
        self,
        starts: Sequence[int] | IntArray,
        *,
        direction: Direction,
        relations: Iterable[str] = WEIGHT_RELATIONS,
        depth: int | None = None,
    ) -> IntArray:
        """Return the nodes reachable from ``starts`` (excluded), sorted by node number.

        The fast form: no labels, no paths, one vectorized step per depth level.

        >>> idx = LineageIndex.build(classes={"http://e/a": MODEL},
        ...     edges=[("http://e/b", "quantizedFrom", "http://e/a")])
        >>> idx.reachable([idx.node("http://e/b")], direction="out").tolist()
        [0]
        """
        mask = self.mask(relations)
        every = bool(mask.all())
        ptr, adj, rel = self._sides(direction)
        # a mark per node, and scratch that dedupes a level without a sort (int32, as the
        # adjacency); both kept for the next walk: fresh ones of a million nodes cost more
        # in page faults than the walk of a 130 k family (8 ms against 5 ms)
        try:
            seen, slot = self._scratch.pop()
        except IndexError:
            seen, slot = np.zeros(self._n, dtype=bool), np.empty(self._n, dtype=np.int32)
        first = np.unique(np.asarray(starts, dtype=np.int64))
        frontier = first
        seen[frontier] = True
        level = 0
        while frontier.size and (depth is None or level < depth):
            edge, _ = _edges_of(ptr, frontier)  # no positions: only paths need them
            if not every:
                edge = edge[mask[rel[edge]]]
            nb = adj[edge]
            nb = nb[~seen[nb]]
            positions = np.arange(len(nb), dtype=np.int32)
            slot[nb] = positions  # the last write per node wins: keep that occurrence only
            frontier = nb[slot[nb] == positions]
            seen[frontier] = True
            level += 1
        seen[first] = False
        out: IntArray = np.flatnonzero(seen)
        seen[out] = False
        if len(self._scratch) < _SCRATCH_KEPT:
            self._scratch.append((seen, slot))
        return out

    def _walk_one(
        self,
        start: int,
        direction: Direction,
        mask: npt.NDArray[np.bool_],
        depth: int | None,
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, dict[int, tuple[int, ...]]]:
        """Walk breadth-first from one start.

        A level's nodes are ordered by (position of their ``via`` in the previous level, label
        rank); a node's ``via`` is the first node of the previous level that reaches it.
        """
        rank = np.asarray(self._a["rank"])
        seen = np.zeros(self._n, dtype=bool)
        seen[start] = True
        frontier = np.array([start], dtype=np.int64)
        nodes: list[IntArray] = []
        depths: list[IntArray] = []
        vias: list[IntArray] = []
        codes_out: list[IntArray] = []
        multi: dict[int, tuple[int, ...]] = {}
        level = 0
        while frontier.size and (depth is None or level < depth):
            pos, nb, codes = self.expand(frontier, direction, mask)
            fresh = ~seen[nb]
            pos, nb, codes = pos[fresh], nb[fresh], codes[fresh]
            if not nb.size:
                break
            order = np.lexsort((codes, pos, nb))
            pos, nb, codes = pos[order], nb[order], codes[order]
            first = np.ones(len(nb), dtype=bool)
            first[1:] = nb[1:] != nb[:-1]
            new = nb[first]
            via_pos = pos[first]
            first_code = codes[first]
            group = np.cumsum(first) - 1
            same = pos == via_pos[group]
            counts = np.bincount(group[same], minlength=len(new))
            for g in np.flatnonzero(counts > 1).tolist():
                chosen = codes[same & (group == g)]
                multi[int(new[g])] = tuple(sorted(set(chosen.tolist()), key=lambda c: RELATIONS[c]))
            order = np.lexsort((rank[new], via_pos))
            new, via_pos, first_code = new[order], via_pos[order], first_code[order]
            seen[new] = True
            level += 1
            nodes.append(new)
            depths.append(np.full(len(new), level, dtype=np.int64))
            vias.append(frontier[via_pos])
            codes_out.append(first_code)
            frontier = new
        if not nodes:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty, empty, multi
        return (
            np.concatenate(nodes),
            np.concatenate(depths),
            np.concatenate(vias),
            np.concatenate(codes_out),
            multi,
        )

    def walk(
        self,
        starts: Sequence[int],
        *,
        direction: Direction,
        relations: Iterable[str] = WEIGHT_RELATIONS,
        depth: int | None = None,
    ) -> Walk:
        """Walk from ``starts`` and return every entity reached, at its shortest distance.

        Rows are sorted by depth, then label (case-folded), then IRI. A node reached from
        several starts keeps the first start that reaches it at its smallest depth.

        Raises:
            UsageError: a negative depth.

        >>> idx = LineageIndex.build(classes={"http://e/a": MODEL, "http://e/b": MODEL},
        ...     edges=[("http://e/b", "fineTunedFrom", "http://e/a")])
        >>> w = idx.walk([idx.node("http://e/b")], direction="out")
        >>> idx.iris(w.nodes), w.depth.tolist(), w.relations_of(0)
        (['http://e/a'], [1], ('fineTunedFrom',))
        """
        if depth is not None and depth < 0:
            raise UsageError(f"depth must be 0 or more, got {depth}")
        mask = self.mask(relations)
        best_depth = np.full(self._n, np.iinfo(np.int64).max, dtype=np.int64)
        owner = np.full(self._n, -1, dtype=np.int64)
        parts: list[tuple[int, IntArray, IntArray, IntArray, IntArray]] = []
        extras: list[tuple[int, dict[int, tuple[int, ...]]]] = []
        trails: dict[int, tuple[IntArray, IntArray]] = {}
        for number, start in enumerate(int(s) for s in starts):
            if start in trails:
                continue
            nodes, depths, vias, codes, extra = self._walk_one(start, direction, mask, depth)
            trails[start] = (nodes, vias)
            better = depths < best_depth[nodes]
            best_depth[nodes[better]] = depths[better]
            owner[nodes[better]] = number
            parts.append((number, nodes, depths, vias, codes))
            extras.append((number, extra))
        multi = {
            node: rels
            for number, extra in extras
            for node, rels in extra.items()
            if owner[node] == number
        }
        rows_nodes: list[IntArray] = []
        rows: list[tuple[IntArray, ...]] = []
        starts_list = [int(s) for s in starts]
        for number, nodes, depths, vias, codes in parts:
            mine = owner[nodes] == number
            rows_nodes.append(nodes[mine])
            rows.append(
                (
                    depths[mine],
                    vias[mine],
                    codes[mine],
                    np.full(int(mine.sum()), starts_list[number], dtype=np.int64),
                )
            )
        if rows_nodes:
            nodes = np.concatenate(rows_nodes)
            depth_a, via_a, code_a, start_a = (np.concatenate(c) for c in zip(*rows, strict=True))
        else:
            nodes = depth_a = via_a = code_a = start_a = np.empty(0, dtype=np.int64)
        order = np.lexsort((np.asarray(self._a["rank"])[nodes], depth_a))
        return Walk(
            self,
            nodes[order],
            depth_a[order],
            via_a[order],
            code_a[order],
            start_a[order],
            multi,
            trails,
        )

    def shortest_path(
        self, a: int, b: int, *, relations: Iterable[str], directed: bool
    ) -> list[tuple[int, int, str, bool]] | None:
        """Return a shortest path from ``a`` to ``b`` as steps, or ``None`` if there is none.

        A step is ``(subject, object, relation, forward)``: the triple walked and whether the
        walk goes from subject to object (child to parent). Undirected walks may go down
        again; among several shortest paths, the one whose labels (case-folded), then IRIs,
        sort first.

        >>> idx = LineageIndex.build(classes={"http://e/a": MODEL, "http://e/b": MODEL,
        ...     "http://e/c": MODEL}, edges=[("http://e/b", "fineTunedFrom", "http://e/a"),
        ...     ("http://e/c", "fineTunedFrom", "http://e/a")])
        >>> [(idx.label(s), r, idx.label(o), f) for s, o, r, f in
        ...  idx.shortest_path(idx.node("http://e/b"), idx.node("http://e/c"),
        ...  relations={"fineTunedFrom"}, directed=False)]
        [('b', 'fineTunedFrom', 'a', True), ('c', 'fineTunedFrom', 'a', False)]
        """
        allowed = set(relations)
        if a == b:
            return []
        mask = self.mask(allowed)
        forward: tuple[Direction, ...] = ("out",) if directed else ("out", "in")
        backward: tuple[Direction, ...] = ("in",) if directed else ("out", "in")
        da = self._distances(a, b, forward, mask)
        if da[b] < 0:
            return None
        db = self._distances(b, a, backward, mask)
        total = int(da[b])
        on_path = np.flatnonzero((da >= 0) & (db >= 0) & (da + db == total))
        inside = set(on_path.tolist())
        # relations between on-path nodes, in both directions
        rels: dict[tuple[int, int], set[str]] = {}
        for node in sorted(inside):
            _, parents, codes = self.expand(np.array([node]), "out", mask)
            for parent, code in zip(parents.tolist(), codes.tolist(), strict=True):
                if parent in inside:
                    rels.setdefault((node, parent), set()).add(RELATIONS[code])
        nxt: dict[int, list[int]] = {}
        for u, v in rels:
            if da[v] == da[u] + 1:
                nxt.setdefault(u, []).append(v)
            if not directed and da[u] == da[v] + 1:
                nxt.setdefault(v, []).append(u)
        label_key = {n: self.label(n).casefold() for n in inside}
        iri_key = {n: self.iri(n) for n in inside}

        def key(path: list[int]) -> tuple[list[str], list[str]]:
            return [label_key[n] for n in path], [iri_key[n] for n in path]

        best: list[int] | None = None
        stack: list[list[int]] = [[a]]
        while stack:
            path = stack.pop()
            tail = path[-1]
            if tail == b:
                if best is None or key(path) < key(best):
                    best = path
                continue
            for follower in nxt.get(tail, []):
                stack.append([*path, follower])
        assert best is not None  # b is reachable, so a shortest path exists
        steps: list[tuple[int, int, str, bool]] = []
        for u, v in itertools.pairwise(best):
            if (u, v) in rels:
                steps.append((u, v, sorted(rels[(u, v)])[0], True))
            else:
                steps.append((v, u, sorted(rels[(v, u)])[0], False))
        return steps

    def _distances(
        self, start: int, goal: int, directions: tuple[Direction, ...], mask: Any
    ) -> IntArray:
        dist = np.full(self._n, -1, dtype=np.int64)
        dist[start] = 0
        frontier = np.array([start], dtype=np.int64)
        level = 0
        while frontier.size and dist[goal] < 0:
            level += 1
            found = [self.expand(frontier, d, mask)[1] for d in directions]
            nb = np.unique(np.concatenate(found))
            nb = nb[dist[nb] < 0]
            dist[nb] = level
            frontier = nb
        return dist

    # ------------------------------------------------------------------ cycles

    def topological_levels(self) -> IntArray:
        """Return each node's generation along weight lineage (roots are 0), or raise.

        Raises:
            LineageCycleError: weight lineage has a cycle.
        """
        ptr, rel = np.asarray(self._a["out_ptr"]), np.asarray(self._a["out_rel"])
        weight = _WEIGHT_MASK[rel.astype(np.int64)]
        src = np.repeat(np.arange(self._n, dtype=np.int64), np.diff(ptr))[weight]
        pending = np.bincount(src, minlength=self._n)
        del src
        level = np.full(self._n, -1, dtype=np.int64)
        current = np.flatnonzero(pending == 0)
        level[current] = 0
        generation = 0
        while current.size:
            generation += 1
            _, children, _ = self.expand(current, "in", _WEIGHT_MASK)
            if not children.size:
                break
            np.subtract.at(pending, children, 1)
            ready = np.unique(children[pending[children] == 0])
            ready = ready[level[ready] < 0]
            level[ready] = generation
            current = ready
        if (level < 0).any():
            stuck = set(np.flatnonzero(level < 0).tolist())
            adjacency = {
                node: [
                    int(p)
                    for p in self.expand(np.array([node]), "out", _WEIGHT_MASK)[1].tolist()
                    if int(p) in stuck
                ]
                for node in sorted(stuck)
            }
            cycle = _find_cycle(adjacency, sorted(stuck))
            assert cycle is not None  # nodes left unlevelled lie on or above a cycle
            raise LineageCycleError([self.iri(n) for n in cycle], [self.label(n) for n in cycle])
        return level

    def check_acyclic(self) -> None:
        """Raise :class:`~llmgraph.errors.LineageCycleError` if weight lineage has a cycle."""
        self.topological_levels()

    def find_cycle(
        self, new_edges: Iterable[tuple[str, str]], labels: Mapping[str, str] | None = None
    ) -> None:
        """Refuse new derivation edges that would close a cycle with this graph's lineage.

        A cycle may run through the existing edges, the new ones, or both (a cycle made
        within one batch is found too).

        Args:
            new_edges: ``(child IRI, parent IRI)`` weight-lineage edges about to be written.
            labels: labels of entities that are new (not in the index), for the message.

        Raises:
            LineageCycleError: the full cycle, first entity repeated at the end.

        >>> idx = LineageIndex.build(classes={}, edges=[("http://e/b", "fineTunedFrom", "http://e/a")])
        >>> idx.find_cycle([("http://e/c", "http://e/b"), ("http://e/a", "http://e/c")])
        Traceback (most recent call last):
        ...
        llmgraph.errors.LineageCycleError: derivation cycle: a → c → b → a
        """
        added: dict[str, list[str]] = {}
        for child, parent in new_edges:
            added.setdefault(str(child), []).append(str(parent))
        if not added:
            return
        names = dict(labels or {})

        def parents(node: str) -> list[str]:
            out = list(added.get(node, ()))
            found = self.find(node)
            if found >= 0:
                _, ups, _ = self.expand(np.array([found]), "out", _WEIGHT_MASK)
                out += self.iris(ups)
            return sorted(set(out))

        # only nodes reachable upwards from a new edge can lie on a new cycle
        adjacency: dict[str, list[str]] = {}
        todo = sorted(added)
        while todo:
            node = todo.pop()
            if node in adjacency:
                continue
            adjacency[node] = parents(node)
            todo.extend(p for p in adjacency[node] if p not in adjacency)
        cycle = _find_cycle(adjacency, sorted(added))
        if cycle is not None:

            def label(iri: str) -> str:
                found = self.find(iri)
                if found >= 0 and self._a["has_label"][found]:
                    return self.label(found)
                return names.get(iri) or local_name(iri)

            raise LineageCycleError(cycle, [label(n) for n in cycle])


def _find_cycle(adjacency: Mapping[Any, Sequence[Any]], starts: Sequence[Any]) -> list[Any] | None:
    """Return a cycle (first node repeated at the end) reachable from ``starts``, or None."""
    state: dict[Any, int] = {}  # 1: on the current path, 2: done
    for root in starts:
        if state.get(root):
            continue
        path: list[Any] = [root]
        iters = [iter(adjacency.get(root, ()))]
        state[root] = 1
        while iters:
            for nxt in iters[-1]:
                mark = state.get(nxt)
                if mark == 1:
                    return [*path[path.index(nxt) :], nxt]
                if mark is None:
                    state[nxt] = 1
                    path.append(nxt)
                    iters.append(iter(adjacency.get(nxt, ())))
                    break
            else:
                state[path.pop()] = 2
                iters.pop()
    return None
