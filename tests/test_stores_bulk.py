"""Hub ModelInfo records → triples, streamed into the store (real Hub API records included)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rdflib import URIRef

from llmgraph import DataLoadError, LineageCycleError, LineageGraph
from llmgraph.importers.build import model_iri, organization_iri
from llmgraph.importers.records import Ref
from llmgraph.stores.bulk import hub_iri, licence_iri, owner_iri, record_facts, to_ntriples
from llmgraph.vocab import LLM, LLMID

from .conftest import REALDATA

REAL = REALDATA / "hf_hub_api"
MISTRAL = REAL / "Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv"


def _real_records(path: Path) -> list[tuple[dict[str, object], int]]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        return [(json.loads(row["metadata"]), int(row["depth"])) for row in csv.DictReader(handle)]


def test_iris_match_the_importers() -> None:
    """Bulk IRIs for models and owners are the ones llmgraph.importers mints."""
    assert hub_iri("TheBloke/phi-2-GGUF") == str(
        model_iri(Ref(hf_id="TheBloke/phi-2-GGUF"), prefix="hf")
    )
    assert owner_iri("TheBloke") == str(organization_iri(Ref(hf_owner="TheBloke")))
    assert licence_iri("apache-2.0") == ("http://spdx.org/licenses/Apache-2.0", "Apache-2.0", True)
    assert licence_iri("other") is None


def test_relations_come_from_tags_then_the_card() -> None:
    """Hub tags give the relation; a card's base_model and base_model_relation are the fallback."""
    tagged = record_facts(
        {"id": "a/q", "tags": ["base_model:b/m", "base_model:quantized:b/m", "license:mit"]}
    )
    assert (tagged.parents, tagged.licence) == ([("quantizedFrom", "b/m")], "mit")
    card = record_facts(
        {
            "modelId": "a/x",
            "cardData": {"base_model": ["b/m", "c/n"], "base_model_relation": "merge"},
        }
    )
    assert card.parents == [("mergedFrom", "b/m"), ("mergedFrom", "c/n")]
    plain = record_facts({"id": "a/y", "card_data": "license: apache-2.0\nbase_model: b/m\n"})
    assert (plain.parents, plain.licence) == ([("derivedFrom", "b/m")], "apache-2.0")
    own = record_facts({"id": "a/z", "tags": ["base_model:finetune:A/Z", "base_model:./local"]})
    assert own.parents == []


def test_a_record_without_an_id_is_refused() -> None:
    """A record with no valid id raises ValueError naming what it got."""
    with pytest.raises(ValueError, match="needs an 'id'"):
        record_facts({"id": "not a hub id"})


def test_ntriples_of_a_record() -> None:
    """One record becomes its model, owner, licence, lineage, date and size triples."""
    text = to_ntriples(
        record_facts(
            {
                "id": "lab/Tuned-7B",
                "created_at": "2024-02-01T10:00:00Z",
                "safetensors": {"total": 7241732096},
                "tags": ["base_model:finetune:org/Base-7B", "license:apache-2.0"],
            }
        )
    )
    model = f"<{LLMID}hf/lab/Tuned-7B>"
    assert f"{model} <{LLM.fineTunedFrom}> <{LLMID}hf/org/Base-7B> ." in text
    assert f"{model} <{LLM.derivedFrom}> <{LLMID}hf/org/Base-7B> ." in text
    assert f"{model} <{LLM.developedBy}> <{LLMID}hf-owner/lab> ." in text
    assert f"{model} <{LLM.license}> <http://spdx.org/licenses/Apache-2.0> ." in text
    assert (
        f'{model} <{LLM.releaseDate}> "2024-02-01"^^<http://www.w3.org/2001/XMLSchema#date> .'
        in text
    )
    assert '"7241732096"^^<http://www.w3.org/2001/XMLSchema#integer>' in text


