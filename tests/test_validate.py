"""SHACL shapes: conforming data passes, each kind of bad data is caught, bulk equals pyshacl."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import DCTERMS, OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from llmgraph import LLM, LineageGraph, ValidationReport, Violation, validate
from llmgraph.backends.memory import MemoryBackend, new_graph
from llmgraph.errors import UsageError
from llmgraph.shacl import compile_shapes

from .conftest import DATA, TINY

SH = "http://www.w3.org/ns/shacl#"
T = TypeVar("T")


def test_tiny_conforms(tiny: LineageGraph) -> None:
    """The tiny fixture conforms to the shapes."""
    report = validate(tiny)
    assert report.conforms, str(report)
    assert str(report) == "conforms: no SHACL violations"


def test_bundled_conforms(bundled: LineageGraph) -> None:
    """The bundled data conforms to the shapes."""
    report = bundled.validate()
    assert report.conforms, str(report)


def test_the_bundled_shapes_are_checked_in_bulk_entirely() -> None:
    """Every shape of ontology/shapes.ttl compiles: nothing of it is left to pyshacl."""
    from llmgraph.validate import _bundled_plan, _shapes

    plan = _bundled_plan()
    assert plan.rest is None
    targeted = {s for s, p, _ in _shapes() if str(p).startswith(SH + "target")}
    assert {s.node for s in plan.bulk} == targeted and len(targeted) == 16


def test_nonconforming_fixture_reports_each_rule() -> None:
    """Each broken rule in the bad fixture is reported with its focus node and message."""
    lg = LineageGraph.load(DATA / "nonconforming.ttl", bundled=False)
    report = validate(lg)
    assert not report.conforms
    assert report == validate(lg, engine="pyshacl")
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


def test_an_unknown_engine_is_refused(tiny: LineageGraph) -> None:
    """An engine other than "bulk" or "pyshacl" is a usage error naming it."""
    with pytest.raises(UsageError, match="unknown validation engine 'fast'"):
        validate(tiny, engine="fast")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- one rule at a time

_T = "https://example.org/tiny/"
_Edit = tuple[str, "str | URIRef", "Node | None"]


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's logged traceback for the ill-typed literals made on purpose here."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _ill_typed(lexical: str, datatype: URIRef) -> Literal:
    with _quiet_rdflib():
        return Literal(lexical, datatype=datatype)


def _edited(edits: Sequence[_Edit]) -> LineageGraph:
    """The tiny graph with triples removed (object ``None``) or added, past the write checks."""
    source = LineageGraph.load(TINY, bundled=False)
    graph = source.rdf
    for s, p, o in edits:
        predicate = p if isinstance(p, URIRef) else URIRef(LLM[p])
        if o is None:
            graph.remove((URIRef(s), predicate, None))
        else:
            graph.add((URIRef(s), predicate, o))
    return LineageGraph(MemoryBackend(graph), engine=source.engine)


def _statement(graph: Graph, predicate: URIRef) -> Node:
    """The statement node of the tiny graph that cites a fact with ``predicate``."""
    return next(s for s in graph.subjects(RDF.predicate, predicate))


_LABEL = (
    "an entity has exactly one rdfs:label (its canonical name); put other names in skos:altLabel"
)
_ILL_TYPED_DATE = Violation(
    _T + "base",
    str(LLM.releaseDate),
    "yesterday",
    "a model has at most one llm:releaseDate, an xsd:date",
    "Violation",
)
_RULES: dict[str, tuple[list[_Edit], Violation | None]] = {
    "sh:minCount": (
        [(_T + "base", RDFS.label, None)],
        Violation(_T + "base", str(RDFS.label), "", _LABEL, "Violation"),
    ),
    "sh:maxCount": (
        [(_T + "base", RDFS.label, Literal("Base Seven"))],
        Violation(_T + "base", str(RDFS.label), "", _LABEL, "Violation"),
    ),
    "sh:datatype, an ill-typed literal": (
        [
            (_T + "base", "releaseDate", None),
            (_T + "base", "releaseDate", _ill_typed("yesterday", XSD.date)),
        ],
        _ILL_TYPED_DATE,
    ),
    "sh:datatype, an ill-typed date of precision month (reported once, not a crash)": (
        [
            (_T + "base", "releaseDate", None),
            (_T + "base", "releaseDate", _ill_typed("yesterday", XSD.date)),
            (_T + "base", "releaseDatePrecision", Literal("month")),
        ],
        _ILL_TYPED_DATE,
    ),
    "sh:datatype, another datatype": (
        [
            (_T + "base", "releaseDate", None),
            (_T + "base", "releaseDate", Literal("2023-01-10T00:00:00", datatype=XSD.dateTime)),
        ],
        Violation(
            _T + "base",
            str(LLM.releaseDate),
            "2023-01-10T00:00:00",
            "a model has at most one llm:releaseDate, an xsd:date",
            "Violation",
        ),
    ),
    "sh:class": (
        [(_T + "tuned", "developedBy", URIRef(_T + "license"))],
        Violation(
            _T + "tuned",
            str(LLM.developedBy),
            _T + "license",
            "a model is llm:developedBy at least one llm:Organization",
            "Violation",
        ),
    ),
    "sh:class through rdfs:subClassOf (a University is an Organization)": (
        [(_T + "lab", RDF.type, None), (_T + "lab", RDF.type, LLM.University)],
        None,  # no violation: the ontology's class hierarchy counts
    ),
    "sh:nodeKind": (
        [
            (_T + "base", DCTERMS.source, None),
            (_T + "base", DCTERMS.source, Literal("https://example.org/base")),
        ],
        Violation(
            _T + "base",
            str(DCTERMS.source),
            "https://example.org/base",
            "every entity cites at least one source (dcterms:source with the URL of a paper, "
            "post or model card)",
            "Violation",
        ),
    ),
    "sh:pattern": (
        [(_T + "acme", "country", None), (_T + "acme", "country", Literal("usa"))],
        Violation(
            _T + "acme",
            str(LLM.country),
            "usa",
            "llm:country is one ISO 3166-1 alpha-2 code",
            "Violation",
        ),
    ),
    "sh:pattern on an IRI": (
        [(_T + "acme", OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q95726734"))],
        Violation(
            _T + "acme",
            str(OWL.sameAs),
            "https://www.wikidata.org/wiki/Q95726734",
            "owl:sameAs is one Wikidata item IRI, http://www.wikidata.org/entity/Q<number>",
            "Violation",
        ),
    ),
    "sh:minInclusive": (
        [(_T + "base", "parameterCount", None), (_T + "base", "parameterCount", Literal(0))],
        Violation(
            _T + "base",
            str(LLM.parameterCount),
            "0",
            "llm:parameterCount is one positive xsd:integer",
            "Violation",
        ),
    ),
    "sh:datatype and sh:minInclusive on a string": (
        [(_T + "base", "contextLength", Literal("4k"))],
        Violation(
            _T + "base",
            str(LLM.contextLength),
            "4k",
            "llm:contextLength is a positive xsd:integer",
            "Violation",
        ),
    ),
    "sh:in": (
        [(_T + "base", "releaseDatePrecision", Literal("roughly"))],
        Violation(
            _T + "base",
            str(LLM.releaseDatePrecision),
            "roughly",
            'llm:releaseDatePrecision is one of "day", "month", "public-by"',
            "Violation",
        ),
    ),
    "sh:or of sh:class (node shape)": (
        [(_T + "base", "developedBy", URIRef(_T + "family-base"))],
        Violation(
            _T + "family-base",
            "",
            _T + "family-base",
            "backing, ownership and development relate organizations (and platforms to their "
            "operators)",
            "Violation",
        ),
    ),
    "sh:or of sh:not sh:hasValue and sh:minCount": (
        [
            (_T + "clause", RDF.type, LLM.LicenseClause),
            (_T + "clause", RDFS.label, Literal("Name prefix")),
            (_T + "clause", DCTERMS.source, URIRef("https://example.org/clause")),
            (_T + "clause", "clauseKind", Literal("namePrefix")),
        ],
        Violation(
            _T + "clause",
            "",
            _T + "clause",
            "a namePrefix clause names its prefix (llm:namePrefix)",
            "Violation",
        ),
    ),
}


@pytest.mark.parametrize("rule", sorted(_RULES))
def test_each_rule_reports_its_violation_as_pyshacl_does(rule: str) -> None:
    """Each SHACL Core rule the shapes use reports the named violation, exactly as pyshacl."""
    edits, expected = _RULES[rule]
    lg = _edited(edits)
    report = validate(lg)
    assert report == validate(lg, engine="pyshacl")
    if expected is None:
        assert report.conforms, str(report)
    else:
        assert not report.conforms
        assert expected in report.violations, str(report)
        if "reported once" in rule:
            assert len(report.violations) == 1, str(report)


def test_generic_messages_name_blank_nodes_as_pyshacl_does() -> None:
    """Shapes without sh:message get pyshacl's wording, blank statement nodes written out."""
    lg = LineageGraph.load(TINY, bundled=False)
    graph = lg.rdf
    node = _statement(graph, LLM.owns)
    graph.remove((node, RDF.subject, None))
    graph.add((node, LLM.amount, Literal("a lot")))
    graph.add((node, LLM.currency, Literal("usd")))
    report = validate(lg)
    assert report == validate(lg, engine="pyshacl")
    written = (
        '[ dcterms:source <https://example.org/holding-fund> ; llm:amount Literal("a lot") ; '
        'llm:currency Literal("usd") ; rdf:object <https://example.org/tiny/fund> ; '
        "rdf:predicate llm:owns ; rdf:type rdf:Statement ]"
    )
    focus = str(node)
    assert set(report.violations) >= {
        Violation(
            focus,
            str(RDF.subject),
            "",
            f"Less than 1 values on {written}->rdf:subject",
            "Violation",
        ),
        Violation(
            focus,
            str(LLM.amount),
            "a lot",
            'Node Literal("a lot") must conform to one or more shapes in '
            "[ sh:datatype xsd:integer ] , [ sh:datatype xsd:decimal ]",
            "Violation",
        ),
        Violation(
            focus,
            str(LLM.currency),
            "usd",
            "Value does not match pattern '^[A-Z]{3}$'",
            "Violation",
        ),
    }, str(report)


