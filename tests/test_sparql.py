"""SPARQL with prefixes pre-bound, values bound (never pasted), and located syntax errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from llmgraph import LineageGraph, QueryError, query

from .conftest import TINY

T = "https://example.org/tiny/"


def test_prefixes_are_prebound(tiny: LineageGraph) -> None:
    """Queries need no PREFIX lines for llm:, rdfs:, xsd: and friends."""
    rows = query(
        tiny,
        "SELECT ?label WHERE { ?m a llm:Model ; rdfs:label ?label ; llm:releaseDate ?d "
        "FILTER (?d >= '2023-07-01'^^xsd:date) } ORDER BY ?label",
    )
    assert [str(r[0]) for r in rows] == ["Base 2 7B", "Base 2 7B Long"]  # type: ignore[index]


def test_property_path_over_materialized_derived_from(tiny: LineageGraph) -> None:
    """`llm:derivedFrom+` works without a reasoner because it is materialized."""
    rows = query(
        tiny, "SELECT ?a WHERE { ?m llm:derivedFrom+ ?a }", bindings={"m": URIRef(T + "merge")}
    )
    assert {str(r[0]) for r in rows} == {T + "tuned", T + "other", T + "base"}  # type: ignore[index]


def test_bindings_are_values_not_text(tiny: LineageGraph) -> None:
    """A hostile string bound to a variable is matched as a literal, never parsed as SPARQL."""
    hostile = 'x" } UNION { ?m ?p ?o } #'
    rows = query(tiny, "SELECT ?m WHERE { ?m rdfs:label ?name }", bindings={"name": hostile})
    assert list(rows) == []
    rows = query(tiny, "SELECT ?m WHERE { ?m rdfs:label ?name }", bindings={"?name": "Base 7B"})
    assert [str(r[0]) for r in rows] == [T + "base"]  # type: ignore[index]


def test_python_values_become_typed_literals(tiny: LineageGraph) -> None:
    """Integers bind as xsd:integer and match the data's typed counts."""
    rows = query(
        tiny, "SELECT ?m WHERE { ?m llm:parameterCount ?n }", bindings={"n": 7_000_000_000}
    )
    assert [str(r[0]) for r in rows] == [T + "base"]  # type: ignore[index]


def test_syntax_error_gives_line_and_column(tiny: LineageGraph) -> None:
    """A syntax error names the line and column and points at it."""
    with pytest.raises(QueryError) as info:
        query(tiny, "SELECT ?m\nWHERE { ?m llm:fineTunedFrom }")
    assert info.value.line == 2
    assert info.value.column is not None
    assert str(info.value).startswith("SPARQL syntax error at line 2, column ")
    assert "^" in str(info.value)


def test_unknown_prefix_is_a_query_error(tiny: LineageGraph) -> None:
    """An undeclared prefix is reported as a QueryError naming it."""
    with pytest.raises(QueryError, match="nope"):
        query(tiny, "SELECT ?m WHERE { ?m nope:x ?o }")


def test_ask_and_construct(tiny: LineageGraph) -> None:
    """ASK answers a boolean; CONSTRUCT returns a graph."""
    assert query(tiny, "ASK { ?m llm:adapterOf ?p }").askAnswer is True
    result = query(tiny, "CONSTRUCT { ?m llm:derivedFrom ?p } WHERE { ?m llm:mergedFrom ?p }")
    assert result.graph is not None and len(result.graph) == 2


def test_citations_are_queryable(tiny: LineageGraph) -> None:
    """The source of a backing fact is reachable in SPARQL through its statement node."""
    rows = query(
        tiny,
        "SELECT ?src ?amount WHERE { ?st rdf:subject ?s ; rdf:predicate llm:investsIn ; "
        "rdf:object ?o ; dcterms:source ?src ; llm:amount ?amount }",
        bindings={"s": URIRef(T + "fund"), "o": URIRef(T + "acme")},
    )
    assert [(str(r[0]), r[1]) for r in rows] == [  # type: ignore[index]
        ("https://example.org/fund-acme", Literal(100000000))
    ]


def test_bundled_ancestry_by_sparql(bundled: LineageGraph) -> None:
    """On the bundled data, Vicuna 13B v1.5's weight ancestry is Llama 2 13B alone."""
    rows = bundled.query("SELECT ?a WHERE { llmid:vicuna-13b-v1-5 llm:derivedFrom+ ?a }")
    assert [str(r[0]) for r in rows] == ["https://w3id.org/llmgraph/id/llama-2-13b"]  # type: ignore[index]


@pytest.mark.parametrize("backend", ["memory", "store"])
def test_queries_refuse_service_before_connecting(
    backend: str, tiny: LineageGraph, tmp_path: Path
) -> None:
    """SERVICE is refused in memory and on a store: nothing connects to the address named."""
    import socket

    lg = tiny
    if backend == "store":
        lg = LineageGraph.open(tmp_path / "db")
        lg.import_files([TINY])
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        text = f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        with pytest.raises(QueryError, match="is refused"):
            lg.query(text)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()
    if backend == "store":
        lg.close()
