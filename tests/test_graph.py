"""The write path: store and mirror stay equal, entailments materialized, cycles refused."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from rdflib import RDFS, Literal, URIRef

from llmgraph import InvalidFactError, LineageCycleError, LineageGraph
from llmgraph.store import Triple
from llmgraph.vocab import LLM
from tests.reference import project

from .conftest import DATA
from .strategies import edits, lineage_graphs, model

T = "https://example.org/tiny/"


def _same(a: nx.MultiDiGraph[str], b: nx.MultiDiGraph[str]) -> bool:
    nodes_a = {n: dict(d) for n, d in a.nodes(data=True)}
    nodes_b = {n: dict(d) for n, d in b.nodes(data=True)}
    return nodes_a == nodes_b and sorted(a.edges(keys=True, data=True)) == sorted(
        b.edges(keys=True, data=True)
    )


def test_load_materializes_derived_from_and_backs(tiny: LineageGraph) -> None:
    """Loading adds llm:derivedFrom for every weight-lineage edge and llm:backs for backing."""
    g = tiny.rdf
    assert (URIRef(T + "tuned-gguf"), LLM.derivedFrom, URIRef(T + "tuned")) in g
    assert (URIRef(T + "merge"), LLM.derivedFrom, URIRef(T + "other")) in g
    assert (URIRef(T + "holding"), LLM.backs, URIRef(T + "fund")) in g
    # succession and teachers are not weight lineage
    assert (URIRef(T + "base-2"), LLM.derivedFrom, URIRef(T + "base")) not in g
    assert (URIRef(T + "tuned"), LLM.derivedFrom, URIRef(T + "teacher")) not in g


def test_mirror_keys_and_attributes(tiny: LineageGraph) -> None:
    """The mirror holds one edge per specific relation, and literals as node attributes."""
    edges = set(tiny.nx.edges(keys=True))
    assert (T + "tuned", T + "base", "fineTunedFrom") in edges
    assert (T + "tuned", T + "base", "derivedFrom") not in edges
    assert (T + "fund", T + "acme", "investsIn") in edges
    base = tiny.nx.nodes[T + "base"]
    assert base["label"] == "Base 7B"
    assert base["kind"] == "model"
    assert base["parameter_count"] == 7_000_000_000
    assert str(base["release_date"]) == "2023-01-10"
    assert base["huggingface_id"] == "acme/base-7b"
    assert tiny.nx.nodes[T + "cloud"]["kind"] == "platform"


def test_cycle_in_files_is_refused_and_printed() -> None:
    """A derivation cycle across files is refused and shown as a → b → a with labels."""
    with pytest.raises(LineageCycleError) as info:
        LineageGraph.load(DATA / "tiny.ttl", DATA / "cycle.ttl", bundled=False)
    message = str(info.value)
    assert message.startswith("derivation cycle: ")
    names = message.removeprefix("derivation cycle: ").split(" → ")
    assert names[0] == names[-1]
    assert {"Base 7B", "Merge 7B", "Tuned 7B"} <= set(names)


def test_add_cycle_leaves_graph_unchanged(tiny: LineageGraph) -> None:
    """Adding an edge that closes a cycle raises and changes nothing."""
    before, mirror = set(tiny.rdf), tiny.nx.copy()
    with pytest.raises(LineageCycleError, match="Base 7B → Tuned 7B GGUF → Tuned 7B → Base 7B"):
        tiny.add([(URIRef(T + "base"), LLM.quantizedFrom, URIRef(T + "tuned-gguf"))])
    assert set(tiny.rdf) == before
    assert _same(tiny.nx, mirror)


def test_self_derivation_is_a_cycle(tiny: LineageGraph) -> None:
    """A model derived from itself is refused as a one-step cycle."""
    with pytest.raises(LineageCycleError, match="Base 7B → Base 7B"):
        tiny.add([(URIRef(T + "base"), LLM.fineTunedFrom, URIRef(T + "base"))])


def test_successor_cycles_are_not_weight_lineage(tiny: LineageGraph) -> None:
    """SuccessorOf is not checked as derivation: it is not weight lineage."""
    tiny.add([(URIRef(T + "base"), LLM.successorOf, URIRef(T + "long"))])
    assert (T + "base", T + "long", "successorOf") in set(tiny.nx.edges(keys=True))


def test_invalid_fact_is_refused_with_index(tiny: LineageGraph) -> None:
    """A literal at the end of a relation is refused; the message names the fact's position."""
    before = set(tiny.rdf)
    with pytest.raises(InvalidFactError, match=r"fact 1: llm:hostedOn links two entities"):
        tiny.add(
            [
                (URIRef(T + "x"), RDFS.label, Literal("X")),
                (URIRef(T + "x"), LLM.hostedOn, Literal("Tiny Cloud")),
            ]
        )
    assert set(tiny.rdf) == before


