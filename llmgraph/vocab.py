"""The ``llm:`` vocabulary as code, and the prefix table every query starts with.

Each attribute of :class:`LLM` is a term of ``ontology/llmgraph.ttl``; a typo raises
instead of minting a new IRI, and a test keeps the two equal.

>>> LLM.fineTunedFrom
rdflib.term.URIRef('https://w3id.org/llmgraph#fineTunedFrom')
>>> WEIGHT_LINEAGE[0].fragment
'fineTunedFrom'
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from llmgraph.terms import LLMID_NS, NAMESPACES, RELEASE_DATE_PRECISIONS

__all__ = [
    "BACKING",
    "ENTITY_CLASSES",
    "LLM",
    "LLMID",
    "MIRRORED",
    "ORGANIZATION_KINDS",
    "OTHER_LINEAGE",
    "PREFIXES",
    "RELATION_PHRASES",
    "RELEASE_DATE_PRECISIONS",
    "WEIGHT_LINEAGE",
    "WIKIDATA",
    "relation_name",
]

LLMID: Final = Namespace(LLMID_NS)
"""Namespace of the entities in the bundled data (``llmid:llama-2-7b``)."""

WIKIDATA: Final = "http://www.wikidata.org/entity/"
"""The namespace of Wikidata items, the objects of ``owl:sameAs``."""


class LLM(DefinedNamespace):
    """The llmgraph vocabulary, ``https://w3id.org/llmgraph#``.

    >>> LLM.Model
    rdflib.term.URIRef('https://w3id.org/llmgraph#Model')
    """

    _NS = Namespace("https://w3id.org/llmgraph#")
    _fail = True

    # classes
    Model: URIRef
    ModelFamily: URIRef
    Organization: URIRef
    Company: URIRef
    ResearchLab: URIRef
    University: URIRef
    NonProfit: URIRef
    GovernmentBody: URIRef
    Platform: URIRef
    License: URIRef
    LicenseClause: URIRef
    # weight lineage
    derivedFrom: URIRef
    fineTunedFrom: URIRef
    continuedPretrainingFrom: URIRef
    adapterOf: URIRef
    quantizedFrom: URIRef
    mergedFrom: URIRef
    # other lineage
    successorOf: URIRef
    trainedOnOutputsOf: URIRef
    family: URIRef
    # organizations and platforms
    developedBy: URIRef
    backs: URIRef
    investsIn: URIRef
    owns: URIRef
    hostedOn: URIRef
    operatedBy: URIRef
    license: URIRef
    serviceTerms: URIRef
    # licence clauses
    clause: URIRef
    clauseKind: URIRef
    namePrefix: URIRef
    userThreshold: URIRef
    appliesToOutputs: URIRef
    # attributes
    releaseDate: URIRef
    releaseDatePrecision: URIRef
    parameterCount: URIRef
    activeParameterCount: URIRef
    contextLength: URIRef
    trainingTokens: URIRef
    huggingFaceId: URIRef
    country: URIRef
    date: URIRef
    amount: URIRef
    currency: URIRef
    round: URIRef
    # imported facts
    trainingDataset: URIRef
    inferred: URIRef


# Every term as a real class attribute: a DefinedNamespace answers through its metaclass's
# __getattr__ (about 2 µs a look-up), which an import of a million Hub records pays millions
# of times. Names not declared above still fail through that __getattr__.
for _term in LLM.__annotations__:
    setattr(LLM, _term, LLM._NS[_term])
del _term


WEIGHT_LINEAGE: Final[tuple[URIRef, ...]] = (
    LLM.fineTunedFrom,
    LLM.continuedPretrainingFrom,
    LLM.adapterOf,
    LLM.quantizedFrom,
    LLM.mergedFrom,
)
"""The sub-relations of ``llm:derivedFrom``, most common first."""

OTHER_LINEAGE: Final[tuple[URIRef, ...]] = (LLM.successorOf, LLM.trainedOnOutputsOf)
"""Lineage that is not weight lineage: succession and learning from a teacher's outputs."""

BACKING: Final[tuple[URIRef, ...]] = (LLM.investsIn, LLM.owns)
"""The sub-relations of ``llm:backs``."""

MIRRORED: Final[tuple[URIRef, ...]] = (
    *WEIGHT_LINEAGE,
    LLM.derivedFrom,
    *OTHER_LINEAGE,
    LLM.developedBy,
    *BACKING,
    LLM.backs,
    LLM.hostedOn,
    LLM.operatedBy,
)
"""The predicates projected into the networkx mirror."""

ORGANIZATION_KINDS: Final[tuple[URIRef, ...]] = (
    LLM.Company,
    LLM.ResearchLab,
    LLM.University,
    LLM.NonProfit,
    LLM.GovernmentBody,
)
"""The subclasses of ``llm:Organization``."""

ENTITY_CLASSES: Final[tuple[URIRef, ...]] = (
    LLM.Model,
    LLM.ModelFamily,
    LLM.Organization,
    LLM.Platform,
    LLM.License,
)
"""The classes whose instances have names that :func:`llmgraph.LineageGraph.resolve` finds."""

RELATION_PHRASES: Final = MappingProxyType(
    {
        "fineTunedFrom": "fine-tuned from",
        "continuedPretrainingFrom": "continued pre-training of",
        "adapterOf": "adapter of",
        "quantizedFrom": "quantized from",
        "mergedFrom": "merged from",
        "derivedFrom": "derived from",
        "successorOf": "successor of",
        "trainedOnOutputsOf": "trained on outputs of",
        "investsIn": "invests in",
        "owns": "owns",
        "backs": "backs",
        "hostedOn": "hosted on",
        "operatedBy": "operated by",
        "developedBy": "developed by",
    }
)
"""Each mirrored relation as words read from subject to object ("Alpaca 7B trained on outputs
of text-davinci-003"), for printed answers and tooltips.

>>> RELATION_PHRASES["quantizedFrom"]
'quantized from'
"""


PREFIXES: Final = MappingProxyType(
    {prefix: URIRef(namespace) for prefix, namespace in NAMESPACES.items()}
)
"""Prefixes bound in every query and every serialization."""


def relation_name(predicate: URIRef) -> str:
    """Return the local name of an ``llm:`` predicate, as used in the mirror and in results.

    Args:
        predicate: an IRI in the ``llm:`` namespace.

    Returns:
        The part after ``#``.

    Raises:
        ValueError: if ``predicate`` is not in the ``llm:`` namespace.

    >>> relation_name(LLM.quantizedFrom)
    'quantizedFrom'
    """
    ns = str(LLM._NS)
    if not str(predicate).startswith(ns):
        raise ValueError(f"not an llm: term: {predicate!s} (expected an IRI starting with {ns})")
    return str(predicate)[len(ns) :]
