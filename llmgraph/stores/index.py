"""A compact lineage index: the mirror's edges as CSR arrays, persisted beside a store.

At Hub scale (millions of models) a networkx mirror costs gigabytes and seconds to build on
every open. The index keeps the same projection (see :mod:`llmgraph.mirror`: an edge from a
triple's subject to its object, keyed by relation; ``llm:derivedFrom`` / ``llm:backs`` only
where no sub-relation explains them) as integer arrays:

- ``out_ptr`` / ``out_dst`` / ``out_rel``: child → parent (out-edges), CSR by source node;
- ``in_ptr`` / ``in_src`` / ``in_rel``: the same edges reversed;
- node IRIs and labels as UTF-8 blobs with offsets, a class bit mask and a label rank per
  node, the licence of each model, and sorted hashes of every name for :meth:`resolve`.

Traversals are breadth-first over whole frontiers with numpy, so the descendants of a
150 k-model family come back as ids in milliseconds; labels are decoded only when asked for.
The walk reproduces :func:`llmgraph.lineage.descendants` exactly (same ``depth``, ``via``,
``relation`` and ``path`` for every result), and its id sets equal SPARQL
``llm:derivedFrom+``.

The index is saved as ``.npy`` files in a directory named after the store version it was
built from, so a stale index is never used: a store that changed gets a new version and a
fresh index.

>>> idx = LineageIndex.build(
...     classes={"http://e/a": MODEL, "http://e/b": MODEL},
...     edges=[("http://e/b", "fineTunedFrom", "http://e/a")],
... )
>>> [idx.iri(int(i)) for i in idx.descendant_ids(idx.node("http://e/a"))]
['http://e/b']
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from llmgraph.errors import AmbiguousNameError, LineageCycleError, UnknownEntityError, UsageError
from llmgraph.lineage import ALL_LINEAGE, BACKING_RELATIONS, WEIGHT_RELATIONS, Link
from llmgraph.names import PREFERENCES, normalize
from llmgraph.vocab import LLM, LLMID, ORGANIZATION_KINDS, PREFIXES

__all__ = [
    "FAMILY",
    "LICENSE",
    "MODEL",
    "ORGANIZATION",
    "PLATFORM",
    "RELATIONS",
    "LineageIndex",
    "index_of_rdf",
    "name_keys",
]

IntArray = npt.NDArray[np.int64]

MODEL = 1
"""Class bit of ``llm:Model``."""
FAMILY = 2
"""Class bit of ``llm:ModelFamily``."""
ORGANIZATION = 4
"""Class bit of ``llm:Organization`` (and its subclasses)."""
PLATFORM = 8
"""Class bit of ``llm:Platform``."""
LICENSE = 16
"""Class bit of ``llm:License``."""

CLASS_BITS: dict[str, int] = {
    str(LLM.Model): MODEL,
    str(LLM.ModelFamily): FAMILY,
    str(LLM.Organization): ORGANIZATION,
    str(LLM.Platform): PLATFORM,
    str(LLM.License): LICENSE,
    **{str(k): ORGANIZATION for k in ORGANIZATION_KINDS},
}
"""Class IRI → class bit; the organization kinds count as organizations."""
_KIND_NAMES = {MODEL: "model", ORGANIZATION: "organization", PLATFORM: "platform"}

RELATIONS: tuple[str, ...] = tuple(
    sorted(ALL_LINEAGE | BACKING_RELATIONS | {"developedBy", "hostedOn", "operatedBy"})
)
"""The relations the index holds; an edge's ``rel`` code is a position in this tuple."""

_REL_CODE = {name: i for i, name in enumerate(RELATIONS)}
_SUB = {"derivedFrom": WEIGHT_RELATIONS - {"derivedFrom"}, "backs": BACKING_RELATIONS - {"backs"}}
_WEIGHT_MASK = np.array([r in WEIGHT_RELATIONS for r in RELATIONS])
_FORMAT = 2
_ARRAYS = (
    "iri_blob",
    "iri_off",
    "label_blob",
    "label_off",
    "has_label",
    "classes",
    "rank",
    "license",
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
)