def test_negative_parameter_count_is_refused(tiny: LineageGraph) -> None:
    """Integer attributes must be non-negative xsd:integers."""
    with pytest.raises(InvalidFactError, match=r"parameterCount of <.*> must be a non-negative"):
        tiny.add([(URIRef(T + "base"), LLM.parameterCount, Literal(-5))])


def test_remove_last_sub_relation_removes_entailment(tiny: LineageGraph) -> None:
    """Removing the only weight-lineage edge of a pair removes its derivedFrom too."""
    child, parent = URIRef(T + "tuned-lora"), URIRef(T + "tuned")
    assert tiny.remove([(child, LLM.adapterOf, parent)]) == 2
    assert (child, LLM.derivedFrom, parent) not in tiny.rdf
    assert not tiny.nx.has_edge(str(child), str(parent))


def test_entailed_triple_cannot_be_removed_alone(tiny: LineageGraph) -> None:
    """DerivedFrom stays while a sub-relation on the same pair still entails it."""
    child, parent = URIRef(T + "tuned"), URIRef(T + "base")
    assert tiny.remove([(child, LLM.derivedFrom, parent)]) == 0
    assert (child, LLM.derivedFrom, parent) in tiny.rdf


def test_adding_existing_facts_changes_nothing(tiny: LineageGraph) -> None:
    """add() returns 0 and leaves everything as it was for facts already present."""
    before = len(tiny.rdf)
    assert tiny.add([(URIRef(T + "tuned"), LLM.fineTunedFrom, URIRef(T + "base"))]) == 0
    assert len(tiny.rdf) == before


def test_add_refreshes_names(tiny: LineageGraph) -> None:
    """A label added through the API resolves at once."""
    tiny.add(
        [
            (
                URIRef(T + "base"),
                URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
                Literal("Basey"),
            )
        ]
    )
    assert tiny.resolve("basey") == URIRef(T + "base")


@settings(max_examples=80, deadline=None)
@given(edits())
def test_mirror_equals_projection_after_random_edits(ops: list[tuple[str, Triple]]) -> None:
    """After any sequence of adds and removes, the mirror equals the store's projection."""
    lg = LineageGraph.load(bundled=False)
    for op, triple in ops:
        if op == "add":
            lg.add([triple])
        else:
            lg.remove([triple])
        assert _same(lg.nx, project(lg.rdf))
    # and derivedFrom is materialized exactly for the weight-lineage pairs left
    for rel in (LLM.fineTunedFrom, LLM.quantizedFrom, LLM.mergedFrom):
        for s, o in lg.rdf.subject_objects(rel):
            assert (s, LLM.derivedFrom, o) in lg.rdf


@settings(max_examples=40, deadline=None)
@given(lineage_graphs())
def test_load_and_incremental_add_agree(triples: list[Triple]) -> None:
    """Building a graph in one go and adding the same facts one by one give equal mirrors."""
    whole = LineageGraph.load(bundled=False)
    whole.add(triples)
    step = LineageGraph.load(bundled=False)
    for t in triples:
        step.add([t])
    assert set(whole.rdf) == set(step.rdf)
    assert _same(whole.nx, step.nx)
    assert _same(whole.nx, project(whole.rdf))


def test_repr_counts() -> None:
    """repr() shows the triple and node counts."""
    lg = LineageGraph.load(bundled=False)
    lg.add([(model(1), LLM.fineTunedFrom, model(0))])
    assert repr(lg).endswith(f"{len(lg)} triples, 2 nodes>")
