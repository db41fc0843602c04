"""Benchmark at Hub scale: llmgraph's store and index against Oxigraph and rdflib, same files.

For one synthetic Hub-like graph (``bench/generate.py``) it measures, each engine in its own
process so that peak memory is its own:

- **Oxigraph**: ``Store.bulk_load`` of the N-Triples into an on-disk store, and its SPARQL
  property path ``?d llm:derivedFrom+ <root>`` for the largest family;
- **llmgraph**: ``import_source(lg, "hf-hub", …)`` into a store, of the same records as JSON
  lines (mapping, bulk load, lineage index), cold open + first ancestry answer, descendants
  of the largest root as ids and as full ``Link`` lists, the whole-graph table, reopen;
- **rdflib** (the in-memory baseline, ``--rdflib``): parse the N-Triples, the same SPARQL;
- **the mapping's floor**: the same records read and parsed (``parse_hub_record``), nothing
  resolved or written: what an import costs at the least besides Oxigraph's load;

and prints a table of medians and ratios against the goals of issues 5 and 12.

    python bench/bench_scale.py --models 100000 --rdflib
    python bench/bench_scale.py --models 1000000          # rdflib takes ~150 s / 7 GB here

Files go to ``--data`` (generated when missing) and stores to ``--work``.
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
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DESCENDANTS = "SELECT ?d WHERE { ?d <https://w3id.org/llmgraph#derivedFrom>+ <%s> }"


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Return the median wall time of ``fn`` in ms, and its last result."""
    runs = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), result


# ---------------------------------------------------------------------- steps (own process)


