"""Benchmark: large lineage answers as columns, against the same answer built row by row.

Two rows of issue 12, each printed with its peer in one run, on a synthetic Hub-like store
(``bench/generate.py``; the store is imported once under ``--work`` and reused):

- **In Python**, the descendants of the largest family (``LineageGraph.open(store)``, warm):
  the ids (``descendant_ids``) against networkx's ``descendants`` on a lineage-only DiGraph
  of the same edges; the full results (label, relation, depth, via, developer, release date,
  licence) as columns (``Links.column``), as a pandas DataFrame, as JSON text and as ``Link``
  objects, each against the same answer built one row at a time from the engine's per-node
  lookups (what the per-row ``Links`` did, with its path lookup made linear).
- **A whole command**, cold: ``llmgraph --store S descendants ROOT --format json`` in a new
  process, against a bare Python start and ``python -c "import numpy"`` (a floor every
  llmgraph command pays), and, with ``--before DIR --before-store S2``, the same command run
  from another checkout of llmgraph (the code before a change) on a copy of the store (an
  older checkout may rebuild the store's index in its own format: give it its own copy).

Every form is checked against its peer before it is reported. Times are medians of
``--repeat`` runs, wall clock and CPU time of the process that does the work; on a shared
machine the CPU time is the steadier figure, and the ratio is llmgraph's CPU time divided by
its peer's (below 1: llmgraph is faster).

    python bench/generate.py --models 200000          # once
    python bench/bench_results.py --models 200000 [--repeat 5] [--before DIR --before-store S2]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

Timing = tuple[float, float]
"""Median wall seconds and median CPU seconds."""

FULL = ("label", "relation", "depth", "via", "developer", "release_date", "licence")
"""The columns of "full results" in the issue's goal."""


def timed(fn: Callable[[], object], repeat: int) -> tuple[Timing, object]:
    """Return the median (wall, CPU) seconds of ``fn`` over ``repeat`` runs and its last result."""
    walls, cpus = [], []
    result: object = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return (statistics.median(walls), statistics.median(cpus)), result


def command(argv: Sequence[str], repeat: int, *, cwd: Path | None = None) -> Timing:
    """Return the median (wall, child CPU) seconds of running ``argv``, output discarded.

    Bytecode may be written (as for an installed package), and a first run warms it.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


# ---------------------------------------------------------------------- the row-by-row peer


def per_row_links(walk: Any) -> list[Any]:
    """The answer of a walk built one row at a time from the engine's per-node lookups."""
    from llmgraph.results import Link

    idx = walk.index
    out = []
    for row in range(len(walk)):
        node, via = int(walk.nodes[row]), int(walk.via[row])
        dev, lic = idx.developer(node), idx.licence(node)
        rels = walk.relations_of(row)
        out.append(
            Link(
                id=idx.iri(node),
                label=idx.label(node),
                relation=rels[0],
                relations=rels,
                depth=int(walk.depth[row]),
                via=idx.iri(via),
                path=tuple(idx.iri(n) for n in walk.path_of(row)),
                kind=idx.kind(node),
                developer=idx.label(dev) if dev >= 0 else None,
                developer_id=idx.iri(dev) if dev >= 0 else None,
                release_date=idx.released(node),
                release_date_precision=idx.precision(node),
                licence=idx.label(lic) if lic >= 0 else None,
                licence_id=idx.iri(lic) if lic >= 0 else None,
                via_label=idx.label(via),
            )
        )
    return out


def per_row_columns(walk: Any) -> dict[str, list[Any]]:
    """The :data:`FULL` columns of a walk, filled one row at a time (no paths, no objects)."""
    idx = walk.index
    cols: dict[str, list[Any]] = {c: [] for c in FULL}
    for row in range(len(walk)):
        node = int(walk.nodes[row])
        dev, lic = idx.developer(node), idx.licence(node)
        cols["label"].append(idx.label(node))
        cols["relation"].append(walk.relations_of(row)[0])
        cols["depth"].append(int(walk.depth[row]))
        cols["via"].append(idx.label(int(walk.via[row])))
        cols["developer"].append(idx.label(dev) if dev >= 0 else None)
        cols["release_date"].append(idx.released(node))
        cols["licence"].append(idx.label(lic) if lic >= 0 else None)
    return cols


