"""Reading Turtle: located errors, atomic loads, lossless round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from llmgraph import LLM, DataLoadError, InvalidFactError, LineageGraph
from llmgraph.store import Triple, new_graph, parse_file, parse_text

from .conftest import DATA, TINY
from .strategies import lineage_graphs, literal_texts


def test_syntax_error_names_file_and_line() -> None:
    """Malformed Turtle raises DataLoadError naming the file and the line of the error."""
    with pytest.raises(DataLoadError) as info:
        parse_file(DATA / "bad_syntax.ttl")
    assert info.value.path == DATA / "bad_syntax.ttl"
    assert info.value.line == 6
    assert str(info.value).startswith(f"{DATA / 'bad_syntax.ttl'}:6: invalid Turtle")


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A missing file raises DataLoadError that names it."""
    missing = tmp_path / "nope.ttl"
    with pytest.raises(DataLoadError, match=r"nope\.ttl: no such file"):
        LineageGraph.load(missing, bundled=False)


def test_directory_is_refused(tmp_path: Path) -> None:
    """Passing a directory as a data file is a clear error."""
    with pytest.raises(DataLoadError, match="is a directory"):
        parse_file(tmp_path)


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    """A file that is not UTF-8 is named in the error."""
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(b'<http://e/a> <http://e/p> "caf\xe9" .')
    with pytest.raises(DataLoadError, match=r"latin1\.ttl: cannot read"):
        parse_file(bad)


def test_add_file_error_leaves_graph_unchanged(tiny: LineageGraph) -> None:
    """A failing add_file leaves the store and the mirror exactly as they were."""
    before = set(tiny.rdf)
    edges = sorted(tiny.nx.edges(keys=True))
    with pytest.raises(DataLoadError):
        tiny.add_file(DATA / "bad_syntax.ttl")
    assert set(tiny.rdf) == before
    assert sorted(tiny.nx.edges(keys=True)) == edges


def test_literal_where_entity_expected_is_located(tmp_path: Path) -> None:
    """A relation whose object is a literal is refused with the file named."""
    bad = tmp_path / "lit.ttl"
    bad.write_text(
        '@prefix llm: <https://w3id.org/llmgraph#> .\n<http://e/a> llm:fineTunedFrom "Llama 2" .\n',
        encoding="utf-8",
    )
    with pytest.raises(DataLoadError, match=r"lit.ttl: llm:fineTunedFrom links two entities"):
        LineageGraph.load(bad, bundled=False)


def test_string_date_is_refused() -> None:
    """A release date that is not an xsd:date is refused with an example of the right form."""
    bad = parse_text(
        '@prefix llm: <https://w3id.org/llmgraph#> .\n<http://e/a> llm:releaseDate "July 2023" .'
    )
    with pytest.raises(DataLoadError, match=r'must be an xsd:date such as "2023-07-18"'):
        LineageGraph(bad)


def test_unknown_date_precision_is_refused_and_nothing_changes() -> None:
    """A release-date precision outside day / month / public-by is refused; the graph is kept."""
    lg = LineageGraph(
        parse_text("@prefix llm: <https://w3id.org/llmgraph#> .\n<http://e/a> a llm:Model .")
    )
    before = len(lg)
    bad = (URIRef("http://e/a"), LLM.releaseDatePrecision, Literal("roughly"))
    with pytest.raises(
        InvalidFactError, match=r'must be one of "day", "month", "public-by", got "roughly"'
    ):
        lg.add([bad])
    assert len(lg) == before


@settings(max_examples=40, deadline=None)
@given(lineage_graphs(), st.sampled_from(["turtle", "nt", "xml", "json-ld"]))
def test_round_trip_is_isomorphic(triples: list[Triple], fmt: str) -> None:
    """Serializing a lineage graph and parsing it back gives an isomorphic graph."""
    g = new_graph()
    for t in triples:
        g.add(t)
    back = Graph().parse(data=g.serialize(format=fmt), format=fmt)
    assert isomorphic(g, back)


@settings(max_examples=60, deadline=None)
@given(literal_texts)
def test_round_trip_of_any_label(text: str) -> None:
    """Any label text, quotes and newlines included, survives a Turtle round trip."""
    g = new_graph()
    g.add(
        (URIRef("http://e/a"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(text))
    )
    back = parse_text(g.serialize(format="turtle"))
    assert isomorphic(g, back)


def test_bundled_round_trip(bundled: LineageGraph) -> None:
    """The whole bundled graph survives a Turtle round trip unchanged."""
    back = parse_text(bundled.rdf.serialize(format="turtle"))
    assert isomorphic(bundled.rdf, back)


def test_tiny_fixture_parses() -> None:
    """The tiny fixture is valid Turtle with the expected number of models."""
    g = parse_file(TINY)
    models = set(
        g.subjects(
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/llmgraph#Model"),
        )
    )
    assert len(models) == 10
