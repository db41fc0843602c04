"""`llmgraph serve`: a hardened front over a real Oxigraph child, queried by real clients.

Every server here listens on 127.0.0.1, runs a real `oxigraph serve-read-only` child, and is
shut down (child stopped by PID) when its test ends, also on failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import RDFS, Literal, URIRef
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from llmgraph import LineageGraph, UsageError
from llmgraph.serve import Server, make_server, serve_location, write_database
from llmgraph.vocab import LLMID
from tests.conftest import REPO, TINY

VICUNA_PARENT = "SELECT ?parent WHERE { llmid:vicuna-13b-v1-5 llm:fineTunedFrom ?parent }"
# a 3-way cross product over 1000 triples: 10^9 rows, minutes of work, cancellable by Oxigraph
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# a cross product of VALUES reads no triple, so Oxigraph's cancellation checks never run
V = " ".join(str(i) for i in range(100))
VALUES = " ".join(f"VALUES ?{v} {{{V}}}" for v in "abcde")
UNCANCELLABLE = f"SELECT (COUNT(*) AS ?n) {{ {VALUES} }}"
UNCANCELLABLE_ASK = f"ASK {{ {VALUES} FILTER(?a + ?b + ?c + ?d + ?e < 0) }}"  # no header till done
# one row whose string grows to 300 x 300 x 4 KB = 360 MB
BOMB = "SELECT (STRLEN(GROUP_CONCAT(CONCAT(?c, ?f))) AS ?n) { ?a ?b ?c . ?d ?e ?f }"


# --- helpers ---------------------------------------------------------------------------------


def _get(
    url: str,
    query: str,
    accept: str = "",
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": accept, **(headers or {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


def _raw(port: int, data: bytes) -> bytes:
    """Send bytes to the server and read until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def _response(port: int, data: bytes) -> bytes:
    """Send one request and read its one response (head and Content-Length body).

    Unlike :func:`_raw` this does not wait for the server to close the connection: a
    keep-alive connection stays open until the idle timeout, which is not what is tested.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(1 << 16)
            if not chunk:
                return answer
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length and (chunk := sock.recv(1 << 16)):
            body += chunk
    return head + b"\r\n\r\n" + body


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _ask(port: int, host: str | None = None, extra: str = "", version: str = "HTTP/1.1") -> bytes:
    head = f"GET /query?query=ASK%7B%7D {version}\r\n"
    if host is not None:
        head += f"Host: {host}\r\n"
    return _raw(port, (head + extra + "Connection: close\r\n\r\n").encode())


def _post_head(port: int) -> str:
    return (
        f"POST /query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/sparql-query\r\n"
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _gone(pid: int) -> bool:
    """Say whether process ``pid`` has exited (gone, or a zombie not yet reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def _eventually(check: Callable[[], bool], what: str, within: float = 60.0) -> None:
    """Wait (bounded) until ``check()`` holds: a behaviour, not a speed, is being tested."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {within:g} s")
        time.sleep(0.05)


def _quiet_second(pid: int) -> bool:
    """Say whether process ``pid`` used under 0.1 s of CPU in the next second."""
    before = _cpu_seconds(pid)
    time.sleep(1)
    return _cpu_seconds(pid) - before < 0.1


def _database(folder: Path, lines: Iterator[str]) -> Path:
    return write_database("".join(lines).encode(), folder / "db")


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory: pytest.TempPathFactory, bundled: LineageGraph) -> Path:
    """An Oxigraph database holding the ontology and the bundled data."""
    data = bundled.rdf.serialize(format="nt", encoding="utf-8")
    return write_database(data, tmp_path_factory.mktemp("serve") / "db")


@pytest.fixture(scope="module")
def slow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1000 small triples: enough for cross products that run for minutes."""
    lines = (f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(1000))
    return _database(tmp_path_factory.mktemp("slow"), lines)


@pytest.fixture(scope="module")
def wide_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 triples with 2 KB literals: a GROUP_CONCAT over pairs needs 360 MB."""
    lines = (f'<http://e/s{i}> <http://e/p> "{i}{"x" * 2000}" .\n' for i in range(300))
    return _database(tmp_path_factory.mktemp("wide"), lines)


@pytest.fixture(scope="module")
def endpoint(bundled_db: Path) -> Iterator[Server]:
    """The bundled data served on a free loopback port (limit 50 rows)."""
    with serve_location(bundled_db, port=0, timeout=5, limit=50) as server:
        yield server


@pytest.fixture(scope="module")
def cors_endpoint(bundled_db: Path) -> Iterator[Server]:
    """The same data, served with cors=True."""
    with serve_location(bundled_db, port=0, cors=True) as server:
        yield server


# --- SPARQL 1.1 Protocol answers ---------------------------------------------------------------


def test_sparqlwrapper_gets_json_and_xml(endpoint: Server) -> None:
    """SPARQLWrapper, a real SPARQL client, reads JSON and XML results (prefixes pre-bound)."""
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(VICUNA_PARENT)
    client.setReturnFormat(JSON)
    converted: Any = client.queryAndConvert()
    rows = converted["results"]["bindings"]
    assert [r["parent"]["value"] for r in rows] == [str(LLMID["llama-2-13b"])]
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    values = [n.firstChild.data for n in document.getElementsByTagName("uri")]  # type: ignore[union-attr]
    assert values == [str(LLMID["llama-2-13b"])]


def test_csv_tsv_ask_and_construct(endpoint: Server) -> None:
    """CSV, TSV, ASK and CONSTRUCT answers come in the negotiated formats."""
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(VICUNA_PARENT)
    client.setReturnFormat(CSV)
    assert client.queryAndConvert() == f"parent\r\n{LLMID['llama-2-13b']}\r\n".encode()
    status, _, body = _get(endpoint.url, VICUNA_PARENT, "text/tab-separated-values")
    assert (status, body.decode()) == (200, f"?parent\n<{LLMID['llama-2-13b']}>\n")
    status, _, body = _get(endpoint.url, "ASK { llmid:llama-2-7b a llm:Model }")
    assert (status, json.loads(body)["boolean"]) == (200, True)
    query = (
        "CONSTRUCT { ?m llm:fineTunedFrom ?p } "
        "WHERE { ?m llm:fineTunedFrom ?p . ?m rdfs:label 'Vicuna 13B v1.5' }"
    )
    status, headers, body = _get(endpoint.url, query, "text/turtle")
    assert (status, headers["Content-Type"]) == (200, "text/turtle")
    assert body.decode().strip().endswith(f"<{LLMID['llama-2-13b']}> .")


def test_results_are_cut_at_the_limit(endpoint: Server) -> None:
    """More rows (or triples) than the limit are cut to it, and the response says so."""
    status, headers, body = _get(endpoint.url, "SELECT ?s WHERE { ?s ?p ?o }", "application/json")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 50
    assert headers["X-LLMGraph-Truncated"] == "true"
    status, headers, body = _get(
        endpoint.url, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"
    )
    assert (status, len(body.splitlines()), headers["X-LLMGraph-Truncated"]) == (200, 50, "true")
    _, headers, _ = _get(endpoint.url, VICUNA_PARENT, "application/json")
    assert "X-LLMGraph-Truncated" not in headers


def test_updates_and_bad_queries_are_refused(endpoint: Server) -> None:
    """Updates get 403 (read-only), syntax errors 400 with the position, other paths 404."""
    for url, data, kind in [
        (endpoint.url, b"update=DROP+ALL", "application/x-www-form-urlencoded"),
        (endpoint.url, b"DROP ALL", "application/sparql-update"),
        (
            endpoint.url.replace("/query", "/update"),
            b"update=DROP+ALL",
            "application/x-www-form-urlencoded",
        ),
    ]:
        request = urllib.request.Request(url, data=data, headers={"Content-Type": kind})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        with refused.value as error:
            assert (error.code, b"read-only" in error.read()) == (403, True)
    for query in ["SELECT * WHERE {\n  ?s ?p ?o .\n  bad }", "SELECT ?x WHERE { ?x ?p }"]:
        with pytest.raises(SyntaxError) as oxigraph:  # what Oxigraph says of the query as sent
            ox.Store().query(query)
        line, column = str(oxigraph.value).split(" ")[2].rstrip(":").split(":")
        status, _, body = _get(endpoint.url, query)
        assert status == 400
        assert body.startswith(f"SPARQL syntax error at line {line}, column {column}: ".encode())
    assert _get(endpoint.url.replace("/query", "/nothing"), VICUNA_PARENT)[0] == 404


def test_post_with_a_sparql_body_or_a_form(endpoint: Server) -> None:
    """POST with application/sparql-query or a form is answered; another body type gets 415."""
    for data, kind in [
        (VICUNA_PARENT.encode(), "application/sparql-query"),
        (
            urllib.parse.urlencode({"query": VICUNA_PARENT}).encode(),
            "application/x-www-form-urlencoded",
        ),
    ]:
        request = urllib.request.Request(
            endpoint.url, data=data, headers={"Content-Type": kind, "Accept": "text/csv"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.read().decode().splitlines() == ["parent", str(LLMID["llama-2-13b"])]
    request = urllib.request.Request(
        endpoint.url, data=b"{}", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    with refused.value as error:
        assert error.code == 415


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (
            "text/csv;q=0.5, application/sparql-results+json;q=0.9",
            "application/sparql-results+json",
        ),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("text/*;q=0.2, text/csv;q=0.8", "text/csv; charset=utf-8"),
        ("application/json", "application/json"),
        ("application/sparql-results+json;q=0", None),
        ("image/png", None),
    ],
)
def test_accept_q_values_choose_the_format(
    endpoint: Server, accept: str, expected: str | None
) -> None:
    """Accept q-values and specificity pick the format; q=0 refuses one; none acceptable is 406."""
    status, headers, _ = _get(endpoint.url, VICUNA_PARENT, accept)
    if expected is None:
        assert status == 406
    else:
        assert (status, headers["Content-Type"], headers["Vary"]) == (200, expected, "Accept")


# --- HTTP behaviour -----------------------------------------------------------------------------


def test_head_and_options(endpoint: Server) -> None:
    """HEAD answers GET's headers without a body; OPTIONS answers 204 with Allow."""
    status, headers, body = _get(endpoint.url, "ASK {}", method="HEAD")
    assert (status, body, int(headers["Content-Length"]) > 0) == (200, b"", True)
    status, headers, _ = _get(endpoint.url, "ASK {}", method="OPTIONS")
    assert (status, headers["Allow"]) == (204, "GET, HEAD, POST, OPTIONS")
    assert "Access-Control-Allow-Origin" not in headers


def test_cors_is_opt_in(endpoint: Server, cors_endpoint: Server) -> None:
    """Without cors a web page's request (Origin) is refused, preflight too; with cors both work."""
    origin = {"Origin": "https://example.org"}
    preflight = {
        **origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    status, headers, _ = _get(endpoint.url, "ASK {}", headers=origin)
    assert (status, "Access-Control-Allow-Origin" in headers) == (403, False)
    status, headers, _ = _get(endpoint.url, "ASK {}", method="OPTIONS", headers=preflight)
    assert (status, "Access-Control-Allow-Origin" in headers) == (403, False)
    status, headers, _ = _get(cors_endpoint.url, "ASK {}", method="OPTIONS", headers=preflight)
    assert (status, headers["Access-Control-Allow-Origin"]) == (204, "*")
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]
    status, headers, _ = _get(cors_endpoint.url, "ASK {}", headers=origin)
    assert (status, headers["Access-Control-Allow-Origin"]) == (200, "*")


def test_host_header_is_checked_on_loopback(endpoint: Server) -> None:
    """A Host not naming this loopback server gets 421 (DNS rebinding); its own names work."""
    port = endpoint.port
    assert _status(_ask(port, f"evil.example:{port}")) == 421
    assert _status(_ask(port, f"127.0.0.1.evil.example:{port}")) == 421
    assert _status(_ask(port, f"127.0.0.1:{port + 1}")) == 421
    assert _status(_ask(port, f"127.0.0.1:{port}")) == 200
    assert _status(_ask(port, f"LOCALHOST:{port}")) == 200
    assert _status(_ask(port, None)) == 400  # HTTP/1.1 requires Host
    assert _status(_ask(port, None, version="HTTP/1.0")) == 200
    absolute = (
        f"GET http://evil.example:{port}/query?query=ASK%7B%7D HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n\r\n"
    )
    assert _status(_raw(port, absolute.encode())) == 421


def test_request_size_limits(endpoint: Server) -> None:
    """Bodies over the cap get 413, long request lines 414, huge headers 431, bad lengths 400."""
    port = endpoint.port
    head = _post_head(port)
    big = 2 << 20
    assert (
        _status(_raw(port, (head + f"Content-Length: {big}\r\n\r\n").encode() + b" " * big)) == 413
    )
    chunk = f"{1 << 20:x}\r\n" + " " * (1 << 20) + "\r\n"
    chunked = head + "Transfer-Encoding: chunked\r\n\r\n" + chunk * 2 + "0\r\n\r\n"
    assert _status(_raw(port, chunked.encode())) == 413
    assert _status(_raw(port, (head + "Content-Length: -1\r\n\r\nASK {}").encode())) == 400
    assert (
        _status(
            _raw(port, (head + "Content-Length: 6\r\nContent-Length: 7\r\n\r\nASK {}").encode())
        )
        == 400
    )
    long_line = f"GET /query?query={'x' * (70 << 10)} HTTP/1.1\r\n\r\n"
    assert _status(_raw(port, long_line.encode())) == 414
    many = "".join(f"X-H{i}: {'v' * 900}\r\n" for i in range(120))
    assert (
        _status(
            _raw(port, (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + many + "\r\n").encode())
        )
        == 431
    )


def test_chunked_bodies_and_expect_continue(endpoint: Server) -> None:
    """A chunked body is read; Expect: 100-continue gets 100 Continue before the answer."""
    port = endpoint.port
    head = _post_head(port) + "Connection: close\r\n"
    answer = _raw(
        port,
        (head + "Transfer-Encoding: chunked\r\n\r\n3\r\nASK\r\n3\r\n {}\r\n0\r\n\r\n").encode(),
    )
    assert _status(answer) == 200 and answer.endswith(b'"boolean": true}')
    answer = _raw(port, (head + "Expect: 100-continue\r\nContent-Length: 6\r\n\r\nASK {}").encode())
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")


def test_methods_and_malformed_requests(endpoint: Server) -> None:
    """PUT gets 405 with Allow, unknown methods 501, HTTP/2.0 505, garbage 400."""
    port = endpoint.port
    put = _response(
        port, f"PUT /query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n".encode()
    )
    assert _status(put) == 405 and b"Allow: GET, HEAD, POST, OPTIONS" in put
    brew = _response(port, f"BREW /query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert _status(brew) == 501
    assert _status(_raw(port, b"GET /query HTTP/2.0\r\n\r\n")) == 505
    assert _status(_raw(port, b"hello\r\n\r\n")) == 400


def test_short_body_and_idle_connections_are_closed(bundled_db: Path) -> None:
    """A short body gets 408; idle keep-alive connections hold no thread and are closed."""
    with serve_location(bundled_db, port=0, idle_timeout=1, request_timeout=0.5) as server:
        port = server.port
        short = _post_head(port) + "Content-Length: 100\r\n\r\nASK"
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall(short.encode())
            answer = sock.recv(1 << 16)
            assert _status(answer) == 408
            assert sock.recv(1 << 16) == b""  # closed
        threads = threading.active_count()
        idle = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(200)]
        try:
            assert threading.active_count() == threads
            assert _status(_ask(port, f"127.0.0.1:{port}")) == 200
            keep = f"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                sock.sendall(keep.encode())
                assert _status(sock.recv(1 << 16)) == 200  # kept alive, then idle
                assert sock.recv(1 << 16) == b""  # closed by the server after the idle timeout
            for sock in idle:
                assert sock.recv(1 << 16) == b""
        finally:
            for sock in idle:
                sock.close()


# --- queries that must not hurt the server -------------------------------------------------------


def test_slow_queries_stop_and_never_deny_a_fast_one(slow_db: Path) -> None:
    """Eight slow queries get 503 at the timeout while ASK {} is answered; then the engine idles."""
    with serve_location(slow_db, port=0, timeout=2) as server:
        pid = server.engine_pid
        assert pid is not None
        answers: list[tuple[int, bytes]] = []
        slow = [
            threading.Thread(target=lambda: answers.append(_get(server.url, SLOW)[::2]))
            for _ in range(8)
        ]
        for thread in slow:
            thread.start()
        _eventually(lambda: _cpu_seconds(pid) > 0.5, "the slow queries starting")
        fast = _get(server.url, "ASK {}")
        for thread in slow:
            thread.join(timeout=120)
        assert (fast[0], json.loads(fast[2])["boolean"]) == (200, True)
        assert answers == [(503, b"query timed out after 2 s\n")] * 8
        assert _status(_ask(server.port, f"127.0.0.1:{server.port}")) == 200
        _eventually(lambda: _quiet_second(pid), "a quiet second of the engine", within=3)
        assert (server.engine_pid, server.restarts) == (pid, 0)  # Oxigraph cancelled them itself


@pytest.mark.parametrize("query", [UNCANCELLABLE, UNCANCELLABLE_ASK])
def test_an_uncancellable_query_is_stopped_by_a_restart(
    slow_db: Path, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query Oxigraph cannot cancel gets 503, then its process is replaced by an idle one."""
    # the grace Oxigraph gets to cancel by itself before the restart: 0.5 s, not 2 s, since
    # this query never cancels (the grace is the timeout under test, the restart what it does)
    monkeypatch.setattr("llmgraph.serve._GRACE", 0.5)
    with serve_location(slow_db, port=0, timeout=1) as server:
        pid = server.engine_pid
        assert pid is not None
        assert _get(server.url, query)[::2] == (503, b"query timed out after 1 s\n")
        _eventually(lambda: server.restarts == 1, "the restart of the query engine")
        assert _gone(pid)
        new = server.engine_pid
        assert new is not None and new != pid
        assert _status(_ask(server.port, f"127.0.0.1:{server.port}")) == 200
        before = _cpu_seconds(new)
        time.sleep(1)
        assert _cpu_seconds(new) - before < 0.1


def test_a_memory_bomb_ends_in_an_error_and_the_server_goes_on(wide_db: Path) -> None:
    """A GROUP_CONCAT outgrowing the memory limit gets 503; a new engine answers the next query."""
    with serve_location(wide_db, port=0, timeout=30, memory_limit=256 << 20) as server:
        pid = server.engine_pid
        assert pid is not None
        status, _, body = _get(server.url, BOMB)
        assert (status, b"ran out of memory" in body) == (503, True)
        assert _gone(pid) and server.restarts == 1
        assert _get(server.url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "text/csv")[::2] == (
            200,
            b"n\r\n300\r\n",
        )


def test_results_are_cut_at_the_byte_cap(wide_db: Path) -> None:
    """An answer over max_result_bytes is cut at a whole row; a single row over it gets 503."""
    with serve_location(wide_db, port=0, max_result_bytes=100_000) as server:
        status, headers, body = _get(server.url, "SELECT ?o { ?s ?p ?o }", "application/json")
        rows = json.loads(body)["results"]["bindings"]
        assert (status, headers["X-LLMGraph-Truncated"], 0 < len(rows) < 300) == (200, "true", True)
        big = "SELECT (GROUP_CONCAT(?o) AS ?all) { ?s ?p ?o }"
        status, _, body = _get(server.url, big)
        assert (status, b"larger than the result size limit" in body) == (503, True)


# --- SERVICE ----------------------------------------------------------------------------------


def test_service_makes_no_connection(endpoint: Server) -> None:
    """SERVICE to a local listener is refused (403) and nothing connects to it, however spelt."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        for query in [
            f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"select * {{ ?s ?p ?o . service silent <{url}> {{ ?s ?p ?o }} }}",
            f"PREFIX x: <{url}> SELECT * {{ SERVICEx: {{ ?s ?p ?o }} }}",
        ]:
            status, _, body = _get(endpoint.url, query)
            assert (status, b"SERVICE (federated query) is refused" in body) == (403, True)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_allowed_service_connects_and_its_failure_is_an_error_response(bundled_db: Path) -> None:
    """With allow_service the engine connects; the failed call ends in a 500 answer, not silence."""
    with (
        socket.create_server(("127.0.0.1", 0)) as listener,
        serve_location(bundled_db, port=0, allow_service=True, timeout=30) as server,
    ):
        listener.settimeout(30)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        query = f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        answer: list[tuple[int, bytes]] = []
        client = threading.Thread(target=lambda: answer.append(_get(server.url, query)[::2]))
        client.start()
        connection, _ = listener.accept()
        connection.close()
        client.join(timeout=60)
        assert answer and answer[0][0] == 500
        assert answer[0][1].startswith(b"SPARQL evaluation failed:")
        assert _status(_ask(server.port, f"127.0.0.1:{server.port}")) == 200


# --- lifecycle ------------------------------------------------------------------------------------


def test_bad_settings_and_directories_are_refused(tmp_path: Path, bundled_db: Path) -> None:
    """Non-positive settings, a taken port and a directory that is no database raise UsageError."""
    with pytest.raises(UsageError, match="positive"):
        serve_location(bundled_db, port=0, timeout=0)
    with pytest.raises(UsageError, match="not an Oxigraph database"):
        serve_location(tmp_path, port=0)
    (tmp_path / "CURRENT").write_text("gen-000001\n")
    with pytest.raises(UsageError, match="llmgraph store"):
        serve_location(tmp_path, port=0)
    with (
        serve_location(bundled_db, port=0) as first,
        pytest.raises(UsageError, match=r"cannot listen on 127\.0\.0\.1"),
    ):
        serve_location(bundled_db, port=first.port)


def test_shutdown_stops_the_engine_and_removes_temporary_data(tiny: LineageGraph) -> None:
    """An in-memory graph is served from a temporary database; shutdown removes it and the child."""
    leftovers = set(Path(tempfile.gettempdir()).glob("llmgraph-serve-*"))
    server = make_server(tiny, port=0)
    assert len(set(Path(tempfile.gettempdir()).glob("llmgraph-serve-*")) - leftovers) == 1
    pid = server.engine_pid
    assert pid is not None
    with server:
        status, _, body = _get(
            server.url, "SELECT ?l WHERE { ?m rdfs:label ?l } ORDER BY ?l LIMIT 1", "text/csv"
        )
        assert (status, body.decode().splitlines()) == (200, ["l", "Acme AI"])
    assert _gone(pid)
    assert set(Path(tempfile.gettempdir()).glob("llmgraph-serve-*")) == leftovers


def test_stored_graphs_are_served_from_their_generation(tmp_path: Path) -> None:
    """A store is served from its live generation: writing the store does not change it."""
    with LineageGraph.open(tmp_path / "store") as sg:
        sg.import_files([TINY])
        with make_server(sg, port=0) as server:
            count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
            before = _get(server.url, count, "text/csv")[2]
            sg.add([(URIRef("https://example.org/new"), RDFS.label, Literal("New"))])
            assert _get(server.url, count, "text/csv")[2] == before
            assert int(before.split()[1]) < len(sg) + 100  # the store itself did change


def test_the_engine_dies_with_the_server(bundled_db: Path) -> None:
    """When the server is killed, its Oxigraph child gets the parent-death signal and exits."""
    script = (
        "import sys\nfrom llmgraph.serve import serve_location\n"
        "server = serve_location(sys.argv[1], port=0)\nprint(server.engine_pid, flush=True)\n"
        "server.serve_forever()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(bundled_db)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        text=True,
    )
    try:
        assert process.stdout is not None
        child = int(process.stdout.readline())
        assert not _gone(child)
        process.kill()
        process.wait(timeout=30)
        _eventually(lambda: _gone(child), "the child's exit")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def test_cli_serve_answers_a_client() -> None:
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
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