def peer_frame(walk: Any) -> Any:
    """A DataFrame of the row-by-row answer, as the per-row ``to_pandas`` made it."""
    import pandas as pd

    from llmgraph.results import COLUMNS

    links = per_row_links(walk)
    rows = [{**x.row(), "release_date": x.release_date} for x in links]
    frame = pd.DataFrame({c: [r[c] for r in rows] for c in COLUMNS})
    frame["release_date"] = pd.to_datetime(frame["release_date"])
    return frame


def peer_json(walk: Any) -> str:
    """The JSON text of the row-by-row answer (what the command printed)."""
    return json.dumps([x.row() for x in per_row_links(walk)], indent=2, ensure_ascii=False)


# ---------------------------------------------------------------------- measuring


def ensure_store(args: argparse.Namespace) -> Path:
    """Import the generated records into ``--work/store`` once (generating them if missing)."""
    from generate import label_of, write

    from llmgraph import LineageGraph
    from llmgraph.importers import import_source

    store: Path = args.work / "store"
    if (store / "CURRENT").is_file():
        return store
    jsonl = args.data / f"{label_of(args.models)}.jsonl"
    if not jsonl.exists():
        write(args.models, args.data)
    shutil.rmtree(store, ignore_errors=True)
    with LineageGraph.open(store) as lg:
        import_source(lg, "hf-hub", [jsonl])
    return store


def largest_root(lg: Any) -> str:
    """Return the IRI of the root model with the most descendants."""
    import numpy as np

    table = lg.table()
    counts = np.bincount(table.root[table.root >= 0])
    return str(lg.engine.iri(int(counts.argmax())))


def lineage_digraph(idx: Any) -> Any:
    """A networkx DiGraph of the engine's weight-lineage edges, parent → child."""
    import networkx as nx
    import numpy as np

    from llmgraph.engine import LineageIndex
    from llmgraph.terms import WEIGHT_RELATIONS

    a = idx.arrays
    ptr = np.asarray(a["out_ptr"])
    child = np.repeat(np.arange(len(idx), dtype=np.int64), np.diff(ptr))
    weight = LineageIndex.mask(WEIGHT_RELATIONS)[np.asarray(a["out_rel"], dtype=np.int64)]
    parent = np.asarray(a["out_dst"], dtype=np.int64)[weight]
    graph: Any = nx.DiGraph()
    graph.add_edges_from(zip(parent.tolist(), child[weight].tolist(), strict=True))
    return graph


