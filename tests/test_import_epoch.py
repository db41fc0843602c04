"""Importing Epoch AI tables: the real notable-models table and hand-made tables for the quirks."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import XSD

from llmgraph import LLM, LLMID, DataLoadError, LineageGraph
from llmgraph.cli import main
from llmgraph.importers import ImportReport, import_epoch
from llmgraph.importers.epoch import BASE_MODEL_NOTE, read_epoch
from llmgraph.store import new_graph

from .conftest import REALDATA

REAL = REALDATA
TABLE = REAL / "epoch_notable_ai_models_2024-07-16.csv"
DATA = Path(__file__).parent / "data" / "import"


def copy_of(lg: LineageGraph) -> LineageGraph:
    """A modifiable copy of ``lg`` (faster than loading the bundled files again)."""
    graph = new_graph()
    graph += lg.rdf
    return LineageGraph(graph)


@pytest.fixture(scope="module")
def imported(bundled: LineageGraph) -> tuple[LineageGraph, ImportReport]:
    """The bundled graph with the real Epoch table imported (shared; not to be modified)."""
    lg = copy_of(bundled)
    return lg, import_epoch(lg, [TABLE])


def test_the_real_table_is_read_whole() -> None:
    """825 records, multi-line quoted fields kept, each row's first line known."""
    rows = read_epoch(TABLE)
    assert len(rows) == 825
    assert rows[0].name == "ESM3 (98B)"
    assert (rows[0].line, rows[0].row) == (2, 2)
    assert "\n" in rows[0].get("abstract")
    assert rows[1].line > 3  # the first row spans several lines
    with TABLE.open(encoding="utf-8", newline="") as handle:
        assert [r["System"] for r in csv.DictReader(handle)] == [r.name for r in rows]


def test_only_language_models_are_imported(imported: tuple[LineageGraph, ImportReport]) -> None:
    """350 language rows plus the 2 other rows they name as base model; 473 are skipped."""
    _, report = imported
    assert report.records_read == 825
    assert len(report.skipped) == 473
    assert all(s.reason.startswith("not a language model (Domain: ") for s in report.skipped)
    first = report.skipped[0]
    assert first.record == f"{TABLE}:2 (row 2)"
    assert first.reason == "not a language model (Domain: Biology)"
    pulled = {"W2v-BERT", "ProtBERT-BFD"}
    rows = {r.name: r for r in read_epoch(TABLE)}
    assert all("Language" not in rows[name].get("domain") for name in pulled)
    skipped_rows = {s.record for s in report.skipped}
    assert not any(rows[name].where in skipped_rows for name in pulled)


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("Llama 2-70B", "llama-2-70b"),
        ("LLaMA-65B", "llama-65b"),
        ("Falcon-180B", "falcon-180b"),
        ("GPT-NeoX-20B", "gpt-neox-20b"),
        ("BLOOMZ-176B", "bloomz"),
    ],
)
def test_names_resolve_to_curated_models(
    imported: tuple[LineageGraph, ImportReport], name: str, entity: str
) -> None:
    """Epoch's spelling of a curated model resolves to it by label or alias."""
    _, report = imported
    assert (name, str(LLMID[entity])) in {(m.name, m.entity) for m in report.matched}


