"""Hypothesis strategies for llmgraph: random lineage graphs and random edits."""

from __future__ import annotations

from hypothesis import strategies as st
from rdflib import RDF, RDFS, Literal, URIRef

from llmgraph.store import Triple
from llmgraph.vocab import LLM, WEIGHT_LINEAGE

NS = "https://example.org/gen/"
LINEAGE = (*WEIGHT_LINEAGE, LLM.successorOf, LLM.trainedOnOutputsOf)


def model(i: int) -> URIRef:
    """The IRI of generated model number ``i``."""
    return URIRef(f"{NS}m{i}")


@st.composite
def lineage_graphs(draw: st.DrawFn, max_models: int = 12) -> list[Triple]:
    """Triples of a random acyclic lineage: each model's parents have smaller numbers."""
    n = draw(st.integers(min_value=1, max_value=max_models))
    triples: list[Triple] = []
    for i in range(n):
        triples.append((model(i), RDF.type, LLM.Model))
        triples.append((model(i), RDFS.label, Literal(f"Model {i}")))
        if i == 0:
            continue
        parents = draw(st.sets(st.integers(min_value=0, max_value=i - 1), max_size=3))
        for p in sorted(parents):
            rel = draw(st.sampled_from(LINEAGE))
            triples.append((model(i), rel, model(p)))
    return triples


@st.composite
def edits(draw: st.DrawFn, n_models: int = 8) -> list[tuple[str, Triple]]:
    """A random sequence of ("add" | "remove", triple) on models ``m0 … m{n-1}``.

    Lineage edges point from a higher to a lower number, so no sequence makes a cycle.
    """
    ops: list[tuple[str, Triple]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=25))):
        kind = draw(st.sampled_from(["edge", "edge", "label", "type", "backing"]))
        a = draw(st.integers(min_value=1, max_value=n_models - 1))
        b = draw(st.integers(min_value=0, max_value=a - 1))
        triple: Triple
        if kind == "edge":
            rel = draw(st.sampled_from((*LINEAGE, LLM.derivedFrom, LLM.hostedOn)))
            triple = (model(a), rel, model(b))
        elif kind == "label":
            triple = (model(a), RDFS.label, Literal(draw(st.sampled_from(["x", "y"]))))
        elif kind == "type":
            triple = (model(a), RDF.type, draw(st.sampled_from([LLM.Model, LLM.Organization])))
        else:
            triple = (
                model(a),
                draw(st.sampled_from([LLM.investsIn, LLM.owns, LLM.backs])),
                model(b),
            )
        ops.append((draw(st.sampled_from(["add", "add", "remove"])), triple))
    return ops


literal_texts = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20
)


@st.composite
def described_lineage_graphs(draw: st.DrawFn, max_models: int = 8) -> list[Triple]:
    """Triples of :func:`lineage_graphs` plus the attributes exporters must carry.

    Random text aliases, language-tagged notes, release dates, parameter counts and Hub ids,
    so that a round trip through a serialization is tested on awkward literals too.
    """
    import datetime as dt

    from rdflib import SKOS, XSD

    triples = draw(lineage_graphs(max_models=max_models))
    models = sorted({s for s, p, _ in triples if p == RDF.type and isinstance(s, URIRef)})
    for m in models:
        if draw(st.booleans()):
            triples.append((m, SKOS.altLabel, Literal(draw(literal_texts))))
        if draw(st.booleans()):
            text = draw(literal_texts)
            triples.append((m, SKOS.note, Literal(text, lang=draw(st.sampled_from(["en", "fr"])))))
        if draw(st.booleans()):
            day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
            triples.append((m, LLM.releaseDate, Literal(day.isoformat(), datatype=XSD.date)))
        if draw(st.booleans()):
            count = draw(st.integers(min_value=1, max_value=10**13))
            triples.append((m, LLM.parameterCount, Literal(count, datatype=XSD.integer)))
        if draw(st.booleans()):
            triples.append((m, LLM.huggingFaceId, Literal(f"gen/model-{m.rsplit('/', 1)[-1]}")))
    return triples


ORGS = "https://example.org/gen/org"


