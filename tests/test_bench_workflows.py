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
    store, import_s = bench.prepare(400, tmp_path / "data", tmp_path)
    results = bench.measure(store, 1)
    assert set(results["findings"]) <= {"conflict", "restricted", "unknown"}
    assert results["kept_models"] > 0 and results["bom_components"] >= 0
    text = bench.table(400, import_s, results)
    assert text.splitlines()[0] == "| measure (400 models) | llmgraph |"
    assert "license-check, every edge, warm" in text
    assert f"license-check --as-of {results['as_of']}" in text
