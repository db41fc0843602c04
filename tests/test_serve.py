"""`llmgraph serve`: a read-only SPARQL 1.1 Protocol endpoint, queried by real clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from llmgraph import LineageGraph, UsageError
from llmgraph.serve import SparqlServer, make_server
from llmgraph.vocab import LLMID
from tests.conftest import REPO, TINY

VICUNA_PARENT = "SELECT ?parent WHERE { llmid:vicuna-13b-v1-5 llm:fineTunedFrom ?parent }"


def _start(server: SparqlServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over a store holding the bundled data, on a free loopback port."""
    from llmgraph.store import bundled_data_files

    sg = LineageGraph.open(tmp_path_factory.mktemp("serve") / "db")
    sg.import_files(bundled_data_files())
    server = make_server(sg, port=0, timeout=5, limit=50)
    thread = _start(server)
    yield server.url
    server.shutdown()
    server.server_close()
    thread.join()
    sg.close()


def _get(url: str, query: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_sparqlwrapper_gets_json_and_xml(endpoint: str) -> None:
    """SPARQLWrapper, a real SPARQL client, reads JSON and XML results (prefixes pre-bound)."""
    client = SPARQLWrapper(endpoint)
    client.setQuery(VICUNA_PARENT)
    client.setReturnFormat(JSON)
    converted: Any = client.queryAndConvert()
    rows = converted["results"]["bindings"]
    assert [r["parent"]["value"] for r in rows] == [str(LLMID["llama-2-13b"])]
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    values = [n.firstChild.data for n in document.getElementsByTagName("uri")]  # type: ignore[union-attr]
    assert values == [str(LLMID["llama-2-13b"])]


def test_csv_tsv_ask_and_construct(endpoint: str) -> None:
    """CSV, TSV, ASK and CONSTRUCT answers come in the negotiated formats."""
    client = SPARQLWrapper(endpoint)
    client.setQuery(VICUNA_PARENT)
    client.setReturnFormat(CSV)
    assert client.queryAndConvert() == f"parent\r\n{LLMID['llama-2-13b']}\r\n".encode()
    status, _, body = _get(endpoint, VICUNA_PARENT, "text/tab-separated-values")
    assert (status, body.decode()) == (200, f"?parent\n<{LLMID['llama-2-13b']}>\n")
    status, _, body = _get(endpoint, "ASK { llmid:llama-2-7b a llm:Model }", "")
    assert (status, json.loads(body)["boolean"]) == (200, True)
    query = (
        "CONSTRUCT { ?m llm:fineTunedFrom ?p } "
        "WHERE { ?m llm:fineTunedFrom ?p . ?m rdfs:label 'Vicuna 13B v1.5' }"
    )
    status, headers, body = _get(endpoint, query, "text/turtle")
    assert (status, headers["Content-Type"]) == (200, "text/turtle")
    assert body.decode().strip().endswith(f"<{LLMID['llama-2-13b']}> .")


def test_results_are_cut_at_the_limit(endpoint: str) -> None:
    """More rows than the limit are cut to it, and the response says it was truncated."""
    status, headers, body = _get(endpoint, "SELECT ?s WHERE { ?s ?p ?o }", "application/json")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 50
    assert headers["X-LLMGraph-Truncated"] == "true"
    _, headers, _ = _get(endpoint, VICUNA_PARENT, "application/json")
    assert "X-LLMGraph-Truncated" not in headers


def test_updates_and_bad_queries_are_refused(endpoint: str) -> None:
    """Updates get 403 (read-only), syntax errors 400, unknown formats 406, other paths 404."""
    form = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(endpoint, data=form), timeout=10)
    assert refused.value.code == 403
    assert b"read-only" in refused.value.read()
    status, _, body = _get(endpoint, "SELEC ?x", "application/json")
    assert (status, body.startswith(b"SPARQL syntax error")) == (400, True)
    status, _, _ = _get(endpoint, VICUNA_PARENT, "image/png")
    assert status == 406
    status, _, _ = _get(endpoint.replace("/query", "/nothing"), VICUNA_PARENT, "")
    assert status == 404


def test_post_with_a_sparql_body(endpoint: str) -> None:
    """POST with Content-Type application/sparql-query is answered."""
    request = urllib.request.Request(
        endpoint,
        data=VICUNA_PARENT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read().decode().splitlines() == ["parent", str(LLMID["llama-2-13b"])]


def test_slow_queries_time_out() -> None:
    """A query that runs past the timeout is answered 503 at the deadline."""
    server = make_server(LineageGraph.load(TINY, bundled=False), port=0, timeout=0.3, limit=10**9)
    thread = _start(server)
    try:
        query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        status, _, body = _get(server.url, query, "application/json")
        assert (status, body) == (503, b"query timed out after 0.3 s\n")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_bad_settings_are_refused() -> None:
    """A zero timeout or limit raises UsageError; so does a port already taken."""
    lg = LineageGraph.load(bundled=False)
    with pytest.raises(UsageError, match="positive"):
        make_server(lg, port=0, timeout=0)
    first = make_server(lg, port=0)
    try:
        with pytest.raises(UsageError, match=r"cannot listen on 127\.0\.0\.1"):
            make_server(lg, port=first.server_address[1])
    finally:
        first.server_close()


def test_cli_serve_answers_a_client(tmp_path: Path) -> None:
    """`llmgraph serve --port 0` prints its URL and answers SPARQL until stopped."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llmgraph",
            "--no-bundled",
            "--data",
            str(TINY),
            "serve",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("llmgraph: SPARQL endpoint at http://127.0.0.1:")
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        status, _, body = _get(
            url, "SELECT ?l WHERE { ?m rdfs:label ?l } ORDER BY ?l LIMIT 1", "text/csv"
        )
        assert (status, body.decode().splitlines()) == (200, ["l", "Acme AI"])
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
