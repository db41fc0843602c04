"""Coverage statistics of a graph: counts by class, relation and year, and uncited facts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import DCTERMS, OWL, RDF, Literal, URIRef

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
    from llmgraph.graph import LineageGraph

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


def uncited(lg: LineageGraph) -> list[tuple[str, str, str]]:
    """Return the facts that cite no source, as ``(subject, predicate, object)`` strings.

    An entity's ``dcterms:source`` cites its attributes and the lineage written on it;
    ``llm:investsIn``, ``llm:owns`` and ``llm:hostedOn`` facts need a statement node of their
    own with a ``dcterms:source``.

    >>> from llmgraph import LineageGraph
    >>> uncited(LineageGraph.load())
    []
    """
    g = lg.rdf
    missing: list[tuple[str, str, str]] = []
    entities: set[URIRef] = set()
    for cls in (*ENTITY_CLASSES, *ORGANIZATION_KINDS):
        entities.update(s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef))
    entities.discard(LLM.License)
    for entity in sorted(entities):
        if (entity, RDF.type, LLM.License) in g:
            continue
        if g.value(entity, DCTERMS.source) is None:
            missing.append((str(entity), str(DCTERMS.source), ""))
    cited: set[tuple[object, object, object]] = set()
    for st in g.subjects(RDF.type, RDF.Statement):
        if g.value(st, DCTERMS.source) is not None:
            cited.add(
                (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
            )
    for p in _STATEMENT_CITED:
        for s, o in g.subject_objects(p):
            if (s, p, o) not in cited:
                missing.append((str(s), str(p), str(o)))
    return sorted(missing)


def stats(lg: LineageGraph) -> Stats:
    """Count what the graph holds.

    >>> from llmgraph import LineageGraph
    >>> s = stats(LineageGraph.load())
    >>> s.classes["Model"] > 20 and s.uncited == 0
    True
    """
    g = lg.rdf
    classes = {
        relation_name(cls): len(set(g.subjects(RDF.type, cls)))
        for cls in (*ENTITY_CLASSES, *ORGANIZATION_KINDS)
    }
    relations = {relation_name(p): sum(1 for _ in g.subject_objects(p)) for p in MIRRORED}
    years: Counter[int] = Counter()
    for model in set(g.subjects(RDF.type, LLM.Model)):
        value = g.value(model, LLM.releaseDate)
        if isinstance(value, Literal) and hasattr(value.toPython(), "year"):
            years[value.toPython().year] += 1
    models = set(g.subjects(RDF.type, LLM.Model))
    dated = [m for m in models if g.value(m, LLM.releaseDate) is not None]
    precision = Counter(str(g.value(m, LLM.releaseDatePrecision) or "day") for m in dated)
    identified = {
        "models with a release date": len(dated),
        "release dates exact to the day": precision["day"],
        "release dates to the month": precision["month"],
        "release dates public-by": precision["public-by"],
        "models with a Hugging Face id": sum(1 for m in models if g.value(m, LLM.huggingFaceId)),
    }
    for cls in ENTITY_CLASSES:
        linked = sum(
            1
            for e in set(g.subjects(RDF.type, cls))
            if any(str(o).startswith(WIKIDATA + "Q") for o in g.objects(e, OWL.sameAs))
        )
        identified[f"{_PLURAL[cls]} with a Wikidata item"] = linked
    return Stats(
        len(g), classes, relations, dict(sorted(years.items())), len(uncited(lg)), identified
    )
