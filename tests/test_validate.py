"""SHACL shapes: conforming data passes, each kind of bad data is caught."""

from __future__ import annotations

from rdflib import Literal

from llmgraph import LLM, LineageGraph, validate

from .conftest import DATA


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
