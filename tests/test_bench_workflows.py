"""A tiny run of the workflows benchmark, so that it cannot rot (it times nothing)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO


def _bench(name: str) -> ModuleType:
    folder = str(REPO / "bench")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


def test_workflows_benchmark_runs_every_step(tmp_path: Path) -> None:
    """On 400 synthetic models every workflow answers, and the table names each measure."""
    bench = _bench("bench_workflows")
    prepared = bench.prepare(400, tmp_path / "data", tmp_path)
    results = {**prepared, **bench.measure(Path(prepared["store"]), 1)}
    assert set(results["findings"]) <= {"conflict", "restricted", "unknown"}
    assert results["kept_models"] > 0 and results["bom_components"] >= 0
    text = bench.table(400, results)
    assert text.splitlines()[0] == "| measure (400 models) | llmgraph |"
    assert "license-check, every edge, warm" in text
    assert f"license-check --as-of {results['as_of']}" in text


def test_the_synthetic_hub_licences_meet_the_bundled_ones(tmp_path: Path) -> None:
    """The seeded store maps the records' Hub licence ids to the bundled licences and clauses."""
    from llmgraph import LineageGraph

    bench = _bench("bench_workflows")
    prepared = bench.prepare(400, tmp_path / "data", tmp_path)
    with LineageGraph.open(prepared["store"], read_only=True) as sg:
        rows = sg.query(
            "SELECT DISTINCT ?l WHERE { ?m llm:huggingFaceId ?h ; llm:license ?l . "
            'FILTER(STRSTARTS(?h, "org")) }'
        )
        licences = {str(row[0]) for row in rows}  # type: ignore[index]
        found = sg.license_conflicts()
    assert "https://w3id.org/llmgraph/id/license-llama-3-community" in licences
    assert "https://w3id.org/llmgraph/id/license-llama3" not in licences  # not one of its own
    named = [f for f in found if f.clause is not None and f.clause.kind == "namePrefix"]
    assert named and all(f.status == "conflict" for f in named)
