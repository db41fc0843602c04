"""Any SPARQL 1.1 endpoint as a lineage graph: every verb runs as SPARQL on the server.

:class:`RemoteGraph` speaks the SPARQL 1.1 Protocol (HTTP POST, results as SPARQL JSON) and
keeps no local copy. Each lineage verb is one query with a property path, such as
``?start (llm:fineTunedFrom|…)* ?x . ?x ?rel ?y``, which returns the edges of the closure;
llmgraph then picks depths, paths and labels exactly as the in-memory graph does. The same
script therefore runs against Oxigraph server, Fuseki, GraphDB, Virtuoso or Amazon Neptune.

Values (names, IRIs) enter queries as escaped ``VALUES`` rows, never pasted into the text.
Name resolution is exact (case-insensitive) on ``rdfs:label``, ``skos:altLabel``,
``llm:huggingFaceId`` and IRIs; the loose matching of the in-memory graph is not offered.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from llmgraph.errors import (
    AmbiguousNameError,
    LineageCycleError,
    QueryError,
    UnknownEntityError,
    UsageError,
)
from llmgraph.lineage import BACKING_RELATIONS, PATH_RELATIONS, WEIGHT_RELATIONS, Link, Step
from llmgraph.names import PREFERENCES
from llmgraph.store import Triple, materialized
from llmgraph.vocab import LLM, ORGANIZATION_KINDS, PREFIXES

__all__ = ["RemoteGraph"]

_PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_LLM = str(LLM._NS)
_KIND_OF = {
    str(LLM.Model): "model",
    str(LLM.Organization): "organization",
    str(LLM.Platform): "platform",
    **{str(k): "organization" for k in ORGANIZATION_KINDS},
}
_SUPER = {"derivedFrom": WEIGHT_RELATIONS - {"derivedFrom"}, "backs": BACKING_RELATIONS - {"backs"}}


def _term(value: Any) -> str:
    """Return a value as a SPARQL term (IRIs checked, literals escaped)."""
    if isinstance(value, URIRef):
        text = str(value)
        if any(c in text for c in '<>"{}|^`\\ \n'):
            raise UsageError(f"not a valid IRI: {text!r}")
        return f"<{text}>"
    if isinstance(value, Literal):
        return value.n3()
    return Literal(str(value)).n3()


def _values(name: str, values: Iterable[Any]) -> str:
    return f"VALUES ?{name} {{ {' '.join(_term(v) for v in values)} }}"


class _Shim:
    """Just enough of a LineageGraph for llmgraph.lineage's walks."""

    def __init__(self, remote: RemoteGraph, mirror: nx.MultiDiGraph[str]):
        self.nx = mirror
        self._remote = remote

    def resolve(self, name: str | URIRef, *, kind: str = "entity") -> URIRef:
        return URIRef(str(name))

    def label(self, entity: str | URIRef) -> str:
        data = self.nx.nodes.get(str(entity))
        return str(data["label"]) if data else self._remote.label(entity)


