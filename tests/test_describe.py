"""Describing one entity: its facts in reading order, labels for what it points at, sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from llmgraph import LLM, LineageGraph, UnknownEntityError
from llmgraph.cli import main
from llmgraph.describe import Fact, describe

from .conftest import TINY

TINY_ARGS = ["--no-bundled", "--data", str(TINY)]
T = "https://example.org/tiny/"


def test_a_model_in_reading_order(tiny: LineageGraph) -> None:
    """Attributes first, then lineage (labelled, with IRIs), then sources; no derivedFrom echo."""
    facts = describe(tiny, "Tuned 7B")
    assert facts == [
        Fact("type", "Model", str(LLM.Model)),
        Fact("label", "Tuned 7B"),
        Fact("developedBy", "Tiny Lab", T + "lab"),
        Fact("releaseDate", "2023-02-01"),
        Fact("huggingFaceId", "lab/tuned-7b"),
        Fact("fineTunedFrom", "Base 7B", T + "base"),
        Fact("trainedOnOutputsOf", "Teacher", T + "teacher"),
        Fact("source", "https://example.org/tuned", "https://example.org/tuned"),
        Fact("adapterOf", "Tuned 7B LoRA", T + "tuned-lora", incoming=True),
        Fact("quantizedFrom", "Tuned 7B GGUF", T + "tuned-gguf", incoming=True),
        Fact("mergedFrom", "Merge 7B", T + "merge", incoming=True),
    ]
    assert [f for f in describe(tiny, "Tuned 7B", incoming=False) if f.incoming] == []


def test_an_organization_lists_its_models_and_backers(bundled: LineageGraph) -> None:
    """`show "Mistral AI"` answers who invests in it and what it developed, not only its facts."""
    facts = bundled.describe("Mistral AI")
    investors = {f.value for f in facts if f.incoming and f.property == "investsIn"}
    models = {f.value for f in facts if f.incoming and f.property == "developedBy"}
    assert {"Microsoft", "NVIDIA", "ASML"} <= investors
    assert {"Mistral 7B v0.1", "Mixtral 8x7B v0.1"} <= models
    assert not any(f.incoming and f.property == "backs" for f in facts)  # investsIn says it
    derivatives = {f.value for f in bundled.describe("Llama 2 13B") if f.incoming}
    assert "Vicuna 13B v1.5" in derivatives


def test_cli_show_wraps_long_values_and_marks_incoming_facts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The table wraps long notes instead of padding every row to them; incoming facts read ←."""
    assert main(["show", "Platypus2 13B"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) < 160
    assert any(line.startswith("← ") for line in lines)
    assert main(["show", "Mistral AI", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"property": "investsIn", "incoming": True}.items() <= next(
        r for r in rows if r["value"] == "Microsoft"
    ).items()


def test_release_date_precision_is_spelled_out(tiny: LineageGraph) -> None:
    """A month or public-by date says so next to the date; the precision triple is not repeated."""
    lg = LineageGraph(tiny.rdf + tiny.rdf)  # a copy
    lg.add([(URIRef(T + "tuned"), LLM.releaseDatePrecision, Literal("public-by"))])
    dates = [(f.property, f.value) for f in lg.describe("Tuned 7B") if "release" in f.property]
    assert dates == [("releaseDate", "2023-02-01 (public by this day; may be earlier)")]


def test_an_organization_and_the_bundled_data(bundled: LineageGraph) -> None:
    """An organization lists its kinds, country and Wikidata item; a model its typed parent."""
    mistral = {(f.property, f.value) for f in bundled.describe("Mistral AI")}
    assert {
        ("type", "Company"),
        ("country", "FR"),
        ("sameAs", "http://www.wikidata.org/entity/Q119718658"),
    } <= mistral
    code = {(f.property, f.value) for f in bundled.describe("Code Llama 7B")}
    assert ("continuedPretrainingFrom", "Llama 2 7B") in code
    assert not any(p == "derivedFrom" for p, _ in code)


def test_unknown_name_suggests(tiny: LineageGraph) -> None:
    """A name that matches nothing raises with close matches."""
    with pytest.raises(UnknownEntityError, match="did you mean 'Tuned 7B'"):
        describe(tiny, "Tuned 8B")


def test_cli_show(capsys: pytest.CaptureFixture[str]) -> None:
    """`llmgraph show` prints the facts as a table or JSON; a missing store is named."""
    assert main([*TINY_ARGS, "show", "Tuned 7B GGUF", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {
        "property": "quantizedFrom",
        "value": "Tuned 7B",
        "iri": T + "tuned",
        "incoming": False,
    } in rows
    assert main([*TINY_ARGS, "show", "Tiny Lab"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["property", "value", "iri"]
    assert any(line.split()[:2] == ["country", "FR"] for line in table)
    assert main(["--store", "/nonexistent", "show", "Tuned 7B"]) == 1
    assert "/nonexistent: no llmgraph store here" in capsys.readouterr().err


def test_readme_transcript_is_real(capsys: pytest.CaptureFixture[str]) -> None:
    """The `llmgraph show` lines in the README are lines the command prints."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index('$ llmgraph show "Zephyr 7B Alpha" --format csv')
    shown = readme[start:].split("```", 1)[0].splitlines()[1:]
    assert main(["show", "Zephyr 7B Alpha", "--format", "csv"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(shown) >= 10
    assert [line for line in shown if line] == [line for line in printed if line in shown]