def test_real_hub_tree_imports_with_its_depths(tmp_path: Path) -> None:
    """The Hub API's Mistral-Small tree imports; every model's depth is the Hub's depth."""
    records = _real_records(MISTRAL)
    source = tmp_path / "hub.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r, _ in records), encoding="utf-8")
    progress: list[int] = []
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_hub(source, progress=progress.append, parallel=True)
        assert sum(progress) == len(records) == 67
        root = "mistralai/Mistral-Small-24B-Base-2501"
        found = {link.label: link.depth for link in sg.descendants(root)}
        assert found == {str(r["id"]): depth for r, depth in records if depth > 0}
        sparql = sg.query(
            "SELECT ?d WHERE { ?d llm:derivedFrom+ ?root }",
            bindings={"root": URIRef(hub_iri(root))},
        )
        assert len(list(sparql)) == 66
        assert sg.resolve(root.upper()) == URIRef(hub_iri(root))


def test_iterable_records_import_like_a_file(tmp_path: Path) -> None:
    """Records given as dicts (the in-process stream) give the same graph as the file path."""
    records = [r for r, _ in _real_records(MISTRAL)]
    source = tmp_path / "hub.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with LineageGraph.open(tmp_path / "a") as a, LineageGraph.open(tmp_path / "b") as b:
        a.import_hub(source)
        b.import_hub(iter(records))
        assert len(a) == len(b)
        name = "mistralai/Mistral-Small-24B-Base-2501"
        assert a.descendants(name) == b.descendants(name)


def test_second_import_extends_and_rebuilds_the_index(tmp_path: Path) -> None:
    """A second Hub import adds to the first; the index then covers both."""
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_hub([{"id": "a/base"}])
        sg.import_hub([{"id": "b/child", "tags": ["base_model:adapter:a/base"]}])
        assert [(x.label, x.relation) for x in sg.descendants("a/base")] == [
            ("b/child", "adapterOf")
        ]


def test_malformed_line_is_named_and_nothing_changes(tmp_path: Path) -> None:
    """A bad JSON line raises DataLoadError with file and line; the store stays as it was."""
    source = tmp_path / "hub.jsonl"
    source.write_text('{"id": "a/one"}\n\n{"id": "a/two",\n', encoding="utf-8")
    with LineageGraph.open(tmp_path / "db") as sg:
        before = (len(sg), sg.version)
        for parallel in (False, True):
            with pytest.raises(DataLoadError, match=r"hub\.jsonl:3: not a JSON object"):
                sg.import_hub(source, parallel=parallel)
        assert (len(sg), sg.version) == before
        with pytest.raises(DataLoadError, match="no such file"):
            sg.import_hub(tmp_path / "missing.jsonl")


def test_cyclic_records_are_refused(tmp_path: Path) -> None:
    """Records whose base models form a cycle raise LineageCycleError; nothing is imported."""
    source = tmp_path / "hub.jsonl"
    lines = [
        {"id": "a/x", "tags": ["base_model:finetune:a/y"]},
        {"id": "a/y", "tags": ["base_model:finetune:a/x"]},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    with LineageGraph.open(tmp_path / "db") as sg:
        before = (len(sg), sg.version)
        with pytest.raises(LineageCycleError, match="derivation cycle"):
            sg.import_hub(source, parallel=True)
        with pytest.raises(LineageCycleError, match="derivation cycle"):
            sg.import_hub(iter(lines))
        assert (len(sg), sg.version) == before


def test_quantized_builds_get_no_parameter_count() -> None:
    """As in llmgraph.importers.hf_hub, a quantized build's tensor count is not its size."""
    tensors = {"safetensors": {"total": 7_000_000_000}}
    quant = record_facts({"id": "a/q", "tags": ["base_model:quantized:b/m"], **tensors})
    tuned = record_facts({"id": "a/t", "tags": ["base_model:finetune:b/m"], **tensors})
    assert (quant.parameters, tuned.parameters) == (None, 7_000_000_000)
