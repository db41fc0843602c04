"""Ancestors, descendants, paths, backers and portfolios; equal to SPARQL property paths."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from rdflib import SKOS, Literal, URIRef

from llmgraph import (
    ALL_LINEAGE,
    AmbiguousNameError,
    LineageGraph,
    NoPathError,
    UnknownEntityError,
    ancestors,
    backers,
    descendants,
    path,
    portfolio,
)
from llmgraph.lineage import Link
from llmgraph.store import Triple
from llmgraph.vocab import LLM

from .strategies import lineage_graphs

T = "https://example.org/tiny/"


def _labels(links: Sequence[Link]) -> list[tuple[str, str, int]]:
    return [(x.label, x.relation, x.depth) for x in links]


def test_ancestors_follow_weight_lineage_by_default(tiny: LineageGraph) -> None:
    """Default ancestry is weight lineage only, nearest first, with relation and depth."""
    assert _labels(ancestors(tiny, "Merge 7B")) == [
        ("Other 7B", "mergedFrom", 1),
        ("Tuned 7B", "mergedFrom", 1),
        ("Base 7B", "fineTunedFrom", 2),
    ]


def test_ancestors_carry_path_and_via(tiny: LineageGraph) -> None:
    """Each ancestor carries the IRI it was reached from and the path from the start."""
    base = next(a for a in ancestors(tiny, "Tuned 7B GGUF") if a.label == "Base 7B")
    assert base.via == T + "tuned"
    assert base.path == (T + "tuned-gguf", T + "tuned", T + "base")


def test_all_lineage_adds_teachers_and_predecessors(tiny: LineageGraph) -> None:
    """With ALL_LINEAGE, teachers and predecessors are ancestors too."""
    assert _labels(ancestors(tiny, "Tuned 7B", relations=ALL_LINEAGE)) == [
        ("Base 7B", "fineTunedFrom", 1),
        ("Teacher", "trainedOnOutputsOf", 1),
    ]
    assert _labels(ancestors(tiny, "Base 2 7B Long", relations=ALL_LINEAGE)) == [
        ("Base 2 7B", "continuedPretrainingFrom", 1),
        ("Base 7B", "successorOf", 2),
    ]


def test_descendants_depth_and_relation_filters(tiny: LineageGraph) -> None:
    """descendants() honours depth and a relation filter."""
    assert _labels(descendants(tiny, "Base 7B", depth=1)) == [
        ("Base 7B Chat", "fineTunedFrom", 1),
        ("Tuned 7B", "fineTunedFrom", 1),
    ]
    assert [d.label for d in descendants(tiny, "Base 7B")] == [
        "Base 7B Chat",
        "Tuned 7B",
        "Merge 7B",
        "Tuned 7B GGUF",
        "Tuned 7B LoRA",
    ]
    only = descendants(tiny, "Base 7B", relations=["fineTunedFrom", "llm:quantizedFrom"])
    assert [d.label for d in only] == ["Base 7B Chat", "Tuned 7B", "Tuned 7B GGUF"]
    assert descendants(tiny, "Base 7B", depth=0) == []


def test_family_stands_for_its_members(tiny: LineageGraph) -> None:
    """A family name expands to its models; members built on other members are included."""
    found = [d.label for d in descendants(tiny, "Base Family", depth=1)]
    assert found == ["Base 7B Chat", "Tuned 7B"]


def test_unknown_relation_is_refused(tiny: LineageGraph) -> None:
    """An unknown relation name raises ValueError listing the known ones."""
    with pytest.raises(ValueError, match="unknown relation 'finetuned'; expected one of"):
        descendants(tiny, "Base 7B", relations=["finetuned"])


def test_negative_depth_is_refused(tiny: LineageGraph) -> None:
    """A negative depth is refused."""
    with pytest.raises(ValueError, match="depth must be 0 or more, got -1"):
        ancestors(tiny, "Merge 7B", depth=-1)


def test_names_resolve_every_way(tiny: LineageGraph) -> None:
    """Labels, aliases, HF ids and IRIs resolve, case-insensitively and loosely."""
    iri = URIRef(T + "base")
    for name in ("Base 7B", "base 7b", "BASE-7B", "base-7b-alias", "acme/base-7b", T + "base"):
        assert tiny.resolve(name) == iri


def test_untyped_iris_resolve(tiny: LineageGraph) -> None:
    """An IRI added through the API without a type or label still resolves and has lineage."""
    child, parent = URIRef("https://example.org/x/child"), URIRef(T + "base")
    tiny.add([(child, LLM.adapterOf, parent)])
    assert tiny.resolve(str(child)) == child
    assert [a.label for a in ancestors(tiny, child)] == ["Base 7B"]
    with pytest.raises(UnknownEntityError):
        tiny.resolve("https://example.org/x/never-mentioned")


def test_unknown_name_suggests(tiny: LineageGraph) -> None:
    """An unknown name fails with close matches."""
    with pytest.raises(UnknownEntityError) as info:
        tiny.resolve("Tuned 8B")
    assert "did you mean" in str(info.value)
    assert "Tuned 7B" in info.value.suggestions


def test_ambiguous_name_lists_candidates(tiny: LineageGraph) -> None:
    """A name shared by two entities is refused with both IRIs."""
    tiny.add([(URIRef(T + "other"), SKOS.altLabel, Literal("Base 7B"))])
    with pytest.raises(AmbiguousNameError, match="matches 2 entities") as info:
        tiny.resolve("Base 7B")
    assert info.value.candidates == (T + "base", T + "other")


def test_path_up_and_down(tiny: LineageGraph) -> None:
    """path() walks up to a common ancestor and down again, saying which way each step goes."""
    steps = path(tiny, "Tuned 7B GGUF", "Base 7B Chat")
    assert [(s.subject_label, s.relation, s.object_label, s.forward) for s in steps] == [
        ("Tuned 7B GGUF", "quantizedFrom", "Tuned 7B", True),
        ("Tuned 7B", "fineTunedFrom", "Base 7B", True),
        ("Base 7B Chat", "fineTunedFrom", "Base 7B", False),
    ]


def test_directed_path_and_no_path(tiny: LineageGraph) -> None:
    """A directed path only walks child → parent; unconnected models raise NoPathError."""
    with pytest.raises(NoPathError, match="along child → parent edges"):
        path(tiny, "Base 7B", "Tuned 7B", directed=True)
    with pytest.raises(NoPathError, match="no lineage path from 'Other 7B' to 'Teacher'"):
        path(tiny, "Other 7B", "Teacher", relations=["fineTunedFrom", "mergedFrom"])
    assert path(tiny, "Base 7B", "Base 7B") == []


def test_backers_and_portfolio(tiny: LineageGraph) -> None:
    """backers/portfolio answer direct and transitive who-backs-whom questions."""
    assert _labels(backers(tiny, "Acme AI")) == [("Big Fund", "investsIn", 1)]
    assert _labels(backers(tiny, "Acme AI", transitive=True)) == [
        ("Big Fund", "investsIn", 1),
        ("Holding Co", "owns", 2),
    ]
    assert _labels(portfolio(tiny, "Holding Co", transitive=True)) == [
        ("Big Fund", "owns", 1),
        ("Acme AI", "investsIn", 2),
        ("Tiny Lab", "investsIn", 3),
    ]
    assert portfolio(tiny, "Tiny Lab") == []


def _sparql_ancestors(lg: LineageGraph, start: URIRef) -> set[str]:
    rows = lg.query("SELECT DISTINCT ?a WHERE { ?m llm:derivedFrom+ ?a }", bindings={"m": start})
    return {str(r[0]) for r in rows}  # type: ignore[index]


def _sparql_descendants(lg: LineageGraph, start: URIRef) -> set[str]:
    rows = lg.query("SELECT DISTINCT ?d WHERE { ?d llm:derivedFrom+ ?m }", bindings={"m": start})
    return {str(r[0]) for r in rows}  # type: ignore[index]


@settings(max_examples=60, deadline=None)
@given(lineage_graphs())
def test_graph_answers_equal_sparql_property_paths(triples: list[Triple]) -> None:
    """ancestors/descendants equal SPARQL `llm:derivedFrom+` for every model of a random graph."""
    lg = LineageGraph.load(bundled=False)
    lg.add(triples)
    for m in sorted({s for s, _, _ in triples if isinstance(s, URIRef)}):
        assert {a.id for a in ancestors(lg, m)} == _sparql_ancestors(lg, m)
        assert {d.id for d in descendants(lg, m)} == _sparql_descendants(lg, m)


def test_bundled_answers_equal_sparql(bundled: LineageGraph) -> None:
    """On the bundled data, every model's ancestors and descendants equal the SPARQL answers."""
    models = [n for n, d in bundled.nx.nodes(data=True) if d.get("kind") == "model"]
    assert len(models) > 20
    for m in models:
        iri = URIRef(m)
        assert {a.id for a in ancestors(bundled, iri)} == _sparql_ancestors(bundled, iri), m
        assert {d.id for d in descendants(bundled, iri)} == _sparql_descendants(bundled, iri), m