def in_python(store: Path, root: str, repeat: int) -> dict[str, Any]:
    """Measure ids, columns, pandas, JSON and Link objects against their row-by-row peers."""
    import networkx as nx
    import numpy as np
    import pandas as pd

    from llmgraph import LineageGraph
    from llmgraph.terms import WEIGHT_RELATIONS

    lg = LineageGraph.open(store, read_only=True)
    idx = lg.engine
    node = idx.node(root)
    walk = idx.walk([node], direction="in", relations=WEIGHT_RELATIONS)
    lg.descendants(root)  # warm: the arrays paged in, the name resolved once
    graph = lineage_digraph(idx)
    thawed = gc.get_freeze_count() == 0  # a caller's frozen heap (the test suite's) stays so
    gc.freeze()  # as the design notes advise after building a large networkx graph
    out: dict[str, Any] = {"rows": len(walk)}
    slow = max(1, repeat // 2)

    out["ids"], ids = timed(lambda: lg.descendant_ids(root), repeat)
    out["ids_peer"], theirs = timed(lambda: nx.descendants(graph, node), repeat)
    if set(np.asarray(ids).tolist()) != theirs:
        raise SystemExit("networkx and llmgraph disagree on the descendants")

    def full() -> dict[str, list[Any]]:
        links = lg.descendants(root)
        return {c: links.column(c) for c in FULL}

    out["columns"], mine = timed(full, repeat)
    out["columns_peer"], peer = timed(lambda: per_row_columns(walk), slow)
    if mine != peer:
        raise SystemExit("the columns differ from the row-by-row answer")

    out["pandas"], frame = timed(lambda: lg.descendants(root).to_pandas(), repeat)
    out["pandas_peer"], their_frame = timed(lambda: peer_frame(walk), slow)
    pd.testing.assert_frame_equal(frame, their_frame)

    out["json"], text = timed(lambda: lg.descendants(root).to_json(), repeat)
    out["json_peer"], their_text = timed(lambda: peer_json(walk), slow)
    if text != their_text:
        raise SystemExit("the JSON differs from the row-by-row answer")

    out["links"], links = timed(lambda: list(lg.descendants(root)), repeat)
    out["links_peer"], their_links = timed(lambda: per_row_links(walk), slow)
    if links != their_links:
        raise SystemExit("the Link objects differ from the row-by-row answer")
    if thawed:
        gc.unfreeze()
    lg.close()
    return out


def whole_command(args: argparse.Namespace, store: Path, root: str) -> dict[str, Timing]:
    """Measure the cold command against a bare start, numpy's import and ``--before``."""
    python = sys.executable
    repo = Path(__file__).resolve().parent.parent
    ask = [python, "-m", "llmgraph", "--store", str(store), "descendants", root]
    out = {
        "cli": command([*ask, "--format", "json"], args.repeat, cwd=repo),
        "cli_csv": command([*ask, "--format", "csv"], args.repeat, cwd=repo),
        "pass": command([python, "-c", "pass"], args.repeat),
        "numpy": command([python, "-c", "import numpy"], args.repeat),
    }
    if args.before:
        old = [python, "-m", "llmgraph", "--store", str(args.before_store), "descendants", root]
        out["before"] = command([*old, "--format", "json"], args.repeat, cwd=args.before)
    return out


def table(rows: int, python: dict[str, Any], cli: dict[str, Timing] | None) -> str:
    """Return the results as a Markdown table, llmgraph next to its peer."""
    lines = [
        f"descendants of the largest family: {rows:,} rows",
        "",
        "| measure | llmgraph (wall / CPU) | peer | peer (wall / CPU) | llmgraph ÷ peer (CPU) |",
        "|---|---|---|---|---|",
    ]

    def cell(t: Timing) -> str:
        wall, cpu = t
        return f"{wall * 1000:,.1f} / {cpu * 1000:,.1f} ms"

    def line(name: str, ours: Timing, peer: str, theirs: Timing) -> None:
        ratio = ours[1] / theirs[1] if theirs[1] > 0 else float("inf")
        lines.append(f"| {name} | {cell(ours)} | {peer} | {cell(theirs)} | {ratio:,.3f}x |")

    line("ids (`descendant_ids`)", python["ids"], "networkx `descendants`", python["ids_peer"])
    line(
        "full results as columns (`Links.column`)",
        python["columns"],
        "row by row",
        python["columns_peer"],
    )
    line("`to_pandas()`", python["pandas"], "row by row → DataFrame", python["pandas_peer"])
    line("`to_json()`", python["json"], "row by row → `json.dumps`", python["json_peer"])
    line("`list(links)` (`Link` objects)", python["links"], "row by row", python["links_peer"])
    if cli:
        line("CLI `descendants --format json`, cold", cli["cli"], "`python -c pass`", cli["pass"])
        line("CLI `descendants --format json`, cold", cli["cli"], "`import numpy`", cli["numpy"])
        line("CLI `descendants --format csv`, cold", cli["cli_csv"], "`import numpy`", cli["numpy"])
        if "before" in cli:
            line("CLI `descendants --format json`, cold", cli["cli"], "`--before`", cli["before"])
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/llmgraph-bench/data"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/llmgraph-bench/results"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--root", help="the model whose descendants to ask for (default: largest)")
    parser.add_argument("--no-cli", action="store_true", help="skip the whole-command rows")
    parser.add_argument("--before", type=Path, help="another checkout's root, for the CLI row")
    parser.add_argument("--before-store", type=Path, help="the store copy --before reads")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.before and not args.before_store:
        parser.error("--before needs --before-store (a copy of the store)")
    store = ensure_store(args)
    from llmgraph import LineageGraph

    with LineageGraph.open(store, read_only=True) as lg:
        root = args.root or largest_root(lg)
    python = in_python(store, root, args.repeat)
    cli = None if args.no_cli else whole_command(args, store, root)
    if args.json:
        args.json.write_text(json.dumps({"python": python, "cli": cli}, indent=2) + "\n")
    print(f"{args.models:,} models, root {root}")
    print(table(python["rows"], python, cli))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
