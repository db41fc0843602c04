"""Remote SPARQL endpoints: every verb runs on a real Oxigraph server started by the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from llmgraph import (
    ALL_LINEAGE,
    LineageCycleError,
    LineageGraph,
    QueryError,
    UnknownEntityError,
    UsageError,
)
from llmgraph.stores.remote import RemoteGraph
from llmgraph.vocab import LLM, LLMID

NAMES = ["Llama 2", "LLaMA 7B", "Mistral 7B", "Vicuna 13B v1.5", "Alpaca 7B"]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def oxigraph_program() -> str:
    """Return the `oxigraph` server program installed with the dev dependencies."""
    found = Path(sys.executable).with_name("oxigraph")
    program = str(found) if found.exists() else shutil.which("oxigraph")
    if program is None:
        pytest.fail("the `oxigraph` server is missing: run `make setup` (dev dependency oxigraph)")
    return program


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll ``url`` until the server answers (or fail if it died or took over 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    pytest.fail(f"the server at {url} did not come up")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, bundled: LineageGraph) -> Iterator[str]:
    """A real Oxigraph server on a free loopback port, loaded with the bundled graph."""
    folder = tmp_path_factory.mktemp("oxigraph")
    data = folder / "bundled.nt"
    bundled.rdf.serialize(data, format="nt", encoding="utf-8")
    program = oxigraph_program()
    subprocess.run(
        [program, "load", "--location", str(folder / "db"), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [program, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def remote(server: str) -> RemoteGraph:
    """The server connected through LineageGraph.connect (read and write)."""
    return LineageGraph.connect(server + "/query", server + "/update")


def test_every_verb_equals_the_in_memory_graph(remote: RemoteGraph, bundled: LineageGraph) -> None:
    """ancestors, descendants, backers, portfolio, path run on the server with equal answers."""
    for name in NAMES:
        assert remote.descendants(name) == bundled.descendants(name)
        assert remote.descendants(name, depth=1) == bundled.descendants(name, depth=1)
        assert remote.ancestors(name, relations=ALL_LINEAGE) == bundled.ancestors(
            name, relations=ALL_LINEAGE
        )
    for org in ("Mistral AI", "Anthropic"):
        assert remote.backers(org, transitive=True) == bundled.backers(org, transitive=True)
        assert remote.backers(org) == bundled.backers(org)
    for org in ("Microsoft", "Databricks"):
        assert remote.portfolio(org, transitive=True) == bundled.portfolio(org, transitive=True)
    for a, b in (("Tulu 2 DPO 7B", "Vicuna 7B v1.5"), ("Vicuna 13B v1.5", "Llama 2 13B")):
        assert remote.path(a, b) == bundled.path(a, b)
    assert remote.path("Vicuna 13B v1.5", "Llama 2 13B", directed=True) == bundled.path(
        "Vicuna 13B v1.5", "Llama 2 13B", directed=True
    )


def test_names_resolve_on_the_server(remote: RemoteGraph, bundled: LineageGraph) -> None:
    """Labels, Hub ids (any case), prefixed names and IRIs resolve like in memory."""
    for name in ("Vicuna 13B v1.5", "LMSYS/Vicuna-13B-v1.5", "llmid:llama-2-7b", "Mistral AI"):
        assert remote.resolve(name) == bundled.resolve(name)
    assert remote.label(LLMID["llama-2-7b"]) == "Llama 2 7B"
    with pytest.raises(UnknownEntityError, match="Vicunna 99B"):
        remote.resolve("Vicunna 99B")


def test_query_returns_rdflib_results_with_bindings(remote: RemoteGraph) -> None:
    """SELECT, ASK and CONSTRUCT come back as rdflib Results; bindings are escaped values."""
    rows = remote.query(
        "SELECT ?parent WHERE { ?m llm:fineTunedFrom ?parent }",
        bindings={"m": URIRef(LLMID["vicuna-13b-v1-5"])},
    )
    assert [str(r[0]) for r in rows] == [str(LLMID["llama-2-13b"])]  # type: ignore[index]
    assert remote.query("ASK { llmid:llama-2-7b a llm:Model }").askAnswer is True
    graph = remote.query("CONSTRUCT { ?m a llm:Model } WHERE { ?m llm:adapterOf ?p }").graph
    assert graph is not None and len(graph) > 0
    tricky = remote.query("SELECT ?m WHERE { ?m rdfs:label ?l }", bindings={"l": '"} ; DROP ALL'})
    assert list(tricky) == []
    assert len(remote) > 7000


def test_server_errors_become_query_errors(remote: RemoteGraph) -> None:
    """A query the server rejects raises QueryError with its HTTP status."""
    with pytest.raises(QueryError, match="HTTP 400"):
        remote.query("SELEC ?x WHERE { ?x ?p ?o }")


def test_unreachable_endpoint_is_named() -> None:
    """An endpoint nobody listens on raises QueryError naming the URL."""
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(QueryError, match="cannot reach the SPARQL endpoint"):
        LineageGraph.connect(url, timeout=2).descendants("Llama 2")


def test_connect_needs_an_http_url() -> None:
    """A URL that is not http(s) raises UsageError."""
    with pytest.raises(UsageError, match="http"):
        LineageGraph.connect("file:///etc/passwd")


def test_add_writes_through_the_update_url(remote: RemoteGraph, server: str) -> None:
    """add() inserts facts with derivedFrom; a cycle is refused; read-only graphs refuse."""
    child = LLMID["remote-test-child"]
    base = remote.resolve("Llama 2 7B")
    facts = [
        (child, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), LLM.Model),
        (child, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Remote Child")),
        (child, LLM.quantizedFrom, base),
    ]
    assert remote.add(facts) == 4
    assert ("Remote Child", "quantizedFrom") in [
        (x.label, x.relation) for x in remote.descendants("Llama 2 7B", depth=1)
    ]
    with pytest.raises(LineageCycleError, match="Llama 2 7B → Remote Child → Llama 2 7B"):
        remote.add([(base, LLM.fineTunedFrom, child)])
    with pytest.raises(UsageError, match="read-only"):
        LineageGraph.connect(server + "/query").add(facts)
    remote.update(f"DELETE WHERE {{ <{child}> ?p ?o }}")
    assert "Remote Child" not in [x.label for x in remote.descendants("Llama 2 7B", depth=1)]


def test_cli_endpoint_prints_what_the_in_memory_cli_prints(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`llmgraph --endpoint URL descendants …` prints the same CSV as the bundled graph."""
    from llmgraph.cli import main

    assert (
        main(["--endpoint", server + "/query", "descendants", "Mistral 7B", "--format", "csv"]) == 0
    )
    remote_out = capsys.readouterr().out
    assert main(["descendants", "Mistral 7B", "--format", "csv"]) == 0
    assert remote_out == capsys.readouterr().out
    assert main(["--endpoint", server + "/query", "query", "ASK { ?s ?p ?o }"]) == 0
    assert capsys.readouterr().out == "true\n"
