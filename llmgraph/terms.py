"""The vocabulary as plain strings: IRIs, relation names, entity kinds and their class bits.

This is the light half of :mod:`llmgraph.vocab`: no rdflib, so that the traversal engine, the
name resolver and the command line's fast answers import nothing heavy. :mod:`llmgraph.vocab`
builds the rdflib terms on top of these strings.

An :class:`IRI` is a ``str`` that names an entity. It compares and hashes as the plain string
(so ``lg.resolve(name) in lg.nx`` holds), and it tells query bindings and serializers that
the text is an IRI, not a literal.

>>> iri = IRI("https://w3id.org/llmgraph/id/llama-2-7b")
>>> iri == "https://w3id.org/llmgraph/id/llama-2-7b", {iri: 1}["https://w3id.org/llmgraph/id/llama-2-7b"]
(True, 1)
>>> sorted(WEIGHT_RELATIONS)[:2]
['adapterOf', 'continuedPretrainingFrom']
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "ALL_LINEAGE",
    "BACKING_RELATIONS",
    "CLASS_BITS",
    "FAMILY",
    "IRI",
    "KINDS",
    "LICENSE",
    "LLMID_NS",
    "LLM_NS",
    "MODEL",
    "NAMESPACES",
    "ORGANIZATION",
    "PATH_RELATIONS",
    "PLATFORM",
    "RELATIONS",
    "RELEASE_DATE_PRECISIONS",
    "SUPER_RELATIONS",
    "WEIGHT_RELATIONS",
    "kind_of_bits",
    "llm",
    "local_name",
]


class IRI(str):
    """An IRI: a ``str`` marked as naming an entity (see the module docstring).

    >>> IRI("http://e/a")
    IRI('http://e/a')
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


LLM_NS: Final = "https://w3id.org/llmgraph#"
"""The ``llm:`` namespace of the vocabulary."""
LLMID_NS: Final = "https://w3id.org/llmgraph/id/"
"""The ``llmid:`` namespace of the entities in the bundled data."""

RDF_TYPE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL: Final = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT_LABEL: Final = "http://www.w3.org/2004/02/skos/core#altLabel"
DCTERMS_SOURCE: Final = "http://purl.org/dc/terms/source"
OWL_SAME_AS: Final = "http://www.w3.org/2002/07/owl#sameAs"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"

NAMESPACES: Final = MappingProxyType(
    {
        "llm": LLM_NS,
        "llmid": LLMID_NS,
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "xsd": XSD,
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "prov": "http://www.w3.org/ns/prov#",
        "schema": "https://schema.org/",
        "spdx": "http://spdx.org/licenses/",
    }
)
"""The prefixes bound in every query and serialization, as plain strings
(:data:`llmgraph.vocab.PREFIXES` holds the same as rdflib terms)."""


def llm(name: str) -> str:
    """Return the IRI of an ``llm:`` term.

    >>> llm("fineTunedFrom")
    'https://w3id.org/llmgraph#fineTunedFrom'
    """
    return LLM_NS + name


def local_name(iri: str) -> str:
    """Return the part of an IRI after its last ``#`` or ``/`` (the whole IRI if none).

    >>> local_name("https://w3id.org/llmgraph#owns"), local_name("https://e/x/y/")
    ('owns', 'y')
    """
    text = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[1]
    return iri


WEIGHT_NAMES: Final = (
    "fineTunedFrom",
    "continuedPretrainingFrom",
    "adapterOf",
    "quantizedFrom",
    "mergedFrom",
)
"""The sub-relations of ``llm:derivedFrom``, most common first."""

WEIGHT_RELATIONS: frozenset[str] = frozenset((*WEIGHT_NAMES, "derivedFrom"))
"""Weight lineage: the default relations of ``ancestors`` and ``descendants``."""

ALL_LINEAGE: frozenset[str] = WEIGHT_RELATIONS | {"successorOf", "trainedOnOutputsOf"}
"""Weight lineage plus succession and training on a teacher's outputs."""

PATH_RELATIONS: frozenset[str] = WEIGHT_RELATIONS | {"successorOf"}
"""Weight lineage and succession: the default relations of ``path``."""

BACKING_RELATIONS: frozenset[str] = frozenset({"investsIn", "owns", "backs"})
"""Investment and ownership: the relations of ``backers`` and ``portfolio``."""

RELATIONS: tuple[str, ...] = tuple(
    sorted(ALL_LINEAGE | BACKING_RELATIONS | {"developedBy", "hostedOn", "operatedBy"})
)
"""Every relation the traversal engine holds (an edge's relation code is a position here)."""

SUPER_RELATIONS: Final = MappingProxyType(
    {
        "derivedFrom": WEIGHT_RELATIONS - {"derivedFrom"},
        "backs": BACKING_RELATIONS - {"backs"},
    }
)
"""The materialized super-relations and the sub-relations that entail them. A super-relation
is hidden (not drawn, not traversed twice) between two entities that a sub-relation joins."""

RELEASE_DATE_PRECISIONS: Final = ("day", "month", "public-by")
"""The values of ``llm:releaseDatePrecision``: the day is stated (also the meaning when the
property is absent); only the month is known (the date is the first of it); the date is the
earliest day the model is attested public, so the release may be earlier."""

MODEL: Final = 1
"""Class bit of ``llm:Model``."""
FAMILY: Final = 2
"""Class bit of ``llm:ModelFamily``."""
ORGANIZATION: Final = 4
"""Class bit of ``llm:Organization`` and its subclasses."""
PLATFORM: Final = 8
"""Class bit of ``llm:Platform``."""
LICENSE: Final = 16
"""Class bit of ``llm:License``."""

ORGANIZATION_KIND_NAMES: Final = (
    "Company",
    "ResearchLab",
    "University",
    "NonProfit",
    "GovernmentBody",
)

CLASS_BITS: Final = MappingProxyType(
    {
        llm("Model"): MODEL,
        llm("ModelFamily"): FAMILY,
        llm("Organization"): ORGANIZATION,
        llm("Platform"): PLATFORM,
        llm("License"): LICENSE,
        **{llm(name): ORGANIZATION for name in ORGANIZATION_KIND_NAMES},
    }
)
"""Class IRI → class bit; the kinds of organization count as organizations."""

KINDS: Final = MappingProxyType(
    {
        MODEL: "model",
        FAMILY: "family",
        ORGANIZATION: "organization",
        PLATFORM: "platform",
        LICENSE: "licence",
    }
)
"""Class bit → the kind of entity, as llmgraph names it in results and messages."""


def kind_of_bits(bits: int) -> str | None:
    """Return the kind of an entity from its class bits (a model first), or ``None``.

    >>> kind_of_bits(MODEL | FAMILY), kind_of_bits(ORGANIZATION), kind_of_bits(0)
    ('model', 'organization', None)
    """
    for bit, name in KINDS.items():
        if bits & bit:
            return name
    return None