# ---------------------------------------------------------------------- other shapes

_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix llm: <https://w3id.org/llmgraph#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/shapes#> .
"""


def _shapes(turtle: str) -> Graph:
    return Graph().parse(data=_PREFIXES + turtle, format="turtle")


def test_warnings_and_infos_are_reported_but_conform(tiny: LineageGraph) -> None:
    """A failing shape of severity sh:Warning or sh:Info is listed, yet the graph conforms."""
    shapes = _shapes("""
        ex:Ctx sh:targetClass llm:Model ; sh:severity sh:Warning ;
            sh:property [ sh:path llm:contextLength ; sh:minCount 1 ; sh:severity sh:Warning ] .
        ex:Hf sh:targetClass llm:Model ; sh:severity sh:Info ;
            sh:property [ sh:path llm:huggingFaceId ; sh:minCount 1 ; sh:severity sh:Info ;
                sh:message "no Hub id" ] .
    """)
    report = validate(tiny, shapes=shapes)
    assert report == validate(tiny, shapes=shapes, engine="pyshacl")
    assert report.conforms and report.violations
    assert {v.severity for v in report.violations} == {"Warning", "Info"}
    assert Violation(_T + "teacher", str(LLM.huggingFaceId), "", "no Hub id", "Info") in (
        report.violations
    )


def test_a_violation_inside_a_warning_is_left_to_pyshacl(tiny: LineageGraph) -> None:
    """A sh:Violation property shape under a sh:Warning node shape goes to pyshacl (its rule)."""
    shapes = _shapes("""
        ex:S sh:targetClass llm:Model ; sh:severity sh:Warning ;
            sh:property [ sh:path llm:contextLength ; sh:minCount 1 ] .
    """)
    assert compile_shapes(shapes).rest is not None
    report = validate(tiny, shapes=shapes)
    assert report == validate(tiny, shapes=shapes, engine="pyshacl")
    assert report.conforms and report.violations  # pyshacl: the Warning shape conforms


def test_deactivated_shapes_report_nothing(tiny: LineageGraph) -> None:
    """A deactivated shape reports nothing, and a deactivated sh:not member always conforms."""
    shapes = _shapes("""
        ex:Off sh:targetClass llm:Model ; sh:deactivated true ;
            sh:property [ sh:path llm:contextLength ; sh:minCount 1 ] .
        ex:Not sh:targetClass llm:Platform ;
            sh:not [ sh:deactivated true ; sh:path rdfs:label ; sh:minCount 5 ] .
    """)
    report = validate(tiny, shapes=shapes)
    assert report == validate(tiny, shapes=shapes, engine="pyshacl")
    negated = (
        '[ sh:deactivated Literal("true" = True, datatype=xsd:boolean) ; '
        'sh:minCount Literal("5", datatype=xsd:integer) ; sh:path rdfs:label ]'
    )
    assert report.violations == (
        Violation(
            _T + "cloud",
            "",
            _T + "cloud",
            f"Node <https://example.org/tiny/cloud> must not conform to shape {negated}",
            "Violation",
        ),
    )


def test_shapes_without_messages_get_pyshacls_wording(tiny: LineageGraph) -> None:
    """Every rule's own message (no sh:message) is pyshacl's, lists and literals written out."""
    shapes = _shapes("""
        ex:M sh:targetClass llm:Model ;
            sh:property [ sh:path llm:releaseDate ; sh:minInclusive 1 ] ,
                [ sh:path llm:releaseDate ; sh:minInclusive "2023-01-15"^^xsd:date ] ,
                [ sh:path llm:releaseDate ; sh:in ( "2023-01-10"^^xsd:date "x" 3 ) ] ,
                [ sh:path llm:developedBy ; sh:class llm:University , llm:Organization ] ,
                [ sh:path llm:developedBy ; sh:hasValue ex:nobody ] ,
                [ sh:path llm:huggingFaceId ; sh:datatype xsd:anyURI ; sh:nodeKind sh:IRI ;
                    sh:pattern "^acme/" ; sh:pattern "7b$" ; sh:flags "i" ] ,
                [ sh:path llm:fineTunedFrom ; sh:maxCount 0 ;
                    sh:not [ sh:class llm:Model ] ; sh:or ( [ sh:hasValue ex:x ] ) ] .
        ex:N sh:targetNode ex:nobody ; sh:hasValue ex:somebody .
    """)
    assert compile_shapes(shapes).rest is None
    report, reference = (
        validate(tiny, shapes=shapes),
        validate(tiny, shapes=shapes, engine="pyshacl"),
    )
    assert report == reference, _same(report, reference)
    found = {(v.focus.rsplit("/", 1)[-1], v.message) for v in report.violations}
    later = 'Value is not >= Literal("2023-01-15", datatype=xsd:date)'
    assert {f for f, m in found if m == later} == {"base", "teacher"}  # before 15 January
    assert ("base", 'Value is not >= Literal("1", datatype=xsd:integer)') in found  # no order
    assert ("base", "Value class is not in classes (llm:University, llm:Organization)") in found
    assert ("tuned", "Value does not match every pattern in ('^acme/', '7b$')") in found
    assert (
        "base-chat",
        "Node <https://example.org/tiny/base> must not conform to shape [ sh:class llm:Model ]",
    ) in found
    assert (
        "shapes#nobody",
        "Node <https://example.org/shapes#nobody> value is not a in the set of values: "
        "['ex:somebody']",
    ) in found


def test_what_the_bulk_engine_does_not_know_is_left_to_pyshacl(tiny: LineageGraph) -> None:
    """Shapes with other components or path expressions are checked by pyshacl, not skipped."""
    shapes = _shapes("""
        ex:Bulk sh:targetClass llm:Model ;
            sh:property [ sh:path llm:contextLength ; sh:minCount 1 ] .
        ex:Lang sh:targetClass llm:Model ; sh:property [ sh:path rdfs:label ; sh:uniqueLang true ;
            sh:maxLength 5 ] .
        ex:Path sh:targetClass llm:Model ;
            sh:property [ sh:path ( llm:developedBy rdfs:label ) ; sh:minCount 2 ] .
    """)
    plan = compile_shapes(shapes)
    assert [str(s.node) for s in plan.bulk] == ["https://example.org/shapes#Bulk"]
    assert plan.rest is not None
    report = validate(tiny, shapes=shapes)
    assert report == validate(tiny, shapes=shapes, engine="pyshacl")
    paths = {v.path for v in report.violations}
    assert str(LLM.contextLength) in paths and str(RDFS.label) in paths
    assert any("Less than 2 values" in v.message for v in report.violations)


# ---------------------------------------------------------------------- SHACL-SPARQL

_MUTATIONS: dict[str, list[_Edit]] = {
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


@settings(max_examples=12)
@given(st.lists(st.sampled_from(sorted(_MUTATIONS)), unique=True, max_size=4))
def test_bulk_sparql_constraints_find_what_pyshacl_finds(names: list[str]) -> None:
    """Running each SHACL-SPARQL constraint in bulk equals pyshacl's run per focus node."""
    lg = _edited([edit for name in names for edit in _MUTATIONS[name]])
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
        report = validate(_edited(_MUTATIONS[name]))
        assert [v.message for v in report.violations if text in v.message], (name, str(report))


