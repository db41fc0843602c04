"""``llmgraph serve``: a read-only SPARQL 1.1 Protocol endpoint over a store.

Any SPARQL client (SPARQLWrapper, YASGUI, curl, another llmgraph through
:meth:`llmgraph.LineageGraph.connect`) can query it::

    llmgraph --store hub.db serve --port 7878
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' URL

(``URL`` is ``http://127.0.0.1:7878/query``).

- ``GET /query?query=…``, ``POST /query`` with a form (``query=…``) or with
  ``Content-Type: application/sparql-query``; llmgraph's prefixes are pre-bound.
- Results: SPARQL JSON (default), XML, CSV or TSV for SELECT / ASK; N-Triples (also sent for
  Turtle requests, being a subset of it) for CONSTRUCT / DESCRIBE.
- Read-only: updates get ``403``. It listens on 127.0.0.1 unless told otherwise.
- A query that runs past ``timeout`` seconds gets ``503``; results beyond ``limit`` rows (or
  triples) are cut, and the response says so in the ``X-LLMGraph-Truncated: true`` header.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from llmgraph.errors import UsageError
from llmgraph.vocab import PREFIXES

__all__ = ["SparqlServer", "make_server", "to_oxigraph"]

_PREFIXES = {k: str(v) for k, v in PREFIXES.items()}
_SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_TYPES = {"application/n-triples": "nt", "text/turtle": "ttl", "text/plain": "nt"}


class _Timeout(Exception):
    pass


def to_oxigraph(graph: Any) -> ox.Store:
    """Return a pyoxigraph store to serve: the store itself, or an in-memory copy.

    Accepts a :class:`~llmgraph.LineageGraph` on a store, a pyoxigraph ``Store`` or an
    in-memory :class:`~llmgraph.LineageGraph` (copied into Oxigraph in memory).

    >>> from llmgraph import LineageGraph
    >>> len(to_oxigraph(LineageGraph.load(bundled=False))) > 100
    True
    """
    from llmgraph.backends.store import StoreBackend
    from llmgraph.graph import LineageGraph

    if isinstance(graph, ox.Store):
        return graph
    if isinstance(graph, LineageGraph) and isinstance(graph.backend, StoreBackend):
        store: ox.Store = graph.backend.store
        return store
    if isinstance(graph, LineageGraph) and graph.kind == "memory":
        store = ox.Store()
        data = graph.rdf.serialize(format="nt", encoding="utf-8")
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        return store
    raise UsageError(f"cannot serve {type(graph).__name__}: pass a store or a LineageGraph")


def _negotiate(accept: str, table: dict[str, str], default: str) -> str | None:
    if not accept.strip():
        return default
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, i, media.lower()))
    for _, _, media in sorted(choices):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            attr = quoteattr(term.datatype.value)
            return f"<literal datatype={attr}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _plain(term: Any, tsv: bool) -> str:
    if term is None:
        return ""
    if tsv:
        return str(term)
    return str(getattr(term, "value", term))


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server; :meth:`serve_forever` runs it, :meth:`shutdown` stops it.

    Attributes:
        store: the pyoxigraph store answered from.
        timeout_s: seconds a query may run.
        limit: the most result rows (or triples) sent.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: ox.Store, *, timeout: float, limit: int):
        super().__init__(address, _Handler)
        self.store = store
        self.timeout_s = timeout
        self.limit = limit
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llmgraph-sparql")

    @property
    def url(self) -> str:
        """The query URL, such as ``http://127.0.0.1:7878/query``."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/query"

    def server_close(self) -> None:
        """Close the socket and the worker pool."""
        super().server_close()
        pool = getattr(self, "pool", None)  # absent when binding the address failed
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def make_server(
    graph: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    limit: int = 100_000,
) -> SparqlServer:
    """Return a read-only SPARQL endpoint over ``graph``, bound but not yet serving.

    Args:
        graph: a :class:`~llmgraph.stores.oxigraph.StoredGraph`, a pyoxigraph ``Store`` or a
            :class:`~llmgraph.LineageGraph`.
        host: the interface to listen on (loopback by default).
        port: the TCP port (0 picks a free one).
        timeout: seconds a query may run before the client gets ``503``.
        limit: the most result rows (or triples) sent per query.

    Raises:
        UsageError: a non-positive timeout or limit, or the port cannot be bound.

    >>> from llmgraph import LineageGraph
    >>> server = make_server(LineageGraph.load(bundled=False), port=0)
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.server_close()
    """
    if timeout <= 0 or limit <= 0:
        raise UsageError(f"timeout and limit must be positive, got {timeout} and {limit}")
    store = to_oxigraph(graph)
    try:
        return SparqlServer((host, port), store, timeout=timeout, limit=limit)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet (the CLI prints one line when it starts)."""

    def _reply(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._reply(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        """Answer ``GET /query?query=…``."""
        url = urllib.parse.urlsplit(self.path)
        if url.path not in ("/query", "/sparql", "/"):
            self._error(404, f"no such resource {url.path}; the endpoint is /query")
            return
        self._answer_form(urllib.parse.parse_qs(url.query))

    def do_POST(self) -> None:
        """Answer ``POST /query`` (form-encoded or ``application/sparql-query``)."""
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if url.path not in ("/query", "/sparql", "/"):
            self._error(404 if url.path != "/update" else 403, "this endpoint is read-only")
            return
        if kind == "application/sparql-update":
            self._error(403, "this endpoint is read-only: updates are refused")
            return
        if kind == "application/sparql-query":
            self._answer(body)
            return
        self._answer_form(urllib.parse.parse_qs(body))

    def _answer_form(self, form: dict[str, list[str]]) -> None:
        """Answer the ``query`` parameter of a form; refuse ``update``."""
        if "update" in form:
            self._error(403, "this endpoint is read-only: updates are refused")
            return
        if "query" not in form:
            self._error(400, "missing the 'query' parameter (SPARQL 1.1 Protocol)")
            return
        self._answer(form["query"][0])

    def _answer(self, sparql: str) -> None:
        server = self.server
        deadline = time.monotonic() + server.timeout_s
        cancel = threading.Event()
        accept = self.headers.get("Accept") or ""

        def run() -> tuple[int, bytes, str, dict[str, str]]:
            try:
                result = server.store.query(sparql, prefixes=_PREFIXES)
            except SyntaxError as exc:
                return 400, f"SPARQL syntax error: {exc}\n".encode(), "text/plain", {}
            except (OSError, ValueError, RuntimeError) as exc:
                return 400, f"SPARQL evaluation failed: {exc}\n".encode(), "text/plain", {}
            try:
                return _render(result, accept, server.limit, cancel, deadline)
            except _Timeout:  # pyoxigraph results must be dropped on this thread
                return 503, b"", "text/plain", {"X-LLMGraph-Timeout": "true"}
            finally:
                del result

        future = server.pool.submit(run)
        try:
            status, body, content_type, extra = future.result(
                timeout=max(0.0, deadline - time.monotonic())
            )
        except FutureTimeout:
            cancel.set()
            self._error(503, f"query timed out after {server.timeout_s:g} s")
            return
        if "X-LLMGraph-Timeout" in extra:
            self._error(503, f"query timed out after {server.timeout_s:g} s")
            return
        self._reply(status, body, content_type, extra)


def _limited(items: Iterator[Any], limit: int, cancel: threading.Event, deadline: float) -> Any:
    taken: list[Any] = []
    truncated = False
    for item in items:
        if cancel.is_set() or time.monotonic() > deadline:
            raise _Timeout
        if len(taken) >= limit:
            truncated = True
            break
        taken.append(item)
    return taken, truncated


def _render(
    result: Any, accept: str, limit: int, cancel: threading.Event, deadline: float
) -> tuple[int, bytes, str, dict[str, str]]:
    if isinstance(result, ox.QueryBoolean | bool):
        fmt = _negotiate(accept, _SELECT_TYPES, "json")
        answer = bool(result)
        if fmt == "xml":
            body = (
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{str(answer).lower()}</boolean></sparql>\n"
            )
            return 200, body.encode(), "application/sparql-results+xml", {}
        if fmt in ("csv", "tsv"):
            return 200, f"{str(answer).lower()}\n".encode(), f"text/{fmt}", {}
        if fmt is None:
            return 406, b"cannot answer ASK in the accepted formats\n", "text/plain", {}
        text = json.dumps({"head": {}, "boolean": answer})
        return 200, text.encode(), "application/sparql-results+json", {}
    if isinstance(result, ox.QuerySolutions):
        fmt = _negotiate(accept, _SELECT_TYPES, "json")
        if fmt is None:
            return 406, b"SELECT results come as JSON, XML, CSV or TSV\n", "text/plain", {}
        names = [v.value for v in result.variables]
        rows, truncated = _limited(iter(result), limit, cancel, deadline)
        extra = {"X-LLMGraph-Truncated": "true"} if truncated else {}
        writer: Callable[[list[str], list[Any]], tuple[str, str]] = _WRITERS[fmt]
        body, content_type = writer(names, rows)
        return 200, body.encode("utf-8"), content_type, extra
    fmt = _negotiate(accept, _GRAPH_TYPES, "nt")
    if fmt is None:
        return 406, b"graph results come as N-Triples or Turtle\n", "text/plain", {}
    triples, truncated = _limited(iter(result), limit, cancel, deadline)
    extra = {"X-LLMGraph-Truncated": "true"} if truncated else {}
    text = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
    content_type = "text/turtle" if fmt == "ttl" else "application/n-triples"
    return 200, text.encode("utf-8"), content_type, extra


def _write_json(names: list[str], rows: list[Any]) -> tuple[str, str]:
    bindings = []
    for row in rows:
        bindings.append({n: _json_term(row[n]) for n in names if row[n] is not None})
    text = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}})
    return text, "application/sparql-results+json"


def _write_xml(names: list[str], rows: list[Any]) -> tuple[str, str]:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(n)}/>" for n in names]
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for n in names:
            if row[n] is not None:
                parts.append(f"<binding name={quoteattr(n)}>{_xml_term(row[n])}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts), "application/sparql-results+xml"


def _write_csv(names: list[str], rows: list[Any]) -> tuple[str, str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_plain(row[n], False) for n in names] for row in rows)
    return out.getvalue(), "text/csv; charset=utf-8"


def _write_tsv(names: list[str], rows: list[Any]) -> tuple[str, str]:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join(_plain(row[n], True) for n in names) for row in rows]
    return "\n".join(lines) + "\n", "text/tab-separated-values; charset=utf-8"


_WRITERS: dict[str, Callable[[list[str], list[Any]], tuple[str, str]]] = {
    "json": _write_json,
    "xml": _write_xml,
    "csv": _write_csv,
    "tsv": _write_tsv,
}
