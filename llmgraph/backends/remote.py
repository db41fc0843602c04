"""The remote backend: any SPARQL 1.1 endpoint, through the SPARQL 1.1 Protocol.

It keeps no copy of the data. Lineage questions fetch the closure around their start (the
entities a property path reaches, with their facts) and answer it with the same traversal
engine as every other backend; whole-graph work (``stats``, ``table``, ``export``) reads the
triples it needs. The queries are plain SPARQL 1.1 (property paths with IRIs as their ends,
``FILTER … IN``, ``UNION``, no engine extensions), so they run on Oxigraph, Virtuoso, Fuseki,
GraphDB, Neptune and QLever alike.

**No silent truncation.** Servers cap result sizes (Virtuoso's ``ResultSetMaxRows``, an
llmgraph ``serve --limit``). Every read that may be large first counts its rows, then fetches
them in ordered pages (``ORDER BY … LIMIT … OFFSET``; on Virtuoso an ordered subquery sliced
outside, past its ``MaxSortedTopRows``); a page shorter than asked reveals the server's cap
and the rest is fetched in pages of that size; if the rows still do not add up (fewer, or
repeated across pages), the read fails with a :class:`~llmgraph.errors.QueryError` — never a
partial answer.

**Engine quirks, in one place.** The queries are shaped so that every engine tested takes
them (see :func:`bind_values`); what an engine answers differently is mended in
:meth:`RemoteBackend.select` and :meth:`RemoteBackend.query`, keyed on the ``Server`` header
of its answers. Virtuoso 7:

- stores an ``xsd:integer`` beyond 32 bits as ``xsd:decimal`` (and reads ``"5"^^xsd:decimal``
  back as an integer): a decimal without a fraction is read as the integer it was loaded as;
- answers an ASK as a one-row table of ``?__ASK_RETVAL``: read as the boolean it means;
- answers every query form in the first type of the Accept header: the header is chosen from
  the form (:func:`query_form`);
- returns the rows found so far when a client's ``timeout`` passes ("anytime" answers,
  flagged by ``X-SQL-State``): the read fails instead.

**One graph.** Engines keep more than the data in their default graph: Virtuoso's holds its
own system graphs (``virtrdf:``, thousands of triples), and a shared server often holds other
datasets. ``graph=IRI`` reads only that named graph (every query is sent with the SPARQL 1.1
Protocol's ``default-graph-uri``) and writes into it (``INSERT DATA { GRAPH <IRI> { … } }``),
so counts, ``stats`` and ``export`` see exactly the llmgraph data.

Values (names, IRIs) enter queries as escaped N-Triples terms in ``VALUES`` rows or as the
checked IRIs of a path, never as unescaped text.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgraph.backends import BackendKind, chunks
from llmgraph.errors import QueryError, UsageError
from llmgraph.terms import IRI, RDF_TYPE, RDFS_LABEL, RELATIONS, SUPER_RELATIONS, XSD, llm
from llmgraph.triples import Blank, LightTerm, LightTriple, Lit, iri_problem, light_term, nt_term
from llmgraph.vocab import PREFIXES

if TYPE_CHECKING:
    from rdflib.query import Result
    from rdflib.term import Node

__all__ = ["RemoteBackend"]

_PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_PROLOGUE_LINES = _PROLOGUE.count("\n")
# where a server's error message gives a position: Oxigraph "error at 12:10", Virtuoso "line 12"
_POSITION = re.compile(r"(?P<head>error at |\bline )(?P<line>\d+)")


def _as_written(detail: str) -> str:
    """Return a server's error message with its line numbers counted in the query as written.

    The server saw llmgraph's prefixes first, one line each.

    >>> _as_written(f"error at {_PROLOGUE_LINES + 2}:5: expected CONSTRUCT")
    'error at 2:5: expected CONSTRUCT'
    """

    def unshift(match: re.Match[str]) -> str:
        line = int(match["line"]) - _PROLOGUE_LINES
        return f"{match['head']}{line}" if line >= 1 else match[0]

    return _POSITION.sub(unshift, detail)


_ACCEPT_ROWS = "application/sparql-results+json"
_ACCEPT_TRIPLES = "application/n-triples, text/turtle;q=0.9"


def _iri_term(value: str) -> str:
    problem = iri_problem(value)
    if problem is not None:
        raise UsageError(f"not a valid IRI: {value!r} ({problem})")
    return f"<{value}>"


def sparql_term(value: Any) -> str:
    r"""Return a value as an escaped SPARQL term (IRIs checked).

    >>> sparql_term(IRI("http://e/a")), sparql_term(Lit('a "b"'))
    ('<http://e/a>', '"a \\"b\\""')
    """
    from rdflib.term import Node

    plain = isinstance(value, str) and not isinstance(value, IRI | Blank | Node)
    term = Lit(value) if plain else light_term(value)
    if isinstance(term, IRI):
        return _iri_term(term)
    if isinstance(term, Blank):
        raise UsageError(f"a blank node cannot be sent to an endpoint: _:{term}")
    return nt_term(term)


_LEXEME = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
    r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*|[{}]|(?<![?$:\w])(?:CONSTRUCT|WHERE)\b",
    re.DOTALL | re.IGNORECASE,
)


def where_clause(sparql: str) -> tuple[int, int] | None:
    """Return where a query's WHERE clause starts (its ``{``) and ends (its ``}``), or ``None``.

    Strings, IRIs and comments are skipped; a ``CONSTRUCT`` template is not the WHERE clause.

    >>> q = 'SELECT ?x WHERE { ?x rdfs:label "}" } LIMIT 1'
    >>> start, end = where_clause(q)
    >>> q[start : end + 1]
    '{ ?x rdfs:label "}" }'
    >>> where_clause("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    (29, 40)
    >>> where_clause("DESCRIBE <http://e/a>") is None
    True
    """
    construct = False
    depth = 0
    start = -1
    for match in _LEXEME.finditer(sparql):
        token = match.group().upper()
        if token == "CONSTRUCT" and depth == 0:
            construct = True
        elif token == "WHERE" and depth == 0:
            construct = False
        elif token == "{":
            if depth == 0 and not construct and start < 0:
                start = match.start()
            depth += 1
        elif token == "}" and depth > 0:
            depth -= 1
            if depth == 0 and start >= 0:
                return start, match.start()
    return None


_FORM = re.compile(r"(?<![?$:\w])(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> str:
    r"""Return a query's form: ``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or ``"DESCRIBE"``.

    The Accept header is chosen from it: Virtuoso answers every form in the first type it is
    offered (an ASK as a one-row table, a CONSTRUCT as rows of ``?s ?p ?o``).

    >>> query_form("PREFIX a: <http://e/ask#> # SELECT\nask { ?s ?p ?o }")
    'ASK'
    """
    plain = _LEXEME.sub(lambda m: " " if m.group()[0] in "<#'\"" else m.group(), sparql)
    found = _FORM.search(plain)
    return found.group(1).upper() if found else "SELECT"


def bind_values(sparql: str, names: Sequence[str], terms: Sequence[str]) -> str:
    """Return ``sparql`` with one ``VALUES`` row of ``terms`` for ``names`` joined to it.

    The WHERE clause becomes ``{ { the clause } VALUES … }``: the row is joined with the whole
    pattern, as rdflib's ``initBindings`` binds it, in the one shape every engine tested takes.
    Virtuoso 7 mishandles the others: a trailing ``VALUES`` after the query fails with
    ``SQ200: No column`` when a bound variable is not projected, and a ``VALUES`` (or
    ``BIND``) before an ``OPTIONAL`` fails with ``SP031 … no SPART_VARR_FIXED``. A query
    without a WHERE clause (``DESCRIBE <iri>``) gets the trailing form.

    >>> bind_values("SELECT ?l WHERE { ?m rdfs:label ?l }", ["m"], ["<http://e/a>"])
    'SELECT ?l WHERE { { ?m rdfs:label ?l } VALUES (?m) { (<http://e/a>) } }'
    """
    row = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms)}) }}"
    found = where_clause(sparql)
    if found is None:
        return f"{sparql}\n{row}"
    start, end = found
    return f"{sparql[:start]}{{ {sparql[start : end + 1]} {row} }}{sparql[end + 1 :]}"


_BATCH = 500  # IRIs named in one VALUES block
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = XSD + "decimal"


def _mend_virtuoso(rows: list[dict[str, Any]]) -> None:
    """Read Virtuoso's integer-valued ``xsd:decimal`` cells as the ``xsd:integer`` loaded."""
    for row in rows:
        for cell in row.values():
            if cell.get("datatype") == _DECIMAL and _INTEGER.fullmatch(cell.get("value", "")):
                cell["datatype"] = XSD + "integer"


def _mend_virtuoso_results(parsed: dict[str, Any]) -> dict[str, Any]:
    """Mend Virtuoso's SPARQL JSON results: its ASK answers, its integers (as above).

    Virtuoso 7 answers an ASK as a one-row table of ``?__ASK_RETVAL`` (``1`` or ``0``)
    instead of the ``boolean`` member of the SPARQL 1.1 JSON format.
    """
    rows = parsed.get("results", {}).get("bindings", [])
    if parsed.get("head", {}).get("vars") == ["__ASK_RETVAL"]:
        value = rows[0].get("__ASK_RETVAL", {}).get("value", "0") if rows else "0"
        return {"head": {}, "boolean": value not in ("0", "false")}
    _mend_virtuoso(rows)
    return parsed


def _mend_virtuoso_graph(graph: Any) -> None:
    """Mend the triples of a CONSTRUCT or DESCRIBE as :func:`_mend_virtuoso` mends rows."""
    from rdflib import Literal, URIRef

    integer = URIRef(XSD + "integer")
    for s, p, o in list(graph):
        if isinstance(o, Literal) and str(o.datatype) == _DECIMAL and _INTEGER.fullmatch(o):
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o), datatype=integer)))


