"""Exporters: RDF round trips, JSON-LD context, PROV view, GraphML/GEXF/CSV, selections, CLI."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from rdflib import PROV, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from llmgraph import LLM, LLMID, LineageGraph, UnknownEntityError, UsageError
from llmgraph.cli import main
from llmgraph.exporters import (
    RDF_FORMATS,
    context_file,
    export,
    format_of,
    jsonld_context,
    select,
    serialize,
    to_networkx,
    to_prov,
    to_rdf,
)
from llmgraph.store import Triple, bundled_ontology_file, parse_file
from llmgraph.vocab import LLM as LLMTerms
from tests.strategies import described_lineage_graphs

PARSERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def _read(text: str, fmt: str) -> Graph:
    return Graph().parse(data=text, format=PARSERS[fmt])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(described_lineage_graphs())
def test_rdf_round_trips_lose_nothing(triples: list[Triple]) -> None:
    """Every RDF format reads back to exactly the exported graph, awkward literals included."""
    lg = LineageGraph.load(bundled=False)
    lg.add(triples)
    data = to_rdf(lg)
    assert set(triples) <= set(data)
    for fmt in RDF_FORMATS:
        back = _read(serialize(data, fmt), fmt)
        assert isomorphic(back, data), fmt
        assert len(back) == len(data)


def _signature(graph: Graph) -> tuple[set[Triple], Counter[frozenset[tuple[Node, Node]]]]:
    """Return the ground triples and each blank node's description (blank objects blurred).

    A fast equality check for graphs whose blank nodes are statement nodes, as in the bundled
    data (rdflib's isomorphism test takes seconds there).
    """
    ground = {t for t in graph if not any(isinstance(x, BNode) for x in t)}
    described: Counter[frozenset[tuple[Node, Node]]] = Counter()
    for node in {s for s in graph.subjects() if isinstance(s, BNode)}:
        described[
            frozenset(
                (p, BNode("_") if isinstance(o, BNode) else o)
                for p, o in graph.predicate_objects(node)
            )
        ] += 1
    return ground, described


def test_bundled_graph_round_trips_through_files(bundled: LineageGraph, tmp_path: Path) -> None:
    """The bundled data written as ttl, nt and jsonld reads back equal, and reloads as a graph."""
    data = to_rdf(bundled)
    assert len(data) == len(bundled) - len(parse_file(bundled_ontology_file()))
    expected = _signature(data)
    for fmt in RDF_FORMATS:
        [path] = export(bundled, tmp_path / f"all.{fmt}")
        back = Graph().parse(path, format=PARSERS[fmt])
        assert len(back) == len(data), fmt
        assert _signature(back) == expected, fmt
    reloaded = LineageGraph.load(tmp_path / "all.ttl", bundled=False)
    assert len(reloaded) == len(bundled)


def test_jsonld_uses_the_shipped_context(bundled: LineageGraph, tmp_path: Path) -> None:
    """JSON-LD embeds ontology/context.jsonld and compacts to its terms."""
    chosen = select(bundled, models=["Vicuna 13B v1.5"], ancestors=True)
    [path] = export(bundled, tmp_path / "v.jsonld", entities=chosen)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["@context"] == jsonld_context()
    vicuna = next(n for n in doc["@graph"] if n["@id"] == "llmid:vicuna-13b-v1-5")
    assert vicuna["fineTunedFrom"] == "llmid:llama-2-13b"
    released = bundled.rdf.value(LLMID["vicuna-13b-v1-5"], LLM.releaseDate)
    assert vicuna["releaseDate"] == str(released)
    assert vicuna["@type"] == "Model"
    assert isomorphic(Graph().parse(path, format="json-ld"), to_rdf(bundled, entities=chosen))


def test_context_file_names_every_term() -> None:
    """The shipped context has a term for every llm: term, mapped to its IRI."""
    assert context_file() == bundled_ontology_file().parent / "context.jsonld"
    context = jsonld_context()
    for term in LLMTerms.__annotations__:
        entry = context[term]
        iri = entry["@id"] if isinstance(entry, dict) else entry
        assert iri == f"llm:{term}", term
    for term, entry in context.items():
        if isinstance(entry, dict) and entry.get("@type") == "@id":
            assert term not in ("releaseDate", "parameterCount")


def test_prov_view(bundled: LineageGraph) -> None:
    """The PROV view has only wasDerivedFrom, wasAttributedTo, labels and PROV types."""
    graph = to_prov(bundled)
    assert set(graph.predicates()) == {
        PROV.wasDerivedFrom,
        PROV.wasAttributedTo,
        RDFS.label,
        RDF.type,
    }
    vicuna, llama, lmsys = LLMID["vicuna-13b-v1-5"], LLMID["llama-2-13b"], LLMID["lmsys"]
    assert (vicuna, PROV.wasDerivedFrom, llama) in graph
    assert (vicuna, PROV.wasAttributedTo, lmsys) in graph
    assert (vicuna, RDF.type, PROV.Entity) in graph
    assert (lmsys, RDF.type, PROV.Agent) in graph
    pairs = set(bundled.rdf.subject_objects(LLM.derivedFrom))
    assert set(graph.subject_objects(PROV.wasDerivedFrom)) == pairs
    assert set(graph.objects(None, RDF.type)) == {PROV.Entity, PROV.Agent, PROV.Organization}


def test_selection_of_ancestors_descendants_and_organizations(bundled: LineageGraph) -> None:
    """--model with --ancestors / --descendants and --org choose the expected entities."""
    up = select(bundled, models=["Vicuna 13B v1.5"], ancestors=True)
    assert up == {LLMID["vicuna-13b-v1-5"], LLMID["llama-2-13b"], LLMID["lmsys"], LLMID["meta"]}
    down = select(bundled, models=["Llama 2 13B"], descendants=True)
    assert LLMID["vicuna-13b-v1-5"] in down and LLMID["llama-2-7b"] not in down
    both = select(bundled, models=["Llama 2 13B"])
    assert down <= both
    org = select(bundled, orgs=["LMSYS"])
    assert LLMID["lmsys"] in org and LLMID["vicuna-13b-v1-5"] in org
    with pytest.raises(UnknownEntityError, match="did you mean"):
        select(bundled, models=["Vicuna 13B v9"])


def test_selected_rdf_keeps_labels_of_what_it_mentions(bundled: LineageGraph) -> None:
    """A selection's RDF has the selected entities' facts and the labels of entities they cite."""
    chosen = select(bundled, models=["Vicuna 13B v1.5"], ancestors=True)
    graph = to_rdf(bundled, entities=chosen)
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    licence = LLMID["license-llama-2-community"]
    assert (LLMID["vicuna-13b-v1-5"], LLM.license, licence) in graph
    assert (licence, RDFS.label, Literal("Llama 2 Community License Agreement")) in graph
    assert LLMID["vicuna-7b-v1-5"] not in subjects
    assert not any(graph.triples((LLMID["llama-2-7b"], None, None)))


def test_graphml_is_safe_and_reads_back(bundled: LineageGraph, tmp_path: Path) -> None:
    """GraphML holds strings and longs only, unique edge ids, and reads back with networkx."""
    [path] = export(bundled, tmp_path / "all.graphml")
    back = nx.read_graphml(path)
    mirror = bundled.nx
    assert back.number_of_nodes() == mirror.number_of_nodes()
    assert back.number_of_edges() == mirror.number_of_edges()
    llama = back.nodes["https://w3id.org/llmgraph/id/llama-2-7b"]
    assert (llama["label"], llama["release_date"], llama["parameter_count"]) == (
        "Llama 2 7B",
        "2023-07-18",
        7000000000,
    )
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(path).getroot()
    types = {k.get("attr.name"): k.get("attr.type") for k in root.findall("g:key", ns)}
    assert types == {
        "label": "string",
        "kind": "string",
        "release_date": "string",
        "release_date_precision": "string",
        "parameter_count": "long",
        "huggingface_id": "string",
        "developer": "string",
        "developer_id": "string",
        "licence": "string",
        "licence_id": "string",
        "family": "string",
        "family_id": "string",
        "relation": "string",
    }
    assert (llama["developer"], llama["licence"], llama["family"]) == (
        "Meta",
        "Llama 2 Community License Agreement",
        "Llama 2",
    )
    ids = [e.get("id") for e in root.iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert len(ids) == len(set(ids))


def test_gexf_reads_back_with_labels(bundled: LineageGraph, tmp_path: Path) -> None:
    """GEXF for Gephi reads back with the same nodes, edges and labels."""
    chosen = select(bundled, models=["Zephyr 7B Beta"])
    [path] = export(bundled, tmp_path / "z.gexf", entities=chosen)
    back = nx.read_gexf(path)
    expected = to_networkx(bundled, entities=chosen)
    assert set(back.nodes) == set(expected.nodes)
    assert back.number_of_edges() == expected.number_of_edges()
    assert back.nodes["https://w3id.org/llmgraph/id/zephyr-7b-beta"]["label"] == "Zephyr 7B Beta"


def test_csv_nodes_and_edges(bundled: LineageGraph, tmp_path: Path) -> None:
    """CSV export writes nodes.csv and edges.csv that pandas-style readers take as is."""
    chosen = select(bundled, models=["Vicuna 13B v1.5"], ancestors=True)
    nodes, edges = export(bundled, tmp_path / "vicuna", fmt="csv", entities=chosen)
    with nodes.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"].rsplit("/", 1)[1] for r in rows] == [
        "llama-2-13b",
        "lmsys",
        "meta",
        "vicuna-13b-v1-5",
    ]
    assert [r["label"] for r in rows] == ["Llama 2 13B", "LMSYS", "Meta", "Vicuna 13B v1.5"]
    vicuna = rows[-1]
    assert (vicuna["kind"], vicuna["huggingface_id"]) == ("model", "lmsys/vicuna-13b-v1.5")
    assert rows[1]["release_date"] == rows[1]["release_date_precision"] == ""  # an organization
    assert (vicuna["release_date"], vicuna["release_date_precision"]) == ("2023-08-01", "day")
    with edges.open(encoding="utf-8", newline="") as handle:
        links = {
            (r["source"].rsplit("/", 1)[1], r["relation"], r["target"].rsplit("/", 1)[1])
            for r in csv.DictReader(handle)
        }
    assert links == {
        ("vicuna-13b-v1-5", "fineTunedFrom", "llama-2-13b"),
        ("vicuna-13b-v1-5", "developedBy", "lmsys"),
        ("llama-2-13b", "developedBy", "meta"),
    }


def test_format_errors(bundled: LineageGraph, tmp_path: Path) -> None:
    """An unknown suffix or --prov with a graph format is a usage error naming the problem."""
    with pytest.raises(UsageError, match=r"cannot tell the export format from '.*x\.xyz'"):
        export(bundled, tmp_path / "x.xyz")
    with pytest.raises(UsageError, match="--prov writes RDF"):
        export(bundled, tmp_path / "x.graphml", prov=True)
    assert format_of("a.json") == "jsonld"


def test_imported_facts_survive_export(tmp_path: Path) -> None:
    """Imported Hub lineage, with its inferred-statement nodes, round-trips through Turtle."""
    from llmgraph.importers import import_hf_hub

    lg = LineageGraph.load(bundled=False)
    record = {"id": "me/x-GGUF", "tags": ["base_model:you/x"]}
    import_hf_hub(lg, records=[record])
    [path] = export(lg, tmp_path / "x.ttl")
    reloaded = LineageGraph.load(path, bundled=False)
    assert [(a.label, a.relation) for a in reloaded.ancestors("me/x-GGUF")] == [
        ("you/x", "quantizedFrom")
    ]
    assert any(reloaded.rdf.subjects(LLM.inferred, Literal(True)))


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`llmgraph export` writes the format asked for, a selection, and the PROV view."""
    out = tmp_path / "sel.ttl"
    assert main(["export", "--model", "Vicuna 13B v1.5", "--ancestors", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    graph = Graph().parse(out, format="turtle")
    assert (LLMID["vicuna-13b-v1-5"], LLM.fineTunedFrom, LLMID["llama-2-13b"]) in graph
    prov = tmp_path / "prov.out"
    assert main(["export", "--org", "LMSYS", "--prov", "--format", "nt", "-o", str(prov)]) == 0
    capsys.readouterr()
    graph = Graph().parse(prov, format="nt")
    assert {p for p in graph.predicates()} <= {
        PROV.wasDerivedFrom,
        PROV.wasAttributedTo,
        RDFS.label,
        RDF.type,
    }
    assert main(["--no-bundled", "export", "--ancestors", "-o", str(out)]) == 1
    assert "--ancestors / --descendants go with --model NAME" in capsys.readouterr().err
    # export's own --format leaves the common --format of the other commands intact
    assert main(["--no-bundled", "query", "SELECT (1 AS ?one) {}", "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["one", "1"]
