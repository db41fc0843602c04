"""The compact lineage index: same answers as SPARQL and as the in-memory walk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from rdflib import URIRef

from llmgraph import (
    ALL_LINEAGE,
    WEIGHT_RELATIONS,
    LineageCycleError,
    LineageGraph,
    UnknownEntityError,
)
from llmgraph.store import Triple
from llmgraph.stores.index import MODEL, LineageIndex, index_of_rdf
from tests.strategies import lineage_graphs, model

ANCESTORS = "SELECT ?a WHERE { ?m llm:derivedFrom+ ?a }"
DESCENDANTS = "SELECT ?d WHERE { ?d llm:derivedFrom+ ?m }"


def _graph(triples: list[Triple]) -> LineageGraph:
    lg = LineageGraph.load(bundled=False)
    lg.add(triples)
    return lg


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lineage_graphs())
def test_reachable_equals_sparql_property_path(triples: list[Triple]) -> None:
    """Index ancestors and descendants are exactly SPARQL `llm:derivedFrom+` for every model."""
    lg = _graph(triples)
    idx = index_of_rdf(lg.rdf)
    models = sorted({str(s) for s, _, _ in triples})
    for m in models:
        node = idx.node(m)
        for text, ids in (
            (ANCESTORS, idx.ancestor_ids(node)),
            (DESCENDANTS, idx.descendant_ids(node)),
        ):
            want = {str(row[0]) for row in lg.query(text, bindings={"m": URIRef(m)})}  # type: ignore[index]
            assert {idx.iri(int(i)) for i in ids} == want


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lineage_graphs())
def test_links_equal_the_in_memory_walk(triples: list[Triple]) -> None:
    """Links (depth, via, relations, path) equal LineageGraph's for both directions."""
    lg = _graph(triples)
    idx = index_of_rdf(lg.rdf)
    for m in sorted({str(s) for s, _, _ in triples}):
        node = idx.node(m)
        for relations in (None, ALL_LINEAGE):
            names = WEIGHT_RELATIONS if relations is None else ALL_LINEAGE
            assert idx.links([node], direction="out", relations=names) == lg.ancestors(
                m, relations=relations
            )
            assert idx.links([node], direction="in", relations=names) == lg.descendants(
                m, relations=relations
            )
            assert idx.links([node], direction="in", relations=names, depth=1) == lg.descendants(
                m, relations=relations, depth=1
            )


def test_resolve_finds_labels_hub_ids_and_loose_names(bundled: LineageGraph) -> None:
    """Names resolve as in the in-memory graph: label, Hub id, loose spelling, IRI."""
    idx = index_of_rdf(bundled.rdf)
    for name in ("Vicuna 13B v1.5", "lmsys/vicuna-13b-v1.5", "vicuna-13b v1.5", "llmid:llama-2-7b"):
        assert idx.iri(idx.resolve(name)) == str(bundled.resolve(name))
    with pytest.raises(UnknownEntityError, match="Vicunna 99B"):
        idx.resolve("Vicunna 99B")


def test_saved_index_loads_equal(tmp_path: Path, bundled: LineageGraph) -> None:
    """An index saved as .npy files and loaded back gives the same answers and labels."""
    idx = index_of_rdf(bundled.rdf)
    idx.save(tmp_path / "index")
    again = LineageIndex.load(tmp_path / "index")
    node = idx.resolve("Llama 2 7B")
    assert again.links([node], direction="in") == idx.links([node], direction="in")
    assert [again.label(i) for i in range(len(idx))] == [idx.label(i) for i in range(len(idx))]
    assert sorted(p.name for p in (tmp_path / "index").iterdir())[:2] == ["FORMAT", "classes.npy"]


def test_missing_index_is_reported(tmp_path: Path) -> None:
    """Loading from a folder with no complete index raises FileNotFoundError."""
    (tmp_path / "half").mkdir()
    with pytest.raises(FileNotFoundError, match="no llmgraph index"):
        LineageIndex.load(tmp_path / "half")


def test_cycle_is_refused_with_its_labels() -> None:
    """A derivation cycle in the edges raises LineageCycleError naming the cycle."""
    edges = [
        (str(model(1)), "fineTunedFrom", str(model(2))),
        (str(model(2)), "quantizedFrom", str(model(1))),
    ]
    classes = {str(model(1)): MODEL, str(model(2)): MODEL}
    labels = {str(model(1)): "One", str(model(2)): "Two"}
    with pytest.raises(LineageCycleError, match=r"(One → Two → One)|(Two → One → Two)"):
        LineageIndex.build(classes=classes, labels=labels, edges=edges)


def test_generations_count_the_deepest_parent() -> None:
    """topological_levels gives a merge one more than its deepest parent."""
    classes = {str(model(i)): MODEL for i in range(4)}
    edges = [
        (str(model(1)), "fineTunedFrom", str(model(0))),
        (str(model(2)), "fineTunedFrom", str(model(1))),
        (str(model(3)), "mergedFrom", str(model(2))),
        (str(model(3)), "mergedFrom", str(model(0))),
    ]
    idx = LineageIndex.build(classes=classes, edges=edges)
    levels = idx.topological_levels()
    assert [int(levels[idx.node(str(model(i)))]) for i in range(4)] == [0, 1, 2, 3]
    assert np.array_equal(idx.descendant_ids(idx.node(str(model(0)))), np.array([1, 2, 3]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lineage_graphs())
def test_index_read_from_oxigraph_equals_its_property_path(triples: list[Triple]) -> None:
    """An index read from an Oxigraph store answers exactly Oxigraph's own `derivedFrom+`."""
    import pyoxigraph as ox

    from llmgraph.stores.oxigraph import build_index, to_ox

    lg = _graph(triples)
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in lg.rdf)
    idx = build_index(store)
    for m in sorted({str(s) for s, _, _ in triples}):
        rows = store.query(
            "SELECT ?d ?m WHERE { ?d <https://w3id.org/llmgraph#derivedFrom>+ ?m }",
            substitutions={ox.Variable("m"): ox.NamedNode(m)},
        )
        want = {row["d"].value for row in rows}  # type: ignore[union-attr]
        assert {idx.iri(int(i)) for i in idx.descendant_ids(idx.node(m))} == want
