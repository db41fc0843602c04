"""SPARQL on any backend, with llmgraph's prefixes bound and values bound, never pasted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llmgraph.terms import IRI

if TYPE_CHECKING:
    from rdflib.query import Result
    from rdflib.term import Identifier

    from llmgraph.base import BaseGraph

__all__ = ["query", "to_term"]


def to_term(value: Any) -> Identifier:
    """Turn a Python value into the RDF term bound for a query variable.

    rdflib terms pass through; an :class:`~llmgraph.terms.IRI` (what ``lg.resolve`` returns)
    becomes an IRI; ``str``, numbers, booleans and dates become typed literals.

    >>> to_term(7)
    rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> to_term(IRI("http://e/a"))
    rdflib.term.URIRef('http://e/a')
    """
    from rdflib import Literal, URIRef
    from rdflib.term import Identifier

    if isinstance(value, Identifier):
        return value
    if isinstance(value, IRI):
        return URIRef(value)
    return Literal(value)


def query(
    lg: BaseGraph,
    sparql: str,
    *,
    bindings: Mapping[str, Any] | None = None,
    allow_service: bool = False,
) -> Result:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph's backend.

    The prefixes of :data:`llmgraph.vocab.PREFIXES` (``llm:``, ``llmid:``, ``rdfs:``,
    ``skos:``, ``xsd:``, ``dcterms:``, ``prov:``, ``schema:`` …) are bound, so queries need no
    ``PREFIX`` lines. ``bindings`` set variables before evaluation, which is how untrusted
    values enter a query: they are never pasted into its text. ``SERVICE`` (a federated
    query, which would make llmgraph connect to another server) is refused unless
    ``allow_service`` is true.

    Args:
        lg: the graph.
        sparql: the query text.
        bindings: variable name (without ``?``) → value (an rdflib term, an
            :class:`~llmgraph.terms.IRI`, or a Python value that :func:`to_term` converts).
        allow_service: let ``SERVICE`` clauses run.

    Returns:
        rdflib's :class:`~rdflib.query.Result`; SELECT rows iterate as tuples.

    Raises:
        QueryError: a syntax error (with line and column), a refused ``SERVICE``, or an
            evaluation error.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> rows = query(lg, "SELECT ?parent WHERE { ?m llm:fineTunedFrom ?parent }",
    ...              bindings={"m": lg.resolve("Vicuna 13B v1.5")})
    >>> [str(r[0]) for r in rows]
    ['https://w3id.org/llmgraph/id/llama-2-13b']
    """
    from llmgraph.errors import QueryError

    if not isinstance(sparql, str):
        raise QueryError(f"a SPARQL query is text, got {type(sparql).__name__}")
    if not allow_service:
        from llmgraph.federation import refuse_service

        refuse_service(sparql)
    init = {str(k).lstrip("?$"): to_term(v) for k, v in (bindings or {}).items()}
    return lg.backend.query(sparql, bindings=init)