def step_ox_load(args: argparse.Namespace) -> dict[str, Any]:
    """Oxigraph's own bulk load of the N-Triples, then its property path."""
    import pyoxigraph as ox

    target = args.work / "oxigraph"
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    store = ox.Store(str(target))
    store.bulk_load(path=str(args.nt), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    load_s = time.perf_counter() - start
    out: dict[str, Any] = {"load_s": load_s, "rss_mb": peak_rss_mb(), "triples": len(store)}
    if args.root:
        query = DESCENDANTS % args.root
        ms, rows = median_ms(
            lambda: list(cast(ox.QuerySolutions, store.query(query))), args.sparql_repeat
        )
        out |= {"descendants_ms": ms, "descendants": len(rows)}  # type: ignore[arg-type]
    return out


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    """llmgraph's import of the JSON-lines records into a new store."""
    import numpy as np

    from llmgraph import LineageGraph

    target = args.work / "llmgraph"
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    from llmgraph.importers import import_source

    sg = LineageGraph.open(target)
    import_source(sg, "hf-hub", [args.jsonl])
    import_s = time.perf_counter() - start
    rss = peak_rss_mb()
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    table = sg.table()
    counts = np.bincount(table.root[table.root >= 0])
    root = int(counts.argmax())
    deepest = int(table.nodes[int(np.argmax(table.depth))])
    out = {
        "import_s": import_s,
        "rss_mb": rss,
        "child_rss_mb": child_rss,
        "triples": len(sg),
        "root": sg.engine.iri(root),
        "deep": sg.engine.iri(deepest),
        "max_depth": int(table.depth.max()),
        "models": len(table),
    }
    sg.close()
    return out


def step_parse(args: argparse.Namespace) -> dict[str, Any]:
    """The floor of the mapping: read the JSON lines and parse each record, nothing else.

    Every import maps each record through ``parse_hub_record`` before resolving it, so this is
    what an import costs at the least besides Oxigraph's own load.
    """
    from llmgraph.importers.hf_hub import parse_hub_record, read_hub_records

    start = time.perf_counter()
    cpu = time.process_time()
    parsed = 0
    for where, item in read_hub_records(args.jsonl):
        if not isinstance(item, str):
            parse_hub_record(item, where=where)
            parsed += 1
    return {
        "parse_s": time.perf_counter() - start,
        "parse_cpu_s": time.process_time() - cpu,
        "parsed": parsed,
        "rss_mb": peak_rss_mb(),
    }


def step_query(args: argparse.Namespace) -> dict[str, Any]:
    """Cold open, first answer, descendants, table and reopen on llmgraph's store."""
    import io

    from llmgraph import LineageGraph

    target = args.work / "llmgraph"
    start = time.perf_counter()
    sg = LineageGraph.open(target, read_only=True)
    first = sg.ancestors(args.deep)
    cold_s = time.perf_counter() - start
    ids_ms, ids = median_ms(lambda: sg.descendant_ids(args.root), args.repeat)
    links_ms, links = median_ms(lambda: sg.descendants(args.root), max(1, args.repeat // 2))
    query = DESCENDANTS % args.root
    store = sg.backend.store  # type: ignore[attr-defined]
    ox_ms, rows = median_ms(lambda: list(store.query(query)), args.sparql_repeat)
    start = time.perf_counter()
    table = sg.table()
    table_s = time.perf_counter() - start
    start = time.perf_counter()
    text = io.StringIO()
    table.to_csv(text)
    csv_s = time.perf_counter() - start
    sg.close()
    start = time.perf_counter()
    again = LineageGraph.open(target, read_only=True)
    _ = again.engine
    reopen_s = time.perf_counter() - start
    again.close()
    return {
        "cold_first_s": cold_s,
        "first_answer": len(first),
        "ids_ms": ids_ms,
        "ids": len(ids),  # type: ignore[arg-type]
        "links_ms": links_ms,
        "links": len(links),  # type: ignore[arg-type]
        "store_sparql_ms": ox_ms,
        "store_sparql": len(rows),  # type: ignore[arg-type]
        "table_s": table_s,
        "csv_s": csv_s,
        "table_rows": len(table),
        "reopen_s": reopen_s,
        "rss_mb": peak_rss_mb(),
    }


def step_rdflib(args: argparse.Namespace) -> dict[str, Any]:
    """The rdflib baseline: parse the N-Triples in memory, then SPARQL `derivedFrom+`."""
    from rdflib import Graph

    start = time.perf_counter()
    graph = Graph()
    graph.parse(str(args.nt), format="nt")
    load_s = time.perf_counter() - start
    query = DESCENDANTS % args.root
    ms, rows = median_ms(lambda: list(graph.query(query)), args.sparql_repeat)
    return {
        "load_s": load_s,
        "rss_mb": peak_rss_mb(),
        "descendants_ms": ms,
        "descendants": len(rows),  # type: ignore[arg-type]
    }


STEPS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "ox-load": step_ox_load,
    "import": step_import,
    "parse": step_parse,
    "query": step_query,
    "rdflib": step_rdflib,
}


# ---------------------------------------------------------------------- driver


def run_step(name: str, args: argparse.Namespace, **extra: str) -> dict[str, Any]:
    """Run one step in a fresh Python process and return its JSON result."""
    command = [sys.executable, __file__, "--step", name, "--models", str(args.models)]
    command += ["--data", str(args.data), "--work", str(args.work)]
    command += ["--repeat", str(args.repeat), "--sparql-repeat", str(args.sparql_repeat)]
    for key, value in extra.items():
        command += [f"--{key}", value]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Generate the files if needed, run every step, return all results."""
    from generate import label_of, write

    stem = label_of(args.models)
    args.jsonl, args.nt = args.data / f"{stem}.jsonl", args.data / f"{stem}.nt"
    if not (args.jsonl.exists() and args.nt.exists()):
        write(args.models, args.data)
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"models": args.models}
    results["import"] = run_step("import", args)
    probe = {"root": results["import"]["root"], "deep": results["import"]["deep"]}
    results["ox"] = run_step("ox-load", args, **probe)
    results["parse"] = run_step("parse", args)
    results["query"] = run_step("query", args, **probe)
    if args.rdflib:
        results["rdflib"] = run_step("rdflib", args, **probe)
    return results


def table(results: dict[str, Any]) -> str:
    """Return the results as a Markdown table with ratios and goals."""
    imp, ox, q = results["import"], results["ox"], results["query"]
    rd = results.get("rdflib")
    lines = [
        f"{results['models']:,} models, {imp['triples']:,} triples; largest family "
        f"{q['ids']:,} descendants (root {imp['root'].rsplit('/', 2)[-2:]!s}), "
        f"max depth {imp['max_depth']}",
        "",
        "| measure | llmgraph | Oxigraph | rdflib | ratio | goal at 1 M (issues 5 and 12) |",
        "|---|---|---|---|---|---|",
    ]

    def cell(value: float | None, unit: str, digits: int = 1) -> str:
        return "—" if value is None else f"{value:,.{digits}f} {unit}"

    lines.append(
        f"| load / import | {cell(imp['import_s'], 's')} | {cell(ox['load_s'], 's')} | "
        f"{cell(rd['load_s'] if rd else None, 's')} | "
        f"{imp['import_s'] / ox['load_s']:.2f}x Oxigraph | ≤ 1.2x |"
    )
    parse = results.get("parse")
    if parse:
        lines.append(
            f"| … the floor of the mapping: records read and parsed, nothing written | "
            f"{cell(parse['parse_s'], 's')} ({parse['parse_cpu_s']:.1f} s CPU) | | | "
            f"{parse['parse_s'] / ox['load_s']:.2f}x Oxigraph's load | |"
        )
    child = imp.get("child_rss_mb", 0)
    beside = f" + {cell(child, 'MiB', 0)} (mapping process)" if child else " (one process)"
    lines.append(
        f"| peak RSS of the load | {cell(imp['rss_mb'], 'MiB', 0)}{beside} | "
        f"{cell(ox['rss_mb'], 'MiB', 0)} | {cell(rd['rss_mb'] if rd else None, 'MiB', 0)} | "
        f"{imp['rss_mb'] / ox['rss_mb']:.2f}x Oxigraph | ≤ 2 GB |"
    )
    lines.append(
        f"| cold open + first ancestry answer | {cell(q['cold_first_s'], 's', 3)} | — | "
        f"{cell(rd['load_s'] if rd else None, 's')} (re-parse) | | ≤ 1 s |"
    )
    base = [ox["descendants_ms"], rd["descendants_ms"] if rd else None]
    ratio = f"{ox['descendants_ms'] / q['ids_ms']:.0f}x vs Oxigraph"
    if rd:
        ratio += f", {rd['descendants_ms'] / q['ids_ms']:.0f}x vs rdflib"
    lines.append(
        f"| descendants of the largest root, ids | {cell(q['ids_ms'], 'ms', 2)} | "
        f"{cell(base[0], 'ms')} | {cell(base[1], 'ms')} | {ratio} | ≤ 5 ms, ≥ 8x, ≥ 50x |"
    )
    lines.append(
        f"| same, full `Link`s (labels, paths) | {cell(q['links_ms'], 'ms')} | "
        f"{cell(q['store_sparql_ms'], 'ms')} (in our store) | | "
        f"{q['store_sparql_ms'] / q['links_ms']:.1f}x vs Oxigraph | |"
    )
    lines.append(
        f"| whole-graph roots / depth / licence table | {cell(q['table_s'], 's', 2)} "
        f"(+ {q['csv_s']:.1f} s CSV) | — | — | | ≤ 5 s |"
    )
    lines.append(f"| reopen (store + index) | {cell(q['reopen_s'], 's', 3)} | — | — | | |")
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark (or one step of it) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/llmgraph-bench/data"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/llmgraph-bench"))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sparql-repeat", type=int, default=3)
    parser.add_argument("--rdflib", action="store_true", help="also run the rdflib baseline")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--deep", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        from generate import label_of

        stem = label_of(args.models)
        args.jsonl, args.nt = args.data / f"{stem}.jsonl", args.data / f"{stem}.nt"
        print(json.dumps(STEPS[args.step](args)))
        return 0
    results = measure(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
