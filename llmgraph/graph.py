"""The :class:`LineageGraph`: the RDF store, its networkx mirror, and the one write path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.query import Result

from llmgraph.errors import InvalidFactError, LineageCycleError
from llmgraph.mirror import project, sync_nodes, sync_pairs
from llmgraph.names import NameIndex
from llmgraph.store import (
    Triple,
    bundled_data_files,
    bundled_ontology_file,
    materialized,
    new_graph,
    parse_file,
)
from llmgraph.vocab import (
    BACKING,
    LLM,
    MIRRORED,
    RELEASE_DATE_PRECISIONS,
    WEIGHT_LINEAGE,
    relation_name,
)

if TYPE_CHECKING:
    from llmgraph.describe import Fact
    from llmgraph.lineage import Link, Step
    from llmgraph.stores.oxigraph import StoredGraph
    from llmgraph.stores.remote import RemoteGraph
    from llmgraph.validate import ValidationReport

__all__ = ["LineageGraph"]

_INTEGER_ATTRIBUTES = (
    LLM.parameterCount,
    LLM.activeParameterCount,
    LLM.contextLength,
    LLM.trainingTokens,
)
_DATE_ATTRIBUTES = (LLM.releaseDate, LLM.date)


class LineageGraph:
    """A lineage knowledge graph: an RDF store and its networkx mirror, kept equal.

    Build one with :meth:`load`. Read the RDF through :attr:`rdf` and the mirror through
    :attr:`nx`; change facts only through :meth:`add`, :meth:`remove` and :meth:`add_file`, which
    update both together, materialize ``llm:derivedFrom`` / ``llm:backs``, refuse derivation
    cycles, and leave the graph unchanged when they raise.

    >>> lg = LineageGraph.load()
    >>> [a.label for a in lg.ancestors("Vicuna 13B v1.5")]
    ['Llama 2 13B']
    """

    def __init__(self, graph: Graph | None = None):
        """Wrap ``graph`` (materializing and checking it), or start empty.

        Raises:
            LineageCycleError: ``graph`` has a derivation cycle.
            InvalidFactError: a relation has a literal at one of its ends.
        """
        self._rdf = graph if graph is not None else new_graph()
        for triple in self._rdf:
            _check_fact(triple, None)
        for triple in list(materialized(self._rdf)):
            self._rdf.add(triple)
        _check_acyclic(self._rdf, _derivation_digraph(self._rdf), None)
        self._mirror = project(self._rdf)
        self._names: NameIndex | None = None

    @classmethod
    def load(cls, *paths: Path | str, bundled: bool = True) -> LineageGraph:
        """Load the ontology, the bundled data and any extra Turtle files.

        Args:
            paths: extra Turtle files, added after the bundled data.
            bundled: include the bundled data (the ontology is always loaded).

        Returns:
            A new graph.

        Raises:
            DataLoadError: a file is missing or not valid Turtle (file and line are named).
            LineageCycleError: the files together make weight lineage cyclic.
            InvalidFactError: a relation has a literal at one of its ends.

        >>> lg = LineageGraph.load(bundled=False)
        >>> len(lg.nx)
        0
        """
        files = [bundled_ontology_file()]
        if bundled:
            files += bundled_data_files()
        files += [Path(p) for p in paths]
        graph = new_graph()
        for path in files:
            part = parse_file(path)
            for triple in part:
                _check_fact(triple, path)
            graph += part
        return cls(graph)

    # ------------------------------------------------------------------ views

    @property
    def rdf(self) -> Graph:
        """The rdflib graph: the source of truth. Read it freely; write through :meth:`add`.

        >>> from llmgraph.vocab import LLM
        >>> lg = LineageGraph.load()
        >>> (lg.resolve("Alpaca 7B"), LLM.derivedFrom, lg.resolve("LLaMA 7B")) in lg.rdf
        True
        """
        return self._rdf

    @property
    def nx(self) -> nx.MultiDiGraph[str]:
        """The networkx mirror (see :mod:`llmgraph.mirror` for its shape). Do not modify it.

        >>> lg = LineageGraph.load()
        >>> lg.nx.has_edge(str(lg.resolve("Alpaca 7B")), str(lg.resolve("LLaMA 7B")))
        True
        """
        return self._mirror

    def __len__(self) -> int:
        """Return the number of triples in the store."""
        return len(self._rdf)

    def __repr__(self) -> str:
        return f"<LineageGraph: {len(self._rdf)} triples, {self._mirror.number_of_nodes()} nodes>"

    # ------------------------------------------------------------------ names

    def resolve(self, name: str | URIRef, *, kind: str = "entity") -> URIRef:
        """Return the IRI of the entity called ``name``.

        Labels, aliases, Hugging Face ids, slugs and IRIs all resolve, case-insensitively.

        Raises:
            UnknownEntityError: no such name; the message lists close matches.
            AmbiguousNameError: the name belongs to several entities.

        >>> lg = LineageGraph.load()
        >>> str(lg.resolve("meta-llama/Llama-2-7b-hf"))
        'https://w3id.org/llmgraph/id/llama-2-7b'
        """
        text = str(name)
        if "://" in text and (text in self._mirror or (URIRef(text), None, None) in self._rdf):
            return URIRef(text)  # any IRI the graph mentions, typed or not
        if self._names is None:
            self._names = NameIndex(self._rdf)
        return self._names.resolve(name, kind=kind)

    def label(self, entity: str | URIRef) -> str:
        """Return the canonical label of ``entity`` (its IRI's last part if it has none).

        >>> LineageGraph.load().label("https://w3id.org/llmgraph/id/meta")
        'Meta'
        """
        value = self._rdf.value(URIRef(str(entity)), RDFS.label)
        if value is not None:
            return str(value)
        text = str(entity).rstrip("/#")
        return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def sources(self, entity: str | URIRef) -> list[str]:
        """Return the source URLs cited for ``entity``, sorted.

        >>> "https://arxiv.org/abs/2307.09288" in LineageGraph.load().sources("Llama 2 7B")
        True
        """
        from rdflib import DCTERMS

        iri = self.resolve(entity)
        return sorted(str(s) for s in self._rdf.objects(iri, DCTERMS.source))

    def describe(self, entity: str | URIRef) -> list[Fact]:
        """Return what the graph says about ``entity``: attributes, links, notes and sources.

        See :func:`llmgraph.describe.describe`.

        >>> facts = LineageGraph.load().describe("Llama 2 7B")
        >>> [f.value for f in facts if f.property == "developedBy"]
        ['Meta']
        """
        from llmgraph.describe import describe

        return describe(self, entity)

    def members(self, family: str | URIRef) -> list[URIRef]:
        """Return the models of a family (or the one model, if ``family`` names a model).

        >>> [str(m).rsplit("/", 1)[1] for m in LineageGraph.load().members("Llama 2")][:2]
        ['llama-2-13b', 'llama-2-13b-chat']
        """
        iri = self.resolve(family, kind="model or family")
        if (iri, RDF.type, LLM.ModelFamily) in self._rdf:
            found = self._rdf.subjects(LLM.family, iri)
            return sorted(m for m in found if isinstance(m, URIRef))
        return [iri]

    # ------------------------------------------------------------------ the write path

    def add(self, triples: Iterable[Triple]) -> int:
        """Add facts to the store and the mirror together.

        ``llm:derivedFrom`` and ``llm:backs`` are materialized for the new sub-relations.

        Args:
            triples: ``(subject, predicate, object)`` rdflib terms.

        Returns:
            The number of triples that were not already present (materialized ones included).

        Raises:
            InvalidFactError: a relation of the vocabulary has a literal at one end, or an
                attribute has a literal of the wrong type; nothing is added.
            LineageCycleError: the facts would close a derivation cycle; nothing is added.

        >>> from llmgraph.vocab import LLMID
        >>> lg = LineageGraph.load(bundled=False)
        >>> lg.add([(LLMID.b, LLM.quantizedFrom, LLMID.a)])
        2
        >>> sorted(lg.nx.edges(keys=True))
        [('https://w3id.org/llmgraph/id/b', 'https://w3id.org/llmgraph/id/a', 'quantizedFrom')]
        """
        batch = list(triples)
        for index, triple in enumerate(batch):
            _check_fact(triple, None, index=index)
        fresh = [t for t in dict.fromkeys(batch) if t not in self._rdf]
        fresh += [t for t in dict.fromkeys(materialized(fresh)) if t not in self._rdf]
        fresh = list(dict.fromkeys(fresh))
        new_edges = [(s, o) for s, p, o in fresh if p == LLM.derivedFrom]
        if new_edges:
            digraph = _derivation_digraph(self._rdf)
            digraph.add_edges_from((str(s), str(o)) for s, o in new_edges)
            _check_acyclic(self._rdf, digraph, [str(s) for s, _ in new_edges])
        for triple in fresh:
            self._rdf.add(triple)
        self._after_change(fresh)
        return len(fresh)

    def remove(self, triples: Iterable[Triple]) -> int:
        """Remove facts from the store and the mirror together.

        Removing the last weight-lineage sub-relation between two models also removes the
        ``llm:derivedFrom`` it entailed (and likewise for ``llm:backs``); an entailed triple
        whose sub-relation stays cannot be removed on its own and is kept.

        Returns:
            The number of triples removed.

        >>> from llmgraph.vocab import LLMID
        >>> lg = LineageGraph.load(bundled=False)
        >>> _ = lg.add([(LLMID.b, LLM.fineTunedFrom, LLMID.a)])
        >>> lg.remove([(LLMID.b, LLM.fineTunedFrom, LLMID.a)])
        2
        >>> len(lg.nx.edges)
        0
        """
        gone = [t for t in dict.fromkeys(triples) if t in self._rdf]
        for triple in gone:
            self._rdf.remove(triple)
        extra: list[Triple] = []
        for s, p, o in gone:
            for sup, subs in ((LLM.derivedFrom, WEIGHT_LINEAGE), (LLM.backs, BACKING)):
                if p in subs and not any((s, q, o) in self._rdf for q in subs):
                    if (s, sup, o) in self._rdf:
                        self._rdf.remove((s, sup, o))
                        extra.append((s, sup, o))
                elif p == sup and any((s, q, o) in self._rdf for q in subs):
                    self._rdf.add((s, sup, o))
                    gone = [t for t in gone if t != (s, p, o)]
        changed = gone + extra
        self._after_change(changed)
        return len(changed)

    def add_file(self, path: Path | str) -> int:
        """Parse a Turtle file and :meth:`add` its triples.

        Returns:
            The number of triples added (materialized ones included).

        Raises:
            DataLoadError: missing or malformed file (named, with the line).
            LineageCycleError: the file's facts would close a derivation cycle.

        >>> import tempfile, pathlib
        >>> lg = LineageGraph.load(bundled=False)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = pathlib.Path(tmp, "x.ttl")
        ...     _ = f.write_text("<http://e/b> <https://w3id.org/llmgraph#owns> <http://e/a> .")
        ...     lg.add_file(f)
        2
        """
        part = parse_file(path)
        for triple in part:
            _check_fact(triple, Path(path))
        for prefix, namespace in part.namespaces():
            if prefix and prefix not in dict(self._rdf.namespaces()):
                self._rdf.bind(prefix, namespace)
        return self.add(part)

    def _after_change(self, changed: Sequence[Triple]) -> None:
        if not changed:
            return
        self._names = None
        pairs = {
            (str(s), str(o))
            for s, p, o in changed
            if p in MIRRORED and isinstance(s, URIRef) and isinstance(o, URIRef)
        }
        nodes = {str(s) for s, _, _ in changed if isinstance(s, URIRef)}
        nodes |= sync_pairs(self._mirror, self._rdf, pairs)
        sync_nodes(self._mirror, self._rdf, nodes)

    # ------------------------------------------------------------------ queries (delegates)

    def ancestors(self, name: str | URIRef, **options: Any) -> list[Link]:
        """Return what ``name`` was built on; see :func:`llmgraph.lineage.ancestors`.

        >>> [a.label for a in LineageGraph.load().ancestors("Koala 13B")]
        ['LLaMA 13B']
        """
        from llmgraph.lineage import ancestors

        return ancestors(self, name, **options)

    def descendants(self, name: str | URIRef, **options: Any) -> list[Link]:
        """Return what was built on ``name``; see :func:`llmgraph.lineage.descendants`.

        >>> [d.label for d in LineageGraph.load().descendants("Code Llama 7B", depth=1)]
        ['Code Llama 7B Instruct', 'Code Llama 7B Python']
        """
        from llmgraph.lineage import descendants

        return descendants(self, name, **options)

    def path(self, source: str | URIRef, target: str | URIRef, **options: Any) -> list[Step]:
        """Return the lineage path between two models; see :func:`llmgraph.lineage.path`.

        >>> [s.relation for s in LineageGraph.load().path("Alpaca 7B", "Koala 13B")]
        Traceback (most recent call last):
        ...
        llmgraph.errors.NoPathError: no lineage path from 'Alpaca 7B' to 'Koala 13B'
        >>> [s.object_label for s in LineageGraph.load().path("Code Llama 7B Python", "Llama 2 7B")]
        ['Code Llama 7B', 'Llama 2 7B']
        """
        from llmgraph.lineage import path

        return path(self, source, target, **options)

    def backers(self, org: str | URIRef, **options: Any) -> list[Link]:
        """Return who backs ``org``; see :func:`llmgraph.lineage.backers`.

        >>> [b.label for b in LineageGraph.load().backers("MosaicML")]
        ['Databricks']
        """
        from llmgraph.lineage import backers

        return backers(self, org, **options)

    def portfolio(self, org: str | URIRef, **options: Any) -> list[Link]:
        """Return whom ``org`` backs; see :func:`llmgraph.lineage.portfolio`.

        >>> "Anthropic" in [p.label for p in LineageGraph.load().portfolio("Amazon")]
        True
        """
        from llmgraph.lineage import portfolio

        return portfolio(self, org, **options)

    def query(self, sparql: str, **options: Any) -> Result:
        """Run SPARQL with llmgraph's prefixes bound; see :func:`llmgraph.sparql.query`.

        >>> bool(LineageGraph.load().query("ASK { ?m llm:quantizedFrom ?p }"))
        True
        """
        from llmgraph.sparql import query

        return query(self, sparql, **options)

    def validate(self) -> ValidationReport:
        """Check the graph against the SHACL shapes; see :func:`llmgraph.validate.validate`.

        >>> LineageGraph.load().validate().conforms
        True
        """
        from llmgraph.validate import validate

        return validate(self)

    # ------------------------------------------------------------------ other stores

    @classmethod
    def open(cls, path: Path | str, *, read_only: bool = False, create: bool = True) -> StoredGraph:
        """Open (or create) a persistent on-disk store; see :mod:`llmgraph.stores.oxigraph`.

        The store is Oxigraph on disk: imports are atomic, reopening takes milliseconds, and
        lineage questions are answered from a persisted array index. It offers the query
        verbs of this class (``ancestors``, ``descendants``, ``path``, ``backers``,
        ``portfolio``, ``query``) with the same result types.

        Raises:
            DataLoadError: ``path`` is not a store, or is locked by another writer.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp, LineageGraph.open(f"{tmp}/db") as sg:
        ...     _ = sg.import_files(bundled_data_files())
        ...     [a.label for a in sg.ancestors("Vicuna 13B v1.5")]
        ['Llama 2 13B']
        """
        from llmgraph.stores.oxigraph import StoredGraph

        return StoredGraph.open(path, read_only=read_only, create=create)

    @classmethod
    def connect(
        cls, query_url: str, update_url: str | None = None, *, timeout: float = 60.0
    ) -> RemoteGraph:
        """Use a SPARQL 1.1 endpoint; every verb runs as SPARQL on the server.

        See :mod:`llmgraph.stores.remote`. Nothing is fetched until a verb is called.

        Raises:
            UsageError: ``query_url`` is not an http(s) URL.

        >>> LineageGraph.connect("http://127.0.0.1:7878/query")
        <RemoteGraph http://127.0.0.1:7878/query>
        """
        from llmgraph.stores.remote import RemoteGraph

        return RemoteGraph(query_url, update_url, timeout=timeout)


def _check_fact(triple: Triple, path: Path | None, *, index: int | None = None) -> None:
    s, p, o = triple
    where = f"fact {index}: " if index is not None else ""
    if not isinstance(p, URIRef):
        raise InvalidFactError(f"{where}predicate must be an IRI, got {p!r}", path=path)
    if p in MIRRORED and not (isinstance(s, URIRef) and isinstance(o, URIRef)):
        shown = o if not isinstance(o, URIRef) else s
        raise InvalidFactError(
            f"{where}llm:{relation_name(p)} links two entities (IRIs), got {shown.n3()!s} "
            f"in <{s}> llm:{relation_name(p)} {o.n3()}",
            path=path,
        )
    if p in _INTEGER_ATTRIBUTES and not (
        isinstance(o, Literal) and isinstance(o.toPython(), int) and o.toPython() >= 0
    ):
        raise InvalidFactError(
            f"{where}llm:{relation_name(p)} of <{s}> must be a non-negative xsd:integer, "
            f"got {o.n3()}",
            path=path,
        )
    if p in _DATE_ATTRIBUTES and not (
        isinstance(o, Literal)
        and o.datatype == URIRef("http://www.w3.org/2001/XMLSchema#date")
        and o.ill_typed is not True
    ):
        raise InvalidFactError(
            f"{where}llm:{relation_name(p)} of <{s}> must be an xsd:date such as "
            f'"2023-07-18"^^xsd:date, got {o.n3()}',
            path=path,
        )

    if p == LLM.releaseDatePrecision and not (
        isinstance(o, Literal) and str(o) in RELEASE_DATE_PRECISIONS
    ):
        allowed = ", ".join(f'"{v}"' for v in RELEASE_DATE_PRECISIONS)
        raise InvalidFactError(
            f"{where}llm:releaseDatePrecision of <{s}> must be one of {allowed}, got {o.n3()}",
            path=path,
        )


def _derivation_digraph(graph: Graph) -> nx.DiGraph[str]:
    digraph: nx.DiGraph[str] = nx.DiGraph()
    for s, o in graph.subject_objects(LLM.derivedFrom):
        digraph.add_edge(str(s), str(o))
    return digraph


def _check_acyclic(graph: Graph, digraph: nx.DiGraph[str], sources: list[str] | None) -> None:
    try:
        cycle = nx.find_cycle(digraph, source=sources)
    except nx.NetworkXNoCycle:
        return
    nodes = [str(u) for u, _ in cycle] + [str(cycle[0][0])]
    labels = []
    for node in nodes:
        value = graph.value(URIRef(node), RDFS.label)
        labels.append(str(value) if value is not None else node)
    raise LineageCycleError(nodes, labels)
