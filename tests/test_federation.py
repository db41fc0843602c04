"""Finding SERVICE in SPARQL text: agreement with rdflib's parser and Oxigraph's, decoys ignored."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import assume, given
from pyparsing import ParseException
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from llmgraph import LineageGraph, QueryError
from llmgraph.federation import find_service, refuse_service
from tests.strategies import SERVICE_PREFIXES, service_queries

# Oxigraph's HTTP client refuses port 1 before connecting: a safe way to see it try SERVICE
NOWHERE = "http://127.0.0.1:1/sparql"
PROLOGUE = (
    "PREFIX ex: <http://127.0.0.1:1/> PREFIX : <http://127.0.0.1:1/> PREFIX service: <http://e/> "
)


def rdflib_uses_service(text: str) -> bool:
    """Say whether rdflib's parsed algebra of ``text`` holds a ServiceGraphPattern."""
    seen: list[Any] = [prepareQuery(text).algebra]
    while seen:
        node = seen.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            seen.extend(node.values())
        elif isinstance(node, list | tuple):
            seen.extend(node)
    return False


def oxigraph_tries_service(text: str) -> bool:
    """Say whether Oxigraph, evaluating ``text`` on a one-triple store, tried to call a SERVICE."""
    store = ox.Store()
    store.add(
        ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o"))
    )
    try:
        result = store.query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (OSError, RuntimeError) as exc:
        return "port 1 is not allowed" in str(exc) or "service name is unbound" in str(exc)
    except SyntaxError:
        return False
    return False


def position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@given(service_queries())
def test_find_service_agrees_with_rdflib(case: tuple[str, list[int]]) -> None:
    """On generated queries full of decoys, SERVICE is found where rdflib parses one, only there."""
    text, marks = case
    found = find_service(text)
    assert found == (position(text, marks[0]) if marks else None)
    if oxigraph_tries_service(text):
        assert found is not None
    try:
        parsed = rdflib_uses_service(text)
    except ParseException:  # rdflib rejects SERVICE after an IRI with '#' on its line
        assume(False)
    assert parsed == bool(marks)


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * {{ SERVICE <{NOWHERE}> {{ ?s ?p ?o }} }}",
        "SELECT * { ?s ?p ?o SERVICE ex:x {} }",
        "SELECT * { SERVICEex:x {} }",
        "SELECT * { service:x {} }",
        "SELECT * { service: {} }",
        "SELECT * { ?s ?p ?o ; SERVICE:x {} }",
        "SELECT * { ?s ?p ?o . OPTIONAL{}SERVICE:x{} }",
        "SELECT * { ?s ?p ?o . SERVICE ?unbound { } }",
        "SELECT * { ?s ?p ?o # comment\n SERVICE#another\n<http://127.0.0.1:1/> {} }",
    ],
)
def test_oxigraph_readings_of_service_are_found(query: str) -> None:
    """Every spelling that makes Oxigraph call a SERVICE (its lenient ones too) is found."""
    assert oxigraph_tries_service(PROLOGUE + query)
    assert find_service(PROLOGUE + query) is not None


@pytest.mark.parametrize(
    "template",
    ["SELECT * {{ service SILENT <{url}> {{}} }}", "SELECT * {{ SERVICESILENT<{url}> {{}} }}"],
)
def test_silent_service_is_found(template: str) -> None:
    """SERVICE SILENT, glued or not, is found; Oxigraph does connect to its address."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(30)
    query = template.format(url=f"http://127.0.0.1:{listener.getsockname()[1]}/sparql")
    worker = threading.Thread(target=lambda: _quietly(ox.Store().query, query), daemon=True)
    try:
        worker.start()
        connection, _ = listener.accept()  # Oxigraph connected: it read a SERVICE
        connection.close()
        worker.join(timeout=30)
    finally:
        listener.close()
    assert find_service(query) is not None


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * {{ \\u0053ERVICE <{NOWHERE}> {{}} }}",
        f"SELECT * {{ \u017fervice <{NOWHERE}> {{}} }}",
        f'SELECT * {{ ?s ?p "\\u0022 . SERVICE <{NOWHERE}> {{}} ?s ?p \\u0022" }}',
    ],
)
def test_rdflib_readings_of_service_are_found(query: str) -> None:
    r"""SERVICE spelt with \u escapes or letters upper-casing to it (as rdflib reads) is found."""
    assert rdflib_uses_service(query)
    assert find_service(query) is not None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service ?p ?o }",
        "SELECT * { ?s ex:SERVICE ?o . ?s ex:a.SERVICE ?o }",
        "SELECT * { service:x ?p ?o . ?s service:p service:y }",
        "SELECT * { service: ?p ?o }",
        f"SELECT * {{ ?s ?p <{NOWHERE}#SERVICE> }}",
        "SELECT * { ?s ?p 'SERVICE <x> {}' , \"service{}\" }",
        "SELECT * { ?s ?p '''SERVICE\n<x> {}''' , \"\"\"\nSERVICE <x> {}\"\"\" }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> {}",
        "SELECT * { ?s ?p 'x'@service . _:service ?p $SERVICE }",
    ],
)
def test_decoys_are_not_service(query: str) -> None:
    """The word in variables, prefixed names, IRIs, strings, comments or tags is no SERVICE."""
    assert not oxigraph_tries_service(PROLOGUE + query)
    assert not rdflib_uses_service(SERVICE_PREFIXES + query)
    assert find_service(PROLOGUE + query) is None


def test_conservative_reading_is_documented() -> None:
    """A service… name right before a group counts as SERVICE, though Oxigraph reads a triple."""
    query = PROLOGUE + "SELECT * { ?s ?p service:x { ?a ?b ?c } }"
    assert not oxigraph_tries_service(query)
    assert find_service(query) is not None


def test_position_counts_characters() -> None:
    """Line and column are 1-based and count characters, not bytes."""
    assert find_service("SELECT * {\n  ?s ?p 'ééé' . SERVICE <x> {} }") == (2, 17)


def test_refuse_service_raises_a_query_error_with_the_position() -> None:
    """refuse_service raises QueryError naming the opt-in and the position; plain queries pass."""
    refuse_service("SELECT * { ?s ?p 'SERVICE' }")
    with pytest.raises(
        QueryError, match=r"--allow-service to allow it \(line 2, column 3\)"
    ) as err:
        refuse_service(f"SELECT * {{\n  SERVICE <{NOWHERE}> {{ }} }}")
    assert (err.value.line, err.value.column) == (2, 3)


def test_refusing_before_rdflib_makes_no_connection() -> None:
    """Called before rdflib, refuse_service stops the query before rdflib connects (it would)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    query = f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    graph = LineageGraph.load(bundled=False).rdf
    try:
        with pytest.raises(QueryError, match="refused"):
            refuse_service(query)
            graph.query(query)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()
        # the control: without the check, rdflib does connect
        listener.setblocking(True)
        worker = threading.Thread(target=lambda: _quietly(Graph().query, query), daemon=True)
        worker.start()
        connection, _ = listener.accept()
        connection.close()
        worker.join(timeout=30)
    finally:
        listener.close()


def _quietly(run: Any, *args: Any) -> None:
    with contextlib.suppress(Exception):  # the control query fails once its connection closes
        list(run(*args))
