"""The llm: namespace class, the ontology and the public surface agree."""

from __future__ import annotations

import sys
import types

from rdflib import OWL, RDF, RDFS, URIRef

import llmgraph
from llmgraph import LLM
from llmgraph.store import bundled_ontology_file, parse_file

NS = "https://w3id.org/llmgraph#"


def _ontology_terms() -> set[str]:
    g = parse_file(bundled_ontology_file())
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {
        str(s)[len(NS) :]
        for kind in kinds
        for s in g.subjects(RDF.type, kind)
        if str(s).startswith(NS)
    }


def test_namespace_class_equals_ontology() -> None:
    """Every term of the LLM class is declared in the ontology, and the other way round."""
    in_class = set(LLM.__annotations__)
    assert in_class == _ontology_terms()


def test_every_term_has_label_and_comment() -> None:
    """Every ontology term carries an rdfs:label and an rdfs:comment."""
    g = parse_file(bundled_ontology_file())
    missing = [
        t
        for t in _ontology_terms()
        if g.value(URIRef(NS + t), RDFS.label) is None
        or g.value(URIRef(NS + t), RDFS.comment) is None
    ]
    assert missing == []


def test_weight_lineage_is_under_derived_from_and_prov() -> None:
    """The five weight-lineage relations are sub-properties of llm:derivedFrom, itself of PROV."""
    g = parse_file(bundled_ontology_file())
    prov = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    for rel in llmgraph.vocab.WEIGHT_LINEAGE:
        assert (rel, RDFS.subPropertyOf, LLM.derivedFrom) in g
    assert (LLM.derivedFrom, RDFS.subPropertyOf, prov) in g
    for rel in (LLM.successorOf, LLM.trainedOnOutputsOf):
        assert (rel, RDFS.subPropertyOf, LLM.derivedFrom) not in g


def test_typo_raises() -> None:
    """A misspelt vocabulary term raises instead of minting a new IRI."""
    try:
        _ = LLM.fineTunedFrum
    except AttributeError as exc:
        assert "fineTunedFrum" in str(exc)
    else:
        raise AssertionError("LLM.fineTunedFrum did not raise")


def test_all_is_sorted_and_complete() -> None:
    """llmgraph.__all__ is sorted isort-style and lists exactly the package's public names."""

    def isort_style(name: str) -> tuple[int, str]:
        kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        return kind, name

    assert llmgraph.__all__ == sorted(llmgraph.__all__, key=isort_style)
    public = {
        n
        for n in dir(llmgraph)  # the lazy names too (llmgraph imports most on first use)
        if not n.startswith("_") and not isinstance(getattr(llmgraph, n), types.ModuleType)
    }
    assert public | {"__version__"} == set(llmgraph.__all__)


def test_every_type_the_graph_returns_is_importable_from_llmgraph() -> None:
    """What a public method or property of LineageGraph returns can be named from `llmgraph`."""
    import inspect
    import typing

    from llmgraph.graph import LineageGraph

    namespace = {**vars(typing), **{n: getattr(llmgraph, n) for n in llmgraph.__all__}}

    def classes(hint: object) -> set[type]:
        found = {hint} if isinstance(hint, type) else set()
        for arg in typing.get_args(hint):
            found |= classes(arg)
        return found

    missing = set()
    for name, member in inspect.getmembers(LineageGraph):
        if name.startswith("_"):
            continue
        target = member.fget if isinstance(member, property) else member
        if not callable(target):
            continue
        returned = inspect.signature(target).return_annotation
        if isinstance(returned, str):
            try:
                returned = eval(returned, {**vars(sys.modules[target.__module__]), **namespace})
            except NameError:
                continue  # a type of a library (rdflib, numpy, networkx), not llmgraph's
        for cls in classes(returned):
            if (
                cls.__module__.startswith("llmgraph")
                and getattr(llmgraph, cls.__name__, None) is not cls
            ):
                missing.add(f"{name} -> {cls.__module__}.{cls.__name__}")
    assert not missing, sorted(missing)