def name_keys(name: str) -> tuple[str, str]:
    """Return the exact (case-folded) and loose (:func:`~llmgraph.names.normalize`) keys.

    >>> name_keys("Llama-2 7B")
    ('llama-2 7b', 'llama27b')
    """
    return name.casefold(), normalize(name)


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _hashes(texts: list[str]) -> npt.NDArray[np.uint64]:
    blake = hashlib.blake2b
    digests = b"".join([blake(t.encode("utf-8"), digest_size=8).digest() for t in texts])
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def _blob(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint8], IntArray]:
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def _csr(src: IntArray, dst: IntArray, rel: IntArray, n: int) -> tuple[IntArray, Any, Any]:
    order = np.lexsort((rel, dst, src))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, dst[order].astype(np.int32), rel[order].astype(np.uint8)


def _fallback_label(iri: str) -> str:
    text = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[1]
    return iri


def _texts(blob: Any, offsets: Any, nodes: IntArray) -> list[str]:
    starts = np.asarray(offsets)[nodes].tolist()
    ends = np.asarray(offsets)[nodes + 1].tolist()
    raw = np.ascontiguousarray(blob).data
    return [str(raw[a:b], "utf-8") for a, b in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class _Walk:
    """The result of a frontier walk: reached nodes in BFS order with their step data."""

    nodes: IntArray
    depth: IntArray
    via: IntArray


class LineageIndex:
    """The lineage, backing and hosting edges of a graph as integer arrays.

    Build one with :meth:`build` (from IRIs and edges) or :meth:`load` (from a saved index);
    save it with :meth:`save`. Node numbers are positions in the index, stable for one index.
    """

    def __init__(self, arrays: Mapping[str, Any]):
        self._a = dict(arrays)
        self._n = len(self._a["classes"])

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        *,
        classes: Mapping[str, int],
        labels: Mapping[str, str] | None = None,
        edges: Iterable[tuple[str, str, str]] = (),
        names: Iterable[tuple[str, str]] = (),
        licences: Iterable[tuple[str, str]] = (),
    ) -> LineageIndex:
        """Build an index.

        Args:
            classes: IRI → class bits (:data:`MODEL` …) of every typed entity.
            labels: IRI → label, for any IRI that becomes a node.
            edges: ``(subject IRI, relation name, object IRI)``, relation in :data:`RELATIONS`
                (others are ignored); ``derivedFrom`` / ``backs`` are dropped where a
                sub-relation joins the same pair, as in the mirror.
            names: extra ``(IRI, name)`` pairs (aliases, Hugging Face ids) for resolving.
            licences: ``(model IRI, licence IRI)`` pairs.

        Returns:
            The index.

        Raises:
            LineageCycleError: weight lineage has a cycle (named with its labels).
        """
        label_of = labels or {}
        ids: dict[str, int] = {}
        labels_l: list[str | None] = []
        classes_l: list[int] = []
        for iri, bits in classes.items():
            ids[iri] = len(labels_l)
            labels_l.append(label_of.get(iri))
            classes_l.append(bits)

        def node_id(iri: str) -> int:
            found = ids.get(iri)
            if found is None:
                found = ids[iri] = len(labels_l)
                labels_l.append(label_of.get(iri))
                classes_l.append(0)
            return found

        src_l: list[int] = []
        dst_l: list[int] = []
        rel_l: list[int] = []
        for s, relation, o in edges:
            code = _REL_CODE.get(relation)
            if code is None:
                continue
            a, b = node_id(s), node_id(o)
            src_l.append(a)
            dst_l.append(b)
            rel_l.append(code)
        first_licence: dict[str, str] = {}
        for model, licence in licences:
            old = first_licence.get(model)
            if old is None or licence < old:
                first_licence[model] = licence
        pairs = [(node_id(m), node_id(lic)) for m, lic in first_licence.items()]
        iris = [""] * len(labels_l)
        for iri, i in ids.items():
            iris[i] = iri
        extra_names: list[tuple[int, str]] = []
        for iri, name in names:
            known = ids.get(iri)
            if known is not None:
                extra_names.append((known, name))
        return cls.from_numbered(
            iris=iris,
            labels=labels_l,
            classes=classes_l,
            src=np.array(src_l, dtype=np.int64),
            dst=np.array(dst_l, dtype=np.int64),
            rel=np.array(rel_l, dtype=np.int64),
            licences=np.array(pairs, dtype=np.int64).reshape(-1, 2),
            names=extra_names,
        )

    @classmethod
    def from_numbered(
        cls,
        *,
        iris: list[str],
        labels: list[str | None],
        classes: Sequence[int],
        src: Any,
        dst: Any,
        rel: Any,
        licences: Any,
        names: Iterable[tuple[int, str]] = (),
    ) -> LineageIndex:
        """Build an index from nodes already numbered (the bulk importer's fast path).

        Args:
            iris: the IRI of each node number.
            labels: the label of each node, or ``None``.
            classes: the class bits of each node.
            src: edge sources (node numbers).
            dst: edge targets (node numbers).
            rel: edge relation codes (positions in :data:`RELATIONS`).
            licences: an (n, 2) array of (model node, licence node); the last one wins.
            names: extra (node, name) pairs for resolving.

        Raises:
            LineageCycleError: weight lineage has a cycle.
        """
        labels_l = labels
        classes_l = list(classes) if not isinstance(classes, list) else classes
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        rel = np.asarray(rel, dtype=np.int64)
        n = len(iris)
        if len(src):  # derivedFrom / backs only where nothing more specific explains them
            keep = np.ones(len(src), dtype=bool)
            sup_codes = {_REL_CODE[s]: {_REL_CODE[x] for x in subs} for s, subs in _SUB.items()}
            for code, subs in sup_codes.items():
                where = np.flatnonzero(rel == code)
                explained = np.isin(rel, list(subs))
                if not where.size or not explained.any():
                    continue
                key = src * (len(labels_l) + 1) + dst
                explained_keys = np.unique(key[explained])
                keep[where[np.isin(key[where], explained_keys)]] = False
            # duplicates of the same (src, dst, rel)
            src, dst, rel = src[keep], dst[keep], rel[keep]
            triple = np.unique(np.stack([src, dst, rel]), axis=1)
            src, dst, rel = triple[0], triple[1], triple[2]
        licence_of = np.full(n, -1, dtype=np.int32)
        pairs_arr = np.asarray(licences, dtype=np.int64).reshape(-1, 2)
        if len(pairs_arr):
            licence_of[pairs_arr[:, 0]] = pairs_arr[:, 1]
        shown = [
            lab if lab is not None else _fallback_label(iris[i]) for i, lab in enumerate(labels_l)
        ]
        rank = np.empty(n, dtype=np.int32)
        rank[sorted(range(n), key=lambda i: (shown[i].casefold(), iris[i]))] = np.arange(
            n, dtype=np.int32
        )
        # names: every IRI; for typed entities also the label, other names (aliases, Hub
        # ids) and the slug of an llmid: IRI that has no "/" (curated ids such as llama-2-7b)
        llmid = str(LLMID)
        exact_keys: list[str] = [iri.casefold() for iri in iris]
        exact_nodes: list[int] = list(range(n))
        named: list[tuple[int, str]] = [
            (i, shown[i]) for i in range(n) if classes_l[i] and labels_l[i] is not None
        ]
        named += [
            (i, iris[i][len(llmid) :])
            for i in range(n)
            if classes_l[i] and iris[i].startswith(llmid) and "/" not in iris[i][len(llmid) :]
        ]
        for known, name in names:
            if classes_l[known] and name != labels_l[known]:
                named.append((known, name))
        exact_keys += [name.casefold() for _, name in named]
        exact_nodes += [i for i, _ in named]
        loose_keys = [normalize(name) for _, name in named]
        loose_nodes = [i for i, _ in named]
        out_ptr, out_dst, out_rel = _csr(src, dst, rel, n)
        in_ptr, in_src, in_rel = _csr(dst, src, rel, n)
        iri_blob, iri_off = _blob(iris)
        label_blob, label_off = _blob([lab or "" for lab in labels_l])
        has_label = np.array([lab is not None for lab in labels_l], dtype=np.uint8)
        arrays: dict[str, Any] = {
            "iri_blob": iri_blob,
            "iri_off": iri_off,
            "label_blob": label_blob,
            "label_off": label_off,
            "has_label": has_label,
            "classes": np.array(classes_l, dtype=np.uint8),
            "rank": rank,
            "license": licence_of,
            "out_ptr": out_ptr,
            "out_dst": out_dst,
            "out_rel": out_rel,
            "in_ptr": in_ptr,
            "in_src": in_src,
            "in_rel": in_rel,
        }
        for table_name, keys_, nodes_ in (
            ("exact", exact_keys, exact_nodes),
            ("loose", loose_keys, loose_nodes),
        ):
            hashes = _hashes(keys_)
            node_arr = np.array(nodes_, dtype=np.int64)
            order = np.lexsort((node_arr, hashes))
            hashes, node_arr = hashes[order], node_arr[order]
            if len(hashes):  # drop repeated (name, node) pairs
                fresh = np.ones(len(hashes), dtype=bool)
                fresh[1:] = (hashes[1:] != hashes[:-1]) | (node_arr[1:] != node_arr[:-1])
                hashes, node_arr = hashes[fresh], node_arr[fresh]
            arrays[f"{table_name}_hash"] = hashes
            arrays[f"{table_name}_node"] = node_arr.astype(np.int32)
        index = cls(arrays)
        index.check_acyclic()
        return index

    def save(self, directory: Path | str) -> None:
        """Write the index as ``.npy`` files into ``directory`` (created atomically).

        >>> import tempfile
        >>> idx = LineageIndex.build(classes={"http://e/a": MODEL}, labels={"http://e/a": "A"})
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     idx.save(Path(tmp) / "index")
        ...     LineageIndex.load(Path(tmp) / "index").label(0)
        'A'
        """
        target = Path(directory)
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for name in _ARRAYS:
            np.save(partial / f"{name}.npy", self._a[name])
        (partial / "FORMAT").write_text(str(_FORMAT), encoding="utf-8")
        fd = os.open(partial, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)

    @classmethod
    def load(cls, directory: Path | str) -> LineageIndex:
        """Map a saved index (memory-mapped: opening costs milliseconds at any size).

        Raises:
            FileNotFoundError: ``directory`` holds no complete index of this version.
        """
        folder = Path(directory)
        fmt = folder / "FORMAT"
        if not fmt.is_file() or fmt.read_text(encoding="utf-8").strip() != str(_FORMAT):
            raise FileNotFoundError(f"no llmgraph index of format {_FORMAT} in {folder}")
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        return cls(arrays)

    # ------------------------------------------------------------------ nodes

    def __len__(self) -> int:
        """Return the number of nodes."""
        return self._n

    @property
    def edge_count(self) -> int:
        """The number of edges (one per relation between a pair)."""
        return len(self._a["out_dst"])

    def iri(self, node: int) -> str:
        """Return the IRI of ``node``."""
        off = self._a["iri_off"]
        return bytes(self._a["iri_blob"][off[node] : off[node + 1]]).decode("utf-8")

    def label(self, node: int) -> str:
        """Return the label of ``node`` (the IRI's last part when it has none)."""
        if not self._a["has_label"][node]:
            return _fallback_label(self.iri(node))
        off = self._a["label_off"]
        return bytes(self._a["label_blob"][off[node] : off[node + 1]]).decode("utf-8")

    def iris(self, nodes: Any) -> list[str]:
        """Return the IRIs of many nodes at once (vectorized; much faster than :meth:`iri`)."""
        return _texts(self._a["iri_blob"], self._a["iri_off"], np.asarray(nodes, dtype=np.int64))

    def labels(self, nodes: Any) -> list[str]:
        """Return the labels of many nodes at once (the IRI's last part when one has none)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        texts = _texts(self._a["label_blob"], self._a["label_off"], nodes)
        missing = np.flatnonzero(np.asarray(self._a["has_label"])[nodes] == 0)
        if missing.size:
            for i, iri in zip(missing.tolist(), self.iris(nodes[missing]), strict=True):
                texts[i] = _fallback_label(iri)
        return texts

    def kind(self, node: int) -> str | None:
        """Return ``"model"``, ``"organization"``, ``"platform"`` or ``None``."""
        bits = int(self._a["classes"][node])
        for bit, name in _KIND_NAMES.items():
            if bits & bit:
                return name
        return None

    def classes(self, node: int) -> int:
        """Return the class bits of ``node`` (:data:`MODEL`, :data:`FAMILY` …)."""
        return int(self._a["classes"][node])

    def licence(self, node: int) -> int:
        """Return the node of the licence of ``node``, or -1."""
        return int(self._a["license"][node])

    @property
    def arrays(self) -> Mapping[str, Any]:
        """The raw arrays (read-only views), for whole-graph computations."""
        return self._a

    def node(self, iri: str) -> int:
        """Return the node number of ``iri``.

        Raises:
            UnknownEntityError: ``iri`` is not in the index.
        """
        for hit in self._lookup("exact", iri.casefold()):
            if self.iri(hit) == iri:
                return hit
        raise UnknownEntityError(iri)

    def has(self, iri: str) -> bool:
        """Return whether ``iri`` is a node of the index."""
        return any(self.iri(hit) == iri for hit in self._lookup("exact", iri.casefold()))

    def _lookup(self, table: Literal["exact", "loose"], key: str) -> list[int]:
        hashes = self._a[f"{table}_hash"]
        h = np.uint64(_hash(key))
        lo = int(np.searchsorted(hashes, h, side="left"))
        hi = int(np.searchsorted(hashes, h, side="right"))
        return sorted({int(x) for x in self._a[f"{table}_node"][lo:hi]})

    def resolve(self, name: str, *, kind: str = "entity") -> int:
        """Return the node called ``name`` (label, Hugging Face id, alias, slug or IRI).

        Exact case-insensitive matches win over loose ones; between entities of several
        classes the caller's ``kind`` decides, as in :class:`llmgraph.names.NameIndex`.

        Raises:
            UnknownEntityError: nothing has that name.
            AmbiguousNameError: several entities have it.
        """
        text = name.strip()
        prefix, sep, rest = text.partition(":")
        if sep and prefix in PREFIXES and not rest.startswith("//"):
            text = str(PREFIXES[prefix]) + rest
        exact_key, loose_key = name_keys(text)
        prefer = PREFERENCES.get(kind, PREFERENCES["entity"])
        for table, key in (("exact", exact_key), ("loose", loose_key)):
            if not key:
                continue
            found = self._lookup(table, key)  # type: ignore[arg-type]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                for cls in prefer:
                    bit = CLASS_BITS.get(str(cls), 0)
                    preferred = [f for f in found if self.classes(f) & bit]
                    if len(preferred) == 1:
                        return preferred[0]
                    if preferred:
                        found = preferred
                        break
                raise AmbiguousNameError(text, [self.iri(f) for f in found])
        raise UnknownEntityError(name, kind=kind)

    # ------------------------------------------------------------------ traversals

    def _mask(self, relations: Iterable[str]) -> npt.NDArray[np.bool_]:
        wanted = set(relations)
        return np.array([r in wanted for r in RELATIONS])

    def _sides(self, direction: Literal["in", "out"]) -> tuple[Any, Any, Any]:
        names = (
            ("out_ptr", "out_dst", "out_rel")
            if direction == "out"
            else ("in_ptr", "in_src", "in_rel")
        )
        return tuple(np.asarray(self._a[name]) for name in names)  # type: ignore[return-value]

    def _expand(
        self, frontier: IntArray, direction: Literal["in", "out"], mask: npt.NDArray[np.bool_]
    ) -> tuple[IntArray, IntArray, IntArray]:
        """Return (position in frontier, neighbour, relation code) of the allowed edges."""
        ptr, adj, rel = self._sides(direction)
        starts = ptr[frontier]
        counts = ptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        pos = np.repeat(np.arange(len(frontier), dtype=np.int64), counts)
        offsets = np.cumsum(counts) - counts
        edge = np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, counts)
        codes = rel[edge].astype(np.int64)
        if not mask.all():
            keep = mask[codes]
            pos, edge, codes = pos[keep], edge[keep], codes[keep]
        return pos, adj[edge].astype(np.int64), codes

    def reachable(
        self,
        starts: Sequence[int],
        *,
        direction: Literal["in", "out"],
        relations: Iterable[str] = WEIGHT_RELATIONS,
        depth: int | None = None,
    ) -> IntArray:
        """Return the nodes reachable from ``starts`` (excluded), sorted by node number.

        The fast path: no labels, no paths, one vectorized step per depth level.

        >>> idx = LineageIndex.build(classes={"http://e/a": MODEL},
        ...     edges=[("http://e/b", "quantizedFrom", "http://e/a")])
        >>> idx.reachable([idx.node("http://e/b")], direction="out").tolist()
        [0]
        """
        mask = self._mask(relations)
        seen = np.zeros(self._n, dtype=bool)
        fresh = np.zeros(self._n, dtype=bool)
        frontier = np.unique(np.asarray(starts, dtype=np.int64))
        seen[frontier] = True
        level = 0
        while frontier.size and (depth is None or level < depth):
            _, nb, _ = self._expand(frontier, direction, mask)
            nb = nb[~seen[nb]]
            # deduplicate through a mark array: cheaper than sorting at this size
            fresh[nb] = True
            frontier = np.flatnonzero(fresh)
            fresh[frontier] = False
            seen[frontier] = True
            level += 1
        seen[np.asarray(starts, dtype=np.int64)] = False
        out: IntArray = np.flatnonzero(seen)
        return out

    def descendant_ids(self, node: int, *, depth: int | None = None) -> IntArray:
        """Return the weight-lineage descendants of ``node`` as node numbers (sorted)."""
        return self.reachable([node], direction="in", depth=depth)

    def ancestor_ids(self, node: int, *, depth: int | None = None) -> IntArray:
        """Return the weight-lineage ancestors of ``node`` as node numbers (sorted)."""
        return self.reachable([node], direction="out", depth=depth)

    def _walk_one(
        self,
        start: int,
        direction: Literal["in", "out"],
        mask: npt.NDArray[np.bool_],
        depth: int | None,
    ) -> tuple[_Walk, dict[int, tuple[str, ...]]]:
        """Breadth-first walk in exactly the order of :func:`llmgraph.lineage._walk`.

        A level's nodes are ordered by (position of their ``via`` in the previous level,
        label rank); a node's ``via`` is the first node of the previous level that reaches it.
        """
        rank = self._a["rank"]
        seen = np.zeros(self._n, dtype=bool)
        seen[start] = True
        frontier = np.array([start], dtype=np.int64)
        nodes: list[IntArray] = []
        depths: list[IntArray] = []
        vias: list[IntArray] = []
        relations: dict[int, tuple[str, ...]] = {}
        level = 0
        while frontier.size and (depth is None or level < depth):
            pos, nb, codes = self._expand(frontier, direction, mask)
            fresh = ~seen[nb]
            pos, nb, codes = pos[fresh], nb[fresh], codes[fresh]
            if not nb.size:
                break
            order = np.lexsort((pos, nb))
            pos, nb, codes = pos[order], nb[order], codes[order]
            first = np.ones(len(nb), dtype=bool)
            first[1:] = nb[1:] != nb[:-1]
            new = nb[first]
            via_pos = pos[first]
            # all relations of the chosen step (several relations may join one pair)
            group = np.cumsum(first) - 1
            same = pos == via_pos[group]
            multi = np.bincount(group[same], minlength=len(new)) > 1
            for g in np.flatnonzero(multi):
                rels = codes[same & (group == g)]
                relations[int(new[g])] = tuple(sorted({RELATIONS[int(c)] for c in rels}))
            single_codes = np.empty(len(new), dtype=np.int64)
            single_codes[group[same]] = codes[same]
            for g, c in zip(np.flatnonzero(~multi), single_codes[~multi], strict=True):
                relations[int(new[g])] = (RELATIONS[int(c)],)
            order = np.lexsort((rank[new], via_pos))
            new, via_pos = new[order], via_pos[order]
            seen[new] = True
            level += 1
            nodes.append(new)
            depths.append(np.full(len(new), level, dtype=np.int64))
            vias.append(frontier[via_pos])
            frontier = new
        if not nodes:
            empty = np.empty(0, dtype=np.int64)
            return _Walk(empty, empty, empty), relations
        return (
            _Walk(np.concatenate(nodes), np.concatenate(depths), np.concatenate(vias)),
            relations,
        )

    def links(
        self,
        starts: Sequence[int],
        *,
        direction: Literal["in", "out"],
        relations: Iterable[str] = WEIGHT_RELATIONS,
        depth: int | None = None,
    ) -> list[Link]:
        """Return :class:`~llmgraph.lineage.Link` results, equal to the in-memory walk.

        Sorted by depth, label (case-folded) and IRI, like :func:`llmgraph.lineage.ancestors`.

        Raises:
            UsageError: a negative depth.
        """
        if depth is not None and depth < 0:
            raise UsageError(f"depth must be 0 or more, got {depth}")
        mask = self._mask(relations)
        best: dict[int, tuple[int, int, tuple[str, ...], dict[int, int], int]] = {}
        for start in starts:
            walk, rels = self._walk_one(int(start), direction, mask, depth)
            parent = dict(zip(walk.nodes.tolist(), walk.via.tolist(), strict=True))
            for node, d, via in zip(
                walk.nodes.tolist(), walk.depth.tolist(), walk.via.tolist(), strict=True
            ):
                old = best.get(node)
                if old is None or d < old[0]:
                    best[node] = (d, via, rels[node], parent, int(start))
        wanted = np.array(sorted(set(best) | {b[4] for b in best.values()}), dtype=np.int64)
        iri_of = dict(zip(wanted.tolist(), self.iris(wanted), strict=True))
        found = np.array(list(best), dtype=np.int64)
        label_of = dict(zip(found.tolist(), self.labels(found), strict=True))
        links: list[Link] = []
        for node, (d, via, rel, parent, start) in best.items():
            trail = [iri_of[node]]
            cursor = node
            while cursor != start:
                cursor = parent[cursor]
                trail.append(iri_of[cursor])
            trail.reverse()
            links.append(Link(trail[-1], label_of[node], rel[0], rel, d, iri_of[via], tuple(trail)))
        links.sort(key=lambda x: (x.depth, x.label.casefold(), x.id))
        return links

    # ------------------------------------------------------------------ checks

    def topological_levels(self) -> IntArray:
        """Return each node's generation along weight lineage (roots are 0), or raise.

        A node's generation is one more than its deepest parent's.

        Raises:
            LineageCycleError: weight lineage has a cycle.
        """
        ptr, rel = self._a["out_ptr"], self._a["out_rel"]
        weight = _WEIGHT_MASK[rel.astype(np.int64)]
        src = np.repeat(np.arange(self._n, dtype=np.int64), np.diff(ptr))[weight]
        # parents not yet given a generation, per child
        pending = np.bincount(src, minlength=self._n)
        del src
        level = np.full(self._n, -1, dtype=np.int64)
        current = np.flatnonzero(pending == 0)
        level[current] = 0
        mask = _WEIGHT_MASK
        generation = 0
        while current.size:
            generation += 1
            pos, children, _ = self._expand(current, "in", mask)
            del pos
            if not children.size:
                break
            np.subtract.at(pending, children, 1)
            ready = np.unique(children[pending[children] == 0])
            ready = ready[level[ready] < 0]
            level[ready] = generation
            current = ready
        if (level < 0).any():
            self._raise_cycle(np.flatnonzero(level < 0))
        return level

    def check_acyclic(self) -> None:
        """Raise :class:`~llmgraph.errors.LineageCycleError` if weight lineage has a cycle."""
        self.topological_levels()

    def _raise_cycle(self, stuck: IntArray) -> None:
        import networkx as nx

        inside = set(stuck.tolist())
        digraph: nx.DiGraph[int] = nx.DiGraph()
        for node in inside:
            pos, parents, _ = self._expand(np.array([node]), "out", _WEIGHT_MASK)
            del pos
            digraph.add_edges_from((node, int(p)) for p in parents.tolist() if int(p) in inside)
        cycle = nx.find_cycle(digraph)
        nodes = [u for u, _ in cycle] + [cycle[0][0]]
        raise LineageCycleError([self.iri(n) for n in nodes], [self.label(n) for n in nodes])


def index_of_rdf(graph: Any) -> LineageIndex:
    """Build the index of an rdflib graph (such as ``LineageGraph.rdf``).

    >>> from llmgraph import LineageGraph
    >>> idx = index_of_rdf(LineageGraph.load().rdf)
    >>> idx.label(idx.resolve("Vicuna 13B v1.5"))
    'Vicuna 13B v1.5'
    """
    from rdflib import RDF, RDFS, SKOS, Literal, URIRef

    bits = {URIRef(k): v for k, v in CLASS_BITS.items()}
    classes: dict[str, int] = {}
    for cls, bit in bits.items():
        for s in graph.subjects(RDF.type, cls):
            if isinstance(s, URIRef):
                classes[str(s)] = classes.get(str(s), 0) | bit
    labels: dict[str, str] = {}
    names: list[tuple[str, str]] = []
    for s, o in graph.subject_objects(RDFS.label):
        if isinstance(s, URIRef) and isinstance(o, Literal):
            old = labels.get(str(s))
            if old is None or str(o) < old:
                labels[str(s)] = str(o)
            names.append((str(s), str(o)))
    for prop in (SKOS.altLabel, LLM.huggingFaceId):
        names += [(str(s), str(o)) for s, o in graph.subject_objects(prop)]
    edges = []
    for rel in RELATIONS:
        for s, o in graph.subject_objects(URIRef(str(LLM._NS) + rel)):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                edges.append((str(s), rel, str(o)))
    licences = [
        (str(s), str(o))
        for s, o in graph.subject_objects(LLM.license)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    ]
    return LineageIndex.build(
        classes=classes, labels=labels, edges=edges, names=names, licences=licences
    )
