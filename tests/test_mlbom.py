"""CycloneDX 1.6 ML-BOM export: schema-valid, pedigree and dependencies, licences, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmgraph import LineageGraph, UnknownEntityError, UsageError
from llmgraph.cli import main
from llmgraph.exporters import export
from llmgraph.mlbom import to_cyclonedx

from .conftest import DATA

DIAMOND = DATA / "diamond.ttl"
ARGS = ["--no-bundled", "--data", str(DIAMOND)]


@pytest.fixture(scope="module")
def dg() -> LineageGraph:
    """The hand-made diamond graph."""
    return LineageGraph.load(DIAMOND, bundled=False)


def _errors(bom: dict[str, Any]) -> list[str]:
    # imported here, not at the top: jsonschema builds its format grammars on import (about
    # a second), which every pytest worker would otherwise spend collecting this module
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    found = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(bom), all_errors=True)
    return [str(e) for e in found] if found else []


def _names(components: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in components]


def test_single_model_bom_is_schema_valid(dg: LineageGraph) -> None:
    """One model: it is metadata.component, its ancestors the components, valid CycloneDX 1.6."""
    bom = to_cyclonedx(dg, ["Merge 7B"])
    assert _errors(bom) == []
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    subject = bom["metadata"]["component"]
    assert (subject["type"], subject["name"]) == ("machine-learning-model", "Merge 7B")
    assert subject["bom-ref"] == "https://example.org/diamond/merge"
    assert subject["supplier"] == {"name": "Other Lab"}
    assert _names(bom["components"]) == ["Left 7B", "Right 7B", "Root 7B"]


def test_pedigree_nests_the_lineage(dg: LineageGraph) -> None:
    """The pedigree lists direct parents with their relation, and theirs nested to the root."""
    subject = to_cyclonedx(dg, ["Merge 7B"])["metadata"]["component"]
    parents = subject["pedigree"]["ancestors"]
    assert _names(parents) == ["Left 7B", "Right 7B"]
    assert parents[0]["properties"][0] == {"name": "llmgraph:relation", "value": "mergedFrom"}
    (root,) = parents[1]["pedigree"]["ancestors"]
    assert root["name"] == "Root 7B"
    assert root["properties"][0]["value"] == "continuedPretrainingFrom"
    assert "pedigree" not in root


def test_dependencies_are_the_weight_edges(dg: LineageGraph) -> None:
    """`dependencies` link each component to its parents' bom-refs."""
    deps = {d["ref"]: d["dependsOn"] for d in to_cyclonedx(dg, ["Merge 7B"])["dependencies"]}
    base = "https://example.org/diamond/"
    assert deps[base + "merge"] == [base + "left", base + "right"]
    assert deps[base + "left"] == [base + "root"]
    assert deps[base + "root"] == []


def test_licences_sources_and_properties(bundled: LineageGraph) -> None:
    """SPDX licences by id, others by name and URL; sources as typed external references."""
    bom = to_cyclonedx(bundled, ["Alpaca 7B"])
    assert _errors(bom) == []
    subject = bom["metadata"]["component"]
    assert subject["licenses"] == [{"license": {"id": "CC-BY-NC-4.0"}}]
    assert "purl" not in subject  # Alpaca's weights were published as a diff, not on the Hub
    vicuna = to_cyclonedx(bundled, ["Vicuna 13B v1.5"])["metadata"]["component"]
    assert vicuna["purl"] == "pkg:huggingface/lmsys/vicuna-13b-v1.5"
    (llama,) = bom["components"]
    assert llama["licenses"][0]["license"]["name"] == "LLaMA Noncommercial Research License"
    types = {r["type"] for r in subject["externalReferences"]}
    assert types <= {"model-card", "documentation", "website"}
    props = {p["name"]: p["value"] for p in subject["properties"]}
    assert props["llmgraph:releaseDate"] == "2023-03-13"
    assert props["llmgraph:trainedOnOutputsOf"] == "text-davinci-003"


def test_whole_graph_and_families_are_valid(bundled: LineageGraph) -> None:
    """Every bundled model in one BOM, and a family with a model, validate against 1.6."""
    whole = to_cyclonedx(bundled)
    assert "component" not in whole["metadata"]
    assert len(whole["components"]) == len(whole["dependencies"]) > 700
    refs = {c["bom-ref"] for c in whole["components"]}
    assert all(set(d["dependsOn"]) <= refs for d in whole["dependencies"])
    # jsonschema needs minutes for the whole 1 MB document: validate every 12th component
    sample = dict(whole, components=whole["components"][::12], dependencies=[])
    assert _errors(sample) == []
    several = to_cyclonedx(bundled, ["Llama 2", "Code Llama 7B Instruct"])
    assert "Code Llama 7B" in _names(several["components"])
    assert _errors(several) == []


def test_deterministic(dg: LineageGraph) -> None:
    """Two exports of the same models are identical, serial number included."""
    assert to_cyclonedx(dg, ["Merge 7B"]) == to_cyclonedx(dg, ["Merge 7B"])
    assert (
        to_cyclonedx(dg, ["Merge 7B"])["serialNumber"]
        != to_cyclonedx(dg, ["Left 7B"])["serialNumber"]
    )


def test_errors(dg: LineageGraph) -> None:
    """Unknown models suggest names; models after as_of are refused."""
    with pytest.raises(UnknownEntityError, match="did you mean 'Merge 7B'"):
        to_cyclonedx(dg, ["Merje 7B"])
    with pytest.raises(UsageError, match="'Merge 7B' was not released by 2024-04-30"):
        to_cyclonedx(dg, ["Merge 7B"], as_of="2024-04-30")
    assert len(to_cyclonedx(dg, as_of="2024-01-31")["components"]) == 3


def test_export_function_writes_cyclonedx(dg: LineageGraph, tmp_path: Path) -> None:
    """export(..., fmt from a .cdx.json name) writes the BOM of the selected models."""
    (path,) = export(dg, tmp_path / "bom.cdx.json", entities=None)
    assert _errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_cli_export_cyclonedx(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`export --format cyclonedx --model NAME` writes a valid BOM; bad combinations fail."""
    out = tmp_path / "merge.json"
    argv = [*ARGS, "export", "--format", "cyclonedx", "--model", "Merge 7B", "-o", str(out)]
    assert main(argv) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    bom = json.loads(out.read_text(encoding="utf-8"))
    assert _errors(bom) == [] and bom["metadata"]["component"]["name"] == "Merge 7B"
    assert main([*ARGS, "export", "--model", "Left 7B", "--descendants", "-o", "x.cdx.json"]) == 1
    assert "a CycloneDX BOM holds models and their ancestors" in capsys.readouterr().err
    assert main([*ARGS, "export", "--model", "Merje 7B", "-o", str(tmp_path / "b.cdx.json")]) == 1
    assert "did you mean 'Merge 7B'" in capsys.readouterr().err
    assert main([*ARGS, "export", "--as-of", "2024-01-01", "-o", str(tmp_path / "x.ttl")]) == 1
    assert "--as-of goes with --format cyclonedx" in capsys.readouterr().err
