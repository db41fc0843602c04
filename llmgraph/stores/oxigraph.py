"""A persistent embedded store: Oxigraph on disk, atomic imports, a persisted lineage index.

Layout of a store directory ``PATH``::

    PATH/CURRENT            the name of the live generation, e.g. "gen-000003"
    PATH/gen-000003/        the Oxigraph (RocksDB) database
    PATH/index/<version>/   the lineage index (.npy) of that store version

Writes are all-or-nothing. A large import works on a new generation (a hard-linked RocksDB
checkpoint of the live one, so it costs no copy), bulk-loads into it, materializes
``llm:derivedFrom`` / ``llm:backs``, checks that lineage stays acyclic and builds the index; only
then is ``CURRENT`` replaced (an atomic rename). An import that raises, or whose process is
killed, leaves ``CURRENT`` pointing at the untouched old generation; the leftover directory is
removed the next time the store is opened. Small writes (:meth:`StoredGraph.add`) are one
Oxigraph transaction. Each write stores a new version id inside the store (in the named graph
``urn:llmgraph:meta``), and the index is keyed by it, so a stale index is never used.

One process writes a store at a time (RocksDB holds a lock); readers in other processes open
it with ``read_only=True``.

>>> import tempfile
>>> from llmgraph.store import bundled_data_files
>>> with tempfile.TemporaryDirectory() as tmp:
...     with StoredGraph.open(Path(tmp) / "store") as sg:
...         _ = sg.import_files(bundled_data_files())
...         size = len(sg)
...     with StoredGraph.open(Path(tmp) / "store", read_only=True) as again:
...         len(again) == size > 7000
True
"""

from __future__ import annotations

import gc
import io
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.query import Result
from rdflib.term import Node

from llmgraph.errors import DataLoadError, LineageCycleError, QueryError, UsageError
from llmgraph.lineage import BACKING_RELATIONS, PATH_RELATIONS, WEIGHT_RELATIONS, Link, Step
from llmgraph.store import Triple, bundled_ontology_file, materialized
from llmgraph.stores.bulk import BulkRows, open_stream, read_records
from llmgraph.stores.index import (
    CLASS_BITS,
    FAMILY,
    RELATIONS,
    LineageIndex,
)
from llmgraph.vocab import BACKING, LLM, PREFIXES, WEIGHT_LINEAGE

if TYPE_CHECKING:
    import networkx as nx

    from llmgraph.stores.table import LineageTable

__all__ = ["StoredGraph", "from_ox", "to_ox"]

_META = ox.NamedNode("urn:llmgraph:meta")
_STORE = ox.NamedNode("urn:llmgraph:store")
_VERSION = ox.NamedNode("urn:llmgraph:version")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
_PREFIXES = {k: str(v) for k, v in PREFIXES.items()}
_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

Progress = Callable[[int], None]
_log = logging.getLogger("llmgraph.stores")
_PARALLEL_BYTES = 16 << 20


