"""The remote backend: any SPARQL 1.1 endpoint, through the SPARQL 1.1 Protocol.

It keeps no copy of the data. Lineage questions fetch the closure around their start (the
entities a property path reaches, with their facts) and answer it with the same traversal
engine as every other backend; whole-graph work (``stats``, ``table``, ``export``) reads the
triples it needs. The queries are plain SPARQL 1.1 (property paths with IRIs as their ends,
``FILTER … IN``, ``UNION``, no engine extensions), so they run on Oxigraph, Virtuoso, Fuseki,
GraphDB, Neptune and QLever alike.

**No silent truncation.** Servers cap result sizes (Virtuoso's ``ResultSetMaxRows``, an
llmgraph ``serve --limit``). Every read that may be large first counts its rows, then fetches
them in ordered pages (``ORDER BY … LIMIT … OFFSET``); a page shorter than asked reveals the
server's cap and the rest is fetched in pages of that size; if the rows still do not add up,
the read fails with a :class:`~llmgraph.errors.QueryError` — never a partial answer.

Values (names, IRIs) enter queries as escaped N-Triples terms in ``VALUES`` rows or as the
checked IRIs of a path, never as unescaped text.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgraph.backends import BackendKind, chunks
from llmgraph.errors import QueryError, UsageError
from llmgraph.terms import IRI, RDF_TYPE, RDFS_LABEL, RELATIONS, XSD, llm
from llmgraph.triples import Blank, LightTerm, LightTriple, Lit, iri_problem, light_term, nt_term
from llmgraph.vocab import PREFIXES

if TYPE_CHECKING:
    from rdflib.query import Result
    from rdflib.term import Node

__all__ = ["RemoteBackend"]

_PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_ACCEPT_ANY = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


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

    Raises:
        UsageError: ``query_url`` is not an http(s) URL.

    >>> RemoteBackend("http://127.0.0.1:7878/query")
    <RemoteBackend http://127.0.0.1:7878/query>
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
    ):
        for url in (query_url, update_url):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise UsageError(f"a SPARQL endpoint is an http(s) URL, got {url!r}")
        if page_size < 1:
            raise UsageError(f"page_size must be 1 or more, got {page_size}")
        self.query_url = query_url
        self.update_url = update_url
        self.where = query_url
        self.timeout = timeout
        self.page_size = page_size
        self._headers = dict(headers or {})
        self._writes = 0

    def __repr__(self) -> str:
        return f"<RemoteBackend {self.query_url}>"

    # ------------------------------------------------------------------ HTTP

    def _post(self, url: str, form: dict[str, str], accept: str) -> tuple[bytes, Any]:
        body = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", accept)
        for key, value in self._headers.items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            raise QueryError(f"{url} answered HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise QueryError(f"cannot reach the SPARQL endpoint {url}: {reason}") from exc

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
        return rows, cut

    def select_all(self, variables: Sequence[str], where: str) -> list[dict[str, Any]]:
        """Return every distinct row of ``SELECT variables WHERE { where }``, paged, complete.

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
        while len(rows) < total:
            want = min(page, total - len(rows))
            got, cut = self.select(f"{inner} ORDER BY {names} LIMIT {want} OFFSET {len(rows)}")
            if not got:
                raise QueryError(
                    f"{self.query_url} returned {len(rows):,} of {total:,} rows and then none: "
                    "the answer would be incomplete"
                )
            if len(got) < want or cut:
                page = len(got)  # the server's own cap: fetch the rest in pages of its size
            rows += got
        if len(rows) != total:
            raise QueryError(
                f"{self.query_url} returned {len(rows):,} rows where it counted {total:,}"
            )
        return rows

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run SPARQL on the server; ``bindings`` become a trailing ``VALUES`` row.

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
            terms = " ".join(sparql_term(v) for v in bindings.values())
            text += f"\nVALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }}"
        data, headers = self._post(self.query_url, {"query": _PROLOGUE + text}, _ACCEPT_ANY)
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
            result = Result("CONSTRUCT")
            result.graph = graph
            return result
        try:
            return Result.parse(io.BytesIO(data), format="json")
        except Exception as exc:
            raise QueryError(f"{self.query_url} returned unreadable results ({kind})") from exc

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update on the update URL.

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
        rels = [_iri_term(llm(r)) for r in sorted(relations)]
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
                nodes.append(f"{{ {s} {path} ?x }}")
        if not nodes:
            return {}
        reach = " UNION ".join(nodes)
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
        where = f"{reach} ?x ?p ?v . FILTER(?p IN ({allowed}))"
        for row in self.select_all(("x", "p", "v"), where):
            if row["x"]["type"] == "uri":
                out.setdefault(row["p"]["value"], []).append(
                    (row["x"]["value"], _from_json(row["v"]))
                )
        linked = sorted(
            {
                str(v)
                for p in (llm("license"), llm("developedBy"), llm("family"))
                for _, v in out.get(p, [])
                if isinstance(v, IRI)
            }
        )
        for batch in chunks(linked, 500):
            values = " ".join(_iri_term(t) for t in batch)
            rows = self.select_all(("t", "l"), f"VALUES ?t {{ {values} }} ?t rdfs:label ?l .")
            for row in rows:
                out.setdefault(RDFS_LABEL, []).append((row["t"]["value"], _from_json(row["l"])))
        return out

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
        parts = []
        if self._remove:
            body = " ".join(" ".join(sparql_term(x) for x in t) + " ." for t in self._remove)
            parts.append(f"DELETE DATA {{ {body} }}")
        if self._add:
            body = " ".join(" ".join(sparql_term(x) for x in t) + " ." for t in self._add)
            parts.append(f"INSERT DATA {{ {body} }}")
        if parts:
            self._backend.update(" ;\n".join(parts))
            self._backend._writes += 1

    def abort(self) -> None:
        self._open = False