# ---------------------------------------------------------------------- corrupted bundled data

_ONTOLOGY = "https://w3id.org/llmgraph#"


@cache
def _sample() -> Graph:
    """Return a part of the bundled graph that conforms.

    The ontology, every 200th model and what it reaches, and the statement nodes about them
    (blank nodes renamed in a fixed order, so that hypothesis replays the same examples).
    """
    full = LineageGraph.load().rdf
    models = sorted(full.subjects(RDF.type, LLM.Model), key=str)
    keep: set[Node] = set()
    todo: list[Node] = list(models[::200])
    while todo:
        node = todo.pop()
        if node in keep:
            continue
        keep.add(node)
        for o in full.objects(node, None):
            if isinstance(o, URIRef) and not o.startswith(_ONTOLOGY) and (o, None, None) in full:
                todo.append(o)
    statements = sorted(
        (s for s in full.subjects(RDF.type, RDF.Statement) if full.value(s, RDF.subject) in keep),
        key=lambda s: sorted(str(o) for _, o in full.predicate_objects(s)),
    )
    names = {s: BNode(f"st{i}") for i, s in enumerate(statements)}
    sample = new_graph()
    for s, p, o in full:
        if (isinstance(s, URIRef) and s.startswith(_ONTOLOGY)) or s in keep or s in names:
            sample.add((names.get(s, s), p, names.get(o, o)))
    return sample


