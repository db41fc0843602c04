"""Generate Hub-like synthetic lineage graphs for the scale benchmark.

Writes Hugging Face Hub ``ModelInfo`` records as JSON lines (the bulk input format) and the
same facts as N-Triples (what llmgraph's mapping makes of them), so every engine loads the
same data:

- ``N`` models owned by organizations whose sizes follow a power law (Zipf);
- about 35 % of the models declare a base model; the parent is picked by preferential
  attachment half of the time (the parent of a random earlier child), among eleven
  "foundation" models with Zipf weights 30 % of the time, else uniformly; so fan-out follows
  a power law and the largest family holds about 13 % of all models (the Hub's: ~15 %);
- relations: fine-tune 50 %, quantized 25 %, adapter 15 %, merge 10 % (two parents);
- lineage depth is capped at 8; licences are inherited 80 % of the time, else drawn from 30;
- creation dates and parameter counts on most records.

    python bench/generate.py --models 100000 --out /tmp/llmgraph-bench/data
    # → /tmp/llmgraph-bench/data/hub-100k.jsonl and hub-100k.nt

Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "3m": 3_000_000}
LICENCES = [
    "apache-2.0",
    "mit",
    "llama2",
    "llama3",
    "llama3.1",
    "gemma",
    "cc-by-4.0",
    "cc-by-nc-4.0",
    "cc-by-sa-4.0",
    "openrail",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "gpl-3.0",
    "bsd-3-clause",
    "other",
    "unknown",
    "qwen",
    "deepseek",
    "mrl",
    "afl-3.0",
    "artistic-2.0",
    "wtfpl",
    "cc0-1.0",
    "agpl-3.0",
    "lgpl-3.0",
    "ms-pl",
    "bigcode-openrail-m",
    "nvidia-open-model-license",
    "tongyi-qianwen",
    "yi-license",
]
RELATIONS = ["finetune"] * 50 + ["quantized"] * 25 + ["adapter"] * 15 + ["merge"] * 10
MAX_DEPTH = 8
FOUNDATIONS = list(range(11))
FOUNDATION_WEIGHTS = [1.0 / (k + 1) ** 1.5 for k in FOUNDATIONS]


def label_of(size: int) -> str:
    """Return the file stem for a size: ``hub-100k``."""
    for name, n in SIZES.items():
        if n == size:
            return f"hub-{name}"
    return f"hub-{size}"


def records(n: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """Yield ``n`` synthetic ModelInfo records (deterministic for ``seed``)."""
    rng = random.Random(seed)
    n_owners = max(1, n // 20)
    weights = [1.0 / (k + 1) ** 1.1 for k in range(n_owners)]
    owners = [f"org{k}" for k in range(n_owners)]
    chosen = rng.choices(range(n_owners), weights=weights, k=n)
    ids: list[str] = []
    depth: list[int] = []
    licence: list[str] = []
    parent_of: list[int] = []  # first parent of each child, for preferential attachment
    children: list[int] = []  # every child so far
    for i in range(n):
        hub_id = f"{owners[chosen[i]]}/model-{i}"
        ids.append(hub_id)
        tags: list[str] = []
        parents: list[int] = []
        if i > 10 and rng.random() < 0.35:
            kind = rng.choice(RELATIONS)
            want = 2 if kind == "merge" else 1
            for _ in range(want):
                r = rng.random()
                if children and r < 0.5:  # preferential: the parent of a random child
                    p = parent_of[rng.choice(children)]
                elif r < 0.8:  # a foundation model, Zipf-distributed
                    p = rng.choices(FOUNDATIONS, weights=FOUNDATION_WEIGHTS)[0]
                else:
                    p = rng.randrange(i)
                while depth[p] >= MAX_DEPTH:
                    p = parent_of[p] if parent_of[p] >= 0 else rng.randrange(min(i, 10))
                if p not in parents:
                    parents.append(p)
            tags += [f"base_model:{ids[p]}" for p in parents]
            tags += [f"base_model:{kind}:{ids[p]}" for p in parents]
        d = 1 + max(depth[p] for p in parents) if parents else 0
        depth.append(d)
        parent_of.append(parents[0] if parents else -1)
        if parents:
            children.append(i)
        lic = licence[parents[0]] if parents and rng.random() < 0.8 else rng.choice(LICENCES)
        licence.append(lic)
        tags.append(f"license:{lic}")
        record: dict[str, object] = {
            "id": hub_id,
            "author": owners[chosen[i]],
            "created_at": f"20{20 + i * 6 // n:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z",
            "tags": ["transformers", "safetensors", *tags],
            "pipeline_tag": "text-generation",
        }
        if rng.random() < 0.7:
            record["safetensors"] = {"total": rng.choice([7, 8, 13, 70]) * 1_000_000_000}
        yield record


def write(n: int, folder: Path, *, seed: int = 7) -> tuple[Path, Path]:
    """Write ``<folder>/hub-<size>.jsonl`` and ``.nt`` and return their paths.

    The N-Triples are what llmgraph's import makes of the records: they are imported into a
    scratch store and its default graph is written out, so every engine loads the same facts.
    """
    import shutil
    import tempfile

    import pyoxigraph as ox

    from llmgraph import LineageGraph
    from llmgraph.importers import import_source

    folder.mkdir(parents=True, exist_ok=True)
    stem = label_of(n)
    jsonl, nt = folder / f"{stem}.jsonl", folder / f"{stem}.nt"
    with jsonl.open("w", encoding="utf-8") as j:
        for record in records(n, seed):
            j.write(json.dumps(record, separators=(",", ":")) + "\n")
    scratch = Path(tempfile.mkdtemp(prefix="llmgraph-generate-", dir=folder))
    try:
        with LineageGraph.open(scratch / "store") as lg:
            import_source(lg, "hf-hub", [jsonl])
            store = lg.backend.store  # type: ignore[attr-defined]
            store.dump(str(nt), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return jsonl, nt


def main() -> int:
    """Generate the files named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, action="append", help="size (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/llmgraph-bench/data"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for n in args.models or [10_000]:
        start = time.perf_counter()
        jsonl, nt = write(n, args.out, seed=args.seed)
        lines = len(nt.read_bytes().splitlines())
        took = time.perf_counter() - start
        print(f"{jsonl} and {nt}: {n:,} models, {lines:,} triples ({took:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
