"""Benchmark: answers on the bundled data as a user meets them, against their peers.

Three rows of issue 12, each printed with its peer in one run:

- ``llmgraph ancestors "Vicuna 13B v1.5"`` (a whole command, wall time) against a bare Python
  start (``python -c pass``) and ``python -c "import rdflib, networkx"``; with the load cache
  (the default) and without it (``LLMGRAPH_CACHE=off``: parse and check every file).
- ``LineageGraph.load()`` in a warm process, from the cache and without it, against rdflib
  parsing the same Turtle files (what a user of plain rdflib pays).
- ``llmgraph validate`` (in-process ``lg.validate()``) against pyshacl's own run of the same
  shapes over the same graph.

Each figure is the median of ``--repeat`` runs. The machine may be shared: read the ratios.

    python bench/bench_start.py [--repeat 5] [--no-validate]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence


def median_s(fn: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``fn`` over ``repeat`` runs, in seconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def command_s(argv: Sequence[str], repeat: int, env: dict[str, str] | None = None) -> float:
    """Return the median wall time of running ``argv`` (output discarded), in seconds."""

    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)

    return median_s(run, repeat)


def rows(repeat: int, *, with_validate: bool = True) -> list[tuple[str, float, str, float]]:
    """Measure every row: (llmgraph measure, seconds, peer measure, seconds)."""
    from rdflib import Graph

    from llmgraph import LineageGraph
    from llmgraph.bundle import bundled_data_files, bundled_ontology_file

    python = sys.executable
    cache = tempfile.mkdtemp(prefix="llmgraph-bench-cache-")
    warm = {**os.environ, "LLMGRAPH_CACHE": cache}
    cold = {**os.environ, "LLMGRAPH_CACHE": "off"}
    ask = [python, "-m", "llmgraph", "ancestors", "Vicuna 13B v1.5"]
    subprocess.run(ask, check=True, stdout=subprocess.DEVNULL, env=warm)  # fill the cache
    bare = command_s([python, "-c", "pass"], repeat)
    libs = command_s([python, "-c", "import rdflib, networkx"], repeat)
    cached, uncached = command_s(ask, repeat, warm), command_s(ask, repeat, cold)
    out = [
        ("CLI ancestors, load cache", cached, "python -c pass", bare),
        ("CLI ancestors, load cache", cached, "import rdflib, networkx", libs),
        ("CLI ancestors, LLMGRAPH_CACHE=off", uncached, "import rdflib, networkx", libs),
    ]
    files = [bundled_ontology_file(), *bundled_data_files()]

    def parse() -> Graph:
        graph = Graph()
        for path in files:
            graph.parse(path, format="turtle")
        return graph

    before = os.environ.get("LLMGRAPH_CACHE")
    try:
        os.environ["LLMGRAPH_CACHE"] = cache
        LineageGraph.load()
        warm_load = median_s(LineageGraph.load, repeat)
        os.environ["LLMGRAPH_CACHE"] = "off"
        cold_load = median_s(LineageGraph.load, repeat)
    finally:
        if before is None:
            os.environ.pop("LLMGRAPH_CACHE", None)
        else:
            os.environ["LLMGRAPH_CACHE"] = before
    rdflib_parse = median_s(parse, repeat)
    out += [
        ("LineageGraph.load(), warm process, cached", warm_load, "rdflib parse", rdflib_parse),
        ("LineageGraph.load(), warm process, no cache", cold_load, "rdflib parse", rdflib_parse),
    ]
    if with_validate:
        from pyshacl import validate as shacl_validate

        from llmgraph.validate import _shapes

        lg = LineageGraph.load()
        shapes = _shapes()
        ours = median_s(lambda: lg.validate(), max(1, repeat // 2))
        theirs = median_s(
            lambda: shacl_validate(lg.rdf, shacl_graph=shapes, inference="none"),
            max(1, repeat // 2),
        )
        out.append(("lg.validate() (bulk SHACL)", ours, "pyshacl validate", theirs))
    return out


def table(measured: list[tuple[str, float, str, float]]) -> str:
    """Format the rows as a Markdown table with ratios."""
    lines = [
        "| llmgraph | median | peer | median | ratio |",
        "|---|---|---|---|---|",
    ]
    for name, ours, peer, theirs in measured:
        lines.append(f"| {name} | {ours:.3f} s | {peer} | {theirs:.3f} s | {ours / theirs:.2f}x |")
    return "\n".join(lines)


def main() -> int:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-validate", action="store_true", help="skip the validate row")
    args = parser.parse_args()
    print(table(rows(args.repeat, with_validate=not args.no_validate)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
