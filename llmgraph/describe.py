"""One entity's facts as a researcher reads them: what it is, what it was built on, and why.

:func:`describe` lists what the graph says about one model, family, organization, platform or
licence: its attributes, the entities it points at (with their labels), its notes and its
sources. A release date carries how exact it is (``llm:releaseDatePrecision``); the
materialized ``llm:derivedFrom`` / ``llm:backs`` are left out where a more specific relation
to the same entity says the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Literal, URIRef

from llmgraph.vocab import BACKING, LLM, WEIGHT_LINEAGE, relation_name

if TYPE_CHECKING:
    from llmgraph.base import BaseGraph

__all__ = ["Fact", "describe"]

# The order facts are listed in; anything else follows, by property name.
_ORDER = (
    "type",
    "label",
    "alias",
    "family",
    "developedBy",
    "releaseDate",
    "parameterCount",
    "activeParameterCount",
    "contextLength",
    "trainingTokens",
    "license",
    "huggingFaceId",
    "country",
    "sameAs",
    *(relation_name(p) for p in WEIGHT_LINEAGE),
    "derivedFrom",
    "successorOf",
    "trainedOnOutputsOf",
    *(relation_name(p) for p in BACKING),
    "backs",
    "hostedOn",
    "operatedBy",
    "note",
    "source",
)
_NAMES = {
    RDF.type: "type",
    RDFS.label: "label",
    SKOS.altLabel: "alias",
    SKOS.note: "note",
    DCTERMS.source: "source",
    OWL.sameAs: "sameAs",
}
_SKIPPED = {LLM.releaseDatePrecision}
_PRECISION_SHOWN = {"month": "month only", "public-by": "public by this day; may be earlier"}


@dataclass(frozen=True)
class Fact:
    """One statement about an entity.

    Attributes:
        property: the short name of the property (``"releaseDate"``, ``"fineTunedFrom"``,
            ``"label"``, ``"alias"``, ``"note"``, ``"source"``, ``"sameAs"``, ``"type"`` …).
        value: the value as text: a literal's lexical form, or the label of the entity pointed
            at; a release date of precision "month" or "public-by" says so in brackets.
        iri: the IRI of the entity (or item, or source) pointed at; ``None`` for a literal.
        incoming: ``True`` for a fact whose *subject* is the other entity: ``Fact(
            "fineTunedFrom", "Vicuna 13B v1.5", …, incoming=True)`` about Llama 2 13B reads
            "Vicuna 13B v1.5 is fine-tuned from it"; an organization's models
            (``developedBy``), investors (``investsIn``) and a model's derivatives are such
            facts.
    """

    property: str
    value: str
    iri: str | None = None
    incoming: bool = False


def describe(lg: BaseGraph, entity: str | URIRef, *, incoming: bool = True) -> list[Fact]:
    """Return what the graph says about ``entity``, in a fixed reading order.

    Its own facts come first; then, with ``incoming`` (the default), the facts of other
    entities that point at it through an ``llm:`` relation: the models an organization
    developed, who invests in or owns it, a model's derivatives and successors, what a
    platform hosts (see :attr:`Fact.incoming`).

    Args:
        lg: the graph.
        entity: a name, Hugging Face id, slug or IRI (resolved as by ``lg.resolve``).
        incoming: also list the facts pointing at ``entity``.

    Raises:
        UnknownEntityError: ``entity`` matches nothing.

    >>> from llmgraph import LineageGraph
    >>> facts = describe(LineageGraph.load(), "Vicuna 13B v1.5")
    >>> [(f.property, f.value) for f in facts
    ...  if f.property in ("fineTunedFrom", "releaseDate") and not f.incoming]
    [('releaseDate', '2023-08-01'), ('fineTunedFrom', 'Llama 2 13B')]
    >>> "LLaVA 1.5 13B" in [f.value for f in facts if f.incoming]    # built on it
    True
    >>> [f.value for f in describe(LineageGraph.load(), "Zephyr 7B Alpha")
    ...  if f.property == "releaseDate"]
    ['2023-10-01 (month only)']
    >>> investors = [f.value for f in describe(LineageGraph.load(), "Mistral AI")
    ...              if f.incoming and f.property == "investsIn"]
    >>> "Microsoft" in investors
    True
    """
    g = lg.rdf
    iri = URIRef(lg.resolve(entity))
    specific = {o for p, o in g.predicate_objects(iri) if p in (*WEIGHT_LINEAGE, *BACKING)}
    shown = _PRECISION_SHOWN.get(str(g.value(iri, LLM.releaseDatePrecision)))
    facts: list[Fact] = []
    for p, o in g.predicate_objects(iri):
        if p in _SKIPPED or (p in (LLM.derivedFrom, LLM.backs) and o in specific):
            continue
        name = _NAMES.get(URIRef(str(p))) or _short(p)
        if isinstance(o, Literal):
            text = str(o)
            if p == LLM.releaseDate and shown:
                text += f" ({shown})"
            facts.append(Fact(name, text))
        elif p == RDF.type:
            facts.append(Fact(name, _short(o), str(o)))
        elif p in (DCTERMS.source, OWL.sameAs):
            facts.append(Fact(name, str(o), str(o)))
        else:
            facts.append(Fact(name, lg.label(str(o)), str(o)))
    rank = {name: i for i, name in enumerate(_ORDER)}
    facts.sort(key=lambda f: (rank.get(f.property, len(rank)), f.property, f.value))
    if incoming:
        facts += _incoming(lg, iri, rank)
    return facts


def _incoming(lg: BaseGraph, iri: URIRef, rank: dict[str, int]) -> list[Fact]:
    """Return the ``llm:`` facts of other entities whose object is ``iri``, in reading order."""
    g = lg.rdf
    pairs = [(s, p) for s, p in g.subject_predicates(iri) if str(p).startswith(str(LLM))]
    specific = {s for s, p in pairs if p in (*WEIGHT_LINEAGE, *BACKING)}
    facts = [
        Fact(_short(p), lg.label(str(s)), str(s), incoming=True)
        for s, p in pairs
        if isinstance(s, URIRef) and not (p in (LLM.derivedFrom, LLM.backs) and s in specific)
    ]
    return sorted(set(facts), key=lambda f: (rank.get(f.property, len(rank)), f.property, f.value))


def _short(term: object) -> str:
    """Return an ``llm:`` term's local name, any other term in full."""
    text = str(term)
    return relation_name(URIRef(text)) if text.startswith(str(LLM)) else text