_MODEL, _ORG, _CLAUSE, _STATEMENT = (
    (LLM.Model,),
    (LLM.Organization,),
    (LLM.LicenseClause,),
    (RDF.Statement,),
)
_CITED = (LLM.Model, LLM.Organization, LLM.Platform, LLM.ModelFamily, LLM.LicenseClause)
_LABELLED = (*_CITED, LLM.License)
Subjects = tuple[URIRef, ...] | None
"""The classes of the subjects a rule applies to (``None``: any subject)."""


def _facts(graph: Graph, rules: Mapping[URIRef, Subjects]) -> list[tuple[Node, Node, Node]]:
    """The triples that a rule of the shapes checks, in a fixed order (for hypothesis)."""
    found = []
    for p, classes in rules.items():
        for s, o in graph.subject_objects(p):
            types = set(graph.objects(s, RDF.type))
            if classes is None or types.intersection(classes):
                found.append((s, p, o))
    return sorted(found, key=lambda t: tuple(str(n) for n in t))


def _instances(graph: Graph, cls: URIRef) -> list[Node]:
    return sorted(graph.subjects(RDF.type, cls), key=str)


Choose = Callable[[Sequence[Any]], Any]


def _replace(graph: Graph, fact: tuple[Node, Node, Node], new: Node) -> None:
    s, p, o = fact
    graph.remove((s, p, o))
    graph.add((s, p, new))


