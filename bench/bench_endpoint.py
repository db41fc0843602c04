"""Benchmark the endpoint backend: one Hub-like graph in three places, the same questions.

For one synthetic graph (``bench/generate.py``) it measures, side by side:

- **store**: llmgraph's on-disk store (``import_source(…, "hf-hub", …)``), asked directly;
- **Oxigraph server**: ``oxigraph load`` of the N-Triples, ``oxigraph serve``, asked through
  ``LineageGraph.connect`` (what ``--endpoint`` does);
- **Virtuoso**: a private Virtuoso 7 on 127.0.0.1, the N-Triples bulk-loaded with
  ``ld_dir`` / ``rdf_loader_run`` into a named graph, asked through ``connect(…, graph=…)``;

the load, a cold ancestry answer (a new connection, the deepest model's ``ancestors``) and the
largest family's ``descendants`` (every ``Link``, paged past each server's row caps), and checks
that the three answers are equal. The servers are the test suite's (``tests/servers.py``),
started on free loopback ports and stopped by their PIDs.

    python bench/bench_endpoint.py --models 100000
    python bench/bench_endpoint.py --models 1000000 --buffers 400000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Return the median wall time of ``fn`` in seconds, and its last result."""
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def ask(connect: Callable[[], Any], root: str, deep: str, repeat: int) -> dict[str, Any]:
    """Time a cold ancestry answer and the largest family's descendants on one backend."""
    cold_s, first = timed(lambda: connect().ancestors(deep))
    graph = connect()
    down_s, down = timed(lambda: graph.descendants(root), repeat)
    return {
        "cold_s": cold_s,
        "ancestors": len(first),
        "descendants_s": down_s,
        "descendants": len(down),
        "answer": sorted(down.ids),
    }


def probe(store: Path) -> dict[str, Any]:
    """Return what the import step returns, read from a store imported before (``--reuse``)."""
    import numpy as np

    from llmgraph import LineageGraph

    with LineageGraph.open(store, read_only=True) as sg:
        table = sg.table()
        counts = np.bincount(table.root[table.root >= 0])
        return {
            "import_s": float("nan"),
            "triples": len(sg),
            "root": sg.engine.iri(int(counts.argmax())),
            "deep": sg.engine.iri(int(table.nodes[int(np.argmax(table.depth))])),
        }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Build the store, start both servers, ask each the same questions."""
    from bench_scale import step_import
    from generate import label_of, write

    from llmgraph import LineageGraph
    from tests.servers import oxigraph_server, virtuoso_server

    stem = label_of(args.models)
    jsonl, nt = args.data / f"{stem}.jsonl", args.data / f"{stem}.nt"
    if not (jsonl.exists() and nt.exists()):
        write(args.models, args.data)
    args.work.mkdir(parents=True, exist_ok=True)
    store = args.work / "llmgraph"
    if getattr(args, "reuse", False) and (store / "CURRENT").exists():
        imported = probe(store)
    else:
        imported = step_import(argparse.Namespace(jsonl=jsonl, nt=nt, work=args.work))
    root, deep = imported["root"], imported["deep"]
    out: dict[str, Any] = {"models": args.models, "triples": imported["triples"]}
    out["store"] = {"load_s": imported["import_s"]} | ask(
        lambda: LineageGraph.open(store, read_only=True), root, deep, args.repeat
    )
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        start = time.perf_counter()
        with oxigraph_server(Path(folder), nt) as base:
            load_s = time.perf_counter() - start
            out["oxigraph"] = {"load_s": load_s} | ask(
                lambda: LineageGraph.connect(base + "/query"), root, deep, args.repeat
            )
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        start = time.perf_counter()
        # Virtuoso's built-in VectorSize, as measured so far (the tests use the shipped 1,000)
        with virtuoso_server(Path(folder), nt, buffers=args.buffers, vector_size=None) as endpoint:
            load_s = time.perf_counter() - start
            out["virtuoso"] = {"load_s": load_s} | ask(endpoint.connect, root, deep, args.repeat)
    answers = {name: out[name].pop("answer") for name in ("store", "oxigraph", "virtuoso")}
    out["equal"] = answers["store"] == answers["oxigraph"] == answers["virtuoso"]
    return out


def table(results: dict[str, Any]) -> str:
    """Return the results as a Markdown table."""
    names = ("store", "oxigraph", "virtuoso")
    rows = [
        f"{results['models']:,} models, {results['triples']:,} triples; answers equal on all "
        f"three: {results['equal']}",
        "",
        "| measure | llmgraph store | Oxigraph server (`--endpoint`) | Virtuoso 7 (`--endpoint`) |",
        "|---|---|---|---|",
        "| load (store: import; servers: bulk load + start) | "
        + " | ".join(f"{results[n]['load_s']:,.1f} s" for n in names)
        + " |",
        "| cold ancestry answer (new connection, deepest model) | "
        + " | ".join(
            f"{results[n]['cold_s'] * 1000:,.0f} ms ({results[n]['ancestors']} ancestors)"
            for n in names
        )
        + " |",
        "| descendants of the largest family, every `Link` | "
        + " | ".join(
            f"{results[n]['descendants_s']:,.2f} s ({results[n]['descendants']:,})" for n in names
        )
        + " |",
    ]
    return "\n".join(rows)


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/llmgraph-bench/data"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/llmgraph-bench/endpoint"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--buffers", type=int, default=100_000, help="Virtuoso's 8 KiB pages")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--reuse", action="store_true", help="reuse the store of a former run")
    args = parser.parse_args()
    results = measure(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    return 0 if results["equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