def test_base_model_becomes_an_inferred_fine_tune(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """Goat-7B's Base model LLaMA-7B is the curated LLaMA 7B, marked as inferred."""
    lg, _ = imported
    goat = LLMID["epoch/goat-7b"]
    assert (goat, LLM.fineTunedFrom, LLMID["llama-7b"]) in lg.rdf
    notes = [
        str(lg.rdf.value(st, SKOS.note))
        for st in lg.rdf.subjects(RDF.subject, goat)
        if (st, LLM.inferred, Literal(True)) in lg.rdf
    ]
    assert notes == [BASE_MODEL_NOTE]
    assert lg.rdf.value(goat, LLM.developedBy) == LLMID["org/national-university-of-singapore"]


def test_row_attributes_and_citations(imported: tuple[LineageGraph, ImportReport]) -> None:
    """Date, float parameters, every Link URL and the row itself are on the new model."""
    lg, _ = imported
    realm = LLMID["epoch/realm"]
    assert lg.rdf.value(realm, RDFS.label) == Literal("ReALM")
    assert lg.rdf.value(realm, LLM.releaseDate) == Literal("2024-03-29", datatype=XSD.date)
    assert lg.rdf.value(realm, LLM.parameterCount) == Literal(3000000000)
    row = next(r for r in read_epoch(TABLE) if r.name == "ReALM")
    assert f"{TABLE.resolve().as_uri()}#row={row.row}" in lg.sources(realm)
    bluumi = LLMID["epoch/bluumi"]
    assert (bluumi, LLM.fineTunedFrom, LLMID["bloom"]) in lg.rdf


def test_conflicting_values_are_kept_as_notes(imported: tuple[LineageGraph, ImportReport]) -> None:
    """Epoch's 70B parameters for Llama 2-7B do not overwrite the curated 7B: they become a note."""
    lg, report = imported
    llama = LLMID["llama-2-7b"]
    assert list(lg.rdf.objects(llama, LLM.parameterCount)) == [Literal(7000000000)]
    note = next(n for n in report.notes if "70000000000 for Llama 2 7B" in n)
    assert note.endswith("gives llm:parameterCount 70000000000 for Llama 2 7B; kept 7000000000")
    assert (llama, SKOS.note, Literal(note)) in lg.rdf


def test_no_duplicate_of_a_curated_model(imported: tuple[LineageGraph, ImportReport]) -> None:
    """No model is created for a name that matched a curated model."""
    _, report = imported
    matched = {URIRef(m.entity) for m in report.matched}
    new = {s for s, p, o in report.triples if p == RDF.type and o == LLM.Model}
    assert not matched & new
    assert LLMID["epoch/llama-2-70b"] not in new


def test_placeholders_for_unknown_bases_have_no_developer(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """A base model Epoch only names (Vicuna-13B) becomes a model with its name and no developer."""
    lg, _ = imported
    vicuna = LLMID["epoch/vicuna-13b"]
    assert lg.rdf.value(vicuna, RDFS.label) == Literal("Vicuna-13B")
    assert lg.rdf.value(vicuna, LLM.developedBy) is None
    assert (LLMID["epoch/llava-1-5"], LLM.fineTunedFrom, vicuna) in lg.rdf


# ---------------------------------------------------------------------- hand-made tables


def test_model_column_and_no_base_model_column(bundled: LineageGraph) -> None:
    """A later release names the column Model and has no Base model: LLaMA-13B still matches."""
    lg = copy_of(bundled)
    report = import_epoch(lg, [DATA / "epoch_model_column.csv"])
    assert report.records_read == 3
    assert ("LLaMA-13B", "LLaMA 13B") in {(m.name, m.label) for m in report.matched}
    assert [s.reason for s in report.skipped] == ["not a language model (Domain: Image generation)"]
    fixture = LLMID["epoch/fixture-lm-3b"]
    assert lg.rdf.value(fixture, LLM.parameterCount) == Literal(3000000000)
    assert set(lg.sources(fixture)) >= {
        "https://example.org/fixture-lm",
        "https://arxiv.org/abs/2401.00001",
    }
    labs, uni = LLMID["org/fixture-labs"], LLMID["org/example-university"]
    assert set(lg.rdf.objects(fixture, LLM.developedBy)) == {labs, uni}
    assert (labs, RDF.type, LLM.Company) in lg.rdf
    assert (uni, RDF.type, LLM.University) in lg.rdf


def test_quirks_and_every_row_skip_reason() -> None:
    """A cycle and a nameless row are skipped; bad cells are noted; a Speech base is pulled in."""
    lg = LineageGraph.load(bundled=False)
    table = DATA / "epoch_quirks.csv"
    report = import_epoch(lg, [table], cite="https://example.org/epoch.csv")
    assert [(s.record, s.reason) for s in report.skipped] == [
        (f"{table}:6 (row 6)", "would close a derivation cycle: Loop B → Loop A → Loop B"),
        (f"{table}:7 (row 7)", "no name in the System or Model column"),
    ]
    assert report.notes == [
        f"{table}:3 (row 3): parameters 'seven billion' is not a count",
        f"{table}:4 (row 4): publication date 'sometime in 2023' is not a date",
    ]
    assert [a.label for a in lg.ancestors("Fixture Chat 7B")] == [
        "Fixture Base 7B",
        "Fixture Encoder",
    ]
    assert "https://example.org/epoch.csv#row=2" in lg.sources("Fixture Chat 7B")
    assert lg.rdf.value(LLMID["epoch/fixture-base-7b"], LLM.parameterCount) is None


def test_every_domain_with_none() -> None:
    """domain=None imports every named row, whatever its domain."""
    lg = LineageGraph.load(bundled=False)
    report = import_epoch(lg, [DATA / "epoch_model_column.csv"], domain=None)
    assert report.skipped == []
    assert (LLMID["epoch/pixel-painter"], RDF.type, LLM.Model) in lg.rdf


def test_a_table_without_a_name_column_changes_nothing() -> None:
    """A file with neither System nor Model is refused, and earlier files are not added either."""
    lg = LineageGraph.load(bundled=False)
    size = len(lg)
    with pytest.raises(DataLoadError, match=r"epoch_no_name_column\.csv:1: not an Epoch AI table"):
        import_epoch(lg, [DATA / "epoch_model_column.csv", DATA / "epoch_no_name_column.csv"])
    assert len(lg) == size


def test_cli_import_epoch_loads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`llmgraph import epoch` output loads with --data and answers lineage questions."""
    out = tmp_path / "epoch.ttl"
    table = DATA / "epoch_quirks.csv"
    assert main(["--no-bundled", "import", "epoch", str(table), "-o", str(out)]) == 0
    assert "skipped 2 records:" in capsys.readouterr().out
    assert (
        main(
            ["--no-bundled", "--data", str(out), "ancestors", "Fixture Chat 7B", "--format", "csv"]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[2] for line in lines[1:]] == ["Fixture Base 7B", "Fixture Encoder"]


def test_a_parameter_count_too_large_to_be_real_is_noted(tmp_path: Path) -> None:
    """Parameters of 1e999999999 (gigabytes as an integer) are noted as not a count, at once."""
    table = tmp_path / "huge.csv"
    table.write_text("Model,Domain,Parameters\nBig,Language,1e999999999\n", encoding="utf-8")
    lg = LineageGraph.load(bundled=False)
    report = import_epoch(lg, [table])
    assert any("parameters '1e999999999' is not a count" in n for n in report.notes)
    assert not any(lg.rdf.objects(None, LLM.parameterCount))