@st.composite
def networked_graphs(draw: st.DrawFn, max_models: int = 10, max_orgs: int = 4) -> list[Triple]:
    """A random lineage with developers, families, licences, dates and a backing network.

    Every kind of entity and every relation a verb walks appears, so that backends can be
    compared on all of them: lineage of every type, succession and teachers, developers,
    investments and ownership (acyclic lineage; backing may loop), families, licences.
    """
    import datetime as dt

    from rdflib import XSD

    triples = draw(lineage_graphs(max_models=max_models))
    models = sorted({s for s, p, _ in triples if p == RDF.type and isinstance(s, URIRef)})
    n_orgs = draw(st.integers(min_value=1, max_value=max_orgs))
    orgs = [URIRef(f"{ORGS}{i}") for i in range(n_orgs)]
    licence = URIRef(f"{NS}licence")
    family = URIRef(f"{NS}family")
    triples += [
        (licence, RDF.type, LLM.License),
        (licence, RDFS.label, Literal("Gen Licence")),
        (family, RDF.type, LLM.ModelFamily),
        (family, RDFS.label, Literal(draw(st.sampled_from(["Model 0", "Gen Family"])))),
    ]
    for i, org in enumerate(orgs):
        triples += [(org, RDF.type, LLM.Organization), (org, RDFS.label, Literal(f"Org {i}"))]
    for m in models:
        triples.append((m, LLM.developedBy, draw(st.sampled_from(orgs))))
        if draw(st.booleans()):
            triples.append((m, LLM.license, licence))
        if draw(st.booleans()):
            triples.append((m, LLM.family, family))
        if draw(st.booleans()):
            day = draw(st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 12, 31)))
            triples.append((m, LLM.releaseDate, Literal(day.isoformat(), datatype=XSD.date)))
    for _ in range(draw(st.integers(min_value=0, max_value=2 * n_orgs))):
        a, b = draw(st.sampled_from(orgs)), draw(st.sampled_from(orgs))
        if a != b:
            triples.append((a, draw(st.sampled_from([LLM.investsIn, LLM.owns])), b))
    return triples


# --- SPARQL text with and without SERVICE, for llmgraph.federation ---------------------------

SERVICE_PREFIXES = "PREFIX ex: <http://example.org/> PREFIX service: <http://example.org/s/>\n"
"""Prefixes that the generated queries use (``service:`` too, as a decoy)."""

_SUBJECTS = (
    "?s",
    "?service",
    "$SERVICE",
    "ex:SERVICE",
    "service:x",
    "<http://example.org/SERVICE>",
    "_:service",
    "ex:a.service",
)
_PREDICATES = ("?p", "ex:service", "service:p", "<urn:x:SERVICE#p>", "a")
_OBJECTS = (
    *_SUBJECTS,
    '"SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }"',
    "'service { }'",
    "'''SERVICE\n<x> { } ' '' '''",
    '""" # SERVICE ""\n"""',
    '"x"@service',
    '"1"^^ex:SERVICE',
    "42",
)
_SEPARATORS = (" ", "\n", "\t", "  ", " # SERVICE <http://127.0.0.1:1/> { }\n")
_SPELLINGS = ("SERVICE", "service", "Service", "sErViCe")


class ServiceMark(str):
    """A SERVICE keyword inside generated query text (its offset is recorded when joined)."""

    __slots__ = ()


@st.composite
def _pattern(draw: st.DrawFn, depth: int) -> list[str]:
    """The fragments of a group graph pattern body."""
    out: list[str] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        choice = draw(st.integers(min_value=0, max_value=6 if depth < 1 else 2))
        sep = draw(st.sampled_from(_SEPARATORS))
        if choice <= 1:
            s, p, o = (draw(st.sampled_from(c)) for c in (_SUBJECTS, _PREDICATES, _OBJECTS))
            out += [s, " ", p, " ", o, sep, ".", sep]
        elif choice == 2:
            text = draw(st.sampled_from(('"SERVICE"', "'service <x> {}'")))
            out += ["FILTER(STR(?s) != ", text, ")", sep]
        elif choice == 3:
            keyword = draw(st.sampled_from(("OPTIONAL", "MINUS", "FILTER EXISTS", "")))
            out += [keyword, " {", sep, *draw(_pattern(depth + 1)), "}", sep]
        elif choice == 4:
            out += ["{", *draw(_pattern(depth + 1)), "} UNION {", *draw(_pattern(depth + 1)), "}"]
            out.append(sep)
        else:
            silent = draw(st.sampled_from(("", "SILENT ")))
            target = draw(st.sampled_from(("<http://127.0.0.1:1/sparql>", "?endpoint")))
            out += [ServiceMark(draw(st.sampled_from(_SPELLINGS))), " ", silent, target, " {", sep]
            out += [*draw(_pattern(depth + 1)), "}", sep]
    return out


@st.composite
def service_queries(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A SELECT query and the offsets of the SERVICE keywords in it (none, one or more).

    Decoys that merely contain the word are everywhere: strings of the four kinds, IRIs,
    comments, variables, blank nodes, language tags, datatypes and prefixed names.
    """
    head = draw(st.sampled_from(("SELECT * WHERE {", "SELECT ?s WHERE {\n", "ASK {")))
    fragments: list[str] = [SERVICE_PREFIXES, head, " ", *draw(_pattern(0)), "}"]
    text, marks = "", []
    for fragment in fragments:
        if isinstance(fragment, ServiceMark):
            marks.append(len(text))
        text += fragment
    return text, marks