def _another(o: Node) -> Node:
    """Another value of the same kind as ``o``."""
    if isinstance(o, Literal):
        if isinstance(o.value, int) and not isinstance(o.value, bool):
            return Literal(o.value + 1, datatype=o.datatype)
        if o.datatype == XSD.date:
            return Literal("1999-12-31", datatype=XSD.date)
        return Literal(f"{o} II", lang=o.language, datatype=o.datatype)
    if isinstance(o, URIRef):
        return URIRef(f"{o}-other")
    return BNode()


_STATEMENT_PARTS: dict[URIRef, Subjects] = dict.fromkeys(
    (RDF.subject, RDF.predicate, RDF.object), _STATEMENT
)
_REQUIRED: dict[URIRef, Subjects] = {
    RDFS.label: _LABELLED,
    DCTERMS.source: (*_CITED, RDF.Statement),
    LLM.developedBy: _MODEL,
    LLM.operatedBy: (LLM.Platform,),
    LLM.clauseKind: _CLAUSE,
    **_STATEMENT_PARTS,
}
_SINGLE: dict[URIRef, Subjects] = {
    RDFS.label: _LABELLED,
    **dict.fromkeys((LLM.releaseDate, LLM.releaseDatePrecision, LLM.family), _MODEL),
    **dict.fromkeys((LLM.parameterCount, LLM.activeParameterCount), _MODEL),
    LLM.country: _ORG,
    **dict.fromkeys((LLM.clauseKind, LLM.namePrefix, LLM.userThreshold), _CLAUSE),
    OWL.sameAs: None,
    **_STATEMENT_PARTS,
    **dict.fromkeys((LLM.date, LLM.amount, LLM.currency), _STATEMENT),
}
_COUNTS: dict[URIRef, Subjects] = dict.fromkeys(
    (LLM.parameterCount, LLM.activeParameterCount, LLM.contextLength, LLM.trainingTokens), _MODEL
)
_TYPED: dict[URIRef, Subjects] = {
    LLM.releaseDate: _MODEL,
    **_COUNTS,
    LLM.date: _STATEMENT,
    LLM.userThreshold: _CLAUSE,
}
_LINEAGE = (LLM.fineTunedFrom, LLM.quantizedFrom, LLM.adapterOf, LLM.mergedFrom)
_CLASSES: dict[URIRef, tuple[URIRef, Subjects]] = {
    LLM.developedBy: (LLM.Organization, None),
    LLM.license: (LLM.License, _MODEL),
    LLM.family: (LLM.ModelFamily, _MODEL),
    LLM.hostedOn: (LLM.Platform, None),
    LLM.operatedBy: (LLM.Organization, None),
    LLM.clause: (LLM.LicenseClause, (LLM.License,)),
    **{p: (LLM.Model, None) for p in _LINEAGE},
}
_PATTERNS: dict[URIRef, tuple[Node, Subjects]] = {
    LLM.huggingFaceId: (Literal("not a hub id"), _MODEL),
    LLM.country: (Literal("usa"), _ORG),
    OWL.sameAs: (URIRef("https://www.wikidata.org/wiki/Q95726734"), None),
    LLM.currency: (Literal("usd"), _STATEMENT),
}
_STRINGS: dict[URIRef, Subjects] = {
    LLM.huggingFaceId: _MODEL,
    LLM.country: _ORG,
    LLM.namePrefix: _CLAUSE,
}


