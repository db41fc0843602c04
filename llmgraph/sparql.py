"""SPARQL over the store, with llmgraph's prefixes bound and values bound, never pasted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pyparsing import ParseBaseException
from rdflib import Literal
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from rdflib.term import Identifier

from llmgraph.errors import QueryError
from llmgraph.vocab import PREFIXES

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph

__all__ = ["query", "to_term"]


def to_term(value: Any) -> Identifier:
    """Turn a Python value into the RDF term bound for a query variable.

    rdflib terms pass through; ``str``, numbers, booleans and dates become typed literals.
    To bind an entity by name, pass ``lg.resolve(name)`` (an IRI).

    >>> to_term(7)
    rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> from rdflib import URIRef
    >>> to_term(URIRef("http://e/a"))
    rdflib.term.URIRef('http://e/a')
    """
    if isinstance(value, Identifier):
        return value
    return Literal(value)


def query(lg: LineageGraph, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> Result:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) against the store.

    The prefixes of :data:`llmgraph.vocab.PREFIXES` (``llm:``, ``llmid:``, ``rdfs:``,
    ``skos:``, ``xsd:``, ``dcterms:``, ``prov:``, ``schema:`` …) are bound, so queries need no
    ``PREFIX`` lines. ``bindings`` sets variables before evaluation, which is how untrusted
    values enter a query: they are never pasted into its text.

    Args:
        lg: the graph.
        sparql: the query text.
        bindings: variable name (without ``?``) → value (an rdflib term, or a Python value
            that :func:`to_term` converts).

    Returns:
        rdflib's :class:`~rdflib.query.Result`; SELECT rows iterate as tuples.

    Raises:
        QueryError: a syntax error (with line and column) or an evaluation error.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> rows = query(lg, "SELECT ?parent WHERE { ?m llm:fineTunedFrom ?parent }",
    ...              bindings={"m": lg.resolve("Vicuna 13B v1.5")})
    >>> [str(r[0]) for r in rows]
    ['https://w3id.org/llmgraph/id/llama-2-13b']
    """
    try:
        prepared = prepareQuery(sparql, initNs=dict(PREFIXES))
    except ParseBaseException as exc:
        line, column = exc.lineno, exc.col
        text = sparql.splitlines()[line - 1] if 0 < line <= len(sparql.splitlines()) else ""
        pointer = f"\n  {text}\n  {' ' * (column - 1)}^" if text else ""
        raise QueryError(
            f"SPARQL syntax error at line {line}, column {column}: {exc.msg}{pointer}",
            line=line,
            column=column,
        ) from exc
    except Exception as exc:  # rdflib raises plain exceptions for unknown prefixes and more
        raise QueryError(f"invalid SPARQL: {exc}") from exc
    init = {str(k).lstrip("?$"): to_term(v) for k, v in (bindings or {}).items()}
    try:
        result = lg.rdf.query(prepared, initBindings=init)
        if result.type == "SELECT":
            _ = result.bindings  # evaluate now, so errors surface here and not mid-iteration
    except Exception as exc:
        raise QueryError(f"SPARQL evaluation failed: {exc}") from exc
    return result
