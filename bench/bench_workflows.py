"""Benchmark at Hub scale: the research workflows on a store of synthetic Hub models.

Builds a store as the README's "Hub-scale store" section does: seeded with the bundled data
(``llmgraph --store S load --bundled``: the curated models, the licences and their clauses,
``data/license-clauses.ttl``), then the synthetic Hub-like records (``bench/generate.py``)
imported into it, in a child process whose time and peak memory are reported. Then times, on
the reopened store, in this process:

- ``license_conflicts()``: every weight-lineage and teacher edge, the first call (engine
  reopened from disk) and warm;
- ``license_conflicts(as_of=…)`` and the as-of mask alone;
- ``license_check`` of the deepest model, ``common_ancestors`` of two deep models,
  ``search`` with filters and the CycloneDX BOM of the deepest model.

    python bench/bench_workflows.py --models 1000000

The synthetic licences are Hub licence ids. Those the bundled data knows (``apache-2.0``,
``mit``, ``llama3``, ``gemma``, ``cc-by-nc-4.0`` …) resolve to its licences and meet their
clauses (the Llama licences' naming rule flags every synthetic name), the others are licences
without recorded terms (``unknown``).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Return the median wall time of ``fn`` in seconds, and its last result."""
    runs = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def prepare(models: int, data: Path, work: Path) -> dict[str, Any]:
    """Generate the records if missing; seed a new store with the bundled data, import them.

    Returns the store's path, the time of the seed and of the import, and the peak memory of
    this process (run it in a child process: see :func:`main`).
    """
    from generate import label_of, records

    from llmgraph import LineageGraph
    from llmgraph.importers import import_source
    from llmgraph.store import bundled_data_files

    jsonl = data / f"{label_of(models)}.jsonl"
    if not jsonl.exists():  # the records only: the import below maps them once
        data.mkdir(parents=True, exist_ok=True)
        with jsonl.open("w", encoding="utf-8") as out:
            for record in records(models):
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
    target = work / f"workflows-{label_of(models)}"
    shutil.rmtree(target, ignore_errors=True)
    with LineageGraph.open(target) as sg:
        start = time.perf_counter()
        sg.import_files(bundled_data_files())
        seed_s = time.perf_counter() - start
        start = time.perf_counter()
        import_source(sg, "hf-hub", [jsonl])
        import_s = time.perf_counter() - start
    return {
        "store": str(target),
        "seed_s": seed_s,
        "import_s": import_s,
        "import_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(store: Path, repeat: int) -> dict[str, Any]:
    """Time every workflow on the store (see the module docstring)."""
    import numpy as np

    from llmgraph import LineageGraph
    from llmgraph.asof import as_of_mask
    from llmgraph.mlbom import to_cyclonedx

    out: dict[str, Any] = {}
    start = time.perf_counter()
    sg = LineageGraph.open(store, read_only=True)
    sg.license_conflicts()
    out["conflicts_cold_s"] = time.perf_counter() - start
    out["conflicts_s"], found = timed(sg.license_conflicts, repeat)
    out["findings"] = found.counts()  # type: ignore[attr-defined]
    engine = sg.engine
    released = np.asarray(engine.arrays["released"])
    dated = released[released > np.iinfo(np.int32).min]
    middle = (np.datetime64("1970-01-01") + int(np.median(dated))).astype(str)
    out["as_of"] = middle
    out["mask_s"], cut = timed(lambda: as_of_mask(engine, middle), repeat)
    out["kept_models"] = int(cut.mask.sum())  # type: ignore[attr-defined]
    out["conflicts_as_of_s"], early = timed(lambda: sg.license_conflicts(as_of=middle), repeat)
    out["findings_as_of"] = early.counts()  # type: ignore[attr-defined]
    table = sg.table()
    order = np.argsort(-table.depth, kind="stable")
    deep, other = (str(engine.iri(int(table.nodes[i]))) for i in order[:2])
    out["depth"] = int(table.depth[order[0]])
    out["check_s"], checked = timed(lambda: sg.license_check(deep), repeat)
    out["check_rows"] = len(checked)  # type: ignore[arg-type]
    out["common_s"], common = timed(lambda: sg.common_ancestors(deep, other), repeat)
    out["common"] = len(common)  # type: ignore[arg-type]
    out["search_s"], hits = timed(
        lambda: sg.search("model-9", license="Apache-2.0", since="2023-01-01", kind="model"),
        repeat,
    )
    out["search_total"] = hits.total  # type: ignore[attr-defined]
    out["bom_s"], bom = timed(lambda: to_cyclonedx(sg, [deep]), repeat)
    out["bom_components"] = len(bom["components"])  # type: ignore[index]
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sg.close()
    return out


def table(models: int, r: dict[str, Any]) -> str:
    """Return the results as a Markdown table."""
    rows = [
        ("seed the store with the bundled data (`load --bundled`)", f"{r['seed_s']:.1f} s"),
        (f"import {models:,} Hub records into it", f"{r['import_s']:.1f} s"),
        ("peak RSS of the seed and import process", f"{r['import_rss_mb']:,.0f} MiB"),
        ("license-check, every edge, first call (cold open)", f"{r['conflicts_cold_s']:.2f} s"),
        ("license-check, every edge, warm", f"{r['conflicts_s']:.2f} s"),
        ("findings", ", ".join(f"{n:,} {s}" for s, n in r["findings"].items())),
        (
            f"as-of mask ({r['as_of']}: {r['kept_models']:,} nodes kept)",
            f"{r['mask_s'] * 1e3:.1f} ms",
        ),
        (f"license-check --as-of {r['as_of']}", f"{r['conflicts_as_of_s']:.2f} s"),
        (
            f"license-check of a depth-{r['depth']} model ({r['check_rows']} rows)",
            f"{r['check_s'] * 1e3:.1f} ms",
        ),
        ("common-ancestors of two deep models", f"{r['common_s'] * 1e3:.1f} ms"),
        (f"search with filters ({r['search_total']:,} matches)", f"{r['search_s']:.2f} s"),
        (
            f"CycloneDX BOM of the deep model ({r['bom_components']} components)",
            f"{r['bom_s'] * 1e3:.1f} ms",
        ),
        ("peak RSS of the query process", f"{r['rss_mb']:,.0f} MiB"),
    ]
    lines = [f"| measure ({models:,} models) | llmgraph |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark and print the table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/llmgraph-bench/data"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/llmgraph-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.prepare_only:  # the child process of the import
        print(json.dumps(prepare(args.models, args.data, args.work)))
        return 0
    command = [sys.executable, __file__, "--prepare-only", "--models", str(args.models)]
    command += ["--data", str(args.data), "--work", str(args.work)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    prepared = json.loads(done.stdout.strip().splitlines()[-1])
    results = {**prepared, **measure(Path(prepared["store"]), args.repeat)}
    print(table(args.models, results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