def _delete_required(g: Graph, choose: Choose) -> None:
    s, p, _ = choose(_facts(g, _REQUIRED))
    g.remove((s, p, None))


def _duplicate_single(g: Graph, choose: Choose) -> None:
    s, p, o = choose(_facts(g, _SINGLE))
    g.add((s, p, _another(o)))


def _ill_typed_literal(g: Graph, choose: Choose) -> None:
    fact = choose(_facts(g, _TYPED))
    datatype = fact[2].datatype or XSD.date
    _replace(g, fact, _ill_typed("yesterday" if datatype == XSD.date else "many", datatype))


def _wrong_class(g: Graph, choose: Choose) -> None:
    fact = choose(_facts(g, {p: subjects for p, (_, subjects) in _CLASSES.items()}))
    other = LLM.Model if _CLASSES[fact[1]][0] == LLM.License else LLM.License
    _replace(g, fact, choose(_instances(g, other)))


def _wrong_node_kind(g: Graph, choose: Choose) -> None:
    rules = {
        DCTERMS.source: _REQUIRED[DCTERMS.source],
        RDFS.label: _LABELLED,
        OWL.sameAs: None,
        RDF.subject: _STATEMENT,
    }
    fact = choose(_facts(g, rules))
    o = fact[2]
    _replace(g, fact, Literal(str(o)) if isinstance(o, URIRef) else URIRef(_T + "not-a-literal"))


def _blank_model(g: Graph, choose: Choose) -> None:
    model = choose(_instances(g, LLM.Model))
    blank = BNode("blank-model")
    for p, o in list(g.predicate_objects(model)):
        g.add((blank, p, o))


def _bad_pattern(g: Graph, choose: Choose) -> None:
    fact = choose(_facts(g, {p: subjects for p, (_, subjects) in _PATTERNS.items()}))
    _replace(g, fact, _PATTERNS[fact[1]][0])


