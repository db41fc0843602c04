"""The remote backend against real servers (Oxigraph's, Virtuoso): paging, names, writes, errors."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Literal, URIRef

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
from tests.servers import ENGINES, Endpoint, free_port, sparql_server, virtuoso_server


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, bundled: LineageGraph
) -> Iterator[Endpoint]:
    """A real, writable server of each engine on 127.0.0.1 holding the bundled data."""
    folder = tmp_path_factory.mktemp(request.param)
    data = folder / "bundled.nt"
    bundled.rdf.serialize(data, format="nt", encoding="utf-8")
    with sparql_server(request.param, folder, data) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def virtuoso_capped(
    tmp_path_factory: pytest.TempPathFactory, bundled: LineageGraph
) -> Iterator[Endpoint]:
    """A Virtuoso whose ResultSetMaxRows cuts every answer at 40 rows, silently."""
    folder = tmp_path_factory.mktemp("virtuoso-capped")
    data = folder / "bundled.nt"
    bundled.rdf.serialize(data, format="nt", encoding="utf-8")
    with virtuoso_server(folder, data, max_rows=40) as endpoint:
        yield endpoint


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


def test_pages_add_up_to_the_whole_answer(server: Endpoint, bundled: LineageGraph) -> None:
    """With pages of 7 rows, a family of dozens of models comes back complete and in order."""
    remote = server.connect(page_size=7)
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


def test_virtuoso_result_set_max_rows_is_paged_through_never_truncated(
    virtuoso_capped: Endpoint, bundled: LineageGraph
) -> None:
    """Virtuoso's ResultSetMaxRows (40 here) cuts answers silently; paging still gets them all."""
    remote = virtuoso_capped.connect()
    want = bundled.descendants("LLaMA", relations=["derivedFrom", "successorOf"])
    assert len(want) > 40
    assert remote.descendants("LLaMA", relations=["derivedFrom", "successorOf"]) == want
    backend = remote.backend
    assert isinstance(backend, RemoteBackend)
    models = backend.select_all(("s",), "?s a llm:Model")
    assert len(models) == len(set(bundled.rdf.subjects(RDF.type, LLM.Model))) > 400
    assert backend.server.startswith("Virtuoso/07.")
    raw, _ = backend.select("SELECT ?s WHERE { ?s a llm:Model }")
    assert len(raw) == 40  # what a client that does not page would have printed


def test_a_family_beyond_every_server_cap_comes_back_whole(
    tmp_path: Path, server: Endpoint
) -> None:
    """12,000 children and 3,000 grandchildren (past Virtuoso's 10,000-row caps) all come back."""
    root = LLMID["cap-root"]
    lines = [f"<{root}> <{RDF.type}> <{LLM.Model}> .", f'<{root}> <{RDFS.label}> "Cap Root" .']
    want = set()
    for i in range(15_000):
        child = LLMID[f"cap-{i}"]
        parent = root if i < 12_000 else LLMID[f"cap-{i % 12_000}"]
        want.add(str(child))
        lines += [
            f"<{child}> <{RDF.type}> <{LLM.Model}> .",
            f'<{child}> <{RDFS.label}> "Cap {i}" .',
            f"<{child}> <{LLM.fineTunedFrom}> <{parent}> .",
            f"<{child}> <{LLM.derivedFrom}> <{parent}> .",
        ]
    data = tmp_path / "family.nt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    server.replace(data)
    try:
        found = server.connect().descendants("Cap Root")
        assert set(found.ids) == want
        assert sum(1 for link in found if link.depth == 2) == 3_000
    finally:
        assert server.data is not None
        server.replace(server.data)


def test_names_resolve_on_the_server(server: Endpoint, bundled: LineageGraph) -> None:
    """Labels, Hub ids (any case), prefixed names, IRIs and loose names resolve as in memory."""
    remote = server.connect()
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


def test_query_returns_rdflib_results_with_bindings(server: Endpoint) -> None:
    """SELECT, ASK and CONSTRUCT come back as rdflib Results; bindings are escaped values."""
    remote = server.connect()
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


def test_server_errors_become_query_errors(server: Endpoint) -> None:
    """A query the server rejects raises QueryError with its HTTP status and its reason."""
    with pytest.raises(QueryError, match="HTTP 400") as info:
        server.connect().query("SELEC ?x WHERE { ?x ?p ?o }")
    assert "PREFIX" not in str(info.value)  # not the query echoed back


def test_a_servers_syntax_error_points_into_the_query_as_written(server: Endpoint) -> None:
    """The line a server names is the query's own, not shifted by llmgraph's prefixes."""
    with pytest.raises(QueryError, match=r"HTTP 400") as info:
        server.connect().query("# one\n# two\nSELEC ?s WHERE { ?s ?p ?o }\n# four\n# five\n")
    message = str(info.value)
    assert re.findall(r"(?:error at |\bline )(\d+)", message) == ["3"], message


def test_unreachable_endpoint_is_named() -> None:
    """An endpoint nobody listens on raises QueryError naming the URL."""
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(QueryError, match="cannot reach the SPARQL endpoint"):
        LineageGraph.connect(url, timeout=2).descendants("Llama 2")


def test_connect_needs_an_http_url() -> None:
    """A URL that is not http(s) raises UsageError."""
    with pytest.raises(UsageError, match="http"):
        LineageGraph.connect("file:///etc/passwd")


def test_writes_go_through_the_update_url_and_keep_the_rules(server: Endpoint) -> None:
    """add() inserts facts with derivedFrom; cycles (also within one batch) are refused whole."""
    remote = server.connect(writable=True)
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
        server.connect().add(facts)
    bad = Literal("yesterday", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    with pytest.raises(InvalidFactError, match="must be an xsd:date"):
        remote.add([(child, LLM.releaseDate, bad)])
    assert remote.remove(facts) == 4
    assert "Remote Child" not in [x.label for x in remote.descendants("Llama 2 7B", depth=1)]


def test_cli_load_into_an_endpoint(
    server: Endpoint, tmp_path: Path, capsys: pytest.CaptureFixture[str]
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
    assert main([*server.write_argv, "load", str(extra)]) == 0
    assert "(2 new triples)" in capsys.readouterr().out
    assert main([*server.argv, "load", str(extra)]) == 1
    assert "read-only" in capsys.readouterr().err


def test_a_virtuoso_anytime_answer_is_refused_not_taken_for_the_whole(
    virtuoso_capped: Endpoint,
) -> None:
    """Virtuoso's partial rows after a client `timeout` (X-SQL-State S1TAT) raise QueryError.

    At the timeout Virtuoso either sends the rows it has (S1TAT) or, when the query is at a
    stage that has none, cancels it (HTTP 500, HY008); which one depends on how far the query
    got. Every try must be refused; a few tries make sure the partial answer is met.
    """
    backend = RemoteBackend(
        virtuoso_capped.query, graph=virtuoso_capped.graph, params={"timeout": "500"}
    )
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
    refusals: list[str] = []
    for _ in range(5):
        with pytest.raises(QueryError) as refused:
            LineageGraph(backend).query(heavy)
        refusals.append(str(refused.value))
        if "incomplete results (S1TAT" in refusals[-1]:
            break
    assert re.search(r"incomplete results \(S1TAT: .*timeout", refusals[-1]), refusals
    cancelled = r"answered HTTP 500: Virtuoso HY008 .*SQLCancel"
    assert all(re.search(cancelled, text) for text in refusals[:-1]), refusals
    assert LineageGraph(backend).query("ASK { ?s a llm:Model }").askAnswer is True
