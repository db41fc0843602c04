"""Coverage statistics of a graph: counts by class, relation and year, and uncited facts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import DCTERMS, Literal, URIRef

from llmgraph.vocab import (
    BACKING,
    ENTITY_CLASSES,
    LLM,
    MIRRORED,
    ORGANIZATION_KINDS,
    WIKIDATA,
    relation_name,
)

if TYPE_CHECKING:
    from llmgraph.base import BaseGraph

__all__ = ["Stats", "stats", "uncited"]

_STATEMENT_CITED = (*BACKING, LLM.hostedOn)
_PLURAL = {
    LLM.Model: "models",
    LLM.ModelFamily: "model families",
    LLM.Organization: "organizations",
    LLM.Platform: "platforms",
    LLM.License: "licences",
}


@dataclass(frozen=True)
class Stats:
    """Coverage of a graph.

    Attributes:
        triples: number of triples (ontology included).
        classes: entity class local name → number of instances.
        relations: relation local name → number of facts (materialized ones included).
        models_by_year: release year → number of models.
        uncited: facts without a source (see :func:`uncited`); zero for the bundled data.
        identified: how many entities carry each identifier or key attribute:
            ``"models with a release date"`` (split by ``llm:releaseDatePrecision`` into
            dates exact to the day, to the month and public-by),
            ``"models with a Hugging Face id"`` and
            ``"models with a Wikidata item"`` and the same for model families,
            organizations, platforms and licences (``owl:sameAs`` to a Wikidata item).

    >>> from llmgraph import LineageGraph
    >>> s = stats(LineageGraph.load())
    >>> s.relations["mergedFrom"] > 0
    True
    >>> s.identified["models with a release date"] == s.classes["Model"]
    True
    """

    triples: int
    classes: dict[str, int]
    relations: dict[str, int]
    models_by_year: dict[int, int]
    uncited: int
    identified: dict[str, int]


def _rows(lg: BaseGraph, sparql: str) -> list[tuple[Any, ...]]:
    from llmgraph.sparql import query

    return [tuple(row) for row in query(lg, sparql)]  # type: ignore[arg-type]


def _values(terms: Iterable[URIRef]) -> str:
    return " ".join(f"<{t}>" for t in terms)


def _counts(lg: BaseGraph, terms: Iterable[URIRef], pattern: str, what: str) -> dict[Any, int]:
    """Return ``COUNT(what)`` of ``pattern`` for each term bound to ``?x``."""
    rows = _rows(
        lg,
        f"SELECT ?x (COUNT({what}) AS ?n) WHERE {{ VALUES ?x {{ {_values(terms)} }} {pattern} }} "
        "GROUP BY ?x",
    )
    return {x: int(n) for x, n in rows}


def uncited(lg: BaseGraph) -> list[tuple[str, str, str]]:
    """Return the facts that cite no source, as ``(subject, predicate, object)`` strings.

    An entity's ``dcterms:source`` cites its attributes and the lineage written on it;
    ``llm:investsIn``, ``llm:owns`` and ``llm:hostedOn`` facts need a statement node of their
    own with a ``dcterms:source``. Asked in SPARQL, so it runs on every backend.

    >>> from llmgraph import LineageGraph
    >>> uncited(LineageGraph.load())
    []
    """
    classes = _values(c for c in (*ENTITY_CLASSES, *ORGANIZATION_KINDS) if c != LLM.License)
    missing: list[tuple[str, str, str]] = []
    for (entity,) in _rows(
        lg,
        f"SELECT DISTINCT ?e WHERE {{ VALUES ?c {{ {classes} }} ?e a ?c . FILTER(isIRI(?e)) "
        "FILTER NOT EXISTS { ?e a llm:License } FILTER NOT EXISTS { ?e dcterms:source ?x } }",
    ):
        missing.append((str(entity), str(DCTERMS.source), ""))
    for s, p, o in _rows(
        lg,
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_values(_STATEMENT_CITED)} }} ?s ?p ?o . "
        "FILTER NOT EXISTS { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; "
        "rdf:object ?o ; dcterms:source ?x } }",
    ):
        missing.append((str(s), str(p), str(o)))
    return sorted(missing)


def stats(lg: BaseGraph) -> Stats:
    """Count what the graph holds (in SPARQL aggregates: the same on every backend).

    >>> from llmgraph import LineageGraph
    >>> s = stats(LineageGraph.load())
    >>> s.classes["Model"] > 20 and s.uncited == 0
    True
    """
    kinds = (*ENTITY_CLASSES, *ORGANIZATION_KINDS)
    counted = _counts(lg, kinds, "?e a ?x", "DISTINCT ?e")
    classes = {relation_name(c): counted.get(c, 0) for c in kinds}
    used = _counts(lg, MIRRORED, "?s ?x ?o", "*")
    relations = {relation_name(p): used.get(p, 0) for p in MIRRORED}
    years: Counter[int] = Counter()
    for (day,) in _rows(
        lg,
        "SELECT ?d WHERE { ?m a llm:Model . { SELECT ?m (MIN(?x) AS ?d) WHERE { "
        "?m llm:releaseDate ?x } GROUP BY ?m } }",
    ):
        if isinstance(day, Literal) and hasattr(day.toPython(), "year"):
            years[day.toPython().year] += 1
    precision: Counter[str] = Counter()
    for (value,) in _rows(
        lg,
        "SELECT ?p WHERE { ?m a llm:Model . FILTER EXISTS { ?m llm:releaseDate ?d } "
        'OPTIONAL { ?m llm:releaseDatePrecision ?given } BIND(COALESCE(STR(?given), "day") '
        "AS ?p) }",
    ):
        precision[str(value)] += 1
    hub = _rows(
        lg,
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a llm:Model ; llm:huggingFaceId ?h }",
    )
    identified = {
        "models with a release date": sum(precision.values()),
        "release dates exact to the day": precision["day"],
        "release dates to the month": precision["month"],
        "release dates public-by": precision["public-by"],
        "models with a Hugging Face id": int(hub[0][0]),
    }
    linked = _counts(
        lg,
        ENTITY_CLASSES,
        f'?e a ?x ; owl:sameAs ?item FILTER(STRSTARTS(STR(?item), "{WIKIDATA}Q"))',
        "DISTINCT ?e",
    )
    for cls in ENTITY_CLASSES:
        identified[f"{_PLURAL[cls]} with a Wikidata item"] = linked.get(cls, 0)
    return Stats(
        len(lg), classes, relations, dict(sorted(years.items())), len(uncited(lg)), identified
    )
