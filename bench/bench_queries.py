"""Benchmark: lineage answers from the networkx mirror against SPARQL property paths.

Runs both on the same graph in the same process and prints a table of medians and ratios.
The baseline is rdflib's SPARQL engine evaluating `llm:derivedFrom+`, the query a user would
write without llmgraph.

    python bench/bench_queries.py [--repeat 5] [--data extra.ttl ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import URIRef

from llmgraph import LineageGraph, ancestors, descendants

ANCESTORS = "SELECT ?a WHERE { ?m llm:derivedFrom+ ?a }"
DESCENDANTS = "SELECT ?d WHERE { ?d llm:derivedFrom+ ?m }"


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``fn`` over ``repeat`` runs, in milliseconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> int:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, action="append", default=[])
    args = parser.parse_args()

    start = time.perf_counter()
    lg = LineageGraph.load(*args.data)
    load_ms = (time.perf_counter() - start) * 1000
    models = sorted(n for n, d in lg.nx.nodes(data=True) if d.get("kind") == "model")
    print(f"graph: {len(lg)} triples, {len(models)} models, loaded in {load_ms:.0f} ms\n")

    def mirror_all(fn: Callable[..., object]) -> Callable[[], object]:
        return lambda: [fn(lg, URIRef(m)) for m in models]

    def sparql_all(text: str) -> Callable[[], object]:
        return lambda: [list(lg.query(text, bindings={"m": URIRef(m)})) for m in models]

    rows = [
        ("ancestors, every model", mirror_all(ancestors), sparql_all(ANCESTORS)),
        ("descendants, every model", mirror_all(descendants), sparql_all(DESCENDANTS)),
    ]
    print(f"{'query':<28} {'llmgraph ms':>12} {'SPARQL ms':>10} {'speed-up':>9}")
    for name, ours, baseline in rows:
        a, b = timed(ours, args.repeat), timed(baseline, args.repeat)
        print(f"{name:<28} {a:>12.1f} {b:>10.1f} {b / a:>8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
