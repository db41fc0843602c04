"""Research script: what do two models have in common?

Pairs of models from different developers: their nearest shared weight ancestors with both
paths and the lineage distance, and one pair side by side (developer, date, size, licence,
parents, roots).

    python examples/common_ancestry.py --out out
"""

from __future__ import annotations

import argparse
from pathlib import Path

from llmgraph import LineageGraph

PAIRS = (
    ("Code Llama 7B Python", "Vicuna 7B v1.5"),
    ("Alpaca 7B", "Koala 13B"),
    ("Hermes 3 Llama 3.1 8B", "DeepSeek-R1-Distill-Llama-8B"),
    ("Mistral 7B v0.1", "Llama 2 7B"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.parse_args()
    lg = LineageGraph.load()
    for a, b in PAIRS:
        print(f"{a}  +  {b}")
        found = lg.common_ancestors(a, b)
        if not found:
            wider = lg.common_ancestors(a, b, everything=True)
            print(
                "  no shared weight ancestor"
                + (
                    f"; with succession and teachers: {', '.join(c.label for c in wider)}"
                    if wider
                    else ""
                )
            )
        for c in found:
            print(f"  {c.label} (distance {c.distance})")
            print(f"    {' > '.join(c.path_a)}")
            print(f"    {' > '.join(c.path_b)}")
    print()
    cmp = lg.compare("Vicuna 13B v1.5", "Llama 2 13B Chat")
    width = max(len(f) for f, _, _ in cmp.rows)
    for field, x, y in cmp.rows:
        print(f"{field:<{width}}  {x:<40}  {y}")
    print(f"{'related':<{width}}  {cmp.relation}")


if __name__ == "__main__":
    main()