class RemoteGraph:
    """A lineage graph on a SPARQL 1.1 server, with the query verbs of ``LineageGraph``.

    Args:
        query_url: the endpoint's query URL (``http://host:7878/query`` for Oxigraph).
        update_url: its update URL, needed only for :meth:`add`.
        timeout: seconds to wait for each HTTP request.
        headers: extra HTTP headers (for example an ``Authorization`` header).
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        timeout: float = 60.0,
        headers: Mapping[str, str] | None = None,
    ):
        scheme = urllib.parse.urlsplit(query_url).scheme
        if scheme not in ("http", "https"):
            raise UsageError(f"a SPARQL endpoint is an http(s) URL, got {query_url!r}")
        self.query_url = query_url
        self.update_url = update_url
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._labels: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<RemoteGraph {self.query_url}>"

    # ------------------------------------------------------------------ HTTP

    def _post(self, url: str, form: dict[str, str], accept: str) -> tuple[bytes, str]:
        body = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", accept)
        for key, value in self._headers.items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            raise QueryError(f"{url} answered HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise QueryError(f"cannot reach the SPARQL endpoint {url}: {reason}") from exc

    def _select(self, sparql: str) -> list[dict[str, Any]]:
        data, _ = self._post(
            self.query_url, {"query": _PROLOGUE + sparql}, "application/sparql-results+json"
        )
        try:
            rows: list[dict[str, Any]] = json.loads(data)["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as exc:
            raise QueryError(f"{self.query_url} did not return SPARQL JSON results") from exc
        return rows

    def query(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> Result:
        """Run SPARQL on the server, with llmgraph's prefixes declared.

        ``bindings`` become a trailing ``VALUES`` clause (escaped terms). Returns an rdflib
        :class:`~rdflib.query.Result`, like the in-memory graph.

        Raises:
            QueryError: the server rejected the query, or could not be reached.
        """
        text = sparql
        if bindings:
            names = [str(k).lstrip("?$") for k in bindings]
            terms = " ".join(_term(_as_term(v)) for v in bindings.values())
            text += f"\nVALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }}"
        data, kind = self._post(
            self.query_url,
            {"query": _PROLOGUE + text},
            "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8",
        )
        kind = kind.split(";")[0].strip()
        if kind in ("application/n-triples", "text/turtle", "text/plain"):
            graph = Graph(bind_namespaces="none")
            for prefix, iri in PREFIXES.items():
                graph.bind(prefix, iri)
            graph.parse(data=data.decode("utf-8"), format="nt" if "n-triples" in kind else "turtle")
            result = Result("CONSTRUCT")
            result.graph = graph
            return result
        try:
            return Result.parse(io.BytesIO(data), format="json")
        except Exception as exc:
            raise QueryError(f"{self.query_url} returned unreadable results ({kind})") from exc

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update on the server's update URL.

        Raises:
            UsageError: the graph was connected without an update URL.
            QueryError: the server rejected the update.
        """
        if self.update_url is None:
            raise UsageError("this graph was connected read-only: pass update_url to write")
        self._post(self.update_url, {"update": _PROLOGUE + sparql}, "*/*")

    def __len__(self) -> int:
        """Return the number of triples in the server's default graph."""
        rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"]["value"])

    # ------------------------------------------------------------------ names

    def resolve(self, name: str | URIRef, *, kind: str = "entity") -> URIRef:
        """Return the IRI of the entity called ``name``.

        Raises:
            UnknownEntityError: no label, alias, Hub id or IRI matches (case-insensitively).
            AmbiguousNameError: several entities do.
        """
        text = str(name).strip()
        prefix, sep, rest = text.partition(":")
        if sep and prefix in PREFIXES and not rest.startswith("//"):
            text = str(PREFIXES[prefix]) + rest
        classes = " ".join(f"<{c}>" for c in (*_KIND_OF, str(LLM.ModelFamily), str(LLM.License)))
        rows: list[dict[str, Any]] = []
        if "://" in text and not any(c in text for c in '<>"{}|^`\\ '):
            rows = self._select(
                f"SELECT ?e ?cls WHERE {{ ?e a ?cls . VALUES ?cls {{ {classes} }} "
                f"{_values('e', [URIRef(text)])} }}"
            )
        if not rows:
            rows = self._select(
                "SELECT DISTINCT ?e ?cls WHERE { "
                f"{_values('key', [text.casefold()])} "
                "?e rdfs:label|skos:altLabel|llm:huggingFaceId ?name . ?e a ?cls . "
                f"VALUES ?cls {{ {classes} }} FILTER(LCASE(STR(?name)) = ?key) }}"
            )
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row["e"]["value"], set()).add(row["cls"]["value"])
        if len(found) == 1:
            return URIRef(next(iter(found)))
        if not found:
            raise UnknownEntityError(str(name), kind=kind)
        prefer = PREFERENCES.get(kind, PREFERENCES["entity"])
        candidates = set(found)
        for cls in prefer:
            wanted = {str(cls)} | (
                {str(k) for k in ORGANIZATION_KINDS} if cls == LLM.Organization else set()
            )
            preferred = {e for e in candidates if found[e] & wanted}
            if len(preferred) == 1:
                return URIRef(next(iter(preferred)))
            if preferred:
                candidates = preferred
                break
        raise AmbiguousNameError(text, sorted(candidates))

    def label(self, entity: str | URIRef) -> str:
        """Return the canonical label of ``entity`` (its IRI's last part if it has none).

        Labels met by the last lineage answer are remembered, so printing a result costs
        no extra round trips.
        """
        known = self._labels.get(str(entity))
        if known is not None:
            return known
        rows = self._select(
            f"SELECT ?l WHERE {{ ?e rdfs:label ?l }} {_values('e', [URIRef(str(entity))])}"
        )
        labels = sorted(str(r["l"]["value"]) for r in rows)
        if labels:
            return labels[0]
        text = str(entity).rstrip("/#")
        return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def members(self, family: str | URIRef) -> list[URIRef]:
        """Return the models of a family (or the one model, if ``family`` names a model)."""
        iri = self.resolve(family, kind="model or family")
        rows = self._select(
            f"SELECT ?m WHERE {{ ?f a llm:ModelFamily . ?m llm:family ?f }} {_values('f', [iri])}"
        )
        if rows:
            return sorted(URIRef(r["m"]["value"]) for r in rows)
        return [iri]

    # ------------------------------------------------------------------ verbs

    def _closure(
        self,
        starts: list[URIRef],
        allowed: frozenset[str],
        direction: str,
        depth: int | None,
    ) -> nx.MultiDiGraph[str]:
        """Fetch the edges of the closure from ``starts`` as a small mirror."""
        rels = sorted(allowed)
        alternatives = "|".join(f"llm:{r}" for r in rels)
        if direction == "out":
            walk = (
                "?start ?rel ?y . BIND(?start AS ?x)"
                if depth == 1
                else f"?start ({alternatives})* ?x . ?x ?rel ?y ."
            )
        elif direction == "in":
            walk = (
                "?x ?rel ?start . BIND(?start AS ?y)"
                if depth == 1
                else f"?y ({alternatives})* ?start . ?x ?rel ?y ."
            )
        else:  # both ways: the lineage component
            walk = f"?start ({alternatives}|^({alternatives}))* ?x . ?x ?rel ?y ."
        rows = self._select(
            "SELECT DISTINCT ?x ?rel ?y ?lx ?ly ?cx ?cy WHERE { "
            f"{_values('start', starts)} {walk} "
            f"{_values('rel', [URIRef(_LLM + r) for r in rels])} "
            "OPTIONAL { ?x rdfs:label ?lx } OPTIONAL { ?y rdfs:label ?ly } "
            "OPTIONAL { ?x a ?cx } OPTIONAL { ?y a ?cy } }"
        )
        return _mirror(rows, starts)

    def _walk(
        self, starts: list[URIRef], direction: str, allowed: frozenset[str], depth: int | None
    ) -> list[Link]:
        from llmgraph.lineage import _walk

        if depth is not None and depth < 0:
            raise UsageError(f"depth must be 0 or more, got {depth}")
        mirror = self._closure(starts, allowed, direction, depth)
        self._labels = {node: str(data["label"]) for node, data in mirror.nodes(data=True)}
        return _walk(_Shim(self, mirror), starts, direction, allowed, depth)  # type: ignore[arg-type]

    def ancestors(
        self, name: str | URIRef, *, depth: int | None = None, relations: Any = None
    ) -> list[Link]:
        """Return what ``name`` was built on; see :func:`llmgraph.lineage.ancestors`."""
        from llmgraph.lineage import _relations

        allowed = _relations(relations, WEIGHT_RELATIONS)
        return self._walk(self.members(name), "out", allowed, depth)

    def descendants(
        self, name: str | URIRef, *, depth: int | None = None, relations: Any = None
    ) -> list[Link]:
        """Return what was built on ``name``; see :func:`llmgraph.lineage.descendants`."""
        from llmgraph.lineage import _relations

        allowed = _relations(relations, WEIGHT_RELATIONS)
        return self._walk(self.members(name), "in", allowed, depth)

    def backers(self, org: str | URIRef, *, transitive: bool = False) -> list[Link]:
        """Return who backs ``org``; see :func:`llmgraph.lineage.backers`."""
        start = [self.resolve(org, kind="organization")]
        return self._walk(start, "in", BACKING_RELATIONS, None if transitive else 1)

    def portfolio(self, org: str | URIRef, *, transitive: bool = False) -> list[Link]:
        """Return whom ``org`` backs; see :func:`llmgraph.lineage.portfolio`."""
        start = [self.resolve(org, kind="organization")]
        return self._walk(start, "out", BACKING_RELATIONS, None if transitive else 1)

    def path(
        self,
        source: str | URIRef,
        target: str | URIRef,
        *,
        relations: Any = None,
        directed: bool = False,
    ) -> list[Step]:
        """Return a shortest lineage path; see :func:`llmgraph.lineage.path`.

        Fetches the lineage component of ``source`` (its ancestors when ``directed``) with
        one property-path query, then picks the path as the in-memory graph does.
        """
        from llmgraph.lineage import _relations, path

        allowed = _relations(relations, PATH_RELATIONS)
        a = self.resolve(source, kind="model")
        b = self.resolve(target, kind="model")
        mirror = self._closure([a], allowed, "out" if directed else "both", None)
        if not mirror.has_node(str(b)):
            mirror.add_node(str(b), label=self.label(b))
        return path(_Shim(self, mirror), a, b, relations=allowed, directed=directed)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ writes

    def add(self, triples: Iterable[Triple]) -> int:
        """Insert facts on the server in one update (``llm:derivedFrom`` / ``llm:backs`` too).

        Returns:
            The number of triples sent (the protocol does not say how many were new).

        Raises:
            UsageError: no update URL.
            LineageCycleError: a new derivation would close a cycle (checked on the server).
            QueryError: the server rejected the update.
        """
        from llmgraph.graph import _check_fact

        batch = list(dict.fromkeys(triples))
        for i, triple in enumerate(batch):
            _check_fact(triple, None, index=i)
        batch += [t for t in materialized(batch) if t not in batch]
        if self.update_url is None:
            raise UsageError("this graph was connected read-only: pass update_url to write")
        edges = [(s, o) for s, p, o in batch if p == LLM.derivedFrom]
        pending = {(str(s), str(o)) for s, o in edges}
        for s, o in edges:
            rows = self._select(f"SELECT ?x WHERE {{ ?o llm:derivedFrom* ?x }} {_values('o', [o])}")
            reached = {r["x"]["value"] for r in rows} | {str(o)}
            reached |= {b for a, b in pending if a in reached}
            if str(s) in reached:
                cycle = [str(s), str(o), str(s)]
                raise LineageCycleError(cycle, [self.label(n) for n in cycle])
        data = " ".join(f"{_term(s)} {_term(p)} {_term(o)} ." for s, p, o in batch)
        self.update(f"INSERT DATA {{ {data} }}")
        return len(batch)


