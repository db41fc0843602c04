"""A read-only rdflib graph over any backend, for code that reads facts one pattern at a time.

``LineageGraph.rdf`` is the rdflib graph itself for the in-memory backend; for a store or an
endpoint it is a :class:`rdflib.Graph` over this store plugin, whose triple patterns go to the
backend (``quads_for_pattern`` on Oxigraph, a paged SELECT on an endpoint). Describing an
entity, drawing a diagram or exporting a selection thus reads the same way on every backend.
It is made for patterns with a bound subject or predicate; whole-graph work at Hub scale goes
through the traversal engine and SPARQL instead. Writes are refused: change facts through
``LineageGraph.add`` and ``remove``, which check them.

>>> from llmgraph.backends.memory import MemoryBackend
>>> from rdflib import URIRef
>>> from llmgraph.terms import IRI
>>> backend = MemoryBackend()
>>> tx = backend.begin()
>>> tx.add([(IRI("http://e/a"), IRI("http://e/p"), IRI("http://e/b"))])
>>> tx.commit()
>>> view = read_only_graph(backend)
>>> list(view.objects(URIRef("http://e/a"), URIRef("http://e/p")))
[rdflib.term.URIRef('http://e/b')]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rdflib import Graph
from rdflib.store import Store

from llmgraph.errors import UsageError
from llmgraph.vocab import PREFIXES

if TYPE_CHECKING:
    from llmgraph.backends import Backend

__all__ = ["BackendStore", "read_only_graph"]


class BackendStore(Store):
    """An rdflib store plugin that reads a :class:`~llmgraph.backends.Backend` (read-only)."""

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self, backend: Backend):
        super().__init__()
        self.backend = backend

    def triples(
        self, triple_pattern: tuple[Any, Any, Any], context: Any = None
    ) -> Iterator[tuple[tuple[Any, Any, Any], Iterator[Any]]]:
        """Yield each matching triple (with no contexts) from the backend."""
        for triple in self.backend.triples(triple_pattern):
            yield triple, iter(())

    def __len__(self, context: Any = None) -> int:
        """Return the number of triples."""
        return self.backend.count()

    def add(self, triple: Any, context: Any = None, quoted: bool = False) -> None:
        """Refuse: the view is read-only."""
        raise UsageError(
            "this rdflib graph reads a store or an endpoint: change facts with "
            "LineageGraph.add / remove, which check them"
        )

    def remove(self, triple: Any, context: Any = None) -> None:
        """Refuse: the view is read-only."""
        self.add(triple)

    def contexts(self, triple: Any = None) -> Any:
        """Return no contexts (the view is one graph)."""
        return iter(())


def read_only_graph(backend: Backend) -> Graph:
    """Return a read-only :class:`rdflib.Graph` over ``backend`` with llmgraph's prefixes."""
    graph = Graph(store=BackendStore(backend), bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.namespace_manager.bind(prefix, iri, override=True)
    return graph
