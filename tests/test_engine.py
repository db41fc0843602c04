"""The traversal engine: same answers as SPARQL property paths and as a plain graph walk."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pytest
from hypothesis import given, settings
from rdflib import URIRef

from llmgraph import (
    ALL_LINEAGE,
    BACKING_RELATIONS,
    WEIGHT_RELATIONS,
    DataLoadError,
    LineageCycleError,
    LineageGraph,
)
from llmgraph.engine import MODEL, LineageIndex
from llmgraph.store import Triple
from tests.reference import project, reference_walk
from tests.strategies import lineage_graphs, model

DIRECTIONS: tuple[Literal["out", "in"], ...] = ("out", "in")
ANCESTORS = "SELECT ?a WHERE { ?m llm:derivedFrom+ ?a }"
DESCENDANTS = "SELECT ?d WHERE { ?d llm:derivedFrom+ ?m }"


def _graph(triples: list[Triple]) -> LineageGraph:
    lg = LineageGraph.load(bundled=False)
    lg.add(triples)
    return lg


def _rows(walk: object, idx: LineageIndex) -> list[tuple[object, ...]]:
    from llmgraph.engine import Walk

    assert isinstance(walk, Walk)
    return [
        (
            idx.iri(int(node)),
            walk.relations_of(row)[0],
            walk.relations_of(row),
            int(walk.depth[row]),
            idx.iri(int(walk.via[row])),
            tuple(idx.iri(n) for n in walk.path_of(row)),
        )
        for row, node in enumerate(walk.nodes.tolist())
    ]


@settings(max_examples=30)
@given(lineage_graphs())
def test_reachable_equals_sparql_property_path(triples: list[Triple]) -> None:
    """Engine ancestors and descendants are exactly SPARQL `llm:derivedFrom+` for every model."""
    lg = _graph(triples)
    idx = lg.engine
    for m in sorted({str(s) for s, _, _ in triples}):
        node = idx.node(m)
        for text, direction in ((ANCESTORS, "out"), (DESCENDANTS, "in")):
            ids = idx.reachable([node], direction=direction)  # type: ignore[arg-type]
            want = {str(row[0]) for row in lg.query(text, bindings={"m": URIRef(m)})}  # type: ignore[index]
            assert set(idx.iris(ids)) == want


@settings(max_examples=30)
@given(lineage_graphs())
def test_walks_equal_a_plain_walk_of_the_projection(triples: list[Triple]) -> None:
    """Depth, via, relations and path equal a breadth-first walk of a networkx projection."""
    lg = _graph(triples)
    idx = lg.engine
    mirror = project(lg.rdf)
    for m in sorted({str(s) for s, _, _ in triples}):
        for relations in (WEIGHT_RELATIONS, ALL_LINEAGE):
            for direction in DIRECTIONS:
                for depth in (None, 1):
                    walk = idx.walk(
                        [idx.node(m)], direction=direction, relations=relations, depth=depth
                    )
                    assert _rows(walk, idx) == reference_walk(
                        mirror, [m], direction, relations, depth
                    )


def test_bundled_walks_equal_a_plain_walk(bundled: LineageGraph) -> None:
    """On the bundled data every model's and organization's walks equal the plain walk."""
    idx = bundled.engine
    mirror = project(bundled.rdf)
    for node, data in mirror.nodes(data=True):
        relations = BACKING_RELATIONS if data.get("kind") == "organization" else ALL_LINEAGE
        for direction in DIRECTIONS:
            walk = idx.walk([idx.node(node)], direction=direction, relations=relations)
            assert _rows(walk, idx) == reference_walk(mirror, [node], direction, relations, None)


def test_saved_index_loads_equal(tmp_path: Path, bundled: LineageGraph) -> None:
    """An engine saved as .npy files and loaded back gives the same arrays and answers."""
    idx = bundled.engine
    idx.save(tmp_path / "index", source="v1")
    again = LineageIndex.load(tmp_path / "index", source="v1")
    assert again.digest == idx.digest
    node = idx.node(str(bundled.resolve("Llama 2 7B")))
    assert np.array_equal(
        again.reachable([node], direction="in"), idx.reachable([node], direction="in")
    )
    assert again.labels(range(len(idx))) == idx.labels(range(len(idx)))


def test_index_of_another_version_or_damaged_is_refused(tmp_path: Path) -> None:
    """An index built from another version is not used; a tampered one is reported as damaged."""
    idx = LineageIndex.build(classes={"http://e/a": MODEL}, labels={"http://e/a": "A"})
    idx.save(tmp_path / "index", source="v1")
    with pytest.raises(FileNotFoundError, match="another version"):
        LineageIndex.load(tmp_path / "index", source="v2")
    labels = tmp_path / "index" / "label_blob.npy"
    data = bytearray(labels.read_bytes())
    data[-1] ^= 0xFF
    labels.write_bytes(bytes(data))
    with pytest.raises(DataLoadError, match="checksum does not match"):
        LineageIndex.load(tmp_path / "index", source="v1")


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


def test_new_edges_closing_a_cycle_within_one_batch_are_found() -> None:
    """find_cycle names the whole cycle, also one made only of edges of the same batch."""
    idx = LineageIndex.build(classes={}, edges=[(str(model(1)), "fineTunedFrom", str(model(0)))])
    batch = [
        (str(model(2)), str(model(3))),
        (str(model(3)), str(model(4))),
        (str(model(4)), str(model(2))),
    ]
    with pytest.raises(LineageCycleError) as info:
        idx.find_cycle(batch)
    assert len(info.value.cycle) == 4 and info.value.cycle[0] == info.value.cycle[-1]
    with pytest.raises(LineageCycleError, match="m0 → m2 → m1 → m0"):
        idx.find_cycle([(str(model(2)), str(model(1))), (str(model(0)), str(model(2)))])
    idx.find_cycle([(str(model(2)), str(model(1)))])  # no cycle: nothing raised


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
    assert np.array_equal(
        idx.reachable([idx.node(str(model(0)))], direction="in"), np.array([1, 2, 3])
    )


def test_walks_at_once_from_several_threads_each_get_their_own_answer() -> None:
    """The buffers reachable() keeps between walks are never shared, nor left marked."""
    from concurrent.futures import ThreadPoolExecutor

    classes = {str(model(i)): MODEL for i in range(40)}
    # two chains of 20: 0 ← 1 ← … ← 19 and 20 ← 21 ← … ← 39
    edges = [(str(model(i)), "fineTunedFrom", str(model(i - 1))) for i in range(1, 40) if i != 20]
    idx = LineageIndex.build(classes=classes, edges=edges)
    want = {
        start: sorted(idx.node(str(model(i))) for i in range(start + 1, 20 if start < 20 else 40))
        for start in (0, 5, 20, 33)
    }

    def walk(turn: int) -> bool:
        start = (0, 5, 20, 33)[turn % 4]
        got = idx.reachable([idx.node(str(model(start)))], direction="in").tolist()
        return bool(got == want[start])

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(walk, range(2000)))
    assert all(walk(turn) for turn in range(8))  # and one after another, in one thread


@settings(max_examples=15)
@given(lineage_graphs())
def test_engine_read_from_oxigraph_equals_its_property_path(triples: list[Triple]) -> None:
    """An engine read from an Oxigraph store answers exactly Oxigraph's own `derivedFrom+`."""
    import pyoxigraph as ox

    from llmgraph.backends.store import _read, to_ox

    lg = _graph(triples)
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in lg.rdf)
    idx = LineageIndex.from_reader(lambda p: _read(store, p))
    assert idx.digest == lg.engine.digest
    for m in sorted({str(s) for s, _, _ in triples}):
        rows = store.query(
            "SELECT ?d ?m WHERE { ?d <https://w3id.org/llmgraph#derivedFrom>+ ?m }",
            substitutions={ox.Variable("m"): ox.NamedNode(m)},
        )
        want = {row["d"].value for row in rows}  # type: ignore[union-attr]
        assert set(idx.iris(idx.reachable([idx.node(m)], direction="in"))) == want