def _outside_in(g: Graph, choose: Choose) -> None:
    rules = {LLM.releaseDatePrecision: _MODEL, LLM.clauseKind: _CLAUSE}
    _replace(g, choose(_facts(g, rules)), Literal("roughly"))


def _prefix_clause_without_prefix(g: Graph, choose: Choose) -> None:
    clause = choose(_instances(g, LLM.LicenseClause))
    g.remove((clause, LLM.clauseKind, None))
    g.remove((clause, LLM.namePrefix, None))
    g.add((clause, LLM.clauseKind, Literal("namePrefix")))


def _negative_count(g: Graph, choose: Choose) -> None:
    _replace(g, choose(_facts(g, _COUNTS)), Literal(choose([-5, 0])))


def _language_tagged(g: Graph, choose: Choose) -> None:
    fact = choose(_facts(g, _STRINGS))
    _replace(g, fact, Literal(str(fact[2]), lang="en"))


def _amount_not_a_number(g: Graph, choose: Choose) -> None:
    statement = choose(_instances(g, RDF.Statement))
    g.remove((statement, LLM.amount, None))
    g.add((statement, LLM.amount, choose([Literal("a lot"), Literal("1.5", datatype=XSD.float)])))


def _derived_from_itself(g: Graph, choose: Choose) -> None:
    model = choose(_instances(g, LLM.Model))
    g.add((model, LLM.derivedFrom, model))


def _precision_without_date(g: Graph, choose: Choose) -> None:
    model = choose([s for s, _, _ in _facts(g, {LLM.releaseDate: _MODEL})])
    g.remove((model, LLM.releaseDate, None))
    g.add((model, LLM.releaseDatePrecision, Literal("day")))


def _uncited_investment(g: Graph, choose: Choose) -> None:
    orgs = _instances(g, LLM.Organization)
    pairs = [(a, b) for a in orgs for b in orgs if (a, LLM.investsIn, b) not in g]
    backer, backed = choose(pairs)
    g.add((backer, LLM.investsIn, backed))


def _fact_of_a_statement_removed(g: Graph, choose: Choose) -> None:
    statement = choose(_instances(g, RDF.Statement))
    fact = (g.value(statement, RDF.subject), g.value(statement, RDF.predicate), None)
    g.remove(fact)


_CORRUPTIONS: dict[str, Callable[[Graph, Choose], None]] = {
    "delete a required fact": _delete_required,
    "duplicate a single-valued fact": _duplicate_single,
    "an ill-typed literal": _ill_typed_literal,
    "a value of the wrong class": _wrong_class,
    "a value of the wrong node kind": _wrong_node_kind,
    "a model that is a blank node": _blank_model,
    "a value that breaks a pattern": _bad_pattern,
    "a value outside sh:in": _outside_in,
    "a namePrefix clause without its prefix": _prefix_clause_without_prefix,
    "a count below 1": _negative_count,
    "a language-tagged string": _language_tagged,
    "an amount that is not a number": _amount_not_a_number,
    "a model derived from itself": _derived_from_itself,
    "a precision without a date": _precision_without_date,
    "an uncited investment": _uncited_investment,
    "a statement of a fact that is gone": _fact_of_a_statement_removed,
}


@cache
def _sample_graph() -> LineageGraph:
    return LineageGraph(MemoryBackend(_sample()))


def _corrupted(names: Sequence[str], choose: Choose) -> LineageGraph:
    """A copy of the sample with the corruptions applied straight to its triples."""
    graph = new_graph()
    graph += _sample()
    for name in names:
        with _quiet_rdflib():
            _CORRUPTIONS[name](graph, choose)
    # the sample's engine: validation reads only the triples (a cycle may be one corruption)
    return LineageGraph(MemoryBackend(graph), engine=_sample_graph().engine)


def _same(bulk: ValidationReport, reference: ValidationReport) -> str:
    """What differs between two reports, for the assertion message."""
    a, b = set(bulk.violations), set(reference.violations)
    lines = [f"conforms: bulk {bulk.conforms}, pyshacl {reference.conforms}"]
    lines += [f"only bulk: {v}" for v in sorted(a - b, key=str)]
    lines += [f"only pyshacl: {v}" for v in sorted(b - a, key=str)]
    return "\n".join(lines)


