"""The graph users hold, below its verbs: triples on a backend, the engine, names, writes.

:class:`BaseGraph` is what every verb module takes (graph first, networkx style);
:class:`llmgraph.LineageGraph` (in :mod:`llmgraph.graph`) is the same object with the verbs
attached, one line each. ``LineageGraph.load()`` (the bundled data in memory),
``LineageGraph.open(path)`` (an Oxigraph store on disk) and ``LineageGraph.connect(url)`` (a
SPARQL 1.1 endpoint) all return a ``LineageGraph``; every verb is written once over the backend
seam (:mod:`llmgraph.backends`) and the traversal engine (:mod:`llmgraph.engine`).

Every write (:meth:`BaseGraph.add`, :meth:`~BaseGraph.remove`, a file load, an import) goes
through :meth:`BaseGraph._write`: the facts are checked (:mod:`llmgraph.rules`),
``llm:derivedFrom`` / ``llm:backs`` materialized, derivation cycles refused (also those closed
within one batch, named in full), and the batch applied in one backend transaction, all or
nothing.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeGuard, cast

from llmgraph.backends import Backend
from llmgraph.backends.memory import MemoryBackend, new_graph
from llmgraph.engine import LineageIndex
from llmgraph.errors import DataLoadError
from llmgraph.names import EngineNames, Expect, NameSource, Resolved, resolve
from llmgraph.rules import check_facts, entailed_by, materialized
from llmgraph.terms import (
    DCTERMS_SOURCE,
    IRI,
    RDFS_LABEL,
    SUPER_RELATIONS,
    WEIGHT_RELATIONS,
    kind_of_bits,
    llm,
    local_name,
)
from llmgraph.triples import Blank, LightTriple, Lit, light, to_rdflib, to_rdflib_term

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph
    from rdflib.term import Node

__all__ = ["BaseGraph"]

_DERIVED = llm("derivedFrom")


def _checked_graph(files: Sequence[Path]) -> Graph:
    """Parse and check ``files`` into one graph, with ``llm:derivedFrom`` / ``llm:backs``.

    Raises:
        DataLoadError: a file is missing or malformed (file and line are named).
        InvalidFactError: a fact breaks a rule (the file is named).
    """
    from llmgraph.store import parse_file

    graph = new_graph()
    entailed: dict[LightTriple, None] = {}
    for path in files:
        part = parse_file(path)
        entailed.update(dict.fromkeys(materialized(check_facts(part, path=path))))
        graph += part
    for triple in entailed:
        graph.add(to_rdflib(triple))
    return graph


def _is_rdflib_graph(value: object) -> TypeGuard[Graph]:
    """Whether ``value`` is an rdflib graph, told without importing rdflib.

    An rdflib graph exists only once rdflib is loaded, and a command answered from the load
    cache never loads it.
    """
    rdflib = sys.modules.get("rdflib")
    return rdflib is not None and isinstance(value, rdflib.Graph)


class BaseGraph:
    """A graph on any backend without its verbs: its triples, engine, names and write path.

    Users hold :class:`~llmgraph.LineageGraph`, which adds the verbs; the verbs themselves
    take this class, so that they sit between the two (see :mod:`llmgraph.graph`).

    Build one with :meth:`load`, :meth:`open` or :meth:`connect`. Read facts through the verbs,
    :meth:`query`, :meth:`triples` and :attr:`rdf`; change them only through :meth:`add`,
    :meth:`remove`, :meth:`add_file` and the importers, which check them and leave the graph
    unchanged when they raise.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> [a.label for a in lg.ancestors("Vicuna 13B v1.5")]
    ['Llama 2 13B']
    """

    def __init__(
        self, backend: Backend | Graph | None = None, *, engine: LineageIndex | None = None
    ):
        """Wrap a backend (or an rdflib graph, checked and materialized), or start empty.

        ``engine``, if given, is the engine of exactly these triples (the load cache's), used
        instead of building one.

        Raises:
            LineageCycleError: an rdflib graph given has a derivation cycle.
            InvalidFactError: an rdflib graph given breaks a rule of :mod:`llmgraph.rules`.
        """
        if _is_rdflib_graph(backend):
            graph = backend
            facts = check_facts(graph)
            extra = [t for t in dict.fromkeys(materialized(facts))]
            for triple in extra:
                graph.add(tuple(to_rdflib_term(x) for x in triple))  # type: ignore[arg-type]
            backend = MemoryBackend(graph)
        elif backend is None:
            backend = MemoryBackend()
        self._backend: Backend = cast("Backend", backend)  # the rdflib case is handled above
        self._cache: dict[str, tuple[str, Any]] = {}
        if engine is not None:
            self._cache["engine"] = (self._backend.version(), engine)
        elif self._backend.local:
            self.engine  # noqa: B018 - build now: a cycle in the data is refused at once

    # ------------------------------------------------------------------ making one

    @classmethod
    def load(cls, *paths: Path | str, bundled: bool = True) -> Self:
        """Load the ontology, the bundled data and any extra RDF files, in memory.

        Args:
            paths: extra files (Turtle, N-Triples, JSON-LD, RDF/XML), added after the data.
            bundled: include the bundled data (the ontology is always loaded).

        Returns:
            A new in-memory graph.

        Raises:
            DataLoadError: a file is missing or malformed (file and line are named).
            LineageCycleError: the files together make weight lineage cyclic.
            InvalidFactError: a fact breaks a rule (a literal at a relation's end …).

        >>> from llmgraph import LineageGraph
        >>> lg = LineageGraph.load(bundled=False)
        >>> len(lg.nx)
        0
        """
        from llmgraph import cache
        from llmgraph.bundle import bundled_data_files, bundled_ontology_file

        files = [bundled_ontology_file()]
        if bundled:
            files += bundled_data_files()
        files += [Path(p) for p in paths]
        key = cache.key_of(files) if cache.cache_folder() is not None else None
        found = cache.read(key) if key is not None else None
        if found is not None:

            def triples() -> Graph:
                try:
                    return found.graph()
                except Exception:  # an entry that no longer unpickles: read the files again
                    return _checked_graph(files)

            return cls(MemoryBackend(pending=triples, count=found.count), engine=found.engine)
        graph = _checked_graph(files)
        made = cls(MemoryBackend(graph))
        if key is not None:
            cache.write(key, made.engine, graph)
        return made

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        read_only: bool = False,
        create: bool = True,
        lock_timeout: float = 10.0,
    ) -> Self:
        """Open (or create) a persistent store: Oxigraph on disk (:mod:`llmgraph.backends.store`).

        Imports are atomic, one writer writes at a time, readers follow new generations, and
        lineage questions are answered from a persisted engine.

        Args:
            path: the store's directory.
            read_only: refuse writes.
            create: create an empty store (holding the ontology) if there is none.
            lock_timeout: seconds a write waits for another writer.

        Raises:
            DataLoadError: ``path`` is not a store, or cannot be opened.

        >>> from llmgraph import LineageGraph
        >>> import tempfile
        >>> from llmgraph.store import bundled_data_files
        >>> with tempfile.TemporaryDirectory() as tmp, LineageGraph.open(f"{tmp}/db") as sg:
        ...     _ = sg.import_files(bundled_data_files())
        ...     [a.label for a in sg.ancestors("Vicuna 13B v1.5")]
        ['Llama 2 13B']
        """
        from llmgraph.backends.store import StoreBackend

        backend = StoreBackend.open(
            path, read_only=read_only, create=create, lock_timeout=lock_timeout
        )
        return cls(backend)

    @classmethod
    def connect(
        cls,
        query_url: str,
        update_url: str | None = None,
        *,
        timeout: float = 60.0,
        headers: Mapping[str, str] | None = None,
        page_size: int = 10_000,
        graph: str | None = None,
    ) -> Self:
        """Use a SPARQL 1.1 endpoint (:mod:`llmgraph.backends.remote`); nothing is fetched yet.

        Args:
            query_url: the endpoint's query URL.
            update_url: its update URL, needed only for writes.
            timeout: seconds to wait for each HTTP request.
            headers: extra HTTP headers (for example ``Authorization``).
            page_size: rows per page of large reads (a server's smaller cap is detected).
            graph: the named graph holding the data (Virtuoso: the graph IRI given to
                ``ld_dir``); ``None`` reads the server's default graph.

        Raises:
            UsageError: a URL is not http(s), or ``graph`` is not an absolute IRI.

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.connect("http://127.0.0.1:7878/query")
        <LineageGraph remote http://127.0.0.1:7878/query>
        >>> LineageGraph.connect("http://127.0.0.1:8890/sparql", graph="urn:llmgraph")
        <LineageGraph remote http://127.0.0.1:8890/sparql graph <urn:llmgraph>>
        """
        from llmgraph.backends.remote import RemoteBackend

        backend = RemoteBackend(
            query_url,
            update_url,
            timeout=timeout,
            headers=headers,
            page_size=page_size,
            graph=graph,
        )
        return cls(backend)

    # ------------------------------------------------------------------ what it is

    @property
    def backend(self) -> Backend:
        """The backend the triples live in."""
        return self._backend

    @property
    def kind(self) -> str:
        """``"memory"``, ``"store"`` or ``"remote"``.

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.load(bundled=False).kind
        'memory'
        """
        return self._backend.kind

    def __len__(self) -> int:
        """Return the number of triples (on a store or an endpoint, a full count)."""
        return self._backend.count()

    def __repr__(self) -> str:
        if self._backend.kind == "memory":
            engine = self.engine
            return f"<LineageGraph memory: {len(self)} triples, {len(engine)} nodes>"
        return f"<LineageGraph {self._backend.kind} {self._backend.where}>"

    def close(self) -> None:
        """Release the backend (files, locks); the graph is unusable afterwards."""
        self._cache.clear()
        self._backend.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ derived views

    def _cached(self, what: str, make: Any) -> Any:
        version = self._backend.version()
        found = self._cache.get(what)
        if found is not None and found[0] == version:
            return found[1]
        value = make()
        self._cache[what] = (version, value)
        return value

    @property
    def engine(self) -> LineageIndex:
        """The traversal engine of the whole graph (see :mod:`llmgraph.engine`).

        Built from the backend's triples, persisted beside a store (and reopened in
        milliseconds), fetched from an endpoint (every lineage, backing and hosting edge and
        the entities' attributes: fine for the bundled data; lineage questions on a large
        endpoint fetch only their closure instead).

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.load().engine.edge_count > 500
        True
        """
        return self._cached("engine", self._make_engine)  # type: ignore[no-any-return]

    def _make_engine(self) -> LineageIndex:
        folder = self._backend.engine_folder()
        version = self._backend.version()
        if folder is not None:
            try:
                return LineageIndex.load(folder, source=version)
            except FileNotFoundError:
                pass
            except DataLoadError:
                pass  # damaged: rebuilt below from the store itself
        engine = LineageIndex.from_reader(self._backend.read)
        if folder is not None:
            with contextlib.suppress(OSError):  # a read-only medium: it stays in memory
                engine.save(folder, source=version)
        return engine

    def engine_for(
        self,
        starts: Sequence[str],
        relations: Iterable[str],
        *,
        direction: str,
        depth: int | None,
    ) -> LineageIndex:
        """Return an engine that holds everything a walk from ``starts`` can reach.

        The whole engine on a local backend; on an endpoint, the closure of the walk (the
        entities a property path reaches, with their facts), fetched in pages.
        """
        if self._backend.local:
            return self.engine
        from llmgraph.backends.remote import RemoteBackend

        backend = self._backend
        if not isinstance(backend, RemoteBackend):  # pragma: no cover - a new kind of backend
            return self.engine
        rows = backend.closure_reader(starts, relations, direction=direction, depth=depth)

        def read(predicate: str) -> Iterator[tuple[str, Any]]:
            return iter(rows.get(predicate, ()))

        return LineageIndex.from_reader(read)

    @property
    def nx(self) -> nx.MultiDiGraph[str]:
        """The networkx view (see :mod:`llmgraph.mirror`); rebuilt after writes. Do not modify it.

        >>> from llmgraph import LineageGraph
        >>> lg = LineageGraph.load()
        >>> lg.nx.has_edge(lg.resolve("Alpaca 7B"), lg.resolve("LLaMA 7B"))
        True
        """
        from llmgraph.mirror import to_networkx

        return self._cached("nx", lambda: to_networkx(self.engine))  # type: ignore[no-any-return]

    @property
    def rdf(self) -> Graph:
        """The triples as an rdflib graph.

        In memory, the rdflib graph itself (the source of truth: read it freely, write through
        :meth:`add`); on a store or an endpoint, a read-only rdflib graph whose patterns go to
        the backend (:mod:`llmgraph.rdfview`).

        >>> from llmgraph import LineageGraph
        >>> from llmgraph.vocab import LLM
        >>> from rdflib import URIRef
        >>> lg = LineageGraph.load()
        >>> alpaca, llama = lg.resolve("Alpaca 7B"), lg.resolve("LLaMA 7B")
        >>> (URIRef(alpaca), LLM.derivedFrom, URIRef(llama)) in lg.rdf
        True
        """
        if isinstance(self._backend, MemoryBackend):
            return self._backend.graph
        from llmgraph.rdfview import read_only_graph

        return self._cached("rdf", lambda: read_only_graph(self._backend))  # type: ignore[no-any-return]

    def triples(self, pattern: tuple[Any, Any, Any]) -> Iterator[tuple[Node, Node, Node]]:
        """Yield the triples matching ``(subject, predicate, object)`` (``None``: any).

        Terms may be rdflib terms, :class:`~llmgraph.terms.IRI` strings or light literals.

        >>> from llmgraph import LineageGraph
        >>> lg = LineageGraph.load()
        >>> len(list(lg.triples((lg.resolve("Llama 2 7B"), llm("developedBy"), None))))
        1
        """
        terms = tuple(None if t is None else to_rdflib_term(t) for t in pattern)
        return self._backend.triples(terms)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ names

    @property
    def names(self) -> NameSource:
        """Where names are looked up (the engine's name tables, or the endpoint)."""
        if self._backend.local:

            def mentions(iri: str) -> bool:
                from rdflib import URIRef

                return (
                    next(iter(self._backend.triples((URIRef(iri), None, None))), None) is not None
                )

            return self._cached("names", lambda: EngineNames(self.engine, mentions))  # type: ignore[no-any-return]
        from llmgraph.backends.remote import RemoteBackend

        backend = self._backend
        assert isinstance(backend, RemoteBackend)
        return self._cached("names", lambda: _RemoteNames(self, backend))  # type: ignore[no-any-return]

    def resolution(
        self, name: str, *, expect: Expect = "entity", prefer_family: bool = False
    ) -> Resolved:
        """Return what ``name`` resolves to, with its kind and notes; see :mod:`llmgraph.names`.

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.load().resolution("Llama 2").kind
        'family'
        """
        return resolve(self.names, str(name), expect=expect, prefer_family=prefer_family)

    def resolve(self, name: str, *, kind: Expect = "entity") -> IRI:
        """Return the IRI of the entity called ``name``.

        Labels, aliases, Hugging Face ids, slugs and IRIs all resolve, case-insensitively.

        Args:
            name: the name.
            kind: what it must name (``"model"``, ``"organization"`` …; default anything).

        Raises:
            UnknownEntityError: no such name; the message lists close matches.
            WrongKindError: it names something of another kind.
            AmbiguousNameError: the name belongs to several entities.

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.load().resolve("meta-llama/Llama-2-7b-hf")
        IRI('https://w3id.org/llmgraph/id/llama-2-7b')
        """
        return self.resolution(name, expect=kind).iri

    def label(self, entity: str) -> str:
        """Return the canonical label of ``entity`` (its IRI's last part if it has none).

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.load().label("https://w3id.org/llmgraph/id/meta")
        'Meta'
        """
        iri = str(entity)
        if self._backend.local:
            engine = self.engine
            node = engine.find(iri)
            if node >= 0 and engine.arrays["has_label"][node]:
                return engine.label(node)
        labels = sorted(str(o) for _, _, o in self.triples((IRI(iri), IRI(RDFS_LABEL), None)))
        return labels[0] if labels else local_name(iri)

    def kind_of(self, entity: str) -> str | None:
        """Return the kind of ``entity`` (``"model"``, ``"family"``, ``"organization"`` …).

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.load().kind_of("https://w3id.org/llmgraph/id/meta")
        'organization'
        """
        bits = self.names.mentioned(str(entity))
        return kind_of_bits(bits) if bits else None

    def sources(self, entity: str) -> list[str]:
        """Return the source URLs cited for ``entity``, sorted.

        >>> from llmgraph import LineageGraph
        >>> "https://arxiv.org/abs/2307.09288" in LineageGraph.load().sources("Llama 2 7B")
        True
        """
        iri = self.resolve(entity)
        return sorted(str(o) for _, _, o in self.triples((iri, IRI(DCTERMS_SOURCE), None)))

    def members(self, family: str, *, prefer_family: bool = False) -> list[IRI]:
        """Return the models of a family (or the one model, if ``family`` names a model).

        >>> from llmgraph import LineageGraph
        >>> [m.rsplit("/", 1)[1] for m in LineageGraph.load().members("Llama 2")][:2]
        ['llama-2-13b', 'llama-2-13b-chat']
        """
        found = self.resolution(family, expect="model or family", prefer_family=prefer_family)
        return self.members_of(found)

    def members_of(self, found: Resolved) -> list[IRI]:
        """Return the models a resolved name stands for: a family's models, or the one model.

        >>> from llmgraph import LineageGraph
        >>> lg = LineageGraph.load()
        >>> len(lg.members_of(lg.resolution("Llama 2"))) > 3
        True
        """
        if found.kind != "family":
            return [found.iri]
        return sorted(
            IRI(str(s))
            for s, _, _ in self.triples((None, IRI(llm("family")), found.iri))
            if not isinstance(s, Blank) and "://" in str(s)
        )

    # ------------------------------------------------------------------ the write path

    def add(self, triples: Iterable[tuple[Any, Any, Any]]) -> int:
        """Add facts, checked, with ``llm:derivedFrom`` / ``llm:backs`` materialized.

        Args:
            triples: ``(subject, predicate, object)`` as rdflib terms or light terms.

        Returns:
            The number of triples that were not already present (materialized ones included).

        Raises:
            InvalidFactError: a fact breaks a rule (a literal at a relation's end, a date that
                is not an ``xsd:date`` …); nothing is added.
            LineageCycleError: the facts would close a derivation cycle (the full cycle is
                named); nothing is added.

        >>> from llmgraph import LineageGraph
        >>> from llmgraph.vocab import LLMID
        >>> from llmgraph.vocab import LLM
        >>> lg = LineageGraph.load(bundled=False)
        >>> lg.add([(LLMID.b, LLM.quantizedFrom, LLMID.a)])
        2
        >>> sorted(lg.nx.edges(keys=True))
        [('https://w3id.org/llmgraph/id/b', 'https://w3id.org/llmgraph/id/a', 'quantizedFrom')]
        """
        batch = check_facts(triples)
        present = set(batch)
        batch += [t for t in dict.fromkeys(materialized(batch)) if t not in present]
        return self._write(add=batch)

    def remove(self, triples: Iterable[tuple[Any, Any, Any]]) -> int:
        """Remove facts, keeping materialized triples consistent.

        Removing the last weight-lineage sub-relation between two models also removes the
        ``llm:derivedFrom`` it entailed (likewise ``llm:backs``); an entailed triple whose
        sub-relation stays cannot be removed on its own and is kept.

        Returns:
            The number of triples removed.

        >>> from llmgraph import LineageGraph
        >>> from llmgraph.vocab import LLMID, LLM
        >>> lg = LineageGraph.load(bundled=False)
        >>> _ = lg.add([(LLMID.b, LLM.fineTunedFrom, LLMID.a)])
        >>> lg.remove([(LLMID.b, LLM.fineTunedFrom, LLMID.a)])
        2
        >>> len(lg.nx.edges)
        0
        """
        asked = list(dict.fromkeys(light(t) for t in triples))
        absent = set(self._backend.missing(asked))
        gone = [t for t in asked if t not in absent]
        going = set(gone)
        extra: list[LightTriple] = []
        for s, p, o in gone:
            sup = entailed_by(str(p))
            if sup is not None:
                subs = [(s, IRI(llm(q)), o) for q in SUPER_RELATIONS[local_name(sup)]]
                if all(t in going or t in set(self._backend.missing(subs)) for t in subs):
                    entailed = (s, IRI(sup), o)
                    if entailed not in going and not self._backend.missing([entailed]):
                        extra.append(entailed)
        kept: list[LightTriple] = []
        for s, p, o in gone:
            name = local_name(str(p)) if str(p).startswith(llm("")) else ""
            if name in SUPER_RELATIONS:
                subs = [(s, IRI(llm(q)), o) for q in SUPER_RELATIONS[name]]
                remaining = [t for t in subs if t not in going]
                if remaining and len(self._backend.missing(remaining)) < len(remaining):
                    kept.append((s, p, o))
        removal = [t for t in gone if t not in set(kept)] + extra
        return self._write(remove=removal)

    def _write(self, *, add: Sequence[LightTriple] = (), remove: Sequence[LightTriple] = ()) -> int:
        """Apply checked facts in one transaction, refusing derivation cycles.

        ``add`` must already hold its materialized triples (see :meth:`add`).
        """
        if not add and not remove:
            return 0
        tx = self._backend.begin()
        try:
            missing = getattr(tx, "missing", self._backend.missing)
            fresh = missing(list(add)) if add else []
            absent = set(missing(list(remove))) if remove else set()
            gone = [t for t in remove if t not in absent]
            edges = [(str(s), str(o)) for s, p, o in fresh if p == _DERIVED]
            if edges:
                labels = {
                    str(s): o.lexical for s, p, o in add if p == RDFS_LABEL and isinstance(o, Lit)
                }
                engine = self._base_engine(tx, [o for _, o in edges])
                engine.find_cycle(edges, labels)
            if not fresh and not gone:
                tx.abort()  # nothing new: no new generation, no new version
                return 0
            if gone:
                tx.remove(gone)
            if fresh:
                tx.add(fresh)
            tx.commit()
        except BaseException:
            tx.abort()
            raise
        return len(fresh) + len(gone)

    def _base_engine(self, tx: Any, parents: Sequence[str]) -> LineageIndex:
        """Return the engine of the state a transaction started from."""
        if not self._backend.local:
            return self.engine_for(parents, WEIGHT_RELATIONS, direction="out", depth=None)
        base = getattr(tx, "base", None)
        cached = self._cache.get("engine")
        if base is None or (cached is not None and cached[0] == base):
            return self.engine if base is None else cached[1]  # type: ignore[index]
        folder = self._backend.engine_folder()
        if folder is not None and folder.name == base:
            try:
                return LineageIndex.load(folder, source=base)
            except (FileNotFoundError, DataLoadError):
                pass
        return LineageIndex.from_reader(tx.read)


class _RemoteNames:
    """Names on an endpoint: exact ones by SPARQL, the rest from the whole engine.

    Loose names and "did you mean" need every name: the engine is fetched for them only when
    an exact lookup finds nothing.
    """

    def __init__(self, lg: BaseGraph, backend: Any):
        self._lg = lg
        self._backend = backend

    def _engine_names(self) -> EngineNames:
        return EngineNames(self._lg.engine)

    def exact(self, key: str) -> dict[str, int]:
        from llmgraph.names import class_bits

        found: dict[str, set[str]] = {}
        for entity, cls in self._backend.names_like(key):
            found.setdefault(entity, set()).add(cls)
        if "://" not in key and not found:
            return self._engine_names().exact(key)
        return {e: bits for e, classes in found.items() if (bits := class_bits(classes))}

    def loose(self, key: str) -> dict[str, int]:
        return self._engine_names().loose(key)

    def mentioned(self, iri: str) -> int | None:
        from llmgraph.names import class_bits

        classes = self._backend.classes_of(iri)
        if not classes:
            return None
        return class_bits(c for c in classes if c)

    def suggestions(self, text: str, bits: int, limit: int) -> list[str]:
        return self._engine_names().suggestions(text, bits, limit)