def test_an_engine_pickles_after_decoding_labels() -> None:
    """An engine that has decoded labels and IRIs still pickles, and answers the same after."""
    import pickle

    idx = LineageIndex.build(
        classes={"http://e/a": MODEL, "http://e/b": MODEL},
        labels={"http://e/a": 'Ä "a"', "http://e/b": "B"},
        edges=[("http://e/b", "fineTunedFrom", "http://e/a")],
    )
    assert idx.labels([0, 1]) == ['Ä "a"', "B"] and idx.iris([1]) == ["http://e/b"]
    again = pickle.loads(pickle.dumps(idx))
    assert again.labels([0, 1]) == idx.labels([0, 1]) and again.iris([0]) == ["http://e/a"]
    assert again.digest == idx.digest


def test_the_engine_reads_exactly_its_declared_predicates(bundled: LineageGraph) -> None:
    """from_reader asks for the predicates of READ_PREDICATES and no other.

    The import pipeline builds a store's engine from the facts it wrote for those predicates
    only, so a predicate read but not declared would be missing from that engine.
    """
    from llmgraph.engine import READ_PREDICATES

    asked: list[str] = []

    def read(predicate: str) -> object:
        asked.append(predicate)
        return bundled.backend.read(predicate)

    built = LineageIndex.from_reader(read)  # type: ignore[arg-type]
    assert set(asked) == READ_PREDICATES
    assert built.digest == bundled.engine.digest
