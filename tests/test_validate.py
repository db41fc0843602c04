"""SHACL shapes: conforming data passes, each kind of bad data is caught."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import DCTERMS, RDF, XSD, Literal, URIRef
from rdflib.term import Node

from llmgraph import LLM, LineageGraph, validate
from llmgraph.backends.memory import MemoryBackend
from llmgraph.errors import UsageError

from .conftest import DATA, TINY


def test_tiny_conforms(tiny: LineageGraph) -> None:
    """The tiny fixture conforms to the shapes."""
    report = validate(tiny)
    assert report.conforms, str(report)
    assert str(report) == "conforms: no SHACL violations"


def test_bundled_conforms(bundled: LineageGraph) -> None:
    """The bundled data conforms to the shapes."""
    report = bundled.validate()
    assert report.conforms, str(report)


def test_nonconforming_fixture_reports_each_rule() -> None:
    """Each broken rule in the bad fixture is reported with its focus node and message."""
    lg = LineageGraph.load(DATA / "nonconforming.ttl", bundled=False)
    report = validate(lg)
    assert not report.conforms
    bad = "https://example.org/bad/"
    found = {
        (v.focus, v.path.rsplit("#", 1)[-1].rsplit("/", 1)[-1], v.message)
        for v in report.violations
    }
    messages = " | ".join(sorted(m for _, _, m in found))
    expectations = [
        (bad + "m", "label", "exactly one rdfs:label"),
        (bad + "m", "developedBy", "llm:developedBy at least one"),
        (bad + "m", "source", "cites at least one source"),
        (bad + "m", "huggingFaceId", "owner/name"),
        (bad + "org", "country", "ISO 3166-1 alpha-2"),
        (bad + "org", "", "is an llm:Model"),
        (bad + "org", "", "cited by an rdf:Statement"),
        (bad + "m", "sameAs", "one Wikidata item IRI"),
        (bad + "org2", "sameAs", "one Wikidata item IRI"),
        (bad + "m", "", "a precision needs a date"),
    ]
    for focus, path, text in expectations:
        assert any(f == focus and p == path and text in m for f, p, m in found), (
            f"no violation for {focus} {path} {text!r}; got: {messages}"
        )


def test_report_text_lists_violations() -> None:
    """The report's text counts the violations and shows one per line."""
    lg = LineageGraph.load(DATA / "nonconforming.ttl", bundled=False)
    text = str(validate(lg))
    lines = text.splitlines()
    assert lines[0].endswith("SHACL violation(s):")
    assert len(lines) == len(validate(lg).violations) + 1


def test_unknown_precision_is_a_violation_when_it_bypasses_the_loader() -> None:
    """The shapes refuse a precision outside day / month / public-by, e.g. in raw Turtle."""
    lg = LineageGraph.load(DATA / "tiny.ttl", bundled=False)
    model = next(iter(lg.rdf.subjects(LLM.releaseDate, None)))
    lg.rdf.add((model, LLM.releaseDatePrecision, Literal("roughly")))  # past the write checks
    report = validate(lg)
    assert not report.conforms
    assert [(v.focus, v.value) for v in report.violations] == [(str(model), "roughly")]
    assert 'one of "day", "month", "public-by"' in report.violations[0].message


# ---------------------------------------------------------------------- bulk SHACL-SPARQL

_T = "https://example.org/tiny/"
_MUTATIONS: dict[str, list[tuple[str, str | URIRef, Node | None]]] = {
    # release precision without a date, and a "month" date that is not the first
    "precision without date": [
        (_T + "base", "releaseDate", None),
        (_T + "base", "releaseDatePrecision", Literal("day")),
    ],
    "month not on the first": [
        (_T + "base", "releaseDate", None),
        (_T + "base", "releaseDate", Literal("2023-05-17", datatype=XSD.date)),
        (_T + "base", "releaseDatePrecision", Literal("month")),
    ],
    "derived from itself": [(_T + "base-chat", "derivedFrom", URIRef(_T + "base-chat"))],
    "statement of no fact": [
        (_T + "st-x", RDF.type, RDF.Statement),
        (_T + "st-x", RDF.subject, URIRef(_T + "fund")),
        (_T + "st-x", RDF.predicate, URIRef(LLM.owns)),
        (_T + "st-x", RDF.object, URIRef(_T + "lab")),
        (_T + "st-x", DCTERMS.source, URIRef("https://example.org/news")),
    ],
    "uncited investment": [(_T + "holding", "investsIn", URIRef(_T + "lab"))],
    "uncited hosting": [(_T + "base", "hostedOn", URIRef(_T + "cloud"))],
}


def _mutated(names: list[str]) -> LineageGraph:
    """The tiny graph with the mutations applied straight to its triples (no write checks)."""
    source = LineageGraph.load(TINY, bundled=False)
    graph = source.rdf
    for name in names:
        for s, p, o in _MUTATIONS[name]:
            predicate = p if isinstance(p, URIRef) else URIRef(LLM[p])
            if o is None:
                graph.remove((URIRef(s), predicate, None))
            else:
                graph.add((URIRef(s), predicate, o))
    return LineageGraph(MemoryBackend(graph), engine=source.engine)


@settings(max_examples=12)
@given(st.lists(st.sampled_from(sorted(_MUTATIONS)), unique=True, max_size=4))
def test_bulk_sparql_constraints_find_what_pyshacl_finds(names: list[str]) -> None:
    """Running each SHACL-SPARQL constraint once equals pyshacl's run per focus node."""
    lg = _mutated(names)
    bulk, reference = validate(lg), validate(lg, engine="pyshacl")
    assert bulk == reference
    assert bulk.conforms == (not names)


def test_each_sparql_rule_is_found_in_bulk() -> None:
    """Every SHACL-SPARQL rule of the shapes fires on its own mutation, with its message."""
    expected = {
        "precision without date": "a precision needs a date",
        "month not on the first": "is the first of its month",
        "derived from itself": "not derived from itself",
        "statement of no fact": "describes a fact that is asserted",
        "uncited investment": "cited by an rdf:Statement",
        "uncited hosting": "cited by an rdf:Statement",
    }
    assert set(expected) == set(_MUTATIONS)
    for name, text in expected.items():
        report = validate(_mutated([name]))
        assert [v.message for v in report.violations if text in v.message], (name, str(report))


def test_an_unknown_engine_is_refused(tiny: LineageGraph) -> None:
    with pytest.raises(UsageError, match="unknown validation engine 'fast'"):
        validate(tiny, engine="fast")  # type: ignore[arg-type]
