"""Importing Wikidata: hand-made SPARQL results and entity JSON about language models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from llmgraph import LLM, LLMID, DataLoadError, LineageGraph
from llmgraph.cli import main
from llmgraph.importers import ImportReport, import_wikidata
from llmgraph.importers.wikidata import BASED_ON_NOTE, read_wikidata
from llmgraph.store import new_graph

DATA = Path(__file__).parent / "data" / "import"
SPARQL = DATA / "wikidata_sparql.json"
ENTITIES = DATA / "wikidata_entities.json"
WD = "http://www.wikidata.org/entity/"


def copy_of(lg: LineageGraph) -> LineageGraph:
    """A modifiable copy of ``lg`` (faster than loading the bundled files again)."""
    graph = new_graph()
    graph += lg.rdf
    return LineageGraph(graph)


def wd(qid: str) -> URIRef:
    return URIRef(WD + qid)


@pytest.fixture(scope="module")
def imported(bundled: LineageGraph) -> tuple[LineageGraph, ImportReport]:
    """The bundled graph with both Wikidata fixtures imported."""
    lg = copy_of(bundled)
    return lg, import_wikidata(lg, [SPARQL, ENTITIES])


def test_sparql_rows_about_one_item_are_merged() -> None:
    """Two result rows about Q900010 make one item with both developers and its aliases."""
    items = {i.qid: i for i in read_wikidata(SPARQL)}
    item = items["Q900010"]
    assert item.label == "Fixture-LM 7B"
    assert item.aliases == ["FixtureLM-7B", "Fixture LM Seven"]
    assert [v.qid for v in item.values("P178")] == ["Q900012", "Q900013"]
    assert [v.text for v in item.values("hf")] == ["fixture/Fixture-LM-7B"]


def test_entity_json_ignores_deprecated_and_novalue_claims() -> None:
    """A deprecated developer and a 'no value' owner are not read; labels come from the file."""
    items = {i.qid: i for i in read_wikidata(ENTITIES)}
    chat = items["Q910001"]
    assert [(v.qid, v.label) for v in chat.values("P178")] == [("Q910003", "Demo AI")]
    assert chat.values("P127") == []
    assert [(v.text, v.precision) for v in chat.values("P571")] == [("+2024-02-03T00:00:00Z", 11)]


def test_items_resolve_to_curated_entities(imported: tuple[LineageGraph, ImportReport]) -> None:
    """Labels find the curated model, base, developer and licence, which gain owl:sameAs."""
    lg, report = imported
    vicuna = LLMID["vicuna-13b-v1-5"]
    assert {(m.name, m.entity) for m in report.matched} >= {
        ("Vicuna 13B v1.5", str(vicuna)),
        ("LMSYS Org", str(LLMID["lmsys"])),
        ("Llama 2 13B", str(LLMID["llama-2-13b"])),
        ("Microsoft", str(LLMID["microsoft"])),
    }
    assert (vicuna, OWL.sameAs, wd("Q900001")) in lg.rdf
    assert (LLMID["lmsys"], OWL.sameAs, wd("Q900003")) in lg.rdf
    assert (vicuna, DCTERMS.source, wd("Q900001")) in lg.rdf
    assert (vicuna, LLM.fineTunedFrom, LLMID["llama-2-13b"]) in lg.rdf
    assert (vicuna, LLM.license, LLMID["license-llama-2-community"]) in lg.rdf
    note = (
        f"{WD}Q900001 gives llm:releaseDate 2023-07-29 for Vicuna 13B v1.5; kept "
        f"{lg.rdf.value(vicuna, LLM.releaseDate)}"
    )
    assert note in report.notes


def test_new_items_map_onto_the_vocabulary(imported: tuple[LineageGraph, ImportReport]) -> None:
    """P144, P178, P571, P275 (with SPDX), aliases and the Hub id describe a new model."""
    lg, _ = imported
    model = LLMID["wd/Q900010"]
    assert lg.rdf.value(model, RDFS.label) == Literal("Fixture-LM 7B")
    assert lg.rdf.value(model, LLM.huggingFaceId) == Literal("fixture/Fixture-LM-7B")
    assert (model, OWL.sameAs, wd("Q900010")) in lg.rdf
    assert set(lg.rdf.objects(model, SKOS.altLabel)) == {
        Literal("FixtureLM-7B"),
        Literal("Fixture LM Seven"),
    }
    assert set(lg.rdf.objects(model, LLM.developedBy)) == {LLMID["wd/Q900012"], LLMID["wd/Q900013"]}
    assert lg.rdf.value(model, LLM.releaseDate) == Literal("2024-05-01", datatype=XSD.date)
    assert lg.rdf.value(model, LLM.license) == URIRef("http://spdx.org/licenses/MIT")
    assert (model, LLM.fineTunedFrom, LLMID["wd/Q900011"]) in lg.rdf
    statements = [
        st
        for st in lg.rdf.subjects(RDF.subject, model)
        if (st, LLM.inferred, Literal(True)) in lg.rdf
    ]
    assert [str(lg.rdf.value(st, SKOS.note)) for st in statements] == [BASED_ON_NOTE]
    assert (
        model,
        SKOS.note,
        Literal("Wikidata Q900010 P127 (owned by): Fixture Holdings"),
    ) in lg.rdf


def test_organizations_get_backing_with_statement_nodes(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """P127 → llm:owns, P1951 and P8324 → llm:investsIn, each cited by a statement node."""
    lg, _ = imported
    labs = LLMID["wd/Q900012"]
    assert (labs, RDF.type, LLM.Organization) in lg.rdf
    assert (LLMID["wd/Q900014"], LLM.owns, labs) in lg.rdf
    assert (LLMID["microsoft"], LLM.investsIn, labs) in lg.rdf
    assert (LLMID["wd/Q900016"], LLM.investsIn, labs) in lg.rdf
    assert (LLMID["wd/Q900014"], LLM.backs, labs) in lg.rdf
    backers = {link.label for link in lg.backers(labs)}
    assert backers == {"Fixture Holdings", "Microsoft", "Fixture Foundation"}
    for backer, relation in ((LLMID["wd/Q900014"], LLM.owns), (LLMID["microsoft"], LLM.investsIn)):
        cited = [
            st
            for st in lg.rdf.subjects(RDF.subject, backer)
            if (st, RDF.predicate, relation) in lg.rdf and (st, RDF.object, labs) in lg.rdf
        ]
        assert [lg.rdf.value(st, DCTERMS.source) for st in cited] == [wd("Q900012")]


def test_entity_json_items(imported: tuple[LineageGraph, ImportReport]) -> None:
    """Entity JSON gives a model, its base, their developer, the licence by SPDX, an investor."""
    lg, report = imported
    chat, base, demo = LLMID["wd/Q910001"], LLMID["wd/Q910002"], LLMID["wd/Q910003"]
    assert (chat, LLM.fineTunedFrom, base) in lg.rdf
    assert lg.rdf.value(chat, LLM.releaseDate) == Literal("2024-02-03", datatype=XSD.date)
    assert lg.rdf.value(chat, LLM.license) == URIRef("http://spdx.org/licenses/Apache-2.0")
    assert lg.rdf.value(base, LLM.releaseDate) is None
    assert lg.rdf.value(base, LLM.developedBy) == demo
    assert lg.rdf.value(LLMID["wd/Q910005"], RDFS.label) == Literal("Q910005")
    assert (LLMID["wd/Q910005"], LLM.investsIn, demo) in lg.rdf
    assert (
        f"{ENTITIES}: Q910002: inception '+2023-00-00T00:00:00Z' is not a day-precision date; "
        "no llm:releaseDate"
    ) in report.notes


def test_every_skip_reason(imported: tuple[LineageGraph, ImportReport]) -> None:
    """A result row without an ?item is skipped; every other item is read."""
    _, report = imported
    assert [(s.record, s.reason) for s in report.skipped] == [
        (f"{SPARQL}: result row 6", "no Wikidata item (a Q-id) for the subject")
    ]
    assert report.records_read == 9


def test_reimport_matches_by_same_as() -> None:
    """A second import finds every entity again through owl:sameAs and adds nothing."""
    lg = LineageGraph.load(bundled=False)
    import_wikidata(lg, [SPARQL, ENTITIES])
    size = len(lg)
    again = import_wikidata(lg, [SPARQL, ENTITIES])
    assert (again.triples_added, len(lg)) == (0, size)
    assert {m.by for m in again.matched} == {"owl:sameAs"}


def test_not_wikidata_is_an_error(tmp_path: Path) -> None:
    """JSON in neither format, and a file that is not JSON, are refused with the file named."""
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}), encoding="utf-8")
    with pytest.raises(DataLoadError, match=r"other\.json: not Wikidata"):
        read_wikidata(other)
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  oops", encoding="utf-8")
    with pytest.raises(DataLoadError, match=r"broken\.json:2: invalid JSON"):
        read_wikidata(broken)


def test_cli_import_wikidata(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`llmgraph import wikidata` output loads back and answers backers questions."""
    out = tmp_path / "wd.ttl"
    assert main(["--no-bundled", "import", "wikidata", str(SPARQL), "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith("wikidata: read 5 records;")
    assert (
        main(["--no-bundled", "--data", str(out), "backers", "Fixture Labs", "--format", "csv"])
        == 0
    )
    labels = sorted(line.split(",")[2] for line in capsys.readouterr().out.splitlines()[1:])
    assert labels == ["Fixture Foundation", "Fixture Holdings", "Microsoft"]


def test_a_second_item_for_a_linked_model_is_noted_not_linked(tmp_path: Path) -> None:
    """A model already owl:sameAs one item keeps it when another item with its name comes in."""
    lg = LineageGraph.load(bundled=False)
    acme = LLMID["acme-7b"]
    lg.add(
        [
            (acme, RDF.type, LLM.Model),
            (acme, RDFS.label, Literal("Acme 7B")),
            (acme, OWL.sameAs, wd("Q900100")),
            (acme, DCTERMS.source, URIRef("https://example.org/acme")),
        ]
    )
    row = {
        "item": {"type": "uri", "value": f"{WD}Q900200"},
        "itemLabel": {"type": "literal", "value": "Acme 7B"},
    }
    path = tmp_path / "acme.json"
    path.write_text(
        json.dumps({"head": {"vars": ["item", "itemLabel"]}, "results": {"bindings": [row]}}),
        encoding="utf-8",
    )
    report = import_wikidata(lg, [path])
    assert set(lg.rdf.objects(acme, OWL.sameAs)) == {wd("Q900100")}
    assert [m.by for m in report.matched] == ["label or alias"]
    assert any("already owl:sameAs" in note and "Q900200" in note for note in report.notes)


def test_many_rows_about_one_item_merge_their_values(tmp_path: Path) -> None:
    """Rows repeating an item's values merge into one value each (a label kept where given)."""
    item = {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"}
    base = {"type": "uri", "value": "http://www.wikidata.org/entity/Q2"}
    rows = [{"item": item, "basedOn": base, "itemAltLabel": {"value": "One, Uno"}}] * 2000
    rows.append({"item": item, "basedOn": base, "basedOnLabel": {"value": "Two"}})
    path = tmp_path / "rows.json"
    path.write_text(json.dumps({"head": {}, "results": {"bindings": rows}}), encoding="utf-8")
    [only] = read_wikidata(path)
    assert [(v.qid, v.label) for v in only.values("P144")] == [("Q2", "Two")]
    assert only.aliases == ["One", "Uno"]