def _from_json(cell: dict[str, str]) -> LightTerm:
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return IRI(value)
    if kind == "bnode":
        return Blank(value)
    if "xml:lang" in cell:
        return Lit(value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", cell["xml:lang"])
    return Lit(value, cell.get("datatype", XSD + "string"))


class RemoteBackend:
    """A SPARQL 1.1 endpoint behind the :class:`~llmgraph.backends.Backend` seam.

    Args:
        query_url: the endpoint's query URL (``http://host:7878/query`` for Oxigraph).
        update_url: its update URL, needed only for writes.
        timeout: seconds to wait for each HTTP request.
        headers: extra HTTP headers (for example ``Authorization``).
        page_size: rows per page of large reads (a server's smaller cap is detected).
        graph: the IRI of the named graph that holds the data (read as the default graph
            of every query, written by every update); ``None`` uses the server's default
            graph.
        params: extra form parameters sent with every query (an engine's own options, such
            as Virtuoso's ``timeout`` in milliseconds).

    Raises:
        UsageError: ``query_url`` is not an http(s) URL, or ``graph`` is not an IRI.

    >>> RemoteBackend("http://127.0.0.1:7878/query")
    <RemoteBackend http://127.0.0.1:7878/query>
    >>> RemoteBackend("http://127.0.0.1:8890/sparql", graph="https://w3id.org/llmgraph/data")
    <RemoteBackend http://127.0.0.1:8890/sparql graph <https://w3id.org/llmgraph/data>>
    """

    kind: BackendKind = "remote"
    local: bool = False
    bulk: bool = False

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        timeout: float = 60.0,
        headers: Mapping[str, str] | None = None,
        page_size: int = 10_000,
        graph: str | None = None,
        params: Mapping[str, str] | None = None,
    ):
        for url in (query_url, update_url):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise UsageError(f"a SPARQL endpoint is an http(s) URL, got {url!r}")
        if page_size < 1:
            raise UsageError(f"page_size must be 1 or more, got {page_size}")
        if graph is not None:
            problem = iri_problem(graph)
            if problem is not None or ":" not in graph:
                raise UsageError(f"the graph must be an absolute IRI, got {graph!r}")
        self.query_url = query_url
        self.update_url = update_url
        self.graph = graph
        self.where = query_url if graph is None else f"{query_url} graph <{graph}>"
        self.timeout = timeout
        self.page_size = page_size
        self._headers = dict(headers or {})
        self._params = dict(params or {})
        self._writes = 0
        self.server = ""
        """The ``Server`` header of the endpoint's last answer (``Virtuoso/07.20.3229 …``)."""

    def __repr__(self) -> str:
        return f"<RemoteBackend {self.where}>"

    # ------------------------------------------------------------------ HTTP

    def _post(self, url: str, form: dict[str, str], accept: str) -> tuple[bytes, Any]:
        if "query" in form:
            form = {**self._params, **form}
            if self.graph is not None:
                form["default-graph-uri"] = self.graph
        body = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", accept)
        for key, value in self._headers.items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read()
                self.server = str(response.headers.get("Server", ""))
                state = response.headers.get("X-SQL-State")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            detail = detail.split("\nSPARQL query:", 1)[0].strip()[:500]  # Virtuoso echoes it
            if any(key in form for key in ("query", "update")):
                detail = _as_written(detail)
            raise QueryError(f"{url} answered HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise QueryError(f"cannot reach the SPARQL endpoint {url}: {reason}") from exc
        if state is not None:  # Virtuoso's "anytime" answer: the rows found before a timeout
            message = str(response.headers.get("X-SQL-Message", "")).split("Activity:")[0]
            raise QueryError(
                f"{url} returned incomplete results ({state}: {message.strip()}): "
                "the answer would be incomplete"
            )
        return data, response.headers

    def select(self, sparql: str) -> tuple[list[dict[str, Any]], bool]:
        """Run a SELECT and return its JSON rows and whether the server says it cut them."""
        data, headers = self._post(
            self.query_url, {"query": _PROLOGUE + sparql}, "application/sparql-results+json"
        )
        try:
            rows: list[dict[str, Any]] = json.loads(data)["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as exc:
            raise QueryError(f"{self.query_url} did not return SPARQL JSON results") from exc
        cut = str(headers.get("X-LLMGraph-Truncated", "")).lower() == "true"
        if self.virtuoso:
            _mend_virtuoso(rows)
        return rows, cut

    @property
    def virtuoso(self) -> bool:
        """Whether the endpoint's last answer came from OpenLink Virtuoso."""
        return self.server.startswith("Virtuoso")

    def select_all(self, variables: Sequence[str], where: str) -> list[dict[str, Any]]:
        """Return every distinct row of ``SELECT variables WHERE { where }``, paged, complete.

        The rows are counted first. An answer that fits in one page is fetched unordered (a
        sort is most of the cost of a page); a larger one, or one the server cut short, in
        ordered pages.

        Raises:
            QueryError: the server returned fewer rows than it counted (a cap that paging
                cannot get around), or failed.
        """
        names = " ".join(f"?{v}" for v in variables)
        inner = f"SELECT DISTINCT {names} WHERE {{ {where} }}"
        counted, _ = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {inner} }}")
        try:
            total = int(counted[0]["n"]["value"])
        except (IndexError, KeyError, ValueError) as exc:
            raise QueryError(f"{self.query_url} did not return a count") from exc
        rows: list[dict[str, Any]] = []
        page = self.page_size
        if 0 < total <= page:  # one page: no order needed, unless the server cuts it short
            got, cut = self.select(f"{inner} LIMIT {total}")
            if len(got) == total and not cut:
                rows = got
            else:
                page = max(len(got), 1)  # its cap: the ordered pages below, from the start
        while len(rows) < total:
            want = min(page, total - len(rows))
            got, cut = self.select(self._page(inner, names, want, len(rows)))
            if not got:
                raise QueryError(
                    f"{self.query_url} returned {len(rows):,} of {total:,} rows and then none: "
                    "the answer would be incomplete"
                )
            if len(got) < want or cut:
                page = len(got)  # the server's own cap: fetch the rest in pages of its size
            rows += got
        distinct = {
            tuple(sorted((k, tuple(sorted(v.items()))) for k, v in r.items())) for r in rows
        }
        if len(rows) != total or len(distinct) != total:
            raise QueryError(
                f"{self.query_url} returned {len(distinct):,} distinct rows in {len(rows):,} "
                f"where it counted {total:,}: its pages do not add up to the answer"
            )
        return rows

    def _page(self, inner: str, names: str, limit: int, offset: int) -> str:
        """Return the query for one ordered page of ``inner``'s rows.

        Standard SPARQL orders and slices in one query. Virtuoso refuses that once ``offset +
        limit`` passes its ``MaxSortedTopRows`` (10,000 by default: ``SR353: Sorted TOP
        clause``), so there the ordered query becomes a subquery sliced outside, the form
        Virtuoso documents for paging past that limit.
        """
        if self.virtuoso:
            return (
                f"SELECT {names} WHERE {{ {{ {inner} ORDER BY {names} }} }} "
                f"LIMIT {limit} OFFSET {offset}"
            )
        return f"{inner} ORDER BY {names} LIMIT {limit} OFFSET {offset}"

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run SPARQL on the server; ``bindings`` become a ``VALUES`` row (:func:`bind_values`).

        Raises:
            QueryError: the server rejected the query, or could not be reached.
        """
        from rdflib import Graph
        from rdflib.query import Result

        text = sparql
        if bindings:
            names = [str(k).lstrip("?$") for k in bindings]
            for name in names:
                if not name.replace("_", "a").isalnum():
                    raise QueryError(f"not a SPARQL variable name: {name!r}")
            text = bind_values(text, names, [sparql_term(v) for v in bindings.values()])
        rows = query_form(text) in ("SELECT", "ASK")
        accept = _ACCEPT_ROWS if rows else _ACCEPT_TRIPLES
        data, headers = self._post(self.query_url, {"query": _PROLOGUE + text}, accept)
        kind = str(headers.get("Content-Type", "")).split(";")[0].strip()
        if kind in ("application/n-triples", "text/turtle", "text/plain"):
            graph = Graph(bind_namespaces="none")
            for prefix, iri in PREFIXES.items():
                graph.bind(prefix, iri)
            try:
                graph.parse(
                    data=data.decode("utf-8"), format="nt" if "n-triples" in kind else "turtle"
                )
            except Exception as exc:
                raise QueryError(f"{self.query_url} returned unreadable triples: {exc}") from exc
            if self.virtuoso:
                _mend_virtuoso_graph(graph)
            result = Result("CONSTRUCT")
            result.graph = graph
            return result
        try:
            if self.virtuoso:
                data = json.dumps(_mend_virtuoso_results(json.loads(data))).encode("utf-8")
            return Result.parse(io.BytesIO(data), format="json")
        except Exception as exc:
            raise QueryError(f"{self.query_url} returned unreadable results ({kind})") from exc

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update on the update URL (as written: it names its own graphs).

        Raises:
            UsageError: connected without an update URL.
            QueryError: the server rejected the update.
        """
        if self.update_url is None:
            raise UsageError("this graph was connected read-only: pass update_url to write")
        self._post(self.update_url, {"update": _PROLOGUE + sparql}, "*/*")

    # ------------------------------------------------------------------ the Protocol

    def version(self) -> str:
        """Return an id that changes with every write made through this object.

        An endpoint does not say when others change it: connect again to see their writes.
        """
        return f"remote-{id(self)}-{self._writes}"

    def count(self) -> int:
        """Return the number of triples in the default graph."""
        rows, _ = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"]["value"])

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        """Yield ``(subject, object)`` of ``predicate`` (paged, complete)."""
        where = f"?s {_iri_term(predicate)} ?o . FILTER(isIRI(?s))"
        for row in self.select_all(("s", "o"), where):
            yield row["s"]["value"], _from_json(row["o"])

    def triples(self, pattern: tuple[Any, Any, Any]) -> Iterator[tuple[Node, Node, Node]]:
        """Yield the triples matching ``pattern`` (rdflib terms, ``None`` as wildcard)."""
        from llmgraph.triples import to_rdflib

        names = ("s", "p", "o")
        parts = [
            sparql_term(t) if t is not None else f"?{n}"
            for t, n in zip(pattern, names, strict=True)
        ]
        free = [n for t, n in zip(pattern, names, strict=True) if t is None]
        if not free:
            rows, _ = self.select(f"SELECT * WHERE {{ {' '.join(parts)} }} LIMIT 1")
            if rows:
                yield to_rdflib(pattern)
            return
        for row in self.select_all(free, " ".join(parts)):
            values = [
                light_term(t) if t is not None else _from_json(row[n])
                for t, n in zip(pattern, names, strict=True)
            ]
            yield to_rdflib((values[0], values[1], values[2]))

    def missing(self, triples: Sequence[LightTriple]) -> list[LightTriple]:
        """Return the triples the server does not hold (one query per 500 triples)."""
        found: set[LightTriple] = set()
        sendable = [t for t in triples if not any(isinstance(x, Blank) for x in t)]
        for batch in chunks(sendable, 500):
            rows_text = " ".join(f"({' '.join(sparql_term(x) for x in t)})" for t in batch)
            rows, _ = self.select(
                f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {rows_text} }} ?s ?p ?o }}"
            )
            found |= {(_from_json(r["s"]), _from_json(r["p"]), _from_json(r["o"])) for r in rows}
        return [t for t in triples if t not in found]

    def begin(self) -> RemoteTransaction:
        """Start a transaction: the writes are sent in one update at :meth:`commit`.

        Raises:
            UsageError: connected without an update URL.
        """
        if self.update_url is None:
            raise UsageError("this graph was connected read-only: pass update_url to write")
        return RemoteTransaction(self)

    def engine_folder(self) -> Path | None:
        """Return ``None``: closures are fetched per question."""
        return None

    def close(self) -> None:
        """Nothing to release (every request is its own connection)."""

    # ------------------------------------------------------------------ closures

    def closure_reader(
        self,
        starts: Iterable[str],
        relations: Iterable[str],
        *,
        direction: str,
        depth: int | None,
    ) -> dict[str, list[tuple[str, LightTerm]]]:
        """Fetch the facts of everything reachable from ``starts`` along ``relations``.

        Returns a map predicate → ``(subject, object)`` rows for the entities reached (the
        starts included): their types, labels, attributes, licence, developer and family, and
        their edges; plus the labels of their licences, developers and families. The engine
        is built from it with :meth:`llmgraph.engine.LineageIndex.from_reader`.

        Args:
            starts: the IRIs to start from.
            relations: relation names to follow.
            direction: ``"out"`` (towards parents, backed), ``"in"`` (towards children,
                backers) or ``"both"`` (the lineage component, for paths).
            depth: ``1`` fetches only direct neighbours; anything else the whole closure.
        """
        walked = set(relations)
        for sup, subs in SUPER_RELATIONS.items():
            if sup in walked:  # materialized (llmgraph.rules): it reaches all its subs reach,
                walked -= subs  # and Virtuoso walks one predicate far faster than several
        rels = [_iri_term(llm(r)) for r in sorted(walked)]
        alt, listed = "|".join(rels), ", ".join(rels)
        nodes: list[str] = []
        for start in sorted(set(starts)):
            s = _iri_term(start)
            if depth == 1:
                step = {
                    "out": f"{s} ?r1 ?x .",
                    "in": f"?x ?r1 {s} .",
                    "both": f"{{ {s} ?r1 ?x }} UNION {{ ?x ?r1 {s} }}",
                }[direction]
                nodes.append(f"{{ BIND({s} AS ?x) }} UNION {{ {step} FILTER(?r1 IN ({listed})) }}")
            else:
                path = {"out": f"({alt})*", "in": f"^({alt})*", "both": f"({alt}|^({alt}))*"}[
                    direction
                ]
                nodes.append(f"{s} {path} ?x")
        if not nodes:
            return {}
        # One start stands alone: Virtuoso answers `{ SELECT … { { s path* ?x } } }` wrongly.
        body = nodes[0] if len(nodes) == 1 else " UNION ".join(f"{{ {n} }}" for n in nodes)
        predicates = [
            RDF_TYPE,
            *(llm(r) for r in RELATIONS),
            llm("license"),
            llm("family"),
            RDFS_LABEL,
            llm("huggingFaceId"),
            llm("releaseDate"),
            llm("releaseDatePrecision"),
            llm("parameterCount"),
        ]
        out: dict[str, list[tuple[str, LightTerm]]] = {}
        allowed = ", ".join(_iri_term(p) for p in predicates)
        for row in self._closure_facts(body, allowed):
            out.setdefault(row["p"]["value"], []).append((row["x"]["value"], _from_json(row["v"])))
        linked = sorted(
            {
                str(v)
                for p in (llm("license"), llm("developedBy"), llm("family"))
                for _, v in out.get(p, [])
                if isinstance(v, IRI)
            }
        )
        for batch in chunks(linked, _BATCH):
            values = " ".join(_iri_term(t) for t in batch)
            rows = self.select_all(("t", "l"), f"VALUES ?t {{ {values} }} ?t rdfs:label ?l .")
            for row in rows:
                out.setdefault(RDFS_LABEL, []).append((row["t"]["value"], _from_json(row["l"])))
        return out

    def _closure_facts(self, reach: str, allowed: str) -> Iterator[dict[str, Any]]:
        """Yield the ``?x ?p ?v`` rows of the entities ``reach`` binds to ``?x``.

        Two shapes, the one each engine answers fast (100 k models, a family of 12,738):
        the entities first, then their facts in batches named by ``VALUES`` (Oxigraph: 10 s
        where one joined query paged by OFFSET took 49 s, every page recomputing the path);
        on Virtuoso one query joining a ``DISTINCT`` subquery of the entities with their facts
        (it plans a ``VALUES`` batch of 500 entities as a scan: 20 s each). The subquery must
        come first: with the path and the facts in one group, Virtuoso walked the path from
        every fact (a 0.2 s question took over 60 s).
        """
        facts = f"?x ?p ?v . FILTER(?p IN ({allowed}))"
        if self.virtuoso:
            where = f"{{ SELECT DISTINCT ?x WHERE {{ {reach} }} }} {facts}"
            for row in self.select_all(("x", "p", "v"), where):
                if row["x"]["type"] == "uri":
                    yield row
            return
        reached = [
            row["x"]["value"] for row in self.select_all(("x",), reach) if row["x"]["type"] == "uri"
        ]
        for batch in chunks(reached, _BATCH):
            values = " ".join(_iri_term(x) for x in batch)
            yield from self.select_all(("x", "p", "v"), f"VALUES ?x {{ {values} }} {facts}")

    def names_like(self, key: str) -> list[tuple[str, str]]:
        """Return ``(entity, class)`` of every typed entity with a name equal to ``key``.

        ``key`` is compared case-insensitively with labels, aliases and Hugging Face ids.
        """
        where = (
            "?e rdfs:label|skos:altLabel|llm:huggingFaceId ?name . "
            f"FILTER(LCASE(STR(?name)) = {nt_term(Lit(key.casefold()))}) ?e a ?cls ."
        )
        return [
            (row["e"]["value"], row["cls"]["value"])
            for row in self.select_all(("e", "cls"), where)
            if row["e"]["type"] == "uri"
        ]

    def classes_of(self, iri: str) -> list[str]:
        """Return the classes of ``iri``; ``[""]`` when it is mentioned but untyped; else []."""
        node = _iri_term(iri)
        rows, _ = self.select(f"SELECT ?cls WHERE {{ {node} a ?cls }}")
        if rows:
            return [r["cls"]["value"] for r in rows]
        rows, _ = self.select(
            f"SELECT * WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} LIMIT 1"
        )
        return [""] if rows else []