def to_ox(term: Node) -> Any:
    """Convert an rdflib term to a pyoxigraph term.

    >>> to_ox(URIRef("http://e/a"))
    <NamedNode value=http://e/a>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise UsageError(f"cannot store {term!r}: expected an IRI, a blank node or a literal")


def from_ox(term: Any) -> Node:
    """Convert a pyoxigraph term to an rdflib term.

    >>> from_ox(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return RdfLiteral(term.value)
        return RdfLiteral(term.value, datatype=URIRef(datatype))
    raise UsageError(f"cannot convert {term!r} to an rdflib term")


def _fsync_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StoredGraph:
    """A lineage graph kept on disk in Oxigraph, with the query verbs of ``LineageGraph``.

    Open one with :meth:`open` (or :meth:`llmgraph.LineageGraph.open`). ``ancestors``,
    ``descendants``, ``backers`` and ``portfolio`` return the same :class:`~llmgraph.Link`
    lists as the in-memory graph, answered from the persisted :class:`LineageIndex`;
    ``descendant_ids`` / ``ancestor_ids`` return node numbers for the fastest answers;
    ``query`` runs SPARQL in Oxigraph.
    """

    def __init__(self, path: Path, store: ox.Store, generation: str, *, read_only: bool):
        self._path = path
        self._store = store
        self._generation = generation
        self._read_only = read_only
        self._index: LineageIndex | None = None
        self._index_version: str | None = None
        self._nx: nx.MultiDiGraph[str] | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | str, *, read_only: bool = False, create: bool = True) -> StoredGraph:
        """Open (or create) the store at ``path``.

        A new store starts with the llmgraph ontology loaded. Leftovers of an import that was
        killed are removed.

        Args:
            path: the store's directory.
            read_only: open without the write lock (other processes may read too).
            create: create an empty store if ``path`` holds none.

        Returns:
            The store.

        Raises:
            DataLoadError: ``path`` is not an llmgraph store, or cannot be opened (locked by a
                writer, for instance).
        """
        root = Path(path)
        current = root / "CURRENT"
        if not current.is_file():
            if read_only or not create:
                raise DataLoadError("no llmgraph store here (no CURRENT file)", path=root)
            if root.exists() and any(root.iterdir()):
                raise DataLoadError(
                    "directory is not empty and holds no llmgraph store; pick a new path",
                    path=root,
                )
            root.mkdir(parents=True, exist_ok=True)
            generation = "gen-000001"
            store = ox.Store(str(root / generation))
            store.bulk_load(path=str(bundled_ontology_file()), format=ox.RdfFormat.TURTLE)
            _set_version(store)
            store.flush()
            del store
            gc.collect()
            _fsync_write(current, generation + "\n")
        generation = current.read_text(encoding="utf-8").strip()
        location = root / generation
        if not read_only:
            for leftover in [*root.glob("gen-*"), root / "import-parts"]:
                if leftover.name != generation:
                    shutil.rmtree(leftover, ignore_errors=True)
        try:
            store = ox.Store.read_only(str(location)) if read_only else ox.Store(str(location))
        except OSError as exc:
            raise DataLoadError(f"cannot open the store: {exc}", path=root) from exc
        return cls(root, store, generation, read_only=read_only)

    @property
    def location(self) -> Path:
        """The store's directory."""
        return self._path

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store (read it freely; write through this class)."""
        return self._store

    @property
    def version(self) -> str:
        """The store's version id: it changes on every write."""
        for quad in self._store.quads_for_pattern(_STORE, _VERSION, None, _META):
            return str(getattr(quad.object, "value", quad.object))
        return "none"

    def __len__(self) -> int:
        """Return the number of triples in the default graph (a full count: ~5 s at 8 M)."""
        meta = sum(1 for _ in self._store.quads_for_pattern(None, None, None, _META))
        return len(self._store) - meta

    def __repr__(self) -> str:
        return f"<StoredGraph {self._path} ({self._generation})>"

    def close(self) -> None:
        """Release the store (and its lock); the object is unusable afterwards."""
        self._index = None
        self._nx = None
        if self._store is not None and not self._read_only:
            self._store.flush()
        self._store = None  # type: ignore[assignment]
        gc.collect()

    def __enter__(self) -> StoredGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the index

    @property
    def index(self) -> LineageIndex:
        """The lineage index of the current version (loaded from disk, or built and saved)."""
        version = self.version
        if self._index is None or self._index_version != version:
            folder = self._path / "index" / version
            try:
                self._index = LineageIndex.load(folder)
            except FileNotFoundError:
                self._index = build_index(self._store)
                if not self._read_only:
                    self._save_index(self._index, version)
            self._index_version = version
            self._nx = None
        return self._index

    def _save_index(self, index: LineageIndex, version: str) -> None:
        target = self._path / "index" / version
        if not (target / "FORMAT").is_file():
            index.save(target)
        for old in (self._path / "index").iterdir():
            if old.name != version:
                shutil.rmtree(old, ignore_errors=True)

    @property
    def nx(self) -> nx.MultiDiGraph[str]:
        """A networkx mirror built from the index on first use (slow at Hub scale)."""
        if self._nx is None:
            import networkx as nx

            idx = self.index
            mirror: nx.MultiDiGraph[str] = nx.MultiDiGraph()
            arrays = idx.arrays
            ptr, dst, rel = arrays["out_ptr"], arrays["out_dst"], arrays["out_rel"]
            has_edge = (ptr[1:] - ptr[:-1]) > 0
            has_edge[dst] = True
            for node in range(len(idx)):
                if idx.kind(node) is not None or has_edge[node]:
                    mirror.add_node(idx.iri(node), label=idx.label(node), kind=idx.kind(node))
            for node in range(len(idx)):
                for e in range(int(ptr[node]), int(ptr[node + 1])):
                    name = RELATIONS[int(rel[e])]
                    u, v = idx.iri(node), idx.iri(int(dst[e]))
                    mirror.add_edge(u, v, key=name, relation=name)
            self._nx = mirror
        return self._nx

    # ------------------------------------------------------------------ names

    def resolve(self, name: str | URIRef, *, kind: str = "entity") -> URIRef:
        """Return the IRI of the entity called ``name`` (as :meth:`LineageGraph.resolve`).

        Raises:
            UnknownEntityError: no such name.
            AmbiguousNameError: the name belongs to several entities.
        """
        idx = self.index
        return URIRef(idx.iri(idx.resolve(str(name), kind=kind)))

    def label(self, entity: str | URIRef) -> str:
        """Return the canonical label of ``entity`` (its IRI's last part if it has none)."""
        idx = self.index
        if idx.has(str(entity)):
            return idx.label(idx.node(str(entity)))
        for quad in self._store.quads_for_pattern(ox.NamedNode(str(entity)), _RDFS_LABEL, None):
            return str(getattr(quad.object, "value", quad.object))
        text = str(entity).rstrip("/#")
        return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def members(self, family: str | URIRef) -> list[URIRef]:
        """Return the models of a family (or the one model, if ``family`` names a model)."""
        iri = self.resolve(family, kind="model or family")
        idx = self.index
        if idx.classes(idx.node(str(iri))) & FAMILY:
            found = self._store.quads_for_pattern(None, ox.NamedNode(str(LLM.family)), to_ox(iri))
            return sorted(URIRef(str(getattr(q.subject, "value", ""))) for q in found)
        return [iri]

    def _starts(self, iris: Iterable[URIRef]) -> list[int]:
        idx = self.index
        return [idx.node(str(i)) for i in iris if idx.has(str(i))]

    # ------------------------------------------------------------------ verbs

    def ancestors(
        self, name: str | URIRef, *, depth: int | None = None, relations: Any = None
    ) -> list[Link]:
        """Return what ``name`` was built on; see :func:`llmgraph.lineage.ancestors`."""
        from llmgraph.lineage import _relations

        allowed = _relations(relations, WEIGHT_RELATIONS)
        starts = self._starts(self.members(name))
        return self.index.links(starts, direction="out", relations=allowed, depth=depth)

    def descendants(
        self, name: str | URIRef, *, depth: int | None = None, relations: Any = None
    ) -> list[Link]:
        """Return what was built on ``name``; see :func:`llmgraph.lineage.descendants`."""
        from llmgraph.lineage import _relations

        allowed = _relations(relations, WEIGHT_RELATIONS)
        starts = self._starts(self.members(name))
        return self.index.links(starts, direction="in", relations=allowed, depth=depth)

    def descendant_ids(self, name: str | URIRef, *, depth: int | None = None) -> Any:
        """Return the weight-lineage descendants of ``name`` as index node numbers (numpy).

        The fastest answer: no labels, no paths. ``self.index.iri(n)`` gives an IRI.
        """
        starts = self._starts(self.members(name))
        return self.index.reachable(starts, direction="in", depth=depth)

    def ancestor_ids(self, name: str | URIRef, *, depth: int | None = None) -> Any:
        """Return the weight-lineage ancestors of ``name`` as index node numbers (numpy)."""
        starts = self._starts(self.members(name))
        return self.index.reachable(starts, direction="out", depth=depth)

    def backers(self, org: str | URIRef, *, transitive: bool = False) -> list[Link]:
        """Return who backs ``org``; see :func:`llmgraph.lineage.backers`."""
        start = self._starts([self.resolve(org, kind="organization")])
        depth = None if transitive else 1
        return self.index.links(start, direction="in", relations=BACKING_RELATIONS, depth=depth)

    def portfolio(self, org: str | URIRef, *, transitive: bool = False) -> list[Link]:
        """Return whom ``org`` backs; see :func:`llmgraph.lineage.portfolio`."""
        start = self._starts([self.resolve(org, kind="organization")])
        depth = None if transitive else 1
        return self.index.links(start, direction="out", relations=BACKING_RELATIONS, depth=depth)

    def path(
        self,
        source: str | URIRef,
        target: str | URIRef,
        *,
        relations: Any = None,
        directed: bool = False,
    ) -> list[Step]:
        """Return a shortest lineage path; see :func:`llmgraph.lineage.path`.

        The index finds the nodes on shortest paths; the in-memory algorithm then picks the
        same path as :class:`~llmgraph.LineageGraph` would, on that small subgraph.
        """
        from llmgraph.lineage import _relations
        from llmgraph.stores.paths import shortest_path

        allowed = _relations(relations, PATH_RELATIONS)
        return shortest_path(self, source, target, allowed=allowed, directed=directed)

    def query(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> Result:
        """Run SPARQL in Oxigraph, with llmgraph's prefixes bound; see :func:`llmgraph.query`.

        ``bindings`` are substituted as values, never pasted into the text (Oxigraph's
        substitutions; a variable that is not projected is joined as a trailing ``VALUES``).
        Returns an rdflib :class:`~rdflib.query.Result`, like the in-memory graph. For large
        results use :meth:`query_raw`, which skips the conversion to rdflib terms.

        Raises:
            QueryError: a syntax or evaluation error.
        """
        return to_result(self.query_raw(sparql, bindings=bindings))

    def query_raw(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> Any:
        """Run SPARQL and return pyoxigraph's own result (solutions, triples or a bool)."""
        from llmgraph.sparql import to_term

        subs = {
            ox.Variable(str(k).lstrip("?$")): to_ox(to_term(v)) for k, v in (bindings or {}).items()
        }
        try:
            try:
                return self._store.query(sparql, prefixes=_PREFIXES, substitutions=subs or None)
            except RuntimeError as exc:
                if not subs or "projection" not in str(exc):
                    raise
            # a bound variable that is not projected: join the values at the end instead
            return self._store.query(with_values(sparql, bindings), prefixes=_PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"SPARQL evaluation failed: {exc}") from exc

    def table(self) -> LineageTable:
        """Return every model's roots, depth and licence chain; see :mod:`llmgraph.stores.table`."""
        from llmgraph.stores.table import lineage_table

        return lineage_table(self.index)

    # ------------------------------------------------------------------ writes

    def _check_writable(self) -> None:
        if self._read_only:
            raise UsageError(f"the store {self._path} was opened read-only")

    def add(self, triples: Iterable[Triple]) -> int:
        """Add facts in one transaction (materializing ``llm:derivedFrom`` / ``llm:backs``).

        Returns:
            The number of triples that were not already present.

        Raises:
            InvalidFactError: a relation has a literal at one end; nothing is added.
            LineageCycleError: the facts would close a derivation cycle; nothing is added.
            UsageError: the store was opened read-only.
        """
        from llmgraph.graph import _check_fact

        self._check_writable()
        batch = list(dict.fromkeys(triples))
        for i, triple in enumerate(batch):
            _check_fact(triple, None, index=i)
        batch += [t for t in materialized(batch) if t not in batch]
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in batch]
        fresh = [q for q in quads if q not in self._store]
        self._check_new_edges(
            [
                (str(getattr(q.subject, "value", "")), str(getattr(q.object, "value", "")))
                for q in fresh
                if q.predicate.value == str(LLM.derivedFrom)
            ]
        )
        if not fresh:
            return 0
        old = list(self._store.quads_for_pattern(_STORE, _VERSION, None, _META))
        lines = [f"{q.subject} {q.predicate} {q.object} ." for q in fresh]
        update = (
            "DELETE DATA { GRAPH <urn:llmgraph:meta> { "
            + " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in old)
            + " } } ;\nINSERT DATA { "
            + "\n".join(lines)
            + " GRAPH <urn:llmgraph:meta> { <urn:llmgraph:store> <urn:llmgraph:version> "
            + f'"{uuid.uuid4()}" }} }}'
        )
        self._store.update(update)
        return len(fresh)

    def _check_new_edges(self, edges: list[tuple[str, str]]) -> None:
        if not edges:
            return
        idx = self.index
        extra: dict[str, set[str]] = {}
        for s, o in edges:
            extra.setdefault(s, set()).add(o)
        for s, o in edges:  # a cycle exists iff s is an ancestor-or-self of o
            reached_from: dict[str, str] = {}
            stack = [o]
            seen = {o}
            while stack:
                node = stack.pop()
                if node == s:
                    chain = [s]
                    while chain[-1] != o:
                        chain.append(reached_from[chain[-1]])
                    cycle = [s, *reversed(chain)]
                    raise LineageCycleError(cycle, [self.label(n) for n in cycle])
                parents = set(extra.get(node, ()))
                if idx.has(node):
                    ids = idx.reachable([idx.node(node)], direction="out", depth=1)
                    parents |= {idx.iri(int(i)) for i in ids}
                for parent in sorted(parents - seen):
                    seen.add(parent)
                    reached_from[parent] = node
                    stack.append(parent)

    def import_file(self, path: Path | str, *, format: str | None = None) -> int:
        """Import one RDF file atomically; see :meth:`import_files`."""
        return self.import_files([path], format=format)

    def import_files(self, paths: Iterable[Path | str], *, format: str | None = None) -> int:
        """Import RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) atomically.

        All files go into one new generation with Oxigraph's bulk loader (see the module
        docstring): either every file is imported or none is.

        Args:
            paths: the files; the format comes from each suffix unless ``format`` is given.
            format: a suffix such as ``".nt"`` that applies to every file.

        Returns:
            The number of triples the store grew by.

        Raises:
            DataLoadError: a file is missing or malformed; the store is unchanged.
            LineageCycleError: the import would make lineage cyclic; the store is unchanged.
        """
        sources: list[tuple[Path, ox.RdfFormat]] = []
        for path in paths:
            source = Path(path)
            fmt = _FORMATS.get(format or source.suffix.lower())
            if fmt is None:
                raise DataLoadError(
                    f"unknown RDF format {format or source.suffix!r}; expected one of "
                    + ", ".join(sorted(_FORMATS)),
                    path=source,
                )
            if not source.is_file():
                raise DataLoadError("no such file", path=source)
            sources.append((source, fmt))

        def load(store: ox.Store) -> None:
            for source, fmt in sources:
                try:
                    store.bulk_load(
                        path=str(source), format=fmt, base_iri=source.resolve().as_uri()
                    )
                except SyntaxError as exc:
                    raise DataLoadError(f"invalid RDF: {exc}", path=source) from exc

        return self._import(load, None)

    def import_hub(
        self,
        records: Path | str | Iterable[dict[str, Any]],
        *,
        progress: Progress | None = None,
        chunk: int = 2_000,
        parallel: bool | None = None,
    ) -> int:
        """Import Hugging Face Hub ``ModelInfo`` records (a JSON-lines file) atomically.

        The records stream through :mod:`llmgraph.stores.bulk` into Oxigraph's bulk loader;
        when the store held no models before, the lineage index is built from the records
        themselves instead of re-reading the store.

        Args:
            records: a ``.jsonl`` file, or an iterable of record dicts.
            progress: called with the number of records of each batch as it is written (once,
                at the end, for a parallel import).
            chunk: records per batch.
            parallel: map the records of a file in a second process while Oxigraph loads in
                this one (two cores); by default for files of 16 MiB or more.

        Returns:
            The number of triples written (some may already have been in the store).

        Raises:
            DataLoadError: a malformed line or record (file and line named); store unchanged.
            LineageCycleError: the records make lineage cyclic; the store is unchanged.
        """
        fresh = self._only_ontology()
        source: Path | None = None
        if isinstance(records, (str, Path)):
            source = Path(records)
            if not source.is_file():
                raise DataLoadError("no such file", path=source)
            if parallel is None:
                parallel = source.stat().st_size >= _PARALLEL_BYTES
            if parallel:
                return self._import_hub_parallel(source, fresh=fresh, progress=progress)
            records = read_records(source)
        rows = BulkRows()

        def load(store: ox.Store) -> None:
            stream = open_stream(records, rows, chunk=chunk, source=source, progress=progress)
            try:
                store.bulk_load(stream, format=ox.RdfFormat.N_TRIPLES)
            except SyntaxError as exc:
                raise DataLoadError(f"invalid record data: {exc}") from exc

        def index(version: str) -> LineageIndex | None:
            if not fresh:
                return None
            return rows.index()

        return self._import(load, index, materialize=False, read=lambda: rows.triples)

    def _import_hub_parallel(self, source: Path, *, fresh: bool, progress: Progress | None) -> int:
        """Map records in a child process while Oxigraph loads in this one (two cores).

        The child writes N-Triples into a named pipe that Oxigraph's bulk loader reads
        directly; it builds the lineage index after closing the pipe, while the loader
        finishes. ``progress`` is called once, with the number of records, at the end.
        """
        import json
        import subprocess
        import sys

        staged = self._path / "index" / "staged"
        parts = self._path / "import-parts"
        for leftover in (staged, parts):
            shutil.rmtree(leftover, ignore_errors=True)
        parts.mkdir(parents=True)
        pipe = parts / "records.nt"
        os.mkfifo(pipe)
        command = [sys.executable, "-m", "llmgraph.stores.bulk", str(source), str(pipe)]
        if fresh:
            command.append(str(staged))
        written = [0]

        def load(store: ox.Store) -> None:
            loaded: BaseException | None = None
            env = {**os.environ, "LLMGRAPH_IMPORT_PARENT": str(os.getpid())}
            with subprocess.Popen(command, stdout=subprocess.PIPE, env=env) as child:
                try:
                    store.bulk_load(path=str(pipe), format=ox.RdfFormat.N_TRIPLES)
                except (SyntaxError, OSError) as exc:
                    loaded = exc
                    child.kill()
                output, _ = child.communicate()
            shutil.rmtree(parts, ignore_errors=True)
            lines = output.decode("utf-8", "replace").strip().splitlines()
            message: dict[str, Any] = json.loads(lines[-1]) if lines else {}
            if "cycle" in message:
                cycle = [str(x) for x in message["cycle"]]
                raise LineageCycleError(cycle, cycle)
            if "error" in message:
                raise DataLoadError(
                    str(message["error"]),
                    path=message.get("path") or None,
                    line=message.get("line"),
                )
            if loaded is not None or child.returncode != 0 or "records" not in message:
                raise DataLoadError(
                    f"the import stopped (exit {child.returncode}): {loaded}", path=source
                )
            _log.debug("mapped %s records in a child process", message["records"])
            written[0] = int(message["triples"])
            if progress is not None:
                progress(int(message["records"]))

        def index(version: str) -> LineageIndex | None:
            if not fresh:
                return None
            target = self._path / "index" / version
            shutil.rmtree(target, ignore_errors=True)
            staged.rename(target)
            return LineageIndex.load(target)

        return self._import(load, index, materialize=False, read=lambda: written[0])

    def _only_ontology(self) -> bool:
        model = ox.NamedNode(str(LLM.Model))
        return next(iter(self._store.quads_for_pattern(None, _RDF_TYPE, model)), None) is None

    def _import(
        self,
        load: Callable[[ox.Store], None],
        prebuilt: Callable[[str], LineageIndex | None] | None,
        *,
        materialize: bool = True,
        read: Callable[[], int] | None = None,
    ) -> int:
        """Run ``load`` on a new generation and switch to it; see the module docstring.

        Returns ``read()`` when given (what the loader counted), else how many triples the
        store grew by (two full counts: seconds at Hub scale).
        """
        self._check_writable()
        clock = time.perf_counter()

        def phase(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            _log.debug("import: %s took %.2f s", name, now - clock)
            clock = now

        before = len(self) if read is None else 0
        number = int(self._generation.rsplit("-", 1)[1]) + 1
        generation = f"gen-{number:06d}"
        target = self._path / generation
        shutil.rmtree(target, ignore_errors=True)
        self._store.flush()
        self._store.backup(str(target))
        work = ox.Store(str(target))
        phase("count and checkpoint")
        try:
            load(work)
            phase("load")
            if materialize:
                _materialize(work)
                phase("materialize")
            version = _set_version(work)
            index = prebuilt(version) if prebuilt is not None else None
            if index is None:
                index = build_index(work)
            phase("index")
            work.flush()
            self._save_index(index, version)
            phase("flush and save the index")
        except BaseException:
            del work
            gc.collect()
            shutil.rmtree(target, ignore_errors=True)
            raise
        del work
        self._store = None  # type: ignore[assignment]
        gc.collect()
        _fsync_write(self._path / "CURRENT", generation + "\n")
        old = self._path / self._generation
        self._generation = generation
        self._store = ox.Store(str(target))
        shutil.rmtree(old, ignore_errors=True)
        self._index, self._index_version, self._nx = index, version, None
        phase("switch")
        added = len(self) - before if read is None else read()
        phase("count")
        return added


def _set_version(store: ox.Store) -> str:
    version = str(uuid.uuid4())
    store.update(
        "DELETE WHERE { GRAPH <urn:llmgraph:meta> { <urn:llmgraph:store> "
        "<urn:llmgraph:version> ?v } } ;\n"
        f"INSERT DATA {{ GRAPH <urn:llmgraph:meta> {{ <urn:llmgraph:store> "
        f'<urn:llmgraph:version> "{version}" }} }}'
    )
    return version


def _materialize(store: ox.Store) -> None:
    for sup, subs in ((LLM.derivedFrom, WEIGHT_LINEAGE), (LLM.backs, BACKING)):
        target = ox.NamedNode(str(sup))

        def entailed(subs: tuple[URIRef, ...] = subs, target: Any = target) -> Iterator[ox.Quad]:
            for sub in subs:
                for q in store.quads_for_pattern(
                    None, ox.NamedNode(str(sub)), None, ox.DefaultGraph()
                ):
                    yield ox.Quad(q.subject, target, q.object)

        store.bulk_extend(entailed())


def build_index(store: ox.Store) -> LineageIndex:
    """Build the lineage index by reading a store's default graph.

    Raises:
        LineageCycleError: weight lineage in the store has a cycle.
    """
    default = ox.DefaultGraph()
    classes: dict[str, int] = {}
    for cls, bit in CLASS_BITS.items():
        for q in store.quads_for_pattern(None, _RDF_TYPE, ox.NamedNode(cls), default):
            if isinstance(q.subject, ox.NamedNode):
                classes[q.subject.value] = classes.get(q.subject.value, 0) | bit
    labels: dict[str, str] = {}
    names: list[tuple[str, str]] = []
    for q in store.quads_for_pattern(None, _RDFS_LABEL, None, default):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            iri, text = q.subject.value, q.object.value
            old = labels.get(iri)
            if old is None or text < old:
                labels[iri] = text
            names.append((iri, text))
    for prop in (_SKOS_ALT, ox.NamedNode(str(LLM.huggingFaceId))):
        for q in store.quads_for_pattern(None, prop, None, default):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                names.append((q.subject.value, q.object.value))
    edges: list[tuple[str, str, str]] = []
    for rel in RELATIONS:
        for q in store.quads_for_pattern(None, ox.NamedNode(str(LLM) + rel), None, default):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                edges.append((q.subject.value, rel, q.object.value))
    licences = [
        (q.subject.value, q.object.value)
        for q in store.quads_for_pattern(None, ox.NamedNode(str(LLM.license)), None, default)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    ]
    return LineageIndex.build(
        classes=classes, labels=labels, edges=edges, names=names, licences=licences
    )


def with_values(sparql: str, bindings: Mapping[str, Any] | None) -> str:
    """Return ``sparql`` with ``bindings`` as a trailing ``VALUES`` clause.

    Values are written as N-Triples terms by pyoxigraph (escaped), never pasted as text.

    >>> print(with_values("ASK { ?m ?p ?o }", {"m": URIRef("http://e/a")}))
    ASK { ?m ?p ?o }
    VALUES (?m) { (<http://e/a>) }
    """
    from llmgraph.sparql import to_term

    if not bindings:
        return sparql
    names = [str(k).lstrip("?$") for k in bindings]
    for name in names:
        if not name.replace("_", "a").isalnum():
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    terms = " ".join(str(to_ox(to_term(v))) for v in bindings.values())
    variables = " ".join(f"?{n}" for n in names)
    return f"{sparql}\nVALUES ({variables}) {{ ({terms}) }}"


def to_result(raw: Any) -> Result:
    """Convert a pyoxigraph query result into an rdflib :class:`~rdflib.query.Result`."""
    if isinstance(raw, bool | ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(raw)
        return result
    if isinstance(raw, ox.QuerySolutions):
        data = raw.serialize(format=ox.QueryResultsFormat.JSON) or b""
        return Result.parse(io.BytesIO(data), format="json")
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    for triple in raw:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    result = Result("CONSTRUCT")
    result.graph = graph
    return result
