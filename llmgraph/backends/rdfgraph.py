"""The rdflib graph class of the in-memory backend: patterns take llmgraph's IRI strings.

>>> dict(new_graph().namespaces())["llm"]
rdflib.term.URIRef('https://w3id.org/llmgraph#')
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef

from llmgraph.terms import IRI
from llmgraph.vocab import PREFIXES

__all__ = ["RDFGraph", "new_graph"]


class RDFGraph(Graph):
    """An rdflib graph whose patterns also take llmgraph's :class:`~llmgraph.terms.IRI` strings.

    ``lg.resolve`` returns an ``IRI`` (a ``str``); rdflib matches only its own terms, so
    ``lg.rdf.value(lg.resolve("Llama 2 7B"), LLM.license)`` would silently find nothing. This
    graph turns an ``IRI`` in a pattern into a ``URIRef`` first.

    >>> from rdflib import Literal
    >>> from llmgraph.terms import IRI
    >>> g = new_graph()
    >>> g.add((URIRef("http://e/a"), URIRef("http://e/p"), Literal("x")))  # doctest: +ELLIPSIS
    <Graph ...>
    >>> g.value(IRI("http://e/a"), URIRef("http://e/p"))
    rdflib.term.Literal('x')
    """

    def triples(self, triple: Any, *args: Any, **kwargs: Any) -> Any:
        """Yield the triples matching ``triple`` (an ``IRI`` is taken as a ``URIRef``)."""
        s, p, o = triple
        return super().triples((_node(s), _node(p), _node(o)), *args, **kwargs)

    def __contains__(self, triple: Any) -> bool:
        s, p, o = triple
        return super().__contains__((_node(s), _node(p), _node(o)))


def _node(term: Any) -> Any:
    if isinstance(term, IRI):
        return URIRef(term)
    return term


def new_graph() -> RDFGraph:
    """Return an empty :class:`RDFGraph` with llmgraph's prefixes bound.

    >>> len(new_graph())
    0
    """
    graph = RDFGraph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph
