"""Hypothesis strategies for llmgraph: random lineage graphs and edits, and hostile input."""

from __future__ import annotations

import json
from typing import Any

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


@st.composite
def awkwardly_named_graphs(draw: st.DrawFn, max_models: int = 10) -> list[Triple]:
    """A :func:`networked_graphs` whose models may carry awkward labels instead of "Model i".

    Quotes, commas, newlines, backslashes, non-ASCII and labels shared by several models, so
    that answers written out as JSON or CSV are tested on text that needs escaping and on
    rows whose order depends on label ties; some lineage steps get a second relation
    between the same two models (a step with several relations).
    """
    triples = draw(networked_graphs(max_models=max_models))
    awkward = st.one_of(
        st.sampled_from(['"quoted"', "a,b", "line\nbreak", "back\\slash", "Zürich 🦙", "same"]),
        literal_texts.filter(lambda t: t.strip() != ""),
    )
    out: list[Triple] = []
    for s, p, o in triples:
        if p == RDFS.label and str(s).startswith(f"{NS}m") and draw(st.booleans()):
            o = Literal(draw(awkward))
        out.append((s, p, o))
        if p in LINEAGE and draw(st.integers(min_value=0, max_value=3)) == 0:
            out.append((s, draw(st.sampled_from(LINEAGE)), o))
    return out


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


# ---------------------------------------------------------------------- hostile text for parsers
#
# Each strategy below mixes three kinds of input: arbitrary text, a "token soup" of the format's
# own syntax (so that the parser gets past its first character and fails, or succeeds, deep
# inside), and well-formed documents with awkward values. Examples stay small: the properties
# are about which errors escape, not about size (tests/test_fuzz.py covers the large inputs).

awkward_texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\udcff",  # what a non-UTF-8 byte in argv decodes to (surrogateescape)
            "\ud800",
            "\u2028",
            "\ufeff",
            "a\nb",
            "é",
            "😀",
            "../../etc/passwd",
            "http://example.org/x y",
            "https://w3id.org/llmgraph/id/meta",
            "9" * 5000,
            "1:2:3:4:5",
        ]
    ),
)
"""Short strings that tend to break parsers: control characters, surrogates, long numbers."""


def _soup(tokens: list[str], *, max_size: int = 25) -> st.SearchStrategy[str]:
    """Text made of ``tokens`` and awkward strings, joined by spaces or newlines."""
    pieces = st.lists(st.sampled_from(tokens) | awkward_texts, max_size=max_size)
    glue = st.sampled_from([" ", "\n", ""])
    return st.builds(lambda parts, sep: sep.join(parts), pieces, glue)


_TURTLE_TOKENS = [
    "@prefix llm: <https://w3id.org/llmgraph#> .",
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    "@base <http://e/> .",
    "PREFIX e: <http://e/>",
    "<http://e/a>",
    "<http://e/b>",
    "<a>",
    "<http://e/a b>",
    "<http://e/\\u0020>",
    "_:x",
    "[]",
    "[",
    "]",
    "(",
    ")",
    ".",
    ";",
    ",",
    "a",
    "llm:Model",
    "llm:Organization",
    "llm:fineTunedFrom",
    "llm:derivedFrom",
    "llm:quantizedFrom",
    "llm:owns",
    "llm:releaseDate",
    "llm:parameterCount",
    "llm:releaseDatePrecision",
    "rdfs:label",
    '"x"',
    '"x"@en',
    '"x"@',
    '"2023-07-18"^^xsd:date',
    '"yesterday"^^xsd:date',
    '"7"^^xsd:integer',
    '"-7"^^xsd:integer',
    '"seven"^^xsd:integer',
    '"1e400"^^xsd:double',
    '"\\ud800"',
    '"\\U0000DC00"',
    '"\\U00110000"',
    '"""multi\nline"""',
    "'single'",
    "1",
    "1.5",
    "1e9",
    "true",
    "#",
]


@st.composite
def turtle_texts(draw: st.DrawFn) -> str:
    """Turtle (or N-Triples) text: arbitrary, a soup of its tokens, or triples with odd terms."""
    kind = draw(st.integers(min_value=0, max_value=2))
    if kind == 0:
        return draw(st.text(max_size=60))
    if kind == 1:
        return draw(_soup(_TURTLE_TOKENS))
    subjects = st.sampled_from(["<http://e/a>", "<http://e/b>", "_:x", "[]"])
    predicates = st.sampled_from([t for t in _TURTLE_TOKENS if t.startswith(("llm:", "rdfs:"))])
    objects = st.sampled_from([t for t in _TURTLE_TOKENS if t[:1] in '<_"' or t[:3] == "llm"])
    lines = _TURTLE_TOKENS[:3] + [
        f"{draw(subjects)} {draw(predicates)} {draw(objects)} ."
        for _ in range(draw(st.integers(min_value=1, max_value=5)))
    ]
    return "\n".join(lines)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | awkward_texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(awkward_texts, inner, max_size=4),
    max_leaves=12,
)
"""Any JSON value, with awkward strings (lone surrogates among them: JSON escapes them)."""


@st.composite
def json_texts(draw: st.DrawFn, values: st.SearchStrategy[Any] = json_values) -> str:
    """JSON text: a dumped value, the same cut short or nested deeper, or arbitrary text."""
    value = draw(values)
    text = json.dumps(value)
    kind = draw(st.integers(min_value=0, max_value=4))
    if kind == 1:
        return text[: draw(st.integers(min_value=0, max_value=len(text)))]
    if kind == 2:
        depth = draw(st.integers(min_value=1, max_value=200))
        return "[" * depth + text + "]" * depth
    if kind == 3:
        return draw(st.text(max_size=40))
    return text


_JSONLD_KEYS = ["@id", "@type", "@context", "@value", "@language", "@graph", "@list", "@set"]
_JSONLD_KEYS += ["@reverse", "@base", "@vocab", "@import", "@index", "@nest", "@direction"]
_JSONLD_KEYS += ["http://e/p", "https://w3id.org/llmgraph#fineTunedFrom", "name", "p"]
_IRIS = ["http://e/a", "http://e/b", "a", "_:b", "http://e/a b", "https://schema.org/"]
_IRIS += ["http://www.w3.org/2001/XMLSchema#date", "http://www.w3.org/2001/XMLSchema#integer"]

jsonld_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(_IRIS) | awkward_texts,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(_JSONLD_KEYS) | awkward_texts, inner, max_size=4)
    ),
    max_leaves=10,
)
"""JSON-LD-shaped values: keywords, IRIs, contexts (remote among them), literals."""

_YAML_TOKENS = [
    "base_model:",
    "base_model_relation:",
    "Base-Model:",
    "license:",
    "tags:",
    "datasets:",
    "model_creator:",
    "new_version:",
    "library_name: peft",
    "quantized_by:",
    "- ",
    "  ",
    "a/b",
    "c/d",
    "[a/b, c/d]",
    "{x: 1}",
    "&a",
    "*a",
    "&b [*a, *a]",
    "<<: *a",
    "? [x]",
    ": y",
    "!!binary aGVsbG8=",
    "!!python/object:os.system",
    "!!set",
    "!!timestamp 2023-13-45",
    '"\\ud800"',
    '"\\x00"',
    "1:2:3:4:5:6",
    "0x1F",
    "~",
    "|",
    ">",
    "#",
    "%YAML 1.1",
    "---",
    "...",
    "'",
    '"',
]


@st.composite
def card_texts(draw: st.DrawFn) -> str:
    """A model card: front matter from YAML tokens or dumped values, then a body."""
    import yaml  # type: ignore[import-untyped]

    kind = draw(st.integers(min_value=0, max_value=3))
    if kind == 0:
        return draw(st.text(max_size=60))
    if kind == 1:
        block = draw(_soup(_YAML_TOKENS, max_size=20))
    else:
        keys = st.sampled_from(["base_model", "base_model_relation", "license", "tags"])
        meta = draw(st.dictionaries(keys | awkward_texts, json_values, max_size=5))
        try:
            block = yaml.safe_dump(meta, allow_unicode=draw(st.booleans()))
        except yaml.YAMLError:  # a lone surrogate cannot be dumped unescaped
            block = yaml.safe_dump(meta, allow_unicode=False)
    body = draw(st.sampled_from(["# Card\n", "", "---\nbase_model: x/y\n---\n", "```yaml\n```"]))
    return f"---\n{block}\n---\n{body}" if kind != 3 else f"{block}\n---\n{body}"


hub_records = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["me/model", "me/model-GGUF", "not-an-id"]) | json_values,
        "modelId": json_values,
        "tags": st.lists(
            st.sampled_from(
                [
                    "base_model:a/b",
                    "base_model:finetune:c/d",
                    "base_model:adapter:a/b",
                    "base_model:quantized:",
                    "base_model:merge:x",
                    "license:mit",
                    "dataset:a b",
                    "arxiv:2401.00001",
                    "arxiv:../x",
                ]
            )
            | awkward_texts
        )
        | json_values,
        "card_data": st.dictionaries(st.sampled_from(["base_model", "license"]), json_values)
        | json_values,
        "cardData": json_values,
        "siblings": json_values | st.lists(st.fixed_dictionaries({"rfilename": json_values})),
        "safetensors": json_values | st.fixed_dictionaries({"total": json_values}),
        "created_at": json_values,
        "author": json_values,
        "library_name": json_values,
        "gguf": json_values,
    },
)
"""Hub ``ModelInfo`` records with every field of any JSON type."""

_CSV_CELLS = st.sampled_from(["", "Language", "a/b", "LLaMA-13B", "1e9", "2023-01-01", '"', ","])


@st.composite
def csv_texts(draw: st.DrawFn, columns: list[str]) -> str:
    """CSV text with a header drawn from ``columns`` and rows of awkward cells."""
    import csv
    import io

    if draw(st.integers(min_value=0, max_value=3)) == 0:
        return draw(st.text(max_size=60))
    header = draw(st.lists(st.sampled_from(columns) | awkward_texts, min_size=1, max_size=5))
    out = io.StringIO()
    writer = csv.writer(
        out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_NONE])), escapechar="\\"
    )
    rows = [header]
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        cells = st.one_of(_CSV_CELLS, awkward_texts, json_texts())
        rows.append(draw(st.lists(cells, max_size=len(header) + 1)))
    for row in rows:
        try:
            writer.writerow(row)
        except csv.Error:  # e.g. one empty field, unquoted: write it by hand
            out.write(",".join(row) + "\n")
    text = out.getvalue()
    if draw(st.booleans()):  # cut anywhere: an unclosed quote, half a row
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text


def _binding(value: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    kinds = st.sampled_from(["uri", "literal", "bnode", "typed-literal"]) | json_values
    return st.fixed_dictionaries({"type": kinds, "value": value})


_WD_VARIABLES = ["item", "itemLabel", "itemAltLabel", "basedOn", "basedOnLabel", "developer"]
_WD_VARIABLES += ["owner", "investor", "funder", "inception", "license", "licenseSpdx", "hfId"]
_WD_VALUES = st.sampled_from(
    [
        "http://www.wikidata.org/entity/Q1",
        "http://www.wikidata.org/entity/Q2",
        "Q3",
        "+2023-01-01T00:00:00Z",
        "a/b",
        "MIT",
    ]
)
_CLAIM = {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "Q1"}}}}
wikidata_values = st.one_of(
    st.fixed_dictionaries(
        {
            "head": st.just({"vars": _WD_VARIABLES}),
            "results": st.fixed_dictionaries(
                {
                    "bindings": st.lists(
                        st.dictionaries(
                            st.sampled_from(_WD_VARIABLES) | awkward_texts,
                            _binding(_WD_VALUES | json_values) | json_values,
                            max_size=5,
                        ),
                        max_size=4,
                    )
                    | json_values
                }
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "entities": st.dictionaries(
                st.sampled_from(["Q1", "Q2", "x"]),
                st.fixed_dictionaries(
                    {"id": st.sampled_from(["Q1", "Q2", "Q0", "P1"]) | json_values},
                    optional={
                        "labels": json_values
                        | st.just({"en": {"language": "en", "value": "Model"}}),
                        "aliases": json_values,
                        "claims": st.dictionaries(
                            st.sampled_from(["P144", "P178", "P127", "P1951", "P571", "P275"]),
                            st.lists(json_values | st.just(_CLAIM), max_size=3) | json_values,
                            max_size=3,
                        )
                        | json_values,
                    },
                ),
                max_size=3,
            )
        }
    ),
    json_values,
)
"""Wikidata SPARQL results and entity JSON, with any JSON where a value should be."""


_SPARQL_TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "DISTINCT",
    "*",
    "?m",
    "?p",
    "$x",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    ".",
    ";",
    ",",
    "a",
    "llm:fineTunedFrom",
    "llm:derivedFrom+",
    "llm:derivedFrom*",
    "^llm:derivedFrom",
    "rdfs:label",
    "nope:x",
    "<http://e/a>",
    "<bad iri>",
    '"x"',
    '"x"@en',
    "'2023-07-01'^^xsd:date",
    "1",
    "1.5e3",
    "true",
    "FILTER",
    "BIND",
    "AS",
    "VALUES",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "NOT EXISTS",
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "COUNT",
    "STR",
    "LANG",
    "REGEX",
    "REPLACE",
    "xsd:integer",
    "1/0",
    "=",
    "<",
    "&&",
    "||",
    "!",
    "PREFIX x: <http://e/>",
    "BASE <http://e/>",
    "#",
    "\\",
]


@st.composite
def sparql_texts(draw: st.DrawFn) -> str:
    """SPARQL text: arbitrary, a soup of its tokens, or a small query with one odd part.

    Never ``SERVICE`` or ``FROM``: rdflib would fetch those over the network.
    """
    kind = draw(st.integers(min_value=0, max_value=2))
    if kind == 0:
        return draw(st.text(max_size=60))
    if kind == 1:
        return draw(_soup(_SPARQL_TOKENS, max_size=15))
    odd = draw(st.sampled_from(_SPARQL_TOKENS) | awkward_texts)
    template = draw(
        st.sampled_from(
            [
                "SELECT ?m WHERE {{ ?m llm:fineTunedFrom ?p . FILTER ({odd}) }}",
                "SELECT ?m WHERE {{ ?m rdfs:label {odd} }}",
                "SELECT (STR({odd}) AS ?x) WHERE {{}}",
                "ASK {{ {odd} ?p ?o }}",
                "SELECT ?m WHERE {{ ?m llm:derivedFrom+ ?p }} LIMIT {odd}",
                'SELECT ?m WHERE {{ BIND(REPLACE("a", {odd}, "b") AS ?m) }}',
            ]
        )
    )
    return template.format(odd=odd)


entity_names = st.one_of(
    awkward_texts,
    st.sampled_from(
        [
            "Llama 2 7B",
            "llama 2 7b",
            "meta-llama/Llama-2-7b-hf",
            "META-LLAMA/LLAMA-2-7B-HF",
            "Meta",
            "Amazon",
            "Llama 2",
            "https://w3id.org/llmgraph/id/llama-2-7b",
            "https://w3id.org/llmgraph#Model",
            "llmid:meta",
            "Vicuna 13B v1.5",
        ]
    ),
    st.builds(
        lambda a, b: a + b,
        st.sampled_from(["Llama 2 7B", "Meta", "http://"]),
        awkward_texts,
    ),
)
"""Names a user might type: real labels and ids, odd cases, odd characters, near misses."""
