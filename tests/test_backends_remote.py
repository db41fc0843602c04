"""The remote backend against real servers: paging, names, writes and errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from llmgraph import (
    InvalidFactError,
    LineageCycleError,
    LineageGraph,
    QueryError,
    UnknownEntityError,
    UsageError,
)
from llmgraph.backends.remote import RemoteBackend
from llmgraph.vocab import LLM, LLMID
from tests.servers import free_port, oxigraph_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, bundled: LineageGraph) -> Iterator[str]:
    """A real, writable Oxigraph server on 127.0.0.1 holding the bundled data."""
    folder = tmp_path_factory.mktemp("oxigraph")
    data = folder / "bundled.nt"
    bundled.rdf.serialize(data, format="nt", encoding="utf-8")
    with oxigraph_server(folder, data) as base:
        yield base


@pytest.fixture(scope="module")
def capped(bundled: LineageGraph) -> Iterator[str]:
    """Llmgraph's own `serve`, cutting every result at 40 rows (and saying so in a header)."""
    from llmgraph.serve import make_server

    srv = make_server(bundled, port=0, timeout=10, limit=40)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv.url
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join()


def test_pages_add_up_to_the_whole_answer(server: str, bundled: LineageGraph) -> None:
    """With pages of 7 rows, a family of dozens of models comes back complete and in order."""
    remote = LineageGraph.connect(server + "/query", page_size=7)
    assert remote.descendants("Llama 2") == bundled.descendants("Llama 2")
    assert len(bundled.descendants("Llama 2")) > 7


def test_a_server_row_limit_is_paged_through_never_truncated(
    capped: str, bundled: LineageGraph
) -> None:
    """A server that cuts results at 40 rows still gives every descendant (> 40), not a part."""
    remote = LineageGraph.connect(capped)
    want = bundled.descendants("LLaMA", relations=["derivedFrom", "successorOf"])
    assert len(want) > 40
    assert remote.descendants("LLaMA", relations=["derivedFrom", "successorOf"]) == want
    backend = remote.backend
    assert isinstance(backend, RemoteBackend)
    assert len(backend.select_all(("s",), "?s a llm:Model")) > 400


def test_names_resolve_on_the_server(server: str, bundled: LineageGraph) -> None:
    """Labels, Hub ids (any case), prefixed names, IRIs and loose names resolve as in memory."""
    remote = LineageGraph.connect(server + "/query")
    for name in (
        "Vicuna 13B v1.5",
        "LMSYS/Vicuna-13B-v1.5",
        "llmid:llama-2-7b",
        "Mistral AI",
        "llama-2 7b",
        "https://w3id.org/llmgraph/id/meta",
    ):
        assert remote.resolve(name) == bundled.resolve(name), name
    assert remote.label(LLMID["llama-2-7b"]) == "Llama 2 7B"
    with pytest.raises(UnknownEntityError, match="Vicunna 99B"):
        remote.resolve("Vicunna 99B")


def test_query_returns_rdflib_results_with_bindings(server: str) -> None:
    """SELECT, ASK and CONSTRUCT come back as rdflib Results; bindings are escaped values."""
    remote = LineageGraph.connect(server + "/query")
    rows = remote.query(
        "SELECT ?parent WHERE { ?m llm:fineTunedFrom ?parent }",
        bindings={"m": remote.resolve("Vicuna 13B v1.5")},
    )
    assert [str(r[0]) for r in rows] == [str(LLMID["llama-2-13b"])]  # type: ignore[index]
    assert remote.query("ASK { llmid:llama-2-7b a llm:Model }").askAnswer is True
    graph = remote.query("CONSTRUCT { ?m a llm:Model } WHERE { ?m llm:adapterOf ?p }").graph
    assert graph is not None and len(graph) > 0
    tricky = remote.query("SELECT ?m WHERE { ?m rdfs:label ?l }", bindings={"l": '"} ; DROP ALL'})
    assert list(tricky) == []
    assert len(remote) > 7000


def test_server_errors_become_query_errors(server: str) -> None:
    """A query the server rejects raises QueryError with its HTTP status."""
    with pytest.raises(QueryError, match="HTTP 400"):
        LineageGraph.connect(server + "/query").query("SELEC ?x WHERE { ?x ?p ?o }")


def test_unreachable_endpoint_is_named() -> None:
    """An endpoint nobody listens on raises QueryError naming the URL."""
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(QueryError, match="cannot reach the SPARQL endpoint"):
        LineageGraph.connect(url, timeout=2).descendants("Llama 2")


def test_connect_needs_an_http_url() -> None:
    """A URL that is not http(s) raises UsageError."""
    with pytest.raises(UsageError, match="http"):
        LineageGraph.connect("file:///etc/passwd")


def test_writes_go_through_the_update_url_and_keep_the_rules(server: str) -> None:
    """add() inserts facts with derivedFrom; cycles (also within one batch) are refused whole."""
    remote = LineageGraph.connect(server + "/query", server + "/update")
    child = URIRef(LLMID["remote-test-child"])
    base = URIRef(remote.resolve("Llama 2 7B"))
    facts = [
        (child, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), LLM.Model),
        (child, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Remote Child")),
        (child, LLM.quantizedFrom, base),
    ]
    assert remote.add(facts) == 4
    assert remote.add(facts) == 0
    assert ("Remote Child", "quantizedFrom") in [
        (x.label, x.relation) for x in remote.descendants("Llama 2 7B", depth=1)
    ]
    with pytest.raises(LineageCycleError, match="Llama 2 7B → Remote Child → Llama 2 7B"):
        remote.add([(base, LLM.fineTunedFrom, child)])
    a, b, c = (URIRef(LLMID[f"remote-loop-{x}"]) for x in "abc")
    with pytest.raises(LineageCycleError) as info:
        remote.add([(a, LLM.fineTunedFrom, b), (b, LLM.mergedFrom, c), (c, LLM.adapterOf, a)])
    assert len(info.value.cycle) == 4
    assert not remote.query(f"ASK {{ <{a}> ?p ?o }}").askAnswer
    with pytest.raises(UsageError, match="read-only"):
        LineageGraph.connect(server + "/query").add(facts)
    bad = Literal("yesterday", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    with pytest.raises(InvalidFactError, match="must be an xsd:date"):
        remote.add([(child, LLM.releaseDate, bad)])
    assert remote.remove(facts) == 4
    assert "Remote Child" not in [x.label for x in remote.descendants("Llama 2 7B", depth=1)]


def test_cli_load_into_an_endpoint(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--endpoint URL --update-endpoint URL load FILE` writes checked facts to the server."""
    from llmgraph.cli import main

    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix llm: <https://w3id.org/llmgraph#> .\n"
        "<https://w3id.org/llmgraph/id/cli-remote> llm:quantizedFrom "
        "<https://w3id.org/llmgraph/id/llama-2-7b> .\n",
        encoding="utf-8",
    )
    where = ["--endpoint", server + "/query", "--update-endpoint", server + "/update"]
    assert main([*where, "load", str(extra)]) == 0
    assert "(2 new triples)" in capsys.readouterr().out
    assert main(["--endpoint", server + "/query", "load", str(extra)]) == 1
    assert "read-only" in capsys.readouterr().err