def _as_term(value: Any) -> Any:
    from llmgraph.sparql import to_term

    return to_term(value)


def _mirror(rows: list[dict[str, Any]], starts: list[URIRef]) -> nx.MultiDiGraph[str]:
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    pairs: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        x, y = row["x"], row["y"]
        if x["type"] != "uri" or y["type"] != "uri":
            continue
        rel = row["rel"]["value"][len(_LLM) :]
        pairs.setdefault((x["value"], y["value"]), set()).add(rel)
        for end, lab, cls in ((x, "lx", "cx"), (y, "ly", "cy")):
            if lab in row:
                text = row[lab]["value"]
                old = labels.get(end["value"])
                if old is None or text < old:
                    labels[end["value"]] = text
            if cls in row and row[cls]["value"] in _KIND_OF:
                kinds.setdefault(end["value"], _KIND_OF[row[cls]["value"]])
    mirror: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for (x, y), rels in pairs.items():
        for sup, subs in _SUPER.items():
            if sup in rels and rels & subs:
                rels = rels - {sup}
        for end in (x, y):
            if end not in mirror:
                mirror.add_node(end, label=labels.get(end) or _fallback(end), kind=kinds.get(end))
        for rel in sorted(rels):
            mirror.add_edge(x, y, key=rel, relation=rel)
    for start in starts:
        if str(start) not in mirror:
            mirror.add_node(str(start), label=labels.get(str(start)) or _fallback(str(start)))
    return mirror


def _fallback(iri: str) -> str:
    text = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[1]
    return iri