class RemoteTransaction:
    """Writes collected locally and sent in one ``DELETE DATA`` / ``INSERT DATA`` update."""

    def __init__(self, backend: RemoteBackend):
        self._backend = backend
        self._add: list[LightTriple] = []
        self._remove: list[LightTriple] = []
        self._open = True

    def add(self, triples: Sequence[LightTriple]) -> None:
        self._add += triples

    def remove(self, triples: Sequence[LightTriple]) -> None:
        self._remove += triples

    def load(self, path: Path, *, format: str) -> None:
        raise UsageError("a remote endpoint is written with updates: the file is parsed here")

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        return self._backend.read(predicate)

    def commit(self) -> None:
        if not self._open:
            raise UsageError("this transaction is closed")
        self._open = False
        graph = self._backend.graph
        parts = []
        for verb, triples in (("DELETE", self._remove), ("INSERT", self._add)):
            if not triples:
                continue
            body = " ".join(" ".join(sparql_term(x) for x in t) + " ." for t in triples)
            if graph is not None:  # the DATA forms name their graph (using-graph-uri does not)
                body = f"GRAPH {_iri_term(graph)} {{ {body} }}"
            parts.append(f"{verb} DATA {{ {body} }}")
        if parts:
            self._backend.update(" ;\n".join(parts))
            self._backend._writes += 1

    def abort(self) -> None:
        self._open = False