def test_the_sample_of_the_bundled_data_conforms() -> None:
    """The sample the corruptions start from conforms, with statement nodes and clauses in it."""
    sample = _sample()
    assert 800 < len(sample) < 3000
    for cls in (LLM.Model, LLM.Organization, LLM.License, LLM.LicenseClause, RDF.Statement):
        assert _instances(sample, cls) or cls == LLM.Organization, cls
    report = validate(_sample_graph())
    assert report.conforms, str(report)


def test_every_corruption_at_once_is_reported_as_pyshacl_reports_it() -> None:
    """All the corruptions together, each on its first candidate: bulk equals pyshacl."""
    lg = _corrupted(sorted(_CORRUPTIONS), lambda options: options[0])
    bulk, reference = validate(lg), validate(lg, engine="pyshacl")
    assert bulk == reference, _same(bulk, reference)
    assert not bulk.conforms and len(bulk.violations) >= len(_CORRUPTIONS) - 3


@settings(max_examples=30)
@given(st.lists(st.sampled_from(sorted(_CORRUPTIONS)), min_size=1, max_size=3), st.data())
def test_bulk_equals_pyshacl_on_corrupted_bundled_data(
    names: list[str], data: st.DataObject
) -> None:
    """On random corruptions of a sample of the bundled data, the report equals pyshacl's."""

    def choose(options: Sequence[T]) -> T:
        return data.draw(st.sampled_from(options))

    lg = _corrupted(names, choose)
    bulk, reference = validate(lg), validate(lg, engine="pyshacl")
    assert bulk == reference, _same(bulk, reference)
    assert not bulk.conforms


def _both(data_ttl: str, shapes_ttl: str) -> tuple[ValidationReport, ValidationReport]:
    data = new_graph().parse(format="turtle", data=data_ttl)
    shapes = Graph().parse(format="turtle", data=shapes_ttl)
    lg = LineageGraph(MemoryBackend(data))
    return validate(lg, shapes=shapes), validate(lg, shapes=shapes, engine="pyshacl")


def test_shapes_left_to_pyshacl_keep_its_wording_of_value_lists() -> None:
    """With one shape pyshacl must check, its messages list sh:class values as it reads them."""
    bulk, reference = _both(
        "@prefix ex: <http://e/> . ex:a a ex:C ; ex:p 'zz' .",
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .\n"
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ;\n"
        "    sh:class ex:X , ex:Y , ex:Z ; sh:maxLength 100 ] .",
    )
    assert not bulk.conforms
    assert bulk == reference


def test_an_implicit_class_target_with_a_custom_component_is_checked() -> None:
    """A class that is a shape by a custom component's parameter alone is not passed over."""
    bulk, reference = _both(
        "@prefix ex: <http://e/> . ex:a a ex:C ; ex:p ex:bad .",
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ex:Forbid a sh:ConstraintComponent ; sh:parameter [ sh:path ex:forbid ] ;\n"
        "  sh:nodeValidator [ a sh:SPARQLSelectValidator ; sh:message 'forbidden value' ;\n"
        "    sh:select 'SELECT $this WHERE { $this ?p $forbid }' ] .\n"
        "ex:C a sh:NodeShape , rdfs:Class ; ex:forbid ex:bad .",
    )
    assert bulk == reference
    assert not bulk.conforms
    assert [v.message for v in bulk.violations] == ["forbidden value"]


def test_shapes_pyshacl_cannot_run_are_an_error_that_says_why() -> None:
    """A SPARQL constraint that binds ?this itself makes pyshacl fail: a UsageError, not a crash."""
    data = new_graph().parse(format="turtle", data="@prefix ex: <http://e/> . ex:a a ex:C .")
    shapes = Graph().parse(
        format="turtle",
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .\n"
        "ex:S sh:targetClass ex:C ; sh:sparql [ sh:message 'x' ;\n"
        "    sh:select 'SELECT $this WHERE { BIND(0 AS ?this) }' ] .",
    )
    lg = LineageGraph(MemoryBackend(data))
    for engine in ("bulk", "pyshacl"):
        with pytest.raises(UsageError, match="the SHACL shapes cannot be checked: "):
            validate(lg, shapes=shapes, engine=engine)
